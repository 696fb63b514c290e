"""The progress engine: every rule of progress.py at its boundaries, and the two-plan example."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingtai.catalog import Indicator, PlanIndicator, Target, Value
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.progress import (
    Observation,
    annual_points,
    assess,
    city_series,
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

CAL = PlanSchedule(plan="t", first=Period(2023, "Q", 1), last=Period(2027))
Y = Period


def H1(year: int) -> Period:
    return Period(year, "H", 1)


def Q3(year: int) -> Period:
    return Period(year, "Q", 3)


def target(period: int, value: float | None = None, comparator: str = "=", **extra: Any) -> Target:
    return Target.model_validate({"period": period, "comparator": comparator, "value": value, "text": "目标",
                                  "source": "测试", **extra})


def item(targets: list[Target], baseline: tuple[int, float] | None = None, *, kind: str = "stock",
         direction: str = "increase", interpolation: str = "linear", frequency: str = "annual",
         tolerance: float = 0.05) -> PlanIndicator:
    ind = Indicator(id="x", name="测试指标", unit="个", kind=kind, direction=direction, frequency=frequency,
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
    assert assess(RETAIL, history, date(2025, 7, 25), CAL).status == "on_track"  # 500 ≥ 480
    without = obs((Y(2024), 1150), (H1(2025), 500))
    assert assess(RETAIL, without, date(2025, 7, 25), CAL).status == "off_track"  # 500 < 570


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
    done, towards = completion(down, Y(2024), 80)
    assert done == pytest.approx(0.75) and towards == Y(2026)
    ratio = progress_ratio(down, obs((Y(2024), 70)))  # −16 % a year where −12 % is required
    assert ratio.value == pytest.approx((0.7 ** 0.5 - 1) / (0.6 ** 0.25 - 1))
    assert ratio.category == "substantial"
    assert progress_ratio(down, obs((Y(2024), 80))).category == "moderate"  # on the linear path, behind the CAGR


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


def test_zero_baseline_guards() -> None:
    registrations, cal = real("plan_2023_38", "data_ip_registrations")
    history = obs((Y(2023), 280), (Y(2024), 400))
    ratio = progress_ratio(registrations, history)
    assert ratio.value is None and "0" in ratio.reason
    projected = project(registrations, history)
    assert projected is not None and projected.method == "linear" and projected.points == 3
    assert projected.slope == pytest.approx(200) and projected.value == pytest.approx(1000)
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
    assert projected is not None and projected.method == "cagr" and projected.points == 3
    rate = (1100 / 921) ** 0.5 - 1
    assert projected.rate == pytest.approx(rate)
    assert projected.value == pytest.approx(1100 * (1 + rate) ** 3)
    assert projected.period == Y(2027) and projected.first == Y(2022) and projected.last == Y(2024)
    bare = item([target(2027, 10, ">=")])
    assert project(bare, []) is None


def test_progress_ratio_and_categories() -> None:
    ratio = progress_ratio(RETAIL, obs((Y(2024), 1150)))
    required = (1400 / 921) ** (1 / 5) - 1
    assert ratio.required_cagr == pytest.approx(required)
    assert ratio.value == pytest.approx(((1150 / 921) ** 0.5 - 1) / required)
    assert progress_ratio(RETAIL, []).value is None
    assert progress_ratio(RETAIL, obs((H1(2024), 600))).value is None  # YTD is not annual-equivalent
    assert progress_ratio(item([target(2027, 10)]), obs((Y(2024), 4))).reason.startswith("无基期值")
    assert [ratio_category(r) for r in (0.95, 0.9499, 0.6, 0.5999, 0.0, -0.01)] == [
        "substantial", "moderate", "moderate", "limited", "limited", "deterioration"]
    worse = progress_ratio(RETAIL, obs((Y(2024), 900)))
    assert worse.category == "deterioration"


# --- which value counts ----------------------------------------------------------------------


def test_city_series_prefers_the_owner_then_the_newest() -> None:
    early, late = datetime(2025, 1, 5), datetime(2025, 2, 5)
    values = [
        Observation(Y(2024), 1150, "市商务局", early), Observation(Y(2024), 1200, "柯桥区政府", late),
        Observation(H1(2025), 500, "柯桥区政府", early), Observation(Period(2025, "Q", 2), 520, "越城区政府", late),
        Observation(Q3(2025), 700, "b", late), Observation(Q3(2025), 710, "a", late),
    ]
    chosen = city_series(values, "市商务局")
    assert [(str(o.period.as_point()), o.value) for o in chosen] == [("2024", 1150), ("2025H1", 520), ("2025Q3", 710)]
    assert city_series(values, None)[0].value == 1200
    aware = Observation(Y(2023), 1, "a", datetime(2025, 1, 1, tzinfo=UTC))
    unknown = Observation(Y(2023), 2, "b", None)
    assert [o.value for o in city_series([unknown, aware], None)] == [1]


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
