"""Looks the document renderers share (Markdown, HTML, xlsx): colours, fonts, titles, and which
league rows are worth a line.

Numbers, targets, counts and status words come from :mod:`pingtai.render.format`, so a figure
reads the same on the terminal, in a report and in a workbook. Colours here are hex for HTML,
SVG and xlsx fills; every coloured cell also carries its word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pingtai.reports import AgencyReport, League, LeagueRow, ReturnEntry

# (text colour, light background) per state; text colours are dark enough for white paper
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "achieved": ("1A7F37", "D1F0D9"), "on_track": ("1A7F37", "D1F0D9"), "at_risk": ("9A6700", "FFF1C2"),
    "off_track": ("CF222E", "F8D0D0"), "missed": ("A40E26", "F8D0D0"), "no_data": ("57606A", "E5E7EA"),
    "no_baseline": ("0550AE", "DCEBFF"),
}
TASK_COLOURS: dict[str, tuple[str, str]] = {
    "done": ("1A7F37", "D1F0D9"), "in_progress": ("0550AE", "DCEBFF"), "late": ("CF222E", "F8D0D0"),
    "not_started": ("9A6700", "FFF1C2"), "unreported": ("57606A", "E5E7EA"), "unmarked": ("57606A", "E5E7EA"),
}
RETURN_COLOURS: dict[str, tuple[str, str]] = {
    "on_time": ("1A7F37", "D1F0D9"), "late": ("9A6700", "FFF1C2"), "missing": ("CF222E", "F8D0D0"),
    "rejected": ("CF222E", "F8D0D0"), "due": ("0550AE", "DCEBFF"), "upcoming": ("57606A", "E5E7EA"), "unscheduled": ("57606A", "E5E7EA"),
    "backfill": ("57606A", "E5E7EA"),
}
ACTUAL_COLOUR = "0969DA"
PATH_COLOUR = "6E7781"
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
"""CJK fonts in the order a Linux, Windows or macOS reader is likely to have them."""
REPORT_TITLE = "平台经济政策落实情况单位报告"
LEAGUE_TITLE = "平台经济政策落实情况单位排名"


def league_sections(league: League) -> tuple[list[LeagueRow], list[str]]:
    """The league's rows worth a line, and the names of the units with nothing at all to count.

    A unit is left to a note when it is not ranked and every count shown is zero: no return
    owed, no task led, no indicator owned — a row of zeros says nothing a name would not.
    """
    rows, idle = [], []
    for row in league.rows:
        empty = row.rank is None and not (row.returns.due or row.tasks.led or row.indicators.owned)
        (idle.append(row.agency) if empty else rows.append(row))
    return rows, idle


def idle_note(idle: list[str]) -> str:
    """The note naming the units :func:`league_sections` leaves out of the table."""
    return f"未列入上表（无应报报表、牵头任务和归口指标）：{'、'.join(idle)}。"


def colours(kind: str, key: str) -> tuple[str, str]:
    """(text, background) hex colours of an indicator ``status``, a ``task`` state or a ``return`` state."""
    table = {"status": STATUS_COLOURS, "task": TASK_COLOURS, "return": RETURN_COLOURS}[kind]
    return table.get(key, ("57606A", "E5E7EA"))


def return_label(entry: ReturnEntry) -> str:
    """A return's state as a report shows it: its label, and for one sent back (退回) the reason."""
    return f"{entry.label}：{entry.reason}" if entry.state == "rejected" and entry.reason else entry.label


CONTACT_COLUMNS = ["期别", "填报人", "联系电话", "审核人", "缺项"]
"""The columns of a report's 报表填报人 table, in every format."""


def contact_rows(report: AgencyReport) -> list[list[str]]:
    """Who filled in each return the unit sent and who checked it, as the return says (``""`` where it
    says nothing), with what it left out: one row per received return, :data:`CONTACT_COLUMNS`."""
    return [[str(e.period), e.reporter, e.phone, e.reviewer, _missing(e)] for e in report.returns if e.file]


def _missing(entry: ReturnEntry) -> str:
    """What of 填报人, 联系电话 and 审核人 a return left out (``缺审核人``), else ``—``."""
    missing = [label for label, given in (("填报人", entry.reporter), ("联系电话", entry.phone), ("审核人", entry.reviewer))
               if not given]
    return f"缺{'、'.join(missing)}" if missing else "—"


__all__ = ["ACTUAL_COLOUR", "CONTACT_COLUMNS", "FONT_STACK", "LEAGUE_TITLE", "PATH_COLOUR", "REPORT_TITLE",
           "RETURN_COLOURS", "STATUS_COLOURS", "TASK_COLOURS", "colours", "contact_rows", "idle_note",
           "league_sections", "return_label"]

