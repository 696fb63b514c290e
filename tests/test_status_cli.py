"""``pingtai status`` and ``pingtai show`` against a real SQLite ledger: exit codes, messages, JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger_helpers import task, value, write_file
from pingtai.assess import IndicatorStatus, build_detail, build_status
from pingtai.cli import app
from pingtai.ledger import Ledger, NewBatch, sha256_of
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.progress import Projection
from pingtai.records import TaskRecord, ValueRecord
from pingtai.render.jsonout import jsonable

ESC = "\x1b["


def add(db: Path, name: str, agency: str, period: str, values: list[ValueRecord],
        tasks: list[TaskRecord] | None = None) -> None:
    source = write_file(db.parent / "in" / name, f"{name} {agency} {period}")
    with Ledger.open(db) as ledger, ledger.transaction():
        ledger.add_batch(NewBatch(file=name, sha256=sha256_of(source), agency=agency, period=Period.parse(period),
                                  layout="template", imported_at=dt.datetime(2025, 7, 21, 9, tzinfo=dt.UTC),
                                  imported=len(values)), source, values, tasks or [])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A ledger with the commerce bureau's returns for 2024 and 2025H1 (the two-plan example)."""
    path = Path(os.environ["PINGTAI_DB"])
    add(path, "商务局_2024.xlsx", "市商务局", "2024", [
        value("online_retail_sales", "2023", 1010), value("online_retail_sales", "2024", 1150),
        value("platforms", "2024", 120)], [task("plan_2023_38", 1, "2024", status="in_progress")])
    add(path, "商务局_2025H1.xlsx", "市商务局", "2025H1", [value("online_retail_sales", "2025H1", 590)],
        [task("plan_2023_38", 1, "2025H1", status="late")])
    return path


def test_status_json_equals_the_library_object(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["status", "--as-of", "2025-07-25", "--json"])
    assert result.exit_code == 0, result.output
    with Ledger.open(db, create=False, readonly=True) as ledger:
        expected = build_status(load_catalog(), ledger.current_values(), ledger.current_tasks(),
                                ledger.received_returns(), dt.date(2025, 7, 25))
    data = json.loads(result.stdout)
    # the reported series (history, and the projection's used points) only with --history
    assert data == jsonable(expected, {IndicatorStatus: {"history"}, Projection: {"used"}})
    assert all("history" not in row for row in data["indicators"])
    assert [row["projection"] for row in data["indicators"] if row["projection"] and "used" in row["projection"]] == []
    with_history = runner.invoke(app, ["status", "--as-of", "2025-07-25", "--json", "--history", "--indent", "2"])
    assert with_history.exit_code == 0, with_history.output
    assert json.loads(with_history.stdout) == jsonable(expected)
    assert with_history.stdout.startswith('{\n  "as_of": "2025-07-25",\n')
    assert "\n" not in result.stdout.rstrip("\n")  # compact: one line
    retail = {(r["plan"], r["id"]): r for r in data["indicators"]}
    plan38 = retail[("plan_2023_38", "online_retail_sales")]
    assert (plan38["status"], plan38["period"], plan38["actual"], plan38["expected"], plan38["method"]) == (
        "at_risk", "2025H1", 590, 600, "linear_share")
    assert retail[("zone_2023_5", "online_retail_sales")]["status"] == "achieved"
    assert "市商务局" not in {r["agency"] for r in data["returns"]}
    assert [t["number"] for t in data["tasks"] if t["status"] == "late"] == [1]


def test_status_table_when_piped_is_plain(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["status", "--as-of", "2025-02-01", "--plan", "38号"])
    assert result.exit_code == 0
    assert ESC not in result.stdout
    assert "网络零售额\t亿元\t2022: 921\t1150（2024）\t1100\t" in result.stdout
    assert "\t正常\t" in result.stdout and "5号" not in result.stdout.split("任务进展")[0]


def test_status_on_a_terminal_has_colour(runner: CliRunner, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    result = runner.invoke(app, ["status", "--as-of", "2025-02-01"])
    assert result.exit_code == 0 and ESC in result.stdout and "已达成" in result.stdout


def test_status_subprocess_pipe_has_no_escape_codes(db: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pingtai", "status", "--as-of", "2025-07-25"],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": ""})
    assert result.returncode == 0, result.stderr
    assert ESC not in result.stdout and "预警" in result.stdout


def test_status_with_an_empty_ledger_shows_no_green(runner: CliRunner) -> None:
    Ledger.open(Path(os.environ["PINGTAI_DB"])).close()
    result = runner.invoke(app, ["status", "--as-of", "2025-07-25", "--json"])
    assert result.exit_code == 0
    statuses = {r["status"] for r in json.loads(result.stdout)["indicators"]}
    assert statuses == {"no_data"}


def test_status_agency_filter_and_unknown_names(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["status", "--agency", "商务局", "--as-of", "2025-07-25", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["agency"] == "市商务局" and all(r["agency"] == "市商务局" for r in data["returns"])
    unknown = runner.invoke(app, ["status", "--agency", "市商务厅"])
    assert unknown.exit_code == 2 and "未知单位" in unknown.stderr and "市商务局" in unknown.stderr
    plan = runner.invoke(app, ["status", "--plan", "39号"])
    assert plan.exit_code == 2 and "未知计划" in plan.stderr
    day = runner.invoke(app, ["status", "--as-of", "2025/07/25"])
    assert day.exit_code == 2 and "YYYY-MM-DD" in day.stderr
    assert "Traceback" not in unknown.output + plan.output + day.output


def test_history_only_shapes_json(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["status", "--history"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "--history 只用于 JSON 输出" in result.stderr and "--json --history" in result.stderr


def test_show_json_equals_the_library_object(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["show", "网上零售额", "--as-of", "2025-07-25", "--json"])
    assert result.exit_code == 0, result.output
    with Ledger.open(db, create=False, readonly=True) as ledger:
        expected = build_detail(load_catalog(), ledger.current_values(), "online_retail_sales", dt.date(2025, 7, 25))
    assert json.loads(result.stdout) == jsonable(expected)


def test_show_text_and_chart(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["show", "online_retail_sales", "--plan", "38号", "--as-of", "2025-07-25"])
    assert result.exit_code == 0
    out = result.stdout
    assert ESC not in out
    assert "2025H1\t600\t全年目标×时间进度\t590\t市商务局\t-1.7%\t预警" in out
    assert "2023\t1000（达到）\t1000亿元\t1010\t达成\t2024-01-20" in out
    assert "预测：2027 约" in out and "进展比率：1.34（显著进展" in out
    assert "图示（实际 #，应达 |）" in out and "2024   " in out


def test_show_unknown_indicator_suggests(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "网络零售"])
    assert result.exit_code == 2
    assert "未知指标" in result.stderr and "网络零售额" in result.stderr
    wrong_plan = runner.invoke(app, ["show", "平台", "--plan", "5号"])
    assert wrong_plan.exit_code == 2 and "没有指标" in wrong_plan.stderr


@pytest.mark.parametrize("command", ["status", "show"])
def test_help_has_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "示例" in result.stdout


@pytest.mark.parametrize("huge", [1e10, 1e290, 1.7976931348623157e308])
def test_a_huge_figure_in_the_ledger_breaks_no_command(runner: CliRunner, tmp_path: Path, huge: float) -> None:
    """Once in the ledger (written before the import gate, or by hand), any finite figure is judged:
    every reading command runs, the check reports it (exit 1) instead of falling over."""
    path = Path(os.environ["PINGTAI_DB"])
    add(path, "商务局_2023.xlsx", "市商务局", "2023", [value("online_retail_sales", "2023", 1010),
                                                    value("online_business_entities", "2023", 12.4)])
    add(path, "商务局_2024.xlsx", "市商务局", "2024", [value("online_retail_sales", "2024", huge),
                                                    value("online_business_entities", "2024", huge),
                                                    value("platforms", "2024", huge)])
    for args in (["status"], ["status", "--json"], ["show", "网络零售额"], ["show", "网络经营主体", "--json"],
                 ["report", "-a", "市商务局"], ["report", "-a", "市商务局", "-o", str(tmp_path / "r.html")],
                 ["report", "-a", "市商务局", "-o", str(tmp_path / "r.xlsx")], ["league"], ["history", "网络零售额"]):
        result = runner.invoke(app, [*args, "--as-of", "2025-02-01"] if args[0] != "history" else args)
        assert result.exit_code == 0, (args, result.output)
    check = runner.invoke(app, ["check", "--as-of", "2025-02-01", "--fail-on", "at_risk"])
    assert check.exit_code == 1, check.output
    assert "数据存疑" in check.stdout and "Traceback" not in check.output
