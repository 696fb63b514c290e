"""A workbook as rows of cells, whatever the file: .xlsx/.xlsm/.xls/.ods via python-calamine, .csv via :mod:`csv`.

:func:`open_book` reads the file once (for its sha256 and its real format), refuses what must
not be parsed (:mod:`pingtai.returns.sniff`, :mod:`pingtai.returns.scan`), and returns a
:class:`Book` whose sheets yield rows lazily, one sheet at a time, so memory stays bounded by
the largest sheet calamine holds (see :data:`~pingtai.returns.scan.MAX_CELLS`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import os
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import field
from pathlib import Path
from typing import Any

from pingtai.errors import text_name
from pingtai.frozen import Record
from pingtai.returns import scan
from pingtai.returns.scan_xlsx import scan_xlsx, xlsx_marks
from pingtai.returns.sniff import MAX_FILE_BYTES, Refused, refuse, sniff_bytes
from pingtai.safe_write import NOT_REGULAR, NotRegularFileError, open_regular

Cell = int | float | str | bool | dt.date | dt.datetime | dt.time | dt.timedelta
Row = list[Cell]
Merge = tuple[tuple[int, int], tuple[int, int]]

_NOT_SPREADSHEETS = {"docx": "Word 文档", "pptx": "PowerPoint 演示文稿", "zip": "普通压缩包", "doc": "Office 97-2003 的其他文档（如 Word）"}


class Sheet(Record, frozen=False):
    """One sheet: ``rows`` from row 1 (index 0) and column A, ``height`` rows in all.

    ``merges`` are the merged ranges (``((row, col), (row, col))``, 0-based, inclusive; empty for
    .ods and .csv); ``marks()`` the cells calamine shows as ``''`` although they hold a formula
    without a cached result or an error value.
    """

    name: str
    rows: Iterator[Row]
    height: int
    merges: list[Merge] = field(default_factory=list)
    marks: Callable[[], dict[tuple[int, int], scan.Mark]] = dict


class SheetEntry(Record, frozen=False):
    name: str
    visible: bool


class Book(ABC):
    """An opened file: its real ``format``, ``sha256``, sheets in workbook order, and ``warnings``."""

    def __init__(self, format: str, sha256: str, sheets: list[SheetEntry]) -> None:
        self.format = format
        self.sha256 = sha256
        self.sheets = sheets
        self.warnings: list[tuple[str, str, str]] = []
        """``(sheet, code, message)`` noticed while opening."""

    @abstractmethod
    def sheet(self, name: str) -> Sheet | None:
        """Load one sheet (``None`` if it cannot be read safely; a warning says why)."""

    def preload(self) -> None:  # noqa: B027 - only the calamine book has work worth doing early
        """Do the slow part of loading the first sheet now (see :mod:`pingtai.returns.opening`)."""

    def close(self) -> None:  # noqa: B027 - only the calamine book holds anything to release
        """Release the parser's memory."""


def open_book(path: Path) -> Book:
    """Open ``path`` as a workbook or raise :class:`Refused` with a one-line reason.

    A missing path, a directory or an unreadable file are refusals too (``no-file``,
    ``not-a-file``, ``unreadable``): nothing about the file escapes as a traceback.
    """
    data = read_bytes(path)
    return open_bytes(data, hashlib.sha256(data).hexdigest(), path)


def open_bytes(data: bytes, sha256: str, path: Path) -> Book:
    """:func:`open_book` for bytes already read (``path`` names the CSV sheet)."""
    kind = sniff_bytes(data)
    if kind == "csv":
        return CsvBook(data, sha256, text_name(path.stem) or "csv")
    if kind in ("xlsx", "xlsm"):
        return CalamineBook(data, sha256, kind, scan_xlsx(data))
    # the scanners of the other formats are imported only for such a file: most returns are .xlsx
    if kind == "ods":
        from pingtai.returns.scan_ods import scan_ods

        return CalamineBook(data, sha256, kind, scan_ods(data))
    if kind == "xls":
        from pingtai.returns.scan_xls import scan_xls

        return CalamineBook(data, sha256, kind, scan_xls(data))
    if kind == "empty":
        raise refuse("empty-file")
    if kind in _NOT_SPREADSHEETS:
        raise refuse("not-spreadsheet", what=_NOT_SPREADSHEETS[kind])
    if kind in ("encrypted", "broken-zip", "xlsb", "html", "xml-spreadsheet", "utf16-text"):
        raise refuse(kind)
    raise refuse("unknown-format")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing a missing path, a directory, anything else that is not a regular
    file (a FIFO would block the read for ever), or a file over :data:`MAX_FILE_BYTES`."""
    try:
        if not path.exists():
            raise Refused("no-file", "文件不存在")
        if path.is_dir():
            raise Refused("not-a-file", "这是一个文件夹，不是文件")
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise Refused("file-too-large",
                              f"文件过大（{size // 2**20} MB，上限 {MAX_FILE_BYTES // 2**20} MB）：请拆分后再导入")
            data = handle.read(MAX_FILE_BYTES + 1)
    except NotRegularFileError:
        raise Refused("not-a-file", f"{NOT_REGULAR}：请提供工作簿文件") from None
    except OSError as exc:
        raise Refused("unreadable", f"无法读取文件：{exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise Refused("file-too-large", f"文件过大（上限 {MAX_FILE_BYTES // 2**20} MB）：请拆分后再导入")
    return data


# --- calamine -------------------------------------------------------------------------------------


def _calamine_refusal(exc: BaseException, kind: str) -> Refused:
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return refuse("encrypted")
    if kind == "xls":
        return Refused("broken-xls", "文件已损坏或不完整：不是有效的 .xls 工作簿（请重新保存或重新发送）")
    return refuse("broken-zip")


def _is_parser_failure(exc: BaseException) -> bool:
    """Errors python-calamine raises for bad input (a Rust panic surfaces as ``PanicException``)."""
    from python_calamine import CalamineError

    return isinstance(exc, (CalamineError, ValueError, OSError, EOFError, UnicodeError, IndexError)) or (
        type(exc).__name__ == "PanicException")


class CalamineBook(Book):
    """.xlsx, .xlsm, .xls and .ods through python-calamine, after :mod:`~pingtai.returns.scan` measured them."""

    def __init__(self, data: bytes, sha256: str, kind: str, scans: dict[str, scan.SheetScan]) -> None:
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        self._data = data
        self._scans = scans
        self._preloaded: tuple[str, Any] | None = None
        """``(name, calamine sheet or the exception parsing it raised)`` from :meth:`preload`."""
        try:
            self._workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            metadata = self._workbook.sheets_metadata
        except BaseException as exc:
            if not _is_parser_failure(exc):
                raise
            raise _calamine_refusal(exc, kind) from None
        entries = [SheetEntry(m.name, m.visible == SheetVisibleEnum.Visible)
                   for m in metadata if m.typ == SheetTypeEnum.WorkSheet]
        super().__init__(kind, sha256, entries)

    def sheet(self, name: str) -> Sheet | None:
        measured = self._scans.get(name)
        if measured is None:
            # calamine found a sheet the scan did not: it was not measured, so it is not read
            self.warnings.append((name, "sheet-skipped", f"无法检查工作表 '{name}' 的大小，已跳过"))
            return None
        try:
            loaded = self._parsed(name)
            start, end = loaded.start, loaded.end
            merges = list(loaded.merged_cell_ranges or [])
            rows = loaded.iter_rows() if start is not None else iter(())
        except BaseException as exc:
            if not _is_parser_failure(exc):
                raise
            raise _calamine_refusal(exc, self.format) from None
        height = end[0] + 1 if end is not None else 0
        offset = start[1] if start is not None else 0
        return Sheet(name, _padded(rows, offset), height, merges, lambda: self._marks(measured))

    def preload(self) -> None:
        """Parse the first visible measured worksheet: calamine releases the GIL while it parses,
        so this can run in a background thread. A failure is kept for :meth:`sheet` to handle."""
        name = next((e.name for e in self.sheets if e.visible and e.name in self._scans), None)
        if name is None:
            return
        try:
            self._preloaded = (name, self._workbook.get_sheet_by_name(name))
        except BaseException as exc:
            self._preloaded = (name, exc)

    def _parsed(self, name: str) -> Any:
        ready, self._preloaded = self._preloaded, None  # handed out once: the reader keeps what it needs
        if ready is None or ready[0] != name:
            return self._workbook.get_sheet_by_name(name)
        if isinstance(ready[1], BaseException):
            raise ready[1]
        return ready[1]

    def _marks(self, measured: scan.SheetScan) -> dict[tuple[int, int], scan.Mark]:
        if measured.member and not measured.marks:
            archive = zipfile.ZipFile(io.BytesIO(self._data))
            measured.marks = xlsx_marks(self._data, archive.getinfo(measured.member))
            measured.member = ""
        return measured.marks

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing twice is harmless
            self._workbook.close()


def _padded(rows: Iterator[Row], offset: int) -> Iterator[Row]:
    """python-calamine's rows start at the first used column: put column A back at index 0."""
    if offset == 0:
        return rows
    padding: Row = [""] * offset
    return (padding + row for row in rows)


def is_calamine_failure(exc: BaseException) -> bool:
    """An exception only python-calamine raises (its errors, or a Rust panic), i.e. a file it cannot read."""
    from python_calamine import CalamineError

    return isinstance(exc, CalamineError) or type(exc).__name__ == "PanicException"


# --- csv ------------------------------------------------------------------------------------------


class CsvBook(Book):
    """A CSV file: one sheet named after the file, UTF-8 (with or without BOM) or GB18030."""

    def __init__(self, data: bytes, sha256: str, name: str) -> None:
        super().__init__("csv", sha256, [SheetEntry(name, True)])
        self.text, self.encoding = decode_text(data)
        self._lines = data.count(b"\n") + 1

    def sheet(self, name: str) -> Sheet | None:
        first = self.text[:4096].split("\n", 1)[0]
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        return Sheet(name, _csv_rows(self.text, delimiter), self._lines)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: strict UTF-8 first (BOM dropped), then GB18030; else refuse."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise refuse("unknown-encoding")


def _csv_rows(text: str, delimiter: str) -> Iterator[Row]:
    width = 0
    try:
        for count, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)):
            width = max(width, len(row))
            if (count + 1) * width > scan.MAX_CELLS or width > scan.MAX_COLS:
                raise Refused("sheet-too-large", f"CSV 文件过大（{count + 1} 行 × {width} 列）：请拆分后再导入")
            yield list(row)
    except csv.Error as exc:
        raise Refused("broken-csv", f"CSV 格式错误：{exc}") from None
