"""The group-robot webhook: posted to a local HTTP server, its body checked; failures exit 2 and the
findings still print."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from checks_helpers import COMMERCE, all_well, tiny_catalog
from pingtai.catalog import Catalog
from pingtai.checks import build_check
from pingtai.cli import app
from pingtai.errors import UsageError
from pingtai.ledger import Ledger
from pingtai.notify import LIMITS, fit, payload, send, signed_url, webhook_kind
from pingtai.render.digest import markdown, title

OK = b'{"errcode": 0, "errmsg": "ok"}'


class Robot:
    """A stand-in group robot on 127.0.0.1: records each request, answers as configured."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.reply = OK
        self.delay = 0.0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                robot.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": self.rfile.read(length)})
                time.sleep(robot.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that gave up
                    self.send_response(robot.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(robot.reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?access_token=secret-token"

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index]["body"].decode("utf-8"))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot(monkeypatch: pytest.MonkeyPatch) -> Iterator[Robot]:
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = Robot()
    yield server
    server.close()


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Catalog:
    monkeypatch.setenv("PINGTAI_DATA", str(tmp_path / "data"))
    return tiny_catalog(tmp_path / "data")


@pytest.fixture
def db(catalog: Catalog) -> Path:
    """市商务局's first-quarter return is missing: an error on 2025-05-10."""
    path = Path(os.environ["PINGTAI_DB"])
    all_well(path, catalog, skip=[(COMMERCE, "2025Q1")])
    return path


def expected_report(db: Path, catalog: Catalog, day: date) -> Any:
    with Ledger.open(db, readonly=True) as ledger:
        return build_check(catalog, ledger.current_values(), ledger.current_tasks(), ledger.received_returns(), day)


def test_the_digest_goes_to_the_robot_in_dingtalk_shape(runner: CliRunner, robot: Robot, db: Path,
                                                        catalog: Catalog) -> None:
    result = runner.invoke(app, ["check", "--as-of", "2025-05-10", "--notify-webhook", robot.url])
    assert result.exit_code == 1 and result.stderr == ""
    report = expected_report(db, catalog, date(2025, 5, 10))
    [request] = robot.requests
    assert request["path"] == "/robot/send?access_token=secret-token"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert robot.body() == {"msgtype": "markdown", "markdown": {"title": title(report), "text": markdown(report)}}
    text = robot.body()["markdown"]["text"]
    assert text.startswith("### 平台经济政策落实检查 2025-05-10：错误 1 项\n")
    assert "#### 市商务局（1 项）" in text and "- **错误** 报表逾期：2025年第1季度报表应于 2025-04-20 前报送" in text
    assert "【市商务局】1 项" in result.stdout  # the console digest prints as well


def test_wecom_gets_its_own_shape(runner: CliRunner, robot: Robot, db: Path, catalog: Catalog) -> None:
    result = runner.invoke(app, ["check", "--as-of", "2025-05-10", "--notify-webhook", robot.url,
                                 "--webhook-kind", "wecom"])
    assert result.exit_code == 1
    report = expected_report(db, catalog, date(2025, 5, 10))
    assert robot.body() == {"msgtype": "markdown", "markdown": {"content": markdown(report)}}


def test_nothing_to_say_posts_nothing(runner: CliRunner, robot: Robot, tmp_path: Path, catalog: Catalog) -> None:
    all_well(Path(os.environ["PINGTAI_DB"]), catalog)
    result = runner.invoke(app, ["check", "--as-of", "2025-05-01", "--notify-webhook", robot.url])
    assert result.exit_code == 0 and robot.requests == []


def test_quiet_posts_only_when_the_level_is_reached(runner: CliRunner, robot: Robot, db: Path) -> None:
    # 2025-04-26: the return is one day missing — a finding at every level
    assert runner.invoke(app, ["check", "--as-of", "2025-04-26", "--quiet", "--new-only",
                               "--notify-webhook", robot.url]).exit_code == 1
    assert len(robot.requests) == 1
    # the next day nothing is new: no output, no message to the group
    result = runner.invoke(app, ["check", "--as-of", "2025-04-27", "--quiet", "--new-only",
                                 "--notify-webhook", robot.url])
    assert (result.exit_code, result.stdout, len(robot.requests)) == (0, "", 1)


@pytest.mark.parametrize(("status", "reply", "said"), [
    (500, b"Internal Server Error", "HTTP 500"),
    (200, b'{"errcode": 310000, "errmsg": "keywords not in content"}', "errcode 310000，keywords not in content"),
    (200, b"<html>proxy login</html>", "回复不是 JSON"),
])
def test_a_failed_delivery_exits_2_and_the_findings_still_print(runner: CliRunner, robot: Robot, db: Path,
                                                                status: int, reply: bytes, said: str) -> None:
    robot.status, robot.reply = status, reply
    result = runner.invoke(app, ["check", "--as-of", "2025-05-10", "--notify-webhook", robot.url])
    assert result.exit_code == 2
    assert "【市商务局】1 项" in result.stdout
    assert "推送失败" in result.stderr and said in result.stderr
    assert "secret-token" not in result.stderr  # the robot's token is a secret
    assert "Traceback" not in result.stdout + result.stderr


def test_a_refused_connection_exits_2(runner: CliRunner, db: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = runner.invoke(app, ["check", "--as-of", "2025-05-10", "--json",
                                 "--notify-webhook", f"http://127.0.0.1:{port}/robot/send?access_token=x"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["findings"][0]["agency"] == COMMERCE
    assert "无法连接机器人 http://127.0.0.1:" in result.stderr


def test_a_robot_that_does_not_answer_in_time(robot: Robot) -> None:
    robot.delay = 2.0
    delivery = send(robot.url, "标题", "内容", timeout=0.5)
    assert not delivery.ok and "0.5 秒内没有响应" in delivery.message


def test_the_robot_kind_follows_the_host() -> None:
    assert webhook_kind("https://oapi.dingtalk.com/robot/send?access_token=x") == "dingtalk"
    assert webhook_kind("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x") == "wecom"
    assert webhook_kind("https://QYAPI.weixin.qq.com/cgi-bin/webhook/send?key=x") == "wecom"
    assert webhook_kind("http://10.0.0.5:8080/hook") == "dingtalk"
    assert webhook_kind("https://oapi.dingtalk.com/robot/send", "wecom") == "wecom"
    with pytest.raises(UsageError):
        webhook_kind("https://example.org/", "slack")
    assert payload("wecom", "t", "x") == {"msgtype": "markdown", "markdown": {"content": "x"}}


def test_a_long_digest_is_cut_to_the_robots_limit(robot: Robot) -> None:
    text = "\n".join(f"- **警告** 报表逾期：第{i}项，请市商务局立即报送。" for i in range(400))
    cut, truncated = fit(text, LIMITS["wecom"])
    assert truncated and len(cut.encode("utf-8")) <= LIMITS["wecom"]
    assert cut.endswith("完整内容见 pingtai check 的输出）") and "其余" in cut
    assert fit("短", 4096) == ("短", False)
    delivery = send(robot.url, "标题", text, kind="wecom")
    assert delivery.ok and delivery.truncated
    assert len(robot.body()["markdown"]["content"].encode("utf-8")) <= 4096


def test_dingtalk_signing_adds_timestamp_and_sign(robot: Robot) -> None:
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SECxyz", 1700000000000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    mac = hmac.new(b"SECxyz", b"1700000000000\nSECxyz", hashlib.sha256).digest()
    assert query["timestamp"] == ["1700000000000"] and query["sign"] == [base64.b64encode(mac).decode()]
    assert send(robot.url, "t", "x", secret="SECxyz", timestamp_ms=1700000000000).ok
    assert "&timestamp=1700000000000&sign=" in robot.requests[-1]["path"]


# --- issue 13: one deadline, malformed addresses, secrets kept out of every message -----------------


class SlowDrip:
    """A server that accepts the post, then sends its answer one byte every ``pause`` seconds, for ever:
    each read returns within any per-read timeout, so only a total deadline ends the exchange."""

    def __init__(self, pause: float = 0.2) -> None:
        self.pause = pause
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/robot/send?access_token=drip-secret-token"

    def _serve(self) -> None:
        self.listener.settimeout(0.1)
        while not self.stop.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._drip, args=(client,), daemon=True).start()

    def _drip(self, client: socket.socket) -> None:
        with client, contextlib.suppress(OSError):
            client.recv(65536)
            answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + b"X-Pad: " + b"x" * 10_000
            for byte in answer:
                if self.stop.is_set():
                    return
                client.sendall(bytes([byte]))
                time.sleep(self.pause)

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def drip(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowDrip]:
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    server = SlowDrip()
    yield server
    server.close()


def test_a_slow_drip_server_cannot_hold_the_post_past_one_deadline(drip: SlowDrip) -> None:
    started = time.monotonic()
    delivery = send(drip.url, "标题", "内容", timeout=1.0)
    elapsed = time.monotonic() - started
    assert not delivery.ok and "1 秒内没有响应" in delivery.message
    assert elapsed < 2.5, elapsed  # a per-read timeout would wait for the whole drip (minutes)
    assert "drip-secret-token" not in delivery.message


def test_check_with_a_slow_drip_robot_exits_2_at_the_deadline(runner: CliRunner, drip: SlowDrip, db: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pingtai.notify.TIMEOUT", 1.0)
    started = time.monotonic()
    result = runner.invoke(app, ["check", "--as-of", "2025-05-10", "--notify-webhook", drip.url])
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    assert "推送失败" in result.stderr and "没有响应" in result.stderr
    assert "drip-secret-token" not in result.stdout + result.stderr


@pytest.mark.parametrize("url", [
    "https://oapi.dingtalk.com/robot/send?access_token=SECRET-TOKEN-1 x",
    "https://oapi.dingtalk.com/robot/send?access_token=SECRET-TOKEN-1\r\nX-Injected: 1",
    "https://oapi.dingtalk.com/robot/send?access_token=SECRET-TOKEN-1\n",
    "https://oapi.dingtalk.com:99999/robot/send?access_token=SECRET-TOKEN-1",
    "https://oapi.dingtalk.com:port/robot/send?access_token=SECRET-TOKEN-1",
    "https://[::1/robot/send?access_token=SECRET-TOKEN-1",
    "https://[fe80::1%eth0/robot/send?access_token=SECRET-TOKEN-1",
    "https://user:SECRET-TOKEN-1@oapi.dingtalk.com/robot/send",
    "https://SECRET-TOKEN-1@oapi.dingtalk.com/robot/send",
    "https://oapi.dingtalk.com/机器人?access_token=SECRET-TOKEN-1",
    "file:///etc/passwd?SECRET-TOKEN-1",
    "https:///robot/send?access_token=SECRET-TOKEN-1",
])
def test_a_malformed_address_exits_2_before_any_work_and_shows_no_secret(runner: CliRunner, db: Path, url: str) -> None:
    result = runner.invoke(app, ["check", "--as-of", "2025-05-10", "--notify-webhook", url])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("错误：webhook 地址"), result.stderr
    assert result.stdout == ""  # refused before the check ran
    assert "SECRET-TOKEN-1" not in result.stderr
    assert "Traceback" not in result.stderr


def test_secrets_are_kept_out_of_failure_messages(robot: Robot, monkeypatch: pytest.MonkeyPatch) -> None:
    robot.status, robot.reply = 500, b"access_token=secret-token sign=whatever"
    delivery = send(robot.url, "标题", "内容", secret="SEC-ADD-SIGN-123", timestamp_ms=1)
    assert not delivery.ok and "HTTP 500" in delivery.message
    assert "secret-token" not in delivery.message and "SEC-ADD-SIGN-123" not in delivery.message
    # an error that quotes the address it was given (http.client's InvalidURL does) is scrubbed too
    from pingtai.notify import redact, scrub, secrets_of

    quoted = "URL can't contain control characters. '/robot/send?access_token=secret-token&sign=abc%2Bdef'"
    assert "secret-token" not in scrub(quoted, secrets_of(robot.url + "&sign=abc%2Bdef"))
    assert redact("https://u:pw@example.org:8443/hook/0123456789abcdef0123?key=k") == "https://example.org:8443/hook/***"
