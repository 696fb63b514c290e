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
    latest_text,
    num,
    pct,
    projection_text,
    ratio_text,
    signed_pct,
    status_word,
    target_text,
)

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
    """Print the dashboard: per plan its indicators, then tasks, late tasks and returns outstanding."""
    scope = f"（单位：{report.agency}）" if report.agency else ""
    out.line(Line(f"进度看板 {report.as_of.isoformat()}{scope}", "bold"))
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
    """Print one indicator in depth: per plan its path, milestones, projection, ratio and a chart."""
    out.line(Line(f"{detail.name}（{detail.id}）", "bold"))
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
