"""Findings for the scheduled check (``pingtai check``): what has gone wrong, who must act, by when.

Pure functions. The catalog, the ledger's current values, task lines and received returns and
``as_of`` go in; a :class:`CheckReport` comes out. Status and dates are not judged here a second
time: indicators and tasks come from :func:`pingtai.assess.build_status`, returns from
:mod:`pingtai.schedule`, data-quality warnings from the importer's own rules in
:mod:`pingtai.series`. ``docs/checks.md`` states the same rules.

Kinds (severity; the ``--fail-on`` levels that fail on it)

- ``off_track`` (error; off_track, at_risk): an indicator's status is 滞后.
- ``at_risk`` (warning; at_risk): its status is 预警.
- ``no_data`` (warning; at_risk): nothing reported for the latest period its calendar owes.
- ``stale`` (warning; at_risk): a value is reported, but older than the latest period owed.
  ``no_data`` and ``stale`` are left out where the owner's return for that period is itself
  overdue: the ``overdue_return`` finding names the indicators waiting on it.
- ``overdue_return`` (warning, error after ``escalate_days``; all levels): a return missing
  (past its due date + grace), one finding per agency and period.
- ``overdue_task`` (all levels): the latest judged milestone of an indicator was missed (error);
  a task deliverable whose ``due`` period's return is missing while the task is not 已完成
  (warning, error after ``escalate_days``); a task its lead reports 滞后 (warning).
- ``incomplete_return`` (warning; at_risk): a return received that leaves out figures its calendar
  asks for at that period, or lines of tasks its agency leads (until they come); the indicators it
  names raise no ``no_data``/``stale`` of their own.
- ``data_quality`` (error for a figure the import gate refuses — a likely unit slip, out of scale or
  range —, else warning; at_risk): the latest value of an agency's series for an area (the city's or
  an area's) judged by the rules of :mod:`pingtai.series` (a jump of 3× or a fall of half against its
  previous figure, a stock below its previous period, a reported growth more than a point from the
  computed one); not the figures ``import --accept`` let through. Also, for an additive indicator,
  a city figure that disagrees with the sum of its county-level areas beyond their rounding.
- Nothing is raised for a plan that has ended (:meth:`pingtai.schedule.PlanSchedule.ended`):
  ``pingtai status`` keeps its final verdicts.
- ``rejected_return`` (warning, error once its resubmission deadline has passed; all levels): a return
  sent back (``pingtai reject``) and not yet resubmitted, one finding per agency and period, with the
  reason and the deadline (:func:`pingtai.review.resubmit_by`: ``resubmit_days`` working days after the
  rejection). It stands in for that period's ``overdue_return``.
- ``return_due`` (info; never fails): with ``remind_days``, a return due within that many days
  (or past due, still in grace) not yet received.

A finding whose deadline — or, for data quality, whose period's end — lies more than
:data:`LOOKBACK_DAYS` before ``as_of`` is history: ``pingtai status`` still shows it, the check no
longer repeats it (an old gap would otherwise fail every run for ever).

Each finding has a stable ``key`` (``overdue_return:市商务局:2025Q1``) and a ``fingerprint`` of
what makes it *changed* (its severity, the value judged, the period): :func:`only_new` keeps the
findings whose key is new or whose fingerprint changed since the previous run.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, Literal

from pingtai.assess import IndicatorStatus, StatusReport, StoredTaskLike, StoredValueLike, TaskStatus, build_status
from pingtai.catalog import Catalog, Deliverable, Plan, Task
from pingtai.frozen import Record
from pingtai.periods import Period
from pingtai.records import ValueRecord
from pingtai.review import RESUBMIT_DAYS
from pingtai.schedule import (
    Obligations,
    OutstandingReturn,
    PlanSchedule,
    Received,
    UpcomingReturn,
    next_due,
    outstanding_returns,
    plan_schedule,
    upcoming_returns,
)
from pingtai.series import CITY, AreaRule, Figures, by_indicator, growth_gaps, judge, key_of, sum_message
from pingtai.views import plans_for

if TYPE_CHECKING:
    from pingtai.ledger import RejectedReturn

Kind = Literal["off_track", "at_risk", "no_data", "stale", "overdue_return", "rejected_return", "incomplete_return",
               "overdue_task", "data_quality", "return_due"]
Severity = Literal["info", "warning", "error"]
FailOn = Literal["at_risk", "off_track", "overdue"]
Change = Literal["new", "changed"]

KINDS: tuple[Kind, ...] = ("overdue_return", "rejected_return", "incomplete_return", "overdue_task", "off_track", "at_risk", "no_data",
                           "stale", "data_quality", "return_due")
"""Every kind, in the order a digest lists them within one agency and severity."""
KIND_LABELS: dict[str, str] = {
    "off_track": "进度滞后", "at_risk": "进度预警", "no_data": "数据未报", "stale": "数据过期",
    "overdue_return": "报表逾期", "rejected_return": "报表退回", "incomplete_return": "报表缺项", "overdue_task": "任务逾期", "data_quality": "数据存疑",
    "return_due": "报表将到期",
}
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "error")
"""Ascending."""
SEVERITY_LABELS: dict[str, str] = {"info": "提示", "warning": "警告", "error": "错误"}
FAIL_LEVELS: dict[str, frozenset[str]] = {
    "overdue": frozenset({"overdue_return", "rejected_return", "overdue_task"}),
    "off_track": frozenset({"overdue_return", "rejected_return", "overdue_task", "off_track"}),
    "at_risk": frozenset({"overdue_return", "rejected_return", "overdue_task", "off_track", "at_risk", "no_data", "stale",
                          "data_quality", "incomplete_return"}),
}
"""``--fail-on`` level → the kinds that make the check fail (exit 1). ``return_due`` never fails."""
LOOKBACK_DAYS = 366


@dataclass(frozen=True)
class Finding:
    """One thing that has gone wrong: what (``kind``, ``subject``), how bad, who must act, by when.

    ``subject`` is machine-readable (an indicator id, ``online_retail_sales@2025``, ``task:3``,
    ``task:3/deliverable_id``, ``return:2025Q1``); ``title`` says it in Chinese. ``plan`` is the
    plan it belongs to (for a return owed under several plans, the first; ``plans`` lists all).
    ``due`` is the deadline concerned, ``by`` the date by which to act (the agency's next return),
    ``None`` when there is none. ``change`` is set by :func:`only_new`.
    """

    kind: Kind
    severity: Severity
    plan: str
    subject: str
    agency: str | None
    message: str
    key: str
    fingerprint: str
    title: str
    label: str
    plans: tuple[str, ...]
    period: Period | None
    due: date | None
    by: date | None
    change: Change | None = None


class CheckReport(Record):
    """What ``pingtai check`` reports; ``check --json`` is this object serialised.

    ``findings`` are those reported (with ``new_only``: new or changed since run ``previous_run``,
    the others counted in ``unrepeated``); ``failed`` says whether one reaches ``fail_on``;
    ``counts`` counts the reported findings by severity.
    """

    as_of: date
    plan: str | None
    fail_on: FailOn
    failed: bool
    findings: list[Finding]
    counts: dict[str, int]
    new_only: bool = False
    unrepeated: int = 0
    run: int | None = None
    previous_run: bool = False


# --- the whole check -------------------------------------------------------------------------


def build_check(catalog: Catalog, values: Iterable[StoredValueLike], tasks: Iterable[StoredTaskLike],
                received: Iterable[Received], as_of: date, *, plan: str | None = None,
                remind_days: int | None = None, fail_on: FailOn = "off_track",
                accepted: Collection[tuple[int, str]] = (), status: StatusReport | None = None,
                rejected: Sequence[RejectedReturn] = (), resubmit_days: int = RESUBMIT_DAYS) -> CheckReport:
    """Every finding on ``as_of`` for every plan (or ``plan``: id, short name or document number).

    ``values``/``tasks``/``received`` are the ledger's current values, current task lines and
    received returns (``Ledger.current_values()`` …); ``accepted`` the ``(batch, cell)`` of the
    figures ``import --accept`` let through. ``remind_days`` adds ``return_due`` reminders.
    ``status`` is the dashboard of the same inputs, date and ``plan`` when the caller has built it
    already (the bulletin), so it is not judged twice. ``rejected`` are the returns sent back and not yet
    resubmitted (``Ledger.rejected_returns()``), due again ``resubmit_days`` working days after. Raises
    :class:`~pingtai.errors.UnknownNameError` for an unknown plan.
    """
    values, tasks, received = list(values), list(tasks), list(received)
    plans = plans_for(catalog, plan)
    every = {p.id: plan_schedule(catalog, p) for p in plans}
    if status is None:  # no finding names the observations a projection rests on: they are not listed
        status = build_status(catalog, values, tasks, received, as_of, plan=plan, used=False)
    # a plan that has ended (its last return past due) raises nothing more: status keeps its verdicts
    live = [p for p in plans if not every[p.id].ended(as_of)]
    schedules = {p.id: every[p.id] for p in live}
    outstanding = outstanding_returns(catalog, received, as_of, list(schedules.values()))
    waiting = _waiting_on_returns(status.indicators, outstanding, schedules)
    omissions = omitted(catalog, live, values, tasks, received, as_of, schedules)
    sent_back = rejected_findings(rejected, schedules, as_of, resubmit_days)
    replaced = {(f.agency, f.period) for f in sent_back}
    findings = [
        *sent_back,
        *(f for f in return_findings(outstanding, schedules, as_of, waiting) if (f.agency, f.period) not in replaced),
        *omission_findings(omissions, schedules, as_of),
        *indicator_findings(status.indicators, schedules, as_of, outstanding, omissions),
        *task_findings(live, status.tasks, schedules, as_of),
        *quality_findings(catalog, live, values, schedules, as_of, accepted),
    ]
    if remind_days is not None:
        findings += reminder_findings(upcoming_returns(catalog, received, as_of, remind_days,
                                                       list(schedules.values())))
    cutoff = as_of - timedelta(days=LOOKBACK_DAYS)
    kept = [f for f in findings if f.due is None or f.due >= cutoff]
    return report(as_of, plans[0].id if plan else None, fail_on, kept)


def report(as_of: date, plan: str | None, fail_on: FailOn, findings: Sequence[Finding], *, new_only: bool = False,
           unrepeated: int = 0, run: int | None = None, previous_run: bool = False) -> CheckReport:
    """A :class:`CheckReport` of ``findings`` sorted for reading, with ``failed`` and ``counts``."""
    ordered = sorted(findings, key=sort_key)
    counts: dict[str, int] = {s: sum(1 for f in ordered if f.severity == s) for s in SEVERITIES}
    return CheckReport(as_of=as_of, plan=plan, fail_on=fail_on, failed=fails(ordered, fail_on), findings=ordered,
                       counts=counts, new_only=new_only, unrepeated=unrepeated, run=run, previous_run=previous_run)


def fails(findings: Iterable[Finding], fail_on: FailOn) -> bool:
    """Whether any finding is of a kind the ``fail_on`` level fails on (:data:`FAIL_LEVELS`)."""
    kinds = FAIL_LEVELS[fail_on]
    return any(f.kind in kinds for f in findings)


def sort_key(finding: Finding) -> tuple[int, str, int, tuple[date, int], str]:
    """Most severe first, then by agency, kind (:data:`KINDS` order), period (oldest first) and key."""
    period = finding.period.sort_key() if finding.period else (date.min, 0)
    return (-SEVERITIES.index(finding.severity), finding.agency or "", KINDS.index(finding.kind), period, finding.key)


# --- new or changed since the last run --------------------------------------------------------


def classify(findings: Iterable[Finding], previous: Mapping[str, str] | None) -> tuple[list[Finding], int]:
    """Split ``findings`` against the previous run's ``key → fingerprint``.

    Returns the findings to report — each with ``change`` ``new`` (key not seen last time, or no
    previous run) or ``changed`` (fingerprint differs) — and how many were left out as unchanged.
    """
    reported: list[Finding] = []
    unchanged = 0
    for finding in findings:
        before = None if previous is None else previous.get(finding.key)
        if before is None:
            reported.append(replace(finding, change="new"))
        elif before != finding.fingerprint:
            reported.append(replace(finding, change="changed"))
        else:
            unchanged += 1
    return reported, unchanged


def only_new(check: CheckReport, previous: Mapping[str, str] | None, run: int | None = None) -> CheckReport:
    """``check`` reduced to what is new or changed since ``previous`` (see :func:`classify`).

    ``failed`` is judged again on the findings left: what was already reported unchanged does
    not fail the run a second time.
    """
    reported, unchanged = classify(check.findings, previous)
    return report(check.as_of, check.plan, check.fail_on, reported, new_only=True, unrepeated=unchanged, run=run,
                  previous_run=previous is not None)


def count_new(findings: Sequence[Finding]) -> Callable[[Mapping[str, str] | None], int]:
    """How many of ``findings`` a previous run leaves to report (for ``Ledger.record_check_run``)."""
    return lambda previous: len(classify(findings, previous)[0])


# --- returns ---------------------------------------------------------------------------------


def return_findings(outstanding: Sequence[OutstandingReturn], schedules: Mapping[str, PlanSchedule], as_of: date,
                    waiting: Mapping[tuple[str, Period], list[str]] | None = None) -> list[Finding]:
    """``overdue_return`` for each missing return (agency, period) under the plans in ``schedules``.

    Warning for the first ``escalate_days`` days it is missing (the strictest plan's), then error.
    ``waiting`` lists, per (agency, period), the indicators whose figures the return should bring.
    """
    findings = []
    for r in outstanding:
        plans = tuple(p for p in r.plans if p in schedules)
        if not plans:
            continue
        since = r.missing_since or r.due + timedelta(days=1)
        escalate = min(schedules[p].escalate_days for p in plans)
        severity = _escalated(since, escalate, as_of)
        names = (waiting or {}).get((r.agency, r.period), [])
        shown = "、".join(names[:5]) + (f"等{len(names)}项指标" if len(names) > 5 else "")
        message = (f"{r.period.label()}报表应于 {r.due} 前报送，已逾期 {r.days_overdue} 天：请{r.agency}立即报送"
                   + (f"（涉及{shown}）。" if names else "。"))
        findings.append(Finding(
            kind="overdue_return", severity=severity, plan=plans[0], subject=f"return:{r.period}",
            agency=r.agency, message=message, key=f"overdue_return:{r.agency}:{r.period}", fingerprint=severity,
            title=f"{r.period.label()}报表", label=KIND_LABELS["overdue_return"], plans=plans, period=r.period,
            due=r.due, by=None))
    return findings


def rejected_findings(rejected: Sequence[RejectedReturn], schedules: Mapping[str, PlanSchedule], as_of: date,
                      resubmit_days: int = RESUBMIT_DAYS) -> list[Finding]:
    """``rejected_return`` for each return sent back and not resubmitted whose unit owes returns under the
    plans in ``schedules``: the reason, and the deadline ``resubmit_days`` working days after the rejection
    (warning until then, error after)."""
    from pingtai.periods import office_day
    from pingtai.review import resubmit_by

    findings = []
    for r in rejected:
        plans = tuple(p for p, schedule in schedules.items() if r.agency in schedule.agencies)
        if not plans:
            continue
        deadline = resubmit_by(r.rejected_at, resubmit_days)
        severity: Severity = "error" if as_of > deadline else "warning"
        late = f"，已超过期限 {(as_of - deadline).days} 天" if as_of > deadline else ""
        message = (f"{r.period.label()}报表（{r.file}，批次 {r.batch}）已于 {office_day(r.rejected_at)} 被{r.by}退回：{r.reason}。"
                   f"请{r.agency}于 {deadline} 前修改后重新报送{late}。")
        findings.append(Finding(
            kind="rejected_return", severity=severity, plan=plans[0], subject=f"return:{r.period}", agency=r.agency,
            message=message, key=f"rejected_return:{r.agency}:{r.period}", fingerprint=f"{severity}|{r.batch}|{deadline}",
            title=f"{r.period.label()}报表", label=KIND_LABELS["rejected_return"], plans=plans, period=r.period,
            due=deadline, by=deadline))
    return findings


def reminder_findings(upcoming: Sequence[UpcomingReturn]) -> list[Finding]:
    """``return_due`` (info) for each return due soon and not received."""
    findings = []
    for r in upcoming:
        if r.days_left > 0:
            when = f"将于 {r.due} 截止（还有 {r.days_left} 天）"
        elif r.days_left == 0:
            when = f"今天（{r.due}）截止"
        else:
            when = f"已于 {r.due} 截止，宽限至 {r.missing_after}"
        findings.append(Finding(
            kind="return_due", severity="info", plan=r.plans[0], subject=f"return:{r.period}", agency=r.agency,
            message=f"{r.period.label()}报表{when}，尚未收到：请{r.agency}按时报送。",
            key=f"return_due:{r.agency}:{r.period}", fingerprint=f"info|{r.due}", title=f"{r.period.label()}报表",
            label=KIND_LABELS["return_due"], plans=r.plans, period=r.period, due=r.due, by=r.missing_after))
    return findings


# --- indicators ------------------------------------------------------------------------------


def indicator_findings(rows: Sequence[IndicatorStatus], schedules: Mapping[str, PlanSchedule], as_of: date,
                       outstanding: Sequence[OutstandingReturn] = (),
                       omissions: Sequence[Omission] = ()) -> list[Finding]:
    """``off_track``, ``at_risk``, ``no_data``, ``stale`` and missed milestones (``overdue_task``).

    ``rows`` are the dashboard rows of :func:`pingtai.assess.build_status`. A missed milestone is
    reported while it is the latest milestone judged; it then stands for the status of the same
    value (no second ``off_track``). ``no_data``/``stale`` are left out where ``outstanding`` holds
    the owner's return for the period owed, or where that return came without the figure
    (``omissions``: the ``incomplete_return`` finding names it); a figure missing for two plans is
    one finding (the first plan's key, ``plans`` naming both) — what is behind is judged per plan.
    """
    missing = {(r.agency, r.period) for r in outstanding}
    left_out = {(o.agency, o.period, ident) for o in omissions for ident in o.indicators}
    findings: list[Finding] = []
    unreported: dict[tuple[str, str, Period, str | None], int] = {}
    for row in rows:
        schedule = schedules.get(row.plan)
        if schedule is None:
            continue
        agency = row.owner or schedule.office
        by = _next_return(schedule, agency, as_of)
        judged = [m for m in row.milestones if m.judgement != "pending"]
        last = judged[-1] if judged else None
        if last is not None and last.judgement == "missed":
            findings.append(_missed(row, last.period, last.text, last.actual, last.due, agency, by))
        same_value_missed = last is not None and last.judgement == "missed" and last.period == row.period
        if row.status in ("off_track", "at_risk") and not same_value_missed:
            findings.append(_behind(row, agency, by))
        elif (row.status == "no_data" and row.latest_due is not None and (agency, row.latest_due) not in missing
              and (agency, row.latest_due, row.id) not in left_out):
            own = schedule.for_indicator(row.id)
            finding = _unreported(row, row.latest_due, own.due_date(row.latest_due), agency)
            same = (finding.kind, row.id, row.latest_due, agency)
            if same in unreported:
                held = findings[unreported[same]]
                findings[unreported[same]] = replace(held, plans=(*held.plans, row.plan))
            else:
                unreported[same] = len(findings)
                findings.append(finding)
    return findings


def _behind(row: IndicatorStatus, agency: str | None, by: date | None) -> Finding:
    kind: Kind = "off_track" if row.status == "off_track" else "at_risk"
    severity: Severity = "error" if kind == "off_track" else "warning"
    assert row.period is not None and row.actual is not None and row.expected is not None
    gap = (row.actual / row.expected - 1) if row.expected else None
    how = f"（差 {abs(gap):.1%}）" if gap is not None else ""
    actor = agency or "责任单位"
    if kind == "off_track":
        ask = f"进度滞后：请{actor}分析原因、提出赶超措施，{_by(by, '随下期报表报送')}。"
    else:
        ask = f"进度预警（容差 {row.tolerance:.0%} 内）：请{actor}关注，{_by(by, '随下期报表说明推进措施')}。"
    message = (f"{row.name}{row.period.label()}为 {_num(row.actual)} {row.unit}，低于应达值 {_num(row.expected)} "
               f"{row.unit}{how}，{ask}")
    return Finding(
        kind=kind, severity=severity, plan=row.plan, subject=row.id, agency=agency, message=message,
        key=f"{kind}:{row.plan}:{row.id}", fingerprint=f"{severity}|{row.period}|{_num(row.actual)}", title=row.name,
        label=KIND_LABELS[kind], plans=(row.plan,), period=row.period, due=None, by=by)


def _missed(row: IndicatorStatus, period: Period, text: str, actual: float | None, due: date, agency: str | None,
            by: date | None) -> Finding:
    actor = agency or "责任单位"
    shown = f"（实际 {_num(actual)} {row.unit}）" if actual is not None else ""
    message = (f"{row.name}{period.label()}目标“{text}”未达成{shown}：请{actor}说明原因、提出整改措施，"
               f"{_by(by, '随下期报表报送')}。")
    return Finding(
        kind="overdue_task", severity="error", plan=row.plan, subject=f"{row.id}@{period}", agency=agency,
        message=message, key=f"overdue_task:{row.plan}:{row.id}@{period}",
        fingerprint=f"error|{_num(actual) if actual is not None else ''}", title=f"{row.name}{period.label()}目标",
        label=KIND_LABELS["overdue_task"], plans=(row.plan,), period=period, due=due, by=by)


def _unreported(row: IndicatorStatus, owed: Period, due: date, agency: str | None) -> Finding:
    actor = agency or "责任单位"
    if row.period is None:
        kind: Kind = "no_data"
        message = f"{row.name}应报 {owed.label()}的数据（{due} 截止）尚未报送：请{actor}尽快补报。"
        fingerprint = f"warning|{owed}"
    else:
        kind = "stale"
        message = (f"{row.name}最新数据为 {row.period.label()}，应报至 {owed.label()}（{due} 截止）："
                   f"请{actor}尽快补报。")
        fingerprint = f"warning|{row.period}|{owed}"
    return Finding(
        kind=kind, severity="warning", plan=row.plan, subject=row.id, agency=agency, message=message,
        key=f"{kind}:{row.plan}:{row.id}", fingerprint=fingerprint, title=row.name, label=KIND_LABELS[kind],
        plans=(row.plan,), period=owed, due=due, by=None)


def _waiting_on_returns(rows: Sequence[IndicatorStatus], outstanding: Sequence[OutstandingReturn],
                        schedules: Mapping[str, PlanSchedule]) -> dict[tuple[str, Period], list[str]]:
    """Names of the indicators without data whose owner's return for the period owed is missing."""
    missing = {(r.agency, r.period) for r in outstanding}
    waiting: dict[tuple[str, Period], list[str]] = {}
    for row in rows:
        schedule = schedules.get(row.plan)
        agency = row.owner or (schedule.office if schedule else None)
        if row.status == "no_data" and row.latest_due is not None and (agency, row.latest_due) in missing:
            names = waiting.setdefault((agency or "", row.latest_due), [])
            if row.name not in names:
                names.append(row.name)
    return waiting


# --- returns that leave things out -------------------------------------------------------------


@dataclass(frozen=True)
class Omission:
    """A return received that leaves out figures (``indicators``: ids) or task lines it owes, and
    the day it was due (the earliest any of its ``plans`` sets)."""

    agency: str
    period: Period
    indicators: tuple[str, ...]
    names: tuple[str, ...]
    tasks: tuple[str, ...]
    plans: tuple[str, ...]
    due: date


def omitted(catalog: Catalog, plans: Sequence[Plan], values: Iterable[StoredValueLike],
            tasks: Iterable[StoredTaskLike], received: Iterable[Received], as_of: date,
            schedules: Mapping[str, PlanSchedule]) -> list[Omission]:
    """Returns received by ``as_of`` (not back-fills), due within :data:`LOOKBACK_DAYS`, that leave
    out what they owe under ``plans`` (``schedules`` their calendars): the figures their calendar asks
    for at that period (:func:`pingtai.schedule.return_contents`) and the lines of the tasks the agency
    leads — whatever file brought them, as long as no current figure or line is there for that
    agency and period."""
    wanted = {p.id for p in plans}
    cutoff = as_of - timedelta(days=LOOKBACK_DAYS)
    in_plans = {item.id for p in plans for item in p.indicators}
    figures = {(v.indicator, v.period.as_point(), v.agency) for v in values}
    lines = {(t.plan, t.task, t.period.as_point(), t.agency) for t in tasks}
    owes = Obligations(catalog)
    found: list[Omission] = []
    for r in received:
        point = r.period.as_point()
        if r.backfill or r.received > as_of:
            continue
        contents = owes.contents(r.agency, point)
        live = [p.id for p in contents.plans if p.id in wanted]
        if not live:
            continue
        due = min(schedules[p].for_agency(r.agency).due_date(point) for p in live)
        if due < cutoff:
            continue  # history (see LOOKBACK_DAYS): not worth working out
        blank = [i for i in contents.indicators if i.id in contents.owed and i.id in in_plans
                 and (i.id, point, r.agency) not in figures]
        blank_tasks = [f"{plan.spec.short_name}任务{task.number}" for plan, task in contents.tasks
                       if plan.id in wanted and (plan.id, task.number, point, r.agency) not in lines]
        if blank or blank_tasks:
            found.append(Omission(r.agency, point, tuple(i.id for i in blank), tuple(i.name for i in blank),
                                  tuple(blank_tasks), tuple(live), due))
    return found


def omission_findings(omissions: Sequence[Omission], schedules: Mapping[str, PlanSchedule],
                      as_of: date) -> list[Finding]:
    """``incomplete_return`` (warning) for each return that left out what it owes, until it comes."""
    findings = []
    for o in omissions:
        plans = tuple(p for p in o.plans if p in schedules)
        if not plans:
            continue
        by = _next_return(schedules[plans[0]], o.agency, as_of)
        parts = ([f"未填{'、'.join(o.names)}"] if o.names else []) + (
            [f"任务进展未填{'、'.join(o.tasks)}"] if o.tasks else [])
        message = (f"{o.period.label()}报表已收到，但{'；'.join(parts)}（仍按未报计）：请{o.agency}补报，"
                   f"{_by(by, '随下期报表报送', '尽快补报')}。")
        findings.append(Finding(
            kind="incomplete_return", severity="warning", plan=plans[0], subject=f"return:{o.period}",
            agency=o.agency, message=message, key=f"incomplete_return:{o.agency}:{o.period}",
            fingerprint=f"warning|{','.join(o.indicators)}|{','.join(o.tasks)}", title=f"{o.period.label()}报表缺项",
            label=KIND_LABELS["incomplete_return"], plans=plans, period=o.period, due=o.due, by=by))
    return findings


# --- tasks -----------------------------------------------------------------------------------


def task_findings(plans: Sequence[Plan], states: Sequence[TaskStatus], schedules: Mapping[str, PlanSchedule],
                  as_of: date) -> list[Finding]:
    """``overdue_task`` for deliverables past due while their task is not done, and for tasks
    their lead reports 滞后 (``states`` are :func:`pingtai.assess.build_status`'s task rows)."""
    by_task = {(s.plan, s.number): s for s in states}
    findings: list[Finding] = []
    for plan in plans:
        schedule = schedules.get(plan.id)
        if schedule is None:
            continue
        for task in plan.tasks:
            state = by_task.get((plan.id, task.number))
            if state is None:
                continue
            own = schedule.for_agency(task.lead)
            by = next_due(own, as_of)
            for deliverable in task.deliverables:
                if deliverable.due is not None and state.status != "done" and own.is_owed(deliverable.due, as_of):
                    findings.append(_overdue_deliverable(plan, task, deliverable, deliverable.due, state, own, as_of,
                                                         by.due if by else None))
            if state.status == "late":
                reported = own.due_date(state.period) if state.period else None
                findings.append(_late(plan, task, state, reported, by.due if by else None))
    return findings


def _overdue_deliverable(plan: Plan, task: Task, deliverable: Deliverable, due: Period, state: TaskStatus,
                         schedule: PlanSchedule, as_of: date, by: date | None) -> Finding:
    deadline = schedule.due_date(due)
    severity = _escalated(schedule.missing_after(due) + timedelta(days=1), schedule.escalate_days, as_of)
    now = state.label if state.status != "unreported" else "未报"
    message = (f"任务{task.number}“{task.title}”的“{deliverable.title}”应于 {due.label()}完成（{deadline} 前报告），"
               f"最新进展为“{now}”：请{task.lead}说明完成情况，{_by(by, '随下期报表报送')}。")
    return Finding(
        kind="overdue_task", severity=severity, plan=plan.id, subject=f"task:{task.number}/{deliverable.id}",
        agency=task.lead, message=message, key=f"overdue_task:{plan.id}:task{task.number}:{deliverable.id}",
        fingerprint=f"{severity}|{state.status}", title=f"任务{task.number} {deliverable.title}",
        label=KIND_LABELS["overdue_task"], plans=(plan.id,), period=due, due=deadline, by=by)


def _late(plan: Plan, task: Task, state: TaskStatus, reported: date | None, by: date | None) -> Finding:
    """``reported`` is the due date of the return that said 滞后: a year on, the report is history."""
    period = state.period.label() if state.period else ""
    issues = f"（存在问题：{state.issues}）" if state.issues else ""
    message = (f"任务{task.number}“{task.title}”{period}自报滞后{issues}：请{task.lead}提出赶进措施，"
               f"{_by(by, '随下期报表报送')}。")
    return Finding(
        kind="overdue_task", severity="warning", plan=plan.id, subject=f"task:{task.number}", agency=task.lead,
        message=message, key=f"overdue_task:{plan.id}:task{task.number}:late",
        fingerprint=f"warning|{state.period}", title=f"任务{task.number} {task.title}",
        label=KIND_LABELS["overdue_task"], plans=(plan.id,), period=state.period, due=reported, by=by)


# --- data quality ----------------------------------------------------------------------------


def quality_findings(catalog: Catalog, plans: Sequence[Plan], values: Iterable[StoredValueLike],
                     schedules: Mapping[str, PlanSchedule], as_of: date,
                     accepted: Collection[tuple[int, str]] = ()) -> list[Finding]:
    """``data_quality`` for the latest value of each (indicator, area, agency) series, judged by the rules
    of :mod:`pingtai.series` (the importer's) against the ledger's current values.

    A refusal (a likely unit slip, out of scale or range: in the ledger from before the gate, or a
    hand-made one) is an error; a jump or a fall, a reported growth more than
    :data:`~pingtai.series.GROWTH_GAP` points from the one last year's figure gives (``growth-gap``)
    and, for an additive indicator, a city figure that disagrees with the sum of its county-level
    areas at the latest point where both exist (``sum-mismatch``) are warnings. Only indicators of
    ``plans``, values for periods ended by ``as_of`` and within :data:`LOOKBACK_DAYS` of it, in the
    indicator's own unit; not the figures ``import --accept`` let through (``accepted``: ``(batch, cell)``).
    """
    in_plans: dict[str, list[str]] = {}
    for plan in plans:
        for item in plan.indicators:
            in_plans.setdefault(item.id, []).append(plan.id)
    values = [v for v in values if v.indicator in in_plans and v.unit == catalog.indicators[v.indicator].unit]
    # few distinct periods across many values: work each one out once
    points = {period: period.as_point() for period in {v.period for v in values}}
    ends = {period: period.end for period in points}
    order = {period: point.sort_key() for period, point in points.items()}
    current = [v for v in values if ends[v.period] <= as_of]
    latest: dict[tuple[str, str, str], StoredValueLike] = {}
    for v in current:
        held = latest.get((v.indicator, v.area, v.agency))
        if held is None or order[v.period] > order[held.period]:
            latest[(v.indicator, v.area, v.agency)] = v
    cutoff = as_of - timedelta(days=LOOKBACK_DAYS)
    let_through = set(accepted)
    judged = [v for v in latest.values() if ends[v.period] >= cutoff
              and (getattr(v, "batch", None), getattr(v, "where", None)) not in let_through]
    # ``where`` carries the index, so each problem finds its value whatever cells the files used
    records = [ValueRecord(indicator=v.indicator, period=points[v.period], agency=v.agency, value=v.value,
                           unit=v.unit, where=str(i), raw=f"{v.value:g}", below_unit=getattr(v, "below_unit", False),
                           area=v.area, growth=v.growth, last_year=v.last_year)
               for i, v in enumerate(judged)]
    keys = [key_of(v.indicator, points[v.period], v.agency, v.area) for v in judged]
    # the importer's state: the current values of the series judged
    series = {(v.indicator, v.area, v.agency) for v in judged}
    state = {key_of(v.indicator, points[v.period], v.agency, v.area): v
             for v in current if (v.indicator, v.area, v.agency) in series}
    findings = []
    for problem in [*judge(records, state, catalog, keys=keys), *growth_gaps(records, keys, state, catalog)]:
        v = judged[int(problem.where)]
        plan_ids = tuple(in_plans[v.indicator])
        point = points[v.period]
        name = catalog.indicators[v.indicator].name
        where = f"@{v.area}" if v.area != CITY else ""
        findings.append(_quality(problem.code, "error" if problem.severity == "error" else "warning",
                                 problem.message, f"{v.indicator}{where}:{v.agency}:{point}", v.indicator, point, v.agency,
                                 f"{name}（{v.area + '，' if v.area != CITY else ''}{point.label()}）", v.value, plan_ids,
                                 schedules, as_of))
    findings += _sum_findings(catalog, in_plans, current, schedules, as_of, cutoff)
    return findings


def _sum_findings(catalog: Catalog, in_plans: Mapping[str, list[str]], current: Sequence[StoredValueLike],
                  schedules: Mapping[str, PlanSchedule], as_of: date, cutoff: date) -> list[Finding]:
    """``sum-mismatch``: an additive indicator's city figure against the sum of its county-level areas, at
    the latest point (within the look-back) where both exist."""
    rule = AreaRule(catalog)
    findings = []
    for ident, group in by_indicator(v for v in current if v.indicator in in_plans).items():
        indicator = catalog.indicators[ident]
        if not rule.additive(indicator):
            continue
        figures = Figures(indicator, group, rule)
        checks = [found for month in sorted(figures.picked(CITY), reverse=True)
                  if (found := figures.sum_check(_point_at(month))) is not None]
        check = checks[0] if checks else None
        if check is None or not check.mismatch or check.period.end < cutoff:
            continue
        findings.append(_quality("sum-mismatch", "warning", sum_message(indicator.name, indicator.unit, check),
                                 f"{ident}:{check.period}", ident, check.period, check.agency,
                                 f"{indicator.name}（{check.period.label()}，全市与各区、县（市）合计）", check.city,
                                 tuple(in_plans[ident]), schedules, as_of))
    return findings


def _quality(code: str, severity: Severity, problem: str, key: str, indicator: str, point: Period, agency: str,
             title: str, value: float, plan_ids: tuple[str, ...], schedules: Mapping[str, PlanSchedule],
             as_of: date) -> Finding:
    by = _next_return(schedules[plan_ids[0]], agency, as_of)
    message = f"{problem}；如有误，请{agency}{'于 ' if by else ''}{_by(by, '报送更正后的报表', '尽快报送更正后的报表')}。"
    return Finding(
        kind="data_quality", severity=severity, plan=plan_ids[0], subject=f"{indicator}@{point}", agency=agency,
        message=message, key=f"data_quality:{code}:{key}", fingerprint=f"{severity}|{_num(value)}", title=title,
        label=KIND_LABELS["data_quality"], plans=plan_ids, period=point, due=None, by=by)


def _point_at(month: int) -> Period:
    return Period.ending_in_month((month - 1) // 12, (month - 1) % 12 + 1)


# --- helpers ---------------------------------------------------------------------------------


def _escalated(missing_since: date, escalate_days: int, as_of: date) -> Severity:
    """Warning for the first ``escalate_days`` days from ``missing_since`` (day 1), then error."""
    return "error" if (as_of - missing_since).days + 1 > escalate_days else "warning"


@functools.lru_cache(maxsize=4096)
def _next_return(schedule: PlanSchedule, agency: str | None, as_of: date) -> date | None:
    # asked for every finding of an agency, with the same calendar and date (arguments are immutable)
    own = schedule.for_agency(agency) if agency else schedule
    due = next_due(own, as_of)
    return due.due if due else None


def _by(by: date | None, what: str, otherwise: str = "尽快书面报告") -> str:
    """``2025-07-20 前随下期报表报送``; without a next return (the plan has ended) ``otherwise``."""
    return f"{by} 前{what}" if by else otherwise


def _num(value: float | None) -> str:
    """At most two decimals, no exponent: 1044.99, 1100, 0.5 — the dashboard's spelling (one rule for all)."""
    from pingtai.render.format import num

    return num(value)


__all__ = [
    "FAIL_LEVELS", "KINDS", "KIND_LABELS", "LOOKBACK_DAYS", "SEVERITIES", "SEVERITY_LABELS", "Change", "CheckReport",
    "FailOn", "Finding", "Kind", "Omission", "Severity", "build_check", "classify", "count_new", "fails",
    "indicator_findings", "omission_findings", "omitted", "only_new", "quality_findings", "reminder_findings",
    "report", "return_findings", "sort_key", "task_findings",
]
