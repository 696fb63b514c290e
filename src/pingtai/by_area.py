"""The area views: an indicator's figures across the areas (``show --by-area``) and one area's figures
(``status --area``, the report of an area's government).

Every figure here is chosen by the rules of :mod:`pingtai.series` (the city's figure, each area's,
last year's and growth); this module ranks and divides them:

* **Share** (占全市比重) of an area: its figure ÷ the city's at the same point, for an additive
  indicator only (a ratio has no share).
* **Rank** among the county-level areas that have a figure at the point, 1 = largest (equal
  figures share a rank: 1, 2, 2, 4); a zone is shown but not ranked, as it is never summed.
* **Contribution** to the city's growth (拉动, percentage points): (the area's figure − its figure
  a year before) ÷ the city's figure a year before × 100, for an additive indicator.
* **Judgement** of one area's figure: against the area's own targets where a plan sets them
  (``area_targets``); otherwise none — the city's targets are not an area's, and judging an area's
  figure against them would be wrong.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import field
from datetime import date
from typing import Literal

from pingtai.assess import IndicatorStatus, StoredValueLike, TargetInfo, indicator_status
from pingtai.catalog import Area, Catalog, Indicator, Plan, PlanIndicator
from pingtai.errors import UsageError
from pingtai.frozen import Record
from pingtai.periods import Period, last_ended_month
from pingtai.schedule import plan_schedule
from pingtai.series import CITY, AreaRule, Figures, Picked, Point, Summed, YearOnYear, by_indicator

CitySource = Literal["reported", "sum"]
NOT_JUDGED = "未研判（无地区目标）"
"""The label of an area's figure that no area target judges."""
NO_TARGET_NOTE = "未设地区目标：全市目标不适用于单个地区，不作研判"


class AreaRow(Record):
    """One area in an indicator's table at ``period``: its figure (``None``: not reported), who reported it
    and its note, growth reported and computed (percent), share of the city's figure (a fraction), rank
    among the county-level areas (1 = largest; ``None`` for a zone or no figure) and contribution to the
    city's growth (percentage points). ``summed`` says whether its figure adds up to the city's."""

    area: str
    code: str | None
    kind: str
    period: Period | None
    value: float | None
    yoy_reported: float | None
    yoy_computed: float | None
    share: float | None
    rank: int | None
    contribution: float | None
    agency: str | None
    note: str
    last_year: float | None
    last_year_basis: str | None
    summed: bool


class CityFigure(Record):
    """The city's figure at the table's point: ``source`` ``reported`` (a 全市 row) or ``sum`` (of the
    county-level areas), with its growth and note; ``total`` the sum of the county-level figures when
    every one is there, ``mismatch`` whether a reported city figure differs from it by more than their
    rounding (``tolerance``); ``missing`` the county-level areas without a figure. ``area`` and ``code``
    name the city (``None`` without ``areas.yaml``)."""

    area: str | None
    code: str | None
    value: float | None
    agency: str | None
    source: CitySource | None
    yoy: YearOnYear | None
    total: float | None
    mismatch: bool
    tolerance: float | None
    missing: list[str]
    note: str = ""


class AreaTable(Record):
    """An indicator's figures across its areas at one point (``show --by-area``): the city, then every
    area it is reported for, in the order of ``areas.yaml``."""

    id: str
    name: str
    unit: str
    additive: bool
    period: Period | None
    city: CityFigure
    rows: list[AreaRow]
    notes: list[str] = field(default_factory=list)


class AreaFigure(Record):
    """One area's latest figure of one indicator in one plan (``status --area``, an area government's
    report): the figure and its growth, share and rank at its point (``ranked``: how many areas were
    ranked), and its judgement — ``judged`` only against the plan's targets for the area (``target``:
    the final one), else ``status`` ``None`` and ``note`` saying why."""

    plan: str
    id: str
    name: str
    unit: str
    area: str
    period: Period | None
    actual: float | None
    agency: str | None
    yoy: YearOnYear | None
    share: float | None
    rank: int | None
    ranked: int
    city: float | None
    judged: bool
    status: str | None
    label: str
    target: TargetInfo | None
    note: str
    history: list[Point]


# --- which area ------------------------------------------------------------------------------------------


def area_named(catalog: Catalog, name: str, agency: str | None = None) -> Area:
    """The area ``name`` names (name, alias or code) for an area view; :class:`~pingtai.errors.UnknownNameError`
    with suggestions for an unknown one, :class:`UsageError` for the city itself (its view is the plain
    dashboard), an area without a government, or together with an ``agency`` (the view is the area's
    government's)."""
    from pingtai.areas import AreaIndex

    if agency is not None:
        raise UsageError("--area 与 --agency 不能同时使用：地区看板列出该地区政府的任务和报表",
                         hint="去掉其中一个，例如 pingtai status --area 柯桥区。")
    found = AreaIndex(catalog.areas).resolve(name)
    if found.kind == "city":
        raise UsageError(f"{found.name} 是全市：全市看板请去掉 --area", hint="pingtai status 即全市看板。")
    if found.agency is None:
        raise UsageError(f"地区 {found.name} 在 areas.yaml 中没有登记管理单位（agency）", hint="请在 areas.yaml 中补上。")
    return found


# --- one indicator across the areas ------------------------------------------------------------------


def area_table(catalog: Catalog, indicator: Indicator, values: Iterable[StoredValueLike], as_of: date,
               period: Period | None = None) -> AreaTable:
    """``indicator``'s figures across its areas at ``period`` (a point; default: the latest point with an
    area's figure, up to ``as_of``). Raises :class:`UsageError` for an indicator not reported by area."""
    if not indicator.areas:
        raise UsageError(f"{indicator.name} 不按地区填报，没有分地区数值",
                         hint="按地区填报的指标见 pingtai areas（或计划 YAML 中的 by_area）。")
    rule = AreaRule(catalog)
    figures = Figures(indicator, [v for v in values if v.indicator == indicator.id], rule, last_ended_month(as_of))
    return _table(figures, rule, period.as_point() if period is not None else _latest(figures))


def _latest(figures: Figures) -> Period | None:
    months = [m for area in figures.areas for m in figures.picked(area)]
    return _point(max(months)) if months else None


def _point(month: int) -> Period:
    return Period.ending_in_month((month - 1) // 12, (month - 1) % 12 + 1)


def _table(figures: Figures, rule: AreaRule, period: Period | None) -> AreaTable:
    indicator = figures.indicator
    additive = rule.additive(indicator)
    notes: list[str] = []
    city_pick = figures.at(CITY, period) if period is not None else None
    city_yoy = figures.year_on_year(CITY, period) if city_pick is not None and period is not None else None
    picks = {area: figures.at(area, period) if period is not None else None for area in indicator.areas}
    missing = [area for area in rule.county if area in indicator.areas and picks.get(area) is None]
    check = figures.sum_check(period) if period is not None else None
    city = CityFigure(
        area=rule.city, code=rule.codes.get(rule.city or ""),
        value=city_pick.value if city_pick is not None else None, agency=city_pick.agency if city_pick else None,
        source=None if city_pick is None else "sum" if isinstance(city_pick, Summed) else "reported", yoy=city_yoy,
        total=check.total if check else (city_pick.value if isinstance(city_pick, Summed) else None),
        mismatch=bool(check and check.mismatch), tolerance=check.tolerance if check else None, missing=missing,
        note=city_pick.note if city_pick is not None else "")
    rows = _rows(figures, rule, period, picks, city_pick.value if city_pick is not None and additive else None,
                 city_yoy.last_year if city_yoy is not None and additive else None)
    if period is None:
        notes.append("台账中尚无分地区数值")
    elif city_pick is None:
        if not additive:
            notes.append(f"{period.label()}无全市数：比率指标不由各地区数值加总")
        elif missing:
            notes.append(f"{period.label()}无全市数：{'、'.join(missing)}未报，各区、县（市）数值不加总")
    elif isinstance(city_pick, Summed):
        notes.append(f"{period.label()}全市数为各区、县（市）合计（报表未给全市数）")
    if city.mismatch and check is not None:
        notes.append(f"全市数 {_text(check.city)} 与各区、县（市）合计 {_text(check.total)} 相差超出舍入误差"
                     f"（±{_text(check.tolerance)}），请核实")
    return AreaTable(indicator.id, indicator.name, indicator.unit, additive, period, city, rows, notes)


def _rows(figures: Figures, rule: AreaRule, period: Period | None, picks: dict[str, Picked | None], city: float | None,
          city_last_year: float | None) -> list[AreaRow]:
    ranks = competition_ranks({area: p.value for area, p in picks.items() if area in rule.county and p is not None})
    rows = []
    for area, pick in picks.items():
        yoy = figures.year_on_year(area, period) if pick is not None and period is not None else None
        value = pick.value if pick is not None else None
        share = value / city if value is not None and city else None
        contribution = None
        if value is not None and yoy is not None and yoy.last_year is not None and city_last_year:
            contribution = (value - yoy.last_year) / city_last_year * 100
        rows.append(AreaRow(
            area=area, code=rule.codes.get(area), kind=rule.kinds.get(area, ""), period=period if pick else None,
            value=value, yoy_reported=yoy.reported if yoy else None, yoy_computed=yoy.computed if yoy else None,
            share=share if share is None or math.isfinite(share) else None, rank=ranks.get(area),
            contribution=contribution if contribution is None or math.isfinite(contribution) else None,
            agency=pick.agency if pick is not None else None, note=pick.note if pick is not None else "",
            last_year=yoy.last_year if yoy else None, last_year_basis=yoy.basis if yoy else None,
            summed=area in rule.county))
    return rows


def competition_ranks(values: dict[str, float]) -> dict[str, int]:
    """Rank 1 for the largest value; equal values share a rank (1, 2, 2, 4)."""
    ordered = sorted(values.values(), reverse=True)
    return {key: 1 + sum(1 for other in ordered if other > value and not math.isclose(other, value, rel_tol=1e-12))
            for key, value in values.items()}


def _text(value: float | None) -> str:
    from pingtai.render.format import num

    return num(value)


def area_tables_at(catalog: Catalog, plans: Sequence[Plan], values: Iterable[StoredValueLike], as_of: date,
                   period: Period) -> list[AreaTable]:
    """The table (:func:`area_table`) of every indicator of ``plans`` reported by area at ``period`` (a point),
    once per indicator in plan order — what ``show INDICATOR --by-area --period P`` builds for each of them
    (the bulletin's 各区、县（市）情况). ``values`` are read once, grouped by indicator."""
    rule = AreaRule(catalog)
    ended = last_ended_month(as_of)
    grouped = by_indicator(values)
    point = period.as_point()
    tables: dict[str, AreaTable] = {}
    for plan in plans:
        for item in plan.indicators:
            if item.indicator.areas and item.id not in tables:
                figures = Figures(item.indicator, grouped.get(item.id, []), rule, ended)
                tables[item.id] = _table(figures, rule, point)
    return list(tables.values())


# --- one area's figures ----------------------------------------------------------------------------------


def area_figures(catalog: Catalog, plans: Sequence[Plan], values: Iterable[StoredValueLike], area: str,
                 as_of: date, *, used: bool = True) -> tuple[list[AreaFigure], list[IndicatorStatus]]:
    """``area``'s latest figure of every indicator of ``plans`` reported there, with its growth, share and rank,
    and the dashboard rows of those the plans set targets for in that area (judged against them; without
    ``used`` their projections do not list their observations)."""
    rule = AreaRule(catalog)
    ended = last_ended_month(as_of)
    grouped = by_indicator(values)
    figures_of = {ident: Figures(catalog.indicators[ident], group, rule, ended)
                  for ident, group in grouped.items() if ident in catalog.indicators}
    tables: dict[str, AreaTable] = {}
    found: list[AreaFigure] = []
    judged: list[IndicatorStatus] = []
    for plan in plans:
        schedule = plan_schedule(catalog, plan)
        for item in plan.indicators:
            indicator = item.indicator
            if area not in indicator.areas:
                continue
            figures = figures_of.get(item.id) or Figures(indicator, [], rule, ended)
            picks = figures.picked(area)
            latest = next(reversed(picks.values()), None)
            period = latest.period if latest is not None else None
            table = tables.get(f"{item.id}@{period}")
            if table is None:
                table = tables[f"{item.id}@{period}"] = _table(figures, rule, period)
            row = next(r for r in table.rows if r.area == area)
            targets = next((t.targets for t in item.area_targets if t.area == area), None)
            status = None
            if targets:
                local = PlanIndicator(plan.id, indicator, item.task, None, tuple(targets), item.tolerance,
                                      item.source)
                status = indicator_status(local, figures, as_of, schedule, area=area, used=used)
                judged.append(status)
            found.append(AreaFigure(
                plan=plan.id, id=item.id, name=indicator.name, unit=indicator.unit, area=area, period=period,
                actual=row.value, agency=row.agency, yoy=figures.year_on_year(area, period) if period else None,
                share=row.share, rank=row.rank, ranked=sum(1 for r in table.rows if r.rank is not None),
                city=table.city.value, judged=status is not None, status=status.status if status else None,
                label=status.label if status else NOT_JUDGED,
                target=TargetInfo.of(max(targets, key=lambda t: t.period)) if targets else None,
                note="" if status else NO_TARGET_NOTE, history=figures.series(area)))
    return found, judged


def area_tables_of(catalog: Catalog, plans: Sequence[Plan], values: Iterable[StoredValueLike], area: str,
                   as_of: date) -> list[AreaTable]:
    """The tables (:func:`area_table`) of every indicator of ``plans`` that ``area`` has a figure of, each at
    ``area``'s latest point (once per indicator, in plan order)."""
    rule = AreaRule(catalog)
    ended = last_ended_month(as_of)
    grouped = by_indicator(values)
    tables: list[AreaTable] = []
    seen: set[str] = set()
    for plan in plans:
        for item in plan.indicators:
            if area not in item.indicator.areas or item.id in seen:
                continue
            seen.add(item.id)
            figures = Figures(item.indicator, grouped.get(item.id, []), rule, ended)
            latest = next(reversed(figures.picked(area).values()), None)
            if latest is not None:  # nothing to rank the area by until it has a figure
                tables.append(_table(figures, rule, latest.period))
    return tables


__all__ = ["NOT_JUDGED", "NO_TARGET_NOTE", "AreaFigure", "AreaRow", "AreaTable", "CityFigure", "area_figures",
           "area_named", "area_table", "area_tables_at", "area_tables_of", "competition_ranks"]
