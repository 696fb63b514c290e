"""Text as agencies write it: indicator names, header labels, ``填报单位：…`` lines, dates.

Everything is compared after :func:`fold` (NFKC, no whitespace, ASCII brackets, no quotes), so
``农村快递“共富驿站”``, ``农村快递"共富驿站"`` and ``农村快递 共富驿站`` are one name, and
``网络零售额（万元）`` is the indicator ``网络零售额`` with the unit ``万元``.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass

from pingtai.catalog import Catalog, Indicator
from pingtai.periods import Period, PeriodError
from pingtai.units import lookup, normalize_unit

_SPACE = re.compile(r"\s+")
_DROP = dict.fromkeys(map(ord, "“”\"'‘’「」『』《》〈〉"), None)
_BRACKETS = str.maketrans({"【": "[", "】": "]", "〔": "(", "〕": ")", "［": "[", "］": "]"})
_TRAILING_BRACKET = re.compile(r"[(\[]([^()\[\]]{1,12})[)\]]$")
_SUBITEM = re.compile(r"^(?:#+|其中[:,]?|内:|含:)+")
_NUMBERING = re.compile(r"^(?:\d{1,2}[.、](?!\d)|\(\d{1,2}\)|[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十]{1,3}\)|[①-⑳])")


def fold(text: str) -> str:
    """Canonical form for comparisons: NFKC, no whitespace or quotes, ASCII brackets."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).translate(_DROP).translate(_BRACKETS)


@dataclass(frozen=True)
class Label:
    """A name cell taken apart: ``key`` to look up, the ``unit`` in trailing brackets, ``subitem`` for ``#``/``其中``."""

    key: str
    unit: str = ""
    subitem: bool = False


def split_label(text: str) -> Label:
    """``#其中：跨境电商进出口额（亿元）`` → key ``跨境电商进出口额``, unit ``亿元``, subitem."""
    folded = fold(text)
    subitem = False
    match = _SUBITEM.match(folded)
    if match:
        subitem, folded = True, folded[match.end():]
    match = _NUMBERING.match(folded)
    if match:
        folded = folded[match.end():]
        sub = _SUBITEM.match(folded)
        if sub:
            subitem, folded = True, folded[sub.end():]
    unit = ""
    match = _TRAILING_BRACKET.search(folded)
    if match:
        inner = match[1].removeprefix("单位:").removeprefix("单位")
        if lookup(inner) is not None:
            unit, folded = normalize_unit(inner), folded[:match.start()]
    return Label(folded.casefold(), unit, subitem)


class IndicatorIndex:
    """Every spelling of every indicator (id, name, aliases) → indicator id; with suggestions."""

    def __init__(self, catalog: Catalog) -> None:
        self.indicators: dict[str, Indicator] = dict(catalog.indicators)
        self._keys: dict[str, str] = {}
        for indicator in self.indicators.values():
            for spelling in (indicator.id, indicator.name, *indicator.aliases):
                key = split_label(spelling).key
                if key:
                    self._keys.setdefault(key, indicator.id)
        self._cache: dict[str, tuple[Indicator | None, Label]] = {}

    def match(self, text: str) -> tuple[Indicator | None, Label]:
        """The indicator a name cell names (``None`` if unknown) and the cell's parts."""
        found = self._cache.get(text)
        if found is None:
            label = split_label(text)
            ident = self._keys.get(label.key)
            found = (self.indicators[ident] if ident else None, label)
            if len(self._cache) < 100_000:
                self._cache[text] = found
        return found

    def named_in(self, text: str) -> tuple[Indicator | None, bool]:
        """The indicator a free text names (a title: ``2024年1-9月各区、县（市）网络零售额情况``).

        Looks for every spelling of three or more characters in the text (two-character names such
        as ``平台`` are parts of too many words: ``平台经济``); a spelling inside a longer one found
        there does not count (``互联网平台`` in ``省级工业互联网平台``). Returns ``(indicator, False)``
        for exactly one indicator, ``(None, True)`` when the text names several, ``(None, False)``
        when it names none.
        """
        key = fold(text).casefold()
        found = [(spelling, ident) for spelling, ident in self._keys.items() if len(spelling) >= 3 and spelling in key]
        kept = {ident for spelling, ident in found
                if not any(spelling != longer and spelling in longer for longer, _ in found)}
        if len(kept) == 1:
            return self.indicators[kept.pop()], False
        return None, len(kept) > 1

    def suggest(self, key: str, limit: int = 3) -> list[str]:
        """Names of up to ``limit`` indicators spelled like ``key`` (a folded label key)."""
        names: list[str] = []
        for match in difflib.get_close_matches(key, list(self._keys), n=limit * 4, cutoff=0.6):
            name = self.indicators[self._keys[match]].name
            if name not in names:
                names.append(name)
        if not names and len(key) >= 2:
            # "全市网络零售额合计" contains a known name; difflib scores it low
            for candidate, ident in sorted(self._keys.items(), key=lambda kv: -len(kv[0])):
                name = self.indicators[ident].name
                if len(candidate) >= 2 and (candidate in key or key in candidate) and name not in names:
                    names.append(name)
        return names[:limit]


# --- labelled lines: 填报单位（盖章）：…  填报人：…  联系电话：…  报告期：… -------------------------

LABELS: dict[str, str] = {
    "agency": r"填报单位(?:\(盖章\))?|报送单位(?:\(盖章\))?|填报部门|单位名称|单位\(盖章\)",
    "reporter": r"填报人|填表人|制表人|联系人|经办人|统计人",
    "phone": r"联系电话|电话号码|联系方式|电话|手机",
    "reviewer": r"审核人|复核人",
    "filled_on": r"填报时间|填报日期|填表日期|填表时间|报送日期|报送时间|制表日期|制表时间",
    "period": r"报告期别|报告期|统计期|所属期|报告时间|统计时间",
    # not inside a longer word: 填报地区：浙江省…, 主要指标：… are no such labels
    "area": r"(?<![\u4e00-\u9fff])(?:所属地区|地区|区域)",
    "indicator": r"(?<![\u4e00-\u9fff])(?:指标名称|指标)",
    "ignore": r"单位负责人|统计负责人|负责人|分管领导|审核|签发",
    "unit": r"计量单位|金额单位|单位",
}
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])[ \t\u3000]+(?=[\u4e00-\u9fff])")  # 填  报  人 → 填报人
_PUNCT_GAP = re.compile(r"[ \t\u3000]*([():])[ \t\u3000]*")
_LABEL = "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in LABELS.items())
_LABELLED = re.compile(rf"(?:{_LABEL})\s*[:]")
_LABEL_ALONE = re.compile(rf"^(?:{_LABEL})[:]?$")
_FOOTER = re.compile(r"^(?:注[:\d]|注$|说明[:]|备注[:]|资料来源|数据来源|填报说明|(?:" + "|".join(
    LABELS[k] for k in ("reporter", "phone", "reviewer", "filled_on", "ignore")) + r"))")


_TOTAL = re.compile(r"^(?:全市|合计|总计|全市合计|绍兴市|全市总计|总体|全市小计|市本级合计)$")


def is_total(text: str) -> bool:
    """Whether a row label names the city's total (``全市``, ``合计`` …), whatever its numbering or spacing."""
    return bool(_TOTAL.match(split_label(text).key))


def labelled(text: str) -> list[tuple[str, str]]:
    """``(kind, value)`` for each ``label：value`` in a cell, in order (value may be ``''``).

    ``填报单位（盖章）：绍兴市商务局  填报人：张三`` → ``[("agency", "绍兴市商务局"), ("reporter", "张三")]``.
    """
    cleaned = _CJK_GAP.sub("", unicodedata.normalize("NFKC", text))
    cleaned = _PUNCT_GAP.sub(r"\1", cleaned)
    found: list[tuple[str, str]] = []
    matches = list(_LABELLED.finditer(cleaned))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(cleaned)
        kind = match.lastgroup or "ignore"
        found.append((kind, cleaned[match.end():end].strip(" \t\u3000,，;；")))
    return found


def label_alone(text: str) -> str | None:
    """The kind of a cell that is only a label (``填报人`` / ``填报人：``), its value in the next cell."""
    match = _LABEL_ALONE.match(fold(text))
    return match.lastgroup if match else None


def is_footer(text: str) -> bool:
    """A row starting like ``填报人：``, ``注：`` or ``单位负责人`` ends the data, whatever follows."""
    return bool(_FOOTER.match(fold(text)))


_PERIOD_IN_TEXT = re.compile(
    r"\d{4}年(?:(?:1|一)月?[-—–~至到](?:\d{4}年)?\d{1,2}月(?:份)?|第?[一二三四1-4]季度|[上下]半年|\d{1,2}月(?:份)?(?!\d{1,2}日)|度|全年)"
)


def period_in_text(text: str) -> Period | None:
    """The first period spelled in free text (a title such as ``2024年1-9月绍兴市网络零售情况``)."""
    for match in _PERIOD_IN_TEXT.finditer(fold(text)):
        try:
            return Period.parse(match[0])
        except PeriodError:
            continue
    return None


_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


def parse_date(value: object) -> dt.date | None:
    """A fill-in date from a date cell or text (``2024年10月15日``, ``2024-10-15``, ``2024.10.15``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.search(unicodedata.normalize("NFKC", str(value)))
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None
