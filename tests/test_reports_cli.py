"""``pingtai report`` and ``pingtai league`` against a real SQLite ledger: exit codes, messages, files, JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from typer.testing import CliRunner

from ledger_helpers import catalog
from pingtai import service
from pingtai.cli import app
from pingtai.ledger import Ledger
from pingtai.render.jsonout import document, jsonable
from pingtai.reports import LedgerSnapshot, build_agency_report, build_league, report_agencies
from report_helpers import AS_OF, seed

DAY = AS_OF.isoformat()
ESC = "\x1b["


@pytest.fixture
def db() -> Path:
    return seed(Path(os.environ["PINGTAI_DB"]))


def snapshot(db: Path) -> LedgerSnapshot:
    return service.snapshot(service.Store(db))


def test_report_json_equals_the_library_object(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["report", "--agency", "市场监管局", "--as-of", DAY, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == jsonable(build_agency_report(catalog(), snapshot(db), "市市场监管局", AS_OF))
    # the DESIGN.md contract
    assert data["agency"] == "市市场监管局"
    assert {"agency", "lead", "co", "indicators", "returns"} <= set(data)
    assert [(t["plan"], t["number"]) for t in data["lead"]][:6] == [("plan_2023_38", n) for n in (5, 6, 7, 12, 16, 19)]
    assert {"plan", "number", "title"} <= set(data["lead"][0]) and data["co"][0]["title"] == "打造具有辨识度的电商平台"
    same = runner.invoke(app, ["report", "-a", "绍兴市市场监督管理局", "--as-of", DAY, "--format", "json"])
    assert json.loads(same.stdout) == data
    assert result.stdout.count("\n") == 1  # compact


def test_report_and_league_json_indented_on_screen_and_in_files(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    report = build_agency_report(catalog(), snapshot(db), "市市场监管局", AS_OF)
    shown = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY, "--json", "--indent", "2"])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout == document(report, indent=2)
    written = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY, "-o", str(tmp_path / "r.json"),
                                  "--indent", "1"])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "r.json").read_text(encoding="utf-8") == document(report, indent=1)
    every = runner.invoke(app, ["report", "--all", "--format", "json", "-o", str(tmp_path / "all"), "--as-of", DAY,
                                "--indent", "3"])
    assert every.exit_code == 0, every.output
    assert (tmp_path / "all" / "市市场监管局.json").read_text(encoding="utf-8") == document(report, indent=3)
    html = runner.invoke(app, ["report", "--all", "-o", str(tmp_path / "html"), "--as-of", DAY, "--indent", "3"])
    assert html.exit_code == 2 and "--indent 只用于 JSON 输出" in html.stderr
    assert not (tmp_path / "html").exists()
    league = runner.invoke(app, ["league", "--as-of", DAY, "--json", "--indent", "2"])
    assert league.exit_code == 0 and league.stdout == document(build_league(catalog(), snapshot(db), AS_OF), indent=2)


def test_report_table_when_piped_is_plain(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["report", "-a", "市人社保局", "--as-of", DAY])
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout
    assert result.stdout.startswith("市人力社保局（绍兴市人力资源和社会保障局）单位报告 2025-08-01\n")
    assert "38号\t8\t依法保障就业群体权益\t未报\t" in result.stdout
    assert "领导小组（5号）：王奋，成员" in result.stdout


def test_report_on_a_terminal_has_colour(runner: CliRunner, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    result = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY])
    assert result.exit_code == 0, result.output
    assert ESC in result.stdout and "滞后" in result.stdout
    # a text from a return that looks like rich markup is printed as written, not parsed (nor fatal)
    assert "[/b]" in re.sub(r"\s|│", "", result.stdout)


def test_unknown_agency_exits_2_with_suggestions(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["report", "--agency", "市场监督局", "--as-of", DAY])
    assert result.exit_code == 2
    assert "未知单位 '市场监督局'" in result.stderr and "是否指：市市场监管局" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["report"], "请给出 --agency"),
    (["report", "-a", "市商务局", "--all", "-o", "x"], "二者选一"),
    (["report", "--all"], "--all 需要 -o 目录"),
    (["report", "-a", "各区、县（市）政府"], "是单位组"),
    (["report", "-a", "市商务局", "-o", "report.txt"], "无法从文件名 report.txt 判断格式"),
    (["report", "-a", "市商务局", "-f", "table", "-o", "r.md"], "表格格式只输出到屏幕"),
    (["report", "-a", "市商务局", "-f", "pdf"], "未知的格式 'pdf'"),
    (["report", "-a", "市商务局", "--as-of", "2025-13-01"], "无法识别的日期"),
    (["league", "--by", "speed"], "未知的排名依据"),
    (["league", "--plan", "39号"], "未知计划"),
])
def test_usage_errors_exit_2(runner: CliRunner, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_output_format_follows_the_suffix(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    for suffix, start in ((".md", "# 市市场监管局"), (".html", "<!DOCTYPE html>"), (".json", "{")):
        target = tmp_path / f"report{suffix}"
        result = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert result.stdout == f"已写入 {target}\n"
        assert target.read_text(encoding="utf-8").startswith(start)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pingtai-")]  # no temporary file left


def test_markdown_and_html_to_stdout(runner: CliRunner, db: Path) -> None:
    md = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY, "-f", "md"])
    assert md.exit_code == 0 and "## 配合任务（3）" in md.stdout
    html = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY, "-f", "html"])
    assert html.exit_code == 0 and html.stdout.startswith("<!DOCTYPE html>") and "</html>" in html.stdout


def test_xlsx_without_output_goes_to_a_default_file(runner: CliRunner, db: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY, "-f", "xlsx"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "报告_市市场监管局_2025-08-01.xlsx"
    assert result.stdout == f"已写入 {path.name}\n"
    sheet = load_workbook(path)["走势"]
    assert isinstance(sheet, Worksheet) and len(cast(Any, sheet)._charts) == 10


def test_overwriting_replaces_the_file_whole(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.xlsx"
    target.write_text("old")
    result = runner.invoke(app, ["report", "-a", "市场监管局", "--as-of", DAY, "-o", str(target)])
    assert result.exit_code == 0
    assert load_workbook(target).sheetnames == ["概况", "任务", "指标", "走势", "报表"]
    missing = runner.invoke(app, ["report", "-a", "市场监管局", "-o", str(tmp_path / "no" / "r.md")])
    assert missing.exit_code == 2 and "输出目录不存在" in missing.stderr


def test_all_writes_one_report_per_unit(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    out = tmp_path / "报告"
    result = runner.invoke(app, ["report", "--all", "-o", str(out), "--as-of", DAY])
    assert result.exit_code == 0, result.output
    names = report_agencies(catalog())
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.html" for n in names)
    lines = result.stdout.splitlines()
    assert len(lines) == len(names)
    assert f"{out / '市市场监管局.html'}\t市市场监管局\t牵头 13，配合 3，指标 10，未报报表 7" in lines
    assert "诸暨市政府" in (out / "诸暨市政府.html").read_text(encoding="utf-8")
    as_xlsx = runner.invoke(app, ["report", "--all", "-o", str(tmp_path / "x"), "-f", "xlsx", "--plan", "5号",
                                  "--as-of", DAY])
    assert as_xlsx.exit_code == 0
    assert len(list((tmp_path / "x").glob("*.xlsx"))) == len(report_agencies(catalog(), "5号"))


def test_league_json_equals_the_library_object(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["league", "--as-of", DAY, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == jsonable(build_league(catalog(), snapshot(db), AS_OF))
    first = data["rows"][0]
    assert (first["rank"], first["agency"]) == (1, "市市场监管局")
    assert first["returns"] == {"due": 10, "on_time": 1, "late": 2, "missing": 7, "rate": 0.1, "backfill": 0,
                                "rejected": 0}


def test_league_table_and_files(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["league", "--as-of", DAY, "--by", "returns", "--plan", "38号"])
    assert result.exit_code == 0, result.output
    assert "（依据：按时报送率）" in result.stdout and "\n1\t市商务局\t" in result.stdout
    assert "排名规则" in result.stdout
    for suffix in (".xlsx", ".html", ".md"):
        target = tmp_path / f"league{suffix}"
        written = runner.invoke(app, ["league", "--as-of", DAY, "-o", str(target)])
        assert written.exit_code == 0 and target.stat().st_size > 1000


def test_empty_ledger_reports_nothing_received(runner: CliRunner) -> None:
    Ledger.open(Path(os.environ["PINGTAI_DB"])).close()
    result = runner.invoke(app, ["report", "-a", "市商务局", "--as-of", "2025-08-01", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["return_counts"]["on_time"] == 0 and all(t["status"] == "unreported" for t in data["lead"])


def test_subprocess_pipe_is_plain(db: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pingtai", "report", "-a", "市场监管局", "--as-of", DAY],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    assert ESC not in result.stdout and "牵头任务（13）" in result.stdout


def test_as_of_defaults_to_today(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["report", "-a", "市商务局", "--json"])
    assert json.loads(result.stdout)["as_of"] == dt.date.today().isoformat()


def test_an_area_governments_report_has_its_areas_figures_and_ranks(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    from ledger_helpers import value
    from report_helpers import add

    areas = {"越城区": (150, 170), "柯桥区": (300, 350), "上虞区": (140, 160), "新昌县": (60, 66), "诸暨市": (230, 262),
             "嵊州市": (130, 142), "滨海新区": (45, 52.6)}
    for year, at in ((0, dt.datetime(2024, 1, 15, tzinfo=dt.UTC)), (1, dt.datetime(2025, 1, 15, tzinfo=dt.UTC))):
        period = str(2023 + year)
        add(db, f"分地区_{period}.xlsx", "市商务局", period, at, [
            value("online_retail_sales", period, numbers[year], where=f"t!S!B{i}")._replace(
                area=area, growth=12.0 if year and area == "柯桥区" else None)
            for i, (area, numbers) in enumerate(areas.items())])
    data = json.loads(runner.invoke(app, ["report", "--agency", "柯桥区政府", "--as-of", DAY, "--json"]).stdout)
    assert data == jsonable(build_agency_report(catalog(), snapshot(db), "柯桥区政府", AS_OF))
    assert data["area"] == "柯桥区"
    retail = next(f for f in data["area_figures"] if f["id"] == "online_retail_sales")
    assert (retail["actual"], retail["rank"], retail["ranked"], retail["judged"], retail["label"]) == (
        350, 1, 6, False, "未研判（无地区目标）")
    assert retail["city"] == 1150  # 市商务局's own city figure, which its six areas add up to
    [table] = data["area_tables"]  # only the indicators the area has a figure of
    assert (table["id"], table["period"], table["city"]["source"]) == ("online_retail_sales", "2024", "reported")
    assert (table["city"]["total"], table["city"]["mismatch"]) == (1150, False)
    # the same in every format, with a bar chart in HTML and xlsx
    page = runner.invoke(app, ["report", "--agency", "柯桥区政府", "--as-of", DAY, "--format", "html"]).stdout
    assert "<h2>本地区指标（柯桥区，8）</h2>" in page and "<b>柯桥区</b>" in page
    assert page.count('aria-label="网络零售额分地区（2024年，亿元）"') == 1 and "350（第 1 位）" in page
    markdown = runner.invoke(app, ["report", "--agency", "柯桥区政府", "--as-of", DAY, "--format", "md"]).stdout
    assert "## 本地区指标（柯桥区，8）" in markdown and "| 柯桥区 | 350 | 12.0% / 16.7% | 30.4% | 1 | +5.0 | — |" in markdown
    target = tmp_path / "柯桥区政府.xlsx"
    assert runner.invoke(app, ["report", "--agency", "柯桥区政府", "--as-of", DAY, "-o", str(target)]).exit_code == 0
    book = load_workbook(target)
    own = [[c.value for c in row] for row in cast(Worksheet, book["分地区"]).iter_rows()]
    assert ["38号", "网络零售额", "亿元", "2024", 350, "12.0% / 16.7%", 0.304, "1/6"] in [row[:8] for row in own]
    sheet = cast(Worksheet, book["地区对比"])
    assert len(cast(Any, sheet)._charts) == 1
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["柯桥区", 350, "12.0% / 16.7%", 0.304, 1] in [row[:5] for row in cells]
    terminal = runner.invoke(app, ["report", "--agency", "柯桥区政府", "--as-of", DAY]).stdout
    assert "# 本地区指标（柯桥区，8）" in terminal and "# 网络零售额（亿元）分地区，2024年" in terminal
    # a unit that governs no area has none of it
    other = json.loads(runner.invoke(app, ["report", "--agency", "市商务局", "--as-of", DAY, "--json"]).stdout)
    assert (other["area"], other["area_figures"], other["area_tables"]) == (None, [], [])
