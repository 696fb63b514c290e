"""The bulletin as a Word document in the layout of GB/T 9704-2012 (党政机关公文格式).

Built entirely in code on python-docx's blank document — no template file: A4 with margins of
37 mm (top), 35 mm (bottom), 28 mm (left) and 26 mm (right), so the text area is 156 × 225 mm;
body in 3号 (16 pt) 仿宋_GB2312, 22 lines of 28 characters to the page (lines exactly 28.95 pt
apart on a line grid, characters condensed by 0.25 pt so that 28 fill 156 mm); the title in 2号
(22 pt) 方正小标宋简体, centred; 一、 headings in 黑体 and （一） headings in 楷体_GB2312; tables in
4号 (14 pt) 仿宋_GB2312 with a bold header row repeated on every page; page numbers "— 1 —" in
4号 宋体 at the outer bottom corner (odd pages right, even pages left, one character in from the
edge).

Fonts are named in the document — ``w:eastAsia`` for Chinese, Times New Roman for Latin letters and
digits in running text — and listed in its font table with the name Windows uses for the same face
(仿宋_GB2312 → 仿宋, 楷体_GB2312 → 楷体, 方正小标宋简体 → 宋体) and the GB2312 character set, so
Word, WPS or LibreOffice on a machine without them substitutes a similar face. Every piece of text
is a plain run: text from returns never becomes a field, a hyperlink or formatting, and goes
through :func:`pingtai.render.format.prose` — one line, controls shown escaped — as does every text
from the catalog or the command line (title, 署名, 发文字号, captions).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import ParagraphStyle

from pingtai.bulletin.model import Bulletin, Figure, Paragraph, Part, Quote, Subheading, Table, Words
from pingtai.render.format import prose

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.table import Table as DocxTable
    from docx.text.paragraph import Paragraph as DocxParagraph

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156
TEXT_HEIGHT_MM = PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]  # 225
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
SMALL_PT = 14  # 4号: tables, page numbers
LINE_TWIPS = 579
"""Line pitch: 225 mm ÷ 22 = 28.99 pt; 28.95 pt (579 twentieths) so that 22 lines surely fit."""
TITLE_LINE_PT = 35
CONDENSE_TWIPS = -5
"""Character spacing of the body (−0.25 pt): 28 × 15.75 pt ≤ 156 mm (442.2 pt)."""
FOOTER_MM = 22
"""From the page's bottom edge to the page number's line: its top about 7 mm below the text area."""
BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONTS = ("黑体", "楷体_GB2312")
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xFF, 0x00, 0x00)
FONT_TABLE = {
    # name in the document: (the Windows face a reader without it should take, font family)
    "仿宋_GB2312": ("仿宋", "roman"), "楷体_GB2312": ("楷体", "roman"), "方正小标宋简体": ("宋体", "roman"),
    "黑体": ("SimHei", "swiss"), "宋体": ("SimSun", "roman"),
}
STYLE_NAMES = {"title": "公文标题", "h1": "一级标题", "h2": "二级标题", "caption": "表题", "table": "表格文字",
               "page": "页码", "masthead": "发文机关标志"}
INDICATOR_COLUMNS_MM = (25, 12, 19, 19, 15, 13, 15, 16, 22)
"""Widths of the 指标 table's columns (指标 … 牵头单位), 156 mm together."""


# --- the document ----------------------------------------------------------------------------


def bulletin_docx(bulletin: Bulletin) -> bytes:
    """The bulletin as the bytes of a .docx file."""
    doc = Document()
    _page(doc)
    _styles(doc)
    _font_table(doc)
    _footers(doc)
    if bulletin.doc_number:
        _masthead(doc, prose(bulletin.issuer), prose(bulletin.doc_number))
    doc.add_paragraph(prose(bulletin.title), style=STYLE_NAMES["title"])
    doc.add_paragraph()  # one empty line under the title
    for section in bulletin.sections:
        doc.add_paragraph(section.number + section.title, style=STYLE_NAMES["h1"])
        for block in section.blocks:
            if isinstance(block, Subheading):
                _runs(doc.add_paragraph(style=STYLE_NAMES["h2"]), (Words(block.number), *block.parts))
            elif isinstance(block, Paragraph):
                paragraph = _runs(doc.add_paragraph(), (Words(block.number), *block.parts) if block.number
                                  else block.parts)
                if block.role == "placeholder":
                    for run in paragraph.runs:
                        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                        run.font.bold = True
            else:
                _table(doc, block, INDICATOR_COLUMNS_MM if len(block.header) == len(INDICATOR_COLUMNS_MM) else None)
    doc.add_paragraph()
    doc.add_paragraph()
    signed = doc.add_paragraph(prose(bulletin.issuer))
    signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _indent_chars(signed, first=0, right=200)
    dated = doc.add_paragraph(bulletin.date)
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _indent_chars(dated, first=0, right=400)
    _properties(doc, bulletin)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _runs(paragraph: DocxParagraph, parts: Sequence[Part]) -> DocxParagraph:
    """One plain run per part: words, figures and quoted text alike (never a field or markup); quoted
    text as one line (a line break in the bulletin's own words — a table cell's second line — stays)."""
    for part in parts:
        if isinstance(part, Quote):
            paragraph.add_run(prose(part.text))
        else:
            paragraph.add_run(part.shown if isinstance(part, Figure) else part.text)
    return paragraph


# --- page, grid, footers ---------------------------------------------------------------------


def _page(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.header_distance, section.footer_distance = Mm(15), Mm(FOOTER_MM)
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    doc.settings.odd_and_even_pages_header_footer = True


def _footers(doc: DocumentObject) -> None:
    section = doc.sections[0]
    for footer, odd in ((section.footer, True), (section.even_page_footer, False)):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.style = doc.styles[STYLE_NAMES["page"]]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
        ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
        # one character (4号: 14 pt = 280 twentieths) in from the outer edge
        ind.set(qn("w:right" if odd else "w:left"), str(SMALL_PT * 20))
        paragraph.add_run("— ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), " PAGE ")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)
        paragraph._p.append(_run_element(" —"))


def _run_element(text: str) -> BaseOxmlElement:
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    run.append(t)
    return run


# --- WordprocessingML: children in the order the schema fixes (Word refuses others) -----------

_ORDER = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
            "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
            "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
            "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign",
            "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"),
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
              "tblCaption", "tblDescription"),
}


def _put(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """The child ``w:tag`` of ``parent`` (a ``w:pPr``, ``w:rPr`` or ``w:tblPr``), added where the
    schema puts it if there is none yet."""
    found: BaseOxmlElement | None = parent.find(qn(f"w:{tag}"))
    if found is not None:
        return found
    child = OxmlElement(f"w:{tag}")
    order = _ORDER[parent.tag.rpartition("}")[2]]
    later = order[order.index(tag) + 1:]
    successor = next((c for c in parent if c.tag.rpartition("}")[2] in later), None)
    if successor is None:
        parent.append(child)
    else:
        successor.addprevious(child)
    return child


# --- styles ----------------------------------------------------------------------------------


def _set_fonts(element: BaseOxmlElement, east_asian: str, latin: str) -> None:
    """Name the fonts of a run properties element: ``w:eastAsia`` for Chinese, ``latin`` for the rest.

    Theme font attributes are removed: in Word they take precedence over named fonts.
    """
    fonts = _put(element, "rFonts")
    for key in list(fonts.attrib):
        if key.endswith("Theme") or key.endswith("theme"):
            del fonts.attrib[key]
    for attribute, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asian), ("w:cs", latin)):
        fonts.set(qn(attribute), name)


def _paragraph_style(doc: DocumentObject, name: str, *, east_asian: str, latin: str, size: float,
                     bold: bool = False) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    style.font.size = Pt(size)
    style.font.bold = bold
    _set_fonts(style.element.get_or_add_rPr(), east_asian, latin)
    assert isinstance(style, ParagraphStyle)
    return style


def _styles(doc: DocumentObject) -> None:
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    assert defaults is not None
    default_rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert default_rpr is not None
    _set_fonts(default_rpr, BODY_FONT, LATIN_FONT)
    for tag in ("w:sz", "w:szCs"):
        size = default_rpr.find(qn(tag))
        if size is not None:
            size.set(qn("w:val"), str(BODY_PT * 2))
    lang = default_rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")

    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT, LATIN_FONT)
    assert isinstance(normal, ParagraphStyle)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(LINE_TWIPS / 20)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False
    _indent_chars_style(normal.element, first=200)
    _condensed(normal.element.get_or_add_rPr())

    title = _paragraph_style(doc, STYLE_NAMES["title"], east_asian=TITLE_FONT, latin=TITLE_FONT, size=TITLE_PT)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.line_spacing = Pt(TITLE_LINE_PT)
    _indent_chars_style(title.element, first=0)
    _no_grid(title.element.get_or_add_pPr())

    for key, font, level in (("h1", HEADING_FONTS[0], 0), ("h2", HEADING_FONTS[1], 1)):
        heading = _paragraph_style(doc, STYLE_NAMES[key], east_asian=font, latin=LATIN_FONT, size=BODY_PT)
        heading.paragraph_format.keep_with_next = True
        # the navigation pane and a table of contents see it
        _put(heading.element.get_or_add_pPr(), "outlineLvl").set(qn("w:val"), str(level))

    caption = _paragraph_style(doc, STYLE_NAMES["caption"], east_asian=HEADING_FONTS[0], latin=LATIN_FONT,
                               size=SMALL_PT)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True
    _indent_chars_style(caption.element, first=0)
    _no_grid(caption.element.get_or_add_pPr())

    cell = _paragraph_style(doc, STYLE_NAMES["table"], east_asian=BODY_FONT, latin=LATIN_FONT, size=SMALL_PT)
    cell.paragraph_format.line_spacing = 1.0
    cell.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars_style(cell.element, first=0)
    _no_grid(cell.element.get_or_add_pPr())

    page = _paragraph_style(doc, STYLE_NAMES["page"], east_asian=PAGE_NUMBER_FONT, latin=PAGE_NUMBER_FONT,
                            size=SMALL_PT)
    page.paragraph_format.line_spacing = 1.0
    _indent_chars_style(page.element, first=0)
    _no_grid(page.element.get_or_add_pPr())

    masthead = _paragraph_style(doc, STYLE_NAMES["masthead"], east_asian=TITLE_FONT, latin=TITLE_FONT, size=TITLE_PT)
    masthead.font.color.rgb = RED
    masthead.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    masthead.paragraph_format.line_spacing = 1.0
    _indent_chars_style(masthead.element, first=0)
    _no_grid(masthead.element.get_or_add_pPr())


def _condensed(rpr: BaseOxmlElement) -> None:
    """Each character a little narrower than 16 pt, so that 28 fit on a line in every application.

    Word fits 28 to the line by the character grid alone; LibreOffice gives a character that is
    wider than a grid cell two cells (14 to the line). At 16 − 0.25 pt both put 28.
    """
    _put(rpr, "spacing").set(qn("w:val"), str(CONDENSE_TWIPS))


def _no_grid(ppr: BaseOxmlElement) -> None:
    """Table cells and footers keep their own line height instead of snapping to the 28.95 pt grid."""
    _put(ppr, "snapToGrid").set(qn("w:val"), "0")


def _indent_chars_style(element: BaseOxmlElement, *, first: int) -> None:
    ind = element.get_or_add_pPr().get_or_add_ind()
    _chars(ind, first=first)


def _indent_chars(paragraph: DocxParagraph, *, first: int, right: int = 0) -> None:
    """Indents in hundredths of a character (200: two characters), as Word's 字符 units."""
    ind = paragraph._p.get_or_add_pPr().get_or_add_ind()
    _chars(ind, first=first, right=right)


def _chars(ind: BaseOxmlElement, *, first: int, right: int = 0) -> None:
    ind.set(qn("w:firstLineChars"), str(first))
    ind.set(qn("w:firstLine"), str(first * BODY_PT * 20 // 100))
    if right:
        ind.set(qn("w:rightChars"), str(right))
        ind.set(qn("w:right"), str(right * BODY_PT * 20 // 100))


def _font_table(doc: DocumentObject) -> None:
    """Declare the fonts with the Windows face to take in their place and the GB2312 character set."""
    part = next(p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml")
    root = parse_xml(part.blob)
    for name, (alternative, family) in FONT_TABLE.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, value in (("w:altName", alternative), ("w:charset", "86"), ("w:family", family),
                           ("w:pitch", "variable")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            font.append(child)
        root.append(font)
    part._blob = serialize_part_xml(root)  # a plain part: python-docx keeps its bytes, not a tree


def _masthead(doc: DocumentObject, issuer: str, number: str) -> None:
    """版头: the issuer in red (sized to one line), the 发文字号, and the red separator line under it."""
    name = doc.add_paragraph(issuer, style=STYLE_NAMES["masthead"])
    width_pt = TEXT_WIDTH_MM / 25.4 * 72
    size = min(36.0, int(width_pt / max(len(issuer), 1) * 2) / 2)
    for run in name.runs:
        run.font.size = Pt(size)
    doc.add_paragraph()
    numbered = doc.add_paragraph(number)
    numbered.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _indent_chars(numbered, first=0)
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "6"), ("w:color", "FF0000")):
        bottom.set(qn(key), value)
    _put(numbered._p.get_or_add_pPr(), "pBdr").append(bottom)
    doc.add_paragraph()


# --- tables ----------------------------------------------------------------------------------


def _table(doc: DocumentObject, block: Table, widths_mm: Sequence[float] | None) -> None:
    doc.add_paragraph(prose(block.caption), style=STYLE_NAMES["caption"])
    table = doc.add_table(rows=1 + len(block.rows), cols=len(block.header))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = widths_mm or [TEXT_WIDTH_MM / len(block.header)] * len(block.header)
    _cell_margins(table)
    for i, text in enumerate(block.header):
        cell = table.rows[0].cells[i]
        paragraph = cell.paragraphs[0]
        _styled(paragraph, STYLE_NAMES["table"])
        paragraph.add_run(text).bold = True
    _repeat_header(table)
    for r, row in enumerate(block.rows, start=1):
        cells = table.rows[r].cells
        for c, parts in enumerate(row):
            paragraph = cells[c].paragraphs[0]
            _styled(paragraph, STYLE_NAMES["table"])
            if c == 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            _runs(paragraph, parts)
    _widths(table, widths)


def _widths(table: DocxTable, widths_mm: Sequence[float]) -> None:
    """Fixed column widths, in the grid (LibreOffice reads it) and in every cell (Word reads those)."""
    tbl = table._tbl
    _put(tbl.tblPr, "tblLayout").set(qn("w:type"), "fixed")
    width = _put(tbl.tblPr, "tblW")
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(sum(Mm(w).twips for w in widths_mm)))
    for column, mm in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        column.set(qn("w:w"), str(Mm(mm).twips))
    for row in table.rows:
        for cell, mm in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(mm)


def _styled(paragraph: DocxParagraph, name: str) -> None:
    """Give ``paragraph`` one of this module's styles by its id (python-docx's name lookup scans every
    style each time; a table has hundreds of cells). The ids are the names: added with no spaces."""
    paragraph._p.get_or_add_pPr().style = name


def _repeat_header(table: DocxTable) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    tr_pr.append(header)


def _cell_margins(table: DocxTable) -> None:
    """Narrow cell margins (1 mm): nine columns in 156 mm."""
    margins = _put(table._tbl.tblPr, "tblCellMar")
    for side in ("left", "right"):  # CT_TblCellMar: top, left (start), bottom, right (end)
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:w"), "57")
        edge.set(qn("w:type"), "dxa")
        margins.append(edge)


def _properties(doc: DocumentObject, bulletin: Bulletin) -> None:
    props = doc.core_properties
    props.title = prose(bulletin.title)
    props.author = props.last_modified_by = prose(bulletin.issuer)
    props.comments = ""
    props.keywords = ""
    props.subject = ""
    moment = dt.datetime.combine(bulletin.as_of, dt.time())
    props.created = props.modified = moment
    props.revision = 1


__all__ = [
    "BODY_FONT", "CHARS_PER_LINE", "FONT_TABLE", "HEADING_FONTS", "LATIN_FONT", "LINES_PER_PAGE", "LINE_TWIPS",
    "MARGINS_MM", "PAGE_MM", "PAGE_NUMBER_FONT", "STYLE_NAMES", "TITLE_FONT", "bulletin_docx",
]
