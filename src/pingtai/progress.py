"""The progress engine: trajectories, expected values, per-plan status, milestones, projections.

Pure functions over a :class:`~pingtai.catalog.PlanIndicator` (one indicator as one plan sees
it), the city's reported values (:class:`Observation`, or anything with ``period``, ``value``
and ``agency`` such as ``ledger.StoredValue``) and the plan's reporting calendar
(:class:`~pingtai.schedule.PlanSchedule`). ``as_of`` is always an argument; nothing here reads
the clock, the ledger or the terminal. ``docs/progress.md`` states the same rules for readers.

Which value counts
    The engine judges the series it is given. Which figure is the city's at each period — the
    owner's, else the newest import, else the sum of the areas — is the rule of
    :mod:`pingtai.series`, applied before. Values for periods ending after ``as_of`` are ignored, so
    a back-dated ``--as-of`` does not see the future.

Time axis
    A period stands for its end; positions are counted in months (``year × 12 + last month``),
    so 2024 lies exactly half-way between 2023 and 2025 whatever leap days say.

Trajectory
    Points: the baseline and every non-recurring target, each at its period. A target's point is
    its value; a range (``1—2个``) uses the bound that first satisfies it (the low bound for an
    increase, the high bound for a decrease), so the path is the least the plan asks for.
    Between points the path is linear, or geometric where the indicator says
    ``interpolation: geometric`` (a segment touching a zero or negative value falls back to
    linear, and the trajectory says so). Before the first point there is no path; after the
    last point the final target holds.

Expected value at a period P
    ``stock``/``cumulative``: the path at P's end (method ``trajectory``). ``flow`` (reported
    year-to-date): the year's expected full-year value *A* (the path at the year's end, or the
    recurring target for that year); a full-year P expects *A* (``trajectory``); a part-year P
    expects *A* × last year's seasonal share when last year's same-point value and last year's
    full-year value are both known and the share lies in (0, 1] (``seasonal_share`` — share =
    YTD last year ÷ full year last year), else *A* × the share of the year elapsed
    (``linear_share``, ``Period.year_fraction``). A recurring target (``每年8项以上``) is an amount
    per year and is judged like a flow, whatever the indicator's kind.

Comparators (direction-aware: for a ``decrease`` indicator "better" means smaller)
    ``>=`` at least as good as the value (以上; 以下 for a decrease), ``>`` strictly better
    (超过/突破), ``=`` reached — the same as ``>=`` (达到; 全覆盖 = 100 %), ``~`` within ± band
    of the value (左右; band default 10 %), ``range`` low ≤ x ≤ high. Comparisons forgive a
    relative 1e-9 so that 1045 equals 1100 × 0.95.

Status of an indicator in a plan (:func:`assess`), first rule that applies
    1. After the final deadline — the final target's period has ended and its return is missing
       by the calendar — the judgement is final: ``achieved`` if the final milestone is met
       (for a recurring target: every year met), ``missed`` if not, ``no_data`` if unreported.
    2. ``no_data``: nothing reported, or the latest value is older than the latest period that
       should have been reported (:func:`pingtai.schedule.latest_due_point`). Never green; the
       latest actual and its period are still shown.
    3. ``achieved``: the latest value already meets the final target (stocks and cumulative
       counts at any period; a flow only within the target's year, for ``>=``/``>``/``=`` of an
       increase, since a year-to-date amount can only grow; never for recurring targets).
    4. ``no_baseline``: no path reaches the latest period (no baseline before the first target):
       completion against the target is shown instead.
    5. Against the expected value E with tolerance t (plan/indicator ``tolerance``, default 5 %):
       ``on_track`` if actual ≥ E, ``at_risk`` if actual ≥ E × (1 − t), else ``off_track``
       (for a decrease: ≤ E, ≤ E × (1 + t)).

Milestones
    Every target (each year of a recurring one) is judged on its own period's value (for a flow
    the full-year value): ``met``/``missed`` as soon as that value is in, ``no_data`` once its
    return is missing, ``pending`` before. A missed milestone stays missed whatever follows.

First quarters of a year
    A year-to-date flow's first two quarters (periods ending by June) judged by the share of the
    year elapsed (``linear_share``: no seasonal profile from an earlier year) are at most
    ``at_risk`` unless below 80 % of that pro-rata figure (:data:`EARLY_TOLERANCE`): the first
    months of a year are seasonally low, and nothing says how low.

Completion
    The actual judged ÷ the target it is judged against: the final target once the judgement is
    final or the final target is already met, else the first target whose period is not before
    the actual's period (for a flow, the first target in or after its year), else the final one;
    for a decrease, target ÷ actual. ``None`` (shown "—") when there is no data to judge
    (``no_data``), the target is zero, or the ratio is not a finite number.

Projection (:func:`project`)
    Only from at least :data:`MIN_TREND_POINTS` observations — the baseline and reported values,
    for flows full-year values only (a year-to-date figure is not annualised: seasonality would
    bias it) — spanning at least :data:`MIN_TREND_MONTHS` months; otherwise "数据不足" and no
    可达/难达. The method follows the kind of figure: counts, stocks and amounts — a straight line
    fitted by least squares (``linear``); percentages — the same line, bounded to 0–100
    (``linear_bounded``); compound growth (``cagr``, a least-squares fit of the logarithm) only
    where the plan states its target as a growth rate (``interpolation: geometric``) and every
    point is positive. The line is carried to the final target's period; the projection names
    its method and the points it used. No projection once the judgement is final (the plan's
    final deadline has passed), for a recurring final target (judged year by year), or when the
    figures are too large to fit. Its verdict (``reachable`` 可达 / ``unlikely`` 难达) is left out
    where it would contradict the status in the same line: 可达 beside 滞后 or 未达成, 难达 beside
    已达成 or 正常 — the status, judged against the plan's own path, stands.

Progress ratio (Open SDG)
    Actual CAGR from the baseline to the latest annual-equivalent value ÷ CAGR required from the
    baseline to the final target; ≥ 0.95 substantial, ≥ 0.6 moderate, ≥ 0 limited, < 0
    deterioration. Not available (with the reason) without a baseline, with a baseline ≤ 0, a
    latest value ≤ 0, fewer than two annual-equivalent values after the baseline, a final target
    equal to the baseline, a recurring final target, or figures too large to compute with. Like a
    projection's verdict, a category that would contradict the status is withheld (the ratio is
    kept, ``category`` null with the reason): no 显著进展 beside 滞后 or 未达成, no 倒退 beside 已达成 or 正常.

Every finite value gives a verdict: no figure the ledger can hold makes the engine raise.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from pingtai.catalog import PlanIndicator, Target
from pingtai.frozen import fast_init
from pingtai.periods import Period, last_ended_month
from pingtai.render.format import num, pct
from pingtai.schedule import PlanSchedule, latest_due_point

Status = Literal["achieved", "on_track", "at_risk", "off_track", "no_data", "no_baseline", "missed"]
Method = Literal["trajectory", "linear_share", "seasonal_share"]
Judgement = Literal["met", "missed", "no_data", "pending"]
Category = Literal["substantial", "moderate", "limited", "deterioration"]

STATUS_LABELS: dict[str, str] = {
    "achieved": "已达成", "on_track": "正常", "at_risk": "预警", "off_track": "滞后",
    "no_data": "无数据", "no_baseline": "无基线", "missed": "未达成",
}
"""Chinese labels of the statuses, in the order a dashboard lists them."""
JUDGEMENT_LABELS: dict[str, str] = {"met": "达成", "missed": "未达成", "no_data": "无数据", "pending": "未到期"}
METHOD_LABELS: dict[str, str] = {
    "trajectory": "按目标路径", "linear_share": "全年目标×时间进度", "seasonal_share": "全年目标×上年同期占比",
}
CATEGORY_LABELS: dict[str, str] = {
    "substantial": "显著进展", "moderate": "中等进展", "limited": "有限进展", "deterioration": "倒退",
}
DEFAULT_BAND = 0.10
_REL = 1e-9
EARLY_TOLERANCE = 0.20
"""A first-half flow judged pro rata (no seasonal profile) is 预警, not 滞后, down to 80 % of expected."""
MIN_TREND_POINTS = 3
"""Observations a projection needs (the baseline counts) …"""
MIN_TREND_MONTHS = 24
"""… spanning at least this many months."""
PROJECTION_METHOD_LABELS: dict[str, str] = {"linear": "线性趋势", "linear_bounded": "线性趋势（限于0—100%）",
                                            "cagr": "复合增长"}
VERDICT_LABELS: dict[str, str] = {"reachable": "可达", "unlikely": "难达"}


# --- observations ----------------------------------------------------------------------------


class ObservationLike(Protocol):
    """A reported value at a point: :class:`Observation` and ``ledger.StoredValue`` both fit."""

    @property
    def period(self) -> Period: ...

    @property
    def value(self) -> float: ...

    @property
    def agency(self) -> str: ...


class Recorded(ObservationLike, Protocol):
    """An observation that knows when it was imported (to pick the newest across agencies)."""

    @property
    def imported_at(self) -> datetime | None: ...


@fast_init
@dataclass(frozen=True)
class Observation:
    """A value reported for an indicator at a point (``period`` as :meth:`Period.as_point`)."""

    period: Period
    value: float
    agency: str = ""
    imported_at: datetime | None = None


_month_of = operator.attrgetter("period.months")  # key functions that run in C
_value_of = operator.attrgetter("value")


# --- comparisons -----------------------------------------------------------------------------


def _ge(a: float, b: float) -> bool:
    return a >= b or math.isclose(a, b, rel_tol=_REL, abs_tol=1e-12)


def at_least(actual: float, reference: float, direction: str) -> bool:
    """``actual`` is at least as good as ``reference`` (≥ for an increase, ≤ for a decrease)."""
    return _ge(actual, reference) if direction == "increase" else _ge(reference, actual)


def meets(target: Target, actual: float, direction: str) -> bool:
    """Whether ``actual`` satisfies ``target``'s comparator (see the module docstring)."""
    if target.comparator == "range":
        assert target.low is not None and target.high is not None
        return _ge(actual, target.low) and _ge(target.high, actual)
    assert target.value is not None
    if target.comparator == "~":
        band = DEFAULT_BAND if target.band is None else target.band
        return _ge(band * abs(target.value), abs(actual - target.value))
    if target.comparator == ">":
        better = actual > target.value if direction == "increase" else actual < target.value
        return better and not math.isclose(actual, target.value, rel_tol=_REL, abs_tol=1e-12)
    return at_least(actual, target.value, direction)  # ">=" and "="


# --- trajectories ----------------------------------------------------------------------------


def months(period: Period) -> int:
    """Position of ``period``'s end on the time axis, in months (:attr:`Period.months`)."""
    return period.months


@fast_init
@dataclass(frozen=True)
class PathPoint:
    """A point at its period: the baseline or a target (of a trajectory), or a reported value (of the
    trend a projection rests on)."""

    period: Period
    value: float
    source: Literal["baseline", "target", "reported"]


@fast_init
@dataclass(frozen=True)
class Trajectory:
    """The path through baseline and targets; :meth:`value_at` interpolates along it."""

    points: tuple[PathPoint, ...]
    interpolation: str = "linear"
    fallback: bool = False
    """Geometric interpolation was asked for but a segment touches a value ≤ 0 and is linear."""

    def value_at(self, period: Period) -> float | None:
        """The path's value at ``period``'s end; ``None`` before the first point."""
        if not self.points:
            return None
        t = period.months
        first, last = self.points[0], self.points[-1]
        if t < first.period.months:
            return None
        if t >= last.period.months:
            return last.value
        for a, b in zip(self.points, self.points[1:], strict=False):
            ta, tb = a.period.months, b.period.months
            if ta <= t <= tb:
                f = (t - ta) / (tb - ta)
                if self.interpolation == "geometric" and a.value > 0 and b.value > 0:
                    return float(a.value * (b.value / a.value) ** f)
                return a.value + (b.value - a.value) * f
        raise AssertionError("unreachable: points are sorted")  # pragma: no cover


def trajectory(item: PlanIndicator) -> Trajectory:
    """The path of ``item`` through its baseline and non-recurring targets."""
    direction = item.indicator.direction
    points: list[PathPoint] = []
    if item.baseline is not None:
        points.append(PathPoint(item.baseline.period, item.baseline.value, "baseline"))
    points += [PathPoint(t.period, t.path_value(direction), "target") for t in item.targets if not t.recurring]
    points.sort(key=_month_of)
    geometric = item.indicator.interpolation == "geometric"
    fallback = geometric and any(p.value <= 0 for p in points) and len(points) > 1
    return Trajectory(tuple(points), item.indicator.interpolation, fallback)


# --- expected values -------------------------------------------------------------------------


@fast_init
@dataclass(frozen=True)
class Expected:
    """What a period should show, how it was derived, and (for flows) the year's full value and share."""

    period: Period
    value: float
    method: Method
    annual: float | None = None
    share: float | None = None


def recurring_target(item: PlanIndicator, year: int) -> Target | None:
    """The recurring target covering ``year``, if any."""
    for t in item.targets:
        # t.years() spans the years first … period (both years): compare years, build no periods
        if t.first is not None and t.first.year <= year <= t.period.year:
            return t
    return None


def is_yearly_amount(item: PlanIndicator, year: int) -> bool:
    """Whether values of ``year`` are year-to-date amounts (a flow, or a year with a recurring target)."""
    return item.indicator.kind == "flow" or recurring_target(item, year) is not None


def annual_expected(item: PlanIndicator, year: int, path: Trajectory | None = None) -> float | None:
    """The full-year value expected for ``year``: its recurring target, else the path at year end."""
    recurring = recurring_target(item, year)
    if recurring is not None:
        return recurring.path_value(item.indicator.direction)
    return (path or trajectory(item)).value_at(Period(year))


Known = dict[int, float]
"""A city series as the engine reads it: value by the month of its point (:attr:`Period.months`);
a later value for the same point replaces an earlier one."""


def _known(history: Iterable[ObservationLike]) -> Known:
    return {o.period.months: o.value for o in history}


def expected_value(item: PlanIndicator, period: Period, history: Iterable[ObservationLike] = (),
                   path: Trajectory | None = None) -> Expected | None:
    """The value expected at ``period`` (see the module docstring); ``None`` where no path reaches it.

    ``history`` is the city series; it supplies last year's seasonal share for part-year flows.
    """
    return _expected(item, period, _known(history), path)


def _expected(item: PlanIndicator, period: Period, known: Known, path: Trajectory | None) -> Expected | None:
    period = period.as_point()
    path = path or trajectory(item)
    if not is_yearly_amount(item, period.year):
        value = path.value_at(period)
        return None if value is None else Expected(period, value, "trajectory")
    annual = annual_expected(item, period.year, path)
    if annual is None:
        return None
    if period.kind == "Y":
        return Expected(period, annual, "trajectory", annual, 1.0)
    # last year's same point and full year: 12 months back, and the December before this period
    same, full = known.get(period.months - 12), known.get(period.year * 12)
    if same is not None and full is not None and full > 0 and 0 < same / full <= 1:
        share = same / full
        return Expected(period, annual * share, "seasonal_share", annual, share)
    return Expected(period, annual * period.year_fraction, "linear_share", annual, period.year_fraction)


# --- milestones ------------------------------------------------------------------------------


@fast_init
@dataclass(frozen=True)
class Milestone:
    """One target (or one year of a recurring target) and its judgement on ``as_of``."""

    period: Period
    comparator: str
    value: float | None
    low: float | None
    high: float | None
    text: str
    source: str
    recurring: bool
    final: bool
    due: date
    actual: float | None
    judgement: Judgement


def milestones(item: PlanIndicator, history: Iterable[ObservationLike], as_of: date,
               schedule: PlanSchedule) -> list[Milestone]:
    """Every milestone of ``item`` in period order, each judged on its own period's value."""
    return _milestones(item, _known(history), as_of, schedule)


def _milestones(item: PlanIndicator, known: Known, as_of: date, schedule: PlanSchedule) -> list[Milestone]:
    final = item.final_target
    direction = item.indicator.direction
    out: list[Milestone] = []
    for target in item.targets:
        for period in target.years():
            point = period.as_point()
            actual = known.get(point.months)
            if actual is not None:
                judgement: Judgement = "met" if meets(target, actual, direction) else "missed"
            elif schedule.is_owed(point, as_of):
                judgement = "no_data"
            else:
                judgement = "pending"
            out.append(Milestone(
                period=point, comparator=target.comparator, value=target.value, low=target.low, high=target.high,
                text=target.text, source=target.source, recurring=target.recurring,
                final=target is final and period == final.period, due=schedule.due_date(point),
                actual=actual, judgement=judgement,
            ))
    return sorted(out, key=_month_of)  # milestones are at points: months order them as Period.__lt__ does


# --- projection and progress ratio -----------------------------------------------------------


@fast_init
@dataclass(frozen=True)
class Projection:
    """Where the reported trend leads by the final target's period.

    ``method`` is ``linear`` (``slope`` per year), ``linear_bounded`` (the same, kept within
    0–100 %) or ``cagr`` (``rate`` = compound annual growth); ``points`` is how many observations
    the trend rests on, ``used`` those observations (empty where the caller did not ask for them:
    the dashboard shows them only in ``status --json --history``), ``first``/``last`` the first and last of
    them. ``meets_target`` is whether the projected value meets the final target; ``verdict``
    (``reachable``/``unlikely``) says so where that does not contradict the status, else ``None``.
    """

    period: Period
    value: float
    method: Literal["linear", "linear_bounded", "cagr"]
    rate: float | None
    slope: float | None
    points: int
    first: Period
    last: Period
    meets_target: bool
    used: tuple[PathPoint, ...] = ()
    verdict: Literal["reachable", "unlikely"] | None = None

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.verdict] if self.verdict else ""


def annual_points(item: PlanIndicator, history: Iterable[ObservationLike]) -> list[tuple[Period, float]]:
    """Baseline and reported values usable for a trend, oldest first (flows: full years only).

    A reported value for the baseline's period takes the baseline's place.
    """
    return [(_point_at(at), value) for at, value in _trend(item, _known(history))]


Trend = list[tuple[int, float]]
""":func:`annual_points` with each point as its month (:attr:`Period.months`)."""


def _point_at(at: int) -> Period:
    """The point whose end is month ``at`` of the time axis (the inverse of :attr:`Period.months`)."""
    return Period.ending_in_month((at - 1) // 12, (at - 1) % 12 + 1)


def _trend(item: PlanIndicator, known: Known) -> Trend:
    points: dict[int, float] = {}
    if item.baseline is not None:
        points[item.baseline.period.months] = item.baseline.value
    if item.indicator.kind == "flow":  # every year's values are year-to-date: full years only
        points.update((at, value) for at, value in known.items() if at % 12 == 0)  # a December point is the year
    elif not any(t.recurring for t in item.targets):  # no year's values are amounts: every value
        points.update(known)
    else:
        yearly: dict[int, bool] = {}  # is_yearly_amount by year: a few years, many values
        for at, value in known.items():
            if at % 12:
                year = at // 12
                amount = yearly.get(year)
                if amount is None:
                    amount = yearly[year] = recurring_target(item, year) is not None
                if amount:
                    continue
            points[at] = value
    return sorted(points.items())


def project(item: PlanIndicator, history: Iterable[ObservationLike], *,
            points: list[tuple[Period, float]] | None = None) -> Projection | None:
    """Project the trend to the final target's period; ``None`` where the rules give none
    (:func:`projection_of` says why).

    ``points`` is :func:`annual_points` of ``item`` and ``history`` when the caller has it already.
    The verdict is the projection's own (no status to weigh it against).
    """
    trend = _trend(item, _known(history)) if points is None else [(p.months, v) for p, v in points]
    return projection_of(item, trend)[0]


def projection_of(item: PlanIndicator, trend: Trend, status: Status | None = None,
                  final: bool = False, *, used: bool = True) -> tuple[Projection | None, str]:
    """The projection of ``item`` from ``trend`` (:func:`annual_points` as months), or ``None`` and
    the reason (Chinese). ``status`` is the judgement its verdict must not contradict; ``final``
    that the judgement is final (no projection then); without ``used`` the projection does not list
    the observations it rests on (:attr:`Projection.used` empty; ``points`` still counts them)."""
    if final:
        return None, "最终目标期已截止，结论为最终结论，不再预测"
    if item.final_target.recurring:
        return None, "每年目标按年研判，不作趋势预测"
    if len(trend) < MIN_TREND_POINTS:
        return None, f"数据不足：可比数据仅 {len(trend)} 个（需至少 {MIN_TREND_POINTS} 个、跨越 2 年以上）"
    if trend[-1][0] - trend[0][0] < MIN_TREND_MONTHS:
        return None, f"数据不足：可比数据跨越不足 2 年（{_point_at(trend[0][0])}—{_point_at(trend[-1][0])}）"
    final_target = item.final_target
    horizon = final_target.period.months
    years = [(at - trend[0][0]) / 12 for at, _ in trend]
    values = [v for _, v in trend]
    method: Literal["linear", "linear_bounded", "cagr"]
    rate = slope = None
    if item.indicator.interpolation == "geometric" and all(v > 0 for v in values):
        fitted = _fit(years, [math.log(v) for v in values])
        if fitted is None:
            return None, "数值过大，无法拟合趋势"
        intercept, growth = fitted
        value = _exp(intercept + growth * (horizon - trend[0][0]) / 12)
        method, rate = "cagr", _expm1(growth)
    else:
        fitted = _fit(years, values)
        if fitted is None:
            return None, "数值过大，无法拟合趋势"
        intercept, slope = fitted
        value = intercept + slope * (horizon - trend[0][0]) / 12
        method = "linear"
        if item.indicator.unit == "%":
            value, method = min(max(value, 0.0), 100.0), "linear_bounded"
    if not math.isfinite(value) or (rate is not None and not math.isfinite(rate)):
        return None, "数值过大，无法预测"
    meets_target = meets(final_target, value, item.indicator.direction)
    verdict: Literal["reachable", "unlikely"] | None = "reachable" if meets_target else "unlikely"
    if (verdict == "reachable" and status in ("off_track", "missed")) or (
            verdict == "unlikely" and status in ("achieved", "on_track")):
        verdict = None  # the status, judged against the plan's own path, stands
    return Projection(final_target.period, value, method, rate, slope, len(trend), _point_at(trend[0][0]),
                      _point_at(trend[-1][0]), meets_target, _observations(item, trend) if used else (), verdict), ""


def _observations(item: PlanIndicator, trend: Trend) -> tuple[PathPoint, ...]:
    """The points of ``trend`` as a projection lists them, the baseline marked as such."""
    base = item.baseline
    return tuple(PathPoint(_point_at(at), v, "baseline" if base is not None and at == base.period.months
                           and v == base.value else "reported") for at, v in trend)


def _fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """Least-squares line ``y = a + b x`` through the points: ``(a, b)``, or ``None`` when the
    figures are too large for floating point. The values are scaled by their largest magnitude
    first, so that a fit of figures near the largest float does not overflow on the way."""
    scale = max(map(abs, ys), default=0.0) or 1.0
    if not math.isfinite(scale):
        return None
    scaled = [y / scale for y in ys]
    n = len(xs)
    mean_x, mean_y = math.fsum(xs) / n, math.fsum(scaled) / n
    apart = [x - mean_x for x in xs]  # each x's distance from the mean, taken once for both sums
    spread = math.fsum([d ** 2 for d in apart])
    if spread == 0:
        return None
    slope = math.fsum([d * (y - mean_y) for d, y in zip(apart, scaled, strict=True)]) / spread
    intercept, slope = (mean_y - slope * mean_x) * scale, slope * scale
    return (intercept, slope) if math.isfinite(intercept) and math.isfinite(slope) else None


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def _expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        return math.inf


def _power(base: float, exponent: float) -> float | None:
    """``base ** exponent`` for a positive base, ``None`` where it overflows or is not finite."""
    try:
        result = base ** exponent
    except (OverflowError, ZeroDivisionError):
        return None
    return result if isinstance(result, float) and math.isfinite(result) else None


@fast_init
@dataclass(frozen=True)
class ProgressRatio:
    """The Open SDG progress ratio, or why it is not available (``value`` ``None``, ``reason`` set)."""

    value: float | None
    category: Category | None = None
    actual_cagr: float | None = None
    required_cagr: float | None = None
    latest: Period | None = None
    reason: str = ""

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category] if self.category else "—"


def ratio_category(ratio: float) -> Category:
    """Open SDG's categories: ≥ 0.95 substantial, ≥ 0.6 moderate, ≥ 0 limited, < 0 deterioration."""
    if ratio >= 0.95:
        return "substantial"
    if ratio >= 0.6:
        return "moderate"
    if ratio >= 0:
        return "limited"
    return "deterioration"


def progress_ratio(item: PlanIndicator, history: Iterable[ObservationLike], *,
                   points: list[tuple[Period, float]] | None = None) -> ProgressRatio:
    """Actual CAGR since the baseline ÷ CAGR required to reach the final target (with guards).

    ``points`` is :func:`annual_points` of ``item`` and ``history`` when the caller has it already.
    """
    if points is not None:
        return _progress_ratio(item, lambda: [(p.months, v) for p, v in points])
    return _progress_ratio(item, lambda: _trend(item, _known(history)))


def _progress_ratio(item: PlanIndicator, trend: Callable[[], Trend]) -> ProgressRatio:
    final = item.final_target
    baseline = item.baseline
    if final.recurring:
        return ProgressRatio(None, reason="每年目标不适用进展比率")
    if baseline is None:
        return ProgressRatio(None, reason="无基期值，无法计算进展比率")
    if baseline.value <= 0:
        return ProgressRatio(None, reason=f"基期值为 {num(baseline.value)}，无法计算增长率")
    start = baseline.period.months
    points = trend()
    after = [p for p in points if p[0] > start]
    if len(after) < 2:  # one value after the baseline is a single step, not a rate to defend
        latest_seen = _point_at(after[-1][0]) if after else None
        return ProgressRatio(None, latest=latest_seen, reason="基期之后的年度可比实际值不足 2 个，无法计算进展比率")
    at, value = after[-1]  # the trend is in time order: its last point is the latest
    latest = _point_at(at)
    target = final.path_value(item.indicator.direction)
    if value <= 0 or target <= 0:
        return ProgressRatio(None, latest=latest, reason="实际值或目标值不为正，无法计算增长率")
    horizon = (final.period.months - start) / 12
    grown = _power(target / baseline.value, 1 / horizon) if horizon > 0 else None
    achieved = _power(value / baseline.value, 1 / ((at - start) / 12))
    if grown is None or achieved is None:
        return ProgressRatio(None, latest=latest, reason="数值过大，无法计算增长率")
    required, actual = grown - 1, achieved - 1
    if math.isclose(required, 0, abs_tol=1e-12):
        return ProgressRatio(None, latest=latest, reason="目标值等于基期值，所需增长率为 0")
    ratio = actual / required
    if not math.isfinite(ratio):
        return ProgressRatio(None, latest=latest, reason="数值过大，无法计算增长率")
    return ProgressRatio(ratio, ratio_category(ratio), actual, required, latest)


# --- the assessment --------------------------------------------------------------------------


@fast_init
@dataclass(frozen=True)
class Assessment:
    """Where one indicator stands in one plan on ``as_of``.

    ``period``/``actual`` are the value judged (the latest, or the final period's after the
    deadline; shown even when stale); ``expected`` what that period should show — for
    ``no_data`` the expectation at the latest period owed —; ``final`` is true once the
    deadline has passed; ``notes`` explain the judgement in Chinese.
    """

    plan: str
    indicator: str
    status: Status
    period: Period | None
    actual: float | None
    expected: Expected | None
    latest_due: Period | None
    final: bool
    tolerance: float
    completion: float | None
    completion_target: Period | None
    milestones: tuple[Milestone, ...]
    projection: Projection | None
    progress_ratio: ProgressRatio
    trajectory: Trajectory
    notes: tuple[str, ...]
    projection_reason: str = ""
    """Why there is no projection (empty when there is one)."""
    completion_value: float | None = None
    """The target value the completion is judged against (``completion_target`` its period)."""

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def next_milestone(self) -> Milestone | None:
        return next((m for m in self.milestones if m.judgement == "pending"), None)


def _beside(ratio: ProgressRatio, status: Status) -> ProgressRatio:
    """``ratio`` as shown beside ``status``: a category that contradicts it (显著进展 beside 滞后 or
    未达成, 倒退 beside 已达成 or 正常) is withheld, with why; the ratio itself is kept."""
    if (ratio.category == "substantial" and status in ("off_track", "missed")) or (
            ratio.category == "deterioration" and status in ("achieved", "on_track")):
        why = (f"按年均增长计为{CATEGORY_LABELS[ratio.category]}，与当前状态（{STATUS_LABELS[status]}）不一致，"
               "以状态为准")
        return ProgressRatio(ratio.value, None, ratio.actual_cagr, ratio.required_cagr, ratio.latest, why)
    return ratio


def completion(item: PlanIndicator, period: Period, actual: float, *,
               final: bool = False) -> tuple[float | None, Period, float]:
    """The actual judged against the target it is judged against (module docstring), that target's
    period, and the value its path aims at (:meth:`~pingtai.catalog.Target.path_value`). ``final``:
    judged against the final target (a final judgement, or the final target already met)."""
    target, chosen = completion_target(item, period, final=final)
    reference = target.path_value(item.indicator.direction)
    if item.indicator.direction == "increase":
        ratio = actual / reference if reference else None
    else:
        ratio = reference / actual if actual else None
    return (ratio if ratio is not None and math.isfinite(ratio) else None), chosen, reference


def completion_target(item: PlanIndicator, period: Period, *, final: bool = False) -> tuple[Target, Period]:
    """The target a value for ``period`` is completed against, and the period it is judged at."""
    if final:
        return item.final_target, item.final_target.period
    yearly = is_yearly_amount(item, period.year)
    ahead = [(p, t) for t in item.targets for p in t.years()
             if (p.year >= period.year if yearly else months(p) >= months(period))]
    if not ahead:
        return item.final_target, item.final_target.period
    chosen, target = min(ahead, key=lambda pt: months(pt[0]))
    return target, chosen


def compare(actual: float, expected: float, tolerance: float, direction: str) -> Status:
    """``on_track``, ``at_risk`` (within ``tolerance`` of ``expected``) or ``off_track``."""
    if at_least(actual, expected, direction):
        return "on_track"
    edge = expected * (1 - tolerance) if direction == "increase" else expected * (1 + tolerance)
    return "at_risk" if at_least(actual, edge, direction) else "off_track"


def _achieved_early(item: PlanIndicator, period: Period, actual: float) -> bool:
    final = item.final_target
    if final.recurring or not meets(final, actual, item.indicator.direction):
        return False
    if item.indicator.kind != "flow":
        return True
    if period.year != final.period.year:
        return False
    return period.kind == "Y" or (final.comparator in (">=", ">", "=") and item.indicator.direction == "increase")


def assess(item: PlanIndicator, history: Sequence[ObservationLike], as_of: date,
           schedule: PlanSchedule, *, used: bool = True) -> Assessment:
    """Judge ``item`` on ``as_of`` from the city series ``history`` (one value per point).

    ``schedule`` is the plan's calendar (:func:`pingtai.schedule.plan_schedule`), applied as it
    stands for this indicator (:meth:`~pingtai.schedule.PlanSchedule.for_indicator`); it says which
    period should have been reported and when each milestone's return is due. Values for periods
    that end after ``as_of`` are ignored. Without ``used`` the projection does not list its
    observations (:func:`projection_of`).
    """
    schedule = schedule.for_indicator(item.id)  # an indicator owed on its own calendar (schedule.by_indicator)
    path = trajectory(item)
    # A value for a period not yet ended on as_of cannot have been known then (a back-dated view).
    # Everything below reads the series by its points' months (Period.months): one pass keys it,
    # ints compare and hash in C — on a large ledger this loop runs for 2,000 indicators × 36 months.
    series = sorted(history, key=_month_of)  # stable: equal points keep their order
    if series and series[-1].period.months > last_ended_month(as_of):
        series = series[:bisect.bisect_right(series, last_ended_month(as_of), key=_month_of)]
    known: Known = dict(zip(map(_month_of, series), map(_value_of, series), strict=True))
    frequency = item.indicator.frequency
    due = latest_due_point(schedule, as_of, frequency)
    judged = _milestones(item, known, as_of, schedule)
    notes: list[str] = []
    if path.fallback:
        notes.append("几何插值遇到 0 或负值的区段按线性插值")
    latest = series[-1] if series else None
    period = latest.period.as_point() if latest else None
    actual = latest.value if latest else None
    final_point = item.final_target.period.as_point()
    is_final = schedule.is_owed(final_point, as_of)
    status: Status
    if is_final:
        finals = [m for m in judged if m.final or (m.recurring and item.final_target.recurring)]
        verdicts = {m.judgement for m in finals}
        status = "missed" if "missed" in verdicts else "no_data" if "no_data" in verdicts else "achieved"
        closing = next(m for m in judged if m.final)
        if closing.actual is not None:
            period, actual = closing.period, closing.actual
        expected = _expected(item, period or final_point, known, path)
        notes.append(f"最终目标期 {item.final_target.period} 已截止，结论为最终结论")
    elif latest is None or period is None or actual is None:
        status = "no_data"
        expected = _expected(item, due, known, path) if due else None
        notes.append(f"应报 {due} 的数据未报" if due else "尚无数据，也尚未到首个报送期")
    elif due is not None and period < due:
        status = "no_data"
        expected = _expected(item, due, known, path)
        notes.append(f"最新数据为 {period}，应报 {due} 的数据未报")
    elif _achieved_early(item, period, actual):
        status = "achieved"
        expected = _expected(item, period, known, path)
        notes.append(f"{period} 的数值已达到最终目标（{item.final_target.text}）")
    else:
        expected = _expected(item, period, known, path)
        if expected is None:
            status = "no_baseline"
            notes.append("无基期值、尚无可比的目标路径，按完成率显示")
        else:
            tolerance = item.tolerance
            if expected.method == "linear_share" and period.last_month <= 6:
                # the first months of a year are seasonally low, and no earlier year says how low
                tolerance = max(tolerance, EARLY_TOLERANCE)
                notes.append(f"无上年同期数据，{period.label()}按时间进度研判：低于应达值但不低于其 {1 - tolerance:.0%} "
                             "为预警，更低才为滞后")
            status = compare(actual, expected.value, tolerance, item.indicator.direction)
    if expected is not None and expected.method == "linear_share":
        notes.append(f"应达值 = 全年 {num(expected.annual)} × {pct(expected.share)}（{METHOD_LABELS[expected.method]}）")
    elif expected is not None and expected.method == "seasonal_share":
        last = expected.period.same_point_last_year()
        notes.append(f"应达值 = 全年 {num(expected.annual)} × {pct(expected.share)}（{METHOD_LABELS[expected.method]}："
                     f"{last.label()} ÷ {last.year}年全年）")
    judged_final = is_final or status == "achieved"
    done = towards = target_value = None
    if period is not None and actual is not None and status != "no_data":
        done, towards, target_value = completion(item, period, actual, final=judged_final)
    trend = _trend(item, known)  # shared by the projection and the progress ratio
    projection, why = projection_of(item, trend, status, is_final, used=used)
    return Assessment(
        plan=item.plan, indicator=item.id, status=status, period=period, actual=actual, expected=expected,
        latest_due=due, final=is_final, tolerance=item.tolerance, completion=done, completion_target=towards,
        milestones=tuple(judged), projection=projection,
        progress_ratio=_beside(_progress_ratio(item, lambda: trend), status),
        trajectory=path, notes=tuple(notes), projection_reason=why, completion_value=target_value,
    )


__all__ = [
    "CATEGORY_LABELS", "EARLY_TOLERANCE", "JUDGEMENT_LABELS", "METHOD_LABELS", "MIN_TREND_MONTHS", "MIN_TREND_POINTS",
    "PROJECTION_METHOD_LABELS", "STATUS_LABELS", "VERDICT_LABELS", "Assessment", "Expected", "Milestone",
    "Observation", "ObservationLike", "PathPoint", "ProgressRatio", "Projection", "Recorded", "Trajectory",
    "annual_expected", "annual_points", "assess", "at_least", "compare", "completion",
    "completion_target", "expected_value", "meets", "milestones", "months", "progress_ratio",
    "project", "projection_of", "ratio_category", "recurring_target", "trajectory",
]
