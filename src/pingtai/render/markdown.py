"""Markdown of agency reports and the league table (for mail bodies, wikis and diffs).

Tables are GitHub-flavoured. Every text that is not pingtai's own goes through
:func:`pingtai.render.format.markdown_cell` (a table cell) or :func:`~pingtai.render.format.markdown`
(a line): its syntax is escaped, no link, image or HTML can form from it, and line breaks of any
kind cannot break a table — the document's structure is pingtai's alone. Charts are the
dashboard's plain row chart (:func:`pingtai.render.status.chart`) in a code block.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pingtai.assess import TASK_STATE_LABELS
from pingtai.render.common import (
    CONTACT_COLUMNS,
    LEAGUE_TITLE,
    REPORT_TITLE,
    contact_rows,
    idle_note,
    league_sections,
    return_label,
)
from pingtai.render.format import (
    expected_text,
    growth_text,
    latest_text,
    markdown,
    num,
    pct,
    points,
    rate_text,
    score_text,
    shown,
    status_counts_text,
    target_text,
    task_counts_text,
)
from pingtai.render.format import markdown_cell as cell
from pingtai.render.status import area_bars, chart
from pingtai.reports import LEAGUE_BY_LABELS, ROLE_LABELS, AgencyReport, League, ReportTask


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GFM table; ``无。`` when there are no rows."""
    body = ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    if not body:
        return "无。\n"
    head = "| " + " | ".join(cell(h) for h in headers) + " |\n|" + "---|" * len(headers) + "\n"
    return head + "\n".join(body) + "\n"


def _state(task: ReportTask) -> str:
    if task.last_status:
        return f"{task.label}（上次：{TASK_STATE_LABELS.get(task.last_status, task.last_status)}）"
    return task.label


def _targets(task: ReportTask) -> str:
    return "；".join(f"{t.name} {t.target}：最新 {latest_text(t.period, t.actual)}，应达 {num(t.expected)}，{t.label}"
                    for t in task.targets)


def report_markdown(report: AgencyReport) -> str:
    """The whole report as Markdown text."""
    short = {p.plan: p.short_name for p in report.plans}
    counts = report.return_counts
    out = [f"# {markdown(report.agency)} · {REPORT_TITLE}", "",
           f"{markdown(report.full_name)}　研判日期 {report.as_of.isoformat()}　计划："
           + markdown("；".join(f"{p.short_name}（{p.number}，应报至 {p.latest_due or '—'}）" for p in report.plans)), ""]
    next_due = report.next_due
    out += [
        f"- 牵头任务 {len(report.lead)} 项：{markdown(task_counts_text(report.task_counts))}",
        f"- 配合任务 {len(report.co)} 项",
        f"- 相关指标 {len(report.indicators)} 项：{markdown(status_counts_text(report.indicator_counts))}",
        (f"- 报表：应报 {counts.due}，按时 {counts.on_time}，逾期 {counts.late}，未报 {counts.missing}（按时率 "
         f"{rate_text(counts.rate)}）" if report.owes_returns else "- 报表：本单位不在报送名单中"),
        f"- 下一期报表：{next_due.period}，{next_due.due} 前" if next_due and next_due.due else "- 下一期报表：无",
        "",
    ]
    if report.contacts:
        out += ["## 领导小组联系人", "", table(["计划", "领导小组", "职务", "姓名"],
                                            [[short.get(c.plan, c.plan), c.group, c.label, c.name]
                                             for c in report.contacts])]
    out += [f"## 牵头任务（{len(report.lead)}）", "", table(
        ["计划", "编号", "任务", "经由", "状态", "期别", "进展情况", "存在问题", "下步打算", "量化目标"],
        [[t.short_name, t.number, t.title, t.via or "", _state(t), t.period or "", t.progress, t.issues, t.next_steps,
          _targets(t)] for t in report.lead])]
    out += [f"## 配合任务（{len(report.co)}）", "", table(
        ["计划", "编号", "任务", "牵头单位", "经由", "任务状态", "期别", "进展情况", "量化目标"],
        [[t.short_name, t.number, t.title, t.lead, t.via or "", _state(t), t.period or "", t.progress, _targets(t)]
         for t in report.co])]
    if report.measures:
        out += ["## 组织实施事项", "", table(["计划", "事项", "时限", "经由", "出处"],
                                        [[short.get(m.plan, m.plan), m.title, m.due or "", m.via or "", m.source]
                                         for m in report.measures])]
    out += [f"## 相关指标（{len(report.indicators)}）", "", table(
        ["计划", "指标", "单位", "角色", "最新值（期别）", "当前应达", "最终目标", "完成率", "状态"],
        [[short.get(r.plan, r.plan), r.name, r.unit, ROLE_LABELS[r.role], latest_text(r.period, r.actual),
          expected_text(r.expected, r.method), target_text(r.final_target), pct(r.completion), r.label]
         for r in report.indicators])]
    for r in report.indicators:
        lines = chart(r.chart, terminal=False)
        if lines:  # str() of a rich Text is its plain text
            out += [f"### {markdown(r.name)}（{markdown(short.get(r.plan, r.plan))}，{markdown(r.unit)}）", "",
                    "```text", *(str(line) for line in lines), "```", ""]
    if report.area is not None:
        out += _area_section(report, short)
    out += ["## 报表报送", ""]
    if report.owes_returns or report.returns:
        out.append(table(["期别", "应报日期", "收到日期", "导入日期", "状态", "逾期天数", "文件", "计划"],
                         [[e.period, e.due or "", e.received or "", e.imported or "", return_label(e), e.days_late or "", e.file,
                           "、".join(short.get(p, p) for p in e.plans)] for e in report.returns]))
    else:
        out += ["本单位不在报送名单中，无应报报表。", ""]
    contacts = contact_rows(report)
    if contacts:  # who filled each return in and who checked it, as the return says
        out += ["", "## 报表填报人", "", table(CONTACT_COLUMNS, [[c or "—" for c in row] for row in contacts])]
    return "\n".join(out)


def _area_section(report: AgencyReport, short: dict[str, str]) -> list[str]:
    """The area's figures (growth, share, rank), then each indicator across the areas with a plain bar chart."""
    out = [f"## 本地区指标（{markdown(report.area or '')}，{len(report.area_figures)}）", "", table(
        ["计划", "指标", "单位", "最新值（期别）", "同比（报表/计算）", "占全市比重", "位次", "地区目标", "状态"],
        [[short.get(f.plan, f.plan), f.name, f.unit, latest_text(f.period, f.actual),
          growth_text(f.yoy.reported, f.yoy.computed) if f.yoy else "—", pct(f.share),
          f"{f.rank}/{f.ranked}" if f.rank is not None else "—", target_text(f.target) if f.target else "—", f.label]
         for f in report.area_figures])]
    if any(not f.judged for f in report.area_figures):
        out += ["未设地区目标的指标只列数值、同比与位次，不作研判：全市目标不适用于单个地区。", ""]
    for area_table in report.area_tables:
        when = area_table.period.label() if area_table.period is not None else "—"
        out += [f"### {markdown(area_table.name)}（{markdown(area_table.unit)}）各地区，{when}", "", table(
            ["地区", "数值", "同比（报表/计算）", "占全市比重", "位次", "拉动（百分点）", "备注"],
            [[r.area, num(r.value), growth_text(r.yoy_reported, r.yoy_computed), pct(r.share),
              r.rank if r.rank is not None else "—", points(r.contribution), r.note] for r in area_table.rows])]
        bars = area_bars(area_table, terminal=False)
        if bars:
            out += ["```text", *(_code_line(str(line)) for line in bars), "```", ""]
        out += [f"{markdown(note)}" for note in area_table.notes] + ([""] if area_table.notes else [])
    return out


def _code_line(text: str) -> str:
    """A line inside a fenced code block: nothing is markup there, but backticks could close the fence —
    they are written full-width (｀) — and control characters are shown escaped."""
    return shown(text).replace("`", "｀")


def league_markdown(league: League) -> str:
    """The league table as Markdown text."""
    scope = f"（{league.plan}）" if league.plan else ""
    shown, idle = league_sections(league)
    rows = [[r.rank or "", r.agency, score_text(r.score),
             f"{r.returns.due}/{r.returns.on_time}/{r.returns.late}/{r.returns.missing}", rate_text(r.returns.rate),
             f"{r.tasks.led}/{r.tasks.on_track}/{r.tasks.late}/{r.tasks.not_started}/{r.tasks.unreported}",
             rate_text(r.tasks.rate),
             f"{r.indicators.owned}/{r.indicators.on_track + r.indicators.achieved}/{r.indicators.at_risk}/"
             f"{r.indicators.off_track + r.indicators.missed}/{r.indicators.no_data}", rate_text(r.indicators.rate)]
            for r in shown]
    return "\n".join([
        f"# {LEAGUE_TITLE}{markdown(scope)}", "", f"研判日期 {league.as_of.isoformat()}；排名依据：{LEAGUE_BY_LABELS[league.by]}", "",
        table(["名次", "单位", "综合得分", "报表 应报/按时/逾期/未报", "按时率", "牵头任务 数/正常/滞后/未启动/未报", "任务正常率",
               "归口指标 数/正常/预警/滞后/无数据", "指标正常率"], rows),
        markdown(league.rule), *(["", markdown(idle_note(idle))] if idle else []), ""])


__all__ = ["league_markdown", "report_markdown", "table"]
