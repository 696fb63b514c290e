"""The ledger: schema and migrations, append-only batches, current values, archive, refusals (the tests
that take ``ledger_url`` run on both backends: an SQLite file and a PostgreSQL database)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import tracemalloc
from pathlib import Path

import pytest

from ledger_helpers import NOW, catalog, downgrade, fingerprint, task, value, write_file
from pingtai import archive
from pingtai.errors import LedgerError
from pingtai.ledger import (
    SCHEMA_VERSION,
    Ledger,
    NewBatch,
    archive_name,
    default_db_path,
    resolve_db_path,
    sha256_of,
)
from pingtai.ledger.model import ROWS_CHUNK, rows_digest, stored_rows
from pingtai.ledger.sqlite import SqliteLedger
from pingtai.maintenance import verify_database, verify_ledger
from pingtai.periods import Period
from pingtai.records import TaskRecord, ValueRecord


def add(ledger: Ledger, source: Path, values: list[ValueRecord], tasks: list[TaskRecord] | None = None, *, agency: str | None = "市商务局",
        period: str | None = "2024", when: dt.datetime = NOW) -> int:
    with ledger.transaction():
        batch = ledger.add_batch(
            NewBatch(file=source.name, sha256=sha256_of(source), agency=agency,
                     period=Period.parse(period) if period else None, layout="template", imported_at=when,
                     imported=len(values)),
            source, values, tasks or [])
    return batch.id


def test_a_new_ledger_has_the_schema_wal_and_foreign_keys(db: Path) -> None:
    with Ledger.open(db) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION
        assert ledger.counts() == {"batch": 0, "value": 0, "task_progress": 0}
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"batch", "value", "task_progress", "check_run", "check_finding", "received", "decision", "setting"}
    raw.close()


def test_a_batch_records_values_tasks_and_the_archived_file(db: Path, tmp_path: Path) -> None:
    source = write_file(tmp_path / "in" / "商务局.xlsx", "first return")
    with Ledger.open(db) as ledger:
        batch_id = add(ledger, source, [value("online_retail_sales", "2024", 1150.5, raw="1,150.5")],
                       [task("plan_2023_38", 1, "2024")])
        [batch] = ledger.batches()
        assert (batch.id, batch.file, batch.agency, batch.period, batch.layout) == (
            batch_id, "商务局.xlsx", "市商务局", Period(2024), "template")
        assert batch.imported_at == NOW and batch.imported == 1
        assert batch.archive == archive_name(sha256_of(source), ".xlsx")
        archived = db.parent / batch.archive
        assert archived.read_bytes() == b"first return"
        assert archived.parent.name == batch.sha256[:2]
        [stored] = ledger.current_values()
        assert (stored.indicator, stored.period, stored.agency, stored.value, stored.unit) == (
            "online_retail_sales", Period(2024), "市商务局", 1150.5, "亿元")
        assert (stored.batch, stored.imported_at, stored.raw, stored.area) == (batch_id, NOW, "1,150.5", "")
        [recorded] = ledger.history("online_retail_sales")
        assert (recorded.batch, recorded.file, recorded.raw, recorded.superseded) == (
            batch_id, "商务局.xlsx", "1,150.5", False)
        [line] = ledger.current_tasks()
        assert (line.plan, line.task, line.status, line.progress, line.batch) == (
            "plan_2023_38", 1, "in_progress", "有序推进", batch_id)
        assert ledger.batch_by_sha256(sha256_of(source)) == batch


def test_the_newest_batch_is_current_and_history_keeps_superseded_values(ledger_url: str, tmp_path: Path) -> None:
    first = write_file(tmp_path / "a.xlsx", "a")
    second = write_file(tmp_path / "b.xlsx", "b")
    with Ledger.open(ledger_url) as ledger:
        one = add(ledger, first, [value("online_retail_sales", "2024", 1100), value("platforms", "2024", 120)])
        two = add(ledger, second, [value("online_retail_sales", "2024", 1150)])
        current = {(v.indicator, v.value, v.batch) for v in ledger.current_values()}
        assert current == {("online_retail_sales", 1150, two), ("platforms", 120, one)}
        assert [v.indicator for v in ledger.current_values(["platforms"])] == ["platforms"]
        assert ledger.current_values([]) == []
        history = ledger.history("online_retail_sales")
        assert [(v.value, v.batch, v.superseded) for v in history] == [(1100, one, True), (1150, two, False)]
        assert [(v.value, v.superseded) for v in ledger.batch_values(one)] == [(1100, True), (120, False)]


def test_current_values_can_be_narrowed_by_agency_and_period(ledger_url: str, tmp_path: Path) -> None:
    with Ledger.open(ledger_url) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [
            value("online_retail_sales", "2024", 1150), value("online_retail_sales", "2024H1", 530),
            value("online_retail_sales", "2024", 300, agency="柯桥区政府"), value("platforms", "2024", 120)])
        # in the order of the key, periods as spelled
        assert [(v.indicator, str(v.period)) for v in ledger.current_values(agencies=["市商务局"])] == [
            ("online_retail_sales", "2024"), ("online_retail_sales", "2024H1"), ("platforms", "2024")]
        # Periods are compared as points: the fourth quarter is the year.
        narrowed = ledger.current_values(["online_retail_sales"], periods=[Period(2024, "Q", 4)])
        assert sorted((v.agency, v.value) for v in narrowed) == [("市商务局", 1150), ("柯桥区政府", 300)]
        assert ledger.current_values(agencies=[]) == []


def test_history_orders_by_period_then_batch(ledger_url: str, tmp_path: Path) -> None:
    with Ledger.open(ledger_url) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("online_retail_sales", "2024", 1150)])
        add(ledger, write_file(tmp_path / "b", "b"), [value("online_retail_sales", "2024H1", 560)], period="2024H1")
        add(ledger, write_file(tmp_path / "c", "c"), [value("online_retail_sales", "2023", 1010)], period="2023")
        assert [str(v.period) for v in ledger.history("online_retail_sales")] == ["2023", "2024H1", "2024"]


def test_received_returns_include_rows_of_long_tables(ledger_url: str, tmp_path: Path) -> None:
    with Ledger.open(ledger_url) as ledger:
        one = add(ledger, write_file(tmp_path / "a", "a"), [], agency="市经信局", period="2024H1")
        two = add(ledger, write_file(tmp_path / "long", "long"), [
            value("online_retail_sales", "2023", 1010, agency="柯桥区政府"),
            value("online_retail_sales", "2024H1", 300, agency="柯桥区政府"),
            value("platforms", "2024H1", 3, agency="市经信局"),
        ], agency=None, period=None)
        received = [(r.agency, str(r.period), r.batch) for r in ledger.received_returns()]
        assert received == [("市经信局", "2024H1", one), ("柯桥区政府", "2023", two), ("柯桥区政府", "2024H1", two)]


def test_each_received_return_carries_its_own_batchs_times(ledger_url: str, tmp_path: Path) -> None:
    """A batch's times are parsed once for all its returns: each return still has its own batch's."""
    first, second = dt.datetime(2025, 1, 10, 2, 0, tzinfo=dt.UTC), dt.datetime(2025, 1, 20, 17, 0, tzinfo=dt.UTC)
    with Ledger.open(ledger_url) as ledger:
        one = add(ledger, write_file(tmp_path / "a", "a"), [
            value("platforms", "2024", 3, agency="市经信局"), value("online_retail_sales", "2024", 1200, agency="柯桥区政府"),
        ], agency=None, period=None, when=first)
        two = add(ledger, write_file(tmp_path / "b", "b"), [
            value("platforms", "2024H1", 2, agency="市经信局"), value("online_retail_sales", "2024H1", 600, agency="柯桥区政府"),
        ], agency=None, period=None, when=second)
        received = [(r.agency, str(r.period), r.batch, r.received_at, r.received) for r in ledger.received_returns()]
    beijing_21st = dt.date(2025, 1, 21)  # 17:00 UTC on the 20th is 01:00 on the 21st in Shaoxing
    assert received == [("市经信局", "2024H1", two, second, beijing_21st), ("市经信局", "2024", one, first, dt.date(2025, 1, 10)),
                        ("柯桥区政府", "2024H1", two, second, beijing_21st), ("柯桥区政府", "2024", one, first, dt.date(2025, 1, 10))]


def test_the_ledger_is_append_only(db: Path, tmp_path: Path) -> None:
    with Ledger.open(db) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 120)])
    raw = sqlite3.connect(db)
    for statement in ("UPDATE value SET value = 1", "DELETE FROM value", "UPDATE batch SET file = 'x'",
                      "DELETE FROM batch"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    raw.close()


def test_a_failed_batch_rolls_back_and_takes_its_archive_copy_back(db: Path, tmp_path: Path) -> None:
    source = write_file(tmp_path / "dup.xlsx", "dup")
    archived = db.parent / archive_name(sha256_of(source), ".xlsx")
    with Ledger.open(db) as ledger:
        # The same key twice in one batch violates the unique index after the file was archived.
        with pytest.raises(LedgerError, match="出现两次"):
            add(ledger, source, [value("platforms", "2024", 1), value("platforms", "2024", 2)])
        assert ledger.counts() == {"batch": 0, "value": 0, "task_progress": 0}
        assert not archived.exists() and not archived.parent.exists()  # no orphan (#13)
        assert [p.name for p in (db.parent / "archive").rglob("*") if p.is_file()] == []
        # An orphan that was there before (a killed import's) is not this transaction's to remove.
        assert archive.store(db.parent, source, sha256_of(source), archive_name(sha256_of(source), ".xlsx"))
        with pytest.raises(LedgerError, match="出现两次"):
            add(ledger, source, [value("platforms", "2024", 1), value("platforms", "2024", 2)])
        assert archived.read_bytes() == b"dup"
        # Retrying the (corrected) file reuses the orphan instead of failing.
        add(ledger, source, [value("platforms", "2024", 1)])
        assert ledger.counts()["batch"] == 1


def test_a_file_changed_after_reading_is_not_archived(db: Path, tmp_path: Path) -> None:
    source = write_file(tmp_path / "moving.xlsx", "before")
    with Ledger.open(db) as ledger, pytest.raises(LedgerError, match="被改动"), ledger.transaction():
        batch = NewBatch(file="moving.xlsx", sha256=sha256_of(source), agency=None, period=None, layout="table",
                         imported_at=NOW)
        source.write_bytes(b"after")
        ledger.add_batch(batch, source, [], [])
    with Ledger.open(db) as ledger:
        assert ledger.counts()["batch"] == 0
    assert not list((db.parent / "archive").rglob("*.xlsx"))


def test_a_missing_ledger_reads_as_empty_and_is_not_created(db: Path) -> None:
    for kwargs in ({"create": False}, {"readonly": True}):
        with Ledger.open(db, **kwargs) as ledger:
            assert ledger.batches() == [] and ledger.current_values() == [] and ledger.received_returns() == []
            assert ledger.history("platforms") == [] and ledger.current_tasks() == []
            with pytest.raises(LedgerError, match="只读"), ledger.transaction():
                pass
    assert not db.parent.exists()


def test_an_older_ledger_is_migrated_and_keeps_its_rows(db: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import pingtai.ledger.schema as module

    with Ledger.open(db) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 120)])
    note = ("CREATE TABLE note (batch_id INTEGER REFERENCES batch(id), text TEXT)",)
    later = (*module.MIGRATIONS, module.Migration(note, note))
    monkeypatch.setattr(module, "MIGRATIONS", later)
    monkeypatch.setattr(module, "SCHEMA_VERSION", len(later))
    # a reading command after an update of pingtai: upgraded aside (the file can be written), then read
    with Ledger.open(db, readonly=True) as ledger:
        assert ledger.schema_version == len(later)
        assert [v.value for v in ledger.current_values()] == [120]
        with pytest.raises(LedgerError, match="只读"), ledger.transaction():
            pass
    with Ledger.open(db, create=False) as ledger:
        assert ledger.schema_version == len(later)
        assert [v.value for v in ledger.current_values()] == [120]
    raw = sqlite3.connect(db)
    assert raw.execute("SELECT COUNT(*) FROM note").fetchone() == (0,)
    raw.close()


def test_an_empty_file_reads_as_an_empty_ledger_and_is_left_alone(db: Path) -> None:
    write_file(db, b"")
    with Ledger.open(db, create=False) as ledger:
        assert ledger.batches() == []
    assert db.read_bytes() == b""


def test_a_newer_schema_is_refused_untouched(db: Path) -> None:
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE future (x)")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = fingerprint(db)
    for kwargs in ({}, {"readonly": True}, {"create": False}):
        with pytest.raises(LedgerError, match="更新版本的 pingtai") as caught:
            Ledger.open(db, **kwargs)
        assert caught.value.exit_code == 2
    assert fingerprint(db) == before


@pytest.mark.parametrize("content", [b"PK\x03\x04 not a database at all" * 20, "台账".encode() * 100])
def test_a_file_that_is_not_sqlite_is_refused_untouched(db: Path, content: bytes) -> None:
    write_file(db, content)
    with pytest.raises(LedgerError, match="不是 pingtai 台账"):
        Ledger.open(db)
    assert db.read_bytes() == content


def test_another_sqlite_database_is_not_taken_over(db: Path) -> None:
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE customers (name)")
    raw.commit()
    raw.close()
    before = fingerprint(db)
    with pytest.raises(LedgerError, match="另一个 SQLite 数据库"):
        Ledger.open(db)
    assert fingerprint(db) == before


def test_a_directory_is_not_a_ledger(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="是目录"):
        Ledger.open(tmp_path)


def test_writing_a_read_only_ledger_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    with Ledger.open(db) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 120)])
    with Ledger.open(db, readonly=True) as ledger:
        assert len(ledger.current_values()) == 1
        with pytest.raises(LedgerError, match="只读"), ledger.transaction():
            pass
    # SQLite's own refusal (what a read-only file or mount produces) gets the same message.
    connection = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                 check_same_thread=False)
    ledger = SqliteLedger(connection, db, readonly=False)
    with pytest.raises(LedgerError, match="只读"):
        add(ledger, write_file(tmp_path / "b", "b"), [value("platforms", "2025", 130)])
    ledger.close()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="file permissions do not bind root")
def test_a_ledger_file_without_write_permission_is_a_clear_error(db: Path, tmp_path: Path) -> None:
    with Ledger.open(db) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 120)])
    db.chmod(0o444)
    db.parent.chmod(0o555)
    try:
        with pytest.raises(LedgerError, match="只读"), Ledger.open(db) as ledger:
            add(ledger, write_file(tmp_path / "b", "b"), [value("platforms", "2025", 130)])
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)


def test_concurrent_writers_wait_for_each_other(db: Path, tmp_path: Path) -> None:
    with Ledger.open(db):
        pass
    sources = [write_file(tmp_path / f"{i}.xlsx", f"return {i}") for i in range(6)]
    failures: list[BaseException] = []

    def work(i: int) -> None:
        try:
            with Ledger.open(db) as ledger:
                add(ledger, sources[i], [value("platforms", "2024", 100 + i, agency="市商务局")])
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # hold the write lock while the writers start
    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    blocker.execute("COMMIT")
    blocker.close()
    for thread in threads:
        thread.join()
    assert failures == []
    with Ledger.open(db) as ledger:
        assert ledger.counts()["batch"] == 6
        assert len(ledger.history("platforms")) == 6
        assert sum(not v.superseded for v in ledger.history("platforms")) == 1


def test_default_path_follows_xdg_then_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "pingtai" / "ledger.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "pingtai" / "ledger.sqlite3"
    monkeypatch.delenv("HOME")
    with pytest.raises(LedgerError, match="PINGTAI_DB"):
        default_db_path()


def test_resolve_db_path_prefers_the_flag_then_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PINGTAI_DB", str(tmp_path / "env.sqlite3"))
    assert resolve_db_path(tmp_path / "flag.sqlite3") == tmp_path / "flag.sqlite3"
    assert resolve_db_path(None) == tmp_path / "env.sqlite3"
    monkeypatch.delenv("PINGTAI_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert resolve_db_path(None) == tmp_path / "xdg" / "pingtai" / "ledger.sqlite3"


def test_rows_staged_but_never_added_roll_back(ledger_url: str, tmp_path: Path) -> None:
    with Ledger.open(ledger_url) as ledger:
        with pytest.raises(RuntimeError, match="rolled back"), ledger.transaction():
            ledger.stage([value("platforms", "2024", 1)], [])
        assert ledger.counts() == {"batch": 0, "value": 0, "task_progress": 0}
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 2)])  # the connection works on
        assert [v.value for v in ledger.current_values()] == [2]


def test_a_failed_copy_rolls_back_the_whole_batch(ledger_url: str, tmp_path: Path) -> None:
    with Ledger.open(ledger_url) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 1)])
        source = write_file(tmp_path / "b", "b")
        with pytest.raises(LedgerError, match="出现两次"), ledger.transaction():
            staged = ledger.stage([value("platforms", "2025", 3), value("platforms", "2025", 4)], [task("plan_2023_38", 1)])
            ledger.add_batch(NewBatch(file="b", sha256=sha256_of(source), agency=None, period=None, layout="long",
                                      imported_at=NOW), source, staged=staged)
        assert ledger.counts() == {"batch": 1, "value": 1, "task_progress": 0}


def _many_values(count: int) -> list[ValueRecord]:
    return [value(f"指标{i:06d}", "2024", i + 0.5, unit="个") for i in range(count)]


def _verified(ledger_url: str) -> list[str]:
    if ledger_url.endswith(".sqlite3"):
        return [p.message for p in verify_ledger(Path(ledger_url)).problems]
    return [p.message for p in verify_database(ledger_url).problems]


def test_a_batch_of_several_chunks_keeps_its_order_and_the_digest_of_its_rows(ledger_url: str, tmp_path: Path) -> None:
    values, tasks = _many_values(2 * ROWS_CHUNK + 3), [task("plan_2023_38", 1)]  # the last chunk a short one
    with Ledger.open(ledger_url) as ledger:
        batch_id = add(ledger, write_file(tmp_path / "a", "a"), values, tasks)
        stored = ledger.batch_rows(batch_id)
        assert ([tuple(row) for row in stored[0]], [tuple(row) for row in stored[1]]) == stored_rows(values, tasks)
        assert ledger.batch_rows_digest(batch_id) == (len(values), 1, rows_digest(*stored_rows(values, tasks)))
    assert _verified(ledger_url) == []  # the manifest entry's digest, taken while staging, is the rows'


def test_growth_and_last_year_are_kept_in_the_chunks_that_have_them(ledger_url: str, tmp_path: Path) -> None:
    # SQLite stages a chunk without either measure without binding them: the others must keep theirs
    values = _many_values(3 * ROWS_CHUNK)
    values[ROWS_CHUNK + 1] = values[ROWS_CHUNK + 1]._replace(growth=-3.5)
    values[2 * ROWS_CHUNK + 2] = values[2 * ROWS_CHUNK + 2]._replace(last_year=0.0)
    with Ledger.open(ledger_url) as ledger:
        batch_id = add(ledger, write_file(tmp_path / "a", "a"), values)
        stored = [tuple(row) for row in ledger.batch_rows(batch_id)[0]]
    assert stored == stored_rows(values, [])[0]
    assert [(row[10], row[11]) for row in stored if row[10] is not None or row[11] is not None] == [(-3.5, None), (None, 0.0)]
    assert _verified(ledger_url) == []


def test_a_duplicate_in_a_later_chunk_takes_back_the_whole_batch(ledger_url: str, tmp_path: Path) -> None:
    values = _many_values(ROWS_CHUNK + 5)
    values.append(value(values[1].indicator, "2024", 7, unit="个"))
    with Ledger.open(ledger_url) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 1)])
        with pytest.raises(LedgerError, match="出现两次"):
            add(ledger, write_file(tmp_path / "b", "b"), values)
        assert ledger.counts() == {"batch": 1, "value": 1, "task_progress": 0}
    assert _verified(ledger_url) == []


def test_staging_holds_a_chunk_of_rows_at_a_time_however_large_the_batch(ledger_url: str, tmp_path: Path) -> None:
    values = _many_values(10 * ROWS_CHUNK)
    batches = [values[:2 * ROWS_CHUNK], values]
    peaks = []
    with Ledger.open(ledger_url) as ledger:
        # the same records once first: what binding leaves on them (texts cached) stays out of the count
        add(ledger, write_file(tmp_path / "first", "first"), values)
        for number, batch in enumerate(batches):
            tracemalloc.start()
            try:
                add(ledger, write_file(tmp_path / f"{number}", f"{number}"), batch)
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks  # five times the rows: not five times the memory


def test_received_returns_are_summarised_as_batches_come_and_by_the_migration(db: Path, tmp_path: Path) -> None:
    import pingtai.ledger.schema as module

    def received(ledger: Ledger) -> list[tuple[str, str, int]]:
        return [(r.agency, str(r.period), r.batch) for r in ledger.received_returns()]

    batches = [  # (file, batch agency/period, values, tasks)
        ("a", "市商务局", "2024", [value("platforms", "2024", 1)], []),
        ("b", None, None, [value("platforms", "2024H1", 2, agency="市经信局"), value("platforms", "2024", 3)],
         [task("plan_2023_38", 1, "2024Q3", agency="市市场监管局")]),
        ("c", "市经信局", "2024H1", [value("platforms", "2025", 4, agency="市经信局")], []),
    ]
    expected = [("市商务局", "2024", 1), ("市市场监管局", "2024Q3", 2), ("市经信局", "2024H1", 2), ("市经信局", "2025", 3)]
    # kept as batches are added
    with Ledger.open(db) as ledger:
        for name, agency, period, values, tasks in batches:
            add(ledger, write_file(tmp_path / name, name), values, tasks, agency=agency, period=period)
        assert sorted(received(ledger)) == expected
        assert ledger.integrity_problems() == []
    # built by the migration from a ledger of the schema before it (this one, taken back to version 2)
    old = tmp_path / "old" / "ledger.sqlite3"
    old.parent.mkdir()
    raw = sqlite3.connect(old)
    sqlite3.connect(db).backup(raw)
    raw.close()
    downgrade(old, 2)
    assert len(module.MIGRATIONS) == 6
    with Ledger.open(old) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION
        assert sorted(received(ledger)) == expected
        assert ledger.integrity_problems() == []
    # a summary changed behind pingtai's back is found by verify
    raw = sqlite3.connect(old)
    raw.execute("DROP TRIGGER received_append_only_delete")
    raw.execute("DELETE FROM received WHERE agency = '市经信局'")
    raw.commit()
    raw.close()
    with Ledger.open(old) as ledger:
        problems = ledger.integrity_problems()
    assert any("received" in p and "2 处" in p for p in problems), problems
    assert any("received_append_only_delete" in p for p in problems)


def test_a_version_3_ledger_keeps_its_meaning(db: Path, tmp_path: Path) -> None:
    """Migration 4 adds receipt days without changing what an older ledger said: a batch recorded
    before it was received on its import day in Beijing time, from the import, not a back-fill."""
    from pingtai import service
    from pingtai.reports import build_agency_report

    # imported at 00:30 on 21 January in Shaoxing: one day after the 2024 return was due
    late = dt.datetime(2025, 1, 20, 16, 30, tzinfo=dt.UTC)
    with Ledger.open(db) as ledger:
        add(ledger, write_file(tmp_path / "a", "a"), [value("platforms", "2024", 118)], when=late)
    downgrade(db, 3)
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 3
    with Ledger.open(db) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION == 6
        [batch] = ledger.batches()
        assert (batch.received, batch.received_source, batch.backfill, batch.accepted, batch.accept_reason) == (
            dt.date(2025, 1, 21), "import", False, (), "")
        [got] = ledger.received_returns()
        assert (got.received, got.source, got.backfill) == (dt.date(2025, 1, 21), "import", False)
        assert ledger.integrity_problems() == []
    report = build_agency_report(catalog(), service.snapshot(service.Store(db)), "市商务局", dt.date(2025, 3, 1))
    entry = next(e for e in report.returns if str(e.period) == "2024")
    assert (entry.state, entry.days_late, entry.received_source) == ("late", 1, "import")


def test_a_version_4_ledger_is_migrated_and_every_value_it_holds_is_the_citys(db: Path, tmp_path: Path) -> None:
    """A ledger file as pingtai 4 wrote it — its schema made by the four migrations shipped then, a batch
    and its nine-column value rows — opened by this pingtai: migration 5 gives every value the city's
    area, no growth, last year's figure or note; the key then tells an area's figure from the city's."""
    from pingtai import service
    from pingtai.ledger import SQLITE_MIGRATIONS
    from pingtai.series import CITY

    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db, isolation_level=None)
    for statement in (s for migration in SQLITE_MIGRATIONS[:4] for s in migration):
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 4")
    raw.execute("""INSERT INTO batch (id, file, sha256, agency, period, layout, imported_at, archive, received,
                       received_source) VALUES (1, 'a.xlsx', ?, '市商务局', '2024', 'table', '2025-01-20T09:30:00Z',
                       'archive/ab/a.xlsx', '2025-01-10', 'return')""", ("ab" * 32,))
    for agency, number, cell in (("市商务局", 1150, "E4"), ("柯桥区政府", 300, "E5")):
        raw.execute("INSERT INTO value VALUES (1, 'online_retail_sales', '2024', '2024-12-31', ?, ?, '亿元', 0, ?, ?)",
                    (agency, number, f"a.xlsx!指标!{cell}", str(number)))
        raw.execute("INSERT INTO received VALUES (?, '2024', 1)", (agency,))
    raw.close()
    with Ledger.open(db) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION == 6
        assert [(v.agency, v.area, v.value, v.growth, v.last_year, v.note) for v in ledger.current_values()] == [
            ("市商务局", CITY, 1150, None, None, ""), ("柯桥区政府", CITY, 300, None, None, "")]
        assert ledger.integrity_problems() == []
        # 柯桥区's own figure for the same period and unit is a key of its own, not a correction of the old row
        add(ledger, write_file(tmp_path / "b", "b"), [value("online_retail_sales", "2024", 310, agency="柯桥区政府")
                                                      ._replace(area="柯桥区")], agency="柯桥区政府")
        assert sorted((v.agency, v.area, v.value) for v in ledger.current_values()) == [
            ("市商务局", CITY, 1150), ("柯桥区政府", CITY, 300), ("柯桥区政府", "柯桥区", 310)]
    # the dashboard reads the migrated values as the city's: the owner's 1150 counts
    report = service.status(catalog(), service.Store(db), dt.date(2025, 2, 1))
    row = next(r for r in report.indicators if r.id == "online_retail_sales")
    assert (row.actual, row.area) == (1150, None)
