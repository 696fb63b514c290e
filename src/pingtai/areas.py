"""Area name resolution: the city, its county-level areas and functional zones, by name, alias or code.

Returns name areas loosely (``越城区``, ``越城``, ``绍兴市越城区``, ``330602``, ``越 城 区``);
:class:`AreaIndex` maps all of them to the canonical name in ``areas.yaml`` and suggests names
for what it does not know.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pingtai.agencies import closest_names, normalize_name
from pingtai.errors import UnknownNameError

if TYPE_CHECKING:  # catalog imports this module to check references; keep the import one-way at run time
    from pingtai.catalog import Area, AreaRegistry


class AreaIndex:
    """Lookup of every spelling of every area in an area registry (none: no area is known)."""

    def __init__(self, registry: AreaRegistry | None) -> None:
        self.registry = registry
        areas = list(registry.areas) if registry is not None else []
        self.areas: dict[str, Area] = {a.name: a for a in areas}
        self.city: Area | None = next((a for a in areas if a.kind == "city"), None)
        self._keys: dict[str, str] = {}
        for area in areas:
            spellings = [area.name, *area.aliases, *([area.code] if area.code else [])]
            for spelling in spellings:
                self._keys.setdefault(normalize_name(spelling), area.name)
        if self.city is not None:
            # "绍兴市越城区" for "越城区": the city is often written in front
            for area in areas:
                if area is not self.city:
                    self._keys.setdefault(normalize_name(self.city.name + area.name), area.name)

    def find(self, name: str) -> Area | None:
        """The area any spelling names; ``None`` when it is not known."""
        canonical = self._keys.get(normalize_name(name))
        return self.areas[canonical] if canonical is not None else None

    def resolve(self, name: str) -> Area:
        """The area ``name`` names, or :class:`UnknownNameError` with up to three suggestions."""
        found = self.find(name)
        if found is None:
            raise UnknownNameError("地区", name, self.suggest(name), listing="pingtai areas")
        return found

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Canonical names of areas spelled like ``name``."""
        return closest_names(normalize_name(name), self._keys, limit)

    def is_city(self, name: str | None) -> bool:
        """Whether the canonical area ``name`` is the city itself."""
        return self.city is not None and name == self.city.name
