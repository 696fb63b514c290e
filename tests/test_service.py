"""The service layer's reads: the dashboard reads only what the city's figures can be made of, and gets the
very dashboard all current values give — whatever the owners, areas, units, corrections and times."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger_helpers import catalog
from pingtai import service
from pingtai.assess import build_status
from pingtai.ledger import DecisionKind, Ledger, NewBatch, sha256_of
from pingtai.periods import Period
from pingtai.records import ValueRecord
from pingtai.render.jsonout import jsonable

AS_OF = dt.date(2025, 2, 1)
INDICATORS = {"online_retail_sales": ["亿元", "万元", "个"], "platforms": ["个", "万个"], "not_in_the_catalog": ["个"]}
"""网络零售额 (owner 市商务局, additive by area) and 平台 (owner 市商务局), with units that convert and one that does not."""
AREAS = ["", "", "越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市", "滨海新区"]
AGENCIES = ["市商务局", "市经信局", "越城区政府"]
PERIODS = ["2023", "2023H1", "2024Q1", "2024Q2", "2024H1", "2024"]  # 2024Q2 and 2024H1 meet on one point
MOMENTS = [dt.datetime(2025, 1, day, tzinfo=dt.UTC) for day in (5, 5, 9)]  # a tie on purpose

ROW = st.tuples(st.sampled_from(sorted(INDICATORS)), st.sampled_from(AREAS), st.sampled_from(PERIODS),
                st.sampled_from(AGENCIES), st.integers(0, 2), st.integers(1, 2000),
                st.one_of(st.none(), st.floats(-10, 30)))
BATCH = st.tuples(st.sampled_from(MOMENTS), st.lists(ROW, min_size=1, max_size=14))


Row = tuple[str, str, str, str, int, int, float | None]
"""indicator, area, period, agency, unit (its index), value, growth."""


def _ledger(root: Path, batches: list[tuple[dt.datetime, list[Row]]], *, review: bool = False) -> Path:
    """A ledger of ``batches``, one per list, each recorded at its moment; with ``review`` required from the
    first, so that every batch awaits a decision."""
    db = root / "ledger.sqlite3"
    with Ledger.open(db) as ledger:
        if review:
            ledger.set_setting("review", "required", by="审核员", at=MOMENTS[0])
        for number, (moment, rows) in enumerate(batches):
            source = root / f"b{number}.xlsx"
            source.write_bytes(f"batch {number}".encode())
            seen: set[tuple[str, str, str, str]] = set()
            records: list[ValueRecord] = []
            for ident, area, period, agency, unit, value, growth in rows:
                if (ident, area, period, agency) in seen:
                    continue  # one batch reports a key once
                seen.add((ident, area, period, agency))
                units = INDICATORS[ident]
                records.append(ValueRecord(ident, Period.parse(period), agency, float(value), units[unit % len(units)],
                                           f"b{number}!{len(records)}", str(value), area=area, growth=growth))
            with ledger.transaction():
                ledger.add_batch(NewBatch(file=source.name, sha256=sha256_of(source), agency=None, period=None,
                                          layout="long", imported_at=moment), source, records, [])
    return db


@settings(max_examples=80, deadline=None)
@given(batches=st.lists(BATCH, min_size=1, max_size=4))
def test_the_dashboard_from_what_the_city_is_made_of_is_the_dashboard_from_everything(
        batches: list[tuple[dt.datetime, list[Row]]]) -> None:
    with tempfile.TemporaryDirectory() as folder:  # a fresh ledger per example
        db = _ledger(Path(folder), batches)
        read = service.status(catalog(), service.Store(db), AS_OF)
        with Ledger.open(db, readonly=True) as ledger:
            full = build_status(catalog(), ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                                AS_OF)
            assert len(service._city_values(catalog(), ledger, ledger.received_returns())) <= len(ledger.current_values())
    assert jsonable(read.indicators) == jsonable(full.indicators)


def test_an_owner_covering_every_point_is_all_that_is_read_of_the_city(tmp_path: Path) -> None:
    rows: list[Row] = [("online_retail_sales", "", period, agency, 0, 100 + i, None)
            for i, (period, agency) in enumerate((p, a) for p in ("2024Q1", "2024H1", "2024") for a in AGENCIES)]
    rows += [("online_retail_sales", "越城区", "2024", "市商务局", 0, 30, None)]
    db = _ledger(tmp_path, [(MOMENTS[0], rows)])
    with Ledger.open(db, readonly=True) as ledger:
        read = service._city_values(catalog(), ledger, ledger.received_returns())
    assert sorted((v.area, str(v.period), v.agency) for v in read) == [
        ("", "2024", "市商务局"), ("", "2024H1", "市商务局"), ("", "2024Q1", "市商务局"), ("越城区", "2024", "市商务局")]


Decided = list[tuple[int, DecisionKind]]
"""Decisions on batches: the batch (its place in the list, from 0) and the decision."""


@settings(max_examples=60, deadline=None)
@given(batches=st.lists(BATCH, min_size=1, max_size=4), review=st.booleans(),
       decisions=st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["accepted", "rejected"])), max_size=4))
def test_returns_awaiting_review_or_sent_back_leave_the_dashboard_as_everything_that_counts_makes_it(
        batches: list[tuple[dt.datetime, list[Row]]], review: bool, decisions: Decided) -> None:
    # The periods of the returns received decide which indicators need their periods counted: a return
    # awaiting review has arrived but does not count, one sent back neither.
    with tempfile.TemporaryDirectory() as folder:
        db = _ledger(Path(folder), batches, review=review)
        with Ledger.open(db) as ledger:
            for index, decision in decisions:
                if index < len(batches):
                    ledger.record_decision([index + 1], decision, by="审核员", at=MOMENTS[-1])
        read = service.status(catalog(), service.Store(db), AS_OF)
        with Ledger.open(db, readonly=True) as ledger:
            full = build_status(catalog(), ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                                AS_OF)
    assert jsonable(read.indicators) == jsonable(full.indicators)


def test_another_units_figure_where_the_owner_has_none_is_read(tmp_path: Path) -> None:
    # 市经信局 alone reports 2024: the owner's figures do not stand at every period a return brought
    rows: list[Row] = [("online_retail_sales", "", "2024Q1", "市商务局", 0, 100, None),
                       ("online_retail_sales", "", "2024H1", "市商务局", 0, 200, None),
                       ("online_retail_sales", "", "2024", "市经信局", 0, 400, None),
                       ("platforms", "", "2024", "市商务局", 0, 5, None),
                       ("platforms", "", "2024Q1", "市经信局", 0, 7, None)]
    db = _ledger(tmp_path, [(MOMENTS[0], rows)])
    with Ledger.open(db, readonly=True) as ledger:
        read = service._city_values(catalog(), ledger, ledger.received_returns())
        assert ledger.period_counts(["online_retail_sales"], areas=[""]) == {"online_retail_sales": 3}
        assert ledger.period_counts([], areas=[""]) == {}
    assert sorted((v.indicator, str(v.period), v.agency) for v in read) == [
        ("online_retail_sales", "2024", "市经信局"), ("online_retail_sales", "2024H1", "市商务局"),
        ("online_retail_sales", "2024Q1", "市商务局"), ("platforms", "2024", "市商务局"),
        ("platforms", "2024Q1", "市经信局")]


def test_a_dashboard_without_the_projections_observations_is_the_same_dashboard(tmp_path: Path) -> None:
    rows: list[Row] = [("platforms", "", period, "市商务局", 0, 100 + 10 * i, None)
                       for i, period in enumerate(["2023", "2024Q1", "2024H1", "2024"])]
    rows += [("online_retail_sales", "", period, "市商务局", 0, 900 + 100 * i, None)
             for i, period in enumerate(["2023", "2024H1", "2024"])]
    db = _ledger(tmp_path, [(MOMENTS[0], rows)])
    full = service.status(catalog(), service.Store(db), AS_OF)
    lean = service.status(catalog(), service.Store(db), AS_OF, used=False)
    projected = [r for r in full.indicators if r.projection is not None]
    assert projected and all(r.projection is not None and r.projection.used for r in projected)
    assert all(r.projection is None or r.projection.used == () for r in lean.indicators)
    assert jsonable(lean) == jsonable(full.replace(indicators=[
        replace(r, projection=replace(r.projection, used=()) if r.projection is not None else None)
        for r in full.indicators]))
