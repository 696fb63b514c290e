"""The progress engine: every rule of progress.py at its boundaries, and the two-plan example."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingtai.catalog import Indicator, PlanIndicator, Target, Value
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.progress import (
    Observation,
    annual_points,
    assess,
    completion,
    expected_value,
    meets,
    milestones,
    progress_ratio,
    project,
    ratio_category,
    trajectory,
)
from pingtai.schedule import PlanSchedule, plan_schedule
from pingtai.schema import validate

CAL = PlanSchedule(plan="t", first=Period(2023, "Q", 1), last=Period(2027))
Y = Period


def H1(year: int) -> Period:
    return Period(year, "H", 1)


def Q3(year: int) -> Period:
    return Period(year, "Q", 3)


def target(period: int, value: float | None = None, comparator: str = "=", **extra: Any) -> Target:
    return validate(Target, {"period": period, "comparator": comparator, "value": value, "text": "目标",
                                  "source": "测试", **extra})


def item(targets: list[Target], baseline: tuple[int, float] | None = None, *, kind: str = "stock",
         direction: str = "increase", interpolation: str = "linear", frequency: str = "annual",
         tolerance: float = 0.05, unit: str = "个") -> PlanIndicator:
    ind = Indicator(id="x", name="测试指标", unit=unit, kind=kind, direction=direction, frequency=frequency,
                    interpolation=interpolation, aliases=(), note="", defined_in="t", owner="市商务局")
    base = Value(period=Period(baseline[0]), value=baseline[1], source="测试") if baseline else None
    return PlanIndicator(plan="t", indicator=ind, task=None, baseline=base,
                         targets=tuple(sorted(targets, key=lambda t: t.period)), tolerance=tolerance, source="测试")


def obs(*pairs: tuple[Period, float]) -> list[Observation]:
    return [Observation(p, v, "市商务局") for p, v in pairs]


RETAIL = item([target(2023, 1000), target(2025, 1200), target(2027, 1400, ">")], (2022, 921),
              kind="flow", frequency="quarterly")


# --- the two-plan example on the real catalog ------------------------------------------------


def real(plan: str, ident: str) -> tuple[PlanIndicator, PlanSchedule]:
    catalog = load_catalog()
    found = catalog.plan(plan)
    assert found is not None
    return next(i for i in found.indicators if i.id == ident), plan_schedule(catalog, found)


def test_online_retail_2024_is_on_track_for_38_and_achieved_for_5() -> None:
    history = obs((Y(2023), 1010), (Y(2024), 1150))
    plan38, cal38 = real("plan_2023_38", "online_retail_sales")
    zone, cal5 = real("zone_2023_5", "online_retail_sales")
    for as_of in (date(2025, 1, 10), date(2025, 2, 1)):  # before and after 2024's return is due
        a38 = assess(plan38, history, as_of, cal38)
        assert (a38.status, a38.period, a38.actual) == ("on_track", Y(2024), 1150)
        assert a38.expected is not None and a38.expected.value == pytest.approx(1100)
        assert a38.expected.method == "trajectory"
        a5 = assess(zone, history, as_of, cal5)
        assert a5.status == "achieved"
    assert assess(zone, history, date(2025, 2, 1), cal5).final
    assert not assess(zone, history, date(2025, 1, 10), cal5).final


def test_first_half_ytd_is_judged_against_half_the_year() -> None:
    plan38, cal38 = real("plan_2023_38", "online_retail_sales")
    history = obs((Y(2024), 1150), (H1(2025), 590))
    a = assess(plan38, history, date(2025, 7, 25), cal38)
    assert a.expected is not None
    assert a.expected.value == pytest.approx(600)
    assert (a.expected.method, a.expected.annual) == ("linear_share", 1200)
    assert a.status == "at_risk"  # 590 < 600 but ≥ 570
    assert a.completion == pytest.approx(590 / 1200)


# --- trajectories ----------------------------------------------------------------------------


def test_linear_path_and_its_ends() -> None:
    path = trajectory(RETAIL)
    assert path.value_at(Y(2024)) == pytest.approx(1100)
    assert path.value_at(Q3(2024)) == pytest.approx(1000 + 200 * 9 / 24)
    assert path.value_at(Y(2023)) == 1000  # at a milestone
    assert path.value_at(H1(2023)) == pytest.approx(921 + 79 / 2)  # before the first target: from the baseline
    assert path.value_at(Y(2022)) == 921
    assert path.value_at(Q3(2022)) is None  # before the baseline: no path
    assert path.value_at(Y(2029)) == 1400  # after the final target it holds


def test_geometric_path_and_its_fallback() -> None:
    geo = item([target(2024, 400)], (2022, 100), interpolation="geometric")
    path = trajectory(geo)
    assert path.value_at(Y(2023)) == pytest.approx(200)
    assert not path.fallback
    zero = item([target(2024, 400)], (2022, 0), interpolation="geometric")
    path = trajectory(zero)
    assert path.fallback and path.value_at(Y(2023)) == pytest.approx(200)
    a = assess(zero, obs((Y(2023), 210)), date(2024, 2, 1), CAL)
    assert a.status == "on_track" and any("线性" in n for n in a.notes)


def test_range_path_uses_the_first_satisfying_bound() -> None:
    up = item([target(2027, comparator="range", low=1, high=2)], (2023, 0))
    assert trajectory(up).points[-1].value == 1
    down = item([target(2027, comparator="range", low=1, high=2)], (2023, 5), direction="decrease")
    assert trajectory(down).points[-1].value == 2


# --- expected values for flows ---------------------------------------------------------------


def test_flow_expected_with_and_without_seasonal_share() -> None:
    linear = expected_value(RETAIL, H1(2025), obs((Y(2024), 1150)))
    assert linear is not None and linear.method == "linear_share" and linear.value == pytest.approx(600)
    seasonal = expected_value(RETAIL, H1(2025), obs((H1(2024), 460), (Y(2024), 1150)))
    assert seasonal is not None and seasonal.method == "seasonal_share"
    assert seasonal.share == pytest.approx(0.4) and seasonal.value == pytest.approx(480)
    # last year's H1 without last year's total: linear
    partial = expected_value(RETAIL, H1(2025), obs((H1(2024), 460)))
    assert partial is not None and partial.method == "linear_share"
    # an impossible share (YTD above the year) is not used
    odd = expected_value(RETAIL, H1(2025), obs((H1(2024), 1300), (Y(2024), 1150)))
    assert odd is not None and odd.method == "linear_share"
    q3 = expected_value(RETAIL, Period(2025, "Q", 3))
    assert q3 is not None and q3.value == pytest.approx(900)
    full = expected_value(RETAIL, Y(2025))
    assert full is not None and (full.value, full.method) == (1200, "trajectory")


def test_seasonal_share_changes_the_verdict() -> None:
    history = obs((H1(2024), 460), (Y(2024), 1150), (H1(2025), 500))
    seasonal = assess(RETAIL, history, date(2025, 7, 25), CAL)
    assert seasonal.status == "on_track"  # 500 ≥ 1200 × 40 % = 480
    assert any("上年同期占比：2024年上半年 ÷ 2024年全年" in note for note in seasonal.notes)  # which share was used
    # without last year's first half: 600 pro rata; a first half is at most 预警 down to 80 % (480)
    without = assess(RETAIL, obs((Y(2024), 1150), (H1(2025), 500)), date(2025, 7, 25), CAL)
    assert without.status == "at_risk" and without.expected is not None and without.expected.value == 600


@pytest.mark.parametrize(("period", "actual", "status"), [
    (Period(2025, "Q", 1), 300, "on_track"),     # 1200 × 25 %
    (Period(2025, "Q", 1), 240, "at_risk"),      # 80 % of 300: still 预警
    (Period(2025, "Q", 1), 239.99, "off_track"),
    (Period(2025, "M", 2), 160, "at_risk"),      # a month of the first half: 1200 × 2/12 = 200, 80 % = 160
    (H1(2025), 480, "at_risk"),
    (H1(2025), 479.99, "off_track"),
    (Q3(2025), 855, "at_risk"),                  # the third quarter: the plan's 5 % again (900 × 95 %)
    (Q3(2025), 854.99, "off_track"),
])
def test_the_first_half_of_a_year_without_a_seasonal_profile(period: Period, actual: float, status: str) -> None:
    monthly = item([target(2023, 1000), target(2025, 1200), target(2027, 1400, ">")], (2022, 921), kind="flow",
                   frequency="monthly")
    calendar = PlanSchedule(plan="t", first=Period(2023, "Q", 1), last=Period(2027), frequency="monthly")
    a = assess(monthly, obs((Y(2024), 1150), (period, actual)), period.end + (date(2025, 1, 21) - date(2025, 1, 1)),
               calendar)
    assert (a.status, a.expected.method if a.expected else None) == (status, "linear_share")
    assert any("按时间进度研判" in note for note in a.notes) == (period.last_month <= 6)


# --- status boundaries -----------------------------------------------------------------------


STOCK = item([target(2023, 1000), target(2025, 1200)], (2022, 900))


@pytest.mark.parametrize(("actual", "status"), [
    (1100, "on_track"), (1100 * 0.95, "at_risk"), (1045, "at_risk"), (1044.99, "off_track"), (1200, "achieved"),
])
def test_tolerance_edge(actual: float, status: str) -> None:
    assert assess(STOCK, obs((Y(2024), actual)), date(2025, 2, 1), CAL).status == status


def test_tolerance_comes_from_the_plan_indicator() -> None:
    loose = item([target(2023, 1000), target(2025, 1200)], (2022, 900), tolerance=0.10)
    assert assess(loose, obs((Y(2024), 1000)), date(2025, 2, 1), CAL).status == "at_risk"
    assert assess(STOCK, obs((Y(2024), 1000)), date(2025, 2, 1), CAL).status == "off_track"


def test_decrease_direction() -> None:
    down = item([target(2026, 60)], (2022, 100), direction="decrease")
    as_of = date(2025, 2, 1)
    assert trajectory(down).value_at(Y(2024)) == pytest.approx(80)
    assert assess(down, obs((Y(2024), 78)), as_of, CAL).status == "on_track"
    assert assess(down, obs((Y(2024), 84)), as_of, CAL).status == "at_risk"  # 80 × 1.05
    assert assess(down, obs((Y(2024), 84.01)), as_of, CAL).status == "off_track"
    assert assess(down, obs((Y(2024), 59)), as_of, CAL).status == "achieved"
    done, towards, aim = completion(down, Y(2024), 80)
    assert done == pytest.approx(0.75) and towards == Y(2026) and aim == 60
    ratio = progress_ratio(down, obs((Y(2023), 85), (Y(2024), 70)))  # −16 % a year where −12 % is required
    assert ratio.value == pytest.approx((0.7 ** 0.5 - 1) / (0.6 ** 0.25 - 1))
    assert ratio.category == "substantial"
    assert progress_ratio(down, obs((Y(2023), 90), (Y(2024), 80))).category == "moderate"  # linear path, behind CAGR


def test_empty_ledger_is_never_green() -> None:
    catalog = load_catalog()
    for as_of in (date(2023, 1, 1), date(2024, 6, 1), date(2026, 6, 1), date(2030, 1, 1)):
        for plan in catalog.plans:
            cal = plan_schedule(catalog, plan)
            for ind in plan.indicators:
                a = assess(ind, [], as_of, cal)
                assert a.status == "no_data", (plan.id, ind.id, as_of)
                assert all(m.judgement in ("no_data", "pending") for m in a.milestones)


def test_stale_value_is_no_data_but_still_shown() -> None:
    quarterly = item([target(2023, 1000), target(2025, 1200)], (2022, 900), frequency="quarterly")
    history = obs((Y(2024), 1150))
    a = assess(quarterly, history, date(2025, 4, 21), CAL)  # 2025Q1 now owed
    assert (a.status, a.period, a.actual, a.latest_due) == ("no_data", Y(2024), 1150, Period(2025, "Q", 1))
    assert a.expected is not None and a.expected.period == Period(2025, "Q", 1)
    assert assess(quarterly, history, date(2025, 4, 20), CAL).status == "on_track"
    # an annual indicator owes nothing new in April
    assert assess(STOCK, history, date(2025, 4, 21), CAL).status == "on_track"


def test_no_baseline_shows_completion_until_the_target_is_met() -> None:
    bare = item([target(2027, 10, ">=")])
    a = assess(bare, obs((Y(2024), 4)), date(2025, 2, 1), CAL)
    assert a.status == "no_baseline" and a.expected is None
    assert a.completion == pytest.approx(0.4) and a.completion_target == Y(2027)
    assert assess(bare, obs((Y(2024), 10)), date(2025, 2, 1), CAL).status == "achieved"
    assert project(bare, obs((Y(2024), 4))) is None  # one point: no projection
    assert a.projection is None and a.projection_reason.startswith("数据不足")


def test_zero_baseline_guards() -> None:
    registrations, cal = real("plan_2023_38", "data_ip_registrations")
    history = obs((Y(2023), 280), (Y(2024), 400))
    ratio = progress_ratio(registrations, history)
    assert ratio.value is None and "0" in ratio.reason
    projected = project(registrations, history)
    assert projected is not None and projected.method == "linear" and projected.points == 3
    # least squares through (2022, 0), (2023, 280), (2024, 400): 200 a year from 26.67
    assert projected.slope == pytest.approx(200) and projected.value == pytest.approx(80 / 3 + 200 * 5)
    assert assess(registrations, history, date(2025, 2, 1), cal).status == "on_track"  # path 300 → 500: 400


# --- comparators -----------------------------------------------------------------------------


@pytest.mark.parametrize(("spec", "actual", "direction", "met"), [
    ({"comparator": ">=", "value": 10}, 10, "increase", True),
    ({"comparator": ">=", "value": 10}, 9.99, "increase", False),
    ({"comparator": ">", "value": 1000}, 1000, "increase", False),
    ({"comparator": ">", "value": 1000}, 1000.01, "increase", True),
    ({"comparator": "=", "value": 100}, 100, "increase", True),  # 全覆盖
    ({"comparator": "=", "value": 100}, 99.9, "increase", False),
    ({"comparator": "=", "value": 60}, 60, "decrease", True),
    ({"comparator": "=", "value": 60}, 61, "decrease", False),
    ({"comparator": ">", "value": 60}, 60, "decrease", False),
    ({"comparator": ">", "value": 60}, 59, "decrease", True),
    ({"comparator": "~", "value": 10, "band": 0.1}, 9, "increase", True),
    ({"comparator": "~", "value": 10, "band": 0.1}, 11, "increase", True),
    ({"comparator": "~", "value": 10, "band": 0.1}, 11.01, "increase", False),
    ({"comparator": "~", "value": 10}, 8.99, "increase", False),  # band defaults to 10 %
    ({"comparator": "range", "low": 1, "high": 2}, 1, "increase", True),
    ({"comparator": "range", "low": 1, "high": 2}, 2, "increase", True),
    ({"comparator": "range", "low": 1, "high": 2}, 3, "increase", False),
    ({"comparator": "range", "low": 1, "high": 2}, 0, "increase", False),
])
def test_comparators(spec: dict[str, Any], actual: float, direction: str, met: bool) -> None:
    assert meets(target(2027, **spec), actual, direction) is met


def test_approximate_and_range_targets_in_assessment() -> None:
    clusters = item([target(2027, 10, "~", band=0.1)])
    assert assess(clusters, obs((Y(2026), 9)), date(2027, 2, 1), CAL).status == "achieved"
    assert assess(clusters, obs((Y(2027), 12)), date(2028, 2, 1), CAL).status == "missed"
    pilots = item([target(2027, comparator="range", low=1, high=2)], (2023, 0))
    assert assess(pilots, obs((Y(2024), 1)), date(2025, 2, 1), CAL).status == "achieved"
    assert assess(pilots, obs((Y(2024), 0)), date(2025, 2, 1), CAL).status == "off_track"  # path 0 → 1: 0.25


# --- milestones and deadlines ----------------------------------------------------------------


def test_milestone_at_its_date_and_the_day_after_its_deadline() -> None:
    def judgement(as_of: date, history: list[Observation]) -> str:
        return next(m for m in milestones(STOCK, history, as_of, CAL) if m.period == Y(2025)).judgement

    assert judgement(date(2025, 12, 31), []) == "pending"
    assert judgement(date(2026, 1, 20), []) == "pending"
    assert judgement(date(2026, 1, 21), []) == "no_data"
    assert judgement(date(2025, 12, 31), obs((Y(2025), 1200))) == "met"  # judged as soon as the value is in
    assert judgement(date(2026, 1, 21), obs((Y(2025), 1199))) == "missed"


def test_missed_milestone_stays_missed() -> None:
    path = item([target(2025, 1200), target(2027, 1400)], (2023, 1000))
    history = obs((Y(2025), 1150), (Y(2026), 1310))
    a = assess(path, history, date(2027, 2, 1), CAL)
    assert a.status == "on_track"  # 1310 ≥ 1300 on the path to 2027
    assert [(m.period, m.judgement) for m in a.milestones] == [(Y(2025), "missed"), (Y(2027), "pending")]
    assert a.next_milestone is not None and a.next_milestone.period == Y(2027)


def test_day_after_final_deadline_is_final() -> None:
    final = item([target(2024, 1000, ">")], kind="flow", frequency="quarterly")
    cal = PlanSchedule(plan="t", first=Period(2023, "Q", 1), last=Period(2024))
    history = obs((Q3(2024), 760))
    on_deadline = assess(final, history, date(2025, 1, 20), cal)
    assert not on_deadline.final and on_deadline.status == "on_track"  # 760 ≥ 1000 × 75 %
    after = assess(final, history, date(2025, 1, 21), cal)
    assert after.final and after.status == "no_data"
    assert assess(final, obs((Y(2024), 990)), date(2025, 1, 21), cal).status == "missed"
    assert assess(final, obs((Y(2024), 1001)), date(2025, 1, 21), cal).status == "achieved"


def test_flow_achieved_early_only_in_its_year() -> None:
    final = item([target(2024, 1000, ">")], kind="flow", frequency="quarterly")
    cal = PlanSchedule(plan="t", first=Period(2023, "Q", 1), last=Period(2024))
    assert assess(final, obs((Q3(2024), 1001)), date(2024, 10, 25), cal).status == "achieved"
    assert assess(final, obs((Y(2023), 1100)), date(2024, 1, 25), cal).status == "no_baseline"


# --- recurring targets -----------------------------------------------------------------------


def test_recurring_target_judged_each_year() -> None:
    yearly = item([target(2027, 8, ">=", first=2024)], kind="flow")
    history = obs((Y(2024), 9), (Y(2025), 7))
    judged = milestones(yearly, history, date(2026, 3, 1), CAL)
    assert [(str(m.period), m.judgement) for m in judged] == [
        ("2024", "met"), ("2025", "missed"), ("2026", "pending"), ("2027", "pending")]
    now = assess(yearly, [*history, *obs((H1(2026), 4))], date(2026, 7, 25), CAL)
    assert now.status == "on_track" and now.expected is not None and now.expected.value == pytest.approx(4)
    late = assess(yearly, [*history, *obs((Y(2026), 8), (Y(2027), 10))], date(2028, 2, 1), CAL)
    assert late.final and late.status == "missed"  # 2025 was missed
    good = assess(yearly, obs((Y(2024), 9), (Y(2025), 8), (Y(2026), 8), (Y(2027), 10)), date(2028, 2, 1), CAL)
    assert good.status == "achieved"
    assert progress_ratio(yearly, history).value is None


# --- projection and progress ratio -----------------------------------------------------------


def test_projection_uses_full_years_for_flows() -> None:
    history = obs((Y(2023), 1000), (H1(2024), 600), (Y(2024), 1100))
    assert [p for p, _ in annual_points(RETAIL, history)] == [Y(2022), Y(2023), Y(2024)]
    projected = project(RETAIL, history)
    # a count of money, not a growth-rate target: a straight line through the three years
    assert projected is not None and projected.method == "linear" and projected.points == 3
    assert projected.slope == pytest.approx(89.5) and projected.value == pytest.approx(917.5 + 89.5 * 5)
    assert projected.period == Y(2027) and projected.first == Y(2022) and projected.last == Y(2024)
    assert [(str(p.period), p.value, p.source) for p in projected.used] == [
        ("2022", 921, "baseline"), ("2023", 1000, "reported"), ("2024", 1100, "reported")]
    assert (projected.meets_target, projected.verdict) == (False, "unlikely")  # 1365 is not above 1400
    bare = item([target(2027, 10, ">=")])
    assert project(bare, []) is None


def test_compound_growth_only_where_the_plan_speaks_in_growth_rates() -> None:
    geometric = item([target(2023, 1000), target(2025, 1200), target(2027, 1400, ">")], (2022, 921), kind="flow",
                     interpolation="geometric")
    projected = project(geometric, obs((Y(2023), 1000), (Y(2024), 1100)))
    assert projected is not None and projected.method == "cagr"
    # the least-squares line of the logarithms: its slope is the growth rate
    logs = [math.log(v) for v in (921, 1000, 1100)]
    slope = (logs[2] - logs[0]) / 2
    intercept = sum(logs) / 3 - slope
    assert projected.rate == pytest.approx(math.exp(slope) - 1)
    assert projected.value == pytest.approx(math.exp(intercept + 5 * slope))
    # a point that is not positive: the straight line instead
    zero = item([target(2027, 1000, ">=")], (2022, 0), interpolation="geometric")
    flat = project(zero, obs((Y(2023), 280), (Y(2024), 400)))
    assert flat is not None and flat.method == "linear"


def test_percentages_are_projected_within_their_range() -> None:
    share = item([target(2027, 100)], (2022, 60), unit="%")
    projected = project(share, obs((Y(2023), 80), (Y(2024), 97)))
    assert projected is not None and projected.method == "linear_bounded" and projected.value == 100
    falling = project(item([target(2027, 10, ">=")], (2022, 40), unit="%", direction="decrease"),
                      obs((Y(2023), 20), (Y(2024), 1)))
    assert falling is not None and falling.value == 0


@pytest.mark.parametrize(("history", "reason"), [
    ([], "数据不足：可比数据仅 1 个"),                                            # the baseline alone
    ([(Y(2023), 1000)], "数据不足：可比数据仅 2 个"),                               # 共富驿站's two points
    ([(H1(2024), 600), (Period(2024, "Q", 3), 900)], "数据不足：可比数据仅 1 个"),  # part-year flows do not count
])
def test_no_projection_without_three_points_over_two_years(history: list[tuple[Period, float]], reason: str) -> None:
    a = assess(RETAIL, obs(*history), date(2025, 2, 1), CAL)
    assert a.projection is None and a.projection_reason.startswith(reason)
    short = item([target(2027, 100)])  # no baseline: three stock values within one year
    b = assess(short, obs((Period(2024, "Q", 1), 10), (H1(2024), 12), (Y(2024), 14)), date(2025, 2, 1), CAL)
    assert b.projection is None and "跨越不足 2 年" in b.projection_reason


def test_a_projection_never_contradicts_the_status_beside_it() -> None:
    # behind the path (2024 expects 1100; 1040 is below 95 %) on a line steep enough to pass 1400 by
    # 2027: no 可达 beside 滞后
    rising = item([target(2023, 1000), target(2025, 1200), target(2027, 1400, ">")], (2022, 500))
    steep = assess(rising, obs((Y(2023), 800), (Y(2024), 1040)), date(2025, 2, 1), CAL)
    assert steep.status == "off_track" and steep.projection is not None
    assert steep.projection.meets_target and steep.projection.verdict is None
    # on track now but the line falls short of 1400: no 难达 beside 正常
    flat = assess(RETAIL, obs((Y(2023), 1080), (Y(2024), 1100)), date(2025, 2, 1), CAL)
    assert flat.status == "on_track" and flat.projection is not None
    assert not flat.projection.meets_target and flat.projection.verdict is None
    # agreeing: shown
    good = assess(RETAIL, obs((Y(2023), 1050), (Y(2024), 1200)), date(2025, 2, 1), CAL)
    assert good.status == "on_track" and good.projection is not None and good.projection.verdict == "reachable"


def test_no_projection_once_the_judgement_is_final() -> None:
    ended = assess(RETAIL, obs((Y(2023), 1000), (Y(2024), 1100), (Y(2025), 1200), (Y(2026), 1300), (Y(2027), 1500)),
                   date(2028, 2, 1), CAL)
    assert ended.final and ended.projection is None and "最终结论" in ended.projection_reason


def test_completion_says_which_target_and_is_blank_without_data() -> None:
    on_way = assess(RETAIL, obs((Y(2023), 1000), (Y(2024), 1150)), date(2025, 2, 1), CAL)
    assert (on_way.completion_target, on_way.completion_value) == (Y(2025), 1200)
    assert on_way.completion == pytest.approx(1150 / 1200)
    stale = assess(RETAIL, obs((Y(2023), 1000)), date(2025, 2, 1), CAL)  # 2024 owed, not reported
    assert stale.status == "no_data" and stale.completion is None and stale.completion_value is None
    # achieved early: judged against the final target, so the completion is against it too
    early = assess(STOCK, obs((Y(2024), 1250)), date(2025, 2, 1), CAL)
    assert early.status == "achieved" and (early.completion_target, early.completion_value) == (Y(2025), 1200)


def test_progress_ratio_and_categories() -> None:
    single = progress_ratio(RETAIL, obs((Y(2024), 1150)))  # one value after the baseline is no rate to defend
    assert single.value is None and "不足 2 个" in single.reason
    ratio = progress_ratio(RETAIL, obs((Y(2023), 1010), (Y(2024), 1150)))
    required = (1400 / 921) ** (1 / 5) - 1
    assert ratio.required_cagr == pytest.approx(required)
    assert ratio.value == pytest.approx(((1150 / 921) ** 0.5 - 1) / required)
    assert progress_ratio(RETAIL, []).value is None
    assert progress_ratio(RETAIL, obs((H1(2024), 600))).value is None  # YTD is not annual-equivalent
    assert progress_ratio(item([target(2027, 10)]), obs((Y(2024), 4))).reason.startswith("无基期值")
    assert [ratio_category(r) for r in (0.95, 0.9499, 0.6, 0.5999, 0.0, -0.01)] == [
        "substantial", "moderate", "moderate", "limited", "limited", "deterioration"]
    worse = progress_ratio(RETAIL, obs((Y(2023), 950), (Y(2024), 900)))
    assert worse.category == "deterioration"


# --- properties ------------------------------------------------------------------------------

RANK = {"off_track": 0, "at_risk": 1, "on_track": 2, "achieved": 3}


@given(st.floats(0, 3000), st.floats(0, 3000))
def test_a_better_value_never_gets_a_worse_status(a: float, b: float) -> None:
    low, high = sorted((a, b))
    as_of = date(2025, 2, 1)
    assert RANK[assess(STOCK, obs((Y(2024), low)), as_of, CAL).status] <= \
        RANK[assess(STOCK, obs((Y(2024), high)), as_of, CAL).status]
    down = item([target(2026, 60)], (2022, 100), direction="decrease")
    assert RANK[assess(down, obs((Y(2024), high)), as_of, CAL).status] <= \
        RANK[assess(down, obs((Y(2024), low)), as_of, CAL).status]


@given(st.sampled_from([Period(2025, "Q", 1), H1(2025), Q3(2025), Period(2025, "M", 8)]))
def test_a_part_year_flow_expects_a_share_of_its_year(period: Period) -> None:
    expected = expected_value(RETAIL, period)
    assert expected is not None and expected.annual == 1200
    assert expected.value == pytest.approx(1200 * period.as_point().year_fraction)
    assert 0 < expected.value < 1200


# --- any finite figure gets a verdict --------------------------------------------------------------

EXTREME = st.one_of(
    st.sampled_from([0.0, -0.0, 5e-324, 1e-320, 1e-300, -1.0, 1.0, 1e10, 1e290, 1.7976931348623157e308,
                     -1.7976931348623157e308]),
    st.floats(allow_nan=False, allow_infinity=False))
POINTS = st.sampled_from([Y(2022), Y(2023), Period(2024, "Q", 1), H1(2024), Q3(2024), Y(2024), Period(2025, "M", 2)])


@settings(max_examples=400, deadline=None)
@given(history=st.lists(st.tuples(POINTS, EXTREME), max_size=6), baseline=st.one_of(st.none(), EXTREME),
       final=EXTREME.filter(lambda v: v != 0), kind=st.sampled_from(["stock", "flow", "cumulative"]),
       interpolation=st.sampled_from(["linear", "geometric"]), unit=st.sampled_from(["个", "%", "亿元"]),
       direction=st.sampled_from(["increase", "decrease"]),
       as_of=st.sampled_from([date(2024, 5, 1), date(2025, 2, 1), date(2026, 6, 1), date(2028, 3, 1)]))
def test_every_finite_figure_gets_a_verdict(history: list[tuple[Period, float]], baseline: float | None, final: float,
                                            kind: str, interpolation: str, unit: str, direction: str,
                                            as_of: date) -> None:
    """Extreme, tiny, zero, negative figures; one point or equal points: a status, never an exception, and
    nothing that is not a finite number where a number is shown."""
    indicator = item([target(2025, final / 2), target(2027, final, ">=")], (2022, baseline) if baseline is not None
                     else None, kind=kind, interpolation=interpolation, unit=unit, direction=direction)
    a = assess(indicator, obs(*dict(history).items()), as_of, CAL)
    assert a.status in ("achieved", "on_track", "at_risk", "off_track", "no_data", "no_baseline", "missed")
    for number in (a.completion, a.completion_value, a.progress_ratio.value, a.progress_ratio.actual_cagr,
                   a.progress_ratio.required_cagr, a.projection.value if a.projection else None,
                   a.projection.slope if a.projection else None, a.projection.rate if a.projection else None):
        assert number is None or math.isfinite(number), a
    assert (a.projection is None) == bool(a.projection_reason)
    if a.projection is not None:
        assert a.projection.points >= 3 and len(a.projection.used) == a.projection.points


@given(value=EXTREME)
def test_equal_points_and_a_single_point_are_judged(value: float) -> None:
    flat = item([target(2025, 100), target(2027, 200, ">=")], (2022, value))
    a = assess(flat, obs((Y(2023), value), (Y(2024), value)), date(2025, 2, 1), CAL)
    assert a.status in ("achieved", "on_track", "at_risk", "off_track", "no_baseline")
    assert a.projection is None or a.projection.slope == 0
    one = assess(flat, obs((Y(2024), value)), date(2025, 2, 1), CAL)
    assert one.projection is None and one.projection_reason.startswith("数据不足")


def test_a_progress_category_never_contradicts_the_status() -> None:
    """网络经营主体 grew fast enough on average (显著进展) yet is behind the plan's path (滞后)."""
    entities, cal = real("plan_2023_38", "online_business_entities")
    a = assess(entities, obs((Y(2023), 12.4), (H1(2024), 12.9), (Y(2024), 13.1)), date(2025, 2, 1), cal)
    assert a.status == "off_track"
    ratio = a.progress_ratio
    assert ratio.value is not None and ratio.value > 0.95 and ratio.category is None
    assert ratio.reason == "按年均增长计为显著进展，与当前状态（滞后）不一致，以状态为准"
    assert progress_ratio(entities, obs((Y(2023), 12.4), (Y(2024), 13.1))).category == "substantial"  # on its own
