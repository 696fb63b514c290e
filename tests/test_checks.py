"""Findings of the scheduled check, each kind at its boundaries, on ledgers seeded through the importer.

The tiny plan of :mod:`checks_helpers`: the first-quarter return is due 2025-04-20, still on time
to 04-25 (5 days' grace), missing from 04-26, an error from 05-10 (14 days later).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from checks_helpers import COMMERCE, MARKET, all_well, send
from pingtai.assess import build_status
from pingtai.catalog import Catalog
from pingtai.checks import (
    FAIL_LEVELS,
    KINDS,
    CheckReport,
    FailOn,
    Finding,
    build_check,
    classify,
    fails,
    only_new,
)
from pingtai.errors import UnknownNameError
from pingtai.ledger import Ledger
from pingtai.loader import load_catalog

LEVELS: tuple[FailOn, ...] = ("overdue", "off_track", "at_risk")


def check(db: Path, catalog: Catalog, day: str, **options: object) -> CheckReport:
    with Ledger.open(db, readonly=True) as ledger:
        return build_check(catalog, ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                           date.fromisoformat(day), **options)  # type: ignore[arg-type]


def keyed(report: CheckReport) -> dict[str, Finding]:
    return {f.key: f for f in report.findings}


def test_all_well_has_no_findings(db: Path, catalog: Catalog) -> None:
    all_well(db, catalog)
    report = check(db, catalog, "2025-05-01")
    assert report.findings == [] and not report.failed
    assert report.counts == {"info": 0, "warning": 0, "error": 0}


@pytest.mark.parametrize(("day", "severity"), [
    ("2025-04-20", None),        # the due date
    ("2025-04-25", None),        # the last day of grace
    ("2025-04-26", "warning"),   # the day after: missing
    ("2025-05-09", "warning"),   # the 14th day missing
    ("2025-05-10", "error"),     # the 15th: escalated
])
def test_overdue_return_at_its_boundaries(db: Path, catalog: Catalog, day: str, severity: str | None) -> None:
    all_well(db, catalog, skip=[(COMMERCE, "2025Q1")])
    found = keyed(check(db, catalog, day)).get("overdue_return:市商务局:2025Q1")
    if severity is None:
        assert found is None
        return
    assert found is not None
    days = (date.fromisoformat(day) - date(2025, 4, 20)).days
    assert (found.kind, found.severity, found.agency, found.plan, found.subject, found.fingerprint) == (
        "overdue_return", severity, COMMERCE, "plan_tiny", "return:2025Q1", severity)
    assert found.message == (f"2025年第1季度报表应于 2025-04-20 前报送，已逾期 {days} 天：请市商务局立即报送"
                             "（涉及网络零售额）。")


def test_a_missing_return_does_not_also_make_its_figures_stale(db: Path, catalog: Catalog) -> None:
    all_well(db, catalog, skip=[(COMMERCE, "2025Q1")])
    report = check(db, catalog, "2025-04-26")
    assert [f.key for f in report.findings] == ["overdue_return:市商务局:2025Q1"]
    assert report.failed and fails(report.findings, "overdue") and fails(report.findings, "at_risk")


def test_returns_missing_for_over_a_year_are_history(db: Path, catalog: Catalog) -> None:
    """On 2025-05-01 the 2024Q1 return (due 2024-04-20) is more than a year late: not repeated."""
    report = check(db, catalog, "2025-05-01")
    periods = {f.subject for f in report.findings if f.kind == "overdue_return" and f.agency == COMMERCE}
    assert periods == {"return:2024H1", "return:2024Q3", "return:2024", "return:2025Q1"}
    assert "return:2024Q1" in {f.subject for f in check(db, catalog, "2025-04-20").findings}


@pytest.mark.parametrize("day", ["2025-04-25", "2025-04-26"])
def test_a_return_without_the_figure_is_incomplete(db: Path, catalog: Catalog, day: str) -> None:
    """The first-quarter return came without 网络零售额: said as soon as it is in, and the figure is not
    also 数据过期 once its deadline passes (the finding about the return names it)."""
    all_well(db, catalog, sales={"2025Q1": None})
    found = keyed(check(db, catalog, day))
    omission = found["incomplete_return:市商务局:2025Q1"]
    assert (omission.severity, omission.agency, omission.fingerprint) == ("warning", COMMERCE, "warning|sales|")
    assert omission.message == ("2025年第1季度报表已收到，但未填网络零售额（仍按未报计）：请市商务局补报，"
                                "2025-07-20 前随下期报表报送。")
    assert "stale:plan_tiny:sales" not in found
    # the figure arrives: nothing more to say
    send(db, catalog, COMMERCE, "2025Q1", {"sales": 40.0}, [(1, "done", "")], name="补报.xlsx")
    assert "incomplete_return:市商务局:2025Q1" not in keyed(check(db, catalog, day))


def test_an_indicator_never_reported_in_returns_that_came(db: Path, catalog: Catalog) -> None:
    all_well(db, catalog, shops={p: None for p in ("2024H1", "2024Q3", "2024", "2025Q1")})
    report = check(db, catalog, "2025-04-26")
    found = keyed(report)
    assert {k for k in found if k.startswith("incomplete_return:市市场监管局")} == {
        f"incomplete_return:市市场监管局:{p}" for p in ("2024H1", "2024Q3", "2024", "2025Q1")}  # 2024Q1: a year ago
    assert "未填网店" in found["incomplete_return:市市场监管局:2025Q1"].message
    assert "no_data:plan_tiny:shops" not in found  # the returns' findings name it
    assert not report.failed  # an incomplete return fails only at --fail-on at_risk
    assert check(db, catalog, "2025-04-26", fail_on="at_risk").failed


@pytest.mark.parametrize(("figure", "kind"), [(35.0, None), (34.99, "at_risk"), (28.0, "at_risk"),
                                              (27.99, "off_track")])
def test_at_risk_and_off_track_at_the_tolerance(db: Path, catalog: Catalog, figure: float, kind: str | None) -> None:
    """2025Q1 expects 140 × 25 % = 35 pro rata (2024Q1 brought no sales figure: no seasonal share); a
    first quarter so judged is 预警 down to 80 % of it (28), 滞后 only below."""
    all_well(db, catalog, sales={"2025Q1": figure})
    report = check(db, catalog, "2025-05-01")
    behind = [f for f in report.findings if f.kind in ("at_risk", "off_track")]
    if kind is None:
        assert behind == []
        return
    [found] = behind
    assert (found.kind, found.severity, found.agency, found.key) == (
        kind, "error" if kind == "off_track" else "warning", COMMERCE, f"{kind}:plan_tiny:sales")
    assert found.fingerprint == f"{found.severity}|2025Q1|{figure:g}"
    assert found.message.startswith(f"网络零售额2025年第1季度为 {figure:g} 亿元，低于应达值 35 亿元")
    assert "2025-07-20 前随下期报表" in found.message and found.by == date(2025, 7, 20)
    assert report.failed == (kind == "off_track")


def test_a_missed_milestone_is_an_overdue_task_while_it_is_the_latest(db: Path, catalog: Catalog) -> None:
    """网店 2024 target 1200, reported 1150: missed; it stands for the same value's status."""
    all_well(db, catalog, shops={"2024": 1150.0})
    found = keyed(check(db, catalog, "2025-02-01"))
    missed = found["overdue_task:plan_tiny:shops@2024"]
    assert (missed.severity, missed.agency, missed.subject, missed.due) == ("error", MARKET, "shops@2024",
                                                                            date(2025, 1, 20))
    assert missed.message.startswith("网店2024年目标“1200家”未达成（实际 1150 家）：请市市场监管局说明原因")
    assert "off_track:plan_tiny:shops" not in found  # the same 2024 value: one finding, not two
    # a year after its due date it is history
    assert "overdue_task:plan_tiny:shops@2024" in keyed(check(db, catalog, "2026-01-21"))
    assert "overdue_task:plan_tiny:shops@2024" not in keyed(check(db, catalog, "2026-01-22"))


@pytest.mark.parametrize(("day", "severity"), [
    ("2025-01-25", None), ("2025-01-26", "warning"), ("2025-02-08", "warning"), ("2025-02-09", "error")])
def test_a_deliverable_past_due_while_its_task_is_not_done(db: Path, catalog: Catalog, day: str,
                                                           severity: str | None) -> None:
    """建成直播基地 is due in 2024: the 2024 return (due 2025-01-20, grace to 01-25) must say 已完成."""
    all_well(db, catalog, task1={"2024": "in_progress", "2025Q1": "in_progress"})
    found = keyed(check(db, catalog, day)).get("overdue_task:plan_tiny:task1:live_base")
    if severity is None:
        assert found is None
        return
    assert found is not None and (found.severity, found.agency, found.subject) == (severity, COMMERCE,
                                                                                  "task:1/live_base")
    assert "“建成直播基地”应于 2024年完成（2025-01-20 前报告），最新进展为“推进中”：请市商务局说明完成情况" in found.message


def test_a_done_task_has_no_overdue_deliverable(db: Path, catalog: Catalog) -> None:
    all_well(db, catalog)
    assert not [f for f in check(db, catalog, "2025-02-09").findings if f.kind == "overdue_task"]


def test_a_task_reported_late(db: Path, catalog: Catalog) -> None:
    all_well(db, catalog, task2={"2025Q1": "late"})
    report = check(db, catalog, "2025-05-01")
    [found] = report.findings
    assert (found.kind, found.severity, found.agency, found.key) == (
        "overdue_task", "warning", MARKET, "overdue_task:plan_tiny:task2:late")
    assert found.message == ("任务2“培育网店”2025年第1季度自报滞后（存在问题：场地未落实）：请市市场监管局提出赶进措施，"
                             "2025-07-20 前随下期报表报送。")
    assert report.failed  # overdue tasks fail at every level



def test_a_plan_that_has_ended_raises_nothing_more(db: Path, catalog: Catalog) -> None:
    """The plan ends with 2026; its year-end return (due 2027-01-20, grace to 01-25) says 滞后. Until
    then the check asks for a written report (there is no next return); once the last return is past
    due the plan has ended: its tasks and indicators leave the findings, the dashboard keeps them."""
    send(db, catalog, MARKET, "2026", {}, [(2, "late", "")])
    late = keyed(check(db, catalog, "2027-01-25"))["overdue_task:plan_tiny:task2:late"]
    assert late.by is None and late.message.endswith("请市市场监管局提出赶进措施，尽快书面报告。")
    assert check(db, catalog, "2027-01-26").findings == []
    with Ledger.open(db, readonly=True) as ledger:
        status = build_status(catalog, ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                              date(2027, 1, 26))
    assert status.plans[0].ended and {(t.number, t.status) for t in status.tasks} >= {(2, "late")}


def test_a_dashboard_built_already_gives_the_same_check(db: Path, catalog: Catalog) -> None:
    """The bulletin hands the check the dashboard it built (``status=``) rather than have it judged twice."""
    all_well(db, catalog, skip=[(MARKET, "2025Q1")])
    send(db, catalog, MARKET, "2026", {}, [(2, "late", "")])
    for day in ("2025-05-01", "2027-01-25"):
        with Ledger.open(db, readonly=True) as ledger:
            inputs = (ledger.current_values(), ledger.current_tasks(), ledger.received_returns())
        status = build_status(catalog, *inputs, date.fromisoformat(day))
        assert build_check(catalog, *inputs, date.fromisoformat(day), status=status) == check(db, catalog, day)


def test_data_quality_uses_the_importers_own_warnings(db: Path, catalog: Catalog) -> None:
    """网店 2025Q1 below 2024: a stock falling. The finding says what the importer said on import."""
    all_well(db, catalog, skip=[(MARKET, "2025Q1")])
    result = send(db, catalog, MARKET, "2025Q1", {"shops": 1240.0}, [(2, "in_progress", "")])
    [warning] = result.warnings
    found = keyed(check(db, catalog, "2025-05-01"))["data_quality:decrease:shops:市市场监管局:2025Q1"]
    assert (found.severity, found.agency, found.fingerprint) == ("warning", MARKET, "warning|1240")
    assert found.message == f"{warning.message}；如有误，请市市场监管局于 2025-07-20 前报送更正后的报表。"


def test_data_quality_judges_only_the_latest_value_of_each_series(db: Path, catalog: Catalog) -> None:
    all_well(db, catalog, shops={"2024Q3": 1050.0})  # 2024Q3 fell below 2024H1, then recovered
    assert not [f for f in check(db, catalog, "2025-05-01").findings if f.kind == "data_quality"]


def test_a_flow_three_times_last_year_is_a_jump(db: Path, catalog: Catalog) -> None:
    all_well(db, catalog)
    send(db, catalog, COMMERCE, "2025H1", {"sales": 120.0}, [(1, "done", "")])  # 2024H1 was 55: 2.2 ×
    assert not [f for f in check(db, catalog, "2025-07-01").findings if f.kind == "data_quality"]
    send(db, catalog, COMMERCE, "2025H1", {"sales": 170.0}, [(1, "done", "")], name="corrected.xlsx")  # 3.1 ×
    found = keyed(check(db, catalog, "2025-07-01"))["data_quality:jump:sales:市商务局:2025H1"]
    assert "较上年同期" in found.message and found.plan == "plan_tiny" and found.severity == "warning"


@pytest.mark.parametrize(("day", "days", "expected"), [
    ("2025-04-13", 7, "将于 2025-04-20 截止（还有 7 天）"),
    ("2025-04-20", 0, "今天（2025-04-20）截止"),
    ("2025-04-22", 0, "已于 2025-04-20 截止，宽限至 2025-04-25"),
])
def test_reminders(db: Path, catalog: Catalog, day: str, days: int, expected: str) -> None:
    all_well(db, catalog, skip=[(COMMERCE, "2025Q1"), (MARKET, "2025Q1")])
    report = check(db, catalog, day, remind_days=days)
    due = [f for f in report.findings if f.kind == "return_due"]
    assert sorted(f.agency or "" for f in due) == sorted([COMMERCE, MARKET])
    assert all(expected in f.message and f.severity == "info" for f in due)
    assert not any(fails(due, level) for level in LEVELS)  # a reminder never fails the run
    assert not [f for f in check(db, catalog, "2025-04-12", remind_days=7).findings if f.kind == "return_due"]
    assert not [f for f in check(db, catalog, "2025-04-26", remind_days=7).findings if f.kind == "return_due"]


def _finding(kind: str, key: str = "k", fingerprint: str = "warning") -> Finding:
    return Finding(kind=kind, severity="warning", plan="p", subject="s", agency="a", message="m", key=key,  # type: ignore[arg-type]
                   fingerprint=fingerprint, title="t", label="l", plans=("p",), period=None, due=None, by=None)


@pytest.mark.parametrize("kind", KINDS)
def test_fail_on_levels(kind: str) -> None:
    expected = {
        "overdue": kind in ("overdue_return", "rejected_return", "overdue_task"),
        "off_track": kind in ("overdue_return", "rejected_return", "overdue_task", "off_track"),
        "at_risk": kind != "return_due",
    }
    assert set(FAIL_LEVELS) == set(LEVELS)
    assert {level: fails([_finding(kind)], level) for level in LEVELS} == expected


def test_new_changed_and_unchanged() -> None:
    findings = [_finding("off_track", "a", "error|2025Q1|30"), _finding("at_risk", "b"), _finding("stale", "c")]
    reported, unchanged = classify(findings, {"a": "error|2024|28", "b": "warning"})
    assert [(f.key, f.change) for f in reported] == [("a", "changed"), ("c", "new")] and unchanged == 1
    reported, unchanged = classify(findings, None)
    assert {f.change for f in reported} == {"new"} and unchanged == 0


def test_only_new_judges_failure_on_what_is_left() -> None:
    full = CheckReport(as_of=date(2025, 5, 1), plan=None, fail_on="off_track", failed=True,
                       findings=[_finding("overdue_return", "r")], counts={})
    again = only_new(full, {"r": "warning"}, run=2)
    assert (again.findings, again.unrepeated, again.failed, again.run, again.new_only) == ([], 1, False, 2, True)


def test_plan_filter(db: Path, catalog: Catalog) -> None:
    assert check(db, catalog, "2025-05-01", plan="测试方案").plan == "plan_tiny"
    with pytest.raises(UnknownNameError):
        check(db, catalog, "2025-05-01", plan="38号")


def test_a_figure_missing_for_two_plans_is_one_finding(db: Path) -> None:
    """网络零售额 is in both plans: its 2024 first-half figure missing is said once, naming both."""
    bundled = load_catalog()
    send(db, bundled, COMMERCE, "2024Q1", {"online_retail_sales": 250.0})
    send(db, bundled, COMMERCE, "2024H1", {"online_business_entities": 10.0})
    report = check(db, bundled, "2024-07-21")
    [omission] = [f for f in report.findings if f.key == "incomplete_return:市商务局:2024H1"]
    assert omission.plans == ("plan_2023_38", "zone_2023_5") and omission.message.count("网络零售额") == 1
    assert not [f for f in report.findings if f.kind in ("stale", "no_data") and f.subject == "online_retail_sales"]
    # without the return, the figure is one 数据未报 for both plans
    db2 = db.with_name("other.sqlite3")
    send(db2, bundled, COMMERCE, "2024Q1", {"online_retail_sales": 250.0})
    later = check(db2, bundled, "2024-07-21")
    [waiting] = [f for f in later.findings if f.key == "overdue_return:市商务局:2024H1"]
    assert "网络零售额" in waiting.message


# --- figures by area: the city against its areas, reported growth against computed --------------------------


def _by_area(db: Path, city: float, areas: Mapping[str, tuple[float, float | None]], year: str) -> None:
    """A 市商务局 return of 网络零售额 by area for ``year``, through the importer (bundled catalog)."""
    from ledger_helpers import NOW, fake_reader, parsed, value, write_file
    from pingtai.importer import import_files
    from pingtai.service import Store

    source = write_file(db.parent.parent / "in" / f"分地区_{year}.xlsx", f"areas {year} {city}")
    records = [value("online_retail_sales", year, city, raw=f"{city:g}")._replace(area="绍兴市")]
    records += [value("online_retail_sales", year, number, where=f"f!S!B{i}", raw=f"{number:g}")._replace(
        area=area, growth=growth) for i, (area, (number, growth)) in enumerate(areas.items())]
    ret = parsed(source, records, period=year)
    result = import_files([source], load_catalog(), Store(db), now=NOW, reader=fake_reader({source: ret}))
    assert result.exit_code == 0, result.files[0].errors


def test_a_city_figure_and_a_growth_the_areas_contradict_are_data_quality_findings(db: Path) -> None:
    areas_2023 = {"越城区": (150.0, None), "柯桥区": (300.0, None), "上虞区": (140.0, None), "新昌县": (60.0, None),
                  "诸暨市": (230.0, None), "嵊州市": (130.0, None)}
    _by_area(db, 1010.0, areas_2023, "2023")
    areas_2024 = {"越城区": (170.0, 13.3), "柯桥区": (350.0, 9.0), "上虞区": (160.0, 14.3), "新昌县": (66.0, 10.0),
                  "诸暨市": (262.0, 13.9), "嵊州市": (142.0, 9.2)}  # they add up to 1150
    _by_area(db, 1160.0, areas_2024, "2024")
    found = keyed(check(db, load_catalog(), "2025-02-01"))
    mismatch = found["data_quality:sum-mismatch:online_retail_sales:2024"]
    assert (mismatch.severity, mismatch.agency, mismatch.plan, mismatch.subject) == (
        "warning", "市商务局", "plan_2023_38", "online_retail_sales@2024")
    assert mismatch.message.startswith("网络零售额（2024年）：全市数 1160 亿元（市商务局）与各区、县（市）合计 1150 亿元相差 10 亿元，"
                                       "超出表列数字的舍入误差（±3.5）：请核实全市数或各地区数；如有误，请市商务局")
    gap = found["data_quality:growth-gap:online_retail_sales@柯桥区:市商务局:2024"]
    assert gap.severity == "warning" and gap.title == "网络零售额（柯桥区，2024年）"
    assert "报同比 9.0%，按台账中上年同期（2023年：300 亿元）计算为 16.7%，相差 7.7 个百分点" in gap.message
    # the others reported the growth their last year's figures give: nothing to say about them
    assert [k for k in found if k.startswith("data_quality:growth-gap")] == [
        "data_quality:growth-gap:online_retail_sales@柯桥区:市商务局:2024"]
    assert found["data_quality:growth-gap:online_retail_sales@柯桥区:市商务局:2024"].fingerprint == "warning|350"
