"""A small real ledger for the report tests: returns of the market-regulation and commerce bureaus.

Receipt times (UTC in the ledger; Beijing days for the office) are chosen against the 20-day calendar: the 2024 year-end returns arrive on time
(due 2025-01-20), 市市场监管局's first-half 2025 return arrives late (2025-07-28, due 2025-07-20),
市商务局's first-quarter 2025 return arrives on time. Progress texts include ones that a
spreadsheet would run as formulas (``=1+1``, ``@SUM(A1)``, ``-3%…``, ``+86…``).
"""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

from ledger_helpers import task, value, write_file
from pingtai.ledger import Ledger, NewBatch, sha256_of
from pingtai.periods import Period
from pingtai.records import TaskRecord, ValueRecord

AS_OF = dt.date(2025, 8, 1)
FORMULA_TEXTS = {"progress": "=1+1", "issues": "@SUM(A1)", "next_steps": "-3%的缺口下季度补上",
                 "co_progress": "+86 0575 配合完成"}
MARKUP_TEXT = "标准<草案>已报送 & 评审中 <script>alert(1)</script> | 第二栏 [/b][red]"
"""A progress text that would break HTML, a Markdown table or rich's console markup if it were not escaped."""


def add(db: Path, name: str, agency: str, period: str, at: dt.datetime, values: list[ValueRecord],
        tasks: list[TaskRecord] | None = None) -> None:
    """Record one return (a real archived file) in the ledger at ``db``, imported at ``at``."""
    source = write_file(db.parent / "in" / name, f"{name} {agency} {period}")
    with Ledger.open(db) as ledger, ledger.transaction():
        ledger.add_batch(NewBatch(file=name, sha256=sha256_of(source), agency=agency, period=Period.parse(period),
                                  layout="template", imported_at=at, filled_on=at.date() - dt.timedelta(days=2),
                                  imported=len(values)), source, values, tasks or [])


def line(plan: str, number: int, period: str, agency: str, status: str | None, progress: str, issues: str = "",
         next_steps: str = "") -> TaskRecord:
    record = task(plan, number, period, agency=agency, status=status, progress=progress)
    return TaskRecord(plan=record.plan, task=record.task, agency=record.agency, period=record.period,
                      status=record.status, progress=progress, issues=issues, next_steps=next_steps,
                      where=record.where)


def seed(db: Path) -> Path:
    """Fill the ledger at ``db`` (created) with the returns described in the module docstring."""
    scjg = "市市场监管局"
    utc = dt.UTC
    add(db, "市场监管局_2024.xlsx", scjg, "2024", dt.datetime(2025, 1, 18, 2, tzinfo=utc), [
        value("local_standards", "2023", 5, agency=scjg), value("local_standards", "2024", 6, agency=scjg),
        value("data_ip_registrations", "2024", 380, agency=scjg),
        value("monitored_livestream_rooms", "2024", 5200, agency=scjg),
        value("green_channel_enterprises", "2024", 300, agency=scjg),
    ], [
        line("plan_2023_38", 5, "2024", scjg, "in_progress", "准入环境持续优化", "", "继续推进"),
        line("plan_2023_38", 7, "2024", scjg, "done", "放心消费环境建设已完成年度任务"),
        line("zone_2023_5", 11, "2024", scjg, "late", "直播电商监管服务应用推进滞后", "数据接口未打通", "协调诸暨市加快对接"),
    ])
    add(db, "市场监管局_2025H1.xlsx", scjg, "2025H1", dt.datetime(2025, 7, 28, 1, tzinfo=utc), [
        value("data_ip_registrations", "2025H1", 420, agency=scjg),
    ], [
        line("plan_2023_38", 5, "2025H1", scjg, "in_progress", FORMULA_TEXTS["progress"], FORMULA_TEXTS["issues"],
             FORMULA_TEXTS["next_steps"]),
        line("plan_2023_38", 6, "2025H1", scjg, "late", "公平竞争审查进度滞后", "人手不足", "增派力量"),
        line("plan_2023_38", 16, "2025H1", scjg, "in_progress", MARKUP_TEXT),
    ])
    sw = "市商务局"
    add(db, "商务局_2024.xlsx", sw, "2024", dt.datetime(2025, 1, 15, 8, tzinfo=utc), [
        value("online_retail_sales", "2023", 1010), value("online_retail_sales", "2024", 1150),
        value("platforms", "2024", 120)], [
        line("plan_2023_38", 1, "2024", sw, "in_progress", FORMULA_TEXTS["co_progress"])])
    add(db, "商务局_2025Q1.xlsx", sw, "2025Q1", dt.datetime(2025, 4, 18, 8, tzinfo=utc),
        [value("online_retail_sales", "2025Q1", 260)])
    return db


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, ...]]]:
    """Width, height and pixels (RGB or RGBA tuples) of an 8-bit non-interlaced PNG, with the stdlib only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, chunks, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    pixels: list[tuple[int, ...]] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        pixels += [tuple(line[i:i + channels]) for i in range(0, stride, channels)]
        previous = line
    return width, height, pixels
