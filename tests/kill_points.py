"""Run ``pingtai`` and die at the N-th write it makes: a kill placed exactly, not at random.

Usage: ``KILL_AT=N python kill_points.py import FILE``. The "writes" are every file opened for
writing, every rename, removal, mkdir and chmod (Python audit events) and every SQL statement
sent to SQLite (a trace callback; a run of identical statements — ``executemany``'s rows —
counts once). At the ``KILL_AT``-th the process ends with ``os._exit`` — no ``finally``, no
atexit, no SQLite close: what SIGKILL or a power cut leaves. ``KILL_AT=-1`` runs to the end and
prints the list of writes as JSON on stderr, so a test can place a kill at each of them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from typing import Any

KILL_AT = int(os.environ.get("KILL_AT", "-1"))
events: list[str] = []
_last = [""]
_WRITES = os.O_WRONLY | os.O_RDWR


def hit(name: str) -> None:
    if name == _last[0]:
        return
    _last[0] = name
    events.append(name)
    if len(events) - 1 == KILL_AT:
        os._exit(137)


def audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open":
        path, mode, flags = args
        writes = any(c in mode for c in "wax+") if mode is not None else bool(flags & _WRITES)
        if writes and not str(path).endswith((".py", ".pyc")):
            hit(f"open {os.path.basename(str(path))}")
    elif event in ("os.rename", "os.replace", "os.remove", "os.unlink", "os.mkdir", "os.link", "os.chmod"):
        hit(f"{event} {os.path.basename(str(args[0]))}")


_connect = sqlite3.connect


def _traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    connection: sqlite3.Connection = _connect(*args, **kwargs)
    connection.set_trace_callback(lambda sql: hit("sql " + " ".join(sql.split()[:3])))
    return connection


def main() -> None:
    # No catalog cache: the listing run would write it and the killed runs not, so the writes listed
    # would not be the writes of the runs being killed.
    os.environ["PINGTAI_CACHE_DIR"] = ""
    sqlite3.connect = _traced  # type: ignore[assignment]
    sys.addaudithook(audit)
    from pingtai.cli import main as pingtai

    sys.argv = ["pingtai", *sys.argv[1:]]
    code = 0
    try:
        pingtai()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    if KILL_AT < 0:
        sys.stderr.write(json.dumps(events, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
