"""Tables on a terminal of 80, 100 and 160 columns: figures are never cut, only text wraps, and
what does not fit is left out with a note (issue #19 item 2).

Each command runs as a user would see it on a terminal (``PINGTAI_FORCE_TERMINAL=1`` and
``COLUMNS``) against the example returns; every figure its ``--json`` holds, spelled as the
terminal spells it, must appear whole, no table cell may end a line in the middle of a figure
that its next line continues, and no line may be wider than the terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from pingtai.cli import app
from pingtai.render.console import TableData, layout
from pingtai.render.format import display_width, num, pct, percent, points, recorded, score_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples" / "returns").glob("示例_*"))
AS_OF = "2025-02-01"
WIDTHS = (80, 100, 160)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
FIGURE_CHARS = set("0123456789.,%")
"""What a figure is made of: a cell line ending in one, continued by a line starting with one, may be a cut figure."""


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("wide") / "ledger.sqlite3"
    result = CliRunner().invoke(app, ["--db", str(db), "import", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.output
    return db


def screen(db: Path, width: int, *args: str) -> str:
    """What the command shows on a terminal ``width`` columns wide, colours removed."""
    env = {"PINGTAI_FORCE_TERMINAL": "1", "COLUMNS": str(width), "NO_COLOR": None}
    result = CliRunner().invoke(app, ["--db", str(db), *args], env=env)
    assert result.exit_code in (0, 1), result.output
    return ANSI.sub("", result.stdout)


def data(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", str(db), *args, "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def tokens(text: str) -> set[str]:
    """Every figure in ``text`` as a whole (``1150.6``, ``+4.6%``, ``1,012.34``), and groups of them
    (``8/0/2/6``, ``2025-02-01``)."""
    single = re.findall(r"(?<![\d.])[-+]?\d[\d,]*(?:\.\d+)?%?(?![\d.])", text)
    return {*single, *re.findall(r"(?<![\d.])\d+(?:[/\-]\d+)+(?![\d.])", text)}


def continued_cells(text: str) -> Iterator[tuple[str, str]]:
    """(upper, lower) lines of one table cell: every pair of table lines where the lower one
    continues the same row (its first column is empty), column by column."""
    previous: list[str] | None = None
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip("│").split("│")] if line.startswith("│") else None
        if cells is not None and previous is not None and not cells[0] and len(cells) == len(previous):
            yield from zip(previous, cells, strict=True)
        previous = cells


def assert_whole(text: str, width: int, figures: set[str]) -> None:
    assert all(display_width(line) <= width for line in text.splitlines()), max(text.splitlines(), key=display_width)
    missing = figures - tokens(text)
    assert not missing, f"figures cut or missing at {width} columns: {sorted(missing)}"
    for upper, lower in continued_cells(text):
        joined = upper + lower
        split = upper and lower and upper[-1] in FIGURE_CHARS and lower[0] in FIGURE_CHARS and (
            upper[-1] in ".," or lower[0] in ".,%" or joined in figures or any(joined in f for f in figures))
        assert not split, f"a figure split across lines at {width} columns: {upper!r} / {lower!r}"


def spelled(*values: float | None) -> set[str]:
    return {num(v) for v in values if v is not None}


@pytest.mark.parametrize("width", WIDTHS)
def test_status_keeps_every_figure_whole(ledger: Path, width: int) -> None:
    report = data(ledger, "status", "--as-of", AS_OF)
    figures: set[str] = set()
    for row in report["indicators"]:
        figures |= spelled(row["actual"], row["expected"], row["final_target"]["value"])
        figures |= {pct(row["completion"])} if row["completion"] is not None else set()
        if width >= 160:  # the columns a narrow terminal leaves out
            figures |= spelled(row["projection"]["value"] if row["projection"] else None,
                               row["baseline"]["value"] if row["baseline"] else None)
    figures |= {str(item["days_overdue"]) for item in report["returns"]}
    text = screen(ledger, width, "status", "--as-of", AS_OF)
    assert_whole(text, width, figures)
    assert ("未显示：走势、预测" in text) == (width < 160)


@pytest.mark.parametrize("width", WIDTHS)
def test_show_keeps_every_figure_whole(ledger: Path, width: int) -> None:
    detail = data(ledger, "show", "网络零售额", "--as-of", AS_OF)
    figures: set[str] = set()
    for plan in detail["plans"]:
        for row in plan["rows"]:
            figures |= spelled(row["expected"], row["actual"])
            figures |= {f"{'-' if row['gap'] < 0 else '+'}{pct(abs(row['gap']))}"} if row["gap"] is not None else set()
    assert_whole(screen(ledger, width, "show", "网络零售额", "--as-of", AS_OF), width, figures)


@pytest.mark.parametrize("width", WIDTHS)
def test_report_on_screen_keeps_every_figure_whole(ledger: Path, width: int) -> None:
    report = data(ledger, "report", "-a", "市商务局", "--as-of", AS_OF)
    figures: set[str] = set()
    for row in report["indicators"]:
        figures |= spelled(row["actual"], row["expected"], row["final_target"]["value"])
    figures |= {str(e["days_late"]) for e in report["returns"] if e["days_late"]}
    # the dates of the returns table: its import day is the first column a narrow terminal leaves out
    days = ("due", "received", "imported") if width >= 100 else ("due", "received")
    figures |= {e[k] for e in report["returns"] for k in days if e[k]}
    counts = report["return_counts"]
    figures |= {str(counts[k]) for k in ("due", "on_time", "late", "missing")}
    text = screen(ledger, width, "report", "-a", "市商务局", "--as-of", AS_OF)
    assert_whole(text, width, figures)
    assert all(e["period"] in text for e in report["returns"])  # 2024Q1 whole, not 2024Q / 1
    assert ("未显示：导入日期" in text) == (width < 100)


@pytest.mark.parametrize("width", WIDTHS)
def test_league_keeps_every_figure_whole(ledger: Path, width: int) -> None:
    league = data(ledger, "league", "--as-of", AS_OF)
    figures: set[str] = set()
    for row in league["rows"]:
        figures |= {str(row["rank"])} if row["rank"] is not None else set()
        figures |= {score_text(row["score"])} if row["score"] is not None else set()
        figures |= {pct(row[part]["rate"]) for part in ("returns", "tasks", "indicators") if row[part]["rate"] is not None}
        figures |= {"/".join(str(row["returns"][k]) for k in ("due", "on_time", "late", "missing"))}
    assert_whole(screen(ledger, width, "league", "--as-of", AS_OF), width, figures)


@pytest.mark.parametrize("width", WIDTHS)
def test_batches_and_history_keep_every_figure_whole(ledger: Path, width: int) -> None:
    batches = data(ledger, "batches")
    shown = ("id", "imported", "updated", "warnings") if width < 100 else ("id", "imported", "updated", "unchanged",
                                                                            "tasks", "warnings")
    figures = {str(b[k]) for b in batches for k in shown} | {b["received"] for b in batches}
    text = screen(ledger, width, "batches")
    assert_whole(text, width, figures)
    assert all((b["sha256"][:12] in text) == (width >= 160) for b in batches)  # whole, or left out
    values = data(ledger, "history", "网络零售额")
    assert_whole(screen(ledger, width, "history", "网络零售额"), width, {recorded(v["value"]) for v in values})


@pytest.mark.parametrize("width", WIDTHS)
def test_history_keeps_the_area_and_growth_of_every_value_whole(ledger: Path, width: int) -> None:
    values = data(ledger, "history", "网络零售额")
    figures = {percent(v["growth"]) for v in values if v["growth"] is not None}
    if width >= 160:  # a narrow terminal leaves 上年同期 out
        figures |= {recorded(v["last_year"]) for v in values if v["last_year"] is not None}
    text = screen(ledger, width, "history", "网络零售额")
    assert_whole(text, width, figures | {recorded(v["value"]) for v in values})
    assert all(v["area"] in text for v in values if v["area"])
    assert ("未显示：位置、上年同期" in text) == (width < 160)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_indicator_by_area_keeps_every_figure_whole(ledger: Path, width: int) -> None:
    detail = data(ledger, "show", "网络零售额", "--by-area", "--as-of", AS_OF)
    table = detail["by_area"]
    figures = spelled(table["city"]["value"])
    for row in detail["areas"]:
        figures |= spelled(row["value"]) | {pct(row["share"]), percent(row["yoy_reported"]), percent(row["yoy_computed"])}
        figures |= {str(row["rank"])} if row["rank"] is not None else set()
        figures |= {points(row["contribution"])} if width >= 100 and row["contribution"] is not None else set()
        figures |= {row["code"]} if width >= 100 and row["code"] else set()
    figures.discard("—")
    text = screen(ledger, width, "show", "网络零售额", "--by-area", "--as-of", AS_OF)
    assert_whole(text, width, figures)
    assert ("未显示：代码、报送单位" in text) == (width < 100)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_areas_dashboard_keeps_every_figure_whole(ledger: Path, width: int) -> None:
    report = data(ledger, "status", "--area", "柯桥区", "--as-of", AS_OF)
    figures: set[str] = set()
    for f in report["area_figures"]:
        figures |= spelled(f["actual"]) | ({pct(f["share"])} if f["share"] is not None else set())
        figures |= {f"{f['rank']}/{f['ranked']}"} if f["rank"] is not None else set()
        if f["yoy"] is not None:
            figures |= {percent(f["yoy"][k]) for k in ("reported", "computed") if f["yoy"][k] is not None}
    assert figures
    assert_whole(screen(ledger, width, "status", "--area", "柯桥区", "--as-of", AS_OF), width, figures)


@pytest.mark.parametrize("width", WIDTHS)
def test_an_area_governments_report_keeps_every_area_figure_whole(ledger: Path, width: int) -> None:
    report = data(ledger, "report", "-a", "柯桥区政府", "--as-of", AS_OF)
    figures: set[str] = set()
    for f in report["area_figures"]:
        figures |= spelled(f["actual"]) | ({pct(f["share"])} if f["share"] is not None else set())
    for table in report["area_tables"]:
        figures |= {pct(r["share"]) for r in table["rows"] if r["share"] is not None} | spelled(
            *(r["value"] for r in table["rows"]))
    assert figures
    assert_whole(screen(ledger, width, "report", "-a", "柯桥区政府", "--as-of", AS_OF), width, figures)


def test_piped_output_keeps_every_column(ledger: Path) -> None:
    result = CliRunner().invoke(app, ["--db", str(ledger), "status", "--as-of", AS_OF], env={"COLUMNS": "80"})
    header = next(line for line in result.stdout.splitlines() if line.startswith("指标\t"))
    assert header.split("\t")[-2:] == ["预测", "走势"]


# --- the layout itself ------------------------------------------------------------------------------


def test_columns_are_never_narrower_than_their_widest_figure() -> None:
    fit = layout(["指标", "最新值"], [["很长很长的指标名称" * 3, "1234567.89（2024）"]], 30)
    assert fit.widths[1] >= len("1234567.89") and fit.total <= 30


def test_optional_columns_go_in_order_until_the_rest_fits() -> None:
    headers = ["名称", "数值", "预测", "走势"]
    row = ["网络零售额", "1150.6", "1606.65 可达（3点）", "▁▂▃▄▅▆▇█"]
    assert layout(headers, [row], 120, ("走势", "预测")).dropped == ()
    narrow = layout(headers, [row], 34, ("走势", "预测"))
    assert narrow.dropped == ("走势",) and narrow.total <= 34
    assert layout(headers, [row], 26, ("走势", "预测")).dropped == ("走势", "预测")


def test_a_dropped_column_is_named_on_the_terminal() -> None:
    import io

    from pingtai.render.console import Output

    stream = io.StringIO()
    out = Output(stream)
    out.terminal = True
    out.console.width = 30
    out.table(TableData("表", ["名称", "数值", "走势"], [["网络零售额", "1150.6", "▁▂▃▄▅▆▇█▁▂▃▄▅▆▇█"]], optional=("走势",)))
    text = ANSI.sub("", stream.getvalue())
    assert "终端较窄，未显示：走势" in text and "1150.6" in text and "▁▂▃" not in text
