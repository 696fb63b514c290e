"""The storage interface: what the importer, the service layer, checks and upkeep ask of a ledger.

:class:`Ledger` is the one type the rest of pingtai sees. Its two backends —
:class:`~pingtai.ledger.sqlite.SqliteLedger` (a file, its archive in a folder beside it) and
:class:`~pingtai.ledger.postgres.PostgresLedger` (a database, its archive in two tables of it) —
implement the reads and the steps of a write; the order of those steps is fixed here, not in either
backend:

1. the file is archived (content-addressed by sha256),
2. the batch's rows and then the batch row are inserted,
3. the batch's manifest entry (linked to the entry of the batch before) is written,
4. the transaction commits; then (SQLite) the entry is moved beside its file.

A failure before 4 takes back everything the transaction added; a kill before 4 leaves the ledger as
it was. :meth:`Ledger.transaction` holds the writers' lock from its start, so batch ids are handed
out in commit order and an importer judges a file against the state it will be recorded on.

A review decision or a setting (``pingtai accept`` / ``reject`` / ``ledger set``) is written in the
same order, also fixed here (:meth:`Ledger._logged`):

1. its line of the decisions log, linked to the line before (:func:`pingtai.archive.chain_lines`),
2. its row (``decision`` or ``setting``), the id the next under the writers' lock,
3. the transaction commits.

SQLite keeps the log as ``archive/decisions.jsonl`` (appended and fsynced in step 1, cut back if the
transaction fails; a kill between 1 and 3 leaves a trailing line no row claims, removed by the next
decision); PostgreSQL keeps it in the table ``decision_log``, written in the decision's transaction.
Which batches count — not pending, not rejected — is decided by the reads of
:class:`~pingtai.ledger.sql.SqlLedger` in one place (``review_states``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from pingtai import archive
from pingtai.archive import LogEntry, ManifestEntry, archive_name
from pingtai.frozen import Record
from pingtai.ledger.model import (
    SETTINGS,
    Batch,
    CheckRun,
    CurrentValue,
    Decision,
    DecisionKind,
    NewBatch,
    ReceivedReturn,
    RejectedReturn,
    ReviewState,
    SeenFinding,
    Setting,
    StoredTask,
    StoredValue,
    TaskRow,
    digest_of,
    iso_time,
    parse_time,
    records_digest,
)
from pingtai.periods import Period

if TYPE_CHECKING:
    from pingtai.records import TaskRecord, ValueRecord


class StagedRows(Record, frozen=False):
    """A batch's rows on their way into the ledger (:meth:`Ledger.stage`): its id, its value records
    (the caller's, from which the rows as stored are built again, a chunk at a time, for the digest)
    and its task rows as stored. A backend may still be copying them (:meth:`Ledger._rows_copied`)."""

    batch_id: int
    values: Sequence[ValueRecord]
    tasks: list[TaskRow]


class ExportedBatch(Record):
    """One batch exactly as a ledger holds it, to be copied into another (:meth:`Ledger.export_batch`):
    the batch row (:data:`~pingtai.ledger.model.BATCH_COLUMNS`), its value and task rows as stored, in
    order, the archived file's bytes and its manifest entry's bytes (``None``: the ledger has none)."""

    row: tuple[Any, ...]
    values: list[tuple[Any, ...]]
    tasks: list[tuple[Any, ...]]
    data: bytes
    entry: bytes | None

    @property
    def id(self) -> int:
        return int(self.row[0])

    @property
    def sha256(self) -> str:
        return str(self.row[2])

    @property
    def archive(self) -> str:
        return str(self.row[16])


class Ledger(ABC):
    """An open ledger. Use :meth:`open`; close it, or use it as a context manager.

    Reads return plain dataclasses. Writes happen inside :meth:`transaction`, which the importer
    holds while it compares a file with the current values and records it, so two imports running
    at once never judge against a stale state.
    """

    readonly: bool
    """Opened for reading only (a reading command, a dry run, a reader role)."""

    # --- opening -------------------------------------------------------------------------------
    @staticmethod
    def open(location: Path | str, *, create: bool = True, readonly: bool = False) -> Ledger:
        """Open the ledger at ``location``: a PostgreSQL URL or conninfo (:func:`pingtai.ledger.location.is_database`)
        or an SQLite file. ``create``: create the schema where there is none (and migrate an older one);
        ``readonly``: open for reading only. See each backend's ``open`` for what a missing ledger gives.
        Raises :class:`~pingtai.errors.LedgerError` when the ledger cannot be opened."""
        from pingtai.ledger.location import is_database

        if isinstance(location, str) and is_database(location):
            from pingtai.ledger.postgres import PostgresLedger

            return PostgresLedger.connect(location, create=create, readonly=readonly)
        from pingtai.ledger.sqlite import SqliteLedger

        return SqliteLedger.open_file(Path(location), create=create, readonly=readonly)

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    @property
    @abstractmethod
    def writable(self) -> bool:
        """Whether :meth:`transaction` may be used (not read-only, not the stand-in for a missing ledger)."""

    @property
    @abstractmethod
    def exists(self) -> bool:
        """False for the empty stand-in of a ledger that does not exist yet (read as empty)."""

    @property
    @abstractmethod
    def name(self) -> str:
        """The ledger's name as its archive's manifest entries record it."""

    @property
    def root(self) -> Path | None:
        """The directory holding the ledger's archive folder (SQLite); ``None`` for an archive in the database."""
        return None

    @property
    @abstractmethod
    def schema_version(self) -> int: ...

    def roles_sql(self) -> str | None:
        """The SQL that creates a writer role (read and append only) and a reader role (read only) for this
        ledger, where the backend has roles (PostgreSQL); ``None`` for a file."""
        return None

    def apply_roles(self) -> str:
        """Run :meth:`roles_sql`; return it. Raises :class:`~pingtai.errors.UsageError` where there are no roles."""
        from pingtai.errors import UsageError

        raise UsageError("--roles 只用于 PostgreSQL 台账（SQLite 台账文件的权限由文件系统决定）",
                         hint="例如：pingtai --db postgresql://owner@host/pingtai ledger init --roles")

    # --- reading -------------------------------------------------------------------------------
    @abstractmethod
    def current_values(self, indicators: Collection[str] | None = None, *, areas: Collection[str] | None = None,
                       agencies: Collection[str] | None = None, periods: Collection[Period] | None = None,
                       series: Collection[tuple[str, str, str]] | None = None,
                       detail: bool = True) -> list[CurrentValue]:
        """The newest value of each key ``(indicator, area, period, agency)``, ordered by indicator, area,
        agency, then period as spelled; with ``series`` in the order of the sorted series. The filters
        restrict the result (``periods`` are points); without ``detail`` note, cell and raw text are
        empty and ``below_unit`` false."""

    @abstractmethod
    def period_counts(self, indicators: Collection[str] | None = None, *,
                      areas: Collection[str] | None = None) -> dict[str, int]:
        """How many periods (as spelled) the ledger holds values for, per indicator (of ``indicators`` and
        ``areas`` only)."""

    @abstractmethod
    def history(self, indicator: str) -> list[StoredValue]:
        """Every value ever recorded for ``indicator``, superseded ones flagged; by period, then batch."""

    @abstractmethod
    def current_tasks(self) -> list[StoredTask]:
        """The newest progress line per ``(plan, task, agency, period)``, by plan, task, period, agency."""

    @abstractmethod
    def task_history(self, plan: str | None = None) -> list[StoredTask]:
        """Every progress line ever recorded (of one plan, or all), superseded ones flagged."""

    @abstractmethod
    def batches(self) -> list[Batch]:
        """Every batch, oldest first."""

    @abstractmethod
    def batch(self, batch_id: int) -> Batch | None: ...

    @abstractmethod
    def batch_by_sha256(self, sha256: str) -> Batch | None:
        """The batch that recorded a file with these bytes, if any."""

    @abstractmethod
    def batch_values(self, batch_id: int) -> list[StoredValue]:
        """The values one batch recorded (superseded ones flagged), in the order they were stored."""

    @abstractmethod
    def received_returns(self) -> list[ReceivedReturn]:
        """One entry per ``(agency, period)`` ever received, with the first batch that brought it."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Row counts of each table (``batch``, ``value``, ``task_progress``)."""

    @abstractmethod
    def batch_rows(self, batch_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The value and task rows batch ``batch_id`` holds, as stored, in order (:func:`stored_rows`' shape)."""

    def batch_rows_digest(self, batch_id: int, recorded: str | None = None) -> tuple[int, int, str]:
        """``(values, tasks, digest)`` of the rows batch ``batch_id`` holds: :func:`digest_of` in the version
        of the digest ``recorded`` for it (a manifest entry's), else the current one."""
        values, tasks = self.batch_rows(batch_id)
        return len(values), len(tasks), digest_of(values, tasks, recorded)

    @abstractmethod
    def export_batch(self, batch_id: int) -> ExportedBatch:
        """Batch ``batch_id`` exactly as held, with its archived file and entry (:meth:`restore_batch` takes
        it). Raises :class:`~pingtai.errors.LedgerError` when its archived file is missing or altered."""

    @abstractmethod
    def restore_batch(self, batch: ExportedBatch) -> None:
        """Record ``batch`` exactly as another ledger held it — same id, rows, file and entry bytes (and so the
        same chain link) — inside :meth:`transaction`."""

    def restore_check_run(self, run: CheckRun, findings: Sequence[SeenFinding]) -> None:
        """Record check run ``run`` with its id and ``findings`` exactly, inside :meth:`transaction`."""
        self._insert_check_run(started_at=iso_time(run.started_at), as_of=run.as_of.isoformat(), scope=run.scope,
                               findings=findings, reported=run.reported, run_id=run.id)

    @abstractmethod
    def integrity_problems(self) -> list[str]:
        """What the database's own checks and the ledger's invariants find wrong; empty when all is well."""

    # --- review: decisions and settings --------------------------------------------------------
    @property
    def user(self) -> str | None:
        """Who the database says is writing (PostgreSQL: ``current_user``), the default ``--by`` of a
        decision; ``None`` for a file (the command uses the operating-system user)."""
        return None

    @abstractmethod
    def setting(self, name: str) -> str:
        """The current value of the ledger setting ``name`` (:data:`SETTINGS`; its default when never set)."""

    @abstractmethod
    def settings(self) -> list[Setting]:
        """Every change of a setting, oldest first."""

    @abstractmethod
    def decisions(self, batch_id: int | None = None) -> list[Decision]:
        """Every decision (on one batch, or all), oldest first."""

    @abstractmethod
    def review_states(self) -> dict[int, ReviewState]:
        """The batches that do not count, by id: ``pending`` (imported while review was required, not yet
        decided) or ``rejected`` (the newest decision rejects it). Every other batch is accepted."""

    @abstractmethod
    def rejected_returns(self) -> list[RejectedReturn]:
        """Returns sent back and not yet resubmitted, by unit and period."""

    @abstractmethod
    def logged_rows(self) -> list[LogEntry]:
        """Every decision and setting as its line of the decisions log should record it (``previous`` left
        ``None``), in the order they were written: what ``ledger verify`` compares the log with."""

    @abstractmethod
    def decisions_log(self) -> bytes:
        """The decisions log as written, line by line (SQLite: the file; PostgreSQL: ``decision_log``)."""

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
            self._logged([LogEntry(ledger=self.name, kind="setting", id=ident, after_batch=after, at=iso_time(at),
                                   by=by, name=name, value=value)])
        return Setting(ident, name, value, by, parse_time(iso_time(at)), after)

    def record_decision(self, batch_ids: Sequence[int], decision: DecisionKind, *, by: str, at: dt.datetime,
                        note: str = "") -> tuple[list[Decision], list[int]]:
        """Record ``decision`` on each batch of ``batch_ids`` (``note``: an acceptance's note, a rejection's
        reason), by ``by`` at ``at``, in one transaction, in the order the module docstring gives.

        Returns the decisions recorded and the ids of the batches left as they were — already in that
        state (a rejection: with the same reason). Raises :class:`UsageError` (exit 2) naming every id
        that is no batch, before anything is written; :class:`LedgerError` when the ledger cannot be written.
        """
        from pingtai.errors import UsageError

        wanted = list(dict.fromkeys(batch_ids))
        with self.transaction():
            found = {i: self.batch(i) for i in wanted}
            unknown = [str(i) for i, batch in found.items() if batch is None]
            if unknown:
                raise UsageError(f"没有这些批次：{'、'.join(unknown)}", hint="批次号见 pingtai batches（或 pingtai review）。")
            states = self.review_states()
            latest = {d.batch: d for d in self.decisions()}
            same = [i for i in wanted if states.get(i, "accepted") == decision
                    and (decision == "accepted" or latest[i].reason == note)]
            ident, after = self._next_ids("decision")
            entries = []
            for number, batch_id in enumerate((i for i in wanted if i not in same), start=ident):
                batch = found[batch_id]
                assert batch is not None
                entries.append(LogEntry(ledger=self.name, kind="decision", id=number, after_batch=after, at=iso_time(at),
                                        by=by, batch=batch_id, sha256=batch.sha256, decision=decision, note=note))
            if entries:
                self._logged(entries)
        rejected = decision == "rejected"
        return [Decision(e.id, int(e.batch or 0), decision, by, parse_time(e.at), "" if rejected else note,
                         note if rejected else "") for e in entries], same

    def replay(self, entry: LogEntry, line: bytes) -> None:
        """Record the row a decisions-log ``line`` (parsed: ``entry``) holds, as it was, with the line itself
        where the log lives in the database (``ledger rebuild``; a file's log is carried beside). Raises
        :class:`LedgerError` when the row cannot be inserted (its batch missing)."""
        with self.transaction():
            self._replay_line(line)
            self._insert_logged([entry])

    def restore_log(self, data: bytes, rows: Sequence[LogEntry]) -> None:
        """Record another ledger's decisions and settings (``rows``, :meth:`logged_rows`) and its decisions
        log ``data`` byte for byte, inside :meth:`transaction` (a copy: the batches restored first)."""
        self._insert_logged(rows)
        for line in data.splitlines(keepends=True):
            self._replay_line(line)
        self._carry_log(data)

    def _logged(self, entries: Sequence[LogEntry]) -> None:
        """Inside a transaction: ``entries``' lines appended to the decisions log (step 1), then their rows (2)."""
        self._require_transaction()
        self._append_log(archive.chain_lines(list(entries), self._log_head()))
        self._insert_logged(entries)

    @abstractmethod
    def _next_ids(self, table: str) -> tuple[int, int]:
        """The next row id of ``table`` (``decision`` or ``setting``) and the newest batch id (0: none)."""

    @abstractmethod
    def _log_head(self) -> str | None:
        """The sha256 of the decisions log's last line (``None``: empty), inside the transaction."""

    @abstractmethod
    def _append_log(self, lines: Sequence[bytes]) -> None:
        """Step 1 of a decision: its log lines, kept (or taken back) with the transaction."""

    @abstractmethod
    def _insert_logged(self, entries: Sequence[LogEntry]) -> None:
        """Step 2 of a decision: the ``decision`` / ``setting`` rows ``entries`` record, with their ids."""

    def _replay_line(self, line: bytes) -> None:  # noqa: B027 - a step a file's log does not need
        """A log line copied as is (a rebuild, a copy) where the log lives in the database."""

    def _carry_log(self, data: bytes) -> None:  # noqa: B027 - a step a database's log does not need
        """A whole log copied as is into an empty ledger where the log is a file."""

    # --- check runs ----------------------------------------------------------------------------
    def record_check_run(self, *, scope: str, as_of: dt.date, started_at: dt.datetime,
                         findings: Sequence[SeenFinding],
                         reported: Callable[[dict[str, str] | None], int]) -> tuple[CheckRun, dict[str, str] | None]:
        """Record a check run and hand back what the previous run of ``scope`` saw.

        Inside one write transaction: read the newest run of ``scope`` (its findings as key →
        fingerprint, ``None`` if there was none), ask ``reported`` how many of ``findings`` that
        leaves to report, and append the run with all of ``findings``. Two checks at once therefore
        queue on the write lock and the second compares against the first. Raises
        :class:`~pingtai.errors.LedgerError` when the ledger cannot be written.
        """
        with self.transaction():
            previous = self._last_findings(scope)
            count = reported(previous)
            run_id = self._insert_check_run(started_at=iso_time(started_at), as_of=as_of.isoformat(), scope=scope,
                                            findings=findings, reported=count)
        run = CheckRun(id=run_id, started_at=started_at, as_of=as_of, scope=scope, findings=len(findings),
                       reported=count)
        return run, previous

    @abstractmethod
    def _last_findings(self, scope: str) -> dict[str, str] | None:
        """Key → fingerprint of the newest run of ``scope`` (``None``: no run yet)."""

    @abstractmethod
    def _insert_check_run(self, *, started_at: str, as_of: str, scope: str, findings: Sequence[SeenFinding],
                          reported: int, run_id: int | None = None) -> int:
        """Append a run (``run_id``, else the next id) and its findings; return its id."""

    @abstractmethod
    def check_runs(self, scope: str | None = None) -> list[CheckRun]:
        """Every recorded check run (of one ``scope``, or all), oldest first."""

    @abstractmethod
    def check_findings(self, run_id: int) -> list[SeenFinding]:
        """The findings one check run recorded, by key."""

    # --- writing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, the writers' lock held from its start: reads inside see the state the
        writes will land on; any exception rolls everything back (and takes back what the archive got).
        After COMMIT the backend finishes the archive's last step (:meth:`_committed`)."""
        self._begin()
        try:
            yield
        except BaseException:
            self._abort()
            raise
        self._commit()
        self._committed()

    @abstractmethod
    def _begin(self) -> None:
        """Start a write transaction holding the writers' lock; raise ``LedgerError`` when this ledger cannot be written."""

    @abstractmethod
    def _abort(self) -> None:
        """Roll the transaction back and remove what it archived outside the database."""

    @abstractmethod
    def _commit(self) -> None:
        """COMMIT (raising ``LedgerError`` after a rollback when that fails; rows staged but never added
        as a batch are a caller's bug: rolled back, ``RuntimeError``)."""

    def _committed(self) -> None:  # noqa: B027 - a step most backends do not need
        """What follows a COMMIT (SQLite: manifest entries moved beside their files). Never fails."""

    @abstractmethod
    def stage(self, values: Sequence[ValueRecord], tasks: Sequence[TaskRecord], *,
              batch_id: int | None = None) -> StagedRows:
        """Start recording the rows of the next batch (``batch_id``: the id to give it — a rebuild —,
        else the next one); finish with :meth:`add_batch` (``staged=``), which digests the rows from
        ``values`` again: they must not change until then. Inside :meth:`transaction`, after
        everything the caller reads from the ledger."""

    def add_batch(self, batch: NewBatch, source: Path, values: Sequence[ValueRecord] = (),
                  tasks: Sequence[TaskRecord] = (), *, staged: StagedRows | None = None) -> Batch:
        """Archive ``source`` and record it as a batch with its values and task lines, in the order the
        module docstring gives. Must run inside :meth:`transaction`. The rows are ``staged``
        (:meth:`stage`, whose batch id wins over ``batch.id``), else ``values`` and ``tasks``, staged
        here. Raises :class:`~pingtai.errors.LedgerError` if the file's bytes no longer match
        ``batch.sha256``, the batch id is taken, or a write fails."""
        self._require_transaction()
        if staged is None:
            staged = self.stage(values, tasks, batch_id=batch.id)
        relative = archive_name(batch.sha256, source.suffix)
        imported_at = iso_time(batch.imported_at)
        try:
            self._archive_file(source, batch.sha256, relative)  # 1. the file
            digest = records_digest(staged.values, staged.tasks)  # while the rows are being copied
        finally:
            error = self._rows_copied(staged)
        if error is not None:
            raise error
        self._insert_batch(staged.batch_id, batch, relative, imported_at)  # 2. the rows, then the batch row
        self._write_entry(ManifestEntry(  # 3. the manifest entry, linked to the batch before
            ledger=self.name, batch=staged.batch_id, sha256=batch.sha256, file=batch.file, archive=relative,
            imported_at=imported_at, agency_option=batch.agency_option, period_option=batch.period_option,
            values=len(staged.values), tasks=len(staged.tasks), rows_sha256=digest,
            received_option=batch.received_option, backfill=batch.backfill, accept=list(batch.accept_option),
            accept_all=batch.accept_all, reason=batch.accept_reason, receipt_rule=batch.receipt_rule,
            previous=self._entry_digest_before(staged.batch_id)))
        stored = self.batch(staged.batch_id)
        assert stored is not None
        return stored  # 4. COMMIT: when the caller's transaction() ends

    @abstractmethod
    def _require_transaction(self) -> None:
        """Raise ``RuntimeError`` outside :meth:`transaction` (a caller's bug)."""

    @abstractmethod
    def _archive_file(self, source: Path, sha256: str, name: str) -> None:
        """Step 1: keep ``source``'s bytes under ``name`` (checking they hash to ``sha256``)."""

    def _rows_copied(self, staged: StagedRows) -> BaseException | None:
        """Wait for rows :meth:`stage` is still copying; what the copy raised, if anything."""
        return None

    @abstractmethod
    def _insert_batch(self, batch_id: int, batch: NewBatch, archive: str, imported_at: str) -> None:
        """Step 2 (end): the batch row and its ``received`` entry."""

    @abstractmethod
    def _entry_digest_before(self, batch_id: int) -> str | None:
        """The chain link: sha256 of the manifest entry of the batch before ``batch_id`` (``None``: first)."""

    @abstractmethod
    def _write_entry(self, entry: ManifestEntry) -> None:
        """Step 3: the batch's manifest entry, inside the transaction."""


__all__ = ["ExportedBatch", "Ledger", "StagedRows"]
