"""The rows below a header: one indicator per row (``rows``, ``long``) or indicators across
(``wide``, and ``areas``: one indicator named above a table of areas).

:class:`TableReader` is driven by :class:`pingtai.returns.reader.Reader`, which owns the
problems, the caches of agencies, periods and areas, and :meth:`~pingtai.returns.reader.Reader.take`
(checking and recording one value). The row loop runs once per row of bulk files, so per-row
work is kept to dictionary look-ups.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import field
from typing import TYPE_CHECKING, NamedTuple

from pingtai.catalog import Indicator
from pingtai.frozen import Record
from pingtai.periods import Period
from pingtai.records import Conversion, ValueRecord
from pingtai.returns.book import Cell, Row, Sheet
from pingtai.returns.names import Label, is_footer, is_total
from pingtai.returns.numbers import parse_number
from pingtai.returns.tables import MEASURES, SEQ, Column, Table, cell_text, column_letters, pick_beside, pick_value
from pingtai.units import lookup, normalize_unit

if TYPE_CHECKING:  # the reader imports this module
    from pingtai.returns.reader import Reader

PROGRESS_EVERY = 2000
_INF = float("inf")
_COLUMN_NUMBERING = SEQ | {"戊", "己", "A", "B", "C", "D", "E", "a", "b", "c", "d", "e"}


class SheetInfo:
    """What the lines around a sheet's table say (填报单位, 报告期, 单位 …), with their cells."""

    def __init__(self) -> None:
        self.found: dict[str, tuple[str, str]] = {}
        self.title_period: tuple[Period, str] | None = None
        self.titles: list[tuple[str, str]] = []
        """Texts above the header that are no ``label：value`` (the title), with their cells."""

    def add(self, kind: str, value: str, where: str) -> None:
        if value and kind not in self.found:
            self.found[kind] = (value, where)


class Beside(NamedTuple):
    """The cells beside a value in its row: the reported growth and last year's figure, each with
    its cell (``''`` when blank), and the unit the last-year column's header states."""

    growth: Cell
    growth_where: str
    last_year: Cell
    last_year_where: str
    last_year_unit: str


class _Group(Record, frozen=False):
    """The columns of one indicator in a wide table: its values, growth and last-year columns."""

    values: list[Column] = field(default_factory=list)
    growths: list[Column] = field(default_factory=list)
    lasts: list[Column] = field(default_factory=list)


class TableReader:
    """Reads the data rows below one header (layouts ``rows``, ``long``, ``wide`` and ``areas``)."""

    def __init__(self, reader: Reader, sheet: Sheet, table: Table, info: SheetInfo, agency: str | None,
                 period: Period | None, strict: bool, stated: tuple[bool, bool] = (False, False),
                 subject: Indicator | None = None) -> None:
        self.reader = reader
        self.sheet = sheet
        self.table = table
        self.info = info
        self.agency = agency
        self.period = period
        self.strict = strict
        self.subject = subject
        """Layout ``areas``: the indicator named above the table, whose every value column this is."""
        stated_unit = normalize_unit(info.found["unit"][0]) if "unit" in info.found else ""
        self.default_unit = stated_unit if lookup(stated_unit) is not None else ""
        """A ``单位：万元`` line above the table: the unit of values that name none."""
        self._marks: dict[tuple[int, int], tuple[str, str]] | None = None
        self.values = self._value_columns()
        self.growths = table.beside("growth")
        self.lasts = table.beside("last_year") + self._dated_last_year()
        self.missing_reported = False
        self.stated = stated
        """Whether the file stated an agency / a period at all (a wrong one is already reported)."""
        self.sheet_area: str | None = None
        """A ``地区：柯桥区`` line above a table of indicators: the area of rows that name none."""
        if "area" in info.found and table.layout in ("rows", "long"):
            self.sheet_area = reader.resolve_area(*info.found["area"])[1]

    def mark(self, row: int, col: int) -> tuple[str, str] | None:
        if self._marks is None:
            self._marks = self.sheet.marks()
        return self._marks.get((row, col))

    def _value_columns(self) -> list[Column]:
        """Value columns, with dated ones (``2024年1-9月 | 2023年1-9月``) narrowed to the period's."""
        values = [c for c in self.table.values if c.indicator is None]
        dated = [c for c in values if c.kind == "dated" and c.period is not None]
        if not dated:
            return values
        undated = [c for c in values if c.kind != "dated"]
        if self.period is not None:
            matching = [c for c in dated if c.period is not None and c.period.as_point() == self.period]
            if not matching and not undated:
                column = dated[0]
                self.reader.problem(self.reader.where(self.sheet.name, self.table.first_row, column.index),
                                    f"表头的期别与报告期 {self.period.label()} 不符：'{column.text}'", "period-mismatch")
            return undated + matching
        latest = max(dated, key=lambda c: c.period or Period(1900))
        assert latest.period is not None
        self.period = latest.period.as_point()
        return [*undated, latest]

    def _dated_last_year(self) -> list[Column]:
        """A dated value column for the same point a year before the period (``2023年1-9月`` beside
        ``2024年1-9月``): last year's figure."""
        if self.period is None:
            return []
        prior = self.period.same_point_last_year()
        return [Column(c.index, "last_year", "", c.unit, None, c.period, c.text) for c in self.table.values
                if c.indicator is None and c.kind == "dated" and c.period is not None and c.period.as_point() == prior]

    def area_allowed(self, indicator: Indicator, area: str | None) -> bool:
        """Whether a figure for ``area`` can be taken for ``indicator``: the city's (or no area) always,
        an area's only where the indicator is reported by area there."""
        return area is None or area == self.reader.city or area in indicator.areas

    def skip_area(self, where: str, indicator: Indicator, area: str) -> None:
        """Warn that an area's figure is left out: ``indicator`` is not reported for ``area``."""
        reason = "不按地区填报" if not indicator.areas else f"不按 {area} 填报"
        self.reader.problem(where, f"{indicator.name} {reason}（见计划 YAML 的 by_area），{area} 的数值未导入",
                            "area-skipped", "warning")

    def beside(self, r: int, row: Row, growth: Column | None, last: Column | None) -> Beside | None:
        """The growth and last-year cells of row ``r`` in the given columns (``None``: none to read)."""
        width = len(row)
        growth_cell: Cell = row[growth.index] if growth is not None and growth.index < width else ""
        last_cell: Cell = row[last.index] if last is not None and last.index < width else ""
        if growth_cell == "" and last_cell == "":
            return None
        where = self.reader.where
        return Beside(growth_cell, where(self.sheet.name, r, growth.index) if growth is not None else "",
                      last_cell, where(self.sheet.name, r, last.index) if last is not None else "",
                      last.unit if last is not None else "")

    def _need_context(self, row: int) -> bool:
        """Report once per sheet that agency or period is unknown; whether both are known."""
        by_role = self.table.by_role
        agency_known = self.agency is not None or "agency" in by_role or self.stated[0]
        period_known = self.period is not None or "period" in by_role or self.stated[1]
        if (agency_known and period_known) or self.missing_reported:
            return agency_known and period_known
        self.missing_reported = True
        where = f"{self.reader.file}!{self.sheet.name}"
        if not agency_known:
            self.reader.problem(where, "文件中没有填报单位：请用 --agency 指定（如 --agency 市商务局）", "no-agency")
        if not period_known:
            self.reader.problem(where, "文件中没有报告期：请用 --period 指定（如 --period 2024Q3 或 2024年1-9月）", "no-period")
        return False

    def read_rows(self, rows: Iterator[tuple[int, Row]]) -> None:
        """One indicator per row (``rows`` and ``long`` layouts).

        This loop runs once per row of bulk files (100,000 rows and more). A *plain* row — a known
        indicator name, a number ≥ 0, an agency, period, area and unit already seen in an earlier
        row that raised nothing, growth and last year's figure blank or plain numbers — is recorded
        right here with dictionary look-ups only; every other row goes through :meth:`_general_row`,
        which applies all the rules, reports problems and fills the caches that make the following
        rows plain. Plain rows are exactly the rows the general rules would record without a word,
        so the result is the same either way (tested on random tables in tests/test_fast_paths.py).
        """
        self._prepare_rows()
        reader, general = self.reader, self._general_row
        name_col, unit_col = self._name_col, self._unit_col
        agency_col, period_col, note_col, area_col = self._agency_col, self._period_col, self._note_col, self._area_col
        need = max(name_col, unit_col, agency_col, period_col, note_col, area_col,
                   *(c.index for c in (*self.values, *self.growths, *self.lasts))) + 1
        letters, prefix = self._letters, self._prefix
        agencies, periods, units, areas = self._agencies, self._periods, self._units, self._areas
        unit_cache, seen, period_keys = reader.unit_cache, reader.seen, reader.period_keys
        records, conversions = reader.result.values, reader.result.conversions
        plain = _PlainNames(self)
        default_agency, default_period, default_key = self.agency, self.period, self._default_key
        default_unit, default_area = self.default_unit, self.sheet_area
        done = 0
        for r, row in rows:
            done += 1
            if done == PROGRESS_EVERY:
                reader.advance(done)
                done = 0
            if name_col < 0 or len(row) < need:
                general(r, row)
                continue
            entry = plain[row[name_col]]
            if entry is None:
                general(r, row)
                continue
            indicator, c, label_unit, column_unit, growth_col, last_col, last_unit, allowed = entry
            raw = row[c]
            if type(raw) is not float and type(raw) is not int:  # text, blank, a date, a bool
                general(r, row)
                continue
            if not raw >= 0:  # negative, NaN
                general(r, row)
                continue
            agency = default_agency
            if agency_col >= 0:
                cell = row[agency_col]
                if cell != "":
                    agency = agencies.get(cell)
            period, period_key = default_period, default_key
            if period_col >= 0:
                cell = row[period_col]
                if cell != "":
                    period, period_key = periods.get(cell, (None, None))
            if agency is None or period is None or period_key is None:
                general(r, row)
                continue
            area = default_area
            if area_col >= 0:
                cell = row[area_col]
                if cell != "":
                    area = areas.get(cell)
                    if area is None:  # not seen yet, unknown, or a total without an area registry
                        general(r, row)
                        continue
            if area is not None and area not in allowed:  # the general rules warn and skip it
                general(r, row)
                continue
            unit = ""
            if unit_col >= 0:
                cell = row[unit_col]
                if cell != "":
                    unit = units.get(cell, "")
                    if not unit or (label_unit and label_unit != unit):
                        general(r, row)
                        continue
                else:
                    unit = label_unit or column_unit or default_unit
                    if not unit:  # a blank 计量单位 cell: the general rules warn
                        general(r, row)
                        continue
            else:
                unit = label_unit or column_unit or default_unit
            source = unit or indicator.unit
            converted = unit_cache.get((source, indicator.unit, False))
            key = (indicator.id, agency, period_key, area)
            if converted is None or converted[1] or key in seen:  # unknown so far, unconvertible, a duplicate
                general(r, row)
                continue
            growth = None
            if growth_col >= 0:
                cell = row[growth_col]
                if cell != "":
                    if (type(cell) is not float and type(cell) is not int) or not -_INF < cell < _INF:
                        general(r, row)
                        continue
                    growth = float(cell)
            last_year = None
            if last_col >= 0:
                cell = row[last_col]
                if cell != "":
                    last_converted = unit_cache.get((last_unit or source, indicator.unit, False))
                    if ((type(cell) is not float and type(cell) is not int) or not cell >= 0
                            or last_converted is None or last_converted[1]):
                        general(r, row)
                        continue
                    last_year = float(cell)
                    if last_converted[0] != 1.0:
                        last_year = float(f"{last_year * last_converted[0]:.15g}")
            where = prefix + letters[c] + str(r + 1)
            seen[key] = where
            if period_key not in period_keys:
                period_keys[period_key] = period
            value = float(raw)
            text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
            factor = converted[0]
            if factor != 1.0:
                value = float(f"{value * factor:.15g}")
                conversions.append(Conversion(where, indicator.id, source, indicator.unit, factor))
            note = ""
            if note_col >= 0:
                cell = row[note_col]
                if cell != "":
                    note = cell_text(cell)
            records.append(ValueRecord(indicator.id, period, agency, value, indicator.unit, where, text, False, note,
                                       area, growth, last_year))
        reader.advance(done)

    def _prepare_rows(self) -> None:
        """Column positions and the per-sheet caches :meth:`read_rows` and :meth:`_general_row` share.

        ``_agencies``, ``_periods``, ``_units`` and ``_areas`` map a cell's value to what it resolved
        to, and hold only values that resolved without a problem: a cell found there is quiet.
        """
        by_role = self.table.by_role
        col_of = {role: by_role[role].index if role in by_role else -1
                  for role in ("name", "id", "unit", "agency", "period", "note", "area")}
        self._name_col, self._id_col, self._unit_col = col_of["name"], col_of["id"], col_of["unit"]
        self._agency_col, self._period_col, self._note_col = col_of["agency"], col_of["period"], col_of["note"]
        self._area_col = col_of["area"]
        self._chosen: dict[str, Column | None] = {}
        self._letters = [column_letters(i) for i in range(max((c.index for c in self.table.columns), default=0) + 1)]
        self._prefix = f"{self.reader.file}!{self.sheet.name}!"
        self._agencies: dict[object, str] = {}
        self._periods: dict[object, tuple[Period, str]] = {}
        self._default_key = str(self.period) if self.period is not None else None
        self._units: dict[object, str] = {}
        self._areas: dict[object, str] = {}

    def _value_column(self, indicator: Indicator) -> Column | None:
        """The value column that counts for ``indicator`` in this table (by its kind)."""
        kind = indicator.kind
        if kind not in self._chosen:
            self._chosen[kind] = pick_value(self.values, kind)
        return self._chosen[kind]

    def _general_row(self, r: int, row: Row) -> None:
        """One data row under all the rules: record its value, or report why not, or skip it."""
        reader = self.reader
        width = len(row)
        name_col, id_col, unit_col = self._name_col, self._id_col, self._unit_col
        agency_col, period_col, note_col, area_col = self._agency_col, self._period_col, self._note_col, self._area_col
        prefix, letters = self._prefix, self._letters
        indicator: Indicator | None = None
        label: Label | None = None
        name_text = ""
        if 0 <= name_col < width:
            name_cell = row[name_col]
            name_text = name_cell if isinstance(name_cell, str) else cell_text(name_cell)
            if name_text:
                indicator, label = reader.indicators.match(name_text)
        if indicator is None and 0 <= id_col < width and row[id_col] != "":
            indicator = reader.indicators.indicators.get(cell_text(row[id_col]))
        if indicator is None:
            self._other_row(r, row, label, name_text)
            return
        column = self._value_column(indicator)
        if column is None:
            return
        c = column.index
        raw = row[c] if c < width else ""
        where = prefix + letters[c] + str(r + 1)
        if raw == "":
            found = self.mark(r, c)
            if found is not None:
                reader.problem(where, found[1], found[0])
            elif len(self.values) > 1:
                self._blank_choice(r, row, column, indicator)
            return
        agency, period, period_key = self.agency, self.period, self._default_key
        if 0 <= agency_col < width:
            cell = row[agency_col]
            if cell != "":
                known_agency = self._agencies.get(cell)
                if known_agency is None:
                    known_agency = self._row_agency(cell, prefix + letters[agency_col] + str(r + 1))
                    if known_agency is None:
                        return
                    self._agencies[cell] = known_agency
                agency = known_agency
        if 0 <= period_col < width:
            cell = row[period_col]
            if cell != "":
                known = self._periods.get(cell)
                if known is None:
                    found_period = self._row_period(cell, prefix + letters[period_col] + str(r + 1))
                    if found_period is None:
                        return
                    known = self._periods[cell] = (found_period, str(found_period))
                period, period_key = known
        if agency is None or period is None:
            self._need_context(r)
            if agency is None and agency_col >= 0:
                reader.problem(where, "该行未填填报单位：请填写或用 --agency 指定", "no-agency")
                return
            if period is None and period_col >= 0:
                reader.problem(where, "该行未填报告期：请填写或用 --period 指定", "no-period")
                return
        area = self.sheet_area
        if 0 <= area_col < width:
            cell = row[area_col]
            if cell != "":
                known_area = self._areas.get(cell)
                if known_area is None:
                    resolved, known_area = reader.resolve_area(cell_text(cell), prefix + letters[area_col] + str(r + 1))
                    if not resolved:
                        return
                    if known_area is not None:
                        self._areas[cell] = known_area
                area = known_area
        if area is not None and not self.area_allowed(indicator, area):
            self.skip_area(where, indicator, area)
            return
        unit, unit_from = "", ""
        cell = row[unit_col] if 0 <= unit_col < width else ""
        if cell != "":
            unit = self._units.get(cell, "")
            if not unit:
                unit = self._units[cell] = normalize_unit(cell_text(cell))
            unit_from = "column"
            if label is not None and label.unit and label.unit != unit:
                reader.problem(prefix + letters[unit_col] + str(r + 1),
                               f"计量单位 {unit} 与指标名称中的单位 {label.unit} 不一致", "unit-conflict")
                return
        elif label is not None and label.unit:
            unit, unit_from = label.unit, "name"
        elif column.unit:
            unit, unit_from = column.unit, "header"
        elif self.default_unit:
            unit, unit_from = self.default_unit, "sheet"
        elif unit_col >= 0:
            unit_from = "blank-column"
        note = ""
        if 0 <= note_col < width:
            cell = row[note_col]
            if cell != "":
                note = cell_text(cell)
        beside = self.beside(r, row, pick_beside(self.growths, column), pick_beside(self.lasts, column))
        reader.take(where, raw, indicator, agency, period, unit, unit_from, note, period_key, area, beside)

    def _row_agency(self, value: Cell, where: str) -> str | None:
        agency = self.reader.resolve_agency(cell_text(value), where, "填报单位")
        if agency is not None and self.agency is not None and agency != self.agency and (self.strict or self.reader.arg_agency):
            source = "--agency" if self.reader.arg_agency else "模板"
            self.reader.problem(where, f"该行填报单位 {agency} 与 {source} {self.agency} 不一致", "agency-mismatch")
            return None
        return agency

    def _row_period(self, value: Cell, where: str) -> Period | None:
        period = self.reader.resolve_period(value, where)
        if period is not None and self.period is not None and period != self.period and (self.strict or self.reader.arg_period):
            source = "--period" if self.reader.arg_period else "模板"
            self.reader.problem(where, f"该行报告期 {period.label()} 与 {source} {self.period.label()} 不一致", "period-mismatch")
            return None
        return period

    def _blank_choice(self, r: int, row: Row, column: Column, indicator: Indicator) -> None:
        """The column that counts is blank but another value column is not: say which was not used."""
        for other in self.values:
            if other is not column and other.index < len(row) and row[other.index] != "":
                self.reader.problem(self.reader.where(self.sheet.name, r, column.index),
                                    f"{indicator.name} 的“{column.text}”列为空，未采用“{other.text}”列的数值"
                                    f"（{'流量指标按年内累计' if indicator.kind == 'flow' else '按期末数'}填报）",
                                    "value-column-blank", "warning")
                return

    def _other_row(self, r: int, row: Row, label: Label | None, name_text: str) -> None:
        """A row whose name is not a known indicator: blank, footer, heading, sub-item or an error."""
        texts = [cell_text(c) for c in row]
        first = next((t for t in texts if t), "")
        if not first:
            return
        if is_footer(first):
            self.reader.collect_labels(self.info, self.sheet.name, r, row, title=False)
            return
        if all(t in _COLUMN_NUMBERING or (t.isdigit() and len(t) <= 3) for t in texts if t):
            return  # a row of column numbers under the header (甲 乙 1 2 3 …)
        key = label.key if label is not None else ""
        reported = [c for c in self.values if c.index < len(row) and not parse_number(cell_text(row[c.index])).blank]
        if not reported:
            return
        where = self.reader.where(self.sheet.name, r, self.table.by_role["name"].index if "name" in self.table.by_role else 0)
        if not name_text.strip():
            self.reader.problem(where, "该行有数值但没有指标名称，已跳过", "no-name", "warning")
            return
        if label is not None and label.subitem:
            self.reader.problem(where, f"未知的分项 '{name_text.strip()}'，已跳过", "unknown-subitem", "warning")
            return
        hint = self.reader.indicators.suggest(key)
        more = f"，是否指 {'、'.join(hint)}？" if hint else "（用 pingtai indicators 查看指标名称）"
        self.reader.problem(where, f"未知指标 '{name_text.strip()}'{more}", "unknown-indicator")

    def read_wide(self, rows: Iterator[tuple[int, Row]]) -> None:
        """Indicators across the header (``wide``), or the one named above it (``areas``).

        The rows are the total (全市 / 合计) and, under an area column, the areas. An indicator
        reported by area (``by_area``) takes every row it is reported for — the total as the city's
        figure, each area's as that area's; any other takes the total row only (or the one row there
        is), as a table with no area in it.
        """
        reader = self.reader
        groups = self._groups()
        by_role = self.table.by_role
        area_col = by_role["area"].index if "area" in by_role else -1
        note_col = by_role["note"].index if "note" in by_role else -1
        label_col = area_col if area_col >= 0 else next(
            (c.index for c in self.table.columns if c.role not in ("value", "skip", "seq", "", *MEASURES)), 0)
        data: list[tuple[int, Row]] = []
        for r, row in rows:
            reader.tick()
            texts = [cell_text(c) for c in row]
            first = next((t for t in texts if t), "")
            if not first:
                continue
            if is_footer(first):
                reader.collect_labels(self.info, self.sheet.name, r, row, title=False)
                continue
            if any(c.index < len(row) and row[c.index] != "" for group in groups.values() for c in group.values):
                data.append((r, row))
        if not data:
            return
        indicators = reader.indicators.indicators
        by_area = [ident for ident in groups if area_col >= 0 and indicators[ident].areas]
        city_only = [ident for ident in groups if ident not in by_area]
        total = self._total_row(data, label_col, [indicators[i].name for i in city_only], bool(by_area)) \
            if city_only else None
        for r, row in data:
            label = cell_text(row[label_col]) if label_col < len(row) else ""
            note = cell_text(row[note_col]) if 0 <= note_col < len(row) else ""
            if r == total:
                self._need_context(r)  # says once per sheet what is missing
                area = reader.city if area_col >= 0 and is_total(label) else None
                for ident in city_only:
                    self._take_wide(r, row, indicators[ident], groups[ident], area, note)
            if not by_area:
                continue
            if not label:
                reader.problem(reader.where(self.sheet.name, r, label_col), "该行有数值但没有地区名称，已跳过",
                               "no-area", "warning")
                continue
            resolved, area = reader.resolve_area(label, reader.where(self.sheet.name, r, label_col))
            if not resolved:
                continue
            self._need_context(r)
            for ident in by_area:
                indicator = indicators[ident]
                if area is not None and not self.area_allowed(indicator, area):
                    picked = pick_value(groups[ident].values, indicator.kind)
                    if picked is not None and picked.index < len(row) and row[picked.index] != "":
                        self.skip_area(reader.where(self.sheet.name, r, picked.index), indicator, area)
                    continue
                self._take_wide(r, row, indicator, groups[ident], area, note)

    def _groups(self) -> dict[str, _Group]:
        """The columns of each indicator: under its name, and growth / last-year columns following it
        (``网络零售额 | 同比 | 网络经营主体 | 同比``); in a table of areas every column is its indicator's."""
        if self.subject is not None:
            return {self.subject.id: _Group(list(self.values), list(self.growths), list(self.lasts))}
        groups: dict[str, _Group] = {}
        current: _Group | None = None
        for column in self.table.columns:
            if column.indicator is not None:
                current = groups.setdefault(column.indicator.id, _Group())
            if current is None:
                continue
            if column.role == "value" and column.indicator is not None:
                current.values.append(column)
            elif column.role == "growth":
                current.growths.append(column)
            elif column.role == "last_year":
                current.lasts.append(column)
        return {ident: group for ident, group in groups.items() if group.values}

    def _total_row(self, data: list[tuple[int, Row]], label_col: int, names: list[str], mixed: bool) -> int | None:
        """The row indicators not reported by area (``names``) take: the one row, else the total row
        (the others are skipped, with a warning), else none (reported). ``mixed``: others in the table
        are reported by area."""
        reader = self.reader
        if len(data) == 1:
            return data[0][0]
        totals = [(r, row) for r, row in data if label_col < len(row) and is_total(cell_text(row[label_col]))]
        if totals:
            r, row = totals[0]
            label = cell_text(row[label_col])
            message = (f"{'、'.join(names)} 不按地区填报，只导入“{label}”行（全市合计）" if mixed
                       else f"表中有 {len(data)} 行数据，只导入“{label}”行（全市合计）")
            reader.problem(reader.where(self.sheet.name, r, label_col), message, "rows-skipped", "warning")
            return r
        if mixed:
            reader.problem(reader.where(self.sheet.name, data[0][0], label_col),
                           f"{'、'.join(names)} 不按地区填报，表中又没有“全市/合计”行：未导入", "area-skipped", "warning")
        else:
            reader.problem(reader.where(self.sheet.name, data[0][0], label_col),
                           "表中有多行数据，找不到“全市/合计”行：请只保留本单位的合计行，或改用每行一个指标的表格", "no-total-row")
        return None

    def _take_wide(self, r: int, row: Row, indicator: Indicator, group: _Group, area: str | None, note: str) -> None:
        """Record ``indicator``'s value in row ``r`` (the column that counts for its kind) with what stands beside it."""
        picked = pick_value(group.values, indicator.kind)
        if picked is None:
            return
        c = picked.index
        raw = row[c] if c < len(row) else ""
        where = self.reader.where(self.sheet.name, r, c)
        if raw == "":
            found = self.mark(r, c)
            if found is not None:
                self.reader.problem(where, found[1], found[0])
            return
        unit, unit_from = (picked.unit, "header") if picked.unit else (self.default_unit, "sheet")
        beside = self.beside(r, row, pick_beside(group.growths, picked), pick_beside(group.lasts, picked))
        self.reader.take(where, raw, indicator, self.agency, self.period, unit, unit_from, note, area=area, beside=beside)


class _Plain(NamedTuple):
    """What makes a name's rows plain (:meth:`TableReader.read_rows`): the indicator, its value
    column, the unit in the name and in the column header, the growth and last-year columns that
    go with the value (-1: none) and the unit in the latter's header, and the areas it may be
    taken for (the city and the indicator's areas)."""

    indicator: Indicator
    column: int
    label_unit: str
    column_unit: str
    growth: int
    last_year: int
    last_year_unit: str
    areas: frozenset[str]


class _PlainNames(dict[object, _Plain | None]):
    """Name cells → :class:`_Plain` for names whose rows can be plain, worked out on first sight.

    ``None`` for a name whose rows are never plain: not text, not a known indicator, no value
    column for its kind, or a percentage (a value ≤ 1 there draws a warning).
    """

    def __init__(self, table: TableReader) -> None:
        super().__init__()
        self._table = table

    def __missing__(self, cell: object) -> _Plain | None:
        entry: _Plain | None = None
        table = self._table
        if type(cell) is str and cell:
            indicator, label = table.reader.indicators.match(cell)
            column = table._value_column(indicator) if indicator is not None else None
            if indicator is not None and column is not None and indicator.unit != "%":
                growth, last = pick_beside(table.growths, column), pick_beside(table.lasts, column)
                city = table.reader.city
                entry = _Plain(indicator, column.index, label.unit, column.unit, growth.index if growth else -1,
                               last.index if last else -1, last.unit if last else "",
                               frozenset((*indicator.areas, *([city] if city else []))))
        self[cell] = entry
        return entry
