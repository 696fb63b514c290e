"""The ledger's record of check runs: migration from version 1, append-only, previous run per scope."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from ledger_helpers import value, write_file
from pingtai.errors import LedgerError
from pingtai.ledger import SCHEMA_VERSION, SQLITE_MIGRATIONS, Ledger, NewBatch, SeenFinding, sha256_of
from pingtai.periods import Period

NOW = dt.datetime(2025, 4, 21, 7, 0, tzinfo=dt.UTC)
A = SeenFinding("overdue_return:市商务局:2025Q1", "warning", "overdue_return", "warning")
B = SeenFinding("off_track:plan_2023_38:online_retail_sales", "error|2025Q1|250", "off_track", "error")


def test_first_run_has_no_previous_and_the_second_sees_the_first(db: Path) -> None:
    counted: list[dict[str, str] | None] = []

    def count(previous: dict[str, str] | None) -> int:
        counted.append(previous)
        return 2 if previous is None else 1

    with Ledger.open(db) as ledger:
        run1, before1 = ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 21), started_at=NOW,
                                                findings=[A, B], reported=count)
        run2, before2 = ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 22), started_at=NOW,
                                                findings=[B], reported=count)
        assert before1 is None and counted[0] is None
        assert before2 == {A.key: A.fingerprint, B.key: B.fingerprint} == counted[1]
        assert [(r.id, r.findings, r.reported) for r in ledger.check_runs()] == [(run1.id, 2, 2), (run2.id, 1, 1)]
        assert ledger.check_findings(run2.id) == [B]
        assert ledger.check_runs()[0].as_of == dt.date(2025, 4, 21) and ledger.check_runs()[0].started_at == NOW


def test_runs_are_compared_within_their_scope(db: Path) -> None:
    with Ledger.open(db) as ledger:
        ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 21), started_at=NOW, findings=[A],
                                reported=lambda _: 1)
        _, previous = ledger.record_check_run(scope="plan_2023_38", as_of=dt.date(2025, 4, 21), started_at=NOW,
                                              findings=[B], reported=lambda _: 1)
        assert previous is None
        _, previous = ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 21), started_at=NOW, findings=[],
                                              reported=lambda _: 0)
        assert previous == {A.key: A.fingerprint}
        assert [r.scope for r in ledger.check_runs("plan_2023_38")] == ["plan_2023_38"]


def test_the_run_record_is_append_only(db: Path) -> None:
    with Ledger.open(db) as ledger:
        ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 21), started_at=NOW, findings=[A],
                                reported=lambda _: 1)
    raw = sqlite3.connect(db)
    for statement in ("UPDATE check_run SET reported = 0", "DELETE FROM check_finding"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
    raw.close()


def test_a_duplicate_key_in_one_run_writes_nothing(db: Path) -> None:
    with Ledger.open(db) as ledger:
        with pytest.raises(LedgerError, match="重复"):
            ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 21), started_at=NOW, findings=[A, A],
                                    reported=lambda _: 2)
        assert ledger.check_runs() == []


def test_a_read_only_or_absent_ledger_cannot_record(db: Path) -> None:
    with Ledger.open(db, readonly=True) as ledger, pytest.raises(LedgerError, match="只读"):
        ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 21), started_at=NOW, findings=[A],
                                reported=lambda _: 1)
    assert not db.exists()


def test_a_version_1_ledger_is_migrated_and_keeps_its_batches(db: Path, tmp_path: Path) -> None:
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db, isolation_level=None)
    for statement in SQLITE_MIGRATIONS[0]:
        raw.execute(statement)
    raw.execute("PRAGMA user_version = 1")
    raw.close()
    # a read-only open of a writable file upgrades it aside (a read-only medium refuses: test_faults.py)
    with Ledger.open(db, readonly=True) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION and ledger.batches() == []
    source = write_file(tmp_path / "in" / "商务局.xlsx", "a return")
    with Ledger.open(db) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION == 6
        with ledger.transaction():
            ledger.add_batch(NewBatch(file="商务局.xlsx", sha256=sha256_of(source), agency="市商务局",
                                      period=Period(2024), layout="template", imported_at=NOW),
                             source, [value("online_retail_sales", "2024", 1150)], [])
        ledger.record_check_run(scope="*", as_of=dt.date(2025, 4, 21), started_at=NOW, findings=[A],
                                reported=lambda _: 1)
        assert len(ledger.batches()) == 1 and len(ledger.check_runs()) == 1
