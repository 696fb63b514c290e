"""Test helpers: a small catalog built in code, and writers for the workbooks agencies send.

Every return in the tests is a real file written to ``tmp_path`` by openpyxl (.xlsx), xlwt
(.xls), odfpy (.ods) or plain bytes (.csv, hostile files) and read back by
:func:`pingtai.returns.read_return`.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pingtai import layout
from pingtai.catalog import AgencyRegistry, AreaRegistry, Catalog, PlanFile, assemble
from pingtai.schema import validate

Grid = Sequence[Any]
"""Rows of cells (typed loosely: test tables mix strings, numbers, dates and ``None``)."""


def _agency(name: str, full: str, aliases: list[str], kind: str = "department") -> dict[str, Any]:
    return {"name": name, "full_name": full, "kind": kind, "aliases": aliases, "sources": ["测试"]}


def _indicator(ident: str, name: str, unit: str, kind: str, aliases: list[str] | None = None, task: int = 1) -> dict[str, Any]:
    return {
        "id": ident, "name": name, "unit": unit, "kind": kind, "direction": "increase", "frequency": "quarterly",
        "aliases": aliases or [], "task": task, "source": "测试",
        "targets": [{"period": 2027, "comparator": ">=", "value": 100, "text": "100", "source": "测试"}],
    }


def _area(name: str, code: str | None, kind: str, agency: str, aliases: list[str]) -> dict[str, Any]:
    return {"name": name, "code": code, "kind": kind, "agency": agency, "aliases": aliases, "sources": ["测试"]}


AREAS = [_area("绍兴市", "330600", "city", "市政府", ["全市"]), _area("越城区", "330602", "district", "越城区政府", ["越城"]),
         _area("柯桥区", "330603", "district", "柯桥区政府", ["柯桥"]),
         _area("诸暨市", "330681", "county_city", "诸暨市政府", ["诸暨"]),
         _area("滨海新区", None, "zone", "滨海新区管委会", ["绍兴滨海新区"])]
BY_AREA: dict[str, dict[str, Any]] = {
    "online_retail_sales": {"areas": "all", "additive": True, "source": "测试"},
    "cross_border_ecommerce_trade": {"areas": "all", "additive": True, "source": "测试"},
    "online_business_entities": {"areas": ["越城区", "柯桥区"], "additive": True, "source": "测试"},
    "occupational_injury_coverage": {"areas": "all", "additive": False, "source": "测试"},
}
"""With ``make_catalog(by_area=True)``: indicators reported by area (one for two areas only, one a
ratio); 平台, 共富驿站 and 数据知识产权登记 stay the city's only."""


def make_catalog(*, by_area: bool = False, area_targets: dict[str, list[dict[str, Any]]] | None = None) -> Catalog:
    """Three agencies and a district, one group, one plan with six indicators of every kind and unit family.

    ``by_area``: also an area registry (the city, three county-level areas, a zone) with their
    governments, and the indicators of :data:`BY_AREA` reported by area; ``area_targets``: the plan's
    ``area_targets`` of some of those indicators (id → entries).
    """
    agencies = [
        _agency("市商务局", "绍兴市商务局", ["商务局"]),
        _agency("市经信局", "绍兴市经济和信息化局", ["经信局"]),
        _agency("市市场监管局", "绍兴市市场监督管理局", ["市场监管局"]),
        _agency("市人力社保局", "绍兴市人力资源和社会保障局", ["市人社局"]),
        _agency("越城区政府", "绍兴市越城区人民政府", ["越城区"], "district"),
    ]
    if by_area:
        agencies += [_agency("市政府", "绍兴市人民政府", [], "government"),
                     _agency("柯桥区政府", "绍兴市柯桥区人民政府", ["柯桥区"], "district"),
                     _agency("诸暨市政府", "诸暨市人民政府", ["诸暨市"], "district"),
                     _agency("滨海新区管委会", "绍兴滨海新区管理委员会", [])]
    registry = validate(AgencyRegistry, {
        "schema_version": 1,
        "revision": {"date": "2024-01-01", "note": "测试"},
        "agencies": agencies,
        "groups": [{"name": "各区、县（市）政府", "members": ["越城区政府"], "sources": ["测试"]}],
    })
    areas = validate(AreaRegistry, {"schema_version": 1, "revision": {"date": "2024-01-01", "note": "测试"},
                                         "areas": AREAS}) if by_area else None
    plan = validate(PlanFile, {
        "schema_version": 1, "id": "plan_2023_38", "short_name": "38号",
        "document": {"number": "绍政办发〔2023〕38号", "title": "测试方案", "notice_title": "测试通知", "issuer": "测试",
                     "issued": "2023-10-13", "printed": "2023-10-18"},
        "revision": {"date": "2024-01-01", "note": "测试"},
        "horizon": {"start": 2023, "end": 2027},
        "responsibility": {"rule": "first_listed", "text": "列第一位的为牵头单位", "source": "测试"},
        "actions": [{"key": "一", "title": "行动一", "source": "测试"}],
        "indicators": [{**entry, "by_area": BY_AREA[entry["id"]], "area_targets": (area_targets or {}).get(entry["id"], [])}
                       if by_area and entry["id"] in BY_AREA else entry for entry in [
            _indicator("online_retail_sales", "网络零售额", "亿元", "flow", ["网上零售额", "全市网络零售额"]),
            _indicator("cross_border_ecommerce_trade", "跨境电商进出口总额", "亿元", "flow", ["跨境电商进出口额"]),
            _indicator("online_business_entities", "网络经营主体", "万家", "stock", ["网络经营主体数量"]),
            _indicator("platforms", "平台", "个", "stock", ["互联网平台数量"]),
            _indicator("rural_express_stations", "农村快递“共富驿站”", "个", "stock", ["共富驿站"], task=2),
            _indicator("occupational_injury_coverage", "职业伤害保障政策覆盖率", "%", "stock", task=3),
            _indicator("data_ip_registrations", "数据知识产权登记", "件", "cumulative", task=2),
        ]],
        "tasks": [
            {"number": 1, "action": "一", "title": "打造电商平台", "units": ["市商务局", "市市场监管局"], "source": "测试"},
            {"number": 2, "action": "一", "title": "建设共富驿站", "units": ["市商务局"], "source": "测试"},
            {"number": 3, "action": "一", "title": "职业伤害保障", "units": ["市人力社保局"], "source": "测试"},
        ],
    })
    catalog, problems = assemble(registry, [("plan_2023_38.yaml", plan)], areas)
    assert not problems, problems
    return catalog


CATALOG = make_catalog()
AREA_CATALOG = make_catalog(by_area=True)


# --- writers --------------------------------------------------------------------------------------


def write_xlsx(path: Path, sheets: Mapping[str, Grid], merges: dict[str, list[str]] | None = None,
               hidden: Sequence[str] = (), formats: dict[str, dict[str, str]] | None = None) -> Path:
    """An .xlsx with one sheet per entry (cells ``None`` stay empty), merged ranges and number formats."""
    import openpyxl

    workbook = openpyxl.Workbook()
    for name in workbook.sheetnames:
        del workbook[name]
    for name, grid in sheets.items():
        sheet = workbook.create_sheet(name)
        for r, row in enumerate(grid, 1):
            for c, value in enumerate(row, 1):
                if value is not None:
                    sheet.cell(r, c, value)
        for ref in (merges or {}).get(name, []):
            sheet.merge_cells(ref)
        for ref, number_format in (formats or {}).get(name, {}).items():
            sheet[ref].number_format = number_format
        if name in hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def write_xls(path: Path, sheets: Mapping[str, Grid], merges: dict[str, list[tuple[int, int, int, int]]] | None = None) -> Path:
    """An .xls (BIFF8, as WPS and old Excel save it); merges are (first row, last row, first col, last col)."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for name, grid in sheets.items():
        sheet = workbook.add_sheet(name)
        merged = {(r1, c1): (r2, c2) for r1, r2, c1, c2 in (merges or {}).get(name, [])}
        covered = {(r, c) for (r1, c1), (r2, c2) in merged.items() for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if (r, c) in merged:
                    r2, c2 = merged[(r, c)]
                    sheet.write_merge(r, r2, c, c2, value)
                elif (r, c) in covered or value is None:
                    continue
                elif isinstance(value, dt.date):
                    sheet.write(r, c, value, date_style)
                else:
                    sheet.write(r, c, value)
    workbook.save(str(path))
    return path


def write_ods(path: Path, sheets: Mapping[str, Grid]) -> Path:
    """An .ods written with odfpy (numbers as float cells, text as string cells)."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, grid in sheets.items():
        table = Table(name=name)
        for row in grid:
            table_row = TableRow()
            for value in row:
                if value is None or value == "":
                    cell = TableCell()
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def write_csv(path: Path, grid: Grid, encoding: str = "utf-8") -> Path:
    """A CSV in ``encoding`` (``utf-8-sig`` for a BOM, ``gb18030`` as Chinese Excel saves it)."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([["" if v is None else v for v in row] for row in grid])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_zip(path: Path, members: Mapping[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip with exactly these members (for hand-made .xlsx and hostile files)."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
             '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                  '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                  'Target="worksheets/sheet1.xml"/></Relationships>')


def raw_xlsx(path: Path, sheet_data: str, *, dimension: str = "A1", prolog: str = "",
             extra: Mapping[str, bytes | str] | None = None) -> Path:
    """A minimal .xlsx whose Sheet1 XML is written by hand (``sheet_data`` goes inside ``<sheetData>``)."""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>')
    members: dict[str, bytes | str] = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": _RELS, "xl/workbook.xml": _WORKBOOK,
                                       "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS, "xl/worksheets/sheet1.xml": sheet}
    members.update(extra or {})
    return write_zip(path, members)


def template_workbook(path: Path, *, agency: str = "市商务局", period: str = "2024Q3", values: Grid = (),
                      tasks: Grid = (), version: int | str = layout.TEMPLATE_VERSION, reporter: tuple[Any, Any, Any] | None = None) -> Path:
    """A workbook laid out the way :mod:`pingtai.template` writes it (as far as the reader relies on)."""
    meta: list[list[Any]] = [[layout.TEMPLATE_FORMAT, version], ["agency", agency], ["period", period],
            ["plan_version", "plan_2023_38@2024-01-01"], ["generated", "2024-10-01"]]
    value_rows: list[list[Any]] = [["市商务局 2024年第3季度 指标填报表"], [f"填报单位：{agency}  报告期：{period}"],
                                   list(layout.VALUE_HEADERS), *[list(v) for v in values]]
    if reporter is not None:
        value_rows += [[], [layout.REPORTER_LABEL, reporter[0], layout.PHONE_LABEL, reporter[1], layout.FILLED_ON_LABEL, reporter[2]]]
    task_rows: list[list[Any]] = [["重点任务进展"], list(layout.TASK_HEADERS), *[list(t) for t in tasks]]
    return write_xlsx(path, {layout.INSTRUCTIONS_SHEET: [["填报说明：请在填报值列填写数值。"]], layout.VALUES_SHEET: value_rows,
                             layout.TASKS_SHEET: task_rows, layout.META_SHEET: meta},
                      merges={layout.VALUES_SHEET: ["A1:F1"]}, hidden=[layout.META_SHEET])


# The free-form table of the "done when": merged title with the period in it, 填报单位 line,
# 1-本月 and 同比增长 columns, 网络零售额 in 万元, a # sub-item, a footer with the person and phone.
FREEFORM: list[list[Any]] = [
    ["2024年1-9月绍兴市网络经济主要指标完成情况", None, None, None, None, None],
    ["填报单位（盖章）：绍兴市商务局", None, None, None, "单位：万元", None],
    ["序号", "指标名称", "计量单位", "本月", "1-本月", "同比增长（%）"],
    [1, "网络零售额", "万元", 1234567, "10,234,500", 12.5],
    [2, "# 其中：跨境电商进出口额", "亿元", 12.1, "１０８.５", 3.2],
    [3, "网络经营主体", "万家", "８.９", None, None],
    [4, "互联网平台数量", "个", 98, 98, None],
    [None, None, None, None, None, None],
    ["填报人：张三", None, "联系电话：0575-88001234", None, "填报日期：2024年10月12日", None],
    ["注：本表数据为快报数。", None, None, None, None, None],
]
FREEFORM_MERGES = ["A1:F1", "A2:D2"]


def ole2(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (as Office 97-2003 and encrypted Office files are) holding ``streams``.

    512-byte sectors: one FAT sector, one directory sector (at most three streams), then each
    stream padded to at least 4096 bytes so that it lives in regular sectors.
    """
    import struct

    free, end, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    assert len(streams) <= 3
    data = b""
    fat = [fat_sector, end]
    entries = []
    for name, content in streams.items():
        padded = content + b"\0" * (max(4096, -(-len(content) // 512) * 512) - len(content))
        start = len(fat)
        count = len(padded) // 512
        fat += [*range(start + 1, start + count), end]
        entries.append((name, start, len(content)))
        data += padded
    assert len(fat) <= 128

    def entry(name: str, kind: int, start: int, size: int, right: int, child: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded), kind, 1, free, right, child)
                + b"\0" * 36 + struct.pack("<IIi", start, size, 0))

    directory = entry("Root Entry", 5, end, 0, free, 1 if entries else free)
    for i, (name, start, size) in enumerate(entries, 1):
        directory += entry(name, 2, start, size, i + 1 if i < len(entries) else free, free)
    directory = directory.ljust(512, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0) + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    # sector 0 holds the FAT, sector 1 the directory; streams follow from sector 2
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat) + struct.pack("<I", free) * (128 - len(fat))
    return header + fat_bytes + directory + data
