"""Agency reports and the league table: data objects, not text.

:func:`build_agency_report` gathers, for one responsible unit on ``as_of``, what the office sends
it after each quarter: the tasks it leads and co-operates on in both plans (also through a group:
a district government sees the tasks of ``各区、县（市）政府``), each with its latest reported state
and its quantitative targets judged; the indicators tied to its tasks with actual, expected,
status and the points of a chart of actual against the trajectory; its returns — received (on
time or late), outstanding, next due —; its people in the 5号 leading group; and, for an area's
government, its area's figures with their growth, share and rank among the areas
(:mod:`pingtai.by_area`).
:func:`build_league` ranks the units by returns on time, tasks on track and indicators on track.

Nothing is judged here that :mod:`pingtai.assess` (indicator and task states, via
:func:`~pingtai.assess.build_status`), :mod:`pingtai.progress` and :mod:`pingtai.schedule` (due
dates, grace days, outstanding returns) already judge; this module selects, joins and counts.
The renderers in :mod:`pingtai.render` turn the objects into text, Markdown, HTML and xlsx;
``--json`` prints them serialised as they are.

Rules of this module:

- **Lead or co-operating**: a unit leads a task when the task's first unit is the unit or a group
  it belongs to (``via`` names the group); otherwise it co-operates when any other unit covers it.
- **A return is on time** when the office received it no later than its due date plus the
  calendar's grace days; a period owed under both plans takes the earlier due date. *Received* is
  the receipt day of the first batch that brought the return (``import --received``, else the date
  the return carries, else its import day in Beijing time); a back-fill (``import --backfill``) is
  ``backfill`` (补录): neither on time nor late, and not counted in the on-time rate. Returns
  received for periods the calendar does not ask are listed as ``unscheduled``. As on the
  dashboard, returns for periods ending after ``as_of`` are left out (a receipt is judged by its
  own day, even one after a back-dated ``as_of``). A missing return that a later return of the
  same year made moot (``covered_by``) is no longer chased but still counts as missed. The
  **next due** return is the first calendar period not yet received whose return is not yet missing.
- **League**: the three rates are on-time returns ÷ returns due (back-fills left out), tasks led
  that are 已完成 or 推进中 ÷ tasks led, indicators owned that are 已达成 or 正常 ÷ indicators owned
  (without those that have no baseline to judge against). Tasks and indicators of a plan that has
  ended (its last return past due) leave the task and indicator counts and rates; the report
  still lists them with their final states. A rate with nothing to count is left out; the score is
  the mean of the rates a unit has, × 100. Units are ranked by score (or by one rate with ``by``);
  equal values share a rank (1, 2, 2, 4); a unit with nothing to rank on is listed unranked.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pingtai.agencies import AgencyIndex
from pingtai.assess import (
    IndicatorStatus,
    PathRow,
    PlanSummary,
    StatusReport,
    StoredTaskLike,
    StoredValueLike,
    TaskStatus,
    build_status,
    path_rows,
)
from pingtai.by_area import AreaFigure, AreaTable, area_figures, area_tables_of
from pingtai.catalog import Agency, Catalog, Plan, PlanIndicator
from pingtai.errors import UsageError
from pingtai.frozen import Record, field_names
from pingtai.periods import CHINA_TZ, Period, office_day
from pingtai.progress import Observation, is_yearly_amount
from pingtai.schedule import (
    OutstandingReturn,
    PlanSchedule,
    Received,
    covering_return,
    outstanding_returns,
    plan_schedule,
    receipt_state,
    received_by,
    reporting_points,
)
from pingtai.series import AreaRule
from pingtai.views import agency_detail, plans_for

if TYPE_CHECKING:
    from pingtai.ledger import RejectedReturn

Role = Literal["lead", "co"]
ROLE_LABELS: dict[str, str] = {"lead": "牵头", "co": "配合"}
ReturnState = Literal["on_time", "late", "missing", "rejected", "due", "upcoming", "unscheduled", "backfill"]
RETURN_LABELS: dict[str, str] = {
    "on_time": "按时", "late": "逾期报送", "missing": "未报", "rejected": "退回", "due": "待报（未到期）", "upcoming": "下一期",
    "unscheduled": "非应报期", "backfill": "补录",
}
GROUP_ROLES: dict[str, str] = {"leader": "组长", "deputy": "副组长", "member": "成员", "director": "办公室主任"}
TASK_ON_TRACK = ("done", "in_progress")
INDICATOR_ON_TRACK = ("achieved", "on_track")
LeagueBy = Literal["score", "returns", "tasks", "indicators"]
LEAGUE_BY_LABELS: dict[str, str] = {
    "score": "综合得分", "returns": "按时报送率", "tasks": "任务正常率", "indicators": "指标正常率"}
LEAGUE_BY: tuple[str, ...] = tuple(LEAGUE_BY_LABELS)
LEAGUE_RULE = (
    "排名规则：按时报送率 = 按时报送的报表 ÷ 应报报表；任务正常率 = 牵头任务中“已完成”“推进中”的 ÷ 牵头任务；"
    "指标正常率 = 归口指标中“已达成”“正常”的 ÷ 归口指标（不含无基线的）。没有分母的比率不计；综合得分 = "
    "各单位已有比率的平均数 × 100。按综合得分（或 --by 指定的一项比率）从高到低排名，数值相同名次相同；"
    "三项均无可计的单位列于表末，不参与排名。"
)


# --- what the ledger hands over --------------------------------------------------------------


ReceivedLike = Received
"""A received return (``ledger.ReceivedReturn`` fits): see :class:`pingtai.schedule.Received`."""


class BatchLike(Protocol):
    """An imported file (``ledger.Batch`` fits): its id, file name, the date written on it and who filled
    it in (填报人, 联系电话) and checked it (审核人)."""

    @property
    def id(self) -> int: ...

    @property
    def file(self) -> str: ...

    @property
    def filled_on(self) -> dt.date | None: ...

    @property
    def reporter(self) -> str: ...

    @property
    def phone(self) -> str: ...

    @property
    def reviewer(self) -> str: ...


class LedgerSnapshot(Record):
    """What reports read from the ledger, read once (``--all`` builds many reports from one read).

    ``rejected``: the returns sent back and not yet resubmitted (they are not among ``received``)."""

    values: Sequence[StoredValueLike] = ()
    tasks: Sequence[StoredTaskLike] = ()
    received: Sequence[ReceivedLike] = ()
    batches: Sequence[BatchLike] = ()
    rejected: Sequence[RejectedReturn] = ()


# --- the report objects ----------------------------------------------------------------------


class TaskTarget(Record):
    """A quantitative target of a task (one of its indicators in the task's plan), judged."""

    id: str
    name: str
    unit: str
    target: str
    period: Period | None
    actual: float | None
    expected: float | None
    completion: float | None
    status: str
    label: str


class ReportTask(TaskStatus):
    """A task in an agency report: its dashboard state plus the agency's part in it.

    ``role`` is ``lead`` or ``co``; ``via`` the group through which the unit is responsible (else
    ``None``); ``targets`` the task's quantitative targets with their status in this plan.
    """

    short_name: str
    action_title: str
    role: Role
    via: str | None
    units: list[str]
    source: str
    deliverables: list[str]
    targets: list[TaskTarget]


@dataclass(frozen=True)
class ReportIndicator(IndicatorStatus):
    """An indicator row of the dashboard plus the agency's role and the points of its chart.

    ``chart`` holds expected (trajectory) against actual by period: every year from the first
    milestone to the last and every reported period; for amounts reported year-to-date (flows,
    yearly targets) only year ends, since a part-year figure is not comparable with a year's.
    """

    role: Role
    via: str | None
    chart: list[PathRow]


@dataclass(frozen=True)
class ReturnEntry:
    """One period of the agency's returns: when due, whether and when received, how it stands.

    ``received`` is the day the return counts as received, ``received_source`` where that day
    comes from (``option``, ``return``, ``import``), ``imported`` the day it was imported (Beijing
    time); ``backfill`` marks a back-fill; ``covered_by`` the later return that made a missing one
    moot (no longer chased, still missed). A return sent back (``rejected``, 退回) and not yet
    resubmitted counts as missed; ``rejected_at``, ``rejected_by`` and ``reason`` say when, by whom and
    why, ``batch`` and ``file`` name the return sent back.
    """

    period: Period
    due: dt.date | None
    state: ReturnState
    label: str
    received: dt.date | None
    days_late: int | None
    file: str
    filled_on: dt.date | None
    batch: int | None
    plans: list[str]
    received_source: str | None = None
    imported: dt.date | None = None
    backfill: bool = False
    covered_by: Period | None = None
    rejected_at: dt.datetime | None = None
    rejected_by: str = ""
    reason: str = ""
    reporter: str = ""
    """填报人 the return names (its phone ``phone``, its checker ``reviewer``: 审核人); ``''``: not given."""
    phone: str = ""
    reviewer: str = ""


class ReturnCounts(Record):
    """Returns due on ``as_of`` (by the calendar) and how they came in; ``rate`` = on time ÷ due.

    ``due`` counts on time + late + missing; back-fills (``backfill``) are counted apart. ``rejected``
    counts the missing ones that were sent back (退回) and not yet resubmitted (they are among ``missing``).
    """

    due: int
    on_time: int
    late: int
    missing: int
    rate: float | None
    backfill: int = 0
    rejected: int = 0


class AgencyReturns(Record):
    """One unit's returns on ``as_of``, as its agency report lists them (see :func:`agency_returns`).

    ``entries``: the calendar periods owed so far, the next one, and returns received outside the
    calendar, oldest first; ``next_due`` the next one due; ``counts`` how those due came in;
    ``owes`` whether any of the plans' calendars asks the unit for returns at all.
    """

    agency: str
    entries: list[ReturnEntry]
    next_due: ReturnEntry | None
    counts: ReturnCounts
    owes: bool


class Contact(Record):
    """A person of the agency in a plan's leading group, as the document names them.

    ``roles``: ``leader`` 组长, ``deputy`` 副组长, ``member`` 成员, ``director`` 办公室主任;
    ``label`` the Chinese titles joined.
    """

    plan: str
    group: str
    roles: list[str]
    label: str
    name: str
    unit: str


class ReportMeasure(Record):
    """An organisational measure of a plan (四、组织实施) that names the agency or its group."""

    plan: str
    id: str
    title: str
    due: Period | None
    via: str | None
    source: str


class AgencyReport(Record):
    """What ``pingtai report --agency`` shows; ``report --json`` is this object serialised.

    ``lead``/``co``: tasks in plan order; ``indicators``: one row per indicator and plan;
    ``returns``: the calendar periods owed so far, the next one, and returns received outside the
    calendar, oldest first; ``outstanding``: the missing ones with days overdue.
    """

    agency: str
    full_name: str
    kind: str
    groups: list[str]
    as_of: dt.date
    plan: str | None
    plans: list[PlanSummary]
    lead: list[ReportTask]
    co: list[ReportTask]
    indicators: list[ReportIndicator]
    returns: list[ReturnEntry]
    outstanding: list[OutstandingReturn]
    next_due: ReturnEntry | None
    return_counts: ReturnCounts
    owes_returns: bool
    contacts: list[Contact]
    measures: list[ReportMeasure]
    task_counts: dict[str, int]
    indicator_counts: dict[str, int]
    area: str | None = None
    """The area the unit governs (an area's government in ``areas.yaml``), else ``None``."""
    area_figures: list[AreaFigure] = field(default_factory=list)
    """Its area's latest figure of each indicator reported there, per plan, with share and rank."""
    area_tables: list[AreaTable] = field(default_factory=list)
    """Each such indicator across every area, at its area's latest point (the ranking behind the rank)."""

    @property
    def empty(self) -> bool:
        """Nothing assigned: no task, indicator, measure or return owed."""
        return not (self.lead or self.co or self.indicators or self.measures or self.owes_returns)


# --- building one report ---------------------------------------------------------------------


def build_agency_report(catalog: Catalog, data: LedgerSnapshot, agency: str, as_of: dt.date,
                        plan: str | None = None) -> AgencyReport:
    """The report of ``agency`` (canonical name, alias or full name) on ``as_of``.

    ``plan`` (id, short name or document number) narrows it to one plan. Raises
    :class:`~pingtai.errors.UnknownNameError` (with suggestions) for an unknown name and
    :class:`~pingtai.errors.UsageError` for a group name (a report goes to one unit).
    """
    index = AgencyIndex(catalog.agencies)
    unit = report_unit(catalog, agency)
    plans = plans_for(catalog, plan)
    status = build_status(catalog, data.values, data.tasks, data.received, as_of, plan=plan, agency=unit.name)
    roles = _roles(catalog, unit.name)
    tasks = [_report_task(catalog, status, t, roles) for t in status.tasks]
    rows = [_report_indicator(catalog, row, roles, unit.name) for row in status.indicators]
    schedules = [plan_schedule(catalog, p) for p in plans]
    received = _received_in(data, as_of)
    returns = _agency_returns(unit.name, schedules, [r for r in received if r.agency == unit.name],
                              {b.id: b for b in data.batches}, as_of, [r for r in data.rejected if r.agency == unit.name])
    outstanding = [r for r in outstanding_returns(catalog, received, as_of, schedules) if r.agency == unit.name]
    lead = [t for t in tasks if t.role == "lead"]
    live = {p.plan for p in status.plans if not p.ended}  # an ended plan's tasks and indicators leave the counts
    area = AreaRule(catalog).governed.get(unit.name)
    figures, _ = area_figures(catalog, plans, data.values, area, as_of) if area is not None else ([], [])
    tables = area_tables_of(catalog, plans, data.values, area, as_of) if area is not None else []
    return AgencyReport(
        agency=unit.name, full_name=unit.full_name, kind=unit.kind, groups=index.groups_of(unit.name), as_of=as_of,
        plan=status.plan, plans=status.plans, lead=lead, co=[t for t in tasks if t.role == "co"],
        indicators=rows, returns=returns.entries, outstanding=outstanding,
        next_due=returns.next_due, return_counts=returns.counts, owes_returns=returns.owes,
        contacts=_contacts(plans, unit.name), measures=_measures(plans, index, unit.name),
        task_counts=_count(t.status for t in lead if t.plan in live),
        indicator_counts=_count(r.status for r in rows if r.plan in live),
        area=area, area_figures=figures, area_tables=tables,
    )


def agency_returns(catalog: Catalog, data: LedgerSnapshot, as_of: dt.date, plan: str | None = None,
                   agencies: Sequence[str] | None = None) -> dict[str, AgencyReturns]:
    """Each unit's returns on ``as_of`` — what :func:`build_agency_report` gives as ``returns``,
    ``next_due``, ``return_counts`` and ``owes_returns`` — without building the reports.

    ``agencies`` are canonical unit names (default: :func:`report_agencies`), ``plan`` narrows the
    calendars to one plan. A report also judges every indicator and task of the unit, which is
    what the league and the bulletin's 报表报送情况 must not pay for once per unit: this reads the
    receipts once and walks each unit's calendar only.
    """
    schedules = [plan_schedule(catalog, p) for p in plans_for(catalog, plan)]
    receipts: dict[str, list[ReceivedLike]] = {}
    for receipt in _received_in(data, as_of):
        receipts.setdefault(receipt.agency, []).append(receipt)
    batches = {b.id: b for b in data.batches}
    sent_back: dict[str, list[RejectedReturn]] = {}
    for rejected in data.rejected:
        sent_back.setdefault(rejected.agency, []).append(rejected)
    names = report_agencies(catalog, plan) if agencies is None else agencies
    return {name: _agency_returns(name, schedules, receipts.get(name, []), batches, as_of, sent_back.get(name, []))
            for name in names}


def report_unit(catalog: Catalog, agency: str) -> Agency:
    """The unit a report is for, from any spelling; raises :class:`~pingtai.errors.UnknownNameError`
    for an unknown name and :class:`~pingtai.errors.UsageError` for a group (a report goes to one unit)."""
    found = AgencyIndex(catalog.agencies).resolve(agency)
    if found.agency is None:
        members = "、".join(found.group.members) if found.group else ""
        raise UsageError(f"'{found.name}' 是单位组，不是单个单位：报告按单位生成",
                         hint=f"请指定其成员单位之一：{members}")
    return found.agency


def league_by(by: str) -> str:
    """``by`` when it is a ranking the league knows; else :class:`~pingtai.errors.UsageError`."""
    if by not in LEAGUE_BY:
        raise UsageError(f"未知的排名依据 '{by}'", hint=f"可用：{'、'.join(LEAGUE_BY)}")
    return by


def report_agencies(catalog: Catalog, plan: str | None = None) -> list[str]:
    """Units with anything assigned in the plans (tasks, indicators, measures, returns owed), registry order."""
    index = AgencyIndex(catalog.agencies)
    plans = plans_for(catalog, plan)
    owing = {a for p in plans for a in plan_schedule(catalog, p).agencies}
    units = {u for p in plans for t in p.tasks for u in t.units} | {
        u for p in plans for m in p.spec.measures for u in m.units}
    names = []
    for agency in catalog.agencies.agencies:
        name = agency.name
        if (name in owing or any(index.covers(u, name) for u in units)
                or any(i.indicator.owner == name for p in plans for i in p.indicators)):
            names.append(name)
    return names


def _roles(catalog: Catalog, agency: str) -> dict[tuple[str, int], tuple[Role, str | None]]:
    """``(plan, task) → (role, via)`` from the catalog view the ``agencies`` command shows."""
    detail = agency_detail(catalog, agency)
    roles: dict[tuple[str, int], tuple[Role, str | None]] = {}
    for role in ("lead", "co"):
        for entry in detail[role]:
            roles[(entry["plan"], entry["number"])] = (role, entry["via"])
    return roles


def _report_task(catalog: Catalog, status: StatusReport, task: TaskStatus,
                 roles: dict[tuple[str, int], tuple[Role, str | None]]) -> ReportTask:
    plan = catalog.plan(task.plan)
    assert plan is not None
    spec = plan.task(task.number)
    assert spec is not None
    action = next((a.title for a in plan.spec.actions if a.key == task.action), "")
    role, via = roles[(task.plan, task.number)]
    targets = [TaskTarget(r.id, r.name, r.unit, r.final_target.text, r.period, r.actual, r.expected, r.completion,
                          r.status, r.label)
               for r in status.indicators if r.plan == task.plan and r.task == task.number]
    return ReportTask(**_fields_of(task), short_name=plan.spec.short_name, action_title=action, role=role, via=via,
                      units=list(spec.units), source=spec.source, deliverables=[d.title for d in spec.deliverables],
                      targets=targets)


def _report_indicator(catalog: Catalog, row: IndicatorStatus,
                      roles: dict[tuple[str, int], tuple[Role, str | None]], agency: str) -> ReportIndicator:
    plan = catalog.plan(row.plan)
    assert plan is not None
    item = next(i for i in plan.indicators if i.id == row.id)
    role, via = roles.get((row.plan, row.task), ("co", None)) if row.task is not None else ("co", None)
    if row.owner == agency:
        role, via = "lead", None
    return ReportIndicator(**_fields_of(row), role=role, via=via, chart=chart_rows(item, row))


def chart_rows(item: PlanIndicator, row: IndicatorStatus) -> list[PathRow]:
    """The points of the actual-against-trajectory chart of ``item`` (see :class:`ReportIndicator`)."""
    series = [Observation(p.period, p.value, p.agency) for p in row.history]
    rows = path_rows(item, series)
    return [r for r in rows if r.period.kind == "Y" or not is_yearly_amount(item, r.period.year)]


def _fields_of(obj: TaskStatus | IndicatorStatus) -> dict[str, Any]:
    # shallow, unlike dataclasses.asdict: nested records stay objects
    return {name: getattr(obj, name) for name in field_names(obj) or ()}


def _count(states: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    return counts


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _received_in(data: LedgerSnapshot, as_of: dt.date) -> list[ReceivedLike]:
    """Receipts for periods ended by ``as_of`` — the dashboard's rule for values, so both agree."""
    return [r for r in data.received if r.period.end <= as_of]


@dataclass
class _Slot:
    period: Period
    due: dt.date
    last_day: dt.date
    plans: list[str] = field(default_factory=list)


def _agency_returns(agency: str, schedules: Sequence[PlanSchedule], receipts: Sequence[ReceivedLike],
                    batches: dict[int, BatchLike], as_of: dt.date,
                    rejected: Sequence[RejectedReturn] = ()) -> AgencyReturns:
    """``agency``'s returns from its own ``receipts`` (periods ended by ``as_of``), ``batches`` by id and its
    returns sent back and not resubmitted (``rejected``)."""
    entries, next_due = _returns(agency, schedules, receipts, batches, as_of, rejected)
    owed = [e.state for e in entries if e.state in ("on_time", "late", "missing", "rejected")]
    on_time = owed.count("on_time")
    sent_back = owed.count("rejected")
    counts = ReturnCounts(len(owed), on_time, owed.count("late"), owed.count("missing") + sent_back,
                          _rate(on_time, len(owed)), sum(1 for e in entries if e.state == "backfill"), sent_back)
    return AgencyReturns(agency, entries, next_due, counts, any(agency in s.agencies for s in schedules))


def _returns(agency: str, schedules: Sequence[PlanSchedule], receipts: Sequence[ReceivedLike],
             batches: dict[int, BatchLike], as_of: dt.date,
             rejected: Sequence[RejectedReturn] = ()) -> tuple[list[ReturnEntry], ReturnEntry | None]:
    """The agency's return periods: owed so far, the next one, and any received outside the calendar.

    ``receipts`` and ``rejected`` are the agency's own: a period sent back and owed is 退回 (missed)."""
    received = {r.period.as_point(): r for r in receipts}
    sent_back = {r.period.as_point(): r for r in rejected if r.period.end <= as_of}
    # what a later return made moot: only a receipt by as_of ends a chase (a back-fill whatever its day)
    got = received_by(receipts, as_of).get(agency, set())
    slots: dict[Period, _Slot] = {}
    for schedule in schedules:
        if agency not in schedule.agencies:
            continue
        for point in reporting_points(schedule):
            owed = schedule.is_owed(point.period, as_of)
            if not owed and point.period not in received and point.period.end > as_of:
                _slot(slots, point.period, point.due, schedule)
                break  # the first period not yet ended and not yet received: the next one due
            _slot(slots, point.period, point.due, schedule)
    entries: list[ReturnEntry] = []
    next_due: ReturnEntry | None = None
    for period in sorted(set(slots) | set(received)):
        slot = slots.get(period)
        receipt = received.get(period)
        batch = batches.get(receipt.batch) if receipt else None
        day = receipt.received if receipt else None
        covered = None
        state: ReturnState
        if slot is None:
            state, late = "unscheduled", None
        elif receipt is not None:
            state = receipt_state(receipt, slot.last_day)
            late = None if state == "backfill" else max(0, (receipt.received - slot.due).days) if state == "late" else 0
        elif period in sent_back:
            state, late = "rejected", (as_of - slot.due).days if as_of > slot.due else None
        elif as_of > slot.last_day:
            state, late = "missing", (as_of - slot.due).days
            covered = covering_return(period, got)
        else:
            state, late = ("due" if period.end <= as_of else "upcoming"), None
        entry = ReturnEntry(period=period, due=slot.due if slot else None, state=state, label=RETURN_LABELS[state],
                            received=day, days_late=late, file=batch.file if batch else "",
                            filled_on=batch.filled_on if batch else None, batch=receipt.batch if receipt else None,
                            plans=list(slot.plans) if slot else [], received_source=receipt.source if receipt else None,
                            imported=office_day(receipt.received_at) if receipt else None,
                            backfill=bool(receipt and receipt.backfill), covered_by=covered,
                            reporter=batch.reporter if batch else "", phone=batch.phone if batch else "",
                            reviewer=batch.reviewer if batch else "")
        if state == "rejected":
            back = sent_back[period]
            sent = batches.get(back.batch)
            entry = replace(entry, batch=back.batch, file=back.file, rejected_at=back.rejected_at,
                            rejected_by=back.by, reason=back.reason, reporter=sent.reporter if sent else "",
                            phone=sent.phone if sent else "", reviewer=sent.reviewer if sent else "")
        if state in ("due", "upcoming") and next_due is None:
            next_due = entry
        entries.append(entry)
    return entries, next_due


def _slot(slots: dict[Period, _Slot], period: Period, due: dt.date, schedule: PlanSchedule) -> None:
    last_day = schedule.missing_after(period)
    slot = slots.setdefault(period, _Slot(period, due, last_day))
    # one workbook serves every plan: the earlier due date (and its grace) counts
    if due < slot.due:
        slot.due, slot.last_day = due, last_day
    if schedule.plan not in slot.plans:
        slot.plans.append(schedule.plan)


def _contacts(plans: Sequence[Plan], agency: str) -> list[Contact]:
    """The agency's people in each plan's leading group; one entry per person with all their roles."""
    contacts = []
    for plan in plans:
        group = plan.spec.leading_group
        if group is None:
            continue
        people = [("leader", group.leader), *(("deputy", p) for p in group.deputies),
                  *(("member", p) for p in group.members)]
        roles: dict[str, list[str]] = {}
        for role, person in people:
            if person.unit == agency:
                roles.setdefault(person.name, []).append(role)
        if group.office.unit == agency and group.office.director:
            roles.setdefault(group.office.director, []).append("director")
        contacts += [Contact(plan.id, group.name, held, "、".join(GROUP_ROLES[r] for r in held), name, agency)
                     for name, held in roles.items()]
    return contacts


def _measures(plans: Sequence[Plan], index: AgencyIndex, agency: str) -> list[ReportMeasure]:
    found = []
    for plan in plans:
        for measure in plan.spec.measures:
            unit = next((u for u in measure.units if index.covers(u, agency)), None)
            if unit is not None:
                found.append(ReportMeasure(plan.id, measure.id, measure.title, measure.due,
                                           unit if unit != agency else None, measure.source))
    return found


# --- the league table ------------------------------------------------------------------------


class TaskCounts(Record):
    """Tasks a unit leads by state; ``on_track`` = 已完成 + 推进中; ``rate`` = on track ÷ led."""

    led: int
    co: int
    on_track: int
    done: int
    in_progress: int
    late: int
    not_started: int
    unreported: int
    unmarked: int
    rate: float | None


class IndicatorCounts(Record):
    """Indicators (per plan) a unit owns by status; ``rate`` = on track ÷ (owned − no baseline)."""

    owned: int
    on_track: int
    achieved: int
    at_risk: int
    off_track: int
    missed: int
    no_data: int
    no_baseline: int
    rate: float | None


class LeagueRow(Record):
    """One unit in the league: its rank (``None``: nothing to rank on), score and the counts behind it."""

    rank: int | None
    agency: str
    kind: str
    score: float | None
    returns: ReturnCounts
    tasks: TaskCounts
    indicators: IndicatorCounts
    ranks: dict[str, int | None]


class League(Record):
    """What ``pingtai league`` shows; ``league --json`` is this object serialised."""

    as_of: dt.date
    plan: str | None
    by: str
    rule: str
    rows: list[LeagueRow]


def league_row(report: AgencyReport) -> LeagueRow:
    """The counts of one agency report (unranked); an ended plan's tasks and indicators are left out."""
    live = {p.plan for p in report.plans if not p.ended}
    return _league_row(report.agency, report.kind, [t for t in report.lead if t.plan in live],
                       sum(1 for t in report.co if t.plan in live),
                       [r.status for r in report.indicators if r.owner == report.agency and r.plan in live],
                       report.return_counts)


def _league_row(agency: str, kind: str, lead: Sequence[TaskStatus], co: int, owned: Sequence[str],
                returns: ReturnCounts) -> LeagueRow:
    """A unit's league counts (unranked) from the tasks it leads, how many it co-operates on and the
    statuses of the indicators it owns — all in plans that have not ended."""
    led = _count(t.status for t in lead)
    on_track = sum(led.get(s, 0) for s in TASK_ON_TRACK)
    tasks = TaskCounts(led=len(lead), co=co, on_track=on_track, done=led.get("done", 0),
                       in_progress=led.get("in_progress", 0), late=led.get("late", 0),
                       not_started=led.get("not_started", 0), unreported=led.get("unreported", 0),
                       unmarked=led.get("unmarked", 0), rate=_rate(on_track, len(lead)))
    n = _count(owned)
    good = sum(n.get(s, 0) for s in INDICATOR_ON_TRACK)
    indicators = IndicatorCounts(owned=len(owned), on_track=n.get("on_track", 0), achieved=n.get("achieved", 0),
                                 at_risk=n.get("at_risk", 0), off_track=n.get("off_track", 0),
                                 missed=n.get("missed", 0), no_data=n.get("no_data", 0),
                                 no_baseline=n.get("no_baseline", 0),
                                 rate=_rate(good, len(owned) - n.get("no_baseline", 0)))
    rates = [r for r in (returns.rate, tasks.rate, indicators.rate) if r is not None]
    score = 100 * sum(rates) / len(rates) if rates else None
    return LeagueRow(None, agency, kind, score, returns, tasks, indicators, {})


def build_league(catalog: Catalog, data: LedgerSnapshot, as_of: dt.date, plan: str | None = None,
                 by: str = "score") -> League:
    """Every unit with anything assigned, ranked on ``as_of`` (module docstring: the rule).

    ``by`` is ``score`` (default), ``returns``, ``tasks`` or ``indicators``; ``plan`` narrows to
    one plan. Raises :class:`~pingtai.errors.UsageError` for another ``by``.

    The counts are those of each unit's agency report (:func:`league_row`), taken from one
    dashboard of every unit and :func:`agency_returns` rather than a report per unit: the state of
    a task or an indicator does not depend on whose report shows it, and judging every indicator
    once per unit made the league cost as many dashboards as there are units.
    """
    league_by(by)
    plan_id = plans_for(catalog, plan)[0].id if plan else None
    status = build_status(catalog, data.values, data.tasks, data.received, as_of, plan=plan)
    live = {p.plan for p in status.plans if not p.ended}
    tasks = [t for t in status.tasks if t.plan in live]
    names = report_agencies(catalog, plan)
    returns = agency_returns(catalog, data, as_of, plan, names)
    rows = []
    for name in names:
        roles = _roles(catalog, name)
        lead = [t for t in tasks if roles.get((t.plan, t.number), ("", None))[0] == "lead"]
        co = sum(1 for t in tasks if roles.get((t.plan, t.number), ("", None))[0] == "co")
        owned = [r.status for r in status.indicators if r.owner == name and r.plan in live]
        rows.append(_league_row(name, report_unit(catalog, name).kind, lead, co, owned, returns[name].counts))
    ranks = {key: _ranks([_measure(r, key) for r in rows]) for key in LEAGUE_BY}
    ranked = [LeagueRow(ranks[by][i], r.agency, r.kind, r.score, r.returns, r.tasks, r.indicators,
                        {key: ranks[key][i] for key in LEAGUE_BY if key != "score"})
              for i, r in enumerate(rows)]
    # unranked last; ties keep the registry's order
    ranked.sort(key=lambda r: (r.rank is None, r.rank or 0))
    return League(as_of, plan_id, by, LEAGUE_RULE, ranked)


def _measure(row: LeagueRow, key: str) -> float | None:
    return {"score": row.score, "returns": row.returns.rate, "tasks": row.tasks.rate,
            "indicators": row.indicators.rate}[key]


def _ranks(values: Sequence[float | None]) -> list[int | None]:
    """Competition ranks, highest first (1, 2, 2, 4); ``None`` for ``None``; equal within 1e-9."""
    present = sorted((v for v in values if v is not None), reverse=True)
    ranks: list[int | None] = []
    for value in values:
        if value is None:
            ranks.append(None)
        else:
            ranks.append(1 + sum(1 for other in present if other > value and not math.isclose(other, value,
                                                                                           abs_tol=1e-9)))
    return ranks


__all__ = [
    "CHINA_TZ", "GROUP_ROLES", "LEAGUE_BY", "LEAGUE_BY_LABELS", "LEAGUE_RULE", "RETURN_LABELS", "ROLE_LABELS",
    "AgencyReport", "AgencyReturns", "BatchLike", "Contact", "IndicatorCounts", "League", "LeagueRow", "LedgerSnapshot",
    "ReceivedLike", "ReportIndicator", "ReportMeasure", "ReportTask", "ReturnCounts", "ReturnEntry", "TaskCounts",
    "TaskTarget", "agency_returns", "build_agency_report", "build_league", "chart_rows", "league_by", "league_row", "report_agencies",
    "report_unit",
]
