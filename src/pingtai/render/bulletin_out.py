"""The bulletin as a file: which format, rendered to bytes, and where it goes.

``docx`` (the default) is never written to stdout: without ``-o`` it goes to
``通报_<period>_<as_of>.docx`` in the working directory; ``md`` and ``json`` go to stdout. Files are
written atomically (:func:`pingtai.safe_write.write_bytes_atomically`).
"""

from __future__ import annotations

from pathlib import Path

from pingtai.bulletin.model import Bulletin
from pingtai.errors import UsageError
from pingtai.render.jsonout import dumps
from pingtai.safe_write import write_bytes_atomically

FORMATS = ("docx", "md", "json")
_BY_SUFFIX = {".docx": "docx", ".md": "md", ".markdown": "md", ".json": "json"}


def choose_format(fmt: str | None, target: Path | None) -> str:
    """``--format`` if given, else the one ``-o``'s suffix names, else ``docx``.

    Raises :class:`~pingtai.errors.UsageError` for an unknown format or an ``-o`` whose suffix names none.
    """
    if fmt is not None:
        if fmt not in FORMATS:
            raise UsageError(f"未知的格式 '{fmt}'", hint=f"可用：{'、'.join(FORMATS)}")
        return fmt
    if target is None:
        return "docx"
    chosen = _BY_SUFFIX.get(target.suffix.lower())
    if chosen is None:
        raise UsageError(f"无法从文件名 {target.name} 判断格式",
                         hint="请用 --format 指定 docx、md 或 json，或用 .docx/.md/.json 作扩展名。")
    return chosen


def render(bulletin: Bulletin, fmt: str) -> bytes:
    """``bulletin`` as ``fmt`` (``docx``, ``md`` or ``json``); text in UTF-8."""
    if fmt == "docx":
        from pingtai.render.bulletin_docx import bulletin_docx

        return bulletin_docx(bulletin)
    if fmt == "md":
        from pingtai.render.bulletin_md import bulletin_markdown

        return bulletin_markdown(bulletin).encode()
    if fmt == "json":
        return (dumps(bulletin) + "\n").encode()
    raise UsageError(f"未知的格式 '{fmt}'", hint=f"可用：{'、'.join(FORMATS)}")


def default_name(bulletin: Bulletin) -> str:
    """``通报_2024Q3_2024-10-21.docx``."""
    return f"通报_{bulletin.period}_{bulletin.as_of.isoformat()}.docx"


def deliver(bulletin: Bulletin, fmt: str, target: Path | None) -> tuple[Path | None, bytes]:
    """Write ``bulletin`` as ``fmt`` to ``target`` (a Word file without one: :func:`default_name`),
    or hand back the bytes for stdout. Returns ``(path written, b"")`` or ``(None, bytes)``."""
    data = render(bulletin, fmt)
    if target is None and fmt != "docx":
        return None, data
    path = target if target is not None else Path(default_name(bulletin))
    return write_bytes_atomically(path, data), b""


__all__ = ["FORMATS", "choose_format", "default_name", "deliver", "render"]
