"""Agency reports and the league table as xlsx workbooks, ready to print on A4 and to send out.

Report sheets: ``概况`` (summary, leading-group contacts, measures), ``任务`` (lead and co-operating
tasks with their latest progress texts and targets), ``指标`` (the indicator table), ``走势`` (one
block per indicator — period, period end, expected, actual — with a native Excel line chart of
actual against the trajectory beside it, on a date axis so that time is to scale), for an area's
government ``分地区`` (its area's figures) and ``地区对比`` (one block per indicator — every area's
figure, 同比, share, rank — with a native bar chart beside it), and ``报表`` (returns by period).
The league is one sheet ``排名``.

Every sheet is laid out by :mod:`pingtai.render.sheets`: columns sized to their content (CJK
counts double; figures always fit, long text wraps in rows tall enough for it), frozen header,
A4 fitted to one page wide at a readable size, header rows repeated on each printed page, a print
area and page numbers in the footer. Numbers are numbers, statuses are words on a coloured
fill, and every text goes through :func:`pingtai.safe_write.set_text` so that progress texts from
returns starting with ``=``, ``+``, ``-`` or ``@`` stay text and characters a cell cannot hold are
shown, not fatal. A figure cell holds the figure the text formats show (:func:`~pingtai.render.format.rounded`,
:func:`~pingtai.render.format.pct_figure`) in Excel's General (or ``0.0%``) format, so the workbook
spells every number exactly as the Markdown, HTML and terminal reports do.

Imports openpyxl at module level: the CLI imports this module only when it writes a workbook.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.axis import DateAxis
from openpyxl.chart.marker import DataPoint
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pingtai.assess import TASK_STATE_LABELS
from pingtai.by_area import AreaTable
from pingtai.render.charts import value_ticks
from pingtai.render.common import (
    ACTUAL_COLOUR,
    LEAGUE_TITLE,
    PATH_COLOUR,
    REPORT_TITLE,
    colours,
    idle_note,
    league_sections,
    return_label,
)
from pingtai.render.format import (
    growth_text,
    latest_text,
    pct_figure,
    rate_text,
    rounded,
    score_figure,
    status_counts_text,
    target_text,
    task_counts_text,
)
from pingtai.render.sheets import (
    budget,
    finish,
    fit_columns,
    fit_rows,
    keep_together,
    print_setup,
    total_width,
    used_area,
)
from pingtai.reports import (
    LEAGUE_BY_LABELS,
    ROLE_LABELS,
    AgencyReport,
    League,
    ReportIndicator,
    ReportTask,
)
from pingtai.safe_write import set_text

Value = str | int | float | dt.date | None

_THIN = Side(style="thin", color="A0A0A0")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CHART_ROWS = 14
"""Rows an indicator block takes at least: room for its chart (7.4 cm high at Excel's 15 pt rows);
two blocks and the gap between them fit on a landscape page."""
FIGURE = "General"
"""A figure cell's format: the cell holds the rounded figure, General shows it as the text does
(``#,##0.##`` would add separators and show 125 as ``125.``)."""
PERCENT = "0.0%"


CHART_PT = 11
"""Labels, axis titles and legend of a chart: as large as the body text, so they print at 10 pt or
more once the sheet is fitted to the page (an application's default, 10 pt, would print smaller)."""


def chart_text(size: float) -> RichText:
    """Text properties of a chart element (axis labels, a legend) at ``size`` points."""
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=round(size * 100))),
                                 endParaRPr=CharacterProperties(sz=round(size * 100)))])


def chart_title(text: str, size: float, bold: bool = False) -> Title:
    """A chart or axis title at ``size`` points."""
    font = CharacterProperties(sz=round(size * 100), b=bold)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=font), r=[RegularTextRun(rPr=font, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def figure(value: float | None) -> float | None:
    """A figure as an xlsx cell holds it: the one the text formats show."""
    return None if value is None else rounded(value)


# --- cells and sheets ------------------------------------------------------------------------


def put(sheet: Worksheet, row: int, column: int, value: Value, *, number_format: str | None = None,
        bold: bool = False, border: bool = True, wrap: bool = True) -> Cell:
    """Write one cell: texts verbatim as text (never formulas), numbers and dates with their format."""
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell), "writes go to a merged range's first cell only"
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    if number_format:
        cell.number_format = number_format
    if bold:
        cell.font = Font(bold=True)
    if border:
        cell.border = _BORDER
    if wrap:
        cell.alignment = _WRAP
    return cell


def paint(cell: Cell | MergedCell, kind: str, key: str) -> None:
    """Colour a status cell (the word is in the cell already)."""
    text, background = colours(kind, key)
    cell.font = Font(bold=True, color=text)
    cell.fill = PatternFill("solid", fgColor=background)


def title(sheet: Worksheet, text: str, subtitle: str, width: int) -> None:
    """Merged title and subtitle rows 1–2 across ``width`` columns."""
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    cell = put(sheet, 1, 1, text, border=False)
    cell.font = Font(bold=True, size=14)
    cell.alignment = _CENTER
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    put(sheet, 2, 1, subtitle, border=False)


def heading(sheet: Worksheet, row: int, text: str, width: int) -> None:
    """A bold heading over a section, merged across ``width`` columns (it sizes no column)."""
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    put(sheet, row, 1, text, bold=True, border=False)


def header(sheet: Worksheet, row: int, columns: Sequence[str]) -> None:
    """A header row, frozen below it (its widths come from the content, :func:`pingtai.render.sheets.finish`)."""
    for column, text in enumerate(columns, start=1):
        cell = put(sheet, row, column, text, bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = _CENTER
    sheet.freeze_panes = f"A{row + 1}"


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- agency report ---------------------------------------------------------------------------


def report_workbook(report: AgencyReport) -> Workbook:
    """The report as an openpyxl workbook (not saved)."""
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = "概况"
    _summary(summary, report)
    _tasks(workbook.create_sheet("任务"), report)
    _indicators(workbook.create_sheet("指标"), report)
    _trends(workbook.create_sheet("走势"), report)
    if report.area is not None:
        _areas(workbook.create_sheet("分地区"), report)
        _area_charts(workbook.create_sheet("地区对比"), report)
    _returns(workbook.create_sheet("报表"), report)
    workbook.properties.creator = "pingtai"
    workbook.properties.title = f"{report.agency} {REPORT_TITLE} {report.as_of.isoformat()}"
    return workbook


def report_xlsx(report: AgencyReport) -> bytes:
    """The report workbook's bytes."""
    return _save(report_workbook(report))


def _subtitle(report: AgencyReport) -> str:
    return f"{report.full_name}　研判日期：{report.as_of.isoformat()}"


def _summary(sheet: Worksheet, report: AgencyReport) -> None:
    title(sheet, f"{report.agency} · {REPORT_TITLE}", _subtitle(report), 4)
    header(sheet, 3, ["项目", "内容", "", ""])
    counts = report.return_counts
    next_due = report.next_due
    rows: list[tuple[str, str]] = [
        ("单位", f"{report.agency}（{report.full_name}）"),
        ("所属单位组", "、".join(report.groups) or "—"),
        *((f"计划 {p.short_name}", f"{p.number}《{p.title}》；应报至 {p.latest_due or '—'}") for p in report.plans),
        ("牵头任务", f"{len(report.lead)} 项：{task_counts_text(report.task_counts)}"),
        ("配合任务", f"{len(report.co)} 项"),
        ("相关指标", f"{len(report.indicators)} 项：{status_counts_text(report.indicator_counts)}"),
        ("报表", (f"应报 {counts.due}，按时 {counts.on_time}，逾期 {counts.late}，未报 {counts.missing}；按时率 "
                f"{rate_text(counts.rate)}") if report.owes_returns else "本单位不在报送名单中"),
        ("下一期报表", f"{next_due.period}，{next_due.due} 前" if next_due and next_due.due else "无"),
    ]
    row = 3
    for key, text in rows:
        row += 1
        put(sheet, row, 1, key, bold=True)
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        put(sheet, row, 2, text)
    short = {p.plan: p.short_name for p in report.plans}
    if report.contacts:
        row += 2
        heading(sheet, row, "领导小组联系人", 4)
        for c in report.contacts:
            row += 1
            put(sheet, row, 1, short.get(c.plan, c.plan))
            put(sheet, row, 2, c.group)
            put(sheet, row, 3, c.label)
            put(sheet, row, 4, c.name)
    if report.measures:
        row += 2
        heading(sheet, row, "组织实施事项", 4)
        for m in report.measures:
            row += 1
            put(sheet, row, 1, short.get(m.plan, m.plan))
            put(sheet, row, 2, m.title)
            put(sheet, row, 3, str(m.due) if m.due else "—")
            put(sheet, row, 4, m.source)
    finish(sheet, 3, "portrait")


_TASK_COLUMNS = ["计划", "编号", "角色", "任务", "牵头单位", "经由", "状态", "期别", "进展情况", "存在问题", "下步打算",
                 "量化目标"]


def _tasks(sheet: Worksheet, report: AgencyReport) -> None:
    title(sheet, f"{report.agency} · 任务进展", _subtitle(report), len(_TASK_COLUMNS))
    header(sheet, 3, _TASK_COLUMNS)
    for row, task in enumerate([*report.lead, *report.co], start=4):
        _task_row(sheet, row, task)
    finish(sheet, 3, "landscape")


def _task_row(sheet: Worksheet, row: int, task: ReportTask) -> None:
    targets = "\n".join(f"{t.name} {t.target}：最新 {latest_text(t.period or '—', t.actual)}，{t.label}"
                        for t in task.targets)
    state = task.label + (f"（上次：{TASK_STATE_LABELS.get(task.last_status, task.last_status)}）"
                          if task.last_status else "")
    values: list[Value] = [task.short_name, task.number, ROLE_LABELS[task.role], task.title, task.lead,
                           task.via or "", state, str(task.period or "—"), task.progress, task.issues,
                           task.next_steps, targets]
    for column, value in enumerate(values, start=1):
        put(sheet, row, column, value)
    paint(sheet.cell(row=row, column=7), "task", task.status)


_INDICATOR_COLUMNS = ["计划", "指标", "单位", "角色", "最新期别", "最新值", "当前应达", "最终目标", "完成率", "状态", "说明"]
CHART_COLUMN = 6
"""On ``走势``, each chart fills column F beside its block of data (A–D)."""


def _indicators(sheet: Worksheet, report: AgencyReport) -> None:
    title(sheet, f"{report.agency} · 相关指标", _subtitle(report), len(_INDICATOR_COLUMNS))
    header(sheet, 3, _INDICATOR_COLUMNS)
    short = {p.plan: p.short_name for p in report.plans}
    row = 3
    for r in report.indicators:
        row += 1
        values: list[Value] = [short.get(r.plan, r.plan), r.name, r.unit, ROLE_LABELS[r.role],
                               str(r.period) if r.period else "—", figure(r.actual), figure(r.expected),
                               target_text(r.final_target), pct_figure(r.completion), r.label, "；".join(r.notes)]
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value, number_format=FIGURE if column in (6, 7) else
                PERCENT if column == 9 else None)
        paint(sheet.cell(row=row, column=10), "status", r.status)
    finish(sheet, 3, "landscape", columns=len(_INDICATOR_COLUMNS))


def _trends(sheet: Worksheet, report: AgencyReport) -> None:
    """One block per indicator with chart points: its data (period, period end, expected, actual)
    and a line chart beside it; two blocks to a landscape page, never one split across two."""
    title(sheet, f"{report.agency} · 指标走势：实际与目标路径（应达）", _subtitle(report), CHART_COLUMN)
    short = {p.plan: p.short_name for p in report.plans}
    charted = [r for r in report.indicators if any(p.expected is not None or p.actual is not None for p in r.chart)]
    if not charted:
        heading(sheet, 3, "本单位相关指标尚无可绘制的数据。", CHART_COLUMN)
    row, blocks = 2, []
    for r in charted:
        top = row + 2
        row = _chart_block(sheet, top, r, short.get(r.plan, r.plan))
        blocks.append((top, row))
    _lay_out_charts(sheet, blocks, [(top, CHART_ROWS) for top, _ in blocks], CHART_COLUMN)


def _lay_out_charts(sheet: Worksheet, blocks: list[tuple[int, int]], charts: list[tuple[int, int]], column: int) -> None:
    """Lay out a sheet of blocks (rows first–last, their data left of ``column``) with a chart in ``column``
    beside each block that has one (``charts``: its top row and the rows it takes, in the order added)."""
    fit_columns(sheet, 3, "landscape")
    # the chart takes what the page has left beside the data, one blank column apart
    sheet.column_dimensions[get_column_letter(column - 1)].width = 2
    beside = budget("landscape") - total_width(sheet, range(1, column))
    sheet.column_dimensions[get_column_letter(column)].width = max(beside, 50)
    fit_rows(sheet)
    # the print area reaches the last chart's foot, which may lie below its block's last figure
    print_setup(sheet, "landscape", area=used_area(sheet, column, rows=max((last for _, last in blocks), default=0)))
    keep_together(sheet, blocks, "landscape", None)
    # Anchored to cells once the columns are sized: each chart fills its column beside its block.
    for (top, height), chart in zip(charts, sheet._charts, strict=True):  # type: ignore[attr-defined]
        chart.anchor = TwoCellAnchor(_from=AnchorMarker(col=column - 1, row=top - 1),
                                     to=AnchorMarker(col=column, row=top - 1 + height))


def _chart_block(sheet: Worksheet, top: int, r: ReportIndicator, plan: str) -> int:
    """The data of one indicator's chart at ``top`` and a line chart beside it; returns the block's last row."""
    put(sheet, top, 1, f"{r.name}（{plan}，{r.unit}）", bold=True, border=False, wrap=False)
    sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=4)
    for column, text in enumerate(("期别", "期末", "应达", "实际"), start=1):
        put(sheet, top + 1, column, text, bold=True).fill = _HEADER_FILL
    points = [p for p in r.chart if p.expected is not None or p.actual is not None]
    for i, point in enumerate(points, start=top + 2):
        put(sheet, i, 1, str(point.period))
        put(sheet, i, 2, point.period.end, number_format="yyyy-mm")
        put(sheet, i, 3, figure(point.expected), number_format=FIGURE)
        put(sheet, i, 4, figure(point.actual), number_format=FIGURE)
    last = top + 1 + len(points)
    chart = LineChart()
    chart.title = chart_title(f"{r.name}（{r.unit}）", 13, bold=True)
    chart.style = 2
    chart.display_blanks = "span"  # a missing quarter does not break the actual line
    chart.add_data(Reference(sheet, min_col=3, max_col=4, min_row=top + 1, max_row=last), titles_from_data=True)
    # A date axis places each period at its end date: a quarter is a quarter, a year a year.
    chart.x_axis = DateAxis(crossAx=100, axPos="b")
    chart.x_axis.number_format = "yyyy"
    chart.x_axis.baseTimeUnit = "months"
    chart.x_axis.majorUnit = 1
    chart.x_axis.majorTimeUnit = "years"
    chart.x_axis.title = chart_title("期末", CHART_PT)
    chart.set_categories(Reference(sheet, min_col=2, min_row=top + 2, max_row=last))
    chart.y_axis.title = chart_title(r.unit, CHART_PT)
    chart.x_axis.txPr = chart.y_axis.txPr = chart_text(CHART_PT)
    if chart.legend is not None:
        chart.legend.txPr = chart_text(CHART_PT)
    chart.y_axis.crossAx = 500
    ticks = value_ticks(points)  # the same value axis as the HTML chart
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = ticks[0], ticks[-1]
    chart.x_axis.delete = False  # openpyxl 3.1 leaves axes hidden in Excel unless told
    chart.y_axis.delete = False
    expected, actual = chart.series
    expected.tx = SeriesLabel(v="应达（目标路径）")  # the legend says what the column header shortens
    expected.graphicalProperties.line.solidFill = PATH_COLOUR
    expected.graphicalProperties.line.dashStyle = "dash"
    expected.graphicalProperties.line.width = 22000
    expected.smooth = False
    actual.graphicalProperties.line.solidFill = ACTUAL_COLOUR
    actual.graphicalProperties.line.width = 28000
    actual.marker.symbol = "circle"
    actual.marker.size = 6
    actual.marker.graphicalProperties.solidFill = ACTUAL_COLOUR
    actual.smooth = False
    sheet.add_chart(chart, f"{get_column_letter(CHART_COLUMN)}{top}")
    return max(last, top + CHART_ROWS - 1)


_AREA_COLUMNS = ["计划", "指标", "单位", "最新期别", "最新值", "同比（报表/计算）", "占全市比重", "位次", "地区目标", "状态"]


def _areas(sheet: Worksheet, report: AgencyReport) -> None:
    """The area's latest figure of each indicator reported by area: growth, share, rank and, where a plan
    sets area targets, its judgement."""
    area = report.area or ""
    title(sheet, f"{report.agency} · {area}分地区指标", _subtitle(report), len(_AREA_COLUMNS))
    header(sheet, 3, _AREA_COLUMNS)
    short = {p.plan: p.short_name for p in report.plans}
    row = 3
    for f in report.area_figures:
        row += 1
        values: list[Value] = [short.get(f.plan, f.plan), f.name, f.unit, str(f.period) if f.period else "—",
                               figure(f.actual), growth_text(f.yoy.reported, f.yoy.computed) if f.yoy else "—",
                               pct_figure(f.share), f"{f.rank}/{f.ranked}" if f.rank is not None else "—",
                               target_text(f.target) if f.target else "—", f.label]
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value, number_format=FIGURE if column == 5 else PERCENT if column == 7 else None)
        if f.status is not None:
            paint(sheet.cell(row=row, column=10), "status", f.status)
    if any(not f.judged for f in report.area_figures):
        row += 2
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_AREA_COLUMNS))
        put(sheet, row, 1, "未设地区目标的指标只列数值、同比与位次，不作研判：全市目标不适用于单个地区。", border=False)
    finish(sheet, 3, "landscape", columns=len(_AREA_COLUMNS))


AREA_COLUMNS = ("地区", "数值", "同比（报表/计算）", "占全市比重", "位次")
"""The columns of each block on ``地区对比``; its bar chart fills the column after the blank one beside them."""
AREA_CHART_COLUMN = len(AREA_COLUMNS) + 2


def _area_charts(sheet: Worksheet, report: AgencyReport) -> None:
    """One block per indicator the area has a figure of: every area's figure, 同比, share and rank, with a
    bar chart beside it (the report's own area in the actual colour); blocks never split across pages."""
    area = report.area or ""
    title(sheet, f"{report.agency} · 各地区对比：{area}在各区、县（市）中的位次", _subtitle(report), AREA_CHART_COLUMN)
    if not report.area_tables:
        heading(sheet, 3, "各地区尚无可对比的数值。", AREA_CHART_COLUMN)
    row, blocks, charted = 2, [], []
    for table in report.area_tables:
        top = row + 2
        row, height = _area_block(sheet, top, table, area)
        blocks.append((top, row))
        if height:
            charted.append((top, height))
    _lay_out_charts(sheet, blocks, charted, AREA_CHART_COLUMN)


def bar_rows(bars: int) -> int:
    """Rows a bar chart of ``bars`` areas is drawn over: two a bar and room for its title and axis, so that
    every area is named on the axis (LibreOffice leaves out every other name where they are closer)."""
    return max(CHART_ROWS, 2 * bars + 4)


def _area_block(sheet: Worksheet, top: int, table: AreaTable, area: str) -> tuple[int, int]:
    """One indicator's figures across the areas at ``top`` and a bar chart of them beside it; returns the
    block's last row and the rows its chart takes (0: no chart, no area has a figure)."""
    when = table.period.label() if table.period is not None else "—"
    put(sheet, top, 1, f"{table.name}（{table.unit}）各地区，{when}", bold=True, border=False, wrap=False)
    sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=len(AREA_COLUMNS))
    for column, text in enumerate(AREA_COLUMNS, start=1):
        put(sheet, top + 1, column, text, bold=True).fill = _HEADER_FILL
    # largest first, as ranked (zones after the county-level areas), then the areas without a figure
    rows = sorted((r for r in table.rows if r.value is not None), key=lambda r: (not r.summed, -(r.value or 0.0)))
    rows += [r for r in table.rows if r.value is None]
    for i, r in enumerate(rows, start=top + 2):
        put(sheet, i, 1, r.area, bold=r.area == area)
        put(sheet, i, 2, figure(r.value), number_format=FIGURE)
        put(sheet, i, 3, growth_text(r.yoy_reported, r.yoy_computed))
        put(sheet, i, 4, pct_figure(r.share), number_format=PERCENT)
        put(sheet, i, 5, r.rank)
    last = top + 1 + len(rows)
    for note in table.notes:
        last += 1
        sheet.merge_cells(start_row=last, start_column=1, end_row=last, end_column=len(AREA_COLUMNS))
        put(sheet, last, 1, note, border=False)
    shown = sum(1 for r in rows if r.value is not None)
    if shown:
        chart = BarChart()
        chart.type = "bar"  # horizontal: area names read along the axis
        chart.title = chart_title(f"{table.name}（{table.unit}）", 13, bold=True)
        chart.style = 2
        chart.legend = None
        chart.add_data(Reference(sheet, min_col=2, min_row=top + 1, max_row=top + 1 + shown), titles_from_data=True)
        chart.set_categories(Reference(sheet, min_col=1, min_row=top + 2, max_row=top + 1 + shown))
        chart.x_axis.delete = False  # openpyxl 3.1 leaves axes hidden in Excel unless told
        chart.y_axis.delete = False
        chart.y_axis.title = chart_title(table.unit, CHART_PT)
        chart.x_axis.txPr = chart.y_axis.txPr = chart_text(CHART_PT)
        chart.x_axis.scaling.orientation = "maxMin"  # the first row (the largest) at the top …
        chart.y_axis.crosses = "max"  # … and the value axis still at the bottom
        chart.x_axis.tickLblSkip = 1  # every area named, however small the chart is drawn
        bars = chart.series[0]
        bars.graphicalProperties.solidFill = PATH_COLOUR
        for index, r in enumerate(rows[:shown]):
            if r.area == area:  # the report's own area stands out, as in the HTML chart
                point = DataPoint(idx=index)
                point.graphicalProperties.solidFill = ACTUAL_COLOUR
                bars.dPt.append(point)
        sheet.add_chart(chart, f"{get_column_letter(AREA_CHART_COLUMN)}{top}")
    height = bar_rows(shown) if shown else 0
    return max(last, top + height - 1), height


_RETURN_COLUMNS = ["期别", "应报日期", "收到日期", "导入日期", "状态", "逾期天数", "文件", "填报日期", "计划", "填报人",
                   "联系电话", "审核人"]


def _returns(sheet: Worksheet, report: AgencyReport) -> None:
    title(sheet, f"{report.agency} · 报表报送", _subtitle(report), len(_RETURN_COLUMNS))
    header(sheet, 3, _RETURN_COLUMNS)
    short = {p.plan: p.short_name for p in report.plans}
    if not report.returns:
        put(sheet, 4, 1, "本单位不在报送名单中，无应报报表。" if not report.owes_returns else "无。", border=False,
            wrap=False)
    for row, e in enumerate(report.returns, start=4):
        values: list[Value] = [str(e.period), e.due, e.received, e.imported, return_label(e), e.days_late, e.file, e.filled_on,
                               "、".join(short.get(p, p) for p in e.plans), e.reporter, e.phone, e.reviewer]
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value)
        paint(sheet.cell(row=row, column=5), "return", e.state)
    finish(sheet, 3, columns=len(_RETURN_COLUMNS))


# --- league ----------------------------------------------------------------------------------

_LEAGUE_GROUPS = [("名次", 1), ("单位", 1), ("综合得分", 1), ("报表", 5), ("牵头任务", 6), ("归口指标", 6)]
"""The league's upper header row: each heading over how many columns."""
_LEAGUE_COLUMNS = ["名次", "单位", "综合得分", "应报", "按时", "逾期", "未报", "按时率", "项数", "正常", "滞后", "未启动", "未报",
                   "正常率", "项数", "正常", "预警", "滞后", "无数据", "正常率"]
"""Sub-headings as the terminal and Markdown league name them: an indicator 正常 includes 已达成, 滞后 includes 未达成."""
_LEAGUE_RATES = (8, 14, 20)


def league_workbook(league: League) -> Workbook:
    """The league table as an openpyxl workbook (not saved).

    Two header rows (报表 / 牵头任务 / 归口指标 over their counts) keep the sheet narrow enough
    to print at a readable size; units with nothing at all to count are named in a note below
    the table rather than given a row of zeros.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "排名"
    scope = f"（{league.plan}）" if league.plan else ""
    title(sheet, f"{LEAGUE_TITLE}{scope}",
          f"研判日期：{league.as_of.isoformat()}　排名依据：{LEAGUE_BY_LABELS[league.by]}", len(_LEAGUE_COLUMNS))
    column = 1
    for text, span in _LEAGUE_GROUPS:
        cell = put(sheet, 3, column, text, bold=True)
        cell.fill, cell.alignment = _HEADER_FILL, _CENTER
        if span > 1:
            sheet.merge_cells(start_row=3, start_column=column, end_row=3, end_column=column + span - 1)
        else:
            sheet.merge_cells(start_row=3, start_column=column, end_row=4, end_column=column)
        column += span
    for column, text in enumerate(_LEAGUE_COLUMNS, start=1):
        if column > 3:
            cell = put(sheet, 4, column, text, bold=True)
            cell.fill, cell.alignment = _HEADER_FILL, _CENTER
    sheet.freeze_panes = "A5"
    shown_rows, idle = league_sections(league)
    row = 4
    for r in shown_rows:
        row += 1
        i = r.indicators
        values: list[Value] = [r.rank, r.agency, score_figure(r.score), r.returns.due,
                               r.returns.on_time, r.returns.late, r.returns.missing, pct_figure(r.returns.rate), r.tasks.led,
                               r.tasks.on_track, r.tasks.late, r.tasks.not_started, r.tasks.unreported,
                               pct_figure(r.tasks.rate), i.owned, i.on_track + i.achieved, i.at_risk,
                               i.off_track + i.missed, i.no_data, pct_figure(i.rate)]
        for column, value in enumerate(values, start=1):
            put(sheet, row, column, value, number_format=PERCENT if column in _LEAGUE_RATES else "0.0" if column == 3
                else None)
    notes = [league.rule, *([idle_note(idle)] if idle else [])]
    for note in notes:
        row += 2 if note is notes[0] else 1
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(_LEAGUE_COLUMNS))
        put(sheet, row, 1, note, border=False)
    finish(sheet, 3, "landscape", header_rows=2, columns=len(_LEAGUE_COLUMNS))
    workbook.properties.creator = "pingtai"
    return workbook


def league_xlsx(league: League) -> bytes:
    """The league workbook's bytes."""
    return _save(league_workbook(league))


__all__ = ["CHART_ROWS", "league_workbook", "league_xlsx", "paint", "put", "report_workbook",
           "report_xlsx"]
