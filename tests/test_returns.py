"""Reading returns as agencies send them: free-form tables, long tables and the template, in every format.

Each test writes a real file to ``tmp_path`` and reads it back with :func:`read_return`; errors
are checked with their exact ``file!sheet!cell`` location and code.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pingtai import layout
from pingtai.periods import Period
from pingtai.records import Conversion, ParsedReturn
from pingtai.returns import read_return
from programs import soffice_convert
from workbooks import (
    CATALOG,
    FREEFORM,
    FREEFORM_MERGES,
    template_workbook,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

Q3 = Period(2024, "Q", 3)


def read(path: Path, **options: Any) -> ParsedReturn:
    return read_return(path, CATALOG, **options)


def values(result: ParsedReturn) -> dict[str, tuple[float, str]]:
    """indicator → (value, cell) — the cell without the file and sheet."""
    return {v.indicator: (v.value, v.where.rsplit("!", 1)[1]) for v in result.values}


def problems(result: ParsedReturn, severity: str = "error") -> list[tuple[str, str, str]]:
    return [(p.where, p.code, p.message) for p in result.problems if p.severity == severity]


def table(tmp_path: Path, rows: Sequence[Any], name: str = "returns.xlsx", **options: Any) -> ParsedReturn:
    """A one-sheet .xlsx with ``rows`` read back (agency and period given unless ``options`` say otherwise)."""
    options.setdefault("agency", "市商务局")
    options.setdefault("period", Q3)
    path = write_xlsx(tmp_path / name, {"Sheet1": rows})
    return read(path, **{k: v for k, v in options.items() if v is not None})


# --- the free-form table in every format ----------------------------------------------------------

EXPECTED_FREEFORM = {
    "online_retail_sales": (1023.45, "E4"),  # 1-本月, 10,234,500 万元 → 亿元
    "cross_border_ecommerce_trade": (108.5, "E5"),  # a # 其中 sub-item that is a known indicator
    "online_business_entities": (8.9, "D6"),  # a stock: 本月, full-width digits
    "platforms": (98.0, "D7"),  # alias 互联网平台数量
}


def test_freeform_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "商务局.xlsx", {"Sheet1": FREEFORM}, merges={"Sheet1": FREEFORM_MERGES})
    result = read(path)
    assert result.problems == []
    assert (result.layout, result.agency, result.period) == ("table", "市商务局", Q3)
    assert values(result) == EXPECTED_FREEFORM
    assert result.conversions == [Conversion("商务局.xlsx!Sheet1!E4", "online_retail_sales", "万元", "亿元", 1e-4)]
    assert (result.reporter, result.phone, result.filled_on) == ("张三", "0575-88001234", dt.date(2024, 10, 12))
    assert [v.raw for v in result.values] == ["10,234,500", "１０８.５", "８.９", "98"]
    assert all(v.agency == "市商务局" and v.period == Q3 for v in result.values)
    assert len(result.sha256) == 64


@pytest.mark.parametrize(
    ("name", "write"),
    [
        ("商务局.xls", lambda p: write_xls(p, {"Sheet1": FREEFORM}, merges={"Sheet1": [(0, 0, 0, 5), (1, 1, 0, 3)]})),
        ("商务局.ods", lambda p: write_ods(p, {"Sheet1": FREEFORM})),
        ("商务局.csv", lambda p: write_csv(p, FREEFORM, "gb18030")),
        ("商务局-bom.csv", lambda p: write_csv(p, FREEFORM, "utf-8-sig")),
        ("商务局-utf8.csv", lambda p: write_csv(p, FREEFORM, "utf-8")),
    ],
)
def test_same_table_in_other_formats_gives_the_same_values(tmp_path: Path, name: str, write: Any) -> None:
    result = read(write(tmp_path / name))
    assert result.problems == []
    assert (result.agency, result.period) == ("市商务局", Q3)
    assert values(result) == EXPECTED_FREEFORM


def test_sniffed_formats(tmp_path: Path) -> None:
    from pingtai.returns import sniff_format

    made = {"xlsx": write_xlsx(tmp_path / "a.bin", {"S": FREEFORM}), "xls": write_xls(tmp_path / "b.bin", {"S": FREEFORM}),
            "ods": write_ods(tmp_path / "c.bin", {"S": FREEFORM}), "csv": write_csv(tmp_path / "d.bin", FREEFORM, "gb18030")}
    assert {kind: sniff_format(path) for kind, path in made.items()} == {k: k for k in made}


def test_extension_is_not_trusted(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "csv.tmp", FREEFORM, "gb18030").rename(tmp_path / "really-a-csv.xls")
    result = read(path)
    assert result.problems == []
    assert values(result) == EXPECTED_FREEFORM
    xlsx = write_xlsx(tmp_path / "x.xlsx", {"Sheet1": FREEFORM}).rename(tmp_path / "really-xlsx.ods")
    assert values(read(xlsx)) == EXPECTED_FREEFORM


def test_year_to_date_return_is_stored_as_the_year(tmp_path: Path) -> None:
    rows = [["2024年1-12月绍兴市网络零售情况"], ["填报单位：市商务局"], ["指标名称", "本年累计（亿元）", "增速(%)"],
            ["网络零售额", 1150.3, 8.1]]
    result = table(tmp_path, rows, period=None, agency=None)
    assert result.problems == []
    assert result.period == Period(2024)
    assert values(result) == {"online_retail_sales": (1150.3, "B4")}
    assert result.conversions == []


def test_report_period_line_and_quarter_argument_agree(tmp_path: Path) -> None:
    rows = [["报告期：2024年1-6月", None, "填报单位：绍兴市商务局"], ["指标", "本期数", "单位"], ["平台", 90, "个"]]
    result = table(tmp_path, rows, period=Period(2024, "Q", 2), agency="商务局")
    assert result.problems == []
    assert result.period == Period(2024, "H", 1)


# --- agency and period: file, arguments, contradictions ----------------------------------------------


def test_agency_argument_contradicting_the_file(tmp_path: Path) -> None:
    result = read(write_xlsx(tmp_path / "r.xlsx", {"Sheet1": FREEFORM}), agency="市经信局")
    assert problems(result) == [("r.xlsx!Sheet1!A2", "agency-mismatch", "文件中的填报单位为 市商务局，与 --agency 市经信局 不一致")]


def test_period_argument_contradicting_the_title(tmp_path: Path) -> None:
    result = read(write_xlsx(tmp_path / "r.xlsx", {"Sheet1": FREEFORM}), period=Period(2024, "Q", 2))
    assert problems(result) == [
        ("r.xlsx!Sheet1!A1", "period-mismatch", "文件中的报告期为 2024年第3季度，与 --period 2024年上半年 不一致")]


def test_missing_agency_and_period_name_the_flags(tmp_path: Path) -> None:
    rows = [["指标名称", "本期数"], ["网络零售额", 100]]
    result = table(tmp_path, rows, agency=None, period=None)
    assert problems(result) == [
        ("returns.xlsx!Sheet1", "no-agency", "文件中没有填报单位：请用 --agency 指定（如 --agency 市商务局）"),
        ("returns.xlsx!Sheet1", "no-period", "文件中没有报告期：请用 --period 指定（如 --period 2024Q3 或 2024年1-9月）"),
    ]
    assert result.values == []
    fixed = table(tmp_path, rows, name="fixed.xlsx", agency="绍兴市商务局", period=Period.parse("2024年三季度"))
    assert fixed.problems == [] and values(fixed) == {"online_retail_sales": (100.0, "B2")}


def test_unknown_agency_line_and_argument(tmp_path: Path) -> None:
    rows = [["填报单位（盖章）：绍兴市商务厅"], ["指标名称", "本期数"], ["网络零售额", 100]]
    result = table(tmp_path, rows, agency=None)
    assert [(p.where, p.code) for p in result.problems] == [("returns.xlsx!Sheet1!A1", "unknown-agency")]
    assert result.problems[0].message.startswith("未知单位 '绍兴市商务厅'，是否指 市商务局")
    argument = table(tmp_path, [["指标名称", "本期数"], ["网络零售额", 100]], name="b.xlsx", agency="商务厅")
    assert [(p.where, p.code) for p in argument.problems] == [("b.xlsx", "unknown-agency")]


# --- indicators and rows ------------------------------------------------------------------------------


def test_unknown_indicator_with_a_suggestion(tmp_path: Path) -> None:
    rows = [["指标名称", "计量单位", "1-本月"], ["网络零售额", "亿元", 900], *[[None]] * 4, ["网络零售总额", "亿元", 950]]
    result = table(tmp_path, rows)
    assert [str(p) for p in result.errors] == ["returns.xlsx!Sheet1!A7: 未知指标 '网络零售总额'，是否指 网络零售额？"]


def test_names_match_by_alias_id_quotes_brackets_and_units(tmp_path: Path) -> None:
    rows = [["序号", "指标名称", "本期数"],
            [1, '农村快递"共富驿站"', 125],
            [2, "（二）职业伤害保障政策覆盖率（%）", "85%"],
            [3, "data_ip_registrations", 300],
            [4, "网上零售额（万元）", 12345]]
    result = table(tmp_path, rows)
    assert result.problems == []
    assert values(result) == {"rural_express_stations": (125.0, "C2"), "occupational_injury_coverage": (85.0, "C3"),
                              "data_ip_registrations": (300.0, "C4"), "online_retail_sales": (1.2345, "C5")}


def test_headings_blank_rows_footers_and_unknown_subitems(tmp_path: Path) -> None:
    rows = [["指标名称", "计量单位", "本期数"],
            ["甲", "乙", "1"],
            ["一、网络经济", None, None],
            ["网络零售额", "亿元", 800],
            ["#其中：直播电商零售额", "亿元", 120],
            [None, None, None],
            ["平台", "个", None],
            ["单位负责人：李四", None, "填报人：王五"],
            ["注：数据为快报数。"]]
    result = table(tmp_path, rows)
    assert result.errors == []
    assert problems(result, "warning") == [("returns.xlsx!Sheet1!A5", "unknown-subitem", "未知的分项 '#其中：直播电商零售额'，已跳过")]
    assert values(result) == {"online_retail_sales": (800.0, "C4")}  # 平台 left blank: not reported, never 0
    assert result.reporter == "王五"


def test_labels_with_values_in_the_next_cell_and_column_numbers(tmp_path: Path) -> None:
    rows = [["报告期", "2024年三季度", "填报日期", "2024年10月"],  # the fill-in month is not the period
            ["填报单位", "绍兴市商务局", None, None],
            ["序号", "指标名称", "1-9月累计", "同比"],
            [1, 2, 3, 4],
            [1, "网络零售额", 960.5, 9.9]]
    result = table(tmp_path, rows, agency=None, period=None)
    assert result.errors == []
    assert (result.agency, result.period) == ("市商务局", Q3)
    assert values(result) == {"online_retail_sales": (960.5, "C5")}
    assert problems(result, "warning") == [("returns.xlsx!Sheet1!D1", "bad-date",
                                            "无法识别的填报日期 '2024年10月'（应如 2024-10-15 或 2024年10月15日）")]


def test_flow_takes_year_to_date_and_stock_takes_the_period_end(tmp_path: Path) -> None:
    rows = [["指标名称", "计量单位", "上年同期", "本月", "1—本月", "同比增长（%）", "期末数"],
            ["网络零售额", "亿元", 700, 95, 820, 17.1, None],
            ["平台", "个", 80, None, None, 12, 98]]
    result = table(tmp_path, rows)
    assert result.problems == []
    assert values(result) == {"online_retail_sales": (820.0, "E2"), "platforms": (98.0, "G3")}


def test_blank_year_to_date_is_not_replaced_by_the_month(tmp_path: Path) -> None:
    rows = [["指标名称", "本月", "1-本月"], ["网络零售额", 95, None]]
    result = table(tmp_path, rows)
    assert result.values == []
    assert problems(result, "warning") == [("returns.xlsx!Sheet1!C2", "value-column-blank",
                                            "网络零售额 的“1-本月”列为空，未采用“本月”列的数值（流量指标按年内累计填报）")]


def test_two_row_header_with_a_group_over_sub_labels(tmp_path: Path) -> None:
    rows = [["序号", "指标名称", "计量单位", "本年累计", None, "上年同期"],
            [None, None, None, "绝对值", "增幅（%）", None],
            [1, "网络零售额", "万元", 8_200_000, 12.0, 7_300_000]]
    path = write_xlsx(tmp_path / "two.xlsx", {"Sheet1": rows}, merges={"Sheet1": ["D1:E1", "A1:A2", "B1:B2", "C1:C2", "F1:F2"]})
    result = read(path, agency="市商务局", period=Q3)
    assert result.problems == []
    assert values(result) == {"online_retail_sales": (820.0, "D3")}


def test_wide_table_indicator_groups_over_month_and_year_to_date(tmp_path: Path) -> None:
    rows = [["2024年1-9月绍兴市网络零售情况"],
            ["填报单位：市商务局", None, None, None, "单位：亿元"],
            ["地区", "网络零售额", None, "同比增长（%）", "跨境电商进出口额"],
            [None, "本月", "1-本月", None, "1-本月"],
            ["全市", 110.2, 960.4, 9.5, 101.1],
            ["越城区", 20.1, 170.3, 8.8, 20.5],
            ["柯桥区", 30.2, 260.9, 10.1, 30.6]]
    path = write_xlsx(tmp_path / "wide.xlsx", {"Sheet1": rows}, merges={"Sheet1": ["A1:E1", "B3:C3", "A3:A4", "D3:D4"]})
    result = read(path)
    assert result.errors == []
    assert (result.agency, result.period) == ("市商务局", Q3)
    assert values(result) == {"online_retail_sales": (960.4, "C5"), "cross_border_ecommerce_trade": (101.1, "E5")}
    assert problems(result, "warning") == [("wide.xlsx!Sheet1!A5", "rows-skipped", "表中有 3 行数据，只导入“全市”行（全市合计）")]
    ods = read(write_ods(tmp_path / "wide.ods", {"Sheet1": rows}))  # no merge information: groups continue rightwards
    assert values(ods) == values(result)


def test_dated_value_columns_choose_the_report_period(tmp_path: Path) -> None:
    rows = [["填报单位：市商务局"], ["指标", "2024年1-9月", "2023年1-9月", "增幅"], ["网络零售额（亿元）", 960, 850, 12.9]]
    result = table(tmp_path, rows, agency=None, period=None)
    assert result.problems == []
    assert result.period == Q3
    assert values(result) == {"online_retail_sales": (960.0, "B3")}


# --- numbers, units and every value error, located ---------------------------------------------------


def test_number_conventions_in_cells(tmp_path: Path) -> None:
    rows = [["指标名称", "计量单位", "本期数"],
            ["平台", "个", "1.2万"],
            ["网络经营主体", "家", "89,000"],
            ["数据知识产权登记", "件", "…"],
            ["网络零售额", "亿元", "—"],
            ["农村快递共富驿站", None, "125个"]]
    result = table(tmp_path, rows)
    assert result.errors == []
    assert values(result) == {"platforms": (12000.0, "C2"), "online_business_entities": (8.9, "C3"),
                              "data_ip_registrations": (0.0, "C4"), "rural_express_stations": (125.0, "C6")}
    assert [v.below_unit for v in result.values] == [False, False, True, False]
    assert result.conversions == [Conversion("returns.xlsx!Sheet1!C3", "online_business_entities", "家", "万家", 1e-4)]
    assert problems(result, "warning") == []  # 125个 carries its unit


def test_every_value_error_is_located(tmp_path: Path) -> None:
    rows = [["指标名称", "计量单位", "本期数"],
            ["网络零售额", "亿元", "约1000"],
            ["平台", "个", -5],
            ["跨境电商进出口额", "亿元", "12%"],
            ["网络经营主体", "万家", "1.2万"],
            ["农村快递共富驿站", "个", "#DIV/0!"],
            ["数据知识产权登记", "件", dt.date(2024, 9, 30)],
            ["职业伤害保障政策覆盖率", "亿元", 85],
            ["互联网平台数量", "亿美元", 3],
            ["网络零售额", "亿元", 900],
            ["网络零售额", "亿元", 950]]
    result = table(tmp_path, rows, name="err.xlsx")
    assert problems(result) == [
        ("err.xlsx!Sheet1!C2", "not-a-number", "不是数字：'约1000'（请填写确切数值）"),
        ("err.xlsx!Sheet1!C3", "negative", "数值不能为负：'-5'"),
        ("err.xlsx!Sheet1!C4", "unit-conflict", "数值 '12%' 带的单位 % 与计量单位 亿元 不一致"),
        ("err.xlsx!Sheet1!C5", "ambiguous-magnitude", "'1.2万' 中的“万/亿”与计量单位 万家 重复：请只填数字"),
        ("err.xlsx!Sheet1!C6", "cell-error", "单元格是错误值 #DIV/0!：请检查公式"),
        ("err.xlsx!Sheet1!C7", "not-a-number", "不是数字：'2024-09-30' 是日期或时间"),
        ("err.xlsx!Sheet1!C8", "unit-mismatch", "单位 亿元 不能换算为 职业伤害保障政策覆盖率 的单位 %：'85'"),
        ("err.xlsx!Sheet1!C9", "unknown-unit", "无法识别的计量单位 '亿美元'（'3'）"),
        ("err.xlsx!Sheet1!C11", "duplicate", "网络零售额（市商务局，2024年第3季度）重复填报，已在 C10 填过"),
    ]
    assert values(result) == {"online_retail_sales": (900.0, "C10")}


def test_percent_written_for_a_currency_indicator(tmp_path: Path) -> None:
    result = table(tmp_path, [["指标名称", "本期数"], ["网络零售额", "12%"]])
    assert problems(result) == [("returns.xlsx!Sheet1!B2", "unit-mismatch", "单位 % 不能换算为 网络零售额 的单位 亿元：'12%'")]


def test_percent_formatted_number_for_a_percent_indicator_warns(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "p.xlsx", {"Sheet1": [["指标名称", "本期数"], ["职业伤害保障政策覆盖率", 0.85]]},
                      formats={"Sheet1": {"B2": "0%"}})
    result = read(path, agency="市人社局", period=Q3)
    assert result.errors == []
    assert problems(result, "warning") == [("p.xlsx!Sheet1!B2", "percent-format",
                                            "职业伤害保障政策覆盖率 的值 0.85 不大于 1：如果单元格是百分比格式（显示为 85%），请改填 85")]


def test_blank_unit_cell_assumes_the_indicator_unit_with_a_warning(tmp_path: Path) -> None:
    result = table(tmp_path, [["指标名称", "计量单位", "本期数"], ["网络零售额", None, 900]])
    assert values(result) == {"online_retail_sales": (900.0, "C2")}
    assert problems(result, "warning") == [("returns.xlsx!Sheet1!C2", "unit-assumed", "未填计量单位，按 亿元 处理")]
    silent = table(tmp_path, [["指标名称", "本期数"], ["网络零售额", 900]], name="no-unit-column.xlsx")
    assert silent.problems == []


def test_formula_without_a_cached_value_and_error_values(tmp_path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    rows: list[list[Any]] = [["指标名称", "本期数"], ["网络零售额", "=100*9"], ["平台", None], ["网络经营主体", 8.9]]
    for row in rows:
        sheet.append(row)
    sheet["B3"] = "#DIV/0!"
    sheet["B3"].data_type = "e"
    workbook.save(tmp_path / "formulas.xlsx")
    result = read(tmp_path / "formulas.xlsx", agency="市商务局", period=Q3)
    assert problems(result) == [
        ("formulas.xlsx!Sheet!B2", "formula-no-value", "公式没有计算结果：请在 Excel/WPS 中打开并保存后再导入"),
        ("formulas.xlsx!Sheet!B3", "cell-error", "单元格是错误值 #DIV/0!：请检查公式"),
    ]
    assert values(result) == {"online_business_entities": (8.9, "B4")}


# --- long tables ---------------------------------------------------------------------------------------

LONG: list[list[Any]] = [["报告期", "填报单位", "指标编号", "指标名称", "计量单位", "数值", "备注"],
        ["2023年1-12月", "市商务局", None, "网络零售额", "亿元", 1002.5, "快报"],
        ["2024Q1", "绍兴市商务局", "online_retail_sales", None, "万元", 2_400_000, None],
        ["2024年第二季度", "商务局", None, "网络零售额", "亿元", "498.7", None],
        ["2024-03", "市经信局", None, "平台", "个", 61, None],
        ["2024年上半年", "越城区", None, "共富驿站", "个", "１８", None]]


def test_long_table_with_many_agencies_and_periods(tmp_path: Path) -> None:
    result = read(write_xlsx(tmp_path / "long.xlsx", {"数据": LONG}))
    assert result.problems == []
    assert result.layout == "long"
    assert (result.agency, result.period) == (None, None)
    got = [(v.indicator, v.agency, str(v.period), v.value, v.where, v.note) for v in result.values]
    assert got == [
        ("online_retail_sales", "市商务局", "2023", 1002.5, "long.xlsx!数据!F2", "快报"),
        ("online_retail_sales", "市商务局", "2024Q1", 240.0, "long.xlsx!数据!F3", ""),
        ("online_retail_sales", "市商务局", "2024H1", 498.7, "long.xlsx!数据!F4", ""),
        ("platforms", "市经信局", "2024Q1", 61.0, "long.xlsx!数据!F5", ""),
        ("rural_express_stations", "越城区政府", "2024H1", 18.0, "long.xlsx!数据!F6", ""),
    ]


def test_long_table_in_csv_with_short_headers(tmp_path: Path) -> None:
    rows = [["报告期", "单位名称", "指标", "单位", "值"], ["2024Q3", "市商务局", "网络零售额", "亿元", "960.4"]]
    result = read(write_csv(tmp_path / "long.csv", rows, "gb18030"))
    assert result.problems == []
    assert [(v.indicator, v.agency, v.period, v.value) for v in result.values] == [("online_retail_sales", "市商务局", Q3, 960.4)]


def test_unknown_agency_in_a_long_table_is_located_with_suggestions(tmp_path: Path) -> None:
    rows = [*LONG[:2], ["2024Q3", "市商务厅", None, "网络零售额", "亿元", 960, None],
            ["2024Q3", "各区、县（市）政府", None, "平台", "个", 10, None]]
    result = read(write_xlsx(tmp_path / "long.xlsx", {"数据": rows}))
    assert problems(result) == [("long.xlsx!数据!B3", "unknown-agency", "未知单位 '市商务厅'，是否指 市商务局？"),
                                ("long.xlsx!数据!B4", "unknown-agency", "填报单位 '各区、县（市）政府' 是单位组，不是单位：请写具体单位")]


def test_long_table_rows_contradicting_the_arguments(tmp_path: Path) -> None:
    result = read(write_xlsx(tmp_path / "long.xlsx", {"数据": LONG}), agency="市商务局", period=Period(2024, "Q", 1))
    assert [(p.where, p.code) for p in result.errors] == [
        ("long.xlsx!数据!A2", "period-mismatch"), ("long.xlsx!数据!A4", "period-mismatch"),
        ("long.xlsx!数据!B5", "agency-mismatch"), ("long.xlsx!数据!B6", "agency-mismatch")]
    assert result.errors[0].message == "该行报告期 2023年 与 --period 2024年第1季度 不一致"


def test_long_table_blank_agency_cells_use_the_argument_or_fail(tmp_path: Path) -> None:
    rows = [["报告期", "填报单位", "指标名称", "数值"], ["2024Q3", None, "平台", 61]]
    assert problems(read(write_xlsx(tmp_path / "a.xlsx", {"S": rows}))) == [
        ("a.xlsx!S!D2", "no-agency", "该行未填填报单位：请填写或用 --agency 指定")]
    given = read(write_xlsx(tmp_path / "b.xlsx", {"S": rows}), agency="市经信局")
    assert given.problems == [] and given.agency == "市经信局"


# --- the template ----------------------------------------------------------------------------------------

VALUES: list[list[Any]] = [["online_retail_sales", "网络零售额", "亿元", "2024年第3季度", 960.4, "快报数"],
          ["platforms", "平台", "个", "2024年第3季度", None, None],
          ["online_business_entities", "网络经营主体", "万家", "2024年第3季度", "８.９", None]]
TASKS: list[list[Any]] = [["plan_2023_38", 1, "打造电商平台", "推进中", "已招引平台 3 家", "用地紧张", "继续招引"],
         ["38号", 2, "建设共富驿站", "已完成", "建成 260 个", None, None],
         ["plan_2023_38", 3, "职业伤害保障", None, None, None, None]]


def test_template_filled_in(tmp_path: Path) -> None:
    path = template_workbook(tmp_path / "模板.xlsx", values=VALUES, tasks=TASKS, reporter=("张三", "88001234", dt.date(2024, 10, 9)))
    result = read(path)
    assert result.problems == []
    assert (result.layout, result.agency, result.period, result.plan_version) == ("template", "市商务局", Q3, "plan_2023_38@2024-01-01")
    assert values(result) == {"online_retail_sales": (960.4, "E4"), "online_business_entities": (8.9, "E6")}
    assert result.values[0].note == "快报数"
    assert [(t.plan, t.task, t.status, t.progress, t.issues, t.next_steps, t.where) for t in result.tasks] == [
        ("plan_2023_38", 1, "in_progress", "已招引平台 3 家", "用地紧张", "继续招引", f"模板.xlsx!{layout.TASKS_SHEET}!D3"),
        ("plan_2023_38", 2, "done", "建成 260 个", "", "", f"模板.xlsx!{layout.TASKS_SHEET}!D4"),
    ]
    assert (result.reporter, result.phone, result.filled_on) == ("张三", "88001234", dt.date(2024, 10, 9))


def test_template_contacts_below_the_task_table(tmp_path: Path) -> None:
    tasks = [*TASKS[:1], [], ["填报人：", "李四", "联系电话：", "13900000000", "填报日期：", "2024-10-09"]]
    result = read(template_workbook(tmp_path / "t.xlsx", values=VALUES, tasks=tasks))
    assert result.problems == []
    assert len(result.tasks) == 1
    assert (result.reporter, result.phone, result.filled_on) == ("李四", "13900000000", dt.date(2024, 10, 9))


def test_template_errors(tmp_path: Path) -> None:
    values_rows: list[list[Any]] = [*VALUES[:1], ["platforms", "平台", "个", "2024年第2季度", 90, None]]
    tasks: list[list[Any]] = [["plan_2023_38", 1, "打造电商平台", "快完成了", "…", None, None], ["plan_2023_38", 99, "?", "推进中", None, None, None]]
    result = read(template_workbook(tmp_path / "t.xlsx", values=values_rows, tasks=tasks))
    assert problems(result) == [
        (f"t.xlsx!{layout.VALUES_SHEET}!D5", "period-mismatch", "该行报告期 2024年上半年 与 模板 2024年第3季度 不一致"),
        (f"t.xlsx!{layout.TASKS_SHEET}!D3", "bad-status", "进展状态应为 未启动、推进中、已完成、滞后 之一：'快完成了'"),
        (f"t.xlsx!{layout.TASKS_SHEET}!B4", "unknown-task", "38号 没有第 99 项任务"),
    ]


def test_template_contradicted_by_arguments_or_from_a_newer_version(tmp_path: Path) -> None:
    path = template_workbook(tmp_path / "t.xlsx", values=VALUES)
    assert problems(read(path, agency="市经信局")) == [
        (f"t.xlsx!{layout.META_SHEET}!B2", "agency-mismatch", "模板的填报单位为 市商务局，与 --agency 市经信局 不一致")]
    assert read(path, agency="商务局", period=Period(2024, "Q", 3)).errors == []
    newer = read(template_workbook(tmp_path / "new.xlsx", values=VALUES, version=2))
    assert [(p.where, p.code) for p in newer.problems] == [(f"new.xlsx!{layout.META_SHEET}!B1", "template-version")]


# --- sheets, layouts, progress ------------------------------------------------------------------------------


def test_every_visible_sheet_with_a_layout_is_read(tmp_path: Path) -> None:
    sheets: dict[str, list[list[Any]]] = {"说明": [["本表由市商务局填报"]], "空表": [],
              "平台": [["指标名称", "本期数"], ["平台", 98]],  # the agency comes from the next sheet
              "网络零售": [["填报单位：市商务局", None], ["指标名称", "本期数"], ["网络零售额", 900]],
              "旧数据": [["指标名称", "本期数"], ["平台", 1]]}
    result = read(write_xlsx(tmp_path / "multi.xlsx", sheets, hidden=["旧数据"]), period=Q3)
    assert result.errors == []
    assert values(result) == {"online_retail_sales": (900.0, "B3"), "platforms": (98.0, "B2")}
    assert {v.agency for v in result.values} == {"市商务局"}
    assert problems(result, "warning") == [("multi.xlsx!说明", "sheet-skipped", "未找到表头，已跳过该工作表")]


def test_hundreds_of_the_same_error_are_listed_up_to_a_limit(tmp_path: Path) -> None:
    rows = [["报告期", "填报单位", "指标名称", "数值"], *[["2024Q3", "市商务局", f"不存在的指标{i}", i] for i in range(250)]]
    result = read(write_xlsx(tmp_path / "many.xlsx", {"S": rows}))
    assert len(result.errors) == 201
    assert {p.code for p in result.errors} == {"unknown-indicator"}
    assert str(result.errors[-1]) == "many.xlsx: 另有 50 处同类问题（unknown-indicator）未逐一列出"


def test_the_bundled_catalog(tmp_path: Path) -> None:
    from pingtai.loader import load_catalog

    result = read_return(write_xlsx(tmp_path / "r.xlsx", {"Sheet1": FREEFORM}), load_catalog())
    assert result.problems == []
    assert values(result) == EXPECTED_FREEFORM


def test_a_file_without_any_table(tmp_path: Path) -> None:
    result = read(write_xlsx(tmp_path / "memo.xlsx", {"Sheet1": [["关于报送数据的说明"], ["我局已完成全年任务。"]]}))
    assert [(p.where, p.code) for p in result.problems] == [("memo.xlsx", "no-layout")]


def test_progress_is_reported(tmp_path: Path) -> None:
    names = ["平台", "网络零售额", "网络经营主体", "共富驿站"]
    rows: list[list[Any]] = [["报告期", "填报单位", "指标名称", "数值"]]
    rows += [[f"{year}Q{q}", "市商务局", name, year] for year in range(1901, 2200) for q in range(1, 5) for name in names][:4500]
    calls: list[tuple[int, int]] = []
    result = read(write_xlsx(tmp_path / "big.xlsx", {"S": rows}), on_progress=lambda done, total: calls.append((done, total)))
    assert result.errors == [] and len(result.values) == 4500
    assert calls[-1] == (4501, 4501)
    assert len(calls) >= 3 and all(a[0] < b[0] for a, b in itertools.pairwise(calls))


# --- files saved by a spreadsheet application -----------------------------------------------------------------


@pytest.mark.external
def test_freeform_saved_by_libreoffice(tmp_path: Path) -> None:
    """The issue's "done when": the free-form return as a spreadsheet application saves it, as .xlsx and .xls.

    openpyxl writes formulas without results; after LibreOffice opens and saves the file the
    cached results are there, which is exactly the advice the reader gives.
    """
    rows = [list(row) for row in FREEFORM]
    rows[3][4] = "=10000000+234500"  # 1-本月 of 网络零售额 as a formula
    source = write_xlsx(tmp_path / "made.xlsx", {"Sheet1": rows}, merges={"Sheet1": FREEFORM_MERGES})
    assert [(p.where, p.code) for p in read(source).errors] == [("made.xlsx!Sheet1!E4", "formula-no-value")]
    for target in ("xlsx", "xls"):
        soffice_convert(source, target, tmp_path / "saved", tmp_path / "profile")
    for saved in ("made.xlsx", "made.xls"):
        result = read(tmp_path / "saved" / saved)
        assert result.problems == [], saved
        assert (result.agency, result.period, result.reporter) == ("市商务局", Q3, "张三")
        assert values(result) == EXPECTED_FREEFORM, saved
