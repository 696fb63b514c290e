"""Several pingtai processes at once — cron's import and check plus a person's import, status,
verify and backup — all succeed or wait their turn: nothing lost, no "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pingtai.cli import app
from pingtai.ledger import Ledger
from reliability_helpers import DISTRICTS, big_long_csv, district_return, pingtai, returns_set

pytestmark = pytest.mark.slow


def start(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pingtai", *args], env={**os.environ, "PINGTAI_DB": str(db)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def state(db: Path) -> tuple[list[tuple[str, str, str, float, str]], list[str], list[tuple[str, str, str, float]]]:
    """Current values, the batches' files, and every value ever recorded — without batch ids or
    times, which depend on who got the lock first."""
    with Ledger.open(db, readonly=True) as ledger:
        current = [(v.indicator, str(v.period), v.agency, v.value, v.unit) for v in ledger.current_values()]
        files = sorted(b.file for b in ledger.batches())
        every = sorted((v.indicator, str(v.period), v.agency, v.value) for ident in {c[0] for c in current}
                       for v in ledger.history(ident))
    return current, files, every


def test_parallel_imports_equal_a_sequential_run(tmp_path: Path) -> None:
    # Eight returns of different districts and years (disjoint keys: the outcome cannot depend on
    # the order) and a long table of every month, imported all at once into a new ledger.
    files = [district_return(tmp_path / "in", agency, year, 100 + i)
             for i, (agency, year) in enumerate((a, y) for a in DISTRICTS[:4] for y in (2023, 2024))]
    # (the other districts: the returns' yearly figures are not of the monthly table's scale)
    files.append(big_long_csv(tmp_path / "in" / "月度.csv", range(2020, 2022), seed=3, districts=DISTRICTS[4:]))
    parallel = tmp_path / "parallel" / "ledger.sqlite3"
    runs = [start(parallel, "import", str(f)) for f in files]
    # Readers that may find no ledger, one being created, or one half imported.
    readers = [start(parallel, "status", "--as-of", "2025-03-01"), start(parallel, "check", "--as-of", "2025-03-01"),
               start(parallel, "batches")]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0] * len(files), [err for _, err in outputs]
    read = [run.communicate(timeout=300) for run in readers]
    # every reading command refuses a ledger that does not exist yet (exit 2, said so) or reads it
    # (check: 1 for findings)
    for run, (_, err), ok in zip(readers, read, ((0,), (0, 1), (0,)), strict=True):
        assert run.returncode in ok or (run.returncode == 2 and err.startswith("错误：台账不存在")), read
    outputs += read
    assert all("Traceback" not in err and "locked" not in err for _, err in outputs), outputs
    sequential = tmp_path / "sequential" / "ledger.sqlite3"
    for f in files:
        assert CliRunner().invoke(app, ["--db", str(sequential), "import", str(f)]).exit_code == 0
    assert state(parallel) == state(sequential)
    assert len(state(parallel)[1]) == len(files)
    assert pingtai("ledger", "verify", db=parallel).returncode == 0


def test_imports_checks_status_verify_and_backup_at_once(tmp_path: Path) -> None:
    db = tmp_path / "srv" / "ledger.sqlite3"
    history = returns_set(tmp_path / "in")
    for args in history[:6]:
        assert CliRunner().invoke(app, ["--db", str(db), "import", *args]).exit_code == 0
    others = [start(db, "import", *args) for args in history[6:]]
    readers = [start(db, "check", "--new-only", "--as-of", "2025-03-01"), start(db, "check", "--as-of", "2025-03-01"),
               start(db, "status", "--as-of", "2025-03-01"), start(db, "ledger", "verify"),
               start(db, "ledger", "backup", str(tmp_path / "backup.sqlite3")),
               start(db, "check", "--new-only", "--as-of", "2025-03-01")]
    for run in others + readers:
        _, err = run.communicate(timeout=300)
        assert "Traceback" not in err and "locked" not in err and "占用" not in err, err
    assert [run.returncode for run in others] == [0] * len(others)
    checks = [readers[0], readers[1], readers[5]]
    assert all(run.returncode in (0, 1) for run in checks)  # 1: findings, which is what check is for
    assert [run.returncode for run in readers[2:5]] == [0, 0, 0]
    with Ledger.open(db, readonly=True) as ledger:
        assert len(ledger.batches()) == len(history)
        assert len(ledger.check_runs()) == 2  # both --new-only runs recorded, one after the other
    assert pingtai("ledger", "verify", db=db).returncode == 0
