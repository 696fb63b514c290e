"""Import returns into the ledger: read each file, compare it with what is recorded, write it whole.

For every file: read it (:func:`pingtai.returns.read_return`); if it has errors, nothing from it is
written. Otherwise, inside one ledger transaction, compare each value with the current one for its
key ``(indicator, period, agency)`` — new key → *imported*, different value → *updated* (old → new
shown), same value → *unchanged* — flag implausible figures as warnings (accepted, shown), archive
the file and record it as one batch. A file whose bytes are already a batch is *unchanged* and
adds nothing. ``dry_run`` runs exactly the same comparison against the ledger as it is (and the
files before it in the same run) and writes nothing, not even an empty ledger file.

The result objects here are what ``pingtai import`` renders as text or ``--json``.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pingtai.agencies import AgencyIndex
from pingtai.catalog import Catalog
from pingtai.errors import Problem, UsageError, text_name
from pingtai.ledger import Ledger, NewBatch, sha256_of
from pingtai.periods import Period, PeriodError
from pingtai.records import ParsedReturn, TaskRecord, ValueRecord
from pingtai.returns.opening import FilesAhead
from pingtai.safe_write import os_reason

YOY_MIN_RATIO = 0.5
"""A flow or stock below half of the same point last year is implausible enough to flag."""
YOY_MAX_RATIO = 2.0
"""…and so is more than double. Wider than ±50 % on the rise side because the plans themselves
aim at such growth for small counts (平台 51 → 85 in a year); a doubling still deserves a look."""
_REL_TOL = 1e-9
"""Values equal within this relative tolerance are *unchanged* (unit conversions are floats)."""

EMPTY_RETURN = ("报表中没有任何指标数值或任务进展，未导入：请检查是否填在模板的“填报值”“进展状态”等栏中，"
                "或是否发错了文件")
"""Why a return that says nothing is refused: recorded, it would be a batch of nothing that counts
as received."""

Status = Literal["accepted", "duplicate", "rejected"]
ProgressCallback = Callable[[str, int, int], None]
"""``(file, done, total)`` — called while a file is read; the CLI draws a bar from it."""
Reader = Callable[..., ParsedReturn]


@dataclass(frozen=True)
class Change:
    """A value that a newer return changes: ``old`` (from batch ``old_batch``) → ``new``."""

    indicator: str
    name: str
    period: Period
    agency: str
    old: float
    new: float
    unit: str
    where: str
    old_batch: int | None


@dataclass(frozen=True)
class ConversionNote:
    """A unit conversion the reader made, with the figures: ``B5: 12,345 万元 → 1.2345 亿元``."""

    where: str
    indicator: str
    raw: str
    from_unit: str
    value: float | None
    to_unit: str
    factor: float

    def __str__(self) -> str:
        shown = f"{self.value:,.10g} {self.to_unit}" if self.value is not None else self.to_unit
        raw = self.raw if self.raw.rstrip().endswith(self.from_unit) else f"{self.raw} {self.from_unit}"
        return f"{self.where}: {raw} → {shown}"


@dataclass
class FileResult:
    """What happened (or, in a dry run, would happen) to one file.

    ``status``: ``accepted`` (recorded as batch ``batch``; in a dry run ``batch`` is ``None``),
    ``duplicate`` (the same bytes are already batch ``batch``; nothing added) or ``rejected``
    (``errors`` say why; nothing written).
    """

    file: str
    sha256: str
    status: Status
    agency: str | None = None
    period: Period | None = None
    layout: str | None = None
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    tasks: int = 0
    batch: int | None = None
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    conversions: list[ConversionNote] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


@dataclass
class ImportResult:
    """The outcome of one ``import`` run: one :class:`FileResult` per file, in the order given."""

    files: list[FileResult]
    dry_run: bool
    ledger: str

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def exit_code(self) -> int:
        """0 when every file was taken (or would be), 1 when any was rejected."""
        return 1 if self.rejected else 0


@dataclass
class _Session:
    """What a dry run has "written" so far, so later files compare against earlier ones."""

    values: dict[tuple[str, str, str], tuple[float, int | None]] = field(default_factory=dict)
    shas: dict[str, FileResult] = field(default_factory=dict)


def import_files(
    paths: Sequence[Path],
    catalog: Catalog,
    db_path: Path,
    *,
    now: dt.datetime,
    agency: str | None = None,
    period: str | None = None,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
    reader: Reader | None = None,
    ahead: FilesAhead | None = None,
) -> ImportResult:
    """Import each of ``paths`` into the ledger at ``db_path``; each file all or nothing.

    ``agency`` / ``period`` are the ``--agency`` / ``--period`` flags (any spelling), passed to
    the reader, which reports a contradiction with the file as an error. ``now`` (timezone-aware)
    stamps the batches. ``reader`` replaces :func:`pingtai.returns.read_return` (tests). ``ahead``
    is ``paths`` already being opened in the background (:class:`~pingtai.returns.opening.FilesAhead`,
    started by the caller before it loaded the catalog); without it the files are opened here,
    each while the one before it is recorded.

    Raises :class:`UsageError` for a missing file or an unreadable flag and
    :class:`~pingtai.errors.UnknownNameError` for an unknown agency — before anything is read — and
    :class:`~pingtai.errors.LedgerError` when the ledger cannot be opened or written.
    """
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"文件不存在或不是文件：{'、'.join(missing)}", hint="请检查文件路径；未导入任何文件。")
    canonical = AgencyIndex(catalog.agencies).resolve(agency).name if agency else None
    try:
        wanted = Period.parse(period) if period else None
    except PeriodError as exc:
        raise UsageError(f"--period：{exc}") from None
    if reader is None:
        from pingtai.returns.reader import read_return

        reader = read_return
        ahead = ahead or FilesAhead(paths)

    session = _Session()
    results: list[FileResult] = []
    ledger = Ledger.open(db_path, readonly=True) if dry_run else Ledger.open(db_path, create=False)
    try:
        for index, path in enumerate(paths):
            name = text_name(path)
            # taken now, so the next file starts opening whether or not this one is read
            opened = {"opening": ahead.take(index)} if ahead is not None else {}
            try:
                sha = sha256_of(path)
            except OSError as exc:  # unreadable (permissions, a failing disk): this file only
                results.append(FileResult(file=name, sha256="", status="rejected", errors=[
                    Problem(text_name(path.name), f"无法读取文件：{os_reason(exc)}", "unreadable")]))
                continue
            earlier = ledger.batch_by_sha256(sha)
            if earlier is not None:
                results.append(_duplicate(name, sha, earlier.id, earlier.agency, earlier.period, earlier.layout,
                                          earlier.imported + earlier.updated + earlier.unchanged, earlier.tasks))
                continue
            if sha in session.shas:
                first = session.shas[sha]
                results.append(_duplicate(name, sha, first.batch, first.agency, first.period, first.layout,
                                          first.imported + first.updated + first.unchanged, first.tasks))
                continue

            def progress(done: int, total: int, _name: str = name) -> None:
                if on_progress is not None:
                    on_progress(_name, done, total)

            parsed = reader(path, catalog, agency=canonical, period=wanted, on_progress=progress, **opened)
            parsed.sha256 = sha
            if not parsed.errors and not parsed.values and not parsed.tasks:
                parsed.problems.append(Problem(text_name(path.name), EMPTY_RETURN, "empty-return"))
            if dry_run:
                result = assess(parsed, catalog, ledger, session=session, file=name)
                if result.status == "accepted":
                    session.shas[sha] = result
            elif parsed.errors:
                result = assess(parsed, catalog, ledger, file=name)
            elif checked := _consistency_problems(parsed, catalog):
                result = assess(parsed, catalog, ledger, file=name, checked=checked)
            else:
                if ledger.path is None or ledger.readonly:  # first accepted file: only now create (or write) it
                    ledger.close()
                    ledger = Ledger.open(db_path, create=True)
                result = record(parsed, catalog, ledger, source=path, now=now, file=name, agency_option=canonical,
                                period_option=str(wanted) if wanted else None, checked=[])
            results.append(result)
    finally:
        ledger.close()
    return ImportResult(files=results, dry_run=dry_run, ledger=str(db_path))


def record(parsed: ParsedReturn, catalog: Catalog, ledger: Ledger, *, source: Path, now: dt.datetime,
           file: str | None = None, stored_name: str | None = None, agency_option: str | None = None,
           period_option: str | None = None, batch_id: int | None = None,
           checked: list[Problem] | None = None) -> FileResult:
    """Compare ``parsed`` with the ledger and, if it has no errors, record it as one batch.

    Comparison and writing share one ``BEGIN IMMEDIATE`` transaction, so a concurrent import
    cannot slip in between. ``source`` is the file archived; its bytes must hash to
    ``parsed.sha256``. ``stored_name`` is the file name the batch records (default: ``source``'s);
    ``agency_option`` / ``period_option`` the options the file was read with and ``batch_id`` the
    id to give the batch — all three kept for, or restored by, ``ledger rebuild``. ``checked`` is
    what :func:`_consistency_problems` already found in ``parsed`` (not checked again). Returns
    the file's result (``rejected`` with nothing written on errors).
    """
    with ledger.transaction():
        earlier = ledger.batch_by_sha256(parsed.sha256)
        if earlier is not None:
            return _duplicate(file or text_name(parsed.path), parsed.sha256, earlier.id, earlier.agency, earlier.period,
                              earlier.layout, earlier.imported + earlier.updated + earlier.unchanged, earlier.tasks)
        result = _screen(parsed, catalog, file, checked)
        if result.status != "accepted":
            return result
        values = _as_points(parsed.values)
        keys = _keys(values)
        current = _current(ledger, keys, None)
        # from here the ledger copies the rows into place in the background while they are judged
        staged = ledger.stage(values, [_task_as_point(t) for t in parsed.tasks], batch_id=batch_id)
        _judge(result, values, keys, current, catalog, None)
        batch = ledger.add_batch(
            NewBatch(file=stored_name or text_name(Path(source).name), sha256=parsed.sha256, agency=parsed.agency,
                     period=parsed.period.as_point() if parsed.period else None, layout=parsed.layout or "table",
                     imported_at=now, reporter=parsed.reporter, phone=parsed.phone, filled_on=parsed.filled_on,
                     plan_version=parsed.plan_version, imported=result.imported, updated=result.updated,
                     unchanged=result.unchanged, tasks=result.tasks, warnings=len(result.warnings),
                     agency_option=agency_option, period_option=period_option, id=batch_id),
            source, staged=staged)
        result.batch = batch.id
    return result


def assess(parsed: ParsedReturn, catalog: Catalog, ledger: Ledger, *, session: _Session | None = None,
           file: str | None = None, checked: list[Problem] | None = None) -> FileResult:
    """What importing ``parsed`` would do, judged against ``ledger`` (plus a dry run's ``session``).

    Counts imported / updated / unchanged, lists changes and conversions, adds warnings for
    implausible figures. A file with errors comes back ``rejected`` with every error listed.
    Writes nothing (except into ``session``, when given, for the files after this one).
    ``checked``: :func:`_consistency_problems` of ``parsed``, when the caller already has them.
    """
    result = _screen(parsed, catalog, file, checked)
    if result.status == "accepted":
        values = _as_points(parsed.values)
        keys = _keys(values)
        _judge(result, values, keys, _current(ledger, keys, session), catalog, session)
    return result


Current = dict[tuple[str, str, str], tuple[float, int | None]]
"""``(indicator, period, agency)`` → ``(value, batch)``: the figures a file is judged against."""


def _screen(parsed: ParsedReturn, catalog: Catalog, file: str | None, checked: list[Problem] | None) -> FileResult:
    """The file's result before it is judged: ``rejected`` with every error, else ``accepted``."""
    result = FileResult(file=file or text_name(parsed.path), sha256=parsed.sha256, status="accepted",
                        agency=parsed.agency, period=parsed.period, layout=parsed.layout,
                        tasks=len(parsed.tasks), warnings=list(parsed.warnings),
                        conversions=_conversion_notes(parsed))
    errors = parsed.errors + (_consistency_problems(parsed, catalog) if checked is None else checked)
    if errors:
        result.status = "rejected"
        result.errors = errors
        result.tasks = 0
    return result


def _current(ledger: Ledger, keys: list[tuple[str, str, str]], session: _Session | None) -> Current:
    """The ledger's current figures for the indicators of ``keys`` (and a dry run's, on top)."""
    indicators = {key[0] for key in keys}
    current: Current = {
        (s.indicator, str(s.period), s.agency): (s.value, s.batch) for s in ledger.current_values(indicators)}
    if session is not None:
        current.update({k: v for k, v in session.values.items() if k[0] in indicators})
    return current


def _judge(result: FileResult, values: list[ValueRecord], keys: list[tuple[str, str, str]], current: Current,
           catalog: Catalog, session: _Session | None) -> None:
    """Count imported / updated / unchanged into ``result``, list the changes, add the warnings.

    Works on whole columns (``zip``, ``map``) rather than value by value where it can: a
    back-fill file holds 100 000 values, judged inside the write transaction.
    """
    if not current:
        result.imported = len(values)
    else:
        for value, before in zip(values, map(current.get, keys), strict=True):
            if before is None:
                result.imported += 1
            elif math.isclose(before[0], value.value, rel_tol=_REL_TOL, abs_tol=1e-12):
                result.unchanged += 1
            else:
                result.updated += 1
                result.changes.append(Change(indicator=value.indicator, name=catalog.indicators[value.indicator].name,
                                             period=value.period, agency=value.agency, old=before[0], new=value.value,
                                             unit=value.unit, where=value.where, old_batch=before[1]))
    figures = list(zip(map(_VALUE, values), itertools.repeat(None)))
    after = dict(current)
    after.update(zip(keys, figures, strict=True))
    result.warnings += plausibility_warnings(values, after, catalog, keys=keys)
    if session is not None:
        session.values.update(zip(keys, figures, strict=True))


def plausibility_warnings(values: Iterable[ValueRecord], state: dict[tuple[str, str, str], tuple[float, int | None]],
                          catalog: Catalog, *, keys: list[tuple[str, str, str]] | None = None) -> list[Problem]:
    """Warnings for figures that are accepted but look wrong, judged against ``state``.

    ``state`` maps ``(indicator, period, agency)`` to the value each key will have once the file is
    in (the ledger's current values overlaid with the file's); periods are points
    (:meth:`~pingtai.periods.Period.as_point`), as the ledger stores them. A ``stock`` or
    ``cumulative`` value lower than the same agency's previous period → ``decrease``; a ``flow`` or
    ``stock`` outside :data:`YOY_MIN_RATIO`–:data:`YOY_MAX_RATIO` of the same point last year →
    ``yoy-range``. Warnings come in the order of ``values``, a value's ``decrease`` first.

    "The previous period" is the latest point before the value's in ``state`` for the same series.
    There is one point per month (Dec → year, Jun → H1, Mar/Sep → quarter, else the month), so it
    is looked up month by month backwards — for a monthly series the first look-up finds it.
    """
    values = values if isinstance(values, list) else list(values)
    if not values:
        return []
    keys = _keys(values) if keys is None else keys
    texts = set(map(_SECOND, keys))
    kinds = {ident: catalog.indicators[ident].kind for ident in set(map(_FIRST, keys))}
    get = state.get
    earliest = min(map(_month_of, texts | set(map(_SECOND, state))))  # where looking further back ends
    # Which values can draw a warning, over whole columns: the point a month before (for a monthly
    # series, the previous period) and the same point last year, looked up for every value at once.
    # Only these candidates are then judged one by one, with the full rules.
    previous = {text: _point_text(_month_of(text) - 1) for text in texts}
    last_year = {text: str(_parse_period(text).same_point_last_year()) for text in texts}
    ids, spelled, agencies = map(_FIRST, keys), list(map(_SECOND, keys)), list(map(_THIRD, keys))
    months_before = map(get, zip(map(_FIRST, keys), map(previous.__getitem__, spelled), agencies, strict=True))
    years_before = map(get, zip(map(_FIRST, keys), map(last_year.__getitem__, spelled), agencies, strict=True))
    candidates = [
        i for i, (kind, number, month, year) in enumerate(
            zip(map(kinds.__getitem__, ids), map(_VALUE, values), months_before, years_before, strict=True))
        if ((kind == "stock" or kind == "cumulative") and (month is None or number < month[0] - abs(month[0]) * _REL_TOL))
        or ((kind == "flow" or kind == "stock") and year is not None and year[0] > 0
            and not YOY_MIN_RATIO <= number / year[0] <= YOY_MAX_RATIO)]

    warnings: list[Problem] = []
    for i in candidates:
        value, (ident, text, agency) = values[i], keys[i]
        if value.below_unit:
            continue
        kind = kinds[ident]
        if kind == "stock" or kind == "cumulative":
            month = _month_of(text) - 1
            while month >= earliest:
                before = get((ident, _point_text(month), agency))
                if before is not None:
                    number = before[0]
                    if value.value < number - abs(number) * _REL_TOL:
                        kind_label = "累计数" if kind == "cumulative" else "存量"
                        warnings.append(Problem(value.where, (
                            f"{_label(catalog.indicators[ident].name, value)}为 {value.value:,.10g} {value.unit}，低于上期"
                            f"（{_parse_period(_point_text(month)).label()}）的 {number:,.10g} {value.unit}；"
                            f"{kind_label}一般不应下降，请核实"), "decrease", "warning"))
                    break
                month -= 1
        if kind == "flow" or kind == "stock":
            found = get((ident, last_year[text], agency))
            if found is not None and found[0] > 0:
                before_number = found[0]
                ratio = value.value / before_number
                if not YOY_MIN_RATIO <= ratio <= YOY_MAX_RATIO:
                    warnings.append(Problem(value.where, (
                        f"{_label(catalog.indicators[ident].name, value)}为 {value.value:,.10g} {value.unit}，较上年同期"
                        f"（{_parse_period(last_year[text]).label()}：{before_number:,.10g} {value.unit}）变化 "
                        f"{ratio - 1:+.0%}，超出合理范围（{YOY_MIN_RATIO - 1:+.0%}～{YOY_MAX_RATIO - 1:+.0%}），请核实"),
                        "yoy-range", "warning"))
    return warnings


@functools.lru_cache(maxsize=4096)
def _point_text(month: int) -> str:
    """The stored spelling of the point ending in ``month`` (counted as ``12 * year + month``)."""
    year, rest = divmod(month - 1, 12)
    return str(Period.ending_in_month(year, rest + 1))


@functools.lru_cache(maxsize=4096)
def _month_of(text: str) -> int:
    period = _parse_period(text)
    return 12 * period.year + period.last_month


def _keys(values: Sequence[ValueRecord]) -> list[tuple[str, str, str]]:
    """``(indicator, period text, agency)`` of each value — the ledger's key."""
    periods = list(map(_PERIOD, values))
    # few distinct Period objects among many values: spell each once, keyed by id (hashing a
    # Period dataclass costs more than the lookup saves)
    spelled = {key: str(p) for key, p in dict(zip(map(id, periods), periods, strict=True)).items()}
    return list(zip(map(_INDICATOR, values), map(spelled.__getitem__, map(id, periods)), map(_AGENCY, values),
                    strict=True))


_INDICATOR, _PERIOD, _AGENCY, _VALUE, _UNIT = (operator.itemgetter(i) for i in range(5))
_AREA = operator.attrgetter("area")
"""Fields of a :class:`~pingtai.records.ValueRecord` (a named tuple), for ``map`` over many."""
_FIRST, _SECOND, _THIRD = _INDICATOR, _PERIOD, _AGENCY
"""…and of a key ``(indicator, period text, agency)``."""


def _label(name: str, value: ValueRecord) -> str:
    # formatted only for a warning: most of 100,000 values raise none
    return f"{name}（{value.period.label()}，{value.agency}）"


@functools.lru_cache(maxsize=4096)
def _parse_period(text: str) -> Period:
    return Period.parse(text)


def _consistency_problems(parsed: ParsedReturn, catalog: Catalog) -> list[Problem]:
    """Checks the ledger relies on, whatever reader produced ``parsed``: known ids, the indicator's
    own unit, one value per key and one line per task in a file; and, for now, no area's figure."""
    values, problems = _area_figures_refused(parsed.values, catalog)
    if not problems and _values_consistent(values, catalog) and not parsed.tasks:
        return []
    seen: dict[tuple[str, str, str], str] = {}
    for value in values:
        definition = catalog.indicators.get(value.indicator)
        if definition is None:
            problems.append(Problem(value.where, f"未知指标 '{value.indicator}'", "unknown-indicator"))
            continue
        if value.unit != definition.unit:
            problems.append(Problem(value.where, f"{definition.name} 的单位应为 {definition.unit}，而不是 {value.unit}",
                                    "unit-mismatch"))
        if not math.isfinite(value.value):
            problems.append(Problem(value.where, f"不是有效数字（{value.raw}）", "not-a-number"))
        key = (value.indicator, str(value.period.as_point()), value.agency)
        if key in seen:
            problems.append(Problem(value.where, (
                f"{definition.name}（{value.period.as_point().label()}，{value.agency}）在本文件中重复填报，"
                f"另见 {seen[key]}（{value.raw}）"), "duplicate-value"))
        else:
            seen[key] = value.where
    lines: dict[tuple[str, int, str, str], str] = {}
    for task in parsed.tasks:
        plan = catalog.plan(task.plan)
        if plan is None or plan.task(task.task) is None:
            problems.append(Problem(task.where, f"未知任务：{task.plan} 第 {task.task} 项", "unknown-task"))
            continue
        task_key = (task.plan, task.task, task.agency, str(task.period.as_point()))
        if task_key in lines:
            problems.append(Problem(task.where, f"任务 {task.task} 的进展在本文件中重复填报，另见 {lines[task_key]}",
                                    "duplicate-task"))
        else:
            lines[task_key] = task.where
    return problems


def _area_figures_refused(values: list[ValueRecord], catalog: Catalog) -> tuple[list[ValueRecord], list[Problem]]:
    """A guard until the ledger keys values by area (issue #14, part 2 — remove it then): the ledger
    cannot yet tell an area's figure from the city's, so a value whose stated area is not the city
    is refused (``area-not-stored``), never stored as the city's. Returns the other values and the
    refusals; the city's rows (全市 / 合计) pass as before."""
    city = catalog.areas.city.name if catalog.areas is not None and catalog.areas.city is not None else None
    if set(map(_AREA, values)) <= {None, city}:
        return values, []
    kept: list[ValueRecord] = []
    refused: list[Problem] = []
    for value in values:
        if value.area is None or value.area == city:
            kept.append(value)
            continue
        name = catalog.indicators[value.indicator].name if value.indicator in catalog.indicators else value.indicator
        refused.append(Problem(value.where, (
            f"{name}（{value.area}）：台账暂不能按地区记录数值，地区数值不能导入；请只报送全市数（全市/合计行），"
            f"或删去各地区的行后再导入"), "area-not-stored"))
    return kept, refused


def _values_consistent(values: list[ValueRecord], catalog: Catalog) -> bool:
    """Whether :func:`_consistency_problems` would find nothing wrong with ``values`` — asked of
    the whole column at once; only a file with something wrong is looked at value by value."""
    indicators = catalog.indicators
    for ident, unit in set(zip(map(_INDICATOR, values), map(_UNIT, values), strict=True)):
        definition = indicators.get(ident)
        if definition is None or definition.unit != unit:
            return False
    if not all(map(math.isfinite, map(_VALUE, values))):
        return False
    return len(set(_keys(_as_points(values)))) == len(values)


def _duplicate(file: str, sha: str, batch: int | None, agency: str | None, period: Period | None, layout: str | None,
               values: int, tasks: int) -> FileResult:
    return FileResult(file=file, sha256=sha, status="duplicate", agency=agency, period=period, layout=layout,
                      unchanged=values, tasks=tasks, batch=batch)


def _conversion_notes(parsed: ParsedReturn) -> list[ConversionNote]:
    if not parsed.conversions:
        return []
    by_cell = {v.where: v for v in parsed.values}
    notes = []
    for conversion in parsed.conversions:
        value = by_cell.get(conversion.where)
        notes.append(ConversionNote(where=conversion.where, indicator=conversion.indicator,
                                    raw=value.raw if value else "", from_unit=conversion.from_unit,
                                    value=value.value if value else None, to_unit=conversion.to_unit,
                                    factor=conversion.factor))
    return notes


def rows_as_stored(parsed: ParsedReturn) -> tuple[list[ValueRecord], list[TaskRecord]]:
    """``parsed``'s values and task lines with their periods as the points the ledger stores them
    for (what ``ledger verify --deep`` compares with a batch's rows)."""
    return _as_points(parsed.values), [_task_as_point(t) for t in parsed.tasks]


def _as_points(values: list[ValueRecord]) -> list[ValueRecord]:
    """``values`` with their periods as points; the same list when they all are (the reader's are)."""
    periods = list(map(_PERIOD, values))
    if all(p.as_point() is p for p in dict(zip(map(id, periods), periods, strict=True)).values()):
        return values
    return [_as_point(v) for v in values]


def _as_point(value: ValueRecord) -> ValueRecord:
    point = value.period.as_point()
    if point == value.period:
        return value
    return value._replace(period=point)


def _task_as_point(task: TaskRecord) -> TaskRecord:
    point = task.period.as_point()
    if point == task.period:
        return task
    return TaskRecord(plan=task.plan, task=task.task, agency=task.agency, period=point, status=task.status,
                      progress=task.progress, issues=task.issues, next_steps=task.next_steps, where=task.where)
