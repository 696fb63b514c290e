"""Which function renders which document in which format: one table keyed by (document, format).

A document is a result object the library builds — ``report`` (:class:`~pingtai.reports.AgencyReport`),
``league`` (:class:`~pingtai.reports.League`), ``digest`` (:class:`~pingtai.checks.CheckReport`),
``bulletin`` (:class:`~pingtai.bulletin.model.Bulletin`, the quarterly 通报).
A format is ``table`` (the terminal: rich tables, or plain tab-separated text when piped) or a
file format (``md``, ``html``, ``xlsx``, ``docx``, ``json``). Each entry names its renderer as
``"module:function"``, imported on first use, so that ``pingtai --help`` never imports openpyxl or
python-docx, and a new document is added by :func:`register` calls — a class in :data:`DOCUMENTS`
and one entry per format — not by new branches in the commands. A document's default format is
the first of :func:`formats` (the terminal's where it has one; the bulletin's is ``docx``).

Renderers of files take the object and return ``str`` (UTF-8 text) or ``bytes``; renderers of
the terminal take the object and an :class:`~pingtai.render.console.Output`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pingtai.errors import UsageError
from pingtai.frozen import Record

if TYPE_CHECKING:
    from pingtai.render.console import Output


class Entry(Record):
    """One (document, format) and the function that renders it.

    ``target`` is ``"module:function"``; ``suffixes`` the file name endings that select this
    format with ``-o`` (the first is the one written by default); ``binary`` formats are never
    printed to stdout; ``screen`` entries draw on the terminal instead of returning a file.
    """

    document: str
    format: str
    target: str
    suffixes: tuple[str, ...] = ()
    binary: bool = False
    screen: bool = False

    def function(self) -> Callable[..., Any]:
        module, _, name = self.target.partition(":")
        found: Callable[..., Any] = getattr(importlib.import_module(module), name)
        return found

    @property
    def extension(self) -> str:
        return self.suffixes[0] if self.suffixes else ""


ENTRIES: dict[tuple[str, str], Entry] = {}
DOCUMENTS: dict[str, str] = {}
"""Document kind by the qualified name of its class (``pingtai.reports.AgencyReport`` → ``report``)."""
TITLES: dict[str, str] = {}
"""What a document is called in messages (``单位报告``)."""


def register(document: str, fmt: str, target: str, suffixes: tuple[str, ...] = (), *, binary: bool = False,
             screen: bool = False) -> Entry:
    """Add (or replace) the renderer of ``document`` in ``fmt``; returns the entry."""
    entry = Entry(document, fmt, target, suffixes, binary, screen)
    ENTRIES[(document, fmt)] = entry
    return entry


def register_document(cls_path: str, document: str, title: str) -> None:
    """Name the document kind of objects of the class ``module.Class``."""
    DOCUMENTS[cls_path] = document
    TITLES[document] = title


def document_of(obj: object) -> str:
    """The document kind of ``obj``; :class:`TypeError` for an object no renderer knows (a bug)."""
    for cls in type(obj).__mro__:
        found = DOCUMENTS.get(f"{cls.__module__}.{cls.__qualname__}")
        if found is not None:
            return found
    raise TypeError(f"no document kind registered for {type(obj).__qualname__}")


def formats(document: str) -> tuple[str, ...]:
    """Every format ``document`` can be rendered in, the terminal's first."""
    found = [e for (d, _), e in ENTRIES.items() if d == document]
    return tuple(e.format for e in sorted(found, key=lambda e: not e.screen))


def default_format(document: str) -> str:
    """What ``document`` is rendered as when no format is asked for: its first format."""
    return formats(document)[0]


def file_formats(document: str) -> tuple[str, ...]:
    """The formats of ``document`` that make a file."""
    return tuple(f for f in formats(document) if not ENTRIES[(document, f)].screen)


def entry(document: str, fmt: str) -> Entry:
    """The entry for ``document`` in ``fmt``; :class:`UsageError` naming the formats there are."""
    found = ENTRIES.get((document, fmt))
    if found is None:
        raise UsageError(f"{TITLES.get(document, document)}没有 '{fmt}' 格式",
                         hint=f"可用：{'、'.join(formats(document))}")
    return found


def format_for_suffix(document: str, suffix: str) -> str | None:
    """The file format of ``document`` that a file name ending in ``suffix`` asks for, if any."""
    wanted = suffix.lower()
    return next((e.format for (d, _), e in ENTRIES.items() if d == document and not e.screen and wanted in e.suffixes),
                None)


def render(obj: object, fmt: str, **options: Any) -> bytes:
    """``obj`` as a file in ``fmt`` (text as UTF-8); ``options`` go to the renderer (``indent`` for JSON)."""
    found = entry(document_of(obj), fmt)
    if found.screen:
        raise UsageError(f"格式 {fmt} 只输出到屏幕，不能生成文件",
                         hint=f"可用：{'、'.join(file_formats(found.document))}")
    data = found.function()(obj, **options)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def show(obj: object, out: Output) -> None:
    """Draw ``obj`` on the terminal (``table``)."""
    entry(document_of(obj), "table").function()(obj, out)


register_document("pingtai.reports.AgencyReport", "report", "单位报告")
register_document("pingtai.reports.League", "league", "单位排名")
register_document("pingtai.checks.CheckReport", "digest", "检查摘要")
register_document("pingtai.bulletin.model.Bulletin", "bulletin", "季度通报")

register("report", "table", "pingtai.render.report:render_report", screen=True)
register("report", "md", "pingtai.render.markdown:report_markdown", (".md", ".markdown"))
register("report", "xlsx", "pingtai.render.xlsx:report_xlsx", (".xlsx",), binary=True)
register("report", "html", "pingtai.render.html:report_html", (".html", ".htm"))
register("report", "json", "pingtai.render.jsonout:document", (".json",))

register("league", "table", "pingtai.render.report:render_league", screen=True)
register("league", "md", "pingtai.render.markdown:league_markdown", (".md", ".markdown"))
register("league", "xlsx", "pingtai.render.xlsx:league_xlsx", (".xlsx",), binary=True)
register("league", "html", "pingtai.render.html:league_html", (".html", ".htm"))
register("league", "json", "pingtai.render.jsonout:document", (".json",))

register("digest", "table", "pingtai.render.digest:render_text", screen=True)
register("digest", "md", "pingtai.render.digest:markdown", (".md", ".markdown"))
register("digest", "json", "pingtai.render.jsonout:document", (".json",))

# the 通报 has no terminal form: a Word document by default, Markdown for a chat or a mail
register("bulletin", "docx", "pingtai.render.bulletin_docx:bulletin_docx", (".docx",), binary=True)
register("bulletin", "md", "pingtai.render.bulletin_md:bulletin_markdown", (".md", ".markdown"))
register("bulletin", "json", "pingtai.render.jsonout:document", (".json",))


__all__ = ["DOCUMENTS", "ENTRIES", "Entry", "default_format", "document_of", "entry", "file_formats",
           "format_for_suffix", "formats", "register", "register_document", "render", "show"]
