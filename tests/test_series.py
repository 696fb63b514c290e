"""The rules of a unit's series (pingtai.series): references, unit slips, scale, range, jumps, acceptance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_helpers import catalog, value
from pingtai.errors import Problem
from pingtai.records import ValueRecord
from pingtai.series import (
    Acceptance,
    AreaRule,
    PlanFigures,
    SeriesIndex,
    ValueKey,
    judge,
    keys_of,
    matches,
    out_of_range,
    reference,
    slips,
    times,
)

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
