"""Every malformed or hostile file (:mod:`hostile`'s corpus) is refused by every reading command —
``pingtai import`` and ``pingtai import --dry-run`` — cleanly: exit 1, one line saying why for
each file, no traceback, and the ledger and its archive unchanged byte for byte.

The commands run as real processes under a 400 MiB address-space limit: a file that made the
reader allocate gigabytes would end the process with a signal (not just raise), and a test in
this process with it. Each sheet-size attack also runs alone, under 400 MiB and 20 s of CPU and
wall time: a signal, a timeout or any exit but 1 fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hostile import ODS_ATTACKS, SHEET_SIZE_ATTACKS, corpus
from pingtai.cli import app
from reliability_helpers import DISTRICTS, district_return, file_hashes

LIMIT_BYTES = 400 * 2**20
LIMIT_SECONDS = 20
_LIMITED = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({LIMIT_BYTES}, {LIMIT_BYTES}))
resource.setrlimit(resource.RLIMIT_CPU, ({LIMIT_SECONDS}, {LIMIT_SECONDS}))
from pingtai.cli import main
sys.argv = ["pingtai", *sys.argv[1:]]
main()
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, str]:
    return corpus(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "srv" / "ledger.sqlite3"
    for agency in DISTRICTS[:2]:
        result = CliRunner().invoke(app, ["--db", str(path), "import", str(district_return(tmp_path / "in", agency, 2024, 90))])
        assert result.exit_code == 0, result.output
    return path


def run(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _LIMITED, *args], env={**os.environ, "PINGTAI_DB": str(db)},
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("dry_run", [False, True], ids=["import", "dry-run"])
def test_every_hostile_file_is_refused_with_one_reason(files: dict[Path, str], db: Path, dry_run: bool) -> None:
    before = file_hashes(db.parent)
    flags = ["--dry-run"] if dry_run else []
    as_json = run(db, "import", *flags, "--json", *map(str, files))
    assert as_json.returncode == 1, as_json.stderr[-3000:]
    results = json.loads(as_json.stdout)["files"]
    assert [r["file"] for r in results] == [str(f) for f in files]
    for result, (path, code) in zip(results, files.items(), strict=True):
        assert result["status"] == "rejected", path.name
        assert [(e["where"], e["code"]) for e in result["errors"]] == [(path.name, code)], result["errors"]
    text = run(db, "import", *flags, *map(str, files))
    assert text.returncode == 1
    assert "Traceback" not in text.stderr
    lines = text.stderr.splitlines()
    # One line per file saying why, then the summary.
    assert [line.split(": ", 1)[0] for line in lines[:-1]] == [path.name for path in files]
    assert lines[-1] == f"错误：{len(files)} 个文件未通过校验，未写入；请按上列位置修改后重新导入。"
    assert text.stdout.count("已拒绝：") == len(files) and text.stdout.count("错误 1 处，本文件未写入任何数据") == len(files)
    assert file_hashes(db.parent) == before


def test_refused_files_create_no_ledger(files: dict[Path, str], tmp_path: Path) -> None:
    db = tmp_path / "new" / "ledger.sqlite3"
    assert run(db, "import", *map(str, files)).returncode == 1
    assert not db.parent.exists()


def test_a_hostile_file_among_good_ones_is_the_only_one_refused(files: dict[Path, str], db: Path, tmp_path: Path) -> None:
    good = district_return(tmp_path / "in", DISTRICTS[3], 2024, 77)
    bomb = next(path for path, code in files.items() if code == "zip-bomb")
    copy = tmp_path / bomb.name
    shutil.copyfile(bomb, copy)
    done = run(db, "import", str(copy), str(good), "--json")
    assert done.returncode == 1
    assert [f["status"] for f in json.loads(done.stdout)["files"]] == ["rejected", "accepted"]


@pytest.mark.parametrize("name", [*SHEET_SIZE_ATTACKS, "预留加范围", "共享公式", *ODS_ATTACKS])
def test_each_sheet_size_attack_alone_stays_under_400_mib_and_20_s(files: dict[Path, str], db: Path, name: str) -> None:
    [(path, code)] = [(p, c) for p, c in files.items() if p.stem == name]
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _LIMITED, "import", "--json", str(path)],
                          env={**os.environ, "PINGTAI_DB": str(db)}, capture_output=True, text=True,
                          timeout=LIMIT_SECONDS, check=False)
    assert time.monotonic() - started < LIMIT_SECONDS
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])  # not a signal (negative), not a crash
    [result] = json.loads(done.stdout)["files"]
    assert [(e["where"], e["code"]) for e in result["errors"]] == [(path.name, code)]
    assert "Traceback" not in done.stderr
