"""Measure the tables of an .ods before python-calamine builds them (see :mod:`pingtai.returns.scan`).

calamine matches the literal names ``table:table-row``, ``table:table-cell`` … (not namespaces),
so the scan does too, with a few byte searches per row. It builds every table when the file is
opened, holding about three copies of cells and text: the caps apply to the tables' sum.

calamine reads attributes in either quote style, with spaces around ``=`` and ``>`` inside a
quoted value. The byte searches assume the form LibreOffice writes (``name="value"``); a file in
which any table, row or cell tag is spelled otherwise is measured by :func:`_scan_exact` instead,
on expat's parse, by the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pingtai.returns.scan import (
    MAX_CELLS,
    MAX_CELLS_ODS,
    MAX_ODS_CONTENT,
    MAX_ROWS,
    SheetScan,
    check_extent,
    check_total,
    drain,
    parse_elements,
    pieces,
)
from pingtai.returns.sniff import MAX_UNCOMPRESSED, Refused, check_zip, inflate, refuse

_ODS_ROW_END = b"</table:table-row>"
_ODS_TABLE_TAGS = re.compile(rb"<table:table(?=[\s>/])([^>]*)>|</table:table>|<table:table-row(?=[\s/])([^>]*)/>")
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROWS = re.compile(rb'table:number-rows-repeated="([^"]*)"')
_ODS_COLS = re.compile(rb'table:number-columns-repeated="([^"]*)"')
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell(?=[\s/>])([^>]*)>")
_ODS_FILLED = (b"office:", b"table:formula")
"""A cell with any office:… value attribute or a formula is not empty for calamine."""


def scan_ods(data: bytes) -> dict[str, SheetScan]:
    """Check an .ods zip and measure its tables (repeated rows and columns expanded as calamine does)."""
    archive = check_zip(data)
    scanner = _OdsScanner()
    total = 0
    for info in archive.infolist():
        if not info.filename.lower().endswith(".xml"):
            continue
        limit = MAX_UNCOMPRESSED - total
        if info.filename != "content.xml":
            total += drain(data, info, limit)
            continue
        if info.file_size > MAX_ODS_CONTENT:
            raise Refused("sheet-too-large", f"ODS 文件的表格数据过大（{info.file_size // 2**20} MB，上限 {MAX_ODS_CONTENT // 2**20} MB）："
                                             "请另存为 .xlsx 后再导入")
        content = inflate(data, info, min(limit, MAX_ODS_CONTENT))
        for part in pieces(content, info.filename, (_ODS_ROW_END,)):
            total += len(part)
            if not _canonical(part):
                scanner.scans = _scan_exact(inflate(data, info, min(limit, MAX_ODS_CONTENT)))
                break
            scanner.feed(part)
    check_total(scanner.scans, MAX_CELLS_ODS)
    return scanner.scans


_TABLE_TAG = re.compile(rb"<table:(?:table|table-row|table-cell|covered-table-cell)(?=[\s/>])")
_CANONICAL_TAG = re.compile(rb'<table:(?:table|table-row|table-cell|covered-table-cell)(?: [\w.:\-]+="[^"<>]*")*/?>')


def _canonical(part: bytes) -> bool:
    """Whether every table, row and cell tag in ``part`` is in the form the byte searches read."""
    return len(_TABLE_TAG.findall(part)) == len(_CANONICAL_TAG.findall(part))


def _scan_exact(content: Iterable[bytes]) -> dict[str, SheetScan]:
    """Measure the tables on expat's parse: the rules of :class:`_OdsScanner`, whatever the spelling."""
    model = _OdsModel()
    parse_elements(content, model.start, model.end, "ODS 文件的 ")
    return model.scans


class _OdsModel:
    """Tables, rows and filled cells from expat's events (names with their ``table:`` prefix, as calamine)."""

    def __init__(self) -> None:
        self.scans: dict[str, SheetScan] = {}
        self.name: str | None = None
        self.scan = SheetScan()
        self.row = 0
        self.repeat = 1
        self.column = 0
        self.width = 0
        self.in_row = False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "table:table":
            if self.name is not None:
                raise Refused("sheet-xml", "ODS 文件的表格嵌套在表格中：请在 LibreOffice/WPS 中打开并另存后再导入")
            self.name, self.scan, self.row = attrs.get("table:name"), SheetScan(), 0
        elif tag == "table:table-row":
            if self.in_row:
                raise Refused("sheet-xml", "ODS 文件的行嵌套在行中：请在 LibreOffice/WPS 中打开并另存后再导入")
            self.in_row, self.repeat, self.column, self.width = True, _count(attrs.get("table:number-rows-repeated")), 0, 0
        elif tag in ("table:table-cell", "table:covered-table-cell") and self.in_row:
            self.column += _count(attrs.get("table:number-columns-repeated"))
            if any(key.startswith("office:") or key == "table:formula" for key in attrs):
                self.width = self.column

    def end(self, tag: str) -> None:
        if tag == "table:table-row" and self.in_row:
            self.in_row = False
            if self.width:
                self.scan.include(self.row + self.repeat - 1, self.width - 1)
                if self.scan.rows > MAX_ROWS or self.scan.rows * self.scan.cols > MAX_CELLS:
                    check_extent(self.name or "", self.scan)
            self.row += self.repeat
        elif tag == "table:table":
            if self.name is not None:
                check_extent(self.name, self.scan)
                self.scans[self.name] = self.scan
            self.name = None


def _count(text: str | None) -> int:
    """A repeat count as :func:`_repeat` reads it."""
    if text is None:
        return 1
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise refuse("broken-zip")
    return max(int(text), 1)


class _OdsScanner:
    """Follows tables and rows through content.xml, one row at a time, with C-level work per row."""

    def __init__(self) -> None:
        self.scans: dict[str, SheetScan] = {}
        self.name: str | None = None
        self.scan = SheetScan()
        self.row = 0

    def feed(self, part: bytes) -> None:
        for segment in part.split(_ODS_ROW_END):
            start = segment.rfind(b"<table:table-row")
            head = segment if start < 0 else segment[:start]
            if b"<table:table" in head or b"</table:table>" in head:
                self._structure(head)
            if start >= 0:
                close = segment.find(b">", start)
                if close < 0:
                    raise refuse("broken-zip")
                if segment[close - 1:close] == b"/":  # a self-closing last row: counted by _structure
                    self._structure(segment[start:close + 1])
                    continue
                self._row(segment[start:close], segment[close + 1:])

    def _structure(self, text: bytes) -> None:
        for match in _ODS_TABLE_TAGS.finditer(text):
            if match[0].startswith(b"</"):
                if self.name is not None:
                    check_extent(self.name, self.scan)
                    self.scans[self.name] = self.scan
                self.name = None
            elif match[2] is not None:  # an empty self-closing row still moves the rows below it
                self.row += _repeat(_ODS_ROWS.search(match[2]))
            else:
                name = _ODS_NAME.search(match[1] or b"")
                self.name = name[1].decode("utf-8", "replace") if name else None
                self.scan, self.row = SheetScan(), 0

    def _row(self, tag: bytes, cells: bytes) -> None:
        repeat = _repeat(_ODS_ROWS.search(tag))
        width = self._width(cells)
        if width:
            self.scan.include(self.row + repeat - 1, width - 1)
            if self.scan.rows > MAX_ROWS or self.scan.rows * self.scan.cols > MAX_CELLS:
                check_extent(self.name or "", self.scan)
        self.row += repeat

    @staticmethod
    def _width(cells: bytes) -> int:
        """Columns up to the last non-empty cell (0 for an empty row), or a bound on it."""
        if not any(marker in cells for marker in _ODS_FILLED):
            return 0
        count = cells.count(b"<table:table-cell") + cells.count(b"<table:covered-table-cell")
        repeats = cells.count(b"number-columns-repeated")
        if not repeats:
            return count
        last = max(cells.rfind(b"<table:table-cell"), cells.rfind(b"<table:covered-table-cell"))
        tail = cells[last:]
        if repeats == 1 and b"number-columns-repeated" in tail and not any(m in tail for m in _ODS_FILLED):
            return count - 1  # the usual trailing run of empty cells (LibreOffice writes one per row)
        column = width = 0
        for attrs in _ODS_CELL.findall(cells):
            column += _repeat(_ODS_COLS.search(attrs))
            if any(marker in attrs for marker in _ODS_FILLED):
                width = column
        return width


def _repeat(match: re.Match[bytes] | None) -> int:
    return _count(None if match is None else match[1].decode("ascii", "replace"))
