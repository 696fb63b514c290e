"""CLI of the catalog commands: exit codes, messages, JSON equal to the library, plain when piped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pingtai import __version__
from pingtai.cli import app
from pingtai.loader import load_catalog
from pingtai.views import agency_detail, area_detail, area_rows, indicator_rows, plan_rows, task_rows

ESC = "\x1b["


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"pingtai {__version__}"


@pytest.mark.parametrize("command", ["validate", "plans", "indicators", "tasks", "agencies", "areas"])
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
        (["areas", "--json"], area_rows(catalog)),
        (["areas", "330603", "--json"], area_detail(catalog, "330603")),
    ]
    for args, expected in pairs:
        result = runner.invoke(app, args)
        assert result.exit_code == 0, args
        assert json.loads(result.stdout) == json.loads(json.dumps(expected, ensure_ascii=False)), args


JSON_COMMANDS = [["plans"], ["indicators"], ["tasks"], ["agencies"], ["agencies", "市商务局"], ["areas"], ["status"],
                 ["show", "网络零售额"], ["show", "网络零售额", "--by-area"], ["status", "--area", "柯桥区"], ["check"],
                 ["history", "网络零售额"], ["batches"], ["import", "x.xlsx"],
                 ["report", "-a", "市商务局"], ["report", "-a", "市商务局", "--format", "md"], ["league"],
                 ["ledger", "verify"], ["ledger", "rebuild"], ["ledger", "backup", "x.sqlite3"],
                 ["bulletin", "--period", "2024Q4"], ["bulletin", "--period", "2024Q4", "--format", "md"],
                 ["bulletin", "--period", "2024Q4", "-o", "通报.docx"]]
"""Every command with ``--json`` (``report``, ``league`` and ``bulletin`` also through ``--format``)."""


@pytest.mark.parametrize("command", JSON_COMMANDS, ids=" ".join)
def test_indent_without_json_is_a_usage_error(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--indent", "2"])
    assert result.exit_code == 2, result.output
    assert "--indent 只用于 JSON 输出" in result.stderr and "--json --indent 2" in result.stderr
    assert result.stdout == ""


def test_json_is_compact_unless_indented(runner: CliRunner) -> None:
    compact = runner.invoke(app, ["plans", "--json"])
    indented = runner.invoke(app, ["plans", "--json", "--indent", "4"])
    assert compact.exit_code == indented.exit_code == 0
    assert compact.stdout.count("\n") == 1 and '":' in compact.stdout and ", " not in compact.stdout.split('"id"')[0]
    assert indented.stdout.startswith('[\n    {\n        "id": ')
    assert json.loads(compact.stdout) == json.loads(indented.stdout)
    out_of_range = runner.invoke(app, ["plans", "--json", "--indent", "-1"])
    assert out_of_range.exit_code == 2


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
    assert len([line for line in lines if line.startswith("38号\t")]) == 20


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


# --- areas ------------------------------------------------------------------------------------------


def test_areas_json_contract(runner: CliRunner) -> None:
    rows = json.loads(runner.invoke(app, ["areas", "--json"]).stdout)
    assert all({"name", "code", "kind", "aliases", "agency"} <= row.keys() for row in rows)
    assert [(r["name"], r["code"], r["kind"], r["agency"]) for r in rows] == [
        ("绍兴市", "330600", "city", "市政府"), ("越城区", "330602", "district", "越城区政府"),
        ("柯桥区", "330603", "district", "柯桥区政府"), ("上虞区", "330604", "district", "上虞区政府"),
        ("新昌县", "330624", "county", "新昌县政府"), ("诸暨市", "330681", "county_city", "诸暨市政府"),
        ("嵊州市", "330683", "county_city", "嵊州市政府"), ("滨海新区", None, "zone", "滨海新区管委会")]
    assert [r["summed"] for r in rows] == [False, True, True, True, True, True, True, False]
    assert "online_retail_sales" in rows[2]["indicators"] and "越城" in rows[1]["aliases"]


@pytest.mark.parametrize("name", ["柯桥区", "柯桥", "330603", "绍兴市柯桥区"])
def test_area_spellings_resolve(runner: CliRunner, name: str) -> None:
    result = runner.invoke(app, ["areas", name, "--json"])
    assert result.exit_code == 0
    detail = json.loads(result.stdout)
    assert (detail["name"], detail["query"]) == ("柯桥区", name)
    text = runner.invoke(app, ["areas", name])
    assert text.exit_code == 0 and "地区：柯桥区（市辖区，区划代码 330603）" in text.stdout
    assert "政府单位：柯桥区政府" in text.stdout and "计入全市合计：是" in text.stdout


def test_unknown_area_exits_2_with_suggestions(runner: CliRunner) -> None:
    result = runner.invoke(app, ["areas", "柯乔区"])
    assert result.exit_code == 2
    assert result.stderr == "错误：未知地区 '柯乔区'\n是否指：柯桥区？\n"


def test_areas_piped_and_on_a_terminal(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    piped = runner.invoke(app, ["areas"])
    assert piped.exit_code == 0 and ESC not in piped.stdout
    lines = piped.stdout.splitlines()
    assert lines[1].split("\t") == ["地区", "区划代码", "类别", "别名", "政府单位", "计入全市", "按地区填报的指标数"]
    assert lines[2].split("\t")[:3] == ["绍兴市", "330600", "设区市"]
    assert lines[9].split("\t")[:6] == ["滨海新区", "—", "功能区", "绍兴滨海新区", "滨海新区管委会", "否"]
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    monkeypatch.setenv("COLUMNS", "200")
    terminal = runner.invoke(app, ["areas"])
    assert terminal.exit_code == 0 and ("┃" in terminal.stdout or "│" in terminal.stdout)


def test_areas_without_an_area_registry(runner: CliRunner, data_copy: Path) -> None:
    (data_copy / "areas.yaml").unlink()
    for plan in data_copy.glob("*_2023_*.yaml"):
        lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
        plan.write_text("".join(line for line in lines if "by_area:" not in line), encoding="utf-8")
    listing = runner.invoke(app, ["--data", str(data_copy), "areas"])
    assert listing.exit_code == 0 and "没有地区名录（areas.yaml）" in listing.stdout
    assert json.loads(runner.invoke(app, ["--data", str(data_copy), "areas", "--json"]).stdout) == []
    unknown = runner.invoke(app, ["--data", str(data_copy), "areas", "柯桥区"])
    assert unknown.exit_code == 2 and "请用 `pingtai areas` 查看可用名称" in unknown.stderr


def test_indicators_json_says_how_each_is_reported_by_area(runner: CliRunner) -> None:
    rows = {(r["plan"], r["id"]): r for r in json.loads(runner.invoke(app, ["indicators", "--json"]).stdout)}
    retail = rows[("plan_2023_38", "online_retail_sales")]
    assert retail["by_area"] == {"areas": ["越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市", "滨海新区"],
                                 "all": True, "additive": True, "source": "三、（一）1",
                                 "note": "任务1责任单位包括各区、县（市），要求形成“一县一品”电商产业格局"}
    assert rows[("zone_2023_5", "online_retail_sales")]["by_area"] == retail["by_area"]  # one definition
    assert rows[("plan_2023_38", "occupational_injury_coverage")]["by_area"] is None
    assert all(r["area_targets"] == [] for r in rows.values())


def test_indicators_json_lists_a_plans_area_targets(runner: CliRunner, data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    text = plan.read_text(encoding="utf-8")
    split = ("    area_targets:\n      - area: 柯桥区\n        targets: [{period: 2025, comparator: '>=', value: 300,"
             " text: 300亿元以上, source: 办公室分解}]\n")
    anchor = "    source: 二、主要指标表\n  - id: online_business_entities"
    plan.write_text(text.replace(anchor, split + anchor, 1), encoding="utf-8")
    result = runner.invoke(app, ["--data", str(data_copy), "indicators", "--plan", "38号", "--json"])
    assert result.exit_code == 0, result.stderr
    retail = next(r for r in json.loads(result.stdout) if r["id"] == "online_retail_sales")
    assert retail["area_targets"] == [{"area": "柯桥区", "targets": [
        {"period": "2025", "value": 300.0, "comparator": ">=", "recurring": False, "first": None,
         "text": "300亿元以上", "source": "办公室分解"}]}]
