"""Console rendering of ``pingtai status`` and ``pingtai show``.

Turns :class:`~pingtai.assess.StatusReport` and :class:`~pingtai.assess.IndicatorDetail` into
tables: coloured status words, sparklines and a row chart on a terminal; the same words and
numbers as tab-separated plain text when piped (no escape codes, ``#`` bars instead of blocks).
Colour never carries meaning alone: every status is also a word.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pingtai.assess import (
    TASK_STATE_LABELS,
    TASK_STATES,
    IndicatorDetail,
    IndicatorStatus,
    PathRow,
    PlanDetail,
    StatusReport,
)
from pingtai.catalog import DIRECTION_LABELS, KIND_LABELS
from pingtai.progress import JUDGEMENT_LABELS, METHOD_LABELS, PROJECTION_METHOD_LABELS, STATUS_LABELS
from pingtai.render.console import Cell, Line, Output, TableData
from pingtai.render.format import (
    completion_text,
    expected_text,
    growth_text,
    latest_text,
    num,
    pct,
    points,
    projection_text,
    ratio_text,
    signed_pct,
    status_word,
    target_text,
)

if TYPE_CHECKING:
    from pingtai.by_area import AreaFigure, AreaTable

STATUS_STYLES = {
    "achieved": "bold green", "on_track": "green", "at_risk": "bold yellow", "off_track": "bold red",
    "no_data": "bright_black", "no_baseline": "blue", "missed": "bold red",
}
JUDGEMENT_STYLES = {"met": "green", "missed": "red", "no_data": "bright_black", "pending": ""}
TASK_STYLES = {"late": "bold red", "unreported": "bright_black", "done": "green"}
SPARKS = "▁▂▃▄▅▆▇█"
_value_of = operator.attrgetter("value")
FREQUENCY_LABELS = {"monthly": "月报", "quarterly": "季报", "half_yearly": "半年报", "annual": "年报"}


# --- pieces of the dashboard -------------------------------------------------------------------


def sparkline(values: Sequence[float]) -> str:
    """``▁▂▃▅▇`` for the values, scaled between their minimum and maximum; empty for none."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return SPARKS[3] * len(values)
    span, steps = high - low, len(SPARKS) - 1
    if not math.isfinite(span):  # figures at both ends of the float range: scale them down first
        values, low, span = [v / 2 for v in values], low / 2, high / 2 - low / 2
    return "".join([SPARKS[round((v - low) / span * steps)] for v in values])


def trend_values(row: IndicatorStatus) -> list[float]:
    """The values a sparkline shows: flows by full years (year-to-date figures are not comparable)."""
    if row.kind == "flow":
        years = [p.value for p in row.history if p.period.kind == "Y"]
        if len(years) >= 2:
            return years
    return list(map(_value_of, row.history))


def status_cell(status: str, final: bool = False) -> Line:
    return Line(status_word(status, final), STATUS_STYLES[status])


# --- status ----------------------------------------------------------------------------------


def indicator_table(title: str, rows: Sequence[IndicatorStatus]) -> TableData:
    columns = ["指标", "单位", "基期", "最新值（期别）", "当前应达", "下一节点", "最终目标", "完成率", "状态", "预测", "走势"]
    table = TableData(title, columns, optional=("走势", "预测", "基期", "下一节点"))
    for row in rows:
        table.rows.append([
            row.name, row.unit,
            f"{row.baseline.period}: {num(row.baseline.value)}" if row.baseline else "—",
            latest_text(row.period, row.actual), expected_text(row.expected, row.method),
            target_text(row.next_milestone) if row.next_milestone else "—",
            target_text(row.final_target), completion_text(row.completion, row.completion_target), status_cell(row.status, row.final),
            projection_text(row.projection, row.projection_reason), sparkline(trend_values(row)),
        ])
    return table


def counts_line(counts: dict[str, int]) -> Line:
    line = Line()
    for status, label in STATUS_LABELS.items():
        if counts.get(status):
            if line.plain:
                line.append(" · ")
            line.append(f"{label} {counts[status]}", style=STATUS_STYLES[status])
    return line


def render_status(report: StatusReport, out: Output) -> None:
    """Print the dashboard: per plan its indicators, then tasks, late tasks and returns outstanding
    (an area's dashboard: :func:`render_area_status`)."""
    if report.area is not None:
        render_area_status(report, out)
        return
    scope = f"（单位：{report.agency}）" if report.agency else ""
    out.line(Line(f"进度看板 {report.as_of.isoformat()}{scope}", "bold"))
    if report.awaiting_review:
        out.line(Line(f"待审核报表 {report.awaiting_review} 份（最早于 {report.awaiting_since} 收到），接收前不计入以下结果："
                      "见 pingtai review", "yellow"))
    out.line()
    for plan in report.plans:
        rows = [r for r in report.indicators if r.plan == plan.plan]
        due = f"应报至 {plan.latest_due}" if plan.latest_due else "尚无应报期"
        ended = "；已结束（计划期满、末期报表已过期限，结论为最终结论）" if plan.ended else ""
        out.line(Line(f"{plan.short_name} {plan.number}《{plan.title}》", "bold"))
        summary = Line(f"{due}{ended}；指标 {len(rows)} 项：")
        summary.append_text(counts_line(plan.counts) if rows else Line("无"))
        out.line(summary)
        if rows:
            out.table(indicator_table(f"{plan.short_name} 指标", rows))
        else:
            out.line()
    render_tasks(report, out)
    render_returns(report, out)


def render_tasks(report: StatusReport, out: Output) -> None:
    states = [s for s in TASK_STATES if s != "unmarked" or any(a.counts[s] for a in report.actions)]
    table = TableData("任务进展（按行动分组）", ["计划", "行动", "任务数", *[TASK_STATE_LABELS[s] for s in states]])
    short = {p.plan: p.short_name for p in report.plans}
    for group in report.actions:
        table.rows.append([short[group.plan], f"（{group.action}）{group.title}", str(group.tasks),
                           *[_count(group.counts[s], s) for s in states]])
    if table.rows:
        out.table(table)
    late = report.late_tasks
    if not late:
        out.line("无滞后任务。" if report.tasks else "没有要显示的任务。")
        out.line()
        return
    listing = TableData("滞后任务", ["计划", "任务", "牵头单位", "期别", "存在问题", "下步打算"])
    for task in late:
        listing.rows.append([short[task.plan], f"{task.number}. {task.title}", task.lead, str(task.period or "—"),
                             task.issues or "—", task.next_steps or "—"])
    out.table(listing)


def _count(count: int, state: str) -> Cell:
    return Line(str(count), TASK_STYLES.get(state, "")) if count else "0"


RECEIPT_STYLES = {"on_time": "green", "late": "yellow", "backfill": "", "unscheduled": ""}


def render_returns(report: StatusReport, out: Output) -> None:
    if report.returns_period is None:
        out.line("尚无应报的报表。")
        return
    if report.received:
        from pingtai.ledger import RECEIVED_SOURCE_LABELS

        got = TableData(f"已收报表（{report.returns_period}）", ["单位", "收到日期", "日期来源", "导入日期", "应报日期", "状态"])
        for r in report.received:
            got.rows.append([r.agency, r.received.isoformat(), RECEIVED_SOURCE_LABELS.get(r.received_source, "—"),
                             r.imported.isoformat(), r.due.isoformat() if r.due else "—",
                             Line(r.label, RECEIPT_STYLES.get(r.state, ""))])
        out.table(got)
    backlog = f"；更早各期另有 {report.returns_backlog} 份未报" if report.returns_backlog else ""
    if not report.returns:
        out.line(f"{report.returns_period} 的报表已全部收到{backlog}。")
        return
    table = TableData(f"应报未报（{report.returns_period}）", ["单位", "期别", "应报日期", "逾期天数", "计划"],
                      caption=backlog.removeprefix("；"))
    short = {p.plan: p.short_name for p in report.plans}
    for item in report.returns:
        table.rows.append([item.agency, str(item.period), item.due.isoformat(),
                           Line(str(item.days_overdue), "red"), "、".join(short.get(p, p) for p in item.plans)])
    out.table(table)


# --- show ------------------------------------------------------------------------------------


def render_detail(detail: IndicatorDetail, out: Output) -> None:
    """Print one indicator in depth: per plan its path, milestones, projection, ratio and a chart; with
    ``--by-area`` the figures across its areas instead."""
    out.line(Line(f"{detail.name}（{detail.id}）", "bold"))
    if detail.by_area is not None:
        render_area_table(detail.by_area, out)
        return
    facts = [f"单位 {detail.unit}", KIND_LABELS[detail.kind], DIRECTION_LABELS[detail.direction],
             FREQUENCY_LABELS[detail.frequency], f"归口 {detail.owner or '—'}",
             "几何插值" if detail.interpolation == "geometric" else "线性插值"]
    out.line(" · ".join(facts))
    if detail.aliases:
        out.line(f"别名：{'、'.join(detail.aliases)}")
    if detail.note:
        out.line(f"说明：{detail.note}")
    for plan in detail.plans:
        out.line()
        render_plan_detail(plan, out)


def render_plan_detail(plan: PlanDetail, out: Output) -> None:
    row = plan.status
    head = Line(f"{plan.short_name}（{plan.plan}）：")
    head.append_text(status_cell(row.status, row.final))
    head.append(f"  最新 {latest_text(row.period, row.actual)}，应达 {expected_text(row.expected, row.method)}，"
                f"最终目标 {target_text(row.final_target)}，完成率 {completion_text(row.completion, row.completion_target)}")
    if row.yoy is not None:
        head.append(f"，同比（报表/计算）{growth_text(row.yoy.reported, row.yoy.computed)}")
    out.line(head)
    path = TableData(f"{plan.short_name} 目标路径与实际", ["期别", "应达", "计算方法", "实际", "报送单位", "偏差", "判断"])
    for item in plan.rows:
        path.rows.append([str(item.period), num(item.expected), METHOD_LABELS.get(item.method or "", "—"),
                          num(item.actual), item.agency or "—", signed_pct(item.gap),
                          status_cell(item.verdict) if item.verdict else "—"])
    out.table(path)
    marks = TableData(f"{plan.short_name} 节点研判", ["期别", "目标", "原文", "实际", "研判", "应报日期"])
    for m in row.milestones:
        every = "（每年）" if m.recurring else ""
        marks.rows.append([str(m.period), target_text(m).split(": ", 1)[1] + every, m.text, num(m.actual),
                           Line(JUDGEMENT_LABELS[m.judgement], JUDGEMENT_STYLES[m.judgement]), m.due.isoformat()])
    out.table(marks)
    projection = row.projection
    if projection is None:
        out.line(f"预测：不预测（{row.projection_reason or '无'}）")
    else:
        how = (f"复合增长，年均 {pct(projection.rate)}" if projection.method == "cagr"
               else f"{PROJECTION_METHOD_LABELS[projection.method]}，每年 {num(projection.slope)}")
        if projection.verdict is not None:
            verdict = "可达到最终目标" if projection.verdict == "reachable" else "达不到最终目标"
        else:
            verdict = f"按趋势{'可' if projection.meets_target else '不'}达最终目标，但与当前状态不一致，以状态为准"
        used = "、".join(f"{p.period}: {num(p.value)}" for p in projection.used)
        out.line(f"预测：{projection.period} 约 {num(projection.value)}，{verdict}"
                 f"（{how}；依据 {projection.points} 个点：{used}）")
    out.line(f"进展比率：{ratio_text(row.progress_ratio)}")
    for note in row.notes:
        out.line(f"说明：{note}")
    for line in chart(plan.rows, out.terminal):
        out.line(line)


def chart(rows: Sequence[PathRow], terminal: bool, width: int = 40) -> list[Cell]:
    """A row chart: a bar per period for the actual, a mark where the expected value lies.

    Blocks and a heavy bar on a terminal; ``#`` and ``|`` in plain text.
    """
    shown = [r for r in rows if r.actual is not None or r.expected is not None]
    scale = max([v for r in shown for v in (r.actual, r.expected) if v is not None and v > 0], default=0.0)
    if not shown or scale <= 0:
        return []
    fill, mark = ("█", "┃") if terminal else ("#", "|")
    label_width = max(len(str(r.period)) for r in shown)
    lines: list[Cell] = ["图示（实际 " + fill + "，应达 " + mark + "）："]
    for r in shown:
        cells = [" "] * (width + 1)
        filled = round(max(r.actual or 0.0, 0.0) / scale * width) if r.actual is not None else 0
        for i in range(filled):
            cells[i] = fill
        if r.expected is not None and r.expected >= 0:
            cells[round(r.expected / scale * width)] = mark
        text = Line(f"{str(r.period).ljust(label_width)} ")
        style = STATUS_STYLES.get(r.verdict or "", "")
        text.append("".join(cells), style=style)
        text.append(f" {num(r.actual)} / {num(r.expected)}")
        lines.append(text)
    return lines


# --- areas -------------------------------------------------------------------------------------------


def area_table(table: AreaTable) -> TableData:
    """The city and every area at the table's point: figure, 同比 (reported / computed), share, rank,
    contribution to the city's growth, who reported it and its note."""
    when = table.period.label() if table.period is not None else "—"
    data = TableData(f"{table.name}（{table.unit}）分地区，{when}",
                     ["地区", "代码", "数值", "同比（报表/计算）", "占全市比重", "位次", "拉动（百分点）", "报送单位", "备注"],
                     optional=("代码", "报送单位", "备注", "拉动（百分点）"))
    city = table.city
    source = {"sum": "各区、县（市）合计", "reported": city.agency or "—"}.get(city.source or "", "—")
    data.rows.append(["全市", city.code or "—", num(city.value),
                      growth_text(city.yoy.reported, city.yoy.computed) if city.yoy else "—",
                      "100.0%" if city.value is not None and table.additive else "—", "—", "—", source, city.note])
    for row in table.rows:
        place = row.area if row.summed else f"{row.area}（功能区，不计入合计）" if row.kind == "zone" else row.area
        data.rows.append([place, row.code or "—", num(row.value), growth_text(row.yoy_reported, row.yoy_computed),
                          pct(row.share), str(row.rank) if row.rank is not None else "—", points(row.contribution),
                          row.agency or "—", row.note or ""])
    return data


def area_bars(table: AreaTable, terminal: bool, width: int = 40) -> list[Cell]:
    """A bar per area (county-level first, largest first), blocks on a terminal and ``#`` when piped."""
    shown = sorted((r for r in table.rows if r.value is not None), key=lambda r: (not r.summed, -(r.value or 0.0)))
    scale = max((r.value or 0.0 for r in shown), default=0.0)
    if not shown or not scale > 0 or not math.isfinite(scale):
        return []
    fill = "█" if terminal else "#"
    label_width = max(len(r.area) for r in shown)
    lines: list[Cell] = [f"图示（{table.name}，{table.unit}）："]
    for r in shown:
        filled = round(max(r.value or 0.0, 0.0) / scale * width)
        line = Line(f"{r.area.ljust(label_width, '　')} ")
        line.append(fill * filled, style="cyan" if r.summed else "bright_black")
        line.append(f" {num(r.value)}")
        lines.append(line)
    return lines


def render_area_table(table: AreaTable, out: Output) -> None:
    """Print an indicator's figures across its areas, its notes and a bar chart."""
    out.table(area_table(table))
    for note in table.notes:
        out.line(f"说明：{note}")
    for line in area_bars(table, out.terminal):
        out.line(line)


def area_figures_table(title: str, figures: Sequence[AreaFigure]) -> TableData:
    """One area's figures: latest value, 同比, share of the city, rank, and the judgement against the area's
    targets where a plan sets them."""
    data = TableData(title, ["指标", "单位", "最新值（期别）", "同比（报表/计算）", "占全市比重", "位次", "地区目标", "状态"],
                     optional=("地区目标",))
    for f in figures:
        rank = f"{f.rank}/{f.ranked}" if f.rank is not None else "—"
        data.rows.append([f.name, f.unit, latest_text(f.period, f.actual),
                          growth_text(f.yoy.reported, f.yoy.computed) if f.yoy else "—", pct(f.share), rank,
                          target_text(f.target) if f.target else "—",
                          status_cell(f.status) if f.status else Line(f.label, "bright_black")])
    return data


def render_area_status(report: StatusReport, out: Output) -> None:
    """Print an area's dashboard: its figures per plan, then its government's tasks and returns."""
    out.line(Line(f"进度看板 {report.as_of.isoformat()}（地区：{report.area}，{report.agency}）", "bold"))
    out.line()
    for plan in report.plans:
        figures = [f for f in report.area_figures if f.plan == plan.plan]
        out.line(Line(f"{plan.short_name} {plan.number}《{plan.title}》", "bold"))
        if not figures:
            out.line(f"本计划没有在 {report.area} 按地区填报的指标。")
            out.line()
            continue
        judged = sum(1 for f in figures if f.judged)
        summary = Line(f"在 {report.area} 按地区填报的指标 {len(figures)} 项，按地区目标研判 {judged} 项")
        if judged:
            summary.append("：")
            summary.append_text(counts_line(plan.counts))
        out.line(summary)
        out.table(area_figures_table(f"{plan.short_name} {report.area} 指标", figures))
        if judged < len(figures):
            out.line("说明：未设地区目标的指标只列数值、同比与位次，不作研判——全市目标不适用于单个地区。")
        out.line()
    render_tasks(report, out)
    render_returns(report, out)
