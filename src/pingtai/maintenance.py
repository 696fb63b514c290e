"""Looking after the ledger: check it against its archive, rebuild it from the archive, back it up.

* :func:`verify_ledger` — SQLite's integrity and foreign-key checks, the append-only triggers,
  then every batch against the archive: its file present with the right sha256, its manifest
  entry present and agreeing (batch id, name, time, a digest of its rows), each entry linked to
  the one before (the chain, see :mod:`pingtai.archive`); and the archive against the ledger:
  entries that no batch claims (a ledger older than its archive — restored from a backup? — is a
  problem; an interrupted import's orphan is a note). It reports the chain *head* — the digest
  of the newest entry — which an operator or a cron job keeps elsewhere and gives back as
  ``expect``: a head that is no longer in the chain means batches were removed or rewritten,
  even with their files. ``deep`` re-reads every archived file and compares what it says with
  the batch's rows in the ledger.
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
import hashlib
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import field
from pathlib import Path
from typing import Any

from pingtai import archive
from pingtai.archive import ARCHIVE_DIR, ManifestEntry
from pingtai.catalog import Catalog
from pingtai.errors import LedgerError, Problem, UsageError, text_name
from pingtai.frozen import Record
from pingtai.importer import Reader, Receipt, record, rows_as_stored
from pingtai.ledger import ROWS_DIGEST, Batch, Ledger, rows_digest, stored_rows
from pingtai.ledger.sqlite import SqliteLedger
from pingtai.periods import Period, PeriodError
from pingtai.safe_write import fsync_directory, os_reason, refuse_special
from pingtai.series import Acceptance, matches

RebuildProgress = Callable[[int, int], None]
"""``(done, total)`` entries replayed — the CLI draws a bar from it."""


class Verification(Record, frozen=False):
    """What ``ledger verify`` found: ``problems`` (exit 1) and ``notes`` (for information).

    ``head`` is the chain head (sha256 of the newest batch's manifest entry; ``None`` with no
    batch or no entry for it) and ``head_batch`` that batch; ``expected`` the head the caller
    expected and ``expected_batch`` the batch where it was found in the chain (``None``: not
    found, a problem). ``deep``: archived files were re-read, ``reread`` of them.
    """

    ledger: str
    batches: int = 0
    archived: int = 0
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    head: str | None = None
    head_batch: int | None = None
    expected: str | None = None
    expected_batch: int | None = None
    deep: bool = False
    reread: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


class ReplayedBatch(Record):
    """One manifest entry a rebuild replayed: ``status`` ``accepted``, or ``skipped`` (see problems)."""

    batch: int
    file: str
    sha256: str
    status: str
    values: int = 0
    tasks: int = 0


class Rebuild(Record, frozen=False):
    """What ``ledger rebuild`` did: the ledger written, each entry replayed, problems and notes."""

    ledger: str
    archive: str
    batches: list[ReplayedBatch] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    decisions: int = 0
    """Lines of the decisions log (review decisions and settings) read and replayed."""

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


class Migration(Record):
    """What ``ledger migrate --to`` did: from which ledger to which database (shown without its password),
    how many batches, values and check runs it copied, and the chain head both now share."""

    ledger: str
    target: str
    batches: int
    values: int
    check_runs: int
    head: str | None


class Backup(Record):
    """A backup written: where, from which ledger, how many batches it holds, its size in bytes."""

    ledger: str
    file: str
    batches: int
    size: int


# --- verify ------------------------------------------------------------------------------------


HEAD_PATTERN = re.compile(r"^[0-9a-f]{12,64}$")
"""A chain head as ``--expect`` takes it: the sha256 in hex, or its first 12 characters or more."""


def verify_ledger(db_path: Path, *, expect: str | None = None, deep: Catalog | None = None,
                  reader: Reader | None = None) -> Verification:
    """Check the ledger at ``db_path`` and the archive beside it; writes nothing.

    ``expect``: a chain head recorded earlier (see :class:`Verification`). ``deep``: the catalog to
    re-read every archived file with (``reader``, default :func:`pingtai.returns.read_return`).
    Raises :class:`UsageError` for an ``expect`` that is no sha256, and :class:`LedgerError` when
    there is no ledger there (with a hint to rebuild when its archive says there was one) or it
    cannot be opened.
    """
    wanted = _expected_head(expect)
    if not db_path.is_file() or db_path.stat().st_size == 0:
        Ledger.open(db_path, readonly=True).close()  # a lost ledger: the error that says so
        raise LedgerError(f"台账不存在：{db_path}", hint="请用 --db 或 PINGTAI_DB 指向台账文件。")
    result = Verification(ledger=str(db_path), expected=wanted, deep=deep is not None)
    folder = db_path.parent / ARCHIVE_DIR
    # The ledger first, the archive second: imports may run meanwhile, and every batch committed
    # by the time of the ledger read has its file and entry in place before the archive is read.
    with Ledger.open(db_path, readonly=True) as ledger:
        result.problems += [Problem(str(db_path), text, "sqlite-integrity") for text in ledger.integrity_problems()]
        batches = ledger.batches()
        result.batches = len(batches)
        digests: dict[int, tuple[int, int, str, str]] = {}
        stored = {}
        for b in batches:
            rows = ledger.batch_rows(b.id)
            # the digest as entries record it now, and as those written before ledger schema 5 did
            digests[b.id] = (len(rows[0]), len(rows[1]), rows_digest(*rows), rows_digest(*rows, version=1))
            if deep is not None:
                stored[b.id] = rows
        logged = ledger.logged_rows()
        found = archive.scan(folder)
        # An entry is there only once its batch is: one the first read missed may be new since.
        later = {sha for sha in (*found.committed, *found.pending) if ledger.batch_by_sha256(sha) is not None}
    result.problems += found.problems
    claimed = set(later)
    chain: list[_Link] = []
    intact: dict[int, tuple[Path, ManifestEntry]] = {}
    for batch in batches:
        claimed.add(batch.sha256)
        label = f"批次 {batch.id}（{batch.file}）"
        data = db_path.parent / batch.archive
        present = data.is_file()
        if not present:
            result.problems.append(Problem(batch.archive, f"{label}的归档文件缺失", "missing-file"))
        elif _hash(data) != batch.sha256:
            result.problems.append(Problem(batch.archive, f"{label}的归档文件已被改动：sha256 与台账记录不符", "tampered-file"))
            present = False
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
                chain.append(_Link(batch.id, label, batch.archive, None, None))
                continue
        chain.append(_Link(batch.id, label, batch.archive, entry, found.digests.get(batch.sha256)))
        if present:
            intact[batch.id] = (data, entry)
        result.problems += _entry_mismatches(entry, batch, digests[batch.id], label)
    _check_chain(chain, result)
    if deep is not None:
        legacy = {b for b, (_, entry) in intact.items() if entry.rows_sha256 == digests[b][3] != digests[b][2]}
        _reread_all(batches, intact, stored, deep, reader, db_path.parent, result, legacy)
    result.archived = len(found.committed)
    for sha, entry in sorted(found.committed.items(), key=lambda item: item[1].batch):
        if sha not in claimed:
            result.problems.append(Problem(
                found.shown(archive.entry_path(folder.parent, sha)),
                f"归档记录了批次 {entry.batch}（{entry.file}，{entry.imported_at}），台账中却没有：台账比归档旧"
                f"（从旧备份恢复？），可用 pingtai ledger rebuild --db 新文件 从归档重建", "unrecorded-batch"))
    result.notes += _orphan_notes(found, claimed)
    _check_log(logged, archive.read_log(folder), result)
    return result


def verify_database(location: str, *, expect: str | None = None, deep: Catalog | None = None,
                    reader: Reader | None = None) -> Verification:
    """:func:`verify_ledger` for a ledger whose archive is in its database: the database's checks (the
    append-only triggers, the ``received`` summary), every batch's archived file (sha256) and manifest
    entry (agreeing with the batch, linked to the one before), the chain head, ``expect`` and ``deep``
    as there. Writes nothing."""
    from pingtai.ledger import describe_location

    wanted = _expected_head(expect)
    shown = describe_location(location)
    result = Verification(ledger=shown, expected=wanted, deep=deep is not None)
    with Ledger.open(location, create=False, readonly=True) as ledger:
        if not ledger.exists:
            raise LedgerError(f"台账不存在：数据库 {shown} 中还没有 pingtai 台账", hint="请先运行 pingtai ledger init。")
        result.problems += [Problem(shown, text, "database-integrity") for text in ledger.integrity_problems()]
        batches = ledger.batches()
        result.batches = len(batches)
        chain: list[_Link] = []
        intact: dict[int, tuple[bytes, ManifestEntry]] = {}
        stored = {}
        for batch in batches:
            label = f"批次 {batch.id}（{batch.file}）"
            try:
                exported = ledger.export_batch(batch.id)
            except LedgerError:
                result.problems.append(Problem(batch.archive, f"{label}的归档文件缺失或已被改动", "tampered-file"))
                chain.append(_Link(batch.id, label, batch.archive, None, None))
                continue
            if exported.entry is None:
                result.problems.append(Problem(batch.archive, f"{label}没有归档清单：无法据归档重建此批次", "missing-manifest"))
                chain.append(_Link(batch.id, label, batch.archive, None, None))
                continue
            result.archived += 1
            entry = ManifestEntry.from_json(exported.entry)
            chain.append(_Link(batch.id, label, batch.archive, entry, hashlib.sha256(exported.entry).hexdigest()))
            rows = (exported.values, exported.tasks)
            digests = (len(rows[0]), len(rows[1]), rows_digest(*rows), rows_digest(*rows, version=1))
            result.problems += _entry_mismatches(entry, batch, digests, label)
            intact[batch.id] = (exported.data, entry)
            if deep is not None:
                stored[batch.id] = rows
        # the rows and their log in one snapshot (the reading transaction)
        _check_log(ledger.logged_rows(), archive.parse_log(ledger.decisions_log()), result, LOG_IN_DATABASE)
    _check_chain(chain, result)
    if deep is not None:
        with tempfile.TemporaryDirectory(prefix="pingtai-verify-") as scratch:
            files: dict[int, tuple[Path, ManifestEntry]] = {}
            for number, (data, entry) in intact.items():
                path = Path(scratch) / f"{number}.bin"
                path.write_bytes(data)
                files[number] = (path, entry)
            legacy = {b for b, (_, entry) in files.items()
                      if entry.rows_sha256 == rows_digest(*stored[b], version=1) != rows_digest(*stored[b])}
            _reread_all(batches, files, stored, deep, reader, Path(scratch), result, legacy)
    return result


def _expected_head(expect: str | None) -> str | None:
    wanted = expect.strip().lower() if expect is not None else None
    if wanted is not None and not HEAD_PATTERN.match(wanted):
        raise UsageError(f"--expect 应为链头（sha256 的十六进制，至少 12 位）：{expect!r}",
                         hint="链头见 pingtai ledger verify 的输出（“链头：…”）或其 --json 的 head。")
    return wanted


LOG_IN_DATABASE = "decision_log"
"""Where problems of a decisions log kept in the database are located."""


def _check_log(logged: list[archive.LogEntry], log: tuple[list[tuple[archive.LogEntry, str]], list[Problem]],
               result: Verification, where: str = f"{ARCHIVE_DIR}/{archive.DECISIONS_LOG}") -> None:
    """The decisions log (``log``: :func:`pingtai.archive.parse_log`'s) against the ledger's decisions and
    settings: each row's line present and saying the same, each line linked to the one before; lines past
    the last row's are an interrupted decision (a note), any other line no row claims a problem."""
    entries, problems = log
    result.problems += [p.replace(where=p.where.replace(f"{ARCHIVE_DIR}/{archive.DECISIONS_LOG}", where))
                        for p in problems]
    lines = {(entry.kind, entry.id): (number, entry) for number, (entry, _) in enumerate(entries, start=1)}
    last = 0
    for row in logged:
        what = f"{'决定' if row.kind == 'decision' else '设置'} {row.id}（{_logged_text(row)}）"
        line = lines.get((row.kind, row.id))
        if line is None:
            result.problems.append(Problem(where, f"台账中的{what}未记入归档的决定记录：重建将丢失它", "missing-log"))
            continue
        number, entry = line
        last = max(last, number)
        if entry.replace(previous=None, ledger=row.ledger) != row:
            result.problems.append(Problem(f"{where}:{number}", f"决定记录与台账中的{what}不符：记录被改动", "tampered-log"))
    claimed = {(row.kind, row.id) for row in logged}
    for key, (number, entry) in sorted(lines.items(), key=lambda item: item[1][0]):
        if key in claimed:
            continue
        if number > last:
            result.notes.append(Problem(f"{where}:{number}", f"决定记录中的{_logged_text(entry)}未提交（操作在写入台账前被中断），"
                                                             "下次记录决定时自动移除", "pending-log"))
        else:
            result.problems.append(Problem(f"{where}:{number}", f"决定记录中的{_logged_text(entry)}在台账中没有对应记录"
                                                                "（台账比归档旧，或记录被插入）", "unrecorded-log"))


def _logged_text(entry: archive.LogEntry) -> str:
    if entry.kind == "decision":
        return f"批次 {entry.batch} {'接收' if entry.decision == 'accepted' else '退回'}，{entry.by}，{entry.at}"
    return f"{entry.name} = {entry.value}，{entry.by}，{entry.at}"


class _Link(Record):
    """One batch in the chain: its entry (``None``: missing) and the digest of the entry's bytes."""

    batch: int
    label: str
    archive: str
    entry: ManifestEntry | None
    digest: str | None

    @property
    def where(self) -> str:
        return self.archive.removesuffix(Path(self.archive).suffix) + ".json"


def _check_chain(chain: list[_Link], result: Verification) -> None:
    """Check each entry's link to the one before; set the head; look for the expected head."""
    known: str | None = None  # digest of the entry before, when it could be read
    for index, link in enumerate(chain):
        entry = link.entry
        if entry is None:
            known = None
            continue
        if entry.format >= 2:
            if index == 0 and entry.previous is not None:
                result.problems.append(Problem(link.where, (
                    f"{link.label}是台账中最早的批次，其归档清单却链接着更早的批次（{entry.previous[:12]}…）："
                    "更早的批次可能连同其记录一起被删除"), "chain-broken"))
            elif index > 0 and known is not None and entry.previous != known:
                before = chain[index - 1]
                result.problems.append(Problem(link.where, (
                    f"{link.label}的归档清单与上一批次（{before.label}）的清单链接不上："
                    f"上一批次的清单被改动、其间的批次被删除，或导入时上一清单缺失"), "chain-broken"))
        known = link.digest
    last = chain[-1] if chain else None
    if last is not None and last.digest is not None:
        result.head, result.head_batch = last.digest, last.batch
    if result.expected is None:
        return
    found = [link for link in chain if link.digest is not None and link.digest.startswith(result.expected)]
    if not found:
        head = f"（当前链头 {result.head[:12]}…，批次 {result.head_batch}）" if result.head else ""
        result.problems.append(Problem(result.ledger, (
            f"期望的链头 {result.expected[:12]}… 不在台账的归档清单链中{head}：此后的批次可能已被删除（连同归档文件），"
            "或清单被改写"), "head-mismatch"))
        return
    result.expected_batch = found[-1].batch
    if result.expected_batch != result.head_batch:
        result.notes.append(Problem(result.ledger, (
            f"期望的链头是批次 {result.expected_batch} 的清单；其后又导入了 "
            f"{sum(1 for link in chain if link.batch > result.expected_batch)} 个批次，链完整"), "chain-advanced"))


def _reread_all(batches: list[Batch], intact: dict[int, tuple[Path, ManifestEntry]],
                stored: dict[int, tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]], catalog: Catalog,
                reader: Reader | None, root: Path, result: Verification, legacy: set[int]) -> None:
    """``verify --deep``: every intact archived file re-read with its original name and options, its
    rows compared with the batch's rows in the ledger (``legacy``: batches recorded before ledger
    schema 5, compared on the columns kept then)."""
    if reader is None:
        from pingtai.returns import read_return

        reader = read_return
    with tempfile.TemporaryDirectory(prefix=".pingtai-verify-", dir=root) as scratch:
        for batch in batches:
            if batch.id not in intact:
                continue  # missing or altered: a problem already
            data, entry = intact[batch.id]
            label = f"批次 {batch.id}（{batch.file}）"
            try:
                period = Period.parse(entry.period_option) if entry.period_option else None
            except PeriodError:
                period = None
            parsed = reader(_named_copy(data, entry.file, batch.id, Path(scratch)), catalog, agency=entry.agency_option,
                            period=period)
            result.reread += 1
            if parsed.errors:
                result.problems.append(Problem(batch.archive, f"{label}的归档文件重新读取时被拒绝（{parsed.errors[0]}）："
                                                              "计划数据或读取规则可能已改变", "deep-unreadable"))
                continue
            values, tasks = stored_rows(*rows_as_stored(parsed, catalog))
            differences = _differences(stored[batch.id], (values, tasks),
                                       version=1 if batch.id in legacy else ROWS_DIGEST)
            if differences:
                result.problems.append(Problem(batch.archive, (
                    f"{label}：归档文件重新读取的数据与台账不符（{len(differences)} 处，如 {'；'.join(differences[:3])}）："
                    "台账在导入后被 pingtai 以外的程序改动，或计划数据、读取规则已改变"), "deep-mismatch"))


def _differences(ledger_rows: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]],
                 file_rows: tuple[list[Any], list[Any]], version: int = ROWS_DIGEST) -> list[str]:
    """What differs between a batch's rows in the ledger and those its file gives, in words; ``version``
    1 compares only what a batch recorded before ledger schema 5 kept (no area, growth or note)."""
    if rows_digest(*ledger_rows, version=version) == rows_digest(*file_rows, version=version):
        return []

    def values(rows: list[Any]) -> dict[tuple[Any, ...], Any]:
        if version == 1:
            return {(r[0], r[1], r[3], r[7]): (float(r[4]) + 0.0, r[5], r[8]) for r in rows}
        return {(r[0], r[9], r[1], r[3], r[7]): (float(r[4]) + 0.0, r[5], r[8], r[10], r[11], r[12]) for r in rows}

    def tasks(rows: list[Any]) -> dict[tuple[Any, ...], Any]:
        return {(r[0], r[1], r[2], r[3]): tuple(r[5:9]) for r in rows}

    found: list[str] = []
    for kind, pick in (("数值", values), ("任务进展", tasks)):
        ledger, file = pick(ledger_rows[0 if kind == "数值" else 1]), pick(file_rows[0 if kind == "数值" else 1])
        for key in sorted(set(ledger) | set(file), key=str):
            if ledger.get(key) != file.get(key):
                shown = "/".join(str(part) for part in key)
                found.append(f"{kind} {shown}：台账 {_brief(ledger.get(key))}，文件 {_brief(file.get(key))}")
    return found or ["行的顺序或格式不同"]


def _brief(row: Any) -> str:
    if row is None:
        return "无"
    first = row[0]
    return f"{first:,.10g}" if isinstance(first, float) else str(first)[:40]


def _entry_mismatches(entry: ManifestEntry, batch: Batch, digest: tuple[int, int, str, str], label: str) -> list[Problem]:
    """Where ``entry`` and its batch disagree: the batch's identity, the options it was imported with
    (receipt day, back-fill, the cells let through and why) and the digest of its rows (``digest``:
    counts, then the digest now and as written before ledger schema 5 — an entry of either kind verifies)."""
    where = batch.archive.removesuffix(Path(batch.archive).suffix) + ".json"
    differences = []
    if entry.batch != batch.id:
        differences.append(f"批次号 {entry.batch}")
    if entry.file != batch.file:
        differences.append(f"文件名 {entry.file}")
    if entry.archive != batch.archive:
        differences.append(f"归档路径 {entry.archive}")
    if _moment(entry.imported_at) != batch.imported_at:
        differences.append(f"导入时间 {entry.imported_at}")
    differences += _receipt_mismatches(entry, batch)
    problems = []
    if differences:
        problems.append(Problem(where, f"{label}的归档清单与台账不符：{'、'.join(differences)}", "manifest-mismatch"))
    if (entry.values, entry.tasks) != digest[:2] or entry.rows_sha256 not in digest[2:]:
        problems.append(Problem(where, f"{label}在台账中的数据与导入时记录的不一致（清单：{entry.values} 个数值、{entry.tasks} 条任务进展；"
                                       f"台账：{digest[0]} 个、{digest[1]} 条）：台账曾被 pingtai 以外的程序修改", "rows-mismatch"))
    return problems


def _receipt_mismatches(entry: ManifestEntry, batch: Batch) -> list[str]:
    """How the import options an entry records (``--received``, ``--backfill``, ``--accept`` /
    ``--accept-all`` / ``--reason``) disagree with what its batch holds, in words."""
    differences = []
    by_option = batch.received_source == "option"
    if entry.received_option is not None and (not by_option or batch.received.isoformat() != entry.received_option):
        differences.append(f"收到日期 {entry.received_option}")
    elif entry.received_option is None and by_option:
        differences.append("收到日期（清单中未指定）")
    if entry.backfill != batch.backfill:
        differences.append(f"补录 {'是' if entry.backfill else '否'}")
    if entry.reason != batch.accept_reason:
        differences.append(f"放行理由 {entry.reason or '（无）'}")
    if not entry.accept_all and any(not any(matches(spec, cell.where) for spec in entry.accept)
                                    for cell in batch.accepted):
        differences.append(f"放行的单元格 {'、'.join(entry.accept) or '（无）'}")
    return differences


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
        with SqliteLedger.create_for_rebuild(temp, text_name(db_path.name)) as ledger, \
                tempfile.TemporaryDirectory(prefix=".pingtai-rebuild-", dir=db_path.parent) as scratch:
            skipped = _replay_all(found, ledger, catalog, reader, Path(scratch), result, on_progress)
        if not in_place and (folder / archive.DECISIONS_LOG).is_file():  # the log replayed, beside its ledger
            shutil.copyfile(folder / archive.DECISIONS_LOG, archive.log_path(db_path.parent))
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


def _replay_all(found: archive.ArchiveScan, ledger: Ledger, catalog: Catalog, reader: Reader, scratch: Path,
                result: Rebuild, on_progress: RebuildProgress | None) -> list[str]:
    """Replay every committed entry of ``found`` into ``ledger`` in batch order, and the lines of its decisions
    log each before the first batch imported after it; the sha256 of the batches skipped."""
    skipped: list[str] = []
    entries = _distinct_batches(found, result)
    waiting = _log_lines(found.folder, result)
    for done, entry in enumerate(entries, start=1):
        # decisions and settings made before this batch was imported, as they were then
        waiting = _replay_log(waiting, ledger, result, before=entry.batch)
        replayed = _replay(entry, found, ledger, catalog, reader, scratch, result)
        result.batches.append(replayed)
        if replayed.status != "accepted":
            skipped.append(entry.sha256)
        if on_progress is not None:
            on_progress(done, len(entries))
    _replay_log(waiting, ledger, result, before=None)
    return skipped + [e.sha256 for e in found.committed.values() if e not in entries]


def rebuild_database(catalog: Catalog, location: str, *, source: Path, reader: Reader | None = None,
                     on_progress: RebuildProgress | None = None) -> Rebuild:
    """:func:`rebuild_ledger` into the database ``location``, which must record nothing yet (its schema is
    created): every committed entry of the archive folder ``source`` replayed in batch order, with its
    original id, name, time and options. Raises :class:`LedgerError` for a database that already records
    batches, :class:`UsageError` when ``source`` is not a folder."""
    from pingtai.ledger import describe_location
    from pingtai.ledger.transfer import is_empty

    if reader is None:
        from pingtai.returns import read_return

        reader = read_return
    if not source.is_dir():
        raise UsageError(f"归档目录不存在：{source}", hint="请用 --archive 指定归档目录，或用 --from 指定数据库台账。")
    found = archive.scan(source)
    result = Rebuild(ledger=describe_location(location), archive=str(source), problems=list(found.problems))
    result.notes += _orphan_notes(found, set(found.committed))
    with Ledger.open(location, create=True) as ledger:
        if not is_empty(ledger):
            raise LedgerError(f"台账已存在：{result.ledger} 中已有记录；重建不会覆盖已有台账",
                              hint="请新建一个空数据库（createdb）作为重建目标。")
        with tempfile.TemporaryDirectory(prefix="pingtai-rebuild-") as scratch:
            _replay_all(found, ledger, catalog, reader, Path(scratch), result, on_progress)
    return result


def export_archive(location: Path | str, folder: Path) -> int:
    """Write the archive of the ledger at ``location`` — every batch's file and manifest entry — into
    ``folder`` in the layout of an archive beside a file (``ab/abcdef….xlsx`` and ``ab/abcdef….json``):
    what :func:`rebuild_ledger` and :func:`rebuild_database` replay. Returns the number of entries written."""
    written = 0
    with Ledger.open(location, create=False, readonly=True) as ledger:
        for batch in ledger.batches():
            exported = ledger.export_batch(batch.id)
            target = folder / Path(exported.archive).relative_to(ARCHIVE_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(exported.data)
            if exported.entry is not None:
                target.with_name(f"{exported.sha256}.json").write_bytes(exported.entry)
                written += 1
        log = ledger.decisions_log()
        if log:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / archive.DECISIONS_LOG).write_bytes(log)
    return written


_LogLine = tuple[int, archive.LogEntry, bytes]
"""A line of the decisions log to replay: its number, what it says, its bytes."""


def _log_lines(folder: Path, result: Rebuild) -> list[_LogLine]:
    """The decisions log of the archive ``folder`` to replay (its problems into ``result``); counted in
    ``result.decisions``."""
    try:
        data = (folder / archive.DECISIONS_LOG).read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        result.problems.append(Problem(f"{ARCHIVE_DIR}/{archive.DECISIONS_LOG}", f"无法读取决定记录：{os_reason(exc)}",
                                       "bad-log"))
        return []
    result.problems += archive.parse_log(data)[1]
    lines = []
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        with contextlib.suppress(ValueError):  # named by parse_log
            lines.append((number, archive.LogEntry.from_json(line), line))
    result.decisions = len(lines)
    return lines


def _replay_log(waiting: list[_LogLine], ledger: Ledger, result: Rebuild, before: int | None) -> list[_LogLine]:
    """Replay the decisions-log lines recorded before batch ``before`` was imported (``None``: all that
    are left); return those still waiting. A line whose batch was not rebuilt is a problem, left out."""
    left = []
    for number, entry, line in waiting:
        if before is not None and entry.after_batch >= before:
            left.append((number, entry, line))
            continue
        try:
            ledger.replay(entry, line)
        except LedgerError as exc:
            result.problems.append(Problem(f"{ARCHIVE_DIR}/{archive.DECISIONS_LOG}:{number}",
                                           f"决定记录未能重放（{exc}）", "log-not-replayed"))
    return left


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
    original = _entry_bytes(found, entry.sha256)
    parsed = reader(_named_copy(data, entry.file, entry.batch, scratch), catalog, agency=entry.agency_option,
                    period=period)
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
    values, tasks, digest = ledger.batch_rows_digest(entry.batch, entry.rows_sha256)
    if (values, tasks, digest) != (entry.values, entry.tasks, entry.rows_sha256):
        result.problems.append(Problem(where, f"{label}重新读取的数据与导入时不同（导入时 {entry.values} 个数值、{entry.tasks} 条任务进展，"
                                              f"现为 {values} 个、{tasks} 条）：计划数据或读取规则已改变，已按现在的读取结果重建",
                                       "rows-changed"))
    elif original is not None and ledger.root is not None and entry.ledger == ledger.name:
        # replayed exactly: the entry stays as written at import, and with it the chain and its head
        archive.restore_entry(ledger.root, entry.sha256, original)
    return ReplayedBatch(entry.batch, entry.file, entry.sha256, "accepted", values, tasks)


def _entry_bytes(found: archive.ArchiveScan, sha256: str) -> bytes | None:
    """The committed entry for ``sha256`` as stored in the archive being replayed (before the
    replay writes its own)."""
    try:
        return (found.folder / sha256[:2] / f"{sha256}.json").read_bytes()
    except OSError:
        return None


def _named_copy(data: Path, name: str, batch: int, scratch: Path) -> Path:
    """``data`` under its original name in a folder of its own in ``scratch`` (a hard link where
    possible): the reader locates problems and values as ``name!sheet!cell``, as at import."""
    named = scratch / f"{batch}" / _safe_name(name, data.name)
    named.parent.mkdir()
    try:
        os.link(data, named)
    except OSError:
        shutil.copyfile(data, named)
    return named


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
    name beside ``target``, checked (``PRAGMA integrity_check``) and renamed over ``target``; a
    folder of ``target`` that does not exist yet is created (once the ledger is known to exist).
    Raises :class:`UsageError` for a target that is the ledger itself or a folder,
    :class:`LedgerError` when there is no ledger or the copy (or its folder) cannot be written.
    """
    if target.is_dir():
        raise UsageError(f"备份目标是目录：{target}", hint="请指定备份文件名，例如 /backup/ledger-2025-01-20.sqlite3。")
    directory = target.parent if str(target.parent) else Path(".")
    if target.exists() and db_path.exists() and os.path.samefile(target, db_path):
        raise UsageError("备份目标就是台账本身", hint="请指定另一个文件。")
    refuse_special(target)
    if not db_path.is_file() or db_path.stat().st_size == 0:
        Ledger.open(db_path, readonly=True).close()  # a lost ledger: the error that says so
        raise LedgerError(f"台账不存在：{db_path}", hint="请用 --db 或 PINGTAI_DB 指向台账文件。")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法创建备份目录 {directory}：{os_reason(exc)}") from None
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".pingtai-backup-", suffix=".sqlite3", dir=directory)
        os.close(fd)
        os.chmod(temp_name, db_path.stat().st_mode & 0o777)  # as private as the ledger itself
    except OSError as exc:
        raise LedgerError(f"无法写入备份 {target}：{os_reason(exc)}") from None
    temp = Path(temp_name)
    try:
        with SqliteLedger.open_file(db_path, readonly=True) as ledger:
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


def backup_database(location: str, target: Path) -> Backup:
    """``ledger backup`` of a ledger whose archive is in its database: a portable SQLite ledger at ``target``
    with the archive beside it (``archive/`` in ``target``'s folder), an exact copy (every batch id, row,
    file, manifest entry and check run; :mod:`pingtai.ledger.transfer`), checked against the database
    before it is renamed into place. ``pingtai --db target`` opens it. Raises :class:`UsageError` for a
    folder as ``target``, :class:`LedgerError` when the database cannot be read or the copy written."""
    from pingtai.ledger import describe_location
    from pingtai.ledger.transfer import copy_ledger, differences

    if target.is_dir():
        raise UsageError(f"备份目标是目录：{target}", hint="请指定备份文件名，例如 /backup/ledger-2025-01-20.sqlite3。")
    refuse_special(target)
    directory = target.parent if str(target.parent) else Path(".")
    with Ledger.open(location, create=False, readonly=True) as source:
        if not source.exists:
            raise LedgerError(f"台账不存在：数据库 {describe_location(location)} 中还没有 pingtai 台账",
                              hint="请先运行 pingtai ledger init。")
        try:
            directory.mkdir(parents=True, exist_ok=True)
            temp = directory / f".{target.name}.backup-{secrets.token_hex(6)}"
        except OSError as exc:
            raise LedgerError(f"无法创建备份目录 {directory}：{os_reason(exc)}") from None
        try:
            with SqliteLedger.create_for_rebuild(temp, text_name(target.name)) as copy:
                batches = copy_ledger(source, copy)
                found = differences(source, copy)
            if found:
                raise LedgerError(f"备份与台账不符：{'；'.join(found[:3])}", hint="备份未写入；请重试。")
            with SqliteLedger.open_file(temp, readonly=True) as written:
                written.backup_to(target.with_name(temp.name + ".db"))
            os.replace(target.with_name(temp.name + ".db"), target)
            fsync_directory(directory)
        except OSError as exc:
            raise LedgerError(f"无法写入备份 {target}：{os_reason(exc)}") from None
        finally:
            for suffix in ("", "-journal", "-wal", "-shm", ".db"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(f"{temp}{suffix}")
    return Backup(ledger=describe_location(location), file=str(target), batches=batches, size=target.stat().st_size)


def migrate_ledger(source: Path | str, target: str) -> Migration:
    """``ledger migrate --to``: copy the ledger at ``source`` and its archive exactly into the empty
    database ``target`` (schema created there), then check the copy against the source. Raises
    :class:`LedgerError` for a target that already records anything (nothing is written), a source
    that does not exist, or a copy that differs (rolled back: the target stays empty)."""
    from pingtai.ledger import describe_location
    from pingtai.ledger.transfer import copy_ledger, differences, is_empty

    shown = describe_location(target)
    with Ledger.open(source, create=False, readonly=True) as original:
        if not original.exists:
            raise LedgerError(f"台账不存在：{describe_location(source)}", hint="请用 --db 指向要迁移的台账。")
        with Ledger.open(target, create=False, readonly=True) as existing:
            if existing.exists and not is_empty(existing):
                raise LedgerError(f"目标数据库已有台账记录：{shown}；迁移只写入空数据库",
                                  hint="请新建一个空数据库（createdb），或确认 --to 地址无误；目标未作改动。")
        with Ledger.open(target, create=True) as copy:
            copied = copy_ledger(original, copy)
            found = differences(original, copy)
            if found:
                raise LedgerError(f"迁移后的副本与原台账不符：{'；'.join(found[:3])}",
                                  hint="副本已写入但不可信：请删除目标数据库后重试，并报告此问题。")
            values = copy.counts()["value"]
            runs = len(copy.check_runs())
    head = verify_database(target).head
    return Migration(ledger=describe_location(source), target=shown, batches=copied, values=values, check_runs=runs,
                     head=head)


__all__ = ["Backup", "Migration", "Rebuild", "ReplayedBatch", "Verification", "backup_database", "backup_ledger",
           "export_archive", "migrate_ledger", "rebuild_database", "rebuild_ledger", "verify_database", "verify_ledger"]
