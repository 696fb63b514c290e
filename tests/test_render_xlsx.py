"""The xlsx report: sheets, native line charts over the right ranges, A4 print settings, text that
stays text — checked by reopening with openpyxl and by LibreOffice (PDF export and a re-save)."""

from __future__ import annotations

import itertools
import re
import zipfile
from pathlib import Path
from typing import Any, cast

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart.axis import DateAxis
from openpyxl.chart.line_chart import LineChart
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ledger_helpers import catalog
from pingtai import service
from pingtai.render.common import idle_note, league_sections
from pingtai.render.format import display_width, wrap
from pingtai.render.sheets import budget, shown
from pingtai.render.xlsx import CHART_ROWS, league_xlsx, report_xlsx
from pingtai.reports import AgencyReport, LedgerSnapshot, build_agency_report, build_league
from pingtai.safe_write import csv_text, looks_like_formula, set_text
from programs import soffice_convert
from report_helpers import AS_OF, FORMULA_TEXTS, MARKUP_TEXT, seed


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> LedgerSnapshot:
    db = seed(tmp_path_factory.mktemp("ledger") / "ledger.sqlite3")
    return service.snapshot(service.Store(db))


@pytest.fixture(scope="module")
def report(data: LedgerSnapshot) -> AgencyReport:
    return build_agency_report(catalog(), data, "市市场监管局", AS_OF)


@pytest.fixture(scope="module")
def workbook_path(report: AgencyReport, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("xlsx") / "市市场监管局.xlsx"
    path.write_bytes(report_xlsx(report))
    return path


def _range(ref: str) -> tuple[str, str, int, int]:
    """``'指标'!$C$19:$C$24`` (or one cell ``'指标'!$C$19``) → (sheet, column, first row, last row)."""
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", ref)
    assert match, ref
    sheet, column, first, column2, last = match.groups()
    assert column2 in (None, column)
    return sheet, column, int(first), int(last or first)


def test_sheets_and_their_content(workbook_path: Path, report: AgencyReport) -> None:
    book = load_workbook(workbook_path)
    assert book.sheetnames == ["概况", "任务", "指标", "走势", "报表"]
    tasks = book["任务"]
    rows = list(tasks.iter_rows(min_row=4, values_only=True))
    assert [(r[0], r[1], r[2]) for r in rows] == [(t.short_name, t.number, "牵头") for t in report.lead] + [
        (t.short_name, t.number, "配合") for t in report.co]
    returns = [r for r in book["报表"].iter_rows(min_row=4, values_only=True)]
    assert [(r[0], r[4]) for r in returns] == [(str(e.period), e.label) for e in report.returns]
    summary = " ".join(str(v) for row in book["概况"].iter_rows(values_only=True) for v in row if v)
    assert "黄立枫" in summary and "成员、办公室主任" in summary and "2025Q3" in summary


def test_a_native_line_chart_per_indicator_over_its_own_block(workbook_path: Path, report: AgencyReport) -> None:
    sheet = load_workbook(workbook_path)["走势"]
    assert isinstance(sheet, Worksheet)
    charted = [r for r in report.indicators if any(p.expected is not None or p.actual is not None for p in r.chart)]
    charts = cast(Any, sheet)._charts  # the stubs do not declare the chart list
    assert len(charts) == len(charted) == 10
    for chart, row in zip(charts, charted, strict=True):
        assert isinstance(chart, LineChart) and isinstance(chart.x_axis, DateAxis)
        expected, actual = chart.series
        _, exp_col, first, last = _range(expected.val.numRef.f)
        _, act_col, first2, last2 = _range(actual.val.numRef.f)
        cat_sheet, cat_col, first3, last3 = _range(expected.cat.numRef.f)
        assert (cat_sheet, exp_col, act_col, cat_col) == ("走势", "C", "D", "B")
        assert first == first2 == first3 and last == last2 == last3
        # the legend names the expected path in full; the data are the report's chart points
        assert expected.tx.v == "应达（目标路径）" and actual.tx.strRef.f.endswith(f"D{first - 1}")
        assert sheet[f"C{first - 1}"].value == "应达" and sheet[f"D{first - 1}"].value == "实际"
        points = [p for p in row.chart if p.expected is not None or p.actual is not None]
        assert [sheet[f"A{i}"].value for i in range(first, last + 1)] == [str(p.period) for p in points]
        assert [sheet[f"C{i}"].value for i in range(first, last + 1)] == [p.expected for p in points]
        assert [sheet[f"D{i}"].value for i in range(first, last + 1)] == [p.actual for p in points]
        assert sheet[f"A{first - 2}"].value.startswith(row.name)
        # anchored to the cells beside its block, so charts never overlap one another and print with it
        anchor: Any = chart.anchor
        assert (anchor._from.col, anchor.to.col) == (5, 6) and anchor._from.row == first - 3
        assert anchor.to.row - anchor._from.row == CHART_ROWS
    tops = [cast(Any, c.anchor)._from.row for c in charts]
    assert all(b - a > CHART_ROWS for a, b in itertools.pairwise(tops))


def test_print_settings_for_a4(workbook_path: Path) -> None:
    book = load_workbook(workbook_path)
    for sheet in book.worksheets:
        assert isinstance(sheet, Worksheet)
        assert sheet.page_setup.paperSize == 9, sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        setup = sheet.sheet_properties.pageSetUpPr
        assert setup is not None and setup.fitToPage
        assert sheet.print_area and sheet.page_margins.bottom > sheet.page_margins.footer + 0.3  # room for the footer
        if sheet.title != "走势":
            assert sheet.print_title_rows == "$3:$3" and sheet.freeze_panes == "A4"
        widths = [sheet.column_dimensions[get_column_letter(c)].width for c in range(1, sheet.max_column + 1)]
        orientation = sheet.page_setup.orientation
        assert orientation in ("portrait", "landscape") and sum(widths) <= budget(orientation), sheet.title
    assert book["概况"].page_setup.orientation == "portrait"
    assert book["任务"].page_setup.orientation == "landscape"


def test_columns_fit_what_they_hold(workbook_path: Path) -> None:
    """A figure or date is never wider than its column; text that is wraps, in a row tall enough."""
    book = load_workbook(workbook_path)
    for sheet in book.worksheets:
        assert isinstance(sheet, Worksheet)
        merged = {(r.min_row, r.min_col) for r in sheet.merged_cells.ranges}
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                if not isinstance(cell, Cell) or cell.value is None or (cell.row, cell.column) in merged:
                    continue
                width = sheet.column_dimensions[get_column_letter(cell.column)].width
                text = shown(cell)
                if isinstance(cell.value, str) and cell.alignment.wrap_text:
                    lines = len(wrap(text, int(width) - 1))
                    height = sheet.row_dimensions[cell.row].height or 15
                    assert height >= lines * 15, (sheet.title, cell.coordinate, text)
                else:
                    assert display_width(text) < width, (sheet.title, cell.coordinate, text, width)


def test_texts_from_returns_stay_text(workbook_path: Path) -> None:
    sheet = load_workbook(workbook_path)["任务"]
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    for text in FORMULA_TEXTS.values():
        cell = cells[text]
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert MARKUP_TEXT in cells
    with zipfile.ZipFile(workbook_path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in archive.read(name).decode(), name


def test_set_text_and_csv_text() -> None:
    from openpyxl import Workbook

    sheet = Workbook().active
    assert sheet is not None
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "正常文字"):
        cell = set_text(sheet["A1"], text)
        assert (cell.value, cell.data_type) == (text, "s")
        assert looks_like_formula(text) == (text[0] in "=+-@\t\r")
        assert csv_text(text) == ("'" + text if looks_like_formula(text) else text)


def test_league_workbook(data: LedgerSnapshot, tmp_path: Path) -> None:
    league = build_league(catalog(), data, AS_OF)
    path = tmp_path / "league.xlsx"
    path.write_bytes(league_xlsx(league))
    sheet = load_workbook(path)["排名"]
    shown_rows, idle = league_sections(league)
    assert idle and len(shown_rows) + len(idle) == len(league.rows)
    rows = [r for r in sheet.iter_rows(min_row=5, max_row=4 + len(shown_rows), values_only=True)]
    assert [(r[0], r[1]) for r in rows] == [(r.rank, r.agency) for r in shown_rows]
    assert list(rows[0][3:8]) == [10, 1, 2, 7, pytest.approx(0.1)]
    notes = [sheet.cell(row=r, column=1).value for r in range(5 + len(shown_rows), sheet.max_row + 1)]
    assert league.rule in notes and idle_note(idle) in notes
    assert all(name in idle_note(idle) for name in idle)
    assert [sheet.cell(row=3, column=c).value for c in (1, 4, 9, 15)] == ["名次", "报表", "牵头任务", "归口指标"]
    assert isinstance(sheet, Worksheet)
    assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$3:$4"
    assert sheet.page_setup.orientation == "landscape"


@pytest.mark.external
def test_libreoffice_prints_the_workbook_to_pdf(workbook_path: Path, tmp_path: Path) -> None:
    pdf = soffice_convert(workbook_path, "pdf", tmp_path / "pdf", tmp_path / "profile")
    data = pdf.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert data.startswith(b"%PDF") and len(data) > 20_000, len(data)
    assert pages >= 4, pages  # at least one page per sheet


@pytest.mark.external
@pytest.mark.filterwarnings("ignore:Unable to read chart")  # openpyxl cannot read LibreOffice's charts back
def test_libreoffice_keeps_formula_like_text_as_text(workbook_path: Path, tmp_path: Path) -> None:
    resaved = soffice_convert(workbook_path, "xlsx", tmp_path / "resaved", tmp_path / "profile")
    sheet = load_workbook(resaved)["任务"]
    values = {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value is not None}
    for text in FORMULA_TEXTS.values():
        assert text in values and values[text].data_type == "s", text
    with zipfile.ZipFile(resaved) as archive:
        tasks_xml = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet2")]
    assert tasks_xml and "<f>" not in tasks_xml[0] and "<f " not in tasks_xml[0]


def test_a_district_workbook_without_indicators_or_returns(tmp_path: Path) -> None:
    report = build_agency_report(catalog(), LedgerSnapshot(), "诸暨市", AS_OF, plan="5号")
    path = tmp_path / "诸暨市政府.xlsx"
    path.write_bytes(report_xlsx(report))
    book = load_workbook(path)
    assert [len(cast(Any, sheet)._charts) for sheet in book.worksheets] == [0, 0, 0, 0, 0, 0, 0]  # nothing to chart
    assert book["走势"]["A3"].value == "本单位相关指标尚无可绘制的数据。"
    # its area's figures, none reported yet: listed without a value, and without a verdict
    areas = book["分地区"]
    assert (areas["B4"].value, areas["E4"].value, areas["J4"].value) == ("网络零售额", None, "未研判（无地区目标）")
    assert book["地区对比"]["A3"].value == "各地区尚无可对比的数值。"
    assert book["任务"]["C4"].value == "配合" and book["任务"]["D4"].value == "探索直播治理手段"
    assert book["报表"]["A4"].value == "本单位不在报送名单中，无应报报表。"
    assert book["指标"].max_row == 3  # the header only
