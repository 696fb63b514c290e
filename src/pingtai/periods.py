"""The :class:`Period` value type — a year, half, quarter or month — and its parsing.

Canonical spellings are ``2024``, ``2024H1``, ``2024Q3`` and ``2024-07``. Input also accepts the
Chinese forms agencies write: ``2024年``, ``2024年1-9月`` (year-to-date through September, i.e. the
third quarter), ``2024年三季度``, ``2024年第3季度``, ``2024年上半年``, ``2024年7月``.

A period is identified by its span; flows reported for it are year-to-date through its end.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler
    from pydantic_core import core_schema

Kind = Literal["Y", "H", "Q", "M"]
_MONTHS_PER = {"Y": 12, "H": 6, "Q": 3, "M": 1}
_ORDER = {"Y": 0, "H": 1, "Q": 2, "M": 3}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
              "十一": 11, "十二": 12}


T = TypeVar("T")
V = TypeVar("V")


class cached_attribute(Generic[T, V]):
    """``functools.cached_property`` without its lock: computed on first use, then kept on the instance.

    Python 3.11's cached_property takes a lock on every first use, which costs more than the
    attributes it is used for here take to compute (thousands of catalog periods each read once).
    Works on frozen dataclasses (it writes the instance ``__dict__``, as cached_property does);
    assignment still raises there.
    """

    def __init__(self, func: Callable[[T], V]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type[T], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[T] | None = None) -> cached_attribute[T, V]: ...

    @overload
    def __get__(self, instance: T, owner: type[T] | None = None) -> V: ...

    def __get__(self, instance: T | None, owner: type[T] | None = None) -> V | cached_attribute[T, V]:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


class PeriodError(ValueError):
    """Text that is not a period; the message is Chinese and says which forms are accepted."""


@dataclass(frozen=True, order=False)
class Period:
    """A reporting period: ``kind`` Y/H/Q/M and ``index`` (1 for a year, 1–2, 1–4, 1–12)."""

    year: int
    kind: Kind = "Y"
    index: int = 1

    def __post_init__(self) -> None:
        if not 1900 <= self.year <= 2200:
            raise PeriodError(f"年份超出范围：{self.year}")
        if not 1 <= self.index <= 12 // _MONTHS_PER[self.kind]:
            raise PeriodError(f"期别超出范围：{self.kind}{self.index}")

    # --- construction -------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str | int | Period) -> Period:
        """Parse a canonical or Chinese period spelling; raise :class:`PeriodError` otherwise."""
        if isinstance(text, Period):
            return text
        if isinstance(text, int):
            return cls(text)
        return _parse(str(text))

    @classmethod
    def ending_in_month(cls, year: int, month: int) -> Period:
        """The coarsest natural period ending with ``month``: Dec → year, Jun → H1, Mar → Q1, Jul → month."""
        if cls is Period:
            return _point(year, month)
        return _ending_in_month(cls, year, month)

    # --- span ------------------------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        return (self.index - 1) * _MONTHS_PER[self.kind] + 1

    @property
    def last_month(self) -> int:
        return self.index * _MONTHS_PER[self.kind]

    @property
    def start(self) -> date:
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (the date a stock is measured at)."""
        return _month_end(self.year, self.index * _MONTHS_PER[self.kind])

    @cached_attribute
    def months(self) -> int:
        """The period's end on a time axis counted in months: ``year × 12 + last month``.

        Two points (:meth:`as_point`) are equal exactly when their ``months`` are, and periods order
        by it (then by kind), so the progress engine keys and sorts a series by this integer.
        Cached on the instance (periods are immutable and mostly shared): a large ledger is judged
        by hundreds of thousands of lookups.
        """
        return self.year * 12 + self.index * _MONTHS_PER[self.kind]

    @property
    def year_fraction(self) -> float:
        """Share of the calendar year elapsed at the period's end (months / 12): Q3 → 0.75."""
        return self.last_month / 12

    def sort_key(self) -> tuple[date, int]:
        return (self.end, _ORDER[self.kind])

    def _key(self) -> tuple[int, int, int]:
        # Orders exactly as sort_key() (the end date grows with year and month) without building dates:
        # periods are compared millions of times when a large ledger is judged.
        return (self.year, self.index * _MONTHS_PER[self.kind], _ORDER[self.kind])

    def __lt__(self, other: Period) -> bool:
        return self._key() < other._key()

    def __le__(self, other: Period) -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: Period) -> bool:
        return self._key() > other._key()

    def __ge__(self, other: Period) -> bool:
        return self._key() >= other._key()

    def as_point(self) -> Period:
        """The canonical period for a value *as at* this period's end (year-to-date for flows).

        A quarterly return for Q2 and a half-year return both report the position at 30 June, so
        both normalise to ``H1``; Q4 normalises to the year. The ledger stores points.
        """
        kind, index = self.kind, self.index
        if kind == "Y" or (kind == "M" and index % 3) or (kind == "Q" and index % 2) or (kind == "H" and index == 1):
            return self  # already the coarsest period ending in its month (values are stored as points)
        return _point(self.year, self.last_month)

    def same_point_last_year(self) -> Period:
        return _same_point(self.year - 1, self.kind, self.index)

    def __str__(self) -> str:
        # Kept on the instance (periods are immutable and mostly shared): ledger keys and rows spell
        # periods hundreds of thousands of times in a large import. Not a field: equality, hashing
        # and repr are untouched.
        text: str | None = self.__dict__.get("_text")
        if text is None:
            if self.kind == "Y":
                text = str(self.year)
            elif self.kind == "M":
                text = f"{self.year}-{self.index:02d}"
            else:
                text = f"{self.year}{self.kind}{self.index}"
            self.__dict__["_text"] = text
        return text

    def label(self) -> str:
        """Chinese label: 2024年, 2024年上半年, 2024年第3季度, 2024年7月."""
        if self.kind == "Y":
            return f"{self.year}年"
        if self.kind == "H":
            return f"{self.year}年{'上' if self.index == 1 else '下'}半年"
        if self.kind == "Q":
            return f"{self.year}年第{self.index}季度"
        return f"{self.year}年{self.index}月"

    # --- pydantic integration: a Period field accepts "2024Q3", 2024 or a Period --------------
    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        # imported here: only validating YAML asks for it, and periods are read without pydantic
        from pydantic_core import core_schema

        def validate(value: Any) -> Period:
            if isinstance(value, bool) or not isinstance(value, (str, int, Period)):
                raise ValueError(f"不是期别：{value!r}（应为 2024、2024H1、2024Q3 或 2024-07）")
            try:
                return cls.parse(value)
            except PeriodError as exc:
                raise ValueError(str(exc)) from None

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )


_YEAR = r"(?P<year>\d{4})"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^{_YEAR}$"), "Y"),
    (re.compile(rf"^{_YEAR}[Hh](?P<n>[12])$"), "H"),
    (re.compile(rf"^{_YEAR}[Qq](?P<n>[1-4])$"), "Q"),
    (re.compile(rf"^{_YEAR}-(?P<n>\d{{1,2}})$"), "M"),
    (re.compile(rf"^{_YEAR}年(?:度|全年)?$"), "Y"),
    (re.compile(rf"^{_YEAR}年(?P<half>[上下])半年$"), "H"),
    (re.compile(rf"^{_YEAR}年第?(?P<cn>[一二三四1-4])季度?$"), "Q"),
    (re.compile(rf"^{_YEAR}年(?P<m>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月(?:份)?$"), "M"),
    (re.compile(rf"^{_YEAR}年(?:1|一)[-—–~至到](?P<ytd>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})月(?:份)?$"), "YTD"),
    (re.compile(rf"^{_YEAR}年(?:1|一)月[-—–~至到](?:\d{{4}}年)?(?P<ytd2>\d{{1,2}})月(?:份)?$"), "YTD"),
]


@functools.cache
def _month_end(year: int, month: int) -> date:
    # at most 301 years × 12 months: every end date is computed once per process
    return date(year, month, calendar.monthrange(year, month)[1])


@functools.lru_cache(maxsize=8192)
def _point(year: int, month: int) -> Period:
    # Periods are immutable: one shared instance per point saves building (and validating) a new
    # one each time a value is normalised with as_point().
    return _ending_in_month(Period, year, month)


@functools.lru_cache(maxsize=8192)
def _same_point(year: int, kind: Kind, index: int) -> Period:
    # shared like points: the plausibility check asks for last year's point of every value
    return Period(year, kind, index)


def _ending_in_month(cls: type[Period], year: int, month: int) -> Period:
    if month == 12:
        return cls(year)
    if month == 6:
        return cls(year, "H", 1)
    if month % 3 == 0:
        return cls(year, "Q", month // 3)
    return cls(year, "M", month)


def _number(text: str) -> int:
    """A month or quarter number in Arabic or Chinese numerals; 0 (outside every range, so the
    caller refuses it) for any other pair of Chinese numerals such as 十三 or 九九."""
    return int(text) if text.isdigit() else _CN_DIGITS.get(text, 0)


def _parse(raw: str) -> Period:
    text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
    text = text.removeprefix("报告期:").removeprefix("报告期")
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match["year"])
        groups = match.groupdict()
        if kind == "Y":
            return Period(year)
        if kind == "H":
            if groups.get("half"):
                return Period(year, "H", 1 if groups["half"] == "上" else 2)
            return Period(year, "H", int(groups["n"]))
        if kind == "Q":
            return Period(year, "Q", _number(groups.get("cn") or groups["n"]))
        if kind == "M":
            month = _number(groups.get("m") or groups["n"])
            if not 1 <= month <= 12:
                break
            return Period(year, "M", month)
        month = _number(groups.get("ytd") or groups["ytd2"])
        if not 1 <= month <= 12:
            break
        return Period.ending_in_month(year, month)
    raise PeriodError(
        f"无法识别的报告期 '{raw}'（可用：2024、2024H1、2024Q3、2024-07、2024年1-9月、2024年三季度、2024年上半年、2024年7月）"
    )


def last_ended_month(day: date) -> int:
    """The latest month, as :attr:`Period.months`, that has ended on ``day``: a period has ended on
    ``day`` (its ``end`` is not after it) exactly when its ``months`` is at most this."""
    at = day.year * 12 + day.month
    return at if day.day == calendar.monthrange(day.year, day.month)[1] else at - 1


CHINA_TZ = timezone(timedelta(hours=8), "北京时间")
"""The office's calendar days are Beijing time (no daylight saving): receipt days, the import day."""


def office_day(moment: datetime) -> date:
    """The calendar day of ``moment`` (timezone-aware) in Beijing."""
    return moment.astimezone(CHINA_TZ).date()


def period_for_date(day: date, kind: Kind) -> Period:
    """The period of ``kind`` that contains ``day``."""
    months = _MONTHS_PER[kind]
    return Period(day.year, kind, (day.month - 1) // months + 1)
