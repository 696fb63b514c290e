"""Looks the document renderers share (Markdown, HTML, xlsx): colours, fonts and titles.

Numbers, targets, counts and status words come from :mod:`pingtai.render.format`, so a figure
reads the same on the terminal, in a report and in a workbook. Colours here are hex for HTML,
SVG and xlsx fills; every coloured cell also carries its word.
"""

from __future__ import annotations

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
    "due": ("0550AE", "DCEBFF"), "upcoming": ("57606A", "E5E7EA"), "unscheduled": ("57606A", "E5E7EA"),
    "backfill": ("57606A", "E5E7EA"),
}
ACTUAL_COLOUR = "0969DA"
PATH_COLOUR = "6E7781"
FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
"""CJK fonts in the order a Linux, Windows or macOS reader is likely to have them."""
REPORT_TITLE = "平台经济政策落实情况单位报告"
LEAGUE_TITLE = "平台经济政策落实情况单位排名"


def colours(kind: str, key: str) -> tuple[str, str]:
    """(text, background) hex colours of an indicator ``status``, a ``task`` state or a ``return`` state."""
    table = {"status": STATUS_COLOURS, "task": TASK_COLOURS, "return": RETURN_COLOURS}[kind]
    return table.get(key, ("57606A", "E5E7EA"))


__all__ = ["ACTUAL_COLOUR", "FONT_STACK", "LEAGUE_TITLE", "PATH_COLOUR", "REPORT_TITLE", "RETURN_COLOURS",
           "STATUS_COLOURS", "TASK_COLOURS", "colours"]
