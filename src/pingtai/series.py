"""The rules of figures, stated once: their key, which one counts for the city, last year's figure
and growth, and what a figure may be.

The importer (:mod:`pingtai.importer`), the engine (:mod:`pingtai.assess`, the area views of
:mod:`pingtai.by_area`) and the check (:mod:`pingtai.checks`) all take these rules from here, so
they can never disagree about a figure.

The key (:class:`ValueKey`)
    A figure is one value of an indicator, for an area, at a period, from a reporting unit:
    ``(indicator, area, period, agency)``. ``agency`` is always *who reported*; ``area`` always
    *whose territory* — a canonical area of ``areas.yaml``, or :data:`CITY` (``''``) for a
    city-wide figure, whatever ``areas.yaml`` calls the city (a ledger from before areas holds
    only such figures). The period is the stored spelling of its point (:meth:`Period.as_point`).
    Measures beside the value: the growth the return reported (同比, in percent), last year's
    figure it reported (上年同期, in the indicator's unit) and its note.

The area of a figure (:class:`AreaRule`)
    The area the return states for it (a 全市 / 合计 row is the city's); when it states none, the
    reporter's own territory if the reporter is an area's government (``areas.yaml`` links each
    area to its agency) and the indicator is reported by area there; otherwise the city.

Which figure counts (:func:`choose`, :class:`Figures`)
    At each point of an area's series: the indicator owner's figure if the owner reported one,
    else the most recently imported figure from any unit (equal import times: the unit first in
    name order; one unit's figures for two spellings of one point, possible only in a hand-made
    ledger: the coarser spelling). The city's figure is the city's own figure (a 全市 row)
    chosen so; where there is none, the sum of the county-level areas' figures for an additive
    indicator — never for a ratio, never with a zone, and only when every county-level area has
    a figure for that point (otherwise there is no city figure, and :attr:`Figures.unsummed`
    says which areas are missing).

Last year and growth (:func:`last_year`, :func:`year_on_year`)
    Last year's figure of a figure is the same area's, same unit's figure at the same point a year
    before; where the ledger holds none, the 上年同期 the return reported fills it, marked as such
    (it never replaces a stored figure). Growth computed from it sits beside the growth the return
    reported; a gap of more than :data:`GROWTH_GAP` percentage points is a warning (a change of
    口径 is likely).

City and areas (:func:`sum_check`)
    Where a city figure and a complete set of county-level figures both exist for an additive
    indicator, they must agree within the rounding the figures were written with (half a unit in
    the last decimal of each); otherwise a warning names both numbers.

Plausibility: a figure's reference (:func:`reference`), the best figure to compare it with
    1. the same unit's previous figure for the same area: for a flow (reported year-to-date)
       the same point last year, for a stock or a cumulative count the latest earlier point;
       where there is none, the 上年同期 the return reported beside it;
    2. else, for the indicator's owner's city figure — the one the plans' baseline and targets are
       about — the indicator's baseline (the first plan that states one);
    3. else, for it, the target nearest in time to the figure's period (any plan's).
    Another unit's figure, and any area's figure, has only its own earlier figures to go by. A
    baseline or target is a full year's amount: a part-year flow is compared with its share of
    the year elapsed (H1 → 50 %). A reference of zero or less cannot be compared with and the
    next one is tried.

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
    * ``jump``: against the unit's own previous figure (1. above), a ratio of at least
      :data:`JUMP_RATIO` or at most :data:`FALL_RATIO` (a fall of half or more).
    * ``decrease``: a stock or cumulative count below the unit's previous period (a count of
      platforms or registrations does not usually fall).
    * ``growth-gap`` and ``sum-mismatch`` (above).
"""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import math
import operator
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol, TypeVar

from pingtai.errors import Problem
from pingtai.frozen import Record, fast_init
from pingtai.periods import Period
from pingtai.render.format import num, recorded
from pingtai.units import CURRENCY, PREFIXES, UNITS, conversion_factor, lookup

if TYPE_CHECKING:
    from pingtai.catalog import Catalog, Indicator
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
"""A figure this many times the unit's previous one is accepted with a warning …"""
FALL_RATIO = 0.5
"""… and so is one at most half of it."""
GROWTH_GAP = 1.0
"""Percentage points between reported and computed growth beyond which the 口径 has likely changed."""
_REL_TOL = 1e-9

REFUSALS = ("unit-slip", "out-of-scale", "out-of-range")
"""Codes of the problems that refuse a file; the first two can be let through (``--accept``)."""
ACCEPTABLE = ("unit-slip", "out-of-scale")
WARNINGS = ("jump", "decrease", "growth-gap", "sum-mismatch")

CITY = ""
"""The area of a city-wide figure, as keyed and stored (whatever ``areas.yaml`` calls the city)."""
SUM_AGENCY = "各区、县（市）合计"
"""Who a summed city figure is from, where the dashboard names the unit whose figure counts."""


# --- the key -------------------------------------------------------------------------------------


class ValueKey(NamedTuple):
    """Which figure a value is: indicator id, area (:data:`CITY` for the city), the stored spelling
    of its period point, and the reporting unit."""

    indicator: str
    area: str
    period: str
    agency: str


def key_of(indicator: str, period: Period, agency: str, area: str = CITY) -> ValueKey:
    """The key of one figure (``area`` as keyed: :data:`CITY` for the city)."""
    return ValueKey(indicator, area, str(period.as_point()), agency)


class AreaRule:
    """The area of each figure a return brings (module docstring), from the catalog's areas."""

    def __init__(self, catalog: Catalog) -> None:
        registry = catalog.areas
        areas = list(registry.areas) if registry is not None else []
        city = next((a for a in areas if a.kind == "city"), None)
        self.city: str | None = city.name if city is not None else None
        """The city's canonical name (``None`` without ``areas.yaml``)."""
        self.county: tuple[str, ...] = tuple(a.name for a in areas if a.summed)
        """The county-level areas, whose figures add up to the city's."""
        self.codes: dict[str, str | None] = {a.name: a.code for a in areas}
        self.kinds: dict[str, str] = {a.name: a.kind for a in areas}
        self.governed: dict[str, str] = {a.agency: a.name for a in areas if a.agency and a is not city}
        """Each area's government (or a zone's 管委会) → the area."""
        self._indicators = catalog.indicators
        self._own: dict[tuple[str, str], str] = {}

    def area(self, indicator: str, agency: str, stated: str | None) -> str:
        """The key's area of a figure ``agency`` reported for ``indicator``; ``stated``: the area the
        return names (its canonical name, the city's for a 全市 row), ``None`` when it names none."""
        if stated is not None:
            return CITY if stated == self.city else stated
        found = self._own.get((indicator, agency))
        if found is None:
            own = self.governed.get(agency)
            definition = self._indicators.get(indicator)
            found = own if own is not None and definition is not None and own in definition.areas else CITY
            self._own[(indicator, agency)] = found
        return found

    def name(self, area: str) -> str | None:
        """An area as shown: its canonical name, the city's for :data:`CITY` (``None`` without areas.yaml)."""
        return self.city if area == CITY else area

    def additive(self, indicator: Indicator) -> bool:
        """Whether the county-level figures of ``indicator`` add up to the city's: it says so, and it is
        reported in every county-level area."""
        return (indicator.by_area is not None and indicator.by_area.additive and bool(self.county)
                and all(area in indicator.areas for area in self.county))


def keys_of(values: Sequence[ValueRecord], rule: AreaRule) -> list[ValueKey]:
    """The key of each value: its area by ``rule`` (:class:`AreaRule`), its period as the point it stands for."""
    # few distinct Period objects among many values: spell each once, keyed by id (hashing a
    # Period dataclass costs more than the look-up saves)
    periods = [v.period for v in values]
    spelled = {key: str(p.as_point()) for key, p in dict(zip(map(id, periods), periods, strict=True)).items()}
    indicators, agencies = list(map(_INDICATOR, values)), list(map(_AGENCY, values))
    stated = list(map(_AREA, values))
    if not rule.governed.keys() & set(agencies) and not any(stated):
        areas: Iterable[str] = [CITY] * len(values)  # a return without areas from a department: the city's
    else:
        areas = map(rule.area, indicators, agencies, stated)
    return list(map(ValueKey._make, zip(indicators, areas, map(spelled.__getitem__, map(id, periods)), agencies,
                                        strict=True)))


_INDICATOR, _AGENCY, _AREA = operator.attrgetter("indicator"), operator.attrgetter("agency"), operator.attrgetter("area")


# --- which figure counts -----------------------------------------------------------------------------


class Current(Protocol):
    """A current figure as the rules read it (``ledger.CurrentValue`` fits)."""

    @property
    def indicator(self) -> str: ...
    @property
    def area(self) -> str: ...
    @property
    def period(self) -> Period: ...
    @property
    def agency(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def unit(self) -> str: ...
    @property
    def imported_at(self) -> datetime | None: ...
    @property
    def growth(self) -> float | None: ...
    @property
    def last_year(self) -> float | None: ...
    @property
    def raw(self) -> str: ...
    @property
    def note(self) -> str: ...


C = TypeVar("C", bound=Current)


@fast_init
@dataclass(frozen=True)
class Point:
    """A point of a series: period, value (in the indicator's unit), and the unit whose figure counts."""

    period: Period
    value: float
    agency: str


class Converted(NamedTuple):
    """A current figure recorded in another unit of its indicator's family, in the indicator's unit."""

    indicator: str
    area: str
    period: Period
    agency: str
    value: float
    unit: str
    imported_at: datetime | None
    growth: float | None
    last_year: float | None
    raw: str
    note: str
    factor: float


class Summed(NamedTuple):
    """A city figure that is the sum of the county-level areas' figures at ``period``."""

    period: Period
    value: float
    parts: tuple[Current, ...]

    @property
    def agency(self) -> str:
        return SUM_AGENCY

    @property
    def area(self) -> str:
        return CITY

    @property
    def growth(self) -> None:
        return None

    @property
    def note(self) -> str:
        return ""

    @property
    def last_year(self) -> float | None:
        """Last year's city figure as the areas' returns reported it, when every one did."""
        years = [p.last_year for p in self.parts]
        return math.fsum(y for y in years if y is not None) if all(y is not None for y in years) else None


Picked = Current | Summed


def choose(values: Iterable[C], owner: str | None) -> list[C]:
    """One figure per point, oldest first: the owner's if present, else the newest import (module docstring).

    ``values`` are current figures of one indicator for one area, from any units. The choice never
    depends on their order.
    """
    values = list(values)
    months = set(map(_MONTH, values))
    if len(months) == len(values):
        return sorted(values, key=_MONTH)  # one figure per point: nothing to choose
    own = [v for v in values if v.agency == owner]
    if len(own) == len(months) and set(map(_MONTH, own)) == months:
        return sorted(own, key=_MONTH)  # the owner's figure at every point (the usual case): it counts everywhere
    # keyed by the point's month (Period.months): one point per month, and ints hash and sort in C
    chosen: dict[int, C] = {}
    for value in values:
        at = value.period.months
        held = chosen.get(at)
        if held is None or _preferred(value, held, owner):
            chosen[at] = value
    return [chosen[at] for at in sorted(chosen)]


def uncovered(catalog: Catalog, own: Iterable[Current], counts: Mapping[str, int]) -> set[str]:
    """The indicators whose city figure may, by :func:`choose`, be another unit's than the owner's: those whose
    owner's figures ``own`` (in the indicator's unit) do not stand at every period the city has figures for
    (``counts``: indicator → how many periods, as spelled). Elsewhere the owner's figures are all that can
    count, so reading them alone gives the dashboard what every current figure gives."""
    held = _held(catalog, own)
    return {ident for ident, count in counts.items() if held[ident] != count}


def short_of(catalog: Catalog, own: Iterable[Current], reported: int) -> list[str]:
    """The indicators of ``catalog`` whose owner's figures ``own`` (in the indicator's unit) are not as many as
    ``reported``: the periods the returns received name (``Ledger.received_returns``). Every figure of the
    ledger is at one of those periods, the owner's too, one figure a period: an owner with as many figures
    has one at each of them, so no other unit's can count (:func:`uncovered`, without counting periods)."""
    held = _held(catalog, own)
    return [ident for ident in catalog.indicators if held[ident] != reported]


def _held(catalog: Catalog, own: Iterable[Current]) -> collections.Counter[str]:
    """How many of the figures ``own`` each indicator has in its own unit."""
    indicators = catalog.indicators
    return collections.Counter(v.indicator for v in own if v.unit == indicators[v.indicator].unit)


def _preferred(new: Current, held: Current, owner: str | None) -> bool:
    if (new.agency == owner) != (held.agency == owner):
        return new.agency == owner
    new_at, held_at = _moment(new.imported_at), _moment(held.imported_at)
    if new_at != held_at:
        return new_at > held_at
    if new.agency != held.agency:
        return new.agency < held.agency
    return new.period.sort_key() < held.period.sort_key()


def _moment(at: datetime | None) -> tuple[bool, float]:
    # timestamps compare aware and naive times alike; an unknown time counts as oldest
    return (at is not None, at.timestamp() if at is not None else 0.0)


_MONTH = operator.attrgetter("period.months")
_PERIOD, _VALUE, _UNIT = operator.attrgetter("period"), operator.attrgetter("value"), operator.attrgetter("unit")


class Figures:
    """The current figures of one indicator, read by the rules of this module.

    ``values`` are its current figures (any areas, any units), ``rule`` the catalog's areas; with
    ``ended`` (a month: :meth:`Period.months`), figures for periods ending after it are left out (a
    back-dated view). Figures in another unit of the indicator's family are converted; figures in
    an unconvertible unit (only a hand-made ledger holds them) are left out.
    """

    def __init__(self, indicator: Indicator, values: Iterable[Current], rule: AreaRule,
                 ended: int | None = None) -> None:
        self.indicator = indicator
        self.rule = rule
        group = list(values)
        if ended is not None and group and max(map(_MONTH, group)) > ended:
            group = [v for v in group if v.period.months <= ended]
        if set(map(_UNIT, group)) - {indicator.unit}:
            group = _in_unit(group, indicator.unit)
        self.values: list[Current] = group
        by_area: dict[str, list[Current]] = {}
        if set(map(_AREA, group)) <= {CITY}:
            by_area[CITY] = group
        else:
            for v in group:
                by_area.setdefault(v.area, []).append(v)
        self._by_area = by_area
        self._picked: dict[str, dict[int, Picked]] = {}
        self._unsummed: list[tuple[Period, tuple[str, ...]]] = []

    @property
    def unsummed(self) -> list[tuple[Period, tuple[str, ...]]]:
        """Points where some county-level areas have figures, others not, and the city none: (period, the
        areas missing), oldest first — no city figure is summed there."""
        self.picked(CITY)
        return self._unsummed

    @property
    def areas(self) -> list[str]:
        """The areas (not the city) this indicator has figures for."""
        return [area for area in self._by_area if area != CITY]

    def picked(self, area: str = CITY) -> dict[int, Picked]:
        """The figure that counts at each point (by month, in time order) of ``area``'s series; for the
        city, a sum of the areas where the city has none and the rule allows."""
        found = self._picked.get(area)
        if found is None:
            owner = self.indicator.owner
            found = {v.period.months: v for v in choose(self._by_area.get(area, ()), owner)}
            if area == CITY and self.rule.additive(self.indicator) and self._by_area.keys() - {CITY}:
                found = self._with_sums(found)
            self._picked[area] = found
        return found

    def _with_sums(self, city: dict[int, Picked]) -> dict[int, Picked]:
        county = self.rule.county
        areas = {area: self.picked(area) for area in county}
        months = sorted({m for picks in areas.values() for m in picks} - set(city))
        if not months:
            return city
        found = dict(city)
        for month in months:
            parts = [areas[area].get(month) for area in county]
            missing = tuple(area for area, part in zip(county, parts, strict=True) if part is None)
            if missing:
                self._unsummed.append((_period_at(month), missing))
                continue
            present = [p for p in parts if p is not None and not isinstance(p, Summed)]  # areas are never sums
            found[month] = Summed(_period_at(month), math.fsum(p.value for p in present), tuple(present))
        return dict(sorted(found.items()))

    def series(self, area: str = CITY) -> list[Point]:
        """``area``'s series (the city's by default) as points in time order, for the engine."""
        picks = self.picked(area).values()
        return list(map(Point, map(_PERIOD, picks), map(_VALUE, picks), map(_AGENCY, picks)))

    def at(self, area: str, period: Period) -> Picked | None:
        """The figure that counts for ``area`` at ``period``'s point."""
        return self.picked(area).get(period.as_point().months)

    def year_on_year(self, area: str, period: Period) -> YearOnYear | None:
        """Growth of the figure that counts for ``area`` at ``period`` (:func:`year_on_year`)."""
        figure = self.at(area, period)
        if figure is None:
            return None
        month = figure.period.months
        before = self.picked(area).get(month - 12)
        if isinstance(figure, Summed):
            return year_on_year(figure.period, figure.value, None,
                                before.value if before is not None else None, figure.last_year)
        if before is None or before.agency != figure.agency or isinstance(before, Summed):
            # the unit's own figure a year before, whether or not it is the one that counted then
            index = SeriesIndex.of(v for v in self._by_area.get(area, ()) if v.agency == figure.agency)
            found = index.at(self.indicator.id, area, figure.agency, month - 12)
        else:
            found = before.value
        return year_on_year(figure.period, figure.value, figure.growth, found, figure.last_year)

    def sum_check(self, period: Period) -> SumCheck | None:
        """The city figure against the sum of the county-level figures at ``period`` (:func:`sum_check`)."""
        if not self.rule.additive(self.indicator):
            return None
        month = period.as_point().months
        city = self.picked(CITY).get(month)
        if city is None or isinstance(city, Summed):
            return None
        parts = [p for area in self.rule.county if (p := self.picked(area).get(month)) is not None
                 and not isinstance(p, Summed)]
        if len(parts) < len(self.rule.county):
            return None
        return sum_check(city, parts)


def _in_unit(values: list[Current], unit: str) -> list[Current]:
    """``values`` in ``unit``: others of its family converted, unconvertible ones left out."""
    factors: dict[str, float | None] = {}
    kept: list[Current] = []
    for v in values:
        if v.unit == unit:
            kept.append(v)
            continue
        if v.unit not in factors:
            factors[v.unit] = conversion_factor(v.unit, unit)
        factor = factors[v.unit]
        if factor is None:  # another family: the importer rejects these, a hand-made ledger could hold them
            continue
        kept.append(Converted(v.indicator, v.area, v.period, v.agency, v.value * factor, unit, v.imported_at,
                              v.growth, None if v.last_year is None else v.last_year * factor, v.raw, v.note, factor))
    return kept


def by_indicator(values: Iterable[C]) -> dict[str, list[C]]:
    """Current figures grouped by indicator (the ledger hands them over indicator by indicator: such runs
    are gathered in C rather than figure by figure)."""
    grouped: dict[str, list[C]] = {}
    for ident, run in itertools.groupby(values, key=_INDICATOR):
        group = grouped.get(ident)
        if group is None:
            grouped[ident] = list(run)
        else:
            group.extend(run)
    return grouped


def figures_of(catalog: Catalog, values: Iterable[Current], ended: int | None = None) -> dict[str, Figures]:
    """:class:`Figures` of every indicator of ``catalog`` that ``values`` hold figures for."""
    rule = AreaRule(catalog)
    indicators = catalog.indicators
    return {ident: Figures(indicators[ident], group, rule, ended)
            for ident, group in by_indicator(values).items() if ident in indicators}


# --- last year and growth -----------------------------------------------------------------------------


LastYearBasis = Literal["ledger", "reported"]


@dataclass(frozen=True)
class YearOnYear:
    """Growth of a figure over the same point last year, in percent.

    ``reported`` is the 同比 the return gave, ``computed`` the growth over ``last_year`` — last
    year's figure for the same area and unit: from the ledger (``basis`` ``ledger``), else the
    上年同期 the return reported (``reported``) — at ``last_year_period``. ``gap`` is reported − computed
    in percentage points; ``flagged`` whether it is more than :data:`GROWTH_GAP`.
    """

    period: Period
    reported: float | None
    computed: float | None
    last_year: float | None
    last_year_period: Period
    basis: LastYearBasis | None
    gap: float | None
    flagged: bool


def growth(value: float, before: float | None) -> float | None:
    """Growth of ``value`` over ``before`` in percent; ``None`` when ``before`` is not a positive figure."""
    if before is None or not before > 0 or not math.isfinite(before):
        return None
    rate = (value / before - 1) * 100
    return rate if math.isfinite(rate) else None


def last_year(stored: float | None, reported: float | None) -> tuple[float, LastYearBasis] | None:
    """Last year's figure: the one stored, else the one the return reported beside the figure (module docstring)."""
    if stored is not None:
        return stored, "ledger"
    if reported is not None:
        return reported, "reported"
    return None


def year_on_year(period: Period, value: float, reported: float | None, stored: float | None,
                 reported_last_year: float | None) -> YearOnYear | None:
    """The growth of ``value`` at ``period``: ``reported`` (the return's 同比), computed from last year's figure
    (``stored``: the ledger's, else ``reported_last_year``); ``None`` when neither growth is known."""
    found = last_year(stored, reported_last_year)
    computed = growth(value, found[0]) if found is not None else None
    if reported is None and computed is None:
        return None
    gap = reported - computed if reported is not None and computed is not None else None
    return YearOnYear(period, reported, computed, found[0] if found else None, period.same_point_last_year(),
                      found[1] if found else None, gap, gap is not None and abs(gap) > GROWTH_GAP + _REL_TOL)


def growth_gaps(values: Sequence[ValueRecord], keys: Sequence[ValueKey], state: State, catalog: Catalog
                ) -> list[Problem]:
    """A ``growth-gap`` warning for each of ``values`` whose reported growth differs from the growth computed
    from last year's figure (``state``, else its own 上年同期) by more than :data:`GROWTH_GAP` points."""
    wanted = [(v, k) for v, k in zip(values, keys, strict=True) if v.growth is not None and not v.below_unit]
    if not wanted:
        return []
    index = SeriesIndex(state, {(k.indicator, k.area, k.agency) for _, k in wanted})
    problems = []
    for value, key in wanted:
        month = _month_of(key.period)
        yoy = year_on_year(value.period, value.value, value.growth,
                           index.at(key.indicator, key.area, key.agency, month - 12), value.last_year)
        if yoy is not None and yoy.flagged:
            indicator = catalog.indicators[key.indicator]
            problems.append(Problem(value.where, growth_message(indicator.name, key, yoy, indicator.unit), "growth-gap",
                                    "warning"))
    return problems


def growth_message(name: str, key: ValueKey, yoy: YearOnYear, unit: str) -> str:
    """``网络零售额（2024年，市商务局，柯桥区）报同比 12.0%，按上年同期 … 计算为 20.2%，相差 8.2 个百分点：…``."""
    assert yoy.reported is not None and yoy.computed is not None and yoy.gap is not None
    basis = "台账中上年同期" if yoy.basis == "ledger" else "报表所填上年同期"
    return (f"{_label(name, key)}报同比 {yoy.reported:.1f}%，按{basis}（{yoy.last_year_period.label()}："
            f"{recorded(yoy.last_year or 0)} {unit}）计算为 {yoy.computed:.1f}%，相差 {abs(yoy.gap):.1f} 个百分点："
            "统计口径可能有变化，请核实")


# --- the city against its areas --------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.(\d+))?")


def rounding(value: float, raw: str) -> float:
    """Half a unit in the last decimal place ``raw`` (the figure as written) shows, in ``value``'s unit
    (a figure written in 万元 and recorded in 亿元 rounds in 万元); 0 when ``raw`` shows no number."""
    found = _NUMBER.search(raw)
    if found is None:
        return 0.0
    written = float(found.group().replace(",", ""))
    half = 0.5 * 10.0 ** -len(found.group(1) or "")
    return abs(half * value / written) if written else half


class SumCheck(Record):
    """The city's own figure and the sum of its county-level areas' figures at one point.

    ``tolerance`` is the rounding they can differ by (:func:`rounding` of each); ``mismatch``
    whether they differ by more.
    """

    period: Period
    city: float
    agency: str
    total: float
    tolerance: float
    mismatch: bool


def sum_check(city: Current, parts: Sequence[Current]) -> SumCheck:
    """The city's figure against the sum of ``parts`` (one figure per county-level area)."""
    total = math.fsum(p.value for p in parts)
    tolerance = rounding(city.value, city.raw) + math.fsum(rounding(p.value, p.raw) for p in parts)
    gap = abs(city.value - total)
    return SumCheck(city.period.as_point(), city.value, city.agency, total, tolerance,
                    gap > tolerance + _REL_TOL * max(abs(city.value), abs(total), 1.0))


def sum_message(name: str, unit: str, check: SumCheck) -> str:
    """Both numbers and what to do."""
    return (f"{name}（{check.period.label()}）：全市数 {num(check.city)} {unit}（{check.agency}）与各区、县（市）合计 "
            f"{num(check.total)} {unit}相差 {num(abs(check.city - check.total))} {unit}，超出表列数字的舍入误差"
            f"（±{num(check.tolerance)}）：请核实全市数或各地区数")


# --- references ----------------------------------------------------------------------------------

class Valued(Protocol):
    """A figure as the importer and the check hold it (a current value, a value read from a return)."""

    @property
    def value(self) -> float: ...


State = Mapping[ValueKey, Valued]
"""Every figure of the series being judged: the ledger's current values with a file's on top."""

ReferenceKind = Literal["last_year", "previous", "reported_last_year", "baseline", "target"]
_OWN: frozenset[str] = frozenset(("last_year", "previous", "reported_last_year"))
"""The kinds of reference that are the unit's own earlier figure."""
REFERENCE_LABELS: dict[str, str] = {"last_year": "上年同期", "previous": "上期", "reported_last_year": "报表所填上年同期",
                                    "baseline": "基期值", "target": "目标值"}


class Reference(Record):
    """What a figure is compared with: a value, what it is (``kind``) and the period it is for.

    ``value`` is already scaled to the figure's period (a part-year flow against a year's
    baseline or target: its share of the year).
    """

    value: float
    kind: ReferenceKind
    period: Period

    @property
    def own(self) -> bool:
        """The unit's own earlier figure (not the plan's baseline or target)."""
        return self.kind in _OWN

    def label(self, unit: str) -> str:
        """``上年同期（2023年：1,012.34 亿元）``, ``目标值（2025年：1,200 亿元）``."""
        return f"{REFERENCE_LABELS[self.kind]}（{self.period.label()}：{recorded(self.value)} {unit}）"


@functools.lru_cache(maxsize=4096)
def _month_of(text: str) -> int:
    return Period.parse(text).months


@functools.lru_cache(maxsize=4096)
def _period_at(month: int) -> Period:
    return Period.ending_in_month((month - 1) // 12, (month - 1) % 12 + 1)


Series = tuple[str, str, str]
"""One series: ``(indicator, area, agency)``."""


class SeriesIndex:
    """The figures of each series ``(indicator, area, agency)`` by month (one point per month:
    :attr:`Period.months`): the previous-period and last-year look-ups."""

    def __init__(self, state: State, series: set[Series]) -> None:
        """The figures of ``series`` in a :data:`State`."""
        grouped: dict[Series, dict[int, float]] = {}
        for key, figure in state.items():
            triple = (key.indicator, key.area, key.agency)
            if triple in series:
                grouped.setdefault(triple, {})[_month_of(key.period)] = figure.value
        self._set(grouped)

    @classmethod
    def of(cls, values: Iterable[Current]) -> SeriesIndex:
        """The series of current figures ``values``."""
        grouped: dict[Series, dict[int, float]] = {}
        for v in values:
            grouped.setdefault((v.indicator, v.area, v.agency), {})[v.period.months] = v.value
        index = cls.__new__(cls)
        index._set(grouped)
        return index

    def _set(self, grouped: dict[Series, dict[int, float]]) -> None:
        self._at = grouped
        self._months = {triple: sorted(points) for triple, points in grouped.items()}

    def at(self, indicator: str, area: str, agency: str, month: int) -> float | None:
        return self._at.get((indicator, area, agency), {}).get(month)

    def before(self, indicator: str, area: str, agency: str, month: int) -> tuple[int, float] | None:
        """The latest point before ``month`` and its figure."""
        months = self._months.get((indicator, area, agency))
        if not months:
            return None
        at = bisect.bisect_left(months, month)
        if at == 0:
            return None
        found = months[at - 1]
        return found, self._at[(indicator, area, agency)][found]


@dataclass(frozen=True)
class PlanFigures:
    """An indicator's baseline (the first plan's that states one), every plan's targets by month, and
    the owner whose city figure they are compared with (``None``: nobody's)."""

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
                    value = target.path_value(item.indicator.direction)
                    targets[item.id] += [(p.months, p, value) for p in target.years()]
        found = {}
        for ident in idents:
            indicator = catalog.indicators.get(ident)
            found[ident] = cls(baselines.get(ident), tuple(sorted(targets[ident], key=operator.itemgetter(0))),
                               indicator.owner if indicator else None)
        return found


def reference(kind: str, key: ValueKey, series: SeriesIndex, plan: PlanFigures,
              reported_last_year: float | None = None) -> Reference | None:
    """The reference of the figure at ``key`` (module docstring), or ``None`` when there is none.

    ``kind`` is the indicator's (``flow``, ``stock``, ``cumulative``); ``reported_last_year`` the
    上年同期 the return reported beside the figure, if any.
    """
    found = _reference(kind, key, _month_of(key.period), series, plan, reported_last_year)
    return _as_reference(found) if found is not None else None


_Found = tuple[float, ReferenceKind, int | Period]
"""A reference as :func:`_reference` finds it: its value, its kind and when it is — the month
(:attr:`Period.months`) of the unit's own figure, or the plan's period of a baseline or target."""


def _as_reference(found: _Found) -> Reference:
    value, kind, when = found
    return Reference(value, kind, when if isinstance(when, Period) else _period_at(when))


def _reference(kind: str, key: ValueKey, month: int, series: SeriesIndex, plan: PlanFigures,
               reported_last_year: float | None) -> _Found | None:
    """:func:`reference` of the figure at ``key`` (at ``month``) before it is made a :class:`Reference`:
    the judge compares with the value alone and spells the reference only for a figure it reports."""
    if kind == "flow":
        before = series.at(key.indicator, key.area, key.agency, month - 12)
        if before is not None and before > 0:
            return before, "last_year", month - 12
        own = before
    else:
        found = series.before(key.indicator, key.area, key.agency, month)
        if found is not None and found[1] > 0:
            return found[1], "previous", found[0]
        own = found[1] if found is not None else None
    if own is None and reported_last_year is not None and reported_last_year > 0:
        return reported_last_year, "reported_last_year", month - 12
    if plan.owner is None or key.agency != plan.owner or key.area != CITY:
        return None  # the plans' figures are the city's: an area's, or another unit's share, is not comparable
    share = _period_at(month).year_fraction if kind == "flow" else 1.0  # a part-year flow against a year's amount
    if plan.baseline is not None and plan.baseline[1] > 0:
        return plan.baseline[1] * share, "baseline", plan.baseline[0]
    positive = [t for t in plan.targets if t[2] > 0]
    if positive:
        _, target, value = min(positive, key=lambda t: (abs(t[0] - month), t[0]))
        return value * share, "target", target
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


def judge(values: Sequence[ValueRecord], state: State, catalog: Catalog, *, keys: Sequence[ValueKey]) -> list[Problem]:
    """Every refusal and warning for ``values`` (keyed ``keys``), judged against ``state``, in their order.

    ``state`` maps each key to the figure it will have once the values are in (the ledger's current
    values overlaid with the file's); a value's reference never is its own key, so a correction is
    judged like a first report. Refusals are errors (codes :data:`REFUSALS`), warnings have codes
    ``jump`` and ``decrease``; each problem is located at the value's ``where``. Values below the
    smallest unit (``…``) are not judged.
    """
    if not values:
        return []
    series = SeriesIndex(state, {(k.indicator, k.area, k.agency) for k in keys})
    plans = PlanFigures.of_all(catalog, {k.indicator for k in keys})
    indicators = catalog.indicators
    problems: list[Problem] = []
    for value, key in zip(values, keys, strict=True):
        if value.below_unit:
            continue
        indicator = indicators[key.indicator]
        problem = _judge_one(value, key, indicator.name, indicator.unit, indicator.kind, series, plans[key.indicator])
        if problem is not None:
            problems.append(problem)
    return problems


_NO_SLIP_BELOW = min(SLIP_FACTORS) / SLIP_TOLERANCE
"""Between 1/this and this times its reference a figure cannot be "about" any slip ratio."""


def _judge_one(value: ValueRecord, key: ValueKey, name: str, unit: str, kind: str, series: SeriesIndex,
               plan: PlanFigures) -> Problem | None:
    # the verdict first, the words (and the Reference they name) only for a problem: most of
    # 100,000 figures raise none
    number = value.value
    wrong = out_of_range(number, unit)
    if wrong is not None:
        return Problem(value.where, f"{_shown(name, key, number, unit)}：{wrong}", "out-of-range")
    found = _reference(kind, key, _month_of(key.period), series, plan, value.last_year)
    if found is None or number == 0:
        return None
    reference_value, reference_kind, _ = found
    ratio = number / reference_value
    slip = None if 1 / _NO_SLIP_BELOW < ratio < _NO_SLIP_BELOW else _slip(unit, ratio)
    if slip is not None:
        return Problem(value.where, f"{_shown(name, key, number, unit)}，约为{_as_reference(found).label(unit)}的 "
                                    f"{times(slip[0])}：疑似{slip[1]}", "unit-slip")
    if ratio >= REFUSE_RATIO or ratio <= 1 / REFUSE_RATIO:
        return Problem(value.where, f"{_shown(name, key, number, unit)}，是{_as_reference(found).label(unit)}的 "
                                    f"{times(ratio)}，超出合理范围", "out-of-scale")
    if reference_kind in _OWN and (ratio >= JUMP_RATIO or ratio <= FALL_RATIO):
        return Problem(value.where, f"{_shown(name, key, number, unit)}，较{_as_reference(found).label(unit)}变化 "
                                    f"{ratio - 1:+.0%}，请核实", "jump", "warning")
    if (kind in ("stock", "cumulative") and reference_kind == "previous"
            and number < reference_value - abs(reference_value) * _REL_TOL):
        what = "累计数" if kind == "cumulative" else "存量"
        return Problem(value.where, f"{_shown(name, key, number, unit)}，低于{_as_reference(found).label(unit)}；"
                                    f"{what}一般不应下降，请核实", "decrease", "warning")
    return None


def _shown(name: str, key: ValueKey, number: float, unit: str) -> str:
    return f"{_label(name, key)}为 {recorded(number)} {unit}"


def _label(name: str, key: ValueKey) -> str:
    """``网络零售额（2024年第3季度，市商务局）``; an area's figure names the area after the unit."""
    area = f"，{key.area}" if key.area != CITY else ""
    return f"{name}（{_period_of(key.period).label()}，{key.agency}{area}）"


@functools.lru_cache(maxsize=4096)
def _period_of(text: str) -> Period:
    return Period.parse(text)


# --- letting a refused figure through ---------------------------------------------------------------


class Acceptance(Record):
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
    "ACCEPTABLE", "CITY", "FALL_RATIO", "GROWTH_GAP", "JUMP_RATIO", "MAX_VALUE", "REFERENCE_LABELS", "REFUSALS",
    "REFUSE_RATIO", "SLIP_FACTORS", "SLIP_TOLERANCE", "SUM_AGENCY", "WARNINGS", "Acceptance", "AreaRule", "Converted",
    "Current", "Figures", "Picked", "PlanFigures", "Point", "Reference", "SeriesIndex", "State", "SumCheck", "Summed",
    "ValueKey", "Valued", "YearOnYear", "by_indicator", "choose", "figures_of", "growth", "growth_gaps", "growth_message",
    "judge", "key_of", "keys_of", "last_year", "matches", "out_of_range", "reference", "rounding", "short_of", "slips",
    "sum_check", "sum_message", "times", "uncovered", "year_on_year",
]
