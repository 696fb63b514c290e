"""The rules of a reporting unit's series: what each figure is compared with, and what it may be.

One figure is one value of an indicator for a period from an agency. Before it goes into the
ledger — and again when ``pingtai check`` looks at what the ledger holds — it is judged against:

Its reference (:func:`reference`), the best figure available to compare it with
    1. the same agency's previous figure for the indicator: for a flow (reported year-to-date)
       the same point last year, for a stock or a cumulative count the latest earlier point;
    2. else, for the indicator's owner — whose figure is the city's, the one the plans' baseline
       and targets are about — the indicator's baseline (the first plan that states one);
    3. else, for the owner, the target nearest in time to the figure's period (any plan's).
    Another agency's figure (a district's share of the city) has only its own earlier figures to
    go by. A baseline or target is a full year's amount: a part-year flow is compared with its
    share of the year elapsed (H1 → 50 %). A reference of zero or less cannot be compared with and
    the next one is tried.

Limits (:data:`MAX_VALUE`), refused whatever the reference
    A figure that is not finite, negative, above 10¹² in the indicator's unit, or — for an
    indicator in % (a share) — above 100.

Scale against the reference, refused unless let through (``import --accept``)
    * ``unit-slip``: the ratio figure ÷ reference is within a factor of :data:`SLIP_TOLERANCE` of
      a ratio a unit slip produces — a figure typed in 万元 into an 亿元 row is 10,000 times too
      large, a share typed as a fraction (0.6 for 60 %) 100 times too small. Only ratios of 10,
      100, 1,000 or 10,000 (or their inverse) count, and only in the direction the indicator's
      unit family allows (元/千元/万元/百万元/亿元; 个/万个 and the other count nouns; % vs fraction).
    * ``out-of-scale``: otherwise a figure at least :data:`REFUSE_RATIO` times, or at most
      1/:data:`REFUSE_RATIO`, of the reference.
    A zero (and ``…``, below the smallest unit) is never a unit slip: no unit turns 57 into 0.

Warnings, accepted and listed (``pingtai check`` keeps them as findings while they are the
latest figure of their series)
    * ``jump``: against the agency's own previous figure (1. above), a ratio of at least
      :data:`JUMP_RATIO` or at most :data:`FALL_RATIO` (a fall of half or more).
    * ``decrease``: a stock or cumulative count below the agency's previous period (a count of
      platforms or registrations does not usually fall).

Figures are keyed by :class:`ValueKey` — ``(indicator, period, agency)``, the period as the point
the ledger stores — here and nowhere else, so that a later change of the key (areas) is local.
"""

from __future__ import annotations

import bisect
import functools
import math
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from pingtai.errors import Problem
from pingtai.periods import Period
from pingtai.progress import path_value
from pingtai.render.format import recorded
from pingtai.units import CURRENCY, PREFIXES, UNITS, lookup

if TYPE_CHECKING:
    from pingtai.catalog import Catalog
    from pingtai.records import ValueRecord

MAX_VALUE = 1e12
"""No figure of any indicator, in its own unit, is larger (网络零售额 is about 10³ 亿元)."""
SLIP_FACTORS = (10.0, 100.0, 1_000.0, 10_000.0)
"""Ratios a unit slip can produce (and their inverses)."""
SLIP_TOLERANCE = 2.0
"""“About” a slip ratio: within this factor of it (a real change on top of the slip)."""
REFUSE_RATIO = 20.0
"""A figure this many times its reference (or this many times smaller) is refused."""
JUMP_RATIO = 3.0
"""A figure this many times the agency's previous one is accepted with a warning …"""
FALL_RATIO = 0.5
"""… and so is one at most half of it."""
_REL_TOL = 1e-9

REFUSALS = ("unit-slip", "out-of-scale", "out-of-range")
"""Codes of the problems that refuse a file; the first two can be let through (``--accept``)."""
ACCEPTABLE = ("unit-slip", "out-of-scale")
WARNINGS = ("jump", "decrease")


class ValueKey(NamedTuple):
    """Which figure a value is: indicator id, the stored spelling of its period point, agency."""

    indicator: str
    period: str
    agency: str


Figure = tuple[float, int | None]
"""A figure as the importer and the check hold it: the value and the batch that brought it."""
State = Mapping[ValueKey, Figure]
"""Every figure of the series being judged: the ledger's current values with a file's on top."""


def keys_of(values: Sequence[ValueRecord]) -> list[ValueKey]:
    """The key of each value (its period as the point it stands for)."""
    # few distinct Period objects among many values: spell each once, keyed by id (hashing a
    # Period dataclass costs more than the look-up saves)
    periods = [v.period for v in values]
    spelled = {key: str(p.as_point()) for key, p in dict(zip(map(id, periods), periods, strict=True)).items()}
    return list(map(ValueKey._make, zip(map(_INDICATOR, values), map(spelled.__getitem__, map(id, periods)),
                                        map(_AGENCY, values), strict=True)))


def key_of(indicator: str, period: Period, agency: str) -> ValueKey:
    """The key of one figure."""
    return ValueKey(indicator, str(period.as_point()), agency)


_INDICATOR, _AGENCY = operator.attrgetter("indicator"), operator.attrgetter("agency")


# --- references ----------------------------------------------------------------------------------


ReferenceKind = Literal["last_year", "previous", "baseline", "target"]
REFERENCE_LABELS: dict[str, str] = {"last_year": "上年同期", "previous": "上期", "baseline": "基期值", "target": "目标值"}


@dataclass(frozen=True)
class Reference:
    """What a figure is compared with: a value, what it is (``kind``) and the period it is for.

    ``value`` is already scaled to the figure's period (a part-year flow against a year's
    baseline or target: its share of the year).
    """

    value: float
    kind: ReferenceKind
    period: Period

    @property
    def own(self) -> bool:
        """The agency's own earlier figure (not the plan's baseline or target)."""
        return self.kind in ("last_year", "previous")

    def label(self, unit: str) -> str:
        """``上年同期（2023年：1,012.34 亿元）``, ``目标值（2025年：1,200 亿元）``."""
        return f"{REFERENCE_LABELS[self.kind]}（{self.period.label()}：{recorded(self.value)} {unit}）"


@functools.lru_cache(maxsize=4096)
def _month_of(text: str) -> int:
    return Period.parse(text).months


@functools.lru_cache(maxsize=4096)
def _period_at(month: int) -> Period:
    return Period.ending_in_month((month - 1) // 12, (month - 1) % 12 + 1)


class SeriesIndex:
    """The figures of each ``(indicator, agency)`` of ``pairs`` in a :data:`State`, by month (one point
    per month: :attr:`Period.months`)."""

    def __init__(self, state: State, pairs: set[tuple[str, str]]) -> None:
        grouped: dict[tuple[str, str], dict[int, float]] = {}
        for key, (number, _) in state.items():
            pair = (key.indicator, key.agency)
            if pair in pairs:
                grouped.setdefault(pair, {})[_month_of(key.period)] = number
        self._at = grouped
        self._months = {pair: sorted(points) for pair, points in grouped.items()}

    def at(self, indicator: str, agency: str, month: int) -> float | None:
        return self._at.get((indicator, agency), {}).get(month)

    def before(self, indicator: str, agency: str, month: int) -> tuple[int, float] | None:
        """The latest point before ``month`` and its figure."""
        months = self._months.get((indicator, agency))
        if not months:
            return None
        at = bisect.bisect_left(months, month)
        if at == 0:
            return None
        found = months[at - 1]
        return found, self._at[(indicator, agency)][found]


@dataclass(frozen=True)
class PlanFigures:
    """An indicator's baseline (the first plan's that states one), every plan's targets by month, and
    the owner whose figure they are compared with (``None``: nobody's)."""

    baseline: tuple[Period, float] | None
    targets: tuple[tuple[int, Period, float], ...]
    owner: str | None = None

    @classmethod
    def of(cls, catalog: Catalog, ident: str) -> PlanFigures:
        """The plan figures of indicator ``ident``."""
        return cls.of_all(catalog, {ident})[ident]

    @classmethod
    def of_all(cls, catalog: Catalog, idents: set[str]) -> dict[str, PlanFigures]:
        """The plan figures of each of ``idents``, from one pass over the plans."""
        baselines: dict[str, tuple[Period, float]] = {}
        targets: dict[str, list[tuple[int, Period, float]]] = {ident: [] for ident in idents}
        for plan in catalog.plans:
            for item in plan.indicators:
                if item.id not in targets:
                    continue
                if item.baseline is not None:
                    baselines.setdefault(item.id, (item.baseline.period, item.baseline.value))
                for target in item.targets:
                    value = path_value(target, item.indicator.direction)
                    targets[item.id] += [(p.months, p, value) for p in target.years()]
        found = {}
        for ident in idents:
            indicator = catalog.indicators.get(ident)
            found[ident] = cls(baselines.get(ident), tuple(sorted(targets[ident], key=operator.itemgetter(0))),
                               indicator.owner if indicator else None)
        return found


def reference(kind: str, key: ValueKey, series: SeriesIndex, plan: PlanFigures) -> Reference | None:
    """The reference of the figure at ``key`` (module docstring), or ``None`` when there is none.

    ``kind`` is the indicator's (``flow``, ``stock``, ``cumulative``).
    """
    month = _month_of(key.period)
    if kind == "flow":
        before = series.at(key.indicator, key.agency, month - 12)
        if before is not None and before > 0:
            return Reference(before, "last_year", _period_at(month - 12))
    else:
        found = series.before(key.indicator, key.agency, month)
        if found is not None and found[1] > 0:
            return Reference(found[1], "previous", _period_at(found[0]))
    if plan.owner is None or key.agency != plan.owner:
        return None  # the plans' figures are the city's: another agency's share is not comparable with them
    period = _period_at(month)
    share = period.year_fraction if kind == "flow" else 1.0  # a part-year flow against a year's amount
    if plan.baseline is not None and plan.baseline[1] > 0:
        return Reference(plan.baseline[1] * share, "baseline", plan.baseline[0])
    positive = [t for t in plan.targets if t[2] > 0]
    if positive:
        _, target, value = min(positive, key=lambda t: (abs(t[0] - month), t[0]))
        return Reference(value * share, "target", target)
    return None


# --- unit slips -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def slips(unit: str) -> tuple[tuple[float, str], ...]:
    """The ratios (figure as typed ÷ figure meant) a unit slip produces in a row of ``unit``, each
    with what the slip was (``以万元填入亿元栏``); only ratios of 10–10,000 or their inverse."""
    own = lookup(unit)
    if own is None:
        return ()
    found: dict[float, str] = {}
    if own.family == "percent":
        found[0.01] = "以小数填入百分比栏（如 0.6 应填 60）"
    elif own.family == "currency":
        for symbol, scale in CURRENCY.items():
            found.setdefault(own.scale / scale, f"以{symbol}填入{own.symbol}栏")
    else:
        noun = own.symbol.removeprefix("万").removeprefix("亿")
        for prefix, scale in PREFIXES.items():
            symbol = prefix + noun
            if symbol in UNITS:
                found.setdefault(own.scale / scale, f"以{symbol}填入{own.symbol}栏")
    wanted = {*SLIP_FACTORS, *(1 / f for f in SLIP_FACTORS)}
    return tuple((ratio, text) for ratio, text in sorted(found.items())
                 if any(math.isclose(ratio, w, rel_tol=1e-9) for w in wanted))


def times(ratio: float) -> str:
    """``1 万倍``, ``100 倍``, ``37 倍``, ``1/100``, ``1/1 万``: a ratio as the office says it (beyond
    10⁸ either way, in scientific notation)."""
    if ratio >= 1:
        if ratio >= 1e8:
            return f"{ratio:.3g} 倍"
        whole = round(ratio)
        return f"{whole // 10_000:g} 万倍" if whole >= 10_000 and whole % 10_000 == 0 else f"{ratio:,.0f} 倍"
    if ratio <= 1e-8:
        return f"{ratio:.3g} 倍"
    inverse = round(1 / ratio)
    return f"1/{inverse // 10_000} 万" if inverse >= 10_000 and inverse % 10_000 == 0 else f"1/{inverse:,}"


def _slip(unit: str, ratio: float) -> tuple[float, str] | None:
    """The slip ``ratio`` looks like, if any (the nearest on a log scale, within the tolerance)."""
    near = [(abs(math.log(ratio / k)), k, text) for k, text in slips(unit)
            if 1 / SLIP_TOLERANCE <= ratio / k <= SLIP_TOLERANCE]
    if not near:
        return None
    _, k, text = min(near)
    return k, text


# --- judging ---------------------------------------------------------------------------------------


def out_of_range(value: float, unit: str) -> str | None:
    """Why ``value`` cannot be a figure of an indicator in ``unit``, or ``None``."""
    if not math.isfinite(value):
        return "不是有限的数值"
    if value < 0:
        return "不能为负"
    if unit == "%" and value > 100 + _REL_TOL:
        return "是占比（%），不能超过 100"
    if value > MAX_VALUE:
        return f"超过 {MAX_VALUE:.0e}（按本指标单位计），不可能是实际数值".replace("1e+12", "10¹²")
    return None


def judge(values: Sequence[ValueRecord], state: State, catalog: Catalog, *,
          keys: Sequence[ValueKey] | None = None) -> list[Problem]:
    """Every refusal and warning for ``values``, judged against ``state``, in the order of ``values``.

    ``state`` maps each key to the figure it will have once the values are in (the ledger's current
    values overlaid with the file's); a value's reference never is its own key, so a correction is
    judged like a first report. Refusals are errors (codes :data:`REFUSALS`), warnings have codes
    :data:`WARNINGS`; each problem is located at the value's ``where``. Values below the smallest
    unit (``…``) are not judged.
    """
    keys = keys_of(values) if keys is None else keys
    if not values:
        return []
    series = SeriesIndex(state, {(k.indicator, k.agency) for k in keys})
    plans = PlanFigures.of_all(catalog, {k.indicator for k in keys})
    problems: list[Problem] = []
    for value, key in zip(values, keys, strict=True):
        if value.below_unit:
            continue
        indicator = catalog.indicators[key.indicator]
        problems += _judge_one(value, key, indicator.name, indicator.unit, indicator.kind, series, plans[key.indicator])
    return problems


_NO_SLIP_BELOW = min(SLIP_FACTORS) / SLIP_TOLERANCE
"""Between 1/this and this times its reference a figure cannot be "about" any slip ratio."""


def _judge_one(value: ValueRecord, key: ValueKey, name: str, unit: str, kind: str, series: SeriesIndex,
               plan: PlanFigures) -> list[Problem]:
    # the verdict first, the words only for a problem: most of 100,000 figures raise none
    number = value.value
    wrong = out_of_range(number, unit)
    if wrong is not None:
        return [Problem(value.where, f"{_shown(name, value, unit)}：{wrong}", "out-of-range")]
    ref = reference(kind, key, series, plan)
    if ref is None or number == 0:
        return []
    ratio = number / ref.value
    slip = None if 1 / _NO_SLIP_BELOW < ratio < _NO_SLIP_BELOW else _slip(unit, ratio)
    if slip is not None:
        return [Problem(value.where, f"{_shown(name, value, unit)}，约为{ref.label(unit)}的 {times(slip[0])}："
                                     f"疑似{slip[1]}", "unit-slip")]
    if ratio >= REFUSE_RATIO or ratio <= 1 / REFUSE_RATIO:
        return [Problem(value.where, f"{_shown(name, value, unit)}，是{ref.label(unit)}的 {times(ratio)}，超出合理范围",
                        "out-of-scale")]
    if ref.own and (ratio >= JUMP_RATIO or ratio <= FALL_RATIO):
        return [Problem(value.where, f"{_shown(name, value, unit)}，较{ref.label(unit)}变化 {ratio - 1:+.0%}，请核实",
                        "jump", "warning")]
    if kind in ("stock", "cumulative") and ref.kind == "previous" and number < ref.value - abs(ref.value) * _REL_TOL:
        what = "累计数" if kind == "cumulative" else "存量"
        return [Problem(value.where, f"{_shown(name, value, unit)}，低于{ref.label(unit)}；{what}一般不应下降，请核实",
                        "decrease", "warning")]
    return []


def _shown(name: str, value: ValueRecord, unit: str) -> str:
    return f"{_label(name, value)}为 {recorded(value.value)} {unit}"


def _label(name: str, value: ValueRecord) -> str:
    return f"{name}（{value.period.as_point().label()}，{value.agency}）"


# --- letting a refused figure through ---------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    """What ``import --accept CELL… / --accept-all --reason TEXT`` lets through.

    A spec names a cell as the import prints it (``file!sheet!cell``) or by its end (``sheet!cell``,
    ``cell``). Only scale refusals (:data:`ACCEPTABLE`) can be let through: a share above 100 % or
    a negative count never is.
    """

    cells: tuple[str, ...] = ()
    every: bool = False
    reason: str = ""

    def __bool__(self) -> bool:
        return self.every or bool(self.cells)

    def covers(self, problem: Problem) -> bool:
        if problem.code not in ACCEPTABLE:
            return False
        return self.every or any(matches(spec, problem.where) for spec in self.cells)

    def used(self, problems: Iterable[Problem]) -> set[str]:
        """The specs that name a cell of ``problems``."""
        return {spec for spec in self.cells for p in problems if p.code in ACCEPTABLE and matches(spec, p.where)}


def matches(spec: str, where: str) -> bool:
    """Whether the cell spec ``spec`` names ``where`` (``file!sheet!cell``): equal, or its end."""
    spec = spec.strip()
    return bool(spec) and (where == spec or where.endswith("!" + spec))


__all__ = [
    "ACCEPTABLE", "FALL_RATIO", "JUMP_RATIO", "MAX_VALUE", "REFERENCE_LABELS", "REFUSALS", "REFUSE_RATIO",
    "SLIP_FACTORS", "SLIP_TOLERANCE", "WARNINGS", "Acceptance", "Figure", "PlanFigures", "Reference", "SeriesIndex",
    "State", "ValueKey", "judge",
    "key_of", "keys_of", "matches", "out_of_range", "reference", "slips", "times",
]
