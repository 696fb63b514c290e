"""Measure the sheets of an .xls (BIFF8 in an OLE2 compound file) before python-calamine builds them.

A minimal, bounded OLE2 reader finds the Workbook stream; the BIFF records give each sheet's
extent, error values, and the text its cells would hold (shared strings are copied into every
cell that names them). calamine builds every sheet at opening: the caps apply to their sum.
See :mod:`pingtai.returns.scan`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from pingtai.returns.scan import MAX_CELLS_XLS, MAX_TEXT, SheetScan, check_extent, check_total, error_mark
from pingtai.returns.sniff import Refused, refuse

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!", 0x2A: "#N/A"}
_CELL_RECORDS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6}  # NUMBER, RK, LABELSST, LABEL, RSTRING
_BROKEN_XLS = "文件已损坏或不完整：不是有效的 .xls 工作簿（请重新保存或重新发送）"


def scan_xls(data: bytes) -> dict[str, SheetScan]:
    """Measure the sheets of an .xls file from its BIFF records; refuse an encrypted one."""
    stream = _ole_stream(data, ("workbook", "book"))
    return _scan_biff(stream)


def _broken() -> Refused:
    return Refused("broken-xls", _BROKEN_XLS)


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """The first stream called one of ``names`` in an OLE2 compound file (a minimal, bounded reader)."""
    try:
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise _broken()
        size = 1 << shift
        n_fat, dir_start, _, cutoff, minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from("<8I", data, 44)
        sectors = (len(data) - size) // size + 1

        def sector(sid: int) -> bytes:
            if sid >= sectors:
                raise _broken()
            return data[(sid + 1) * size:(sid + 2) * size]

        fat_ids = [sid for sid in struct.unpack_from("<109I", data, 76) if sid != _FREE][:n_fat]
        sid, steps = difat_start, 0
        while sid not in (_FREE, _END_OF_CHAIN) and len(fat_ids) < n_fat and steps <= n_difat:
            ids = struct.unpack(f"<{size // 4}I", sector(sid))
            fat_ids += [s for s in ids[:-1] if s != _FREE]
            sid, steps = ids[-1], steps + 1
        fat: list[int] = []
        for fat_sid in fat_ids[:n_fat]:
            fat += struct.unpack(f"<{size // 4}I", sector(fat_sid))

        def chain(start: int, table: list[int], read: Callable[[int], bytes]) -> bytes:
            out, sid, seen = [], start, 0
            while sid != _END_OF_CHAIN:
                if sid >= len(table) or seen > len(table):
                    raise _broken()
                out.append(read(sid))
                sid, seen = table[sid], seen + 1
            return b"".join(out)

        directory = chain(dir_start, fat, sector)
        entries = [directory[i:i + 128] for i in range(0, len(directory) - 127, 128)]
        if not entries:
            raise _broken()
        root_start, root_size = struct.unpack_from("<I", entries[0], 0x74)[0], struct.unpack_from("<I", entries[0], 0x78)[0]
        for entry in entries:
            name_len = min(struct.unpack_from("<H", entry, 0x40)[0], 64)
            name = entry[:max(name_len - 2, 0)].decode("utf-16-le", "replace")
            if entry[0x42] != 2 or name.lower() not in names:
                continue
            start, length = struct.unpack_from("<II", entry, 0x74)
            if length < cutoff:
                mini_stream = chain(root_start, fat, sector)[:root_size]
                minifat: list[int] = []
                if n_minifat:
                    raw = chain(minifat_start, fat, sector)
                    minifat = list(struct.unpack(f"<{len(raw) // 4}I", raw))
                stream = chain(start, minifat, _mini_reader(mini_stream, 1 << mini_shift))
            else:
                stream = chain(start, fat, sector)
            if len(stream) < length:
                raise _broken()
            return stream[:length]
    except (struct.error, IndexError, ValueError):
        raise _broken() from None
    raise Refused("not-spreadsheet", "不是工作簿：这是 Office 97-2003 格式的其他文档（如 Word）")


MAX_SHEETS = 512


def _mini_reader(mini_stream: bytes, size: int) -> Callable[[int], bytes]:
    return lambda sid: mini_stream[sid * size:(sid + 1) * size]


def _scan_biff(stream: bytes) -> dict[str, SheetScan]:
    """Read the globals (sheet list, shared strings, encryption), then each sheet's records from
    where the sheet list says it starts — the way calamine finds them, so no sheet escapes the
    measurement. calamine builds every sheet at once, so the caps apply to their sum."""
    unpack = struct.unpack_from
    sheets: list[tuple[int, str]] = []
    shared: list[bytes] = []
    for kind, body, length in _records(stream, 0):
        if kind == 0x0085 and length >= 8:  # BOUNDSHEET
            offset = unpack("<I", stream, body)[0]
            sheets.append((offset, _sheet_name(stream[body + 6:body + length]) or f"Sheet{len(sheets) + 1}"))
        elif kind == 0x002F:  # FILEPASS
            raise refuse("encrypted")
        elif kind == 0x00FC or (kind == 0x003C and shared):  # SST and its CONTINUE records
            shared.append(stream[body:body + length])
        elif kind == 0x000A:  # EOF of the globals
            break
        elif shared:
            shared.append(b"")  # a record between: the SST's continuation has ended
    if len(sheets) > MAX_SHEETS:
        raise Refused("sheet-too-large", f"工作表过多（{len(sheets)} 个）：已拒绝")
    sizes = _sst_sizes(list(_until_empty(shared)))
    scans: dict[str, SheetScan] = {}
    measured: dict[int, tuple[SheetScan, int]] = {}
    for offset, name in sheets:
        if offset not in measured:
            measured[offset] = _scan_biff_sheet(stream, offset, name, sizes)
        scans[name] = measured[offset][0]
    check_total({str(offset): scan for offset, (scan, _) in measured.items()}, MAX_CELLS_XLS)
    if sum(text for _, text in measured.values()) > MAX_TEXT:
        raise Refused("too-much-text", f"工作簿的单元格文字合计过大（超过 {MAX_TEXT // 2**20} MB，同一段长文本被大量单元格引用）："
                                       "疑似恶意文件，已拒绝")
    return scans


def _until_empty(segments: list[bytes]) -> Iterator[bytes]:
    for segment in segments:
        if not segment:
            return
        yield segment


def _sst_sizes(segments: list[bytes]) -> list[int]:
    """An upper bound on the UTF-8 size of each string of a BIFF8 SST (3 bytes a character).

    Strings run on across CONTINUE records; where their characters do, the continuation starts
    with a fresh option byte. Parsing stops quietly at the end of the data (calamine decides
    whether a short table is an error).
    """
    if not segments or len(segments[0]) < 8:
        return []
    unique = struct.unpack_from("<I", segments[0], 4)[0]
    if unique > 2 * MAX_CELLS_XLS:
        raise Refused("too-much-text", f"工作簿的共享文本条目过多（{unique} 条）：已拒绝")
    sizes: list[int] = []
    index, pos = 0, 8
    segment = segments[0]
    try:
        while len(sizes) < unique:
            if pos + 3 > len(segment):
                index, pos = index + 1, 0
                segment = segments[index]
                continue
            count, flags = struct.unpack_from("<HB", segment, pos)
            pos += 3
            runs = extra = 0
            if flags & 8:
                runs = struct.unpack_from("<H", segment, pos)[0]
                pos += 2
            if flags & 4:
                extra = struct.unpack_from("<i", segment, pos)[0]
                pos += 4
            wide, remaining = flags & 1, count
            while remaining > 0:
                available = (len(segment) - pos) // (2 if wide else 1)
                if available <= 0:
                    index += 1
                    segment = segments[index]
                    wide, pos = segment[0] & 1, 1
                    continue
                step = min(available, remaining)
                pos += step * (2 if wide else 1)
                remaining -= step
            skip = 4 * runs + max(extra, 0)
            while skip > 0:
                if pos >= len(segment):
                    index, pos = index + 1, 0
                    segment = segments[index]
                    continue
                step = min(len(segment) - pos, skip)
                pos += step
                skip -= step
            sizes.append(3 * count)
    except (IndexError, struct.error):
        pass
    return sizes


def _records(stream: bytes, pos: int) -> Iterator[tuple[int, int, int]]:
    """``(record type, body offset, body length)`` from ``pos`` to the end of the stream."""
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if body + length > end:
            return  # a truncated last record: calamine decides whether the rest is readable
        yield kind, body, length
        pos = body + length


def _scan_biff_sheet(stream: bytes, offset: int, name: str, sizes: list[int]) -> tuple[SheetScan, int]:
    """A sheet's extent and marks, and a bound on the bytes of text its cells hold."""
    scan = SheetScan()
    text = 0
    unpack = struct.unpack_from
    for kind, body, length in _records(stream, offset):
        if kind == 0x000A:  # EOF
            break
        if length < 6:
            continue
        if kind in _CELL_RECORDS:
            row, col = unpack("<HH", stream, body)
            scan.include(row, col)
            if kind == 0x00FD and length >= 10:  # LABELSST: a shared string, copied into the cell
                string = unpack("<I", stream, body + 6)[0]
                text += sizes[string] if string < len(sizes) else 0
            elif kind != 0x0203 and kind != 0x027E:  # LABEL, RSTRING: text in the record itself
                text += 3 * length
        elif kind == 0x00BD:  # MULRK: row, first column, …, last column
            scan.include(unpack("<H", stream, body)[0], unpack("<H", stream, body + length - 2)[0])
        elif kind == 0x0205 and length >= 8:  # BOOLERR
            row, col = unpack("<HH", stream, body)
            scan.include(row, col)
            if stream[body + 7] == 1:
                scan.marks[(row, col)] = error_mark(_BIFF_ERRORS.get(stream[body + 6], "#错误"))
        elif kind == 0x0006 and length >= 14:  # FORMULA with its cached result
            row, col = unpack("<HH", stream, body)
            scan.include(row, col)
            if stream[body + 12:body + 14] == b"\xff\xff" and stream[body + 6] == 2:
                scan.marks[(row, col)] = error_mark(_BIFF_ERRORS.get(stream[body + 8], "#错误"))
        elif kind == 0x0207:  # STRING: a formula's text result
            text += 3 * length
    check_extent(name, scan, MAX_CELLS_XLS)
    return scan, text


def _sheet_name(raw: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString (BIFF5 names are 8-bit in the file's code page: assume GBK)."""
    if len(raw) < 2:
        return ""
    count, flags = raw[0], raw[1]
    if flags & 1:
        return raw[2:2 + 2 * count].decode("utf-16-le", "replace")
    if flags == 0:
        return raw[2:2 + count].decode("latin-1")
    return raw[1:1 + count].decode("gbk", "replace")
