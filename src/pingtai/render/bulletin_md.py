"""The bulletin as Markdown, for pasting into a chat or a mail: the same text as the Word document.

Headings: ``#`` the title, ``##`` 一、…, ``###`` （一）…; tables are GitHub-flavoured with the
caption above them; the author's placeholder is a block quote; 署名 and 成文日期 close it.
Text from the catalog, from returns (:class:`~pingtai.bulletin.model.Quote`) and from the command
line goes through :func:`pingtai.render.format.markdown` (``markdown_cell`` in a table), as in
every Markdown pingtai writes: it can never become emphasis, a link, an image, an autolink, a
table cell boundary, a heading or HTML. The bulletin's own words and numbers are written as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from pingtai.bulletin.model import Bulletin, Cell, Figure, Paragraph, Part, Quote, Subheading, Table
from pingtai.render.format import DASH, markdown


def _inline(parts: Sequence[Part]) -> str:
    out = []
    for part in parts:
        if isinstance(part, Quote):
            out.append(markdown(part.text))
        elif isinstance(part, Figure):
            out.append(part.shown)
        else:
            out.append(part.text)
    return "".join(out)


def _cell(parts: Cell) -> str:
    # a line break inside a cell (a number, then its year) is <br>, the one break a GFM cell can hold
    return "<br>".join(_inline(parts).split("\n")) or DASH


def _table(block: Table) -> list[str]:
    lines = [markdown(block.caption), "", "| " + " | ".join(block.header) + " |", "|" + "---|" * len(block.header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
    return [*lines, ""]


def bulletin_markdown(bulletin: Bulletin) -> str:
    """The whole bulletin as Markdown text."""
    out: list[str] = []
    if bulletin.doc_number:
        out += [markdown(bulletin.issuer), "", markdown(bulletin.doc_number), "", "---", ""]
    out += [f"# {markdown(bulletin.title)}", ""]
    for section in bulletin.sections:
        out += [f"## {section.number}{section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Subheading):
                out += [f"### {block.number}{_inline(block.parts)}", ""]
            elif isinstance(block, Paragraph):
                text = block.number + _inline(block.parts)
                out += [f"> {text}" if block.role == "placeholder" else text, ""]
            else:
                out += _table(block)
    out += [markdown(bulletin.issuer), "", bulletin.date, ""]
    return "\n".join(out)


__all__ = ["bulletin_markdown"]
