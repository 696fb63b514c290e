"""Write the synthetic example returns in ``examples/returns/`` (示例数据，非官方统计).

Run from the repository root: ``python examples/make_examples.py [OUT_DIR]``. The output is byte-for-byte the
same on every run (fixed dates inside the files and in their zip members), so re-importing freshly
generated examples is a no-op. Needs the test extra (``xlwt`` writes the ``.xls`` example).

The figures are invented but plausible: they follow the plans' trajectories from the 2022
baselines, with a couple of indicators behind (网络经营主体, 跨境电商进出口总额, 省级数字工厂) so that
``pingtai status`` has something to flag. They are not official statistics.

Each return carries the date it was filled in (填报时间 / 填报日期), which the import takes as the day
it was received: all came in on time except 市经信局's year-end return, four days late. The 2023
history file is a statistics export, to be imported with ``--backfill`` (its values count, its
timeliness does not).

网络零售额 is also given by area: the 2023 year-end table carries a second sheet of the six
county-level areas (they add up to the city's figure) and 滨海新区; the 2024 district table
(``示例_市商务局_2024Q4_分地区.xlsx``) has the 全市 row, every area with its 同比 and a 备注 column — and
嵊州市's reported 同比 is on a new 口径, so its import warns that it is 4.6 points from the growth
last year's figure gives.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from pingtai import layout
from pingtai.loader import load_catalog
from pingtai.template import write_template

OUT = Path(__file__).resolve().parent / "returns"
LABEL = "（示例数据，非官方统计）"
FIXED = dt.datetime(2025, 1, 2, 9, 0, 0)

# --- template returns: (agency, period, values by indicator id, task progress, reporter) -----------------
TEMPLATE_RETURNS: list[tuple[str, str, dict[str, float | str], dict[tuple[str, int], tuple[str, str, str, str]], tuple[str, str, str, dt.date]]] = [
    ("市商务局", "2024Q4",
     {"online_retail_sales": 1150.6, "online_business_entities": 13.1, "platforms": 118,
      "billion_yuan_platforms": 5, "cross_border_ecommerce_trade": 138.2},
     {("38号", 1): ("推进中", "“一县一品”电商产业格局初步形成，新招引平台企业分支机构6家", "头部平台招引竞争激烈", "继续对接杭州平台企业"),
      ("5号", 7): ("滞后", "跨境电商进出口总额138.2亿元", "外需偏弱，距150亿元目标仍有差距", "加大海外仓和独立站扶持"),
      ("5号", 8): ("推进中", "新增省级电商专业村5个", "", "开展农村电商带头人培训"),
      ("5号", 10): ("已完成", "直播电商基地建成投用", "", "总结推广直播电商模式")},
     ("李明", "0575-85123456", "王芳", dt.date(2025, 1, 10))),
    ("市市场监管局", "2024Q4",
     {"local_standards": 6, "data_ip_registrations": 372, "green_channel_enterprises": 420,
      "standardization_pilots": 3, "standard_research_output_ratio": 45, "monitored_livestream_rooms": 5200},
     {("38号", 7): ("推进中", "绿色通道入驻企业420家", "", "继续扩大绿色通道覆盖"),
      ("38号", 12): ("推进中", "数据知识产权登记累计372件", "登记宣传不足", "走进园区开展登记服务"),
      ("38号", 16): ("推进中", "新发布平台经济地方标准1项", "", "推进2项标准立项")},
     ("陈芳", "0575-85200001", "周敏", dt.date(2025, 1, 13))),
    # filled in four days after the return was due: received late
    ("市经信局", "2024Q4",
     {"provincial_industrial_internet_platforms": 57, "provincial_digital_factories": 3},
     {("38号", 2): ("推进中", "新增省级工业互联网平台5个", "数字工厂培育进度偏慢", "组织数字工厂申报辅导")},
     ("赵强", "0575-85111222", "孙伟", dt.date(2025, 1, 24))),
]


REVIEW_DIR = "审核"
"""Returns of the next quarter, for the guide's section on review (「审核报表：接收或退回」): in a folder of
their own, so that importing ``示例_*`` imports the first set only."""
TemplateReturn = tuple[str, str, dict[str, float | str], dict[tuple[str, int], tuple[str, str, str, str]],
                       tuple[str, str, str, dt.date]]
"""What a filled-in template says: agency, period, values by indicator, task lines, 填报人/电话/审核人/日期."""
REVIEW_RETURNS: list[TemplateReturn] = [
    ("市经信局", "2025Q1",
     {"provincial_industrial_internet_platforms": 58, "provincial_digital_factories": 4},
     {("38号", 2): ("推进中", "新增省级数字工厂1家", "", "继续组织数字工厂申报辅导")},
     ("赵强", "0575-85111222", "孙伟", dt.date(2025, 4, 14))),
    # a figure the office doubts (an unreviewed draft): sent back, then resubmitted corrected
    ("市市场监管局", "2025Q1",
     {"local_standards": 6, "data_ip_registrations": 372, "green_channel_enterprises": 460},
     {("38号", 12): ("推进中", "数据知识产权登记累计372件", "", "走进园区开展登记服务")},
     ("陈芳", "0575-85200001", "", dt.date(2025, 4, 15))),
]
REVIEW_RESUBMITTED: TemplateReturn = ("市市场监管局", "2025Q1",
                      {"local_standards": 6, "data_ip_registrations": 401, "green_channel_enterprises": 460},
                      {("38号", 12): ("推进中", "数据知识产权登记累计401件", "", "走进园区开展登记服务")},
                      ("陈芳", "0575-85200001", "周敏", dt.date(2025, 4, 22)))


def normalise(path: Path) -> None:
    """Rewrite an .xlsx with fixed zip timestamps and document dates so that the bytes are reproducible."""
    members = []
    with zipfile.ZipFile(path) as source:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode()
                stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%SZ")
                text = re.sub(r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode()
            members.append((info.filename, data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def template_return(out: Path, agency: str, period: str, values: dict[str, float | str],
                    tasks: dict[tuple[str, int], tuple[str, str, str, str]], reporter: tuple[str, str, str, dt.date],
                    tag: str = "") -> Path:
    """Generate the template with ``pingtai.template`` and fill it in as the agency would (``tag`` ends the
    file's name: ``_重报``)."""
    path = out / f"示例_{agency}_{period}{tag}.xlsx"
    write_template(load_catalog(), agency, period, path, generated=FIXED.date(), title_note=LABEL)
    book = openpyxl.load_workbook(path)
    sheet = book[layout.VALUES_SHEET]
    footer: dict[str, str | dt.date] = {layout.REPORTER_LABEL: reporter[0], layout.PHONE_LABEL: reporter[1],
                                        layout.REVIEWER_LABEL: reporter[2], layout.FILLED_ON_LABEL: reporter[3]}
    for row in sheet.iter_rows():
        key = row[0].value
        if isinstance(key, str) and key in values:
            row[4].value = values[key]
        elif isinstance(key, str) and key in footer:
            row[1].value = footer[key]
    sheet = book[layout.TASKS_SHEET]
    for row in sheet.iter_rows():
        number = row[1].value
        task_key = (str(row[0].value), number) if isinstance(number, int) else None  # numbers repeat across plans
        if task_key is not None and task_key in tasks:
            for cell, text in zip(row[3:7], tasks[task_key], strict=True):
                cell.value = text or None
    book.properties.created = FIXED
    book.save(path)
    normalise(path)
    return path


# --- free-form returns, as agencies make their own statistics tables --------------------------------------

HEADERS = ("序号", "指标名称", "计量单位", "1-本月", "同比增长（%）", "备注")
COMMERCE_2023 = [
    ("1", "网络零售额", "万元", "10,123,400", "9.9", ""),
    ("", "# 其中：直播电商零售额", "万元", "2,310,000", "35.2", "不在考核指标中"),
    ("2", "跨境电商进出口总额", "万元", "1,285,000", "12.3", ""),
    ("3", "网络经营主体", "万家", "12.4", "", "年末数"),
    ("4", "互联网平台数量", "个", "88", "", "年末数"),
]
COMMERCE_2024H1 = [
    ("1", "网络零售额", "万元", "5,350,000", "8.1", ""),
    ("2", "跨境电商进出口总额", "万元", "640,000", "6.0", ""),
    ("3", "网络经营主体", "万家", "12.9", "", "6月末数"),
]
FOOTER = "填报人：李明　　联系电话：0575-85123456　　审核人：王芳　　填报时间：{filled}"


def free_form_rows(period_text: str, rows: Sequence[tuple[str, ...]], filled: str) -> list[list[str]]:
    """The cells of a government-style table: title, unit/period line, header, rows, footer."""
    return [
        [f"绍兴市电子商务发展情况统计表{LABEL}", "", "", "", "", ""],
        ["填报单位（盖章）：绍兴市商务局", "", "", f"报告期：{period_text}", "", ""],
        list(HEADERS),
        *[list(r) for r in rows],
        ["", "", "", "", "", ""],
        [FOOTER.format(filled=filled), "", "", "", "", ""],
    ]


def free_form_xlsx(path: Path, cells: list[list[str]], areas: list[list[str | float]] | None = None) -> Path:
    """A government-style table; with ``areas``, a second sheet of 网络零售额 by area (:func:`area_sheet`)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "电商统计"
    thin = Side(style="thin")
    for r, row in enumerate(cells, start=1):
        for c, text in enumerate(row, start=1):
            if text:
                cell = sheet.cell(row=r, column=c, value=text)
                if 3 <= r < len(cells) - 1:
                    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.merge_cells("A1:F1")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("D2:F2")
    for column, width in zip("ABCDEF", (6, 26, 10, 14, 14, 16), strict=True):
        sheet.column_dimensions[column].width = width
    if areas is not None:
        area_sheet(book.create_sheet("分地区"), areas)
    book.properties.created = FIXED
    book.properties.creator = "示例"
    book.save(path)
    normalise(path)
    return path


# --- tables by area: 网络零售额 for each 区、县（市） -------------------------------------------------------

AREA_HEADER: list[str | float] = ["地区", "1-12月累计（亿元）", "同比增长（%）", "占全市比重（%）", "备注"]
AREAS_2023: list[list[str | float]] = [  # the six add up to the city's 1012.34 亿元; the zone lies inside them
    [f"2023年1-12月各区、县（市）网络零售额{LABEL}"], ["填报单位（盖章）：绍兴市商务局", "", "", "报告期：2023年1-12月"],
    AREA_HEADER,
    ["越城区", 160.52, 9.1, 15.9, ""], ["柯桥区", 305.18, 10.4, 30.1, ""], ["上虞区", 150.26, 8.8, 14.8, ""],
    ["新昌县", 60.35, 7.9, 6.0, ""], ["诸暨市", 230.41, 11.2, 22.8, ""], ["嵊州市", 105.62, 9.5, 10.4, ""],
    ["滨海新区", 45.30, 12.6, 4.5, "功能区，已含在所在区数中"],
]
AREAS_2024: list[list[str | float]] = [
    [f"2024年1-12月各区、县（市）网络零售额情况{LABEL}"],
    ["填报单位（盖章）：绍兴市商务局", "", "", "报告期：2024年1-12月"],
    AREA_HEADER,
    ["全市", 1150.6, 13.7, 100.0, "快报"],
    ["越城区", 182.3, 13.6, 15.8, ""], ["柯桥区", 352.1, 15.4, 30.6, "含个体网店"], ["上虞区", 168.9, 12.4, 14.7, ""],
    ["新昌县", 66.2, 9.7, 5.8, ""], ["诸暨市", 262.0, 13.7, 22.8, ""],
    ["嵊州市", 119.1, 8.2, 10.4, "自2024年起含跨境电商零售出口，同比按可比口径计算"],
    ["滨海新区", 52.6, 16.1, 4.6, "功能区，已含在所在区数中"],
    [],
    ["填报人：李明　　联系电话：0575-85123456　　审核人：王芳　　填报时间：2025年1月10日"],
]


def area_sheet(sheet: Worksheet, rows: list[list[str | float]]) -> None:
    """A table of areas as statistics offices send it: merged title, unit and period line, one row per area."""
    thin = Side(style="thin")
    header = rows.index(AREA_HEADER) + 1
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value != "":
                cell = sheet.cell(row=r, column=c, value=value)
                if r >= header and len(row) == len(AREA_HEADER):
                    cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(AREA_HEADER))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    for column, width in zip("ABCDE", (12, 18, 14, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width


def district_table(path: Path, rows: list[list[str | float]]) -> Path:
    """A return that is only a table of areas (with its 全市 row)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "分地区"
    area_sheet(sheet, rows)
    book.properties.created = FIXED
    book.properties.creator = "示例"
    book.save(path)
    normalise(path)
    return path


def free_form_xls(path: Path, cells: list[list[str]]) -> Path:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("电商统计")
    title = xlwt.easyxf("font: bold on, height 280; align: horiz center")
    sheet.write_merge(0, 0, 0, 5, cells[0][0], title)
    sheet.write_merge(1, 1, 0, 2, cells[1][0])
    sheet.write_merge(1, 1, 3, 5, cells[1][3])
    for r, row in enumerate(cells[2:], start=2):
        for c, text in enumerate(row):
            if text:
                sheet.write(r, c, text)
    book.save(str(path))
    return path


# --- a long table: many agencies in one file (a back-fill of 2023 year-end figures) ----------------------

LONG_ROWS = [
    ("2023年", "市经信局", "省级工业互联网平台", "个", 52, ""),
    ("2023年", "市经信局", "省级数字工厂", "家", 3, ""),
    ("2023年", "市邮政管理局", "农村快递“共富驿站”", "个", 226, ""),
    ("2023年", "市市场监管局", "平台经济领域地方标准", "项", 5, "累计"),
    ("2023年", "市市场监管局", "数据知识产权登记", "件", 310, "累计"),
    ("2023年", "市市场监管局", "绿色通道入驻企业", "家", 350, ""),
]


def long_table(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "历史数据"
    sheet.append([f"平台经济指标历史数据补录{LABEL}"])
    sheet.merge_cells("A1:F1")
    sheet.append(["报告期", "填报单位", "指标名称", "计量单位", "数值", "备注"])
    for row in LONG_ROWS:
        sheet.append(list(row))
    book.properties.created = FIXED
    book.save(path)
    normalise(path)
    return path


def main(out: Path = OUT) -> list[Path]:
    """Write every example into ``out`` (replacing earlier ones); return their paths in import order (the
    returns for review, in ``out/审核``, last)."""
    review = out / REVIEW_DIR
    review.mkdir(parents=True, exist_ok=True)
    for old in [*out.glob("示例_*"), *review.glob("示例_*")]:
        old.unlink()
    return [
        long_table(out / "示例_历史数据补录_2023.xlsx"),
        free_form_xlsx(out / "示例_市商务局_2023Q4.xlsx", free_form_rows("2023年1-12月", COMMERCE_2023, "2024年1月12日"),
                       AREAS_2023),
        free_form_xls(out / "示例_市商务局_2024Q2.xls", free_form_rows("2024年1-6月", COMMERCE_2024H1, "2024年7月10日")),
        *(template_return(out, *spec) for spec in TEMPLATE_RETURNS),
        district_table(out / "示例_市商务局_2024Q4_分地区.xlsx", AREAS_2024),
        *(template_return(review, *spec) for spec in REVIEW_RETURNS),
        template_return(review, *REVIEW_RESUBMITTED, tag="_重报"),
    ]


if __name__ == "__main__":
    for written in main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        sys.stdout.write(f"{written}\n")
