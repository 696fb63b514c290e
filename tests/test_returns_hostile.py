"""Broken and hostile files: each is refused with one clear problem, never a traceback or a crash.

The files are made here: truncated and fake zips, zip bombs (by ratio, by declared total, by a
member that lies about its size), an XML entity bomb, encrypted workbooks, sheets whose extent
would make python-calamine allocate gigabytes (which aborts the process, not just raises), and
files that are not spreadsheets at all. The last test reads them all under a 400 MiB limit.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile import ODS_ATTACKS, SHEET_SIZE_ATTACKS, _ods, patch_central_size
from pingtai.periods import Period
from pingtai.records import ParsedReturn
from pingtai.returns import read_return, sniff_format
from workbooks import CATALOG, CONTENT_TYPES, FREEFORM, ole2, raw_xlsx, write_csv, write_xls, write_xlsx, write_zip

TESTS = Path(__file__).parent


def refused(result: ParsedReturn) -> tuple[str, str]:
    """The single problem of a refused file, as (code, message); checks nothing else was read."""
    assert len(result.problems) == 1, result.problems
    assert result.values == [] and result.tasks == []
    problem = result.problems[0]
    assert problem.where == result.path.name and problem.severity == "error"
    return problem.code, problem.message


def read(path: Path) -> ParsedReturn:
    return read_return(path, CATALOG, agency="市商务局")


# --- not there, not a file, nothing in it --------------------------------------------------------------


def test_missing_file_directory_and_empty_file(tmp_path: Path) -> None:
    assert refused(read(tmp_path / "nope.xlsx")) == ("no-file", "文件不存在")
    (tmp_path / "folder.xlsx").mkdir()
    assert refused(read(tmp_path / "folder.xlsx")) == ("not-a-file", "这是一个文件夹，不是文件")
    (tmp_path / "empty.xlsx").write_bytes(b"")
    assert refused(read(tmp_path / "empty.xlsx")) == ("empty-file", "文件是空的")


def test_a_fifo_or_a_device_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    """Opening a FIFO for reading waits for a writer for ever (#13 item 7)."""
    import os

    os.mkfifo(tmp_path / "管道.xlsx")
    message = "不是普通文件（命名管道、设备或套接字）：请提供工作簿文件"
    assert refused(read(tmp_path / "管道.xlsx")) == ("not-a-file", message)
    assert read_return(Path("/dev/zero"), CATALOG).problems[0].code == "not-a-file"


# --- not what the name says ---------------------------------------------------------------------------


def test_random_bytes_with_an_excel_name(tmp_path: Path) -> None:
    path = tmp_path / "returns.xlsx"
    path.write_bytes(random.Random(7).randbytes(5000))
    assert refused(read(path)) == ("unknown-format", "无法识别的文件格式：请提供 .xlsx、.xls、.ods 或 .csv 文件")
    assert sniff_format(path) == "unknown"


def test_truncated_and_fake_zips(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", {"Sheet1": FREEFORM}).read_bytes()
    (tmp_path / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "fake.xlsx").write_bytes(b"PK\x03\x04" + random.Random(3).randbytes(3000))
    message = "文件已损坏或不完整：不是有效的 Excel/ODS 压缩包（请重新保存或重新发送）"
    assert refused(read(tmp_path / "truncated.xlsx")) == ("broken-zip", message)
    assert refused(read(tmp_path / "fake.xlsx")) == ("broken-zip", message)
    assert sniff_format(tmp_path / "truncated.xlsx") == "broken-zip"


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    plain = write_zip(tmp_path / "photos.xlsx", {"a.txt": "hello"})
    assert refused(read(plain)) == ("not-spreadsheet", "不是工作簿：文件内容是 普通压缩包")
    docx_types = CONTENT_TYPES.replace("spreadsheetml.sheet.main+xml", "wordprocessingml.document.main+xml")
    docx = write_zip(tmp_path / "report.xlsx", {"[Content_Types].xml": docx_types})
    assert refused(read(docx)) == ("not-spreadsheet", "不是工作簿：文件内容是 Word 文档")
    xlsb = write_zip(tmp_path / "b.xlsx", {"[Content_Types].xml": CONTENT_TYPES.replace(
        "spreadsheetml.sheet.main+xml", "ms-excel.sheet.binary.macroEnabled.main")})
    assert refused(read(xlsb)) == ("xlsb", "不支持 .xlsb（二进制工作簿）：请另存为 .xlsx")


def test_web_pages_and_utf16_text_saved_as_xls(tmp_path: Path) -> None:
    html = tmp_path / "export.xls"
    html.write_text("<html><body><table><tr><td>网络零售额</td><td>900</td></tr></table></body></html>", encoding="utf-8")
    assert refused(read(html))[0] == "html"
    xml = tmp_path / "2003.xls"
    xml.write_text('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>')
    assert refused(read(xml))[0] == "xml-spreadsheet"
    utf16 = tmp_path / "unicode.xls"
    utf16.write_bytes("指标名称\t本期数\r\n网络零售额\t900\r\n".encode("utf-16"))
    assert refused(read(utf16)) == ("utf16-text", "这是 UTF-16 编码的文本：请另存为 UTF-8 或 GB18030 编码的 CSV")


def test_text_in_neither_utf8_nor_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(b"a,b\r\n" * 15000 + b"\xff\xfe,1\r\n")  # plain text at first, undecodable after 64 KB
    assert refused(read(path)) == ("unknown-encoding", "无法识别的文本编码：CSV 请使用 UTF-8 或 GB18030（GBK）编码")


# --- encrypted ---------------------------------------------------------------------------------------------


def test_encrypted_ooxml_workbook(tmp_path: Path) -> None:
    # Excel and WPS save a password-protected .xlsx as an OLE2 container with these two streams
    path = tmp_path / "加密.xlsx"
    path.write_bytes(ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": random.Random(1).randbytes(6000)}))
    assert refused(read(path)) == ("encrypted", "加密的工作簿：请另存为未加密文件后再导入")
    assert sniff_format(path) == "encrypted"


def test_encrypted_xls_workbook(tmp_path: Path) -> None:
    data = bytearray(write_xls(tmp_path / "plain.xls", {"Sheet1": FREEFORM}).read_bytes())
    # turn the workbook globals' WRITEACCESS record (0x005C, 112 bytes) into FILEPASS (0x002F)
    at = data.find(b"\x5c\x00\x70\x00")
    assert at > 0
    data[at:at + 2] = b"\x2f\x00"
    path = tmp_path / "加密.xls"
    path.write_bytes(bytes(data))
    assert refused(read(path)) == ("encrypted", "加密的工作簿：请另存为未加密文件后再导入")


def test_other_office_97_documents(tmp_path: Path) -> None:
    path = tmp_path / "memo.xls"
    path.write_bytes(ole2({"WordDocument": b"\xec\xa5" + b"\0" * 100}))
    assert refused(read(path))[0] == "not-spreadsheet"
    broken = tmp_path / "broken.xls"
    broken.write_bytes(ole2({"Workbook": b"\x09\x08\x10\x00"}))
    assert refused(read(broken)) == ("broken-xls", "文件已损坏或不完整：不是有效的 .xls 工作簿（请重新保存或重新发送）")


# --- bombs ---------------------------------------------------------------------------------------------------


def test_xml_entity_expansion_bomb(tmp_path: Path) -> None:
    entities = '<!ENTITY lol "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
                                               for i in range(1, 10))
    path = raw_xlsx(tmp_path / "lol.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                    prolog=f"<!DOCTYPE lolz [{entities}]>")
    assert refused(read(path)) == ("xml-dtd", "工作簿中的 xl/worksheets/sheet1.xml 含有 DOCTYPE/ENTITY 声明（可能是 XML 炸弹）：已拒绝")


def test_member_that_inflates_too_much(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>0</v></c></row>' for r in range(1, 2))
    padding = "<!-- " + "0" * 3_000_000 + " -->"  # 3 MB that deflates to a few KB: ratio far above 100
    path = raw_xlsx(tmp_path / "ratio.xlsx", rows + padding)
    code, message = refused(read(path))
    assert code == "zip-bomb" and "疑似压缩炸弹" in message


def test_member_that_lies_about_its_size_or_declares_hundreds_of_megabytes(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 3000))
    honest = raw_xlsx(tmp_path / "honest.xlsx", rows).read_bytes()
    liar = tmp_path / "liar.xlsx"
    liar.write_bytes(patch_central_size(honest, "xl/worksheets/sheet1.xml", 1000))
    assert refused(read(liar)) == ("zip-bomb", "压缩包内 xl/worksheets/sheet1.xml 解压后超过声明的大小：疑似压缩炸弹，已拒绝")
    noise = random.Random(5).randbytes(1_200_000)  # incompressible: declaring 110 MB keeps the ratio under 100
    huge = raw_xlsx(tmp_path / "huge.xlsx", rows, extra={"xl/media/a.bin": noise, "xl/media/b.bin": noise}).read_bytes()
    for member in ("xl/media/a.bin", "xl/media/b.bin"):
        huge = patch_central_size(huge, member, 110 * 2**20)
    (tmp_path / "huge.xlsx").write_bytes(huge)
    assert refused(read(tmp_path / "huge.xlsx")) == ("zip-bomb", "工作簿解压后过大（220 MB，上限 200 MB）：已拒绝")


def shared_string_bomb(path: Path, cells: int, size: int, odd_spelling: bool = False) -> Path:
    """A small .xlsx whose ``cells`` cells all name one shared string of ``size`` characters.

    ``odd_spelling`` writes the cells as calamine still reads them but no spreadsheet
    application would: prefixed (``<x:c>``), ``t = 's'``, ``<x:v >``.
    """
    types = CONTENT_TYPES.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                                  '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>")
    strings = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               f"<si><t>{'x' * size}</t></si></sst>")
    cell = "<x:c r=\"A{r}\" t = 's'><x:v >0</x:v></x:c>" if odd_spelling else '<c r="A{r}" t="s"><v>0</v></c>'
    rows = "".join(f"<row r=\"{r}\">{cell.format(r=r)}</row>" for r in range(1, cells + 1))
    extra = {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels, "xl/sharedStrings.xml": strings}
    path = raw_xlsx(path, rows, extra=extra)
    if odd_spelling:  # declare the prefix on the root element
        with zipfile.ZipFile(path) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        members["xl/worksheets/sheet1.xml"] = members["xl/worksheets/sheet1.xml"].replace(
            b"<worksheet ", b'<worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ')
        write_zip(path, members)
    return path


def test_one_long_shared_string_named_by_many_cells(tmp_path: Path) -> None:
    # 2,000 cells × 60,000 characters: a 300 KB file that would make calamine copy 120 MB of text
    path = shared_string_bomb(tmp_path / "copies.xlsx", 2000, 60_000)
    assert refused(read(path)) == ("too-much-text", "工作表 'Sheet1' 的单元格文字合计过大（超过 96 MB，同一段长文本被大量单元格引用）："
                                                    "疑似恶意文件，已拒绝")
    fine = read(shared_string_bomb(tmp_path / "fine.xlsx", 200, 60_000))  # 12 MB: allowed (and no table in it)
    assert [p.code for p in fine.problems] == ["no-layout"]
    odd = shared_string_bomb(tmp_path / "odd.xlsx", 2000, 60_000, odd_spelling=True)
    assert refused(read(odd))[0] == "too-much-text"


def test_one_long_string_in_many_xls_cells(tmp_path: Path) -> None:
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("S")
    for row in range(1100):
        sheet.write(row, 0, "网" * 32000)  # 1,100 × 96 KB of text once calamine copies it
    workbook.save(str(tmp_path / "copies.xls"))
    assert refused(read(tmp_path / "copies.xls"))[0] == "too-much-text"


# --- absurd dimensions ------------------------------------------------------------------------------------------


def test_cells_far_apart_in_xlsx(tmp_path: Path) -> None:
    path = raw_xlsx(tmp_path / "far.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>'
                                           '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')
    assert refused(read(path)) == ("sheet-too-large", "工作表 'Sheet1' 的范围过大（1048576 行 × 16384 列，上限 2000000 个单元格）："
                                                      "请删除多余的行列或拆分文件后再导入")


@pytest.mark.parametrize("cells", [
    '<row><c><v>1</v></c></row><row r="1048576"><c s="1" r="XFD1048576"><v>2</v></c></row>',  # r not first
    '<row r="1"><c r="A1"><v>1</v></c></row><row r="900000"><c\tr="ZZ900000"><v>2</v></c></row>',  # a tab
    '<row r="1"><c r="a1"><v>1</v></c><c r="xfd1048576"><v>2</v></c></row>',  # lower case
])
def test_irregular_xml_is_measured_exactly(tmp_path: Path, cells: str) -> None:
    assert refused(read(raw_xlsx(tmp_path / "odd.xlsx", cells)))[0] == "sheet-too-large"


@pytest.mark.parametrize("name", sorted(SHEET_SIZE_ATTACKS))
def test_every_way_calamine_places_a_far_cell_is_refused(tmp_path: Path, name: str) -> None:
    """Each spelling calamine reads (quotes, spaces, implicit positions, a second r, a quoted >,
    any prefix, rows in comments or CDATA) is measured as calamine places it (#13 item 1)."""
    code = refused(read(raw_xlsx(tmp_path / "odd.xlsx", SHEET_SIZE_ATTACKS[name])))[0]
    assert code == ("sheet-xml" if name == "重复的r属性" else "sheet-too-large")


def test_a_sheet_without_cell_references_is_read_where_calamine_puts_it(tmp_path: Path) -> None:
    """Writers that leave out ``r`` (and single quotes) are measured exactly, not refused: the
    cells follow the rows and each other, as in calamine."""
    cells = ("<row><c t='inlineStr'><is><t>指标名称</t></is></c><c t='inlineStr'><is><t>本期数</t></is></c></row>"
             "<row><c t='inlineStr'><is><t>平台</t></is></c><c><v>98</v></c></row>")
    result = read_return(raw_xlsx(tmp_path / "plain.xlsx", cells), CATALOG, agency="市商务局", period=Period(2024, "Q", 3))
    assert result.errors == []
    assert [(v.indicator, v.value, v.where) for v in result.values] == [("platforms", 98.0, "plain.xlsx!Sheet1!B2")]


def test_a_dimension_the_reader_reserves_counts_with_the_cells(tmp_path: Path) -> None:
    """calamine reserves a dimension's cells when there are fewer than 100,000: with a grid near
    the cap, that is what tips it over — and a dimension of any size alone is harmless."""
    cells = '<row r="1"><c r="A1"><v>1</v></c></row><row r="120000"><c r="P120000"><v>2</v></c></row>'
    assert refused(read(raw_xlsx(tmp_path / "a.xlsx", cells, dimension="A1:P6000"))) == (
        "sheet-too-large", "工作表 'Sheet1' 的范围过大（120000 行 × 16 列，另预留 96000 个单元格，上限 2000000 个单元格）："
                           "请删除多余的行列或拆分文件后再导入")
    assert read(raw_xlsx(tmp_path / "b.xlsx", cells, dimension="A1:XFD1048576")).problems[0].code != "sheet-too-large"


def test_a_shared_formula_over_an_absurd_range_is_refused(tmp_path: Path) -> None:
    cells = '<row r="1"><c r="A1"><f t="shared" ref="A1:XFD1048576" si="0">B1</f><v>1</v></c></row>'
    assert refused(read(raw_xlsx(tmp_path / "f.xlsx", cells)))[0] == "sheet-too-large"


def test_single_quoted_ods_repeats_are_measured(tmp_path: Path) -> None:
    for name, rows in ODS_ATTACKS.items():
        assert refused(read(_ods(tmp_path / f"{name}.ods", rows)))[0] == "sheet-too-large", name


_QUOTES = st.sampled_from(['"', "'"])
_CELLS = st.lists(st.tuples(st.one_of(st.none(), st.tuples(st.integers(1, 40), st.integers(1, 30))), st.booleans(),
                            _QUOTES, st.booleans()), max_size=6)
_ROWS = st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 40)), _QUOTES, _CELLS), max_size=8)


@settings(max_examples=150, deadline=None)
@given(_ROWS)
def test_the_scan_covers_every_cell_calamine_reads(rows: list[Any]) -> None:
    """Whatever mix of explicit and implicit positions, quote styles and prefixes a sheet has, the
    scan's extent (from A1) covers every non-empty cell python-calamine itself reads."""
    import io

    from python_calamine import CalamineWorkbook

    from pingtai.returns.scan_xlsx import scan_xlsx
    from pingtai.returns.sniff import Refused

    parts = []
    for row_ref, row_quote, cells in rows:
        attr = f" r={row_quote}{row_ref}{row_quote}" if row_ref is not None else ""
        parts.append(f"<row{attr}>")
        for ref, filled, quote, prefixed in cells:
            tag = "x:c" if prefixed else "c"
            xmlns = ' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if prefixed else ""
            position = f" r={quote}{_letters(ref[1])}{ref[0]}{quote}" if ref is not None else ""
            parts.append(f"<{tag}{xmlns}{position}><v>1</v></{tag}>" if filled else f"<{tag}{xmlns}{position}/>")
        parts.append("</row>")
    with tempfile.TemporaryDirectory() as folder:
        data = raw_xlsx(Path(folder) / "p.xlsx", "".join(parts)).read_bytes()
    try:
        [scan] = scan_xlsx(data).values()
    except Refused:
        return  # refusing is always safe
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("Sheet1")
    if sheet.end is not None:
        assert scan.rows > sheet.end[0] and scan.cols > sheet.end[1], (scan, sheet.end)


def _letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def test_prefixed_cells_are_measured(tmp_path: Path) -> None:
    sheet = ('<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
             '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="XFD1048576"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>')
    path = raw_xlsx(tmp_path / "prefixed.xlsx", "", extra={"xl/worksheets/sheet1.xml": sheet})
    assert refused(read(path))[0] == "sheet-too-large"


def test_absurd_dimension_element_alone_is_harmless(tmp_path: Path) -> None:
    cells = ('<row r="1"><c r="A1" t="inlineStr"><is><t>指标名称</t></is></c><c r="B1" t="inlineStr"><is><t>本期数</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>平台</t></is></c><c r="B2"><v>98</v></c></row>'
             '<row r="1048576"><c r="XFD1048576" s="1"/></row>')  # an empty styled cell: calamine ignores it
    result = read_return(raw_xlsx(tmp_path / "dim.xlsx", cells, dimension="A1:XFD1048576"), CATALOG, agency="市商务局",
                         period=Period(2024, "Q", 3))
    assert result.problems == []
    assert [(v.indicator, v.value) for v in result.values] == [("platforms", 98.0)]


def test_cells_far_apart_in_xls(tmp_path: Path) -> None:
    path = tmp_path / "far.xls"
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("S")
    sheet.write(0, 0, 1)
    sheet.write(65535, 255, 2)
    workbook.save(str(path))
    assert refused(read(path))[0] == "sheet-too-large"


def test_repeated_cells_in_ods(tmp_path: Path) -> None:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               '<office:body><office:spreadsheet><table:table table:name="S">'
               '<table:table-row table:number-rows-repeated="100000"><table:table-cell office:value-type="float" office:value="1" '
               'table:number-columns-repeated="1000"><text:p>1</text:p></table:table-cell></table:table-row>'
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                "</manifest:manifest>")
    path = tmp_path / "rep.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    assert refused(read(path)) == ("sheet-too-large", "工作表 'S' 的范围过大（100000 行 × 1000 列，上限 2000000 个单元格）："
                                                      "请删除多余的行列或拆分文件后再导入")


def test_ods_tables_together_too_large(tmp_path: Path) -> None:
    table = ('<table:table table:name="{name}"><table:table-row table:number-rows-repeated="300000"><table:table-cell '
             'office:value-type="float" office:value="1"/></table:table-row></table:table>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"><office:body><office:spreadsheet>'
               f"{table.format(name='A')}{table.format(name='B')}</office:spreadsheet></office:body></office:document-content>")
    path = tmp_path / "two.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    assert refused(read(path)) == ("sheet-too-large", "工作簿的表格范围合计过大（600000 个单元格，上限 500000）：请删除多余的行列或拆分文件后再导入")


def test_csv_too_wide(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "wide.csv", [["指标名称", "本期数", *["x"] * 20000]])
    assert refused(read(path))[0] == "sheet-too-large"


# --- all of them under a memory limit ---------------------------------------------------------------------------

_UNDER_LIMIT = """
import resource, sys
from pathlib import Path
sys.path.insert(0, {tests!r})
resource.setrlimit(resource.RLIMIT_AS, (400 * 2**20, 400 * 2**20))
from hostile import patch_central_size
from workbooks import CATALOG
from pingtai.returns import read_return
for name in sys.argv[1:]:
    result = read_return(Path(name), CATALOG)
    print(Path(name).name, ",".join(p.code for p in result.errors))
"""


def test_hostile_files_stay_under_400_mib(tmp_path: Path) -> None:
    far_xlsx = raw_xlsx(tmp_path / "far.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')
    import xlwt

    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("S")
    sheet.write(0, 0, 1)
    sheet.write(65535, 255, 2)
    workbook.save(str(tmp_path / "far.xls"))
    bomb = raw_xlsx(tmp_path / "bomb.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><!-- ' + "0" * 3_000_000 + " -->")
    copies = shared_string_bomb(tmp_path / "copies.xlsx", 100_000, 30_000)  # 3 GB of copies; a process abort unguarded
    script = _UNDER_LIMIT.format(tests=str(TESTS))
    files = [str(far_xlsx), str(tmp_path / "far.xls"), str(bomb), str(copies)]
    done = subprocess.run([sys.executable, "-c", script, *files], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["far.xlsx sheet-too-large", "far.xls sheet-too-large", "bomb.xlsx zip-bomb",
                                        "copies.xlsx too-much-text"]
