"""Loader: every kind of broken catalog is reported as file:line with a stable code."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from pingtai.errors import CatalogError
from pingtai.loader import check_paths, load_catalog, read_yaml


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_bundled_catalog_loads() -> None:
    catalog = load_catalog()
    assert [p.id for p in catalog.plans] == ["plan_2023_38", "zone_2023_5"]
    assert "online_retail_sales" in catalog.indicators
    assert check_paths([]) == []


def test_broken_value_names_file_and_line(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    line = _line_of(plan, "value: 1200")
    _replace(plan, "value: 1200", "value: 12x0")
    problems = check_paths([plan])
    assert [(p.where, p.code) for p in problems] == [(f"{plan}:{line}", "invalid-value")]
    assert "不是数字" in problems[0].message and "12x0" in problems[0].message


def test_unknown_agency_with_suggestion(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    _replace(plan, "units: [市商务局, 市发改委,", "units: [市商务局, 市发展委,")
    line = _line_of(plan, "市发展委")
    problems = check_paths([data_copy])
    assert len(problems) == 1
    assert problems[0].where == f"{plan}:{line}"
    assert problems[0].code == "unknown-agency"
    assert re.search(r"tasks\[0\]\.units\[1\]: 未知单位 '市发展委' — 是否指 市发改委", problems[0].message)


def test_unknown_key(data_copy: Path) -> None:
    plan = data_copy / "zone_2023_5.yaml"
    _replace(plan, "short_name: 5号", "short_name: 5号\nshortname: typo")
    problems = check_paths([plan])
    assert [(p.where, p.code) for p in problems] == [(f"{plan}:{_line_of(plan, 'shortname')}", "unknown-key")]


def test_duplicate_indicator_id(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    _replace(plan, "id: platforms", "id: online_business_entities")
    problems = check_paths([plan])
    codes = {p.code for p in problems}
    assert "duplicate-id" in codes
    dup = next(p for p in problems if p.code == "duplicate-id")
    assert dup.where == f"{plan}:{_line_of(plan, 'id: online_business_entities', 2)}"


def test_duplicate_yaml_key_is_an_error(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    _replace(plan, "  in_force: 2023-11-15", "  in_force: 2023-11-15\n  in_force: 2023-11-16")
    problems = check_paths([plan])
    assert [(p.where, p.code) for p in problems] == [(f"{plan}:{_line_of(plan, 'in_force', 2)}", "duplicate-key")]


def test_yaml_syntax_error(data_copy: Path) -> None:
    plan = data_copy / "zone_2023_5.yaml"
    _replace(plan, "  issued: 2023-03-01", "  issued: [2023-03-01")
    problems = check_paths([plan])
    assert len(problems) == 1 and problems[0].code == "yaml-syntax"
    assert re.fullmatch(rf"{re.escape(str(plan))}:\d+", problems[0].where)


def test_unsupported_schema_version(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    _replace(plan, "schema_version: 1", "schema_version: 7")
    problems = check_paths([plan])
    assert [p.code for p in problems] == ["schema-version"]
    assert "支持：1" in problems[0].message
    assert problems[0].where == f"{plan}:{_line_of(plan, 'schema_version')}"


def test_milestones_must_ascend(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    _replace(plan, "{period: 2025, comparator: \"=\", value: 1200", "{period: 2023, comparator: \"=\", value: 1200")
    problems = check_paths([plan])
    assert [p.code for p in problems] == ["bad-order"]


def test_alias_in_plan_must_be_canonical(data_copy: Path) -> None:
    plan = data_copy / "zone_2023_5.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("市财政局, 市人力社保局", "市财政局, 市人社社保局", 1), encoding="utf-8")
    problems = check_paths([plan])
    assert [p.code for p in problems] == ["alias-not-canonical"]
    assert "市人力社保局" in problems[0].message


def test_all_problems_collected_across_files(data_copy: Path) -> None:
    _replace(data_copy / "plan_2023_38.yaml", "value: 1200", "value: 12x0")
    _replace(data_copy / "zone_2023_5.yaml", "short_name: 5号", "short_name: 5号\nshortname: typo")
    with pytest.raises(CatalogError) as caught:
        load_catalog(data_copy)
    files = sorted({p.where.split(":")[0] for p in caught.value.problems})
    assert files == [str(data_copy / "plan_2023_38.yaml"), str(data_copy / "zone_2023_5.yaml")]


def test_read_yaml_records_lines(data_copy: Path) -> None:
    parsed = read_yaml(data_copy / "plan_2023_38.yaml")
    assert parsed.line_of(("tasks", 0, "units", 4)) == _line_of(data_copy / "plan_2023_38.yaml", "各区、县（市）政府")


# --- hostile YAML (#13 item 5): file:line errors within a second or two, never a crash ------------------

BOMB = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else '1, 2, 3, 4, 5, 6, 7, 8, 9'}]\n" for i in range(10))


@pytest.mark.parametrize(("text", "line", "message", "code"), [
    (BOMB, 7, "别名（*锚点）展开后过大", "yaml-alias"),  # refused at l5, the first level to add over 100,000 nodes
    ("x: &x\n  y: *x\n", 2, "别名引用了包含它自身的节点", "yaml-alias"),
    ("x: &x [1, [2, *x]]\n", 2, "别名引用了包含它自身的节点", "yaml-alias"),
    ("a: 1\nissued: 2023-13-45\n", 3, "不是有效日期：2023-13-45", "invalid-value"),
    ("a: 1\nb: [2024-02-30, 2024-02-29]\n", 3, "不是有效日期：2024-02-30", "invalid-value"),
])
def test_hostile_yaml_is_a_located_error_in_time(tmp_path: Path, text: str, line: int, message: str, code: str) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("schema_version: 1\n" + text, encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(CatalogError) as caught:
        read_yaml(path)
    assert time.monotonic() - started < 2
    [problem] = caught.value.problems
    assert (problem.where, problem.code) == (f"{path}:{line}", code)
    assert problem.message.startswith(message)


def test_aliases_that_add_little_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("units: &u [市商务局, 市市场监管局]\na: *u\nb: *u\n", encoding="utf-8")
    assert read_yaml(path).data == {"units": ["市商务局", "市市场监管局"]} | {"a": ["市商务局", "市市场监管局"],
                                                                          "b": ["市商务局", "市市场监管局"]}


@pytest.mark.parametrize("text", [BOMB, "x: &x\n  y: *x\n", "issued: 2023-13-45\n"])
def test_validate_exits_1_and_check_exits_2_on_hostile_yaml(data_copy: Path, text: str) -> None:
    from typer.testing import CliRunner

    from pingtai.cli import app

    (data_copy / "extra.yaml").write_text("schema_version: 1\n" + text, encoding="utf-8")
    runner = CliRunner()
    validated = runner.invoke(app, ["validate", str(data_copy)])
    assert validated.exit_code == 1 and "extra.yaml:" in validated.stderr and "Traceback" not in validated.output
    checked = runner.invoke(app, ["--data", str(data_copy), "check", "--as-of", "2025-03-01"])
    assert checked.exit_code == 2 and "extra.yaml:" in checked.stderr and "检查无法运行" in checked.stderr
    assert "Traceback" not in checked.output
