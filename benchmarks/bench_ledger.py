"""Load a throwaway ledger with many values and time the read API that ``status`` and ``report`` use.

Usage: ``python benchmarks/bench_ledger.py [VALUES] [--keep DIR]`` (default 100 000 values). Builds
one batch per agency and month, every indicator of the catalog in each, re-reports a fifth of the
keys as corrections (so "newest per key" has work to do), then prints timings of each query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pingtai.ledger import Ledger, NewBatch
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.records import ValueRecord


def build(db: Path, target: int) -> tuple[int, int]:
    """Fill ``db`` with about ``target`` value rows; return (batches, values) written."""
    catalog = load_catalog()
    indicators = list(catalog.indicators.values())
    agencies = [a.name for a in catalog.agencies.agencies]
    months = [Period(year, "M", month) for year in range(2000, 2100) for month in range(1, 13)]
    sources = db.parent / "sources"
    sources.mkdir()
    batches = values = 0
    moment = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    with Ledger.open(db) as ledger:
        for index, month in enumerate(months):
            # Every fifth month brings corrections of the month before instead of new figures.
            period = months[index - 1] if index % 5 == 4 else month
            for agency in agencies:
                if values >= target:
                    return batches, values
                rows = [ValueRecord(ind.id, period, agency, float(batches % 997 + i), ind.unit,
                                    f"b{batches}.xlsx!指标!E{i + 4}", str(batches % 997 + i))
                        for i, ind in enumerate(indicators)]
                source = sources / f"b{batches}.xlsx"
                source.write_bytes(f"batch {batches}".encode())
                sha = hashlib.sha256(source.read_bytes()).hexdigest()
                with ledger.transaction():
                    ledger.add_batch(NewBatch(file=source.name, sha256=sha, agency=agency, period=period,
                                              layout="template", imported_at=moment, imported=len(rows)),
                                     source, rows, [])
                batches += 1
                values += len(rows)
    return batches, values


def timed(label: str, call: Callable[[], Any]) -> None:
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    size = len(result) if hasattr(result, "__len__") else result
    print(f"{label:<42} {elapsed * 1000:9.1f} ms   ({size} rows)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("values", nargs="?", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, help="build the ledger in this directory and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        db = root / "ledger.sqlite3"
        start = time.perf_counter()
        batches, values = build(db, args.values)
        print(f"built {values} values in {batches} batches in {time.perf_counter() - start:.1f} s; "
              f"ledger {db.stat().st_size / 1e6:.1f} MB")
        with Ledger.open(db, readonly=True) as ledger:
            timed("current_values()", ledger.current_values)
            timed("current_values(['online_retail_sales'])", lambda: ledger.current_values(["online_retail_sales"]))
            timed("current_values(agencies=['市商务局'])", lambda: ledger.current_values(agencies=["市商务局"]))
            timed("history('online_retail_sales')", lambda: ledger.history("online_retail_sales"))
            timed("received_returns()", ledger.received_returns)
            timed("batches()", ledger.batches)
            timed("current_tasks()", ledger.current_tasks)


if __name__ == "__main__":
    main()
