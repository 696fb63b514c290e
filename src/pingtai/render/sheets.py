"""Page layout of every workbook pingtai writes — reports, the league, the return template —
so that each prints on A4 as an office hands it round.

* Columns are sized to what they hold, measured by :func:`pingtai.render.format.display_width`
  (CJK counts double): a figure or a date always fits (no ``###``), text wraps within a column
  where a sheet would otherwise be too wide to print at a readable size.
* Rows are made tall enough for their wrapped text (LibreOffice does not grow rows by itself when
  it opens a file, and Excel only for rows it was not told the height of), using the same
  line breaks the terminal uses (:func:`pingtai.render.format.wrap`).
* The sheet is fitted to one page wide, header rows repeated on every page, with a print area,
  margins that leave the footer room, and page numbers.

Widths are in Excel's column units: the width of a digit in the workbook's default font.
LibreOffice renders that font as DejaVu Sans where Calibri is missing, whose digits are wider
than Calibri's, so an A4 page holds fewer units there than in Excel: the budgets below are
LibreOffice's, the stricter. A sheet whose columns stay within :func:`budget` prints its 11 pt
text at 10 pt or more after fitting to the page.

Imports openpyxl at module level: only the writers of workbooks import this module.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Literal

from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from pingtai.render.format import display_width, fixed, min_width, num, pct, wrap

Orientation = Literal["portrait", "landscape"]

BODY_PT = 11.0
"""The body text's size (openpyxl's and Excel's default)."""
MIN_PT = 10.0
"""The smallest size body text may print at once the sheet is fitted to the page."""
PAGE_UNITS: dict[Orientation, int] = {"portrait": 74, "landscape": 109}
"""Column units across A4 between 12.7 mm margins, as LibreOffice measures them (≈ 7.06 pt a unit)."""
PAD = 1
"""Units a column holds beyond its text: room for the cell's margins and a bold header."""
LINE_PT = 15.0
"""Height of one line of 11 pt text with CJK (Noto Sans CJK, 等线, 宋体 all need about this)."""
HEADER_MIN = 4
"""A header may wrap, to no fewer than two CJK characters a line."""
SOFT_MIN = 12
"""How narrow a text column is made before any goes narrower (text wraps within it)."""
TEXT_CAP = 40
"""The widest a column of text is made; longer text wraps."""
FOOTER = "第 &P 页，共 &N 页"


def budget(orientation: Orientation) -> int:
    """Column units a sheet may take to print its body text at :data:`MIN_PT` or more."""
    return math.floor(PAGE_UNITS[orientation] * BODY_PT / MIN_PT)


def shown(cell: Cell) -> str:
    """The text a cell shows: a figure as :mod:`pingtai.render.format` spells it, a date as its
    number format writes it."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m") if cell.number_format == "yyyy-mm" else value.strftime("%Y-%m-%d")
    if isinstance(value, int | float):
        if "%" in cell.number_format:
            return pct(value)
        if cell.number_format == "0.0":
            return fixed(value, 1)
        return num(value)
    return str(value)


def _wraps(cell: Cell) -> bool:
    return isinstance(cell.value, str) and bool(cell.alignment and cell.alignment.wrap_text)


def _spanning(sheet: Worksheet) -> dict[tuple[int, int], int]:
    """Top-left cells of merged ranges (row, column) → how many columns they span."""
    return {(r.min_row, r.min_col): r.max_col - r.min_col + 1 for r in sheet.merged_cells.ranges}


def fit_columns(sheet: Worksheet, header_row: int, orientation: Orientation, *, header_rows: int = 1,
                floors: Mapping[int, float] | None = None, cap: int = TEXT_CAP) -> dict[int, float]:
    """Size every column from ``header_row`` down to its content, within the page's :func:`budget`.

    A column is wide enough for its widest figure, date or unwrapped text; text that wraps is
    given its full width up to ``cap``. When the columns together are wider than the budget they
    give way in steps, each step taken only as far as needed: headers (``header_rows`` rows from
    ``header_row``) wrap down to their column's content, to no fewer than two CJK characters a
    line; then text columns wrap down to :data:`SOFT_MIN`; then to the widest figure or short word
    they hold. Cells merged across columns are left out (their rows grow instead). ``floors``
    (column index → units) keeps input columns wide enough to write in. Returns the widths set.
    """
    head: dict[int, float] = {}
    body: dict[int, float] = {}
    least: dict[int, float] = {}
    spanning = _spanning(sheet)
    covered = {(row, col) for (row, first), span in spanning.items() if span > 1 for col in range(first, first + span)}
    for row in sheet.iter_rows(min_row=header_row):
        for cell in row:
            if not isinstance(cell, Cell) or cell.value is None or (cell.row, cell.column) in covered:
                continue
            text = shown(cell)
            column = cell.column
            full = display_width(text) + PAD
            if cell.row < header_row + header_rows:
                head[column] = max(head.get(column, 0), full)
                least[column] = max(least.get(column, 0), min(full, HEADER_MIN + PAD))
                continue
            narrow = min_width(text) + PAD if _wraps(cell) else full
            body[column] = max(body.get(column, 0), min(full, max(cap, narrow)))
            least[column] = max(least.get(column, 0), narrow)
    for column, floor in (floors or {}).items():
        body[column] = max(body.get(column, 0), floor)
        least[column] = max(least.get(column, 0), floor)
    columns = sorted({*head, *body})
    natural = {c: max(head.get(c, 0), body.get(c, 0)) for c in columns}
    headers_wrap = {c: max(body.get(c, 0), least.get(c, 0)) for c in columns}
    soft = {c: max(least.get(c, 0), min(headers_wrap[c], SOFT_MIN)) for c in columns}
    lowest = {c: float(least.get(c, 0)) for c in columns}
    widths = _within([natural, headers_wrap, soft, lowest], budget(orientation))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
    return widths


def _within(levels: list[dict[int, float]], limit: int) -> dict[int, float]:
    """The widest widths that fit ``limit``: the first level that fits, widened back toward the
    level before it in proportion as far as the limit allows (the last level when none fits)."""
    wider = levels[0]
    for level in levels:
        if sum(level.values()) <= limit:
            spare = sum(wider.values()) - sum(level.values())
            share = (limit - sum(level.values())) / spare if spare else 0.0
            return {c: math.floor(level[c] + (wider[c] - level[c]) * share) for c in level}
        wider = level
    return dict(levels[-1])


def fit_rows(sheet: Worksheet, first_row: int = 1) -> None:
    """Make each row from ``first_row`` down tall enough for its wrapped text and larger fonts.

    A row's lines are those of its tallest cell, wrapped as :func:`pingtai.render.format.wrap`
    breaks them at the column's width (a merged cell: its columns' widths together); a height
    already set higher (room to write in a template) is kept.
    """
    spanning = _spanning(sheet)
    for number, row in enumerate(sheet.iter_rows(min_row=first_row), start=first_row):
        height = 0.0
        for cell in row:
            if not isinstance(cell, Cell) or cell.value is None or isinstance(cell, MergedCell):
                continue
            size = float(cell.font.sz or BODY_PT) if cell.font else BODY_PT
            lines = 1
            if _wraps(cell):
                span = spanning.get((cell.row, cell.column), 1)
                units = sum(_width(sheet, cell.column + i) for i in range(span))
                lines = len(wrap(shown(cell), max(1, math.floor((units - PAD) * BODY_PT / size))))
            if lines > 1 or size > BODY_PT:
                height = max(height, lines * LINE_PT * size / BODY_PT + 3)
        if height:
            dimension = sheet.row_dimensions[number]
            dimension.height = max(height, dimension.height or 0)


def _width(sheet: Worksheet, column: int) -> float:
    width = sheet.column_dimensions[get_column_letter(column)].width
    return float(width) if width else 8.43  # Excel's default column width


def print_setup(sheet: Worksheet, orientation: Orientation, *, title_rows: str | None = None,
                area: str | None = None) -> None:
    """A4 in ``orientation``, one page wide, ``title_rows`` (``"3:3"``) on every page, the print
    ``area`` (``"A1:K20"``), margins with room for the footer, and page numbers in it."""
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = orientation
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.5
    margins.top = margins.bottom = 0.75  # inches; the footer sits 0.3 in from the edge, below the body
    margins.header = margins.footer = 0.3
    if title_rows:
        sheet.print_title_rows = title_rows
    if area:
        sheet.print_area = area
    footer = sheet.oddFooter
    if footer is not None and footer.center is not None:
        footer.center.text = FOOTER
        footer.center.size = int(BODY_PT)  # printed smaller once fitted to the page: 10 pt or more


def used_area(sheet: Worksheet, columns: int | None = None, rows: int | None = None) -> str:
    """``A1:<last column><last row>`` of what the sheet holds (``columns`` wide, ``rows`` high, if given: a
    chart anchored below the last cell is printed only when the area reaches it)."""
    return f"A1:{get_column_letter(columns or sheet.max_column)}{max(rows or 0, sheet.max_row)}"


def finish(sheet: Worksheet, header_row: int, orientation: Orientation | None = None, *, header_rows: int = 1,
           floors: Mapping[int, float] | None = None, columns: int | None = None) -> Orientation:
    """Lay out a finished sheet: columns, rows, print setup with the header rows repeated on
    every page; returns the orientation used (without one: portrait when the columns fit its
    budget, else landscape)."""
    if orientation is None:
        fit_columns(sheet, header_row, "landscape", header_rows=header_rows, floors=floors)
        wide = total_width(sheet, range(1, (columns or sheet.max_column) + 1))
        orientation = "portrait" if wide <= budget("portrait") else "landscape"
    fit_columns(sheet, header_row, orientation, header_rows=header_rows, floors=floors)
    fit_rows(sheet)
    print_setup(sheet, orientation, title_rows=f"{header_row}:{header_row + header_rows - 1}",
                area=used_area(sheet, columns))
    return orientation


PAGE_PT: dict[Orientation, float] = {"portrait": 841.89 - 108, "landscape": 595.28 - 108}
"""Height of A4 between the top and bottom margins (0.75 in each), in points."""
ROW_PT = 15.0
"""A row's height where none is set (Excel's for 11 pt text; LibreOffice's is lower)."""


def keep_together(sheet: Worksheet, blocks: Iterable[tuple[int, int]], orientation: Orientation,
                  title_rows: tuple[int, int] | None) -> list[int]:
    """Page breaks so that no block of rows (first, last) is split across two pages; returns the
    rows a new page starts at.

    Pages are counted at full size — the largest a sheet fitted to the page width prints — with
    ``title_rows`` repeated at the top of every page after the first: an application that prints
    smaller has more room on each page, so it never needs a break inside a block either.
    """
    from openpyxl.worksheet.pagebreak import Break

    def height(row: int) -> float:
        return float(sheet.row_dimensions[row].height or ROW_PT)

    page = PAGE_PT[orientation]
    repeated = sum(height(r) for r in range(title_rows[0], title_rows[1] + 1)) if title_rows else 0.0
    starts = {first: last for first, last in blocks}
    used, row, breaks = 0.0, 1, []
    while row <= sheet.max_row:
        last = starts.get(row, row)
        need = sum(height(r) for r in range(row, last + 1))
        if used + need > page and used > repeated:  # a block taller than a page starts one, at least
            sheet.row_breaks.append(Break(id=row - 1))
            breaks.append(row)
            used = repeated
        used += need
        row = last + 1
    return breaks


def total_width(sheet: Worksheet, columns: Iterable[int]) -> float:
    """The width of ``columns`` together, in column units."""
    return sum(_width(sheet, c) for c in columns)


__all__ = ["BODY_PT", "FOOTER", "LINE_PT", "MIN_PT", "PAD", "PAGE_PT", "PAGE_UNITS", "ROW_PT", "Orientation", "budget",
           "finish", "fit_columns", "fit_rows", "keep_together", "print_setup", "shown", "total_width", "used_area"]
