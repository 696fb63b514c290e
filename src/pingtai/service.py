"""What each command does with the ledger: which ledger, opened how, and which reads feed which builder.

The commands in :mod:`pingtai.cli` parse their options, call one function here and render what
it returns; the builders (:mod:`pingtai.assess`, :mod:`pingtai.reports`, :mod:`pingtai.checks`,
:mod:`pingtai.importer`, :mod:`pingtai.history`) never open a ledger themselves. A
:class:`Store` says where the ledger is and how each kind of command opens it — so this module
is where "which ledger" is decided, and nothing else constructs a :class:`~pingtai.ledger.Ledger`
for a command. The location is a file or a PostgreSQL database (:mod:`pingtai.ledger.location`);
``Ledger.open`` picks the backend, and the upkeep commands are the one place here that choose by
it (:mod:`pingtai.maintenance`: an archive folder beside a file, or tables of the database).

Opening rules:

- A reading command (``status``, ``show``, ``report``, ``league``, ``bulletin``, ``check``,
  ``history``, ``batches``, ``review``) on a ledger that does not exist stops with exit 2, "台账不存在：…（先用 pingtai import
  建立，或检查 --db / PINGTAI_DB）", and creates nothing — a mistyped ``--db`` must not read as an
  office where every return is missing. A missing ledger whose archive records batches is refused
  as lost (``ledger rebuild``).
- ``import --dry-run`` reads a missing ledger as empty; ``import`` creates it with the first file
  it takes; ``check --new-only``, ``accept``, ``reject`` and ``ledger set`` write into an existing
  ledger only.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from pingtai.errors import LedgerError
from pingtai.frozen import Record
from pingtai.ledger import Batch, CurrentValue, DecisionKind, Ledger, describe_location, resolve_location

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pingtai.assess import IndicatorDetail, StatusReport
    from pingtai.bulletin.model import Bulletin
    from pingtai.catalog import Catalog
    from pingtai.checks import CheckReport, FailOn
    from pingtai.history import IndicatorHistory
    from pingtai.importer import ImportResult, ProgressCallback, Receipt
    from pingtai.ledger import ReceivedReturn
    from pingtai.maintenance import Backup, Migration, Rebuild, Verification
    from pingtai.periods import Period
    from pingtai.reports import AgencyReport, League, LedgerSnapshot
    from pingtai.returns.opening import FilesAhead
    from pingtai.review import DecisionResult, PendingReturn, Settings


class Store(Record):
    """Where the ledger is, and how commands open it (see the module docstring).

    ``path`` is the location: an SQLite file, or the string naming a PostgreSQL database
    (:mod:`pingtai.ledger.location`); only :class:`~pingtai.ledger.Ledger` looks inside it.
    """

    path: Path | str

    @classmethod
    def at(cls, db: str | Path | None) -> Store:
        """``--db``, else ``PINGTAI_DB``, else the user's data directory."""
        return cls(resolve_location(db))

    def describe(self) -> str:
        """The ledger as the user named it (results and messages show it; never a password)."""
        return describe_location(self.path)

    def exists(self) -> bool:
        """Whether a ledger is there (an empty file, or a database without pingtai's schema, is none)."""
        if isinstance(self.path, str):
            with Ledger.open(self.path, create=False, readonly=True) as ledger:
                return ledger.exists
        try:
            return self.path.is_file() and self.path.stat().st_size > 0
        except OSError:
            return False

    def require(self) -> None:
        """Raise :class:`LedgerError` (exit 2) unless the ledger exists; a lost one is named as such."""
        if self.exists():
            return
        Ledger.open(self.path, readonly=True).close()  # a lost ledger (its archive records batches): that error
        if isinstance(self.path, str):
            raise LedgerError(f"台账不存在：数据库 {self.describe()} 中还没有 pingtai 台账",
                              hint="请先运行 pingtai --db … ledger init 建立台账结构，或检查 --db / PINGTAI_DB。")
        raise LedgerError(f"台账不存在：{self.path}（先用 pingtai import 建立，或检查 --db / PINGTAI_DB）")

    def read(self, *, missing_ok: bool = False) -> Ledger:
        """The ledger opened read-only; a missing one is refused (:meth:`require`), or with
        ``missing_ok`` read as empty (nothing is created either way)."""
        if not missing_ok:
            self.require()
        return Ledger.open(self.path, create=False, readonly=True)

    def write(self, *, create: bool = True) -> Ledger:
        """The ledger opened for writing (migrated to the current schema); created when missing, or
        without ``create`` read as empty until a write asks for it to be created."""
        return Ledger.open(self.path, create=create)


# --- the reads each command's builder needs ------------------------------------------------------
# Names in the options are resolved before the ledger is opened: an unknown name is the more
# useful error, whatever the ledger.


def _names(catalog: Catalog, *, plan: str | None = None, agency: str | None = None, area: str | None = None) -> None:
    """Raise for an unknown plan, agency or area (:class:`~pingtai.errors.UnknownNameError`) or an area that
    cannot have a view of its own (:class:`~pingtai.errors.UsageError`)."""
    from pingtai.agencies import AgencyIndex
    from pingtai.views import plans_for

    plans_for(catalog, plan)
    if area is not None:
        from pingtai.by_area import area_named

        area_named(catalog, area, agency)
    if agency is not None:
        AgencyIndex(catalog.agencies).resolve(agency)


def status(catalog: Catalog, store: Store, as_of: dt.date, *, plan: str | None = None,
           agency: str | None = None, area: str | None = None, used: bool = True) -> StatusReport:
    """The dashboard (``pingtai status``); with ``area``, that area's (``status --area``). Without ``used``
    the rows' projections do not list their observations (only ``status --json --history`` shows them)."""

    from pingtai.assess import build_status

    _names(catalog, plan=plan, agency=agency, area=area)
    with store.read() as ledger:
        received = ledger.received_returns()
        # the city's figures and what they are made of; an area's view ranks it among all, with its notes
        values = _city_values(catalog, ledger, received) if area is None else ledger.current_values()
        report = build_status(catalog, values, ledger.current_tasks(), received, as_of,
                              plan=plan, agency=agency, area=area, used=used)
        waiting = [b for b in ledger.batches() if b.state == "pending" and (agency is None or b.agency == report.agency)]
    if not waiting:
        return report
    return report.replace(awaiting_review=len(waiting), awaiting_since=min(b.received for b in waiting))


def _city_values(catalog: Catalog, ledger: Ledger, received: Sequence[ReceivedReturn]) -> list[CurrentValue]:
    """The current values the city's figures are chosen from (:mod:`pingtai.series`), in filtered reads rather
    than all: the owners' city figures; every unit's city figures of the indicators whose owner's figures
    leave a period open (:func:`~pingtai.series.uncovered`); the county-level areas' figures of the
    indicators whose city figure may be their sum. The dashboard made of them is the one every current
    value makes (a property test says so); where many units report the same figures it is a fraction.

    ``received`` are the ledger's :meth:`~pingtai.ledger.Ledger.received_returns` (the dashboard reads them
    anyway): the periods they name are all any unit has figures for, so only the indicators whose owner's
    figures do not stand at every one of them need their periods counted (:func:`~pingtai.series.short_of`)
    — on a ledger of a million values, the count of every indicator's periods is a pass over all of them.
    """
    from pingtai.series import CITY, AreaRule, short_of, uncovered

    rule = AreaRule(catalog)
    owned = [(ident, CITY, indicator.owner) for ident, indicator in catalog.indicators.items() if indicator.owner]
    own = ledger.current_values(series=owned, detail=False)
    reported = {r.period for r in received}
    short = short_of(catalog, own, len(reported))
    open_ = uncovered(catalog, own, ledger.period_counts(short, areas=[CITY])) if short else set()
    others = ledger.current_values(open_, areas=[CITY], detail=False) if open_ else []
    additive = [ident for ident, indicator in catalog.indicators.items() if rule.additive(indicator)]
    parts = ledger.current_values(additive, areas=rule.county, detail=False) if additive else []
    if not open_ and not parts:
        return own  # every figure that can count is an owner's (a large uniform ledger: no copy of them)
    return [*(v for v in own if v.indicator not in open_), *others, *parts]


def show(catalog: Catalog, store: Store, name: str, as_of: dt.date, *, plan: str | None = None, by_area: bool = False,
         period: str | None = None) -> IndicatorDetail:
    """One indicator in depth (``pingtai show``), with ``by_area`` its figures across its areas at ``period``
    (any spelling; default the latest an area reported); raises for an unknown name, an indicator not
    reported by area, an unreadable period or ``period`` without ``by_area`` before reading values."""
    from pingtai.assess import build_detail, plans_with
    from pingtai.errors import UsageError
    from pingtai.history import resolve_indicator
    from pingtai.periods import Period, PeriodError

    indicator = resolve_indicator(catalog, name)
    plans_with(catalog, indicator.id, plan)
    if period is not None and not by_area:
        raise UsageError("--period 只与 --by-area 一起使用", hint="例如：pingtai show 网络零售额 --by-area --period 2024Q3")
    if by_area and not indicator.areas:
        raise UsageError(f"{indicator.name} 不按地区填报，没有分地区数值",
                         hint="按地区填报的指标见 pingtai areas（或计划 YAML 中的 by_area）。")
    try:
        point = Period.parse(period).as_point() if period is not None else None
    except PeriodError as exc:
        raise UsageError(f"--period：{exc}", hint="例如 2024Q3、2024年1-9月、2024。") from None
    with store.read() as ledger:
        # only this indicator's values: the filter goes into the query (a large ledger: seconds → ms)
        return build_detail(catalog, ledger.current_values([indicator.id]), name, as_of, plan=plan, by_area=by_area,
                            period=point)


def snapshot(store: Store) -> LedgerSnapshot:
    """What agency reports and the league read, read once (``report --all`` builds many from it)."""
    from pingtai.reports import LedgerSnapshot

    with store.read() as ledger:
        return LedgerSnapshot(ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                              ledger.batches(), ledger.rejected_returns())


def report(catalog: Catalog, store: Store, agency: str, as_of: dt.date, *, plan: str | None = None) -> AgencyReport:
    """One agency's report (``pingtai report --agency``)."""
    from pingtai.reports import build_agency_report, report_unit

    report_unit(catalog, agency)
    _names(catalog, plan=plan)
    return build_agency_report(catalog, snapshot(store), agency, as_of, plan)


def league(catalog: Catalog, store: Store, as_of: dt.date, *, plan: str | None = None, by: str = "score") -> League:
    """The league table (``pingtai league``)."""
    from pingtai.reports import build_league, league_by

    league_by(by)
    _names(catalog, plan=plan)
    return build_league(catalog, snapshot(store), as_of, plan, by)


def bulletin(catalog: Catalog, store: Store, period: Period, *, as_of: dt.date | None = None, plan: str | None = None,
             doc_number: str = "", issuer: str | None = None) -> Bulletin:
    """The quarterly 通报 (``pingtai bulletin``) for ``period`` on ``as_of`` (default: the first day
    its returns count as missing): :func:`pingtai.bulletin.build_bulletin` on what reports read, with the
    area figures of every indicator the bulletin's plans have reported by area, at ``period``
    (:func:`pingtai.by_area.area_tables_at`, the tables ``show --by-area`` prints).

    The plan, the period and the date are checked against the catalog before the ledger is read.
    """
    from pingtai.bulletin import build_bulletin, bulletin_scope
    from pingtai.by_area import area_tables_at

    scope = bulletin_scope(catalog, period, as_of=as_of, plan=plan)
    data = snapshot(store)
    # 各区、县（市）情况: the figures `show INDICATOR --by-area --period P` shows, for every indicator reported by area
    tables = area_tables_at(catalog, scope.plans, data.values, scope.as_of, scope.period)
    return build_bulletin(catalog, data, period, as_of=as_of, plan=plan, doc_number=doc_number, issuer=issuer,
                          areas={table.id: table.rows for table in tables})


def check(catalog: Catalog, store: Store, as_of: dt.date, *, now: dt.datetime, plan: str | None = None,
          fail_on: FailOn = "off_track", remind_days: int | None = None, new_only: bool = False,
          resubmit_days: int = 5) -> CheckReport:
    """The scheduled check (``pingtai check``); with ``new_only`` the run is recorded (at ``now``) and
    only what is new or changed since the previous run of the same plan selection is kept. A return sent
    back is due again ``resubmit_days`` working days after its rejection (:func:`pingtai.review.resubmit_by`).

    A plain check opens the ledger read-only and writes nothing; ``new_only`` reads the previous run
    and records this one in one transaction (see :meth:`~pingtai.ledger.Ledger.record_check_run`).
    """
    from pingtai.checks import build_check, count_new, only_new
    from pingtai.ledger import SeenFinding

    _names(catalog, plan=plan)
    store.require()
    with store.write(create=False) if new_only else store.read() as ledger:
        accepted = {(b.id, cell.where) for b in ledger.batches() for cell in b.accepted}
        full = build_check(catalog, ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                           as_of, plan=plan, remind_days=remind_days, fail_on=fail_on, accepted=accepted,
                           rejected=ledger.rejected_returns(), resubmit_days=resubmit_days)
        if not new_only:
            return full
        seen = [SeenFinding(f.key, f.fingerprint, f.kind, f.severity) for f in full.findings]
        run, previous = ledger.record_check_run(scope=full.plan or "*", as_of=as_of, started_at=now, findings=seen,
                                                reported=count_new(full.findings))
    return only_new(full, previous, run.id)


def history(catalog: Catalog, store: Store, name: str, *, plan: str | None = None) -> IndicatorHistory:
    """Every value ever recorded for an indicator (``pingtai history``)."""
    from pingtai.history import indicator_history, resolve_indicator

    resolve_indicator(catalog, name, plan)
    with store.read() as ledger:
        return indicator_history(catalog, ledger, name, plan)


def batches(store: Store) -> list[Batch]:
    """Every import, oldest first (``pingtai batches``)."""
    with store.read() as ledger:
        return ledger.batches()


def decide(store: Store, batch_ids: Sequence[int], decision: DecisionKind, *, by: str | None, at: dt.datetime,
           note: str = "") -> DecisionResult:
    """``pingtai accept`` / ``reject``: record ``decision`` on each batch (``note``: an acceptance's note,
    a rejection's reason) by ``by`` (``None``: :func:`pingtai.review.decided_by`) at ``at``; see
    :meth:`~pingtai.ledger.Ledger.record_decision`. Raises for a ledger that does not exist or cannot be
    written (a reader role) and for ids that are no batch (nothing written)."""
    from pingtai.review import DecisionResult, decided_by

    store.require()
    with store.write(create=False) as ledger:
        recorded, unchanged = ledger.record_decision(batch_ids, decision, by=decided_by(ledger, by), at=at,
                                                     note=note)
        named = list(dict.fromkeys(batch_ids))
        batches = {b.id: b for b in ledger.batches() if b.id in named}
    return DecisionResult(decision, recorded, unchanged, [batches[i] for i in named])


def settings(store: Store, change: tuple[str, str] | None = None, *, by: str | None = None,
             at: dt.datetime | None = None) -> Settings:
    """``pingtai ledger set [NAME VALUE]``: the ledger's settings, after setting ``change`` (by ``by`` —
    ``None``: :func:`pingtai.review.decided_by` — at ``at``) when given. Raises for an unknown setting or
    value, and for a ledger that cannot be written (a reader role)."""
    from pingtai.ledger import SETTINGS
    from pingtai.review import Settings, decided_by

    store.require()
    changed = None
    if change is not None:
        assert at is not None
        with store.write(create=False) as ledger:
            changed = ledger.set_setting(*change, by=decided_by(ledger, by), at=at)
    with store.read() as ledger:
        return Settings({name: ledger.setting(name) for name in SETTINGS}, ledger.settings(), changed)


def review(catalog: Catalog, store: Store) -> list[PendingReturn]:
    """``pingtai review``: the returns awaiting a decision, each with what it would replace."""
    from pingtai.review import pending_returns

    with store.read() as ledger:
        return pending_returns(catalog, ledger)


def import_returns(catalog: Catalog, store: Store, files: Sequence[Path], *, now: dt.datetime,
                   agency: str | None = None, period: str | None = None, receipt: Receipt | None = None,
                   dry_run: bool = False, on_progress: ProgressCallback | None = None,
                   ahead: FilesAhead | None = None) -> ImportResult:
    """Read and record returns (``pingtai import``): see :func:`pingtai.importer.import_files`."""
    from pingtai.importer import import_files

    return import_files(files, catalog, store, now=now, agency=agency, period=period, receipt=receipt,
                        dry_run=dry_run, on_progress=on_progress, ahead=ahead)


class LedgerInit(Record):
    """What ``ledger init`` did: the ledger (as shown), its schema version, the SQL for the writer and reader
    roles (``None`` for a file, which has none) and whether it was run (``--roles``)."""

    ledger: str
    schema_version: int
    roles_sql: str | None
    roles_applied: bool


def init(store: Store, *, roles: bool = False) -> LedgerInit:
    """``pingtai ledger init``: create the ledger's schema (or migrate an older one); with ``roles`` also
    create the writer and reader roles (PostgreSQL; :class:`~pingtai.errors.UsageError` for a file)."""
    with Ledger.open(store.path, create=True) as ledger:
        sql = ledger.apply_roles() if roles else ledger.roles_sql()
        return LedgerInit(store.describe(), ledger.schema_version, sql, roles)


def verify(store: Store, *, expect: str | None = None, deep: Catalog | None = None) -> Verification:
    """``pingtai ledger verify``: the ledger checked against its archive; ``expect`` a chain head kept
    from an earlier run, ``deep`` the catalog to re-read every archived file with (``--deep``)."""
    from pingtai.maintenance import verify_database, verify_ledger

    store.require()
    if isinstance(store.path, str):
        return verify_database(store.path, expect=expect, deep=deep)
    return verify_ledger(store.path, expect=expect, deep=deep)


def rebuild(catalog: Catalog, store: Store, *, archive: Path | None = None, source: str | None = None) -> Rebuild:
    """``pingtai ledger rebuild``: the ledger recreated from an archive — ``archive`` (a folder; default the one
    beside a file ledger) or that of the ledger ``source`` (``--from``: a database, or a file) — into the
    ledger ``store`` names (a new file, or an empty database)."""
    import tempfile

    from pingtai.errors import UsageError
    from pingtai.maintenance import export_archive, rebuild_database, rebuild_ledger

    if archive is not None and source is not None:
        raise UsageError("--archive 与 --from 只能选一个", hint="例如：pingtai --db 新台账 ledger rebuild --from postgresql://…/pingtai")
    if source is None:
        if isinstance(store.path, str):
            if archive is None:
                raise UsageError("重建到数据库需要指定来源：--archive 归档目录，或 --from 台账",
                                 hint="例如：pingtai --db postgresql://…/new ledger rebuild --from postgresql://…/pingtai")
            return rebuild_database(catalog, store.path, source=archive)
        return rebuild_ledger(catalog, store.path, source=archive)
    origin = Store.at(source)
    origin.require()
    with tempfile.TemporaryDirectory(prefix="pingtai-archive-") as folder:
        export_archive(origin.path, Path(folder))
        if isinstance(store.path, str):
            return rebuild_database(catalog, store.path, source=Path(folder))
        return rebuild_ledger(catalog, store.path, source=Path(folder))


def backup(store: Store, target: Path) -> Backup:
    """``pingtai ledger backup``: an online copy of the ledger — of a database, a portable SQLite ledger with
    its archive beside it."""
    from pingtai.maintenance import backup_database, backup_ledger

    store.require()
    if isinstance(store.path, str):
        return backup_database(store.path, target)
    return backup_ledger(store.path, target)


def migrate(store: Store, target: str) -> Migration:
    """``pingtai ledger migrate --to``: the ledger copied exactly into the empty database ``target``."""
    from pingtai.errors import UsageError
    from pingtai.ledger import is_database
    from pingtai.maintenance import migrate_ledger

    if not is_database(target):
        raise UsageError(f"--to 应为 PostgreSQL 数据库地址：{target}", hint="例如：--to postgresql://owner@db.example/pingtai")
    store.require()
    return migrate_ledger(store.path, target)


__all__ = ["LedgerInit", "Store", "backup", "batches", "bulletin", "check", "decide", "history", "import_returns", "init",
           "league", "migrate", "rebuild", "report", "review", "settings", "show", "snapshot", "status", "verify"]
