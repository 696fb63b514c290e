"""Units of measure, grouped in families whose members convert into each other.

Families: currency (元 / 万元 / 亿元), counts (个 家 户 件 项 次 台 组 所 人 and their 万 forms),
percent (%). A value converts only within its family; the conversion is reported, never silent.
"""

from __future__ import annotations

import unicodedata

from pingtai.frozen import Record

COUNT_NOUNS = ("个", "家", "户", "件", "项", "次", "台", "组", "所", "人", "款", "场", "条", "名")
CURRENCY = {"元": 1.0, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "亿元": 1e8}
PREFIXES = {"": 1.0, "万": 1e4, "亿": 1e8}


class Unit(Record):
    """A unit: ``family`` (currency / count / percent) and its ``scale`` relative to the base."""

    symbol: str
    family: str
    scale: float


def _build() -> dict[str, Unit]:
    table: dict[str, Unit] = {sym: Unit(sym, "currency", scale) for sym, scale in CURRENCY.items()}
    for noun in COUNT_NOUNS:
        for prefix, scale in PREFIXES.items():
            table[prefix + noun] = Unit(prefix + noun, "count", scale)
    table["%"] = Unit("%", "percent", 1.0)
    return table


UNITS: dict[str, Unit] = _build()
_ALIASES = {"％": "%", "百分比": "%"}


def normalize_unit(text: str) -> str:
    """Canonical spelling of a unit (NFKC, no spaces or brackets); unknown text comes back cleaned."""
    cleaned = unicodedata.normalize("NFKC", text).strip().strip("()（）[]【】").replace(" ", "")
    return _ALIASES.get(cleaned, cleaned)


def lookup(text: str) -> Unit | None:
    """The :class:`Unit` for ``text`` or ``None`` when it is not a unit pingtai knows."""
    return UNITS.get(normalize_unit(text))


def conversion_factor(source: str, target: str) -> float | None:
    """Factor turning a value in ``source`` into ``target`` units, or ``None`` across families."""
    src, dst = lookup(source), lookup(target)
    if src is None or dst is None or src.family != dst.family:
        return None
    return src.scale / dst.scale
