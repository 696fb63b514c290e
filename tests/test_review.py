"""Review of returns (pingtai.review and the ledger's decisions): accept, reject, the review policy,
what counts everywhere, returns sent back, and the decisions log through rebuild and verify.

The tests of what the ledger decides (accept, reject, re-decide, review required, a resubmission, the
identical file refused, the check finding) run on both backends (``ledger_url``: an SQLite file and a
PostgreSQL database); those of the decisions log as a file run on SQLite."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checks_helpers import COMMERCE, MARKET, SENT, all_well, inbox, send
from pingtai import archive, service
from pingtai.catalog import Catalog
from pingtai.errors import UsageError
from pingtai.importer import record
from pingtai.ledger import Ledger, is_database, sha256_of
from pingtai.periods import Period
from pingtai.records import ParsedReturn, ValueRecord
from pingtai.review import DecisionResult, pending_returns, resubmit_by
from pingtai.service import Store

AT = dt.datetime(2025, 4, 18, 2, 0, tzinfo=dt.UTC)  # Friday 10:00 in Shaoxing
AS_OF = dt.date(2025, 5, 1)


@pytest.fixture
def loc(ledger_url: str) -> Path | str:
    """A ledger on each backend: an SQLite file (a path) and a PostgreSQL database (its URL)."""
    return ledger_url if is_database(ledger_url) else Path(ledger_url)


def sales(db: Path | str) -> dict[str, float]:
    with Ledger.open(db, readonly=True) as ledger:
        return {str(v.period): v.value for v in ledger.current_values(["sales"])}


def decide(db: Path | str, ids: list[int], decision: str, note: str = "", *, at: dt.datetime = AT) -> DecisionResult:
    return service.decide(Store(db), ids, decision, by="王五", at=at, note=note)  # type: ignore[arg-type]


def test_a_rejected_correction_stops_counting_and_an_acceptance_brings_it_back(loc: Path | str, catalog: Catalog) -> None:
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 30.0}, name="correction.xlsx")
    assert sales(loc) == {"2025Q1": 30.0}
    rejected = decide(loc, [2], "rejected", "零售额口径有误")
    assert ([d.batch for d in rejected.recorded], rejected.unchanged) == ([2], [])
    assert sales(loc) == {"2025Q1": 40.0}  # the figure it would have replaced counts again
    with Ledger.open(loc, readonly=True) as ledger:
        batch = ledger.batch(2)
        assert batch is not None and batch.state == "rejected"
        [decision] = batch.decisions
        assert (decision.decision, decision.by, decision.at, decision.reason, decision.note) == (
            "rejected", "王五", AT, "零售额口径有误", "")
        history = {v.batch: v for v in ledger.history("sales")}
    assert (history[2].state, history[2].reason) == ("rejected", "零售额口径有误")
    assert (history[1].state, history[1].superseded) == ("accepted", False)  # no counted figure supersedes it
    # a later decision supersedes the earlier; both stay
    accepted = decide(loc, [2], "accepted", "已电话核实", at=AT + dt.timedelta(hours=1))
    assert [d.note for d in accepted.recorded] == ["已电话核实"]
    assert sales(loc) == {"2025Q1": 30.0}
    with Ledger.open(loc, readonly=True) as ledger:
        batch = ledger.batch(2)
        assert batch is not None and batch.state == "accepted"
        assert [d.decision for d in batch.decisions] == ["rejected", "accepted"]
        assert {v.batch: v.superseded for v in ledger.history("sales")} == {1: True, 2: False}


def test_deciding_the_same_state_again_records_nothing(loc: Path | str, catalog: Catalog) -> None:
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    assert decide(loc, [1], "accepted").unchanged == [1]  # accepted on import already (review off)
    decide(loc, [1], "rejected", "缺任务进展")
    again = decide(loc, [1, 1], "rejected", "缺任务进展")
    assert (again.recorded, again.unchanged) == ([], [1])
    assert [d.id for d in decide(loc, [1], "rejected", "缺任务进展；数值待核").recorded] == [2]  # a new reason is a new decision
    with Ledger.open(loc, readonly=True) as ledger:
        assert len(ledger.decisions()) == 2
        assert len(ledger.decisions_log().splitlines()) == 2


def test_unknown_batches_are_named_and_nothing_is_written(loc: Path | str, catalog: Catalog) -> None:
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    with pytest.raises(UsageError, match="没有这些批次：7、9"):
        decide(loc, [1, 7, 9], "rejected", "x")
    with Ledger.open(loc, readonly=True) as ledger:
        assert ledger.decisions() == [] and ledger.batches()[0].state == "accepted"
    with Ledger.open(loc, readonly=True) as ledger:
        assert ledger.decisions_log() == b""


def test_with_review_required_a_return_waits_until_accepted(loc: Path | str, catalog: Catalog) -> None:
    send(loc, catalog, COMMERCE, "2024", {"sales": 125.0})
    changed = service.settings(Store(loc), ("review", "required"), by="张三", at=AT)
    assert changed.values == {"review": "required"} and changed.changed is not None
    assert changed.changed.after_batch == 1
    assert service.settings(Store(loc), ("review", "required"), by="张三", at=AT).changed is None  # already so
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    send(loc, catalog, COMMERCE, "2024", {"sales": 120.0}, name="2024-correction.xlsx")
    assert sales(loc) == {"2024": 125.0}  # neither counts yet
    with Ledger.open(loc, readonly=True) as ledger:
        assert [b.state for b in ledger.batches()] == ["accepted", "pending", "pending"]
        # pending returns have arrived: their timeliness counts from their receipt
        assert (COMMERCE, Period.parse("2025Q1")) in {(r.agency, r.period) for r in ledger.received_returns()}
        queue = pending_returns(catalog, ledger)
    assert [(p.id, p.diff.added, p.diff.updated, p.diff.unchanged) for p in queue] == [(2, 1, 0, 0), (3, 0, 1, 0)]
    [change] = queue[1].diff.changes
    assert (change.old, change.new, change.old_batch) == (125.0, 120.0, 1)
    status = service.status(catalog, Store(loc), AS_OF)
    assert (status.awaiting_review, status.awaiting_since) == (2, dt.date(2025, 1, 10))  # the 2024 correction
    decide(loc, [2, 3], "accepted")
    assert sales(loc) == {"2024": 120.0, "2025Q1": 40.0}
    assert service.status(catalog, Store(loc), AS_OF).awaiting_review == 0
    # switched off: later returns are accepted on import again; those already waiting would still wait
    service.settings(Store(loc), ("review", "off"), by="张三", at=AT)
    send(loc, catalog, MARKET, "2025Q1", {"shops": 1300.0})
    with Ledger.open(loc, readonly=True) as ledger:
        assert ledger.batches()[-1].state == "accepted" and ledger.setting("review") == "off"
        assert [(s.value, s.after_batch) for s in ledger.settings()] == [("required", 1), ("off", 3)]


def test_unknown_settings_and_values_are_usage_errors(db: Path, catalog: Catalog) -> None:
    send(db, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    with pytest.raises(UsageError, match="未知的台账设置 'reveiw'"):
        service.settings(Store(db), ("reveiw", "required"), by="张三", at=AT)
    with pytest.raises(UsageError, match="off 或 required，不是 'yes'"):
        service.settings(Store(db), ("review", "yes"), by="张三", at=AT)


def test_a_rejected_return_is_missed_and_checked_until_a_resubmission_supersedes_it(loc: Path | str, catalog: Catalog) -> None:
    all_well(loc, catalog)  # 2024Q1 … 2025Q1 from both units, received on time
    check = service.check(catalog, Store(loc), AS_OF, now=SENT)
    assert check.findings == []
    last = 10  # 市市场监管局's 2025Q1 return
    decide(loc, [last], "rejected", "网店数与工商登记不符")
    report = service.report(catalog, Store(loc), MARKET, AS_OF)
    entry = next(e for e in report.returns if str(e.period) == "2025Q1")
    assert (entry.state, entry.label, entry.reason, entry.rejected_by, entry.batch) == (
        "rejected", "退回", "网店数与工商登记不符", "王五", last)
    assert (report.return_counts.missing, report.return_counts.rejected, report.return_counts.on_time) == (1, 1, 4)
    league = service.league(catalog, Store(loc), AS_OF)
    assert next(r for r in league.rows if r.agency == MARKET).returns.rejected == 1
    check = service.check(catalog, Store(loc), AS_OF, now=SENT)
    [finding] = [f for f in check.findings if f.agency == MARKET and f.subject == "return:2025Q1"]
    # rejected on Friday 2025-04-18: five working days later is Friday 2025-04-25
    assert (finding.kind, finding.severity, finding.due, finding.by) == (
        "rejected_return", "error", dt.date(2025, 4, 25), dt.date(2025, 4, 25))
    assert "网店数与工商登记不符" in finding.message and "2025-04-25 前修改后重新报送" in finding.message
    early = service.check(catalog, Store(loc), dt.date(2025, 4, 25), now=SENT, resubmit_days=10)
    assert [(f.kind, f.severity, f.due) for f in early.findings if f.agency == MARKET] == [
        ("rejected_return", "warning", dt.date(2025, 5, 2))]
    # the resubmission: a new file for the same unit and period
    send(loc, catalog, MARKET, "2025Q1", {"shops": 1310.0}, [(2, "in_progress", "")], name="resubmitted.xlsx")
    with Ledger.open(loc, readonly=True) as ledger:
        assert ledger.rejected_returns() == []
        [receipt] = [r for r in ledger.received_returns() if r.agency == MARKET and str(r.period) == "2025Q1"]
        assert receipt.batch == last + 1
    entry = next(e for e in service.report(catalog, Store(loc), MARKET, AS_OF).returns if str(e.period) == "2025Q1")
    assert (entry.state, entry.batch) == ("on_time", last + 1)
    assert service.check(catalog, Store(loc), AS_OF, now=SENT).findings == []


def test_a_rejected_correction_leaves_the_return_received(loc: Path | str, catalog: Catalog) -> None:
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 30.0}, name="correction.xlsx")
    decide(loc, [2], "rejected", "更正无依据")
    with Ledger.open(loc, readonly=True) as ledger:
        assert [r.batch for r in ledger.received_returns()] == [1]
        [back] = ledger.rejected_returns()  # still to be resubmitted: the check says so
    assert (back.agency, str(back.period), back.batch, back.reason) == (COMMERCE, "2025Q1", 2, "更正无依据")


@pytest.mark.parametrize(("at", "days", "expected"), [
    (dt.datetime(2025, 4, 18, 2, 0, tzinfo=dt.UTC), 5, dt.date(2025, 4, 25)),  # Friday → next Friday
    (dt.datetime(2025, 4, 18, 16, 30, tzinfo=dt.UTC), 5, dt.date(2025, 4, 25)),  # Saturday 00:30 in Shaoxing
    (dt.datetime(2025, 4, 14, 2, 0, tzinfo=dt.UTC), 5, dt.date(2025, 4, 21)),  # Monday → next Monday
    (dt.datetime(2025, 4, 17, 2, 0, tzinfo=dt.UTC), 1, dt.date(2025, 4, 18)),  # Thursday → Friday
    (dt.datetime(2025, 4, 18, 2, 0, tzinfo=dt.UTC), 1, dt.date(2025, 4, 21)),  # Friday → Monday
])
def test_resubmission_deadlines_count_working_days(at: dt.datetime, days: int, expected: dt.date) -> None:
    assert resubmit_by(at, days) == expected


def test_the_very_file_that_was_rejected_is_refused(loc: Path | str, catalog: Catalog) -> None:
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    decide(loc, [1], "rejected", "单位有误")
    source = inbox(loc) / f"{COMMERCE}_2025Q1.xlsx"
    parsed = ParsedReturn(path=source, sha256=sha256_of(source), layout="template", agency=COMMERCE,
                          period=Period.parse("2025Q1"), values=[ValueRecord("sales", Period.parse("2025Q1"), COMMERCE,
                                                                             40.0, "亿元", "x!指标!C5", "40")])
    before = loc.read_bytes() if isinstance(loc, Path) else None
    with Ledger.open(loc) as ledger:
        result = record(parsed, catalog, ledger, source=source, now=SENT)
    assert (result.status, result.batch, [p.code for p in result.errors]) == ("rejected", 1, ["sent-back"])
    assert result.errors[0].message.startswith("该文件已于 2025-04-18 被退回：单位有误")
    with Ledger.open(loc, readonly=True) as ledger:
        assert len(ledger.batches()) == 1
    if isinstance(loc, Path):
        assert loc.read_bytes() == before  # not a byte of the file written


def test_an_interrupted_decision_is_noted_and_removed_by_the_next(db: Path, catalog: Catalog) -> None:
    from pingtai.maintenance import verify_ledger

    send(db, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    decide(db, [1], "rejected", "单位有误")
    # killed between the log's fsync and COMMIT: a line no row claims
    entry = archive.LogEntry(ledger=db.name, kind="decision", id=2, after_batch=1, at="2025-04-18T03:00:00Z", by="王五",
                             batch=1, sha256="0" * 64, decision="accepted")
    archive.append_log(db.parent, archive.chain_lines([entry], archive.log_head(db.parent)))
    found = verify_ledger(db)
    assert (found.exit_code, [n.code for n in found.notes]) == (0, ["pending-log"])
    with Ledger.open(db, readonly=True) as ledger:
        assert ledger.batches()[0].state == "rejected"
    decide(db, [1], "accepted", at=AT + dt.timedelta(hours=2))
    lines = [json.loads(line) for line in archive.log_path(db.parent).read_bytes().splitlines()]
    assert [(line["id"], line["decision"], line["at"]) for line in lines] == [
        (1, "rejected", "2025-04-18T02:00:00Z"), (2, "accepted", "2025-04-18T04:00:00Z")]
    assert verify_ledger(db).exit_code == 0


def test_a_decision_that_fails_takes_its_line_back(db: Path, catalog: Catalog) -> None:
    import sqlite3

    from pingtai.errors import LedgerError

    send(db, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    decide(db, [1], "rejected", "单位有误")
    log = archive.log_path(db.parent).read_bytes()
    raw = sqlite3.connect(db)  # a write that fails after the log line is written (as a full disk would)
    raw.execute("CREATE TRIGGER refuse BEFORE INSERT ON decision BEGIN SELECT RAISE(ABORT, 'refused'); END")
    raw.commit()
    raw.close()
    with pytest.raises(LedgerError, match="写入决定被拒绝"):
        decide(db, [1], "accepted")
    assert archive.log_path(db.parent).read_bytes() == log
    with Ledger.open(db, readonly=True) as ledger:
        assert [d.decision for d in ledger.decisions()] == ["rejected"]


def test_a_rejected_return_leaves_every_read_of_what_counts(loc: Path | str, catalog: Catalog) -> None:
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 40.0}, [(1, "in_progress", "")])
    send(loc, catalog, COMMERCE, "2025Q1", {"sales": 30.0}, [(1, "late", "场地未落实")], name="correction.xlsx")
    decide(loc, [2], "rejected", "任务进展与事实不符")
    with Ledger.open(loc, readonly=True) as ledger:
        assert [(t.batch, t.status) for t in ledger.current_tasks()] == [(1, "in_progress")]
        assert {t.batch: t.superseded for t in ledger.task_history()} == {1: False, 2: False}  # none counted replaces it
        assert [v.superseded for v in ledger.batch_values(1)] == [False]
        assert ledger.period_counts() == {"sales": 1}
        assert [v.batch for v in ledger.current_values(series=[("sales", "", COMMERCE)])] == [1]
    decide(loc, [1], "rejected", "数值有误")
    with Ledger.open(loc, readonly=True) as ledger:
        assert (ledger.current_values(), ledger.current_tasks(), ledger.period_counts()) == ([], [], {})
        assert ledger.received_returns() == []
        assert [(r.batch, r.reason) for r in ledger.rejected_returns()] == [(2, "任务进展与事实不符")]
    status = service.status(catalog, Store(loc), AS_OF)
    assert next(r for r in status.indicators if r.id == "sales").actual is None


def test_the_review_tables_are_append_only(db: Path, catalog: Catalog) -> None:
    import sqlite3

    send(db, catalog, COMMERCE, "2025Q1", {"sales": 40.0})
    decide(db, [1], "rejected", "单位有误")
    raw = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE decision SET note = '无误'")
    raw.execute("DROP TRIGGER decision_append_only_delete")
    raw.commit()
    raw.close()
    with Ledger.open(db, readonly=True) as ledger:
        assert any("decision_append_only_delete" in p for p in ledger.integrity_problems())
