"""Read one return file into a :class:`~pingtai.records.ParsedReturn`: values, task lines, problems.

:func:`read_return` never raises for anything the file or the arguments may contain; every
problem is located ``file!sheet!cell`` and carries a stable code. The decisions it makes:

* **Which sheets**: a workbook with the template's metadata sheet (:data:`pingtai.layout.META_SHEET`,
  A1 = :data:`pingtai.layout.TEMPLATE_FORMAT`) is read as the template — its 指标, 分地区 (a table of
  areas, where the template has one) and 任务 sheets only. Otherwise every visible sheet with a recognisable header (:mod:`pingtai.returns.tables`)
  is read; hidden and empty sheets are ignored; visible sheets without a header get a warning.
* **Agency and period**: from the template's metadata, else ``填报单位：`` / ``报告期：`` lines
  above the header (or a period in the title, ``2024年1-9月…情况``), else ``agency`` / ``period``
  arguments. An argument that contradicts the file is an error; none in either is an error that
  names the flag to give. In long tables each row's 填报单位 / 报告期 cells win over lines above
  the header, but not over the arguments or the template's metadata. Periods are stored as
  points (:meth:`~pingtai.periods.Period.as_point`): ``2024年1-12月`` is ``2024``.
* **Units**: a unit written after the number (``1000亿元``), else the row's 计量单位 cell, else a
  unit in the name (``网络零售额（万元）``), else in the column header (``本期数（亿元）``), else a
  ``单位：万元`` line above the header, else the indicator's own unit. Values are converted within
  a family to the indicator's unit and each conversion is listed. A 计量单位 column left blank
  for a reported value is assumed to mean the indicator's unit, with a warning (``unit-assumed``);
  without any unit column the indicator's unit is assumed silently.
* **Values**: a blank cell or a dash is "not reported" (no record, never 0); ``…`` is below the
  smallest unit (0, ``below_unit``); for a flow the year-to-date column counts (1-本月, 本年累计),
  for a stock the end-of-period one (本期数, 期末数, 完成值); growth columns never count.
* **Beside the value**: the growth (同比, a percentage) and last year's figure (上年同期, converted
  like the value) of the same row are kept with it; a cell there that cannot be read is a
  warning and leaves that figure out, never the value. A note column (备注, 说明, 口径) is the
  value's note.
* **Areas**: a row's area comes from an area column (地区, 区县 …) or a ``地区：`` line above the
  table, by name, alias or code (:class:`~pingtai.areas.AreaIndex`); a total row (全市, 合计) is the
  city. An unknown area is an error with suggestions. Figures of areas are read only for an
  indicator reported by area in that area (``by_area`` in the plan YAML); for any other the area's
  figure is left out with a warning, and a table of areas gives it only its total row, as before.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import NamedTuple

from pingtai import layout
from pingtai.agencies import AgencyIndex
from pingtai.areas import AreaIndex
from pingtai.catalog import Catalog, Indicator, Plan
from pingtai.errors import Problem, text_name
from pingtai.periods import Period, PeriodError
from pingtai.records import TASK_STATUS_LABELS, Conversion, ParsedReturn, TaskRecord, TaskStatus, ValueRecord
from pingtai.returns.book import Book, Cell, Row, Sheet, is_calamine_failure
from pingtai.returns.names import (
    IndicatorIndex,
    fold,
    is_footer,
    is_total,
    label_alone,
    labelled,
    parse_date,
    period_in_text,
    split_label,
)
from pingtai.returns.numbers import parse_number
from pingtai.returns.opening import Opening
from pingtai.returns.rows import PROGRESS_EVERY, Beside, SheetInfo, TableReader
from pingtai.returns.sniff import Refused
from pingtai.returns.tables import HEADER_ROWS, cell_text, column_letters, date_text, find_table
from pingtai.units import lookup

ProgressCallback = Callable[[int, int], None]
MAX_PER_CODE = 200
"""Problems of one code listed per file; the rest are counted in one line."""

_STATUS_CODES: dict[str, TaskStatus] = {label: code for code, label in TASK_STATUS_LABELS.items()}


def read_return(path: Path, catalog: Catalog, *, agency: str | None = None, period: Period | None = None,
                on_progress: ProgressCallback | None = None, opening: Opening | None = None) -> ParsedReturn:
    """Read the return at ``path`` against ``catalog``.

    ``agency`` (any spelling :class:`~pingtai.agencies.AgencyIndex` knows) and ``period`` are
    what the user said on the command line; they fill in what the file does not say and must
    not contradict what it does. ``on_progress(done_rows, total_rows)`` is called now and then
    on large files. Returns the :class:`~pingtai.records.ParsedReturn`; bad input only ever
    shows up in its ``problems`` (a refused file has exactly one). ``opening`` is ``path`` already
    being opened in the background (:mod:`pingtai.returns.opening`).
    """
    result = ParsedReturn(path=path, sha256="")
    if opening is None:
        opening = Opening(path, background=False)
    indicators = IndicatorIndex(catalog)  # while the file may still be being parsed
    try:
        book = opening.book()
    except Refused as refusal:
        result.sha256 = opening.sha256
        result.problems.append(Problem(text_name(path.name), refusal.message, refusal.code))
        return result
    result.sha256 = opening.sha256
    try:
        Reader(book, result, catalog, agency, period, on_progress, indicators).run()
    except Refused as refusal:
        # refused half-way (a CSV that grows too wide, a sheet calamine cannot parse): nothing counts
        _refused(result, refusal)
    except BaseException as exc:
        if not is_calamine_failure(exc):
            raise  # anything else is a bug: stay loud
        _refused(result, Refused("broken-file", "文件已损坏，无法读取其中的表格：请在 Excel/WPS 中打开并另存后再导入"))
    finally:
        book.close()
    return result


def _refused(result: ParsedReturn, refusal: Refused) -> None:
    result.values.clear()
    result.tasks.clear()
    result.conversions.clear()
    result.problems[:] = [Problem(text_name(result.path.name), refusal.message, refusal.code)]


class Reader:
    """One file being read: the problems found so far, caches of names, and the values recorded.

    Drives the sheets (template or tables), resolves agencies and periods, and checks and
    records each value (:meth:`take`); :class:`~pingtai.returns.rows.TableReader` walks the rows.
    """

    def __init__(self, book: Book, result: ParsedReturn, catalog: Catalog, agency: str | None,
                 period: Period | None, on_progress: ProgressCallback | None,
                 indicators: IndicatorIndex | None = None) -> None:
        self.book = book
        self.result = result
        self.catalog = catalog
        self.file = text_name(result.path.name)
        self.indicators = indicators or IndicatorIndex(catalog)
        """The catalog's indicator names (``indicators``: already built for it)."""
        self.agencies = AgencyIndex(catalog.agencies)
        self.areas = AreaIndex(catalog.areas)
        self.city = self.areas.city.name if self.areas.city is not None else None
        """The city's canonical area name (``None`` without an area registry)."""
        self.on_progress = on_progress
        self.done = 0
        self.total = 0
        self.seen: dict[tuple[str, str, str, str | None], str] = {}
        """``(indicator, agency, period, area)`` → the cell that gave it: a second one is a duplicate."""
        self.period_keys: dict[str, Period] = {}
        """Periods recorded, by their text: hashing strings is much cheaper than hashing Period dataclasses."""
        self.counts: dict[str, int] = {}
        self.layouts: list[str] = []
        self.file_agency: str | None = None
        self.file_period: Period | None = None
        """What a sheet of this file said, for its sheets that say nothing."""
        self.arg_agency = self._resolve_arg_agency(agency) if agency else None
        self.agency_given = bool(agency)
        """An --agency was given, even one that did not resolve (already reported)."""
        self.arg_period = period.as_point() if period else None
        self.agency_cache: dict[str, tuple[str | None, str, str]] = {}
        self.area_cache: dict[str, tuple[bool, str | None, str]] = {}
        self.period_cache: dict[object, tuple[Period | None, str]] = {}
        self.unit_cache: dict[tuple[str, str, bool], tuple[float, str, str]] = {}

    # --- problems ----------------------------------------------------------------------------
    def problem(self, where: str, message: str, code: str, severity: str = "error") -> None:
        count = self.counts.get(code, 0) + 1
        self.counts[code] = count
        if count <= MAX_PER_CODE:
            self.result.problems.append(Problem(where, message, code, severity))

    def where(self, sheet: str, row: int, col: int) -> str:
        return f"{self.file}!{sheet}!{column_letters(col)}{row + 1}"

    def _resolve_arg_agency(self, text: str) -> str | None:
        found = self.agencies.find(text)
        if found is None:
            hint = self.agencies.suggest(text)
            more = f"，是否指 {'、'.join(hint)}？" if hint else "（用 pingtai agencies 查看单位名称）"
            self.problem(self.file, f"未知单位 '{text}'（--agency）{more}", "unknown-agency")
            return None
        if found.is_group:
            self.problem(self.file, f"'{text}' 是单位组，不是单位：--agency 请写具体单位", "unknown-agency")
            return None
        return found.name

    # --- driver ------------------------------------------------------------------------------
    def run(self) -> None:
        meta = next((s for s in self.book.sheets if s.name == layout.META_SHEET), None)
        if meta is not None and self._read_template(meta.name):
            self.result.layout = "template"
        else:
            unread: list[str] = []
            unnamed: list[str] = []
            deferred: list[str] = []
            for entry in self.book.sheets:
                if not entry.visible or entry.name == layout.META_SHEET:
                    continue
                outcome = self._read_sheet(entry.name, defer=True)
                if outcome == "deferred":
                    deferred.append(entry.name)
                elif outcome == "no-header":
                    unread.append(entry.name)
                elif outcome == "no-indicator":
                    unnamed.append(entry.name)
            for name in deferred:  # sheets that did not say whose or when: another sheet may have
                if self._read_sheet(name) == "no-indicator":
                    unnamed.append(name)
            for name in unnamed:
                self.problem(f"{self.file}!{name}", f"{_NO_INDICATOR}{'，已跳过该工作表' if self.layouts else ''}",
                             "no-indicator", "warning" if self.layouts else "error")
            if not self.layouts and not unnamed:
                self.problem(self.file, "未找到可识别的表格：需要在前 20 行内有含“指标名称”和“本期数/累计数/1-本月…”等列的表头，"
                                        "或使用 pingtai template 生成的模板", "no-layout")
            elif self.layouts:
                for name in unread:
                    self.problem(f"{self.file}!{name}", "未找到表头，已跳过该工作表", "sheet-skipped", "warning")
                self.result.layout = "long" if self.layouts[0] == "long" else "table"
        for sheet, code, message in self.book.warnings:
            self.problem(f"{self.file}!{sheet}", message, code, "warning")
        self._summarise()

    def _summarise(self) -> None:
        for code, count in self.counts.items():
            if count > MAX_PER_CODE:
                self.result.problems.append(Problem(self.file, f"另有 {count - MAX_PER_CODE} 处同类问题（{code}）未逐一列出", code))
        if self.seen:
            agencies = {key[1] for key in self.seen}
            if len(agencies) == 1:
                self.result.agency = agencies.pop()
            if len(self.period_keys) == 1:
                self.result.period = next(iter(self.period_keys.values()))
        if self.on_progress is not None:
            self.on_progress(self.done, max(self.total, self.done))

    def tick(self) -> None:
        self.advance(1)

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows read; report progress each :data:`PROGRESS_EVERY` rows."""
        before = self.done
        self.done += rows
        if self.on_progress is not None and self.done // PROGRESS_EVERY != before // PROGRESS_EVERY:
            self.on_progress(self.done, max(self.total, self.done))

    # --- labels around a table -----------------------------------------------------------------
    def collect_labels(self, info: SheetInfo, sheet: str, r: int, row: Row, title: bool) -> None:
        """Collect ``label：value`` cells of one row (and, above the header, a period in the title)."""
        texts = [(c, t) for c, t in ((c, cell_text(v)) for c, v in enumerate(row)) if t]
        used: set[int] = set()  # cells taken as the value of the label before them
        for i, (c, text) in enumerate(texts):
            if i in used:
                continue
            following = texts[i + 1] if i + 1 < len(texts) and label_alone(texts[i + 1][1]) is None else None
            pairs = labelled(text)
            if pairs:
                for kind, value in pairs:
                    where = self.where(sheet, r, c)
                    if not value and following is not None and i + 1 not in used:
                        used.add(i + 1)
                        value = date_text(row[following[0]]) if kind == "filled_on" else following[1]
                        where = self.where(sheet, r, following[0])
                    info.add(kind, value, where)
                continue
            alone = label_alone(text)
            if alone is not None:
                if following is not None:
                    used.add(i + 1)
                    value = date_text(row[following[0]]) if alone == "filled_on" else following[1]
                    info.add(alone, value, self.where(sheet, r, following[0]))
            elif title:
                info.titles.append((text, self.where(sheet, r, c)))
                found = period_in_text(text) if info.title_period is None else None
                if found is not None:
                    info.title_period = (found, self.where(sheet, r, c))

    def _apply_contacts(self, info: SheetInfo) -> None:
        if "reporter" in info.found and not self.result.reporter:
            self.result.reporter = info.found["reporter"][0]
        if "phone" in info.found and not self.result.phone:
            self.result.phone = info.found["phone"][0]
        if "reviewer" in info.found and not self.result.reviewer:
            self.result.reviewer = info.found["reviewer"][0]
        if "filled_on" in info.found and self.result.filled_on is None:
            text, where = info.found["filled_on"]
            day = parse_date(text)
            if day is None:
                self.problem(where, f"无法识别的填报日期 '{text}'（应如 2024-10-15 或 2024年10月15日）", "bad-date", "warning")
            self.result.filled_on = day

    def _sheet_agency(self, info: SheetInfo) -> str | None:
        """The agency lines above the table name, checked against ``--agency``."""
        if "agency" not in info.found:
            return self.arg_agency
        text, where = info.found["agency"]
        canonical = self.resolve_agency(text, where, "填报单位")
        if canonical and self.arg_agency and canonical != self.arg_agency:
            self.problem(where, f"文件中的填报单位为 {canonical}，与 --agency {self.arg_agency} 不一致", "agency-mismatch")
        return self.arg_agency or canonical

    def _sheet_period(self, info: SheetInfo) -> Period | None:
        """The period the lines above the table (or the title) give, checked against ``--period``."""
        found: tuple[Period, str] | None = None
        if "period" in info.found:
            text, where = info.found["period"]
            parsed = self.resolve_period(text, where)
            if parsed is not None:
                found = (parsed, where)
        elif info.title_period is not None:
            found = (info.title_period[0].as_point(), info.title_period[1])
        if found and self.arg_period and found[0] != self.arg_period:
            self.problem(found[1], f"文件中的报告期为 {found[0].label()}，与 --period {self.arg_period.label()} 不一致",
                         "period-mismatch")
        return self.arg_period or (found[0] if found else None)

    def resolve_agency(self, text: str, where: str, what: str) -> str | None:
        """Canonical agency for a cell's text, or ``None`` after reporting why (cached by text)."""
        cached = self.agency_cache.get(text)
        if cached is None:
            found = self.agencies.find(text)
            if found is None:
                hint = self.agencies.suggest(text)
                more = f"，是否指 {'、'.join(hint)}？" if hint else "（用 pingtai agencies 查看单位名称）"
                cached = (None, f"未知单位 '{text}'{more}", "unknown-agency")
            elif found.is_group:
                cached = (None, f"{what} '{text}' 是单位组，不是单位：请写具体单位", "unknown-agency")
            else:
                cached = (found.name, "", "")
            self.agency_cache[text] = cached
        if cached[0] is None:
            self.problem(where, cached[1], cached[2])
        return cached[0]

    def resolve_area(self, text: str, where: str) -> tuple[bool, str | None]:
        """``(True, area)`` for a cell naming an area — its canonical name; a total (全市, 合计) is the
        city, ``None`` without an area registry — or ``(False, None)`` after reporting an unknown one."""
        cached = self.area_cache.get(text)
        if cached is None:
            found = self.areas.find(split_label(text).key)
            if found is not None:
                cached = (True, found.name, "")
            elif is_total(text):
                cached = (True, self.city, "")
            else:
                hint = self.areas.suggest(text)
                more = (f"，是否指 {'、'.join(hint)}？" if hint else "（用 pingtai areas 查看地区名称）"
                        if self.areas.areas else "（数据目录中没有地区名录 areas.yaml）")
                cached = (False, None, f"未知地区 '{text}'{more}")
            self.area_cache[text] = cached
        if not cached[0]:
            self.problem(where, cached[2], "unknown-area")
        return cached[0], cached[1]

    def table_indicator(self, info: SheetInfo, sheet: str) -> Indicator | None:
        """The indicator a table of areas is about: a ``指标：`` line above it, else the one indicator
        its title names, else the sheet's name; ``None`` (reported when wrong) if none says."""
        if "indicator" in info.found:
            text, where = info.found["indicator"]
            indicator, label = self.indicators.match(text)
            if indicator is None:
                hint = self.indicators.suggest(label.key)
                more = f"，是否指 {'、'.join(hint)}？" if hint else "（用 pingtai indicators 查看指标名称）"
                self.problem(where, f"未知指标 '{text}'{more}", "unknown-indicator")
            return indicator
        for text, where in info.titles:
            indicator, several = self.indicators.named_in(text)
            if several:
                self.problem(where, f"标题 '{text}' 中有多个指标：请加一行“指标：…”写明本表的指标", "no-indicator")
                return None
            if indicator is not None:
                return indicator
        return self.indicators.match(sheet)[0] or self.indicators.named_in(sheet)[0]

    def resolve_period(self, value: object, where: str) -> Period | None:
        cached = self.period_cache.get(value)
        if cached is None:
            if isinstance(value, dt.date) and value.day in (1, calendar.monthrange(value.year, value.month)[1]):
                # Excel turns "2024-09" typed into a cell into the date 2024-09-01
                cached = (Period.ending_in_month(value.year, value.month), "")
            else:
                text = date_text(value) if isinstance(value, dt.date) else cell_text(value)
                try:
                    cached = (Period.parse(text).as_point(), "")
                except PeriodError as exc:
                    cached = (None, str(exc))
            self.period_cache[value] = cached
        if cached[0] is None:
            self.problem(where, cached[1], "bad-period")
        return cached[0]

    # --- sheets --------------------------------------------------------------------------------
    def _load(self, name: str) -> tuple[Sheet, list[Row], Iterator[Row]] | None:
        sheet = self.book.sheet(name)
        if sheet is None:
            return None
        self.total += sheet.height
        head = list(islice(sheet.rows, HEADER_ROWS + 2))
        return sheet, head, sheet.rows

    def _read_sheet(self, name: str, strict_agency: str | None = None, strict_period: Period | None = None,
                    defer: bool = False) -> str:
        """Read one sheet; returns ``read``, ``no-header``, ``no-indicator`` (a table of areas that
        does not say which indicator), or ``deferred`` (when ``defer`` and the sheet names no agency
        or period that another sheet of the file might give)."""
        loaded = self._load(name)
        if loaded is None:
            return "read"
        sheet, head, rest = loaded
        if not any(cell_text(c) for row in head for c in row):
            return "read"  # an empty sheet: nothing to say
        table = find_table(head, sheet.merges, self.indicators)
        if table is None:
            return "no-header"
        info = SheetInfo()
        for r in range(table.first_row):
            self.collect_labels(info, name, r, head[r], title=True)
        stated = "agency" in info.found or self.agency_given, bool(
            "period" in info.found or info.title_period or self.arg_period)
        strict = strict_agency is not None or strict_period is not None
        if not strict and defer and not all(stated) and table.layout != "long":
            self.total -= sheet.height
            return "deferred"
        subject = None
        if table.layout == "areas":
            subject = self.table_indicator(info, name)
            if subject is None:
                self.total -= sheet.height
                return "no-indicator"
        if strict:
            agency, period = strict_agency, strict_period
            self._visible_matches_template(info, agency, period)
        else:
            agency, period = self._sheet_agency(info), self._sheet_period(info)
            if agency is None and not stated[0]:
                agency = self.file_agency
            if period is None and not stated[1]:
                period = self.file_period
            self.file_agency = self.file_agency or agency
            self.file_period = self.file_period or period
        self.layouts.append(table.layout)
        rows = chain(enumerate(head[table.last_row + 1:], table.last_row + 1), enumerate(rest, len(head)))
        self.advance(table.last_row + 1)
        reader = TableReader(self, sheet, table, info, agency, period, strict=strict, stated=stated, subject=subject)
        if table.layout in ("wide", "areas"):
            reader.read_wide(rows)
        else:
            reader.read_rows(rows)
        self._apply_contacts(info)
        return "read"

    def _visible_matches_template(self, info: SheetInfo, agency: str | None, period: Period | None) -> None:
        """A template's visible 填报单位 / 报告期 must say what its hidden metadata says: a return copied
        from another unit's template (and the line above the table retyped) claims to be someone else."""
        if agency is not None and "agency" in info.found:
            text, where = info.found["agency"]
            found = self.agencies.find(text)
            shown = found.name if found is not None else text
            if shown != agency:
                self.problem(where, f"表上的填报单位为“{text}”，与模板记录的单位 {agency} 不一致：请使用发给本单位的模板"
                                    "（pingtai template 重新生成），不要改用其他单位的模板", "agency-mismatch")
        if period is not None and "period" in info.found:
            text, where = info.found["period"]
            try:
                shown_period = Period.parse(text).as_point()
            except PeriodError:
                shown_period = None
            if shown_period != period:
                self.problem(where, f"表上的报告期为“{text}”，与模板记录的报告期 {period.label()} 不一致：请使用该报告期的模板",
                             "period-mismatch")

    # --- the template ---------------------------------------------------------------------------
    def _read_template(self, meta_name: str) -> bool:
        loaded = self._load(meta_name)
        if loaded is None:
            return False
        _, head, rest = loaded
        rows = head + list(islice(rest, 200))
        if not rows or not rows[0] or cell_text(rows[0][0]) != layout.TEMPLATE_FORMAT:
            return False
        meta: dict[str, tuple[str, str]] = {}
        for r, row in enumerate(rows[1:], 1):
            if len(row) >= 2 and cell_text(row[0]):
                meta[cell_text(row[0])] = (date_text(row[1]), self.where(meta_name, r, 1))
        version_text = cell_text(rows[0][1]) if len(rows[0]) > 1 else ""
        try:
            version = int(float(version_text)) if version_text else layout.TEMPLATE_VERSION
        except ValueError:
            version = 0
        if version > layout.TEMPLATE_VERSION or version < 1:
            self.problem(self.where(meta_name, 0, 1), f"模板版本 '{version_text}' 不受支持（本程序支持第 {layout.TEMPLATE_VERSION} 版）："
                                                      "请用 pingtai template 重新生成模板", "template-version")
            return True
        agency = period = None
        if "agency" in meta:
            text, where = meta["agency"]
            agency = self.resolve_agency(text, where, "模板单位")
            if agency and self.arg_agency and agency != self.arg_agency:
                self.problem(where, f"模板的填报单位为 {agency}，与 --agency {self.arg_agency} 不一致", "agency-mismatch")
        if "period" in meta:
            text, where = meta["period"]
            period = self.resolve_period(text, where)
            if period and self.arg_period and period != self.arg_period:
                self.problem(where, f"模板的报告期为 {period.label()}，与 --period {self.arg_period.label()} 不一致",
                             "period-mismatch")
        agency = agency or self.arg_agency
        period = period or self.arg_period
        if agency is None or period is None:
            missing = "填报单位（--agency）" if agency is None else "报告期（--period）"
            self.problem(f"{self.file}!{meta_name}", f"模板中没有{missing}：请重新生成模板或用该参数指定", "template-broken")
            return True
        self.result.plan_version = meta.get("plan_version", ("", ""))[0]
        names = {s.name for s in self.book.sheets}
        if layout.VALUES_SHEET not in names:
            self.problem(self.file, f"模板缺少“{layout.VALUES_SHEET}”工作表：请用 pingtai template 重新生成", "template-broken")
        elif self._read_sheet(layout.VALUES_SHEET, agency, period) == "no-header":
            self.problem(f"{self.file}!{layout.VALUES_SHEET}", f"找不到表头（{'、'.join(layout.VALUE_HEADERS)}）", "template-broken")
        if layout.AREAS_SHEET in names and self._read_sheet(layout.AREAS_SHEET, agency, period) == "no-header":
            self.problem(f"{self.file}!{layout.AREAS_SHEET}",
                         f"找不到表头（{layout.AREA_COLUMN}、各指标的{layout.AREA_VALUE}）", "template-broken")
        if layout.TASKS_SHEET in names:
            self._read_tasks(layout.TASKS_SHEET, agency, period)
        self.result.agency, self.result.period = agency, period
        return True

    def _read_tasks(self, name: str, agency: str, period: Period) -> None:
        loaded = self._load(name)
        if loaded is None:
            return
        _, head, rest = loaded
        wanted = {fold(h): i for i, h in enumerate(layout.TASK_HEADERS)}
        header_row, columns = -1, {}
        for r, row in enumerate(head[:HEADER_ROWS]):
            found = {wanted[fold(cell_text(c))]: col for col, c in enumerate(row) if fold(cell_text(c)) in wanted}
            if 1 in found and 3 in found:
                header_row, columns = r, found
                break
        if header_row < 0:
            self.problem(f"{self.file}!{name}", f"找不到表头（{'、'.join(layout.TASK_HEADERS)}）", "template-broken")
            return
        info = SheetInfo()
        for r, row in chain(enumerate(head[header_row + 1:], header_row + 1), enumerate(rest, len(head))):
            self.tick()
            line = self._task_line(name, r, row, columns, agency, period, info)
            if line is not None:
                self.result.tasks.append(line)
        self._apply_contacts(info)

    def _task_line(self, sheet: str, r: int, row: Row, columns: dict[int, int], agency: str, period: Period,
                   info: SheetInfo) -> TaskRecord | None:
        def text(i: int) -> str:
            col = columns.get(i, -1)
            return cell_text(row[col]) if 0 <= col < len(row) else ""

        first = next((t for t in (cell_text(c) for c in row) if t), "")
        if is_footer(first):
            self.collect_labels(info, sheet, r, row, title=False)
            return None
        status_text, progress, issues, next_steps = text(3), text(4), text(5), text(6)
        number_text = text(1)
        if not (status_text or progress or issues or next_steps) or not number_text:
            return None
        where = self.where(sheet, r, columns[3])
        plan = self._plan(text(0))
        if plan is None:
            self.problem(self.where(sheet, r, columns.get(0, 0)), f"未知计划 '{text(0)}'（可用：{'、'.join(p.id for p in self.catalog.plans)}）",
                         "unknown-plan")
            return None
        try:
            number = int(float(number_text))
        except ValueError:
            self.problem(self.where(sheet, r, columns[1]), f"任务编号应为数字：'{number_text}'", "bad-task")
            return None
        if plan.task(number) is None:
            self.problem(self.where(sheet, r, columns[1]), f"{plan.spec.short_name} 没有第 {number} 项任务", "unknown-task")
            return None
        status: TaskStatus | None = None
        if status_text:
            status = _STATUS_CODES.get(fold(status_text))
            if status is None:
                self.problem(where, f"进展状态应为 {'、'.join(layout.TASK_STATUSES)} 之一：'{status_text}'", "bad-status")
                return None
        return TaskRecord(plan.id, number, agency, period, status, progress, issues, next_steps, where)

    def _plan(self, text: str) -> Plan | None:
        wanted = fold(text)
        for plan in self.catalog.plans:
            if wanted in (fold(plan.id), fold(plan.spec.short_name), fold(plan.spec.document.number)):
                return plan
        if not wanted and len(self.catalog.plans) == 1:
            return self.catalog.plans[0]
        return None

    # --- values ----------------------------------------------------------------------------------
    def take(self, where: str, raw: Cell, indicator: Indicator, agency: str | None, period: Period | None,
             unit: str, unit_from: str, note: str, period_key: str | None = None, area: str | None = None,
             beside: Beside | None = None) -> None:
        """Check one reported value (not a blank cell) and record it, converted to the indicator's unit.

        ``unit`` is the declared unit (``''`` if none) and ``unit_from`` where it came from
        (``"blank-column"``: the row's 计量单位 cell was left blank). With no ``agency`` or
        ``period`` (already reported missing) the value is checked but not recorded. ``area`` is the
        canonical area the row states (``None``: none); ``beside`` the row's growth and last-year
        cells, recorded with the value when they can be read (a warning says why not).
        """
        number, code, message = self.number(raw, indicator, unit)
        if number is None:
            if code:
                self.problem(where, message, code)
            return
        value, text, written, factor, source = number.value, number.text, number.written, number.factor, number.source
        if indicator.unit == "%" and number.numeric and 0 < value <= 1:
            self.problem(where, f"{indicator.name} 的值 {text} 不大于 1：如果单元格是百分比格式（显示为 {value * 100:g}%），"
                                f"请改填 {value * 100:g}", "percent-format", "warning")
        if agency is None or period is None:
            return
        if period_key is None:
            period_key = str(period)
        seen_key = (indicator.id, agency, period_key, area)
        if period_key not in self.period_keys:
            self.period_keys[period_key] = period
        first = self.seen.get(seen_key)
        if first is not None:
            whose = f"{agency}，{area}" if area is not None else agency
            self.problem(where, f"{indicator.name}（{whose}，{period.label()}）重复填报，已在 {first.rsplit('!', 1)[-1]} 填过",
                         "duplicate")
            return
        self.seen[seen_key] = where
        if unit_from == "blank-column" and not written:
            self.problem(where, f"未填计量单位，按 {indicator.unit} 处理", "unit-assumed", "warning")
        growth = last_year = None
        if beside is not None:
            growth = self._growth(beside.growth, beside.growth_where)
            last_year = self._last_year(beside, indicator, unit)
        self.result.values.append(ValueRecord(indicator.id, period, agency, value, indicator.unit, where,
                                              text, number.below, note, area, growth, last_year))
        if factor != 1.0:
            self.result.conversions.append(Conversion(where, indicator.id, source, indicator.unit, factor))

    def number(self, raw: Cell, indicator: Indicator, unit: str) -> tuple[Number | None, str, str]:
        """``raw`` as a number ≥ 0 in ``indicator``'s unit, written in ``unit`` unless the cell says
        (``''``: the indicator's): ``(number, '', '')``; ``(None, code, message)`` when it cannot be;
        ``(None, '', '')`` for a blank or a dash (not reported)."""
        multiplier = 1.0
        below = False
        written = ""
        numeric = False
        kind = type(raw)
        if kind is float or kind is int:
            value, numeric = float(raw), True  # type: ignore[arg-type]
            text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        elif isinstance(raw, str):
            parsed = parse_number(raw)
            if parsed.blank:
                return None, "", ""
            if parsed.value is None:
                return None, parsed.code, parsed.error
            value, written, below, multiplier = parsed.value, parsed.unit, parsed.below_unit, parsed.multiplier
            text = raw.strip()
        elif isinstance(raw, (bool, int, float)):  # bool is an int: only True/False reach here
            return None, "not-a-number", f"不是数字：'{cell_text(raw)}'"
        else:
            return None, "not-a-number", f"不是数字：'{cell_text(raw)}' 是日期或时间"
        if written and unit and written != unit:
            return None, "unit-conflict", f"数值 '{text}' 带的单位 {written} 与计量单位 {unit} 不一致"
        source = written or unit or indicator.unit
        key = (source, indicator.unit, multiplier != 1.0)
        converted = self.unit_cache.get(key)
        if converted is None:
            converted = _conversion(source, indicator, multiplier != 1.0)
            self.unit_cache[key] = converted
        factor, code, message = converted
        if code:
            return None, code, message.format(text=text)
        if value < 0:
            return None, "negative", f"数值不能为负：'{text}'"
        if factor != 1.0:
            value = float(f"{value * factor:.15g}")
        return Number(value, text, written, below, numeric, factor, source), "", ""

    def _growth(self, raw: Cell, where: str) -> float | None:
        """A reported 同比 in percent (``9.8``, ``'9.8%'``, ``-3.1``); blank → ``None``; else a warning."""
        if raw == "":
            return None
        if type(raw) is float or type(raw) is int:
            value: float | None = float(raw)
        elif isinstance(raw, str):
            parsed = parse_number(raw)
            if parsed.blank or parsed.below_unit:
                return None
            value = parsed.value if parsed.unit in ("", "%") and parsed.multiplier == 1.0 else None
        else:
            value = None
        if value is None or not math.isfinite(value):
            self.problem(where, f"同比增长 '{cell_text(raw)}' 不是百分数，未采用（数值照常导入）", "bad-growth", "warning")
            return None
        return value

    def _last_year(self, beside: Beside, indicator: Indicator, unit: str) -> float | None:
        """Last year's reported figure in ``indicator``'s unit (its column's unit, else the value's); a warning if unreadable."""
        if beside.last_year == "":
            return None
        number, code, message = self.number(beside.last_year, indicator, beside.last_year_unit or unit)
        if code:
            self.problem(beside.last_year_where, f"上年同期数未采用（数值照常导入）：{message}", "bad-last-year", "warning")
        return number.value if number is not None else None


class Number(NamedTuple):
    """A cell read as a number in an indicator's unit: ``text`` as written, the ``written`` unit
    after it, ``below`` for ``…``, ``numeric`` for a number cell, ``factor`` from ``source`` units."""

    value: float
    text: str
    written: str
    below: bool
    numeric: bool
    factor: float
    source: str


_NO_INDICATOR = ("表格按地区列示，但未写明是哪个指标：请在标题中写明指标名称（如“2024年1-9月各区、县（市）网络零售额”）"
                 "或在表头上方加一行“指标：网络零售额”")


def _conversion(source: str, indicator: Indicator, multiplied: bool) -> tuple[float, str, str]:
    """``(factor, error code, message)`` for values written in ``source`` units; message has ``{text}``."""
    src, dst = lookup(source), lookup(indicator.unit)
    if src is None:
        return 1.0, "unknown-unit", f"无法识别的计量单位 '{source}'（'{{text}}'）"
    if dst is None or src.family != dst.family:
        return 1.0, "unit-mismatch", f"单位 {source} 不能换算为 {indicator.name} 的单位 {indicator.unit}：'{{text}}'"
    if multiplied and src.scale != 1.0:
        return 1.0, "ambiguous-magnitude", f"'{{text}}' 中的“万/亿”与计量单位 {source} 重复：请只填数字"
    return src.scale / dst.scale, "", ""
