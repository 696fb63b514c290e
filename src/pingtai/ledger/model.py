"""What the ledger gives back and takes, whatever its backend: the records, the rows as stored, their digest.

Both backends (:mod:`pingtai.ledger.sqlite`, :mod:`pingtai.ledger.postgres`) store the same columns in
the same spelling (periods and times as ISO text, flags as 0/1), so a row read from either becomes the
same record here, and the digest of a batch's rows is the same whichever database holds them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pingtai import archive
from pingtai.errors import LedgerError
from pingtai.frozen import Record
from pingtai.periods import Period, PeriodError, office_day

if TYPE_CHECKING:  # read returns are the importer's; status never imports them
    from pingtai.records import TaskRecord, ValueRecord

# --- what the ledger gives back -----------------------------------------------------------------


class StoredValue(Record):
    """One value row: which batch (and file) brought it, and whether a newer batch superseded it.

    ``area`` is the area it is for (``''``: the city; ``pingtai history`` names it, ``None`` without
    ``areas.yaml``), ``growth`` the 同比 the return reported (percent), ``last_year`` the 上年同期 it
    reported, ``note`` its 备注 / 说明 (``''``: none).
    """

    indicator: str
    period: Period
    agency: str
    value: float
    unit: str
    batch: int
    file: str
    imported_at: dt.datetime
    superseded: bool
    where: str
    raw: str
    below_unit: bool
    area: str | None = ""
    growth: float | None = None
    last_year: float | None = None
    note: str = ""
    state: ReviewState = "accepted"
    """Its batch's review state: a ``pending`` or ``rejected`` value does not count (``superseded`` then
    only says whether a newer value that counts exists)."""
    reason: str = ""
    """Why its batch was rejected (``''`` unless ``state`` is ``rejected``)."""


class CurrentValue(NamedTuple):
    """A current value (:meth:`Ledger.current_values`): the newest row of its key, with the batch that
    brought it and when (both ``None`` for a value of a file being imported). A tuple, because large
    ledgers hand over a hundred thousand. The texts it carries default to empty: a value read without
    them (``current_values(detail=False)``)."""

    indicator: str
    area: str
    period: Period
    agency: str
    value: float
    unit: str
    batch: int | None
    imported_at: dt.datetime | None
    growth: float | None
    last_year: float | None
    note: str = ""
    where: str = ""
    raw: str = ""
    below_unit: bool = False


class StoredTask(Record):
    """One task-progress row, with the batch that brought it."""

    plan: str
    task: int
    agency: str
    period: Period
    status: str | None
    progress: str
    issues: str
    next_steps: str
    batch: int
    imported_at: dt.datetime
    superseded: bool


ReviewState = Literal["pending", "accepted", "rejected"]
STATE_LABELS: dict[str, str] = {"pending": "待审核", "accepted": "已接收", "rejected": "已退回"}
DecisionKind = Literal["accepted", "rejected"]
DECISION_LABELS: dict[str, str] = {"accepted": "接收", "rejected": "退回"}
SETTINGS: dict[str, tuple[str, tuple[str, ...]]] = {"review": ("off", ("off", "required"))}
"""Each ledger setting: its default and the values it takes (``review``: ``required`` makes a return
imported from then on 待审核 until accepted)."""
CONTACT_LABELS: dict[str, str] = {"reporter": "填报人", "phone": "联系电话", "reviewer": "审核人"}


class Decision(Record):
    """One review decision on a batch: ``accepted`` (with an optional ``note``) or ``rejected`` (with
    its ``reason``), by whom and when. The newest decision on a batch is its state."""

    id: int
    batch: int
    decision: DecisionKind
    by: str
    at: dt.datetime
    note: str = ""
    reason: str = ""


class Setting(Record):
    """One change of a ledger setting: ``name`` set to ``value`` by ``by`` at ``at``, when the newest
    batch was ``after_batch`` (it governs the batches after it)."""

    id: int
    name: str
    value: str
    by: str
    at: dt.datetime
    after_batch: int


class RejectedReturn(Record):
    """A return sent back and not yet resubmitted: its unit and period, the rejected batch (file, the day
    it counted as received) and the rejection (when, by whom, why). A resubmission is any later batch
    for the same unit and period that is not itself rejected."""

    agency: str
    period: Period
    batch: int
    file: str
    received: dt.date
    rejected_at: dt.datetime
    by: str
    reason: str


ReceivedSource = Literal["option", "return", "import"]
RECEIVED_SOURCE_LABELS: dict[str, str] = {"option": "导入时指定", "return": "报表所填日期", "import": "导入日"}


class AcceptedCell(Record):
    """A figure the unit-slip gate refused and ``import --accept`` let through: where, why (code), the text."""

    where: str
    code: str
    message: str


class Batch(Record):
    """One accepted file. ``archive`` is the copy's path relative to the ledger's directory.

    ``received`` is the day the return counts as received (``received_source``: ``option`` —
    ``import --received`` —, ``return`` — the date the return carries —, or ``import`` — the
    import day, Beijing time); ``backfill`` marks history recorded without timeliness
    (``import --backfill``); ``accepted`` the refused figures let through, ``accept_reason`` why.
    """

    id: int
    file: str
    sha256: str
    agency: str | None
    period: Period | None
    layout: str
    imported_at: dt.datetime
    reporter: str
    phone: str
    filled_on: dt.date | None
    imported: int
    updated: int
    unchanged: int
    tasks: int
    warnings: int
    archive: str
    received: dt.date
    received_source: ReceivedSource
    backfill: bool
    accepted: tuple[AcceptedCell, ...]
    accept_reason: str
    reviewer: str = ""
    """审核人 as the return names them (``''``: not given)."""
    state: ReviewState = "accepted"
    """待审核 ``pending`` / 已接收 ``accepted`` / 已退回 ``rejected``: the newest decision, else ``pending``
    when review was required at its import, else ``accepted``."""
    decisions: tuple[Decision, ...] = ()
    """Every decision on it, oldest first."""
    missing_contacts: tuple[str, ...] = ()
    """Which of 填报人, 联系电话 and 审核人 the return left out (their labels): the return is flagged."""


@dataclass(frozen=True)
class ReceivedReturn:
    """The first receipt of a return for ``(agency, period)``, including rows inside long tables.

    ``received_at`` is when the batch was imported; ``received`` the day the return counts as
    received, ``source`` where that day comes from, ``backfill`` whether the batch is a back-fill
    (its timeliness does not count).
    """

    agency: str
    period: Period
    received_at: dt.datetime
    batch: int
    received: dt.date
    source: ReceivedSource = "import"
    backfill: bool = False


class SeenFinding(Record):
    """A finding as a check run recorded it: its stable key, what makes it "changed", kind, severity."""

    key: str
    fingerprint: str
    kind: str
    severity: str


class CheckRun(Record):
    """One recorded ``pingtai check --new-only`` run: when, for which date and plans, how many findings
    it saw and how many it reported (new or changed since the previous run of the same scope)."""

    id: int
    started_at: dt.datetime
    as_of: dt.date
    scope: str
    findings: int
    reported: int


class NewBatch(Record):
    """What the importer hands the ledger for one accepted file (counts already computed)."""

    file: str
    sha256: str
    agency: str | None
    period: Period | None
    layout: str
    imported_at: dt.datetime
    reporter: str = ""
    phone: str = ""
    filled_on: dt.date | None = None
    plan_version: str = ""
    reviewer: str = ""
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    tasks: int = 0
    warnings: int = 0
    agency_option: str | None = None
    """The ``--agency`` the file was read with (recorded in the archive for a rebuild)."""
    period_option: str | None = None
    """The ``--period`` the file was read with."""
    received: dt.date | None = None
    """The day the return counts as received; ``None``: the import day (Beijing time)."""
    received_source: ReceivedSource = "import"
    backfill: bool = False
    accepted: tuple[AcceptedCell, ...] = ()
    accept_reason: str = ""
    received_option: str | None = None
    """The ``--received`` the file was imported with (recorded in the archive for a rebuild)."""
    accept_option: tuple[str, ...] = ()
    """The ``--accept`` cells given (recorded in the archive for a rebuild) …"""
    accept_all: bool = False
    """… and ``--accept-all``."""
    receipt_rule: int = 1
    """0 for a batch received on its import day whatever the return says (a rebuild replaying an
    entry written before receipt days were kept): the manifest entry says so again."""
    id: int | None = None
    """The batch id to use (a rebuild restores the original ids); ``None``: the next one."""


# --- where the ledger lives ---------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks."""
    return archive.file_sha256(path)


ValueRow = tuple[str, str, str, str, float, str, int, str, str, str, float | None, float | None, str]
"""A value row as stored: indicator, period, period_end, agency, value, unit, below_unit, cell, raw, area,
growth, last_year, note (the last four since schema 5)."""
TaskRow = tuple[str, int, str, str, str, str | None, str, str, str, str]
"""A task row as stored: plan, task, agency, period, period_end, status, progress, issues, next_steps, cell."""


ROWS_DIGEST = 2
"""The version of :func:`rows_digest` new manifest entries record: 2 covers every column of a value row;
1 (entries written before schema 5) the first nine — still verified as such (:func:`digest_of`)."""
_V1_COLUMNS = 9


ROWS_CHUNK = 2_000
"""How many value rows are digested (:class:`RowsDigest`) or staged into the ledger
(:meth:`Ledger.stage`) at once. Built for a whole batch at once, the rows as stored, a canonical
copy and their JSON text took 200+ MiB at the cell cap (333,332 rows: the import peaked at 610 MiB,
357 MiB in chunks); a chunk's take a few MB. Chunks of 1,000–2,000 rows digest fastest — 100,000
rows in ≈ 0.22 s of CPU against 0.29 s in chunks of 10,000 and 0.40 s at once, as what is written
and hashed stays in the CPU's caches — and what each chunk costs once (a ``json.dumps`` call, an
``executemany``) is still lost in the work on its rows."""


def _canonical(columns: list[Sequence[Any]], version: int) -> list[tuple[Any, ...]]:
    """Value rows, given as their columns, as :func:`rows_digest` writes them: the columns of
    ``version``, the numbers as floats (json.dumps writes tuples as arrays, so the text is the same
    as from lists)."""
    if version == 1:
        columns = columns[:_V1_COLUMNS]
    columns = list(columns)
    columns[4] = [float(number) + 0.0 for number in columns[4]]
    if len(columns) > _V1_COLUMNS:
        for measure in (10, 11):  # growth and last year: numbers, or nothing reported
            columns[measure] = [None if number is None else float(number) + 0.0 for number in columns[measure]]
    return list(zip(*columns, strict=True))


def _json(rows: Sequence[Sequence[Any]]) -> bytes:
    # rows of numbers, texts and None: nothing can contain itself, so the encoder need not look
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode()


class RowsDigest:
    """:func:`rows_digest` of a batch's rows handed over in pieces: its value rows in the order stored,
    any number at a time (:meth:`add`), then its task rows (:meth:`hexdigest`). The text hashed is
    the one :func:`rows_digest` defines — ``[[value row,…],[task row,…]]`` — written and hashed
    :data:`ROWS_CHUNK` rows at a time, so neither the whole text nor a canonical copy of every row
    is ever held."""

    def __init__(self, version: int = ROWS_DIGEST) -> None:
        self._version = version
        self._sha256 = hashlib.sha256(b"[[")
        self.values = 0
        """How many value rows were added."""

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """Add the batch's next value rows."""
        for start in range(0, len(rows), ROWS_CHUNK):
            self.add_columns(list(zip(*rows[start:start + ROWS_CHUNK], strict=True)))

    def add_columns(self, columns: list[Sequence[Any]]) -> None:
        """Add the batch's next value rows given as their columns (at most :data:`ROWS_CHUNK` rows;
        none: nothing added)."""
        if not columns:
            return
        chunk = _json(_canonical(columns, self._version))
        if self.values:
            self._sha256.update(b",")
        self._sha256.update(chunk[1:-1])  # the rows without the chunk's own brackets
        self.values += len(columns[0])

    def hexdigest(self, tasks: Sequence[TaskRow]) -> str:
        """The digest of the value rows added and the batch's ``tasks`` (hex)."""
        sha256 = self._sha256.copy()  # more value rows may still be added
        sha256.update(b"],")
        sha256.update(_json(tasks))
        sha256.update(b"]")
        return sha256.hexdigest()


def rows_digest(values: Sequence[Sequence[Any]], tasks: Sequence[TaskRow], version: int = ROWS_DIGEST) -> str:
    """sha256 over a batch's rows in the order stored: what a manifest entry records and
    ``ledger verify`` / ``ledger rebuild`` compare — of the text
    ``json.dumps([values, tasks], ensure_ascii=False, separators=(",", ":"))`` with each value
    row's figures (value, growth, last year) written as floats: ``-0.0`` counts as ``0.0`` (SQLite
    may store a whole REAL as an integer, which reads back without its sign). ``version`` 1 digests
    the columns a value row had before schema 5 (area, growth, last year and note were not kept).
    Hashed in pieces (:class:`RowsDigest`)."""
    digest = RowsDigest(version)
    digest.add(values)
    return digest.hexdigest(tasks)


def digest_of(values: Sequence[Sequence[Any]], tasks: Sequence[TaskRow], recorded: str | None = None) -> str:
    """:func:`rows_digest` of a batch's rows in the version ``recorded`` was made in: the current one, or
    version 1 for a batch whose manifest entry was written before schema 5 (when ``recorded`` is that)."""
    digest = rows_digest(values, tasks)
    if recorded is not None and recorded != digest and values:
        legacy = rows_digest(values, tasks, version=1)
        if legacy == recorded:
            return legacy
    return digest


def value_rows(values: Sequence[ValueRecord]) -> list[ValueRow]:
    """The rows :meth:`Ledger.add_batch` stores, built column by column (``zip`` over the named
    tuples): few distinct periods, spelled and dated once each (keyed by object id), among up to
    100 000s of values. A value's ``area`` is the area it is keyed by (``None`` or ``''``: the city)."""
    return list(zip(*_value_columns(values), strict=True)) if values else []


def _value_columns(values: Sequence[ValueRecord]) -> list[Sequence[Any]]:
    """The columns of :func:`value_rows` (at least one value)."""
    indicators, periods, agencies, numbers, units, cells, raws, below, notes, areas, growths, lasts = zip(
        *values, strict=True)
    texts = {key: (str(p), p.end.isoformat()) for key, p in dict(zip(map(id, periods), periods, strict=True)).items()}
    spelled = list(map(texts.__getitem__, map(id, periods)))
    return [indicators, list(map(_FIRST, spelled)), list(map(_SECOND, spelled)), agencies, numbers, units,
            list(map(int, below)), cells, raws, [area or "" for area in areas], growths, lasts, notes]


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)
_MEASURES = (10, 11)
"""Where growth and last year's figure stand in a value row."""


def _column_chunks(values: Sequence[ValueRecord]) -> Iterator[list[Sequence[Any]]]:
    """The columns of :func:`value_rows` of ``values``, :data:`ROWS_CHUNK` rows at a time and in order:
    how a batch is staged and digested without every row as stored held at once."""
    for start in range(0, len(values), ROWS_CHUNK):
        yield _value_columns(values[start:start + ROWS_CHUNK])


def value_row_chunks(values: Sequence[ValueRecord]) -> Iterator[list[ValueRow]]:
    """:func:`value_rows` of ``values``, :data:`ROWS_CHUNK` at a time and in order."""
    for columns in _column_chunks(values):
        yield list(zip(*columns, strict=True))


def insert_chunks(values: Sequence[ValueRecord]) -> Iterator[tuple[bool, list[tuple[Any, ...]]]]:
    """:func:`value_row_chunks` for an ``INSERT``: each chunk with whether its rows keep their growth
    and last year's figure (``True``) or leave both out (``False``: no row of the chunk has either,
    so they are NULL without being bound — the sqlite3 module looks for an adapter for each
    ``None`` it binds, 0.15 s per 100,000 rows for the two)."""
    for columns in _column_chunks(values):
        measured = any(columns[i].count(None) < len(columns[i]) for i in _MEASURES)
        if not measured:
            columns = [column for i, column in enumerate(columns) if i not in _MEASURES]
        yield measured, list(zip(*columns, strict=True))


def records_digest(values: Sequence[ValueRecord], tasks: Sequence[TaskRow]) -> str:
    """:func:`rows_digest` of the value rows :meth:`Ledger.add_batch` stores for ``values`` (built
    a chunk at a time, as columns) and of ``tasks`` (task rows as stored)."""
    digest = RowsDigest()
    for columns in _column_chunks(values):
        digest.add_columns(columns)
    return digest.hexdigest(tasks)


def task_rows(tasks: Sequence[TaskRecord]) -> list[TaskRow]:
    return [(t.plan, t.task, t.agency, str(t.period), t.period.end.isoformat(), t.status, t.progress, t.issues,
             t.next_steps, t.where) for t in tasks]


def stored_rows(values: Sequence[ValueRecord], tasks: Sequence[TaskRecord]) -> tuple[list[ValueRow], list[TaskRow]]:
    """The rows :meth:`Ledger.add_batch` would store for ``values`` and ``tasks`` (periods already
    points), in order: what :func:`rows_digest` and ``ledger verify --deep`` compare."""
    return value_rows(values), task_rows(tasks)


BATCH_COLUMNS = """id, file, sha256, agency, period, layout, imported_at, reporter, phone, filled_on, plan_version,
                   imported, updated, unchanged, tasks, warnings, archive, received, received_source, backfill,
                   accepted, accept_reason, reviewer"""
"""The columns :func:`batch_row` fills, in its order."""
READ_BATCH_COLUMNS = """id, file, sha256, agency, period, layout, imported_at, reporter, phone, filled_on,
                        imported, updated, unchanged, tasks, warnings, archive,
                        received, received_source, backfill, accepted, accept_reason, reviewer"""
"""The columns :func:`batch_from_row` reads, in its order."""


def batch_row(batch_id: int, batch: NewBatch, archive: str, imported_at: str) -> tuple[Any, ...]:
    """The batch row as both backends store it (:data:`BATCH_COLUMNS`)."""
    received = batch.received or office_day(batch.imported_at)
    return (batch_id, batch.file, batch.sha256, batch.agency, str(batch.period) if batch.period else None,
            batch.layout, imported_at, batch.reporter, batch.phone,
            batch.filled_on.isoformat() if batch.filled_on else None, batch.plan_version,
            batch.imported, batch.updated, batch.unchanged, batch.tasks, batch.warnings, archive,
            received.isoformat(), batch.received_source, int(batch.backfill),
            json.dumps([a.as_dict() for a in batch.accepted], ensure_ascii=False), batch.accept_reason, batch.reviewer)


def iso_time(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("imported_at must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))




@functools.lru_cache(maxsize=4096)
def stored_period(text: str) -> Period:
    # Few distinct periods across many rows: parse each spelling once.
    try:
        return Period.parse(text)
    except PeriodError:
        raise LedgerError(f"台账中的期别无法识别：{text!r}（台账可能已损坏）") from None


def task_from_row(row: Sequence[Any]) -> StoredTask:
    return StoredTask(plan=row[0], task=int(row[1]), agency=row[2], period=stored_period(row[3]), status=row[4],
                      progress=row[5], issues=row[6], next_steps=row[7], batch=int(row[8]),
                      imported_at=parse_time(row[9]), superseded=bool(row[10]))


def received_day(text: str | None, imported_at: dt.datetime) -> dt.date:
    """The day a batch counts as received: as recorded, or (a batch recorded before schema v4) its import day."""
    return dt.date.fromisoformat(text) if text else office_day(imported_at)


def _accepted(text: str) -> tuple[AcceptedCell, ...]:
    try:
        raw = json.loads(text)
        return tuple(AcceptedCell(str(a["where"]), str(a["code"]), str(a["message"])) for a in raw)
    except (ValueError, TypeError, KeyError):
        raise LedgerError(f"台账中批次的放行记录无法识别：{text[:80]!r}（台账可能已损坏）") from None


def batch_from_row(row: Sequence[Any]) -> Batch:
    imported_at = parse_time(row[6])
    return Batch(id=int(row[0]), file=row[1], sha256=row[2], agency=row[3],
                 period=stored_period(row[4]) if row[4] else None, layout=row[5], imported_at=imported_at,
                 reporter=row[7], phone=row[8], filled_on=dt.date.fromisoformat(row[9]) if row[9] else None,
                 imported=int(row[10]), updated=int(row[11]), unchanged=int(row[12]), tasks=int(row[13]),
                 warnings=int(row[14]), archive=row[15], received=received_day(row[16], imported_at),
                 received_source=row[17], backfill=bool(row[18]), accepted=_accepted(row[19]), accept_reason=row[20],
                 reviewer=row[21], missing_contacts=tuple(
                     label for label, text in zip(CONTACT_LABELS.values(), (row[7], row[8], row[21]), strict=True)
                     if not text))


def decision_from_row(row: Sequence[Any]) -> Decision:
    """A decision row (id, batch, decision, by, at, note): a rejection's note is its reason."""
    rejected = row[2] == "rejected"
    return Decision(id=int(row[0]), batch=int(row[1]), decision=row[2], by=row[3], at=parse_time(row[4]),
                    note="" if rejected else row[5], reason=row[5] if rejected else "")
