"""The archive beside the ledger: every accepted file by content, with the manifest to rebuild from.

Layout, relative to the directory holding the ledger::

    archive/ab/abcdef….xlsx        the file's bytes exactly as received, named by their sha256
    archive/ab/abcdef….json        its manifest entry, once its batch is committed
    archive/pending/abcdef….json   the manifest entry of an import in flight — or interrupted
    archive/pending/.pingtai-…     a copy being written (left behind only by a killed process)

A manifest entry (:class:`ManifestEntry`, UTF-8 JSON) holds what the files alone do not say and a
rebuild needs: the batch id (the order of imports), the original file name, the time of import,
the ``--agency`` / ``--period`` options the file was read with, the ``--received`` / ``--backfill`` /
``--accept`` / ``--accept-all`` / ``--reason`` it was imported with, and a digest of the rows the
batch recorded so that a rebuild (or ``ledger verify``) can tell whether it got them back exactly.

The entries form a chain: each (``format`` 2) carries ``previous``, the sha256 of the bytes of
the entry of the batch before it (``null`` for the first batch), so the sha256 of the newest
entry — the *chain head*, :func:`entry_digest` — vouches for every entry before it. An entry
edited, or a batch removed from the middle, breaks a link; batches removed from the end change
the head, which an operator keeps elsewhere (``ledger verify --expect HEAD``). Entries written
before the chain existed (``format`` 1, no ``previous``) stay valid: they are links whose own
predecessor is not checked, and the first ``format`` 2 entry after them names their digest.

The ledger writes in this order, all but the last step inside its write transaction:

1. copy the file to a temporary name, fsync, check its sha256, rename it into place, fsync the
   directory (:func:`store`);
2. insert the batch and its rows;
3. write the manifest entry to ``pending/`` (atomically, fsynced; :func:`write_pending`);
4. COMMIT;
5. move the entry from ``pending/`` to beside the file (:func:`commit`).

Killed before 4, the ledger is exactly as before and the archive holds an *orphan*: a file and
perhaps a pending entry that no batch claims. Orphans are harmless (content-addressed, never
replayed); ``ledger verify`` names them as notes and importing the file again completes the job.
A transaction that *fails* before 4 (a full disk, a refused write) takes back what it added —
the pending entry and the file, if it wrote it (:func:`unstore`) — so only a killed process
leaves an orphan.
Killed between 4 and 5, a committed batch has a pending entry: the next write transaction finds it
(:func:`pending_entries`) and commits it. A rebuild replays only committed entries.

Review decisions (``pingtai accept`` / ``reject``) and settings (``pingtai ledger set``) are kept
in ``archive/decisions.jsonl`` (:class:`LogEntry`, one JSON object a line, in the order of their
transactions), each line carrying ``previous``, the sha256 of the line before it (``null`` for the
first), so an edited or removed line breaks a link. A decision follows the import's order: the
line is appended and fsynced (:func:`append_log`), then the rows are inserted, then COMMIT; a
transaction that fails takes its lines back (:func:`truncate_log`). A process killed between
the fsync and COMMIT leaves a trailing line no row claims: the next decision removes it, ``ledger
verify`` notes it. ``after_batch`` (the newest batch id when it was made) tells a rebuild where
among the imports to replay it.

This module does no SQL; :mod:`pingtai.ledger` calls it. Errors are :class:`LedgerError` (exit 2).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import field
from pathlib import Path
from typing import IO, Any

from pingtai import __version__
from pingtai.errors import LedgerError, Problem
from pingtai.frozen import Record
from pingtai.safe_write import fsync_directory, open_regular, os_reason, replace_atomically

ARCHIVE_DIR = "archive"
PENDING_DIR = "pending"
TEMP_PREFIX = ".pingtai-"
MANIFEST_FORMAT = 2
"""The format new entries are written in: 2 adds ``previous`` (the chain); 1 is still read."""
FORMATS = (1, 2)
SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv"})
"""Suffixes kept on archived files; anything else is archived as ``.bin``."""

_SHA = re.compile(r"^[0-9a-f]{64}$")
_DATA = re.compile(r"^(?P<sha>[0-9a-f]{64})(?P<suffix>\.[a-z]+)$")


class ManifestEntry(Record):
    """One archived file's record of its import (the JSON beside it; see the module docstring).

    ``ledger`` is the file name of the ledger that recorded it (one ledger per directory; the
    name tells a lost ledger from a new one beside it); ``batch`` its batch id (the order of
    imports); ``file`` the name the file had;
    ``archive`` its path relative to the ledger's directory; ``imported_at`` the batch's time as
    the ledger stores it (ISO 8601, UTC); ``agency_option`` / ``period_option`` the options it
    was read with (``None`` when not given); ``values``, ``tasks`` and ``rows_sha256`` describe
    the rows recorded (:func:`pingtai.ledger.rows_digest`); ``pingtai`` the version that wrote it.
    ``received_option``, ``backfill``, ``accept``, ``accept_all`` and ``reason`` are the
    ``--received``, ``--backfill``, ``--accept``, ``--accept-all`` and ``--reason`` it was imported
    with (absent from entries written before pingtai knew them: not given); ``receipt_rule`` is 1 for
    an entry whose batch took its receipt day by the rule of ledger schema 4, 0 (absent) for an
    older one, whose batch was received on its import day.
    """

    ledger: str
    batch: int
    sha256: str
    file: str
    archive: str
    imported_at: str
    agency_option: str | None
    period_option: str | None
    values: int
    tasks: int
    rows_sha256: str
    pingtai: str = __version__
    format: int = MANIFEST_FORMAT
    previous: str | None = None
    """sha256 of the previous batch's entry as stored (format 2; ``None`` for the first batch, and
    in format 1 entries, which have no such field)."""
    received_option: str | None = None
    backfill: bool = False
    accept: list[str] = field(default_factory=list)
    accept_all: bool = False
    reason: str = ""
    receipt_rule: int = 1

    def to_json(self) -> bytes:
        fields = self.as_dict()
        if self.format < 2:  # as format 1 wrote it: no chain field
            del fields["previous"]
        return (json.dumps(fields, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> ManifestEntry:
        """Parse an entry; raises :class:`ValueError` (with the reason) for anything malformed."""
        raw = _json(data)
        if not isinstance(raw, dict):
            raise ValueError("不是 JSON 对象")
        if raw.get("format") not in FORMATS or isinstance(raw.get("format"), bool):
            raise ValueError(f"未知的清单格式 {raw.get('format')!r}（本版支持 {'、'.join(map(str, FORMATS))}）")
        expected: dict[str, tuple[type, ...]] = {
            "ledger": (str,), "batch": (int,), "sha256": (str,), "file": (str,), "archive": (str,), "imported_at": (str,),
            "agency_option": (str, type(None)), "period_option": (str, type(None)), "values": (int,),
            "tasks": (int,), "rows_sha256": (str,), "pingtai": (str,), "format": (int,)}
        for key, types in expected.items():
            if key not in raw:
                raise ValueError(f"缺少字段 {key}")
            if not isinstance(raw[key], types) or isinstance(raw[key], bool):
                raise ValueError(f"字段 {key} 的类型不对：{raw[key]!r}")
        if raw["format"] >= 2:
            previous = raw.get("previous", "absent")
            if previous is not None and not (isinstance(previous, str) and _SHA.match(previous)):
                raise ValueError(f"字段 previous 应为上一清单的 sha256 或 null：{previous!r}")
            expected["previous"] = (str, type(None))
        if not _SHA.match(raw["sha256"]) or raw["batch"] < 1:
            raise ValueError("sha256 或 batch 不合法")
        # import options added later: optional, so that older entries still replay
        optional: dict[str, tuple[tuple[type, ...], Any]] = {
            "received_option": ((str, type(None)), None), "backfill": ((bool,), False), "accept": ((list,), []),
            "accept_all": ((bool,), False), "reason": ((str,), ""), "receipt_rule": ((int,), 0)}
        extra: dict[str, Any] = {}
        for key, (types, default) in optional.items():
            value: Any = raw.get(key, default)
            if not isinstance(value, types) or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
                raise ValueError(f"字段 {key} 的类型不对：{value!r}")
            extra[key] = value
        return cls(**{key: raw[key] for key in expected}, **extra)


def _json(data: bytes) -> Any:
    """UTF-8 JSON bytes parsed; :class:`ValueError` (in words) when they are not."""
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"不是有效的 JSON（{exc}）") from None


def archive_name(sha256: str, suffix: str) -> str:
    """``archive/ab/abcdef….xlsx``: where a file with this hash lives, relative to the ledger."""
    clean = suffix.lower() if suffix.lower() in SUFFIXES else ".bin"
    return f"{ARCHIVE_DIR}/{sha256[:2]}/{sha256}{clean}"


def entry_path(root: Path, sha256: str, *, pending: bool = False) -> Path:
    """Where the manifest entry for ``sha256`` lives (committed, or ``pending``)."""
    if pending:
        return root / ARCHIVE_DIR / PENDING_DIR / f"{sha256}.json"
    return root / ARCHIVE_DIR / sha256[:2] / f"{sha256}.json"


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with open_regular(path) as handle:  # a FIFO would block: refused before it is read
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def store(root: Path, source: Path, sha256: str, relative: str) -> bool:
    """Copy ``source`` to ``root / relative`` atomically, checking that its bytes hash to ``sha256``.

    A file already there with the right hash (an orphan of an interrupted import) is kept as it
    is. Returns whether the file was written now (so that a transaction that fails can take back
    what it added: :func:`unstore`). Raises :class:`LedgerError` when ``source`` changed since it
    was read or a write fails.
    """
    target = root / relative
    with contextlib.suppress(OSError):
        if target.is_file() and file_sha256(target) == sha256:
            return False
    pending = root / ARCHIVE_DIR / PENDING_DIR

    def copy(out: IO[bytes]) -> None:
        digest = hashlib.sha256()
        with open_regular(source) as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != sha256:
            raise LedgerError(f"文件在读取后被改动，未导入：{source}", hint="请确认文件已保存并关闭后重新导入。")

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        pending.mkdir(parents=True, exist_ok=True)
        replace_atomically(target, copy, temp_dir=pending)
    except OSError as exc:
        raise LedgerError(f"归档文件失败 {target}：{os_reason(exc)}",
                          hint="请检查台账目录的磁盘空间与写权限；台账未作改动。") from None
    return True


def store_bytes(root: Path, data: bytes, sha256: str, relative: str) -> bool:
    """:func:`store` for a file's bytes already in memory (a ledger copied from a database's archive)."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise LedgerError(f"归档文件的内容与其 sha256 不符：{relative}")
    target = root / relative
    with contextlib.suppress(OSError):
        if target.is_file() and file_sha256(target) == sha256:
            return False
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        (root / ARCHIVE_DIR / PENDING_DIR).mkdir(parents=True, exist_ok=True)
        replace_atomically(target, lambda out: _write_all(out, data), temp_dir=root / ARCHIVE_DIR / PENDING_DIR)
    except OSError as exc:
        raise LedgerError(f"归档文件失败 {target}：{os_reason(exc)}",
                          hint="请检查台账目录的磁盘空间与写权限；台账未作改动。") from None
    return True


def write_pending_bytes(root: Path, sha256: str, data: bytes) -> None:
    """:func:`write_pending` for an entry's bytes exactly as another ledger stored them (its chain link kept)."""
    target = entry_path(root, sha256, pending=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(target, lambda out: _write_all(out, data))
    except OSError as exc:
        raise LedgerError(f"写入归档清单失败 {target}：{os_reason(exc)}",
                          hint="请检查台账目录的磁盘空间与写权限；台账未作改动。") from None


def unstore(root: Path, relative: str) -> None:
    """Remove a file :func:`store` wrote for a transaction that then failed (a full disk at COMMIT,
    say), and its bucket folder if that is now empty: a failed import leaves no orphan behind.
    Best effort — what cannot be removed stays an orphan, which ``ledger verify`` names."""
    target = root / relative
    with contextlib.suppress(OSError):
        target.unlink()
        with contextlib.suppress(OSError):
            target.parent.rmdir()  # only if empty: another batch's files may share the bucket
        fsync_directory(target.parent if target.parent.exists() else target.parent.parent)


def write_pending(root: Path, entry: ManifestEntry) -> None:
    """Write ``entry`` to ``archive/pending/`` atomically (before the batch commits)."""
    target = entry_path(root, entry.sha256, pending=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_atomically(target, lambda out: _write_all(out, entry.to_json()))
    except OSError as exc:
        raise LedgerError(f"写入归档清单失败 {target}：{os_reason(exc)}",
                          hint="请检查台账目录的磁盘空间与写权限；台账未作改动。") from None


def _write_all(out: IO[bytes], data: bytes) -> None:
    out.write(data)


def commit(root: Path, sha256: str) -> bool:
    """Move the pending entry for ``sha256`` beside its file (after its batch committed).

    Returns whether there was one to move. A failure is not an error: the batch is committed, and
    the next write transaction (or ``ledger verify``'s note) catches the entry still pending.
    """
    source = entry_path(root, sha256, pending=True)
    target = entry_path(root, sha256)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    except OSError:
        return False
    fsync_directory(target.parent)
    return True


def discard(root: Path, sha256: str) -> None:
    """Remove the pending entry for ``sha256`` (its transaction rolled back); the file stays."""
    with contextlib.suppress(OSError):
        entry_path(root, sha256, pending=True).unlink()


def demote(root: Path, sha256: str) -> None:
    """Move a committed entry back to ``pending/`` (a rebuild could not replay it)."""
    source = entry_path(root, sha256)
    target = entry_path(root, sha256, pending=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    fsync_directory(source.parent)


def read_entry(path: Path) -> ManifestEntry:
    """Read one manifest entry; raises :class:`ValueError` with the reason when it is malformed."""
    return read_entry_and_digest(path)[0]


def read_entry_and_digest(path: Path) -> tuple[ManifestEntry, str]:
    """One manifest entry and the sha256 of its bytes (its link in the chain)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"无法读取（{exc.strerror or exc}）") from None
    return ManifestEntry.from_json(data), hashlib.sha256(data).hexdigest()


def entry_digest(root: Path, sha256: str) -> str | None:
    """sha256 of the bytes of the manifest entry for ``sha256`` — committed, or still pending
    (its batch committed a moment ago and the entry is being moved) — or ``None`` if there is none."""
    for path in (entry_path(root, sha256), entry_path(root, sha256, pending=True), entry_path(root, sha256)):
        with contextlib.suppress(OSError):
            return hashlib.sha256(path.read_bytes()).hexdigest()
    return None


def restore_entry(root: Path, sha256: str, data: bytes) -> None:
    """Put ``data`` (an entry as it was written at import) back as the committed entry for ``sha256``:
    a rebuild that replayed a batch exactly keeps its entry, and so its link in the chain, unchanged."""
    target = entry_path(root, sha256)
    try:
        replace_atomically(target, lambda out: _write_all(out, data))
    except OSError as exc:
        raise LedgerError(f"写入归档清单失败 {target}：{os_reason(exc)}") from None


def pending_entries(root: Path) -> list[tuple[str, ManifestEntry | None]]:
    """The pending entries as ``(sha256, entry)`` (``entry`` is ``None`` when unreadable)."""
    folder = root / ARCHIVE_DIR / PENDING_DIR
    found: list[tuple[str, ManifestEntry | None]] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    for name in names:
        sha = name.removesuffix(".json")
        if not name.endswith(".json") or not _SHA.match(sha):
            continue
        try:
            found.append((sha, read_entry(folder / name)))
        except ValueError:
            found.append((sha, None))
    return found


def records_ledger(root: Path, ledger: str) -> bool:
    """Whether a committed manifest entry under ``root / archive`` was written by the ledger
    named ``ledger`` — i.e. that ledger existed. Stops at the first such entry."""
    folder = root / ARCHIVE_DIR
    try:
        subdirs = sorted(d.path for d in os.scandir(folder) if d.is_dir() and len(d.name) == 2)
    except OSError:
        return False
    for sub in subdirs:
        try:
            names = os.listdir(sub)
        except OSError:
            continue
        for name in names:
            if name.endswith(".json") and _SHA.match(name[:-5]):
                try:
                    if read_entry(Path(sub) / name).ledger == ledger:
                        return True
                except ValueError:
                    continue
    return False


class ArchiveScan(Record, frozen=False):
    """Everything found in an archive folder, sorted out.

    ``committed`` and ``pending``: manifest entries by sha256; ``data``: archived files by sha256;
    ``temps``: leftovers of killed copies; ``strays``: anything else; ``problems``: entries that
    cannot be read or do not fit where they are. Paths are shown relative to the folder's parent
    (``archive/ab/….xlsx`` for the archive beside a ledger).
    """

    folder: Path
    committed: dict[str, ManifestEntry] = field(default_factory=dict)
    pending: dict[str, ManifestEntry] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    """sha256 of each entry's bytes (committed, else pending), by the sha256 of its file."""
    data: dict[str, Path] = field(default_factory=dict)
    temps: list[str] = field(default_factory=list)
    strays: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def ordered(self) -> list[ManifestEntry]:
        """Committed entries in the order of their batches."""
        return sorted(self.committed.values(), key=lambda e: (e.batch, e.imported_at, e.sha256))

    def shown(self, path: Path) -> str:
        """``path`` as messages show it: relative to the folder's parent."""
        return path.relative_to(self.folder.parent).as_posix()


def scan(folder: Path) -> ArchiveScan:
    """Sort out every file under the archive ``folder`` (see :class:`ArchiveScan`); never raises."""
    result = ArchiveScan(folder=folder)
    if not folder.is_dir():
        return result
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        shown = result.shown(path)
        parent, name = path.parent.name, path.name
        if name.startswith(TEMP_PREFIX):
            result.temps.append(shown)
            continue
        if path.parent == folder and name == DECISIONS_LOG:  # read by read_log
            continue
        pending = parent == PENDING_DIR and path.parent.parent == folder
        in_bucket = path.parent.parent == folder and len(parent) == 2
        sha = name.removesuffix(".json")
        if name.endswith(".json") and _SHA.match(sha) and (pending or (in_bucket and sha[:2] == parent)):
            try:
                entry, digest = read_entry_and_digest(path)
            except ValueError as exc:
                result.problems.append(Problem(shown, f"归档清单无法读取：{exc}", "bad-manifest"))
                continue
            if entry.sha256 != sha:
                result.problems.append(Problem(shown, f"归档清单记录的 sha256 与文件名不符（{entry.sha256[:12]}…）",
                                               "bad-manifest"))
                continue
            (result.pending if pending else result.committed)[sha] = entry
            if not pending or sha not in result.digests:
                result.digests[sha] = digest
            continue
        data = _DATA.match(name)
        if data and in_bucket and data["sha"][:2] == parent and data["suffix"] in SUFFIXES | {".bin"}:
            result.data[data["sha"]] = path
            continue
        result.strays.append(shown)
    return result


DECISIONS_LOG = "decisions.jsonl"
LOG_FORMAT = 1


class LogEntry(Record):
    """One line of the decisions log: a review decision (``kind`` ``decision``) or a setting (``setting``).

    ``id`` is the row id in the ledger's ``decision`` or ``setting`` table; ``after_batch`` the newest
    batch id when it was recorded (0: none); ``at`` the time (ISO 8601, UTC) and ``by`` who. A decision
    names its ``batch`` (and that batch's file ``sha256``), ``decision`` (``accepted`` / ``rejected``)
    and ``note`` (the reason of a rejection); a setting its ``name`` and ``value``. ``previous`` is the
    sha256 of the line before (``None`` for the first line).
    """

    ledger: str
    kind: str
    id: int
    after_batch: int
    at: str
    by: str
    batch: int | None = None
    sha256: str | None = None
    decision: str | None = None
    note: str = ""
    name: str | None = None
    value: str | None = None
    previous: str | None = None
    format: int = LOG_FORMAT

    def to_json(self) -> bytes:
        """The entry as one line of the log (compact JSON, sorted keys, a newline)."""
        return (json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()

    @classmethod
    def from_json(cls, data: bytes) -> LogEntry:
        """Parse one line; raises :class:`ValueError` (with the reason) for anything malformed."""
        raw = _json(data)
        if not isinstance(raw, dict) or raw.get("format") != LOG_FORMAT:
            raise ValueError(f"未知的决定记录格式 {raw.get('format') if isinstance(raw, dict) else raw!r}")
        types: dict[str, tuple[type, ...]] = {
            "ledger": (str,), "kind": (str,), "id": (int,), "after_batch": (int,), "at": (str,), "by": (str,),
            "batch": (int, type(None)), "sha256": (str, type(None)), "decision": (str, type(None)), "note": (str,),
            "name": (str, type(None)), "value": (str, type(None)), "previous": (str, type(None)), "format": (int,)}
        for key, allowed in types.items():
            if key not in raw:
                raise ValueError(f"缺少字段 {key}")
            if not isinstance(raw[key], allowed) or isinstance(raw[key], bool):
                raise ValueError(f"字段 {key} 的类型不对：{raw[key]!r}")
        entry = cls(**{key: raw[key] for key in types})
        if entry.kind == "decision":
            if entry.batch is None or entry.decision not in ("accepted", "rejected"):
                raise ValueError("决定记录缺少批次号或决定")
        elif entry.kind != "setting" or entry.name is None or entry.value is None:
            raise ValueError(f"未知的记录类型 {entry.kind!r}")
        return entry


def log_path(root: Path) -> Path:
    """Where the decisions log of the ledger in ``root`` lives."""
    return root / ARCHIVE_DIR / DECISIONS_LOG


def read_log(folder: Path) -> tuple[list[tuple[LogEntry, str]], list[Problem]]:
    """The decisions log in the archive ``folder``: each entry with the sha256 of its line, in order, and
    the problems found (a line that cannot be read, a broken link). A missing log is an empty one."""
    path = folder / DECISIONS_LOG
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [Problem(f"{ARCHIVE_DIR}/{DECISIONS_LOG}", f"无法读取决定记录：{os_reason(exc)}", "bad-log")]
    return parse_log(data)


def parse_log(data: bytes) -> tuple[list[tuple[LogEntry, str]], list[Problem]]:
    """The lines of a decisions log (a file's bytes, or a database's rows joined): each entry with the
    sha256 of its line, in order, and the problems found (a line that cannot be read, a broken link)."""
    entries: list[tuple[LogEntry, str]] = []
    problems: list[Problem] = []
    previous: str | None = None
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        where = f"{ARCHIVE_DIR}/{DECISIONS_LOG}:{number}"
        digest = hashlib.sha256(line).hexdigest()
        try:
            entry = LogEntry.from_json(line)
        except ValueError as exc:
            problems.append(Problem(where, f"决定记录无法读取：{exc}", "bad-log"))
            previous = digest
            continue
        if entry.previous != previous:
            problems.append(Problem(where, "决定记录的链接断开：与上一行不符（记录被改动、删除或插入）", "broken-log"))
        entries.append((entry, digest))
        previous = digest
    return entries, problems


def chain_lines(entries: list[LogEntry], previous: str | None) -> list[bytes]:
    """``entries`` as lines of the log, each linked to the one before (the first to ``previous``: the
    sha256 of the log's last line, ``None`` for an empty log)."""
    lines = []
    for entry in entries:
        line = entry.replace(previous=previous).to_json()
        lines.append(line)
        previous = hashlib.sha256(line).hexdigest()
    return lines


def log_head(root: Path) -> str | None:
    """The sha256 of the last line of the decisions log of the ledger in ``root`` (``None``: none yet)."""
    try:
        lines = log_path(root).read_bytes().splitlines(keepends=True)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LedgerError(f"无法读取决定记录 {log_path(root)}：{os_reason(exc)}") from None
    return hashlib.sha256(lines[-1]).hexdigest() if lines else None


def append_log(root: Path, lines: list[bytes]) -> int:
    """Append ``lines`` (:func:`chain_lines`) to the decisions log and fsync it.

    Returns the log's size before, for :func:`truncate_log` should the transaction fail. Raises
    :class:`LedgerError` when the log cannot be written.
    """
    path = log_path(root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        try:
            size = os.fstat(fd).st_size
            os.write(fd, b"".join(lines))
            os.fsync(fd)
        finally:
            os.close(fd)
        fsync_directory(path.parent)
    except OSError as exc:
        raise LedgerError(f"写入决定记录失败 {path}：{os_reason(exc)}",
                          hint="请检查台账目录的磁盘空间与写权限；台账未作改动。") from None
    return size


def truncate_log(root: Path, size: int) -> None:
    """Cut the decisions log back to ``size`` bytes (its transaction did not commit). Best effort: a line
    left behind claims no row, and the next decision removes it."""
    with contextlib.suppress(OSError):
        fd = os.open(log_path(root), os.O_WRONLY)
        try:
            os.ftruncate(fd, size)
            os.fsync(fd)
        finally:
            os.close(fd)


def entry_dict(entry: ManifestEntry) -> dict[str, Any]:
    """The entry as a plain dict (JSON output)."""
    return entry.as_dict()


__all__ = ["ARCHIVE_DIR", "DECISIONS_LOG", "PENDING_DIR", "ArchiveScan", "LogEntry", "ManifestEntry", "append_log",
           "archive_name", "chain_lines", "commit", "demote", "discard", "entry_digest", "entry_path", "file_sha256", "log_head", "log_path",
           "parse_log", "pending_entries", "read_entry", "read_entry_and_digest", "read_log", "records_ledger", "restore_entry", "scan",
           "store", "store_bytes", "truncate_log", "unstore", "write_pending", "write_pending_bytes"]
