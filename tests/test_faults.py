"""Resource faults: a read-only ledger, a full disk, a file size limit, a file that is not SQLite,
a ledger from a newer pingtai. Each is a clear message and exit 2 — never a traceback — and the
ledger and its archive are left byte for byte as they were.

A full disk and a read-only filesystem are real: a small tmpfs mounted for the test (root only;
elsewhere those tests are skipped and the file-size-limit test, which needs no privilege, stands
in for the full disk).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ledger_helpers import downgrade
from pingtai.cli import app
from pingtai.ledger import SCHEMA_VERSION
from reliability_helpers import DISTRICTS, big_long_csv, district_return, file_hashes, rows

pytestmark = pytest.mark.slow


def invoke(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@contextlib.contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A real, small filesystem at ``folder`` (skips the test where mounting is not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True,
                             check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr!r}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def remount(folder: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(folder)], check=True)


def seed_ledger(folder: Path) -> Path:
    """A ledger with three districts' returns, in ``folder``."""
    db = folder / "ledger.sqlite3"
    for agency in DISTRICTS[:3]:
        code, out, err = invoke(db, "import", str(district_return(folder.parent / "in", agency, 2023, 120)))
        assert code == 0, out + err
    return db


def fill(folder: Path, leave: int) -> None:
    """Fill the filesystem of ``folder`` until ``leave`` bytes are free."""
    free = shutil.disk_usage(folder).free
    with (folder / "filler").open("wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))


# --- read-only ------------------------------------------------------------------------------------


def test_a_read_only_ledger_refuses_writes_and_still_reads(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "2m") as folder:
        db = seed_ledger(folder)
        before = file_hashes(folder)
        remount(folder, "ro")
        try:
            new = district_return(tmp_path / "in", "诸暨市政府", 2023, 130)
            code, _, err = invoke(db, "import", str(new))
            assert code == 2
            assert err.startswith(f"错误：台账为只读，无法写入：所在目录不可写 {folder}\n") and err.endswith("台账未作改动。\n")
            # Reading needs no write: status, batches, history, dry runs, verify and backups work.
            assert invoke(db, "import", "--dry-run", str(new))[0] == 0
            for command in (["status", "--as-of", "2025-03-01"], ["batches"], ["history", "平台"], ["ledger", "verify"],
                            ["ledger", "backup", str(tmp_path / "copy.sqlite3")]):
                assert invoke(db, *command)[0] == 0, command
            assert file_hashes(folder) == before
        finally:
            remount(folder, "rw")


def test_an_older_ledger_on_a_read_only_medium_is_refused_with_how_to_upgrade(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "2m") as folder:
        db = seed_ledger(folder)
        downgrade(db, 2)
        before = file_hashes(folder)
        remount(folder, "ro")
        try:
            code, _, err = invoke(db, "status", "--as-of", "2025-03-01")
            assert code == 2
            assert "结构版本较旧（2），只读方式下无法升级" in err and "pingtai import" in err
            assert file_hashes(folder) == before
        finally:
            remount(folder, "rw")
        # where it can be written, a reading command upgrades it and reads
        assert invoke(db, "status", "--as-of", "2025-03-01")[0] == 0
        assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# --- full disk -----------------------------------------------------------------------------------


def test_a_full_disk_at_any_point_leaves_the_ledger_as_it_was(tmp_path: Path) -> None:
    """The import of a 1,008-row table with less and less room left: it fails while copying the
    file, writing its manifest entry, growing the WAL or committing — each time exit 2, "磁盘已满",
    the ledger unchanged; once there is room, the same import goes through."""
    big = big_long_csv(tmp_path / "in" / "月度.csv", range(2021, 2023), seed=11)
    base = tmp_path / "base"
    seed_ledger(base)
    clean = tmp_path / "clean"
    shutil.copytree(base, clean)
    assert invoke(clean / "ledger.sqlite3", "import", str(big))[0] == 0
    after = rows(clean / "ledger.sqlite3")
    outcomes = []
    for leave in (0, 8 << 10, 40 << 10, 64 << 10, 96 << 10, 160 << 10, 256 << 10, 512 << 10, 2 << 20):
        with tmpfs(tmp_path / f"full{leave}", "4m") as folder:
            shutil.copytree(base, folder, dirs_exist_ok=True)
            db = folder / "ledger.sqlite3"
            before_rows, before_files = rows(db), file_hashes(folder)
            fill(folder, leave)
            code, _, err = invoke(db, "import", str(big))
            outcomes.append(code)
            if code == 2:
                assert "磁盘已满" in err and "Traceback" not in err, err
                (folder / "filler").unlink()
                assert rows(db) == before_rows
                assert {k: v for k, v in file_hashes(folder).items() if k.startswith("ledger.sqlite3")} == \
                    {k: v for k, v in before_files.items() if k.startswith("ledger.sqlite3")}
                assert _archive(file_hashes(folder)) == _archive(before_files)  # no orphan left behind (#13)
                code, _, err = invoke(db, "import", str(big))
            assert code == 0, err
            assert _without_times(rows(db)) == _without_times(after)
            assert invoke(db, "ledger", "verify")[0] == 0
    assert outcomes[0] == 2 and outcomes[-1] == 0, outcomes


def _archive(hashes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in hashes.items() if k.startswith("archive")}


def _without_times(table_rows: dict[str, list[tuple[object, ...]]]) -> dict[str, list[tuple[object, ...]]]:
    return {**table_rows, "batch": [row[:6] + row[7:] for row in table_rows["batch"]]}


_LIMITED = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # (CPython's default) a write past the limit fails with EFBIG, not kills
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
from pingtai.cli import main
sys.argv = ["pingtai", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("limit", [16 << 10, 48 << 10, 80 << 10])
def test_a_file_size_limit_is_a_clear_error(tmp_path: Path, limit: int) -> None:
    """RLIMIT_FSIZE makes writes past ``limit`` bytes fail (EFBIG): the archive copy of a 70 KB
    table, or the WAL. No privilege needed."""
    big = big_long_csv(tmp_path / "in" / "月度.csv", range(2021, 2023), seed=11)
    db = seed_ledger(tmp_path / "srv")
    before, archived = rows(db), _archive(file_hashes(db.parent))
    done = subprocess.run([sys.executable, "-c", _LIMITED.format(limit=limit), "import", str(big)],
                          env={**os.environ, "PINGTAI_DB": str(db)}, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("错误：") and "Traceback" not in done.stderr
    assert "超出文件大小上限" in done.stderr or "磁盘 I/O 错误" in done.stderr or "磁盘已满" in done.stderr, done.stderr
    assert rows(db) == before
    assert _archive(file_hashes(db.parent)) == archived  # the failed import took its copy back (#13)
    assert invoke(db, "ledger", "verify")[0] == 0
    assert invoke(db, "import", str(big))[0] == 0
    assert resource.getrlimit(resource.RLIMIT_FSIZE)[0] == resource.RLIM_INFINITY  # only the child was limited


# --- not a ledger, a newer ledger -----------------------------------------------------------------

READING_AND_WRITING = [["import", "{new}"], ["import", "--dry-run", "{new}"], ["status", "--as-of", "2025-03-01"],
                       ["batches"], ["history", "平台"], ["check", "--as-of", "2025-03-01"], ["ledger", "verify"],
                       ["ledger", "backup", "{tmp}/b.sqlite3"], ["ledger", "rebuild"]]


def _newer(db: Path) -> None:
    raw = sqlite3.connect(db)
    raw.execute("CREATE TABLE batch (id INTEGER PRIMARY KEY, future TEXT)")
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()


@pytest.mark.parametrize("kind", ["not sqlite", "newer schema"])
@pytest.mark.parametrize("command", READING_AND_WRITING, ids=lambda c: " ".join(c[:2]))
def test_a_foreign_or_newer_file_is_refused_untouched(tmp_path: Path, kind: str, command: list[str]) -> None:
    folder = tmp_path / "srv"
    folder.mkdir()
    db = folder / "ledger.sqlite3"
    if kind == "not sqlite":
        db.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 40)  # say, a workbook saved under the wrong name
    else:
        _newer(db)
    before = file_hashes(folder)
    new = district_return(tmp_path / "in", "越城区政府", 2024, 140)
    args = [part.format(new=new, tmp=tmp_path) for part in command]
    code, _, err = invoke(db, *args)
    assert code == 2, err
    expected = {"not sqlite": "不是 pingtai 台账（不是有效的 SQLite 数据库）",
                "newer schema": f"由更新版本的 pingtai 创建（结构版本 {SCHEMA_VERSION + 1}，本版支持 {SCHEMA_VERSION}），未作任何改动"}
    assert expected[kind] in err or (command[1] == "rebuild" and "台账已存在" in err), err
    assert "Traceback" not in err
    assert file_hashes(folder) == before
