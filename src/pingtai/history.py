"""Looking values up by indicator: name resolution and the full history of one indicator."""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from pingtai.catalog import Catalog, Indicator, PlanIndicator
from pingtai.errors import UnknownNameError
from pingtai.ledger import Ledger, StoredValue
from pingtai.views import resolve_plan


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("\u3000", "").lower()


def resolve_indicator(catalog: Catalog, name: str, plan: str | None = None) -> Indicator:
    """An indicator by id, name or alias (width and spaces ignored), optionally within one plan.

    Raises :class:`UnknownNameError` (exit 2) with up to three close names when nothing matches.
    """
    candidates = list(catalog.indicators.values())
    if plan is not None:
        ids = {item.id for item in resolve_plan(catalog, plan).indicators}
        candidates = [c for c in candidates if c.id in ids]
    spellings: dict[str, Indicator] = {}
    for indicator in candidates:
        for spelling in (indicator.id, indicator.name, *indicator.aliases):
            spellings.setdefault(_fold(spelling), indicator)
    found = spellings.get(_fold(name))
    if found is not None:
        return found
    close = difflib.get_close_matches(_fold(name), list(spellings), n=6, cutoff=0.4)
    suggestions: list[str] = []
    for key in close:
        label = f"{spellings[key].name}（{spellings[key].id}）"
        if label not in suggestions:
            suggestions.append(label)
    raise UnknownNameError("指标", name, suggestions[:3])


@dataclass(frozen=True)
class IndicatorHistory:
    """Every value ever recorded for one indicator, and the plans' view of it (for display)."""

    indicator: Indicator
    plans: tuple[PlanIndicator, ...]
    values: list[StoredValue]


def indicator_history(catalog: Catalog, ledger: Ledger, name: str, plan: str | None = None) -> IndicatorHistory:
    """Resolve ``name`` (within ``plan`` when given) and read its full history from ``ledger``."""
    indicator = resolve_indicator(catalog, name, plan)
    wanted = {resolve_plan(catalog, plan).id} if plan else {p.id for p in catalog.plans}
    plans = tuple(item for item in catalog.plan_indicators() if item.id == indicator.id and item.plan in wanted)
    return IndicatorHistory(indicator, plans, ledger.history(indicator.id))
