"""Reading what statistical returns hold: tables by area, growth (同比), last year's figure (上年同期), notes.

Every table is a real workbook written to ``tmp_path`` and read back by :func:`read_return`
against the test catalog with areas (:data:`workbooks.AREA_CATALOG`): 网络零售额 and 跨境电商进出口总额
are reported in every area, 网络经营主体 in 越城区 and 柯桥区 only, 职业伤害保障政策覆盖率 (a ratio,
not additive) in every area; 平台, 共富驿站 and 数据知识产权登记 are the city's only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pingtai.periods import Period
from pingtai.records import ParsedReturn
from pingtai.returns import read_return
from workbooks import AREA_CATALOG, CATALOG, Grid, write_csv, write_ods, write_xlsx

Q3 = Period(2024, "Q", 3)


def read(tmp_path: Path, rows: Grid, name: str = "areas.xlsx", merges: list[str] | None = None,
         sheet: str = "Sheet1", **options: Any) -> ParsedReturn:
    path = write_xlsx(tmp_path / name, {sheet: rows}, merges={sheet: merges or []})
    return read_return(path, options.pop("catalog", AREA_CATALOG), **options)


def figures(result: ParsedReturn) -> list[tuple[Any, ...]]:
    """(indicator, area, value, growth, last year, note, cell) of each value, in reading order."""
    return [(v.indicator, v.area, v.value, v.growth, v.last_year, v.note, v.where.rsplit("!", 1)[1])
            for v in result.values]


def problems(result: ParsedReturn, severity: str = "error") -> list[tuple[str, str, str]]:
    return [(p.where.split("!", 1)[1] if "!" in p.where else p.where, p.code, p.message)
            for p in result.problems if p.severity == severity]


# --- areas as rows, the indicator named in the title ---------------------------------------------------

ISSUE_TABLE: list[list[Any]] = [
    ["2024年1-9月各区、县（市）网络零售额情况"],
    ["填报单位：市商务局"],
    ["地区", "1-9月累计（亿元）", "同比增长（%）", "占全市比重（%）"],
    ["全市", 812.3, 9.8, 100.0],
    ["越城区", 160.2, 8.1, 19.7],
    ["柯桥区", 300.5, "-3.2%", 37.0],
]


def test_the_issues_table_by_area_with_a_city_row(tmp_path: Path) -> None:
    result = read(tmp_path, ISSUE_TABLE)
    assert result.problems == []
    assert (result.layout, result.agency, result.period) == ("table", "市商务局", Q3)
    assert figures(result) == [
        ("online_retail_sales", "绍兴市", 812.3, 9.8, None, "", "B4"),  # 全市 is the city
        ("online_retail_sales", "越城区", 160.2, 8.1, None, "", "B5"),
        ("online_retail_sales", "柯桥区", 300.5, -3.2, None, "", "B6"),  # a growth written as text, negative
    ]


def test_areas_as_rows_without_a_city_row_by_alias_code_and_spacing(tmp_path: Path) -> None:
    rows = [*ISSUE_TABLE[:3], ["1.越城", 160.2, 8.1, 19.7], ["330603", 300.5, None, 37.0], ["诸 暨 市", 200, "—", 24.6],
            ["绍兴滨海新区", 50.5, 4, 6.2], [], ["填报人：张三", None, "联系电话：88001234"]]
    result = read(tmp_path, rows)
    assert result.problems == []
    assert [(i, a, v, g) for i, a, v, g, *_ in figures(result)] == [
        ("online_retail_sales", "越城区", 160.2, 8.1), ("online_retail_sales", "柯桥区", 300.5, None),
        ("online_retail_sales", "诸暨市", 200.0, None), ("online_retail_sales", "滨海新区", 50.5, 4.0)]
    assert result.reporter == "张三"


def test_the_indicator_from_a_label_line_or_the_sheet_name(tmp_path: Path) -> None:
    header = ["区县", "本期数（亿元）", "增幅"]
    labelled = read(tmp_path, [["指标：跨境电商进出口额", "填报单位：市商务局"], header, ["越城", 12.5, 30]], period=Q3)
    assert figures(labelled) == [("cross_border_ecommerce_trade", "越城区", 12.5, 30.0, None, "", "B3")]
    by_sheet = read(tmp_path, [header, ["柯桥区", 7, 1.5]], name="s.xlsx", sheet="跨境电商进出口总额",
                    agency="市商务局", period=Q3)
    assert figures(by_sheet) == [("cross_border_ecommerce_trade", "柯桥区", 7.0, 1.5, None, "", "B2")]


def test_a_table_of_areas_that_names_no_indicator_or_two(tmp_path: Path) -> None:
    rows = [["2024年1-9月各区、县（市）主要指标"], ["地区", "本期数"], ["越城区", 5]]
    unnamed = read(tmp_path, rows, agency="市商务局")
    assert problems(unnamed) == [("Sheet1", "no-indicator",
                                  "表格按地区列示，但未写明是哪个指标：请在标题中写明指标名称（如“2024年1-9月各区、县（市）网络零售额”）"
                                  "或在表头上方加一行“指标：网络零售额”")]
    assert unnamed.values == []
    two = read(tmp_path, [["网络零售额和跨境电商进出口额"], *rows[1:]], name="two.xlsx", agency="市商务局", period=Q3)
    assert [(p.code, p.where) for p in two.errors] == [("no-indicator", "two.xlsx!Sheet1!A1"), ("no-indicator", "two.xlsx!Sheet1")]
    # beside a sheet that reads, such a sheet is skipped with a warning
    path = write_xlsx(tmp_path / "both.xlsx", {"指标": [["指标名称", "本期数"], ["平台", 98]], "分地区": rows})
    both = read_return(path, AREA_CATALOG, agency="市商务局", period=Q3)
    assert both.errors == [] and [v.indicator for v in both.values] == ["platforms"]
    assert [(p.code, p.where) for p in both.warnings] == [("no-indicator", "both.xlsx!分地区")]


def test_unknown_area_is_a_located_error_with_a_suggestion(tmp_path: Path) -> None:
    result = read(tmp_path, [*ISSUE_TABLE[:4], ["柯乔区", 300.5, 1, 37.0], ["火星区", 1, 1, 1]])
    assert problems(result) == [("Sheet1!A5", "unknown-area", "未知地区 '柯乔区'，是否指 柯桥区？"),
                                ("Sheet1!A6", "unknown-area", "未知地区 '火星区'（用 pingtai areas 查看地区名称）")]


def test_the_same_area_twice_is_a_duplicate(tmp_path: Path) -> None:
    result = read(tmp_path, [*ISSUE_TABLE[:5], ["越城", 161, 8, 19.7], ["合计", 812.3, 9.8, 100]])
    assert problems(result) == [
        ("Sheet1!B6", "duplicate", "网络零售额（市商务局，越城区，2024年第3季度）重复填报，已在 B5 填过"),
        ("Sheet1!B7", "duplicate", "网络零售额（市商务局，绍兴市，2024年第3季度）重复填报，已在 B4 填过"),
    ]


# --- several indicators as column groups ----------------------------------------------------------------


def test_indicators_as_column_groups_in_one_header_row(tmp_path: Path) -> None:
    rows = [["填报单位：市商务局", None, None, None, None, None], ["单位：亿元、万家"],
            ["地区", "网络零售额", "同比", "网络经营主体", "增幅(%)", "备注"],
            ["合计", 812.3, 9.8, 8.0, 3, "快报"],
            ["越城区", 160.2, 8.1, 2.0, 4, None],
            ["柯桥区", 300.5, 12, 3.1, -1.5, "含个体网店"],
            ["诸暨市", 100, 1, 1.5, 2, None]]
    result = read(tmp_path, rows, period=Q3)
    assert figures(result) == [
        ("online_retail_sales", "绍兴市", 812.3, 9.8, None, "快报", "B4"),
        ("online_business_entities", "绍兴市", 8.0, 3.0, None, "快报", "D4"),
        ("online_retail_sales", "越城区", 160.2, 8.1, None, "", "B5"),
        ("online_business_entities", "越城区", 2.0, 4.0, None, "", "D5"),
        ("online_retail_sales", "柯桥区", 300.5, 12.0, None, "含个体网店", "B6"),
        ("online_business_entities", "柯桥区", 3.1, -1.5, None, "含个体网店", "D6"),
        ("online_retail_sales", "诸暨市", 100.0, 1.0, None, "", "B7"),
    ]
    # 网络经营主体 is reported in 越城区 and 柯桥区 only
    assert problems(result, "warning") == [
        ("Sheet1!D7", "area-skipped", "网络经营主体 不按 诸暨市 填报（见计划 YAML 的 by_area），诸暨市 的数值未导入")]


TWO_ROW: list[list[Any]] = [
    ["2024年1-9月绍兴市网络经济分地区情况"], ["填报单位：市商务局"],
    ["地区", "网络零售额（万元）", None, None, "上年同期", "网络经营主体", None],
    [None, "本月", "1-本月", "同比增长（%）", None, "期末数", "增幅（%）"],
    ["全市", 1_100_000, 8_123_000, 9.8, 7_398_000, 8.0, 3.0],
    ["越城区", 200_000, 1_602_000, 8.1, 1_482_000, 2.0, None],
]


def test_two_row_header_groups_with_growth_and_last_year_in_every_format(tmp_path: Path) -> None:
    expected = [
        ("online_retail_sales", "绍兴市", 812.3, 9.8, 739.8, "", "C5"),  # 万元 → 亿元, last year converted alike
        ("online_business_entities", "绍兴市", 8.0, 3.0, None, "", "F5"),
        ("online_retail_sales", "越城区", 160.2, 8.1, 148.2, "", "C6"),
        ("online_business_entities", "越城区", 2.0, None, None, "", "F6"),
    ]
    xlsx = read(tmp_path, TWO_ROW, merges=["A1:G1", "A3:A4", "B3:D3", "E3:E4", "F3:G3"])
    assert xlsx.errors == [] and figures(xlsx) == expected
    # .ods and .csv carry no merges: a blank group cell continues the group to its left
    for path in (write_ods(tmp_path / "areas.ods", {"Sheet1": TWO_ROW}), write_csv(tmp_path / "areas.csv", TWO_ROW)):
        other = read_return(path, AREA_CATALOG)
        assert other.errors == [], path
        assert [f[:5] for f in figures(other)] == [f[:5] for f in expected], path


def test_a_growth_group_over_month_and_year_to_date_goes_with_the_value_that_counts(tmp_path: Path) -> None:
    rows = [["指标名称", "本月", "1-本月", "同比增长（%）", None],
            [None, None, None, "本月", "1-本月"],
            ["网络零售额", 110.2, 960.4, 15.0, 9.5],
            ["网络经营主体", 8.9, None, 2.5, None]]  # a stock counts 本月: its growth is the month's
    result = read(tmp_path, rows, merges=["D1:E1"], catalog=CATALOG, agency="市商务局", period=Q3)
    assert result.problems == []
    assert [(v.indicator, v.value, v.growth) for v in result.values] == [
        ("online_retail_sales", 960.4, 9.5), ("online_business_entities", 8.9, 2.5)]


# --- indicators not reported by area ---------------------------------------------------------------------


def test_an_indicator_for_the_city_only_keeps_its_total_row(tmp_path: Path) -> None:
    rows = [["2024年1-9月各地区网络经济情况"], ["填报单位：市商务局"],
            ["地区", "网络零售额", "平台", "同比"],
            ["全市", 812.3, 98, 10],
            ["越城区", 160.2, 20, 5],
            ["柯桥区", 300.5, 31, 6]]
    result = read(tmp_path, rows)
    assert result.errors == []
    assert [(i, a, v, g) for i, a, v, g, *_ in figures(result)] == [
        ("platforms", "绍兴市", 98.0, 10.0), ("online_retail_sales", "绍兴市", 812.3, None),
        ("online_retail_sales", "越城区", 160.2, None), ("online_retail_sales", "柯桥区", 300.5, None)]
    assert problems(result, "warning") == [("Sheet1!A4", "rows-skipped", "平台 不按地区填报，只导入“全市”行（全市合计）")]
    no_total = read(tmp_path, [*rows[:3], *rows[4:]], name="no-total.xlsx")
    assert no_total.errors == []
    assert [v.indicator for v in no_total.values] == ["online_retail_sales", "online_retail_sales"]
    assert problems(no_total, "warning") == [
        ("Sheet1!A4", "area-skipped", "平台 不按地区填报，表中又没有“全市/合计”行：未导入")]


def test_a_ratio_reported_by_area_is_read_for_each_area(tmp_path: Path) -> None:
    rows = [["2024年度各区、县（市）职业伤害保障政策覆盖率"], ["填报单位：市人社局"], ["地区", "实际值（%）"],
            ["全市", 85.5], ["越城区", 90], ["柯桥区", 80]]
    result = read(tmp_path, rows)
    assert result.errors == [] and result.period == Period(2024)
    assert [(v.area, v.value) for v in result.values] == [("绍兴市", 85.5), ("越城区", 90.0), ("柯桥区", 80.0)]


# --- long tables and tables of indicators ------------------------------------------------------------------

LONG_HEADER = ["报告期", "填报单位", "地区", "指标名称", "计量单位", "数值", "同比增长(%)", "上年同期", "备注"]


def test_long_table_with_an_area_column(tmp_path: Path) -> None:
    rows = [LONG_HEADER,
            ["2024Q3", "市商务局", "全市", "网络零售额", "亿元", 812.3, 9.8, 739.8, "快报"],
            ["2024Q3", "市商务局", "越城", "网络零售额", "万元", 1_602_000, "8.1%", 1_482_000, None],
            ["2024Q3", "市商务局", "330603", "网络经营主体", "万家", 3.1, -1.5, None, None],
            ["2024Q3", "市商务局", None, "平台", "个", 98, None, 90, "含省级平台"],
            ["2024Q3", "市商务局", "诸暨市", "平台", "个", 12, None, None, None],
            ["2024Q3", "市商务局", "诸暨市", "网络经营主体", "万家", 1.5, None, None, None]]
    result = read(tmp_path, rows)
    assert result.errors == [] and result.layout == "long"
    assert figures(result) == [
        ("online_retail_sales", "绍兴市", 812.3, 9.8, 739.8, "快报", "F2"),
        ("online_retail_sales", "越城区", 160.2, 8.1, 148.2, "", "F3"),
        ("online_business_entities", "柯桥区", 3.1, -1.5, None, "", "F4"),
        ("platforms", None, 98.0, None, 90.0, "含省级平台", "F5"),  # no area stated: as before
    ]
    assert problems(result, "warning") == [
        ("Sheet1!F6", "area-skipped", "平台 不按地区填报（见计划 YAML 的 by_area），诸暨市 的数值未导入"),
        ("Sheet1!F7", "area-skipped", "网络经营主体 不按 诸暨市 填报（见计划 YAML 的 by_area），诸暨市 的数值未导入")]


def test_an_area_line_above_a_table_of_indicators(tmp_path: Path) -> None:
    rows = [["填报单位：柯桥区政府", None, "地区：柯桥区"], ["指标名称", "本期数", "同比"],
            ["网络零售额", 300.5, 12], ["网络经营主体", 3.1, None], ["平台", 31, None]]
    result = read(tmp_path, rows, period=Q3)
    assert result.agency == "柯桥区政府"
    assert [(v.indicator, v.area, v.growth) for v in result.values] == [
        ("online_retail_sales", "柯桥区", 12.0), ("online_business_entities", "柯桥区", None)]
    assert [p.code for p in result.warnings] == ["area-skipped"]
    wrong = read(tmp_path, [["地区：柯乔"], *rows[1:3]], name="wrong.xlsx", agency="市商务局", period=Q3)
    assert problems(wrong) == [("Sheet1!A1", "unknown-area", "未知地区 '柯乔'，是否指 柯桥区？")]


def test_growth_last_year_and_notes_from_the_tables_read_before(tmp_path: Path) -> None:
    rows = [["指标名称", "计量单位", "上年同期", "本月", "1—本月", "同比增长（%）", "期末数", "说明"],
            ["网络零售额", "万元", 7_000_000, 950_000, 8_200_000, 17.1, None, "海关口径"],
            ["平台", "个", 80, None, None, "12.5%", 98, None]]
    result = read(tmp_path, rows, catalog=CATALOG, agency="市商务局", period=Q3)
    assert result.problems == []
    assert figures(result) == [("online_retail_sales", None, 820.0, 17.1, 700.0, "海关口径", "E2"),
                               ("platforms", None, 98.0, 12.5, 80.0, "", "G3")]


def test_last_year_beside_this_years_dated_column(tmp_path: Path) -> None:
    rows = [["填报单位：市商务局"], ["指标", "2024年1-9月", "2023年1-9月", "增幅", "口径"],
            ["网络零售额（亿元）", 960, 850, 12.9, "含个体网店"]]
    result = read(tmp_path, rows, catalog=CATALOG)
    assert result.problems == [] and result.period == Q3
    assert figures(result) == [("online_retail_sales", None, 960.0, 12.9, 850.0, "含个体网店", "B3")]


def test_a_two_row_header_keeps_its_growth_and_last_year(tmp_path: Path) -> None:
    rows = [["序号", "指标名称", "计量单位", "本年累计", None, "上年同期"],
            [None, None, None, "绝对值", "增幅（%）", None],
            [1, "网络零售额", "万元", 8_200_000, 12.0, 7_300_000]]
    result = read(tmp_path, rows, merges=["D1:E1", "A1:A2", "B1:B2", "C1:C2", "F1:F2"], catalog=CATALOG,
                  agency="市商务局", period=Q3)
    assert figures(result) == [("online_retail_sales", None, 820.0, 12.0, 730.0, "", "D3")]


@pytest.mark.parametrize(("header", "kept"), [
    ("增长额", False), ("同比增减额", False), ("比上年增加", False), ("环比增长（%）", False), ("增长（亿元）", False),
    ("增速", True), ("比上年增长（%）", True), ("增减（%）", True), ("同比", True)])
def test_only_a_rate_is_taken_for_growth(tmp_path: Path, header: str, kept: bool) -> None:
    result = read(tmp_path, [["指标名称", "本期数", header], ["平台", 98, 7]], catalog=CATALOG, agency="市商务局", period=Q3)
    assert result.problems == []
    assert [(v.value, v.growth) for v in result.values] == [(98.0, 7.0 if kept else None)]


def test_an_unreadable_growth_or_last_year_costs_only_that_figure(tmp_path: Path) -> None:
    rows = [["指标名称", "计量单位", "本期数", "同比", "上年同期"],
            ["网络零售额", "亿元", 900, "约10", "12%"],
            ["平台", "个", 98, "3亿元", -5],
            ["网络经营主体", "万家", 8.9, "12万", "1.2万"]]
    result = read(tmp_path, rows, catalog=CATALOG, agency="市商务局", period=Q3)
    assert result.errors == []
    assert [(v.value, v.growth, v.last_year) for v in result.values] == [(900.0, None, None), (98.0, None, None),
                                                                         (8.9, None, None)]
    assert problems(result, "warning") == [
        ("Sheet1!D2", "bad-growth", "同比增长 '约10' 不是百分数，未采用（数值照常导入）"),
        ("Sheet1!E2", "bad-last-year", "上年同期数未采用（数值照常导入）：数值 '12%' 带的单位 % 与计量单位 亿元 不一致"),
        ("Sheet1!D3", "bad-growth", "同比增长 '3亿元' 不是百分数，未采用（数值照常导入）"),
        ("Sheet1!E3", "bad-last-year", "上年同期数未采用（数值照常导入）：数值不能为负：'-5'"),
        ("Sheet1!D4", "bad-growth", "同比增长 '12万' 不是百分数，未采用（数值照常导入）"),
        ("Sheet1!E4", "bad-last-year", "上年同期数未采用（数值照常导入）：'1.2万' 中的“万/亿”与计量单位 万家 重复：请只填数字"),
    ]


def test_a_catalog_without_areas_reads_area_tables_as_before(tmp_path: Path) -> None:
    """Without areas.yaml a total row is still the city's figure (no area named); areas are unknown."""
    result = read(tmp_path, ISSUE_TABLE, catalog=CATALOG)
    assert result.errors == []
    assert figures(result) == [("online_retail_sales", None, 812.3, 9.8, None, "", "B4")]
    assert problems(result, "warning") == [("Sheet1!A4", "rows-skipped", "表中有 3 行数据，只导入“全市”行（全市合计）")]
    long = read(tmp_path, [LONG_HEADER, ["2024Q3", "市商务局", "越城区", "平台", "个", 20, None, None, None]],
                name="long.xlsx", catalog=CATALOG)
    assert problems(long) == [("Sheet1!C2", "unknown-area", "未知地区 '越城区'（数据目录中没有地区名录 areas.yaml）")]
