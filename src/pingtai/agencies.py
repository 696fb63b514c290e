"""Agency name resolution: canonical names, full names, aliases, groups and "did you mean".

Returns and flags name units loosely (``市场监管局``, ``绍兴市市场监督管理局``, ``市人社保局``,
``填报单位（盖章）：绍兴市商务局``); :class:`AgencyIndex` maps all of them to one canonical name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import TYPE_CHECKING

from pingtai.errors import UnknownNameError
from pingtai.frozen import Record

if TYPE_CHECKING:  # catalog imports this module to check references; keep the import one-way at run time
    from pingtai.catalog import Agency, AgencyGroup, AgencyRegistry

_NOISE = re.compile(r"[\s:：（(]*盖章[)）]*|^填报单位|^报送单位|^单位名称|[\s\u3000]")


def normalize_name(text: str) -> str:
    """Fold width and whitespace, drop ``填报单位（盖章）：`` style prefixes."""
    cleaned = unicodedata.normalize("NFKC", text)
    cleaned = _NOISE.sub("", cleaned).strip(":：")
    # NFKC turns the documents' full-width brackets into ASCII; keep one spelling for lookups.
    return cleaned.replace("(", "（").replace(")", "）").replace(",", "、")


def closest_names(key: str, keys: dict[str, str], limit: int = 3) -> list[str]:
    """Up to ``limit`` canonical names whose spellings look like ``key``.

    ``keys`` maps normalised spellings to canonical names. Close spellings first (difflib);
    failing those, names sharing enough characters (``市场监督局`` → ``市市场监管局``).
    """
    close = difflib.get_close_matches(key, list(keys), n=limit * 3, cutoff=0.5)
    ranked: list[str] = []
    for match in close:
        canonical = keys[match]
        if canonical not in ranked:
            ranked.append(canonical)
    if not ranked:
        scored = sorted(
            ((len(set(key) & set(k)) / max(len(set(key) | set(k)), 1), keys[k]) for k in keys),
            reverse=True,
        )
        for score, canonical in scored:
            if score >= 0.3 and canonical not in ranked:
                ranked.append(canonical)
    return ranked[:limit]


class Resolved(Record):
    """What a name resolved to: an agency, or a group with the agencies it stands for."""

    name: str
    agency: Agency | None
    group: AgencyGroup | None

    @property
    def is_group(self) -> bool:
        return self.group is not None


class AgencyIndex:
    """Lookup of every spelling of every unit and group in the registry."""

    def __init__(self, registry: AgencyRegistry) -> None:
        self.registry = registry
        self.agencies = {a.name: a for a in registry.agencies}
        self.groups = {g.name: g for g in registry.groups}
        self._keys: dict[str, str] = {}
        for agency in registry.agencies:
            for spelling in (agency.name, agency.full_name, *agency.aliases):
                self._keys.setdefault(normalize_name(spelling), agency.name)
            # "绍兴市商务局" for "市商务局": the city prefix is often written out.
            if agency.name.startswith("市"):
                self._keys.setdefault(normalize_name("绍兴" + agency.name), agency.name)
        for group in registry.groups:
            self._keys.setdefault(normalize_name(group.name), group.name)

    def find(self, name: str) -> Resolved | None:
        """Resolve any spelling; ``None`` when it is not known."""
        canonical = self._keys.get(normalize_name(name))
        if canonical is None:
            return None
        return Resolved(canonical, self.agencies.get(canonical), self.groups.get(canonical))

    def resolve(self, name: str) -> Resolved:
        """Resolve any spelling or raise :class:`UnknownNameError` with up to three suggestions."""
        found = self.find(name)
        if found is None:
            raise UnknownNameError("单位", name, self.suggest(name))
        return found

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Canonical names that look like ``name`` (by spelling, then by shared characters)."""
        return closest_names(normalize_name(name), self._keys, limit)

    def groups_of(self, agency: str) -> list[str]:
        """Names of the groups that ``agency`` (canonical) belongs to."""
        return [g.name for g in self.registry.groups if agency in g.members]

    def covers(self, unit: str, agency: str) -> bool:
        """Whether a task unit ``unit`` (an agency or a group) includes ``agency``."""
        if unit == agency:
            return True
        group = self.groups.get(unit)
        return group is not None and agency in group.members
