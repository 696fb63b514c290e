"""The bulletin's wording rules at their boundaries: numbers, signs, periods, clauses, a plan's own phrasing."""

from __future__ import annotations

import datetime as dt

import pytest

from pingtai.bulletin import wording
from pingtai.bulletin.model import Figure, Part, Quote, Ref, Words, plain
from pingtai.periods import Period
from pingtai.render import format

REF = Ref("status", ("indicators", {"plan": "p", "id": "i"}, "actual"))


def fig(value: float, text: str, unit: str = "", *, signed: bool = False) -> Figure:
    return Figure(value, text, unit, "value", (REF,), signed=signed)


@pytest.mark.parametrize(("value", "raw", "shown"), [
    (812.3, "812.30", "812.30"),  # the return's trailing zero stays
    (1150.6, "1150.6", "1150.6"),
    (118.0, "118", "118"),
    (1012.34, "10,123,400", "1012.34"),  # 万元 into 亿元: the return's precision, no trailing zeros
    (535.0, "5,350,000", "535"),
    (12000.0, "1.2万", "12000"),  # a multiplier moves the precision the other way
    (15000.0, "1.5", "15000"),  # 亿元 into 万元
    (45.0, "45%", "45"),
    (98.0, "９８", "98"),  # full-width digits
    (0.0, "0.0", "0.0"),
    (-3.0, "-3", "-3"),
    (2.0 / 3.0, None, "0.67"),  # no text from the return: at most two decimals
    (1100.0, None, "1100"),
    (5.0, "约5", "5"),
    (7.25, "something else", "7.25"),  # the text does not write the value: two decimals
    (-0.001, None, "0"),  # no minus sign on a rounded zero
])
def test_numbers_keep_the_returns_decimals(value: float, raw: str | None, shown: str) -> None:
    assert wording.number_text(value, raw) == shown


def test_rounding_is_the_projects_one_rule() -> None:
    """Half away from zero on the number as written — render/format's rule, not a second one."""
    assert wording.percent_text(81.25) == "81.3"  # f"{81.25:.1f}" would give 81.2
    assert wording.number_text(0.675) == "0.68"  # the float is a hair below; the number as written is not
    assert wording.percent_text(-2.25) == "-2.3" and wording.percent_text(2.25) == "2.3"
    assert wording.percent_text(1e300).endswith(".0") and wording.number_text(1.5e250) == "15" + "0" * 249
    for value in (0.005, 0.015, 1.005, 2.675, 125.625, -125.625, 1e-7, 123456789.125, 99.95, -0.05):
        assert wording.number_text(value) == format.num(value), value
        assert wording.percent_text(value) == format.fixed(value, 1), value
        assert wording.reported_percent_text(value) == format.num(value), value


def test_percentages_and_points() -> None:
    assert wording.percent_text(67.7446) == "67.7"
    assert wording.percent_text(100) == "100.0"
    assert wording.percent_text(-0.04) == "0.0"
    assert wording.reported_percent_text(9.8) == "9.8" and wording.reported_percent_text(9.83) == "9.83"
    # the gap is taken between the two percentages as shown, so a reader's subtraction agrees
    assert str(wording.gap_points("67.7", "75.0")) == "-7.3"
    assert str(wording.gap_points("104.6", "100.0")) == "4.6"


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (23, "二十三")])
def test_chinese_numerals(n: int, text: str) -> None:
    assert wording.cn_number(n) == text
    assert wording.section_number(n) == f"{text}、" and wording.subsection_number(n) == f"（{text}）"


def test_chinese_numerals_outside_their_range_are_a_bug() -> None:
    with pytest.raises(ValueError):
        wording.cn_number(0)
    with pytest.raises(ValueError):
        wording.cn_number(100)


@pytest.mark.parametrize(("period", "title"), [
    ("2024Q3", "2024年第三季度"), ("2024Q1", "2024年第一季度"), ("2024H1", "2024年上半年"), ("2024", "2024年"),
    ("2024-07", "2024年7月"),
])
def test_period_titles(period: str, title: str) -> None:
    assert wording.period_title(Period.parse(period)) == title


@pytest.mark.parametrize(("period", "amount", "text"), [
    ("2024Q3", True, "1—9月"), ("2024Q1", True, "1—3月"), ("2024-01", True, "1月"), ("2024H1", True, "1—6月"),
    ("2024", True, "2024年"), ("2023Q3", True, "2023年1—9月"),
    ("2024Q3", False, "截至9月末"), ("2024", False, "截至2024年末"), ("2023Q3", False, "截至2023年9月末"),
])
def test_spans_say_year_to_date_amounts_and_levels_at_a_date(period: str, amount: bool, text: str) -> None:
    assert wording.span(Period.parse(period), amount=amount, year=2024) == text


def test_title_and_date() -> None:
    assert wording.title(Period.parse("2024Q3"), ["平台经济高质量发展"]) == \
        "关于2024年第三季度全市平台经济高质量发展工作推进情况的通报"
    assert wording.title(Period(2024), ["甲", "乙", "甲"]) == "关于2024年全市甲和乙工作推进情况的通报"
    assert wording.fallback_topic("某方案") == "《某方案》落实"
    assert wording.date_text(dt.date(2025, 1, 5)) == "2025年1月5日"


def test_opening_clauses_by_kind_and_a_plans_own() -> None:
    assert wording.lead_template("flow", "亿元", True) == "{时期}，全市实现{指标}{数值}"
    assert wording.lead_template("stock", "万家", False) == "{时期}，全市{指标}达{数值}"
    assert wording.lead_template("cumulative", "件", False) == "{时期}，全市{指标}累计达{数值}"
    assert wording.lead_template("stock", "%", False) == "{时期}，全市{指标}为{数值}"
    assert wording.lead_template("flow", "%", True) == "{时期}，全市{指标}为{数值}"
    own = "{时期}，全市互联网平台达{数值}"
    assert wording.lead_template("stock", "个", False, own) == own
    parts = wording.fill(own, "截至9月末", Quote("平台"), fig(118, "118", "个"))
    assert plain(tuple(parts)) == "截至9月末，全市互联网平台达118个"
    parts = wording.fill("{指标}{时期}达{数值}", "1—9月", Quote("网络零售额"), fig(812.3, "812.3", "亿元"))
    assert plain(tuple(parts)) == "网络零售额1—9月达812.3亿元"
    assert [type(p) for p in parts] == [Quote, Words, Words, Figure]


def test_signs_are_said_in_words() -> None:
    up, down = fig(9.8, "9.8", "%", signed=True), fig(-2.1, "2.1", "%", signed=True)
    assert plain(tuple(wording.yoy_clause(up))) == "，同比增长9.8%"
    assert plain(tuple(wording.yoy_clause(down))) == "，同比下降2.1%"
    assert plain(tuple(wording.yoy_clause(fig(0, "0.0", "%", signed=True)))) == "，与上年同期持平"
    ahead, behind = fig(2.3, "2.3", "个百分点", signed=True), fig(-7.3, "7.3", "个百分点", signed=True)
    assert plain(tuple(wording.pace_clause(ahead))) == "，快于时序进度2.3个百分点"
    assert plain(tuple(wording.pace_clause(behind))) == "，慢于时序进度7.3个百分点"
    assert plain(tuple(wording.pace_clause(fig(0, "0.0", "个百分点", signed=True)))) == "，与时序进度持平"
    assert plain(tuple(wording.completion_clause(fig(67.7, "67.7", "%"), "年度目标"))) == "，完成年度目标的67.7%"
    assert wording.year_target(2024, True) == "年度目标" and wording.year_target(2025, False) == "2025年目标"


def test_verdicts_of_final_and_early_targets() -> None:
    target = Quote("突破200个")
    assert plain(tuple(wording.verdict_clause("achieved", False, 2027, target))) == "，已提前完成2027年目标（突破200个）"
    assert plain(tuple(wording.verdict_clause("achieved", True, 2024, target))) == "，已完成2024年目标（突破200个）"
    assert plain(tuple(wording.verdict_clause("missed", True, 2024, target))) == "，未完成2024年目标（突破200个）"
    assert wording.verdict_clause("on_track", False, 2027, target) == []


def test_lists_and_the_no_data_sentence() -> None:
    counted = wording.counts([("正常", fig(4, "4", "项")), ("滞后", fig(3, "3", "项"))])
    assert plain(tuple(counted)) == "正常4项、滞后3项"
    assert plain(tuple(wording.names([Quote("甲"), Quote("乙")]))) == "甲、乙"
    sentence = wording.no_data_sentence(fig(2, "2", "项"), [(Quote("甲"), Quote("市商务局")), (Quote("乙"), None)])
    assert plain(tuple(sentence)) == "另有2项指标未报送应报数据：甲（市商务局）、乙。"


def test_points_of_next_steps_by_kind() -> None:
    agency = Quote("市商务局")
    subject: list[Part] = [Quote("网络经营主体")]
    by = dt.date(2025, 4, 20)
    assert plain(tuple(wording.point("off_track", agency, subject, by))) == (
        "请市商务局针对网络经营主体进度滞后的情况，分析原因、提出赶超措施，于2025年4月20日前随下期报表报送。")
    assert plain(tuple(wording.point("at_risk", agency, subject, by))) == (
        "请市商务局密切关注网络经营主体推进情况，于2025年4月20日前随下期报表说明推进措施。")
    assert plain(tuple(wording.point("missed", agency, [Quote("跨境电商"), Words("2024年目标")], None))) == (
        "请市商务局说明跨境电商2024年目标未完成的原因、提出整改措施，尽快书面报告。")
    assert plain(tuple(wording.point("late_task", agency, [Words("任务7")], by))).startswith(
        "请市商务局针对任务7推进滞后的问题，提出赶进措施，于2025年4月20日前")
    assert plain(tuple(wording.point("deliverable", agency, [Words("任务7中的“甲”")], by))).startswith(
        "请市商务局说明任务7中的“甲”的完成情况，")


def test_item_numbers() -> None:
    assert wording.item_number(1) == "1." and wording.item_number(12) == "12."


def test_captions_state_the_percent_columns_once() -> None:
    assert wording.caption(1, "38号指标完成情况", ["完成率", "同比"]) == "表1　38号指标完成情况（完成率、同比：%）"


def test_the_section_sentences() -> None:
    p2024 = Period(2024)
    assert plain(tuple(wording.overview(dt.date(2025, 1, 21), [[Words("甲")], [Words("乙")]], [Words("丙。")]))) == \
        "截至2025年1月21日，甲；乙。丙。"
    name = wording.plan_name(Quote("某方案"), Quote("某发〔2023〕1号"))
    assert plain(tuple(wording.plan_overview(name, fig(2, "2", "项"), [("正常", fig(2, "2", "项"))], None, []))) == \
        "《某方案》（某发〔2023〕1号）2项指标中，正常2项"
    assert plain(tuple(wording.plan_overview(name, None, [], fig(3, "3", "项"), [("推进中", fig(3, "3", "项"))]))) == \
        "《某方案》（某发〔2023〕1号）3项重点任务中，推进中3项"
    assert plain(tuple(wording.returns_overview(p2024, fig(4, "4", "家"), fig(3, "3", "家"), None, None))) == \
        "2024年报表应报送4家单位，按时报送3家。"
    assert plain(tuple(wording.returns_overview(p2024, fig(4, "4", "家"), fig(2, "2", "家"), fig(1, "1", "家"),
                                                fig(66.7, "66.7", "%")))) == \
        "2024年报表应报送4家单位，按时报送2家，补录1家不计是否按时，按时报送率66.7%。"
    groups = [("on_time", fig(1, "1", "家"), [Quote("甲")]), ("late", fig(1, "1", "家"), [Quote("乙")]),
              ("missing", fig(0, "0", "家"), []), ("due", fig(2, "2", "家"), [Quote("丙"), Quote("丁")])]
    assert plain(tuple(wording.returns_sentence(p2024, fig(4, "4", "家"), groups))) == \
        "2024年报表应报送4家单位，按时报送1家，逾期报送1家（乙），未报送0家，尚未到报送期限2家（丙、丁）。"
    groups = [("on_time", fig(0, "0", "家"), []), ("late", fig(0, "0", "家"), []),
              ("backfill", fig(1, "1", "家"), [Quote("甲")]), ("missing", fig(3, "3", "家"), [Quote(n) for n in "乙丙丁"])]
    moot = [(Quote("乙"), Period(2024)), (Quote("丙"), Period(2024)), (Quote("丁"), Period.parse("2024H1"))]
    assert plain(tuple(wording.returns_sentence(Period.parse("2024Q1"), fig(4, "4", "家"), groups, moot))) == (
        "2024年第一季度报表应报送4家单位，按时报送0家，逾期报送0家，补录1家（甲，不计是否按时），未报送3家（乙、丙、丁），"
        "其中乙、丙已报送其后的2024年报表，丁已报送其后的2024年上半年报表，不再催报。")
    assert plain(tuple(wording.no_returns(p2024))) == "2024年无应报送报表的单位。"
    late = wording.late_task(wording.task_name(Quote("7"), Quote("甲")), Quote("市商务局"), None)
    assert plain(tuple(late)) == "任务7“甲”（牵头单位：市商务局）进度滞后"
    group = wording.task_group(Quote("行动"), fig(3, "3", "项"), [("滞后", fig(2, "2", "项"))], [late, late])
    assert plain(tuple(group)) == ("行动。3项任务中，滞后2项。其中，任务7“甲”（牵头单位：市商务局）进度滞后；"
                                   "任务7“甲”（牵头单位：市商务局）进度滞后。")
    assert plain(tuple(wording.milestone(Quote("甲"), p2024))) == "甲2024年目标"
    assert plain(tuple(wording.deliverable([Words("任务3")], Quote("乙")))) == "任务3中的“乙”"
    assert wording.status_label("已达成", True) == "已达成（终）" and wording.status_label("正常", False) == "正常"
    assert wording.in_cell("2025年").text == "\n2025年"


def test_the_area_sentence_and_a_growth_that_shows_as_zero() -> None:
    first = wording.area_figure(Quote("甲区"), fig(3, "3", "亿元"))
    last = wording.area_figure(Quote("乙区"), fig(1, "1", "亿元"))
    assert plain(tuple(wording.area_sentence("1—9月", Quote("网络零售额"), first, None, None, None))) == \
        "1—9月，网络零售额仅有甲区（3亿元）的分地区数据。"
    fastest, slowest = (Quote("甲区"), fig(5, "5.0", "%", signed=True)), (Quote("乙区"), fig(0.01, "0.0", "%", signed=True))
    said = wording.area_sentence("1—9月", Quote("网络零售额"), first, last, fastest, slowest)
    assert plain(tuple(said)) == ("1—9月，网络零售额居前的是甲区（3亿元），居后的是乙区（1亿元）；同比增速最高的是甲区"
                                  "（增长5.0%），最低的是乙区（持平）。")
    # a growth that rounds to zero is 持平, never 增长0.0%
    assert plain(tuple(wording.yoy_clause(fig(0.04, "0.0", "%", signed=True)))) == "，与上年同期持平"


def test_the_indicator_sentence_leaves_out_what_is_unknown_and_100_percent_pace() -> None:
    opening: list[Part] = [Words("2024年，全市实现"), Quote("甲"), fig(1150.6, "1150.6", "亿元")]
    completion = fig(104.6, "104.6", "%")
    gap, pace = fig(4.6, "4.6", "个百分点", signed=True), fig(100, "100.0", "%")
    said = wording.indicator_sentence(opening, None, completion, "年度目标", gap, pace, [])
    assert plain(tuple(said)) == "2024年，全市实现甲1150.6亿元，完成年度目标的104.6%。"
    said = wording.indicator_sentence(opening, None, None, None, None, None, [])
    assert plain(tuple(said)) == "2024年，全市实现甲1150.6亿元。"
