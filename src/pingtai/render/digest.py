"""The check's digest: findings grouped by the agency that must act, as text or Markdown.

:func:`render_text` prints to the console (colour on a terminal, plain lines in cron mail);
:func:`markdown` is the same digest for ``--output`` and the group robots (:mod:`pingtai.notify`).
Within an agency, the most severe findings come first; agencies with the worst findings first.

The digest's structure — its headings, its list — is pingtai's alone: agency names, finding
labels and messages (which quote task texts from returns) pass through
:func:`pingtai.render.format.markdown`, one line each, so no heading, link, image or HTML can
come from data; on the console they pass :func:`~pingtai.render.format.terminal`.
"""

from __future__ import annotations

from collections.abc import Sequence

from pingtai.checks import SEVERITIES, SEVERITY_LABELS, CheckReport, Finding, sort_key
from pingtai.render.console import Line, Output, styled
from pingtai.render.format import markdown as md

NO_AGENCY = "（未明确责任单位）"
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "info": "bright_black"}
CHANGE_LABELS = {"new": "新", "changed": "有变化"}
FAIL_ON_LABELS = {"overdue": "报表或任务逾期", "off_track": "进度滞后或逾期", "at_risk": "预警及以上"}
"""What each ``--fail-on`` level fails on, as the option's help says it."""


def group_by_agency(findings: Sequence[Finding]) -> list[tuple[str, list[Finding]]]:
    """``(agency, findings)`` pairs: the agency with the most severe findings (then the most) first.

    Findings without an agency come last, under :data:`NO_AGENCY`.
    """
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.agency or NO_AGENCY, []).append(finding)

    def rank(item: tuple[str, list[Finding]]) -> tuple[bool, int, int, str]:
        name, items = item
        worst = max(SEVERITIES.index(f.severity) for f in items)
        return (name == NO_AGENCY, -worst, -len(items), name)

    ordered = sorted(groups.items(), key=rank)
    return [(name, sorted(items, key=sort_key)) for name, items in ordered]


def summary(report: CheckReport) -> str:
    """``错误 2 项，警告 3 项`` (severities present, most severe first), or that nothing needs doing."""
    parts = [f"{SEVERITY_LABELS[s]} {report.counts[s]} 项" for s in reversed(SEVERITIES) if report.counts.get(s)]
    if parts:
        return "，".join(parts)
    return "没有新的事项" if report.new_only and report.previous_run else "没有需要处理的事项"


def title(report: CheckReport) -> str:
    """The digest's one-line title: date and summary."""
    return f"平台经济政策落实检查 {report.as_of}：{summary(report)}"


def _unrepeated(report: CheckReport) -> str:
    if not report.new_only or not report.unrepeated:
        return ""
    return f"另有 {report.unrepeated} 项与上次检查相同，未重复列出。"


def _tag(finding: Finding) -> str:
    return f"（{CHANGE_LABELS[finding.change]}）" if finding.change else ""


def render_text(report: CheckReport, out: Output) -> None:
    """The digest as lines: a title, then each agency with what it must do and by when."""
    out.line(styled(title(report), "bold"))
    plan = f"计划：{report.plan}；" if report.plan else ""
    level = f"--fail-on {report.fail_on}（{FAIL_ON_LABELS.get(report.fail_on, report.fail_on)}）"
    out.line(f"{plan}失败级别 {level}：{'达到，退出码 1' if report.failed else '未达到'}")
    extra = _unrepeated(report)
    if extra:
        out.line(extra)
    for agency, items in group_by_agency(report.findings):
        out.line()
        out.line(styled(f"【{agency}】{len(items)} 项", "bold"))
        for f in items:
            label = styled(f"[{SEVERITY_LABELS[f.severity]}]", SEVERITY_STYLES[f.severity])
            out.line(Line("  ").append_text(label).append(f" {f.label}{_tag(f)}：{f.message}"))


def markdown(report: CheckReport) -> str:
    """The digest as Markdown that DingTalk and WeCom robots both render (headings, bold, lists)."""
    lines = [f"### {md(title(report))}", ""]
    if report.plan:
        lines += [f"计划：{md(report.plan)}", ""]
    extra = _unrepeated(report)
    if extra:
        lines += [extra, ""]
    for agency, items in group_by_agency(report.findings):
        lines += [f"#### {md(agency)}（{len(items)} 项）", ""]
        lines += [f"- **{SEVERITY_LABELS[f.severity]}** {md(f.label)}{_tag(f)}：{md(f.message)}" for f in items]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
