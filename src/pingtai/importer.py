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

import bisect
import datetime as dt
import functools
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pingtai.agencies import AgencyIndex
from pingtai.catalog import Catalog
from pingtai.errors import Problem, UsageError
from pingtai.ledger import Ledger, NewBatch, sha256_of
from pingtai.periods import Period, PeriodError
from pingtai.records import ParsedReturn, TaskRecord, ValueRecord
from pingtai.safe_write import os_reason

YOY_MIN_RATIO = 0.5
"""A flow or stock below half of the same point last year is implausible enough to flag."""
YOY_MAX_RATIO = 2.0
"""…and so is more than double. Wider than ±50 % on the rise side because the plans themselves
aim at such growth for small counts (平台 51 → 85 in a year); a doubling still deserves a look."""
_REL_TOL = 1e-9
"""Values equal within this relative tolerance are *unchanged* (unit conversions are floats)."""

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
) -> ImportResult:
    """Import each of ``paths`` into the ledger at ``db_path``; each file all or nothing.

    ``agency`` / ``period`` are the ``--agency`` / ``--period`` flags (any spelling), passed to
    the reader, which reports a contradiction with the file as an error. ``now`` (timezone-aware)
    stamps the batches. ``reader`` replaces :func:`pingtai.returns.read_return` (tests).

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
        from pingtai.returns import read_return

        reader = read_return

    session = _Session()
    results: list[FileResult] = []
    ledger = Ledger.open(db_path, readonly=True) if dry_run else Ledger.open(db_path, create=False)
    try:
        for path in paths:
            name = str(path)
            try:
                sha = sha256_of(path)
            except OSError as exc:  # unreadable (permissions, a failing disk): this file only
                results.append(FileResult(file=name, sha256="", status="rejected", errors=[
                    Problem(path.name, f"无法读取文件：{os_reason(exc)}", "unreadable")]))
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

            parsed = reader(path, catalog, agency=canonical, period=wanted, on_progress=progress)
            parsed.sha256 = sha
            if dry_run:
                result = assess(parsed, catalog, ledger, session=session, file=name)
                if result.status == "accepted":
                    session.shas[sha] = result
            elif parsed.errors or _consistency_problems(parsed, catalog):
                result = assess(parsed, catalog, ledger, file=name)
            else:
                if ledger.path is None or ledger.readonly:  # first accepted file: only now create (or write) it
                    ledger.close()
                    ledger = Ledger.open(db_path, create=True)
                result = record(parsed, catalog, ledger, source=path, now=now, file=name, agency_option=canonical,
                                period_option=str(wanted) if wanted else None)
            results.append(result)
    finally:
        ledger.close()
    return ImportResult(files=results, dry_run=dry_run, ledger=str(db_path))


def record(parsed: ParsedReturn, catalog: Catalog, ledger: Ledger, *, source: Path, now: dt.datetime,
           file: str | None = None, stored_name: str | None = None, agency_option: str | None = None,
           period_option: str | None = None, batch_id: int | None = None) -> FileResult:
    """Compare ``parsed`` with the ledger and, if it has no errors, record it as one batch.

    Comparison and writing share one ``BEGIN IMMEDIATE`` transaction, so a concurrent import
    cannot slip in between. ``source`` is the file archived; its bytes must hash to
    ``parsed.sha256``. ``stored_name`` is the file name the batch records (default: ``source``'s);
    ``agency_option`` / ``period_option`` the options the file was read with and ``batch_id`` the
    id to give the batch — all three kept for, or restored by, ``ledger rebuild``. Returns the
    file's result (``rejected`` with nothing written on errors).
    """
    with ledger.transaction():
        earlier = ledger.batch_by_sha256(parsed.sha256)
        if earlier is not None:
            return _duplicate(file or str(parsed.path), parsed.sha256, earlier.id, earlier.agency, earlier.period,
                              earlier.layout, earlier.imported + earlier.updated + earlier.unchanged, earlier.tasks)
        result = assess(parsed, catalog, ledger, file=file)
        if result.status != "accepted":
            return result
        values = [_as_point(v) for v in parsed.values]
        tasks = [_task_as_point(t) for t in parsed.tasks]
        batch = ledger.add_batch(
            NewBatch(file=stored_name or Path(source).name, sha256=parsed.sha256, agency=parsed.agency,
                     period=parsed.period.as_point() if parsed.period else None, layout=parsed.layout or "table",
                     imported_at=now, reporter=parsed.reporter, phone=parsed.phone, filled_on=parsed.filled_on,
                     plan_version=parsed.plan_version, imported=result.imported, updated=result.updated,
                     unchanged=result.unchanged, tasks=result.tasks, warnings=len(result.warnings),
                     agency_option=agency_option, period_option=period_option, id=batch_id),
            source, values, tasks)
        result.batch = batch.id
    return result


def assess(parsed: ParsedReturn, catalog: Catalog, ledger: Ledger, *, session: _Session | None = None,
           file: str | None = None) -> FileResult:
    """What importing ``parsed`` would do, judged against ``ledger`` (plus a dry run's ``session``).

    Counts imported / updated / unchanged, lists changes and conversions, adds warnings for
    implausible figures. A file with errors comes back ``rejected`` with every error listed.
    Writes nothing (except into ``session``, when given, for the files after this one).
    """
    result = FileResult(file=file or str(parsed.path), sha256=parsed.sha256, status="accepted",
                        agency=parsed.agency, period=parsed.period, layout=parsed.layout,
                        tasks=len(parsed.tasks), warnings=list(parsed.warnings),
                        conversions=_conversion_notes(parsed))
    errors = parsed.errors + _consistency_problems(parsed, catalog)
    if errors:
        result.status = "rejected"
        result.errors = errors
        result.tasks = 0
        return result

    values = [_as_point(v) for v in parsed.values]
    indicators = {v.indicator for v in values}
    current: dict[tuple[str, str, str], tuple[float, int | None]] = {
        (s.indicator, str(s.period), s.agency): (s.value, s.batch) for s in ledger.current_values(indicators)
    }
    if session is not None:
        current.update({k: v for k, v in session.values.items() if k[0] in indicators})

    for value in values:
        key = (value.indicator, str(value.period), value.agency)
        before = current.get(key)
        if before is None:
            result.imported += 1
        elif math.isclose(before[0], value.value, rel_tol=_REL_TOL, abs_tol=1e-12):
            result.unchanged += 1
        else:
            result.updated += 1
            result.changes.append(Change(indicator=value.indicator, name=catalog.indicators[value.indicator].name,
                                         period=value.period, agency=value.agency, old=before[0], new=value.value,
                                         unit=value.unit, where=value.where, old_batch=before[1]))
    after = dict(current)
    after.update({(v.indicator, str(v.period), v.agency): (v.value, None) for v in values})
    result.warnings += plausibility_warnings(values, after, catalog)
    if session is not None:
        session.values.update({(v.indicator, str(v.period), v.agency): (v.value, None) for v in values})
    return result


def plausibility_warnings(values: Iterable[ValueRecord], state: dict[tuple[str, str, str], tuple[float, int | None]],
                          catalog: Catalog) -> list[Problem]:
    """Warnings for figures that are accepted but look wrong, judged against ``state``.

    ``state`` maps ``(indicator, period, agency)`` to the value each key will have once the file is
    in (the ledger's current values overlaid with the file's). A ``stock`` or ``cumulative`` value
    lower than the same agency's previous period → ``decrease``; a ``flow`` or ``stock`` outside
    :data:`YOY_MIN_RATIO`–:data:`YOY_MAX_RATIO` of the same point last year → ``yoy-range``.
    """
    values = list(values)
    pairs = {(v.indicator, v.agency) for v in values}
    series: dict[tuple[str, str], list[tuple[Period, float]]] = defaultdict(list)
    for (ident, period, agency), (number, _) in state.items():
        if (ident, agency) in pairs:
            series[(ident, agency)].append((_parse_period(period), number))
    # Sorted once with their keys beside them: "the previous period" is a bisection, not a scan
    # (a long table of thousands of rows is judged inside the write transaction).
    keys: dict[tuple[str, str], list[tuple[dt.date, int]]] = {}
    found: dict[tuple[str, str], dict[Period, float]] = {}
    for pair, points in series.items():
        points.sort(key=lambda item: item[0].sort_key())
        keys[pair] = [p.sort_key() for p, _ in points]
        found[pair] = dict(points)

    warnings: list[Problem] = []
    for value in values:
        if value.below_unit:
            continue
        definition = catalog.indicators[value.indicator]
        pair = (value.indicator, value.agency)
        points = series[pair]
        if definition.kind in ("stock", "cumulative"):
            at = bisect.bisect_left(keys.get(pair, []), value.period.sort_key())
            if at and value.value < points[at - 1][1] - abs(points[at - 1][1]) * _REL_TOL:
                previous, number = points[at - 1]
                kind = "累计数" if definition.kind == "cumulative" else "存量"
                warnings.append(Problem(value.where, (
                    f"{_label(definition.name, value)}为 {value.value:,.10g} {value.unit}，低于上期（{previous.label()}）的 {number:,.10g} "
                    f"{value.unit}；{kind}一般不应下降，请核实"), "decrease", "warning"))
        if definition.kind in ("flow", "stock"):
            last_year = value.period.same_point_last_year()
            before = found.get(pair, {}).get(last_year)
            if before is not None and before > 0:
                ratio = value.value / before
                if not YOY_MIN_RATIO <= ratio <= YOY_MAX_RATIO:
                    warnings.append(Problem(value.where, (
                        f"{_label(definition.name, value)}为 {value.value:,.10g} {value.unit}，较上年同期（{last_year.label()}：{before:,.10g} "
                        f"{value.unit}）变化 {ratio - 1:+.0%}，超出合理范围（{YOY_MIN_RATIO - 1:+.0%}～"
                        f"{YOY_MAX_RATIO - 1:+.0%}），请核实"), "yoy-range", "warning"))
    return warnings


def _label(name: str, value: ValueRecord) -> str:
    # formatted only for a warning: most of 100,000 values raise none
    return f"{name}（{value.period.label()}，{value.agency}）"


@functools.lru_cache(maxsize=4096)
def _parse_period(text: str) -> Period:
    return Period.parse(text)


def _consistency_problems(parsed: ParsedReturn, catalog: Catalog) -> list[Problem]:
    """Checks the ledger relies on, whatever reader produced ``parsed``: known ids, the indicator's
    own unit, one value per key and one line per task in a file."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str], str] = {}
    for value in parsed.values:
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


def _duplicate(file: str, sha: str, batch: int | None, agency: str | None, period: Period | None, layout: str | None,
               values: int, tasks: int) -> FileResult:
    return FileResult(file=file, sha256=sha, status="duplicate", agency=agency, period=period, layout=layout,
                      unchanged=values, tasks=tasks, batch=batch)


def _conversion_notes(parsed: ParsedReturn) -> list[ConversionNote]:
    by_cell = {v.where: v for v in parsed.values}
    notes = []
    for conversion in parsed.conversions:
        value = by_cell.get(conversion.where)
        notes.append(ConversionNote(where=conversion.where, indicator=conversion.indicator,
                                    raw=value.raw if value else "", from_unit=conversion.from_unit,
                                    value=value.value if value else None, to_unit=conversion.to_unit,
                                    factor=conversion.factor))
    return notes


def _as_point(value: ValueRecord) -> ValueRecord:
    point = value.period.as_point()
    if point == value.period:
        return value
    return ValueRecord(indicator=value.indicator, period=point, agency=value.agency, value=value.value,
                       unit=value.unit, where=value.where, raw=value.raw, below_unit=value.below_unit, note=value.note)


def _task_as_point(task: TaskRecord) -> TaskRecord:
    point = task.period.as_point()
    if point == task.period:
        return task
    return TaskRecord(plan=task.plan, task=task.task, agency=task.agency, period=point, status=task.status,
                      progress=task.progress, issues=task.issues, next_steps=task.next_steps, where=task.where)
