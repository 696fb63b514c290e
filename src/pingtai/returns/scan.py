"""Measure every sheet before the spreadsheet parser builds it, and note cells it cannot show.

python-calamine builds each sheet as a dense grid spanning its used cells: two cells at ``A1`` and
``XFD1048576`` make it allocate 17 billion cells and abort the whole process (measured: a 5 KB
.xls with cells at ``A1`` and ``IV65536`` costs 1 GB). So the reader first scans the raw sheet
data — the XML of .xlsx/.ods parts, the BIFF records of .xls — for the extent of non-empty
cells, and refuses a sheet whose extent exceeds :data:`MAX_CELLS` before calamine sees it.

The same pass notes what calamine hides: it returns ``''`` both for an empty cell and for a
formula without a cached result or an error value (``#DIV/0!``); :class:`SheetScan.marks` keeps
those cells so the reader can say what is wrong instead of "not reported".

Text is measured too: calamine copies a shared string into every cell that names it, so one
long string named by many cells is a memory bomb however small the file.

This module holds what the three scanners share — the caps, :class:`SheetScan` and the checks;
:mod:`~pingtai.returns.scan_xlsx`, :mod:`~pingtai.returns.scan_ods` and
:mod:`~pingtai.returns.scan_xls` read the formats.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import field

from pingtai.frozen import Record
from pingtai.returns.sniff import Refused, dtd_refusal, has_dtd, inflate

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


class SheetScan(Record, frozen=False):
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


def check_reserved(name: str, scan: SheetScan, reserved: int, limit: int = MAX_CELLS) -> None:
    """Refuse a sheet whose grid and the room its ``dimension`` makes the reader reserve exceed ``limit``."""
    if reserved and scan.rows * scan.cols + reserved > limit:
        raise Refused("sheet-too-large", f"工作表 '{name}' 的范围过大（{scan.rows} 行 × {scan.cols} 列，另预留 {reserved} 个单元格，"
                                         f"上限 {limit} 个单元格）：请删除多余的行列或拆分文件后再导入")


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


def check_total(scans: dict[str, SheetScan], limit: int) -> None:
    """Refuse a workbook whose sheets together exceed ``limit`` (formats parsed whole at opening)."""
    cells = sum(s.rows * s.cols for s in scans.values())
    if cells > limit:
        raise Refused("sheet-too-large", f"工作簿的表格范围合计过大（{cells} 个单元格，上限 {limit}）：请删除多余的行列或拆分文件后再导入")


def drain(data: bytes, info: zipfile.ZipInfo, limit: int) -> int:
    """Inflate a member only to check it (true size, no DOCTYPE); returns its size."""
    size = 0
    for chunk in inflate(data, info, limit):
        if not size and has_dtd(chunk):
            raise dtd_refusal(info.filename)
        size += len(chunk)
    return size


def parse_elements(parts: Iterable[bytes], start: Callable[[str, dict[str, str]], None], end: Callable[[str], None],
                   what: str) -> None:
    """Feed ``parts`` (XML) to expat, calling ``start(name, attributes)`` and ``end(name)`` for each
    element — names as written, prefix included. XML expat finds malformed (duplicate attributes,
    a ``<`` in a value, unclosed tags) is refused (``sheet-xml``), the message starting with
    ``what`` (``ODS 文件的``); whatever the handlers raise goes through."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for part in parts:
            parser.Parse(part, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Refused("sheet-xml", f"{what}XML 格式不规范（{expat.ErrorString(exc.code)}，第 {exc.lineno} 行）："
                                   "请用 Excel、WPS 或 LibreOffice 打开并另存后再导入") from None


def pieces(chunks: Iterable[bytes], member: str, ends: tuple[bytes, ...]) -> Iterator[bytes]:
    """Re-cut XML so that pieces end just after one of ``ends`` (rows are never split)."""
    tail = b""
    first = True
    for chunk in chunks:
        if first and has_dtd(chunk):  # a DOCTYPE can only come before the root element
            raise dtd_refusal(member)
        first = False
        buffer = tail + chunk if tail else chunk
        cut = -1
        for end in ends:
            at = buffer.rfind(end)
            if at >= 0:
                cut = max(cut, at + len(end))
        if cut < 0:
            if len(buffer) > MAX_ROW_BYTES:
                raise Refused("sheet-too-large", f"工作簿中的 {member} 有异常巨大的行：已拒绝")
            tail = buffer
            continue
        yield buffer[:cut]
        tail = buffer[cut:]
    if tail:
        yield tail
