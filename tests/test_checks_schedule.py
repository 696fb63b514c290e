"""The reporting calendar's overrides (per indicator, per agency), reminders and the next due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pingtai.assess import build_status
from pingtai.errors import CatalogError
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.schedule import (
    PlanSchedule,
    Rule,
    latest_due_point,
    next_due,
    outstanding_returns,
    plan_schedule,
    upcoming_returns,
)

BASE = PlanSchedule(plan="t", first=Period(2024, "Q", 1), last=Period(2027), agencies=("市商务局", "市统计局"),
                    indicator_rules=(("platforms", Rule(due_days=60)),),
                    agency_rules=(("市统计局", Rule(due_days=30, grace_days=2)),))


@dataclass(frozen=True)
class Got:
    agency: str
    period: Period
    received: date = date(2000, 1, 1)
    backfill: bool = False
    source: str = "import"
    received_at: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    batch: int = 1


@dataclass(frozen=True)
class Value:
    indicator: str
    period: Period
    value: float
    agency: str
    unit: str
    imported_at: None = None
    area: str = ""
    growth: float | None = None
    last_year: float | None = None
    raw: str = ""
    note: str = ""


def test_an_indicator_rule_moves_its_due_date_only() -> None:
    own = BASE.for_indicator("platforms")
    assert (own.due_days, own.grace_days, own.agencies) == (60, 0, BASE.agencies)
    assert own.for_indicator("platforms") == own  # applying twice changes nothing
    assert BASE.for_indicator("online_retail_sales") is BASE
    # 2024 + 60 days = 2025-03-01: owed from 2025-03-02
    assert latest_due_point(own, date(2025, 3, 1), "annual") is None
    assert latest_due_point(own, date(2025, 3, 2), "annual") == Period(2024)
    assert latest_due_point(BASE, date(2025, 1, 21), "annual") == Period(2024)


def test_an_indicator_rule_can_make_it_annual() -> None:
    annual = PlanSchedule(plan="t", first=Period(2024, "Q", 1), indicator_rules=(("x", Rule(frequency="annual")),))
    assert latest_due_point(annual.for_indicator("x"), date(2025, 7, 21), "quarterly") == Period(2024)
    assert latest_due_point(annual, date(2025, 7, 21), "quarterly") == Period(2025, "H", 1)


@pytest.mark.parametrize(("as_of", "missing"), [
    (date(2025, 4, 20), set()),                                   # the due date: nobody late
    (date(2025, 4, 21), {"市商务局"}),                              # the day after: the plan's rule
    (date(2025, 5, 2), {"市商务局"}),                               # 市统计局: due 04-30, grace to 05-02
    (date(2025, 5, 3), {"市商务局", "市统计局"}),
])
def test_an_agency_rule_moves_its_returns(as_of: date, missing: set[str]) -> None:
    received = [Got(a, p) for a in BASE.agencies for p in (Period(2024, "Q", 1), Period(2024, "H", 1),
                                                           Period(2024, "Q", 3), Period(2024))]
    got = outstanding_returns(load_catalog(), received, as_of, [BASE])
    assert {r.agency for r in got if r.period == Period(2025, "Q", 1)} == missing
    for r in got:
        assert r.missing_since == (date(2025, 5, 3) if r.agency == "市统计局" else date(2025, 4, 21))


def test_upcoming_returns_window_grace_and_received() -> None:
    catalog = load_catalog()
    # on 04-13 with 7 days: the Q1 return (due 04-20) of both, 7 days left
    soon = upcoming_returns(catalog, [], date(2025, 4, 13), 7, [BASE])
    assert [(r.agency, str(r.period), r.days_left) for r in soon] == [("市商务局", "2025Q1", 7)]
    assert upcoming_returns(catalog, [], date(2025, 4, 12), 7, [BASE]) == []
    # 市统计局's own calendar: due 04-30, still in grace on 05-01 (days_left < 0), missing on 05-03
    later = upcoming_returns(catalog, [], date(2025, 5, 1), 0, [BASE])
    assert [(r.agency, r.days_left, r.missing_after) for r in later] == [("市统计局", -1, date(2025, 5, 2))]
    assert upcoming_returns(catalog, [], date(2025, 5, 3), 0, [BASE]) == []
    # a return already received is not a reminder
    assert upcoming_returns(catalog, [Got("市商务局", Period(2025, "Q", 1))], date(2025, 4, 13), 7, [BASE]) == []


def test_next_due_is_the_next_return() -> None:
    assert next_due(BASE, date(2025, 4, 20)).due == date(2025, 4, 20)  # type: ignore[union-attr]
    assert next_due(BASE, date(2025, 4, 21)).period == Period(2025, "H", 1)  # type: ignore[union-attr]
    assert next_due(BASE, date(2028, 2, 1)) is None  # past the plan's last period


def test_the_bundled_plans_carry_their_rules() -> None:
    catalog = load_catalog()
    plan38 = plan_schedule(catalog, catalog.plans[0])
    assert plan38.office == "市平台经济工作领导小组办公室" and plan38.escalate_days == 14
    assert plan38.for_indicator("provincial_digital_factories").due_days == 60
    zone = catalog.plan("zone_2023_5")
    assert zone is not None and plan_schedule(catalog, zone).office == "市市场监管局"


def test_status_judges_an_indicator_on_its_own_calendar() -> None:
    """38号's provincial digital factories are due 60 days after year end: on 2025-02-01 the 2023
    figure still stands; from 2025-03-02 the missing 2024 figure makes it no_data."""
    catalog = load_catalog()
    values = [Value("provincial_digital_factories", Period(2023), 3, "市经信局", "家")]

    def status_on(day: date) -> str:
        report = build_status(catalog, values, [], [], day, plan="38号")
        return next(r.status for r in report.indicators if r.id == "provincial_digital_factories")

    assert status_on(date(2025, 3, 1)) != "no_data"
    assert status_on(date(2025, 3, 2)) == "no_data"
    # an indicator without a rule is owed on 2025-01-21 already
    other = [Value("provincial_industrial_internet_platforms", Period(2023), 52, "市经信局", "个"),
             Value("platforms", Period(2023), 85, "市商务局", "个")]
    report = build_status(catalog, other, [], [], date(2025, 2, 1), plan="38号")
    by_id = {r.id: r.status for r in report.indicators}
    assert by_id["platforms"] == "no_data" and by_id["provincial_industrial_internet_platforms"] != "no_data"


def _write_schedule(data: Path, block: str) -> None:
    path = data / "plan_2023_38.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("schedule:\n")
    end = text.index("\ngoals:")
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def test_overrides_are_checked_with_file_and_line(data_copy: Path) -> None:
    _write_schedule(data_copy, (
        "schedule:\n"
        "  office: 平台办\n"
        "  by_indicator:\n"
        "    - {indicator: platforms, due_days: 60}\n"
        "    - {indicator: no_such_indicator, due_days: 60}\n"
        "    - {indicator: platforms, grace_days: 3}\n"
        "  by_agency:\n"
        "    - {agency: 商务局, due_days: 30}\n"
        "    - {agency: 市统计局, due_days: 30}\n"
        "    - {agency: 市统计局, due_days: 31}\n"
    ))
    with pytest.raises(CatalogError) as caught:
        load_catalog(data_copy)
    lines = [str(p) for p in caught.value.problems]
    text = "\n".join(lines)
    assert "no_such_indicator" in text and "报送安排重复" in text
    assert "单位请写规范名 '市商务局'" in text  # an alias, not the canonical name
    assert "未知单位 '平台办'" in text
    [located] = [line for line in lines if "no_such_indicator" in line]
    assert located.startswith(f"{data_copy / 'plan_2023_38.yaml'}:")
    line = int(located.split(":")[1])
    assert "no_such_indicator" in (data_copy / "plan_2023_38.yaml").read_text(encoding="utf-8").splitlines()[line - 1]


def test_unknown_keys_in_an_override_are_refused(data_copy: Path) -> None:
    _write_schedule(data_copy, "schedule:\n  by_agency:\n    - {agency: 市统计局, due: 30}\n")
    with pytest.raises(CatalogError) as caught:
        load_catalog(data_copy)
    assert any("due" in str(p) and "plan_2023_38.yaml:" in str(p) for p in caught.value.problems)
