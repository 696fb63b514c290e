"""Numbers as agencies write them: ``10,234,500``, ``９８``, ``1.2万``, ``12%``, ``1000亿元``, ``…``.

:func:`parse_number` reads one cell's text and never raises: it returns a :class:`ParsedNumber`
that says what the number is, which unit was written after it, and — when the text is not a
number — why, with a stable code. Interpreting the unit (does ``%`` fit this indicator, does
``万`` clash with a unit that already has one) is the reader's job, not this module's.

Conventions (DESIGN.md "Returns in Excel"):

* blank, ``-``, ``—``, ``/`` alone: not reported (``value`` is ``None``, ``blank`` is true) —
  never zero;
* ``…`` / ``...`` / ``……``: below the smallest unit shown — ``value`` 0 with ``below_unit``;
* thousands separators must group by three (``1,234,567``); full-width digits and punctuation
  are folded by NFKC; spaces anywhere are ignored;
* a trailing ``万`` / ``亿`` alone multiplies (``1.2万`` → 12000, ``multiplier`` 1e4); a trailing
  unit (``亿元``, ``万家``, ``家``, ``%``) is returned in ``unit``;
* qualifiers (``约1000``, ``1000左右``, ``>100``, ``1000余``), spreadsheet error values
  (``#DIV/0!``, ``Err:502``) and anything else are errors quoting the text.
"""

from __future__ import annotations

import math
import re
import unicodedata

from pingtai.frozen import Record
from pingtai.units import lookup, normalize_unit

NOT_REPORTED = frozenset({"-", "--", "—", "——", "–", "―", "/", "\\"})
"""Dashes and slashes alone mean "not reported" (the CJK ``一`` is not among them: it could be a 1)."""

_BELOW_UNIT = re.compile(r"^(?:\.{2,}|…+|·{3,}|⋯+)$")
_NUMBER = re.compile(
    r"^(?P<sign>[+\-−]?)"
    r"(?P<digits>\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)"
    r"(?P<exp>[eE][+\-]?\d{1,3})?"
    r"(?P<suffix>.*)$"
)
_SPACES = re.compile(r"\s+")
_CELL_ERROR = re.compile(r"^(?:#(?:DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|UNKNOWN!)|Err:\d{3})$",
                         re.IGNORECASE)
_QUALIFIERS = ("约", "近", "超", "逾", "大约", "接近", "超过", "不到", "不足", "左右", "以上", "以下", "余", "多", "上下", "约为", "+")
_MAGNITUDES = {"万": 1e4, "亿": 1e8, "千": 1e3, "百万": 1e6, "千万": 1e7, "万亿": 1e12}


class ParsedNumber(Record):
    """What one cell's text says as a number.

    ``value`` is the number with any ``万``/``亿`` multiplier applied, or ``None`` when the cell
    is blank / a dash (``blank``) or not a number (``error`` says why in Chinese, ``code`` is
    stable: ``not-a-number``, ``cell-error``). ``unit`` is the unit written after the number,
    normalised (``''`` when none); ``below_unit`` marks ``…``.
    """

    value: float | None
    unit: str = ""
    below_unit: bool = False
    multiplier: float = 1.0
    blank: bool = False
    error: str = ""
    code: str = ""

    @property
    def ok(self) -> bool:
        """A number was read (``value`` is set)."""
        return self.value is not None


BLANK = ParsedNumber(None, blank=True)


def _fail(text: str, why: str = "", code: str = "not-a-number") -> ParsedNumber:
    shown = text if len(text) <= 40 else text[:40] + "…"
    return ParsedNumber(None, error=why or f"不是数字：'{shown}'", code=code)


def parse_number(text: str) -> ParsedNumber:
    """Read ``text`` (one cell as written) as a number; never raises.

    Returns a :class:`ParsedNumber`: a value (with the unit or multiplier written after it), a
    blank, ``…`` (below the smallest unit, value 0), or an error with a Chinese reason.
    """
    cleaned = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    if not cleaned:
        return BLANK
    if cleaned in NOT_REPORTED:
        return BLANK
    if _BELOW_UNIT.match(cleaned):
        return ParsedNumber(0.0, below_unit=True)
    if _CELL_ERROR.match(cleaned):
        return _fail(text, f"单元格是错误值 {cleaned}：请检查公式", "cell-error")
    match = _NUMBER.match(cleaned)
    if match is None:
        if cleaned.startswith(_QUALIFIERS) or cleaned[0] in "<>≤≥≈~":
            return _fail(text, f"不是数字：'{text.strip()}'（请填写确切数值）")
        return _fail(text)
    digits = match["digits"].replace(",", "")
    try:
        value = float(digits + (match["exp"] or ""))
    except ValueError:  # the pattern admits only valid literals; keep the promise not to raise anyway
        return _fail(text)
    if not math.isfinite(value):
        return _fail(text)
    if match["sign"] in ("-", "−"):
        value = -value
    suffix = match["suffix"]
    if not suffix:
        return ParsedNumber(value)
    if suffix[0] in ",.0123456789":
        return _fail(text)
    if suffix.endswith(_QUALIFIERS) or suffix.startswith(_QUALIFIERS):
        return _fail(text, f"不是数字：'{text.strip()}'（请填写确切数值）")
    unit = normalize_unit(suffix)
    if lookup(unit) is not None:
        return ParsedNumber(value, unit=unit)
    if suffix in _MAGNITUDES:
        return ParsedNumber(value * _MAGNITUDES[suffix], multiplier=_MAGNITUDES[suffix])
    if suffix == "%":
        return ParsedNumber(value, unit="%")
    return _fail(text, f"不是数字：'{text.strip()}'（无法识别的单位 '{suffix}'）")


def format_number(value: float) -> str:
    """A number the way a person would type it (no ``.0`` on whole numbers, no float noise)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"
