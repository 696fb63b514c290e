"""Catalog rows for the browsing commands (``plans``, ``indicators``, ``tasks``, ``agencies``, ``areas``).

Each function returns plain JSON-ready dicts in the shapes DESIGN.md fixes; the console renderer
and ``--json`` both print these same objects.
"""

from __future__ import annotations

from typing import Any

from pingtai.agencies import AgencyIndex
from pingtai.areas import AreaIndex
from pingtai.catalog import (
    AGENCY_KIND_LABELS,
    AREA_KIND_LABELS,
    COMPARATOR_LABELS,
    Area,
    Catalog,
    Indicator,
    Plan,
    PlanIndicator,
    Target,
    Task,
)
from pingtai.errors import UnknownNameError


def resolve_plan(catalog: Catalog, name: str) -> Plan:
    """A plan by id (``plan_2023_38``), short name (``38号``) or document number."""
    wanted = name.strip()
    for plan in catalog.plans:
        if wanted in (plan.id, plan.spec.short_name, plan.spec.document.number):
            return plan
    raise UnknownNameError("计划", name, [p.id for p in catalog.plans])


def plans_for(catalog: Catalog, plan: str | None) -> list[Plan]:
    return [resolve_plan(catalog, plan)] if plan else list(catalog.plans)


def target_text(target: Target) -> str:
    """``>1400`` style short form with the comparator's Chinese word: ``1400（超过）``."""
    from pingtai.render.format import num  # one spelling of a figure everywhere (``:g`` wrote 1.2e+06)

    if target.comparator == "range":
        return f"{num(target.low)}—{num(target.high)}"
    assert target.value is not None
    word = COMPARATOR_LABELS[target.comparator]
    every = f"每年（{target.first}起）" if target.first else ""
    return f"{every}{num(target.value)}（{word}）"


def target_row(target: Target) -> dict[str, Any]:
    row: dict[str, Any] = {"period": str(target.period), "value": target.value, "comparator": target.comparator}
    if target.comparator == "range":
        row.update(low=target.low, high=target.high)
    if target.band is not None:
        row["band"] = target.band
    row.update(recurring=target.recurring, first=str(target.first) if target.first else None,
               text=target.text, source=target.source)
    return row


def indicator_row(item: PlanIndicator) -> dict[str, Any]:
    """``indicators --json`` row: one indicator as one plan sees it."""
    ind = item.indicator
    return {
        "plan": item.plan, "id": ind.id, "name": ind.name, "unit": ind.unit, "kind": ind.kind,
        "direction": ind.direction, "task": item.task,
        "baseline": {"period": str(item.baseline.period), "value": item.baseline.value} if item.baseline else None,
        "targets": [target_row(t) for t in item.targets],
        "frequency": ind.frequency, "aliases": list(ind.aliases), "tolerance": item.tolerance,
        "source": item.source, "defined_in": ind.defined_in,
        "by_area": by_area_row(ind),
        "area_targets": [{"area": split.area, "targets": [target_row(t) for t in split.targets]}
                         for split in item.area_targets],
    }


def by_area_row(indicator: Indicator) -> dict[str, Any] | None:
    """How ``indicator`` is reported by area (areas spelled out), or ``None`` for the city only."""
    if indicator.by_area is None:
        return None
    return {"areas": list(indicator.areas), "all": indicator.by_area.areas == "all",
            "additive": indicator.by_area.additive, "source": indicator.by_area.source, "note": indicator.by_area.note}


def task_units(plan: Plan, index: AgencyIndex, agency: str | None) -> list[Task]:
    """Tasks of ``plan`` whose units include ``agency`` (directly or through a group)."""
    if agency is None:
        return list(plan.tasks)
    return [t for t in plan.tasks if any(index.covers(u, agency) for u in t.units)]


def indicator_rows(catalog: Catalog, plan: str | None = None, agency: str | None = None) -> list[dict[str, Any]]:
    index = AgencyIndex(catalog.agencies)
    canonical = index.resolve(agency).name if agency else None
    rows = []
    for p in plans_for(catalog, plan):
        numbers = {t.number for t in task_units(p, index, canonical)}
        rows += [indicator_row(i) for i in p.indicators if canonical is None or i.task in numbers]
    return rows


def task_row(plan: Plan, task: Task) -> dict[str, Any]:
    """``tasks --json`` row: units in document order, lead first."""
    return {"plan": plan.id, "number": task.number, "title": task.title, "action": task.action,
            "lead": task.lead, "units": list(task.units), "co": task.co_units, "source": task.source,
            "indicators": [i.id for i in plan.indicators if i.task == task.number],
            "deliverables": [d.title for d in task.deliverables]}


def task_rows(catalog: Catalog, plan: str | None = None, agency: str | None = None,
              lead_only: bool = False) -> list[dict[str, Any]]:
    """``tasks`` rows; ``lead_only`` keeps the tasks ``agency`` leads (it narrows an agency filter)."""
    index = AgencyIndex(catalog.agencies)
    canonical = index.resolve(agency).name if agency else None
    rows = []
    for p in plans_for(catalog, plan):
        for task in task_units(p, index, canonical):
            if lead_only and canonical is not None and not index.covers(task.lead, canonical):
                continue
            rows.append(task_row(p, task))
    return rows


def plan_rows(catalog: Catalog) -> list[dict[str, Any]]:
    rows = []
    for plan in catalog.plans:
        spec = plan.spec
        rows.append({
            "id": spec.id, "short_name": spec.short_name, "number": spec.document.number,
            "title": spec.document.title, "issuer": spec.document.issuer,
            "issued": spec.document.issued.isoformat(), "printed": spec.document.printed.isoformat(),
            "in_force": spec.document.in_force.isoformat() if spec.document.in_force else None,
            "horizon": {"start": str(spec.horizon.start), "end": str(spec.horizon.end)},
            "revision": {"date": spec.revision.date.isoformat(), "note": spec.revision.note},
            "schema_version": spec.schema_version, "path": plan.path,
            "indicators": len(plan.indicators), "tasks": len(plan.tasks),
        })
    return rows


def agency_rows(catalog: Catalog) -> list[dict[str, Any]]:
    index = AgencyIndex(catalog.agencies)
    rows = []
    for agency in catalog.agencies.agencies:
        lead, co = _responsibilities(catalog, index, agency.name)
        rows.append({"name": agency.name, "full_name": agency.full_name, "kind": agency.kind,
                     "label": AGENCY_KIND_LABELS[agency.kind], "aliases": list(agency.aliases),
                     "groups": index.groups_of(agency.name),
                     "lead": len(lead), "co": len(co)})
    return rows


def _responsibilities(catalog: Catalog, index: AgencyIndex, name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lead, co = [], []
    for plan in catalog.plans:
        for task in plan.tasks:
            entry = {"plan": plan.id, "number": task.number, "title": task.title}
            if index.covers(task.lead, name):
                lead.append({**entry, "via": task.lead if task.lead != name else None})
            elif any(index.covers(u, name) for u in task.co_units):
                via = next(u for u in task.co_units if index.covers(u, name))
                co.append({**entry, "via": via if via != name else None})
    return lead, co


def agency_detail(catalog: Catalog, name: str) -> dict[str, Any]:
    """One agency (or group) resolved from any spelling, with the tasks it leads and co-operates on."""
    index = AgencyIndex(catalog.agencies)
    found = index.resolve(name)
    lead, co = _responsibilities(catalog, index, found.name)
    if found.group is not None:
        return {"name": found.name, "query": name, "group": True, "members": list(found.group.members),
                "complete": found.group.complete, "note": found.group.note, "lead": lead, "co": co}
    agency = found.agency
    assert agency is not None
    return {"name": agency.name, "query": name, "group": False, "full_name": agency.full_name,
            "kind": agency.kind, "label": AGENCY_KIND_LABELS[agency.kind], "aliases": list(agency.aliases),
            "groups": index.groups_of(agency.name),
            "note": agency.note, "lead": lead, "co": co}


def area_row(catalog: Catalog, area: Area) -> dict[str, Any]:
    """``areas --json`` row: one area, and the indicators reported for it."""
    return {"name": area.name, "code": area.code, "kind": area.kind, "aliases": list(area.aliases),
            "agency": area.agency, "label": AREA_KIND_LABELS[area.kind], "summed": area.summed,
            # the city: every indicator reported by area (its areas' figures meet in the city's)
            "indicators": [i.id for i in catalog.indicators.values()
                           if area.name in i.areas or (area.kind == "city" and i.areas)],
            "sources": list(area.sources), "note": area.note}


def area_rows(catalog: Catalog) -> list[dict[str, Any]]:
    """Every area of ``areas.yaml`` in file order (the city first); empty when there is none."""
    return [area_row(catalog, area) for area in (catalog.areas.areas if catalog.areas else [])]


def area_detail(catalog: Catalog, name: str) -> dict[str, Any]:
    """One area resolved from its name, an alias or its code (:class:`~pingtai.errors.UnknownNameError`
    with suggestions when unknown)."""
    area = AreaIndex(catalog.areas).resolve(name)
    return {**area_row(catalog, area), "query": name}
