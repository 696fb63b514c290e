"""Looking values up by indicator: name resolution and the full history of one indicator."""

from __future__ import annotations

from pingtai.catalog import Catalog, Indicator, PlanIndicator
from pingtai.errors import UnknownNameError
from pingtai.frozen import Record
from pingtai.ledger import Ledger, StoredValue
from pingtai.series import AreaRule
from pingtai.views import resolve_plan


def resolve_indicator(catalog: Catalog, name: str, plan: str | None = None) -> Indicator:
    """An indicator by id, name or alias, spelled as loosely as returns spell it, optionally within one plan.

    Matching is the reader's (:class:`~pingtai.returns.names.IndicatorIndex`: width, spaces, quotes
    and a trailing ``（亿元）`` ignored). Raises :class:`UnknownNameError` (exit 2) with up to three
    close names when nothing matches.
    """
    from pingtai.returns.names import IndicatorIndex

    index = IndicatorIndex(catalog)
    allowed = {item.id for item in resolve_plan(catalog, plan).indicators} if plan else set(catalog.indicators)
    found, label = index.match(name)
    if found is not None and found.id in allowed:
        return found
    names = {catalog.indicators[ident].name for ident in allowed}
    raise UnknownNameError("指标", name, [n for n in index.suggest(label.key, limit=6) if n in names][:3])


class IndicatorHistory(Record):
    """Every value ever recorded for one indicator, and the plans' view of it (for display).

    Each value's ``area`` is the area it is for by name — the city's name for a city-wide figure
    (``None`` without ``areas.yaml``)."""

    indicator: Indicator
    plans: tuple[PlanIndicator, ...]
    values: list[StoredValue]


def indicator_history(catalog: Catalog, ledger: Ledger, name: str, plan: str | None = None) -> IndicatorHistory:
    """Resolve ``name`` (within ``plan`` when given) and read its full history from ``ledger``."""
    indicator = resolve_indicator(catalog, name, plan)
    wanted = {resolve_plan(catalog, plan).id} if plan else {p.id for p in catalog.plans}
    plans = tuple(item for item in catalog.plan_indicators() if item.id == indicator.id and item.plan in wanted)
    city = AreaRule(catalog).city
    values = [v if v.area else v.replace(area=city) for v in ledger.history(indicator.id)]
    return IndicatorHistory(indicator, plans, values)
