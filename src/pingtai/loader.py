"""YAML → :class:`~pingtai.catalog.Catalog`, with every problem located as ``file:line``.

The data directory is ``--data`` / ``PINGTAI_DATA`` or the bundled ``data/``. It holds
``agencies.yaml``, ``areas.yaml`` (optional: without it no area is known) and one YAML file per
plan. The loader collects *all* problems — YAML syntax, schema, unknown keys, references between
files — before raising one :class:`CatalogError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pingtai import catalog_cache
from pingtai.catalog import SCHEMA_VERSIONS, AgencyRegistry, AreaRegistry, Catalog, Loc, PlanFile, assemble
from pingtai.errors import CatalogError, Problem, UsageError
from pingtai.frozen import Record
from pingtai.gcutil import gc_paused

if TYPE_CHECKING:
    import yaml  # imported where YAML is parsed: a catalog from the cache needs no parser
    from pydantic import ValidationError

AGENCIES_FILE = "agencies.yaml"
AREAS_FILE = "areas.yaml"


def bundled_data_dir() -> Path:
    """The plans shipped with pingtai (inside the wheel, or ``data/`` of a source checkout)."""
    packaged = Path(str(resources.files("pingtai"))) / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


def data_dir(explicit: Path | None = None) -> Path:
    """``explicit`` (``--data``), else ``PINGTAI_DATA``, else the bundled data."""
    if explicit is not None:
        return explicit
    env = os.environ.get("PINGTAI_DATA")
    return Path(env) if env else bundled_data_dir()


def display_path(path: Path) -> str:
    """A path as users should see it: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


class YamlFile(Record, frozen=False):
    """A parsed YAML file: its data and the line of every node, keyed by path."""

    path: Path
    data: Any
    lines: dict[Loc, int]

    @property
    def name(self) -> str:
        return display_path(self.path)

    def line_of(self, loc: Iterable[str | int]) -> int:
        """Line (1-based) of the deepest node on ``loc`` that exists in the file."""
        parts = tuple(loc)
        while parts and parts not in self.lines:
            parts = parts[:-1]
        return self.lines.get(parts, 1)

    def where(self, loc: Iterable[str | int]) -> str:
        return f"{self.name}:{self.line_of(loc)}"


def _index_lines(node: yaml.Node, loc: Loc, lines: dict[Loc, int], duplicates: list[tuple[Loc, int]]) -> None:
    """Record the line of every node; collect keys that appear twice in one mapping.

    PyYAML keeps the last of two equal keys silently — in plan data that hides a typo, so it is
    reported as an error instead.
    """
    import yaml

    lines[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[object] = set()
        for key, value in node.value:
            child = (*loc, key.value)
            if key.value in seen:
                duplicates.append((child, key.start_mark.line + 1))
            seen.add(key.value)
            _index_lines(value, child, lines, duplicates)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index_lines(item, (*loc, i), lines, duplicates)


MAX_ALIAS_NODES = 100_000
"""Most nodes aliases may add to a file once expanded. A plan file written out has none; ten levels
of aliases each naming the one before nine times (a "billion laughs") would add a billion."""


def read_yaml(path: Path) -> YamlFile:
    """Parse ``path`` safely; raise :class:`CatalogError` naming the line of what cannot be read.

    Besides syntax errors: an alias that names the node it is in (a structure containing itself),
    aliases that expand the file beyond :data:`MAX_ALIAS_NODES` extra nodes, and values that look
    like dates but are none (``2023-13-45``) are errors at their line — never a crash, and found
    before anything walks the expanded document.
    """
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError([Problem(where, "文件不存在", "missing-file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError([Problem(where, f"无法读取：{exc}", "unreadable")]) from None
    import yaml

    loader_class: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_graph(node, where)
        data = _construct(loader, node, where) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        reason = f"{exc.problem or ''} {exc.context or ''}".strip()
        raise CatalogError([Problem(f"{where}:{line}", f"YAML 语法错误：{reason}", "yaml-syntax")]) from None
    except yaml.YAMLError as exc:
        raise CatalogError([Problem(where, f"YAML 语法错误：{exc}", "yaml-syntax")]) from None
    except RecursionError:  # the pure-Python parser on very deep nesting (libyaml stops at 1000 levels)
        raise CatalogError([Problem(where, "YAML 嵌套层次过深", "yaml-syntax")]) from None
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    duplicates: list[tuple[Loc, int]] = []
    if node is not None:
        _index_lines(node, (), lines, duplicates)
    if duplicates:
        raise CatalogError([Problem(f"{where}:{line}", f"{_format_loc(loc)}: 键 '{loc[-1]}' 重复（同一层只能出现一次）",
                                    "duplicate-key") for loc, line in duplicates])
    return YamlFile(path, data, lines)


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_graph(root: yaml.Node, where: str) -> None:
    """Refuse a document whose aliases make it contain itself or expand it past :data:`MAX_ALIAS_NODES`.

    The composer shares one node object for an anchor and every alias to it, so the document is
    a graph: walked once per distinct node (iteratively, whatever its depth), counting the size
    of each node's expansion from its children's.
    """
    sizes: dict[int, int] = {}
    distinct = 0
    active: set[int] = set()
    stack: list[tuple[yaml.Node, list[yaml.Node]]] = [(root, _children(root))]
    active.add(id(root))
    while stack:
        node, pending = stack[-1]
        if pending:
            child = pending.pop()
            key = id(child)
            if key in active:
                raise CatalogError([Problem(f"{where}:{node.start_mark.line + 1}",
                                            "别名引用了包含它自身的节点（自引用的锚点）：请改为写出具体内容", "yaml-alias")])
            if key not in sizes:
                active.add(key)
                stack.append((child, _children(child)))
            continue
        stack.pop()
        active.discard(id(node))
        distinct += 1
        size = 1 + sum(sizes[id(child)] for child in _children(node))
        sizes[id(node)] = size
        if size - distinct > MAX_ALIAS_NODES:
            raise CatalogError([Problem(f"{where}:{node.start_mark.line + 1}",
                                        f"别名（*锚点）展开后过大（超过 {MAX_ALIAS_NODES} 个节点）：疑似“别名炸弹”，"
                                        "请改为写出具体内容", "yaml-alias")])


def _construct(loader: yaml.SafeLoader, node: yaml.Node, where: str) -> Any:
    """The document's Python data; a date that does not exist (``2023-13-45``) is an error at its line."""
    import yaml

    try:
        return loader.construct_document(node)
    except (ValueError, OverflowError):
        pass  # a timestamp-looking scalar that is no date: find every such scalar, with its line
    problems: list[Problem] = []
    seen: set[int] = set()
    todo = [node]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        todo += _children(item)
        if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(item)
            except (ValueError, OverflowError) as exc:
                problems.append(Problem(f"{where}:{item.start_mark.line + 1}",
                                        f"不是有效日期：{item.value}（{exc}；应为 YYYY-MM-DD）", "invalid-value"))
    if not problems:
        raise CatalogError([Problem(where, "YAML 内容无法读取（数值超出范围）", "yaml-syntax")])
    raise CatalogError(sorted(problems, key=lambda p: int(p.where.rsplit(":", 1)[1])))


_PYDANTIC_MESSAGES = {
    "float_parsing": "不是数字", "float_type": "应为数字", "int_parsing": "不是整数", "int_type": "应为整数",
    "int_from_float": "应为整数", "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文本", "list_type": "应为列表", "dict_type": "应为键值映射", "model_type": "应为键值映射",
    "date_parsing": "不是日期（应为 YYYY-MM-DD）", "date_from_datetime_parsing": "不是日期（应为 YYYY-MM-DD）",
    "date_type": "不是日期（应为 YYYY-MM-DD）", "string_too_short": "不能为空",
    "string_pattern_mismatch": "格式不对（编号只用小写字母、数字和下划线，以字母开头）",
    "greater_than_equal": "数值过小", "less_than_equal": "数值过大", "none_required": "此处不应有值",
}


def _pydantic_message(item: Any) -> tuple[str, str]:
    """A Chinese message and a stable code for one pydantic error."""
    kind, loc, ctx = item["type"], item["loc"], item.get("ctx") or {}
    value = item.get("input")
    shown = "" if isinstance(value, dict | list) else f"（值：{value!r}）"
    if kind == "extra_forbidden":
        return f"未知字段 '{loc[-1]}'（请检查拼写；允许的字段见 docs/catalog.md）", "unknown-key"
    if kind == "missing":
        return f"缺少必填字段 '{loc[-1]}'", "missing-key"
    if kind == "literal_error":
        return f"取值应为 {ctx.get('expected', '')} 之一{shown}", "invalid-value"
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length', 1)} 项", "invalid-value"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return f"{_PYDANTIC_MESSAGES[kind]}（应{'≥' if kind == 'greater_than_equal' else '≤'} {bound}）{shown}", "invalid-value"
    if kind in _PYDANTIC_MESSAGES:
        return f"{_PYDANTIC_MESSAGES[kind]}{shown}", "invalid-value"
    # our own validators raise ValueError with a Chinese message already
    return f"{item['msg'].removeprefix('Value error, ')}{shown if kind != 'value_error' else ''}", "invalid-value"


def _pydantic_problems(file: YamlFile, error: ValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        path = _format_loc(loc)
        message, code = _pydantic_message(item)
        problems.append(Problem(file.where(loc), f"{path}: {message}" if path else message, code))
    return problems


def _format_loc(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _validate(file: YamlFile, model: type[AgencyRegistry] | type[AreaRegistry] | type[PlanFile]) -> Any:
    """Validate a file against its model; return the model or a list of problems."""
    if not isinstance(file.data, dict):
        return [Problem(f"{file.name}:1", "文件内容应为键值映射（mapping）", "invalid-value")]
    version = file.data.get("schema_version")
    if version not in SCHEMA_VERSIONS:
        supported = "、".join(str(v) for v in SCHEMA_VERSIONS)
        return [Problem(file.where(("schema_version",)),
                        f"不支持的 schema_version {version!r}（本版 pingtai 支持：{supported}）", "schema-version")]
    # imported here: a catalog from the cache is never validated, and pydantic is slow to import
    from pydantic import ValidationError

    from pingtai import schema

    try:
        return schema.validate(model, file.data)
    except ValidationError as exc:
        return _pydantic_problems(file, exc)


def plan_files_in(directory: Path) -> list[Path]:
    """The plan files of a data directory: every ``*.yaml`` except the agency and area registries."""
    return sorted(p for p in directory.glob("*.yaml") if p.name not in (AGENCIES_FILE, AREAS_FILE))


def areas_file_in(directory: Path) -> Path | None:
    """The directory's ``areas.yaml``, or ``None`` when it has none (then no area is known)."""
    path = directory / AREAS_FILE
    return path if path.exists() else None


def load_files(agencies_path: Path, plan_paths: list[Path],
               areas_path: Path | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Load and cross-check the given files; return the catalog (if it could be built) and problems.

    ``areas_path`` is the area registry (``None``: no area is known).
    """
    problems: list[Problem] = []
    files: dict[str, YamlFile] = {}
    registry: AgencyRegistry | None = None
    areas: AreaRegistry | None = None
    areas_failed = False
    plans: list[tuple[YamlFile, PlanFile]] = []
    todo: list[tuple[Path, type[AgencyRegistry] | type[AreaRegistry] | type[PlanFile]]] = [
        (agencies_path, AgencyRegistry), *([(areas_path, AreaRegistry)] if areas_path is not None else [])]
    todo += [(p, PlanFile) for p in plan_paths]
    for path, model in todo:
        try:
            file = read_yaml(path)
        except CatalogError as exc:
            problems += exc.problems
            areas_failed = areas_failed or model is AreaRegistry
            continue
        result = _validate(file, model)
        if isinstance(result, list):
            problems += result
            areas_failed = areas_failed or model is AreaRegistry
        elif isinstance(result, AgencyRegistry):
            registry, files["agencies"] = result, file
        elif isinstance(result, AreaRegistry):
            areas, files["areas"] = result, file
        else:
            plans.append((file, result))
            files.setdefault(result.id, file)
    if registry is None:
        return None, problems
    catalog, cross = assemble(registry, [(str(f.path), spec) for f, spec in plans], areas)
    plans_failed = len(plans) < len(plan_paths)
    for item in cross:
        if plans_failed and item.code == "unknown-indicator":
            continue  # the definition is probably in the plan file that failed: its problems come first
        if areas_failed and item.code == "unknown-area":
            continue  # likewise for areas: the broken areas.yaml's own problems say it
        file = files[item.file]
        problems.append(Problem(file.where(item.loc), f"{_format_loc(item.loc)}: {item.message}", item.code))
    catalog = Catalog(agencies=catalog.agencies, agencies_path=str(agencies_path), plans=catalog.plans,
                      indicators=catalog.indicators, areas=catalog.areas,
                      areas_path=str(areas_path) if areas is not None else "")
    return catalog, problems


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load the catalog from ``directory`` (default: :func:`data_dir`); raise on any problem."""
    root = data_dir(directory)
    if not root.is_dir():
        raise UsageError(f"数据目录不存在：{root}", hint="用 --data 或 PINGTAI_DATA 指向存放计划 YAML 的目录。")
    areas = areas_file_in(root)
    plans = plan_files_in(root)
    files = [root / AGENCIES_FILE, *([areas] if areas is not None else []), *plans]
    with gc_paused():  # parsing or unpickling builds many acyclic objects: see pingtai.gcutil
        # unchanged files load from the cache of assembled catalogs (pingtai.catalog_cache)
        name, cached = catalog_cache.get(files)
        if cached is not None:
            return cached
        catalog, problems = load_files(files[0], plans, areas)
    if problems or catalog is None:
        raise CatalogError(problems)
    catalog_cache.put(name, files, catalog)
    return catalog


def check_paths(paths: list[Path], default_dir: Path | None = None) -> list[Problem]:
    """Problems in the given files or directories (``pingtai validate``).

    A plan file is checked together with its directory's ``agencies.yaml``, ``areas.yaml`` and
    sibling plans (so references between files resolve); where its directory has no
    ``agencies.yaml``, the default data's registries are used.
    """
    fallback = data_dir(default_dir)
    problems: list[Problem] = []
    for target in paths or [fallback]:
        if not target.exists():
            problems.append(Problem(display_path(target), "文件或目录不存在", "missing-file"))
            continue
        directory = target if target.is_dir() else target.parent
        agencies = directory / AGENCIES_FILE
        areas = areas_file_in(directory)
        if not agencies.exists():
            agencies = fallback / AGENCIES_FILE
            areas = areas or areas_file_in(fallback)
        plans = plan_files_in(directory) if target.is_dir() else (
            [] if target.name in (AGENCIES_FILE, AREAS_FILE) else [target])
        if target.is_file() and not (directory / AGENCIES_FILE).exists():
            plans += [p for p in plan_files_in(fallback) if p.name != target.name]
        elif target.is_file():
            plans += [p for p in plan_files_in(directory) if p != target]
        problems += load_files(agencies, plans, areas)[1]
    return problems
