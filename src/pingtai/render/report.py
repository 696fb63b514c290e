"""Console rendering of ``pingtai report`` and ``pingtai league`` (rich on a terminal, plain when piped).

Built from the dashboard's pieces in :mod:`pingtai.render.status` — the indicator table, status
words and colours, the row chart — so a report reads like ``pingtai status --agency``.
"""

from __future__ import annotations

from rich.text import Text

from pingtai.assess import TASK_STATE_LABELS
from pingtai.render.common import CONTACT_COLUMNS, contact_rows, idle_note, league_sections, return_label
from pingtai.render.console import Line, Output, TableData, styled
from pingtai.render.format import (
    latest_text,
    num,
    rate_text,
    score_text,
    status_counts_text,
    task_counts_text,
    terminal_block,
)
from pingtai.render.status import TASK_STYLES, area_figures_table, chart, indicator_table, render_area_table
from pingtai.reports import LEAGUE_BY_LABELS, AgencyReport, League, ReportTask

RETURN_STYLES = {"on_time": "green", "late": "yellow", "missing": "bold red", "rejected": "bold red", "due": "blue"}


def text(value: object) -> Text:
    """A cell printed as written (its control characters shown escaped), with an em dash for an empty value."""
    return Text(terminal_block(str(value)) if value not in (None, "") else "—")


def _task_state(task: ReportTask) -> Line:
    text = styled(task.label, TASK_STYLES.get(task.status, ""))
    if task.last_status:
        text.append(f"（上次：{TASK_STATE_LABELS.get(task.last_status, task.last_status)}）")
    return text


def _targets(task: ReportTask) -> Text:
    return text("；".join(f"{t.name} {t.target}：{latest_text(t.period, t.actual)} {t.label}" for t in task.targets))


def render_report(report: AgencyReport, out: Output) -> None:
    """Print an agency report: header, contacts, lead and co tasks, indicators with charts, returns."""
    short = {p.plan: p.short_name for p in report.plans}
    out.line(styled(f"{report.agency}（{report.full_name}）单位报告 {report.as_of.isoformat()}", "bold"))
    out.line("；".join(f"{p.short_name} {p.number} 应报至 {p.latest_due or '—'}" for p in report.plans))
    counts = report.return_counts
    out.line(f"牵头任务 {len(report.lead)} 项（{task_counts_text(report.task_counts)}）；配合任务 {len(report.co)} 项；"
             f"相关指标 {len(report.indicators)} 项（{status_counts_text(report.indicator_counts)}）")
    if report.owes_returns:
        next_due = report.next_due
        upcoming = f"；下一期 {next_due.period}（{next_due.due} 前）" if next_due and next_due.due else ""
        backfill = f"，补录 {counts.backfill}（不计按时率）" if counts.backfill else ""
        sent_back = f"（其中退回待重报 {counts.rejected}）" if counts.rejected else ""
        out.line(f"报表：应报 {counts.due}，按时 {counts.on_time}，逾期 {counts.late}，未报 {counts.missing}{sent_back}{backfill}，"
                 f"按时率 {rate_text(counts.rate)}{upcoming}")
    else:
        out.line("报表：本单位不在报送名单中")
    for c in report.contacts:
        out.line(text(f"领导小组（{short.get(c.plan, c.plan)}）：{c.name}，{c.label}"))
    out.line()
    # The task's targets are also rows of the indicator table below: on a narrow terminal they go first.
    lead = TableData(f"牵头任务（{len(report.lead)}）", ["计划", "编号", "任务", "状态", "期别", "进展情况", "存在问题",
                                                     "下步打算", "量化目标"], optional=("量化目标", "下步打算"))
    for t in report.lead:
        title = t.title + (f"（经由 {t.via}）" if t.via else "")
        lead.rows.append([t.short_name, str(t.number), text(title), _task_state(t), str(t.period or "—"),
                          text(t.progress), text(t.issues), text(t.next_steps), _targets(t)])
    co = TableData(f"配合任务（{len(report.co)}）", ["计划", "编号", "任务", "牵头单位", "经由", "任务状态", "期别",
                                                   "进展情况", "量化目标"], optional=("量化目标", "经由"))
    for t in report.co:
        co.rows.append([t.short_name, str(t.number), text(t.title), t.lead, t.via or "—", _task_state(t),
                        str(t.period or "—"), text(t.progress), _targets(t)])
    for table in (lead, co):
        if table.rows:
            out.table(table)
        else:
            out.line(f"{table.title}：无")
    if report.measures:
        measures = TableData("组织实施事项", ["计划", "事项", "时限", "经由"])
        measures.rows += [[short.get(m.plan, m.plan), text(m.title), str(m.due or "—"), m.via or "—"]
                          for m in report.measures]
        out.table(measures)
    if report.indicators:
        out.table(indicator_table(f"相关指标（{len(report.indicators)}）", report.indicators))
        for row in report.indicators:
            lines = chart(row.chart, out.terminal)
            if lines:
                out.line(styled(f"{row.name}（{short.get(row.plan, row.plan)}，{row.unit}）", "bold"))
                for line in lines:
                    out.line(line)
                out.line()
    else:
        out.line("相关指标：无")
    if report.area is not None:
        out.table(area_figures_table(f"本地区指标（{report.area}，{len(report.area_figures)}）", report.area_figures))
        if any(not f.judged for f in report.area_figures):
            out.line("说明：未设地区目标的指标只列数值、同比与位次，不作研判——全市目标不适用于单个地区。")
        for area_table in report.area_tables:
            render_area_table(area_table, out)
        out.line()
    if report.returns:
        # timeliness counts from the receipt day; the import day is the ledger's record, the first to go
        returns = TableData("报表报送", ["期别", "应报日期", "收到日期", "导入日期", "状态", "逾期天数", "文件", "计划"],
                            optional=("导入日期",))
        for e in report.returns:
            returns.rows.append([str(e.period), e.due.isoformat() if e.due else "—",
                                 e.received.isoformat() if e.received else "—",
                                 e.imported.isoformat() if e.imported else "—",
                                 styled(return_label(e), RETURN_STYLES.get(e.state, "")), num(e.days_late) if e.days_late else "—",
                                 text(e.file), "、".join(short.get(p, p) for p in e.plans) or "—"])
        out.table(returns)
        contacts = contact_rows(report)
        if contacts:  # who filled each return in and who checked it, as the return says
            out.table(TableData("报表填报人", CONTACT_COLUMNS,
                                [[period, *(text(given) if given else "—" for given in given_by), missing]
                                 for period, *given_by, missing in contacts]))


def render_league(league: League, out: Output) -> None:
    """Print the league table and the rule behind it; units with nothing to count in a note."""
    scope = f"（{league.plan}）" if league.plan else ""
    shown, idle = league_sections(league)
    caption = "\n".join([league.rule, *([idle_note(idle)] if idle else [])])
    table = TableData(f"单位排名{scope} {league.as_of.isoformat()}（依据：{LEAGUE_BY_LABELS[league.by]}）",
                      ["名次", "单位", "综合得分", "报表 应报/按时/逾期/未报", "按时率", "牵头任务 数/正常/滞后/未启动/未报",
                       "任务正常率", "归口指标 数/正常/预警/滞后/无数据", "指标正常率"], caption=caption,
                      optional=("归口指标 数/正常/预警/滞后/无数据", "牵头任务 数/正常/滞后/未启动/未报",
                                "报表 应报/按时/逾期/未报"))
    for r in shown:
        i = r.indicators
        table.rows.append([
            str(r.rank) if r.rank is not None else "—", r.agency, score_text(r.score),
            f"{r.returns.due}/{r.returns.on_time}/{r.returns.late}/{r.returns.missing}", rate_text(r.returns.rate),
            f"{r.tasks.led}/{r.tasks.on_track}/{r.tasks.late}/{r.tasks.not_started}/{r.tasks.unreported}",
            rate_text(r.tasks.rate),
            f"{i.owned}/{i.on_track + i.achieved}/{i.at_risk}/{i.off_track + i.missed}/{i.no_data}", rate_text(i.rate),
        ])
    out.table(table)


__all__ = ["render_league", "render_report", "text"]
