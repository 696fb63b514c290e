"""Building the bulletin from the objects ``status``, ``report`` and ``check`` are built from.

Nothing is judged here: indicator and task states come from :func:`pingtai.assess.build_status`,
each unit's return for the period from :func:`pingtai.reports.agency_returns` (the ``returns`` of
its agency report), the points of 下步工作 from :func:`pingtai.checks.build_check`, all on the same
``as_of``. The ledger is read by :func:`pingtai.service.bulletin`, never here. This module chooses
what to say and takes every number from those objects (the few derived ones — 完成率 against the
year's target, 时序进度, their gap — by the rules in :data:`pingtai.bulletin.model.RULES`, from
fields of the same status row); :mod:`pingtai.bulletin.wording` says it.

Rules of the bulletin (``docs/bulletin.md`` has them with examples):

- The **period** is a point (Q4 is the year). The bulletin covers the plans whose calendar asks a
  return for it; none: :class:`~pingtai.errors.UsageError`.
- **as_of** defaults to the first day the period's returns count as missing (the day after the
  due date plus grace, the latest over the plans); it must lie after the period's end and before
  the next period's returns are owed (else the dashboard would judge that period).
- An indicator with a figure judged on ``as_of`` gets a sentence; those 无数据 are named together.
  The **target** its completion is measured against is the year's target on the trajectory
  (``annual``) for a year-to-date amount, else the milestone the status row's ``completion_target``
  names. **时序进度** is what the trajectory expects now against the same target; the clause is left
  out at 100 % (the target's own date) and where nothing is expected.
- **Areas** appear only when area figures are given (``areas``: indicator id → the rows
  ``show --by-area --json`` prints, or the :class:`~pingtai.by_area.AreaRow` objects it prints them
  from), for the bulletin's period; :func:`pingtai.service.bulletin` gives those of every indicator
  reported by area.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from pingtai.agencies import AgencyIndex
from pingtai.assess import IndicatorStatus, StatusReport, TaskStatus, build_status
from pingtai.bulletin import wording
from pingtai.bulletin.model import (
    AreaFigure,
    AreaInput,
    Block,
    Bulletin,
    Cell,
    Figure,
    Paragraph,
    Part,
    Quote,
    Ref,
    ReturnLine,
    Rule,
    Section,
    Subheading,
    Table,
    Words,
)
from pingtai.catalog import Catalog, Plan, PlanIndicator
from pingtai.checks import Finding, build_check
from pingtai.errors import UsageError
from pingtai.frozen import Record
from pingtai.periods import Period
from pingtai.progress import STATUS_LABELS, is_yearly_amount
from pingtai.reports import LedgerSnapshot, agency_returns
from pingtai.schedule import DuePeriod, PlanSchedule, latest_due_point, plan_schedule, reporting_points
from pingtai.views import plans_for

POINT_KINDS = ("off_track", "at_risk", "overdue_task")
"""The ``check`` findings that become items of 下步工作: indicators behind, missed milestones, late tasks."""
JUDGED = ("on_track", "at_risk", "off_track", "achieved", "missed")
"""Statuses judged against the trajectory (where 时序进度 means something)."""
COUNTED = ("on_time", "late", "missing")
"""Return states the on-time rate counts (as ``ReturnCounts``: a back-fill is neither on time nor late)."""


# --- the period, the plans, the date ---------------------------------------------------------


def owes(schedule: PlanSchedule, period: Period) -> bool:
    """Whether ``schedule`` asks a return for ``period`` (a point)."""
    for point in reporting_points(schedule):
        if point.period == period:
            return True
        if point.period.end > period.end:
            return False
    return False


def bulletin_plans(catalog: Catalog, period: Period, plan: str | None = None) -> list[Plan]:
    """The plans (all, or ``plan``) whose calendar asks a return for ``period``.

    Raises :class:`~pingtai.errors.UnknownNameError` for an unknown plan and
    :class:`~pingtai.errors.UsageError` when no plan asks for the period.
    """
    plans = plans_for(catalog, plan)
    owing = [p for p in plans if owes(plan_schedule(catalog, p), period)]
    if not owing:
        scope = f"计划 {plans[0].spec.short_name}" if plan else "任何计划"
        examples = [str(d.period) for p in plans for d in _points_near(plan_schedule(catalog, p), period)]
        hint = (f"应报期如：{'、'.join(dict.fromkeys(examples))}（按季报送时第二季度记作上半年 H1、第四季度记作全年）。"
                if examples else "请用 pingtai plans 查看计划期。")
        raise UsageError(f"{scope}都不要求报送 {period.label()}（{period}）的报表：无法为该期生成通报", hint=hint)
    return owing


def _points_near(schedule: PlanSchedule, period: Period) -> list[DuePeriod]:
    points = []
    for point in reporting_points(schedule):
        points.append(point)
        if point.period.year > period.year:
            break
    near = [p for p in points if p.period.year == period.year]
    return near or points[-4:]


def default_as_of(catalog: Catalog, plans: Sequence[Plan], period: Period) -> dt.date:
    """The first day ``period``'s returns count as missing under every one of ``plans``."""
    return max(plan_schedule(catalog, p).missing_after(period) for p in plans) + dt.timedelta(days=1)


def check_as_of(catalog: Catalog, plans: Sequence[Plan], period: Period, as_of: dt.date) -> None:
    """Refuse an ``as_of`` on which the bulletin could not speak of ``period`` (module docstring)."""
    if as_of <= period.end:
        raise UsageError(f"{wording.period_title(period)}到 {period.end} 才结束：--as-of {as_of} 时还不能通报该期",
                         hint=f"请用 {period.end + dt.timedelta(days=1)} 以后的日期，或不给 --as-of（默认为报送截止后一天）。")
    for plan in plans:
        schedule = plan_schedule(catalog, plan)
        latest = latest_due_point(schedule, as_of)
        if latest is not None and latest > period:
            last = _last_day(schedule, period)
            raise UsageError(f"--as-of {as_of} 时{plan.spec.short_name}已应报 {latest.label()} 的报表：看板已按该期研判",
                             hint=f"{wording.period_title(period)}的通报请用 {period.end + dt.timedelta(days=1)} 至 "
                                  f"{last} 之间的日期，或不给 --as-of。")


def _last_day(schedule: PlanSchedule, period: Period) -> dt.date:
    """The last day before the return after ``period`` is owed."""
    after = next(p for p in reporting_points(schedule) if p.period.end > period.end)
    return schedule.missing_after(after.period)


# --- the bulletin ----------------------------------------------------------------------------


class Sources(Record):
    """Everything one bulletin is made from, gathered on one ``as_of`` (:func:`gather`).

    ``status`` is the dashboard reduced to ``plans`` (the plans owing ``period``); ``returns`` each
    unit's return for ``period``; ``findings`` the ``check`` findings that become 下步工作; ``raws``
    the text each return carried for a value, by (indicator, point, agency); ``areas`` the area
    figures given, by indicator id.
    """

    period: Period
    as_of: dt.date
    plans: list[Plan]
    status: StatusReport
    returns: list[ReturnLine]
    findings: list[Finding]
    raws: dict[tuple[str, Period, str], str]
    areas: dict[str, list[AreaFigure]]


class Scope(Record):
    """What one bulletin speaks of: ``period`` (a point), the ``plans`` owing a return for it, and
    the day everything is judged on (``as_of``)."""

    period: Period
    plans: list[Plan]
    as_of: dt.date


def bulletin_scope(catalog: Catalog, period: Period, *, as_of: dt.date | None = None,
                   plan: str | None = None) -> Scope:
    """``period`` as a point, the plans owing a return for it (all, or ``plan``) and the day
    (``as_of``, default :func:`default_as_of`), checked — from the catalog alone, so a command can
    refuse bad options before it reads the ledger.

    Raises :class:`~pingtai.errors.UsageError` (exit 2) for a period no plan asks a return for or an
    ``as_of`` that cannot speak of it, :class:`~pingtai.errors.UnknownNameError` for an unknown plan.
    """
    point = period.as_point()
    plans = bulletin_plans(catalog, point, plan)
    day = as_of or default_as_of(catalog, plans, point)
    check_as_of(catalog, plans, point, day)
    return Scope(point, plans, day)


def gather(catalog: Catalog, data: LedgerSnapshot, period: Period, *, as_of: dt.date | None = None,
           plan: str | None = None, areas: Mapping[str, Sequence[AreaFigure | AreaInput]] | None = None) -> Sources:
    """The status, each unit's returns and the check on ``as_of`` (default: :func:`default_as_of`)
    for ``period``, from what the ledger holds (``data``, read by :func:`pingtai.service.bulletin`).

    Raises as :func:`bulletin_scope`.
    """
    scope = bulletin_scope(catalog, period, as_of=as_of, plan=plan)
    period, plans, day = scope.period, scope.plans, scope.as_of
    ids = {p.id for p in plans}
    # the bulletin states each projection's verdict, never the observations behind it (Projection.used)
    dashboard = build_status(catalog, data.values, data.tasks, data.received, day, plan=plan, used=False)
    status = _only(dashboard, ids)
    check = build_check(catalog, data.values, data.tasks, data.received, day, plan=plan, status=dashboard)
    raws = {(v.indicator, v.period.as_point(), v.agency): raw for v in data.values
            if isinstance(raw := getattr(v, "raw", None), str)}
    figures = {ident: [f for r in rows if (f := r if isinstance(r, AreaFigure) else AreaFigure.of(r)) is not None]
               for ident, rows in (areas or {}).items()}
    return Sources(period=period, as_of=day, plans=plans, status=status,
                   returns=_return_lines(catalog, data, plans, period, day, plan),
                   findings=_points_of(check.findings, ids), raws=raws, areas=figures)


def build_bulletin(catalog: Catalog, data: LedgerSnapshot, period: Period, *, as_of: dt.date | None = None,
                   plan: str | None = None, doc_number: str = "", issuer: str | None = None,
                   areas: Mapping[str, Sequence[AreaFigure | AreaInput]] | None = None) -> Bulletin:
    """The bulletin for ``period`` on ``as_of``: :func:`compose` of :func:`gather`.

    ``plan`` (id, short name or document number) narrows it to one plan; ``doc_number`` is the
    发文字号 (may be empty); ``issuer`` the 署名 (default: the full name of the first plan's office);
    ``areas`` the area figures by indicator id (the 各区、县（市）情况 section appears only with them).
    """
    sources = gather(catalog, data, period, as_of=as_of, plan=plan, areas=areas)
    return compose(catalog, sources, doc_number=doc_number, issuer=issuer)


class _Context(Record, frozen=False):
    """What the sections share while the bulletin is composed."""

    catalog: Catalog
    plans: list[Plan]
    period: Period
    status: StatusReport
    raws: dict[tuple[str, Period, str], str]
    tables: int = 0

    def table_number(self) -> int:
        self.tables += 1
        return self.tables

    @cached_property
    def _items(self) -> dict[tuple[str, str], PlanIndicator]:
        # every row asks for its plan indicator: searching the plan each time was quadratic
        return {(p.id, i.id): i for p in self.plans for i in p.indicators}

    def item(self, row: IndicatorStatus) -> PlanIndicator:
        return self._items[(row.plan, row.id)]

    @cached_property
    def rows(self) -> dict[tuple[str, str], IndicatorStatus]:
        """The dashboard's rows by (plan, indicator id): each point of 下步工作 looks its row up."""
        return {(r.plan, r.id): r for r in self.status.indicators}


def compose(catalog: Catalog, sources: Sources, *, doc_number: str = "", issuer: str | None = None) -> Bulletin:
    """The bulletin said from ``sources``: its sections, sentences and tables (module docstring)."""
    ctx = _Context(catalog, sources.plans, sources.period, sources.status, sources.raws)
    parts: list[tuple[str, list[Block]]] = [
        ("overview", _overview(ctx, sources.returns)),
        ("indicators", _indicators(ctx)),
    ]
    area_blocks = _areas(ctx, sources.areas)
    if area_blocks:
        parts.append(("areas", area_blocks))
    parts += [("tasks", _tasks(ctx)), ("returns", _returns_section(ctx, sources.returns)),
              ("next_steps", _next_steps(ctx, sources.findings))]
    sections = [Section(key, wording.section_number(i), wording.SECTION_TITLES[key], tuple(blocks))
                for i, (key, blocks) in enumerate(parts, start=1)]
    plans = sources.plans
    topics = [p.spec.bulletin.topic if p.spec.bulletin and p.spec.bulletin.topic
              else wording.fallback_topic(p.spec.document.title) for p in plans]
    return Bulletin(period=sources.period, as_of=sources.as_of, plans=[p.id for p in plans],
                    title=wording.title(sources.period, topics), doc_number=doc_number,
                    issuer=issuer or _issuer(catalog, plans[0]), date=wording.date_text(sources.as_of),
                    sections=sections, returns=sources.returns, findings=[f.key for f in sources.findings])


def _only(status: StatusReport, plans: set[str]) -> StatusReport:
    """``status`` reduced to ``plans`` (the dashboard of every plan holds some that owe nothing now)."""
    if all(p.plan in plans for p in status.plans):
        return status
    return StatusReport(
        as_of=status.as_of, plan=status.plan, agency=status.agency, plans=[p for p in status.plans if p.plan in plans],
        indicators=[r for r in status.indicators if r.plan in plans], tasks=[t for t in status.tasks if t.plan in plans],
        actions=[a for a in status.actions if a.plan in plans], returns_period=status.returns_period,
        returns=status.returns, returns_backlog=status.returns_backlog)


def _issuer(catalog: Catalog, plan: Plan) -> str:
    office = plan_schedule(catalog, plan).office
    if office is not None:
        found = AgencyIndex(catalog.agencies).resolve(office)
        if found.agency is not None:
            return found.agency.full_name
    return plan.spec.document.issuer


# --- refs and figures ------------------------------------------------------------------------


def _row_ref(row: IndicatorStatus, *path: str | dict[str, str]) -> Ref:
    return Ref("status", ("indicators", {"plan": row.plan, "id": row.id}, *path))


def _count(value: int, unit: str, ref: Ref) -> Figure:
    return Figure(float(value), str(value), unit, "value", (ref,))


@dataclass(frozen=True)
class _Target:
    """The target a row's completion is measured against: its value, where it is, how it is named."""

    value: float
    ref: Ref
    words: str
    year: int


def _target(row: IndicatorStatus) -> _Target | None:
    if row.period is None:
        return None
    if row.annual is not None:
        return _Target(row.annual, _row_ref(row, "annual"), wording.year_target(row.period.year, True),
                       row.period.year)
    if row.completion_target is None:
        return None
    for m in row.milestones:
        if m.period == row.completion_target:
            field = "value"
            if m.comparator == "range":
                field = "low" if row.direction == "increase" else "high"
            value = getattr(m, field)
            if value is None:
                return None
            return _Target(value, _row_ref(row, "milestones", {"period": str(m.period)}, field),
                           wording.year_target(m.period.year, False), m.period.year)
    return None


def _share(value: float, target: _Target, direction: str) -> float | None:
    """``value`` as a percentage of ``target`` (a decrease: target ÷ value)."""
    if direction == "increase":
        return value / target.value * 100 if target.value else None
    return target.value / value * 100 if value else None


@dataclass(frozen=True)
class _Measures:
    """The figures of one indicator row, each ``None`` where it is not known."""

    actual: Figure | None
    target: _Target | None
    completion: Figure | None
    pace: Figure | None
    gap: Figure | None
    yoy: Figure | None
    yoy_signed: Figure | None


def _measures(ctx: _Context, row: IndicatorStatus, own: bool) -> _Measures:
    """``own``: the figures of the bulletin's own sentence (the row is judged, not 无数据)."""
    actual = None
    if row.actual is not None and row.period is not None:
        # the figure judged is a point of the city series; its agency tells whose return's text to read
        agency = next((p.agency for p in reversed(row.history) if p.period == row.period), "")
        raw = ctx.raws.get((row.id, row.period, agency))
        actual = Figure(row.actual, wording.number_text(row.actual, raw), "", "value", (_row_ref(row, "actual"),))
    target = _target(row) if own else None
    completion = pace = gap = None
    inverse = row.direction != "increase"
    rule: Rule = "ratio_inverse" if inverse else "ratio"
    if target is not None and row.actual is not None:
        done = _share(row.actual, target, row.direction)
        if done is not None:
            completion = Figure(done, wording.percent_text(done), "%", rule, (_row_ref(row, "actual"), target.ref))
        due = _share(row.expected, target, row.direction) if row.expected is not None else None
        if (done is not None and due is not None and row.status in JUDGED and row.expected_period == row.period):
            pace = Figure(due, wording.percent_text(due), "%", rule, (_row_ref(row, "expected"), target.ref))
            points = wording.gap_points(completion.text if completion else "0", pace.text)
            gap = Figure(float(points), wording.percent_text(float(abs(points))), "个百分点",
                         "gap_inverse" if inverse else "gap",
                         (_row_ref(row, "actual"), _row_ref(row, "expected"), target.ref), signed=True)
    yoy = signed = None
    growth = _yoy(row)
    if growth is not None and own:
        value, field = growth
        shown = wording.reported_percent_text if field == "reported" else wording.percent_text
        ref = _row_ref(row, "yoy", field)
        yoy = Figure(value, shown(abs(value)), "%", "value", (ref,), signed=True)
        signed = Figure(value, shown(value), "%", "value", (ref,))
    return _Measures(actual, target, completion, pace, gap, yoy, signed)


def _yoy(row: IndicatorStatus) -> tuple[float, str] | None:
    """The row's 同比 (``yoy: {period, reported, computed}``, once rows carry it): reported, else computed."""
    yoy = getattr(row, "yoy", None)
    if yoy is None:
        return None
    for field in ("reported", "computed"):
        value = yoy.get(field) if isinstance(yoy, Mapping) else getattr(yoy, field, None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value), field
    return None


# --- 一、总体情况 ------------------------------------------------------------------------------


def _plan_name(plan: Plan) -> list[Part]:
    document = plan.spec.document
    return wording.plan_name(Quote(document.title), Quote(document.number))


def _overview(ctx: _Context, returns: list[ReturnLine]) -> list[Block]:
    plans = []
    for plan in ctx.plans:
        summary = next(s for s in ctx.status.plans if s.plan == plan.id)
        rows = [r for r in ctx.status.indicators if r.plan == plan.id]
        tasks = [t for t in ctx.status.tasks if t.plan == plan.id]
        statuses = [(label, _count(summary.counts[key], "项", Ref("status", ("plans", {"plan": plan.id}, "counts", key))))
                    for key, label in STATUS_LABELS.items() if summary.counts.get(key)]
        states = [(label, _count(n, "项", Ref("status", ("tasks", {"plan": plan.id, "status": s}))))
                  for s, label in wording.TASK_WORDS.items() if (n := sum(1 for t in tasks if t.status == s))]
        plans.append(wording.plan_overview(
            _plan_name(plan), _count(len(rows), "项", Ref("status", ("indicators", {"plan": plan.id}))) if rows else None,
            statuses, _count(len(tasks), "项", Ref("status", ("tasks", {"plan": plan.id}))) if tasks else None, states,
            ended=summary.ended))
    return [Paragraph(tuple(wording.overview(ctx.status.as_of, plans, _returns_overview(ctx, returns))))]


def _returns_overview(ctx: _Context, returns: list[ReturnLine]) -> list[Part]:
    """How many units owe a return, how many came on time, and — once every one is due — the on-time
    rate, as reports and the league count it: a back-fill (补录) is neither on time nor late and
    leaves the rate's denominator."""
    if not returns:
        return []
    owed, on_time = Ref("bulletin", ("returns",)), Ref("bulletin", ("returns", {"state": "on_time"}))
    backfill = Ref("bulletin", ("returns", {"state": "backfill"}))
    punctual = sum(1 for r in returns if r.state == "on_time")
    filled = sum(1 for r in returns if r.state == "backfill")
    counted = len(returns) - filled
    rate = None
    if counted and all(r.state in (*COUNTED, "rejected", "backfill") for r in returns):  # every one of them is due
        share = punctual / counted * 100
        rate = (Figure(share, wording.percent_text(share), "%", "ratio_rest", (on_time, owed, backfill)) if filled
                else Figure(share, wording.percent_text(share), "%", "ratio", (on_time, owed)))
    return wording.returns_overview(ctx.period, _count(len(returns), "家", owed), _count(punctual, "家", on_time),
                                    _count(filled, "家", backfill) if filled else None, rate)


# --- 二、主要指标完成情况 ----------------------------------------------------------------------


def _indicators(ctx: _Context) -> list[Block]:
    blocks: list[Block] = []
    several = len(ctx.plans) > 1
    for n, plan in enumerate(ctx.plans, start=1):
        rows = [r for r in ctx.status.indicators if r.plan == plan.id]
        if several:
            blocks.append(Subheading(wording.subsection_number(n),
                                     tuple(wording.plan_title(Quote(plan.spec.document.title)))))
        own = {p.indicator: p.lead for p in (plan.spec.bulletin.phrasing if plan.spec.bulletin else [])}
        silent = [r for r in rows if r.status == "no_data"]
        for row in rows:
            if row.status != "no_data" and row.actual is not None and row.period is not None:
                blocks.append(Paragraph(tuple(_sentence(ctx, row, own.get(row.id)))))
        if silent:
            names = [(Quote(r.name, _row_ref(r, "name")), Quote(o, _row_ref(r, "owner")) if (o := r.owner) else None)
                     for r in silent]
            count = _count(len(silent), "项", Ref("status", ("plans", {"plan": plan.id}, "counts", "no_data")))
            blocks.append(Paragraph(tuple(wording.no_data_sentence(count, names))))
        if rows:
            blocks.append(Table(wording.caption(ctx.table_number(), wording.plan_subject(plan.spec.short_name),
                                                wording.INDICATOR_HEADER[4:7]), wording.INDICATOR_HEADER,
                                tuple(_indicator_row(ctx, r, plan) for r in rows)))
    return blocks


def _sentence(ctx: _Context, row: IndicatorStatus, own: str | None) -> list[Part]:
    assert row.period is not None
    item = ctx.item(row)
    m = _measures(ctx, row, own=True)
    assert m.actual is not None
    amount = is_yearly_amount(item, row.period.year)
    figure = Figure(m.actual.value, m.actual.text, row.unit, m.actual.rule, m.actual.refs)
    template = wording.lead_template(row.kind, row.unit, amount, own)
    opening = wording.fill(template, wording.span(row.period, amount=amount, year=ctx.period.year),
                           Quote(row.name, _row_ref(row, "name")), figure)
    final = row.final_target
    verdict = wording.verdict_clause(row.status, row.final, final.period.year,
                                     Quote(final.text, _row_ref(row, "final_target", "text")))
    return wording.indicator_sentence(opening, m.yoy, m.completion, m.target.words if m.target else None, m.gap,
                                      m.pace, verdict)


def _indicator_row(ctx: _Context, row: IndicatorStatus, plan: Plan) -> tuple[Cell, ...]:
    m = _measures(ctx, row, own=row.status != "no_data")
    dash: Cell = (Words(wording.NOT_KNOWN),)
    final = row.final_target
    if m.target is not None:
        target: Cell = (Figure(m.target.value, wording.number_text(m.target.value), "", "value", (m.target.ref,)),
                        wording.in_cell(f"{m.target.year}年"))
    else:
        target = (Quote(final.text, _row_ref(row, "final_target", "text")), wording.in_cell(f"{final.period.year}年"))
    actual: Cell = dash
    if m.actual is not None and row.period is not None:
        actual = (m.actual,) if row.period == ctx.period else (m.actual, wording.in_cell(row.period.label()))
    label = wording.status_label(row.label, row.final and row.status in ("achieved", "missed"))
    owner = row.owner or _lead(plan, row.task)
    return (
        (Quote(row.name, _row_ref(row, "name")),), (Quote(row.unit, _row_ref(row, "unit")),), target, actual,
        _bare(m.completion), _bare(m.yoy_signed), _bare(m.pace), (Words(label),),
        (Quote(owner),) if owner else dash,
    )


def _bare(figure: Figure | None) -> Cell:
    """A percentage in a table cell: the header says %, the cell holds the number (or — when unknown)."""
    if figure is None:
        return (Words(wording.NOT_KNOWN),)
    return (Figure(figure.value, figure.text, "", figure.rule, figure.refs, figure.signed),)


def _lead(plan: Plan, task: int | None) -> str | None:
    spec = plan.task(task) if task is not None else None
    return spec.units[0] if spec is not None else None


# --- 三、各区、县（市）情况 ---------------------------------------------------------------------


def _areas(ctx: _Context, figures: Mapping[str, Sequence[AreaFigure]]) -> list[Block]:
    blocks: list[Block] = []
    done: set[str] = set()
    for row in ctx.status.indicators:
        if row.id in done or not figures.get(row.id):
            continue
        done.add(row.id)
        ranked = sorted((f for f in figures[row.id] if f.period.as_point() == ctx.period and f.value is not None
                         and f.rank is not None), key=lambda f: (f.rank or 0, f.area))
        if not ranked:
            continue
        item = ctx.item(row)
        amount = is_yearly_amount(item, ctx.period.year)
        blocks.append(Paragraph(tuple(_area_sentence(ctx, row, ranked, amount))))
        blocks.append(Table(wording.caption(ctx.table_number(), wording.area_subject(row.name, row.unit),
                                            wording.AREA_HEADER[3:]), wording.AREA_HEADER,
                            tuple(_area_row(row.id, f) for f in ranked)))
    return blocks


def _area_ref(indicator: str, area: str, field: str) -> Ref:
    return Ref("areas", (indicator, {"area": area}, field))


def _area_value(indicator: str, f: AreaFigure, unit: str) -> Figure:
    assert f.value is not None
    return Figure(f.value, wording.number_text(f.value), unit, "value", (_area_ref(indicator, f.area, "value"),))


def _area_growth(indicator: str, f: AreaFigure, *, signed: bool) -> Figure | None:
    for field, value in (("yoy_reported", f.yoy_reported), ("yoy_computed", f.yoy_computed)):
        if value is not None:
            shown = wording.reported_percent_text if field == "yoy_reported" else wording.percent_text
            return Figure(value, shown(abs(value) if signed else value), "%", "value",
                          (_area_ref(indicator, f.area, field),), signed=signed)
    return None


def _area_sentence(ctx: _Context, row: IndicatorStatus, ranked: list[AreaFigure], amount: bool) -> list[Part]:
    def area(f: AreaFigure) -> Quote:
        return Quote(f.area, _area_ref(row.id, f.area, "area"))

    def named(f: AreaFigure) -> list[Part]:
        return wording.area_figure(area(f), _area_value(row.id, f, row.unit))

    grown = sorted(((f, g) for f in ranked if (g := _area_growth(row.id, f, signed=True)) is not None),
                   key=lambda fg: -fg[1].value)
    fastest = slowest = None
    if len(ranked) > 1 and len(grown) > 1:
        fastest, slowest = (area(grown[0][0]), grown[0][1]), (area(grown[-1][0]), grown[-1][1])
    return wording.area_sentence(wording.span(ctx.period, amount=amount, year=ctx.period.year),
                                 Quote(row.name, _row_ref(row, "name")), named(ranked[0]),
                                 named(ranked[-1]) if len(ranked) > 1 else None, fastest, slowest)


def _area_row(indicator: str, f: AreaFigure) -> tuple[Cell, ...]:
    percent = f.share * 100 if f.share is not None else None  # a fraction, shown as a percentage
    share = (Figure(percent, wording.percent_text(percent), "", "percent", (_area_ref(indicator, f.area, "share"),))
             if percent is not None else None)
    return ((_count(f.rank or 0, "", _area_ref(indicator, f.area, "rank")),),
            (Quote(f.area, _area_ref(indicator, f.area, "area")),),
            (_area_value(indicator, f, ""),), _bare(_area_growth(indicator, f, signed=False)), _bare(share))


# --- 四、重点任务推进情况 ----------------------------------------------------------------------


def _tasks(ctx: _Context) -> list[Block]:
    blocks: list[Block] = []
    several = len(ctx.plans) > 1
    for n, plan in enumerate(ctx.plans, start=1):
        if several:
            blocks.append(Subheading(wording.subsection_number(n),
                                     tuple(wording.plan_title(Quote(plan.spec.document.title)))))
        actions = [a for a in ctx.status.actions if a.plan == plan.id]
        for i, action in enumerate(actions, start=1):
            ref = Ref("status", ("actions", {"plan": plan.id, "action": action.action}))
            states = [(label, _count(action.counts[s], "项", Ref(ref.doc, (*ref.path, "counts", s))))
                      for s, label in wording.TASK_WORDS.items() if action.counts.get(s)]
            late = [_late_task(t) for t in ctx.status.tasks
                    if t.plan == plan.id and t.action == action.action and t.status == "late"]
            parts = wording.task_group(Quote(action.title, Ref(ref.doc, (*ref.path, "title"))),
                                       _count(action.tasks, "项", Ref(ref.doc, (*ref.path, "tasks"))), states, late)
            blocks.append(Paragraph(tuple(parts), number=wording.item_number(i)))
    return blocks


def _task_ref(task: TaskStatus, field: str) -> Ref:
    return Ref("status", ("tasks", {"plan": task.plan, "number": str(task.number)}, field))


def _task_name(task: TaskStatus) -> list[Part]:
    return wording.task_name(Quote(str(task.number), _task_ref(task, "number")),
                             Quote(task.title, _task_ref(task, "title")))


def _late_task(task: TaskStatus) -> list[Part]:
    return wording.late_task(_task_name(task), Quote(task.lead, _task_ref(task, "lead")),
                             Quote(task.issues, _task_ref(task, "issues")) if task.issues.strip() else None)


# --- 五、报表报送情况 --------------------------------------------------------------------------


def _return_lines(catalog: Catalog, data: LedgerSnapshot, plans: Sequence[Plan], period: Period, as_of: dt.date,
                  plan: str | None) -> list[ReturnLine]:
    """Each unit owing a return for ``period`` under ``plans``, as its agency report has it."""
    agencies = list(dict.fromkeys(a for p in plans for a in plan_schedule(catalog, p).agencies))
    ids = {p.id for p in plans}
    lines = []
    for agency, returns in agency_returns(catalog, data, as_of, plan, agencies).items():
        entry = next((e for e in returns.entries if e.period == period and e.state != "unscheduled"), None)
        if entry is not None and ids.intersection(entry.plans):
            lines.append(ReturnLine(agency=agency, period=entry.period, due=entry.due, state=entry.state,
                                    label=entry.label, received=entry.received, days_late=entry.days_late,
                                    plans=list(entry.plans), covered_by=entry.covered_by))
    return lines


def _returns_section(ctx: _Context, returns: list[ReturnLine]) -> list[Block]:
    if not returns:
        return [Paragraph(tuple(wording.no_returns(ctx.period)))]
    groups = []
    for state in wording.RETURN_WORDS:
        chosen = [r for r in returns if r.state == state]
        # 补录 only when there is one; 尚未到报送期限 only with an as_of before the due date
        if chosen or state in COUNTED:
            groups.append((state, _count(len(chosen), "家", Ref("bulletin", ("returns", {"state": state}))),
                           [Quote(r.agency) for r in chosen]))
    owed = _count(len(returns), "家", Ref("bulletin", ("returns",)))
    # a missing return a later one of the same year made moot: still missed, no longer chased
    moot = [(Quote(r.agency), r.covered_by) for r in returns if r.state == "missing" and r.covered_by is not None]
    return [Paragraph(tuple(wording.returns_sentence(ctx.period, owed, groups, moot)))]


# --- 六、下步工作 ------------------------------------------------------------------------------


def _points_of(findings: Sequence[Finding], plans: set[str]) -> list[Finding]:
    """Findings that become items of 下步工作; one per thing and unit (a figure behind in two plans: once)."""
    seen: set[tuple[str, str, str | None]] = set()
    chosen = []
    for finding in findings:
        if finding.kind not in POINT_KINDS or finding.plan not in plans:
            continue
        key = (finding.kind, finding.subject, finding.agency)
        if key not in seen:
            seen.add(key)
            chosen.append(finding)
    return chosen


def _next_steps(ctx: _Context, findings: Sequence[Finding]) -> list[Block]:
    blocks: list[Block] = []
    for n, finding in enumerate(findings, start=1):
        kind, subject = _point_subject(ctx, finding)
        agency: Part = Quote(finding.agency) if finding.agency else Words(wording.NO_AGENCY)
        parts = wording.point(kind, agency, subject, finding.by)
        blocks.append(Paragraph(tuple(parts), role="point", finding=finding.key, number=wording.item_number(n)))
    if not blocks:
        blocks.append(Paragraph((Words(wording.NOTHING_BEHIND),)))
    blocks.append(Paragraph((Words(wording.PLACEHOLDER),), role="placeholder"))
    return blocks


def _point_subject(ctx: _Context, finding: Finding) -> tuple[str, list[Part]]:
    """What a finding is about, as words and quotes, and which kind of item it makes."""
    subject = finding.subject
    if subject.startswith("task:"):
        number, _, deliverable = subject.removeprefix("task:").partition("/")
        task = next(t for t in ctx.status.tasks if t.plan == finding.plan and t.number == int(number))
        if not deliverable:
            return "late_task", _task_name(task)
        plan = ctx.catalog.plan(finding.plan)
        spec = plan.task(task.number) if plan else None
        title = next((d.title for d in spec.deliverables if d.id == deliverable), deliverable) if spec else deliverable
        return "deliverable", wording.deliverable(_task_name(task), Quote(title))
    ident, _, period = subject.partition("@")
    row = ctx.rows[(finding.plan, ident)]
    name = Quote(row.name, _row_ref(row, "name"))
    if period:
        return "missed", wording.milestone(name, Period.parse(period))
    return finding.kind, [name]


__all__ = [
    "COUNTED", "JUDGED", "POINT_KINDS", "Scope", "Sources", "build_bulletin", "bulletin_plans", "bulletin_scope", "check_as_of",
    "compose", "default_as_of", "gather", "owes",
]
