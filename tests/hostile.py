"""A corpus of malformed and hostile returns, built in code: what every reading command must refuse.

Built from the workbook writers in :mod:`workbooks` (the reader tests' own), each file with the
problem code the reader gives it. ``test_returns_hostile`` checks the reader's message for each
kind one by one; ``test_hostile_import`` sends the whole corpus through ``pingtai import``.
"""

from __future__ import annotations

import random
import struct
import zipfile
from pathlib import Path

from workbooks import CONTENT_TYPES, FREEFORM, ole2, raw_xlsx, write_csv, write_xls, write_xlsx, write_zip


def patch_central_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite the uncompressed size the zip central directory declares for ``member``."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_len] == member.encode():
            return data[:at + 24] + struct.pack("<I", size) + data[at + 28:]
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(member)


def _ods(path: Path, rows_xml: str) -> Path:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
               f'<office:body><office:spreadsheet><table:table table:name="S">{rows_xml}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


SHEET_SIZE_ATTACKS = {
    "单引号": "<row r='1'><c r='A1'><v>1</v></c></row><row r='1048576'><c r='XFD1048576'><v>2</v></c></row>",
    "等号旁空格": '<row r="1"><c r="A1"><v>1</v></c></row><row r = "1048576"><c r = "XFD1048576"><v>2</v></c></row>',
    "隐式位置": '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFC1"><v>1</v></c><c><v>2</v></c></row>',
    "百万行后的无r单元格": '<row r="1"><c r="A1"><v>1</v></c></row><row r="1000000">' + "<c><v>1</v></c>" * 20 + "</row>",
    "重复的r属性": '<row r="1"><c r="A1"><v>1</v></c><c r="A1" r="XFD1048576"><v>2</v></c></row>',
    "引号中的大于号": '<row r="1"><c r="A1"><v>1</v></c><c s=">" r="XFD1048576"><v>2</v></c></row>',
    "中文前缀": ('<row r="1"><c r="A1"><v>1</v></c><中:c xmlns:中="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
             ' r="XFD1048576"><v>2</v></中:c></row>'),
    "注释中的行": '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><!-- <row r="1"> --><c r="XFC1"><v>1</v></c><c><v>2</v></c></row>',
    "CDATA中的行": ('<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFC5" t="str"><v><![CDATA[<row r="1">]]></v></c>'
                 "<c><v>2</v></c></row>"),
    "行号带列字母": '<row r="1"><c r="A1"><v>1</v></c></row><row r="XFD1048576"><c r="XFC3"><v>1</v></c><c><v>2</v></c></row>',
}
"""Sheets whose cells calamine places at the far corner (see :mod:`pingtai.returns.scan_xlsx`)."""
ODS_ATTACKS = {
    "单引号重复": ("<table:table-row table:number-rows-repeated='90000'><table:table-cell office:value-type='float' "
              "office:value='1' table:number-columns-repeated='1000'><text:p>1</text:p></table:table-cell></table:table-row>"),
    "等号旁空格重复": ('<table:table-row table:number-rows-repeated = "90000"><table:table-cell office:value-type="float" '
                'office:value="1" table:number-columns-repeated = "1000"><text:p>1</text:p></table:table-cell></table:table-row>'),
}


def corpus(folder: Path) -> dict[Path, str]:
    """Write every hostile file into ``folder``; returns each path with the reader's problem code."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20250120)
    files: dict[Path, str] = {}

    def put(name: str, data: bytes, code: str) -> None:
        path = folder / name
        path.write_bytes(data)
        files[path] = code

    whole = write_xlsx(folder / "完整.xlsx", {"Sheet1": FREEFORM}).read_bytes()
    (folder / "完整.xlsx").unlink()
    put("空文件.xlsx", b"", "empty-file")
    put("截断.xlsx", whole[: len(whole) // 2], "broken-zip")
    put("随机字节.xlsx", rng.randbytes(5000), "unknown-format")
    put("伪压缩包.xlsx", b"PK\x03\x04" + rng.randbytes(3000), "broken-zip")
    files[write_zip(folder / "普通压缩包.xlsx", {"a.txt": "hello"})] = "not-spreadsheet"
    docx = CONTENT_TYPES.replace("spreadsheetml.sheet.main+xml", "wordprocessingml.document.main+xml")
    files[write_zip(folder / "其实是Word.xlsx", {"[Content_Types].xml": docx})] = "not-spreadsheet"
    xlsb = CONTENT_TYPES.replace("spreadsheetml.sheet.main+xml", "ms-excel.sheet.binary.macroEnabled.main")
    files[write_zip(folder / "二进制.xlsx", {"[Content_Types].xml": xlsb})] = "xlsb"
    # bombs: by ratio, by a member lying about its size, by a declared total; XML entities
    files[raw_xlsx(folder / "压缩炸弹.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row><!-- ' + "0" * 3_000_000 + " -->")] = "zip-bomb"
    honest = raw_xlsx(folder / "诚实.xlsx", "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                                 for r in range(1, 3000))).read_bytes()
    (folder / "诚实.xlsx").unlink()
    put("谎报大小.xlsx", patch_central_size(honest, "xl/worksheets/sheet1.xml", 1000), "zip-bomb")
    noise = rng.randbytes(1_200_000)
    huge = raw_xlsx(folder / "声明过大.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>',
                    extra={"xl/media/a.bin": noise, "xl/media/b.bin": noise}).read_bytes()
    for member in ("xl/media/a.bin", "xl/media/b.bin"):
        huge = patch_central_size(huge, member, 110 * 2**20)
    put("声明过大.xlsx", huge, "zip-bomb")
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    files[raw_xlsx(folder / "实体炸弹.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                   prolog=f"<!DOCTYPE lolz [{entities}]>")] = "xml-dtd"
    # encrypted and other Office 97 files
    put("加密.xlsx", ole2({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00",
                          "EncryptedPackage": rng.randbytes(6000)}), "encrypted")
    xls = bytearray(write_xls(folder / "明文.xls", {"Sheet1": FREEFORM}).read_bytes())
    (folder / "明文.xls").unlink()
    at = xls.find(b"\x5c\x00\x70\x00")  # WRITEACCESS → FILEPASS: the workbook says it is encrypted
    xls[at:at + 2] = b"\x2f\x00"
    put("加密.xls", bytes(xls), "encrypted")
    put("Word文档.xls", ole2({"WordDocument": b"\xec\xa5" + b"\0" * 100}), "not-spreadsheet")
    put("损坏.xls", ole2({"Workbook": b"\x09\x08\x10\x00"}), "broken-xls")
    # absurd dimensions: cells far apart, repeated cells, a million empty rows, a CSV too wide
    files[raw_xlsx(folder / "相距甚远.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>'
                                              '<row r="1048576"><c r="XFD1048576"><v>2</v></c></row>')] = "sheet-too-large"
    files[raw_xlsx(folder / "百万空行.xlsx", "".join(f'<row r="{i}"/>' for i in range(1, 1_000_001)),
                   dimension="A1:A1000000")] = "sheet-too-large"
    files[_ods(folder / "重复单元格.ods", '<table:table-row table:number-rows-repeated="100000"><table:table-cell '
                                          'office:value-type="float" office:value="1" table:number-columns-repeated="1000">'
                                          "<text:p>1</text:p></table:table-cell></table:table-row>")] = "sheet-too-large"
    files[_ods(folder / "百万空行.ods", '<table:table-row table:number-rows-repeated="1000000"><table:table-cell '
                                        'table:number-columns-repeated="1024"/></table:table-row>')] = "no-layout"
    files[write_csv(folder / "过宽.csv", [["指标名称", "本期数", *["x"] * 20000]])] = "sheet-too-large"
    # issue 13: what calamine places where the byte-level scan once looked elsewhere (each aborted
    # the process with SIGABRT, or took seconds and gigabytes, before the scan modelled calamine)
    for name, cells in SHEET_SIZE_ATTACKS.items():
        files[raw_xlsx(folder / f"{name}.xlsx", cells)] = "sheet-xml" if name == "重复的r属性" else "sheet-too-large"
    files[raw_xlsx(folder / "预留加范围.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>'
                   '<row r="120000"><c r="P120000"><v>2</v></c></row>', dimension="A1:P6000")] = "sheet-too-large"
    files[raw_xlsx(folder / "共享公式.xlsx", '<row r="1"><c r="A1"><f t="shared" ref="A1:XFD1048576" si="0">B1</f>'
                   "<v>1</v></c></row>")] = "sheet-too-large"
    for name, rows in ODS_ATTACKS.items():
        files[_ods(folder / f"{name}.ods", rows)] = "sheet-too-large"
    # text that is not a usable CSV
    put("含空字符.csv", "报告期,填报单位,指标名称,计量单位,数值\n2024年,柯桥区政府,网络零售额,亿元,3\x0000\n".encode()
        + b"\x00" * 100, "unknown-format")
    put("全是空字符.csv", b"\x00" * 5000, "utf16-text")
    put("网页.xls", "<html><body><table><tr><td>网络零售额</td><td>900</td></tr></table></body></html>".encode(), "html")
    put("2003.xls", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
        "xml-spreadsheet")
    put("unicode.xls", "指标名称\t本期数\r\n网络零售额\t900\r\n".encode("utf-16"), "utf16-text")
    put("编码不明.csv", b"a,b\r\n" * 15000 + b"\xff\xfe,1\r\n", "unknown-encoding")
    return files
