"""CLI of the catalog commands: exit codes, messages, JSON equal to the library, plain when piped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pingtai import __version__
from pingtai.cli import app
from pingtai.loader import load_catalog
from pingtai.views import agency_detail, indicator_rows, plan_rows, task_rows

ESC = "\x1b["


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pingtai {__version__}"


@pytest.mark.parametrize("command", ["validate", "plans", "indicators", "tasks", "agencies"])
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "示例" in result.stdout


def test_validate_ok_and_broken(runner: CliRunner, data_copy: Path) -> None:
    ok = runner.invoke(app, ["validate"])
    assert ok.exit_code == 0 and "校验通过" in ok.stdout
    plan = data_copy / "plan_2023_38.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("value: 1400", "value: 一千四", 1), encoding="utf-8")
    broken = runner.invoke(app, ["validate", str(plan)])
    assert broken.exit_code == 1
    assert f"{plan}:" in broken.stderr and "不是数字" in broken.stderr
    assert "Traceback" not in broken.output


def test_commands_on_a_broken_catalog_exit_1_without_traceback(runner: CliRunner, data_copy: Path) -> None:
    (data_copy / "agencies.yaml").write_text("schema_version: 1\nagencies: [\n", encoding="utf-8")
    result = runner.invoke(app, ["--data", str(data_copy), "tasks"])
    assert result.exit_code == 1
    assert "agencies.yaml:" in result.stderr and "YAML 语法错误" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_data_dir_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--data", str(tmp_path / "nope"), "plans"])
    assert result.exit_code == 2
    assert "数据目录不存在" in result.stderr


def test_json_equals_library_objects(runner: CliRunner) -> None:
    catalog = load_catalog()
    pairs = [
        (["plans", "--json"], plan_rows(catalog)),
        (["indicators", "--json"], indicator_rows(catalog)),
        (["indicators", "--plan", "5号", "--json"], indicator_rows(catalog, "zone_2023_5")),
        (["tasks", "--json"], task_rows(catalog)),
        (["tasks", "--agency", "市场监管局", "--lead-only", "--json"], task_rows(catalog, None, "市市场监管局", True)),
        (["agencies", "绍兴市市场监督管理局", "--json"], agency_detail(catalog, "绍兴市市场监督管理局")),
    ]
    for args, expected in pairs:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, args
        assert json.loads(result.stdout) == json.loads(json.dumps(expected, ensure_ascii=False)), args


def test_indicators_json_contract(runner: CliRunner) -> None:
    rows = json.loads(runner.invoke(app, ["indicators", "--json"]).stdout)
    keys = {"plan", "id", "name", "unit", "kind", "direction", "task", "baseline", "targets"}
    assert all(keys <= row.keys() for row in rows)
    table = [r for r in rows if r["plan"] == "plan_2023_38" and r["baseline"] is not None]
    assert len(table) == 8
    assert all([t["period"] for t in r["targets"]] == ["2023", "2025", "2027"] for r in table)
    retail = [r for r in rows if r["id"] == "online_retail_sales"]
    assert [r["plan"] for r in retail] == ["plan_2023_38", "zone_2023_5"]
    assert retail[1]["targets"] == [{"period": "2024", "value": 1000.0, "comparator": ">", "recurring": False,
                                     "first": None, "text": "超1000亿元", "source": "二、（一）"}]


def test_tasks_json_contract(runner: CliRunner) -> None:
    rows = json.loads(runner.invoke(app, ["tasks", "--json"]).stdout)
    assert len(rows) == 32
    assert all({"plan", "number", "title", "action", "lead", "units"} <= r.keys() for r in rows)
    assert all(r["lead"] == r["units"][0] for r in rows)
    first = rows[0]
    assert first["units"] == ["市商务局", "市发改委", "市市场监管局", "市投资促进中心", "各区、县（市）政府"]


@pytest.mark.parametrize("name", ["市市场监管局", "市场监管局", "绍兴市市场监督管理局", "市监局"])
def test_agency_spellings_resolve(runner: CliRunner, name: str) -> None:
    result = runner.invoke(app, ["agencies", name, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["name"] == "市市场监管局"


def test_document_variants_resolve_to_canonical(runner: CliRunner) -> None:
    for variant in ("市人社保局", "市人社社保局"):
        detail = json.loads(runner.invoke(app, ["agencies", variant, "--json"]).stdout)
        assert detail["name"] == "市人力社保局"


def test_district_government_sees_group_tasks(runner: CliRunner) -> None:
    detail = json.loads(runner.invoke(app, ["agencies", "嵊州市政府", "--json"]).stdout)
    assert {(t["plan"], t["number"]) for t in detail["co"]} == {("plan_2023_38", 1), ("plan_2023_38", 13)}
    assert all(t["via"] == "各区、县（市）政府" for t in detail["co"])


def test_unknown_agency_exits_2_with_suggestions(runner: CliRunner) -> None:
    result = runner.invoke(app, ["agencies", "市场监督局"])
    assert result.exit_code == 2
    assert "未知单位 '市场监督局'" in result.stderr
    assert "是否指" in result.stderr and "市市场监管局" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_plan_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["tasks", "--plan", "39号"])
    assert result.exit_code == 2
    assert "未知计划 '39号'" in result.stderr and "plan_2023_38" in result.stderr


def test_piped_output_is_plain(runner: CliRunner) -> None:
    result = runner.invoke(app, ["tasks", "--plan", "38号"])
    assert result.exit_code == 0
    assert ESC not in result.stdout and "│" not in result.stdout and "┃" not in result.stdout
    lines = result.stdout.splitlines()
    assert lines[1].split("\t") == ["计划", "编号", "行动", "任务", "牵头单位", "配合单位"]
    assert len([line for line in lines if line.startswith("plan_2023_38\t")]) == 20


def test_terminal_output_is_a_table(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    monkeypatch.setenv("COLUMNS", "200")
    result = runner.invoke(app, ["plans"])
    assert result.exit_code == 0
    assert "┃" in result.stdout or "│" in result.stdout
    assert "绍政办发〔2023〕38号" in result.stdout


def test_terminal_output_shows_markup_like_text_verbatim(monkeypatch: pytest.MonkeyPatch) -> None:
    """Text from returns such as ``[/b]`` must print as written, not be parsed as rich markup."""
    import io

    from pingtai.render.console import Output, TableData

    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    stream = io.StringIO()
    out = Output(stream)
    out.line("存在问题：[/b] 与 [red]")
    out.table(TableData("t", ["问题"], [["[/b][bold]x"]]))
    assert "[/b] 与 [red]" in stream.getvalue() and "[/b][bold]x" in stream.getvalue()


def test_plain_tables_keep_one_line_per_row_and_one_tab_between_cells() -> None:
    """Piped output stays grep/awk-able whatever the cells hold: tabs and line breaks become spaces."""
    import io

    from pingtai.render.console import Output, TableData, styled

    stream = io.StringIO()
    Output(stream).table(TableData("t", ["a", "b", "c"], [["x", styled("滞后", "red"), "1"], ["多\t列", "两\n行", ""], []],
                                   caption="注"))
    assert stream.getvalue() == "# t\na\tb\tc\nx\t滞后\t1\n多 列\t两 行\t\n\n# 注\n\n"
