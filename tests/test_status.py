"""The dashboard builder (assess.py) and its console rendering, with plain objects for the ledger."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pingtai.assess import build_detail, build_status
from pingtai.catalog import Catalog
from pingtai.errors import UnknownNameError, UsageError
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.progress import CATEGORY_LABELS, JUDGEMENT_LABELS, METHOD_LABELS, STATUS_LABELS
from pingtai.render.console import Output
from pingtai.render.format import num
from pingtai.render.jsonout import jsonable
from pingtai.render.status import chart, render_detail, render_status, sparkline

GREEN = {"achieved", "on_track"}


@dataclass(frozen=True)
class Value:
    """A current value as the ledger hands it over (``ledger.CurrentValue``'s fields the rules read)."""

    indicator: str
    period: Period
    agency: str
    value: float
    unit: str = "亿元"
    imported_at: datetime = datetime(2025, 1, 10)
    area: str = ""
    growth: float | None = None
    last_year: float | None = None
    raw: str = ""
    note: str = ""


@dataclass(frozen=True)
class Line:
    plan: str
    task: int
    agency: str
    period: Period
    status: str | None
    progress: str = ""
    issues: str = ""
    next_steps: str = ""


@dataclass(frozen=True)
class Got:
    agency: str
    period: Period
    received: date = date(2000, 1, 1)
    backfill: bool = False
    source: str = "import"
    received_at: datetime = datetime(2000, 1, 1, tzinfo=UTC)
    batch: int = 1


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


RETAIL = [Value("online_retail_sales", Period(2023), "市商务局", 1010),
          Value("online_retail_sales", Period(2024), "市商务局", 1150)]


def test_two_plans_judge_the_same_value_differently(catalog: Catalog) -> None:
    report = build_status(catalog, RETAIL, [], [], date(2025, 2, 1))
    plan38 = next(r for r in report.indicators if r.plan == "plan_2023_38" and r.id == "online_retail_sales")
    zone = next(r for r in report.indicators if r.plan == "zone_2023_5" and r.id == "online_retail_sales")
    assert (plan38.status, plan38.actual, plan38.expected, plan38.target) == ("on_track", 1150, 1100, 1400)
    assert (zone.status, zone.label, zone.final) == ("achieved", "已达成", True)
    data = jsonable(report)
    first = data["indicators"][0]
    for key in ("plan", "id", "name", "unit", "period", "actual", "expected", "target", "status",
                "method", "tolerance", "completion", "milestones", "projection", "progress_ratio"):
        assert key in first
    assert data["as_of"] == "2025-02-01" and "tasks" in data and "returns" in data


def test_empty_ledger_shows_no_green(catalog: Catalog) -> None:
    for as_of in (date(2024, 3, 1), date(2025, 7, 25), date(2028, 6, 1)):
        report = build_status(catalog, [], [], [], as_of)
        assert report.indicators and not [r for r in report.indicators if r.status in GREEN]
        assert {t.status for t in report.tasks} == {"unreported"}
        assert all(p.counts["no_data"] == len([r for r in report.indicators if r.plan == p.plan])
                   for p in report.plans)
    out = io.StringIO()
    render_status(build_status(catalog, [], [], [], date(2025, 7, 25)), Output(out))
    assert "正常" not in out.getvalue() and "已达成" not in out.getvalue()


def test_owner_value_counts_and_units_convert(catalog: Catalog) -> None:
    values = [
        Value("online_retail_sales", Period(2024), "市商务局", 1150, imported_at=datetime(2025, 1, 5)),
        Value("online_retail_sales", Period(2024), "柯桥区政府", 900, imported_at=datetime(2025, 1, 9)),
        Value("cross_border_ecommerce_trade", Period(2024), "柯桥区政府", 1_600_000, "万元"),
        Value("unknown_indicator", Period(2024), "市商务局", 1),
    ]
    report = build_status(catalog, values, [], [], date(2025, 2, 1), plan="5号")
    retail = next(r for r in report.indicators if r.id == "online_retail_sales")
    assert retail.actual == 1150 and retail.history[0].agency == "市商务局"
    trade = next(r for r in report.indicators if r.id == "cross_border_ecommerce_trade")
    assert trade.actual == pytest.approx(160) and trade.status == "achieved"
    assert [p.plan for p in report.plans] == ["zone_2023_5"] and report.plan == "zone_2023_5"


def test_agency_filter(catalog: Catalog) -> None:
    report = build_status(catalog, [], [], [], date(2025, 7, 25), agency="经信局")
    assert report.agency == "市经信局"
    assert {r.id for r in report.indicators} == {"provincial_industrial_internet_platforms",
                                                 "provincial_digital_factories"}
    assert {(t.plan, t.number) for t in report.tasks} == {("plan_2023_38", 2), ("zone_2023_5", 2),
                                                          ("zone_2023_5", 3)}
    assert report.returns and {r.agency for r in report.returns} == {"市经信局"}
    with pytest.raises(UnknownNameError):
        build_status(catalog, [], [], [], date(2025, 7, 25), agency="市经信厅局")


def test_task_states(catalog: Catalog) -> None:
    h1, q1 = Period(2025, "H", 1), Period(2025, "Q", 1)
    lines = [
        Line("plan_2023_38", 1, "市商务局", h1, "late", issues="招引不及预期", next_steps="加快对接"),
        Line("plan_2023_38", 1, "市发改委", h1, "done"),  # a co-unit's line does not decide
        Line("plan_2023_38", 2, "市经信局", q1, "in_progress"),  # stale
        Line("plan_2023_38", 3, "市农业农村局", q1, "done"),  # stale but done
        Line("plan_2023_38", 5, "市市场监管局", h1, None, progress="已开展"),
        Line("plan_2023_38", 13, "市邮政管理局", h1, "not_started"),
        Line("plan_2023_38", 14, "市平台经济工作领导小组办公室", h1, "in_progress"),  # lead is the group
        Line("plan_2023_38", 6, "市市场监管局", h1, "in_progress"),
        Line("plan_2023_38", 6, "市市场监管局", Period(2024), "late"),
    ]
    report = build_status(catalog, [], lines, [], date(2025, 7, 25), plan="38号")
    state = {t.number: t for t in report.tasks}
    assert state[1].status == "late" and state[1].agencies == ["市商务局"] and state[1].issues == "招引不及预期"
    assert (state[2].status, state[2].last_status, state[2].label) == ("unreported", "in_progress", "未报")
    assert state[3].status == "done"
    assert state[5].status == "unmarked" and state[5].progress == "已开展"
    assert state[13].status == "not_started"
    assert state[14].status == "in_progress"
    assert state[6].status == "in_progress"  # the latest period counts
    assert state[7].status == "unreported" and state[7].period is None
    assert [t.number for t in report.late_tasks] == [1]
    first = next(a for a in report.actions if a.action == "一")
    assert first.tasks == 4 and (first.counts["late"], first.counts["done"], first.counts["unreported"]) == (1, 1, 2)


def test_returns_for_the_current_period(catalog: Catalog) -> None:
    as_of = date(2025, 7, 25)
    before = build_status(catalog, [], [], [], as_of)
    assert before.returns_period == Period(2025, "H", 1)
    assert all(r.period == Period(2025, "H", 1) and r.days_overdue == 5 for r in before.returns)
    received = [Got("市商务局", Period(2025, "Q", 2)), Got("市商务局", Period(2025, "Q", 1))]
    after = build_status(catalog, [], [], received, as_of)
    assert len(after.returns) == len(before.returns) - 1
    assert after.returns_backlog == before.returns_backlog - 1
    assert "市商务局" not in {r.agency for r in after.returns}


def test_detail_resolves_names_and_stops_at_the_final_target(catalog: Catalog) -> None:
    values = [*RETAIL, Value("online_retail_sales", Period(2025, "H", 1), "市商务局", 590)]
    detail = build_detail(catalog, values, "网上零售额", date(2025, 7, 25))
    assert detail.id == "online_retail_sales" and [p.plan for p in detail.plans] == ["plan_2023_38", "zone_2023_5"]
    zone = detail.plans[1]
    h1 = next(r for r in zone.rows if r.period == Period(2025, "H", 1))
    assert h1.actual == 590 and h1.expected is None  # past 5号's final target
    plan38 = detail.plans[0]
    assert plan38.status.status == "at_risk"
    assert next(r for r in plan38.rows if r.period == Period(2025, "H", 1)).method == "linear_share"
    only = build_detail(catalog, values, "ONLINE_RETAIL_SALES", date(2025, 7, 25), plan="5号")
    assert [p.plan for p in only.plans] == ["zone_2023_5"]
    with pytest.raises(UsageError):
        build_detail(catalog, values, "平台", date(2025, 7, 25), plan="5号")
    with pytest.raises(UnknownNameError) as caught:
        build_detail(catalog, values, "网络零售", date(2025, 7, 25))
    assert any("网络零售额" in s for s in caught.value.suggestions)


# --- rendering -------------------------------------------------------------------------------


def test_plain_output_has_no_escape_codes_and_terminal_output_has_colour(
        catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    report = build_status(catalog, RETAIL, [Line("plan_2023_38", 1, "市商务局", Period(2024), "late")], [],
                          date(2025, 2, 1))
    plain = io.StringIO()
    render_status(report, Output(plain))
    text = plain.getvalue()
    assert "\x1b" not in text
    assert "网络零售额\t亿元\t2022: 921\t1150（2024）\t1100\t2025: 1200（达到）\t2027: 1400（超过）\t95.8%（2025）\t正常" in text
    assert "已达成（终）" in text and "# 滞后任务" in text and "# 应报未报（2024）" in text
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    coloured = io.StringIO()
    render_status(report, Output(coloured))
    assert "\x1b[" in coloured.getvalue() and "正常" in coloured.getvalue()


def test_detail_rendering_and_chart(catalog: Catalog) -> None:
    detail = build_detail(catalog, RETAIL, "online_retail_sales", date(2025, 2, 1), plan="38号")
    out = io.StringIO()
    render_detail(detail, Output(out))
    text = out.getvalue()
    assert "\x1b" not in text
    assert "2024\t1100\t按目标路径\t1150\t市商务局\t+4.5%\t正常" in text
    assert "预测：2027 约" in text and "依据 3 个点：2022: 921、2023: 1010、2024: 1150" in text
    assert "进展比率：1.34（显著进展" in text
    lines = [str(line) for line in chart(detail.plans[0].rows, terminal=False, width=20)]
    bar_2024 = next(line for line in lines if line.startswith("2024"))
    assert bar_2024.count("#") == 16 and "|" in bar_2024  # 1150/1400×20 = 16.4 → 16, mark at 1100 → 16


def test_small_formatters() -> None:
    assert [num(v) for v in (1100.0, 117.5, 1604.557, None, -0.001)] == ["1100", "117.5", "1604.56", "—", "0"]
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8]) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5]) == "▄▄" and sparkline([]) == ""


def test_a_back_dated_view_ignores_later_periods(catalog: Catalog) -> None:
    values = [*RETAIL, Value("online_retail_sales", Period(2025, "H", 1), "市商务局", 590)]
    lines = [Line("plan_2023_38", 1, "市商务局", Period(2025, "H", 1), "late")]
    report = build_status(catalog, values, lines, [], date(2025, 2, 1), plan="38号")
    retail = next(r for r in report.indicators if r.id == "online_retail_sales")
    assert (retail.period, retail.status) == (Period(2024), "on_track")
    assert [p.period for p in retail.history] == [Period(2023), Period(2024)]
    assert not report.late_tasks


def test_progress_doc_names_every_status_label_and_method() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "progress.md").read_text(encoding="utf-8")
    for key, label in [*STATUS_LABELS.items(), *CATEGORY_LABELS.items()]:
        assert f"`{key}`" in doc or key in doc, key
        assert label in doc, label
    for key in [*METHOD_LABELS, *JUDGEMENT_LABELS]:
        assert f"`{key}`" in doc, key


def test_received_returns_of_the_current_period_show_both_days(catalog: Catalog) -> None:
    as_of = date(2025, 7, 25)
    imported = datetime(2025, 8, 2, 1, tzinfo=UTC)
    received = [Got("市商务局", Period(2025, "H", 1), date(2025, 7, 18), source="return", received_at=imported),
                Got("市经信局", Period(2025, "H", 1), date(2025, 7, 23), source="option", received_at=imported),
                Got("市市场监管局", Period(2025, "H", 1), date(2025, 7, 28))]  # after as_of: not yet in
    report = build_status(catalog, [], [], received, as_of)
    rows = {r.agency: (r.received, r.received_source, r.imported, r.due, r.state, r.label) for r in report.received}
    assert rows == {"市商务局": (date(2025, 7, 18), "return", date(2025, 8, 2), date(2025, 7, 20), "on_time", "按时"),
                    "市经信局": (date(2025, 7, 23), "option", date(2025, 8, 2), date(2025, 7, 20), "late", "逾期报送")}
    assert "市市场监管局" in {r.agency for r in report.returns}  # received only on 07-28: outstanding on 07-25
    out = io.StringIO()
    render_status(report, Output(out))
    assert "# 已收报表（2025H1）\n单位\t收到日期\t日期来源\t导入日期\t应报日期\t状态\n市商务局\t2025-07-18\t报表所填日期\t2025-08-02" \
        in out.getvalue()


def test_the_dashboard_says_why_the_areas_make_no_city_figure(catalog: Catalog) -> None:
    values = [Value("online_retail_sales", Period(2023), "市商务局", 1010),
              Value("online_retail_sales", Period(2024), "市商务局", 350, area="柯桥区"),
              Value("online_retail_sales", Period(2024), "市商务局", 170, area="越城区")]
    report = build_status(catalog, values, [], [], date(2025, 2, 1), plan="38号")
    row = next(r for r in report.indicators if r.id == "online_retail_sales")
    assert (row.period, row.actual) == (Period(2023), 1010)  # the areas' 2024 figures are no city figure
    assert "2024年只有部分区、县（市）的数值（上虞区、新昌县、诸暨市、嵊州市未报），且无全市数：各地区数值不加总为全市数" in row.notes
    # all six in: their sum is the city's 2024 figure, reported by 各区、县（市）合计
    more = [Value("online_retail_sales", Period(2024), "市商务局", n, area=a)
            for a, n in (("上虞区", 160), ("新昌县", 66), ("诸暨市", 262), ("嵊州市", 142))]
    summed = build_status(catalog, values + more, [], [], date(2025, 2, 1), plan="38号")
    row = next(r for r in summed.indicators if r.id == "online_retail_sales")
    assert (row.period, row.actual, row.history[-1].agency) == (Period(2024), 1150, "各区、县（市）合计")
    assert row.yoy is not None and row.yoy.computed == pytest.approx(1150 / 1010 * 100 - 100)
