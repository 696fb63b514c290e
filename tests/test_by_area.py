"""The area views (pingtai.by_area): an indicator across its areas — share, rank, contribution, the city's
figure and what is said when there is none — and one area's figures, judged only against its own targets.

Values are plain objects shaped like the ledger's current values; the catalog is the test catalog with
areas (绍兴市; 越城区, 柯桥区, 诸暨市; the zone 滨海新区).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from ledger_helpers import current
from pingtai.by_area import NO_TARGET_NOTE, NOT_JUDGED, area_figures, area_named, area_table, competition_ranks
from pingtai.errors import UnknownNameError, UsageError
from pingtai.ledger import CurrentValue
from pingtai.periods import Period
from pingtai.series import CITY
from workbooks import AREA_CATALOG, make_catalog

AS_OF = date(2025, 2, 1)
RETAIL = AREA_CATALOG.indicators["online_retail_sales"]


def v(area: str, period: str, number: float, ident: str = "online_retail_sales", **more: Any) -> CurrentValue:
    return current(area, period, number, ident, **more)


LAST_YEAR = [v(CITY, "2023", 700.0), v("越城区", "2023", 150.0), v("柯桥区", "2023", 270.0), v("诸暨市", "2023", 280.0),
             v("滨海新区", "2023", 40.0)]
THIS_YEAR = [v(CITY, "2024", 800.0, growth=14.3), v("越城区", "2024", 160.0, growth=6.7),
             v("柯桥区", "2024", 300.0, growth=5.0, note="口径调整"), v("诸暨市", "2024", 340.0), v("滨海新区", "2024", 50.0)]


def test_each_area_with_its_share_rank_and_contribution() -> None:
    table = area_table(AREA_CATALOG, RETAIL, LAST_YEAR + THIS_YEAR, AS_OF)
    assert str(table.period) == "2024" and table.additive
    assert (table.city.value, table.city.source, table.city.total, table.city.mismatch) == (800.0, "reported", 800.0,
                                                                                            False)
    rows = {r.area: r for r in table.rows}
    assert list(rows) == ["越城区", "柯桥区", "诸暨市", "滨海新区"]  # the order of areas.yaml
    kq = rows["柯桥区"]
    assert (kq.value, kq.yoy_reported, kq.share, kq.rank, kq.note, kq.code) == (300.0, 5.0, 0.375, 2, "口径调整", "330603")
    assert kq.yoy_computed == pytest.approx(300 / 270 * 100 - 100)
    assert kq.contribution == pytest.approx((300 - 270) / 700 * 100)  # points of the city's growth
    assert [rows[a].rank for a in rows] == [3, 2, 1, None]  # the zone is shown, never ranked
    assert rows["滨海新区"].share == pytest.approx(50 / 800) and not rows["滨海新区"].summed
    assert table.notes == []


def test_an_earlier_period_and_the_latest_by_default() -> None:
    earlier = area_table(AREA_CATALOG, RETAIL, LAST_YEAR + THIS_YEAR, AS_OF, Period(2023, "Q", 4))
    assert str(earlier.period) == "2023" and earlier.rows[0].value == 150.0
    assert earlier.rows[0].yoy_computed is None and earlier.rows[0].contribution is None  # no 2022 to go by
    back_dated = area_table(AREA_CATALOG, RETAIL, LAST_YEAR + THIS_YEAR, date(2024, 6, 30))
    assert str(back_dated.period) == "2023"  # the future is not seen


def test_without_a_city_figure_the_table_says_why() -> None:
    summed = area_table(AREA_CATALOG, RETAIL, [v("越城区", "2024", 160.0), v("柯桥区", "2024", 300.0),
                                               v("诸暨市", "2024", 340.0)], AS_OF)
    assert (summed.city.value, summed.city.source) == (800.0, "sum")
    assert summed.notes == ["2024年全市数为各区、县（市）合计（报表未给全市数）"]
    missing = area_table(AREA_CATALOG, RETAIL, [v("越城区", "2024", 160.0), v("滨海新区", "2024", 50.0)], AS_OF)
    assert missing.city.value is None and missing.city.missing == ["柯桥区", "诸暨市"]
    assert missing.notes == ["2024年无全市数：柯桥区、诸暨市未报，各区、县（市）数值不加总"]
    assert all(r.share is None and r.contribution is None for r in missing.rows)
    assert missing.rows[0].rank == 1  # ranked among the areas that reported


def test_a_ratio_has_no_sum_and_no_share() -> None:
    ratio = AREA_CATALOG.indicators["occupational_injury_coverage"]
    values = [v(area, "2024", number, "occupational_injury_coverage", unit="%")
              for area, number in (("越城区", 90.0), ("柯桥区", 80.0), ("诸暨市", 85.0))]
    table = area_table(AREA_CATALOG, ratio, values, AS_OF)
    assert not table.additive and table.city.value is None
    assert table.notes == ["2024年无全市数：比率指标不由各地区数值加总"]
    assert [(r.rank, r.share) for r in table.rows] == [(1, None), (3, None), (2, None), (None, None)]


def test_a_city_figure_far_from_its_areas_is_noted_with_both_numbers() -> None:
    values = [v(CITY, "2024", 900.0), *THIS_YEAR[1:]]
    table = area_table(AREA_CATALOG, RETAIL, values, AS_OF)
    assert table.city.mismatch and table.city.total == 800.0
    assert table.notes == ["全市数 900 与各区、县（市）合计 800 相差超出舍入误差（±2），请核实"]


def test_an_indicator_not_reported_by_area_has_no_table() -> None:
    with pytest.raises(UsageError, match="平台 不按地区填报"):
        area_table(AREA_CATALOG, AREA_CATALOG.indicators["platforms"], [], AS_OF)
    empty = area_table(AREA_CATALOG, RETAIL, [], AS_OF)
    assert empty.period is None and empty.notes == ["台账中尚无分地区数值"]
    assert all(r.value is None for r in empty.rows)


def test_competition_ranks() -> None:
    assert competition_ranks({"a": 5, "b": 9, "c": 5, "d": 1}) == {"b": 1, "a": 2, "c": 2, "d": 4}
    assert competition_ranks({}) == {}


# --- one area --------------------------------------------------------------------------------------------


def test_an_areas_figures_are_not_judged_against_the_citys_targets() -> None:
    found, judged = area_figures(AREA_CATALOG, AREA_CATALOG.plans, LAST_YEAR + THIS_YEAR, "柯桥区", AS_OF)
    assert judged == []
    retail = next(f for f in found if f.id == "online_retail_sales")
    assert (retail.actual, retail.rank, retail.ranked, retail.share, retail.city) == (300.0, 2, 3, 0.375, 800.0)
    assert (retail.judged, retail.status, retail.label, retail.note) == (False, None, NOT_JUDGED, NO_TARGET_NOTE)
    assert retail.yoy is not None and retail.yoy.reported == 5.0
    assert [p.value for p in retail.history] == [270.0, 300.0]
    # every indicator reported there is listed, with or without a figure; a city-only one is not
    assert [f.id for f in found] == ["online_retail_sales", "cross_border_ecommerce_trade", "online_business_entities",
                                     "occupational_injury_coverage"]
    assert all(f.actual is None for f in found[1:])


def test_an_areas_own_targets_judge_its_figures() -> None:
    catalog = make_catalog(by_area=True, area_targets={"online_retail_sales": [
        {"area": "柯桥区", "targets": [{"period": 2024, "comparator": ">=", "value": 320, "text": "320亿元以上",
                                     "source": "办公室分解"}]}]})
    found, judged = area_figures(catalog, catalog.plans, LAST_YEAR + THIS_YEAR, "柯桥区", AS_OF)
    [row] = judged
    assert (row.id, row.area, row.actual, row.period) == ("online_retail_sales", "柯桥区", 300.0, Period(2024))
    assert row.status == "missed" and row.final  # 300 < 320 and the 2024 return's deadline is past
    retail = next(f for f in found if f.id == "online_retail_sales")
    assert (retail.judged, retail.status, retail.label, retail.note) == (True, "missed", row.label, "")
    assert retail.target is not None and retail.target.value == 320
    # another area of the same indicator has no target of its own
    other, _ = area_figures(catalog, catalog.plans, LAST_YEAR + THIS_YEAR, "越城区", AS_OF)
    assert next(f for f in other if f.id == "online_retail_sales").status is None


def test_which_area_a_view_is_for() -> None:
    assert area_named(AREA_CATALOG, "柯桥").name == "柯桥区"
    assert area_named(AREA_CATALOG, "330681").name == "诸暨市"
    with pytest.raises(UnknownNameError) as unknown:
        area_named(AREA_CATALOG, "柯乔区")
    assert unknown.value.suggestions == ["柯桥区"]
    with pytest.raises(UsageError, match="是全市"):
        area_named(AREA_CATALOG, "全市")
    with pytest.raises(UsageError, match="不能同时使用"):
        area_named(AREA_CATALOG, "柯桥区", agency="市商务局")
