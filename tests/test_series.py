"""The rules of figures (pingtai.series): the key and its area, which figure counts for the city, last year's
figure and growth, the city against its areas, references, unit slips, scale, range, jumps, acceptance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_helpers import catalog, current, value
from pingtai.catalog import Catalog
from pingtai.errors import Problem
from pingtai.ledger import CurrentValue
from pingtai.periods import Period
from pingtai.records import ValueRecord
from pingtai.series import (
    CITY,
    SUM_AGENCY,
    Acceptance,
    AreaRule,
    Figures,
    PlanFigures,
    Point,
    SeriesIndex,
    Summed,
    ValueKey,
    choose,
    growth,
    growth_gaps,
    judge,
    key_of,
    keys_of,
    matches,
    out_of_range,
    reference,
    rounding,
    slips,
    sum_message,
    times,
    year_on_year,
)
from workbooks import AREA_CATALOG

OWNER = "市商务局"  # owns 网络零售额 (亿元, flow, baseline 2022 = 921) and 网络经营主体 (万家, stock, 2022 = 6.7)


def keyed(*values: ValueRecord) -> list[ValueKey]:
    return keys_of(list(values), AreaRule(catalog()))


def state_of(*values: ValueRecord) -> dict[ValueKey, ValueRecord]:
    return dict(zip(keyed(*values), values, strict=True))


def judged(new: ValueRecord, *before: ValueRecord) -> list[Problem]:
    """``new`` judged with ``before`` in the ledger (the importer's view: the file overlaid on it)."""
    return judge([new], state_of(*before, new), catalog(), keys=keyed(new))


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


# --- references ------------------------------------------------------------------------------------


def ref_of(new: ValueRecord, *before: ValueRecord) -> tuple[str, float, str] | None:
    state = state_of(*before, new)
    [key] = keyed(new)
    found = reference(catalog().indicators[new.indicator].kind, key,
                      SeriesIndex(state, {(new.indicator, key.area, new.agency)}), PlanFigures.of(catalog(), new.indicator),
                      new.last_year)
    return None if found is None else (found.kind, found.value, str(found.period))


def test_a_flow_is_compared_with_the_same_point_last_year() -> None:
    new = value("online_retail_sales", "2025H1", 600)
    assert ref_of(new, value("online_retail_sales", "2024H1", 540), value("online_retail_sales", "2024", 1150)) == (
        "last_year", 540, "2024H1")


def test_a_stock_is_compared_with_the_latest_earlier_figure() -> None:
    new = value("online_business_entities", "2025Q1", 13.5)
    assert ref_of(new, value("online_business_entities", "2023", 12.4), value("online_business_entities", "2024", 13.1),
                  value("online_business_entities", "2025H1", 14)) == ("previous", 13.1, "2024")


def test_without_an_own_figure_the_owner_gets_the_baseline_then_the_nearest_target() -> None:
    # the year's baseline, as a year; a part-year flow against its share of the year
    assert ref_of(value("online_retail_sales", "2024", 1150)) == ("baseline", 921, "2022")
    assert ref_of(value("online_retail_sales", "2024H1", 560)) == ("baseline", 460.5, "2022")
    # 数据知识产权登记 starts at 0: not comparable, the nearest target instead
    kind, number, period = ref_of(value("data_ip_registrations", "2024", 372, agency="市市场监管局")) or ("", 0, "")
    assert (kind, number, period) == ("target", 300, "2023")  # 2023 and 2025 are as near: the earlier
    # an indicator with neither: nothing to compare with
    assert ref_of(value("billion_yuan_platforms", "2024", 5)) is not None  # 2027 target: 10


def test_another_agencys_figure_is_not_compared_with_the_citys_plan() -> None:
    """A district's share of the city is far below the city's baseline: only its own figures count."""
    assert ref_of(value("online_retail_sales", "2024", 40, agency="新昌县政府")) is None
    assert judged(value("online_retail_sales", "2024", 40, agency="新昌县政府")) == []


# --- unit slips and scale ---------------------------------------------------------------------------


def test_the_slips_a_unit_allows() -> None:
    assert [ratio for ratio, _ in slips("亿元")] == [100.0, 10_000.0]  # 百万元 and 万元 typed into 亿元
    assert [ratio for ratio, _ in slips("万元")] == [0.0001, 0.01, 10.0, 10_000.0]
    assert dict(slips("万家"))[10_000.0] == "以家填入万家栏"
    assert dict(slips("个"))[0.0001] == "以万个填入个栏"
    assert [ratio for ratio, _ in slips("%")] == [0.01]


@pytest.mark.parametrize(("number", "text"), [
    (57 * 10_000 * 1.1, "约为上年同期（2024年：57 亿元）的 1 万倍：疑似以万元填入亿元栏"),
    (57 * 100 * 0.9, "约为上年同期（2024年：57 亿元）的 100 倍：疑似以百万元填入亿元栏"),
])
def test_a_figure_in_the_wrong_unit_is_refused_naming_the_slip(number: float, text: str) -> None:
    [problem] = judged(value("online_retail_sales", "2025", number, where="r.xlsx!指标!E5"),
                       value("online_retail_sales", "2024", 57))
    assert (problem.code, problem.severity, problem.where) == ("unit-slip", "error", "r.xlsx!指标!E5")
    assert text in problem.message and f"为 {number:,.10g} 亿元" in problem.message


def test_the_issues_examples() -> None:
    # 10,234,500 (万元) for 1023.45 亿元, against the baseline
    [retail] = judged(value("online_retail_sales", "2024", 10_234_500))
    assert retail.code == "unit-slip" and "基期值（2022年：921 亿元）的 1 万倍：疑似以万元填入亿元栏" in retail.message
    # 156000 家 in a 万家 row
    [entities] = judged(value("online_business_entities", "2024", 156_000), value("online_business_entities", "2023", 12.4))
    assert entities.code == "unit-slip" and "疑似以家填入万家栏" in entities.message
    # a share typed as a fraction
    [share] = judged(value("standard_research_output_ratio", "2025", 0.45, agency="市市场监管局"),
                     value("standard_research_output_ratio", "2024", 45, agency="市市场监管局"))
    assert share.code == "unit-slip" and "疑似以小数填入百分比栏" in share.message and "1/100" in share.message


@pytest.mark.parametrize(("ratio", "code"), [(19.99, "jump"), (20, "out-of-scale"), (1 / 19.99, "jump"),
                                             (1 / 20, "out-of-scale"), (3, "jump"), (2.99, None), (0.5, "jump"),
                                             (0.5001, "decrease"), (1, None)])
def test_scale_and_jump_boundaries(ratio: float, code: str | None) -> None:
    """A stock in 个 (slips only by 10,000): ≥ 20 × or ≤ 1/20 refused, ≥ 3 × or a fall of half a jump, a
    smaller fall a decrease."""
    found = judged(value("platforms", "2025", 100 * ratio), value("platforms", "2024", 100))
    assert codes(found) == ([code] if code else []), found
    assert all(p.severity == ("error" if p.code == "out-of-scale" else "warning") for p in found)


def test_a_tiny_or_huge_ratio_is_said_plainly() -> None:
    assert times(1e-311) == "1e-311 倍" and times(3e9) == "3e+09 倍"
    [problem] = judged(value("platforms", "2025", 2e-311), value("platforms", "2024", 100))
    assert problem.code == "out-of-scale"


def test_a_zero_is_never_a_slip_and_a_fall_to_it_is_a_jump() -> None:
    assert codes(judged(value("platforms", "2025", 0), value("platforms", "2024", 118))) == []
    assert codes(judged(value("online_retail_sales", "2024", 0))) == []  # against the baseline


def test_below_unit_values_are_not_judged() -> None:
    assert judged(value("platforms", "2025", 0, below_unit=True, raw="…"), value("platforms", "2024", 118)) == []


@pytest.mark.parametrize(("ident", "number", "why"), [
    ("standard_research_output_ratio", 100.01, "是占比（%），不能超过 100"),
    ("platforms", -1, "不能为负"),
    ("online_retail_sales", 1.5e12, "超过 10¹²"),
    ("platforms", float("inf"), "不是有限的数值"),
])
def test_figures_an_indicator_cannot_hold_are_refused_whatever_the_reference(ident: str, number: float,
                                                                              why: str) -> None:
    [problem] = judged(value(ident, "2024", number, agency="市市场监管局"))
    assert problem.code == "out-of-range" and why in problem.message
    assert out_of_range(100.0, "%") is None and out_of_range(1e12, "亿元") is None


def test_a_correction_is_judged_like_a_first_report() -> None:
    """60 (%) corrected to 0.6: refused, since the share's own earlier figures say 60."""
    before = [value("standard_research_output_ratio", "2023", 55, agency="市市场监管局"),
              value("standard_research_output_ratio", "2024", 60, agency="市市场监管局")]
    [problem] = judged(value("standard_research_output_ratio", "2024", 0.6, agency="市市场监管局"), *before)
    assert problem.code == "unit-slip" and "上期（2023年：55 %）" in problem.message


def test_a_stock_that_falls_a_little_is_a_decrease() -> None:
    found = judged(value("online_business_entities", "2024Q3", 12.9, where="b!指标!E5"),
                   value("online_business_entities", "2024H1", 13.2))
    assert codes(found) == ["decrease"] and "低于上期（2024年上半年：13.2 万家）；存量一般不应下降" in found[0].message


@settings(max_examples=200, deadline=None)
@given(numbers=st.lists(st.floats(min_value=0, max_value=1e13, allow_nan=False), min_size=1, max_size=8),
       order=st.randoms(use_true_random=False))
def test_the_judgement_does_not_depend_on_the_order_of_the_values(numbers: list[float], order: object) -> None:
    periods = ["2021", "2022", "2023", "2024", "2025", "2026", "2027", "2020"]
    values = [value("platforms", periods[i], n, where=f"E{i}") for i, n in enumerate(numbers)]
    state = state_of(*values)
    shuffled = list(values)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    assert sorted(map(str, judge(values, state, catalog(), keys=keyed(*values)))) == sorted(
        map(str, judge(shuffled, state, catalog(), keys=keyed(*shuffled))))


# --- how ratios are said, and which cells --accept names ----------------------------------------------


@pytest.mark.parametrize(("ratio", "text"), [(10_000, "1 万倍"), (100, "100 倍"), (37.2, "37 倍"), (0.01, "1/100"),
                                             (0.0001, "1/1 万"), (1 / 25, "1/25")])
def test_times(ratio: float, text: str) -> None:
    assert times(ratio) == text


def test_accept_names_cells_by_their_end() -> None:
    refused = Problem("商务局.xlsx!指标!E5", "…", "unit-slip")
    assert matches("商务局.xlsx!指标!E5", refused.where) and matches("指标!E5", refused.where)
    assert matches("E5", refused.where) and not matches("E50", refused.where) and not matches("5", refused.where)
    assert Acceptance(("指标!E5",), reason="口径调整").covers(refused)
    assert Acceptance(every=True, reason="口径调整").covers(refused)
    assert not Acceptance(every=True).covers(Problem(refused.where, "…", "out-of-range"))  # never let through
    assert Acceptance(("E5", "E9"), reason="x").used([refused]) == {"E5"}
    assert not Acceptance()


# --- the key's area ------------------------------------------------------------------------------------


def test_the_area_of_a_figure() -> None:
    rule = AreaRule(AREA_CATALOG)
    assert rule.city == "绍兴市" and rule.county == ("越城区", "柯桥区", "诸暨市")
    assert rule.area("online_retail_sales", "市商务局", "绍兴市") == CITY  # a 全市 row is the city's key
    assert rule.area("online_retail_sales", "市商务局", "柯桥区") == "柯桥区"
    assert rule.area("online_retail_sales", "市商务局", None) == CITY  # a department's figure: the city's
    # an area's government reports its own territory, where the indicator is reported by area there …
    assert rule.area("online_retail_sales", "柯桥区政府", None) == "柯桥区"
    assert rule.area("online_business_entities", "诸暨市政府", None) == CITY  # … not reported for 诸暨市
    assert rule.area("platforms", "柯桥区政府", None) == CITY  # … a city-only indicator
    assert rule.area("online_retail_sales", "滨海新区管委会", None) == "滨海新区"  # a zone's 管委会 alike
    assert rule.name(CITY) == "绍兴市" and rule.name("柯桥区") == "柯桥区"
    assert AreaRule(catalog_without_areas()).area("online_retail_sales", "柯桥区政府", None) == CITY


def catalog_without_areas() -> Catalog:
    from workbooks import CATALOG

    return CATALOG


def test_keys_keep_areas_apart_and_a_city_row_meets_an_unstated_figure() -> None:
    records = [value("online_retail_sales", "2024", 1150)._replace(area="绍兴市"),
               value("online_retail_sales", "2024Q4", 300, agency="柯桥区政府"),
               value("online_retail_sales", "2024", 300)._replace(area="柯桥区")]
    keys = keys_of(records, AreaRule(AREA_CATALOG))
    assert keys == [ValueKey("online_retail_sales", CITY, "2024", "市商务局"),
                    ValueKey("online_retail_sales", "柯桥区", "2024", "柯桥区政府"),
                    ValueKey("online_retail_sales", "柯桥区", "2024", "市商务局")]
    assert key_of("online_retail_sales", Period(2024, "Q", 4), "市商务局") == keys[0]


# --- which figure counts ----------------------------------------------------------------------------------


def fig(area: str, period: str, number: float, agency: str = "市商务局", **more: Any) -> CurrentValue:
    return current(area, period, number, agency=agency, **more)


def figures(*values: CurrentValue, ident: str = "online_retail_sales") -> Figures:
    return Figures(AREA_CATALOG.indicators[ident], [v._replace(indicator=ident) for v in values], AreaRule(AREA_CATALOG))


def test_the_owner_then_the_newest_import_counts() -> None:
    early, late = datetime(2025, 1, 5), datetime(2025, 2, 5)
    values = [
        fig(CITY, "2024", 1150, imported_at=early), fig(CITY, "2024", 1200, "柯桥区政府", imported_at=late),
        fig(CITY, "2025H1", 500, "柯桥区政府", imported_at=early), fig(CITY, "2025Q2", 520, "越城区政府", imported_at=late),
        fig(CITY, "2025Q3", 700, "b", imported_at=late), fig(CITY, "2025Q3", 710, "a", imported_at=late),
    ]
    chosen = choose(values, "市商务局")
    assert [(str(o.period), o.value) for o in chosen] == [("2024", 1150), ("2025H1", 520), ("2025Q3", 710)]
    assert choose(values, None)[0].value == 1200
    aware = fig(CITY, "2023", 1, "a", imported_at=datetime(2025, 1, 1, tzinfo=UTC))
    unknown = fig(CITY, "2023", 2, "b", imported_at=None)
    assert [o.value for o in choose([unknown, aware], None)] == [1]


def test_the_citys_own_figure_counts_before_any_sum() -> None:
    found = figures(fig(CITY, "2024", 812.3), fig("越城区", "2024", 160), fig("柯桥区", "2024", 300),
                    fig("诸暨市", "2024", 350))
    assert [(str(p.period), p.value, p.agency) for p in found.series()] == [("2024", 812.3, "市商务局")]


def test_without_a_city_figure_the_county_level_areas_add_up_zones_left_out() -> None:
    found = figures(fig("越城区", "2024", 160.2), fig("柯桥区", "2024", 300.5), fig("诸暨市", "2024", 351.6),
                    fig("滨海新区", "2024", 50))
    assert [(str(p.period), p.value, p.agency) for p in found.series()] == [("2024", 812.3, SUM_AGENCY)]
    summed = found.at(CITY, Period(2024))
    assert isinstance(summed, Summed) and [p.area for p in summed.parts] == ["越城区", "柯桥区", "诸暨市"]
    assert found.unsummed == []
    assert found.sum_check(Period(2024)) is None  # a sum is not checked against itself


def test_no_sum_unless_every_county_level_area_reported_and_it_says_which_are_missing() -> None:
    found = figures(fig("越城区", "2024", 160.2), fig("柯桥区", "2024", 300.5), fig("滨海新区", "2024", 50),
                    fig("越城区", "2023", 150), fig("柯桥区", "2023", 280), fig("诸暨市", "2023", 330))
    assert [(str(p.period), p.value) for p in found.series()] == [("2023", 760.0)]
    assert [(str(p), missing) for p, missing in found.unsummed] == [("2024", ("诸暨市",))]


def test_a_ratio_is_never_summed() -> None:
    ratios = [fig(area, "2024", 80, unit="%") for area in ("越城区", "柯桥区", "诸暨市")]
    found = figures(*ratios, ident="occupational_injury_coverage")
    assert found.series() == [] and found.unsummed == []
    assert found.series("柯桥区") == [Point(Period(2024), 80, "市商务局")]


def test_an_indicator_reported_in_some_areas_only_is_never_summed() -> None:
    found = figures(fig("越城区", "2024", 2), fig("柯桥区", "2024", 3), ident="online_business_entities")
    assert found.series() == []


def test_figures_in_another_unit_are_converted_and_foreign_ones_left_out() -> None:
    found = figures(fig(CITY, "2024", 11_500_000, unit="万元", last_year=10_000_000), fig(CITY, "2023", 5, unit="个"))
    [point] = found.series()
    assert (str(point.period), point.value) == ("2024", 1150)
    yoy = found.year_on_year(CITY, Period(2024))
    assert yoy is not None and yoy.last_year == 1000 and yoy.basis == "reported"


# --- last year and growth ----------------------------------------------------------------------------------


def test_growth_reported_and_computed_from_the_same_area_and_unit_last_year() -> None:
    found = figures(fig("柯桥区", "2024", 345, growth=15.0), fig("柯桥区", "2023", 300),
                    fig("柯桥区", "2023", 200, "柯桥区政府"), fig(CITY, "2023", 1000))
    yoy = found.year_on_year("柯桥区", Period(2024))
    assert yoy is not None
    assert (yoy.reported, yoy.last_year, str(yoy.last_year_period), yoy.basis) == (15.0, 300, "2023", "ledger")
    assert yoy.computed == pytest.approx(15.0)
    assert yoy.gap == pytest.approx(0) and not yoy.flagged


def test_a_reported_last_year_fills_a_missing_one_but_never_replaces_a_stored_one() -> None:
    filled = figures(fig("柯桥区", "2024", 345, growth=15.0, last_year=310.0))
    yoy = filled.year_on_year("柯桥区", Period(2024))
    assert yoy is not None and (yoy.last_year, yoy.basis) == (310.0, "reported")
    assert yoy.computed == pytest.approx(345 / 310 * 100 - 100)
    stored = figures(fig("柯桥区", "2024", 345, growth=15.0, last_year=310.0), fig("柯桥区", "2023", 300))
    yoy = stored.year_on_year("柯桥区", Period(2024))
    assert yoy is not None and (yoy.last_year, yoy.basis) == (300, "ledger")


@pytest.mark.parametrize(("reported", "flagged"), [(11.0, False), (9.0, False), (11.01, True), (8.99, True)])
def test_a_gap_of_more_than_one_point_is_flagged(reported: float, flagged: bool) -> None:
    yoy = year_on_year(Period(2024), 110.0, reported, 100.0, None)
    assert yoy is not None and yoy.computed == pytest.approx(10.0) and yoy.flagged is flagged


def test_growth_needs_a_positive_last_year() -> None:
    assert growth(5, 0) is None and growth(5, None) is None and growth(5, -1) is None
    assert year_on_year(Period(2024), 5, None, 0, None) is None  # neither growth known
    only = year_on_year(Period(2024), 5, 2.5, None, None)
    assert only is not None and (only.reported, only.computed, only.gap, only.flagged) == (2.5, None, None, False)


def test_growth_gaps_at_import_name_both_growths() -> None:
    new = value("online_retail_sales", "2024", 345, agency="市商务局", where="f!S!B5")._replace(area="柯桥区", growth=8.0)
    before = value("online_retail_sales", "2023", 300)._replace(area="柯桥区")
    keys = keys_of([new, before], AreaRule(AREA_CATALOG))
    [problem] = growth_gaps([new], keys[:1], dict(zip(keys, [new, before], strict=True)), AREA_CATALOG)
    assert (problem.where, problem.code, problem.severity) == ("f!S!B5", "growth-gap", "warning")
    assert problem.message == ("网络零售额（2024年，市商务局，柯桥区）报同比 8.0%，按台账中上年同期（2023年：300 亿元）计算为 "
                               "15.0%，相差 7.0 个百分点：统计口径可能有变化，请核实")


# --- the city against its areas ----------------------------------------------------------------------------


@pytest.mark.parametrize(("number", "raw", "half"), [
    (812.3, "812.3", 0.05), (812.0, "812", 0.5), (160.2, "1,602,000", 0.00005), (12000, "1.2万", 500),
    (0.0, "…", 0.0), (3.0, "3.000", 0.0005)])
def test_rounding_is_half_a_unit_in_the_last_place_written(number: float, raw: str, half: float) -> None:
    assert rounding(number, raw) == pytest.approx(half)


def test_a_city_figure_and_its_areas_must_agree_within_their_rounding() -> None:
    areas = [fig("越城区", "2024", 160.2), fig("柯桥区", "2024", 300.5), fig("诸暨市", "2024", 351.6)]  # 812.3
    # one decimal each: they can differ by four half-tenths
    edge = figures(fig(CITY, "2024", 812.5), *areas).sum_check(Period(2024))
    assert edge is not None and not edge.mismatch and edge.tolerance == pytest.approx(0.2)
    far = figures(fig(CITY, "2024", 812.6), *areas).sum_check(Period(2024))
    assert far is not None and far.mismatch and far.total == pytest.approx(812.3)
    assert sum_message("网络零售额", "亿元", far) == (
        "网络零售额（2024年）：全市数 812.6 亿元（市商务局）与各区、县（市）合计 812.3 亿元相差 0.3 亿元，"
        "超出表列数字的舍入误差（±0.2）：请核实全市数或各地区数")
    # a city figure written with more decimals is held to them
    finer = figures(fig(CITY, "2024", 812.45, raw="812.45"), *areas).sum_check(Period(2024))
    assert finer is not None and finer.tolerance == pytest.approx(0.155) and not finer.mismatch
    assert figures(fig(CITY, "2024", 900), *areas[:2]).sum_check(Period(2024)) is None  # an area missing


# --- the gate on an area's figures --------------------------------------------------------------------------


def test_an_areas_figure_is_judged_against_the_same_areas_previous_figure_only() -> None:
    def judged_area(new: ValueRecord, *before: ValueRecord) -> list[Problem]:
        rule = AreaRule(AREA_CATALOG)
        state = dict(zip(keys_of([*before, new], rule), [*before, new], strict=True))
        return judge([new], state, AREA_CATALOG, keys=keys_of([new], rule))

    last_year = value("online_retail_sales", "2023", 300)._replace(area="柯桥区")
    city = value("online_retail_sales", "2023", 1000)._replace(area="绍兴市")
    [slip] = judged_area(value("online_retail_sales", "2024", 3_100_000)._replace(area="柯桥区"), last_year, city)
    assert slip.code == "unit-slip" and "网络零售额（2024年，市商务局，柯桥区）" in slip.message
    assert "上年同期（2023年：300 亿元）的 1 万倍" in slip.message
    # no earlier figure of its own: not the city's, not the plan's baseline — only what the return says
    assert judged_area(value("online_retail_sales", "2024", 3_100_000)._replace(area="越城区"), city) == []
    [filled] = judged_area(value("online_retail_sales", "2024", 3_100_000)._replace(area="越城区", last_year=290.0))
    assert filled.code == "unit-slip" and "报表所填上年同期（2023年：290 亿元）" in filled.message


# --- the city rule against a plain statement of it ----------------------------------------------------------

AREAS = [CITY, "越城区", "柯桥区", "诸暨市", "滨海新区"]
AGENCIES = ["市商务局", "市经信局", "越城区政府"]
MOMENTS = [datetime(2025, 1, day, tzinfo=UTC) for day in (5, 5, 9)]  # a tie on purpose
FIGURE = st.tuples(st.sampled_from(AREAS), st.sampled_from(["2023", "2024H1", "2024Q2", "2024"]),
                   st.sampled_from(AGENCIES), st.sampled_from(MOMENTS), st.integers(1, 500))


def _plain_city(values: list[CurrentValue]) -> dict[int, tuple[float, str]]:
    """The city rule as written in docs/progress.md, figure by figure."""
    owner = AREA_CATALOG.indicators["online_retail_sales"].owner

    def best(candidates: list[CurrentValue]) -> CurrentValue:
        return sorted(candidates, key=lambda v: (v.agency != owner, -(v.imported_at or MOMENTS[0]).timestamp(),
                                                  v.agency, v.period.sort_key()))[0]

    found: dict[int, tuple[float, str]] = {}
    for month in sorted({v.period.months for v in values}):
        at = [v for v in values if v.period.months == month]
        own = [v for v in at if v.area == CITY]
        if own:
            chosen = best(own)
            found[month] = (chosen.value, chosen.agency)
            continue
        parts = [[v for v in at if v.area == area] for area in ("越城区", "柯桥区", "诸暨市")]
        if all(parts):
            found[month] = (sum(best(p).value for p in parts), SUM_AGENCY)
    return found


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(FIGURE, max_size=25), order=st.randoms(use_true_random=False))
def test_the_city_series_is_the_rule_as_written(rows: list[tuple[str, str, str, datetime, int]], order: Any) -> None:
    unique = {(area, Period.parse(period).as_point(), agency): (moment, number)
              for area, period, agency, moment, number in rows}  # one current figure per key
    values = [fig(area, str(period), float(number), agency, imported_at=moment)
              for (area, period, agency), (moment, number) in unique.items()]
    order.shuffle(values)
    got = {p.period.months: (p.value, p.agency) for p in figures(*values).series()}
    expected = _plain_city(values)
    assert got.keys() == expected.keys()
    assert all(got[m][1] == expected[m][1] and got[m][0] == pytest.approx(expected[m][0]) for m in got)
