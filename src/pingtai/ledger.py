"""The ledger: an append-only SQLite record of every accepted return — the only module with SQL.

Each accepted file is a *batch* (file name, sha256, agency, period, time, counts); every value and
task-progress line it carried points to its batch. Nothing is ever updated or deleted (triggers
refuse it): a corrected return is a newer batch, and the *current* value of a key
``(indicator, area, period, agency)`` (:class:`pingtai.series.ValueKey`: ``agency`` is who reported,
``area`` whose territory — ``''`` for the city) is the row of the newest batch that reported it.
Superseded rows stay, so ``history`` can show every figure ever received.

Every accepted file is also copied, content-addressed, into ``archive/`` beside the database
(``archive/ab/abcdef….xlsx`` by sha256) with a manifest entry (batch id, original name, time,
options, a digest of its rows) before the batch's transaction commits, so the ledger can be
rebuilt from the archive alone and a crash leaves at worst an archived file without its batch,
never a batch without its file (:mod:`pingtai.archive` has the layout and the order of writes).
A new ledger is never started beside an archive that already records batches: that is a lost
ledger, to be rebuilt.

Returns go through review (``pingtai accept`` / ``reject``, ``pingtai ledger set review``): each
decision and setting is appended to ``decision`` / ``setting`` and to the decisions log in the archive
(:mod:`pingtai.archive`). A batch that is pending or rejected does not count: every read of current
values, task lines and receipts leaves it out through one condition (:meth:`Ledger.review_states`), so
the *current* value of a key is the row of the newest batch **that counts**.

``pingtai check --new-only`` records each run here too (``check_run``, ``check_finding``: the key
and fingerprint of every finding it saw), so the next run can tell what is new.

The schema evolves through numbered migrations recorded in ``PRAGMA user_version``; a ledger written
by a newer pingtai is refused untouched. Keeping every statement here means the same schema can get
a PostgreSQL backend later without touching the importer or the commands.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import operator
import os
import shutil
import sqlite3
import threading
import urllib.parse
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pingtai import archive
from pingtai.archive import ManifestEntry
from pingtai.archive import archive_name as archive_name  # re-exported: part of this module's API
from pingtai.errors import LedgerError, text_name
from pingtai.gcutil import gc_paused
from pingtai.periods import Period, PeriodError, office_day
from pingtai.safe_write import os_reason

if TYPE_CHECKING:  # read returns are the importer's; status never imports them
    from pingtai.records import TaskRecord, ValueRecord

LEDGER_FILE = "ledger.sqlite3"
WRITE_CACHE_KIB = 64 * 1024
"""SQLite's page cache for a connection that writes (KiB): enough for a 100 000-value batch."""
BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another import (or a reader's checkpoint) before giving up."""

_VALUE_TABLE = """
CREATE TABLE value (
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    period_end TEXT NOT NULL,
    agency TEXT NOT NULL,
    value REAL NOT NULL,
    unit TEXT NOT NULL,
    below_unit INTEGER NOT NULL DEFAULT 0 CHECK (below_unit IN (0, 1)),
    cell TEXT NOT NULL,
    raw TEXT NOT NULL
)"""

_SCHEMA_V1: tuple[str, ...] = (
    """
    CREATE TABLE batch (
        id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        agency TEXT,
        period TEXT,
        layout TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        reporter TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        filled_on TEXT,
        plan_version TEXT NOT NULL DEFAULT '',
        imported INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        tasks INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        archive TEXT NOT NULL
    )""",
    _VALUE_TABLE,
    # The key plus batch_id: "newest batch per key" is a seek to the end of one index range, and
    # one batch cannot report the same key twice.
    "CREATE UNIQUE INDEX value_key ON value (indicator, period, agency, batch_id)",
    "CREATE INDEX value_batch ON value (batch_id)",
    """
    CREATE TABLE task_progress (
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        plan TEXT NOT NULL,
        task INTEGER NOT NULL,
        agency TEXT NOT NULL,
        period TEXT NOT NULL,
        period_end TEXT NOT NULL,
        status TEXT CHECK (status IS NULL OR status IN ('not_started', 'in_progress', 'done', 'late')),
        progress TEXT NOT NULL DEFAULT '',
        issues TEXT NOT NULL DEFAULT '',
        next_steps TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX task_key ON task_progress (plan, task, agency, period, batch_id)",
    "CREATE INDEX task_batch ON task_progress (batch_id)",
    *(
        f"""
        CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table}
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
        for table in ("batch", "value", "task_progress")
        for action in ("UPDATE", "DELETE")
    ),
)

_SCHEMA_V2: tuple[str, ...] = (
    # pingtai check --new-only: each run and the findings it saw, so the next run reports only
    # what is new or changed. Append-only like the rest; a run and its findings are one transaction.
    """
    CREATE TABLE check_run (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        scope TEXT NOT NULL,
        findings INTEGER NOT NULL DEFAULT 0,
        reported INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX check_run_scope ON check_run (scope, id)",
    """
    CREATE TABLE check_finding (
        run_id INTEGER NOT NULL REFERENCES check_run(id),
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    )""",
    *(
        f"""
        CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table}
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
        for table in ("check_run", "check_finding")
        for action in ("UPDATE", "DELETE")
    ),
)

_RECEIVED_SOURCES = """
    SELECT agency, period, id AS batch_id FROM batch WHERE agency IS NOT NULL AND period IS NOT NULL
    UNION ALL SELECT DISTINCT agency, period, batch_id FROM value
    UNION ALL SELECT DISTINCT agency, period, batch_id FROM task_progress"""
"""Every ``(agency, period, batch)`` that says a return was received: what ``received`` summarises."""

_SCHEMA_V3: tuple[str, ...] = (
    # Returns received, kept as batches are added: the first batch that brought each (agency,
    # period). Reading it replaces a pass over every value row on each status, report and check
    # (≈ 30 ms at 100,000 values, ≈ 0.3 s at a million); keeping it costs an import one DISTINCT
    # over its own rows, done by the thread that copies them (Ledger.stage).
    """
    CREATE TABLE received (
        agency TEXT NOT NULL,
        period TEXT NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        PRIMARY KEY (agency, period)
    ) WITHOUT ROWID""",
    f"""
    INSERT INTO received (agency, period, batch_id)
    SELECT agency, period, MIN(batch_id) FROM ({_RECEIVED_SOURCES}) GROUP BY agency, period""",
    *(
        f"""
        CREATE TRIGGER received_append_only_{action.lower()} BEFORE {action} ON received
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
        for action in ("UPDATE", "DELETE")
    ),
)

_SCHEMA_V4: tuple[str, ...] = (
    # When each return was received, as the office would defend it (import --received, else the date
    # the return carries, else the import day; received_source says which), whether it is a back-fill
    # of history (values count, timeliness does not), and the figures let through although the unit
    # -slip gate refused them (import --accept), with the reason given. A batch of an older ledger
    # keeps its meaning: received NULL is its import day (Beijing time), from the import.
    "ALTER TABLE batch ADD COLUMN received TEXT",
    "ALTER TABLE batch ADD COLUMN received_source TEXT NOT NULL DEFAULT 'import'"
    " CHECK (received_source IN ('option', 'return', 'import'))",
    "ALTER TABLE batch ADD COLUMN backfill INTEGER NOT NULL DEFAULT 0 CHECK (backfill IN (0, 1))",
    "ALTER TABLE batch ADD COLUMN accepted TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE batch ADD COLUMN accept_reason TEXT NOT NULL DEFAULT ''",
)

_SCHEMA_V5: tuple[str, ...] = (
    # Every value gets its dimensions: the area it is for ('' = the city: every value recorded before
    # is the city's, as no area could be stored), the growth the return reported beside it (同比, in
    # percent), last year's figure it reported (上年同期, in the indicator's unit) and its note. The key
    # index gains the area, so an area's figure and the city's are two keys; one unit's figures of an
    # indicator for an area lie together in it (its series: what the dashboard reads of an owner).
    "ALTER TABLE value ADD COLUMN area TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE value ADD COLUMN growth REAL",
    "ALTER TABLE value ADD COLUMN last_year REAL",
    "ALTER TABLE value ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    "DROP INDEX value_key",
    "CREATE UNIQUE INDEX value_key ON value (indicator, area, agency, period, batch_id)",
)

def _append_only(*tables: str) -> tuple[str, ...]:
    """The triggers that refuse to update or delete rows of ``tables``."""
    return tuple(f"""
        CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table}
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
                 for table in tables for action in ("UPDATE", "DELETE"))


_SCHEMA_V6: tuple[str, ...] = (
    # Review (pingtai accept / reject / ledger set review): who checked the return (审核人), each
    # decision on a batch and each setting, appended — the newest decision on a batch is its state,
    # the newest row of a setting its value. ``after_batch`` is the newest batch id when the row was
    # written: which batches a setting governs, and where a rebuild replays the row among the imports.
    "ALTER TABLE batch ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
    """
    CREATE TABLE decision (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        after_batch INTEGER NOT NULL
    )""",
    "CREATE INDEX decision_batch ON decision (batch_id, id)",
    """
    CREATE TABLE setting (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL,
        after_batch INTEGER NOT NULL
    )""",
    *_append_only("decision", "setting"),
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_SCHEMA_V1, _SCHEMA_V2, _SCHEMA_V3, _SCHEMA_V4, _SCHEMA_V5, _SCHEMA_V6)
"""Migration ``i`` takes a ledger from ``user_version`` i to i + 1. Append; never edit a shipped one."""
SCHEMA_VERSION = len(MIGRATIONS)


# --- what the ledger gives back -----------------------------------------------------------------


@dataclass(frozen=True)
class StoredValue:
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
    ledgers hand over a hundred thousand."""

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
    note: str
    where: str
    raw: str
    below_unit: bool


@dataclass(frozen=True)
class StoredTask:
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


@dataclass(frozen=True)
class Decision:
    """One review decision on a batch: ``accepted`` (with an optional ``note``) or ``rejected`` (with
    its ``reason``), by whom and when. The newest decision on a batch is its state."""

    id: int
    batch: int
    decision: DecisionKind
    by: str
    at: dt.datetime
    note: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Setting:
    """One change of a ledger setting: ``name`` set to ``value`` by ``by`` at ``at``, when the newest
    batch was ``after_batch`` (it governs the batches after it)."""

    id: int
    name: str
    value: str
    by: str
    at: dt.datetime
    after_batch: int


@dataclass(frozen=True)
class RejectedReturn:
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


@dataclass(frozen=True)
class AcceptedCell:
    """A figure the unit-slip gate refused and ``import --accept`` let through: where, why (code), the text."""

    where: str
    code: str
    message: str


@dataclass(frozen=True)
class Batch:
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


@dataclass(frozen=True)
class SeenFinding:
    """A finding as a check run recorded it: its stable key, what makes it "changed", kind, severity."""

    key: str
    fingerprint: str
    kind: str
    severity: str


@dataclass(frozen=True)
class CheckRun:
    """One recorded ``pingtai check --new-only`` run: when, for which date and plans, how many findings
    it saw and how many it reported (new or changed since the previous run of the same scope)."""

    id: int
    started_at: dt.datetime
    as_of: dt.date
    scope: str
    findings: int
    reported: int


@dataclass(frozen=True)
class NewBatch:
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


def resolve_db_path(explicit: Path | None) -> Path:
    """``explicit`` (``--db``), else ``PINGTAI_DB``, else :func:`default_db_path`."""
    if explicit is not None:
        return explicit
    env = os.environ.get("PINGTAI_DB")
    return Path(env) if env else default_db_path()


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


def rows_digest(values: Sequence[Sequence[Any]], tasks: Sequence[TaskRow], version: int = ROWS_DIGEST) -> str:
    """sha256 over a batch's rows in the order stored: what a manifest entry records and
    ``ledger verify`` / ``ledger rebuild`` compare. ``-0.0`` counts as ``0.0`` (SQLite may store
    a whole REAL as an integer, which reads back without its sign). ``version`` 1 digests the
    columns a value row had before schema 5 (area, growth, last year and note were not kept)."""
    # column by column (json.dumps writes tuples as arrays, so the text is the same as from lists)
    columns: list[Sequence[Any]] = list(zip(*values, strict=True))
    if columns:
        if version == 1:
            columns = columns[:_V1_COLUMNS]
        columns[4] = [float(number) + 0.0 for number in columns[4]]
        if len(columns) > _V1_COLUMNS:
            for measure in (10, 11):  # growth and last year: numbers, or nothing reported
                columns[measure] = [None if number is None else float(number) + 0.0 for number in columns[measure]]
    canonical = list(zip(*columns, strict=True))
    text = json.dumps([canonical, tasks], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- the ledger itself --------------------------------------------------------------------------


_STAGED = "pingtai_staged_values"
_VALUE_COLUMNS = "indicator, period, period_end, agency, value, unit, below_unit, cell, raw, area, growth, last_year, note"


class StagedRows:
    """A batch's rows on their way into the ledger (:meth:`Ledger.stage`): the rows as stored (for
    the digest), and the helper thread copying the value rows into place."""

    def __init__(self, batch_id: int, values: list[ValueRow], tasks: list[TaskRow]) -> None:
        self.batch_id = batch_id
        self.values = values
        self.tasks = tasks
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, db: sqlite3.Connection, *statements: str) -> None:
        def copy() -> None:
            try:
                for statement in statements:
                    db.execute(statement)
            except BaseException as exc:  # raised in the thread that waits
                self._error = exc

        self._thread = threading.Thread(target=copy, name="pingtai-copy-rows", daemon=True)
        self._thread.start()

    def wait(self) -> BaseException | None:
        """Wait for the copy; what it raised, if anything."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self._error


class Ledger:
    """An open ledger. Use :meth:`open`; close it, or use it as a context manager.

    Reads return plain dataclasses. Writes happen inside :meth:`transaction` (``BEGIN IMMEDIATE``),
    which the importer holds while it compares a file with the current values and records it, so
    two imports running at once never judge against a stale state.
    """

    def __init__(self, connection: sqlite3.Connection, path: Path | None, readonly: bool) -> None:
        # ``connection`` must be made with check_same_thread=False (rows are copied in a helper thread)
        self._db = connection
        self.path = path
        """The database file, or ``None`` for the empty stand-in of a ledger that does not exist yet."""
        self.readonly = readonly
        self._name = text_name(path.name) if path is not None else ""
        """The ledger's name in archive manifest entries (a rebuild's temporary file uses the target's)."""
        self._immutable = False
        """Opened as immutable because its directory cannot be written (see :meth:`_open_immutable`)."""
        self._staged: list[str] = []
        """sha256 of the files whose manifest entries this transaction wrote to ``pending/``."""
        self._stored: list[str] = []
        """Archive paths of the files this transaction copied in (removed again if it rolls back)."""
        self._log_mark: int | None = None
        """The decisions log's size before this transaction appended to it (cut back if it rolls back)."""
        self._copying: StagedRows | None = None
        """Rows being copied into place in the background (:meth:`stage`); waited for before any
        other use of the connection."""

    # --- opening -------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, create: bool = True, readonly: bool = False) -> Ledger:
        """Open (and, with ``create``, create and migrate) the ledger at ``path``.

        A missing (or empty) file opened with ``create=False`` or ``readonly=True`` gives an empty,
        in-memory ledger that leaves no file behind (a dry run; reading commands refuse a missing
        ledger before they open it, :class:`pingtai.service.Store`). ``readonly``
        makes the connection query-only (dry runs, reports); an existing ledger opened without it
        is migrated to the current schema. Raises
        :class:`LedgerError` for a file that is not SQLite, a schema newer than this pingtai, or a
        database that cannot be opened or created — and for a missing ledger whose archive
        records its batches (a lost ledger: reading it as empty would hide everything, starting a
        new one would fork the record).
        """
        return cls._open(path, create=create, readonly=readonly, rebuild_of=None)

    @classmethod
    def create_for_rebuild(cls, path: Path, name: str) -> Ledger:
        """Create the new ledger ``path`` that ``ledger rebuild`` fills from the archive beside it
        and then renames to ``name`` (its archive entries already carry that name)."""
        return cls._open(path, create=True, readonly=False, rebuild_of=name)

    @classmethod
    def _open(cls, path: Path, *, create: bool, readonly: bool, rebuild_of: str | None) -> Ledger:
        if rebuild_of is None and _missing(path) and archive.records_ledger(path.parent, text_name(path.name)) and _missing(path):
            # Checked in this order: a committed entry means its ledger existed when it was written,
            # so another process creating the ledger meanwhile is seen by the second look.
            raise LedgerError(f"台账 {path} 不存在或为空，但其旁边的归档中已记录了导入批次：台账可能已丢失或被移走",
                              hint="请运行 pingtai ledger rebuild 从归档重建台账，或用 --db / PINGTAI_DB 指向原来的台账。")
        if not path.exists() and (readonly or not create):
            return cls._empty()
        if (readonly or not create) and path.is_file() and path.stat().st_size == 0:
            return cls._empty()  # an empty file is an empty SQLite database: nothing recorded yet
        if path.exists() and path.is_dir():
            raise LedgerError(f"台账路径是目录，不是数据库文件：{path}", hint="请用 --db 或 PINGTAI_DB 指向一个文件。")
        if path.exists() and _unwritable_directory(path):
            # SQLite's WAL readers create a -shm file beside the database: where the directory (or
            # the whole filesystem) cannot be written, read the file as immutable; refuse a write
            # by naming the directory, not with SQLite's "unable to open database file".
            if readonly or not create:
                return cls._open_immutable(path)
            raise _unwritable(path)
        if not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LedgerError(f"无法创建台账目录 {path.parent}：{os_reason(exc)}") from None
            if not os.access(path.parent, os.W_OK):
                raise _unwritable(path)
        try:
            # Read-only ledgers use an ordinary connection made query-only: SQLite can then tidy
            # its -wal/-shm files on close, so a read (or a dry run) leaves no trace on disk.
            # check_same_thread off: a batch's rows are copied into place by a helper thread while
            # this one computes their digest (see stage()); never two threads on it at once.
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as exc:
            raise _sqlite_error(path, exc, "打开") from None
        ledger = cls(connection, path, readonly)
        ledger._name = rebuild_of or text_name(path.name)
        return ledger._ready(migrate=create and not readonly)

    def _ready(self, *, migrate: bool) -> Ledger:
        """Check (and, if asked, migrate) the schema of a just-opened ledger; return the ledger to use.

        A database with no schema yet (another process is creating the ledger right now) holds
        nothing recorded yet, like a missing file — reading it must not fail or migrate it.
        """
        try:
            fresh = self._prepare(migrate=migrate)
        except BaseException:
            self._db.close()
            raise
        if fresh:
            self._db.close()
            return self._empty()
        return self

    @classmethod
    def _open_immutable(cls, path: Path) -> Ledger:
        """Read a ledger on read-only media (a read-only mount, a backup drive): SQLite cannot
        create the -shm file WAL mode needs, so the file is opened as immutable — safe, since
        nothing can write there — unless a -wal file holds changes not yet merged into it."""
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise LedgerError(f"台账为只读，且其日志文件 {wal.name} 中有尚未合并的数据，无法可靠读取：{path}",
                              hint="请在可写的位置打开一次（例如复制台账及其 -wal 文件到可写目录）。")
        uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro&immutable=1"
        try:
            connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise _sqlite_error(path, exc, "打开") from None
        ledger = cls(connection, path, readonly=True)
        ledger._immutable = True
        return ledger._ready(migrate=False)

    @classmethod
    def _empty(cls) -> Ledger:
        connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        ledger = cls(connection, None, readonly=True)
        ledger._migrate(0)
        return ledger

    def _prepare(self, *, migrate: bool) -> bool:
        """Check the file is a ledger this pingtai can use and set the connection up; migrate it
        when ``migrate`` (an existing ledger of an older schema is migrated too, unless read-only).
        Returns ``True`` for a database without any schema when not ``migrate``."""
        where = str(self.path)
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Reading the version first touches nothing, so a foreign or newer file stays as it was.
            # One statement, one snapshot: read apart, another process creating the ledger could
            # commit its first migration in between (version 0 seen, then its tables).
            row = self._db.execute(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                " (SELECT json_group_array(name) FROM sqlite_master WHERE type = 'table')").fetchone()
            version = int(row[0])
            tables = set(json.loads(row[1]))
        except sqlite3.DatabaseError as exc:
            raise _sqlite_error(self.path, exc, "读取") from None
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"台账 {where} 由更新版本的 pingtai 创建（结构版本 {version}，本版支持 {SCHEMA_VERSION}），未作任何改动",
                hint="请升级 pingtai 后再使用此台账。")
        if version == 0 and tables:
            raise LedgerError(f"不是 pingtai 台账：{where} 是另一个 SQLite 数据库（含表 {'、'.join(sorted(tables)[:5])}）",
                              hint="请用 --db 或 PINGTAI_DB 指向 pingtai 的台账文件，或指向一个新文件名。")
        if version == 0 and not migrate:
            return True
        self._db.execute("PRAGMA foreign_keys = ON")
        if self.readonly:
            self._db.execute("PRAGMA query_only = ON")
            if version < SCHEMA_VERSION:
                self._upgrade_aside(version)
            return False
        try:
            if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            # A batch of 100 000 values touches ≈ 20 MB of table and index pages: with SQLite's
            # default 2 MB cache it spills them to the WAL mid-transaction and reads them back
            # (≈ 100 000 extra page writes and reads). The cache grows only as pages are used.
            self._db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            self._db.execute("PRAGMA temp_store = MEMORY")  # the staged rows (see stage())
            self._migrate(version)
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        # A ledger opened for writing heals what a kill right after a COMMIT left (no lock needed:
        # only entries whose batch is committed are moved), even if this run then writes nothing.
        self._finish_interrupted()
        return False

    def _upgrade_aside(self, version: int) -> None:
        """A read-only open found an older schema (pingtai was updated since the ledger was last
        written): migrate it through a separate, writing connection where the file can be written,
        so a reading command (status, a dry run) works at once; else refuse, saying how to upgrade.
        This connection reads the new schema afterwards (SQLite notices the change)."""
        path = self.path
        if path is None or self._immutable or not os.access(path, os.W_OK) or _unwritable_directory(path):
            raise LedgerError(f"台账 {path} 结构版本较旧（{version}），只读方式下无法升级",
                              hint="请在可写的位置运行一次 pingtai import（非试运行）或任一读取台账的命令（如 pingtai batches）以升级台账结构。")
        Ledger._open(path, create=True, readonly=False, rebuild_of=None).close()

    def _migrate(self, version: int) -> None:
        if version >= SCHEMA_VERSION:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    def root(self) -> Path | None:
        """The directory holding the database and its ``archive/``."""
        return self.path.parent if self.path is not None else None

    @property
    def name(self) -> str:
        """The ledger's name as its archive's manifest entries record it (a rebuild: the target's)."""
        return self._name

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # --- reading -------------------------------------------------------------------------------
    _VALUE_ROW = ("v.indicator, v.period, v.agency, v.value, v.unit, v.batch_id, v.cell, v.raw, v.below_unit, v.area,"
                  " v.growth, v.last_year, v.note")

    def _values(self, sql: str, params: Sequence[Any]) -> list[StoredValue]:
        """Run a query selecting :attr:`_VALUE_ROW` plus a superseded flag; attach each row's batch."""
        rows = self._query(sql, params)
        if not rows:
            return []
        sources = {row[0]: (row[1], _timestamp(row[2])) for row in self._query("SELECT id, file, imported_at FROM batch", [])}
        states = self.review_states()
        if states:  # marked, with the reason of a rejection
            reasons = {d.batch: d.reason for d in self.decisions()}
            return [replace(value, state=states[value.batch], reason=reasons.get(value.batch, "")
                            if states[value.batch] == "rejected" else "") if value.batch in states else value
                    for value in self._plain_values(rows, sources)]
        return self._plain_values(rows, sources)

    @staticmethod
    def _plain_values(rows: list[Any], sources: dict[int, tuple[str, dt.datetime]]) -> list[StoredValue]:
        with gc_paused():  # hundreds of thousands of acyclic objects: see pingtai.gcutil
            return [StoredValue(indicator=row[0], period=_period(row[1]), agency=row[2], value=float(row[3]),
                                unit=row[4], batch=row[5], file=sources[row[5]][0], imported_at=sources[row[5]][1],
                                where=row[6], raw=row[7], below_unit=bool(row[8]), area=row[9], growth=row[10],
                                last_year=row[11], note=row[12], superseded=bool(row[13]))
                    for row in rows]

    def current_values(self, indicators: Collection[str] | None = None, *, areas: Collection[str] | None = None,
                       agencies: Collection[str] | None = None, periods: Collection[Period] | None = None,
                       series: Collection[tuple[str, str, str]] | None = None,
                       detail: bool = True) -> list[CurrentValue]:
        """The newest value of each key ``(indicator, area, period, agency)``, ordered by indicator, area,
        agency, then period as spelled (``2024`` before ``2024H1``): the order of ``value_key``.

        ``indicators``, ``areas`` (``''``: the city), ``agencies`` and ``periods`` (points, see
        :meth:`Period.as_point`) restrict the result, and so does ``series`` — ``(indicator, area,
        agency)``: one unit's figures of an indicator for an area, each a range of ``value_key``;
        every filter is pushed into the query, which matters on large ledgers. Without ``detail`` the
        texts a value carries — its note, cell and the figure as written — are left empty
        (``below_unit`` false): the dashboard judges figures and reads none of them.

        A row is current when no row of its key comes from a newer batch: ``NOT EXISTS`` is one seek
        past it in ``value_key`` (none for a row of the newest batch, which no batch is newer than);
        import times come from one read of the (much smaller) batch table instead of a join per row.
        Which of these values counts is not decided here: that is the rule of :mod:`pingtai.series`.
        """
        texts = "v.note, v.cell, v.raw, v.below_unit" if detail else "'', '', '', 0"
        keys = sorted(set(series)) if series is not None else []
        if series is not None and not keys:
            return []
        # With ``series`` the wanted keys drive the query (a seek each) and a row names its series by number:
        # the series' own strings are then shared by its rows, not decoded again for each.
        named, joined = "v.indicator, v.area, v.agency", ""
        if keys:
            named = "s.n"
            joined = """JOIN (SELECT CAST(key AS INTEGER) AS n, json_extract(value, '$[0]') AS indicator,
                                     json_extract(value, '$[1]') AS area, json_extract(value, '$[2]') AS agency
                              FROM json_each(?)) s
                        ON v.indicator = s.indicator AND v.area = s.area AND v.agency = s.agency"""
        # only batches that count (review): a row of one left out is never current, nor hides an older one
        states = self.review_states()
        sql = f"""
            SELECT {named}, v.period, v.value, v.unit, v.batch_id, v.growth, v.last_year, {texts}
            FROM value v {joined}
            WHERE (v.batch_id = (SELECT MAX(batch_id) FROM value)
                   OR NOT EXISTS (SELECT 1 FROM value x WHERE x.indicator = v.indicator AND x.area = v.area
                                  AND x.agency = v.agency AND x.period = v.period AND x.batch_id > v.batch_id
                                  {self._counting("x.batch_id", states)})) {self._counting("v.batch_id", states)}"""
        params = [json.dumps(keys, ensure_ascii=False)] if keys else []
        for column, wanted in (("indicator", indicators), ("area", areas), ("agency", agencies),
                               ("period", None if periods is None else [str(p.as_point()) for p in periods])):
            if wanted is None:
                continue
            chosen = sorted(set(wanted))
            if not chosen:
                return []
            sql += f" AND v.{column} IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(chosen, ensure_ascii=False))
        rows = self._query(sql + (" ORDER BY s.n, v.period" if keys else " ORDER BY v.indicator, v.area, v.agency, v.period"),
                           params)
        if not rows:
            return []
        stamps = {row[0]: _timestamp(row[1]) for row in self._query("SELECT id, imported_at FROM batch", [])}
        with gc_paused():  # a hundred thousand acyclic tuples: see pingtai.gcutil
            if keys:
                return [CurrentValue(keys[row[0]][0], keys[row[0]][1], _period(row[1]), keys[row[0]][2], float(row[2]),
                                     row[3], row[4], stamps[row[4]], row[5], row[6], row[7], row[8], row[9],
                                     bool(row[10])) for row in rows]
            return [CurrentValue(row[0], row[1], _period(row[3]), row[2], float(row[4]), row[5], row[6],
                                 stamps[row[6]], row[7], row[8], row[9], row[10], row[11], bool(row[12]))
                    for row in rows]

    def period_counts(self, areas: Collection[str] | None = None) -> dict[str, int]:
        """How many periods (as spelled) the ledger holds values for, per indicator (of ``areas`` only, when
        given), whoever reported them: one pass over ``value_key``, no value read."""
        sql, params = f"SELECT indicator, COUNT(DISTINCT period) FROM value WHERE 1 = 1{self._counting('batch_id')}", []
        if areas is not None:
            if not areas:
                return {}
            sql += " AND area IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(sorted(set(areas)), ensure_ascii=False))
        return dict(self._query(sql + " GROUP BY indicator", params))

    def history(self, indicator: str) -> list[StoredValue]:
        """Every value ever recorded for ``indicator``, superseded ones flagged; by period, then batch."""
        sql = f"""
            SELECT {self._VALUE_ROW}, v.batch_id < MAX({self._if_counting("v.batch_id")})
                                                   OVER (PARTITION BY v.area, v.period, v.agency)
            FROM value v WHERE v.indicator = ?
            ORDER BY v.period_end, v.period, v.batch_id, v.area, v.agency"""
        return self._values(sql, [indicator])

    def current_tasks(self) -> list[StoredTask]:
        """The newest progress line per ``(plan, task, agency, period)``, by plan, task, period, agency."""
        sql = f"""
            SELECT t.plan, t.task, t.agency, t.period, t.status, t.progress, t.issues, t.next_steps,
                   t.batch_id, b.imported_at, 0
            FROM task_progress t JOIN batch b ON b.id = t.batch_id
            WHERE t.batch_id = (SELECT MAX(u.batch_id) FROM task_progress u
                                WHERE u.plan = t.plan AND u.task = t.task AND u.agency = t.agency
                                  AND u.period = t.period{self._counting("u.batch_id")})
            ORDER BY t.plan, t.task, t.period_end, t.period, t.agency"""
        return [_stored_task(row) for row in self._query(sql, [])]

    def task_history(self, plan: str | None = None) -> list[StoredTask]:
        """Every progress line ever recorded (of one plan, or all), superseded ones flagged."""
        sql = f"""
            SELECT t.plan, t.task, t.agency, t.period, t.status, t.progress, t.issues, t.next_steps,
                   t.batch_id, b.imported_at,
                   t.batch_id < MAX({self._if_counting("t.batch_id")}) OVER (PARTITION BY t.plan, t.task, t.agency, t.period)
            FROM task_progress t JOIN batch b ON b.id = t.batch_id"""
        params: list[str] = []
        if plan is not None:
            sql += " WHERE t.plan = ?"
            params = [plan]
        sql += " ORDER BY t.plan, t.task, t.period_end, t.period, t.batch_id, t.agency"
        return [_stored_task(row) for row in self._query(sql, params)]

    _BATCH_COLUMNS = """id, file, sha256, agency, period, layout, imported_at, reporter, phone, filled_on,
                        imported, updated, unchanged, tasks, warnings, archive,
                        received, received_source, backfill, accepted, accept_reason, reviewer"""

    def batches(self) -> list[Batch]:
        """Every batch, oldest first, with its review state and decisions."""
        return self._reviewed(self._query(f"SELECT {self._BATCH_COLUMNS} FROM batch ORDER BY id", []))

    def batch(self, batch_id: int) -> Batch | None:
        """Batch ``batch_id`` with its review state and decisions, if there is one."""
        rows = self._reviewed(self._query(f"SELECT {self._BATCH_COLUMNS} FROM batch WHERE id = ?", [batch_id]))
        return rows[0] if rows else None

    def batch_by_sha256(self, sha256: str) -> Batch | None:
        """The batch that recorded a file with these bytes, if any."""
        rows = self._reviewed(self._query(f"SELECT {self._BATCH_COLUMNS} FROM batch WHERE sha256 = ?", [sha256]))
        return rows[0] if rows else None

    def _reviewed(self, rows: Sequence[Any]) -> list[Batch]:
        """Batch rows as :class:`Batch`, each with its review state and decisions."""
        if not rows:
            return []
        states = self.review_states()
        decided: dict[int, list[Decision]] = {}
        if states or self._query("SELECT 1 FROM decision LIMIT 1", []):
            for decision in self.decisions():
                decided.setdefault(decision.batch, []).append(decision)
        batches = [_batch(row) for row in rows]
        if not states and not decided:
            return batches
        return [replace(b, state=states.get(b.id, "accepted"), decisions=tuple(decided.get(b.id, ())))
                for b in batches]

    def batch_values(self, batch_id: int) -> list[StoredValue]:
        """The values one batch recorded (superseded ones flagged), in the order they were stored."""
        sql = f"""
            SELECT {self._VALUE_ROW},
                   EXISTS (SELECT 1 FROM value w WHERE w.indicator = v.indicator AND w.area = v.area
                           AND w.agency = v.agency AND w.period = v.period AND w.batch_id > v.batch_id
                           {self._counting("w.batch_id")})
            FROM value v WHERE v.batch_id = ? ORDER BY v.rowid"""
        return self._values(sql, [batch_id])

    def received_returns(self) -> list[ReceivedReturn]:
        """One entry per ``(agency, period)`` ever received, with the first batch that brought it.

        A return counts as received when a batch names that agency and period, or carries a value
        or task line for them (long tables hold many). Periods are points (:meth:`Period.as_point`).
        """
        # the summary each batch keeps up to date (migration 3), not a pass over every value row
        sql = """
            SELECT r.agency, r.period, b.imported_at, b.id, b.received, b.received_source, b.backfill
            FROM received r JOIN batch b ON b.id = r.batch_id
            ORDER BY r.agency, r.period, b.id"""
        rows = self._query(sql, [])
        # A rejected return was not received: its unit and period count from the next batch that brought
        # them and is not rejected (a resubmission; one awaiting review counts, it has arrived), if any.
        rejected = {b for b, state in self.review_states().items() if state == "rejected"}
        if rejected and any(row[3] in rejected for row in rows):
            later: dict[tuple[str, str], int] = {}
            for agency, period, batch_id in self._received_since(min(rejected)):
                if batch_id not in rejected and batch_id < later.get((agency, period), batch_id + 1):
                    later[(agency, period)] = batch_id
            resubmitted = {(row[0], row[1]): later.get((row[0], row[1])) for row in rows if row[3] in rejected}
            batches = {b.id: b for b in map(self.batch, {i for i in resubmitted.values() if i is not None}) if b}
            rows = [row for row in rows if row[3] not in rejected] + [
                (agency, period, _iso(b.imported_at), b.id, b.received.isoformat(), b.received_source, b.backfill)
                for (agency, period), batch_id in resubmitted.items() if batch_id is not None
                for b in (batches[batch_id],)]
        received = []
        for row in rows:
            at = _timestamp(row[2])
            received.append(ReceivedReturn(agency=row[0], period=_period(row[1]), received_at=at, batch=row[3],
                                           received=_received_day(row[4], at), source=row[5], backfill=bool(row[6])))
        return sorted(received, key=lambda r: (r.agency, r.period.sort_key()))

    def counts(self) -> dict[str, int]:
        """Row counts of each table (``batch``, ``value``, ``task_progress``)."""
        return {table: int(self._query(f"SELECT COUNT(*) FROM {table}", [])[0][0])
                for table in ("batch", "value", "task_progress")}

    # --- review: decisions and settings --------------------------------------------------------
    # The one place that says which batches count: a batch counts unless its state (review_states)
    # is pending or rejected. Every read of current values, task lines and receipts leaves the
    # others out through _counting, so no builder filters by itself.
    def setting(self, name: str) -> str:
        """The current value of the ledger setting ``name`` (:data:`SETTINGS`; its default when never set)."""
        rows = self._query("SELECT value FROM setting WHERE name = ? ORDER BY id DESC LIMIT 1", [name])
        return str(rows[0][0]) if rows else SETTINGS[name][0]

    def settings(self) -> list[Setting]:
        """Every change of a setting, oldest first."""
        rows = self._query("SELECT id, name, value, set_by, set_at, after_batch FROM setting ORDER BY id", [])
        return [Setting(int(r[0]), r[1], r[2], r[3], _timestamp(r[4]), int(r[5])) for r in rows]

    def set_setting(self, name: str, value: str, *, by: str, at: dt.datetime) -> Setting | None:
        """Set ``name`` to ``value`` (recorded with who and when, in the ledger and its decisions log);
        ``None`` when it already had that value (nothing written). Raises :class:`UsageError` for an
        unknown setting or value, :class:`LedgerError` when the ledger cannot be written."""
        from pingtai.errors import UsageError

        if name not in SETTINGS:
            raise UsageError(f"未知的台账设置 '{name}'", hint=f"可用：{'、'.join(SETTINGS)}")
        if value not in SETTINGS[name][1]:
            raise UsageError(f"设置 {name} 的值应为 {' 或 '.join(SETTINGS[name][1])}，不是 '{value}'")
        with self.transaction():
            if self.setting(name) == value:
                return None
            ident, after = self._next_ids("setting")
            entry = archive.LogEntry(ledger=self._name, kind="setting", id=ident, after_batch=after, at=_iso(at),
                                     by=by, name=name, value=value)
            self._logged([entry])
        return Setting(ident, name, value, by, _timestamp(_iso(at)), after)

    def decisions(self, batch_id: int | None = None) -> list[Decision]:
        """Every decision (on one batch, or all), oldest first."""
        sql = "SELECT id, batch_id, decision, decided_by, decided_at, note FROM decision"
        params: list[int] = []
        if batch_id is not None:
            sql += " WHERE batch_id = ?"
            params = [batch_id]
        return [_decision(row) for row in self._query(sql + " ORDER BY id", params)]

    def record_decision(self, batch_ids: Sequence[int], decision: DecisionKind, *, by: str, at: dt.datetime,
                        note: str = "") -> tuple[list[Decision], list[int]]:
        """Record ``decision`` on each batch of ``batch_ids`` (``note``: an acceptance's note, a rejection's
        reason), by ``by`` at ``at``, in one transaction: each decision's line is appended to the
        decisions log and fsynced before its row is inserted and committed (:mod:`pingtai.archive`).

        Returns the decisions recorded and the ids of the batches left as they were — already in that
        state (a rejection: with the same reason). Raises :class:`UsageError` (exit 2) naming every id
        that is no batch, before anything is written; :class:`LedgerError` when the ledger cannot be written.
        """
        from pingtai.errors import UsageError

        wanted = list(dict.fromkeys(batch_ids))
        with self.transaction():
            known = {int(row[0]) for row in self._query("SELECT id FROM batch", [])}
            unknown = [str(i) for i in wanted if i not in known]
            if unknown:
                raise UsageError(f"没有这些批次：{'、'.join(unknown)}", hint="批次号见 pingtai batches（或 pingtai review）。")
            states = self.review_states()
            latest = {d.batch: d for d in self.decisions()}
            same = [i for i in wanted if states.get(i, "accepted") == decision
                    and (decision == "accepted" or latest[i].reason == note)]
            ident, after = self._next_ids("decision")
            entries = []
            for number, batch_id in enumerate((i for i in wanted if i not in same), start=ident):
                sha = self._query("SELECT sha256 FROM batch WHERE id = ?", [batch_id])[0][0]
                entries.append(archive.LogEntry(ledger=self._name, kind="decision", id=number, after_batch=after,
                                                at=_iso(at), by=by, batch=batch_id, sha256=sha, decision=decision,
                                                note=note))
            if entries:
                self._logged(entries)
        return [_decision((e.id, e.batch, e.decision, e.by, e.at, e.note)) for e in entries], same

    def logged_rows(self) -> list[archive.LogEntry]:
        """Every decision and setting as its line of the decisions log should record it (``previous`` left
        ``None``), in the order they were written: what ``ledger verify`` compares the log with."""
        decisions = self._query("""SELECT d.id, d.after_batch, d.decided_at, d.decided_by, d.batch_id, b.sha256,
                                          d.decision, d.note FROM decision d JOIN batch b ON b.id = d.batch_id""", [])
        settings = self._query("SELECT id, after_batch, set_at, set_by, name, value FROM setting", [])
        rows = [archive.LogEntry(ledger=self._name, kind="decision", id=int(r[0]), after_batch=int(r[1]), at=r[2], by=r[3],
                                 batch=int(r[4]), sha256=r[5], decision=r[6], note=r[7]) for r in decisions]
        rows += [archive.LogEntry(ledger=self._name, kind="setting", id=int(r[0]), after_batch=int(r[1]), at=r[2], by=r[3],
                                  name=r[4], value=r[5]) for r in settings]
        return sorted(rows, key=lambda e: (e.at, e.after_batch, e.kind, e.id))

    def replay(self, entry: archive.LogEntry) -> None:
        """Insert the row a decisions-log line records, as it was (``ledger rebuild``; the log is not
        written again). Raises :class:`LedgerError` when the row cannot be inserted (its batch missing)."""
        with self.transaction():
            self._logged([entry], log=False)

    def review_states(self) -> dict[int, ReviewState]:
        """The batches that do not count, by id: ``pending`` (imported while review was required, not yet
        decided) or ``rejected`` (the newest decision rejects it). Every other batch is accepted."""
        counts = self._query("SELECT (SELECT COUNT(*) FROM decision), (SELECT COUNT(*) FROM setting)", [])[0]
        if not counts[0] and not counts[1]:
            return {}
        states: dict[int, ReviewState] = {}
        rules = [s for s in self.settings() if s.name == "review"]
        for number, rule in enumerate(rules):
            following = rules[number + 1] if number + 1 < len(rules) else None
            if rule.value != "required":
                continue
            sql, params = "SELECT id FROM batch WHERE id > ?", [rule.after_batch]
            if following is not None:
                sql += " AND id <= ?"
                params.append(following.after_batch)
            states.update((int(row[0]), "pending") for row in self._query(sql, params))
        for batch_id, latest in {d.batch: d for d in self.decisions()}.items():
            if latest.decision == "rejected":
                states[batch_id] = "rejected"
            else:
                states.pop(batch_id, None)
        return states

    def rejected_returns(self) -> list[RejectedReturn]:
        """Returns sent back and not yet resubmitted (:class:`RejectedReturn`), by unit and period: for each
        ``(agency, period)`` a rejected batch brought, the newest such batch, unless a later batch that is
        not rejected brought the same unit and period."""
        rejected = {b for b, state in self.review_states().items() if state == "rejected"}
        if not rejected:
            return []
        brought: dict[tuple[str, str], list[int]] = {}
        for agency, period, batch_id in self._received_since(min(rejected)):
            brought.setdefault((agency, period), []).append(int(batch_id))
        latest = {d.batch: d for d in self.decisions()}
        found = []
        for (agency, period), ids in brought.items():
            sent_back = max((i for i in ids if i in rejected), default=None)
            if sent_back is None or any(i > sent_back and i not in rejected for i in ids):
                continue
            batch = self.batch(sent_back)
            assert batch is not None
            decision = latest[sent_back]
            found.append(RejectedReturn(agency, _period(period), sent_back, batch.file, batch.received, decision.at,
                                        decision.by, decision.reason))
        return sorted(found, key=lambda r: (r.agency, r.period.sort_key()))

    def _received_since(self, first: int) -> list[Any]:
        """``(agency, period, batch)`` of every batch from ``first`` on that says a return was received."""
        return self._query("""
            SELECT agency, period, id FROM batch WHERE id >= ? AND agency IS NOT NULL AND period IS NOT NULL
            UNION SELECT DISTINCT agency, period, batch_id FROM value WHERE batch_id >= ?
            UNION SELECT DISTINCT agency, period, batch_id FROM task_progress WHERE batch_id >= ?""",
                           [first, first, first])

    def _if_counting(self, column: str) -> str:
        """``column`` where its batch counts, else NULL (a window's MAX over counting batches only)."""
        left_out = self._counting(column)
        return f"CASE WHEN 1 = 1{left_out} THEN {column} END" if left_out else column

    def _counting(self, column: str, states: dict[int, ReviewState] | None = None) -> str:
        """The condition (`` AND …``, or nothing) that keeps ``column``'s batch only when it counts."""
        left_out = self.review_states() if states is None else states
        if not left_out:
            return ""
        return f" AND {column} NOT IN ({', '.join(str(int(b)) for b in sorted(left_out))})"

    def _next_ids(self, table: str) -> tuple[int, int]:
        """The next row id of ``table`` (``decision`` or ``setting``) and the newest batch id (0: none)."""
        row = self._query(f"SELECT (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}),"
                          " (SELECT COALESCE(MAX(id), 0) FROM batch)", [])[0]
        return int(row[0]), int(row[1])

    def _logged(self, entries: Sequence[archive.LogEntry], *, log: bool = True) -> None:
        """Inside a transaction: ``entries`` appended to the decisions log (fsynced; taken back if the
        transaction fails), then their rows inserted — the order of an import (:mod:`pingtai.archive`)."""
        root = self.root
        if not self._db.in_transaction or root is None:
            raise RuntimeError("a decision outside a transaction")
        if log:
            self._heal_log(root)
            self._log_mark = archive.append_log(root, list(entries))
        try:
            for entry in entries:
                if entry.kind == "decision":
                    self._db.execute(
                        """INSERT INTO decision (id, batch_id, decision, decided_by, decided_at, note, after_batch)
                           VALUES (?, ?, ?, ?, ?, ?, ?)""",
                        (entry.id, entry.batch, entry.decision, entry.by, entry.at, entry.note, entry.after_batch))
                else:
                    self._db.execute(
                        "INSERT INTO setting (id, name, value, set_by, set_at, after_batch) VALUES (?, ?, ?, ?, ?, ?)",
                        (entry.id, entry.name, entry.value, entry.by, entry.at, entry.after_batch))
        except sqlite3.IntegrityError as exc:  # a batch that is not there (a rebuild that skipped it), a taken id
            raise LedgerError(f"写入决定被拒绝（{exc}）：所指批次不在台账中，或记录编号已被占用") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None

    def _heal_log(self, root: Path) -> None:
        """Drop the trailing lines of the decisions log that no row claims: a decision killed between the
        log's fsync and COMMIT (under the write lock, so no decision is in flight)."""
        path = archive.log_path(root)
        try:
            lines = path.read_bytes().splitlines(keepends=True)
        except OSError:
            return
        keep = len(lines)
        while keep:
            try:
                entry = archive.LogEntry.from_json(lines[keep - 1])
            except ValueError:
                break  # not ours to mend: ledger verify names it
            table = "decision" if entry.kind == "decision" else "setting"
            if self._query(f"SELECT 1 FROM {table} WHERE id = ?", [entry.id]):
                break
            keep -= 1
        if keep < len(lines):
            archive.truncate_log(root, sum(map(len, lines[:keep])))

    # --- check runs ----------------------------------------------------------------------------
    def record_check_run(self, *, scope: str, as_of: dt.date, started_at: dt.datetime,
                         findings: Sequence[SeenFinding],
                         reported: Callable[[dict[str, str] | None], int]) -> tuple[CheckRun, dict[str, str] | None]:
        """Record a check run and hand back what the previous run of ``scope`` saw.

        Inside one ``BEGIN IMMEDIATE`` transaction: read the newest run of ``scope`` (its findings
        as key → fingerprint, ``None`` if there was none), ask ``reported`` how many of
        ``findings`` that leaves to report, and append the run with all of ``findings``. Two checks
        at once therefore queue on the write lock (waiting up to the busy timeout) and the second
        compares against the first. Raises :class:`LedgerError` when the ledger cannot be written.
        """
        with self.transaction():
            rows = self._query("SELECT id FROM check_run WHERE scope = ? ORDER BY id DESC LIMIT 1", [scope])
            previous = ({row[0]: row[1] for row in self._query(
                "SELECT key, fingerprint FROM check_finding WHERE run_id = ?", [rows[0][0]])} if rows else None)
            count = reported(previous)
            try:
                cursor = self._db.execute(
                    "INSERT INTO check_run (started_at, as_of, scope, findings, reported) VALUES (?, ?, ?, ?, ?)",
                    (_iso(started_at), as_of.isoformat(), scope, len(findings), count))
                run_id = int(cursor.lastrowid or 0)
                self._db.executemany(
                    "INSERT INTO check_finding (run_id, key, fingerprint, kind, severity) VALUES (?, ?, ?, ?, ?)",
                    ((run_id, f.key, f.fingerprint, f.kind, f.severity) for f in findings))
            except sqlite3.IntegrityError as exc:
                raise LedgerError(f"记录检查结果被拒绝（{exc}）：同一次检查中出现重复的发现键") from None
            except sqlite3.OperationalError as exc:
                raise _sqlite_error(self.path, exc) from None
        run = CheckRun(id=run_id, started_at=started_at, as_of=as_of, scope=scope, findings=len(findings),
                       reported=count)
        return run, previous

    def check_runs(self, scope: str | None = None) -> list[CheckRun]:
        """Every recorded check run (of one ``scope``, or all), oldest first."""
        sql = "SELECT id, started_at, as_of, scope, findings, reported FROM check_run"
        params: list[str] = []
        if scope is not None:
            sql += " WHERE scope = ?"
            params = [scope]
        return [CheckRun(id=int(row[0]), started_at=_timestamp(row[1]), as_of=dt.date.fromisoformat(row[2]),
                         scope=row[3], findings=int(row[4]), reported=int(row[5]))
                for row in self._query(sql + " ORDER BY id", params)]

    def check_findings(self, run_id: int) -> list[SeenFinding]:
        """The findings one check run recorded, by key."""
        rows = self._query("SELECT key, fingerprint, kind, severity FROM check_finding WHERE run_id = ? ORDER BY key",
                           [run_id])
        return [SeenFinding(key=row[0], fingerprint=row[1], kind=row[2], severity=row[3]) for row in rows]

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _sqlite_error(self.path, exc, "读取") from None

    # --- writing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: the write lock is held from the start, reads inside see
        the state the writes will land on; any exception rolls everything back.

        After COMMIT it moves this transaction's manifest entries beside their files (see
        :mod:`pingtai.archive`), after a rollback it drops them.
        """
        if self._immutable and self.path is not None:
            raise _unwritable(self.path)
        if self.path is None or self.readonly:
            raise LedgerError(f"台账以只读方式打开，不能写入：{self.path or '（不存在）'}")
        if self._db.in_transaction:
            raise RuntimeError("nested ledger transaction")
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        self._staged = []
        self._stored = []
        self._log_mark = None
        try:
            yield
        except BaseException:
            if self._copying is not None:
                self._copying.wait()  # the connection is the copy's until it ends: then roll it back too
                self._copying = None
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._drop_staged()
            raise
        if self._copying is not None:  # a caller's bug: rows staged but never added as a batch
            self._copying.wait()
            self._copying = None
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._drop_staged()
            raise RuntimeError("rows staged but never added as a batch: rolled back")
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._drop_staged()
            raise _sqlite_error(self.path, exc) from None
        root = self.root
        assert root is not None
        for sha in self._staged:
            archive.commit(root, sha)
        self._staged = []
        self._stored = []
        self._log_mark = None

    def _drop_staged(self) -> None:
        """After a rollback: remove this transaction's pending entries and the files it archived."""
        if self.root is not None:
            for sha in self._staged:
                archive.discard(self.root, sha)
            for relative in self._stored:
                archive.unstore(self.root, relative)
            if self._log_mark is not None:
                archive.truncate_log(self.root, self._log_mark)
        self._log_mark = None
        self._staged = []
        self._stored = []

    def _finish_interrupted(self) -> None:
        """Commit the pending manifest entries whose batch is in the ledger (see :mod:`pingtai.archive`)."""
        root = self.root
        assert root is not None
        for sha, entry in archive.pending_entries(root):
            if entry is None:
                continue
            rows = self._query("SELECT id FROM batch WHERE sha256 = ?", [sha])
            if rows and int(rows[0][0]) == entry.batch:
                archive.commit(root, sha)

    def stage(self, values: Sequence[ValueRecord], tasks: Sequence[TaskRecord], *,
              batch_id: int | None = None) -> StagedRows:
        """Start recording the rows of the next batch; finish with :meth:`add_batch` (``staged=``).

        Must run inside :meth:`transaction`, after everything the caller reads from the ledger:
        until :meth:`add_batch` the connection belongs to a helper thread. The value rows go into a
        temporary table (no index to maintain, so binding them is quick) and the helper copies them
        into ``value`` with one ``INSERT … SELECT``, during which SQLite holds no Python lock — so
        the caller's judging of the rows and the digest overlap the index work. The batch row comes
        last (its counts are known only then); foreign keys are checked at COMMIT. ``batch_id``: the
        id to give the batch (a rebuild), else the next one.
        """
        if not self._db.in_transaction or self.root is None:
            raise RuntimeError("stage outside a transaction")
        if self._copying is not None:
            raise RuntimeError("rows already staged")
        value_rows = _value_rows(values)
        task_rows = _task_rows(tasks)
        try:
            if batch_id is None:
                batch_id = int(self._db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM batch").fetchone()[0])
            self._db.execute("PRAGMA defer_foreign_keys = ON")  # ends with the transaction
            self._db.execute(f"DROP TABLE IF EXISTS temp.{_STAGED}")
            self._db.execute(f"CREATE TEMP TABLE {_STAGED} ({_VALUE_COLUMNS})")
            self._db.executemany(f"INSERT INTO temp.{_STAGED} VALUES ({', '.join('?' * 13)})", value_rows)
            # the batch id written into the statement (an int): the staged rows need no column for it
            self._db.executemany(
                f"""INSERT INTO task_progress (batch_id, plan, task, agency, period, period_end, status, progress,
                       issues, next_steps, cell) VALUES ({batch_id:d}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", task_rows)
            # batches are added in the order of their ids: an (agency, period) already there keeps its first
            self._db.executemany(f"INSERT OR IGNORE INTO received (agency, period, batch_id) VALUES (?, ?, {batch_id:d})",
                                 sorted({(row[2], row[3]) for row in task_rows}))
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"写入台账被拒绝（{exc}）：同一文件中同一任务、期别、单位出现两次") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        staged = StagedRows(batch_id, value_rows, task_rows)
        staged.start(self._db, f"""INSERT INTO value (batch_id, {_VALUE_COLUMNS})
                                   SELECT {batch_id:d}, {_VALUE_COLUMNS} FROM temp.{_STAGED} ORDER BY rowid""",
                     f"""INSERT OR IGNORE INTO received (agency, period, batch_id)
                         SELECT DISTINCT agency, period, {batch_id:d} FROM temp.{_STAGED}""",
                     f"DROP TABLE temp.{_STAGED}")
        self._copying = staged
        return staged

    def add_batch(self, batch: NewBatch, source: Path, values: Sequence[ValueRecord] = (),
                  tasks: Sequence[TaskRecord] = (), *, staged: StagedRows | None = None) -> Batch:
        """Archive ``source`` and record it as a batch with its values and task lines.

        Must run inside :meth:`transaction`. The rows are ``staged`` (:meth:`stage`, whose batch id
        wins over ``batch.id``), else ``values`` and ``tasks``, staged here. The archive copy
        (atomic, fsynced) and the batch's manifest entry are written before the transaction
        commits, so the batch never commits without its file (:mod:`pingtai.archive`). Raises
        :class:`LedgerError` if the file's bytes no longer match ``batch.sha256``, the batch id is
        taken, or a write fails.
        """
        root = self.root
        if not self._db.in_transaction or root is None:
            raise RuntimeError("add_batch outside a transaction")
        if staged is None:
            staged = self.stage(values, tasks, batch_id=batch.id)
        elif staged is not self._copying:
            raise RuntimeError("add_batch with rows staged elsewhere")
        relative = archive_name(batch.sha256, source.suffix)
        imported_at = _iso(batch.imported_at)
        try:
            if archive.store(root, source, batch.sha256, relative):
                self._stored.append(relative)
            digest = rows_digest(staged.values, staged.tasks)  # while the rows are being copied
        finally:
            error = staged.wait()
            self._copying = None
        try:
            if error is not None:
                raise error
            received = batch.received or office_day(batch.imported_at)
            self._db.execute(
                """INSERT INTO batch (id, file, sha256, agency, period, layout, imported_at, reporter, phone,
                       filled_on, plan_version, imported, updated, unchanged, tasks, warnings, archive,
                       received, received_source, backfill, accepted, accept_reason, reviewer)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (staged.batch_id, batch.file, batch.sha256, batch.agency, str(batch.period) if batch.period else None,
                 batch.layout, imported_at, batch.reporter, batch.phone,
                 batch.filled_on.isoformat() if batch.filled_on else None, batch.plan_version,
                 batch.imported, batch.updated, batch.unchanged, batch.tasks, batch.warnings, relative,
                 received.isoformat(), batch.received_source, int(batch.backfill),
                 json.dumps([asdict(a) for a in batch.accepted], ensure_ascii=False), batch.accept_reason,
                 batch.reviewer))
            if batch.agency is not None and batch.period is not None:
                self._db.execute("INSERT OR IGNORE INTO received (agency, period, batch_id) VALUES (?, ?, ?)",
                                 (batch.agency, str(batch.period), staged.batch_id))
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"写入台账被拒绝（{exc}）：同一文件中同一指标、期别、单位出现两次，或文件（批次号）已导入") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        before = self._query("SELECT sha256 FROM batch WHERE id < ? ORDER BY id DESC LIMIT 1", [staged.batch_id])
        archive.write_pending(root, ManifestEntry(
            ledger=self._name, batch=staged.batch_id, sha256=batch.sha256, file=batch.file, archive=relative,
            imported_at=imported_at, agency_option=batch.agency_option, period_option=batch.period_option,
            values=len(staged.values), tasks=len(staged.tasks), rows_sha256=digest,
            received_option=batch.received_option, backfill=batch.backfill, accept=list(batch.accept_option),
            accept_all=batch.accept_all, reason=batch.accept_reason, receipt_rule=batch.receipt_rule,
            # the link to the batch before (under this transaction's lock: no batch can come between)
            previous=archive.entry_digest(root, str(before[0][0])) if before else None))
        self._staged.append(batch.sha256)
        stored = self.batch(staged.batch_id)
        assert stored is not None
        return stored

    # --- upkeep --------------------------------------------------------------------------------
    def batch_rows(self, batch_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The value and task rows batch ``batch_id`` holds, as stored, in order (:func:`stored_rows`' shape)."""
        values = [tuple(row) for row in self._query(
            f"SELECT {_VALUE_COLUMNS} FROM value WHERE batch_id = ? ORDER BY rowid", [batch_id])]
        tasks = [tuple(row) for row in self._query(
            """SELECT plan, task, agency, period, period_end, status, progress, issues, next_steps, cell
               FROM task_progress WHERE batch_id = ? ORDER BY rowid""", [batch_id])]
        return values, tasks

    def batch_rows_digest(self, batch_id: int, recorded: str | None = None) -> tuple[int, int, str]:
        """``(values, tasks, digest)`` of the rows batch ``batch_id`` holds: :func:`digest_of` in the version
        of the digest ``recorded`` for it (a manifest entry's), else the current one."""
        values, tasks = self.batch_rows(batch_id)
        return len(values), len(tasks), digest_of(values, tasks, recorded)

    def integrity_problems(self) -> list[str]:
        """What SQLite's own checks and the ledger's invariants find wrong; empty when all is well.

        ``PRAGMA integrity_check`` (pages, indexes, constraints), ``PRAGMA foreign_key_check``
        (rows whose batch does not exist) and the append-only triggers being in place.
        """
        found: list[str] = []
        try:
            rows = self._db.execute("PRAGMA integrity_check").fetchall()
            found += [f"SQLite 完整性检查：{row[0]}" for row in rows if row[0] != "ok"]
            for table, rowid, parent, _ in self._db.execute("PRAGMA foreign_key_check").fetchall():
                found.append(f"{table} 表第 {rowid} 行指向不存在的 {parent}（悬空记录）")
            triggers = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        except sqlite3.DatabaseError as exc:
            return [f"SQLite 完整性检查失败：{exc}"]
        missing = sorted(f"{table}_append_only_{action}" for table in ("batch", "value", "task_progress", "received", "decision", "setting")
                         for action in ("update", "delete") if f"{table}_append_only_{action}" not in triggers)
        if missing:
            found.append(f"缺少只追加保护触发器：{'、'.join(missing)}（台账曾被 pingtai 以外的程序修改）")
        try:
            differ = self._db.execute(f"""
                WITH expected AS (SELECT agency, period, MIN(batch_id) AS batch_id FROM ({_RECEIVED_SOURCES})
                                  GROUP BY agency, period)
                SELECT (SELECT COUNT(*) FROM (SELECT * FROM expected EXCEPT SELECT agency, period, batch_id FROM received))
                     + (SELECT COUNT(*) FROM (SELECT agency, period, batch_id FROM received EXCEPT SELECT * FROM expected))
                """).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            return [*found, f"无法核对已收报表汇总：{exc}"]
        if differ:
            found.append(f"已收报表汇总（received 表）与批次记录不符：{differ} 处（台账曾被 pingtai 以外的程序修改）")
        return found

    def backup_to(self, target: Path) -> None:
        """Copy the ledger, as of one consistent moment, into the new file ``target``.

        SQLite's online backup API: it reads one snapshot (others keep writing meanwhile — in WAL
        mode a reader blocks no writer) and writes a complete database. ``target`` must not exist.
        Raises :class:`LedgerError` when the copy cannot be made.
        """
        try:
            destination = sqlite3.connect(target, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"无法创建备份文件 {target}：{exc}") from None
        try:
            self._db.backup(destination)
            # A backup is one self-contained file (rollback journal, not WAL): it opens read-only,
            # from a read-only medium, with no -wal/-shm beside it.
            destination.execute("PRAGMA journal_mode = DELETE")
            check = destination.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise LedgerError(f"备份文件未通过完整性检查：{check}")
        except sqlite3.Error as exc:
            raise _sqlite_error(target, exc) from None
        finally:
            destination.close()


def _unwritable_directory(path: Path) -> bool:
    """Whether ``path`` sits in a directory this process cannot write (a read-only mount, a cron
    user given read access only — False there even for root). SQLite's WAL readers must create the
    ``-shm`` file beside the database, so an ordinary connection cannot even open it there."""
    return not os.access(path.parent, os.W_OK)


def _unwritable(path: Path) -> LedgerError:
    return LedgerError(f"台账为只读，无法写入：所在目录不可写 {path.parent}",
                       hint="写入台账（导入、check --new-only、重建）需要该目录的写权限（SQLite 要在台账旁建 -wal 文件）；台账未作改动。")


def _missing(path: Path) -> bool:
    """No ledger at ``path`` yet: no file, or an empty one (SQLite writes nothing until it must)."""
    try:
        return path.stat().st_size == 0 and path.is_file()
    except OSError:
        return True


LOW_SPACE = 256 * 1024
"""Below this many free bytes an SQLite I/O error is reported as a full disk."""


def _sqlite_error(path: Path | None, exc: sqlite3.Error, doing: str = "写入") -> LedgerError:
    """What went wrong, in words a user can act on. Nothing was changed: SQLite rolls back.

    Told apart by SQLite's own error name: not a database, damaged, read-only, busy, disk full
    (also an I/O error with almost no free space: a WAL-mode database cannot even be read when its
    -shm file cannot grow), other I/O errors, cannot open.
    """
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = path or "（内存）"
    if name == "SQLITE_NOTADB" or "file is not a database" in text:
        return LedgerError(f"不是 pingtai 台账（不是有效的 SQLite 数据库）：{where}",
                           hint=f"SQLite 报告：{text}。请检查 --db / PINGTAI_DB 是否指向正确的文件；文件未作任何改动。")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return LedgerError(f"台账文件已损坏：{where}（SQLite 报告：{text}）",
                           hint="请用 pingtai ledger verify 查看；从备份恢复，或移走该文件后运行 pingtai ledger rebuild 从归档重建。")
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return LedgerError(f"台账为只读，无法{doing}：{where}",
                           hint="请检查文件及其所在目录（文件系统）的写权限，或用 --db 指定可写的台账；台账未作改动。")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return LedgerError(f"台账正被其他程序占用，等待 {BUSY_TIMEOUT_MS // 1000} 秒后仍无法{doing}：{where}",
                           hint="请稍后重试。")
    if name == "SQLITE_FULL" or "full" in text or (name.startswith("SQLITE_IOERR") and _low_space(path)):
        return LedgerError(f"磁盘已满，无法{doing}台账：{where}", hint="请清理磁盘空间后重试；台账未作改动。")
    if name.startswith("SQLITE_IOERR"):
        return LedgerError(f"{doing}台账时发生磁盘 I/O 错误：{where}（SQLite 报告：{text}）",
                           hint="请检查磁盘空间、文件大小限制与存储设备；台账未作改动。")
    if name.startswith("SQLITE_CANTOPEN"):
        return LedgerError(f"无法打开台账文件：{where}", hint="请检查路径与权限。")
    return LedgerError(f"{doing}台账失败（{where}）：{text}")


def _low_space(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < LOW_SPACE
    except OSError:
        return False


def digest_of(values: Sequence[Sequence[Any]], tasks: Sequence[TaskRow], recorded: str | None = None) -> str:
    """:func:`rows_digest` of a batch's rows in the version ``recorded`` was made in: the current one, or
    version 1 for a batch whose manifest entry was written before schema 5 (when ``recorded`` is that)."""
    digest = rows_digest(values, tasks)
    if recorded is not None and recorded != digest and values:
        legacy = rows_digest(values, tasks, version=1)
        if legacy == recorded:
            return legacy
    return digest


def _value_rows(values: Sequence[ValueRecord]) -> list[ValueRow]:
    """The rows :meth:`Ledger.add_batch` stores, built column by column (``zip`` over the named
    tuples): few distinct periods, spelled and dated once each (keyed by object id), among up to
    100 000s of values. A value's ``area`` is the area it is keyed by (``None`` or ``''``: the city)."""
    if not values:
        return []
    indicators, periods, agencies, numbers, units, cells, raws, below, notes, areas, growths, lasts = zip(
        *values, strict=True)
    texts = {key: (str(p), p.end.isoformat()) for key, p in dict(zip(map(id, periods), periods, strict=True)).items()}
    spelled = list(map(texts.__getitem__, map(id, periods)))
    return list(zip(indicators, map(_FIRST, spelled), map(_SECOND, spelled), agencies, numbers, units,
                    map(int, below), cells, raws, [area or "" for area in areas], growths, lasts, notes, strict=True))


_FIRST, _SECOND = operator.itemgetter(0), operator.itemgetter(1)


def _task_rows(tasks: Sequence[TaskRecord]) -> list[TaskRow]:
    return [(t.plan, t.task, t.agency, str(t.period), t.period.end.isoformat(), t.status, t.progress, t.issues,
             t.next_steps, t.where) for t in tasks]


def stored_rows(values: Sequence[ValueRecord], tasks: Sequence[TaskRecord]) -> tuple[list[ValueRow], list[TaskRow]]:
    """The rows :meth:`Ledger.add_batch` would store for ``values`` and ``tasks`` (periods already
    points), in order: what :func:`rows_digest` and ``ledger verify --deep`` compare."""
    return _value_rows(values), _task_rows(tasks)


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("imported_at must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _timestamp(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))




@functools.lru_cache(maxsize=4096)
def _period(text: str) -> Period:
    # Few distinct periods across many rows: parse each spelling once.
    try:
        return Period.parse(text)
    except PeriodError:
        raise LedgerError(f"台账中的期别无法识别：{text!r}（台账可能已损坏）") from None


def _stored_task(row: Sequence[Any]) -> StoredTask:
    return StoredTask(plan=row[0], task=int(row[1]), agency=row[2], period=_period(row[3]), status=row[4],
                      progress=row[5], issues=row[6], next_steps=row[7], batch=int(row[8]),
                      imported_at=_timestamp(row[9]), superseded=bool(row[10]))


def _received_day(text: str | None, imported_at: dt.datetime) -> dt.date:
    """The day a batch counts as received: as recorded, or (a batch recorded before schema v4) its import day."""
    return dt.date.fromisoformat(text) if text else office_day(imported_at)


def _accepted(text: str) -> tuple[AcceptedCell, ...]:
    try:
        raw = json.loads(text)
        return tuple(AcceptedCell(str(a["where"]), str(a["code"]), str(a["message"])) for a in raw)
    except (ValueError, TypeError, KeyError):
        raise LedgerError(f"台账中批次的放行记录无法识别：{text[:80]!r}（台账可能已损坏）") from None


def _decision(row: Sequence[Any]) -> Decision:
    """A decision row (id, batch, decision, by, at, note): a rejection's note is its reason."""
    rejected = row[2] == "rejected"
    return Decision(id=int(row[0]), batch=int(row[1]), decision=row[2], by=row[3], at=_timestamp(row[4]),
                    note="" if rejected else row[5], reason=row[5] if rejected else "")


def _batch(row: Sequence[Any]) -> Batch:
    imported_at = _timestamp(row[6])
    return Batch(id=int(row[0]), file=row[1], sha256=row[2], agency=row[3],
                 period=_period(row[4]) if row[4] else None, layout=row[5], imported_at=imported_at,
                 reporter=row[7], phone=row[8], filled_on=dt.date.fromisoformat(row[9]) if row[9] else None,
                 imported=int(row[10]), updated=int(row[11]), unchanged=int(row[12]), tasks=int(row[13]),
                 warnings=int(row[14]), archive=row[15], received=_received_day(row[16], imported_at),
                 received_source=row[17], backfill=bool(row[18]), accepted=_accepted(row[19]), accept_reason=row[20],
                 reviewer=row[21], missing_contacts=tuple(
                     label for label, text in zip(CONTACT_LABELS.values(), (row[7], row[8], row[21]), strict=True)
                     if not text))
