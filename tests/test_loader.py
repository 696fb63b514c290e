"""Loader: every kind of broken catalog is reported as file:line with a stable code."""

from __future__ import annotations

import re
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
