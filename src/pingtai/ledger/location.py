"""Where the ledger is: ``--db``, else ``PINGTAI_DB``, else a file in the user's data directory.

A location is either an SQLite file (a path) or a PostgreSQL database, named by

- a URL: ``postgresql://user@host:5432/pingtai`` or ``postgres://…`` (any libpq URI, with query
  parameters such as ``?sslmode=require`` or ``?host=/run/postgresql`` for a Unix socket), or
- a libpq key=value string that starts with one of ``dbname=``, ``host=``, ``hostaddr=``, ``port=``,
  ``user=``, ``service=`` (e.g. ``service=pingtai`` for an entry in ``~/.pg_service.conf``).

Anything else is a path. The location goes to libpq as given, so ``PGPASSWORD``, ``~/.pgpass``,
``PGSERVICE`` and the other libpq environment variables apply. A password in it is never shown:
:func:`describe_location` and :func:`redact` replace it with ``***``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pingtai.errors import LedgerError

LEDGER_FILE = "ledger.sqlite3"

_URL = re.compile(r"^postgres(?:ql)?://", re.IGNORECASE)
_CONNINFO = re.compile(r"^\s*(?:dbname|host|hostaddr|port|user|service)\s*=", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"(?i)(postgres(?:ql)?://[^:/@?#\s]*):[^@/?#\s]*@")
_KV_PASSWORD = re.compile(r"(?i)\b(password\s*=\s*)(?:'(?:[^'\\]|\\.)*'|\S+)")
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)[^&#\s]*")


def is_database(location: str) -> bool:
    """Whether ``location`` names a PostgreSQL database (a URL or a libpq key=value string), not a file."""
    return bool(_URL.match(location) or _CONNINFO.match(location))


def default_db_path() -> Path:
    """``$XDG_DATA_HOME/pingtai/ledger.sqlite3``, else ``~/.local/share/pingtai/ledger.sqlite3``.

    Raises :class:`LedgerError` when neither ``XDG_DATA_HOME`` nor ``HOME`` is set (cron runs jobs
    without ``HOME``): the user must then say where the ledger is.
    """
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "pingtai" / LEDGER_FILE
    home = os.environ.get("HOME")
    if not home:
        raise LedgerError("无法确定台账位置：未设置 HOME 或 XDG_DATA_HOME",
                          hint="请设置环境变量 PINGTAI_DB（例如在 crontab 中写 PINGTAI_DB=/srv/pingtai/ledger.sqlite3），或使用 --db。")
    return Path(home) / ".local" / "share" / "pingtai" / LEDGER_FILE


def resolve_location(explicit: str | Path | None) -> Path | str:
    """``explicit`` (``--db``), else ``PINGTAI_DB``, else :func:`default_db_path`: a database as the
    string naming it, a file as a :class:`Path`."""
    text = os.environ.get("PINGTAI_DB") if explicit is None else explicit
    if isinstance(text, Path):
        return text
    if not text:
        return default_db_path()
    return text.strip() if is_database(text) else Path(text)


def resolve_db_path(explicit: Path | None) -> Path:
    """The SQLite file ``explicit``, ``PINGTAI_DB`` or the default names; raises :class:`LedgerError`
    when they name a database instead (for callers that need a file)."""
    found = resolve_location(explicit)
    if isinstance(found, str):
        raise LedgerError(f"此处需要台账文件，而 PINGTAI_DB 指向数据库：{redact(found)}")
    return found


def redact(text: str) -> str:
    """``text`` with every password in a PostgreSQL URL or key=value string replaced by ``***``."""
    text = _URL_PASSWORD.sub(r"\1:***@", text)
    text = _QUERY_PASSWORD.sub(r"\1***", text)
    return _KV_PASSWORD.sub(r"\1***", text)


def describe_location(location: Path | str) -> str:
    """The ledger as messages and results show it: the path, or the database without its password."""
    return redact(location) if isinstance(location, str) else str(location)


__all__ = ["LEDGER_FILE", "default_db_path", "describe_location", "is_database", "redact", "resolve_db_path",
           "resolve_location"]
