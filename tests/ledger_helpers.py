"""Builders shared by the ledger, importer and returns-CLI tests: hand-made returns and file hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pingtai.catalog import Catalog
from pingtai.errors import Problem
from pingtai.ledger import CurrentValue, sha256_of
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.records import Conversion, ParsedReturn, TaskRecord, ValueRecord

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = dt.datetime(2025, 1, 20, 9, 30, tzinfo=dt.UTC)

_CATALOG: Catalog | None = None


def catalog() -> Catalog:
    """The bundled catalog, loaded once for the whole session (it is immutable)."""
    global _CATALOG
    if _CATALOG is None:
        _CATALOG = load_catalog(DATA)
    return _CATALOG


def value(indicator: str, period: str, number: float, *, agency: str = "市商务局", unit: str | None = None,
          where: str = "", raw: str | None = None, below_unit: bool = False) -> ValueRecord:
    """A value record in the indicator's own unit (unless ``unit`` says otherwise)."""
    return ValueRecord(indicator=indicator, period=Period.parse(period), agency=agency, value=number,
                       unit=unit or catalog().indicators[indicator].unit, where=where or f"f.xlsx!指标!{indicator}@{period}",
                       raw=raw if raw is not None else f"{number:g}", below_unit=below_unit)


def current(area: str, period: str, number: float, indicator: str = "online_retail_sales", *, agency: str = "市商务局",
            unit: str = "亿元", imported_at: dt.datetime | None = NOW, growth: float | None = None,
            last_year: float | None = None, note: str = "", raw: str | None = None) -> CurrentValue:
    """A current value as the ledger hands it over (``area`` ``''``: the city), for the rules and views."""
    return CurrentValue(indicator, area, Period.parse(period).as_point(), agency, number, unit, 1, imported_at, growth,
                        last_year, note, f"f.xlsx!S!{area}@{period}", raw if raw is not None else f"{number:g}", False)


def task(plan: str, number: int, period: str = "2024Q4", *, agency: str = "市商务局", status: Any = "in_progress",
         progress: str = "有序推进") -> TaskRecord:
    return TaskRecord(plan=plan, task=number, agency=agency, period=Period.parse(period), status=status,
                      progress=progress, issues="", next_steps="继续推进", where=f"f.xlsx!任务!D{number + 3}")


V4_COLUMNS = ("received", "received_source", "backfill", "accepted", "accept_reason")
"""The batch columns schema version 4 added."""
V5_COLUMNS = ("area", "growth", "last_year", "note")
"""The value columns schema version 5 added."""


def downgrade(path: Path, version: int) -> None:
    """Take the ledger at ``path`` back to schema ``version`` (2 to 5), as a pingtai of that version left it.

    For the migration tests: what the later migrations added is dropped (a back-fill of history the
    older pingtai never knew is lost with the columns, as it would never have been recorded; so are
    areas, growth and notes). Only for a ledger whose values are all the city's.
    """
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        # schema 6: review (decisions, settings, 审核人)
        raw.executescript("""DROP TRIGGER decision_append_only_update; DROP TRIGGER decision_append_only_delete;
                             DROP TRIGGER setting_append_only_update; DROP TRIGGER setting_append_only_delete;
                             DROP TABLE decision; DROP TABLE setting; ALTER TABLE batch DROP COLUMN reviewer;""")
        if version == 5:
            raw.execute("PRAGMA user_version = 5")
            return
        raw.execute("DROP INDEX value_key")
        for column in V5_COLUMNS:
            raw.execute(f"ALTER TABLE value DROP COLUMN {column}")
        raw.execute("CREATE UNIQUE INDEX value_key ON value (indicator, period, agency, batch_id)")
        if version == 4:
            raw.execute("PRAGMA user_version = 4")
            return
        for column in V4_COLUMNS:
            raw.execute(f"ALTER TABLE batch DROP COLUMN {column}")
        if version < 3:
            raw.executescript("""DROP TRIGGER received_append_only_update; DROP TRIGGER received_append_only_delete;
                                 DROP TABLE received;""")
        raw.execute(f"PRAGMA user_version = {version}")
    finally:
        raw.close()


def write_file(path: Path, content: str | bytes) -> Path:
    """A real file with distinct bytes (its sha256 identifies it as a return)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def parsed(path: Path, values: list[ValueRecord], *, tasks: list[TaskRecord] | None = None,
           agency: str | None = "市商务局", period: str | None = "2024Q4", problems: list[Problem] | None = None,
           conversions: list[Conversion] | None = None) -> ParsedReturn:
    """A :class:`ParsedReturn` as the reader would produce for ``path``."""
    return ParsedReturn(path=path, sha256=sha256_of(path), layout="template", agency=agency,
                        period=Period.parse(period) if period else None, values=values, tasks=tasks or [],
                        conversions=conversions or [], problems=problems or [], reporter="张三", phone="0575-88000000", reviewer="赵六",
                        filled_on=dt.date(2025, 1, 10), plan_version="plan_2023_38@2026-11-23")


def fake_reader(returns: dict[Path, ParsedReturn]) -> Callable[..., ParsedReturn]:
    """A stand-in for ``read_return`` that hands back prepared results by path."""

    def read(path: Path, catalog: Catalog, *, agency: str | None = None, period: Period | None = None,
             on_progress: Callable[[int, int], None] | None = None) -> ParsedReturn:
        if on_progress is not None:
            on_progress(1, 1)
        return returns[path]

    return read


def fingerprint(db: Path) -> dict[str, str | None]:
    """Hashes of the ledger, its WAL and every archived file: equal fingerprints = nothing written."""
    result: dict[str, str | None] = {}
    for suffix in ("", "-wal"):
        file = db.with_name(db.name + suffix)
        result[file.name] = hashlib.sha256(file.read_bytes()).hexdigest() if file.exists() else None
    archive = db.parent / "archive"
    if archive.exists():
        for file in sorted(archive.rglob("*")):
            if file.is_file():
                result[str(file.relative_to(db.parent))] = sha256_of(file)
    return result
