"""The JSON encoder gives exactly the text the plain copy (``jsonable`` + ``json.dumps``) gives.

``dumps`` hands the result objects to the C encoder with a ``default=`` hook instead of copying
them into plain dicts and lists first; ``jsonable`` is that copy. Over real result objects — the
dashboard, the scheduled check, agency reports and the league built from random values and
task lines with hostile texts; an import, batches, a history and a verification of a real
ledger; the quarterly bulletin with its figures' sources; the browsing rows — both must write
the same text, compact and indented, also with fields left out.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bulletin_helpers import example_ledger
from ledger_helpers import catalog
from pingtai import service
from pingtai.assess import IndicatorStatus, build_status
from pingtai.catalog import Target
from pingtai.checks import build_check
from pingtai.periods import Period
from pingtai.progress import Projection
from pingtai.render.jsonout import LeaveOut, document, dumps, jsonable
from pingtai.reports import LedgerSnapshot, build_agency_report, build_league
from pingtai.schema import validate
from pingtai.views import agency_rows, area_rows, indicator_rows, plan_rows, task_rows
from test_status import Got, Line, Value

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns" / "示例_市商务局_2024Q4.xlsx"
_SURROGATE = re.compile("[\ud800-\udfff]")


def plain_copy(value: Any, *, indent: int | None = None, leave_out: LeaveOut | None = None) -> str:
    """What the encoder replaced: the whole tree copied by ``jsonable``, then ``json.dumps``."""
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(jsonable(value, leave_out), ensure_ascii=False, indent=indent, separators=separators)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def same_text(value: Any, leave_out: LeaveOut | None = None) -> None:
    for indent in (None, 2, 0):
        assert dumps(value, indent=indent, leave_out=leave_out) == plain_copy(value, indent=indent,
                                                                              leave_out=leave_out)


HOSTILE = st.lists(st.one_of(st.characters(), st.sampled_from(["\udcff", "\ud800", "\x1b[2J", "\u202e", '"', "\\",
                                                                 "\n", "\t", "\x00", "</script>", "网络零售额"])),
                   max_size=8).map("".join)
"""Texts from returns: any character, lone surrogates (undecodable file-name bytes), escapes, quotes."""
INDICATORS = ["online_retail_sales", "platforms", "cross_border_ecommerce_trade", "data_ip_registrations",
              "local_standards", "monitored_livestream_rooms", "provincial_digital_factories"]
AGENCIES = ["市商务局", "市市场监管局", "市经信局", "柯桥区政府"]
PERIODS = st.builds(lambda year, pick: [Period(year), Period(year, "H", 1 + pick % 2), Period(year, "Q", 1 + pick % 4),
                                        Period(year, "M", 1 + pick % 12)][pick % 4],
                    st.integers(2021, 2026), st.integers(0, 47))
FIGURES = st.one_of(st.integers(0, 10**6).map(float), st.floats(0, 1e7, allow_nan=False),
                    st.sampled_from([0.1, 1e-7, 123456789.125, 5.0]))
VALUES = st.lists(st.builds(lambda ind, period, agency, number: Value(ind, period, agency, number,
                                                                      catalog().indicators[ind].unit),
                            st.sampled_from(INDICATORS), PERIODS, st.sampled_from(AGENCIES), FIGURES), max_size=40)
LINES = st.lists(st.builds(Line, st.sampled_from(["plan_2023_38", "zone_2023_5"]), st.integers(1, 12),
                           st.sampled_from(AGENCIES), PERIODS,
                           st.sampled_from([None, "not_started", "in_progress", "done", "late"]), HOSTILE, HOSTILE,
                           HOSTILE), max_size=8)
RECEIVED = st.lists(st.builds(Got, st.sampled_from(AGENCIES), PERIODS, st.dates(dt.date(2022, 1, 1), dt.date(2026, 6, 1)),
                              st.booleans(), st.sampled_from(["import", "return", "option"])), max_size=6)
AS_OF = st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31))
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@EXAMPLES
@given(VALUES, LINES, RECEIVED, AS_OF)
def test_dashboard_and_check(values: list[Value], lines: list[Line], received: list[Got], as_of: dt.date) -> None:
    report = build_status(catalog(), values, lines, received, as_of)
    same_text(report)
    same_text(report, {IndicatorStatus: {"history"}, Projection: {"used"}})
    same_text(build_check(catalog(), values, lines, received, as_of, remind_days=30))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES, LINES, RECEIVED, AS_OF)
def test_agency_report_and_league(values: list[Value], lines: list[Line], received: list[Got], as_of: dt.date) -> None:
    data = LedgerSnapshot(values, lines, received)
    same_text(build_agency_report(catalog(), data, "市商务局", as_of))
    same_text(build_league(catalog(), data, as_of))


def test_a_dashboard_with_projections_leaves_out_the_series() -> None:
    values = [Value("online_retail_sales", Period(year), "市商务局", 900 + 60 * (year - 2021)) for year in range(2021, 2025)]
    report = build_status(catalog(), values, [], [], dt.date(2025, 2, 1))
    rows = [r for r in report.indicators if r.id == "online_retail_sales" and r.plan == "plan_2023_38"]
    assert rows and all(r.projection is not None and r.projection.used and r.history for r in rows)
    series = {IndicatorStatus: {"history"}, Projection: {"used"}}
    same_text(report, series)
    written = json.loads(dumps(report, leave_out=series))
    retail = [r for r in written["indicators"] if r["id"] == "online_retail_sales" and r["plan"] == "plan_2023_38"]
    assert retail and all("history" not in r and "used" not in r["projection"] and r["projection"]["points"] == 4 for r in retail)
    assert json.loads(dumps(report)) == jsonable(report)  # nothing left out unless asked


def test_ledger_results(tmp_path: Path) -> None:
    store = service.Store(tmp_path / "ledger.sqlite3")
    imported = service.import_returns(catalog(), store, [EXAMPLE], now=dt.datetime(2025, 1, 20, tzinfo=dt.UTC))
    assert imported.exit_code == 0
    same_text(imported)
    same_text(service.batches(store))
    same_text(service.history(catalog(), store, "网络零售额").values)
    same_text(service.verify(store))
    same_text(service.status(catalog(), store, dt.date(2025, 1, 25)))


def test_the_bulletin_with_every_figure_and_its_refs(tmp_path: Path) -> None:
    db = example_ledger(tmp_path / "ledger.sqlite3")
    bulletin = service.bulletin(catalog(), service.Store(db), Period(2024))
    same_text(bulletin)
    figures = [p for s in json.loads(dumps(bulletin))["sections"] for b in s["blocks"] if b["kind"] == "paragraph"
               for p in b["parts"] if p["kind"] == "figure"]
    assert figures and all(f["refs"] and set(f["refs"][0]) == {"doc", "path"} for f in figures)


def test_browsing_rows() -> None:
    for rows in (plan_rows(catalog()), indicator_rows(catalog(), None, None), task_rows(catalog(), None, None, False),
                 agency_rows(catalog()), area_rows(catalog())):
        same_text(rows)


@dataclasses.dataclass(frozen=True)
class Odd:
    """What pingtai never builds but the contract still spells: NaN, infinities, keys that are not text."""

    figure: float
    figures: list[float]
    by_period: dict[Any, float]
    target: Target
    when: dt.datetime


def test_what_the_encoder_has_no_hook_for_is_spelled_as_before() -> None:
    odd = Odd(math.nan, [math.inf, -math.inf, 1.5], {Period(2024): 1.0, 3: math.nan, "x": 2.0},
              validate(Target, {"period": "2025", "comparator": ">=", "value": 10, "text": "目标", "source": "x"}),
              dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC))
    same_text(odd)
    assert json.loads(dumps(odd)) == {"figure": None, "figures": [None, None, 1.5],
                                      "by_period": {"2024": 1.0, "3": None, "x": 2.0},
                                      "target": jsonable(odd.target), "when": "2025-01-02T03:04:05+00:00"}


def test_lone_surrogates_are_escaped_and_round_trip() -> None:
    text = dumps({"file": "报表\udcff.xlsx"})
    assert text == '{"file":"报表\\udcff.xlsx"}'
    assert json.loads(text) == {"file": "报表\udcff.xlsx"}
    assert document([1]) == "[1]\n" and document([1], indent=1) == "[\n 1\n]\n"


def test_an_object_json_cannot_hold_is_still_refused() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"path": Path("x")})
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps([Odd])  # a class, not an instance
