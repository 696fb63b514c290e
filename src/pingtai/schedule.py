"""The reporting calendar: which periods' returns are owed, when they are due, who owes them.

Neither plan document fixes a reporting calendar; each plan file's ``schedule:`` states the
office's own rule (:class:`pingtai.catalog.Schedule`). This module turns it into dates — pure
functions, ``as_of`` always an argument:

- Returns are owed for every ``frequency`` period (quarterly by default) from the first period
  (``schedule.first``; default: the quarter in which the plan took effect — ``in_force``, else
  ``issued``) to the plan's horizon end. Periods are named as points (:meth:`Period.as_point`):
  a quarterly calendar owes ``2024Q1``, ``2024H1``, ``2024Q3``, ``2024``.
- A period's return is **due** ``due_days`` after the period ends, and **missing** once
  ``as_of`` is later than the due date plus ``grace_days``. With 20 days and no grace, the
  first-quarter return is due on 20 April: on 20 April it is not yet missing, on 21 April it is.
- An indicator is reported at the coarser of its own frequency and the calendar's: an annual
  indicator on a quarterly calendar is owed once a year, in the year-end return.
- The units owing returns are ``schedule.agencies``, else the leads of the plan's tasks that are
  single agencies (a group such as ``各区、县（市）政府`` owes nothing as such) and the owners of
  its indicators.

- ``schedule.by_indicator`` and ``schedule.by_agency`` override ``frequency``, ``due_days`` and
  ``grace_days`` for one indicator (annual figures due 60 days after year end) or one agency.
  :meth:`PlanSchedule.for_indicator` and :meth:`PlanSchedule.for_agency` give the calendar as it
  applies to them; the engine judges an indicator with its own, returns are owed by each agency's.
- Reminders (:func:`upcoming_returns`): returns not yet missing whose due date falls within a
  number of days, and not received.

Everything that judges dates goes through :class:`PlanSchedule`, so the overrides have one place
to land.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from pingtai.catalog import Frequency, Schedule
from pingtai.periods import Kind, Period, cached_attribute, period_for_date

if TYPE_CHECKING:
    from pingtai.catalog import Catalog, Plan

FREQUENCY_KINDS: dict[str, Kind] = {"monthly": "M", "quarterly": "Q", "half_yearly": "H", "annual": "Y"}
_COARSENESS = {"M": 0, "Q": 1, "H": 2, "Y": 3}


@dataclass(frozen=True)
class Rule:
    """An override of the calendar for one indicator or agency; ``None`` keeps the plan's value."""

    frequency: Frequency | None = None
    due_days: int | None = None
    grace_days: int | None = None


@dataclass(frozen=True)
class PlanSchedule:
    """A plan's calendar resolved against the plan: explicit first period, last period and agencies.

    ``last`` of ``None`` means open-ended (tools that judge a bare indicator without a plan file).
    ``indicator_rules`` / ``agency_rules`` are the overrides, applied by :meth:`for_indicator` /
    :meth:`for_agency`; ``escalate_days`` and ``office`` are read by :mod:`pingtai.checks`.
    """

    plan: str
    first: Period
    last: Period | None = None
    frequency: Frequency = "quarterly"
    due_days: int = 20
    grace_days: int = 0
    agencies: tuple[str, ...] = ()
    indicator_rules: tuple[tuple[str, Rule], ...] = ()
    agency_rules: tuple[tuple[str, Rule], ...] = ()
    escalate_days: int = 14
    office: str | None = None

    def for_indicator(self, indicator: str) -> PlanSchedule:
        """The calendar by which ``indicator``'s figures are owed (its override, if any, applied)."""
        if not self.indicator_rules:  # the usual case, asked for every indicator of the dashboard
            return self
        return self._with(dict(self.indicator_rules).get(indicator))

    def for_agency(self, agency: str) -> PlanSchedule:
        """The calendar by which ``agency``'s returns are owed (its override, if any, applied)."""
        return self._with(dict(self.agency_rules).get(agency))

    def _with(self, rule: Rule | None) -> PlanSchedule:
        if rule is None:
            return self
        return replace(self, frequency=rule.frequency or self.frequency,
                       due_days=self.due_days if rule.due_days is None else rule.due_days,
                       grace_days=self.grace_days if rule.grace_days is None else rule.grace_days,
                       indicator_rules=(), agency_rules=())

    def due_date(self, period: Period) -> date:
        """The day the return for ``period`` is due."""
        return period.end + self._due

    def missing_after(self, period: Period) -> date:
        """The last day on which the return for ``period`` is not yet missing (due date + grace)."""
        return period.end + self._due + self._grace

    def is_owed(self, period: Period, as_of: date) -> bool:
        """Whether, on ``as_of``, the return for ``period`` should have arrived."""
        return as_of > period.end + self._due + self._grace

    # The day counts as timedeltas, made once per calendar: the dashboard asks for due dates of every
    # milestone of every indicator.
    @cached_attribute
    def _due(self) -> timedelta:
        return timedelta(days=self.due_days)

    @cached_attribute
    def _grace(self) -> timedelta:
        return timedelta(days=self.grace_days)


@dataclass(frozen=True)
class DuePeriod:
    """A period whose return is owed, as a point, with its due date."""

    period: Period
    due: date


@dataclass(frozen=True)
class OutstandingReturn:
    """A return that should have arrived and has not: who, for which period, how late, for which plans.

    ``missing_since`` is the first day it counted as missing (the day after due date + grace).
    """

    agency: str
    period: Period
    due: date
    days_overdue: int
    plans: tuple[str, ...]
    missing_since: date | None = None


@dataclass(frozen=True)
class UpcomingReturn:
    """A return not received and not yet missing whose due date is near (``days_left`` < 0: in grace).

    ``missing_after`` is the last day before it counts as missing.
    """

    agency: str
    period: Period
    due: date
    days_left: int
    missing_after: date
    plans: tuple[str, ...]


class Received(Protocol):
    """What :func:`outstanding_returns` needs of a received return (``ledger.ReceivedReturn`` fits)."""

    @property
    def agency(self) -> str: ...

    @property
    def period(self) -> Period: ...


def reporting_kind(*frequencies: str) -> Kind:
    """The period kind values are reported at: the coarsest of the given frequencies."""
    kinds = [FREQUENCY_KINDS[f] for f in frequencies]
    return max(kinds, key=lambda k: _COARSENESS[k])


def default_first(plan: Plan) -> Period:
    """The quarter in which the plan took effect (``in_force``, else the issue date)."""
    document = plan.spec.document
    return period_for_date(document.in_force or document.issued, "Q")


def default_agencies(catalog: Catalog, plan: Plan) -> tuple[str, ...]:
    """Leads of the plan's tasks that are single agencies, then indicator owners, in that order."""
    known = {a.name for a in catalog.agencies.agencies}
    names = [t.lead for t in plan.tasks if t.lead in known]
    names += [i.indicator.owner for i in plan.indicators if i.indicator.owner in known]
    return tuple(dict.fromkeys(n for n in names if n is not None))


def plan_schedule(catalog: Catalog, plan: Plan) -> PlanSchedule:
    """Resolve ``plan.spec.schedule`` with its defaults (first period, last period, agencies)."""
    spec: Schedule = plan.spec.schedule
    return PlanSchedule(
        plan=plan.id, first=spec.first or default_first(plan), last=plan.spec.horizon.end,
        frequency=spec.frequency, due_days=spec.due_days, grace_days=spec.grace_days,
        agencies=tuple(spec.agencies) or default_agencies(catalog, plan),
        indicator_rules=tuple((r.indicator, Rule(r.frequency, r.due_days, r.grace_days)) for r in spec.by_indicator),
        agency_rules=tuple((r.agency, Rule(r.frequency, r.due_days, r.grace_days)) for r in spec.by_agency),
        escalate_days=spec.escalate_days, office=spec.office or default_office(plan),
    )


def default_office(plan: Plan) -> str | None:
    """The unit of the plan's leading-group office, when the plan file names one."""
    group = plan.spec.leading_group
    return group.office.unit if group is not None else None


def due_periods(schedule: PlanSchedule, as_of: date, frequency: str | None = None) -> list[DuePeriod]:
    """Every period (as a point) whose return is owed on ``as_of``, oldest first.

    ``frequency`` is an indicator's own frequency; the coarser of it and the calendar's wins.
    A period counts from ``schedule.first`` (a period whose end is not before the end of
    ``first``) up to ``schedule.last``; it is owed once :meth:`PlanSchedule.is_owed` says so.
    """
    owed: list[DuePeriod] = []
    for point in reporting_points(schedule, frequency):
        if not schedule.is_owed(point.period, as_of):
            break
        owed.append(point)
    return owed


def reporting_points(schedule: PlanSchedule, frequency: str | None = None) -> Iterator[DuePeriod]:
    """Every period (as a point) the calendar asks a return for, oldest first, owed or not yet.

    The same periods as :func:`due_periods` without the ``as_of`` cut: from ``schedule.first`` to
    ``schedule.last`` (endless when ``last`` is ``None`` — take what you need). Agency reports use
    it for the due date of a return received early and for the next return due.
    """
    kind = reporting_kind(schedule.frequency, frequency or schedule.frequency)
    period = period_for_date(schedule.first.end, kind)
    while schedule.last is None or period.end <= schedule.last.end:
        yield DuePeriod(period.as_point(), schedule.due_date(period))
        period = _next(period)


def next_due(schedule: PlanSchedule, as_of: date, frequency: str | None = None) -> DuePeriod | None:
    """The first period whose due date is on or after ``as_of`` (``None`` past the plan's end).

    The date by which whatever a check asks for can come back with the next return.
    """
    return next((p for p in reporting_points(schedule, frequency) if p.due >= as_of), None)


def latest_due_point(schedule: PlanSchedule, as_of: date, frequency: str | None = None) -> Period | None:
    """The latest point whose return is owed on ``as_of`` (``None`` when nothing is owed yet).

    With a quarterly calendar due 20 days after each quarter: on 2025-04-10 it is ``2024`` (the
    fourth quarter, stored as the year), on 2025-04-21 it is ``2025Q1``.
    """
    return _latest_due_point(schedule, as_of, frequency)


@functools.lru_cache(maxsize=1024)
def _latest_due_point(schedule: PlanSchedule, as_of: date, frequency: str | None) -> Period | None:
    # The dashboard asks this for every indicator of a plan, with the same calendar and date: walking
    # the calendar each time was a fifth of `status` on 2,000 indicators. Arguments are immutable.
    owed = due_periods(schedule, as_of, frequency)
    return owed[-1].period if owed else None


def outstanding_returns(catalog: Catalog, received: Iterable[Received], as_of: date,
                        schedules: Sequence[PlanSchedule] | None = None) -> list[OutstandingReturn]:
    """Returns owed on ``as_of`` and not received, one per agency and period, oldest first.

    One workbook from an agency for a period serves every plan, so the plans owing the same
    (agency, period) are merged; the earliest due date counts. A received return matches by the
    point of its period (a second-quarter return and a half-year return are the same point).
    """
    got = {(r.agency, r.period.as_point()) for r in received}
    owed: dict[tuple[str, Period], tuple[date, date, list[str]]] = {}
    # most agencies share their plan's calendar: walk each distinct calendar once, not once per agency
    calendars: dict[PlanSchedule, list[tuple[Period, date, date]]] = {}
    for schedule in schedules if schedules is not None else [plan_schedule(catalog, p) for p in catalog.plans]:
        for agency in schedule.agencies:
            own = schedule.for_agency(agency)
            dues = calendars.get(own)
            if dues is None:
                dues = calendars[own] = [(due.period, due.due, own.missing_after(due.period) + timedelta(days=1))
                                         for due in due_periods(own, as_of)]
            for period, due_on, since in dues:
                key = (agency, period)
                earliest, first_missing, plans = owed.get(key, (due_on, since, []))
                owed[key] = (min(earliest, due_on), min(first_missing, since), [*plans, schedule.plan])
    missing = [
        OutstandingReturn(agency, period, due, (as_of - due).days, tuple(plans), since)
        for (agency, period), (due, since, plans) in owed.items() if (agency, period) not in got
    ]
    return sorted(missing, key=lambda r: (r.period.sort_key(), r.agency))


def upcoming_returns(catalog: Catalog, received: Iterable[Received], as_of: date, days: int,
                     schedules: Sequence[PlanSchedule] | None = None) -> list[UpcomingReturn]:
    """Returns due within ``days`` of ``as_of`` (or past due but still in grace) and not received.

    One per agency and period, oldest first; plans owing the same return are merged (the earliest
    due date counts). A return already missing on ``as_of`` is :func:`outstanding_returns`' business.
    """
    got = {(r.agency, r.period.as_point()) for r in received}
    horizon = as_of + timedelta(days=days)
    near: dict[tuple[str, Period], tuple[date, date, list[str]]] = {}
    for schedule in schedules if schedules is not None else [plan_schedule(catalog, p) for p in catalog.plans]:
        for agency in schedule.agencies:
            own = schedule.for_agency(agency)
            for owed in reporting_points(own):
                point, due = owed.period, owed.due
                if due > horizon:
                    break
                if own.is_owed(point, as_of) or (agency, point) in got:
                    continue
                earliest, last_day, plans = near.get((agency, point), (due, own.missing_after(point), []))
                near[(agency, point)] = (min(earliest, due), min(last_day, own.missing_after(point)),
                                         [*plans, schedule.plan])
    upcoming = [UpcomingReturn(agency, period, due, (due - as_of).days, last_day, tuple(plans))
                for (agency, period), (due, last_day, plans) in near.items()]
    return sorted(upcoming, key=lambda r: (r.due, r.agency))


def _next(period: Period) -> Period:
    step = {"Y": 12, "H": 6, "Q": 3, "M": 1}[period.kind]
    month = period.last_month + step
    year = period.year + (month - 1) // 12
    return period_for_date(date(year, (month - 1) % 12 + 1, 1), period.kind)
