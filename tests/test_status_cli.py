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


# --- figures by area: show --by-area, status --area, yoy -------------------------------------------------


def by_area(value_of: ValueRecord, area: str, growth: float | None = None, note: str = "") -> ValueRecord:
    return value_of._replace(area=area, growth=growth, note=note)


@pytest.fixture
def areas_db(tmp_path: Path) -> Path:
    """网络零售额 for 2023 and 2024: the city's figure with its growth, and every county-level area's and the zone's."""
    path = Path(os.environ["PINGTAI_DB"])
    areas = {"越城区": (150, 170), "柯桥区": (300, 350), "上虞区": (140, 160), "新昌县": (60, 66), "诸暨市": (230, 262),
             "嵊州市": (130, 142), "滨海新区": (45, 52.6)}
    for year in (0, 1):
        period = str(2023 + year)
        city = value("online_retail_sales", period, [1010, 1150][year])._replace(growth=[None, 13.9][year])
        rows = [by_area(value("online_retail_sales", period, numbers[year], where=f"t!S!B{i}"), area,
                        growth=[None, 12.0 if area == "柯桥区" else None][year], note="含个体网店" if area == "柯桥区" else "")
                for i, (area, numbers) in enumerate(areas.items())]
        add(path, f"分地区_{period}.xlsx", "市商务局", period, [city, *rows])
    return path


def test_show_by_area_ranks_the_areas(runner: CliRunner, areas_db: Path) -> None:
    result = runner.invoke(app, ["show", "网络零售额", "--by-area", "--as-of", "2025-02-01"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "网络零售额（online_retail_sales）"
    assert lines[1] == "# 网络零售额（亿元）分地区，2024年"
    assert lines[2].split("\t") == ["地区", "代码", "数值", "同比（报表/计算）", "占全市比重", "位次", "拉动（百分点）", "报送单位",
                                    "备注"]
    assert lines[3].split("\t")[:6] == ["全市", "330600", "1150", "13.9% / 13.9%", "100.0%", "—"]
    assert lines[5].split("\t") == ["柯桥区", "330603", "350", "12.0% / 16.7%", "30.4%", "1", "+5.0", "市商务局", "含个体网店"]
    assert "滨海新区（功能区，不计入合计）\t—\t52.6" in result.stdout
    assert "柯桥区\u3000 ######################################## 350" in result.stdout  # the bars, largest first


def test_show_by_area_json_has_the_areas_of_the_contract(runner: CliRunner, areas_db: Path) -> None:
    result = runner.invoke(app, ["show", "网络零售额", "--by-area", "--period", "2023年", "--as-of", "2025-02-01",
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    with Ledger.open(areas_db, readonly=True) as ledger:
        expected = build_detail(load_catalog(), ledger.current_values(), "网络零售额", dt.date(2025, 2, 1), by_area=True,
                                period=Period(2023))
    assert data == jsonable(expected)
    first = data["areas"][0]
    assert {"area", "code", "period", "value", "yoy_reported", "yoy_computed", "share", "rank"} <= set(first)
    assert (first["area"], first["code"], first["period"], first["value"], first["rank"]) == ("越城区", "330602", "2023",
                                                                                              150, 3)
    assert data["by_area"]["city"]["value"] == 1010 and data["by_area"]["period"] == "2023"
    # the city's rows, judged on their latest figure, carry its growth too
    [plan38] = [p for p in data["plans"] if p["plan"] == "plan_2023_38"]
    assert (plan38["status"]["period"], plan38["status"]["yoy"]["reported"]) == ("2024", 13.9)
    assert data["by_area"]["city"]["yoy"] is None  # 2023's figure: no 2022 to compare with, no growth reported


def test_show_by_area_refuses_what_it_cannot_show(runner: CliRunner, areas_db: Path) -> None:
    cases = [(["show", "数据知识产权登记", "--by-area"], "错误：数据知识产权登记 不按地区填报，没有分地区数值"),
             (["show", "网络零售额", "--period", "2024"], "错误：--period 只与 --by-area 一起使用"),
             (["show", "网络零售额", "--by-area", "--period", "2024年第5季度"], "错误：--period："),
             (["show", "网络零售", "--by-area"], "错误：未知指标")]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith(message), (args, result.stderr)


def test_status_rows_carry_their_growth(runner: CliRunner, areas_db: Path) -> None:
    data = json.loads(runner.invoke(app, ["status", "--as-of", "2025-02-01", "--json"]).stdout)
    retail = next(r for r in data["indicators"] if r["id"] == "online_retail_sales")
    assert {k: retail["yoy"][k] for k in ("period", "reported", "last_year", "basis", "flagged")} == {
        "period": "2024", "reported": 13.9, "last_year": 1010, "basis": "ledger", "flagged": False}
    assert retail["yoy"]["computed"] == pytest.approx(1150 / 1010 * 100 - 100)
    assert retail["area"] is None
    platforms = next(r for r in data["indicators"] if r["id"] == "platforms")
    assert platforms["actual"] is None and platforms["yoy"] is None
    shown = runner.invoke(app, ["show", "网络零售额", "--as-of", "2025-02-01"])
    assert "同比（报表/计算）13.9% / 13.9%" in shown.stdout


def test_status_area_shows_that_areas_figures_without_a_verdict(runner: CliRunner, areas_db: Path) -> None:
    result = runner.invoke(app, ["status", "--area", "柯桥", "--as-of", "2025-02-01"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("进度看板 2025-02-01（地区：柯桥区，柯桥区政府）\n")
    assert "网络零售额\t亿元\t350（2024）\t12.0% / 16.7%\t30.4%\t1/6\t—\t未研判（无地区目标）" in out
    assert "说明：未设地区目标的指标只列数值、同比与位次，不作研判——全市目标不适用于单个地区。" in out
    data = json.loads(runner.invoke(app, ["status", "--area", "330603", "--as-of", "2025-02-01", "--json"]).stdout)
    assert (data["area"], data["agency"], data["indicators"]) == ("柯桥区", "柯桥区政府", [])
    retail = next(f for f in data["area_figures"] if f["id"] == "online_retail_sales")
    assert (retail["actual"], retail["rank"], retail["judged"], retail["status"]) == (350, 1, False, None)


def test_status_area_refuses_what_is_no_area_of_its_own(runner: CliRunner, areas_db: Path) -> None:
    for args, message in [(["--area", "火星区"], "错误：未知地区 '火星区'"), (["--area", "全市"], "错误：绍兴市 是全市"),
                          (["--area", "柯桥区", "--agency", "市商务局"], "错误：--area 与 --agency 不能同时使用")]:
        result = runner.invoke(app, ["status", *args])
        assert result.exit_code == 2 and result.stderr.startswith(message), (args, result.stderr)


def test_show_keeps_p_for_the_plan(runner: CliRunner, areas_db: Path) -> None:
    """``-p`` is --plan, as on every command; --period has no short form here."""
    result = runner.invoke(app, ["show", "网络零售额", "-p", "5号", "--by-area", "--period", "2024", "--as-of",
                                 "2025-02-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [p["plan"] for p in data["plans"]] == ["zone_2023_5"] and data["by_area"]["period"] == "2024"


def test_the_area_views_take_indent_as_every_json_command(runner: CliRunner, areas_db: Path) -> None:
    for args in (["show", "网络零售额", "--by-area", "--as-of", "2025-02-01"],
                 ["status", "--area", "柯桥区", "--as-of", "2025-02-01"], ["history", "网络零售额"]):
        compact = runner.invoke(app, [*args, "--json"])
        indented = runner.invoke(app, [*args, "--json", "--indent", "2"])
        assert compact.exit_code == indented.exit_code == 0, args
        assert compact.stdout.count("\n") == 1 and indented.stdout.startswith(("{\n  \"", "[\n  {\n    \"")), args
        assert json.loads(compact.stdout) == json.loads(indented.stdout)


def test_status_json_without_history_keeps_growth_and_area_figures(runner: CliRunner, areas_db: Path) -> None:
    """--history adds each row's reported series; 同比 and an area's figures are no series: always there."""
    plain = json.loads(runner.invoke(app, ["status", "--as-of", "2025-02-01", "--json"]).stdout)
    assert all("yoy" in row and "area" in row and "history" not in row for row in plain["indicators"])
    assert plain["area"] is None and plain["area_figures"] == []
    retail = next(r for r in plain["indicators"] if r["id"] == "online_retail_sales")
    assert retail["yoy"]["reported"] == 13.9 and "used" not in retail["projection"]
    area = json.loads(runner.invoke(app, ["status", "--area", "柯桥区", "--as-of", "2025-02-01", "--json"]).stdout)
    [figure] = [f for f in area["area_figures"] if f["id"] == "online_retail_sales" and f["plan"] == "plan_2023_38"]
    assert (figure["actual"], figure["yoy"]["reported"], figure["share"], figure["rank"]) == (350, 12.0, 350 / 1150, 1)
    assert figure["history"]  # an area figure's own points: part of the area view, not of --history
    full = json.loads(runner.invoke(app, ["status", "--as-of", "2025-02-01", "--json", "--history"]).stdout)
    assert [r["yoy"] for r in full["indicators"]] == [r["yoy"] for r in plain["indicators"]]
