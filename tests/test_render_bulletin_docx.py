"""The bulletin's Word document read back with python-docx (page setup, styles, fonts, headings, tables,
page numbers) and printed by LibreOffice to PDF, whose text pdftotext extracts: GB/T 9704's page."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.styles.style import ParagraphStyle

from bulletin_helpers import example_ledger
from ledger_helpers import catalog
from pingtai import service
from pingtai.bulletin import Bulletin, Paragraph, Subheading, Table
from pingtai.bulletin.model import Quote, Section, Words, plain
from pingtai.periods import Period
from pingtai.render import bulletin_docx as layout
from pingtai.render.bulletin_docx import bulletin_docx
from programs import external, pdftotext, soffice_convert
from report_helpers import MARKUP_TEXT

DOC_NUMBER = "绍平台办〔2025〕1号"


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory: pytest.TempPathFactory) -> Bulletin:
    db = example_ledger(tmp_path_factory.mktemp("examples") / "ledger.sqlite3")
    return service.bulletin(catalog(), service.Store(db), Period(2024), doc_number=DOC_NUMBER)


@pytest.fixture(scope="module")
def docx_path(bulletin: Bulletin, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("docx") / "通报.docx"
    path.write_bytes(bulletin_docx(bulletin))
    return path


@pytest.fixture(scope="module")
def doc(docx_path: Path) -> DocumentObject:
    return Document(str(docx_path))


def style(doc: DocumentObject, name: str) -> ParagraphStyle:
    found = doc.styles[name]
    assert isinstance(found, ParagraphStyle)
    return found


def east_asian(element: object) -> dict[str, str]:
    fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts"))  # type: ignore[attr-defined]
    assert fonts is not None
    return {key.rpartition("}")[2]: value for key, value in fonts.attrib.items()}


# --- page ------------------------------------------------------------------------------------


def test_a4_with_the_margins_of_gb_t_9704(doc: DocumentObject) -> None:
    section = doc.sections[0]
    assert section.page_width is not None and section.page_height is not None
    for measured, mm in ((section.page_width, 210), (section.page_height, 297), (section.top_margin, 37),
                         (section.bottom_margin, 35), (section.left_margin, 28), (section.right_margin, 26)):
        assert measured is not None
        assert abs(measured.mm - mm) < 0.05, (measured.mm, mm)  # twentieths of a point: within 0.02 mm
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid is not None and grid.get(qn("w:linePitch")) == "579" and grid.get(qn("w:type")) == "lines"
    assert doc.settings.odd_and_even_pages_header_footer


def test_page_numbers_at_the_outer_corner_in_si_hao_song(doc: DocumentObject) -> None:
    section = doc.sections[0]
    for footer, alignment, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                    (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        (paragraph,) = footer.paragraphs
        assert paragraph.alignment == alignment and paragraph.style is not None
        assert paragraph.style.name == "页码"
        ind = paragraph._p.pPr.find(qn("w:ind"))
        assert ind is not None and ind.get(qn(f"w:{side}")) == "280"  # one 4号 character in
        xml = paragraph._p.xml
        assert 'w:instr=" PAGE "' in xml and "— " in xml and " —" in xml
    page = style(doc, "页码")
    assert page.font.size == Pt(14)
    assert east_asian(page.element) == {"ascii": "宋体", "hAnsi": "宋体", "eastAsia": "宋体", "cs": "宋体"}


# --- styles and fonts ------------------------------------------------------------------------


def test_body_is_san_hao_fangsong_on_fixed_lines(doc: DocumentObject) -> None:
    normal = style(doc, "Normal")
    assert normal.font.size == Pt(16)
    assert east_asian(normal.element) == {"ascii": "Times New Roman", "hAnsi": "Times New Roman",
                                          "eastAsia": "仿宋_GB2312", "cs": "Times New Roman"}
    fmt = normal.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY and fmt.line_spacing == Pt(28.95)
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY and fmt.space_after == Pt(0)
    ind = normal.element.pPr.find(qn("w:ind"))
    assert ind is not None and ind.get(qn("w:firstLineChars")) == "200"  # two characters
    spacing = normal.element.rPr.find(qn("w:spacing"))
    assert spacing is not None and spacing.get(qn("w:val")) == "-5"
    # 28 characters of 16 − 0.25 pt fit the 156 mm line; 29 do not
    width_pt = 156 / 25.4 * 72
    assert 28 * (16 - 0.25) <= width_pt < 29 * (16 - 0.25)
    # 22 lines of 28.95 pt fit the 225 mm text area; 23 do not
    assert 22 * 28.95 <= 225 / 25.4 * 72 < 23 * 28.95


@pytest.mark.parametrize(("name", "font", "size", "outline"), [
    ("公文标题", "方正小标宋简体", 22, None), ("一级标题", "黑体", 16, "0"), ("二级标题", "楷体_GB2312", 16, "1"),
    ("表格文字", "仿宋_GB2312", 14, None), ("表题", "黑体", 14, None),
])
def test_title_headings_and_tables_name_their_chinese_fonts(doc: DocumentObject, name: str, font: str, size: int,
                                                            outline: str | None) -> None:
    found = style(doc, name)
    assert found.font.size == Pt(size)
    fonts = east_asian(found.element)
    assert fonts["eastAsia"] == font and not any(k.endswith("Theme") for k in fonts)
    level = found.element.pPr.find(qn("w:outlineLvl"))
    assert (level.get(qn("w:val")) if level is not None else None) == outline


def test_the_title_is_centred_and_the_font_table_names_substitutes(doc: DocumentObject, docx_path: Path) -> None:
    title = style(doc, "公文标题")
    assert title.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    with zipfile.ZipFile(docx_path) as archive:
        fonts = archive.read("word/fontTable.xml").decode()
    for name, alternative in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体")):
        assert re.search(rf'<w:font w:name="{name}"><w:altName w:val="{alternative}"/><w:charset w:val="86"/>',
                         fonts), name


# --- content ---------------------------------------------------------------------------------


def test_headings_paragraphs_and_order_follow_the_data(doc: DocumentObject, bulletin: Bulletin) -> None:
    paragraphs = doc.paragraphs
    masthead = paragraphs[0]
    assert masthead.text == bulletin.issuer and masthead.style is not None and masthead.style.name == "发文机关标志"
    assert masthead.style.font.color.rgb == layout.RED
    numbered = next(p for p in paragraphs if p.text == DOC_NUMBER)
    assert 'w:color="FF0000"' in numbered._p.xml  # the red separator line under the 发文字号
    titles = [p for p in paragraphs if p.style is not None and p.style.name == "公文标题" and p.text]
    assert [p.text for p in titles] == [bulletin.title]
    by_style: dict[str, list[str]] = {}
    for p in paragraphs:
        by_style.setdefault(p.style.name if p.style else "", []).append(p.text)
    assert by_style["一级标题"] == [s.number + s.title for s in bulletin.sections]
    assert by_style["二级标题"] == [b.number + plain(b.parts) for s in bulletin.sections for b in s.blocks
                                 if isinstance(b, Subheading)]
    expected = [b.text for s in bulletin.sections for b in s.blocks if isinstance(b, Paragraph)]
    assert [t for t in by_style["Normal"] if t] == [DOC_NUMBER, *expected, bulletin.issuer, bulletin.date]


def test_every_table_cell_is_the_datas(doc: DocumentObject, bulletin: Bulletin) -> None:
    tables = [b for s in bulletin.sections for b in s.blocks if isinstance(b, Table)]
    assert len(doc.tables) == len(tables) == 3  # two plans' indicators, 网络零售额 by area
    for table, block in zip(doc.tables, tables, strict=True):
        header = table.rows[0]
        assert [c.text for c in header.cells] == list(block.header)
        assert all(run.bold for c in header.cells for run in c.paragraphs[0].runs)
        tr_pr = header._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None  # repeated on every page
        assert [[c.text for c in row.cells] for row in table.rows[1:]] == [
            [plain(cell) for cell in row] for row in block.rows]
        assert {p.style.name for row in table.rows for c in row.cells for p in c.paragraphs if p.style} == {"表格文字"}
    widths = [round(int(c.get(qn("w:w"))) / 1440 * 25.4) for c in doc.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert widths == list(layout.INDICATOR_COLUMNS_MM) and sum(widths) == 156
    area = [round(int(c.get(qn("w:w"))) / 1440 * 25.4) for c in doc.tables[2]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert len(area) == 5 and sum(area) in (155, 156, 157)  # the text's width, shared out
    assert [c.text for c in doc.tables[2].rows[1].cells] == ["1", "柯桥区", "352.1", "15.4", "30.6"]
    captions = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "表题"]
    assert captions == [b.caption for b in tables]


def test_the_authors_place_is_marked(doc: DocumentObject) -> None:
    marked = [p for p in doc.paragraphs if "起草人补充" in p.text]
    assert len(marked) == 1
    assert all(run.font.highlight_color == WD_COLOR_INDEX.YELLOW and run.bold for run in marked[0].runs)


def test_properties_and_no_english_in_the_text(doc: DocumentObject, bulletin: Bulletin) -> None:
    assert doc.core_properties.title == bulletin.title and doc.core_properties.author == bulletin.issuer
    texts = [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert not [t for t in texts if re.search(r"[A-Za-z]", t)]


_ORDER_CHECKED = ("pPr", "rPr", "tblPr")


def test_properties_are_in_the_order_the_schema_fixes(docx_path: Path) -> None:
    """Word refuses a document whose property elements are out of order (LibreOffice does not)."""
    with zipfile.ZipFile(docx_path) as archive:
        parts = {n: archive.read(n).decode() for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")}
    for name, xml in parts.items():
        for kind in _ORDER_CHECKED:
            order = layout._ORDER[kind]
            for body in re.findall(rf"<w:{kind}>(.*?)</w:{kind}>", xml, flags=re.S):
                flat = re.sub(r"<w:(\w+)(?:\s[^>]*)?(?<!/)>.*?</w:\1>", lambda m: f"<w:{m.group(1)}/>", body,
                              flags=re.S)  # an element with children counts as itself
                tags = re.findall(r"<w:(\w+)[ />]", flat)
                known = [t for t in tags if t in order]
                assert known == sorted(known, key=order.index), (name, kind, tags)


def test_hostile_text_is_plain_text(tmp_path: Path) -> None:
    hostile = f"{MARKUP_TEXT} {{PAGE}} =1+1"
    made = Bulletin(period=Period(2024), as_of=dt.date(2025, 1, 21), plans=["plan_2023_38"], title="关于测试的通报",
                    doc_number="", issuer="测试办公室", date="2025年1月21日",
                    sections=[Section("overview", "一、", "总体情况", (Paragraph((Words("问题："),
                                                                              Quote(hostile))),))])
    data = bulletin_docx(made)
    document = Document(io.BytesIO(data))
    assert any(p.text == "问题：" + hostile for p in document.paragraphs)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml").decode()
    assert "&lt;script&gt;" in body and "<script>" not in body
    for tag in ("w:hyperlink", "w:fldSimple", "w:instrText", "w:fldChar"):
        assert tag not in body, tag


# --- printed: LibreOffice → PDF → pdftotext ---------------------------------------------------


@pytest.fixture(scope="module")
def pdf(docx_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pdf")
    return soffice_convert(docx_path, "pdf", work / "out", work / "profile", package="libreoffice-writer")


@pytest.mark.external
def test_libreoffice_prints_the_bulletin(pdf: Path, bulletin: Bulletin) -> None:
    text = pdftotext(pdf)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", bulletin.title) in flat and DOC_NUMBER in flat
    for section in bulletin.sections:
        assert section.number + section.title in flat
    first = next(b for s in bulletin.sections for b in s.blocks if isinstance(b, Paragraph))
    assert first.text in flat
    pages = text.count("\f")
    assert pages >= 5
    for page in range(1, pages + 1):  # every page numbered "— n —"
        assert re.search(rf"—\s*{page}\s*—", pdftotext(pdf, "-f", str(page), "-l", str(page))), page


@pytest.mark.external
def test_a_full_page_holds_22_lines_of_28_characters_and_numbers_sit_outside(tmp_path: Path) -> None:
    words = "平台经济高质量发展工作推进情况通报起草测试文字"
    long = "".join(words[i % len(words)] for i in range(1500))
    made = Bulletin(period=Period(2024), as_of=dt.date(2025, 1, 21), plans=["plan_2023_38"], title="关于版面的通报",
                    doc_number="", issuer="测试办公室", date="2025年1月21日",
                    sections=[Section("overview", "一、", "总体情况", (Paragraph((Words(long),)),))])
    source = tmp_path / "版面.docx"
    source.write_bytes(bulletin_docx(made))
    printed = soffice_convert(source, "pdf", tmp_path / "out", tmp_path / "profile", package="libreoffice-writer")
    page = pdftotext(printed, "-layout", "-f", "2", "-l", "2")
    lines = [line.strip() for line in page.splitlines() if line.strip() and "—" not in line]
    assert len(lines) == 22, lines
    assert all(len(line) == 28 for line in lines), [len(line) for line in lines]
    boxes = pdftotext(printed, "-bbox", "-f", "1", "-l", "2")
    numbers = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([12])</word>', boxes)
    (x1, y1, _, _), (x2, _, _, _) = [n for n in numbers if n[3] == "1"][-1:] + [n for n in numbers if n[3] == "2"][-1:]
    mm = 25.4 / 72
    assert float(x1) * mm > 210 / 2 > float(x2) * mm  # odd page right, even page left
    assert 5 < float(y1) * mm - (297 - 35) < 10  # about 7 mm under the text area


# --- the picture README shows ----------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_readme_shows_page_one_of_the_example_bulletin() -> None:
    root = Path(__file__).resolve().parents[1]
    assert "](docs/images/bulletin.png)" in (root / "README.md").read_text(encoding="utf-8")
    width, height = _png_size((root / "docs" / "images" / "bulletin.png").read_bytes())
    assert abs(height / width - 297 / 210) < 0.01  # an A4 page


@pytest.mark.external
@pytest.mark.slow
def test_the_script_redraws_the_picture(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[1] / "examples" / "make_bulletin_png.py"
    spec = importlib.util.spec_from_file_location("make_bulletin_png", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    external("soffice", "libreoffice-writer")
    external("pdftoppm", "poppler-utils")
    out = module.main(tmp_path / "page.png")
    width, height = _png_size(out.read_bytes())
    assert (width, height) == (794, 1123)  # A4 at 96 dpi
