"""The Markdown report and league: every task listed, tables that text from returns cannot break."""

from __future__ import annotations

import pytest

from ledger_helpers import catalog
from pingtai import service
from pingtai.render.common import idle_note, league_sections
from pingtai.render.format import markdown_cell as cell
from pingtai.render.markdown import league_markdown, report_markdown, table
from pingtai.reports import LedgerSnapshot, build_agency_report, build_league
from report_helpers import AS_OF, seed


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> LedgerSnapshot:
    db = seed(tmp_path_factory.mktemp("ledger") / "ledger.sqlite3")
    return service.snapshot(service.Store(db))


def test_cells_are_escaped() -> None:
    assert cell("a|b\nc") == r"a\|b<br>c"
    assert cell("<script>") == r"\<script\>"
    assert cell("# 标题 *强调*") == r"\# 标题 \*强调\*"
    assert cell("") == "—" and cell(None) == "—"
    assert table(["a"], []) == "无。\n"


def test_report_lists_lead_and_co_tasks(data: LedgerSnapshot) -> None:
    report = build_agency_report(catalog(), data, "市市场监管局", AS_OF)
    text = report_markdown(report)
    assert text.startswith("# 市市场监管局 · 平台经济政策落实情况单位报告")
    lead = text.split("## 牵头任务", 1)[1].split("## 配合任务", 1)[0]
    co = text.split("## 配合任务", 1)[1].split("## ", 1)[0]
    for task in report.lead:
        assert f"| {task.short_name} | {task.number} | {task.title} |" in lead
    for task in report.co:
        assert f"| {task.short_name} | {task.number} | {task.title} | {task.lead} |" in co
    # every table row has as many cells as its header, whatever the texts contained
    for block in (lead, co):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        widths = {line.replace(r"\|", "").count("|") for line in rows}
        assert len(widths) == 1, widths
    assert "```text" in text and "图示（实际 #，应达 |）" in text  # the row charts
    assert "| 2025H1 | 2025-07-20 | 2025-07-28 | 2025-07-28 | 逾期报送 | 8 |" in text  # received, imported


def test_district_report(data: LedgerSnapshot) -> None:
    text = report_markdown(build_agency_report(catalog(), data, "诸暨市政府", AS_OF))
    assert "## 牵头任务（0）\n\n无。" in text
    assert "各区、县（市）政府" in text and "本单位不在报送名单中" in text


def test_league(data: LedgerSnapshot) -> None:
    league = build_league(catalog(), data, AS_OF)
    text = league_markdown(league)
    assert "| 1 | 市市场监管局 |" in text and league.rule in text
    # units with nothing to count are named once, in a note, not given a row of zeros
    _, idle = league_sections(league)
    assert idle and idle_note(idle) in text and all(f"| {name} |" not in text for name in idle)
