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
(:data:`TIMEOUT` seconds for the whole exchange) is a failed :class:`Delivery`. Nothing here
prints or raises for a failed delivery: the caller decides (``pingtai check`` exits 2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Literal

from pingtai.errors import UsageError

WebhookKind = Literal["dingtalk", "wecom"]
WEBHOOK_KINDS: tuple[WebhookKind, ...] = ("dingtalk", "wecom")
HOSTS: dict[str, WebhookKind] = {"oapi.dingtalk.com": "dingtalk", "qyapi.weixin.qq.com": "wecom"}
LIMITS: dict[WebhookKind, int] = {"dingtalk": 20_000, "wecom": 4_096}
"""The robots' limits on the Markdown text, in UTF-8 bytes."""
TIMEOUT = 10.0
_REPLY_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Delivery:
    """How a post went: ``ok``, the robot kind, HTTP status, the robot's ``errcode`` and, in Chinese,
    what happened (``message``); ``truncated`` when the digest had to be cut to the robot's limit."""

    ok: bool
    kind: WebhookKind
    status: int | None
    errcode: int | None
    message: str
    truncated: bool = False


def check_url(url: str) -> None:
    """Refuse anything but an ``http(s)://host/…`` URL (``file:`` and friends included) with a
    :class:`UsageError`, before any work is done."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"webhook 地址无效：{redact(url)}",
                         hint="应为 http(s) 地址，例如 https://oapi.dingtalk.com/robot/send?access_token=…")


def webhook_kind(url: str, override: str | None = None) -> WebhookKind:
    """``override`` if given, else by host: DingTalk's or WeCom's robot API; DingTalk for any other."""
    if override is not None:
        if override not in WEBHOOK_KINDS:
            raise UsageError(f"未知的 webhook 类型 '{override}'", hint="可用：dingtalk、wecom。")
        return "wecom" if override == "wecom" else "dingtalk"
    return HOSTS.get((urllib.parse.urlsplit(url).hostname or "").lower(), "dingtalk")


def redact(url: str) -> str:
    """The URL without its query (``access_token`` / ``key`` are secrets), for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


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
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def send(url: str, title: str, text: str, *, kind: WebhookKind | None = None, timeout: float = TIMEOUT,
         secret: str | None = None, timestamp_ms: int | None = None) -> Delivery:
    """Post ``text`` (Markdown) titled ``title`` to the robot at ``url``; never raises for a failure.

    ``kind`` overrides the choice by host. ``secret`` (with ``timestamp_ms``, the caller's clock)
    signs a DingTalk request. The text is cut to the robot's limit (:func:`fit`).
    """
    check_url(url)
    chosen = kind or webhook_kind(url)
    body_text, truncated = fit(text, LIMITS[chosen])
    body = json.dumps(payload(chosen, title, body_text), ensure_ascii=False).encode("utf-8")
    target = signed_url(url, secret, timestamp_ms or 0) if secret and chosen == "dingtalk" else url
    request = urllib.request.Request(target, data=body, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8",
                                              "User-Agent": "pingtai-check"})
    where = redact(url)

    def failed(message: str, status: int | None = None, errcode: int | None = None) -> Delivery:
        return Delivery(False, chosen, status, errcode, message, truncated)

    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # scheme checked above
            status = int(response.status)
            raw = _read(response, deadline)
    except urllib.error.HTTPError as exc:
        return failed(f"机器人 {where} 返回 HTTP {exc.code}", status=exc.code)
    except TimeoutError:
        return failed(f"机器人 {where} 在 {timeout:g} 秒内没有响应")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return failed(f"机器人 {where} 在 {timeout:g} 秒内没有响应")
        return failed(f"无法连接机器人 {where}：{reason}")
    except OSError as exc:
        return failed(f"无法连接机器人 {where}：{exc}")
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


def _read(response: Any, deadline: float) -> bytes:
    """Read the reply in pieces, giving up at ``deadline`` (a server dripping bytes cannot hold us)."""
    chunks: list[bytes] = []
    size = 0
    while size < _REPLY_LIMIT:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = response.read(4096)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
