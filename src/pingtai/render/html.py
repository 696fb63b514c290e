"""One self-contained HTML file per report: inline CSS and SVG, no scripts, links or remote fonts.

Opens offline in any browser and prints on A4 (``@page``), so the office can mail it or print it.
Statuses are coloured badges that always carry their word; colours print (``print-color-adjust``).
Every text — names, task texts from returns — is escaped by :func:`pingtai.render.format.html`
(control characters shown as ``\\x1b``): the payload of a return is text, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pingtai.assess import TASK_STATE_LABELS
from pingtai.render.charts import area_bars_svg, trajectory_svg
from pingtai.render.common import (
    CONTACT_COLUMNS,
    FONT_STACK,
    LEAGUE_TITLE,
    REPORT_TITLE,
    colours,
    contact_rows,
    idle_note,
    league_sections,
    return_label,
)
from pingtai.render.format import (
    expected_text,
    growth_text,
    html,
    html_block,
    latest_text,
    num,
    pct,
    points,
    rate_text,
    score_text,
    status_counts_text,
    status_word,
    target_text,
    task_counts_text,
)
from pingtai.reports import (
    LEAGUE_BY_LABELS,
    ROLE_LABELS,
    AgencyReport,
    League,
    ReportIndicator,
    ReportTask,
    ReturnEntry,
)

CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ font-family: {FONT_STACK}; color: #24292f; background: #fff; margin: 0 auto; max-width: 1120px;
       padding: 24px; font-size: 14px; line-height: 1.5; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }}
h2 {{ font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }}
h3 {{ font-size: 15px; margin: 16px 0 6px; }}
p.meta {{ color: #57606a; margin: 0 0 12px; }}
table {{ border-collapse: collapse; width: 100%; margin: 6px 0 12px; }}
th, td {{ border: 1px solid #d0d7de; padding: 4px 6px; vertical-align: top; text-align: left; }}
th {{ background: #f0f3f6; font-weight: 600; }}
thead {{ display: table-header-group; }}
td.num {{ text-align: right; white-space: nowrap; }}
.badge {{ display: inline-block; padding: 0 6px; border-radius: 4px; font-weight: 600; white-space: nowrap; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0; }}
.card {{ border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 12px; min-width: 200px; flex: 1; }}
.card b {{ display: block; font-size: 20px; }}
.muted {{ color: #57606a; }}
.figures {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 8px 16px; }}
figure {{ margin: 8px 0 16px; break-inside: avoid; page-break-inside: avoid; }}
svg.chart {{ width: 100%; height: auto; max-width: 560px; }}
figcaption {{ font-size: 13px; color: #57606a; }}
ul.targets {{ margin: 0; padding-left: 16px; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
footer {{ margin-top: 24px; color: #57606a; font-size: 12px; border-top: 1px solid #d0d7de; padding-top: 8px; }}
@page {{ size: A4; margin: 15mm; }}
@media print {{
  body {{ max-width: none; padding: 0; font-size: 10.5pt; }}
  * {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
  h2 {{ break-after: avoid; page-break-after: avoid; }}
  .figures {{ grid-template-columns: 1fr 1fr; }}
}}
"""


_e = html


def badge(kind: str, key: str, label: str) -> str:
    """A coloured label; the word is always there, colour only helps."""
    text, background = colours(kind, key)
    return f'<span class="badge" style="color:#{text};background:#{background}">{_e(label)}</span>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """A table from already-escaped cell HTML."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    if not body:
        return '<p class="muted">无。</p>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _document(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n")


def _multiline(text: str) -> str:
    return html_block(text) if text else '<span class="muted">—</span>'


# --- agency report ---------------------------------------------------------------------------


def report_html(report: AgencyReport) -> str:
    """The whole report as one HTML document."""
    short = {p.plan: p.short_name for p in report.plans}
    plans = "；".join(f"{p.short_name}（{p.number}，应报至 {p.latest_due or '—'}）" for p in report.plans)
    parts = [
        f"<header><h1>{_e(report.agency)} · {_e(REPORT_TITLE)}</h1>",
        f'<p class="meta">{_e(report.full_name)}　研判日期 {report.as_of.isoformat()}　计划：{_e(plans)}</p></header>',
        _cards(report),
    ]
    if report.contacts:
        parts.append("<h2>领导小组联系人</h2>")
        parts.append(_table(["计划", "领导小组", "职务", "姓名"],
                            [[_e(short.get(c.plan, c.plan)), _e(c.group), _e(c.label), _e(c.name)]
                             for c in report.contacts]))
    parts.append(f"<h2>牵头任务（{len(report.lead)}）</h2>")
    parts.append(_lead_table(report.lead))
    parts.append(f"<h2>配合任务（{len(report.co)}）</h2>")
    parts.append(_co_table(report.co))
    if report.measures:
        parts.append("<h2>组织实施事项</h2>")
        parts.append(_table(["计划", "事项", "时限", "经由", "出处"],
                            [[_e(short.get(m.plan, m.plan)), _e(m.title), _e(m.due or "—"), _e(m.via or "—"),
                              _e(m.source)] for m in report.measures]))
    parts.append(f"<h2>相关指标（{len(report.indicators)}）</h2>")
    parts.append(_indicator_table(report.indicators, short))
    figures = [_figure(row, short) for row in report.indicators]
    if any(figures):
        parts.append("<h3>指标走势（实际与目标路径）</h3>")
        parts.append(f'<div class="figures">{"".join(figures)}</div>')
    if report.area is not None:
        parts.append(_area_section(report, short))
    parts.append("<h2>报表报送</h2>")
    parts.append(_returns(report))
    contacts = contact_rows(report)
    if contacts:  # who filled each return in and who checked it, as the return says
        parts.append("<h2>报表填报人</h2>")
        parts.append(_table(CONTACT_COLUMNS, [[_e(c or "—") for c in row] for row in contacts]))
    parts.append('<footer>由 pingtai 生成。指标状态：已达成 / 正常（不低于当前应达）/ 预警（低于应达但在容差内）/ 滞后 / 无数据（应报未报）'
                 " / 无基线 / 未达成；年内累计指标按全年目标 × 时间进度（或上年同期占比）研判。"
                 "报表按时 = 收到日期（导入时指定、报表所填日期或导入日）不晚于应报日期（含宽限期）；补录的历史数据不计按时与否。</footer>")
    return _document(f"{report.agency} {REPORT_TITLE} {report.as_of.isoformat()}", "\n".join(parts))


def _cards(report: AgencyReport) -> str:
    counts = report.return_counts
    next_due = report.next_due
    due_text = (f"{next_due.period}（{next_due.due.isoformat() if next_due.due else '—'} 前）" if next_due
                else "无")
    returns = (f"应报 {counts.due} · 按时 {counts.on_time} · 逾期 {counts.late} · 未报 {counts.missing}"
               if report.owes_returns else "不在报送名单")
    cards = [
        ("牵头任务", str(len(report.lead)), task_counts_text(report.task_counts)),
        ("配合任务", str(len(report.co)), ""),
        ("相关指标", str(len(report.indicators)), status_counts_text(report.indicator_counts)),
        ("报表按时率", rate_text(counts.rate), returns),
        ("下一期报表", due_text, ""),
    ]
    body = "".join(f'<div class="card">{_e(title)}<b>{_e(value)}</b><span class="muted">{_e(note)}</span></div>'
                   for title, value, note in cards)
    return f'<section class="cards">{body}</section>'


def _task_state(task: ReportTask) -> str:
    html = badge("task", task.status, task.label)
    if task.last_status:
        html += f'<br><span class="muted">上次：{_e(TASK_STATE_LABELS.get(task.last_status, task.last_status))}</span>'
    return html


def _targets(task: ReportTask) -> str:
    if not task.targets:
        return '<span class="muted">—</span>'
    items = []
    for t in task.targets:
        latest = latest_text(t.period, t.actual)
        items.append(f"<li>{_e(t.name)}：{_e(t.target)}；最新 {_e(latest)}，应达 {_e(num(t.expected))} "
                     f"{badge('status', t.status, t.label)}</li>")
    return f'<ul class="targets">{"".join(items)}</ul>'


def _lead_table(tasks: Sequence[ReportTask]) -> str:
    rows = [[_e(t.short_name), _e(t.number), _e(t.title) + (f'<br><span class="muted">经由 {_e(t.via)}</span>'
                                                            if t.via else ""),
             _task_state(t), _e(t.period or "—"), _multiline(t.progress), _multiline(t.issues),
             _multiline(t.next_steps), _targets(t)] for t in tasks]
    return _table(["计划", "编号", "任务", "状态", "期别", "进展情况", "存在问题", "下步打算", "量化目标"], rows, (1,))


def _co_table(tasks: Sequence[ReportTask]) -> str:
    rows = [[_e(t.short_name), _e(t.number), _e(t.title), _e(t.lead), _e(t.via or "—"), _task_state(t),
             _e(t.period or "—"), _multiline(t.progress), _targets(t)] for t in tasks]
    return _table(["计划", "编号", "任务", "牵头单位", "经由", "任务状态", "期别", "进展情况", "量化目标"], rows, (1,))


def _indicator_table(rows: Sequence[ReportIndicator], short: dict[str, str]) -> str:
    body = [[_e(short.get(r.plan, r.plan)), _e(r.name), _e(r.unit), _e(ROLE_LABELS[r.role]),
             _e(latest_text(r.period, r.actual)), _e(expected_text(r.expected, r.method)),
             _e(target_text(r.final_target)), _e(pct(r.completion)), badge("status", r.status, status_word(r.status, r.final))]
            for r in rows]
    return _table(["计划", "指标", "单位", "角色", "最新值（期别）", "当前应达", "最终目标", "完成率", "状态"], body, (4, 5, 7))


def _figure(row: ReportIndicator, short: dict[str, str]) -> str:
    svg = trajectory_svg(row.chart, title=row.name, unit=row.unit)
    if not svg:
        return ""
    note = "；".join(row.notes)
    caption = (f"{short.get(row.plan, row.plan)} · {row.name}（{row.unit}）：虚线为目标路径上的应达值，实线为实际值"
               f"（圆点颜色表示该期研判）。{note}")
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _area_section(report: AgencyReport, short: dict[str, str]) -> str:
    """The area's figures with their growth, share and rank, then each indicator across the areas with a bar chart."""
    area = report.area or ""
    rows = [[_e(short.get(f.plan, f.plan)), _e(f.name), _e(f.unit), _e(latest_text(f.period, f.actual)),
             _e(growth_text(f.yoy.reported, f.yoy.computed) if f.yoy else "—"), _e(pct(f.share)),
             _e(f"{f.rank}/{f.ranked}" if f.rank is not None else "—"),
             _e(target_text(f.target) if f.target else "—"),
             badge("status", f.status, f.label) if f.status else f'<span class="muted">{_e(f.label)}</span>']
            for f in report.area_figures]
    parts = [f"<h2>本地区指标（{_e(area)}，{len(report.area_figures)}）</h2>",
             _table(["计划", "指标", "单位", "最新值（期别）", "同比（报表/计算）", "占全市比重", "位次", "地区目标", "状态"], rows,
                    (3, 5, 6))]
    if any(not f.judged for f in report.area_figures):
        parts.append('<p class="muted">未设地区目标的指标只列数值、同比与位次，不作研判：全市目标不适用于单个地区。</p>')
    for table in report.area_tables:
        when = table.period.label() if table.period is not None else "—"
        parts.append(f"<h3>{_e(table.name)}（{_e(table.unit)}）各地区，{_e(when)}</h3>")
        body = [[("<b>" + _e(r.area) + "</b>") if r.area == area else _e(r.area), _e(num(r.value)),
                 _e(growth_text(r.yoy_reported, r.yoy_computed)), _e(pct(r.share)),
                 _e(r.rank if r.rank is not None else "—"), _e(points(r.contribution)), _e(r.note or "—")]
                for r in table.rows]
        parts.append(_table(["地区", "数值", "同比（报表/计算）", "占全市比重", "位次", "拉动（百分点）", "备注"], body,
                            (1, 2, 3, 4, 5)))
        svg = area_bars_svg(table, highlight=area)
        if svg:
            parts.append(f"<figure>{svg}<figcaption>{_e(f'{table.name}：各地区数值，{area} 以蓝色标出；功能区不排名。')}"
                         "</figcaption></figure>")
        for note in table.notes:
            parts.append(f'<p class="muted">{_e(note)}</p>')
    return "\n".join(parts)


def _returns(report: AgencyReport) -> str:
    if not report.owes_returns and not report.returns:
        return '<p class="muted">本单位不在报送名单中（报送日历见计划文件 schedule），无应报报表。</p>'
    short = {p.plan: p.short_name for p in report.plans}
    return _table(["期别", "应报日期", "收到日期", "导入日期", "状态", "逾期天数", "文件", "填报日期", "计划"],
                  [_return_row(e, short) for e in report.returns], (5,))


def _return_row(e: ReturnEntry, short: dict[str, str]) -> list[str]:
    return [_e(e.period), _e(e.due.isoformat() if e.due else "—"), _e(e.received.isoformat() if e.received else "—"),
            _e(e.imported.isoformat() if e.imported else "—"), badge("return", e.state, return_label(e)), _e(e.days_late if e.days_late else "—"), _e(e.file or "—"),
            _e(e.filled_on.isoformat() if e.filled_on else "—"), _e("、".join(short.get(p, p) for p in e.plans) or "—")]


# --- league ----------------------------------------------------------------------------------


def league_html(league: League) -> str:
    """The league table as one HTML document."""
    scope = f"（{league.plan}）" if league.plan else ""
    rows = []
    shown, idle = league_sections(league)
    for r in shown:
        rows.append([
            _e(r.rank if r.rank is not None else "—"), _e(r.agency), _e(score_text(r.score)),
            _e(f"{r.returns.due} / {r.returns.on_time} / {r.returns.late} / {r.returns.missing}"),
            _e(rate_text(r.returns.rate)),
            _e(f"{r.tasks.led} / {r.tasks.on_track} / {r.tasks.late} / {r.tasks.not_started} / {r.tasks.unreported}"),
            _e(rate_text(r.tasks.rate)),
            _e(f"{r.indicators.owned} / {r.indicators.on_track + r.indicators.achieved} / {r.indicators.at_risk} / "
               f"{r.indicators.off_track + r.indicators.missed} / {r.indicators.no_data}"),
            _e(rate_text(r.indicators.rate)),
        ])
    headers = ["名次", "单位", "综合得分", "报表 应报/按时/逾期/未报", "按时率", "牵头任务 数/正常/滞后/未启动/未报", "任务正常率",
               "归口指标 数/正常/预警/滞后/无数据", "指标正常率"]
    note = f"<br>{_e(idle_note(idle))}" if idle else ""
    body = (f"<h1>{_e(LEAGUE_TITLE)}{_e(scope)}</h1>"
            f'<p class="meta">研判日期 {league.as_of.isoformat()}　排名依据：{_e(LEAGUE_BY_LABELS[league.by])}</p>'
            + _table(headers, rows, (0, 2, 4, 6, 8))
            + f"<footer>{_e(league.rule)}{note}</footer>")
    return _document(f"{LEAGUE_TITLE} {league.as_of.isoformat()}", body)


__all__ = ["CSS", "badge", "league_html", "report_html"]

