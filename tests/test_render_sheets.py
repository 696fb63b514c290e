"""render/sheets.py: workbooks an office can print (issue #19 item 1).

Unit tests size columns and rows and break pages on small sheets; the external tests export the
report, the league and two templates made from the example returns to PDF with LibreOffice and
read the PDF back with pdftotext: no ``###``, every figure of the workbook whole, body text at
10 pt or more, every page numbered, and each chart on the page of its data.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from pingtai.cli import app
from pingtai.render.format import display_width
from pingtai.render.sheets import (
    PAGE_PT,
    ROW_PT,
    budget,
    fit_columns,
    fit_rows,
    keep_together,
    shown,
)
from programs import external, soffice_convert

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "returns").glob("示例_*"))
AS_OF = "2025-02-01"
FIGURE = re.compile(r"(?<![\d.])[-+]?\d[\d,]*(?:\.\d+)?%?(?![\d.])")
WRAP = Alignment(wrap_text=True)


def sheet_with(rows: list[list[str | float | None]], wrap: bool = True) -> Worksheet:
    sheet = Workbook().active
    assert sheet is not None
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if wrap:
                cell.alignment = WRAP
    return sheet


def width(sheet: Worksheet, column: int) -> float:
    return float(sheet.column_dimensions[get_column_letter(column)].width)


# --- columns, rows, pages ----------------------------------------------------------------------------


def test_columns_take_their_content_when_it_fits() -> None:
    sheet = sheet_with([["指标", "最新值"], ["网络零售额", 1012.34], ["平台", 117.5]])
    fit_columns(sheet, 1, "portrait")
    assert width(sheet, 1) == display_width("网络零售额") + 1 and width(sheet, 2) == len("1012.34") + 1


def test_a_wide_sheet_wraps_text_not_figures_and_stays_within_the_budget() -> None:
    text = "“一县一品”电商产业格局初步形成，新招引平台企业分支机构6家，直播电商基地建成投用" * 2
    sheet = sheet_with([["计划", "进展情况", "存在问题", "下步打算", "合计（亿元）"],
                        ["38号", text, text, text, 1234567.89]])
    widths = fit_columns(sheet, 1, "landscape")
    assert sum(widths.values()) <= budget("landscape")
    assert width(sheet, 5) >= len("1234567.89") + 1  # the figure whole
    assert all(width(sheet, c) < display_width(text) for c in (2, 3, 4))  # the text wraps
    fit_rows(sheet)
    assert (sheet.row_dimensions[2].height or 0) > 3 * ROW_PT


def test_headers_wrap_before_text_does() -> None:
    sheet = sheet_with([["名次", "单位", "任务正常率", "指标正常率"], [1, "市平台经济工作领导小组办公室", 1.0, 0.5]])
    for cell in sheet[2][2:]:
        cell.number_format = "0.0%"
    fit_columns(sheet, 1, "portrait")
    assert width(sheet, 2) == display_width("市平台经济工作领导小组办公室") + 1
    fit_columns(sheet, 1, "portrait", cap=10)
    assert width(sheet, 3) >= len("100.0%") + 1


def test_what_a_cell_shows() -> None:
    sheet = sheet_with([[0.124, 45.0, 1150.6, "文字"]], wrap=False)
    sheet["A1"].number_format = "0.0%"
    sheet["B1"].number_format = "0.0"
    assert [shown(c) for c in sheet[1] if isinstance(c, Cell)] == ["12.4%", "45.0", "1150.6", "文字"]


def test_blocks_are_not_split_across_pages() -> None:
    sheet = sheet_with([[f"行{r}"] for r in range(1, 80)])
    per_page = int(PAGE_PT["landscape"] // ROW_PT)
    blocks = [(top, top + 13) for top in range(3, 75, 15)]
    starts = keep_together(sheet, blocks, "landscape", None)
    assert starts and all(not first < start <= last for start in starts for first, last in blocks)
    assert all(b - a <= per_page for a, b in zip([1, *starts], [*starts, 80], strict=True))
    assert [brk.id + 1 for brk in sheet.row_breaks.brk] == starts


# --- printed by LibreOffice ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report, an area government's report (its 分地区 and 地区对比 sheets), the league and two templates
    (one with nothing to fill) from the example returns."""
    folder = tmp_path_factory.mktemp("print")
    db = folder / "ledger.sqlite3"
    runner = CliRunner()
    for args in (["import", *map(str, EXAMPLES)],
                 ["report", "-a", "市市场监管局", "--as-of", AS_OF, "-o", str(folder / "report.xlsx")],
                 ["report", "-a", "柯桥区政府", "--as-of", AS_OF, "-o", str(folder / "report_district.xlsx")],
                 ["league", "--as-of", AS_OF, "-o", str(folder / "league.xlsx")],
                 ["template", "-a", "市商务局", "-p", "2024Q4", "-o", str(folder / "template.xlsx")],
                 ["template", "-a", "越城区政府", "-p", "2024Q4", "-o", str(folder / "template_district.xlsx")]):
        result = runner.invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 0, result.output
    return {name: folder / f"{name}.xlsx"
            for name in ("report", "report_district", "league", "template", "template_district")}


def printed(path: Path) -> Path:
    return soffice_convert(path, "pdf", path.parent / "pdf", path.parent / "profile")


def pdf_text(pdf: Path, *args: str) -> str:
    return subprocess.run([external("pdftotext", "poppler-utils"), *args, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pages(pdf: Path) -> list[str]:
    return pdf_text(pdf).split("\f")[:-1]


def figures_of(path: Path) -> set[str]:
    """Every figure a printed sheet of the workbook shows, spelled as it shows it."""
    found: set[str] = set()
    for sheet in load_workbook(path).worksheets:
        if sheet.sheet_state != "visible":
            continue
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell, Cell) and cell.value is not None:
                    found |= set(FIGURE.findall(shown(cell)))
    return found


def cjk_sizes(pdf: Path) -> Iterator[tuple[str, float]]:
    """(word, font size in points) of every word of CJK characters the PDF prints: an ideograph is
    one em wide, so its size is the word's width over its length (turned words: their width)."""
    for match in re.finditer(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)</word>',
                             pdf_text(pdf, "-bbox")):
        word = match[5]
        if re.fullmatch(r"[\u4e00-\u9fff]+", word):
            across, down = float(match[3]) - float(match[1]), float(match[4]) - float(match[2])
            yield word, across / 1.3 if down > across * 1.5 else across / len(word)


@pytest.mark.external
@pytest.mark.slow
@pytest.mark.parametrize("name", ["report", "report_district", "league", "template", "template_district"])
def test_printed_workbooks_show_every_figure_whole_at_a_readable_size(workbooks: dict[str, Path], name: str) -> None:
    pdf = printed(workbooks[name])
    text = pdf_text(pdf)
    assert "###" not in text
    missing = figures_of(workbooks[name]) - set(FIGURE.findall(text))
    assert not missing, f"figures cut or missing in the printed {name}: {sorted(missing)}"
    small = [(word, round(size, 1)) for word, size in cjk_sizes(pdf) if size < 10]
    assert not small, f"text printed below 10 pt in {name}: {small[:10]}"
    numbered = pages(pdf)
    assert all(f"第 {n} 页，共 {len(numbered)} 页" in page for n, page in enumerate(numbered, start=1))


@pytest.mark.external
@pytest.mark.slow
@pytest.mark.parametrize("name", ["report", "report_district"])
def test_each_chart_prints_whole_on_the_page_of_its_data(workbooks: dict[str, Path], name: str) -> None:
    book = load_workbook(workbooks[name])
    blocks = [str(c.value) for c in book["走势"]["A"] if isinstance(c.value, str) and re.search(r"（\d+号，", c.value)]
    assert len(blocks) >= 8
    texts = pages(printed(workbooks[name]))
    for block in blocks:
        title, unit = re.fullmatch(r"(.+)（\d+号，(.+)）", block).groups()  # type: ignore[union-attr]
        [page] = [t for t in texts if block in t.splitlines()]
        assert f"{title}（{unit}）" in page.replace(" ", "") and "应达（目标路径）" in page, block  # the chart's title, legend
    # no chart cut off by the print area: a chart ending at 0-based row r (offset 0) ends at the foot of row r
    for sheet in ("走势", "地区对比") if name == "report_district" else ("走势",):
        area = book[sheet].print_area
        last = int(re.findall(r"\d+", area if isinstance(area, str) else area[0])[-1])
        assert all(chart.anchor.to.row <= last for chart in book[sheet]._charts), sheet  # type: ignore[attr-defined]
    if name == "report_district":  # every area named twice on the page of its block: in the table, on the bars' axis
        [bars] = [t for t in texts if "网络零售额（亿元）各地区，2024年" in t]
        assert all(bars.count(area) >= 2 for area in ("柯桥区", "越城区", "上虞区", "新昌县", "诸暨市", "嵊州市", "滨海新区"))
        assert "网络零售额（亿元）" in bars.replace(" ", "").replace("网络零售额（亿元）各地区", "")


@pytest.mark.external
@pytest.mark.slow
def test_the_league_names_units_with_nothing_to_count_once(workbooks: dict[str, Path]) -> None:
    text = "".join(pages(printed(workbooks["league"])))
    assert "未列入上表（无应报报表、牵头任务和归口指标）" in text
    assert text.count("市委宣传部") == 1
