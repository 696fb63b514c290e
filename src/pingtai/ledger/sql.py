"""What both backends read alike: the ledger's queries, in the SQL both dialects share.

:class:`SqlLedger` holds every read of :class:`~pingtai.ledger.base.Ledger`; a backend supplies the
connection (:meth:`SqlLedger._query`, ``?`` placeholders), the order rows were stored in
(:attr:`SqlLedger._ROW_ORDER`) and the two forms that differ: a list parameter
(:meth:`SqlLedger._in_list`) and the series a read is restricted to (:meth:`SqlLedger._series_join`).
Both backends store the same spelling in every column, so a row becomes the same record either way.

Review decides here which batches count (:meth:`SqlLedger.review_states`): a batch that is pending or
rejected does not, and every read of current values, task lines and receipts leaves it out through one
condition (:meth:`SqlLedger._counting`), so the *current* value of a key is the row of the newest batch
**that counts**; ``history`` keeps every row, marked with its batch's state.
"""

from __future__ import annotations

import datetime as dt
from abc import abstractmethod
from collections.abc import Collection, Sequence
from typing import Any

from pingtai.archive import LogEntry
from pingtai.gcutil import gc_paused
from pingtai.ledger.base import Ledger
from pingtai.ledger.model import (
    READ_BATCH_COLUMNS,
    SETTINGS,
    Batch,
    CheckRun,
    CurrentValue,
    Decision,
    ReceivedReturn,
    RejectedReturn,
    ReviewState,
    SeenFinding,
    Setting,
    StoredTask,
    StoredValue,
    batch_from_row,
    decision_from_row,
    iso_time,
    parse_time,
    received_day,
    stored_period,
    task_from_row,
)
from pingtai.periods import Period

VALUE_COLUMNS = "indicator, period, period_end, agency, value, unit, below_unit, cell, raw, area, growth, last_year, note"
"""A value row's columns as :func:`~pingtai.ledger.model.value_rows` gives them."""
TASK_COLUMNS = "plan, task, agency, period, period_end, status, progress, issues, next_steps, cell"
"""A task row's columns as :func:`~pingtai.ledger.model.task_rows` gives them."""

RECEIVED_OF = """SELECT agency, period, ? FROM batch WHERE id = ? AND agency IS NOT NULL AND period IS NOT NULL
                  UNION SELECT DISTINCT agency, period, ? FROM value WHERE batch_id = ?
                  UNION SELECT DISTINCT agency, period, ? FROM task_progress WHERE batch_id = ?"""
"""The ``(agency, period)`` a batch's own row and rows say were received (6 parameters: the batch id)."""


class SqlLedger(Ledger):
    """The reads of a ledger in an SQL database (see the module docstring)."""

    _ROW_ORDER = "rowid"
    """The column that orders a batch's rows as they were stored."""

    @abstractmethod
    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Run one read (``?`` placeholders); its rows. Raises ``LedgerError`` when the database cannot be read."""

    @abstractmethod
    def _in_list(self, expression: str, values: list[str]) -> tuple[str, Any]:
        """``expression IN values`` as this dialect writes it, with its one parameter."""

    @abstractmethod
    def _series_join(self, keys: list[tuple[str, str, str]]) -> tuple[str, str, list[Any]]:
        """``(selected, join, params)`` restricting ``value v`` to the ``(indicator, area, agency)`` ``keys``:
        ``selected`` is the key's place in ``keys`` (from 0), ``join`` is joined as ``s`` ordered by ``s.n``."""

    # --- reading -------------------------------------------------------------------------------
    _VALUE_ROW = ("v.indicator, v.period, v.agency, v.value, v.unit, v.batch_id, v.cell, v.raw, v.below_unit, v.area,"
                  " v.growth, v.last_year, v.note")

    def _values(self, sql: str, params: Sequence[Any]) -> list[StoredValue]:
        """Run a query selecting :attr:`_VALUE_ROW` plus a superseded flag; attach each row's batch."""
        rows = self._query(sql, params)
        if not rows:
            return []
        sources = {row[0]: (row[1], parse_time(row[2])) for row in self._query("SELECT id, file, imported_at FROM batch", [])}
        states = self.review_states()
        if states:  # marked, with the reason of a rejection
            reasons = {d.batch: d.reason for d in self.decisions()}
            return [value.replace(state=states[value.batch], reason=reasons.get(value.batch, "")
                            if states[value.batch] == "rejected" else "") if value.batch in states else value
                    for value in self._plain_values(rows, sources)]
        return self._plain_values(rows, sources)

    @staticmethod
    def _plain_values(rows: list[Any], sources: dict[int, tuple[str, dt.datetime]]) -> list[StoredValue]:
        with gc_paused():  # hundreds of thousands of acyclic objects: see pingtai.gcutil
            return [StoredValue(indicator=row[0], period=stored_period(row[1]), agency=row[2], value=float(row[3]),
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
        texts = ", v.note, v.cell, v.raw, v.below_unit" if detail else ""  # without: CurrentValue's defaults
        keys = sorted(set(series)) if series is not None else []
        if series is not None and not keys:
            return []
        # With ``series`` the wanted keys drive the query (a seek each) and a row names its series by number:
        # the series' own strings are then shared by its rows, not decoded again for each.
        named, joined, params = "v.indicator, v.area, v.agency", "", list[Any]()
        if keys:
            named, joined, params = self._series_join(keys)
        # only batches that count (review): a row of one left out is never current, nor hides an older one
        states = self.review_states()
        sql = f"""
            SELECT {named}, v.period, v.value, v.unit, v.batch_id, v.growth, v.last_year{texts}
            FROM value v {joined}
            WHERE (v.batch_id = (SELECT MAX(batch_id) FROM value)
                   OR NOT EXISTS (SELECT 1 FROM value x WHERE x.indicator = v.indicator AND x.area = v.area
                                  AND x.agency = v.agency AND x.period = v.period AND x.batch_id > v.batch_id
                                  {self._counting("x.batch_id", states)})) {self._counting("v.batch_id", states)}"""
        for column, wanted in (("indicator", indicators), ("area", areas), ("agency", agencies),
                               ("period", None if periods is None else [str(p.as_point()) for p in periods])):
            if wanted is None:
                continue
            chosen = sorted(set(wanted))
            if not chosen:
                return []
            condition, param = self._in_list(f"v.{column}", chosen)
            sql += f" AND {condition}"
            params.append(param)
        rows = self._query(sql + (" ORDER BY s.n, v.period" if keys else " ORDER BY v.indicator, v.area, v.agency, v.period"),
                           params)
        if not rows:
            return []
        stamps = {row[0]: parse_time(row[1]) for row in self._query("SELECT id, imported_at FROM batch", [])}
        # A row: its series (a number into ``keys``, or indicator, area, agency), period, value, unit, batch,
        # growth, last year; with ``detail`` then note, cell, the figure as written, below its unit.
        if keys and detail:
            return [CurrentValue(keys[row[0]][0], keys[row[0]][1], stored_period(row[1]), keys[row[0]][2], float(row[2]),
                                 row[3], row[4], stamps[row[4]], row[5], row[6], row[7], row[8], row[9],
                                 bool(row[10])) for row in rows]
        if keys:  # the dashboard's read: the texts are CurrentValue's defaults
            return [CurrentValue(keys[row[0]][0], keys[row[0]][1], stored_period(row[1]), keys[row[0]][2], float(row[2]),
                                 row[3], row[4], stamps[row[4]], row[5], row[6]) for row in rows]
        if detail:
            return [CurrentValue(row[0], row[1], stored_period(row[3]), row[2], float(row[4]), row[5], row[6],
                                 stamps[row[6]], row[7], row[8], row[9], row[10], row[11], bool(row[12]))
                    for row in rows]
        return [CurrentValue(row[0], row[1], stored_period(row[3]), row[2], float(row[4]), row[5], row[6],
                             stamps[row[6]], row[7], row[8]) for row in rows]

    def period_counts(self, indicators: Collection[str] | None = None, *,
                      areas: Collection[str] | None = None) -> dict[str, int]:
        """How many periods (as spelled) the ledger holds values for, per indicator (of ``indicators`` and
        ``areas`` only, when given), whoever reported them: one pass over ``value_key``, no value read."""
        sql, params = f"SELECT indicator, COUNT(DISTINCT period) FROM value WHERE 1 = 1{self._counting('batch_id')}", []
        for column, wanted in (("indicator", indicators), ("area", areas)):
            if wanted is None:
                continue
            if not wanted:
                return {}
            condition, param = self._in_list(column, sorted(set(wanted)))
            sql += f" AND {condition}"
            params.append(param)
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
        return [task_from_row(row) for row in self._query(sql, [])]

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
        return [task_from_row(row) for row in self._query(sql, params)]

    def batches(self) -> list[Batch]:
        """Every batch, oldest first, with its review state and decisions."""
        return self._reviewed(self._query(f"SELECT {READ_BATCH_COLUMNS} FROM batch ORDER BY id", []))

    def batch(self, batch_id: int) -> Batch | None:
        """Batch ``batch_id`` with its review state and decisions, if there is one."""
        rows = self._reviewed(self._query(f"SELECT {READ_BATCH_COLUMNS} FROM batch WHERE id = ?", [batch_id]))
        return rows[0] if rows else None

    def batch_by_sha256(self, sha256: str) -> Batch | None:
        """The batch that recorded a file with these bytes, if any."""
        rows = self._reviewed(self._query(f"SELECT {READ_BATCH_COLUMNS} FROM batch WHERE sha256 = ?", [sha256]))
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
        batches = [batch_from_row(row) for row in rows]
        if not states and not decided:
            return batches
        return [b.replace(state=states.get(b.id, "accepted"), decisions=tuple(decided.get(b.id, ())))
                for b in batches]

    def batch_values(self, batch_id: int) -> list[StoredValue]:
        """The values one batch recorded (superseded ones flagged), in the order they were stored."""
        sql = f"""
            SELECT {self._VALUE_ROW},
                   EXISTS (SELECT 1 FROM value w WHERE w.indicator = v.indicator AND w.area = v.area
                           AND w.agency = v.agency AND w.period = v.period AND w.batch_id > v.batch_id
                           {self._counting("w.batch_id")})
            FROM value v WHERE v.batch_id = ? ORDER BY v.{self._ROW_ORDER}"""
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
                (agency, period, iso_time(b.imported_at), b.id, b.received.isoformat(), b.received_source, b.backfill)
                for (agency, period), batch_id in resubmitted.items() if batch_id is not None
                for b in (batches[batch_id],)]
        # a batch's times are the same on each of its returns (one import: thousands): parsed once per batch
        times: dict[int, tuple[dt.datetime, dt.date]] = {}
        received = []
        for row in rows:
            at_day = times.get(row[3])
            if at_day is None:
                at = parse_time(row[2])
                at_day = times[row[3]] = (at, received_day(row[4], at))
            received.append(ReceivedReturn(agency=row[0], period=stored_period(row[1]), received_at=at_day[0],
                                           batch=row[3], received=at_day[1], source=row[5], backfill=bool(row[6])))
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
        return [Setting(int(r[0]), r[1], r[2], r[3], parse_time(r[4]), int(r[5])) for r in rows]

    def decisions(self, batch_id: int | None = None) -> list[Decision]:
        """Every decision (on one batch, or all), oldest first."""
        sql = "SELECT id, batch_id, decision, decided_by, decided_at, note FROM decision"
        params: list[int] = []
        if batch_id is not None:
            sql += " WHERE batch_id = ?"
            params = [batch_id]
        return [decision_from_row(row) for row in self._query(sql + " ORDER BY id", params)]

    def logged_rows(self) -> list[LogEntry]:
        """Every decision and setting as its line of the decisions log should record it (``previous`` left
        ``None``), in the order they were written: what ``ledger verify`` compares the log with."""
        decisions = self._query("""SELECT d.id, d.after_batch, d.decided_at, d.decided_by, d.batch_id, b.sha256,
                                          d.decision, d.note FROM decision d JOIN batch b ON b.id = d.batch_id""", [])
        settings = self._query("SELECT id, after_batch, set_at, set_by, name, value FROM setting", [])
        rows = [LogEntry(ledger=self.name, kind="decision", id=int(r[0]), after_batch=int(r[1]), at=r[2], by=r[3],
                         batch=int(r[4]), sha256=r[5], decision=r[6], note=r[7]) for r in decisions]
        rows += [LogEntry(ledger=self.name, kind="setting", id=int(r[0]), after_batch=int(r[1]), at=r[2], by=r[3],
                          name=r[4], value=r[5]) for r in settings]
        return sorted(rows, key=lambda e: (e.at, e.after_batch, e.kind, e.id))

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
            found.append(RejectedReturn(agency, stored_period(period), sent_back, batch.file, batch.received, decision.at,
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

    # --- check runs ----------------------------------------------------------------------------
    def _last_findings(self, scope: str) -> dict[str, str] | None:
        rows = self._query("SELECT id FROM check_run WHERE scope = ? ORDER BY id DESC LIMIT 1", [scope])
        if not rows:
            return None
        return dict(self._query("SELECT key, fingerprint FROM check_finding WHERE run_id = ?", [rows[0][0]]))


    def check_runs(self, scope: str | None = None) -> list[CheckRun]:
        """Every recorded check run (of one ``scope``, or all), oldest first."""
        sql = "SELECT id, started_at, as_of, scope, findings, reported FROM check_run"
        params: list[str] = []
        if scope is not None:
            sql += " WHERE scope = ?"
            params = [scope]
        return [CheckRun(id=int(row[0]), started_at=parse_time(row[1]), as_of=dt.date.fromisoformat(row[2]),
                         scope=row[3], findings=int(row[4]), reported=int(row[5]))
                for row in self._query(sql + " ORDER BY id", params)]

    def check_findings(self, run_id: int) -> list[SeenFinding]:
        """The findings one check run recorded, by key."""
        rows = self._query("SELECT key, fingerprint, kind, severity FROM check_finding WHERE run_id = ? ORDER BY key",
                           [run_id])
        return [SeenFinding(key=row[0], fingerprint=row[1], kind=row[2], severity=row[3]) for row in rows]


    def batch_rows(self, batch_id: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        """The value and task rows batch ``batch_id`` holds, as stored, in order (:func:`stored_rows`' shape)."""
        values = [tuple(row) for row in self._query(
            f"SELECT {VALUE_COLUMNS} FROM value WHERE batch_id = ? ORDER BY {self._ROW_ORDER}", [batch_id])]
        tasks = [tuple(row) for row in self._query(
            f"SELECT {TASK_COLUMNS} FROM task_progress WHERE batch_id = ? ORDER BY {self._ROW_ORDER}", [batch_id])]
        return values, tasks


__all__ = ["TASK_COLUMNS", "VALUE_COLUMNS", "SqlLedger"]
