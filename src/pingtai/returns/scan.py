"""Measure every sheet before the spreadsheet parser builds it, and note cells it cannot show.

python-calamine builds each sheet as a dense grid spanning its used cells: two cells at ``A1`` and
``XFD1048576`` make it allocate 17 billion cells and abort the whole process (measured: a 5 KB
.xls with cells at ``A1`` and ``IV65536`` costs 1 GB). So the reader first scans the raw sheet
data — the XML of .xlsx/.ods parts, the BIFF records of .xls — for the extent of non-empty
cells, and refuses a sheet whose extent exceeds :data:`MAX_CELLS` before calamine sees it.

The same pass notes what calamine hides: it returns ``''`` both for an empty cell and for a
formula without a cached result or an error value (``#DIV/0!``); :class:`SheetScan.marks` keeps
those cells so the reader can say what is wrong instead of "not reported".

The .xlsx scan is tuned for speed (a few byte-level searches per megabyte: the exact extent is
found from the references with the most letters and digits only); files that do not look like
what Excel, WPS, LibreOffice or openpyxl write (cells without ``r``, namespace prefixes) take an
exact but slower path.
"""

from __future__ import annotations

import posixpath
import re
import struct
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import zip_longest

from pingtai.returns.sniff import (
    MAX_UNCOMPRESSED,
    Refused,
    check_zip,
    dtd_refusal,
    has_dtd,
    inflate,
    refuse,
)

MAX_ROWS = 1_048_576
MAX_COLS = 16_384
MAX_CELLS = 2_000_000
"""Largest sheet extent (rows × columns, from A1) read from .xlsx/.ods/.csv. Measured: a sheet of
2.6 million short strings peaks at 305 MB, so 2 million keeps any file well under 400 MiB."""
MAX_CELLS_XLS = 1_000_000
"""The .xls reader needs about twice the memory per cell, for all sheets at once."""
MAX_ROW_BYTES = 16 * 2**20
MAX_TEXT = 96 * 2**20
"""Most cell text (bytes) a sheet may make calamine hold. It copies a shared string into every
cell that uses it: a 339 KB .xlsx whose 100,000 cells name one 30 KB string asks for 3 GB."""
MAX_SHARED_STRINGS = 64 * 2**20
MAX_SHEET_XML = 128 * 2**20
MAX_ODS_CONTENT = 40 * 2**20
MAX_CELLS_ODS = 500_000
"""calamine holds about three copies of an .ods file's cells and text while opening it."""

Mark = tuple[str, str]
"""``(code, message)`` for a cell whose value calamine cannot show."""


@dataclass
class SheetScan:
    """A bound on a sheet's extent (``rows`` × ``cols`` from A1, covering every non-empty cell) and marks.

    The bound may be loose (the quick .xlsx scan proves "within column Z and row 99,999"); it is
    for refusing absurd sheets, not for counting rows.
    """

    rows: int = 0
    cols: int = 0
    marks: dict[tuple[int, int], Mark] = field(default_factory=dict)
    member: str = ""
    """The zip member holding an .xlsx sheet (its marks are found only when needed)."""

    def include(self, row: int, col: int) -> None:
        """Grow the extent to cover the 0-based cell (``row``, ``col``)."""
        if row >= self.rows:
            self.rows = row + 1
        if col >= self.cols:
            self.cols = col + 1


def check_extent(name: str, scan: SheetScan, limit: int = MAX_CELLS) -> None:
    """Refuse (``sheet-too-large``) a sheet whose extent no return needs and memory cannot afford."""
    if scan.rows > MAX_ROWS or scan.cols > MAX_COLS or scan.rows * scan.cols > limit:
        raise Refused(
            "sheet-too-large",
            f"工作表 '{name}' 的范围过大（{scan.rows} 行 × {scan.cols} 列，上限 {limit} 个单元格）："
            "请删除多余的行列或拆分文件后再导入",
        )


def column_number(letters: bytes | str) -> int:
    """``A`` → 1, ``Z`` → 26, ``AA`` → 27, ``XFD`` → 16384."""
    number = 0
    for char in letters if isinstance(letters, str) else letters.decode("ascii"):
        number = number * 26 + (ord(char) - 64)
    return number


def formula_mark() -> Mark:
    return ("formula-no-value", "公式没有计算结果：请在 Excel/WPS 中打开并保存后再导入")


def error_mark(value: str) -> Mark:
    return ("cell-error", f"单元格是错误值 {value}：请检查公式")


# --- .xlsx / .xlsm ------------------------------------------------------------------------------

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_IRREGULAR = re.compile(rb'<c(?![A-Za-z]| r="[A-Z]{1,3}[0-9]{1,7}")')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:row|c)[\s/>]")
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)>')
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*?\st="e"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>([^<]*)</v>')
_UNCACHED = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>]*>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)(?:<v\s*/>)?</c>')
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?(row|c)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb'(?:^|\s)r\s*=\s*"([^"]*)"')
_REF = re.compile(rb"^([A-Z]{1,3})([0-9]{1,7})$")
_SAMPLE = 8192
_CRUDE_ROWS, _CRUDE_COLS = 99_999, 16
_CRUDE = re.compile(rb'<c(?! r="[A-P][0-9]{1,5}"|[A-Za-z])')
_CRUDE_OUTSIDE = 50_000


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
        sizes = _shared_string_sizes(_pieces(inflate(data, info, MAX_SHARED_STRINGS), name, (b"</si>", b"/>")))
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
            total += _drain(data, info, limit)
            continue
        if info.file_size > MAX_SHEET_XML:
            raise Refused("sheet-too-large", f"工作表 '{sheet}' 的数据过大（{info.file_size // 2**20} MB）：请拆分文件后再导入")
        for method in (_scan_sheet_crude, _scan_sheet_box, _scan_sheet_exact):
            scan = SheetScan(member=info.filename)
            counter = _SharedCounter(bool(shared))
            try:
                method(counter.count(_row_chunks(inflate(data, info, limit), info.filename)), scan)
                break
            except _Escalate:
                continue
        total += info.file_size
        check_extent(sheet, scan)
        if shared and counter.cells * max(shared) > MAX_TEXT:
            _check_shared_text(sheet, _row_chunks(inflate(data, info, limit), info.filename), shared)
        scans[sheet] = scan
    return scans


_WORKSHEET_PATH = re.compile(r"(?i)(?:^|/)(?:worksheets|dialogsheets|macrosheets)/[^/]+\.xml$")
_SI = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?si(?=[\s/>])")
_SHARED_CELL = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?c(?=\s)[^>]*?\st\s*=\s*[\"']s[\"'][^>]*>\s*"
                          rb"<(?:[A-Za-z_][\w.\-]*:)?v\s*>\s*([0-9]{1,10})")


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


def _drain(data: bytes, info: zipfile.ZipInfo, limit: int) -> int:
    """Inflate a member only to check it (true size, no DOCTYPE); returns its size."""
    size = 0
    for chunk in inflate(data, info, limit):
        if not size and has_dtd(chunk):
            raise dtd_refusal(info.filename)
        size += len(chunk)
    return size


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
    return _pieces(chunks, member, (b"</row>", b"</c>"))


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
            if not ref[3].endswith(b"/"):
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
    return re.compile(rb'<c(?![A-Za-z]| r="(?!%s[0-9])[A-Z]{1,3}(?!%s")[0-9]{1,7}")' % (col_gt, row_gt))


def _scan_sheet_box(parts: Iterable[bytes], scan: SheetScan) -> None:
    """Each piece proposes a box (its last cell's row, the widest column near its ends) and one
    search proves every cell lies inside it; a piece that fails is measured cell by cell."""
    for part in parts:
        if b":c" in part and _PREFIXED.search(part):
            raise _Irregular
        last = part.rfind(b'<c r="')
        sample = [ref for ref in _CELL_REF.findall(part[:_SAMPLE]) + _CELL_REF.findall(part[max(last - _SAMPLE, 0):])
                  if not ref[2].endswith(b"/")] if last >= 0 else []
        rows = max([scan.rows, 1, *(int(row) for _, row, _ in sample)])
        cols = max([scan.cols, 1, *(column_number(col) for col, _, _ in sample)])
        if _box_check(rows, cols).search(part):
            if _IRREGULAR.search(part):
                raise _Irregular
            for col, row, rest in _CELL_REF.findall(part):
                if not rest.endswith(b"/"):
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
    """Follow calamine's rules cell by cell: a cell without ``r`` follows the previous one."""
    row, col = -1, -1
    for part in parts:
        for tag, attrs in _TAG.findall(part):
            ref = _R_ATTR.search(attrs)
            if tag == b"row":
                row = int(ref[1]) - 1 if ref and ref[1].isdigit() else row + 1
                col = -1
                continue
            if ref:
                match = _REF.match(ref[1].upper())
                if match is None:
                    raise refuse("broken-zip")
                row, col = int(match[2]) - 1, column_number(match[1]) - 1
            else:
                col += 1
            if not attrs.rstrip().endswith(b"/"):
                scan.include(max(row, 0), col)
            if scan.rows > MAX_ROWS or scan.cols > MAX_COLS:
                return


# --- .ods -----------------------------------------------------------------------------------------
# calamine matches the literal names table:table-row, table:table-cell … (not namespaces), so the
# scan does too. It builds every table when the file is opened: the cap applies to their sum.

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
            total += _drain(data, info, limit)
            continue
        if info.file_size > MAX_ODS_CONTENT:
            raise Refused("sheet-too-large", f"ODS 文件的表格数据过大（{info.file_size // 2**20} MB，上限 {MAX_ODS_CONTENT // 2**20} MB）："
                                             "请另存为 .xlsx 后再导入")
        for part in _pieces(inflate(data, info, min(limit, MAX_ODS_CONTENT)), info.filename, (_ODS_ROW_END,)):
            total += len(part)
            scanner.feed(part)
    check_total(scanner.scans, MAX_CELLS_ODS)
    return scanner.scans


def check_total(scans: dict[str, SheetScan], limit: int) -> None:
    """Refuse a workbook whose sheets together exceed ``limit`` (formats parsed whole at opening)."""
    cells = sum(s.rows * s.cols for s in scans.values())
    if cells > limit:
        raise Refused("sheet-too-large", f"工作簿的表格范围合计过大（{cells} 个单元格，上限 {limit}）：请删除多余的行列或拆分文件后再导入")


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
    if match is None:
        return 1
    text = match[1]
    if not text.isdigit() or len(text) > 9:
        raise refuse("broken-zip")
    return max(int(text), 1)


def _pieces(chunks: Iterable[bytes], member: str, ends: tuple[bytes, ...]) -> Iterator[bytes]:
    """Re-cut XML so that pieces end just after one of ``ends`` (rows are never split)."""
    tail = b""
    first = True
    for chunk in chunks:
        if first and has_dtd(chunk):  # a DOCTYPE can only come before the root element
            raise dtd_refusal(member)
        first = False
        buffer = tail + chunk if tail else chunk
        cut = max(buffer.rfind(end) + len(end) if buffer.rfind(end) >= 0 else -1 for end in ends)
        if cut < 0:
            if len(buffer) > MAX_ROW_BYTES:
                raise Refused("sheet-too-large", f"工作簿中的 {member} 有异常巨大的行：已拒绝")
            tail = buffer
            continue
        yield buffer[:cut]
        tail = buffer[cut:]
    if tail:
        yield tail


# --- .xls (BIFF8 inside an OLE2 compound file) ----------------------------------------------------

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}
_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6}  # NUMBER, RK, LABELSST, LABEL, RSTRING
_BROKEN_XLS = "文件已损坏或不完整：不是有效的 .xls 工作簿（请重新保存或重新发送）"


def scan_xls(data: bytes) -> dict[str, SheetScan]:
    """Measure the sheets of an .xls file from its BIFF records; refuse an encrypted one."""
    stream = _ole_stream(data, ("workbook", "book"))
    return _scan_biff(stream)


def _broken() -> Refused:
    return Refused("broken-xls", _BROKEN_XLS)


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """The first stream called one of ``names`` in an OLE2 compound file (a minimal, bounded reader)."""
    try:
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _broken()
        size = 1 << shift
        n_fat, dir_start, _, cutoff, minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from("<8I", data, 44)
        sectors = (len(data) - size) // size + 1

        def sector(sid: int) -> bytes:
            if sid >= sectors:
                raise _broken()
            return data[(sid + 1) * size:(sid + 2) * size]

        fat_ids = [sid for sid in struct.unpack_from("<109I", data, 76) if sid != _FREE][:n_fat]
        sid, steps = difat_start, 0
        while sid not in (_FREE, _END_OF_CHAIN) and len(fat_ids) < n_fat and steps <= n_difat:
            ids = struct.unpack(f"<{size // 4}I", sector(sid))
            fat_ids += [s for s in ids[:-1] if s != _FREE]
            sid, steps = ids[-1], steps + 1
        fat: list[int] = []
        for fat_sid in fat_ids[:n_fat]:
            fat += struct.unpack(f"<{size // 4}I", sector(fat_sid))

        def chain(start: int, table: list[int], read: Callable[[int], bytes]) -> bytes:
            out, sid, seen = [], start, 0
            while sid != _END_OF_CHAIN:
                if sid >= len(table) or seen > len(table):
                    raise _broken()
                out.append(read(sid))
                sid, seen = table[sid], seen + 1
            return b"".join(out)

        directory = chain(dir_start, fat, sector)
        entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
        if not entries:
            raise _broken()
        root_start, root_size = struct.unpack_from("<I", entries[0], 0x74)[0], struct.unpack_from("<I", entries[0], 0x78)[0]
        for entry in entries:
            name_len = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
            name = entry[:max(name_len - 2, 0)].decode("utf-16-le", "replace")
            if entry[0x42] != 2 or name.lower() not in names:
                continue
            start, length = struct.unpack_from("<II", entry, 0x74)
            if length < cutoff:
                mini_stream = chain(root_start, fat, sector)[:root_size]
                minifat: list[int] = []
                if n_minifat:
                    raw = chain(minifat_start, fat, sector)
                    minifat = list(struct.unpack(f"<{len(raw) // 4}I", raw))
                stream = chain(start, minifat, _mini_reader(mini_stream, 1 << mini_shift))
            else:
                stream = chain(start, fat, sector)
            if len(stream) < length:
                raise _broken()
            return stream[:length]
    except (struct.error, IndexError, ValueError):
        raise _broken() from None
    raise Refused("not-spreadsheet", "不是工作簿：这是 Office 97-2003 格式的其他文档（如 Word）")


MAX_SHEETS = 512


def _mini_reader(mini_stream: bytes, size: int) -> Callable[[int], bytes]:
    return lambda sid: mini_stream[sid * size:(sid + 1) * size]


def _scan_biff(stream: bytes) -> dict[str, SheetScan]:
    """Read the globals (sheet list, shared strings, encryption), then each sheet's records from
    where the sheet list says it starts — the way calamine finds them, so no sheet escapes the
    measurement. calamine builds every sheet at once, so the caps apply to their sum."""
    unpack = struct.unpack_from
    sheets: list[tuple[int, str]] = []
    shared: list[bytes] = []
    for kind, body, length in _records(stream, 0):
        if kind == 0x0085 and length >= 8:  # BOUNDSHEET
            offset = unpack("<I", stream, body)[0]
            sheets.append((offset, _sheet_name(stream[body + 6:body + length]) or f"Sheet{len(sheets) + 1}"))
        elif kind == 0x002F:  # FILEPASS
            raise refuse("encrypted")
        elif kind == 0x00FC or (kind == 0x003C and shared):  # SST and its CONTINUE records
            shared.append(stream[body:body + length])
        elif kind == 0x000A:  # EOF of the globals
            break
        elif shared:
            shared.append(b"")  # a record between: the SST's continuation has ended
    if len(sheets) > MAX_SHEETS:
        raise Refused("sheet-too-large", f"工作表过多（{len(sheets)} 个）：已拒绝")
    sizes = _sst_sizes(list(_until_empty(shared)))
    scans: dict[str, SheetScan] = {}
    measured: dict[int, tuple[SheetScan, int]] = {}
    for offset, name in sheets:
        if offset not in measured:
            measured[offset] = _scan_biff_sheet(stream, offset, name, sizes)
        scans[name] = measured[offset][0]
    check_total({str(offset): scan for offset, (scan, _) in measured.items()}, MAX_CELLS_XLS)
    if sum(text for _, text in measured.values()) > MAX_TEXT:
        raise Refused("too-much-text", f"工作簿的单元格文字合计过大（超过 {MAX_TEXT // 2**20} MB，同一段长文本被大量单元格引用）："
                                       "疑似恶意文件，已拒绝")
    return scans


def _until_empty(segments: list[bytes]) -> Iterator[bytes]:
    for segment in segments:
        if not segment:
            return
        yield segment


def _sst_sizes(segments: list[bytes]) -> list[int]:
    """An upper bound on the UTF-8 size of each string of a BIFF8 SST (3 bytes a character).

    Strings run on across CONTINUE records; where their characters do, the continuation starts
    with a fresh option byte. Parsing stops quietly at the end of the data (calamine decides
    whether a short table is an error).
    """
    if not segments or len(segments[0]) < 8:
        return []
    unique = struct.unpack_from("<I", segments[0], 4)[0]
    if unique > 2 * MAX_CELLS_XLS:
        raise Refused("too-much-text", f"工作簿的共享文本条目过多（{unique} 条）：已拒绝")
    sizes: list[int] = []
    index, pos = 0, 8
    segment = segments[0]
    try:
        while len(sizes) < unique:
            if pos + 3 > len(segment):
                index, pos = index + 1, 0
                segment = segments[index]
                continue
            count, flags = struct.unpack_from("<HB", segment, pos)
            pos += 3
            runs = extra = 0
            if flags & 8:
                runs = struct.unpack_from("<H", segment, pos)[0]
                pos += 2
            if flags & 4:
                extra = struct.unpack_from("<i", segment, pos)[0]
                pos += 4
            wide, remaining = flags & 1, count
            while remaining > 0:
                available = (len(segment) - pos) // (2 if wide else 1)
                if available <= 0:
                    index += 1
                    segment = segments[index]
                    wide, pos = segment[0] & 1, 1
                    continue
                step = min(available, remaining)
                pos += step * (2 if wide else 1)
                remaining -= step
            skip = 4 * runs + max(extra, 0)
            while skip > 0:
                if pos >= len(segment):
                    index, pos = index + 1, 0
                    segment = segments[index]
                    continue
                step = min(len(segment) - pos, skip)
                pos += step
                skip -= step
            sizes.append(3 * count)
    except (IndexError, struct.error):
        pass
    return sizes


def _records(stream: bytes, pos: int) -> Iterator[tuple[int, int, int]]:
    """``(record type, body offset, body length)`` from ``pos`` to the end of the stream."""
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if body + length > end:
            return  # a truncated last record: calamine decides whether the rest is readable
        yield kind, body, length
        pos = body + length


def _scan_biff_sheet(stream: bytes, offset: int, name: str, sizes: list[int]) -> tuple[SheetScan, int]:
    """A sheet's extent and marks, and a bound on the bytes of text its cells hold."""
    scan = SheetScan()
    text = 0
    unpack = struct.unpack_from
    for kind, body, length in _records(stream, offset):
        if kind == 0x000A:  # EOF
            break
        if length < 6:
            continue
        if kind in _CELL_RECORDS:
            row, col = unpack("<HH", stream, body)
            scan.include(row, col)
            if kind == 0x00FD and length >= 10:  # LABELSST: a shared string, copied into the cell
                string = unpack("<I", stream, body + 6)[0]
                text += sizes[string] if string < len(sizes) else 0
            elif kind != 0x0203 and kind != 0x027E:  # LABEL, RSTRING: text in the record itself
                text += 3 * length
        elif kind == 0x00BD:  # MULRK: row, first column, …, last column
            scan.include(unpack("<H", stream, body)[0], unpack("<H", stream, body + length - 2)[0])
        elif kind == 0x0205 and length >= 8:  # BOOLERR
            row, col = unpack("<HH", stream, body)
            scan.include(row, col)
            if stream[body + 7] == 1:
                scan.marks[(row, col)] = error_mark(_BIFF_ERRORS.get(stream[body + 6], "#错误"))
        elif kind == 0x0006 and length >= 14:  # FORMULA with its cached result
            row, col = unpack("<HH", stream, body)
            scan.include(row, col)
            if stream[body + 12:body + 14] == b"\xff\xff" and stream[body + 6] == 2:
                scan.marks[(row, col)] = error_mark(_BIFF_ERRORS.get(stream[body + 8], "#错误"))
        elif kind == 0x0207:  # STRING: a formula's text result
            text += 3 * length
    check_extent(name, scan, MAX_CELLS_XLS)
    return scan, text


def _sheet_name(raw: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString (BIFF5 names are 8-bit in the file's code page: assume GBK)."""
    if len(raw) < 2:
        return ""
    count, flags = raw[0], raw[1]
    if flags & 1:
        return raw[2:2 + 2 * count].decode("utf-16-le", "replace")
    if flags == 0:
        return raw[2:2 + count].decode("latin-1")
    return raw[1:1 + count].decode("gbk", "replace")
