"""Importing what tables by area hold: each area's figure under its own key, the city's figure, growth,
last year's figure and notes — real workbooks read by the reader and recorded by the importer.

The catalog is the test catalog with areas (:data:`workbooks.AREA_CATALOG`): 绍兴市 with 越城区, 柯桥区 and
诸暨市 (the county-level areas) and 滨海新区 (a zone); 网络零售额 and 跨境电商进出口总额 are reported in
every area and add up, 网络经营主体 in 越城区 and 柯桥区 only, 职业伤害保障政策覆盖率 is a ratio.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ledger_helpers import NOW
from pingtai.importer import FileResult, import_files
from pingtai.ledger import Ledger
from pingtai.service import Store
from workbooks import AREA_CATALOG, Grid, write_xlsx

HEADER = ["地区", "1-9月累计（亿元）", "同比增长（%）", "备注"]


SIGNED: list[list[Any]] = [[], ["填报人：王小明", "联系电话：0575-85201234", "审核人：赵六"]]
"""The footer naming who filled a return in and who checked it."""


def table(title: str, rows: Grid, *, agency: str = "市商务局") -> list[list[Any]]:
    """An area table as an agency sends it, with its footer."""
    return [[title], [f"填报单位：{agency}"], HEADER, *rows, *SIGNED]


def imported(db: Path, tmp_path: Path, name: str, grid: Grid, **options: Any) -> FileResult:
    path = write_xlsx(tmp_path / name, {"Sheet1": grid})
    [result] = import_files([path], AREA_CATALOG, Store(db), now=options.pop("now", NOW), **options).files
    return result


def stored(db: Path) -> list[tuple[Any, ...]]:
    with Ledger.open(db, readonly=True) as ledger:
        return [(v.indicator, v.area, str(v.period), v.agency, v.value, v.growth, v.last_year, v.note)
                for v in ledger.current_values()]


def test_areas_as_rows_with_a_city_row(db: Path, tmp_path: Path) -> None:
    rows = [["全市", 812.3, 9.8, "快报"], ["越城区", 160.2, 8.1, None], ["柯桥区", 300.5, 12.0, "含个体网店"],
            ["诸暨市", 351.6, 9.0, None], ["滨海新区", 50.5, 4.0, "功能区"]]
    result = imported(db, tmp_path, "a.xlsx", table("2024年1-9月各区、县（市）网络零售额", rows))
    assert (result.status, result.imported, result.warnings) == ("accepted", 5, [])
    assert stored(db) == [
        ("online_retail_sales", "", "2024Q3", "市商务局", 812.3, 9.8, None, "快报"),  # the 全市 row: the city's key
        ("online_retail_sales", "柯桥区", "2024Q3", "市商务局", 300.5, 12.0, None, "含个体网店"),
        ("online_retail_sales", "滨海新区", "2024Q3", "市商务局", 50.5, 4.0, None, "功能区"),
        ("online_retail_sales", "诸暨市", "2024Q3", "市商务局", 351.6, 9.0, None, ""),
        ("online_retail_sales", "越城区", "2024Q3", "市商务局", 160.2, 8.1, None, "")]


def test_areas_as_rows_without_a_city_row_make_no_city_figure_of_their_own(db: Path, tmp_path: Path) -> None:
    rows = [["越城区", 160.2, 8.1, None], ["柯桥区", 300.5, 12.0, None], ["诸暨市", 351.6, 9.0, None]]
    result = imported(db, tmp_path, "a.xlsx", table("2024年1-9月各区、县（市）网络零售额", rows))
    assert result.imported == 3
    assert {row[1] for row in stored(db)} == {"越城区", "柯桥区", "诸暨市"}  # no city row is invented …
    from pingtai import service

    detail = service.show(AREA_CATALOG, Store(db), "网络零售额", dt.date(2024, 12, 1), by_area=True)
    assert detail.by_area is not None and detail.by_area.city.source == "sum"  # … the dashboard sums them
    assert detail.by_area.city.value == pytest.approx(812.3)


def test_the_footer_names_who_filled_the_return_in_and_who_checked_it(db: Path, tmp_path: Path) -> None:
    imported(db, tmp_path, "a.xlsx", table("2024年1-9月各区、县（市）网络零售额", [["越城区", 160.2, 8.1, None]]))
    unsigned = [["2024年1-9月各区、县（市）网络零售额"], ["填报单位：市商务局"], HEADER, ["柯桥区", 300.5, 12.0, None],
                [], ["填报人：王小明"]]
    result = imported(db, tmp_path, "b.xlsx", unsigned)
    assert [(p.code, p.message[:13]) for p in result.warnings] == [("missing-contacts", "报表未填写联系电话、审核人")]
    with Ledger.open(db, readonly=True) as ledger:
        first, second = ledger.batches()
    assert (first.reporter, first.phone, first.reviewer, first.missing_contacts) == ("王小明", "0575-85201234", "赵六", ())
    assert (second.reviewer, second.missing_contacts) == ("", ("联系电话", "审核人"))


def test_several_indicators_per_sheet_each_under_its_own_key(db: Path, tmp_path: Path) -> None:
    grid = [["填报单位：市商务局"], ["单位：亿元、万家"],
            ["地区", "网络零售额", "同比", "网络经营主体", "增幅(%)", "备注"],
            ["合计", 812.3, 9.8, 8.0, 3, "快报"], ["越城区", 160.2, 8.1, 2.0, 4, None],
            ["柯桥区", 300.5, 12, 3.1, -1.5, "含个体网店"], ["诸暨市", 351.6, 1, 1.5, 2, None], *SIGNED]
    result = imported(db, tmp_path, "a.xlsx", grid, period="2024Q3")
    assert result.imported == 7  # 4 + 3: 网络经营主体 is not reported for 诸暨市 (a warning, left out)
    assert [p.code for p in result.warnings] == ["area-skipped"]
    entities = [row for row in stored(db) if row[0] == "online_business_entities"]
    assert [(row[1], row[4], row[5], row[7]) for row in entities] == [
        ("", 8.0, 3.0, "快报"), ("柯桥区", 3.1, -1.5, "含个体网店"), ("越城区", 2.0, 4.0, "")]


def test_an_area_in_a_long_table(db: Path, tmp_path: Path) -> None:
    grid = [["报告期", "填报单位", "地区", "指标名称", "计量单位", "数值", "同比增长(%)", "上年同期", "备注"],
            ["2024Q3", "市商务局", "全市", "网络零售额", "亿元", 812.3, 9.8, 739.8, "快报"],
            ["2024Q3", "市商务局", "越城", "网络零售额", "万元", 1_602_000, "8.1%", 1_482_000, None],
            ["2024Q3", "柯桥区政府", None, "网络零售额", "亿元", 299.8, None, None, "区统计局口径"],
            ["2024Q3", "市商务局", None, "平台", "个", 98, None, 90, None]]
    result = imported(db, tmp_path, "long.xlsx", grid)
    assert result.imported == 4
    assert stored(db) == [
        ("online_retail_sales", "", "2024Q3", "市商务局", 812.3, 9.8, 739.8, "快报"),
        # a district government's figure that names no area is its own district's
        ("online_retail_sales", "柯桥区", "2024Q3", "柯桥区政府", 299.8, None, None, "区统计局口径"),
        ("online_retail_sales", "越城区", "2024Q3", "市商务局", 160.2, 8.1, 148.2, ""),
        ("platforms", "", "2024Q3", "市商务局", 98.0, None, 90.0, "")]


def test_an_unknown_area_refuses_the_file_with_a_suggestion(db: Path, tmp_path: Path) -> None:
    rows = [["全市", 812.3, 9.8, None], ["柯乔区", 300.5, 12.0, None]]
    result = imported(db, tmp_path, "a.xlsx", table("2024年1-9月各区、县（市）网络零售额", rows))
    assert result.status == "rejected"
    assert [(p.where, p.code, p.message) for p in result.errors] == [
        ("a.xlsx!Sheet1!A5", "unknown-area", "未知地区 '柯乔区'，是否指 柯桥区？")]
    assert not db.parent.exists()


def test_a_city_figure_that_disagrees_with_its_areas_is_a_warning_naming_both(db: Path, tmp_path: Path) -> None:
    rows = [["全市", 815.0, 9.8, None], ["越城区", 160.2, 8.1, None], ["柯桥区", 300.5, 12.0, None],
            ["诸暨市", 351.6, 9.0, None]]
    result = imported(db, tmp_path, "a.xlsx", table("2024年1-9月各区、县（市）网络零售额", rows))
    assert result.status == "accepted"  # recorded: it is for the office to find out which is wrong
    [warning] = result.warnings
    assert (warning.where, warning.code) == ("a.xlsx!Sheet1!B4", "sum-mismatch")
    assert warning.message == ("网络零售额（2024年第3季度）：全市数 815 亿元（市商务局）与各区、县（市）合计 812.3 亿元相差 "
                               "2.7 亿元，超出表列数字的舍入误差（±0.65）：请核实全市数或各地区数")
    # within the rounding the table shows: nothing to say
    close = [["全市", 812, None, None], *rows[1:]]
    assert imported(db, tmp_path, "b.xlsx", table("2024年1-9月各区、县（市）网络零售额", close)).warnings == []


def test_a_later_return_of_the_areas_is_checked_against_the_city_figure_already_recorded(db: Path,
                                                                                          tmp_path: Path) -> None:
    imported(db, tmp_path, "city.xlsx", table("2024年1-9月全市网络零售额", [["全市", 815.0, 9.8, None]]))
    rows = [["越城区", 160.2, 8.1, None], ["柯桥区", 300.5, 12.0, None], ["诸暨市", 351.6, 9.0, None]]
    later = imported(db, tmp_path, "areas.xlsx", table("2024年1-9月各区、县（市）网络零售额", rows))
    assert [p.code for p in later.warnings] == ["sum-mismatch"]


def test_a_ratio_is_recorded_by_area_but_never_summed_or_checked(db: Path, tmp_path: Path) -> None:
    grid = [["2024年度各区、县（市）职业伤害保障政策覆盖率"], ["填报单位：市人社局"], ["地区", "实际值（%）"],
            ["全市", 99.0], ["越城区", 90], ["柯桥区", 80], ["诸暨市", 70], *SIGNED]
    result = imported(db, tmp_path, "ratio.xlsx", grid)
    assert (result.imported, result.warnings) == (4, [])  # 99 is no "sum" of 90, 80 and 70


def test_reported_growth_against_growth_computed_from_last_year(db: Path, tmp_path: Path) -> None:
    last = [["越城区", 150.0, None, None], ["柯桥区", 270.0, None, None]]
    imported(db, tmp_path, "2023.xlsx", [["2023年1-9月各区、县（市）网络零售额"], ["填报单位：市商务局"], HEADER, *last])
    rows = [["越城区", 160.2, 6.8, None],  # 160.2 / 150 − 1 = 6.8 %: as reported
            ["柯桥区", 300.5, 9.0, "口径调整"]]  # 300.5 / 270 − 1 = 11.3 %: 2.3 points from what was reported
    result = imported(db, tmp_path, "2024.xlsx", table("2024年1-9月各区、县（市）网络零售额", rows))
    assert [(p.where, p.code) for p in result.warnings] == [("2024.xlsx!Sheet1!B5", "growth-gap")]
    assert "报同比 9.0%，按台账中上年同期（2023年第3季度：270 亿元）计算为 11.3%，相差 2.3 个百分点" in result.warnings[0].message


def test_a_reported_last_year_fills_in_for_the_growth_check(db: Path, tmp_path: Path) -> None:
    grid = [["2024年1-9月各区、县（市）网络零售额"], ["填报单位：市商务局"],
            ["地区", "1-9月累计（亿元）", "同比增长（%）", "上年同期"], ["柯桥区", 300.5, 9.0, 270.0], *SIGNED]
    result = imported(db, tmp_path, "a.xlsx", grid)
    assert [p.code for p in result.warnings] == ["growth-gap"]
    assert "按报表所填上年同期（2023年第3季度：270 亿元）计算为 11.3%" in result.warnings[0].message


def test_an_areas_figure_in_the_wrong_unit_is_refused_against_its_own_last_figure(db: Path, tmp_path: Path) -> None:
    imported(db, tmp_path, "2023.xlsx", [["2023年1-9月各区、县（市）网络零售额"], ["填报单位：市商务局"], HEADER,
                                         ["柯桥区", 270.0, None, None]])
    slip = imported(db, tmp_path, "2024.xlsx", table("2024年1-9月各区、县（市）网络零售额", [["柯桥区", 3_005_000, 9, None]]))
    assert slip.status == "rejected"
    [error] = slip.errors
    assert (error.where, error.code) == ("2024.xlsx!Sheet1!B4", "unit-slip")
    assert "网络零售额（2024年第3季度，市商务局，柯桥区）为 3,005,000 亿元，约为上年同期（2023年第3季度：270 亿元）的 1 万倍" in error.message
