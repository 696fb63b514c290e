"""Agency reports and the league table built from the bundled plans and a real SQLite ledger.

The lead/co sets below are written from the documents' 责任单位 lines (../shared/seeds: 38号 三、,
5号 三、; "列第一位的为牵头单位"), not from the YAML, so that a slip in either shows up.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ledger_helpers import catalog
from pingtai import service
from pingtai.errors import UnknownNameError, UsageError
from pingtai.ledger import ReceivedReturn
from pingtai.loader import load_catalog
from pingtai.periods import Period, office_day
from pingtai.reports import (
    AgencyReport,
    LedgerSnapshot,
    _ranks,
    agency_returns,
    build_agency_report,
    build_league,
    league_row,
    report_agencies,
)
from report_helpers import AS_OF, FORMULA_TEXTS, seed

P38, P5 = "plan_2023_38", "zone_2023_5"

# agency: {plan: (lead tasks, {co task: via group or None})} — from the documents' 责任单位 lines
DOCUMENT_ROLES: dict[str, dict[str, tuple[set[int], dict[int, str | None]]]] = {
    # 38号 5、6、7、12、16、19 list 市市场监管局 first; 1 (third), 15 (second), 20 (second);
    # 5号 1、2、4、5、6、11、12 list it first.
    "市市场监管局": {P38: ({5, 6, 7, 12, 16, 19}, {1: None, 15: None, 20: None}),
                P5: ({1, 2, 4, 5, 6, 11, 12}, {})},
    # 38号 1 and 13 name 各区、县（市）政府; 19 names 诸暨市政府 last; 5号 11 "市市场监管局，诸暨市政府".
    "诸暨市政府": {P38: (set(), {1: "各区、县（市）政府", 13: "各区、县（市）政府", 19: None}), P5: (set(), {11: None})},
    # 38号 8 first, 9 third; 5号 2 (fifth), 9 (fourth, written 市人社社保局).
    "市人力社保局": {P38: ({8}, {9: None}), P5: (set(), {2: None, 9: None})},
    # 38号 14、17、18: "市平台经济工作领导小组办公室及成员单位".
    "市平台经济工作领导小组办公室": {P38: ({14, 17, 18}, {}), P5: (set(), {})},
    # 38号 1, 13 through the group; 5号 7 "市商务局、滨海新区管委会，柯桥区政府".
    "柯桥区政府": {P38: (set(), {1: "各区、县（市）政府", 13: "各区、县（市）政府"}), P5: (set(), {7: None})},
}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> LedgerSnapshot:
    db = seed(tmp_path_factory.mktemp("ledger") / "ledger.sqlite3")
    return service.snapshot(service.Store(db))


def roles_of(report: AgencyReport) -> dict[str, tuple[set[int], dict[int, str | None]]]:
    out: dict[str, tuple[set[int], dict[int, str | None]]] = {P38: (set(), {}), P5: (set(), {})}
    for task in report.lead:
        out[task.plan][0].add(task.number)
    for task in report.co:
        out[task.plan][1][task.number] = task.via
    return out


@pytest.mark.parametrize("agency", sorted(DOCUMENT_ROLES))
def test_lead_and_co_tasks_match_the_documents(agency: str) -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), agency, AS_OF)
    assert report.agency == agency
    assert roles_of(report) == DOCUMENT_ROLES[agency]
    assert all(t.role == "lead" for t in report.lead) and all(t.role == "co" for t in report.co)


def test_the_platform_office_leads_through_its_group() -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), "市平台经济工作领导小组办公室", AS_OF)
    assert {t.via for t in report.lead} == {"市平台经济工作领导小组办公室及成员单位"}


@pytest.mark.parametrize("spelling", ["市市场监管局", "市场监管局", "绍兴市市场监督管理局", "市监局"])
def test_any_spelling_gives_the_same_report(spelling: str, data: LedgerSnapshot) -> None:
    assert build_agency_report(catalog(), data, spelling, AS_OF) == build_agency_report(
        catalog(), data, "市市场监管局", AS_OF)


def test_an_alias_from_the_document_resolves() -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), "市人社保局", AS_OF)
    assert (report.agency, report.full_name) == ("市人力社保局", "绍兴市人力资源和社会保障局")
    assert [(c.name, c.label) for c in report.contacts] == [("王奋", "成员")]


def test_unknown_agency_raises_with_suggestions() -> None:
    with pytest.raises(UnknownNameError) as caught:
        build_agency_report(catalog(), LedgerSnapshot(), "市场监督局", AS_OF)
    assert "市市场监管局" in caught.value.suggestions


def test_a_group_is_not_an_agency() -> None:
    with pytest.raises(UsageError, match="单位组") as caught:
        build_agency_report(catalog(), LedgerSnapshot(), "各区、县（市）政府", AS_OF)
    assert "诸暨市政府" in caught.value.hint


def test_plan_filter_keeps_one_plan() -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), "市场监管局", AS_OF, plan="5号")
    assert report.plan == P5
    assert {t.plan for t in report.lead + report.co} == {P5}
    assert [p.plan for p in report.plans] == [P5]


def test_district_sees_group_tasks_and_measures_but_owes_no_returns() -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), "诸暨市", AS_OF)
    assert report.lead == [] and not report.owes_returns and report.returns == []
    assert report.next_due is None and report.return_counts.due == 0 and report.return_counts.rate is None
    assert [(m.id, m.via) for m in report.measures] == [("district_mechanisms", "各区、县（市）政府")]
    assert report.contacts == []


def test_contacts_come_from_the_leading_group() -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), "市市场监管局", AS_OF)
    assert [(c.plan, c.name, c.roles, c.label) for c in report.contacts] == [
        (P5, "黄立枫", ["deputy"], "副组长"), (P5, "贾浩波", ["member", "director"], "成员、办公室主任")]


# --- tasks and indicators from the ledger ----------------------------------------------------


def test_tasks_carry_their_latest_progress(data: LedgerSnapshot) -> None:
    report = build_agency_report(catalog(), data, "市市场监管局", AS_OF)
    lead = {(t.plan, t.number): t for t in report.lead}
    five = lead[(P38, 5)]
    assert (five.status, str(five.period), five.progress, five.issues, five.next_steps) == (
        "in_progress", "2025H1", FORMULA_TEXTS["progress"], FORMULA_TEXTS["issues"], FORMULA_TEXTS["next_steps"])
    six = lead[(P38, 6)]
    assert (six.status, six.label, six.issues) == ("late", "滞后", "人手不足")
    # 5号 ends in 2024, so its 2024 line is the latest owed
    assert (lead[(P5, 11)].status, lead[(P5, 11)].next_steps) == ("late", "协调诸暨市加快对接")
    # a done task stays done although its line is from 2024
    assert lead[(P38, 7)].status == "done"
    # nothing reported for task 12: 未报
    assert (lead[(P38, 12)].status, lead[(P38, 12)].label) == ("unreported", "未报")
    co = {(t.plan, t.number): t for t in report.co}
    one = co[(P38, 1)]
    assert (one.lead, one.status, one.last_status, one.progress) == ("市商务局", "unreported", "in_progress",
                                                                     FORMULA_TEXTS["co_progress"])
    # 5号 ended (its last return was due 2025-01-20): its tasks are listed with their final states but
    # leave the counts and rates
    assert len([t for t in report.lead if t.plan == P5]) == 7
    assert report.task_counts == {"in_progress": 2, "late": 1, "done": 1, "unreported": 2}


def test_task_targets_are_judged(data: LedgerSnapshot) -> None:
    report = build_agency_report(catalog(), data, "市市场监管局", AS_OF)
    task16 = next(t for t in report.lead if (t.plan, t.number) == (P38, 16))
    targets = {t.id: t for t in task16.targets}
    assert set(targets) == {"local_standards", "standardization_pilots", "standard_research_output_ratio"}
    standards = targets["local_standards"]
    assert (standards.actual, standards.expected, standards.status, standards.label) == (6, 6, "on_track", "正常")
    assert standards.target == "10项以上"  # the final target in the document's words
    assert targets["standardization_pilots"].status == "no_data"
    task12 = next(t for t in report.lead if (t.plan, t.number) == (P38, 12))
    [registrations] = task12.targets
    # 2025H1: 420 against 400 + (500 − 400) × 6/12 = 450 → 6.7 % short, beyond the 5 % tolerance
    assert (registrations.actual, registrations.expected, registrations.status) == (420, 450, "off_track")


def test_indicators_with_role_and_chart(data: LedgerSnapshot) -> None:
    report = build_agency_report(catalog(), data, "市市场监管局", AS_OF)
    rows = {r.id: r for r in report.indicators}
    assert {r.plan for r in report.indicators} == {P38}
    assert rows["local_standards"].role == "lead" and rows["online_retail_sales"].role == "co"
    assert rows["online_retail_sales"].owner == "市商务局"
    # a flow charts year ends only: the 2025Q1 year-to-date figure is not on the year axis
    retail = rows["online_retail_sales"].chart
    assert all(p.period.kind == "Y" for p in retail)
    assert [(str(p.period), p.expected, p.actual) for p in retail[:3]] == [
        ("2022", 921, None), ("2023", 1000, 1010), ("2024", 1100, 1150)]
    # a cumulative count charts every reported point on its path
    registrations = {str(p.period): (p.expected, p.actual) for p in rows["data_ip_registrations"].chart}
    assert registrations["2025H1"] == (450, 420) and registrations["2027"] == (1000, None)
    assert report.indicator_counts == {"no_data": 5, "on_track": 2, "off_track": 1, "no_baseline": 2}


# --- returns ---------------------------------------------------------------------------------


def test_returns_received_outstanding_and_next_due(data: LedgerSnapshot) -> None:
    report = build_agency_report(catalog(), data, "市市场监管局", AS_OF)
    by_period = {str(e.period): e for e in report.returns}
    on_time = by_period["2024"]
    assert (on_time.state, on_time.due, on_time.received, on_time.days_late, on_time.file) == (
        "on_time", dt.date(2025, 1, 20), dt.date(2025, 1, 18), 0, "市场监管局_2024.xlsx")
    assert on_time.plans == [P38, P5]  # one workbook serves both plans (catalog order)
    late = by_period["2025H1"]
    assert (late.state, late.label, late.received, late.days_late) == ("late", "逾期报送", dt.date(2025, 7, 28), 8)
    missing = by_period["2025Q1"]
    assert (missing.state, missing.days_late, missing.received) == ("missing", (AS_OF - dt.date(2025, 4, 20)).days,
                                                                    None)
    assert report.next_due is not None and report.next_due is by_period["2025Q3"]
    assert (report.next_due.state, report.next_due.due, report.next_due.plans) == ("upcoming", dt.date(2025, 10, 20),
                                                                                   [P38])
    # a later return of the same year makes a missing one moot: no longer chased, still missed
    assert {str(e.period): str(e.covered_by) for e in report.returns if e.state == "missing"} == {
        "2023Q1": "2023", "2023H1": "2023", "2023Q3": "2023", "2024Q1": "2024", "2024H1": "2024", "2024Q3": "2024",
        "2025Q1": "2025H1"}
    # the missing entries not made moot are exactly the calendar's outstanding returns for this agency
    assert [(str(e.period), e.due) for e in report.returns if e.state == "missing" and e.covered_by is None] == [
        (str(r.period), r.due) for r in report.outstanding]
    counts = report.return_counts
    assert (counts.due, counts.on_time, counts.late, counts.missing) == (10, 1, 2, 7)
    assert counts.rate == pytest.approx(0.1)


def _received(agency: str, period: str, at: dt.datetime) -> ReceivedReturn:
    return ReceivedReturn(agency=agency, period=Period.parse(period), received_at=at, batch=1,
                          received=office_day(at))


def test_on_time_is_judged_on_the_beijing_calendar_day() -> None:
    # 2025-01-20 15:30 UTC is 23:30 in Shaoxing: on time; 16:30 UTC is already 21 January
    for at, state in ((dt.datetime(2025, 1, 20, 15, 30, tzinfo=dt.UTC), "on_time"),
                      (dt.datetime(2025, 1, 20, 16, 30, tzinfo=dt.UTC), "late")):
        data = LedgerSnapshot(received=[_received("市商务局", "2024", at)])
        report = build_agency_report(catalog(), data, "市商务局", dt.date(2025, 3, 1))
        entry = next(e for e in report.returns if str(e.period) == "2024")
        assert entry.state == state, at


def test_grace_days_forgive_a_late_return(data_copy: Path) -> None:
    data = LedgerSnapshot(received=[_received("市商务局", "2025H1", dt.datetime(2025, 7, 24, 2, tzinfo=dt.UTC))])
    strict = build_agency_report(catalog(), data, "市商务局", AS_OF)
    assert next(e for e in strict.returns if str(e.period) == "2025H1").state == "late"
    for name in ("plan_2023_38.yaml", "zone_2023_5.yaml"):
        path = data_copy / name
        path.write_text(path.read_text(encoding="utf-8").replace("grace_days: 0", "grace_days: 5"), encoding="utf-8")
    lenient = build_agency_report(load_catalog(data_copy), data, "市商务局", AS_OF)
    entry = next(e for e in lenient.returns if str(e.period) == "2025H1")
    assert (entry.state, entry.days_late) == ("on_time", 0)


def test_next_due_is_a_period_ended_but_not_yet_due() -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), "市商务局", dt.date(2025, 4, 10))
    assert report.next_due is not None
    assert (str(report.next_due.period), report.next_due.state, report.next_due.label) == ("2025Q1", "due",
                                                                                          "待报（未到期）")
    assert str(report.returns[-1].period) == "2025H1" and report.returns[-1].state == "upcoming"


def test_a_return_outside_the_calendar_is_listed_unscheduled() -> None:
    data = LedgerSnapshot(received=[_received("市商务局", "2022", dt.datetime(2025, 2, 1, tzinfo=dt.UTC))])
    report = build_agency_report(catalog(), data, "市商务局", dt.date(2025, 3, 1))
    first = report.returns[0]
    assert (str(first.period), first.state, first.due, first.plans) == ("2022", "unscheduled", None, [])
    assert report.return_counts.due == len([e for e in report.returns if e.state in ("on_time", "late", "missing")])


def test_a_back_dated_report_ignores_later_periods(data: LedgerSnapshot) -> None:
    report = build_agency_report(catalog(), data, "市市场监管局", dt.date(2025, 2, 1))
    assert all(t.period is None or t.period <= Period.parse("2024") for t in report.lead)
    assert [(str(e.period), e.state) for e in report.returns[-2:]] == [("2024", "on_time"), ("2025Q1", "upcoming")]
    # a receipt keeps its own day: the 2025H1 return received on 2025-07-28 is late, also seen from 2025-07-25
    late = build_agency_report(catalog(), data, "市市场监管局", dt.date(2025, 7, 25))
    assert {str(e.period): e.state for e in late.returns}["2025H1"] == "late"


# --- the league ------------------------------------------------------------------------------


def test_ranks_are_competition_ranks() -> None:
    assert _ranks([0.5, 0.9, 0.5, None, 0.1]) == [2, 1, 2, None, 4]
    assert _ranks([1 / 3, 1 - 2 / 3]) == [1, 1]  # equal within rounding


def test_league_counts_behind_each_rank(data: LedgerSnapshot) -> None:
    league = build_league(catalog(), data, AS_OF)
    rows = {r.agency: r for r in league.rows}
    assert [(r.rank, r.agency) for r in league.rows[:2]] == [(1, "市市场监管局"), (2, "市商务局")]
    scjg = rows["市市场监管局"]
    assert (scjg.returns.due, scjg.returns.on_time, scjg.returns.late, scjg.returns.missing) == (10, 1, 2, 7)
    # 5号 has ended: its 7 tasks leave the counts (6 led in 38号 remain)
    assert (scjg.tasks.led, scjg.tasks.co, scjg.tasks.on_track, scjg.tasks.late, scjg.tasks.unreported) == (
        6, 3, 3, 1, 2)
    # owned: local_standards, data_ip_registrations, green_channel, standardization_pilots, output ratio, livestream
    assert (scjg.indicators.owned, scjg.indicators.on_track, scjg.indicators.off_track,
            scjg.indicators.no_baseline, scjg.indicators.no_data) == (6, 1, 1, 2, 2)
    rates = [0.1, 3 / 6, 1 / 4]
    assert scjg.score == pytest.approx(100 * sum(rates) / 3)
    assert scjg.ranks == {"returns": 2, "tasks": 1, "indicators": 1}  # 商务局's 5号 indicators left with the plan
    # every unit is there once; units with nothing to rank on come last, unranked
    assert [r.agency for r in league.rows if r.rank is None] == [
        r.agency for r in league.rows[len(league.rows) - sum(1 for x in league.rows if x.rank is None):]]
    assert sorted(rows) == sorted(report_agencies(catalog()))
    zero = [r for r in league.rows if r.score == 0]
    assert len({r.rank for r in zero}) == 1  # equal scores share a rank


@pytest.mark.parametrize(("as_of", "plan"), [(AS_OF, None), (AS_OF, "5号"), (dt.date(2025, 1, 20), None),
                                              (dt.date(2025, 1, 21), "38号"), (dt.date(2024, 7, 1), None)])
def test_league_and_returns_are_what_each_units_report_says(data: LedgerSnapshot, as_of: dt.date,
                                                            plan: str | None) -> None:
    """The league and ``agency_returns`` skip building a report per unit; they must say what the reports say
    (before, on and after 5号's end; with one plan; every unit, with and without returns)."""
    league = build_league(catalog(), data, as_of, plan)
    reports = {name: build_agency_report(catalog(), data, name, as_of, plan) for name in report_agencies(catalog(), plan)}
    assert {r.agency: r.replace(rank=None, ranks={}) for r in league.rows} == {
        name: league_row(report) for name, report in reports.items()}
    returns = agency_returns(catalog(), data, as_of, plan)
    assert list(returns) == list(reports)
    for name, report in reports.items():
        got = returns[name]
        assert (got.agency, got.entries, got.next_due, got.counts, got.owes) == (
            report.agency, report.returns, report.next_due, report.return_counts, report.owes_returns)
    assert agency_returns(catalog(), data, as_of, plan, ["市商务局"]).keys() == {"市商务局"}


def test_league_by_one_rate(data: LedgerSnapshot) -> None:
    league = build_league(catalog(), data, AS_OF, by="returns")
    assert league.by == "returns"
    assert league.rows[0].agency == "市商务局" and league.rows[0].rank == 1
    assert all(r.rank is None for r in league.rows if r.returns.rate is None)
    with pytest.raises(UsageError, match="排名依据"):
        build_league(catalog(), data, AS_OF, by="speed")


def test_league_for_one_plan_lists_its_units() -> None:
    league = build_league(catalog(), LedgerSnapshot(), AS_OF, plan="5号")
    assert league.plan == P5
    names = {r.agency for r in league.rows}
    assert "柯桥区政府" in names and "市委人才办" not in names  # 人才办 is only in 38号 task 9


def test_report_agencies_are_the_units_with_work() -> None:
    names = report_agencies(catalog())
    assert "市政府" not in names and "市统计局" not in names  # named only in the leading group
    assert {"市市场监管局", "诸暨市政府", "市平台经济工作领导小组办公室"} <= set(names)
    for name in names:
        assert not build_agency_report(catalog(), LedgerSnapshot(), name, AS_OF).empty


# --- receipt days, back-fills, moot returns, plans that end ---------------------------------------------


def _receipt(agency: str, period: str, received: dt.date, imported: dt.datetime, *, backfill: bool = False,
             source: str = "return") -> ReceivedReturn:
    return ReceivedReturn(agency=agency, period=Period.parse(period), received_at=imported, batch=1,
                          received=received, source=source, backfill=backfill)  # type: ignore[arg-type]


def test_a_return_is_on_time_by_the_day_it_was_received_not_imported() -> None:
    """A 2025Q1 return filled in on 2025-04-15 and imported in 2026 was on time, not 595 days late."""
    imported = dt.datetime(2026, 12, 6, 2, tzinfo=dt.UTC)
    data = LedgerSnapshot(received=[_receipt("市商务局", "2025Q1", dt.date(2025, 4, 15), imported)])
    report = build_agency_report(catalog(), data, "市商务局", dt.date(2026, 12, 6))
    entry = next(e for e in report.returns if str(e.period) == "2025Q1")
    assert (entry.state, entry.received, entry.imported, entry.received_source, entry.days_late) == (
        "on_time", dt.date(2025, 4, 15), dt.date(2026, 12, 6), "return", 0)


def test_a_backfill_is_neither_on_time_nor_late() -> None:
    imported = dt.datetime(2026, 12, 6, 2, tzinfo=dt.UTC)
    data = LedgerSnapshot(received=[_receipt("市商务局", "2023", dt.date(2026, 12, 6), imported, backfill=True,
                                             source="import"),
                                    _receipt("市商务局", "2024", dt.date(2025, 1, 10), imported)])
    report = build_agency_report(catalog(), data, "市商务局", dt.date(2025, 2, 1))
    states = {str(e.period): (e.state, e.label) for e in report.returns}
    assert states["2023"] == ("backfill", "补录") and states["2024"] == ("on_time", "按时")
    counts = report.return_counts
    assert counts.backfill == 1 and counts.due == counts.on_time + counts.late + counts.missing
    assert "2023" not in {str(r.period) for r in report.outstanding}  # not chased, whatever its day


def test_a_later_return_ends_the_chase_but_the_missed_one_still_counts() -> None:
    """The 2024 year-end return makes 2024H1 and 2024Q3 moot: no more 立即报送, still 未报 in the rate."""
    data = LedgerSnapshot(received=[_receipt("市经信局", "2024", dt.date(2025, 1, 15), dt.datetime(2025, 1, 15,
                                                                                               tzinfo=dt.UTC))])
    report = build_agency_report(catalog(), data, "市经信局", dt.date(2025, 2, 1))
    moot = {str(e.period): str(e.covered_by) for e in report.returns if e.covered_by is not None}
    assert moot == {"2024Q1": "2024", "2024H1": "2024", "2024Q3": "2024"}
    assert not [r for r in report.outstanding if r.period.year == 2024]
    assert report.return_counts.missing >= 3
    # seen from before that return arrived, they were still chased
    earlier = build_agency_report(catalog(), data, "市经信局", dt.date(2025, 1, 14))
    assert {str(r.period) for r in earlier.outstanding} >= {"2024H1", "2024Q3"}


def test_tasks_of_an_ended_plan_leave_the_rates() -> None:
    """In 2025, 5号 (ended with 2024) no longer counts its 7 tasks as 未报 against 市市场监管局."""
    league = build_league(catalog(), LedgerSnapshot(), dt.date(2025, 7, 25))
    market = next(r for r in league.rows if r.agency == "市市场监管局")
    assert (market.tasks.led, market.indicators.owned) == (6, 6)  # 38号 only
    before_end = build_league(catalog(), LedgerSnapshot(), dt.date(2025, 1, 20))  # the last return not yet past due
    assert next(r for r in before_end.rows if r.agency == "市市场监管局").tasks.led == 13
    report = build_agency_report(catalog(), LedgerSnapshot(), "市市场监管局", dt.date(2025, 7, 25))
    assert len([t for t in report.lead if t.plan == P5]) == 7  # still listed, with their final states
    assert [p.ended for p in report.plans] == [False, True]
