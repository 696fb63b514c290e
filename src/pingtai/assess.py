"""The dashboard's data: every indicator per plan judged, tasks summarised, returns outstanding.

:func:`build_status` joins the catalog, the ledger's current values, task progress lines and
received returns on ``as_of`` into a :class:`StatusReport` — a tree of dataclasses that the
console renderer prints and ``status --json`` serialises as is. :func:`build_detail` does the
same for one indicator in depth (``pingtai show``). The ledger is not imported: values, tasks
and returns are anything shaped like ``ledger.StoredValue``, ``StoredTask`` and
``ReceivedReturn`` (see the protocols below), so tests and other tools can pass plain objects.

Rules beyond :mod:`pingtai.progress`:

- The city value of an indicator at a period is the city's own figure — the owner's, else the newest
  import —, else the sum of the county-level areas' figures for an additive indicator: the rules of
  :mod:`pingtai.series` (:class:`~pingtai.series.Figures`), which also give each actual its growth
  (``yoy``: reported and computed). Values in another unit of the same family are converted.
  Values and task lines for periods ending after ``as_of`` are left out (a back-dated view).
- A task's state comes from its lead's progress lines (members' lines where the lead is a
  group; anyone's where the lead sent none), for the latest period reported. Several lines for
  that period: the worst state wins (滞后 > 未启动 > 推进中 > 已完成). A task not ``done`` whose
  latest line is older than the latest period owed — or that has no line — is ``unreported``
  (未报), with its last state kept beside it.
- ``--agency`` keeps the indicators linked to the agency's tasks (lead or co-operating, directly or
  through a group) or owned by it, the tasks it takes part in, and its own outstanding returns.
- Returns outstanding are shown for the current period — the latest period owed under any
  selected plan's calendar —; older ones are counted in ``returns_backlog``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from pingtai.agencies import AgencyIndex
from pingtai.catalog import Catalog, Plan, PlanIndicator, Target, Task
from pingtai.errors import UsageError
from pingtai.frozen import Record, fast_init
from pingtai.periods import Period, last_ended_month, office_day
from pingtai.progress import (
    STATUS_LABELS,
    Assessment,
    Milestone,
    ObservationLike,
    PathPoint,
    ProgressRatio,
    Projection,
    Status,
    assess,
    compare,
    expected_value,
    months,
    trajectory,
)
from pingtai.schedule import (
    OutstandingReturn,
    PlanSchedule,
    Received,
    latest_due_point,
    outstanding_returns,
    plan_schedule,
    receipt_state,
)
from pingtai.series import CITY, Current, Figures, Point, YearOnYear, figures_of
from pingtai.views import plans_for, task_units

if TYPE_CHECKING:  # the area views build on this module
    from pingtai.by_area import AreaFigure, AreaRow, AreaTable

TASK_STATES = ("not_started", "in_progress", "done", "late", "unreported", "unmarked")
TASK_STATE_LABELS: dict[str, str] = {
    "not_started": "未启动", "in_progress": "推进中", "done": "已完成", "late": "滞后", "unreported": "未报",
    "unmarked": "未标注",
}
_SEVERITY = {"late": 3, "not_started": 2, "in_progress": 1, "done": 0}


# --- what the ledger hands over --------------------------------------------------------------


StoredValueLike = Current
"""A current value of an indicator (``ledger.CurrentValue`` fits): see :class:`pingtai.series.Current`."""


class StoredTaskLike(Protocol):
    """A task progress line from one agency for one period (``ledger.StoredTask`` fits)."""

    @property
    def plan(self) -> str: ...

    @property
    def task(self) -> int: ...

    @property
    def agency(self) -> str: ...

    @property
    def period(self) -> Period: ...

    @property
    def status(self) -> str | None: ...

    @property
    def progress(self) -> str: ...

    @property
    def issues(self) -> str: ...

    @property
    def next_steps(self) -> str: ...


# --- the report objects ----------------------------------------------------------------------


@fast_init
@dataclass(frozen=True)
class TargetInfo:
    """A target as the dashboard shows it."""

    period: Period
    comparator: str
    value: float | None
    low: float | None
    high: float | None
    text: str

    @classmethod
    def of(cls, target: Target) -> TargetInfo:
        return cls(target.period, target.comparator, target.value, target.low, target.high, target.text)


@fast_init
@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator in one plan on ``as_of`` — a row of the dashboard and of ``status --json``.

    ``period``/``actual``: the value judged; ``expected``: what that period should show (number),
    with ``method``, and for flows ``annual`` (the year's full value) and ``share``; ``target``:
    the final target's reference value (``final_target`` has the whole target). ``completion`` is
    the actual ÷ ``completion_value``, the target of period ``completion_target``;
    ``projection_reason`` says why there is no projection. ``yoy`` is the actual's growth over the same
    point last year (reported by the return and computed; ``None`` when neither is known); ``area``
    the area the row is about (``None``: the city).
    """

    plan: str
    id: str
    name: str
    unit: str
    period: Period | None
    actual: float | None
    expected: float | None
    target: float | None
    status: Status
    label: str
    method: str | None
    annual: float | None
    share: float | None
    expected_period: Period | None
    tolerance: float
    completion: float | None
    completion_target: Period | None
    kind: str
    direction: str
    task: int | None
    owner: str | None
    baseline: Point | None
    latest_due: Period | None
    final: bool
    next_milestone: Milestone | None
    final_target: TargetInfo
    milestones: list[Milestone]
    projection: Projection | None
    progress_ratio: ProgressRatio
    history: list[Point]
    notes: list[str]
    projection_reason: str
    completion_value: float | None
    yoy: YearOnYear | None
    area: str | None


class TaskStatus(Record):
    """A task's progress state from the latest lines its lead sent (see the module docstring)."""

    plan: str
    number: int
    title: str
    action: str
    lead: str
    status: str
    label: str
    last_status: str | None
    period: Period | None
    agencies: list[str]
    progress: str
    issues: str
    next_steps: str


class ActionSummary(Record):
    """Counts of task states in one action group of one plan."""

    plan: str
    action: str
    title: str
    tasks: int
    counts: dict[str, int]


class PlanSummary(Record):
    """One plan's header on the dashboard: counts of indicator statuses, the period owed."""

    plan: str
    short_name: str
    number: str
    title: str
    latest_due: Period | None
    ended: bool
    counts: dict[str, int]


RECEIPT_LABELS: dict[str, str] = {"on_time": "按时", "late": "逾期报送", "backfill": "补录", "unscheduled": "非应报期"}


class ReceiptRow(Record):
    """A return received for the dashboard's current period: the day it counts as received (and
    where that day comes from), the day it was imported, and how it stands against its due date."""

    agency: str
    period: Period
    received: date
    received_source: str
    imported: date
    backfill: bool
    batch: int
    due: date | None
    state: str
    label: str


class StatusReport(Record):
    """What ``pingtai status`` shows; ``status --json`` is this object serialised.

    ``returns`` are the returns outstanding for ``returns_period``, ``received`` those received for it.
    """

    as_of: date
    plan: str | None
    agency: str | None
    plans: list[PlanSummary]
    indicators: list[IndicatorStatus]
    tasks: list[TaskStatus]
    actions: list[ActionSummary]
    returns_period: Period | None
    returns: list[OutstandingReturn]
    returns_backlog: int
    received: list[ReceiptRow] = field(default_factory=list)
    area: str | None = None
    """``status --area``: the area (its government is ``agency``); ``indicators`` are then the area's
    figures judged against the plans' targets for the area, ``area_figures`` all its figures."""
    area_figures: list[AreaFigure] = field(default_factory=list)
    awaiting_review: int = 0
    """Returns imported and awaiting a decision (待审核: ``pingtai review``); they do not count yet."""
    awaiting_since: date | None = None
    """The day the oldest of them was received (``None`` when none is waiting)."""

    @property
    def late_tasks(self) -> list[TaskStatus]:
        return [t for t in self.tasks if t.status == "late"]


# --- building --------------------------------------------------------------------------------


def indicator_status(item: PlanIndicator, figures: Figures | None, as_of: date, schedule: PlanSchedule,
                     area: str = CITY, *, used: bool = True) -> IndicatorStatus:
    """Assess one plan indicator on its city series (or ``area``'s) from ``figures`` (``None``: nothing
    reported) and flatten the result into a dashboard row, with the actual's growth; without ``used``
    its projection does not list the observations it rests on (:func:`pingtai.progress.assess`)."""
    series = figures.series(area) if figures is not None else []
    a = assess(item, series, as_of, schedule, used=used)
    yoy = figures.year_on_year(area, a.period) if figures is not None and a.period is not None else None
    row = status_row(item, series, a, yoy, area or None)
    note = _unsummed_note(figures, a.period) if figures is not None and area == CITY else None
    if note:
        row.notes.append(note)
    return row


def _unsummed_note(figures: Figures, period: Period | None) -> str | None:
    """Why there is no city figure after ``period`` although areas reported (the latest such point)."""
    later = [(p, missing) for p, missing in figures.unsummed if period is None or p.months > period.months]
    if not later:
        return None
    point, missing = later[-1]
    return (f"{point.label()}只有部分区、县（市）的数值（{'、'.join(missing)}未报），且无全市数：各地区数值不加总为全市数")


def status_row(item: PlanIndicator, series: Sequence[ObservationLike], a: Assessment, yoy: YearOnYear | None = None,
               area: str | None = None) -> IndicatorStatus:
    """The dashboard row of an :class:`~pingtai.progress.Assessment` (with the actual's growth ``yoy``)."""
    ind = item.indicator
    final = item.final_target
    exp = a.expected
    return IndicatorStatus(
        plan=item.plan, id=ind.id, name=ind.name, unit=ind.unit, period=a.period, actual=a.actual,
        expected=exp.value if exp else None, target=final.path_value(ind.direction), status=a.status, label=a.label,
        method=exp.method if exp else None, annual=exp.annual if exp else None, share=exp.share if exp else None,
        expected_period=exp.period if exp else None, tolerance=a.tolerance, completion=a.completion,
        completion_target=a.completion_target, kind=ind.kind, direction=ind.direction, task=item.task,
        owner=ind.owner,
        baseline=Point(item.baseline.period, item.baseline.value, "") if item.baseline else None,
        latest_due=a.latest_due, final=a.final, next_milestone=a.next_milestone,
        final_target=TargetInfo.of(final), milestones=list(a.milestones), projection=a.projection,
        progress_ratio=a.progress_ratio, history=_points(series), notes=list(a.notes),
        projection_reason=a.projection_reason, completion_value=a.completion_value, yoy=yoy, area=area,
    )


def _points(series: Sequence[ObservationLike]) -> list[Point]:
    if set(map(type, series)) <= {Point}:  # the dashboard's own series: points already, and immutable
        return list(series)  # type: ignore[arg-type]  # every element is a Point
    return [Point(o.period, o.value, o.agency) for o in series]


def _lead_records(task: Task, records: list[StoredTaskLike], index: AgencyIndex) -> list[StoredTaskLike]:
    lead = [r for r in records if index.covers(task.lead, r.agency)]
    return lead or records


def task_status(plan: Plan, task: Task, records: Sequence[StoredTaskLike], latest_due: Period | None,
                index: AgencyIndex) -> TaskStatus:
    """The state of ``task`` from its progress lines (``records`` of this plan and task only)."""
    chosen = _lead_records(task, list(records), index)

    def state(status: str, last: str | None, period: Period | None, latest: list[StoredTaskLike]) -> TaskStatus:
        return TaskStatus(
            plan=plan.id, number=task.number, title=task.title, action=task.action, lead=task.lead, status=status,
            label=TASK_STATE_LABELS[status], last_status=last, period=period, agencies=[r.agency for r in latest],
            progress="；".join(r.progress for r in latest if r.progress),
            issues="；".join(r.issues for r in latest if r.issues),
            next_steps="；".join(r.next_steps for r in latest if r.next_steps),
        )

    if not chosen:
        return state("unreported", None, None, [])
    period = max(r.period.as_point() for r in chosen)
    latest = sorted((r for r in chosen if r.period.as_point() == period), key=lambda r: r.agency)
    marked = [r.status for r in latest if r.status is not None]
    worst = max(marked, key=lambda s: _SEVERITY.get(s, 0)) if marked else "unmarked"
    if latest_due is not None and period < latest_due and worst != "done":
        return state("unreported", worst, period, latest)
    return state(worst, None, period, latest)


def _agency_indicators(catalog: Catalog, plan: Plan, index: AgencyIndex, agency: str) -> list[PlanIndicator]:
    numbers = {t.number for t in task_units(plan, index, agency)}
    return [i for i in plan.indicators if i.task in numbers or i.indicator.owner == agency]


def build_status(catalog: Catalog, values: Iterable[StoredValueLike], tasks: Iterable[StoredTaskLike],
                 received: Iterable[Received], as_of: date, plan: str | None = None,
                 agency: str | None = None, area: str | None = None, *, used: bool = True) -> StatusReport:
    """The dashboard on ``as_of``: indicators per plan, task states, returns outstanding.

    ``values`` are current values (the city's, and the county-level areas' where a city figure may be
    their sum, are all it reads). ``plan`` (id, short name or document number) and ``agency`` (any
    spelling) narrow it; unknown names raise :class:`~pingtai.errors.UnknownNameError`. ``area`` (a
    county-level area or zone, any spelling; :func:`pingtai.by_area.area_named`) shows that area's
    figures instead of the city's — judged only against the plans' targets for the area — with the
    tasks and returns of its government. Without ``used`` the rows' projections do not list the
    observations they rest on (``Projection.used``): what only ``status --json --history`` and the
    reports show, 54,000 points on a 2,000-indicator ledger.
    """
    index = AgencyIndex(catalog.agencies)
    values = list(values)
    place = None
    if area is not None:  # the area views are imported only for an area's dashboard
        from pingtai.by_area import area_figures, area_named

        place = area_named(catalog, area, agency)
    canonical = place.agency if place is not None else index.resolve(agency).name if agency else None
    plans = plans_for(catalog, plan)
    figures = figures_of(catalog, values, last_ended_month(as_of)) if place is None else {}
    figures_by_area: list[AreaFigure] = []
    records: dict[tuple[str, int], list[StoredTaskLike]] = {}
    for record in tasks:
        if record.period.end > as_of:
            continue
        records.setdefault((record.plan, record.task), []).append(record)
    schedules = {p.id: plan_schedule(catalog, p) for p in plans}

    summaries, rows, task_rows, actions = [], [], [], []
    for p in plans:
        schedule = schedules[p.id]
        if place is not None:
            found, plan_rows = area_figures(catalog, [p], values, place.name, as_of, used=used)
            figures_by_area += found
        else:
            items = list(p.indicators) if canonical is None else _agency_indicators(catalog, p, index, canonical)
            plan_rows = [indicator_status(i, figures.get(i.id), as_of, schedule, used=used) for i in items]
        rows += plan_rows
        due = latest_due_point(schedule, as_of)
        counts = {s: sum(1 for r in plan_rows if r.status == s) for s in STATUS_LABELS}
        summaries.append(PlanSummary(p.id, p.spec.short_name, p.spec.document.number, p.spec.document.title, due,
                                     schedule.is_owed(p.spec.horizon.end, as_of), counts))
        chosen = list(p.tasks) if canonical is None else task_units(p, index, canonical)
        states = [task_status(p, t, records.get((p.id, t.number), []), due, index) for t in chosen]
        task_rows += states
        for action in p.spec.actions:
            in_group = [s for s in states if s.action == action.key]
            if in_group:
                actions.append(ActionSummary(p.id, action.key, action.title, len(in_group),
                                             {k: sum(1 for s in in_group if s.status == k) for k in TASK_STATES}))

    outstanding = outstanding_returns(catalog, received, as_of, list(schedules.values()))
    if canonical is not None:
        outstanding = [r for r in outstanding if r.agency == canonical]
    current = max((s.latest_due for s in summaries if s.latest_due is not None), default=None)
    now = [r for r in outstanding if r.period == current]
    receipts = _receipts(received, current, as_of, list(schedules.values()), canonical) if current else []
    return StatusReport(as_of=as_of, plan=plans[0].id if plan else None, agency=canonical, plans=summaries,
                        indicators=rows, tasks=task_rows, actions=actions, returns_period=current, returns=now,
                        returns_backlog=len(outstanding) - len(now), received=receipts,
                        area=place.name if place is not None else None, area_figures=figures_by_area)


def _receipts(received: Iterable[Received], period: Period, as_of: date, schedules: Sequence[PlanSchedule],
              agency: str | None) -> list[ReceiptRow]:
    """The returns received for ``period`` by ``as_of`` (a back-fill whatever its day), by agency, each
    against the earliest due date any plan owing it sets."""
    rows = []
    for r in received:
        if r.period.as_point() != period or (agency is not None and r.agency != agency):
            continue
        if not (r.backfill or r.received <= as_of):
            continue
        owing = [s.for_agency(r.agency) for s in schedules if r.agency in s.agencies and s.covers(period)]
        due = min((s.due_date(period) for s in owing), default=None)
        last_day = min((s.missing_after(period) for s in owing), default=None)
        state = "unscheduled" if last_day is None else receipt_state(r, last_day)
        rows.append(ReceiptRow(r.agency, period, r.received, r.source, office_day(r.received_at), r.backfill, r.batch,
                               due, state, RECEIPT_LABELS[state]))
    return sorted(rows, key=lambda row: row.agency)


# --- one indicator in depth ------------------------------------------------------------------


@dataclass(frozen=True)
class PathRow:
    """A period on the detail view: expected (and how), actual, and the gap between them."""

    period: Period
    expected: float | None
    method: str | None
    actual: float | None
    agency: str | None
    gap: float | None
    verdict: str | None


class PlanDetail(Record):
    """One plan's view of the indicator: its dashboard row, path points and rows by period."""

    plan: str
    short_name: str
    status: IndicatorStatus
    interpolation: str
    points: list[PathPoint]
    rows: list[PathRow]


class IndicatorDetail(Record):
    """What ``pingtai show`` prints; ``show --json`` is this object serialised."""

    as_of: date
    id: str
    name: str
    unit: str
    kind: str
    direction: str
    frequency: str
    interpolation: str
    owner: str | None
    aliases: list[str]
    note: str
    plans: list[PlanDetail] = field(default_factory=list)
    by_area: AreaTable | None = None
    """``show --by-area``: the indicator's figures across its areas at one point (``areas`` its rows)."""
    areas: list[AreaRow] | None = None


def path_rows(item: PlanIndicator, series: Sequence[ObservationLike]) -> list[PathRow]:
    """Expected against actual for every reported period, path point and year end of the path.

    Expected values stop at the final target's period; a verdict is given where both are known.
    """
    path = trajectory(item)
    periods = {o.period.as_point() for o in series} | {p.period.as_point() for p in path.points}
    years = [y.year for t in item.targets for y in t.years()] + [p.period.year for p in path.points]
    if years:
        periods |= {Period(y) for y in range(min(years), max(years) + 1)}
    actual = {o.period.as_point(): o for o in series}
    last = months(item.final_target.period)
    rows = []
    for period in sorted(periods, key=lambda p: (months(p), p.sort_key())):
        # past the final target the plan expects nothing more; reported values are still listed
        exp = expected_value(item, period, series, path) if months(period) <= last else None
        obs = actual.get(period)
        gap = verdict = None
        if exp is not None and obs is not None:
            gap = obs.value / exp.value - 1 if exp.value else None
            verdict = compare(obs.value, exp.value, item.tolerance, item.indicator.direction)
        rows.append(PathRow(period, exp.value if exp else None, exp.method if exp else None,
                            obs.value if obs else None, obs.agency if obs else None, gap, verdict))
    return rows


def plans_with(catalog: Catalog, indicator: str, plan: str | None = None) -> list[Plan]:
    """The plans (or ``plan``) that set targets for ``indicator``; :class:`UsageError` when ``plan`` does not."""
    plans = [p for p in plans_for(catalog, plan) if any(i.id == indicator for i in p.indicators)]
    if not plans:
        name = catalog.indicators[indicator].name
        raise UsageError(f"计划 {plan} 没有指标 {name}（{indicator}）", hint="去掉 --plan 查看该指标所在的全部计划。")
    return plans


def build_detail(catalog: Catalog, values: Iterable[StoredValueLike], name: str, as_of: date,
                 plan: str | None = None, *, by_area: bool = False, period: Period | None = None) -> IndicatorDetail:
    """One indicator in depth on ``as_of``, in every plan that sets targets for it (or ``plan``); with
    ``by_area`` also its figures across its areas at ``period`` (default: the latest point an area
    reported; :func:`pingtai.by_area.area_table`, which raises :class:`UsageError` for an indicator not
    reported by area)."""
    from pingtai.by_area import area_table
    from pingtai.history import resolve_indicator  # shared with `pingtai history`

    indicator = resolve_indicator(catalog, name)
    plans = plans_with(catalog, indicator.id, plan)
    values = [v for v in values if v.indicator == indicator.id]
    table = area_table(catalog, indicator, values, as_of, period) if by_area else None
    figures = figures_of(catalog, values, last_ended_month(as_of)).get(indicator.id)
    series = figures.series() if figures is not None else []
    details = []
    for p in plans:
        item = next(i for i in p.indicators if i.id == indicator.id)
        row = indicator_status(item, figures, as_of, plan_schedule(catalog, p))
        path = trajectory(item)
        details.append(PlanDetail(p.id, p.spec.short_name, row, path.interpolation, list(path.points),
                                  path_rows(item, series)))
    return IndicatorDetail(as_of, indicator.id, indicator.name, indicator.unit, indicator.kind, indicator.direction,
                           indicator.frequency, indicator.interpolation, indicator.owner, list(indicator.aliases),
                           indicator.note, details, table, table.rows if table is not None else None)


__all__ = [
    "RECEIPT_LABELS", "TASK_STATES", "TASK_STATE_LABELS", "ActionSummary", "IndicatorDetail", "IndicatorStatus",
    "PathRow", "PlanDetail", "PlanSummary", "Point", "ReceiptRow", "StatusReport", "StoredTaskLike", "StoredValueLike", "TargetInfo",
    "TaskStatus", "build_detail", "build_status", "indicator_status", "path_rows", "plans_with",
    "status_row", "task_status",
]
