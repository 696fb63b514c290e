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


# --- areas.yaml and by_area -------------------------------------------------------------------------


def _problems(data: Path) -> list[tuple[str, str, str]]:
    return [(p.where, p.code, p.message) for p in check_paths([data])]


def test_area_registry_is_checked_like_the_others(data_copy: Path) -> None:
    areas = data_copy / "areas.yaml"
    _replace(areas, 'code: "330604"', "code: 33064")          # not 6 digits
    _replace(areas, 'code: "330624"', "code: 330603")         # 柯桥区's, unquoted
    _replace(areas, 'code: "330681"', 'code: "330781"')       # 金华's, not under 绍兴
    _replace(areas, "agency: 嵊州市政府", "agency: 嵊州政府")     # unknown, close to one
    _replace(areas, "agency: 新昌县政府", "agency: 新昌县")       # an alias of the unit
    _replace(areas, "aliases: [越城]", "aliases: [越城, 柯桥]")  # belongs to 柯桥区
    _replace(areas, "aliases: [绍兴滨海新区]", "aliases: [绍兴滨海新区, ../x]")
    where = {needle: f"{areas}:{_line_of(areas, needle)}" for needle in (
        "33064", "code: 330603", "330781", "嵊州政府", "agency: 新昌县", "aliases: [柯桥]", "../x")}
    got = _problems(data_copy)
    assert (where["33064"], "invalid-value") in [(w, c) for w, c, _ in got]
    assert next(m for w, _, m in got if w == where["33064"]).endswith("区划代码应为 6 位数字（GB/T 2260，如 330602）：'33064'")
    assert (where["../x"], "invalid-value") in [(w, c) for w, c, _ in got]
    assert "不能含路径分隔符" in next(m for w, _, m in got if w == where["../x"])
    # the file that does not validate is reported alone: its cross-references are checked once it does
    assert {w for w, _, _ in got} == {where["33064"], where["../x"]}
    _replace(areas, "code: 33064", 'code: "330604"')
    _replace(areas, "[绍兴滨海新区, ../x]", "[绍兴滨海新区]")
    assert sorted(_problems(data_copy)) == sorted([
        (where["code: 330603"], "duplicate-id", "areas[4].code: 区划代码 330603 已属于 柯桥区"),
        (where["330781"], "invalid", "areas[5].code: 区划代码 330781 不在 绍兴市（3306xx）之下"),
        (where["嵊州政府"], "unknown-agency", "areas[6].agency: 未知单位 '嵊州政府' — 是否指 嵊州市政府、市政府？"),
        (where["agency: 新昌县"], "alias-not-canonical", "areas[4].agency: 单位请写规范名 '新昌县政府'（'新昌县' 是它的别名）"),
        # the later of two areas claiming one spelling is the one reported
        (where["aliases: [柯桥]"], "duplicate-name", "areas[2].aliases[0]: 名称 '柯桥' 已属于 越城区"),
    ])


def test_exactly_one_city_with_a_code_ending_in_00(data_copy: Path) -> None:
    areas = data_copy / "areas.yaml"
    text = areas.read_text(encoding="utf-8")
    _replace(areas, "kind: district", "kind: city")
    assert [(c, m) for _, c, m in _problems(data_copy)] == [("invalid", "areas[1]: 应有且只有一个设区市（kind: city），现有 2 个")]
    areas.write_text(text.replace("kind: city", "kind: district"), encoding="utf-8")
    assert [(c, m) for _, c, m in _problems(data_copy)] == [("invalid", "areas: 应有且只有一个设区市（kind: city），现有 0 个")]
    areas.write_text(text.replace('code: "330600"', 'code: "330601"'), encoding="utf-8")
    assert [(c, m) for _, c, m in _problems(data_copy)] == [("invalid", "areas[0].code: 设区市的区划代码应以 00 结尾：330601")]


def test_divisions_need_a_code_and_a_government_zones_do_not(data_copy: Path) -> None:
    areas = data_copy / "areas.yaml"
    _replace(areas, '    code: "330683"\n', "")
    got = _problems(data_copy)
    assert [(c, m) for _, c, m in got] == [
        ("invalid-value", "areas[6]: 嵊州市：设区市和区、县（市）需要区划代码 code 和政府单位 agency")]
    assert got[0][0] == f"{areas}:{_line_of(areas, 'name: 嵊州市')}"


def test_indicators_by_area_name_known_areas_canonically(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    _replace(plan, "by_area: {areas: all, additive: true, source: 三、（三）13",
             "by_area: {areas: [柯桥区, 诸暨, 柯乔区, 绍兴市, 柯桥区], additive: true, source: 三、（三）13")
    line = _line_of(plan, "柯乔区")
    assert [(w, c, m) for w, c, m in _problems(data_copy)] == [
        (f"{plan}:{line}", "alias-not-canonical", "indicators[5].by_area.areas[1]: 地区请写规范名 '诸暨市'（'诸暨' 是它的别名或代码）"),
        (f"{plan}:{line}", "unknown-area", "indicators[5].by_area.areas[2]: 未知地区 '柯乔区' — 是否指 柯桥区？"),
        (f"{plan}:{line}", "invalid", "indicators[5].by_area.areas[3]: '绍兴市' 是全市：按地区填报只列区、县（市）和功能区，全市数总是可以填报"),
        (f"{plan}:{line}", "duplicate-id", "indicators[5].by_area.areas[4]: 地区 '柯桥区' 重复"),
    ]


def test_a_percentage_is_never_additive_and_additive_is_never_assumed(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    _replace(plan, "    note: 原文为“实现职业伤害保障政策全覆盖”",
             "    by_area: {areas: all, additive: true, source: 三、（二）8}\n    note: 原文为“实现职业伤害保障政策全覆盖”")
    got = _problems(data_copy)
    assert [(c, m) for _, c, m in got] == [
        ("invalid-value", "indicators[16]: 百分比（比率）指标的各地区数值不能相加：by_area.additive 应为 false")]
    _replace(plan, "by_area: {areas: all, additive: true, source: 三、（二）8}", "by_area: {areas: all, source: 三、（二）8}")
    assert [(c, m) for _, c, m in _problems(data_copy)] == [("missing-key", "indicators[16].by_area.additive: 缺少必填字段 'additive'")]
    _replace(plan, "by_area: {areas: all, source: 三、（二）8}", "by_area: {areas: 越城区, additive: false, source: 三、（二）8}")
    assert [m for _, _, m in _problems(data_copy)] == [
        "indicators[16].by_area.areas: areas 应为 all 或地区名列表（如 [越城区, 柯桥区]），而不是 '越城区'"]
    _replace(plan, "by_area: {areas: 越城区, additive: false", "by_area: {areas: [越城区], additive: false")
    assert _problems(data_copy) == []


def test_by_area_belongs_to_the_definition(data_copy: Path) -> None:
    plan = data_copy / "zone_2023_5.yaml"
    _replace(plan, "  - ref: online_retail_sales\n", "  - ref: online_retail_sales\n    by_area: {areas: all, additive: true, source: x}\n")
    assert [(c, m) for _, c, m in _problems(data_copy)] == [
        ("invalid-value", "indicators[0]: 引用（ref）的指标不能再定义 aliases/owner/note/by_area：定义只写在一处")]


def test_area_targets_only_where_the_indicator_is_reported(data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    split = ("    area_targets:\n"
             "      - {area: 柯桥区, targets: [{period: 2025, comparator: '>=', value: 300, text: 300亿元, source: x},"
             " {period: 2024, comparator: '>=', value: 250, text: 250亿元, source: x}]}\n"
             "      - {area: 柯桥区, targets: [{period: 2028, comparator: '>=', value: 400, text: 400亿元, source: x}]}\n"
             "      - {area: 越城, targets: [{period: 2025, comparator: '>=', value: 300, text: 300亿元, source: x}]}\n")
    _replace(plan, "    source: 二、主要指标表\n  - id: online_business_entities", f"{split}    source: 二、主要指标表\n  - id: online_business_entities")
    _replace(plan, "    source: 二、主要指标表\n  - id: provincial_digital_factories",
             "    area_targets: [{area: 柯桥区, targets: [{period: 2025, comparator: '>=', value: 3, text: x, source: x}]}]\n"
             "    source: 二、主要指标表\n  - id: provincial_digital_factories")
    assert sorted(m for _, _, m in _problems(data_copy)) == sorted([
        "indicators[0].area_targets[0].targets[1].period: 目标期别应递增：2024 不晚于 2025",
        "indicators[0].area_targets[1].area: 地区 '柯桥区' 的目标重复",
        "indicators[0].area_targets[1].targets[0].period: 目标期 2028 超出计划期 2027",
        "indicators[0].area_targets[2].area: 地区请写规范名 '越城区'（'越城' 是它的别名或代码）",
        "indicators[3].area_targets[0].area: 指标 'provincial_industrial_internet_platforms' 未设为按地区填报（by_area），不能设地区目标",
    ])


def test_by_area_needs_an_area_registry(data_copy: Path) -> None:
    (data_copy / "areas.yaml").unlink()
    got = _problems(data_copy)
    assert len(got) == 7 and {c for _, c, _ in got} == {"unknown-area"}
    assert got[0][2] == "indicators[0].by_area: 按地区填报需要地区名录 areas.yaml（与 agencies.yaml 同目录）"


def test_areas_yaml_alone_and_a_broken_one(data_copy: Path) -> None:
    areas = data_copy / "areas.yaml"
    assert check_paths([areas]) == []
    _replace(areas, "schema_version: 1", "schema_version: 2")
    # the broken registry is reported once; the plans' by_area references to it are not repeated
    assert [p.code for p in check_paths([areas])] == ["schema-version"]
    with pytest.raises(CatalogError) as caught:
        load_catalog(data_copy)
    assert [p.code for p in caught.value.problems] == ["schema-version"]


@pytest.mark.parametrize("alias", ['"a/b"', '"a\\\\b"', '"柯\\e[2J桥"', '"柯\\u202e桥"', '".."'])
def test_area_names_are_no_paths_and_hold_no_control_characters(data_copy: Path, alias: str) -> None:
    areas = data_copy / "areas.yaml"
    _replace(areas, "aliases: [柯桥]", f"aliases: [柯桥, {alias}]")
    [problem] = check_paths([areas])
    assert (problem.where, problem.code) == (f"{areas}:{_line_of(areas, 'aliases: [柯桥,')}", "invalid-value")
    # a path-like name and a control character are each refused, whichever rule words the message
    assert "不能含路径分隔符" in problem.message or "不能含控制字符" in problem.message
    assert "\x1b" not in problem.message and "\u202e" not in problem.message  # shown escaped, never raw


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
def test_hostile_yaml_stops_every_command_with_the_way_to_fix_it(data_copy: Path, text: str) -> None:
    from typer.testing import CliRunner

    from pingtai.cli import app

    (data_copy / "extra.yaml").write_text("schema_version: 1\n" + text, encoding="utf-8")
    runner = CliRunner()
    validated = runner.invoke(app, ["validate", str(data_copy)])
    assert validated.exit_code == 1 and "extra.yaml:" in validated.stderr and "Traceback" not in validated.output
    for command, code in ((["check", "--as-of", "2025-03-01"], 2), (["status"], 1), (["plans"], 1),
                          (["report", "--agency", "市商务局"], 1)):
        ran = runner.invoke(app, ["--data", str(data_copy), *command])
        assert ran.exit_code == code and "extra.yaml:" in ran.stderr, command
        assert "命令无法运行（用 pingtai validate 查看并修正）" in ran.stderr and "Traceback" not in ran.output, command


def test_bulletin_phrasing_is_checked(data_copy: Path) -> None:
    """A plan's own bulletin wording: only the three placeholders, {数值} once, indicators of the plan, each once."""
    plan = data_copy / "plan_2023_38.yaml"
    line = _line_of(plan, "indicator: platforms, lead:")
    _replace(plan, '"{时期}，全市互联网平台达{数值}"', '"{时期}，全市互联网平台达{数字}"')
    problems = check_paths([plan])
    assert [p.where for p in problems] == [f"{plan}:{line}"]
    assert "未知的占位符 {数字}" in problems[0].message and "{数值}" in problems[0].message
    _replace(plan, '"{时期}，全市互联网平台达{数字}"', '"{时期}，全市互联网平台达"')
    assert "须含且只含一个 {数值}" in check_paths([plan])[0].message
    _replace(plan, '"{时期}，全市互联网平台达"', '"{时期}，全市互联网平台达{数值:.1f}"')
    assert "不能带格式" in check_paths([plan])[0].message
    _replace(plan, '"{时期}，全市互联网平台达{数值:.1f}"', '"{时期}，全市互联网平台达{数值}"')
    _replace(plan, "- {indicator: shuangjian_shuangling_projects,", "- {indicator: platforms,")
    problems = check_paths([plan])
    assert [(p.code, "重复" in p.message) for p in problems] == [("duplicate-id", True)]
    _replace(plan, "- {indicator: platforms, lead: \"{时期}，全市参与实施", "- {indicator: cross_border_ecommerce_trade, lead: \"{时期}，全市参与实施")
    problems = check_paths([plan])
    assert [p.code for p in problems] == ["unknown-indicator"]
    assert "本计划未列出的指标 'cross_border_ecommerce_trade'" in problems[0].message
