"""The plan catalog: agencies, areas, indicators, targets, tasks, plans — plain records, no I/O.

The YAML under ``data/`` is validated into these records by :mod:`pingtai.loader` through
:mod:`pingtai.schema`, which gives each record's field types their rules (``Text`` is stripped,
never empty and free of control characters; ``Name`` is never a path; a ``NonEmpty`` list has an
item …). Every record rejects unknown keys, every enumeration is a closed set, and
:func:`assemble` finds what a single record cannot see (references between files, milestone
order). Problems carry a ``loc`` path (``("tasks", 4, "units", 1)``) that the loader turns into
``file:line``.

The records are plain classes, not pydantic models: every command reads the catalog (mostly from
:mod:`pingtai.catalog_cache`), and defining the catalog as pydantic models, with pydantic itself, took
≈ 0.12 s of each command's start; these classes take a few milliseconds. Only validating YAML
imports pydantic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, dataclass_transform

from pingtai import frozen
from pingtai.agencies import AgencyIndex, normalize_name
from pingtai.areas import AreaIndex
from pingtai.periods import Period, cached_attribute
from pingtai.units import UNITS

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import CoreSchema

SCHEMA_VERSIONS = (1,)

# Field types. To the type checker they are the plain types below; validating YAML gives each its
# rule (pingtai.schema defines a checked type under every one of these names).
Text = str
"""Stripped of surrounding blanks, never empty, no control characters (tab and line breaks aside)."""
Note = str
"""Free text, possibly empty; no control characters."""
Name = str
"""A unit's, group's, area's or indicator's name: ``Text`` that is never a path (names become file
names: ``report --all -o DIR`` writes ``DIR/<单位>.html``) and carries no control or format characters."""
Ident = str
"""An identifier: lower-case letters, digits and underscores, starting with a letter."""
AreaCode = str
"""A GB/T 2260 division code, six digits (YAML may read it as a number)."""
Fraction = float
"""A fraction from 0 to 1."""
Days = int
"""A number of days from 0 to 366."""
TaskNumber = int
"""A task's number, from 1."""
PhrasingTemplate = str
"""A bulletin phrasing (see :class:`IndicatorPhrasing`)."""
AreasOrAll = Literal["all"] | list[str]
"""``all`` or a list of area names."""
NonEmpty = list
"""A list with at least one item."""

AgencyKind = Literal["government", "department", "district", "office", "enterprise", "central", "organization"]
IndicatorKind = Literal["stock", "flow", "cumulative"]
Direction = Literal["increase", "decrease"]
Comparator = Literal[">=", ">", "~", "range", "="]
Frequency = Literal["monthly", "quarterly", "half_yearly", "annual"]
Interpolation = Literal["linear", "geometric"]
AreaKind = Literal["city", "district", "county_city", "county", "zone"]

COMPARATOR_LABELS = {">=": "以上", ">": "超过", "~": "左右", "range": "区间", "=": "达到"}
KIND_LABELS = {"stock": "存量", "flow": "流量（年内累计）", "cumulative": "累计"}
DIRECTION_LABELS = {"increase": "越大越好", "decrease": "越小越好"}
AREA_KIND_LABELS = {"city": "设区市", "district": "市辖区", "county_city": "县级市", "county": "县", "zone": "功能区"}
AGENCY_KIND_LABELS = {"government": "市政府", "department": "市级部门", "district": "区、县（市）政府",
                      "office": "领导小组办公室", "enterprise": "企业", "central": "垂直管理单位", "organization": "群团组织"}
"""How ``agencies.yaml``'s kinds read to the office (the file's own section headings)."""
COUNTY_LEVEL = ("district", "county_city", "county")
"""Kinds of area whose figures add up to the city's (a functional zone lies inside them)."""
PHRASING_SLOTS = ("时期", "指标", "数值")
"""The placeholders a plan's own phrasing of a bulletin sentence may use; ``{数值}`` is required once."""

@dataclass_transform(kw_only_default=True, frozen_default=True)
class Record(frozen.Record):
    """Base of every catalog record: a :class:`pingtai.frozen.Record` whose fields go by name.

    A list default is copied for each record. :meth:`check` holds a record's own rules beyond its
    fields' types; validation calls it.
    """

    __slots__ = ()

    def check(self) -> None:
        """Raise ``ValueError`` (a Chinese message) where the fields together break a rule."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        # imported here: only validating YAML asks for it (pingtai.schema imports pydantic)
        from pingtai.schema import record_schema

        return record_schema(cls, handler)


class Revision(Record):
    """When and why a data file was last changed (amendments to a plan get a new revision)."""

    date: dt.date
    note: Text


# --- agencies --------------------------------------------------------------------------------


class Agency(Record):
    """A responsible unit (单位) under its canonical short name, as the documents write it."""

    name: Name
    full_name: Name
    kind: AgencyKind
    aliases: list[Name] = []
    sources: NonEmpty[Text]
    note: Note = ""


class AgencyGroup(Record):
    """A collective name used in a task's 责任单位 (``各区、县（市）政府``) and the units it covers.

    ``complete`` is false where the documents do not list the members: the group then stands for
    the named units only, and the note says so (members are never invented).
    """

    name: Name
    members: NonEmpty[Text]
    complete: bool = True
    sources: NonEmpty[Text]
    note: Note = ""


class AgencyRegistry(Record):
    """``data/agencies.yaml``."""

    schema_version: int
    revision: Revision
    agencies: NonEmpty[Agency]
    groups: list[AgencyGroup] = []


# --- areas -----------------------------------------------------------------------------------


class Area(Record):
    """An area figures are reported for: the city, a county-level area, or a functional zone.

    County-level areas (``district`` 市辖区, ``county_city`` 县级市, ``county`` 县) carry their
    GB/T 2260 code and add up to the city; a ``zone`` (功能区, 滨海新区) lies inside them, so its
    figures are shown but never summed. ``agency`` is the area's government (or a zone's
    管委会) in ``agencies.yaml``.
    """

    name: Name
    code: AreaCode | None = None
    kind: AreaKind
    agency: Text | None = None
    aliases: list[Name] = []
    sources: NonEmpty[Text]
    note: str = ""

    def check(self) -> None:
        if self.kind != "zone" and (self.code is None or self.agency is None):
            raise ValueError(f"{self.name}：设区市和区、县（市）需要区划代码 code 和政府单位 agency")

    @property
    def summed(self) -> bool:
        """Whether the area's figures add up to the city's (county-level areas; not the city, not zones)."""
        return self.kind in COUNTY_LEVEL


class AreaRegistry(Record):
    """``data/areas.yaml``: the city (exactly one ``kind: city``) and the areas within it."""

    schema_version: int
    revision: Revision
    areas: NonEmpty[Area]

    @property
    def city(self) -> Area | None:
        return next((a for a in self.areas if a.kind == "city"), None)


# --- plans -----------------------------------------------------------------------------------


class Document(Record):
    """Facts of the issuing document (文号, title, issuer, dates)."""

    number: Text
    title: Text
    notice_title: Text
    issuer: Text
    issued: dt.date
    printed: dt.date
    in_force: dt.date | None = None
    public: bool = True


class Horizon(Record):
    """The plan's span: from ``start`` to the final deadline ``end`` (a period, usually a year)."""

    start: Period
    end: Period
    note: Note = ""


class Responsibility(Record):
    """How to read a 责任单位 list: ``first_listed`` — the first unit leads, the others co-operate."""

    rule: Literal["first_listed"]
    text: Text
    source: Text


class Value(Record):
    """A baseline: an actual value at a period."""

    period: Period
    value: float
    source: Text


class Target(Record):
    """A target value for a period with its comparator.

    ``range`` uses ``low``–``high``; ``~`` (左右) is met within ``band`` (a fraction, default 10 %)
    of ``value``. ``first`` marks a recurring target (每年 8 项以上): it applies to every year from
    ``first`` to ``period``, each judged on its own.
    """

    period: Period
    comparator: Comparator
    value: float | None = None
    low: float | None = None
    high: float | None = None
    band: Fraction | None = None
    first: Period | None = None
    text: Text
    source: Text

    def check(self) -> None:
        if self.comparator == "range":
            if self.low is None or self.high is None or self.value is not None:
                raise ValueError("区间目标（range）需要 low 和 high，不用 value")
            if self.low > self.high:
                raise ValueError(f"区间下限 {self.low} 大于上限 {self.high}")
        elif self.value is None or self.low is not None or self.high is not None:
            raise ValueError(f"比较符 '{self.comparator}' 需要 value，不用 low/high")
        if self.band is not None and self.comparator != "~":
            raise ValueError("band 只用于“左右”（~）目标")
        if self.first is not None and (self.first.kind != "Y" or self.period.kind != "Y"):
            raise ValueError("每年目标的 first 与 period 都应为年份")
        if self.first is not None and self.first > self.period:
            raise ValueError(f"每年目标的起始年 {self.first} 晚于 {self.period}")

    @property
    def recurring(self) -> bool:
        return self.first is not None

    def path_value(self, direction: str) -> float:
        """The value a trajectory aims at: the target's value, or a range's first satisfying bound
        (``low`` for an indicator that should increase, ``high`` for one that should decrease)."""
        if self.comparator == "range":
            bound = self.low if direction == "increase" else self.high
            assert bound is not None  # check(): a range has both bounds
            return bound
        assert self.value is not None  # check(): every other comparator has a value
        return self.value

    def years(self) -> list[Period]:
        """Every period this target applies to (one, or each year of a recurring target)."""
        if self.first is None:
            return [self.period]
        return [Period(year) for year in range(self.first.year, self.period.year + 1)]


class ByArea(Record):
    """How an indicator is reported by area: for which areas, and whether area figures add up.

    ``areas`` is ``all`` (every area of ``areas.yaml`` but the city) or a list of area names;
    ``additive`` says whether the county-level figures sum to the city's — true for amounts and
    counts, never for ratios and percentages. Always written out, never assumed.
    """

    areas: AreasOrAll
    additive: bool
    source: Text
    note: str = ""


class AreaTargets(Record):
    """One plan's targets for one area of an indicator reported by area (an office's split of a city target)."""

    area: Text
    targets: NonEmpty[Target]


class IndicatorEntry(Record):
    """One indicator as a plan file lists it.

    Either a full definition (``id``, ``name``, ``unit``, ``kind``, ``direction`` …) or ``ref`` to an
    indicator defined in another plan — one real quantity has one definition — plus this plan's own
    baseline, targets, task link and tolerance.
    """

    id: Ident | None = None
    ref: Ident | None = None
    name: Name | None = None
    unit: Text | None = None
    kind: IndicatorKind | None = None
    direction: Direction | None = None
    frequency: Frequency | None = None
    interpolation: Interpolation = "linear"
    aliases: list[Name] = []
    owner: Text | None = None
    note: Note = ""
    by_area: ByArea | None = None
    # plan-specific
    task: int | None = None
    baseline: Value | None = None
    targets: NonEmpty[Target]
    area_targets: list[AreaTargets] = []
    tolerance: Fraction | None = None
    source: Text

    def check(self) -> None:
        defining = {"id": self.id, "name": self.name, "unit": self.unit, "kind": self.kind,
                    "direction": self.direction, "frequency": self.frequency}
        if self.ref is not None:
            given = [key for key, value in defining.items() if value is not None]
            if given or self.aliases or self.note or self.owner or self.by_area:
                raise ValueError(f"引用（ref）的指标不能再定义 {', '.join(given) or 'aliases/owner/note/by_area'}：定义只写在一处")
        else:
            missing = [key for key, value in defining.items() if value is None]
            if missing:
                raise ValueError(f"指标定义缺少字段：{', '.join(missing)}（或用 ref 引用已定义的指标）")
            if self.unit not in UNITS:
                raise ValueError(f"未知单位 '{self.unit}'（可用：亿元、万元、元、个、家、万家、项、件、次、台、组、% 等）")
            if self.by_area is not None and self.by_area.additive and self.unit == "%":
                raise ValueError("百分比（比率）指标的各地区数值不能相加：by_area.additive 应为 false")

    @property
    def indicator_id(self) -> str:
        ident = self.ref or self.id
        assert ident is not None  # guaranteed by check()
        return ident


class Action(Record):
    """An action group (（一）…（五）) with its title."""

    key: Text
    title: Text
    source: Text


class Goal(Record):
    """A stated goal; quantitative goals point at the indicators that measure them."""

    id: Ident
    code: Note = ""
    summary: Text
    indicators: list[Ident] = []
    items: list[Text] = []
    source: Text


class Deliverable(Record):
    """A qualitative deliverable: something to be done or set up, optionally by a date."""

    id: Ident
    title: Text
    units: list[Text] = []
    due: Period | None = None
    source: Text


class Task(Record):
    """A numbered task (任务) with its responsible units in document order — the first leads."""

    number: TaskNumber
    action: Text
    title: Text
    units: NonEmpty[Text]
    deliverables: list[Deliverable] = []
    source: Text

    @property
    def lead(self) -> str:
        return self.units[0]

    @property
    def co_units(self) -> list[str]:
        return self.units[1:]


class Person(Record):
    """A named member of a leading group and the unit the document puts beside the name."""

    name: Text
    unit: Text | None = None


class Office(Record):
    unit: Text
    director: Text | None = None
    source: Text


class LeadingGroup(Record):
    """The leading group (领导小组) a plan sets up and its office."""

    name: Text
    leader: Person
    deputies: list[Person] = []
    members: list[Person] = []
    office: Office
    source: Text


class IndicatorSchedule(Record):
    """The calendar for one indicator where it differs from the plan's (annual figures due later).

    Unset fields keep the plan's value. ``frequency`` makes the indicator owed less often (the
    coarser of it and the indicator's own frequency counts).
    """

    indicator: Ident
    frequency: Frequency | None = None
    due_days: Days | None = None
    grace_days: Days | None = None
    note: Note = ""


class AgencySchedule(Record):
    """The calendar for one agency's returns where it differs from the plan's (unset fields keep it)."""

    agency: Text
    frequency: Frequency | None = None
    due_days: Days | None = None
    grace_days: Days | None = None
    note: Note = ""


class Schedule(Record):
    """When returns are owed for a plan — the office's own rule, not the documents'.

    Neither document fixes a reporting calendar, so each plan file states one: returns are owed
    for every ``frequency`` period from ``first`` to the plan's horizon end, due ``due_days`` after
    the period ends; a return counts as missing once ``grace_days`` more have passed.
    ``agencies`` lists the units owing returns; empty means the default (the leads of the plan's
    tasks that are single agencies, and the owners of its indicators) — see :mod:`pingtai.schedule`.
    ``by_indicator`` and ``by_agency`` override the calendar for one indicator or one agency.
    ``escalate_days``: a missing return or an overdue deliverable is a warning for this many days,
    then an error. ``office`` follows up what no single agency answers for (``pingtai check``).
    """

    frequency: Frequency = "quarterly"
    due_days: Days = 20
    grace_days: Days = 0
    first: Period | None = None
    agencies: list[Text] = []
    by_indicator: list[IndicatorSchedule] = []
    by_agency: list[AgencySchedule] = []
    escalate_days: Days = 14
    office: Text | None = None
    note: Note = ""


class IndicatorPhrasing(Record):
    """A plan's own wording of the opening clause of one indicator's sentence in the bulletin.

    ``lead`` is a template such as ``{时期}，全市实现{指标}{数值}``: ``{时期}`` becomes the span
    (``1—9月``, ``截至9月末``), ``{指标}`` the indicator's name, ``{数值}`` the figure with its unit.
    The clauses that follow (同比, 完成, 时序进度) keep the bulletin's own wording.
    """

    indicator: Ident
    lead: PhrasingTemplate
    note: str = ""


class BulletinStyle(Record):
    """How the quarterly bulletin (``pingtai bulletin``) speaks of this plan; every key optional.

    ``topic`` names the work in the title (关于2024年第三季度全市{topic}工作推进情况的通报);
    ``phrasing`` gives indicators their own opening clause (see :class:`IndicatorPhrasing`).
    """

    topic: Text | None = None
    phrasing: list[IndicatorPhrasing] = []
    note: str = ""


class PlanFile(Record):
    """One plan YAML file (``data/plan_2023_38.yaml``, ``data/zone_2023_5.yaml``)."""

    schema_version: int
    id: Ident
    short_name: Text
    document: Document
    revision: Revision
    horizon: Horizon
    responsibility: Responsibility
    tolerance: Fraction = 0.05
    goals: list[Goal] = []
    actions: NonEmpty[Action]
    indicators: list[IndicatorEntry] = []
    tasks: NonEmpty[Task]
    measures: list[Deliverable] = []
    leading_group: LeadingGroup | None = None
    schedule: Schedule = Schedule()
    bulletin: BulletinStyle | None = None


# --- the assembled catalog -------------------------------------------------------------------


class Indicator(frozen.Record):
    """An indicator's definition, shared by every plan that sets targets for it."""

    id: str
    name: str
    unit: str
    kind: str
    direction: str
    frequency: str
    interpolation: str
    aliases: tuple[str, ...]
    note: str
    defined_in: str
    owner: str | None = None
    """The unit whose figures count for the city: ``owner`` in YAML, else the lead of the linked task."""
    by_area: ByArea | None = None
    areas: tuple[str, ...] = ()
    """The areas it is reported for (``by_area.areas`` with ``all`` spelled out); empty: the city only."""


class PlanIndicator(frozen.Record):
    """An indicator as one plan sees it: the shared definition plus this plan's targets."""

    plan: str
    indicator: Indicator
    task: int | None
    baseline: Value | None
    targets: tuple[Target, ...]
    tolerance: float
    source: str
    area_targets: tuple[AreaTargets, ...] = ()

    @property
    def id(self) -> str:
        return self.indicator.id

    @cached_attribute
    def final_target(self) -> Target:
        """The target with the latest period. Cached: the engine asks for it a dozen times per judgement."""
        return max(self.targets, key=lambda t: t.period)


class Plan(frozen.Record):
    """A validated plan: its file model, where it came from, and its indicators resolved."""

    spec: PlanFile
    path: str
    indicators: tuple[PlanIndicator, ...]

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def tasks(self) -> list[Task]:
        return self.spec.tasks

    def task(self, number: int) -> Task | None:
        return next((t for t in self.spec.tasks if t.number == number), None)


class Catalog(frozen.Record):
    """Everything the YAML says: agencies and groups, indicator definitions, plans in file order."""

    agencies: AgencyRegistry
    agencies_path: str
    plans: tuple[Plan, ...]
    indicators: dict[str, Indicator]
    areas: AreaRegistry | None = None
    """``areas.yaml``; ``None`` for a data directory without one (no area is known)."""
    areas_path: str = ""

    def plan(self, plan_id: str) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    def plan_indicators(self) -> Iterator[PlanIndicator]:
        for plan in self.plans:
            yield from plan.indicators


Loc = tuple[str | int, ...]


class CrossProblem(frozen.Record):
    """A problem :func:`assemble` found: which file (``agencies``, ``areas`` or a plan id) and where in it."""

    file: str
    loc: Loc
    message: str
    code: str


def assemble(registry: AgencyRegistry, plan_files: list[tuple[str, PlanFile]],
             areas: AreaRegistry | None = None) -> tuple[Catalog, list[CrossProblem]]:
    """Join the validated files into a :class:`Catalog` and check every cross-reference.

    ``plan_files`` pairs each plan with its path; ``areas`` is ``areas.yaml`` (``None``: no area
    is known, and an indicator reported by area is an error). Returns the catalog (usable for
    browsing even when problems were found) and the problems, each located by file and ``loc`` path.
    """
    problems: list[CrossProblem] = []
    index = AgencyIndex(registry)
    problems += _check_registry(registry, index)
    area_index = AreaIndex(areas)
    if areas is not None:
        problems += _check_areas(areas, index)

    definitions: dict[str, Indicator] = {}
    for _, spec in plan_files:
        for i, entry in enumerate(spec.indicators):
            if entry.id is None:
                continue
            if entry.id in definitions:
                first = definitions[entry.id].defined_in
                if first != spec.id:  # a repeat inside one plan is reported by _check_plan
                    problems.append(CrossProblem(spec.id, ("indicators", i, "id"),
                                                 f"指标 id '{entry.id}' 已在 {first} 定义（另一计划请用 ref 引用）",
                                                 "duplicate-id"))
                continue
            assert entry.name and entry.unit and entry.kind and entry.direction and entry.frequency
            task = next((t for t in spec.tasks if t.number == entry.task), None)
            owner = entry.owner or (task.lead if task and task.lead in index.agencies else None)
            definitions[entry.id] = Indicator(
                id=entry.id, name=entry.name, unit=entry.unit, kind=entry.kind, direction=entry.direction,
                frequency=entry.frequency, interpolation=entry.interpolation, aliases=tuple(entry.aliases),
                note=entry.note, defined_in=spec.id, owner=owner, by_area=entry.by_area,
                areas=_reported_areas(entry.by_area, area_index),
            )

    plans: list[Plan] = []
    seen_plans: set[str] = set()
    for path, spec in plan_files:
        if spec.id in seen_plans:
            problems.append(CrossProblem(spec.id, ("id",), f"计划 id '{spec.id}' 重复", "duplicate-id"))
        seen_plans.add(spec.id)
        problems += _check_plan(spec, index, definitions)
        problems += _check_plan_areas(spec, area_index, definitions)
        resolved = tuple(
            PlanIndicator(plan=spec.id, indicator=definitions[e.indicator_id], task=e.task, baseline=e.baseline,
                          targets=tuple(sorted(e.targets, key=lambda t: t.period)),
                          tolerance=e.tolerance if e.tolerance is not None else spec.tolerance, source=e.source,
                          area_targets=tuple(e.area_targets))
            for e in spec.indicators if e.indicator_id in definitions
        )
        plans.append(Plan(spec=spec, path=path, indicators=resolved))
    return Catalog(agencies=registry, agencies_path="", plans=tuple(plans), indicators=definitions,
                   areas=areas), problems


def _reported_areas(by_area: ByArea | None, index: AreaIndex) -> tuple[str, ...]:
    """The canonical names of the areas ``by_area`` names (``all``: every area but the city)."""
    if by_area is None:
        return ()
    if by_area.areas == "all":
        return tuple(name for name, area in index.areas.items() if area.kind != "city")
    found = (index.find(name) for name in by_area.areas)
    return tuple(dict.fromkeys(area.name for area in found if area is not None and area.kind != "city"))


def _unit_problem(index: AgencyIndex, name: str, file: str, loc: Loc) -> CrossProblem | None:
    found = index.find(name)
    if found is None:
        hint = index.suggest(name)
        more = f" — 是否指 {'、'.join(hint)}？" if hint else "（请先在 agencies.yaml 中登记该单位）"
        return CrossProblem(file, loc, f"未知单位 '{name}'{more}", "unknown-agency")
    if found.name != name:
        return CrossProblem(file, loc, f"单位请写规范名 '{found.name}'（'{name}' 是它的别名）", "alias-not-canonical")
    return None


def _check_registry(registry: AgencyRegistry, index: AgencyIndex) -> list[CrossProblem]:
    problems: list[CrossProblem] = []
    owner: dict[str, str] = {}
    for i, agency in enumerate(registry.agencies):
        for j, spelling in enumerate((agency.name, agency.full_name, *agency.aliases)):
            key = normalize_name(spelling)
            if key in owner and owner[key] != agency.name:
                loc: Loc = ("agencies", i, "name" if j == 0 else "full_name" if j == 1 else "aliases")
                if j >= 2:
                    loc = (*loc, j - 2)
                problems.append(CrossProblem("agencies", loc, f"名称 '{spelling}' 已属于 {owner[key]}", "duplicate-name"))
            owner.setdefault(key, agency.name)
    for i, group in enumerate(registry.groups):
        if normalize_name(group.name) in owner:
            problems.append(CrossProblem("agencies", ("groups", i, "name"), f"组名 '{group.name}' 与单位重名", "duplicate-name"))
        for j, member in enumerate(group.members):
            if member not in index.agencies:
                problem = _unit_problem(index, member, "agencies", ("groups", i, "members", j))
                if problem:
                    problems.append(problem)
    return problems


def _check_plan(spec: PlanFile, index: AgencyIndex, definitions: dict[str, Indicator]) -> list[CrossProblem]:
    problems: list[CrossProblem] = []

    def add(loc: Loc, message: str, code: str) -> None:
        problems.append(CrossProblem(spec.id, loc, message, code))

    def unit(name: str, loc: Loc) -> None:
        problem = _unit_problem(index, name, spec.id, loc)
        if problem:
            problems.append(problem)

    if spec.horizon.start > spec.horizon.end:
        add(("horizon", "end"), f"计划期末 {spec.horizon.end} 早于期初 {spec.horizon.start}", "bad-order")
    actions = {a.key for a in spec.actions}
    numbers: set[int] = set()
    for i, task in enumerate(spec.tasks):
        if task.number in numbers:
            add(("tasks", i, "number"), f"任务编号 {task.number} 重复", "duplicate-id")
        numbers.add(task.number)
        if task.action not in actions:
            add(("tasks", i, "action"), f"未知行动 '{task.action}'（可用：{'、'.join(sorted(actions))}）", "unknown-action")
        for j, name in enumerate(task.units):
            unit(name, ("tasks", i, "units", j))
        if len(set(task.units)) != len(task.units):
            add(("tasks", i, "units"), "责任单位重复", "duplicate-id")
        for k, deliverable in enumerate(task.deliverables):
            for j, name in enumerate(deliverable.units):
                unit(name, ("tasks", i, "deliverables", k, "units", j))

    seen: set[str] = set()
    for i, entry in enumerate(spec.indicators):
        ident = entry.indicator_id
        if ident in seen:
            add(("indicators", i, "ref" if entry.ref else "id"), f"指标 '{ident}' 在本计划中重复", "duplicate-id")
        seen.add(ident)
        if entry.ref is not None:
            definition = definitions.get(entry.ref)
            if definition is None:
                add(("indicators", i, "ref"), f"引用了未定义的指标 '{entry.ref}'", "unknown-indicator")
            elif definition.defined_in == spec.id:
                add(("indicators", i, "ref"), f"指标 '{entry.ref}' 定义在本计划中，不必引用", "invalid")
        if entry.owner is not None:
            unit(entry.owner, ("indicators", i, "owner"))
        if entry.task is not None and entry.task not in numbers:
            add(("indicators", i, "task"), f"指标关联的任务 {entry.task} 不存在", "unknown-task")
        problems += _target_order(spec, entry.targets, ("indicators", i, "targets"))
        periods = [t.period for t in entry.targets]
        if entry.baseline is not None and periods and entry.baseline.period >= min(periods):
            add(("indicators", i, "baseline", "period"),
                f"基期 {entry.baseline.period} 应早于第一个目标期 {min(periods)}", "bad-order")
    for i, goal in enumerate(spec.goals):
        for j, ident in enumerate(goal.indicators):
            if ident not in seen:
                add(("goals", i, "indicators", j), f"目标引用了本计划未列出的指标 '{ident}'", "unknown-indicator")
    for i, measure in enumerate(spec.measures):
        for j, name in enumerate(measure.units):
            unit(name, ("measures", i, "units", j))
    for i, name in enumerate(spec.schedule.agencies):
        unit(name, ("schedule", "agencies", i))
    problems += _check_schedule(spec, seen, unit)
    if spec.bulletin is not None:
        problems += _check_bulletin(spec, spec.bulletin, seen)
    if spec.schedule.first is not None and spec.schedule.first > spec.horizon.end:
        add(("schedule", "first"), f"首个报送期 {spec.schedule.first} 晚于计划期末 {spec.horizon.end}", "bad-order")
    group = spec.leading_group
    if group is not None:
        people = [("leader",), *[("deputies", k) for k in range(len(group.deputies))],
                  *[("members", k) for k in range(len(group.members))]]
        persons = [group.leader, *group.deputies, *group.members]
        for loc, person in zip(people, persons, strict=True):
            if person.unit is not None:
                unit(person.unit, ("leading_group", *loc, "unit"))
        unit(group.office.unit, ("leading_group", "office", "unit"))
    return problems


def _target_order(spec: PlanFile, targets: Sequence[Target], loc: Loc) -> list[CrossProblem]:
    """Targets in ascending periods, none after the plan's horizon."""
    problems: list[CrossProblem] = []
    for j in range(1, len(targets)):
        if targets[j].period <= targets[j - 1].period:
            problems.append(CrossProblem(spec.id, (*loc, j, "period"),
                                         f"目标期别应递增：{targets[j].period} 不晚于 {targets[j - 1].period}", "bad-order"))
    for j, target in enumerate(targets):
        if target.period > spec.horizon.end:
            problems.append(CrossProblem(spec.id, (*loc, j, "period"),
                                         f"目标期 {target.period} 超出计划期 {spec.horizon.end}", "bad-order"))
    return problems


def _check_areas(areas: AreaRegistry, agencies: AgencyIndex) -> list[CrossProblem]:
    """One city; codes unique and under the city's; spellings unique; governments registered."""
    problems: list[CrossProblem] = []

    def add(loc: Loc, message: str, code: str) -> None:
        problems.append(CrossProblem("areas", loc, message, code))

    cities = [i for i, area in enumerate(areas.areas) if area.kind == "city"]
    if len(cities) != 1:
        add(("areas", cities[1]) if cities else ("areas",),
            f"应有且只有一个设区市（kind: city），现有 {len(cities)} 个", "invalid")
    city = areas.areas[cities[0]] if cities else None
    if city is not None and city.code is not None and not city.code.endswith("00"):
        add(("areas", cities[0], "code"), f"设区市的区划代码应以 00 结尾：{city.code}", "invalid")
    # a code is a spelling too (returns may name an area by it): names, aliases and codes share one space
    owners: dict[str, str] = {}
    for i, area in enumerate(areas.areas):
        if area.code is None:
            continue
        if area.code in owners:
            add(("areas", i, "code"), f"区划代码 {area.code} 已属于 {owners[area.code]}", "duplicate-id")
        owners.setdefault(area.code, area.name)
        if area.summed and city is not None and city.code is not None and area.code[:4] != city.code[:4]:
            add(("areas", i, "code"), f"区划代码 {area.code} 不在 {city.name}（{city.code[:4]}xx）之下", "invalid")
    for i, area in enumerate(areas.areas):
        for j, spelling in enumerate((area.name, *area.aliases)):
            key = normalize_name(spelling)
            if owners.get(key, area.name) != area.name:
                add(("areas", i, "name") if j == 0 else ("areas", i, "aliases", j - 1),
                    f"名称 '{spelling}' 已属于 {owners[key]}", "duplicate-name")
            owners.setdefault(key, area.name)
        if area.agency is not None:
            found = agencies.find(area.agency)
            if found is not None and found.is_group:
                add(("areas", i, "agency"), f"'{area.agency}' 是单位组：agency 应为该地区的政府（单个单位）", "invalid")
            elif problem := _unit_problem(agencies, area.agency, "areas", ("areas", i, "agency")):
                problems.append(problem)
    return problems


def _check_plan_areas(spec: PlanFile, areas: AreaIndex, definitions: dict[str, Indicator]) -> list[CrossProblem]:
    """``by_area`` names known areas (canonically, each once); area targets only for indicators
    reported in that area, each area once, in period order within the horizon."""
    problems: list[CrossProblem] = []

    def add(loc: Loc, message: str, code: str) -> None:
        problems.append(CrossProblem(spec.id, loc, message, code))

    def area_problem(name: str, loc: Loc) -> bool:
        found = areas.find(name)
        if found is None:
            hint = areas.suggest(name)
            more = f" — 是否指 {'、'.join(hint)}？" if hint else "（请先在 areas.yaml 中登记该地区）"
            add(loc, f"未知地区 '{name}'{more}", "unknown-area")
        elif found.name != name:
            add(loc, f"地区请写规范名 '{found.name}'（'{name}' 是它的别名或代码）", "alias-not-canonical")
        elif found.kind == "city":
            add(loc, f"'{name}' 是全市：按地区填报只列区、县（市）和功能区，全市数总是可以填报", "invalid")
        else:
            return False
        return True

    for i, entry in enumerate(spec.indicators):
        if entry.by_area is not None:
            if areas.registry is None:
                add(("indicators", i, "by_area"), "按地区填报需要地区名录 areas.yaml（与 agencies.yaml 同目录）",
                    "unknown-area")
            elif entry.by_area.areas != "all":
                for j, name in enumerate(entry.by_area.areas):
                    loc: Loc = ("indicators", i, "by_area", "areas", j)
                    if not area_problem(name, loc) and name in entry.by_area.areas[:j]:
                        add(loc, f"地区 '{name}' 重复", "duplicate-id")
        definition = definitions.get(entry.indicator_id)
        seen: set[str] = set()
        for j, split in enumerate(entry.area_targets):
            loc = ("indicators", i, "area_targets", j, "area")
            if definition is not None and not definition.areas:
                add(loc, f"指标 '{entry.indicator_id}' 未设为按地区填报（by_area），不能设地区目标", "invalid")
            elif not area_problem(split.area, loc):
                if definition is not None and split.area not in definition.areas:
                    add(loc, f"指标 '{entry.indicator_id}' 不按 {split.area} 填报（见其 by_area.areas）", "invalid")
                elif split.area in seen:
                    add(loc, f"地区 '{split.area}' 的目标重复", "duplicate-id")
            seen.add(split.area)
            problems += _target_order(spec, split.targets, ("indicators", i, "area_targets", j, "targets"))
    return problems


def _check_schedule(spec: PlanFile, indicators: set[str], unit: Callable[[str, Loc], None]) -> list[CrossProblem]:
    """Overrides name indicators of this plan and registered agencies, each at most once."""
    schedule = spec.schedule
    problems = _indicators_once(spec, [r.indicator for r in schedule.by_indicator], ("schedule", "by_indicator"),
                                "报送安排", indicators)
    names: set[str] = set()
    for i, agency_rule in enumerate(schedule.by_agency):
        loc = ("schedule", "by_agency", i, "agency")
        unit(agency_rule.agency, loc)
        if agency_rule.agency in names:
            problems.append(CrossProblem(spec.id, loc, f"单位 '{agency_rule.agency}' 的报送安排重复", "duplicate-id"))
        names.add(agency_rule.agency)
    if schedule.office is not None:
        unit(schedule.office, ("schedule", "office"))
    return problems


def _check_bulletin(spec: PlanFile, style: BulletinStyle, indicators: set[str]) -> list[CrossProblem]:
    """A bulletin phrasing names an indicator of this plan, each at most once."""
    return _indicators_once(spec, [p.indicator for p in style.phrasing], ("bulletin", "phrasing"), "通报措辞",
                            indicators)


def _indicators_once(spec: PlanFile, idents: Sequence[str], where: Loc, what: str,
                     indicators: set[str]) -> list[CrossProblem]:
    """Entries at ``where`` (``what`` in the message) name indicators this plan lists, each at most once."""
    problems: list[CrossProblem] = []
    seen: set[str] = set()
    for i, ident in enumerate(idents):
        loc: Loc = (*where, i, "indicator")
        if ident not in indicators:
            problems.append(CrossProblem(spec.id, loc, f"{what}引用了本计划未列出的指标 '{ident}'", "unknown-indicator"))
        elif ident in seen:
            problems.append(CrossProblem(spec.id, loc, f"指标 '{ident}' 的{what}重复", "duplicate-id"))
        seen.add(ident)
    return problems
