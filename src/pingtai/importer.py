"""Import returns into the ledger: read each file, compare it with what is recorded, write it whole.

For every file: read it (:func:`pingtai.returns.read_return`); if it has errors, nothing from it is
written. Otherwise, inside one ledger transaction, judge every figure against its series
(:mod:`pingtai.series`: a figure that looks like a unit slip, is out of scale or out of range
refuses the file unless ``--accept`` lets it through; jumps, a reported growth far from the one
last year's figure gives, and a city figure that disagrees with the sum of its areas are
warnings), compare each value with the current one for its key (indicator, area, period, unit:
:class:`~pingtai.series.ValueKey`) — new key → *imported*, different value → *updated* (old → new
shown), same value → *unchanged* —, archive the file and record it as one batch with the day the
return counts as received (:func:`receipt_day`). A file whose bytes are already a batch is *unchanged*
and adds nothing. ``dry_run`` runs exactly the same judgement against the ledger as it is (and the
files before it in the same run) and writes nothing, not even an empty ledger file.

The result objects here are what ``pingtai import`` renders as text or ``--json``.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pingtai.agencies import AgencyIndex
from pingtai.catalog import Catalog
from pingtai.errors import Problem, UsageError, text_name
from pingtai.frozen import Record
from pingtai.ledger import (
    CONTACT_LABELS,
    AcceptedCell,
    Batch,
    CurrentValue,
    Ledger,
    NewBatch,
    ReceivedSource,
    sha256_of,
)
from pingtai.periods import Period, PeriodError, office_day
from pingtai.records import ParsedReturn, TaskRecord, ValueRecord
from pingtai.returns.opening import FilesAhead, Opening
from pingtai.safe_write import os_reason
from pingtai.schedule import return_contents
from pingtai.series import (
    ACCEPTABLE,
    Acceptance,
    AreaRule,
    Figures,
    ValueKey,
    growth_gaps,
    judge,
    keys_of,
    sum_message,
)

if TYPE_CHECKING:
    from pingtai.service import Store

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


class Change(Record):
    """A value that a newer return changes: ``old`` (from batch ``old_batch``) → ``new``; ``area`` the
    area it is for (``None``: the city)."""

    indicator: str
    name: str
    period: Period
    agency: str
    old: float
    new: float
    unit: str
    where: str
    old_batch: int | None
    area: str | None = None


class ConversionNote(Record):
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


class FileResult(Record, frozen=False):
    """What happened (or, in a dry run, would happen) to one file.

    ``status``: ``accepted`` (recorded as batch ``batch``; in a dry run ``batch`` is ``None``),
    ``duplicate`` (the same bytes are already batch ``batch``; nothing added) or ``rejected``
    (``errors`` say why; nothing written). ``received`` is the day the return counts as received
    and ``received_source`` where that day comes from (:func:`receipt_day`); ``backfill`` marks a
    back-fill. ``accepted`` lists the refused figures that ``--accept`` let through; ``blank`` and
    ``blank_tasks`` what a return for one agency and period left out of what it owes.
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
    received: dt.date | None = None
    received_source: ReceivedSource | None = None
    backfill: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    accepted: list[Problem] = field(default_factory=list)
    conversions: list[ConversionNote] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    blank: list[str] = field(default_factory=list)
    blank_tasks: list[str] = field(default_factory=list)
    state: str | None = None
    """The recorded batch's review state (``pending`` while the ledger requires review, else
    ``accepted``); ``None`` for a file not recorded (a dry run, a duplicate, a rejected file)."""


class ImportResult(Record, frozen=False):
    """The outcome of one ``import`` run: one :class:`FileResult` per file, in the order given.

    ``unused_accepts`` are the ``--accept`` cells that named no refused figure in any file.
    """

    files: list[FileResult]
    dry_run: bool
    ledger: str
    unused_accepts: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def exit_code(self) -> int:
        """0 when every file was taken (or would be), 1 when any was rejected."""
        return 1 if self.rejected else 0


class Receipt(Record):
    """How the returns of one ``import`` run are received: ``--received``, ``--backfill``, ``--accept``.

    ``import_day`` makes the import day the receipt day whatever the return says: the rule for a
    batch archived before receipt days were kept, which a rebuild must give back as it was.
    """

    received: dt.date | None = None
    backfill: bool = False
    acceptance: Acceptance = field(default_factory=Acceptance)
    import_day: bool = False


class _Session(Record, frozen=False):
    """What a dry run has "written" so far, so later files compare against earlier ones."""

    values: dict[ValueKey, CurrentValue] = field(default_factory=dict)
    shas: dict[str, FileResult] = field(default_factory=dict)


def import_files(
    paths: Sequence[Path],
    catalog: Catalog,
    store: Store,
    *,
    now: dt.datetime,
    agency: str | None = None,
    period: str | None = None,
    receipt: Receipt | None = None,
    dry_run: bool = False,
    on_progress: ProgressCallback | None = None,
    reader: Reader | None = None,
    ahead: FilesAhead | None = None,
) -> ImportResult:
    """Import each of ``paths`` into the ledger ``store`` names; each file all or nothing.

    ``agency`` / ``period`` are the ``--agency`` / ``--period`` flags (any spelling), passed to
    the reader, which reports a contradiction with the file as an error. ``receipt`` holds
    ``--received`` / ``--backfill`` / ``--accept`` (default: none given). ``now`` (timezone-aware)
    stamps the batches; its Beijing day is the import day. ``reader`` replaces
    :func:`pingtai.returns.read_return` (tests). ``ahead`` is ``paths`` already being opened in the
    background (:class:`~pingtai.returns.opening.FilesAhead`, started by the caller before it
    loaded the catalog); without it the files are opened here, each while the one before it is
    recorded.

    Raises :class:`UsageError` for a missing file, an unreadable flag or a receipt date after the
    import day and :class:`~pingtai.errors.UnknownNameError` for an unknown agency — before
    anything is read — and :class:`~pingtai.errors.LedgerError` when the ledger cannot be opened
    or written.
    """
    receipt = receipt or Receipt()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise UsageError(f"文件不存在或不是文件：{'、'.join(missing)}", hint="请检查文件路径；未导入任何文件。")
    if receipt.received is not None and receipt.received > office_day(now):
        raise UsageError(f"--received {receipt.received} 晚于今天（{office_day(now)}）：收到日期不能在将来",
                         hint="请写实际收到报表的日期，例如 --received 2025-04-15。")
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
    used: set[str] = set()
    # a dry run reads the ledger as it is (a missing one as empty); an import opens an existing one
    # for writing and creates a missing one only once a file is taken
    ledger = store.read(missing_ok=True) if dry_run else store.write(create=False)
    try:
        for index, path in enumerate(paths):
            name = text_name(path)
            # taken now, so the next file starts opening whether or not this one is read
            opening = ahead.take(index) if ahead is not None else None
            opened = {"opening": opening} if opening is not None else {}
            try:
                sha = _file_sha256(path, opening)
            except OSError as exc:  # unreadable (permissions, a failing disk): this file only
                results.append(FileResult(file=name, sha256="", status="rejected", errors=[
                    Problem(text_name(path.name), f"无法读取文件：{os_reason(exc)}", "unreadable")]))
                continue
            earlier = ledger.batch_by_sha256(sha)
            if earlier is not None and earlier.state == "rejected":
                results.append(_sent_back(name, earlier))
                continue
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
            # checked and keyed once: judging, counting and recording all go by the same keys
            checked, keyed = _checked(parsed, catalog)
            if dry_run:
                result = assess(parsed, catalog, ledger, session=session, file=name, checked=checked, receipt=receipt,
                                now=now, keyed=keyed)
                if result.status == "accepted":
                    session.shas[sha] = result
            elif parsed.errors or checked:
                result = assess(parsed, catalog, ledger, file=name, checked=checked, receipt=receipt, now=now)
            else:
                judged = None
                if not ledger.writable:  # first file to take: only now create (or write) it
                    judged = assess(parsed, catalog, ledger, file=name, checked=[], receipt=receipt, now=now,
                                    keyed=keyed)
                    if judged.status == "rejected":  # refused by the series gate: no ledger is created for it
                        used |= receipt.acceptance.used(judged.errors)
                        results.append(judged)
                        continue
                    ledger.close()
                    ledger = store.write()
                result = record(parsed, catalog, ledger, source=path, now=now, file=name, agency_option=canonical,
                                period_option=str(wanted) if wanted else None, checked=[], receipt=receipt,
                                judged=judged, keyed=keyed)
            used |= receipt.acceptance.used([*result.accepted, *result.errors])
            results.append(result)
    finally:
        ledger.close()
    unused = [spec for spec in receipt.acceptance.cells if spec not in used]
    return ImportResult(files=results, dry_run=dry_run, ledger=store.describe(), unused_accepts=unused)


def _file_sha256(path: Path, opening: Opening | None) -> str:
    """The file's sha256: the one its opening took of the very bytes it parses, else read now
    (not hashed twice: a 30 MB workbook is read and hashed in about 0.05 s)."""
    if opening is not None:
        opening.wait_measured()
        if opening.sha256:
            return opening.sha256
    return sha256_of(path)


def record(parsed: ParsedReturn, catalog: Catalog, ledger: Ledger, *, source: Path, now: dt.datetime,
           file: str | None = None, stored_name: str | None = None, agency_option: str | None = None,
           period_option: str | None = None, batch_id: int | None = None,
           checked: list[Problem] | None = None, receipt: Receipt | None = None,
           judged: FileResult | None = None, keyed: Keyed | None = None) -> FileResult:
    """Compare ``parsed`` with the ledger and, if it has no errors, record it as one batch.

    Judging and writing share one ``BEGIN IMMEDIATE`` transaction, so a concurrent import cannot
    slip in between. ``source`` is the file archived; its bytes must hash to ``parsed.sha256``.
    ``stored_name`` is the file name the batch records (default: ``source``'s); ``agency_option``
    / ``period_option`` / ``receipt`` the options the file was read and imported with and
    ``batch_id`` the id to give the batch — all kept for, or restored by, ``ledger rebuild``.
    ``checked`` is what :func:`_consistency_problems` already found in ``parsed`` (not checked
    again). ``judged`` is :func:`assess` of ``parsed`` against an empty ledger (the first file of an
    import into a new one): while the ledger still holds no batch its series judgement stands and is
    not made twice. ``keyed`` is :func:`_checked`'s keying of ``parsed.values``, when the caller
    has it. Returns the file's result (``rejected`` with nothing written on errors — a refused
    figure among them).
    """
    receipt = receipt or Receipt()
    with ledger.transaction():
        earlier = ledger.batch_by_sha256(parsed.sha256)
        if earlier is not None and earlier.state == "rejected":
            return _sent_back(file or text_name(parsed.path), earlier)
        if earlier is not None:
            return _duplicate(file or text_name(parsed.path), parsed.sha256, earlier.id, earlier.agency, earlier.period,
                              earlier.layout, earlier.imported + earlier.updated + earlier.unchanged, earlier.tasks)
        result = _screen(parsed, catalog, file, checked, receipt, now)
        if result.status != "accepted":
            return result
        values, keys = keyed or _keyed(parsed.values, catalog)
        current = _current(ledger, keys, None)
        if judged is not None and not current and not ledger.batches():
            # nothing recorded meanwhile: judged against exactly this (empty) state already
            result.warnings, result.accepted = list(judged.warnings), list(judged.accepted)
        elif not _gate(result, values, keys, current, catalog, receipt.acceptance, now):
            return result
        # from here the ledger copies the rows into place in the background while they are counted
        staged = ledger.stage(values, [_task_as_point(t) for t in parsed.tasks], batch_id=batch_id)
        _count(result, values, keys, current, catalog, None)
        acceptance = receipt.acceptance
        batch = ledger.add_batch(
            NewBatch(file=stored_name or text_name(Path(source).name), sha256=parsed.sha256, agency=parsed.agency,
                     period=parsed.period.as_point() if parsed.period else None, layout=parsed.layout or "table",
                     imported_at=now, reporter=parsed.reporter, phone=parsed.phone, reviewer=parsed.reviewer,
                     filled_on=parsed.filled_on,
                     plan_version=parsed.plan_version, imported=result.imported, updated=result.updated,
                     unchanged=result.unchanged, tasks=result.tasks, warnings=len(result.warnings),
                     agency_option=agency_option, period_option=period_option, received=result.received,
                     received_source=result.received_source or "import", backfill=receipt.backfill,
                     accepted=tuple(AcceptedCell(p.where, p.code, p.message) for p in result.accepted),
                     accept_reason=acceptance.reason if acceptance else "",
                     received_option=receipt.received.isoformat() if receipt.received else None,
                     accept_option=acceptance.cells, accept_all=acceptance.every,
                     receipt_rule=0 if receipt.import_day else 1, id=batch_id),
            source, staged=staged)
        result.batch, result.state = batch.id, batch.state
    return result


def assess(parsed: ParsedReturn, catalog: Catalog, ledger: Ledger, *, session: _Session | None = None,
           file: str | None = None, checked: list[Problem] | None = None, receipt: Receipt | None = None,
           now: dt.datetime | None = None, keyed: Keyed | None = None) -> FileResult:
    """What importing ``parsed`` would do, judged against ``ledger`` (plus a dry run's ``session``).

    Judges every figure (refusals, warnings), counts imported / updated / unchanged, lists changes
    and conversions. A file with errors comes back ``rejected`` with every error listed. Writes
    nothing (except into ``session``, when given, for the files after this one). ``checked``:
    :func:`_consistency_problems` of ``parsed``, when the caller already has them, and ``keyed``
    its keying of the values (:func:`_checked`); ``now``: the import's time (for the receipt day;
    default: no receipt day is worked out).
    """
    receipt = receipt or Receipt()
    result = _screen(parsed, catalog, file, checked, receipt, now)
    if result.status == "accepted":
        values, keys = keyed or _keyed(parsed.values, catalog)
        current = _current(ledger, keys, session)
        if _gate(result, values, keys, current, catalog, receipt.acceptance, now):
            _count(result, values, keys, current, catalog, session, now)
    return result


_ACCEPT_HINT = "请核对单位后改正；确属实际数值的，用 --accept 该单元格 --reason 理由 放行"

Current = dict[ValueKey, CurrentValue]
"""The figures a file is judged against: the current value of each key (a dry run's earlier files on top)."""


def receipt_day(parsed: ParsedReturn, option: dt.date | None, now: dt.datetime) -> tuple[dt.date, ReceivedSource]:
    """The day a return counts as received, and where it comes from.

    ``--received`` when given (``option``); else the date the return carries (填报日期 / 填报时间 /
    报送日期, or the template's field) when it is neither after the import day nor before the end of
    the latest period the file reports; else the import day — days in Beijing time.
    """
    if option is not None:
        return option, "option"
    today = office_day(now)
    filled = parsed.filled_on
    if filled is not None and filled <= today and filled >= _latest_end(parsed, filled):
        return filled, "return"
    return today, "import"


def _latest_end(parsed: ParsedReturn, default: dt.date) -> dt.date:
    """The end of the latest period ``parsed`` reports (``default`` when it reports none)."""
    ends = {v.period.end for v in parsed.values} | {t.period.end for t in parsed.tasks}
    if parsed.period is not None:
        ends.add(parsed.period.end)
    return max(ends, default=default)


def _screen(parsed: ParsedReturn, catalog: Catalog, file: str | None, checked: list[Problem] | None,
            receipt: Receipt, now: dt.datetime | None) -> FileResult:
    """The file's result before it is judged: ``rejected`` with every error, else ``accepted``."""
    result = FileResult(file=file or text_name(parsed.path), sha256=parsed.sha256, status="accepted",
                        agency=parsed.agency, period=parsed.period, layout=parsed.layout,
                        tasks=len(parsed.tasks), warnings=list(parsed.warnings),
                        conversions=_conversion_notes(parsed), backfill=receipt.backfill)
    errors = parsed.errors + (_consistency_problems(parsed, catalog) if checked is None else checked)
    if receipt.received is not None and (parsed.values or parsed.tasks):
        latest = _latest_end(parsed, receipt.received)
        if receipt.received < latest:
            errors.append(Problem(result.file, f"--received {receipt.received} 早于本文件报告期末 {latest}：报表不可能在期末前收到",
                                  "bad-received"))
    if errors:
        result.status = "rejected"
        result.errors = errors
        result.tasks = 0
        return result
    if now is not None:
        result.received, result.received_source = (
            (office_day(now), "import") if receipt.import_day else receipt_day(parsed, receipt.received, now))
    if parsed.agency is not None and parsed.period is not None and parsed.layout != "long":
        _omissions(result, parsed, catalog, parsed.agency, parsed.period)
    if parsed.agency is not None:
        _contacts(result, parsed)
    return result


def _contacts(result: FileResult, parsed: ParsedReturn) -> None:
    """Flag a unit's return that does not name its 填报人, 联系电话 or 审核人: taken, with a warning (a long
    table of many units is an export, not a return someone filled in, and is not flagged)."""
    missing = [label for label, given in zip(CONTACT_LABELS.values(), (parsed.reporter, parsed.phone, parsed.reviewer),
                                             strict=True) if not given]
    if missing:
        result.warnings.append(Problem(result.file, f"报表未填写{'、'.join(missing)}：已导入，批次记为缺少联系人信息；"
                                                    "请提醒填报单位下次填写", "missing-contacts", "warning"))


def _omissions(result: FileResult, parsed: ParsedReturn, catalog: Catalog, agency: str, period: Period) -> None:
    """What one agency's return leaves out of what it owes (a template: 未填), and the figures it
    reports for indicators another unit owns (a warning naming the owner)."""
    contents = return_contents(catalog, agency, period)
    if parsed.layout == "template":
        reported = {v.indicator for v in parsed.values}
        result.blank = [i.name for i in contents.indicators if i.id in contents.owed and i.id not in reported]
        lines = {(t.plan, t.task) for t in parsed.tasks}
        result.blank_tasks = [f"{plan.spec.short_name} 任务{task.number} {task.title}" for plan, task in contents.tasks
                              if (plan.id, task.number) not in lines]
    listed = {i.id for i in contents.indicators}
    flagged: set[str] = set()
    for value in parsed.values:
        owner = catalog.indicators[value.indicator].owner
        if owner is None or owner == value.agency or value.indicator in listed or value.indicator in flagged:
            continue
        flagged.add(value.indicator)
        name = catalog.indicators[value.indicator].name
        result.warnings.append(Problem(value.where, f"{name} 由 {owner} 归口报送：{value.agency}填报的数值已记录，"
                                                    f"但全市数以 {owner} 报送的为准", "not-owner", "warning"))


Keyed = tuple[list[ValueRecord], list[ValueKey]]
"""A file's values as stored (periods as points, areas as keyed) and the key of each (:func:`_keyed`)."""


def _keyed(values: list[ValueRecord], catalog: Catalog) -> Keyed:
    """``values`` with their periods as points and their areas as keyed (:class:`~pingtai.series.AreaRule`:
    the city's ``''``, a district government's own figure its district), and their keys."""
    values = _as_points(values)
    keys = keys_of(values, AreaRule(catalog))
    if any((v.area or "") != k.area for v, k in zip(values, keys, strict=True)):
        values = [v if (v.area or "") == k.area else v._replace(area=k.area) for v, k in zip(values, keys, strict=True)]
    return values, keys


def _current(ledger: Ledger, keys: list[ValueKey], session: _Session | None) -> Current:
    """The ledger's current figures for the indicators of ``keys`` (and a dry run's, on top)."""
    indicators = {key.indicator for key in keys}
    stored = ledger.current_values(indicators)
    spelled = {id(p): str(p) for p in {s.period for s in stored}}
    current: Current = {ValueKey(s.indicator, s.area, spelled[id(s.period)], s.agency): s for s in stored}
    if session is not None:
        current.update({k: v for k, v in session.values.items() if k.indicator in indicators})
    return current


def _as_current(value: ValueRecord, key: ValueKey, now: dt.datetime | None) -> CurrentValue:
    """A value of the file being imported as a current value: not yet in any batch, and the newest import
    (``now``; without it, later than any)."""
    at = now if now is not None else dt.datetime.max.replace(tzinfo=dt.UTC)
    return CurrentValue(value.indicator, key.area, value.period, value.agency, value.value, value.unit, None, at,
                        value.growth, value.last_year, value.note, value.where, value.raw, value.below_unit)


def _gate(result: FileResult, values: list[ValueRecord], keys: list[ValueKey], current: Current, catalog: Catalog,
          acceptance: Acceptance, now: dt.datetime | None) -> bool:
    """Judge every figure against its series (:func:`pingtai.series.judge`) with the file in place.

    Refusals that ``acceptance`` covers become :attr:`FileResult.accepted` (and warnings); any
    other refusal rejects the file (``False``). Warnings — jumps, a growth far from the one last
    year's figure gives, a city figure that disagrees with the sum of its areas — are added to
    the result.
    """
    after: dict[ValueKey, CurrentValue | ValueRecord] = dict(current)
    after.update(zip(keys, values, strict=True))
    refused: list[Problem] = []
    for problem in judge(values, after, catalog, keys=keys):
        if problem.severity != "error":
            result.warnings.append(problem)
        elif acceptance.covers(problem):
            result.accepted.append(problem)
            result.warnings.append(Problem(problem.where, f"已按 --accept 放行（{acceptance.reason}）：{problem.message}",
                                           "accepted", "warning"))
        elif problem.code in ACCEPTABLE:
            refused.append(Problem(problem.where, f"{problem.message}。{_ACCEPT_HINT}", problem.code))
        else:
            refused.append(Problem(problem.where, f"{problem.message}，请核实后改正", problem.code))
    if refused:
        result.status = "rejected"
        result.errors = refused
        result.tasks = 0
        result.received = result.received_source = None
        return False
    result.warnings += growth_gaps(values, keys, after, catalog)
    result.warnings += _sum_mismatches(values, keys, after, catalog, now)
    return True


def _sum_mismatches(values: list[ValueRecord], keys: list[ValueKey], after: dict[ValueKey, CurrentValue | ValueRecord],
                    catalog: Catalog, now: dt.datetime | None) -> list[Problem]:
    """A ``sum-mismatch`` warning for each point of an additive indicator the file reports at where the city's
    figure and the sum of the county-level figures both exist, with the file in place, and disagree."""
    rule = AreaRule(catalog)
    additive = {ident for ident in {k.indicator for k in keys} if rule.additive(catalog.indicators[ident])}
    if not additive:
        return []
    cells: dict[tuple[str, str], str] = {}
    for value, key in zip(values, keys, strict=True):
        if key.indicator in additive:
            cells.setdefault((key.indicator, key.period), value.where)  # the first cell of the point in the file
    points: dict[tuple[str, str], list[CurrentValue]] = {point: [] for point in cells}
    for key, item in after.items():
        found = points.get((key.indicator, key.period))
        if found is not None:
            found.append(item if isinstance(item, CurrentValue) else _as_current(item, key, now))
    problems = []
    for (ident, period), where in cells.items():
        figures = points[(ident, period)]
        indicator = catalog.indicators[ident]
        check = Figures(indicator, figures, rule).sum_check(figures[0].period)
        if check is not None and check.mismatch:
            problems.append(Problem(where, sum_message(indicator.name, indicator.unit, check), "sum-mismatch", "warning"))
    return problems


def _count(result: FileResult, values: list[ValueRecord], keys: list[ValueKey], current: Current,
           catalog: Catalog, session: _Session | None, now: dt.datetime | None = None) -> None:
    """Count imported / updated / unchanged into ``result`` and list the changes.

    Works on whole columns (``zip``, ``map``) rather than value by value where it can: a
    back-fill file holds 100 000 values, counted inside the write transaction.
    """
    if not current:
        result.imported = len(values)
    else:
        for value, before in zip(values, map(current.get, keys), strict=True):
            if before is None:
                result.imported += 1
            elif math.isclose(before.value, value.value, rel_tol=_REL_TOL, abs_tol=1e-12):
                result.unchanged += 1
            else:
                result.updated += 1
                result.changes.append(Change(indicator=value.indicator, name=catalog.indicators[value.indicator].name,
                                             period=value.period, agency=value.agency, old=before.value, new=value.value,
                                             unit=value.unit, where=value.where, old_batch=before.batch,
                                             area=value.area or None))
    if session is not None:
        session.values.update((key, _as_current(value, key, now)) for value, key in zip(values, keys, strict=True))


_INDICATOR, _PERIOD, _AGENCY, _VALUE, _UNIT = (operator.itemgetter(i) for i in range(5))
"""Fields of a :class:`~pingtai.records.ValueRecord` (a named tuple), for ``map`` over many."""


def _consistency_problems(parsed: ParsedReturn, catalog: Catalog) -> list[Problem]:
    """Checks the ledger relies on, whatever reader produced ``parsed``: known ids, the indicator's
    own unit, one value per key and one line per task in a file."""
    return _checked(parsed, catalog)[0]


def _checked(parsed: ParsedReturn, catalog: Catalog) -> tuple[list[Problem], Keyed | None]:
    """:func:`_consistency_problems` of ``parsed`` and, when its values have none, them keyed
    (:func:`_keyed`): the duplicate check needs the keys, and judging and recording reuse them."""
    values = parsed.values
    keyed = _consistent_keyed(values, catalog)
    if keyed is not None and not parsed.tasks:
        return [], keyed
    problems: list[Problem] = []
    rule = AreaRule(catalog)
    seen: dict[tuple[str, str, str, str], str] = {}
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
        area = rule.area(value.indicator, value.agency, value.area)
        key = (value.indicator, area, str(value.period.as_point()), value.agency)
        if key in seen:
            whose = f"{value.agency}，{area}" if area else value.agency
            problems.append(Problem(value.where, (
                f"{definition.name}（{value.period.as_point().label()}，{whose}）在本文件中重复填报，"
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
    return problems, keyed if not problems else None


def _consistent_keyed(values: list[ValueRecord], catalog: Catalog) -> Keyed | None:
    """``values`` keyed (:func:`_keyed`) when :func:`_consistency_problems` would find nothing wrong
    with them, else ``None`` — asked of the whole column at once; only a file with something wrong is
    looked at value by value."""
    indicators = catalog.indicators
    for ident, unit in set(zip(map(_INDICATOR, values), map(_UNIT, values), strict=True)):
        definition = indicators.get(ident)
        if definition is None or definition.unit != unit:
            return None
    if not all(map(math.isfinite, map(_VALUE, values))):
        return None
    keyed = _keyed(values, catalog)
    return keyed if len(set(keyed[1])) == len(values) else None


def _duplicate(file: str, sha: str, batch: int | None, agency: str | None, period: Period | None, layout: str | None,
               values: int, tasks: int) -> FileResult:
    return FileResult(file=file, sha256=sha, status="duplicate", agency=agency, period=period, layout=layout,
                      unchanged=values, tasks=tasks, batch=batch)


def _sent_back(file: str, batch: Batch) -> FileResult:
    """A file whose very bytes were rejected (``pingtai reject``): refused, nothing written — the agency
    must send a corrected return, which is a new file."""
    rejection = batch.decisions[-1]
    day = office_day(rejection.at).isoformat()
    problem = Problem(file, f"该文件已于 {day} 被退回：{rejection.reason}（批次 {batch.id}，{rejection.by}）；"
                            "请让填报单位修改后重新报送新文件", "sent-back")
    return FileResult(file=file, sha256=batch.sha256, status="rejected", agency=batch.agency, period=batch.period,
                      layout=batch.layout, batch=batch.id, errors=[problem])


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


def rows_as_stored(parsed: ParsedReturn, catalog: Catalog) -> tuple[list[ValueRecord], list[TaskRecord]]:
    """``parsed``'s values and task lines with their periods as the points and their areas as the keys the
    ledger stores them by (what ``ledger verify --deep`` compares with a batch's rows)."""
    return _keyed(parsed.values, catalog)[0], [_task_as_point(t) for t in parsed.tasks]


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


def compare(values: list[ValueRecord], keys: list[ValueKey], ledger: Ledger, catalog: Catalog) -> FileResult:
    """How ``values`` (already keyed: ``keys``) stand against the figures that count in ``ledger`` now:
    the importer's own count — new (``imported``), ``updated`` with each :class:`Change`, ``unchanged``
    — with nothing written (``pingtai review`` shows what a pending return would replace with it)."""
    result = FileResult(file="", sha256="", status="accepted")
    _count(result, values, keys, _current(ledger, keys, None), catalog, None)
    return result
