"""Writing output files safely: atomically, and with text that a spreadsheet never runs as a formula.

Atomic writes
    :func:`write_atomically` writes to a temporary file in the target's directory, syncs it to
    disk, gives it the permissions a normal file would get (umask), then renames it over the target
    and syncs the directory: readers see the old file or the whole new one, never half of it, and a
    crash leaves at worst a stray ``.pingtai-*`` temporary file.

Formula injection (CWE-1236)
    Texts in reports come from returns that agencies fill in. A cell text starting with ``=``,
    ``+``, ``-`` or ``@`` (or a tab or carriage return, which some applications strip first) is
    taken as a formula by Excel, WPS and LibreOffice when it is typed in or read from CSV — and
    openpyxl itself turns a Python string starting with ``=`` into a formula cell. Every xlsx
    writer puts text through :func:`set_text`, which stores it as a string cell (``t="inlineStr"``,
    never ``<f>``) with the *quote prefix* style, so the application shows it verbatim and keeps it
    text when the cell is edited; every CSV writer puts text through :func:`csv_text`, which
    prefixes such text with an apostrophe (OWASP's advice for CSV, where no cell type exists).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from pingtai.errors import PingtaiError, UsageError

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.cell.cell import Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet application read a text as a formula."""


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet application would take ``text`` for a formula."""
    return text.startswith(FORMULA_TRIGGERS)


def set_text(cell: Cell, text: str) -> Cell:
    """Store ``text`` in ``cell`` as a string, as written, never as a formula; return the cell.

    openpyxl makes any string starting with ``=`` a formula: the data type is forced back to
    string. The quote-prefix style is what Excel itself sets when a user types ``'=1+1``.
    Characters a workbook cannot hold (ESC, ``_x001B_`` read as ESC, an over-long text) are
    shown as :func:`pingtai.render.format.xlsx` says, never an error.
    """
    from pingtai.render.format import xlsx

    text = xlsx(text)
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def text_cells_only(workbook: Workbook) -> Workbook:
    """Put every text cell of ``workbook`` through :func:`set_text`; returns the workbook.

    The net under writers that fill cells with ``sheet.cell(value=…)``: there openpyxl makes any
    text starting with ``=`` a formula (a task title in a user-edited YAML, say). pingtai writes
    no formulas, so no cell loses anything.
    """
    from openpyxl.cell.cell import Cell

    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell, Cell) and isinstance(cell.value, str):
                    set_text(cell, cell.value)
    return workbook


def inside(directory: Path, name: str) -> Path:
    """``directory / name`` — proven to be a file directly in ``directory``.

    ``name`` comes from data (an agency's name): one with a path separator, ``.``/``..``, or a
    control character is refused with a :class:`UsageError`, so no output command writes outside
    the folder it was given.
    """
    bad = (not name or name in (".", "..") or "/" in name or "\\" in name
           or (os.altsep is not None and os.altsep in name)
           or any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in name))
    target = directory / name
    if bad or os.path.normpath(target.parent) != os.path.normpath(directory):
        raise UsageError(f"文件名不能含路径分隔符或控制字符：{name!r}",
                         hint="请在计划数据（agencies.yaml）中修正该名称；未写入任何文件。")
    return target


def csv_text(text: str) -> str:
    """``text`` for a CSV cell: an apostrophe in front when it would read as a formula."""
    return "'" + text if looks_like_formula(text) else text


_REASONS = {errno.ENOSPC: "磁盘已满", errno.EDQUOT: "超出磁盘配额", errno.EROFS: "文件系统为只读",
            errno.EACCES: "没有写权限", errno.EPERM: "没有权限", errno.EFBIG: "超出文件大小上限",
            errno.EIO: "存储设备 I/O 错误", errno.ENOENT: "路径不存在"}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese first (``磁盘已满（No space left on device）``)."""
    reason = _REASONS.get(exc.errno or 0)
    detail = exc.strerror or str(exc)
    return f"{reason}（{detail}）" if reason else detail


NOT_REGULAR = "不是普通文件（命名管道、设备或套接字）"


class NotRegularFileError(OSError):
    """A path that is a FIFO, a device or a socket: reading it could block for ever or never end."""

    def __init__(self, path: Path) -> None:
        super().__init__(errno.EINVAL, NOT_REGULAR, str(path))


def open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading, only if it is a regular file.

    Opened non-blocking (opening a FIFO with no writer returns at once instead of waiting for
    one), then checked on the open descriptor: a FIFO, a device or a socket raises
    :class:`NotRegularFileError` before anything is read. Other failures raise :class:`OSError`.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise NotRegularFileError(path)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable: it is on disk only once the directory entry is
    (POSIX; a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def replace_atomically(target: Path, write: Callable[[IO[bytes]], None], *, temp_dir: Path | None = None) -> None:
    """The primitive under every atomic write in pingtai (outputs here, the ledger's archive).

    Calls ``write`` with a binary handle on a new temporary file in ``temp_dir`` (default: the
    target's directory; it must be on the same filesystem), flushes and fsyncs it, gives it the
    permissions a normal file would get (umask), renames it over ``target`` and fsyncs the
    target's directory. Whatever ``write`` raises propagates; so does any :class:`OSError`. The
    temporary file never outlives a failure (a killed process leaves a ``.pingtai-*`` file).
    """
    directory = target.parent if str(target.parent) else Path(".")
    fd, temp = tempfile.mkstemp(prefix=".pingtai-", suffix=target.suffix, dir=temp_dir or directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes it private; give it the usual permissions
        os.replace(temp, target)
        fsync_directory(directory)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)


def write_atomically(target: Path, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write`` with a binary handle on a temporary file, then put the file at ``target``.

    Raises :class:`~pingtai.errors.UsageError` when the directory does not exist and
    :class:`~pingtai.errors.PingtaiError` when the file cannot be written; returns ``target``.
    """
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"输出目录不存在：{directory}", hint="请先创建该目录，或用 -o 指定已有目录中的文件。")
    if target.is_dir():
        raise UsageError(f"输出路径是目录：{target}", hint="请用 -o 指定文件名。")
    refuse_special(target)
    try:
        replace_atomically(target, write)
    except OSError as exc:
        raise PingtaiError(f"无法写入 {target}：{os_reason(exc)}") from None
    return target


def refuse_special(target: Path) -> None:
    """Refuse (:class:`UsageError`) an output path that exists and is not a regular file: a
    rename over ``/dev/null``, ``/dev/stdout`` or a FIFO would replace the device itself."""
    if target.exists() and not target.is_file():
        raise UsageError(f"输出路径{NOT_REGULAR}：{target}",
                         hint="请用 -o 指定普通文件；要输出到屏幕，请省略 -o。")


def write_bytes_atomically(target: Path, data: bytes) -> Path:
    """:func:`write_atomically` for content already in memory."""

    def write(handle: IO[bytes]) -> None:
        handle.write(data)

    return write_atomically(target, write)


__all__ = [
    "FORMULA_TRIGGERS",
    "NotRegularFileError",
    "csv_text",
    "fsync_directory",
    "inside",
    "looks_like_formula",
    "open_regular",
    "os_reason",
    "refuse_special",
    "replace_atomically",
    "set_text",
    "text_cells_only",
    "write_atomically",
    "write_bytes_atomically",
]
