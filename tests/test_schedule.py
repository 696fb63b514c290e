"""The reporting calendar: due dates, the latest period owed, outstanding returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pingtai.errors import CatalogError
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.schedule import (
    PlanSchedule,
    default_agencies,
    due_periods,
    latest_due_point,
    outstanding_returns,
    plan_schedule,
    reporting_kind,
)

QUARTERLY = PlanSchedule(plan="t", first=Period(2024, "Q", 1), last=Period(2027))


@dataclass(frozen=True)
class Got:
    agency: str
    period: Period
    received: date = date(2000, 1, 1)
    backfill: bool = False
    source: str = "import"
    received_at: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    batch: int = 1


@pytest.mark.parametrize(("as_of", "latest"), [
    (date(2025, 4, 10), Period(2024)),        # Q4 is stored as the year
    (date(2025, 4, 20), Period(2024)),        # the due day itself: not yet missing
    (date(2025, 4, 21), Period(2025, "Q", 1)),
    (date(2025, 7, 21), Period(2025, "H", 1)),  # Q2 is stored as H1
    (date(2025, 10, 21), Period(2025, "Q", 3)),
    (date(2024, 4, 20), None),                # nothing owed yet
])
def test_latest_due_point_quarterly(as_of: date, latest: Period | None) -> None:
    assert latest_due_point(QUARTERLY, as_of) == latest


def test_annual_indicator_on_a_quarterly_calendar_is_owed_once_a_year() -> None:
    assert latest_due_point(QUARTERLY, date(2025, 1, 20), "annual") is None
    assert latest_due_point(QUARTERLY, date(2025, 1, 21), "annual") == Period(2024)
    assert latest_due_point(QUARTERLY, date(2025, 12, 31), "annual") == Period(2024)
    assert reporting_kind("quarterly", "monthly") == "Q"
    assert reporting_kind("quarterly", "annual") == "Y"


def test_grace_days_move_the_missing_date_not_the_due_date() -> None:
    graced = PlanSchedule(plan="t", first=Period(2024, "Q", 1), grace_days=5)
    assert graced.due_date(Period(2025, "Q", 1)) == date(2025, 4, 20)
    assert latest_due_point(graced, date(2025, 4, 25)) == Period(2024)
    assert latest_due_point(graced, date(2025, 4, 26)) == Period(2025, "Q", 1)


def test_due_periods_stop_at_the_plan_end() -> None:
    short = PlanSchedule(plan="t", first=Period(2023, "Q", 1), last=Period(2024))
    owed = due_periods(short, date(2026, 1, 1))
    assert [str(d.period) for d in owed] == ["2023Q1", "2023H1", "2023Q3", "2023",
                                             "2024Q1", "2024H1", "2024Q3", "2024"]
    assert owed[-1].due == date(2025, 1, 20)
    assert latest_due_point(short, date(2026, 1, 1)) == Period(2024)


def test_real_plans_resolve_their_calendars() -> None:
    catalog = load_catalog()
    plan38 = plan_schedule(catalog, catalog.plans[0])
    assert plan38.first == Period(2023, "Q", 4) and plan38.last == Period(2027)
    assert "市商务局" in plan38.agencies
    # groups such as 各区、县（市）政府 owe nothing as such
    assert all(a in {x.name for x in catalog.agencies.agencies} for a in plan38.agencies)
    zone = catalog.plan("zone_2023_5")
    assert zone is not None
    assert default_agencies(catalog, zone) == ("市市场监管局", "市发改委", "市商务局")


def test_outstanding_returns_merge_plans_and_subtract_received() -> None:
    catalog = load_catalog()
    as_of = date(2024, 1, 25)  # 2023 (Q4) due 2024-01-20 for both plans
    missing = outstanding_returns(catalog, [], as_of)
    q4 = [r for r in missing if r.period == Period(2023)]
    commerce = next(r for r in q4 if r.agency == "市商务局")
    assert commerce.plans == ("plan_2023_38", "zone_2023_5")
    assert commerce.due == date(2024, 1, 20) and commerce.days_overdue == 5
    # 38号 owes nothing before 2023Q4; 5号 owes from 2023Q1
    assert {r.plans for r in missing if r.period == Period(2023, "Q", 1)} == {("zone_2023_5",)}
    # a fourth-quarter return is the year's point
    received = [Got("市商务局", Period(2023, "Q", 4)), Got("市商务局", Period(2023, "Q", 3))]
    after = outstanding_returns(catalog, received, as_of)
    assert not [r for r in after if r.agency == "市商务局" and r.period in (Period(2023), Period(2023, "Q", 3))]
    # … and the year's return makes the year's earlier missing ones moot (2023Q1, 2023H1): no longer chased
    assert not [r for r in after if r.agency == "市商务局"]
    assert len(after) == len(missing) - 4


def test_schedule_in_yaml_is_checked(data_copy: Path) -> None:
    path = data_copy / "zone_2023_5.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  first: 2023Q1\n", "  first: 2023Q1\n  agencies: [市商务厅]\n  due_day: 3\n"),
                    encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(data_copy)
    messages = "\n".join(str(p) for p in caught.value.problems)
    assert "due_day" in messages
    path.write_text(text.replace("  first: 2023Q1\n", "  first: 2023Q1\n  agencies: [市商务厅]\n"), encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(data_copy)
    problem = caught.value.problems[0]
    assert problem.code == "unknown-agency" and "zone_2023_5.yaml:" in problem.where
