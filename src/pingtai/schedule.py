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
- A return counts as received on its receipt day (``import --received``, else the date the
  return carries, else the import day): on an ``as_of`` before that day it was still outstanding.
  A back-fill (``import --backfill``) counts as received whatever its day: it records history.
- A later return of the same agency in the same year ends the chase for its earlier missing
  returns (:func:`covering_return`: the 2024 year-end return carries everything 2024H1 and 2024Q3
  would have): they are no longer outstanding, though still missed in the rates.
- A plan has **ended** (:meth:`PlanSchedule.ended`) once its horizon is over and its last return
  is missing by the calendar: nothing is owed or chased under it any more.

Everything that judges dates goes through :class:`PlanSchedule`, so the overrides have one place
to land.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from pingtai.catalog import Frequency, Schedule
from pingtai.frozen import Record
from pingtai.periods import Kind, Period, cached_attribute, period_for_date

if TYPE_CHECKING:
    from pingtai.catalog import Catalog, Indicator, Plan, Task

FREQUENCY_KINDS: dict[str, Kind] = {"monthly": "M", "quarterly": "Q", "half_yearly": "H", "annual": "Y"}
_COARSENESS = {"M": 0, "Q": 1, "H": 2, "Y": 3}


class Rule(Record):
    """An override of the calendar for one indicator or agency; ``None`` keeps the plan's value."""

    frequency: Frequency | None = None
    due_days: int | None = None
    grace_days: int | None = None


class PlanSchedule(Record):
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
        return self.replace(frequency=rule.frequency or self.frequency,
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

    def ended(self, as_of: date) -> bool:
        """Whether, on ``as_of``, the plan is over: its horizon has ended and its last return is past
        due (plus grace). ``False`` for an open-ended calendar."""
        return self.last is not None and self.is_owed(self.last.as_point(), as_of)

    def covers(self, period: Period) -> bool:
        """Whether ``period`` lies within the calendar (from ``first`` to ``last``, by their ends)."""
        end = period.end
        return self.first.end <= end and (self.last is None or end <= self.last.end)

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


class OutstandingReturn(Record):
    """A return that should have arrived and has not: who, for which period, how late, for which plans.

    ``missing_since`` is the first day it counted as missing (the day after due date + grace).
    """

    agency: str
    period: Period
    due: date
    days_overdue: int
    plans: tuple[str, ...]
    missing_since: date | None = None


class UpcomingReturn(Record):
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
    """A received return (``ledger.ReceivedReturn`` fits): who, for which period, the day it counts
    as received and where that day comes from (``source``), whether it is a back-fill, when it was
    imported and by which batch."""

    @property
    def agency(self) -> str: ...

    @property
    def period(self) -> Period: ...

    @property
    def received(self) -> date: ...

    @property
    def backfill(self) -> bool: ...

    @property
    def source(self) -> str: ...

    @property
    def received_at(self) -> datetime: ...

    @property
    def batch(self) -> int: ...


ReceiptState = Literal["on_time", "late", "backfill"]


def receipt_state(receipt: Received, last_day: date) -> ReceiptState:
    """How a received return stands against the last day it was not yet missing (due + grace): a
    back-fill is neither on time nor late."""
    if receipt.backfill:
        return "backfill"
    return "on_time" if receipt.received <= last_day else "late"


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


def received_by(received: Iterable[Received], as_of: date) -> dict[str, set[Period]]:
    """The points each agency's returns had been received for on ``as_of`` (receipt day not after it;
    a back-fill whatever its day: it records history, not a return that arrived)."""
    got: dict[str, set[Period]] = {}
    for r in received:
        if r.backfill or r.received <= as_of:
            got.setdefault(r.agency, set()).add(r.period.as_point())
    return got


def covering_return(period: Period, points: Iterable[Period]) -> Period | None:
    """The latest of ``points`` (an agency's returns received) in ``period``'s year after it, if any:
    the return that makes a missing return for ``period`` moot (its year-to-date figures and its
    stocks carry the later state)."""
    later = [p for p in points if p.year == period.year and p.months > period.months]
    return max(later, key=lambda p: p.months) if later else None


def outstanding_returns(catalog: Catalog, received: Iterable[Received], as_of: date,
                        schedules: Sequence[PlanSchedule] | None = None) -> list[OutstandingReturn]:
    """Returns owed on ``as_of`` and not received, one per agency and period, oldest first.

    One workbook from an agency for a period serves every plan, so the plans owing the same
    (agency, period) are merged; the earliest due date counts. A received return matches by the
    point of its period (a second-quarter return and a half-year return are the same point) and
    counts from its receipt day. Not listed: returns made moot by a later return of the same
    agency in the same year (:func:`covering_return`), and anything owed only under a plan that
    has ended (:meth:`PlanSchedule.ended`).
    """
    by_agency = received_by(received, as_of)
    got = {(agency, point) for agency, points in by_agency.items() for point in points}
    owed: dict[tuple[str, Period], tuple[date, date, list[str]]] = {}
    # most agencies share their plan's calendar: walk each distinct calendar once, not once per agency
    calendars: dict[PlanSchedule, list[tuple[Period, date, date]]] = {}
    for schedule in schedules if schedules is not None else [plan_schedule(catalog, p) for p in catalog.plans]:
        if schedule.ended(as_of):
            continue
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
        for (agency, period), (due, since, plans) in owed.items()
        if (agency, period) not in got and covering_return(period, by_agency.get(agency, ())) is None
    ]
    return sorted(missing, key=lambda r: (r.period.sort_key(), r.agency))


def upcoming_returns(catalog: Catalog, received: Iterable[Received], as_of: date, days: int,
                     schedules: Sequence[PlanSchedule] | None = None) -> list[UpcomingReturn]:
    """Returns due within ``days`` of ``as_of`` (or past due but still in grace) and not received.

    One per agency and period, oldest first; plans owing the same return are merged (the earliest
    due date counts). A return already missing on ``as_of`` is :func:`outstanding_returns`' business.
    """
    got = {(agency, point) for agency, points in received_by(received, as_of).items() for point in points}
    horizon = as_of + timedelta(days=days)
    near: dict[tuple[str, Period], tuple[date, date, list[str]]] = {}
    for schedule in schedules if schedules is not None else [plan_schedule(catalog, p) for p in catalog.plans]:
        if schedule.ended(as_of):
            continue
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


@dataclass(frozen=True)
class ReturnContents:
    """What ``agency``'s return for ``period`` lists: the plans whose calendar covers the period, the
    indicators it owns or that are linked to a task it leads in them (plan order), which of those are
    owed at this period (``owed``: by their reporting frequency — an annual figure only at year end),
    and the tasks it leads in them."""

    agency: str
    period: Period
    plans: tuple[Plan, ...]
    indicators: tuple[Indicator, ...]
    owed: frozenset[str]
    tasks: tuple[tuple[Plan, Task], ...]


def return_contents(catalog: Catalog, agency: str, period: Period) -> ReturnContents:
    """What ``agency`` (canonical name) reports for ``period`` (see :class:`ReturnContents`).

    A plan covers a period from its first period owed to its horizon end: after a plan has ended,
    its tasks and indicators are no longer in any return (5号's end in 2024 takes its tasks out of
    2025 templates). For many returns of one catalog, :class:`Obligations` works each agency's
    part out once.
    """
    return Obligations(catalog).contents(agency, period)


class Obligations:
    """What each agency's returns list under a catalog: for each plan, the tasks the agency leads
    (directly or through a group) and the indicators it owns or that are linked to them, each with
    the period kind it is reported at — worked out once per agency, then narrowed per period."""

    def __init__(self, catalog: Catalog) -> None:
        from pingtai.agencies import AgencyIndex

        self._index = AgencyIndex(catalog.agencies)
        self._plans = [(plan, plan_schedule(catalog, plan)) for plan in catalog.plans]
        self._agencies: dict[str, list[tuple[Plan, PlanSchedule, list[Task], list[tuple[Indicator, Kind]]]]] = {}

    def _part(self, agency: str) -> list[tuple[Plan, PlanSchedule, list[Task], list[tuple[Indicator, Kind]]]]:
        part = self._agencies.get(agency)
        if part is None:
            part = []
            for plan, schedule in self._plans:
                led = [t for t in plan.tasks if self._index.covers(t.lead, agency)]
                numbers = {t.number for t in led}
                items = [(item.indicator, reporting_kind(schedule.for_indicator(item.id).frequency,
                                                         item.indicator.frequency))
                         for item in plan.indicators if item.indicator.owner == agency or item.task in numbers]
                part.append((plan, schedule, led, items))
            self._agencies[agency] = part
        return part

    def contents(self, agency: str, period: Period) -> ReturnContents:
        """What ``agency``'s return for ``period`` lists (see :class:`ReturnContents`)."""
        point = period.as_point()
        plans: list[Plan] = []
        indicators: dict[str, Indicator] = {}
        owed: set[str] = set()
        tasks: list[tuple[Plan, Task]] = []
        for plan, schedule, led, items in self._part(agency):
            if not schedule.covers(point):
                continue
            plans.append(plan)
            tasks += [(plan, t) for t in led]
            for indicator, kind in items:
                indicators.setdefault(indicator.id, indicator)
                if period_for_date(point.end, kind).end == point.end:  # reported at this point
                    owed.add(indicator.id)
        return ReturnContents(agency, period, tuple(plans), tuple(indicators.values()), frozenset(owed), tuple(tasks))


def _next(period: Period) -> Period:
    step = {"Y": 12, "H": 6, "Q": 3, "M": 1}[period.kind]
    month = period.last_month + step
    year = period.year + (month - 1) // 12
    return period_for_date(date(year, (month - 1) % 12 + 1, 1), period.kind)
