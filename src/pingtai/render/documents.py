"""Reports, the league and the bulletin as documents: pick the format, render through the registry,
write atomically.

The commands call :func:`deliver` for one document and :func:`write_reports` for ``report --all``;
both write through :func:`pingtai.safe_write.write_bytes_atomically`, so a reader never sees half
a file. Which function renders which (document, format) is :mod:`pingtai.render.registry`'s
table; nothing here branches on a format.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pingtai.catalog import Catalog
from pingtai.errors import UsageError
from pingtai.frozen import Record
from pingtai.render import registry
from pingtai.reports import AgencyReport, League, LedgerSnapshot, build_agency_report, report_agencies
from pingtai.safe_write import inside, write_bytes_atomically

if TYPE_CHECKING:
    from pingtai.bulletin.model import Bulletin

FORMATS = registry.formats("report")
FILE_FORMATS = registry.file_formats("report")
EXTENSIONS = {fmt: registry.entry("report", fmt).extension for fmt in FILE_FORMATS}


STEMS: dict[str, Callable[[Any], str]] = {
    "report": lambda r: f"报告_{r.agency}_{r.as_of.isoformat()}",
    "league": lambda t: f"单位排名_{t.as_of.isoformat()}",
    "bulletin": lambda b: f"通报_{b.period}_{b.as_of.isoformat()}",
}
"""The name of a document's file when the command is given none (the extension is the format's)."""


def choose_format(fmt: str | None, target: Path | None, document: str = "report") -> str:
    """``--format`` if given, else the one ``-o``'s suffix names, else the document's default
    (:func:`pingtai.render.registry.default_format`: ``table``, the bulletin's ``docx``).

    Raises :class:`~pingtai.errors.UsageError` for an unknown format, an ``-o`` whose suffix names
    none, and ``table`` with ``-o`` (a table is for the screen).
    """
    available = registry.formats(document)
    files = registry.file_formats(document)
    if fmt is not None and fmt not in available:
        raise UsageError(f"未知的格式 '{fmt}'", hint=f"可用：{'、'.join(available)}")
    if fmt is None and target is not None:
        fmt = registry.format_for_suffix(document, target.suffix)
        if fmt is None:
            endings = "/".join(registry.entry(document, f).extension for f in files)
            raise UsageError(f"无法从文件名 {target.name} 判断格式",
                             hint=f"请用 --format 指定 {'、'.join(files)}，或用 {endings} 作扩展名。")
    fmt = fmt or registry.default_format(document)
    if registry.entry(document, fmt).screen and target is not None:
        raise UsageError("表格格式只输出到屏幕，不能写入文件", hint=f"写文件请用 --format {'、'.join(files)}。")
    return fmt


def document(obj: AgencyReport | League | Bulletin, fmt: str, *, indent: int | None = None) -> bytes:
    """``obj`` rendered as ``fmt`` (``md``, ``xlsx``, ``html``, ``docx`` or ``json``), as bytes (text in UTF-8);
    ``indent`` spaces per level for JSON (default: compact)."""
    return registry.render(obj, fmt, **({} if indent is None else {"indent": indent}))


def default_name(obj: AgencyReport | League | Bulletin, fmt: str) -> str:
    """``报告_<agency>_<as_of>.<ext>``, ``单位排名_<as_of>.<ext>`` or ``通报_<period>_<as_of>.<ext>``."""
    kind = registry.document_of(obj)
    return STEMS[kind](obj) + registry.entry(kind, fmt).extension


def deliver(obj: AgencyReport | League | Bulletin, fmt: str, target: Path | None, *,
            indent: int | None = None) -> tuple[Path | None, bytes]:
    """Write ``obj`` as ``fmt`` to ``target``; or hand back the bytes for stdout.

    A workbook or a Word document is never sent to stdout: without ``target`` it goes to
    :func:`default_name` in the working directory (proven to stay there). ``indent``: as
    :func:`document`. Returns ``(path written, b"")`` or ``(None, bytes to print)``.
    """
    data = document(obj, fmt, indent=indent)
    if target is None and not registry.entry(registry.document_of(obj), fmt).binary:
        return None, data
    path = target if target is not None else inside(Path("."), default_name(obj, fmt))
    return write_bytes_atomically(path, data), b""


class WrittenReport(Record):
    """One file of ``report --all``: whose, where, and what it holds."""

    agency: str
    path: Path
    lead: int
    co: int
    indicators: int
    missing_returns: int


ReportsProgress = Callable[[int, int, str], None]
"""``(reports written, reports to write, the unit being written)``: called before each report and once at the end."""


def write_reports(catalog: Catalog, data: LedgerSnapshot, as_of: dt.date, directory: Path, fmt: str,
                  plan: str | None = None, on_progress: ReportsProgress | None = None, *,
                  indent: int | None = None) -> list[WrittenReport]:
    """One report per unit with anything assigned, as ``<directory>/<agency>.<ext>`` (directory created);
    ``indent``: as :func:`document`.

    Every file is proven to lie in ``directory`` (:func:`pingtai.safe_write.inside`) before it is
    written. ``on_progress`` hears of each report as it starts and of the end (a progress bar).
    """
    if fmt not in FILE_FORMATS:
        raise UsageError(f"--all 需要文件格式，'{fmt}' 不行", hint=f"可用：{'、'.join(FILE_FORMATS)}（默认 html）")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--all 的 -o 应为目录：{directory} 是文件")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"无法创建目录 {directory}：{exc.strerror or exc}") from None
    written = []
    agencies = report_agencies(catalog, plan)
    for done, agency in enumerate(agencies):
        if on_progress is not None:
            on_progress(done, len(agencies), agency)
        report = build_agency_report(catalog, data, agency, as_of, plan)
        target = inside(directory, f"{report.agency}{EXTENSIONS[fmt]}")
        path = write_bytes_atomically(target, document(report, fmt, indent=indent))
        written.append(WrittenReport(report.agency, path, len(report.lead), len(report.co), len(report.indicators),
                                     report.return_counts.missing))
    if on_progress is not None:
        on_progress(len(agencies), len(agencies), "")
    return written


__all__ = ["EXTENSIONS", "FILE_FORMATS", "FORMATS", "STEMS", "ReportsProgress", "WrittenReport", "choose_format",
           "default_name", "deliver", "document", "write_reports"]
