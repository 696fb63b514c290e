"""What a file really is, judged from its bytes, and the checks a zip must pass before parsing.

Agencies rename files freely (a CSV saved as ``.xls``, an ``.xlsx`` that is really HTML from a
web system), so the reader never trusts an extension. :func:`sniff_bytes` classifies the bytes;
:func:`inflate` decompresses one zip member with hard limits, so a zip bomb is refused before
any spreadsheet parser sees it. Every refusal is a :class:`Refused` with a stable code and a
one-line Chinese reason.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

MAX_FILE_BYTES = 50 * 2**20
"""Largest file read at all. A 100,000-row return is about 3 MB as .xlsx and 5 MB as .csv."""
MAX_UNCOMPRESSED = 200 * 2**20
"""Largest total size of a zip's members once inflated."""
MAX_RATIO = 100
"""Largest compression ratio for a member above :data:`RATIO_FLOOR` bytes (real sheets: 5–30)."""
RATIO_FLOOR = 2**20
MAX_MEMBERS = 10_000
CHUNK = 2**20

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_DTD = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)

FORMATS = ("xlsx", "xlsm", "xls", "ods", "csv")
"""Formats :func:`pingtai.returns.read_return` reads; :func:`sniff_bytes` may return others."""

_CONTENT_TYPES = {
    b"spreadsheetml.sheet.main+xml": "xlsx",
    b"spreadsheetml.template.main+xml": "xlsx",
    b"ms-excel.sheet.macroEnabled.main+xml": "xlsm",
    b"ms-excel.template.macroEnabled.main+xml": "xlsm",
    b"ms-excel.sheet.binary.macroEnabled.main": "xlsb",
    b"wordprocessingml": "docx",
    b"presentationml": "pptx",
}


class Refused(Exception):
    """A file pingtai will not parse: ``code`` is stable, ``message`` the Chinese reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


REFUSALS: dict[str, str] = {
    "empty-file": "文件是空的",
    "broken-zip": "文件已损坏或不完整：不是有效的 Excel/ODS 压缩包（请重新保存或重新发送）",
    "encrypted": "加密的工作簿：请另存为未加密文件后再导入",
    "xlsb": "不支持 .xlsb（二进制工作簿）：请另存为 .xlsx",
    "not-spreadsheet": "不是工作簿：文件内容是 {what}",
    "html": "这是网页（HTML）格式的表格，不是真正的 Excel 文件：请在 Excel/WPS 中打开后另存为 .xlsx",
    "xml-spreadsheet": "这是 Excel 2003 XML 表格：请在 Excel/WPS 中打开后另存为 .xlsx",
    "utf16-text": "这是 UTF-16 编码的文本：请另存为 UTF-8 或 GB18030 编码的 CSV",
    "unknown-format": "无法识别的文件格式：请提供 .xlsx、.xls、.ods 或 .csv 文件",
    "unknown-encoding": "无法识别的文本编码：CSV 请使用 UTF-8 或 GB18030（GBK）编码",
}


def refuse(code: str, **details: str) -> Refused:
    """The :class:`Refused` for ``code`` with its standard message."""
    return Refused(code, REFUSALS[code].format(**details))


def sniff_format(path: Path) -> str:
    """The real format of the file at ``path``, whatever its name says.

    Returns one of ``xlsx``, ``xlsm``, ``xls``, ``ods``, ``csv`` (readable), or a reason it is
    not: ``empty``, ``encrypted``, ``broken-zip``, ``xlsb``, ``docx``, ``pptx``, ``zip``, ``doc``
    (another OLE2 document), ``html``, ``xml-spreadsheet``, ``utf16-text``, ``unknown``.
    Reads at most :data:`MAX_FILE_BYTES`; raises :class:`OSError` if the file cannot be read.
    """
    with path.open("rb") as handle:
        return sniff_bytes(handle.read(MAX_FILE_BYTES))


def sniff_bytes(data: bytes) -> str:
    """:func:`sniff_format` for bytes already in memory."""
    if not data:
        return "empty"
    if data.startswith(ZIP_MAGICS):
        return _sniff_zip(data)
    if data.startswith(OLE2_MAGIC):
        return _sniff_ole2(data)
    return _sniff_text(data[:65536])


def _sniff_zip(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names:
            info = archive.getinfo("mimetype")
            if (info.file_size <= 200 and info.compress_type == zipfile.ZIP_STORED
                    and archive.read("mimetype").strip() == ODS_MIMETYPE):
                return "ods"
        if "[Content_Types].xml" in names:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > 2**20:
                return "broken-zip"
            types = b"".join(inflate(data, info, 2**20))
            for marker, kind in _CONTENT_TYPES.items():
                if marker in types:
                    return kind
    except (zipfile.BadZipFile, zipfile.LargeZipFile, Refused, OSError, EOFError, KeyError, ValueError):
        return "broken-zip"
    return "zip"


def _sniff_ole2(data: bytes) -> str:
    # Directory entry names are UTF-16LE; an encrypted OOXML file is an OLE2 container holding
    # "EncryptedPackage" and "EncryptionInfo" streams, whatever its extension says.
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        return "xls"
    return "doc"


def _sniff_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16-text"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<html", b"<!doctype html", b"<table", b"<meta")) or b"<html" in stripped[:1024]:
        return "html"
    if stripped.startswith(b"<?xml"):
        return "xml-spreadsheet" if b"urn:schemas-microsoft-com:office:spreadsheet" in head else "unknown"
    if b"\x00" in head:
        return "utf16-text" if head[1::2].count(0) > len(head) // 4 else "unknown"
    if _decodes(head, "utf-8") or _decodes(head, "gb18030"):
        return "csv" if _looks_like_text(head) else "unknown"
    return "unknown"


def _decodes(head: bytes, encoding: str) -> bool:
    # the sample may end inside a multibyte character: allow up to 3 trailing bytes to be cut
    for cut in range(4):
        try:
            head[: len(head) - cut].decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _looks_like_text(head: bytes) -> bool:
    """Control bytes other than tab/CR/LF are rare in text and common in binary."""
    controls = sum(1 for byte in head[:4096] if byte < 32 and byte not in (9, 10, 13))
    return controls <= len(head[:4096]) // 100


# --- zip safety ----------------------------------------------------------------------------------


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Open a zip and check its central directory before anything is inflated.

    Refuses (``zip-bomb``) when the members declare more than :data:`MAX_UNCOMPRESSED` bytes in
    total, a large member compresses better than :data:`MAX_RATIO` to 1, or there are absurdly
    many members; refuses (``broken-zip``) a truncated or corrupt archive. Declared sizes can lie:
    :func:`inflate` enforces them while decompressing.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error):
        raise refuse("broken-zip") from None
    if len(infos) > MAX_MEMBERS:
        raise Refused("zip-bomb", f"压缩包内文件过多（{len(infos)} 个）：不像是工作簿，已拒绝")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refused("zip-bomb", f"压缩包内 {info.filename} 解压后异常膨胀"
                                      f"（{info.compress_size} → {info.file_size} 字节）：疑似压缩炸弹，已拒绝")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse("broken-zip")
    if total > MAX_UNCOMPRESSED:
        raise Refused("zip-bomb", f"工作簿解压后过大（{total // 2**20} MB，上限 {MAX_UNCOMPRESSED // 2**20} MB）：已拒绝")
    return archive


def inflate(data: bytes, info: zipfile.ZipInfo, limit: int = MAX_UNCOMPRESSED) -> Iterator[bytes]:
    """Decompress one member of the zip held in ``data``, chunk by chunk, never past its declared size.

    Reads the raw stream through the member's local header itself (so nothing is trusted but the
    bytes), and refuses (``zip-bomb``) output beyond the declared ``file_size`` or ``limit``, and
    (``broken-zip``) a truncated or corrupt stream.
    """
    offset = info.header_offset
    if len(data) < offset + 30 or data[offset:offset + 4] != b"PK\x03\x04":
        raise refuse("broken-zip")
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    raw = memoryview(data)[start:start + info.compress_size]
    if len(raw) < info.compress_size:
        raise refuse("broken-zip")
    allowed = min(info.file_size, limit)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size > allowed:
            raise _bomb(info)
        for pos in range(0, len(raw), CHUNK):
            yield bytes(raw[pos:pos + CHUNK])
        return
    decompressor = zlib.decompressobj(-15)
    produced = 0
    pos = 0
    pending: bytes | memoryview = b""
    try:
        while True:
            if not pending:
                if pos >= len(raw):
                    raise refuse("broken-zip")  # the stream ended before its end marker
                pending = raw[pos:pos + CHUNK]
                pos += CHUNK
            out = decompressor.decompress(pending, CHUNK)
            pending = decompressor.unconsumed_tail
            produced += len(out)
            if produced > allowed:
                raise _bomb(info)
            if out:
                yield out
            if decompressor.eof:
                return
    except zlib.error:
        raise refuse("broken-zip") from None


def _bomb(info: zipfile.ZipInfo) -> Refused:
    return Refused("zip-bomb", f"压缩包内 {info.filename} 解压后超过声明的大小：疑似压缩炸弹，已拒绝")


def has_dtd(chunk: bytes) -> bool:
    """Whether XML text declares a DOCTYPE or entities (also spelled in UTF-16)."""
    if b"<!" in chunk:
        return _DTD.search(chunk) is not None
    return b"<\x00!\x00" in chunk or b"\x00<\x00!" in chunk


def dtd_refusal(member: str) -> Refused:
    """Refusal for XML with a DOCTYPE/ENTITY declaration: no workbook needs one, and entity
    expansion is how an XML bomb explodes."""
    return Refused("xml-dtd", f"工作簿中的 {member} 含有 DOCTYPE/ENTITY 声明（可能是 XML 炸弹）：已拒绝")
