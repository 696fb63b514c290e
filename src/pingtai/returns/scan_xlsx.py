"""Measure the sheets of an .xlsx/.xlsm before python-calamine builds them (see :mod:`pingtai.returns.scan`).

What calamine (0.37, inside python-calamine) allocates for a sheet's values is a dense grid over
the positions of its non-empty cells, plus a reservation of the ``dimension`` element's size when
that is below 100,000 cells. It places cells by these rules, whatever the bytes look like:

* a ``<row>``'s ``r`` (in either quote style, with spaces around ``=``, letters allowed before
  the digits) sets the row; the end of a row moves to the next row and back to the first column;
* a ``<c>`` with ``r`` sits there (the last ``r`` wins), and sets the column; one without ``r``
  sits in the current row, in the column after the previous cell's;
* element names count by their local part (any prefix, ASCII or not); comments and CDATA are
  not elements; ``>`` may appear inside a quoted attribute value.
Shared formulas (``<f t="shared" ref=…>``) are not expanded when values are read.

So the scan takes three ways, each sound for what it accepts. The common sheet — every cell in
the canonical form Excel, WPS, LibreOffice and openpyxl write, ``<c r="B7" s="1" t="s">`` (double
quotes, single spaces, only the attributes ``s t cm vm ph``) — is measured in one byte-level
pass per megabyte (:func:`_scan_sheet_crude`), or by proving a box for tall or wide sheets
(:func:`_scan_sheet_box`): for such cells the row elements do not matter. Any other spelling of a
cell (single quotes, no ``r``, a second ``r``, a prefix, a quoted ``>``, odd whitespace) sends the
sheet to :func:`_scan_sheet_exact`, which parses the XML with expat and applies the rules above
element by element; XML that expat finds malformed is refused (no real writer produces it).
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Iterator
from itertools import zip_longest

from pingtai.returns.scan import (
    MAX_CELLS,
    MAX_COLS,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_XML,
    MAX_TEXT,
    Mark,
    SheetScan,
    check_extent,
    check_reserved,
    column_number,
    drain,
    error_mark,
    formula_mark,
    parse_elements,
    pieces,
)
from pingtai.returns.sniff import MAX_UNCOMPRESSED, Refused, check_zip, dtd_refusal, has_dtd, inflate, refuse

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_ATTRS = rb'(?: (?:s|t|cm|vm|ph)="[^"]*")*'
"""The attributes a canonical cell may carry after its ``r`` (never a second ``r``)."""
_IRREGULAR = re.compile(rb'<c(?![A-Za-z]| r="[A-Z]{1,3}[0-9]{1,7}"' + _ATTRS + rb"/?>)")
_PREFIXED = re.compile(rb":c[\s/>]")
"""A prefixed cell element (``<x:c``, ``<中:c``): calamine counts it by its local name."""
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(' + _ATTRS + rb")(/?)>")
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\st="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
# a formula with no cached value: no <v>, an empty <v/>, or <v></v> (openpyxl writes that when lxml is installed)
_UNCACHED = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>|<v>\s*</v>)?</c>')
_SAMPLE = 8192
_CRUDE_ROWS, _CRUDE_COLS = 99_999, 16
_CRUDE = re.compile(rb'<c(?! r="[A-P][0-9]{1,5}"' + _ATTRS + rb"/?>|[A-Za-z])")
_CRUDE_OUTSIDE = 50_000
_DIMENSION = re.compile(rb"<(?:[^\s<>/:]+:)?dimension\s((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_REF_ATTR = re.compile(rb"""(?:^|\s)ref\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SHARED_F = re.compile(rb"<(?:[^\s<>/:]+:)?f\s((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_RESERVE_BELOW = 100_000
"""calamine reserves room for the ``dimension``'s cells only when there are fewer than this."""
MAX_CELL_ELEMENTS = 2 * MAX_CELLS
"""Most ``<c>`` elements the exact scan follows in one sheet (it costs time even when they are empty)."""


def greater_than(text: str, digits: bool) -> str:
    """A regex matching the decimal numbers (``digits``) or column letters greater than ``text``.

    Same-length strings of digits or of letters compare like the numbers they spell, so "greater"
    is "longer, or the same length and above at the first difference".
    """
    low, high, any_ = ("0", "9", "[0-9]") if digits else ("A", "Z", "[A-Z]")
    size = len(text)
    options = [f"{any_}{{{size + 1},}}"]
    for i, char in enumerate(text):
        if char < high:
            rest = f"{any_}{{{size - i - 1}}}" if i < size - 1 else ""
            options.append(f"{re.escape(text[:i])}[{chr(ord(char) + 1)}-{high}]{rest}")
    del low
    return "(?:" + "|".join(options) + ")"


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Escalate(Exception):
    """This measuring method cannot prove a small enough bound: use the next, slower one."""


class _Irregular(_Escalate):
    """Cells that calamine would place by position (no ``r``, prefixes): only the exact method will do."""


def scan_xlsx(data: bytes) -> dict[str, SheetScan]:
    """Check an .xlsx/.xlsm zip and bound its sheets' extents and text; keys are sheet names.

    Refuses zip bombs, DOCTYPE/ENTITY declarations, corrupt members, sheets whose extent exceeds
    :data:`MAX_CELLS`, and sheets whose cells would copy more than :data:`MAX_TEXT` bytes of
    shared strings. Each sheet is measured by the cheapest method that can prove its bound:
    :func:`_scan_sheet_crude`, else :func:`_scan_sheet_box`, else :func:`_scan_sheet_exact`.
    """
    archive = check_zip(data)
    by_part, shared_part = _sheet_parts(data, archive)
    shared: list[int] = []
    total = 0
    # the part the relationships name, and the usual path (a reader may look there whatever they say)
    for name in dict.fromkeys([shared_part, "xl/sharedStrings.xml"]):
        if name not in archive.namelist():
            continue
        info = archive.getinfo(name)
        if info.file_size > MAX_SHARED_STRINGS:
            raise Refused("too-much-text", f"工作簿的共享文本过大（{info.file_size // 2**20} MB）：已拒绝")
        sizes = _shared_string_sizes(pieces(inflate(data, info, MAX_SHARED_STRINGS), name, (b"</si>", b"/>")))
        shared = [max(pair) for pair in zip_longest(shared, sizes, fillvalue=0)]
    scans: dict[str, SheetScan] = {}
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        limit = MAX_UNCOMPRESSED - total
        sheet = by_part.get(info.filename)
        if sheet is None and _WORKSHEET_PATH.search(info.filename):
            sheet = info.filename  # a worksheet the workbook does not name: a reader might still open it
        if sheet is None:
            total += drain(data, info, limit)
            continue
        if info.file_size > MAX_SHEET_XML:
            raise Refused("sheet-too-large", f"工作表 '{sheet}' 的数据过大（{info.file_size // 2**20} MB）：请拆分文件后再导入")
        for method in (_scan_sheet_crude, _scan_sheet_box, _scan_sheet_exact):
            scan = SheetScan(member=info.filename)
            counter = _SharedCounter(bool(shared))
            model = _Declared(sheet)
            try:
                method(model.watch(counter.count(_row_chunks(inflate(data, info, limit), info.filename))), scan)
                break
            except _Escalate:
                continue
            except Refused as exc:  # say which sheet, where the scan's message does not
                if exc.code not in ("sheet-xml", "sheet-too-large") or exc.message.startswith("工作"):
                    raise
                space = " " if exc.message[:1].isascii() else ""  # before a Latin word (XML), as the text has it
                raise Refused(exc.code, f"工作表 '{sheet}' 的{space}{exc.message}") from None
        total += info.file_size
        check_extent(sheet, scan)
        check_reserved(sheet, scan, model.reserved)
        if shared and counter.cells * max(shared) > MAX_TEXT:
            _check_shared_text(sheet, _row_chunks(inflate(data, info, limit), info.filename), shared)
        scans[sheet] = scan
    return scans


_WORKSHEET_PATH = re.compile(r"(?i)(?:^|/)(?:worksheets|dialogsheets|macrosheets)/[^/]+\.xml$")
_SI = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?si(?=[\s/>])")
_SHARED_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c(?=\s)[^>]*?\st\s*=\s*[\"']s[\"'][^>]*>\s*"
                          rb"<(?:[A-Za-z_][\w.\-]*:)?v\s*>\s*([0-9]{1,10})")


def _cell_position(text: str) -> tuple[int, int | None]:
    """``(row, column)`` 0-based of a cell reference as calamine reads it: letters (either case)
    then digits; the column is ``None`` when there are no letters. Refuses anything else."""
    match = re.fullmatch(r"([A-Za-z]*)([0-9]+)", text)
    if match is None or int(match[2]) < 1:
        raise Refused("sheet-xml", f"单元格引用无法识别：{text[:20]!r}：文件格式不规范，请在 Excel/WPS 中打开并另存后再导入")
    column = column_number(match[1].upper()) - 1 if match[1] else None
    return int(match[2]) - 1, column


def _area(ref: bytes) -> int:
    """Cells in a range ``A1:XFD9`` as calamine counts it (32-bit, wrapping); -1 if unreadable."""
    try:
        corners = [_cell_position(part) for part in ref.decode("ascii").split(":")]
    except (UnicodeDecodeError, Refused):
        return -1
    if len(corners) == 1:
        corners *= 2
    if len(corners) != 2 or corners[0][1] is None or corners[1][1] is None:
        return -1
    (top, left), (bottom, right) = corners
    assert left is not None and right is not None
    return ((bottom - top + 1) % 2**32) * ((right - left + 1) % 2**32)


class _Declared:
    """What a sheet declares besides its cells, as calamine allocates for it: the ``dimension``
    (reserved when below :data:`_RESERVE_BELOW` cells) — and shared formulas, which reading
    values never expands, but whose range is refused past :data:`MAX_CELLS` in case a reader did."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.reserved = 0
        self._first = True

    def watch(self, parts: Iterable[bytes]) -> Iterator[bytes]:
        for part in parts:
            if self._first:  # the dimension comes before the sheet data
                self._first = False
                start = part.find(b"sheetData")
                found = _DIMENSION.search(part, 0, start if start >= 0 else len(part))
                ref = _REF_ATTR.search(found[1]) if found else None
                if ref is not None:
                    area = _area(ref[1] if ref[1] is not None else ref[2])
                    self.reserved = area if 0 <= area < _RESERVE_BELOW else 0
            if b"shared" in part:
                for attrs in _SHARED_F.findall(part):
                    ref = _REF_ATTR.search(attrs)
                    if ref is not None and _area(ref[1] if ref[1] is not None else ref[2]) > MAX_CELLS:
                        raise Refused("sheet-too-large", f"工作表 '{self.sheet}' 的共享公式范围过大：疑似恶意文件，已拒绝")
            yield part


def _shared_string_sizes(parts: Iterable[bytes]) -> list[int]:
    """An upper bound on each shared string's size: the bytes from its ``<si`` to the next one."""
    starts: list[int] = []
    offset = 0
    for part in parts:
        starts += [offset + match.start() for match in _SI.finditer(part)]
        offset += len(part)
    return [end - start for start, end in zip(starts, [*starts[1:], offset], strict=True)]


class _SharedCounter:
    """Counts cells with a value (``<v``) while a measuring method reads the pieces: at most that
    many cells can name a shared string, however the ``t`` attribute is spelled."""

    def __init__(self, active: bool) -> None:
        self.active = active
        self.cells = 0

    def count(self, parts: Iterable[bytes]) -> Iterator[bytes]:
        for part in parts:
            if self.active:
                self.cells += part.count(b"<v") + part.count(b":v")  # prefixed <x:v> too (over-counting is safe)
            yield part


def _check_shared_text(sheet: str, parts: Iterable[bytes], sizes: list[int]) -> None:
    """Add up the shared strings each cell names; refuse past :data:`MAX_TEXT`."""
    total = 0
    count = len(sizes)
    for part in parts:
        for index in _SHARED_CELL.findall(part):
            number = int(index)
            if number < count:
                total += sizes[number]
        if total > MAX_TEXT:
            raise Refused("too-much-text", f"工作表 '{sheet}' 的单元格文字合计过大（超过 {MAX_TEXT // 2**20} MB，"
                                           "同一段长文本被大量单元格引用）：疑似恶意文件，已拒绝")


def _read_small(data: bytes, archive: zipfile.ZipFile, name: str) -> ET.Element | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    raw = b"".join(inflate(data, info, 16 * 2**20))
    if has_dtd(raw):
        raise dtd_refusal(name)
    try:
        return ET.fromstring(raw)
    except ET.ParseError:
        raise refuse("broken-zip") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(data: bytes, archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """``(id, type, target part path)`` of the relationships of ``part`` (``""`` for the package)."""
    folder, base = posixpath.split(part)
    root = _read_small(data, archive, posixpath.join(folder, "_rels", base + ".rels"))
    found: list[tuple[str, str, str]] = []
    for rel in root.iter() if root is not None else ():
        if _local(rel.tag) == "Relationship" and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found.append((rel.get("Id", ""), rel.get("Type", ""), path))
    return found


def _sheet_parts(data: bytes, archive: zipfile.ZipFile) -> tuple[dict[str, str], str]:
    """Worksheet part path → sheet name, and the shared strings part, as the workbook says.

    Both the workbook part the package relationships name and the usual ``xl/workbook.xml`` are
    read: every sheet a reader could open this way is measured.
    """
    named = next((path for _, kind, path in _relationships(data, archive, "") if kind.endswith("/officeDocument")),
                 "xl/workbook.xml")
    parts: dict[str, str] = {}
    shared = "xl/sharedStrings.xml"
    for workbook in dict.fromkeys([named, "xl/workbook.xml"]):
        book = _read_small(data, archive, workbook)
        if book is None:
            continue
        relationships = _relationships(data, archive, workbook)
        rels = {rel_id: path for rel_id, _, path in relationships}
        if workbook == named:
            shared = next((path for _, kind, path in relationships if kind.endswith("/sharedStrings")), shared)
        for element in book.iter():
            if _local(element.tag) == "sheet":
                rel_id = element.get(f"{{{_REL_NS}}}id") or next(
                    (value for key, value in element.attrib.items() if _local(key) == "id"), "")
                if rel_id in rels:
                    parts.setdefault(rels[rel_id], element.get("name", ""))
    if not parts and _read_small(data, archive, named) is None:
        raise refuse("broken-zip")
    return parts, shared


def _row_chunks(chunks: Iterable[bytes], member: str) -> Iterator[bytes]:
    """Re-cut a sheet's XML so that no cell is split between pieces (cut after ``</c>``/``</row>``)."""
    return pieces(chunks, member, (b"</row>", b"</c>"))


def _scan_sheet_crude(parts: Iterable[bytes], scan: SheetScan) -> None:
    """One pass per piece for the common sheet: every ``<c`` that is not a plain cell within
    column P and row 99,999 is looked at; everything else is inside that box, which fits the cap.

    Escalates when the box plus the cells outside it exceed the cap, or when too many cells lie
    outside it (a tall or wide sheet, cheaper to measure with :func:`_scan_sheet_box`).
    """
    outside = 0
    for part in parts:
        if b":c" in part and _PREFIXED.search(part):
            raise _Irregular
        for match in _CRUDE.finditer(part):
            ref = _CELL_REF.match(part, match.start())
            if ref is None:
                raise _Irregular
            if not ref[4]:
                scan.include(int(ref[2]) - 1, column_number(ref[1]) - 1)
            outside += 1
            if outside > _CRUDE_OUTSIDE:
                raise _Escalate
        if b'<c r="' in part:
            scan.include(_CRUDE_ROWS - 1, _CRUDE_COLS - 1)
        if scan.rows > MAX_ROWS or scan.cols > MAX_COLS:
            return  # absurd whatever the method: refused by the caller
        if scan.rows * scan.cols > MAX_CELLS:
            raise _Escalate


def _box_check(rows: int, cols: int) -> re.Pattern[bytes]:
    """Matches any ``<c`` that is not another element (``<col``) and not a cell whose ``r`` lies
    inside the box ``rows`` × ``cols`` — so a search that finds nothing proves the box."""
    col_gt = greater_than(_column_letters(cols), digits=False).encode()
    row_gt = greater_than(str(rows), digits=True).encode()
    return re.compile(rb'<c(?![A-Za-z]| r="(?!%s[0-9])[A-Z]{1,3}(?!%s")[0-9]{1,7}"%s/?>)' % (col_gt, row_gt, _ATTRS))


def _scan_sheet_box(parts: Iterable[bytes], scan: SheetScan) -> None:
    """Each piece proposes a box (its last cell's row, the widest column near its ends) and one
    search proves every cell lies inside it; a piece that fails is measured cell by cell."""
    for part in parts:
        if b":c" in part and _PREFIXED.search(part):
            raise _Irregular
        last = part.rfind(b'<c r="')
        sample = [ref for ref in _CELL_REF.findall(part[:_SAMPLE]) + _CELL_REF.findall(part[max(last - _SAMPLE, 0):])
                  if not ref[3]] if last >= 0 else []
        rows = max([scan.rows, 1, *(int(row) for _, row, _, _ in sample)])
        cols = max([scan.cols, 1, *(column_number(col) for col, _, _, _ in sample)])
        if _box_check(rows, cols).search(part):
            if _IRREGULAR.search(part):
                raise _Irregular
            for col, row, _, closed in _CELL_REF.findall(part):
                if not closed:
                    scan.include(int(row) - 1, column_number(col) - 1)
        if sample:
            scan.include(rows - 1, cols - 1)
        if scan.rows > MAX_ROWS or scan.cols > MAX_COLS:
            return  # absurd already: refused by the caller


def xlsx_marks(data: bytes, info: zipfile.ZipInfo) -> dict[tuple[int, int], Mark]:
    """Cells of one worksheet part that calamine shows as ``''`` but are not empty: formulas
    without a cached result and error values. Computed only when a reader needs them."""
    marks: dict[tuple[int, int], Mark] = {}
    for part in _row_chunks(inflate(data, info), info.filename):
        if b"<f" in part:
            for col, row in _UNCACHED.findall(part):
                marks[(int(row) - 1, column_number(col) - 1)] = formula_mark()
        if b't="e"' in part:
            for col, row, value in _ERROR_CELL.findall(part):
                marks[(int(row) - 1, column_number(col) - 1)] = error_mark(value.decode("utf-8", "replace"))
    return marks


def _scan_sheet_exact(parts: Iterable[bytes], scan: SheetScan) -> None:
    """Follow calamine's rules (see the module docstring) element by element, on expat's parse.

    Raises :class:`Refused` for XML expat finds malformed (duplicate attributes, a ``<`` in an
    attribute value, unclosed tags…), for cells or rows nested in cells or rows (calamine would
    read them by rules no real file needs), and past :data:`MAX_CELL_ELEMENTS` cells.
    """
    model = _CalamineModel(scan)
    # the end of the sheet data, or an extent absurd already: the caller judges
    with contextlib.suppress(_Enough):
        parse_elements(parts, model.start, model.end, "")


class _Enough(Exception):
    """Stop parsing: nothing later can change what the scan found."""


class _CalamineModel:
    """Where calamine puts each cell, from expat's start and end events (names keep their prefix)."""

    def __init__(self, scan: SheetScan) -> None:
        self.scan = scan
        self.in_data = False
        self.in_row = False
        self.row = 0
        self.col = 0
        self.cell: tuple[int, int] | None = None
        self.filled = False
        self.cells = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        if not self.in_data:
            self.in_data = local == "sheetData"
            return
        if self.cell is not None:
            if local in ("c", "row", "sheetData"):
                raise _nested(local)
            self.filled = self.filled or local != "f"  # a value (v, is) — a bare formula reads as empty
            return
        if local == "row":
            if self.in_row:
                raise _nested(local)
            self.in_row = True
            ref = attrs.get("r")
            if ref is not None:
                self.row = _cell_position(ref)[0]
        elif local == "c":
            self.cells += 1
            if self.cells > MAX_CELL_ELEMENTS:
                raise Refused("sheet-too-large", f"单元格元素过多（超过 {MAX_CELL_ELEMENTS} 个）：请删除多余的行列后再导入")
            ref = attrs.get("r")
            if ref is not None:
                row, col = _cell_position(ref)
                if col is None:
                    raise Refused("sheet-xml", f"单元格引用缺少列：{ref[:20]!r}：文件格式不规范，请在 Excel/WPS 中打开并另存后再导入")
                self.cell, self.col = (row, col), col
            else:
                self.cell = (self.row, self.col)
            self.filled = False

    def end(self, name: str) -> None:
        if not self.in_data:
            return
        local = name.rpartition(":")[2]
        if self.cell is not None:
            if local == "c":
                if self.filled:
                    self.scan.include(*self.cell)
                self.cell = None
                self.col += 1
                self._check()
            return
        if local == "row":
            self.in_row = False
            self.row += 1
            self.col = 0
            self._check()
        elif local == "sheetData":
            raise _Enough

    def _check(self) -> None:
        if self.scan.rows > MAX_ROWS or self.scan.cols > MAX_COLS or self.row > MAX_ROWS or self.col > MAX_COLS:
            self.scan.include(min(self.row, MAX_ROWS + 1), min(self.col, MAX_COLS + 1))
            raise _Enough


def _nested(local: str) -> Refused:
    return Refused("sheet-xml", f"XML 结构不规范（<{local}> 嵌套在单元格或行中）：请在 Excel/WPS 中打开并另存后再导入")
