"""Find a return's header row and say what each column holds.

A header is looked for in the first :data:`HEADER_ROWS` rows. Each header cell (or, for a
two-row header, the pair *group over sub-label* — ``本年累计`` over ``绝对值``, ``网络零售额``
over ``本月 | 1-本月``) is classified into a :class:`Column` role by the vocabulary below. The
layout follows from the roles found:

* ``long`` — a name (or id) column, one value column, and a 报告期 and/or 填报单位 column:
  every row carries its own period / agency (bulk exports; also the template's 指标 sheet);
* ``rows`` — a name column and value columns (本期数 / 1-本月 / 累计数 …): one row per indicator;
* ``wide`` — no name column, but header groups that name indicators (``网络零售额`` over
  ``本月 | 1-本月``, or ``网络零售额 | 同比 | 网络经营主体 | 同比`` in one row): the rows are the
  total (全市 / 合计) and, under an area column (``地区``), the areas;
* ``areas`` — an area column and value columns but no indicator in the header: the indicator is
  named above the table (a title ``2024年1-9月各区、县（市）网络零售额``, a ``指标：`` line) or by
  the sheet; the rows are areas, as in ``wide``.

Beside the values, growth (``同比增长（%）``, ``增幅``, ``增速``: a percentage, never the value),
last year's figure (``上年同期``), share (``占比``, ``比重``) and note (``备注``, ``说明``, ``口径``)
columns are recognised; growth and last-year columns belong to the value group they stand in or
follow. Other comparisons and plans (``环比``, ``目标值``, ``完成率``) are skipped.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pingtai.catalog import Indicator
from pingtai.frozen import Record
from pingtai.periods import Period
from pingtai.returns.names import IndicatorIndex, fold, period_in_text, split_label

HEADER_ROWS = 20
Layout = str  # "rows" | "long" | "wide" | "areas"

SEQ = {"序号", "行次", "栏次", "编号", "no", "no.", "序", "甲", "乙", "丙", "丁"}
IDS = {"指标编号", "指标代码", "指标编码", "指标id", "代码", "编码", "id"}
AGENCY = {"填报单位", "报送单位", "填报部门", "单位名称", "责任单位", "牵头单位", "单位(盖章)"}
AREA = {"地区", "区域", "地域", "区县", "县区", "县市区", "区县市", "区、县(市)", "区县(市)", "县(市、区)", "县(市区)",
        "县(市)区", "县(市)、区", "行政区划", "行政区", "区划", "所属地区", "所在地区", "地区名称", "区域名称", "辖区",
        "属地", "区划代码", "行政区划代码", "地区代码"}
PERIOD = {"报告期", "报告期别", "统计期", "统计期别", "期别", "时期", "期间", "年月", "统计时间", "报告时间", "所属期"}
NAME = {"指标名称", "指标", "项目", "名称", "指标项目", "项目名称", "统计指标", "指标名", "主要指标", "指标内容", "指标项"}
UNIT = {"计量单位", "单位", "计算单位"}
NOTE = {"备注", "说明", "备注说明", "数据来源", "来源", "填报说明", "情况说明", "口径", "统计口径", "数据口径", "口径说明"}
CURRENT = {"本期数", "本期", "本期值", "本月", "本月数", "当月", "当期", "本季", "本季度", "本季度数", "当季",
           "本期完成", "本月完成", "本期发生"}
STOCK = {"期末数", "期末", "年末数", "期末值", "完成值", "实际值", "完成数", "实际完成", "实际数", "填报值",
         "现有数", "实际完成值", "完成", "期末累计"}
GENERIC = {"数值", "值", "绝对值", "绝对额", "绝对数", "数量", "金额", "总量", "总额", "数据", "合计", "总计"}
_YTD = re.compile(r"^(?:1月?[-—–~至到](?:本月|本期|\d{1,2}月|今)(?:累计)?|本年(?:度)?累计|累计|累计完成|年初至今(?:累计)?"
                  r"|年初(?:至本月)?累计|本年止累计|自年初累计|今年累计)(?:数|值|完成)?$")
_SKIP = re.compile(r"同比|环比|增长|增幅|增速|增减|比上年|比去年|百分点|占比|比重|排名|位次|^%$|^上年|^去年|^上期|^上月"
                   r"|同期|目标|计划|任务数|预计|预测|差额|差距|完成率|进度")
"""Labels that never name the value; :data:`_NOT_MEASURE` and the three below tell which are read beside it."""
_NOT_MEASURE = re.compile(r"环比|百分点|排名|位次|目标|计划|任务数|预计|预测|差额|差距|完成率|进度|增加额|增长额|增减额|增量"
                          r"|增长量|增加量|绝对|^上期|^上月")
_GROWTH = re.compile(r"同比|增长|增幅|增速|增减|比上年|比去年|较上年|较去年|^±")
_LAST_YEAR = re.compile(r"^(?:上年|去年)?同期(?:数|值|累计|完成)?$|^(?:上年|去年)同(?:月|季)(?:数|值)?$")
_SHARE = re.compile(r"占比|比重|份额|^占全市")
_MEASURE_KIND = (("ytd", re.compile(r"累计|^1月?[-—–~至到]|至今|年初|本年")),
                 ("current", re.compile(r"本月|当月|本期|当期|本季|当季")))
MEASURES = ("growth", "last_year", "share")
"""Roles of the columns read beside a value."""
_DATED = re.compile(r"^\d{4}年")

PREFERENCE: dict[str, tuple[str, ...]] = {
    "flow": ("ytd", "dated", "stock", "generic", "current"),
    "stock": ("stock", "dated", "current", "generic", "ytd"),
    "cumulative": ("stock", "dated", "ytd", "generic", "current"),
}
"""Which value column counts, by indicator kind: flows are reported year-to-date (1-本月 / 本年累计);
stocks as the level at the period's end (期末数 / 完成值 / 本期数)."""


class Column(Record, frozen=False):
    """One column: its ``role`` (seq, id, name, unit, agency, area, period, note, value, growth,
    last_year, share, skip or other)."""

    index: int
    role: str
    kind: str = ""
    """For value columns: ytd, current, stock, generic, or dated (the header spells a period);
    for growth and last-year columns the value kind they go with (``1-9月增长``: ytd), or ''."""
    unit: str = ""
    """A unit written in the header (``本期数（亿元）``)."""
    indicator: Indicator | None = None
    """Wide tables: the indicator the header (group) names."""
    period: Period | None = None
    text: str = ""


@dataclass
class Table:
    """A header found: ``layout``, its first and last rows (0-based), and its columns."""

    layout: Layout
    first_row: int
    last_row: int
    columns: list[Column]
    by_role: dict[str, Column] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for column in self.columns:
            self.by_role.setdefault(column.role, column)

    @property
    def values(self) -> list[Column]:
        return [c for c in self.columns if c.role == "value"]

    def beside(self, role: str) -> list[Column]:
        """The ``growth`` or ``last_year`` columns that name no indicator (they go with every row's)."""
        return [c for c in self.columns if c.role == role and c.indicator is None]


def cell_text(value: object) -> str:
    """A cell as text (numbers without a trailing ``.0``)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value).strip()


def classify(text: str) -> Column:
    """The role a single header label gives its column (index 0; the caller places it)."""
    label = split_label(text)
    key = label.key
    column = Column(0, "other", unit=label.unit, text=text.strip())
    if not key:
        column.role = "" if not label.unit else "other"
        return column
    if _SKIP.search(key):
        column.role = _measure(key, label.unit) if not _NOT_MEASURE.search(key) else "skip"
        if column.role in ("growth", "last_year"):
            column.kind = next((kind for kind, pattern in _MEASURE_KIND if pattern.search(key)), "")
    elif key in AREA:
        column.role = "area"
    elif key in SEQ:
        column.role = "seq"
    elif key in IDS:
        column.role = "id"
    elif key in AGENCY:
        column.role = "agency"
    elif key in PERIOD:
        column.role = "period"
    elif key in NAME:
        column.role = "name"
    elif key in UNIT:
        column.role = "unit"
    elif key in NOTE:
        column.role = "note"
    elif _YTD.match(key):
        column.role, column.kind = "value", "ytd"
    elif key in CURRENT:
        column.role, column.kind = "value", "current"
    elif key in STOCK:
        column.role, column.kind = "value", "stock"
    elif key in GENERIC:
        column.role, column.kind = "value", "generic"
    elif _DATED.match(key) and (period := period_in_text(key)) is not None:
        column.role, column.kind, column.period = "value", "dated", period
    return column


def _measure(key: str, unit: str) -> str:
    """``growth``, ``last_year``, ``share`` or ``skip`` for a label :data:`_SKIP` matched."""
    if _GROWTH.search(key):
        # 增长（亿元）, 比上年增加 are amounts, not rates
        return "growth" if unit == "%" or (not unit and "增加" not in key and "减少" not in key) else "skip"
    if _LAST_YEAR.search(key):
        return "last_year"
    if _SHARE.search(key):
        return "share"
    return "skip"


def _compose(index: int, top: str, bottom: str, indicators: IndicatorIndex) -> Column:
    """One column of a (possibly two-row) header: the group label over the sub-label."""
    upper, lower = classify(top), classify(bottom)
    text = "/".join(t for t in (top.strip(), bottom.strip()) if t)
    unit = lower.unit or upper.unit
    if "skip" in (upper.role, lower.role):
        return Column(index, "skip", text=text)
    named = indicators.match(top)[0] if top and upper.role == "other" else None
    if named is None and bottom and lower.role == "other":
        named = indicators.match(bottom)[0]
    measure = lower if lower.role in MEASURES else upper if upper.role in MEASURES else None
    if measure is not None:
        # 同比增长 over 本月 | 1-本月, or 本年累计 over 绝对值 | 增幅: the value label says which value it goes with
        other = upper if measure is lower else lower
        kind = measure.kind or (other.kind if other.role == "value" and other.kind != "generic" else "")
        return Column(index, measure.role, kind, unit, named, None, text)
    if lower.role in ("", "other") or (lower.role == "value" and lower.kind == "generic"):
        base = upper if upper.role not in ("", "other") else lower
    else:
        base = lower
    if named is not None and base.role in ("", "other"):
        base = Column(index, "value", "generic")
    column = Column(index, base.role or "other", base.kind, unit, named, base.period, text)
    return column


def _subheader(row: Sequence[object]) -> bool:
    """A second header row: only value / skip labels (本月, 1-本月, 同比增长, 绝对值), no numbers."""
    seen = False
    for cell in row:
        if cell == "" or cell is None:
            continue
        if not isinstance(cell, str):
            return False
        role = classify(cell).role
        if role not in ("value", "skip", "", *MEASURES):
            return False
        seen = True
    return seen


def _filled_top(top: list[str], bottom: list[str] | None, row: int, merges: list[tuple[tuple[int, int], tuple[int, int]]],
                grid: Sequence[Sequence[object]]) -> list[str]:
    """Header texts with merged groups spread over the columns they span."""
    filled = list(top)
    for (r1, c1), (r2, c2) in merges:
        if r1 <= row <= r2 and c2 > c1:
            text = cell_text(grid[r1][c1]) if r1 < len(grid) and c1 < len(grid[r1]) else ""
            for c in range(c1, min(c2 + 1, len(filled))):
                if not filled[c]:
                    filled[c] = text
    if bottom is not None:
        # without merge information (.ods, .csv), a blank group cell continues the one to its left
        group = ""
        for c in range(len(filled)):
            below = bottom[c] if c < len(bottom) else ""
            if top[c]:
                group = top[c] if below else ""
            elif below and group and not filled[c]:
                filled[c] = group
            elif not below:
                group = ""
    return filled


def find_table(grid: Sequence[Sequence[object]], merges: list[tuple[tuple[int, int], tuple[int, int]]],
               indicators: IndicatorIndex) -> Table | None:
    """The first header in the first :data:`HEADER_ROWS` rows of ``grid`` that gives a layout."""
    for r in range(min(HEADER_ROWS, len(grid))):
        top = [cell_text(c) for c in grid[r]]
        if sum(1 for t in top if t) < 2 and not any(m[0][0] <= r <= m[1][0] for m in merges):
            continue
        bottom: list[str] | None = None
        if r + 1 < len(grid) and _subheader(grid[r + 1]):
            bottom = [cell_text(c) for c in grid[r + 1]]
        width = max(len(top), len(bottom or []))
        top += [""] * (width - len(top))
        upper = _filled_top(top, bottom, r, merges, grid)
        lower = (bottom or []) + [""] * (width - len(bottom or []))
        columns = [_compose(c, upper[c], lower[c], indicators) for c in range(width)]
        table = _decide(columns, r, r + (1 if bottom is not None else 0))
        if table is not None:
            return table
    return None


def _decide(columns: list[Column], first: int, last: int) -> Table | None:
    roles = {c.role for c in columns}
    values = [c for c in columns if c.role == "value" and c.indicator is None]
    if ("name" in roles or "id" in roles) and values:
        layout = "long" if ("agency" in roles or "period" in roles) else "rows"
        return Table(layout, first, last, columns)
    if any(c.role == "value" and c.indicator is not None for c in columns):
        return Table("wide", first, last, columns)
    if "area" in roles and values:
        return Table("areas", first, last, columns)
    return None


def pick_value(columns: list[Column], kind: str) -> Column | None:
    """The value column that counts for an indicator of ``kind`` (see :data:`PREFERENCE`)."""
    if len(columns) == 1:
        return columns[0]
    for wanted in PREFERENCE.get(kind, PREFERENCE["stock"]):
        for column in columns:
            if column.kind == wanted:
                return column
    return columns[0] if columns else None


def pick_beside(columns: list[Column], value: Column) -> Column | None:
    """The growth or last-year column among ``columns`` that goes with ``value``: one of its kind,
    else one that names no kind (``同比增长（%）`` goes with whichever value counts)."""
    return (next((c for c in columns if c.kind and c.kind == value.kind), None)
            or next((c for c in columns if not c.kind), None))


def fold_key(text: str) -> str:
    return fold(text).casefold()


def column_letters(index: int) -> str:
    """0 → ``A``, 25 → ``Z``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def date_text(value: object) -> str:
    """A date cell as ISO text (``2024-10-12``), any other cell as :func:`cell_text`."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return cell_text(value)
