"""Builders shared by the reliability tests: returns against the bundled catalog, pingtai run as a
real process, and a snapshot of everything the ledger shows (to compare two ledgers)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from pingtai.cli import app

ROOT = Path(__file__).resolve().parents[1]
DISTRICTS = ("越城区政府", "柯桥区政府", "上虞区政府", "诸暨市政府", "嵊州市政府", "新昌县政府")
INDICATORS = (("online_retail_sales", "网络零售额", "亿元"), ("platforms", "平台", "个"),
              ("online_business_entities", "网络经营主体", "万家"),
              ("cross_border_ecommerce_trade", "跨境电商进出口总额", "亿元"),
              ("data_ip_registrations", "数据知识产权登记", "件"), ("smart_parcel_lockers", "智能快递柜", "组"),
              ("monitored_livestream_rooms", "监测直播间", "个"))
AS_OF = "2025-03-01"

Row = tuple[str, str, str, str, str]
"""A long-table row: 报告期, 填报单位, 指标名称, 计量单位, 数值 (as written)."""


def long_csv(path: Path, rows: Sequence[Row]) -> Path:
    """A long table (one value a row) as UTF-8 CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["报告期,填报单位,指标名称,计量单位,数值"] + [",".join(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def big_long_csv(path: Path, years: range, *, seed: int, districts: Sequence[str] = DISTRICTS) -> Path:
    """A long table of every month of ``years`` × the districts (6) × 7 indicators (504 rows a year).

    Each district's series starts at a random level and moves by at most ±20 % a month, so that no
    figure is refused as a unit slip against the one before it (pingtai.series).
    """
    rng = random.Random(seed)
    level = {(agency, name): rng.uniform(10, 1000) for agency in districts for _, name, _ in INDICATORS}
    rows = []
    for year in years:
        for month in range(1, 13):
            for agency in districts:
                for _, name, unit in INDICATORS:
                    level[(agency, name)] *= rng.uniform(0.8, 1.2)
                    rows.append((f"{year}年{month}月", agency, name, unit, f"{level[(agency, name)]:.4f}"))
    return long_csv(path, rows)


def district_return(folder: Path, agency: str, year: int, number: float, *, tag: str = "") -> Path:
    """One district's yearly figures for three indicators (distinct bytes per ``tag``)."""
    rows = [(f"{year}年", agency, "网络零售额", "亿元", f"{number:.2f}"),
            (f"{year}年", agency, "平台", "个", str(int(number) % 97 + 3)),
            (f"{year}年", agency, "网络经营主体", "万家", f"{number / 100:.3f}")]
    return long_csv(folder / f"{agency}_{year}{tag}.csv", rows)


def returns_set(folder: Path) -> list[list[str]]:
    """The import commands' arguments for a varied history: long tables for every district over
    three years, corrections that supersede earlier figures, and a bare two-column table that
    needs ``--agency`` / ``--period`` (which a rebuild must therefore remember)."""
    runs: list[list[str]] = []
    for year in (2022, 2023, 2024):
        for i, agency in enumerate(DISTRICTS):
            runs.append([str(district_return(folder, agency, year, 100 + 10 * i + year % 100))])
    runs.append([str(district_return(folder, "柯桥区政府", 2024, 321.5, tag="_更正"))])
    runs.append([str(district_return(folder, "越城区政府", 2023, 222.25, tag="_更正"))])
    bare = folder / "商务局_无表头信息.csv"
    bare.write_text("指标名称,本期数\n网络零售额,1150.6\n平台,118\n", encoding="utf-8")
    runs.append([str(bare), "--agency", "商务局", "--period", "2024年1-12月"])
    return runs


def pingtai(*args: str, db: Path | None = None, timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pingtai`` as a real process (``PINGTAI_DB`` = ``db`` when given)."""
    env = {**os.environ, **({"PINGTAI_DB": str(db)} if db is not None else {})}
    return subprocess.run([sys.executable, "-m", "pingtai", *args], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False, **kwargs)


def cli(*args: str) -> Any:
    """Run a pingtai command in this process; returns its parsed ``--json`` output (exit 0 asserted)."""
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def snapshot(db: Path) -> dict[str, Any]:
    """Everything a user sees of a ledger: ``status --json --history``, every indicator's history and
    the batches — equal snapshots mean equal ledgers as far as any command can tell."""
    base = ["--db", str(db)]
    return {
        "status": cli(*base, "status", "--as-of", AS_OF, "--history"),
        "history": {ident: cli(*base, "history", ident) for ident, _, _ in INDICATORS},
        "batches": cli(*base, "batches"),
    }


def rows(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ledger's tables, in rowid order (reads only; an ordinary connection so
    that closing it tidies the -wal/-shm files a read-only one would leave)."""
    connection = sqlite3.connect(db)
    try:
        return {table: connection.execute(f"SELECT * FROM {table} ORDER BY rowid").fetchall()
                for table in ("batch", "value", "task_progress")}
    finally:
        connection.close()


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (relative path → digest)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
