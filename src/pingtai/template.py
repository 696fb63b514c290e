"""The return workbook sent to an agency: its indicators and lead tasks, ready to fill in.

Sheets (names and headers from :mod:`pingtai.layout`, which the reader relies on):

* ``填报说明`` — how to fill it in: period, units, deadline, blank = 未报 (never 0), contact;
* ``指标`` — a merged title row, a ``填报单位：… 报告期：…`` row, the header row, one row per
  indicator the agency reports (prefilled id, name, unit, period; 填报值 and 说明 to fill), then
  ``填报人`` / ``联系电话`` / ``审核人`` / ``填报日期`` labels with an input cell to the right of each;
* ``分地区`` — only for a unit that reports indicators by area (not an area's own government, whose
  figures on ``指标`` are its area's): a row per area, a 填报值 and 同比增长（%） column per indicator,
  a 备注 column; cells of an area an indicator is not reported for are locked and grey;
* ``任务`` — the tasks the agency leads in each plan, with a 未启动/推进中/已完成/滞后 list;
* ``_pingtai`` — hidden ``key | value`` rows (template version, agency, period, plan version,
  generation date) so that the import needs no flags.

Imports openpyxl at module level: the CLI imports this module only inside ``pingtai template``.
Labels are locked and the sheets protected (no password: it prevents slips, not determined edits);
input cells are unlocked and validated. Columns, rows and printing are laid out by
:mod:`pingtai.render.sheets`, as for every workbook pingtai writes. What the instructions ask for
is what the sheets hold (:func:`instructions`): a unit with no indicators is not asked for figures,
one that leads no task is not asked for progress. The file is written atomically.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pingtai import layout
from pingtai.agencies import AgencyIndex
from pingtai.catalog import Catalog, Indicator, Task
from pingtai.errors import UsageError
from pingtai.frozen import Record
from pingtai.periods import Period, PeriodError
from pingtai.render.sheets import budget, finish, fit_rows, print_setup
from pingtai.safe_write import inside, text_cells_only, write_atomically
from pingtai.schedule import plan_schedule, return_contents

_INPUT_WIDTHS = {"value": {5: 14, 6: 24}, "task": {4: 10, 5: 30, 6: 20, 7: 20}}
"""Input columns (index → width) stay wide enough to write in, whatever the labels beside them."""
_AREA_INPUT_WIDTHS = (10.0, 8.0, 20.0)
"""On ``分地区``: each indicator's 填报值 and 同比 columns, and the 备注 column."""
_TITLE = "绍兴市平台经济政策落实情况填报表"


class TemplateTask(Record):
    """A task the agency leads, as the template lists it."""

    plan: str
    plan_name: str
    task: Task


class TemplateContent(Record):
    """What a template for ``agency`` and ``period`` contains (also what the command reports)."""

    agency: str
    full_name: str
    period: Period
    indicators: tuple[Indicator, ...]
    tasks: tuple[TemplateTask, ...]
    plan_version: str
    due: dt.date
    offices: tuple[str, ...]
    by_area: tuple[Indicator, ...] = ()
    """The indicators the agency reports for each area on the ``分地区`` sheet (none: no such sheet)."""
    areas: tuple[str, ...] = ()
    """The rows of the ``分地区`` sheet: every area one of ``by_area`` is reported for, in ``areas.yaml`` order."""


class TemplateResult(Record):
    """A written template: where, and what it holds."""

    path: Path
    content: TemplateContent


def due_date(catalog: Catalog, agency: str, period: Period) -> dt.date:
    """The day ``agency``'s return for ``period`` is due: the earliest date any plan covering it sets.

    The calendar (``schedule:`` in each plan file, with its per-agency rules) is the one the
    dashboard and ``pingtai check`` judge by, so the deadline printed on the form is the same.
    """
    point = period.as_point()
    schedules = [plan_schedule(catalog, plan) for plan in catalog.plans]
    covering = [s for s in schedules if s.covers(point)] or schedules
    return min(s.for_agency(agency).due_date(point) for s in covering)


def plan_version(catalog: Catalog) -> str:
    """``plan_2023_38@2026-11-23;zone_2023_5@…``: each plan with the date of its data revision."""
    return ";".join(f"{p.id}@{p.spec.revision.date.isoformat()}" for p in catalog.plans)


def default_name(agency: str, period: Period) -> str:
    """``填报表_<agency>_<period>.xlsx``."""
    return f"填报表_{agency}_{period}.xlsx"


def template_content(catalog: Catalog, agency: str, period: str | Period) -> TemplateContent:
    """Resolve ``agency`` (any spelling) and ``period`` and collect what its template lists.

    Indicators: those the agency owns, and those linked to a task it leads (directly or through a
    group), each once, in plan order. Tasks: those it leads in each plan. Only the plans whose
    calendar covers the period count (:func:`pingtai.schedule.return_contents`): a plan that has
    ended leaves the templates of later periods. Raises
    :class:`~pingtai.errors.UnknownNameError` for an unknown agency and :class:`UsageError` for a
    group name, an unreadable period or a period no plan in force covers.
    """
    index = AgencyIndex(catalog.agencies)
    found = index.resolve(agency)
    if found.agency is None:
        raise UsageError(f"'{found.name}' 是单位组，不是单个单位：请为组内每个单位分别生成填报表",
                         hint=f"成员：{'、'.join(found.group.members) if found.group else ''}")
    try:
        wanted = Period.parse(period)
    except PeriodError as exc:
        raise UsageError(f"--period：{exc}") from None
    name = found.agency.name
    contents = return_contents(catalog, name, wanted)
    if not contents.plans:
        spans = "、".join(f"{p.spec.short_name} {s.first.label()}—{s.last.label() if s.last else '—'}"
                         for p in catalog.plans for s in [plan_schedule(catalog, p)])
        raise UsageError(f"报告期 {wanted.label()} 不在任何计划的执行期内，不生成填报表", hint=f"各计划的报送期：{spans}。")
    tasks = tuple(TemplateTask(plan.id, plan.spec.short_name, task) for plan, task in contents.tasks)
    offices = tuple(a.name for a in catalog.agencies.agencies if a.kind == "office")
    # an area's government reports its own area's figures on 指标; any other unit reports areas apart
    governs = any(a.agency == name for a in catalog.areas.areas) if catalog.areas is not None else False
    by_area = () if governs else tuple(i for i in contents.indicators if i.areas)
    wanted_areas = {area for i in by_area for area in i.areas}
    areas = tuple(a.name for a in catalog.areas.areas if a.name in wanted_areas) if catalog.areas is not None else ()
    return TemplateContent(agency=name, full_name=found.agency.full_name, period=wanted, indicators=contents.indicators,
                           tasks=tasks, plan_version=plan_version(catalog), due=due_date(catalog, name, wanted),
                           offices=offices, by_area=by_area, areas=areas)


def write_template(catalog: Catalog, agency: str, period: str | Period, path: Path | None = None, *,
                   generated: dt.date, title_note: str = "") -> TemplateResult:
    """Write the template workbook for ``agency`` and ``period`` to ``path``; return what it holds.

    ``path`` defaults to :func:`default_name` in the working directory; ``generated`` is recorded
    in the metadata (the caller reads the clock). ``title_note`` is appended to the title rows
    (the examples use it to say 示例数据). The file is written to a temporary name in the same
    directory, synced, then renamed, so a crash never leaves half a workbook under the real name.
    """
    content = template_content(catalog, agency, period)
    target = path if path is not None else inside(Path("."), default_name(content.agency, content.period))
    workbook = build_workbook(content, generated=generated, title_note=title_note)
    # Texts from the (user-edited) catalog never become formulas; the file appears whole or not at all.
    write_atomically(target, text_cells_only(workbook).save)
    return TemplateResult(target, content)


def build_workbook(content: TemplateContent, *, generated: dt.date, title_note: str = "") -> Workbook:
    """The openpyxl workbook for ``content``, not yet saved."""

    workbook = Workbook()
    instructions = workbook.active
    assert instructions is not None
    instructions.title = layout.INSTRUCTIONS_SHEET
    _instructions(instructions, content, title_note)
    _values_sheet(workbook.create_sheet(layout.VALUES_SHEET), content, title_note)
    if content.by_area:
        _areas_sheet(workbook.create_sheet(layout.AREAS_SHEET), content, title_note)
    _tasks_sheet(workbook.create_sheet(layout.TASKS_SHEET), content, title_note)
    _meta_sheet(workbook.create_sheet(layout.META_SHEET), content, generated)
    workbook.active = 1
    workbook.properties.creator = "pingtai"
    workbook.properties.title = f"{_TITLE}（{content.agency}，{content.period.label()}）"
    return workbook


# --- sheets ------------------------------------------------------------------------------------

def _styles() -> dict[str, Any]:

    thin = Side(style="thin", color="808080")
    return {
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
        "note": Font(italic=True, color="C00000"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "wrap": Alignment(vertical="center", wrap_text=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "header_fill": PatternFill("solid", fgColor="D9E1F2"),
        "input_fill": PatternFill("solid", fgColor="FFF2CC"),
        "unlocked": Protection(locked=False),
    }


def _title_rows(sheet: Worksheet, title: str, content: TemplateContent, width: int) -> None:
    style = _styles()
    last = get_column_letter(width)
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"] = title
    sheet["A1"].font = style["title"]
    sheet["A1"].alignment = style["center"]
    sheet.row_dimensions[1].height = 30
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"] = f"填报单位：{content.agency}　　报告期：{content.period.label()}"
    sheet["A2"].alignment = style["wrap"]


def _header(sheet: Worksheet, row: int, headers: tuple[str, ...]) -> None:
    style = _styles()
    for column, text in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=column, value=text)
        cell.font = style["bold"]
        cell.alignment = style["center"]
        cell.border = style["border"]
        cell.fill = style["header_fill"]
    sheet.freeze_panes = f"A{row + 1}"


def _protect(sheet: Worksheet) -> None:
    sheet.protection.sheet = True
    # Let people widen columns and rows to read long texts; everything else stays as sent.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _hint(indicator: Indicator, period: Period) -> str:
    if indicator.kind == "flow":
        text = f"1-{period.last_month}月累计" if period.last_month > 1 else "1月"
    elif indicator.kind == "stock":
        text = f"截至{period.end.month}月末"
    else:
        text = f"截至{period.end.month}月末累计总数"
    if indicator.unit == "%":
        text += "；填数字，如 85 表示 85%"
    if indicator.frequency == "annual" and period.last_month != 12:
        text += "；年度指标，年报时必填"
    return text


def _sheet_top(sheet: Worksheet, title: str, content: TemplateContent, headers: tuple[str, ...],
               empty_note: str | None) -> int:
    """Title rows, an optional note saying the sheet has nothing to fill, the header; returns its row."""
    _title_rows(sheet, title, content, len(headers))
    row = 3
    if empty_note is not None:
        sheet.merge_cells(start_row=3, start_column=1, end_row=3, end_column=len(headers))
        sheet["A3"] = empty_note
        sheet["A3"].font = _styles()["note"]
        sheet["A3"].alignment = _styles()["wrap"]
        row = 4
    _header(sheet, row, headers)
    return row


NOTHING_TO_FILL = "本单位本期既无需填报的指标，也不牵头任务，无需报送本表。"
"""What every sheet of a template for a unit with nothing to report says (a district government
is named in the plans only through a group or as a co-operating unit)."""
CO_UNITS = "配合单位的工作进展由牵头单位汇总填报。"


def values_note(content: TemplateContent) -> str | None:
    """The note over the ``指标`` sheet when it lists no indicator (``None`` when it does)."""
    if content.indicators:
        return None
    if content.tasks:
        return "本单位没有归口或牵头任务关联的指标，本表无需填写数值；请填写“任务”表，并在本表下方填写填报人信息。"
    return f"{NOTHING_TO_FILL}{CO_UNITS}"


def tasks_note(content: TemplateContent) -> str | None:
    """The note over the ``任务`` sheet when it lists no task (``None`` when it does)."""
    if content.tasks:
        return None
    if content.indicators:
        return "本单位在两份方案中均不是牵头单位，本表无需填写；请填写“指标”表。"
    return f"{NOTHING_TO_FILL}{CO_UNITS}"


def _values_sheet(sheet: Worksheet, content: TemplateContent, title_note: str) -> None:
    style = _styles()
    row = _sheet_top(sheet, f"{_TITLE}（指标）{title_note}", content, layout.VALUE_HEADERS, values_note(content))
    validation = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, errorStyle="warning", errorTitle="请填写数字",
                                error="填报值应为不小于 0 的数字，单位见“计量单位”列；不报请留空。",
                                showInputMessage=True, promptTitle="填报值", prompt="填数字，不带单位；留空表示未报。")
    first = row + 1
    for indicator in content.indicators:
        row += 1
        # The hint is a comment on the value cell, not text in 说明: 说明 is the agency's own note and
        # the reader stores it with the value, so a prefilled hint would come back as a "note".
        cells = (indicator.id, indicator.name, indicator.unit, content.period.label(), None, None)
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = style["border"]
            cell.alignment = style["wrap"]
            if column >= 5:
                cell.protection = style["unlocked"]
                cell.fill = style["input_fill"]
        value_cell = sheet.cell(row=row, column=5)
        value_cell.number_format = "#,##0.####"
        value_cell.comment = Comment(_hint(indicator, content.period), "pingtai", width=220, height=60)
    if content.indicators:
        validation.add(f"E{first}:E{row}")
        sheet.add_data_validation(validation)
    if not content.indicators and not content.tasks:
        _protect(sheet)
        finish(sheet, row, "landscape", floors=_INPUT_WIDTHS["value"])
        return
    row += 2
    for label in (layout.REPORTER_LABEL, layout.PHONE_LABEL, layout.REVIEWER_LABEL, layout.FILLED_ON_LABEL):
        sheet.cell(row=row, column=1, value=label).font = style["bold"]
        entry = sheet.cell(row=row, column=2)
        entry.protection = style["unlocked"]
        entry.fill = style["input_fill"]
        entry.border = style["border"]
        if label == layout.FILLED_ON_LABEL:
            entry.number_format = "yyyy-mm-dd"
        else:
            entry.number_format = "@"  # a phone number stays text, leading zeros and all
        row += 1
    if content.indicators:
        note = sheet.cell(row=row + 1, column=1, value="注：流量指标填年内累计数，存量指标填期末数；留空为“未报”，不作 0 处理。")
        sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=len(layout.VALUE_HEADERS))
        note.alignment = style["wrap"]
    _protect(sheet)
    finish(sheet, first - 1, "landscape", floors=_INPUT_WIDTHS["value"])


def _areas_sheet(sheet: Worksheet, content: TemplateContent, title_note: str) -> None:
    """A row per area; per indicator a 填报值 and a 同比 column under its name and unit; one 备注 column."""
    style = _styles()
    width = 2 + 2 * len(content.by_area)
    _title_rows(sheet, f"{_TITLE}（分地区）{title_note}", content, width)
    top = 3
    heads = [(1, layout.AREA_COLUMN)]
    for i, indicator in enumerate(content.by_area):
        heads += [(2 + 2 * i, f"{indicator.name}（{indicator.unit}）"), (3 + 2 * i, "")]
    heads.append((width, layout.AREA_NOTE))
    for column, text in heads:
        sheet.cell(row=top, column=column, value=text or None)
    for i in range(len(content.by_area)):
        sheet.merge_cells(start_row=top, start_column=2 + 2 * i, end_row=top, end_column=3 + 2 * i)
        sheet.cell(row=top + 1, column=2 + 2 * i, value=layout.AREA_VALUE)
        sheet.cell(row=top + 1, column=3 + 2 * i, value=layout.AREA_GROWTH)
    for column in (1, width):
        sheet.merge_cells(start_row=top, start_column=column, end_row=top + 1, end_column=column)
    for row in (top, top + 1):
        for column in range(1, width + 1):
            head = sheet.cell(row=row, column=column)
            head.font = style["bold"]
            head.alignment = style["center"]
            head.border = style["border"]
            head.fill = style["header_fill"]
    values = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                            showErrorMessage=True, errorStyle="warning", errorTitle="请填写数字",
                            error="填报值应为不小于 0 的数字，单位见表头；不报请留空。")
    growth = DataValidation(type="decimal", operator="between", formula1="-100", formula2="100000", allow_blank=True,
                            showErrorMessage=True, errorStyle="warning", errorTitle="请填写百分数",
                            error="同比增长填百分数的数字，如 9.8 表示增长 9.8%，-3.2 表示下降 3.2%。")
    locked = PatternFill("solid", fgColor="D9D9D9")
    row = top + 1
    for area in content.areas:
        row += 1
        sheet.cell(row=row, column=1, value=area).border = style["border"]
        for i, indicator in enumerate(content.by_area):
            for column, check in ((2 + 2 * i, values), (3 + 2 * i, growth)):
                cell = sheet.cell(row=row, column=column)
                cell.border = style["border"]
                if area in indicator.areas:
                    cell.protection = style["unlocked"]
                    cell.fill = style["input_fill"]
                    check.add(cell.coordinate)
                else:  # not reported for this area: locked and grey, left empty (text there would be read)
                    cell.fill = locked
        note = sheet.cell(row=row, column=width)
        note.border = style["border"]
        note.protection = style["unlocked"]
        note.fill = style["input_fill"]
        note.alignment = style["wrap"]
    sheet.add_data_validation(values)
    sheet.add_data_validation(growth)
    footnote = sheet.cell(row=row + 2, column=1, value="注：各区、县（市）数值之和应与“指标”表的全市数一致（功能区已含在所在区中，不计入合计）；"
                                                         "留空为“未报”，不作 0 处理；灰色单元格为该指标不按此地区填报，无需填写。")
    sheet.merge_cells(start_row=row + 2, start_column=1, end_row=row + 2, end_column=width)
    footnote.alignment = style["wrap"]
    _protect(sheet)
    floors = {column: (_AREA_INPUT_WIDTHS[0] if column % 2 == 0 else _AREA_INPUT_WIDTHS[1])
              for column in range(2, width)}
    finish(sheet, top, "landscape", header_rows=2, floors={**floors, width: _AREA_INPUT_WIDTHS[2]})
    sheet.freeze_panes = f"B{top + 2}"  # the area names stay in view beside the figures


def _tasks_sheet(sheet: Worksheet, content: TemplateContent, title_note: str) -> None:
    style = _styles()
    row = _sheet_top(sheet, f"{_TITLE}（任务进展）{title_note}", content, layout.TASK_HEADERS, tasks_note(content))
    statuses = ",".join(layout.TASK_STATUSES)
    validation = DataValidation(type="list", formula1=f'"{statuses}"', allow_blank=True, showErrorMessage=True,
                                errorTitle="请从列表中选择", error=f"进展状态只能是：{'、'.join(layout.TASK_STATUSES)}。",
                                showInputMessage=True, promptTitle="进展状态", prompt="从下拉列表选择。")
    first = row + 1
    for item in content.tasks:
        row += 1
        cells = (item.plan_name, item.task.number, item.task.title, None, None, None, None)
        for column, value in enumerate(cells, start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.border = style["border"]
            cell.alignment = style["center"] if column <= 2 else style["wrap"]
            if column >= 4:
                cell.protection = style["unlocked"]
                cell.fill = style["input_fill"]
        sheet.row_dimensions[row].height = 48
    if content.tasks:
        validation.add(f"D{first}:D{row}")
        sheet.add_data_validation(validation)
    _protect(sheet)
    finish(sheet, first - 1, "landscape", floors=_INPUT_WIDTHS["task"])


def instructions(content: TemplateContent, title_note: str = "") -> list[tuple[str, str]]:
    """The lines of ``填报说明`` with their style (``title``, ``bold`` or plain): what to fill where,
    asking only for what the sheets hold."""
    period = content.period
    lines = [
        (f"{_TITLE} — 填报说明{title_note}", "title"),
        (f"填报单位：{content.agency}（{content.full_name}）", "bold"),
        (f"报告期：{period.label()}（截至 {period.end.isoformat()}）", "bold"),
        (f"报送截止：{content.due.year}年{content.due.month}月{content.due.day}日前", "bold"),
        ("", ""),
    ]
    if not content.indicators and not content.tasks:
        lines += [(NOTHING_TO_FILL, "bold"),
                  (f"本单位在两份方案中没有归口指标，也没有牵头任务（“指标”“任务”两表均为空）。{CO_UNITS}"
                   "如认为名单有误，请与下方办公室联系。", "")]
    else:
        lines.append(("一、指标（“指标”表）", "bold"))
        if content.indicators:
            lines += [
                ("1. 在“填报值”列填写数字，单位以“计量单位”列为准（例如 亿元），不要填写单位或文字；可在“说明”列补充口径、备注。", ""),
                ("2. 流量指标（如网络零售额）填年内累计数（1月至报告期末）；存量指标填报告期末的数；累计指标填自起始以来的累计总数。", ""),
                ("3. 留空表示“未报”，不会被当作 0；确实为 0 的请填 0。数值小于最小单位的可填“…”。", ""),
                ("4. 百分比指标填数字，如 85 表示 85%。", ""),
                ("5. 请在“指标”表下方填写填报人、联系电话、审核人、填报日期。", ""),
                *([("6. “分地区”表：按地区填写各区、县（市）及功能区的数值（单位见表头）和同比增长（%），可在“备注”列说明口径；"
                    "全市数填在“指标”表。", "")] if content.by_area else []),
            ]
        else:
            lines.append(("本单位没有归口或牵头任务关联的指标，“指标”表无需填写数值；请在“指标”表下方填写填报人、联系电话、审核人、填报日期。", ""))
        lines.append(("二、任务（“任务”表）", "bold"))
        if content.tasks:
            lines.append(("列出本单位牵头的任务：在“进展状态”下拉选择 未启动 / 推进中 / 已完成 / 滞后，并填写进展情况、存在问题、下步打算。"
                          + CO_UNITS, ""))
        else:
            lines.append((f"本单位在两份方案中均不是牵头单位，“任务”表无需填写。{CO_UNITS}", ""))
        lines += [
            ("三、注意", "bold"),
            ("请勿修改表头、增删工作表，或改动隐藏的 _pingtai 工作表：它记录了填报单位、报告期和计划版本，导入时据此识别本表。", ""),
            ("可用 Excel、WPS 或 LibreOffice 填写后保存（.xlsx 为宜，.xls、.ods 亦可）。", ""),
        ]
    lines += [
        ("", ""),
        (f"指标 {len(content.indicators)} 项，牵头任务 {len(content.tasks)} 项。", ""),
        (f"计划版本：{content.plan_version}", ""),
    ]
    if content.offices:
        lines.append((f"如有疑问，请联系：{'、'.join(content.offices)}。", ""))
    return lines


def _instructions(sheet: Worksheet, content: TemplateContent, title_note: str) -> None:
    style = _styles()
    sheet.column_dimensions["A"].width = budget("portrait")
    for row, (text, kind) in enumerate(instructions(content, title_note), start=1):
        cell = sheet.cell(row=row, column=1, value=text or None)
        cell.alignment = style["wrap"]
        if kind:
            cell.font = style[kind]
    _protect(sheet)
    fit_rows(sheet)
    print_setup(sheet, "portrait", area=f"A1:A{sheet.max_row}")


def _meta_sheet(sheet: Worksheet, content: TemplateContent, generated: dt.date) -> None:
    sheet["A1"] = layout.TEMPLATE_FORMAT
    sheet["B1"] = layout.TEMPLATE_VERSION
    values = {"agency": content.agency, "period": str(content.period), "plan_version": content.plan_version,
              "generated": generated.isoformat()}
    for row, key in enumerate(layout.META_KEYS, start=2):
        sheet.cell(row=row, column=1, value=key)
        # Text, not dates or numbers: a spreadsheet application re-saving the file must not retype them.
        cell = sheet.cell(row=row, column=2, value=values[key])
        cell.number_format = "@"
        cell.data_type = "s"
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
