"""Post the check's digest to a DingTalk or WeCom group robot (a webhook), and say how it went.

The two robots accept different JSON for a Markdown message:

- DingTalk (``https://oapi.dingtalk.com/robot/send?access_token=…``):
  ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`` — text up to 20 000 bytes;
  a robot secured by 加签 needs ``timestamp`` and ``sign`` in the URL (:func:`signed_url`).
- WeCom / 企业微信 (``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…``):
  ``{"msgtype": "markdown", "markdown": {"content": …}}`` — content up to 4 096 bytes.

The shape is chosen by the URL's host (:func:`webhook_kind`; any other host gets DingTalk's),
unless the caller says which. Both robots answer HTTP 200 with ``{"errcode": 0, "errmsg": "ok"}``
on success; any other status, a reply without ``errcode`` 0, a refused connection or a timeout
is a failed :class:`Delivery`. Nothing here prints or raises for a failed delivery: the caller
decides (``pingtai check`` exits 2).

The exchange has one deadline, :data:`TIMEOUT` seconds in all — connecting, sending, and a
server that drips its answer a byte at a time cannot hold the check longer. A URL that is not a
well-formed ``http(s)://host/…`` address (spaces, line breaks, a bad port, a broken IPv6
literal, characters that need percent-encoding) is a :class:`~pingtai.errors.UsageError` before
anything is sent. Access tokens, keys, signatures, the 加签 secret and ``user:password@`` never
appear in a message: :func:`redact` shows an address without them and :func:`scrub` removes
them from any text an error brings back.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Literal

from pingtai.errors import UsageError
from pingtai.frozen import Record

WebhookKind = Literal["dingtalk", "wecom"]
WEBHOOK_KINDS: tuple[WebhookKind, ...] = ("dingtalk", "wecom")
HOSTS: dict[str, WebhookKind] = {"oapi.dingtalk.com": "dingtalk", "qyapi.weixin.qq.com": "wecom"}
LIMITS: dict[WebhookKind, int] = {"dingtalk": 20_000, "wecom": 4_096}
"""The robots' limits on the Markdown text, in UTF-8 bytes."""
TIMEOUT = 10.0
_REPLY_LIMIT = 64 * 1024


class Delivery(Record):
    """How a post went: ``ok``, the robot kind, HTTP status, the robot's ``errcode`` and, in Chinese,
    what happened (``message``); ``truncated`` when the digest had to be cut to the robot's limit."""

    ok: bool
    kind: WebhookKind
    status: int | None
    errcode: int | None
    message: str
    truncated: bool = False


_BAD_CHARS = re.compile(r"[\x00-\x20\x7f-\uffff\U00010000-\U0010ffff]")
"""Whitespace, control characters and anything outside ASCII: a URL must percent-encode them."""


def check_url(url: str) -> None:
    """Refuse anything but a well-formed ``http(s)://host[:port]/…`` URL with a :class:`UsageError`
    (``file:`` and friends, spaces, line breaks, a port that is no port, a broken IPv6 literal),
    before any work is done. The message shows the address :func:`redact` ed."""
    hint = "应为 http(s) 地址，例如 https://oapi.dingtalk.com/robot/send?access_token=…（空格、换行和中文须按百分号编码）"
    bad = _BAD_CHARS.search(url)
    if bad is not None:
        raise UsageError(f"webhook 地址无效：含空白、控制字符或非 ASCII 字符（第 {bad.start() + 1} 个字符）：{redact(url)}",
                         hint=hint)
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port  # raises for a port that is not a number in 0–65535
    except ValueError:
        raise UsageError(f"webhook 地址无效：主机或端口无法识别：{redact(url)}", hint=hint) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise UsageError(f"webhook 地址无效：{redact(url)}", hint=hint)
    if "@" in parts.netloc:
        raise UsageError(f"webhook 地址不应含用户名或密码（user:…@）：{redact(url)}",
                         hint="群机器人的地址只含主机、路径和 access_token/key 参数；加签密钥请用 PINGTAI_WEBHOOK_SECRET。")


def webhook_kind(url: str, override: str | None = None) -> WebhookKind:
    """``override`` if given, else by host: DingTalk's or WeCom's robot API; DingTalk for any other."""
    if override is not None:
        if override not in WEBHOOK_KINDS:
            raise UsageError(f"未知的 webhook 类型 '{override}'", hint="可用：dingtalk、wecom。")
        return "wecom" if override == "wecom" else "dingtalk"
    return HOSTS.get((urllib.parse.urlsplit(url).hostname or "").lower(), "dingtalk")


_TOKEN_LIKE = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_\-.=]{16,}$")


def redact(url: str) -> str:
    """The URL as messages and logs may show it: scheme, host, port and path, without the query
    (``access_token`` / ``key`` / ``sign``), without ``user:password@``, and with path segments
    that look like tokens shown as ``***``. Never raises, whatever ``url`` is."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
        if ":" in host:
            host = f"[{host}]"
        head, path = f"{parts.scheme}://{host}{port}", parts.path
    except ValueError:  # a broken IPv6 literal or port: cut it by hand, as crudely as safely
        scheme, _, rest = url.partition("://")
        netloc, slash, path = re.split(r"[?#]", rest, maxsplit=1)[0].partition("/")
        head, path = f"{scheme}://{netloc.rpartition('@')[2]}", slash + path
    path = "/".join("***" if _TOKEN_LIKE.match(segment) else segment for segment in path.split("/"))
    return _BAD_CHARS.sub(lambda m: f"%{ord(m.group()):02X}" if ord(m.group()) < 0x80 else m.group(), head + path)


def secrets_of(url: str, *extra: str | None) -> list[str]:
    """The parts of ``url`` (and ``extra`` texts, the 加签 secret) that must never be shown: query
    values, user name and password, token-like path segments."""
    found: list[str] = [text for text in extra if text]
    try:
        parts = urllib.parse.urlsplit(url)
        found += [parts.query, parts.username or "", parts.password or "", parts.netloc.rpartition("@")[0]]
        found += [value for _, value in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
    except ValueError:
        found += [url.partition("?")[2], url.partition("://")[2].partition("@")[0] if "@" in url else ""]
    found += [segment for segment in re.split(r"[/?&=#@:]", url) if _TOKEN_LIKE.match(segment)]
    variants = {v for text in found if len(text) >= 4 for v in (text, urllib.parse.quote(text, safe=""),
                                                                urllib.parse.unquote(text))}
    return sorted(variants, key=len, reverse=True)


def scrub(message: str, secrets: list[str]) -> str:
    """``message`` with every secret of :func:`secrets_of` replaced by ``***``."""
    for secret in secrets:
        message = message.replace(secret, "***")
    return message


def fit(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut at a line boundary to at most ``limit`` UTF-8 bytes, with a note of what was
    left out; ``(text, False)`` when it fits."""
    if len(text.encode("utf-8")) <= limit:
        return text, False
    lines = text.splitlines()
    kept: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        note = f"\n……（内容过长，其余 {len(lines) - i} 行略；完整内容见 pingtai check 的输出）"
        cost = len(line.encode("utf-8")) + 1
        if size + cost + len(note.encode("utf-8")) > limit:
            return "\n".join(kept) + note, True
        kept.append(line)
        size += cost
    return "\n".join(kept), True  # unreachable: the whole text would have fitted


def payload(kind: WebhookKind, title: str, text: str) -> dict[str, Any]:
    """The JSON body the robot of ``kind`` accepts for a Markdown message."""
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": text}}
    return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk 加签: ``url`` with ``timestamp`` and ``sign`` = base64(HMAC-SHA256(secret,
    "timestamp\\nsecret")) added (the robot refuses a timestamp more than an hour off)."""
    # surrogateescape: a secret from the environment in bytes that are not UTF-8 signs as those bytes
    raw = secret.encode("utf-8", "surrogateescape")
    digest = hmac.new(raw, f"{timestamp_ms}\n".encode() + raw, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def send(url: str, title: str, text: str, *, kind: WebhookKind | None = None, timeout: float | None = None,
         secret: str | None = None, timestamp_ms: int | None = None) -> Delivery:
    """Post ``text`` (Markdown) titled ``title`` to the robot at ``url``; never raises for a failure.

    ``kind`` overrides the choice by host. ``secret`` (with ``timestamp_ms``, the caller's clock)
    signs a DingTalk request. The text is cut to the robot's limit (:func:`fit`). The whole
    exchange gets ``timeout`` seconds (default :data:`TIMEOUT`). Raises :class:`UsageError` for a
    malformed ``url`` only.
    """
    timeout = TIMEOUT if timeout is None else timeout
    check_url(url)
    chosen = kind or webhook_kind(url)
    body_text, truncated = fit(text, LIMITS[chosen])
    body = json.dumps(payload(chosen, title, body_text), ensure_ascii=False).encode("utf-8")
    target = signed_url(url, secret, timestamp_ms or 0) if secret and chosen == "dingtalk" else url
    where = redact(url)
    hidden = secrets_of(target, secret)

    def failed(message: str, status: int | None = None, errcode: int | None = None) -> Delivery:
        return Delivery(False, chosen, status, errcode, scrub(message, hidden), truncated)

    exchange = _Exchange(target, body, timeout)
    if not exchange.run():
        return failed(f"机器人 {where} 在 {timeout:g} 秒内没有响应")
    error = exchange.error
    if isinstance(error, urllib.error.HTTPError):
        return failed(f"机器人 {where} 返回 HTTP {error.code}", status=error.code)
    if isinstance(error, TimeoutError) or (isinstance(error, urllib.error.URLError)
                                           and isinstance(error.reason, TimeoutError)):
        return failed(f"机器人 {where} 在 {timeout:g} 秒内没有响应")
    if isinstance(error, urllib.error.URLError):
        return failed(f"无法连接机器人 {where}：{error.reason}")
    if error is not None:
        return failed(f"无法连接机器人 {where}：{error}")
    status, raw = exchange.status, exchange.reply
    try:
        reply = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return failed(f"机器人 {where} 的回复不是 JSON（HTTP {status}）", status=status)
    errcode = reply.get("errcode") if isinstance(reply, dict) else None
    if not isinstance(errcode, int) or errcode != 0:
        errmsg = reply.get("errmsg", "") if isinstance(reply, dict) else ""
        return failed(f"机器人 {where} 拒收：errcode {errcode}，{errmsg}", status=status,
                      errcode=errcode if isinstance(errcode, int) else None)
    return Delivery(True, chosen, status, 0, f"已推送到 {where}", truncated)


class _Exchange:
    """One POST and its reply, in a daemon thread the caller waits for no longer than ``timeout``.

    Socket timeouts bound each read, not the whole: a server sending a byte every few seconds
    would keep a plain ``urlopen`` for minutes. The caller's wait is the deadline; a thread still
    blocked then is abandoned (it holds nothing the command needs, and ends with the process or
    at its own socket timeout) and its response closed.
    """

    def __init__(self, url: str, body: bytes, timeout: float) -> None:
        self.request = urllib.request.Request(url, data=body, method="POST",
                                              headers={"Content-Type": "application/json; charset=utf-8",
                                                       "User-Agent": "pingtai-check"})
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.status: int | None = None
        self.reply = b""
        self.error: BaseException | None = None
        self._response: Any = None

    def run(self) -> bool:
        """Post and wait; whether the exchange ended (well or not) before the deadline."""
        thread = threading.Thread(target=self._work, name="pingtai-webhook", daemon=True)
        thread.start()
        thread.join(max(self.deadline - time.monotonic(), 0.0))
        if thread.is_alive():
            response = self._response
            if response is not None:
                with contextlib.suppress(Exception):  # best effort: another thread is reading it
                    response.close()
            return False
        return True

    def _work(self) -> None:
        try:
            with urllib.request.urlopen(self.request, timeout=self.timeout) as response:  # scheme checked
                self._response = response
                self.status = int(response.status)
                self.reply = _read(response, self.deadline)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError, timeouts, bad replies
            self.error = exc


def _read(response: Any, deadline: float) -> bytes:
    """Read the reply in pieces, giving up at ``deadline``."""
    chunks: list[bytes] = []
    size = 0
    while size < _REPLY_LIMIT:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read1(4096) if hasattr(response, "read1") else response.read(4096)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
