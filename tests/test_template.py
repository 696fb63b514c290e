"""The return template: what it lists, how it is laid out and protected, and that it survives re-saving."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from ledger_helpers import NOW, catalog
from pingtai import layout
from pingtai.errors import UnknownNameError, UsageError
from pingtai.periods import Period
from pingtai.template import (
    build_workbook,
    default_name,
    due_date,
    plan_version,
    template_content,
    write_template,
)
from programs import soffice_convert

GENERATED = dt.date(2025, 1, 2)


def header_row(sheet: Worksheet, headers: tuple[str, ...]) -> int:
    for row in sheet.iter_rows(min_row=1, max_row=20):
        if tuple(c.value for c in row[: len(headers)]) == headers:
            return int(row[0].row or 0)
    raise AssertionError(f"no header row {headers} in {sheet.title}")


def test_commerce_gets_its_indicators_and_lead_tasks() -> None:
    content = template_content(catalog(), "绍兴市商务局", "2024Q4")
    assert content.agency == "市商务局" and content.period == Period(2024, "Q", 4)
    assert [i.id for i in content.indicators] == ["online_retail_sales", "online_business_entities", "platforms",
                                                  "billion_yuan_platforms", "cross_border_ecommerce_trade"]
    assert [(t.plan, t.task.number) for t in content.tasks] == [
        ("plan_2023_38", 1), ("zone_2023_5", 7), ("zone_2023_5", 8), ("zone_2023_5", 10)]
    # the plans' calendar (due 20 days after the period) is what the form prints
    assert content.due == dt.date(2025, 1, 20) == due_date(catalog(), "市商务局", Period(2024, "Q", 4))
    assert content.plan_version == "plan_2023_38@2026-11-23;zone_2023_5@2026-11-23" == plan_version(catalog())


def test_a_group_office_leads_through_its_group() -> None:
    content = template_content(catalog(), "市平台经济工作领导小组办公室", "2024")
    assert content.indicators == ()
    assert [t.task.number for t in content.tasks] == [14, 17, 18]


def test_the_workbook_layout(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    result = write_template(catalog(), "市商务局", "2024Q4", target, generated=GENERATED)
    assert result.path == target
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary file left behind
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [layout.INSTRUCTIONS_SHEET, layout.VALUES_SHEET, layout.AREAS_SHEET, layout.TASKS_SHEET,
                               layout.META_SHEET]

    meta = book[layout.META_SHEET]
    assert meta.sheet_state == "hidden"
    assert (meta["A1"].value, meta["B1"].value) == (layout.TEMPLATE_FORMAT, layout.TEMPLATE_VERSION)
    rows = {meta.cell(row=r, column=1).value: meta.cell(row=r, column=2).value for r in range(2, 2 + len(layout.META_KEYS))}
    assert rows == {"agency": "市商务局", "period": "2024Q4", "plan_version": plan_version(catalog()),
                    "generated": "2025-01-02"}

    values = book[layout.VALUES_SHEET]
    assert "A1:F1" in {str(r) for r in values.merged_cells.ranges}
    assert values["A2"].value == "填报单位：市商务局　　报告期：2024年第4季度"
    top = header_row(values, layout.VALUE_HEADERS)
    first = values[top + 1]
    assert [c.value for c in first] == ["online_retail_sales", "网络零售额", "亿元", "2024年第4季度", None, None]
    # the hint is a comment on the value cell: 说明 stays the agency's own note
    assert first[4].comment is not None and first[4].comment.text == "1-12月累计"
    assert [c.protection.locked for c in first] == [True, True, True, True, False, False]
    [validation] = values.data_validations.dataValidation
    assert (validation.type, validation.operator, validation.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert str(validation.sqref) == f"E{top + 1}:E{top + 5}"
    labels = {values.cell(row=r, column=1).value: values.cell(row=r, column=2) for r in range(top + 6, top + 12)}
    for label in (layout.REPORTER_LABEL, layout.PHONE_LABEL, layout.REVIEWER_LABEL, layout.FILLED_ON_LABEL):
        assert labels[label].protection.locked is False
    assert values.protection.sheet is True
    assert str(values.page_setup.paperSize) == values.PAPERSIZE_A4 == "9"

    tasks = book[layout.TASKS_SHEET]
    top = header_row(tasks, layout.TASK_HEADERS)
    assert [c.value for c in tasks[top + 1]][:3] == ["38号", 1, "打造具有辨识度的电商平台"]
    [status] = tasks.data_validations.dataValidation
    assert status.type == "list" and status.formula1 == '"未启动,推进中,已完成,滞后"'
    assert str(status.sqref) == f"D{top + 1}:D{top + 4}"
    assert tasks[f"D{top + 1}"].protection.locked is False and tasks[f"C{top + 1}"].protection.locked is True

    instructions = book[layout.INSTRUCTIONS_SHEET]
    text = "\n".join(str(c.value) for c in instructions["A"] if c.value)
    for needed in ("2024年第4季度", "2025年1月20日前", "亿元", "不会被当作 0", "市平台经济工作领导小组办公室"):
        assert needed in text


def test_an_agency_without_indicators_is_told_so(tmp_path: Path) -> None:
    write_template(catalog(), "市平台经济工作领导小组办公室", "2024", tmp_path / "o.xlsx", generated=GENERATED)
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx")[layout.VALUES_SHEET]
    assert "无需填写数值" in str(sheet["A3"].value)
    top = header_row(sheet, layout.VALUE_HEADERS)
    assert sheet.cell(row=top + 1, column=1).value is None


def everything_said(path: Path) -> str:
    book = openpyxl.load_workbook(path)
    return "\n".join(str(c.value) for name in (layout.INSTRUCTIONS_SHEET, layout.VALUES_SHEET, layout.TASKS_SHEET)
                     for row in book[name].iter_rows() for c in row if c.value)


@pytest.mark.parametrize("agency", ["越城区政府", "市平台经济工作领导小组办公室", "市商务局", "市统计局"])
def test_the_instructions_ask_only_for_what_the_sheets_hold(agency: str, tmp_path: Path) -> None:
    """A district government leads nothing and owns no indicator: its template once said "请填写任务表"
    on one sheet and "本表无需填写" on the other."""
    content = template_content(catalog(), agency, "2024Q4")
    text = everything_said(write_template(catalog(), agency, "2024Q4", tmp_path / "t.xlsx", generated=GENERATED).path)
    asks_tasks = "请填写“任务”表" in text or "下拉选择" in text
    asks_values = "在“填报值”列填写数字" in text or "请填写“指标”表" in text
    asks_reporter = "填写填报人" in text
    assert asks_tasks == bool(content.tasks) and asks_values == bool(content.indicators), text
    assert asks_reporter == bool(content.tasks or content.indicators)
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    has_reporter_cells = any(c.value == layout.REPORTER_LABEL for c in book[layout.VALUES_SHEET]["A"])
    assert has_reporter_cells == asks_reporter
    if not content.tasks and not content.indicators:
        assert text.count("无需报送本表") >= 3 and "本表无需填写" not in text  # every sheet says the same


def test_a_unit_with_indicators_and_no_lead_task_is_asked_for_figures_only(tmp_path: Path) -> None:
    content = template_content(catalog(), "市商务局", "2024Q4").replace(tasks=())
    path = tmp_path / "t.xlsx"
    build_workbook(content, generated=GENERATED).save(path)
    text = everything_said(path)
    assert "请填写“指标”表" in text and "在“填报值”列填写数字" in text and "填写填报人" in text
    assert "请填写“任务”表" not in text and "下拉选择" not in text


def test_the_default_name_is_written_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = write_template(catalog(), "市经信局", "2025H1", generated=GENERATED)
    assert result.path == Path("填报表_市经信局_2025H1.xlsx") == Path(default_name("市经信局", Period(2025, "H", 1)))
    assert (tmp_path / result.path).is_file()


def test_bad_requests_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError) as unknown:
        write_template(catalog(), "市商业局", "2024Q4", tmp_path / "x.xlsx", generated=GENERATED)
    assert "市商务局" in unknown.value.suggestions
    with pytest.raises(UsageError, match="单位组"):
        write_template(catalog(), "各区、县（市）政府", "2024Q4", tmp_path / "x.xlsx", generated=GENERATED)
    with pytest.raises(UsageError, match="报告期"):
        write_template(catalog(), "市商务局", "2024Q5", tmp_path / "x.xlsx", generated=GENERATED)
    with pytest.raises(UsageError, match="输出目录不存在"):
        write_template(catalog(), "市商务局", "2024Q4", tmp_path / "no" / "x.xlsx", generated=GENERATED)
    assert list(tmp_path.iterdir()) == []


# --- filled in, re-saved by a spreadsheet application, imported -----------------------------------

FILLED = {"online_retail_sales": 1150.6, "online_business_entities": 13.8, "platforms": 128,
          "billion_yuan_platforms": 6, "cross_border_ecommerce_trade": 151.2}
BY_AREA = {"越城区": (182.3, 13.6, ""), "柯桥区": (352.1, 15.4, "含个体网店"), "上虞区": (168.9, 12.4, ""),
           "新昌县": (66.2, 9.7, ""), "诸暨市": (262.0, 13.7, ""), "嵊州市": (119.1, 12.8, ""), "滨海新区": (52.6, 16.1, "功能区")}
"""网络零售额 by area (the six add up to the city's 1150.6), with 同比 and notes."""


def test_a_unit_reporting_by_area_gets_an_area_sheet(tmp_path: Path) -> None:
    content = template_content(catalog(), "市商务局", "2024Q4")
    assert [i.id for i in content.by_area] == ["online_retail_sales", "online_business_entities", "platforms",
                                               "cross_border_ecommerce_trade"]
    assert content.areas == ("越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市", "滨海新区")
    target = write_template(catalog(), "市商务局", "2024Q4", tmp_path / "t.xlsx", generated=GENERATED).path
    sheet = openpyxl.load_workbook(target)[layout.AREAS_SHEET]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=5)]
    assert rows[0][:4] == [layout.AREA_COLUMN, "网络零售额（亿元）", None, "网络经营主体（万家）"]
    assert rows[0][-1] == layout.AREA_NOTE
    assert rows[1][:3] == [None, layout.AREA_VALUE, layout.AREA_GROWTH]
    assert rows[2][0] == "越城区"
    assert sheet["B5"].protection.locked is False and sheet.protection.sheet
    # 跨境电商 is reported for every area; a city-only indicator is not on the sheet at all
    assert "亿元级平台" not in str(rows[0])
    # an area's own government reports its area's figures on 指标: no area sheet
    district = template_content(catalog(), "柯桥区政府", "2024Q4")
    assert district.by_area == () and district.areas == ()


def test_cells_of_an_area_an_indicator_is_not_reported_for_are_locked(tmp_path: Path) -> None:
    from workbooks import make_catalog

    areas = make_catalog(by_area=True)
    target = write_template(areas, "市商务局", "2024Q4", tmp_path / "t.xlsx", generated=GENERATED).path
    sheet = openpyxl.load_workbook(target)[layout.AREAS_SHEET]
    head = [c.value for c in sheet[3]]
    column = head.index("网络经营主体（万家）") + 1  # reported in 越城区 and 柯桥区 only
    places = {sheet.cell(row=r, column=1).value: r for r in range(5, 9)}
    assert sheet.cell(row=places["越城区"], column=column).protection.locked is False
    assert sheet.cell(row=places["诸暨市"], column=column).protection.locked is True
    assert sheet.cell(row=places["诸暨市"], column=column).value is None  # empty: nothing there is read


def fill(path: Path) -> None:
    """Type values, a reporter and task progress into a template, as an agency would."""
    book = openpyxl.load_workbook(path)
    values = book[layout.VALUES_SHEET]
    top = header_row(values, layout.VALUE_HEADERS)
    footer: dict[str, str | dt.date] = {layout.REPORTER_LABEL: "王小明", layout.PHONE_LABEL: "0575-85201234",
                                        layout.REVIEWER_LABEL: "赵六", layout.FILLED_ON_LABEL: dt.date(2025, 1, 10)}
    for row in values.iter_rows(min_row=top + 1):
        key = str(row[0].value)
        if key in FILLED:
            row[4].value = FILLED[key]
        elif key in footer:
            row[1].value = footer[key]
    tasks = book[layout.TASKS_SHEET]
    top = header_row(tasks, layout.TASK_HEADERS)
    for row in tasks.iter_rows(min_row=top + 1):
        if row[1].value is not None:
            row[3].value, row[4].value = "推进中", f"任务{row[1].value}按计划推进"
    areas = book[layout.AREAS_SHEET]
    note = [c.value for c in areas[3]].index(layout.AREA_NOTE)
    for row in areas.iter_rows(min_row=5):
        if row[0].value in BY_AREA:
            number, growth, text = BY_AREA[str(row[0].value)]
            row[1].value, row[2].value, row[note].value = number, growth, text or None
    book.save(path)


@pytest.mark.external
@pytest.mark.parametrize("fmt", ["xlsx", "xls", "ods"])
def test_a_template_resaved_by_libreoffice_still_imports(tmp_path: Path, fmt: str) -> None:
    from pingtai.importer import import_files
    from pingtai.ledger import Ledger
    from pingtai.service import Store

    original = tmp_path / "填报表_市商务局_2024Q4.xlsx"
    write_template(catalog(), "市商务局", "2024Q4", original, generated=GENERATED)
    fill(original)
    resaved = soffice_convert(original, fmt, tmp_path / "resaved", tmp_path / "profile")
    db = tmp_path / "ledger.sqlite3"
    result = import_files([resaved], catalog(), Store(db), now=NOW)
    [item] = result.files
    assert item.errors == [] and item.status == "accepted", [str(p) for p in item.errors]
    assert (item.agency, str(item.period), item.imported, item.tasks) == ("市商务局", "2024", 5 + 7, 4)
    assert item.warnings == []  # the areas add up to the city's figure
    with Ledger.open(db) as ledger:
        stored = {v.indicator: v.value for v in ledger.current_values() if not v.area}
        assert stored == pytest.approx(FILLED)
        areas = {v.area: (v.value, v.growth, v.note) for v in ledger.current_values() if v.area}
        assert areas == BY_AREA
        assert {str(v.period) for v in ledger.current_values()} == {"2024"}
        [batch] = ledger.batches()
        assert (batch.reporter, batch.phone, batch.filled_on) == ("王小明", "0575-85201234", dt.date(2025, 1, 10))
        assert {(t.task, t.status) for t in ledger.current_tasks()} == {(1, "in_progress"), (7, "in_progress"),
                                                                        (8, "in_progress"), (10, "in_progress")}


def test_a_plan_that_has_ended_leaves_later_templates() -> None:
    """5号 ends with 2024: its tasks and 跨境电商 are in the 2024 year-end template, not in 2025's."""
    before = template_content(catalog(), "市商务局", "2024Q4")
    after = template_content(catalog(), "市商务局", "2025Q1")
    assert "cross_border_ecommerce_trade" in [i.id for i in before.indicators]
    assert "cross_border_ecommerce_trade" not in [i.id for i in after.indicators]
    assert {t.plan for t in after.tasks} == {"plan_2023_38"}
    market = template_content(catalog(), "市市场监管局", "2025H1")
    assert {t.plan for t in market.tasks} == {"plan_2023_38"} and len(market.tasks) == 6


@pytest.mark.parametrize("period", ["2030", "2028Q1", "2022"])
def test_a_period_no_plan_covers_is_refused(period: str) -> None:
    with pytest.raises(UsageError, match="不在任何计划的执行期内") as caught:
        template_content(catalog(), "市商务局", period)
    assert "38号 2023年第4季度—2027年" in caught.value.hint


def test_the_template_command_refuses_a_period_no_plan_covers(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pingtai.cli import app

    target = tmp_path / "t.xlsx"
    result = CliRunner().invoke(app, ["template", "--agency", "市商务局", "--period", "2030", "-o", str(target)])
    assert result.exit_code == 2 and not target.exists()
    assert "错误：报告期 2030年 不在任何计划的执行期内，不生成填报表" in result.stderr
    assert "5号 2023年第1季度—2024年" in result.stderr
