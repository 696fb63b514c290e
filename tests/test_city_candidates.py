"""Ledger.city_candidates hands the dashboard a subset of the current values from which every city
series comes out exactly as from all of them — whatever the owners, units, corrections and times."""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_helpers import catalog
from pingtai.assess import city_inputs, series_by_indicator
from pingtai.catalog import Catalog
from pingtai.ledger import Ledger, NewBatch, sha256_of
from pingtai.periods import Period
from pingtai.records import ValueRecord

RETAIL = "online_retail_sales"  # 亿元, owner 市商务局
PLATFORMS = "platforms"  # 个
AGENCIES = ["市商务局", "市经信局", "市市场监管局", "越城区政府"]
PERIODS = ["2024Q1", "2024Q2", "2024H1", "2024-07", "2024"]  # 2024Q2 and 2024H1 meet on one point
UNITS = {RETAIL: ["亿元", "万元", "个"], PLATFORMS: ["个", "万个", "亿元"], "not_in_the_catalog": ["个"]}
MOMENTS = [dt.datetime(2025, 1, day, tzinfo=dt.UTC) for day in (5, 5, 9, 12)]  # ties on purpose

row = st.tuples(st.sampled_from(sorted(UNITS)), st.sampled_from(PERIODS), st.sampled_from(AGENCIES),
                st.integers(0, 2), st.floats(1, 1e4, allow_nan=False))
batch = st.tuples(st.sampled_from(MOMENTS), st.lists(row, min_size=1, max_size=12))


def _ledger(root: Path, batches: list[tuple[dt.datetime, list[tuple[str, str, str, int, float]]]]) -> Path:
    db = root / "ledger.sqlite3"
    with Ledger.open(db) as ledger:
        for number, (moment, rows) in enumerate(batches):
            source = root / f"b{number}.xlsx"
            source.write_bytes(f"batch {number}".encode())
            seen: set[tuple[str, str, str]] = set()
            records: list[ValueRecord] = []
            for indicator, period, agency, unit, value in rows:
                if (indicator, period, agency) in seen:
                    continue  # one batch reports a key once
                seen.add((indicator, period, agency))
                records.append(ValueRecord(indicator, Period.parse(period), agency, value, UNITS[indicator][unit % len(UNITS[indicator])],
                                           f"b{number}!{len(records)}", f"{value}"))
            with ledger.transaction():
                ledger.add_batch(NewBatch(file=source.name, sha256=sha256_of(source), agency=None, period=None,
                                          layout="long", imported_at=moment), source, records, [])
    return db


def _same_series(db: Path, catalog: Catalog) -> None:
    with Ledger.open(db, readonly=True) as ledger:
        every = ledger.current_values()
        chosen = ledger.city_candidates(city_inputs(catalog))
        split = ledger.city_values(city_inputs(catalog))
    assert len(chosen) <= len(every)
    # city_values holds the same values as city_candidates, the owners' apart where they are all that counts
    # (the owned values come without import times — one value per point, so the time never decides —
    # and with their periods as points)
    def key(v: tuple[Any, ...]) -> tuple[Any, ...]:
        return (v[0], v[1].as_point(), *v[2:5])

    assert sorted(map(key, chosen)) == sorted([*map(key, split.others), *(
        (ident, period, catalog.indicators[ident].owner, value, catalog.indicators[ident].unit)
        for ident, (periods, numbers) in split.owned.items() for period, value in zip(periods, numbers, strict=True))])
    for as_of in (None, dt.date(2024, 6, 30), dt.date(2024, 8, 15)):
        expected = series_by_indicator(catalog, every, as_of)
        assert series_by_indicator(catalog, chosen, as_of) == expected
        assert series_by_indicator(catalog, split, as_of) == expected


@settings(max_examples=80, deadline=None)
@given(batches=st.lists(batch, min_size=1, max_size=4))
def test_city_series_from_the_candidates_equal_those_from_every_current_value(
        batches: list[tuple[dt.datetime, list[tuple[str, str, str, int, float]]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:  # a fresh ledger per example
        _same_series(_ledger(Path(folder), batches), catalog())


def test_owner_values_hide_the_others_and_missing_owner_keeps_all(tmp_path: Path) -> None:
    owner = catalog().indicators[RETAIL].owner
    assert owner == "市商务局"
    db = _ledger(tmp_path, [
        (MOMENTS[0], [(RETAIL, "2024", "市商务局", 0, 1000.0), (RETAIL, "2024", "市经信局", 0, 990.0),
                      (RETAIL, "2024Q3", "市经信局", 0, 700.0), (RETAIL, "2024Q3", "越城区政府", 0, 710.0)]),
        # a correction of the owner's 2024 figure in 万元: the owner's current value is no longer in 亿元
        (MOMENTS[2], [(RETAIL, "2024", "市商务局", 1, 10_100_000.0)]),
    ])
    with Ledger.open(db, readonly=True) as ledger:
        got = {(v.period.label(), v.agency, v.unit) for v in ledger.city_candidates(city_inputs(catalog()))}
    # 2024: the owner's current value is in 万元, so every agency's figure is handed over
    # 2024Q3: no owner value, so every agency's figure
    assert got == {("2024年", "市商务局", "万元"), ("2024年", "市经信局", "亿元"),
                   ("2024年第3季度", "市经信局", "亿元"), ("2024年第3季度", "越城区政府", "亿元")}
    _same_series(db, catalog())


def test_an_owner_value_in_the_unit_is_all_that_is_handed_over(tmp_path: Path) -> None:
    rows = [(RETAIL, period, agency, 0, 100.0 + i) for i, (period, agency) in
            enumerate(itertools.product(["2024Q1", "2024H1", "2024Q3"], AGENCIES))]
    db = _ledger(tmp_path, [(MOMENTS[0], rows)])
    with Ledger.open(db, readonly=True) as ledger:
        got = ledger.city_candidates(city_inputs(catalog()))
        split = ledger.city_values(city_inputs(catalog()))
        assert ledger.city_candidates({}) == []
        assert ledger.city_values({}) == ({}, [])
    assert sorted((v.period.label(), v.agency) for v in got) == [
        ("2024年上半年", "市商务局"), ("2024年第1季度", "市商务局"), ("2024年第3季度", "市商务局")]
    # the owner covers every period: its values are handed over apart, without agency or unit per row
    assert split.others == []
    assert sorted((p.label(), v) for p, v in zip(*split.owned[RETAIL], strict=True)) == [
        ("2024年上半年", 104.0), ("2024年第1季度", 100.0), ("2024年第3季度", 108.0)]
    _same_series(db, catalog())


def test_an_empty_or_missing_ledger_has_no_candidates(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "missing.sqlite3", readonly=True) as ledger:
        assert ledger.city_candidates(city_inputs(catalog())) == []
