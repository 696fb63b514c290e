"""Looking after the ledger: check it against its archive, rebuild it from the archive, back it up.

* :func:`verify_ledger` — SQLite's integrity and foreign-key checks, the append-only triggers,
  then every batch against the archive: its file present with the right sha256, its manifest
  entry present and agreeing (batch id, name, time, a digest of its rows); and the archive
  against the ledger: entries that no batch claims (a ledger older than its archive — restored
  from a backup? — is a problem; an interrupted import's orphan is a note).
* :func:`rebuild_ledger` — a new ledger from the archive alone: every committed manifest entry,
  in batch order, re-read with the options it was imported with and recorded with its original
  batch id, file name and time, so that every current value, supersession and date comes back
  the same. Built under a temporary name and moved into place only when done, never over an
  existing ledger.
* :func:`backup_ledger` — SQLite's online backup into a new file, atomically, while others write.

Results are data (``problems`` make exit code 1; ``notes`` are for information); nothing here
prints. See :mod:`pingtai.archive` for the archive's layout.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pingtai import archive
from pingtai.archive import ARCHIVE_DIR, ManifestEntry
from pingtai.catalog import Catalog
from pingtai.errors import LedgerError, Problem, UsageError
from pingtai.importer import Reader, Receipt, record
from pingtai.ledger import Ledger
from pingtai.periods import Period, PeriodError
from pingtai.safe_write import fsync_directory, os_reason
from pingtai.series import Acceptance

RebuildProgress = Callable[[int, int], None]
"""``(done, total)`` entries replayed — the CLI draws a bar from it."""


@dataclass
class Verification:
    """What ``ledger verify`` found: ``problems`` (exit 1) and ``notes`` (for information)."""

    ledger: str
    batches: int = 0
    archived: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


@dataclass(frozen=True)
class ReplayedBatch:
    """One manifest entry a rebuild replayed: ``status`` ``accepted``, or ``skipped`` (see problems)."""

    batch: int
    file: str
    sha256: str
    status: str
    values: int = 0
    tasks: int = 0


@dataclass
class Rebuild:
    """What ``ledger rebuild`` did: the ledger written, each entry replayed, problems and notes."""

    ledger: str
    archive: str
    batches: list[ReplayedBatch] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


@dataclass(frozen=True)
class Backup:
    """A backup written: where, from which ledger, how many batches it holds, its size in bytes."""

    ledger: str
    file: str
    batches: int
    size: int


# --- verify ------------------------------------------------------------------------------------


def verify_ledger(db_path: Path) -> Verification:
    """Check the ledger at ``db_path`` and the archive beside it; writes nothing.

    Raises :class:`LedgerError` when there is no ledger there (with a hint to rebuild when its
    archive says there was one) or it cannot be opened.
    """
    if not db_path.is_file() or db_path.stat().st_size == 0:
        Ledger.open(db_path, readonly=True).close()  # a lost ledger: the error that says so
        raise LedgerError(f"台账不存在：{db_path}", hint="请用 --db 或 PINGTAI_DB 指向台账文件。")
    result = Verification(ledger=str(db_path))
    folder = db_path.parent / ARCHIVE_DIR
    # The ledger first, the archive second: imports may run meanwhile, and every batch committed
    # by the time of the ledger read has its file and entry in place before the archive is read.
    with Ledger.open(db_path, readonly=True) as ledger:
        result.problems += [Problem(str(db_path), text, "sqlite-integrity") for text in ledger.integrity_problems()]
        batches = ledger.batches()
        result.batches = len(batches)
        digests = {b.id: ledger.batch_rows_digest(b.id) for b in batches}
        found = archive.scan(folder)
        # An entry is there only once its batch is: one the first read missed may be new since.
        later = {sha for sha in (*found.committed, *found.pending) if ledger.batch_by_sha256(sha) is not None}
    result.problems += found.problems
    claimed = set(later)
    for batch in batches:
        claimed.add(batch.sha256)
        label = f"批次 {batch.id}（{batch.file}）"
        data = db_path.parent / batch.archive
        if not data.is_file():
            result.problems.append(Problem(batch.archive, f"{label}的归档文件缺失", "missing-file"))
        elif _hash(data) != batch.sha256:
            result.problems.append(Problem(batch.archive, f"{label}的归档文件已被改动：sha256 与台账记录不符", "tampered-file"))
        entry = found.committed.get(batch.sha256)
        if entry is None:
            pending = found.pending.get(batch.sha256)
            if pending is not None and pending.batch == batch.id:
                result.notes.append(Problem(found.shown(archive.entry_path(folder.parent, batch.sha256, pending=True)),
                                            f"{label}的归档清单尚未归位（导入在提交后被中断）：下次导入时自动完成",
                                            "pending-manifest"))
                entry = pending
            else:
                result.problems.append(Problem(batch.archive, f"{label}没有归档清单：无法据归档重建此批次", "missing-manifest"))
                continue
        result.problems += _entry_mismatches(entry, batch.id, batch.file, batch.archive, batch.imported_at, digests[batch.id],
                                             label)
    result.archived = len(found.committed)
    for sha, entry in sorted(found.committed.items(), key=lambda item: item[1].batch):
        if sha not in claimed:
            result.problems.append(Problem(
                found.shown(archive.entry_path(folder.parent, sha)),
                f"归档记录了批次 {entry.batch}（{entry.file}，{entry.imported_at}），台账中却没有：台账比归档旧"
                f"（从旧备份恢复？），可用 pingtai ledger rebuild --db 新文件 从归档重建", "unrecorded-batch"))
    result.notes += _orphan_notes(found, claimed)
    return result


def _entry_mismatches(entry: ManifestEntry, batch_id: int, file: str, relative: str, imported_at: dt.datetime,
                      digest: tuple[int, int, str], label: str) -> list[Problem]:
    where = relative.removesuffix(Path(relative).suffix) + ".json"
    differences = []
    if entry.batch != batch_id:
        differences.append(f"批次号 {entry.batch}")
    if entry.file != file:
        differences.append(f"文件名 {entry.file}")
    if entry.archive != relative:
        differences.append(f"归档路径 {entry.archive}")
    if _moment(entry.imported_at) != imported_at:
        differences.append(f"导入时间 {entry.imported_at}")
    problems = []
    if differences:
        problems.append(Problem(where, f"{label}的归档清单与台账不符：{'、'.join(differences)}", "manifest-mismatch"))
    if (entry.values, entry.tasks, entry.rows_sha256) != digest:
        problems.append(Problem(where, f"{label}在台账中的数据与导入时记录的不一致（清单：{entry.values} 个数值、{entry.tasks} 条任务进展；"
                                       f"台账：{digest[0]} 个、{digest[1]} 条）：台账曾被 pingtai 以外的程序修改", "rows-mismatch"))
    return problems


def _orphan_notes(found: archive.ArchiveScan, claimed: set[str]) -> list[Problem]:
    """Notes for what interrupted imports leave in the archive (harmless; see pingtai.archive)."""
    notes = []
    root = found.folder.parent
    for sha, entry in sorted(found.pending.items()):
        if sha not in claimed:
            notes.append(Problem(found.shown(archive.entry_path(root, sha, pending=True)),
                                 f"未完成（或正在进行）的导入：{entry.file}（{entry.imported_at}）未记入台账；如需要，请重新导入该文件",
                                 "orphan"))
    for sha, path in sorted(found.data.items()):
        if sha not in claimed and sha not in found.pending and sha not in found.committed:
            notes.append(Problem(found.shown(path), "归档文件不属于任何批次（导入在写入台账前被中断），可忽略或重新导入",
                                 "orphan-file"))
    notes += [Problem(temp, "中断的复制留下的临时文件：没有导入在运行时可删除", "temp-file") for temp in found.temps]
    notes += [Problem(stray, "归档目录中的未知文件（不是 pingtai 写入的）", "stray-file") for stray in found.strays]
    return notes


def _hash(path: Path) -> str:
    """sha256 of an archived file; an unreadable one hashes to nothing (so it never matches)."""
    try:
        return archive.file_sha256(path)
    except OSError:
        return ""


def _moment(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


# --- rebuild -----------------------------------------------------------------------------------


def rebuild_ledger(catalog: Catalog, db_path: Path, *, source: Path | None = None, reader: Reader | None = None,
                   on_progress: RebuildProgress | None = None) -> Rebuild:
    """Recreate the ledger at ``db_path`` from an archive folder alone.

    ``source`` is the archive folder (default: ``archive/`` beside ``db_path``; another folder's
    files are copied into that one as they are recorded). Every committed manifest entry is
    replayed in batch order: its file re-read (``reader``, default
    :func:`pingtai.returns.read_return`) under its original name with its original options, and
    recorded with its original batch id and time. An entry that cannot be replayed (file
    missing or altered, now rejected) is a problem, left out, and — when rebuilding in place —
    moved back to ``pending/`` so no later batch collides with its id. Re-read rows that differ
    from what the entry recorded are a problem too (the catalog or reader changed since).

    Raises :class:`LedgerError` when a ledger already exists at ``db_path`` (a rebuild never
    overwrites one) or cannot be written, :class:`UsageError` when ``source`` is not a folder.
    """
    if reader is None:
        from pingtai.returns import read_return

        reader = read_return
    if db_path.exists() and not (db_path.is_file() and db_path.stat().st_size == 0):
        raise LedgerError(f"台账已存在：{db_path}；重建不会覆盖已有台账",
                          hint="如确需重建，请先将其移走（例如改名为 .old），或用 --db 指定一个新文件。")
    folder = source if source is not None else db_path.parent / ARCHIVE_DIR
    if not folder.is_dir():
        raise UsageError(f"归档目录不存在：{folder}", hint="请用 --archive 指定归档目录（台账旁的 archive）。")
    in_place = folder.resolve() == (db_path.parent / ARCHIVE_DIR).resolve()
    found = archive.scan(folder)
    result = Rebuild(ledger=str(db_path), archive=str(folder), problems=list(found.problems))
    result.notes += _orphan_notes(found, set(found.committed))
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        temp = db_path.parent / f".{db_path.name}.rebuild-{secrets.token_hex(6)}"
        os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))  # the umask's usual permissions
    except OSError as exc:
        raise LedgerError(f"无法在 {db_path.parent} 中创建台账：{os_reason(exc)}") from None
    skipped: list[str] = []
    try:
        with Ledger.create_for_rebuild(temp, db_path.name) as ledger, \
                tempfile.TemporaryDirectory(prefix=".pingtai-rebuild-", dir=db_path.parent) as scratch:
            entries = _distinct_batches(found, result)
            for done, entry in enumerate(entries, start=1):
                replayed = _replay(entry, found, ledger, catalog, reader, Path(scratch), result)
                result.batches.append(replayed)
                if replayed.status != "accepted":
                    skipped.append(entry.sha256)
                if on_progress is not None:
                    on_progress(done, len(entries))
            skipped += [e.sha256 for e in found.committed.values() if e not in entries]
        _put_in_place(temp, db_path)
    except OSError as exc:
        raise LedgerError(f"重建台账失败：{os_reason(exc)}", hint="未生成台账；请排除问题后重新运行。") from None
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{temp}{suffix}")
    if in_place:
        for sha in skipped:
            with contextlib.suppress(OSError):
                archive.demote(folder.parent, sha)
    return result


def _distinct_batches(found: archive.ArchiveScan, result: Rebuild) -> list[ManifestEntry]:
    """Entries in batch order; of two that claim one batch id, the first (by time) is kept."""
    kept: dict[int, ManifestEntry] = {}
    for entry in found.ordered():
        first = kept.get(entry.batch)
        if first is None:
            kept[entry.batch] = entry
            continue
        result.problems.append(Problem(found.shown(archive.entry_path(found.folder.parent, entry.sha256)),
                                       f"两个归档清单都记录为批次 {entry.batch}：{first.file} 与 {entry.file}；"
                                       f"只重放前者（同一目录下曾有两个台账？）", "duplicate-batch"))
    return list(kept.values())


def _replay(entry: ManifestEntry, found: archive.ArchiveScan, ledger: Ledger, catalog: Catalog, reader: Reader,
            scratch: Path, result: Rebuild) -> ReplayedBatch:
    where = found.shown(archive.entry_path(found.folder.parent, entry.sha256))
    label = f"批次 {entry.batch}（{entry.file}）"

    def skip(code: str, message: str) -> ReplayedBatch:
        result.problems.append(Problem(where, f"{label}{message}；未重建此批次", code))
        return ReplayedBatch(entry.batch, entry.file, entry.sha256, "skipped")

    data = found.data.get(entry.sha256)
    if data is None:
        return skip("missing-file", "的归档文件缺失")
    if _hash(data) != entry.sha256:
        return skip("tampered-file", "的归档文件已被改动或无法读取（sha256 不符）")
    moment = _moment(entry.imported_at)
    try:
        period = Period.parse(entry.period_option) if entry.period_option else None
    except PeriodError:
        period = None
    received = _day(entry.received_option)
    if moment is None or moment.tzinfo is None or (entry.period_option and period is None) or (
            entry.received_option and received is None):
        return skip("bad-manifest", "的归档清单中导入时间、报告期或收到日期无法识别")
    # Read under the original name: the reader locates problems and values as name!sheet!cell.
    named = scratch / f"{entry.batch}" / _safe_name(entry.file, data.name)
    named.parent.mkdir()
    try:
        os.link(data, named)
    except OSError:
        shutil.copyfile(data, named)
    parsed = reader(named, catalog, agency=entry.agency_option, period=period)
    parsed.sha256 = entry.sha256
    # the options it was imported with, exactly: the receipt day, back-fill, the figures let through
    receipt = Receipt(received=received, backfill=entry.backfill,
                      acceptance=Acceptance(tuple(entry.accept), entry.accept_all, entry.reason),
                      import_day=entry.receipt_rule == 0)  # an older entry's batch was received on its import day
    outcome = record(parsed, catalog, ledger, source=data, now=moment, stored_name=entry.file,
                     agency_option=entry.agency_option, period_option=entry.period_option, batch_id=entry.batch,
                     receipt=receipt)
    if outcome.status != "accepted":
        first = outcome.errors[0] if outcome.errors else None
        return skip("rejected", f"重新读取时被拒绝（{first or '与已有批次重复'}）：计划数据或读取规则可能已改变")
    values, tasks, digest = ledger.batch_rows_digest(entry.batch)
    if (values, tasks, digest) != (entry.values, entry.tasks, entry.rows_sha256):
        result.problems.append(Problem(where, f"{label}重新读取的数据与导入时不同（导入时 {entry.values} 个数值、{entry.tasks} 条任务进展，"
                                              f"现为 {values} 个、{tasks} 条）：计划数据或读取规则已改变，已按现在的读取结果重建",
                                       "rows-changed"))
    return ReplayedBatch(entry.batch, entry.file, entry.sha256, "accepted", values, tasks)


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _safe_name(name: str, fallback: str) -> str:
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        return fallback
    return name


def _put_in_place(temp: Path, target: Path) -> None:
    """Give the finished ledger its name — never over a ledger that appeared meanwhile."""
    try:
        os.link(temp, target)  # fails if the target exists: no import's new ledger is overwritten
    except FileExistsError:
        if target.stat().st_size > 0:
            raise LedgerError(f"重建期间已有程序在 {target} 创建了台账，重建结果未放入",
                              hint="请停止其他导入后重新运行 pingtai ledger rebuild。") from None
        os.replace(temp, target)  # an empty placeholder file: nothing to lose
    except OSError:
        if target.exists() and target.stat().st_size > 0:
            raise LedgerError(f"重建期间已有程序在 {target} 创建了台账，重建结果未放入") from None
        os.replace(temp, target)  # a filesystem without hard links
    fsync_directory(target.parent)


# --- backup ------------------------------------------------------------------------------------


def backup_ledger(db_path: Path, target: Path) -> Backup:
    """Copy the ledger at ``db_path`` to ``target`` with SQLite's online backup, atomically.

    Safe while imports run: the copy is one consistent snapshot. It is written under a temporary
    name beside ``target``, checked (``PRAGMA integrity_check``) and renamed over ``target``.
    Raises :class:`UsageError` for a target that is the ledger itself, a folder or in a missing
    folder, :class:`LedgerError` when there is no ledger or the copy cannot be written.
    """
    if target.is_dir():
        raise UsageError(f"备份目标是目录：{target}", hint="请指定备份文件名，例如 /backup/ledger-2025-01-20.sqlite3。")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"备份目录不存在：{directory}")
    if target.exists() and db_path.exists() and os.path.samefile(target, db_path):
        raise UsageError("备份目标就是台账本身", hint="请指定另一个文件。")
    if not db_path.is_file() or db_path.stat().st_size == 0:
        Ledger.open(db_path, readonly=True).close()  # a lost ledger: the error that says so
        raise LedgerError(f"台账不存在：{db_path}", hint="请用 --db 或 PINGTAI_DB 指向台账文件。")
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".pingtai-backup-", suffix=".sqlite3", dir=directory)
        os.close(fd)
        os.chmod(temp_name, db_path.stat().st_mode & 0o777)  # as private as the ledger itself
    except OSError as exc:
        raise LedgerError(f"无法写入备份 {target}：{os_reason(exc)}") from None
    temp = Path(temp_name)
    try:
        with Ledger.open(db_path, readonly=True) as ledger:
            ledger.backup_to(temp)
        with Ledger.open(temp, readonly=True) as copy:
            batches = len(copy.batches())
        os.replace(temp, target)
        fsync_directory(directory)
    except OSError as exc:
        raise LedgerError(f"无法写入备份 {target}：{os_reason(exc)}") from None
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{temp}{suffix}")
    return Backup(ledger=str(db_path), file=str(target), batches=batches, size=target.stat().st_size)


__all__ = ["Backup", "Rebuild", "ReplayedBatch", "Verification", "backup_ledger", "rebuild_ledger", "verify_ledger"]
