"""An import killed at any instant leaves the ledger exactly as before the file or exactly as after.

Two ways to kill real ``pingtai import`` processes importing a 3,024-row long table into a ledger
that already holds a batch:

* at every write the import makes, one run per write (``kill_points.py``: each file opened for
  writing, rename, removal, mkdir, chmod and SQL statement — BEGIN, the INSERTs, COMMIT …), so
  each phase is hit for certain: before the archive copy, during it, between the rows and the
  manifest entry, just before COMMIT, just after it;
* with SIGKILL at random instants (a seeded RNG) spread over the run, for what lies between.

After each kill: ``PRAGMA integrity_check`` is ok; the rows are exactly the rows before the file
or exactly those a clean import gives; ``ledger verify`` finds no problem (an interrupted import
leaves only notes); and importing the file again completes the job — one batch, the clean rows.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pingtai.importer import import_files
from pingtai.loader import load_catalog
from pingtai.maintenance import verify_ledger
from pingtai.service import Store
from reliability_helpers import big_long_csv, district_return, rows

TESTS = Path(__file__).parent
NOW = dt.datetime(2025, 2, 1, 8, 0, tzinfo=dt.UTC)
RANDOM_TRIALS = 40
SEED = 20250201

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Scene:
    """The file to import, the ledger to import it into, and the rows before and after."""

    file: Path
    base: Path
    before: dict[str, list[tuple[Any, ...]]]
    after: dict[str, list[tuple[Any, ...]]]


def comparable(table_rows: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """The rows without the batches' import time and the receipt day taken from it (a re-run stamps
    its own)."""
    return {**table_rows, "batch": [row[:6] + row[7:17] + row[18:] for row in table_rows["batch"]]}


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    folder = tmp_path_factory.mktemp("crash")
    catalog = load_catalog()
    big = big_long_csv(folder / "in" / "全市月度数据.csv", range(2019, 2025), seed=7)
    base = folder / "base"
    import_files([district_return(folder / "in", "越城区政府", 2022, 150)], catalog, Store(base / "ledger.sqlite3"), now=NOW)
    clean = folder / "clean"
    shutil.copytree(base, clean)
    [result] = import_files([big], catalog, Store(clean / "ledger.sqlite3"), now=NOW).files
    assert result.status == "accepted" and (result.imported, result.updated) == (3021, 3)  # 2022-12 is the year point
    return Scene(big, base, comparable(rows(base / "ledger.sqlite3")), comparable(rows(clean / "ledger.sqlite3")))


def pingtai_command(scene: Scene, db: Path, *, wrapper: bool) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "PINGTAI_DB": str(db)}
    script = [str(TESTS / "kill_points.py")] if wrapper else ["-m", "pingtai"]
    return [sys.executable, *script, "import", str(scene.file)], env


def check_after_kill(scene: Scene, db: Path) -> str:
    """Every guarantee after a kill; returns what the kill left (for the tally)."""
    raw = sqlite3.connect(db)
    try:
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        raw.close()
    state = comparable(rows(db))
    assert state in (scene.before, scene.after), "a half-imported file"
    found = verify_ledger(db)
    assert found.problems == []
    notes = {note.code for note in found.notes}
    assert notes <= {"orphan", "orphan-file", "temp-file", "pending-manifest"}
    if state == scene.after:
        outcome = "after, manifest entry still pending" if "pending-manifest" in notes else "after"
    else:
        outcome = "before, archive holds an orphan" if notes & {"orphan", "orphan-file", "temp-file"} else "before"
    # Importing the file again completes the job: one batch, the clean rows, nothing left over.
    [again] = import_files([scene.file], load_catalog(), Store(db), now=NOW).files
    assert again.status == ("duplicate" if state == scene.after else "accepted")
    assert comparable(rows(db)) == scene.after
    final = verify_ledger(db)
    assert final.problems == [] and {n.code for n in final.notes} <= {"temp-file"}
    return outcome


def trial_db(scene: Scene, folder: Path) -> Path:
    shutil.copytree(scene.base, folder)
    return folder / "ledger.sqlite3"


def test_a_kill_at_each_write_leaves_before_or_after(scene: Scene, tmp_path: Path) -> None:
    command, env = pingtai_command(scene, trial_db(scene, tmp_path / "listing"), wrapper=True)
    listing = subprocess.run(command, env={**env, "KILL_AT": "-1"}, capture_output=True, text=True, timeout=120,
                             check=False)
    assert listing.returncode == 0, listing.stderr
    writes: list[str] = json.loads(listing.stderr.splitlines()[-1])
    assert "sql COMMIT" in writes and "sql INSERT INTO value" in writes
    tally: Counter[str] = Counter()
    for k, write in enumerate(writes):
        db = trial_db(scene, tmp_path / f"k{k}")
        command, env = pingtai_command(scene, db, wrapper=True)
        killed = subprocess.run(command, env={**env, "KILL_AT": str(k)}, capture_output=True, timeout=120, check=False)
        assert killed.returncode == 137, (write, killed.stderr[-2000:])
        tally[check_after_kill(scene, db)] += 1
    # Placed kills hit every phase for certain: nothing written yet, an orphan in the archive, and
    # committed with its manifest entry still pending (the last write is moving it into place).
    assert set(tally) == {"before", "before, archive holds an orphan", "after, manifest entry still pending"}, tally
    print(f"\n{len(writes)} placed kills: {dict(tally)}")


def test_sigkill_at_random_instants_leaves_before_or_after(scene: Scene, tmp_path: Path) -> None:
    # How long a run takes to get going (a duplicate: everything but reading and writing) and in
    # all, so the kills spread over the part of the run that does the work.
    timings = []
    for name in ("startup", "full"):
        db = trial_db(scene, tmp_path / f"timing-{name}")
        if name == "startup":
            import_files([scene.file], load_catalog(), Store(db), now=NOW)
        command, env = pingtai_command(scene, db, wrapper=False)
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, timeout=120, check=True)
        timings.append(time.perf_counter() - started)
    startup, full = timings
    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    for trial in range(RANDOM_TRIALS):
        db = trial_db(scene, tmp_path / f"t{trial}")
        command, env = pingtai_command(scene, db, wrapper=False)
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.9 * startup, 1.05 * full))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        tally[check_after_kill(scene, db)] += 1
    print(f"\n{RANDOM_TRIALS} random kills (run {full:.2f} s, start-up {startup:.2f} s): {dict(tally)}")
