"""The bundled plan data against tables typed independently from the two source documents.

The tables below were written from 绍政办发〔2023〕38号 and 绍政发〔2023〕5号 themselves (not generated
from the YAML): if a figure, a unit, a comparator, a task's units or their order changes in
``data/``, one of these tests says which.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pingtai.agencies import AgencyIndex
from pingtai.catalog import AgencyRegistry, AreaRegistry, Catalog, Plan, PlanFile, PlanIndicator, assemble
from pingtai.periods import Period
from pingtai.schema import validate

DATA = Path(__file__).parents[1] / "data"
G = "各区、县（市）政府"
OFFICE_AND_MEMBERS = "市平台经济工作领导小组办公室及成员单位"

# --- 38号 二、主要指标表 ------------------------------------------------------------------------
# id: (name, unit, 2022 actual, 2023, 2025, 2027, 2027 comparator, task restating it)
TABLE_38: dict[str, tuple[str, str, float, float, float, float, str, int]] = {
    "online_retail_sales": ("网络零售额", "亿元", 921, 1000, 1200, 1400, ">", 1),  # 超过 (task 1)
    "online_business_entities": ("网络经营主体", "万家", 6.7, 12, 16, 20, ">", 1),  # 突破 (二、“2”)
    "platforms": ("平台", "个", 51, 85, 150, 200, ">", 1),  # 突破 (二、“2”)
    "provincial_industrial_internet_platforms": ("省级工业互联网平台", "个", 42, 52, 62, 75, ">=", 2),
    "provincial_digital_factories": ("省级数字工厂", "家", 2, 3, 5, 8, ">=", 2),
    "rural_express_stations": ("农村快递“共富驿站”", "个", 125, 225, 260, 300, "=", 13),
    "local_standards": ("平台经济领域地方标准", "项", 3, 5, 7, 10, ">=", 16),
    "data_ip_registrations": ("数据知识产权登记", "件", 0, 300, 500, 1000, ">=", 12),
}

# --- 38号 quantitative targets in the goals and tasks ------------------------------------------------
# id: (name, unit, period, comparator, value or (low, high), task, first year of a recurring target)
TASK_TARGETS_38: dict[str, tuple[str, str, int, str, float | tuple[float, float], int | None, int | None]] = {
    "industry_clusters": ("重点产业集群", "个", 2027, "~", 10, None, None),
    "billion_yuan_platforms": ("亿元级平台", "个", 2027, ">=", 10, 1, None),
    "agricultural_industry_brains": ("农业产业大脑", "个", 2027, "=", 4, 3, None),
    "future_farms": ("未来农场", "个", 2027, "=", 8, 3, None),
    "livestream_common_prosperity_workshops": ("直播式“共富工坊”", "家", 2027, ">=", 100, 3, None),
    "provincial_ecommerce_villages": ("省级电子商务专业村", "个", 2027, ">=", 70, 3, None),
    "data_element_pilot_counties": ("省数据要素改革试点县", "个", 2027, "range", (1, 2), 4, None),
    "green_channel_enterprises": ("绿色通道入驻企业", "家", 2027, ">=", 550, 7, None),
    "occupational_injury_coverage": ("职业伤害保障政策覆盖率", "%", 2027, "=", 100, 8, None),
    "collective_wage_bargaining_contests": ("工资集体协商竞赛", "次", 2027, ">=", 2, 8, None),
    "platform_economy_majors": ("平台经济相关专业", "个", 2027, ">=", 25, 9, None),
    "shuangjian_shuangling_projects": ("省“双尖双领”攻关项目", "项", 2027, ">=", 8, 11, 2024),
    "provincial_sci_tech_awards": ("省科学技术奖", "项", 2027, ">=", 8, 11, None),
    "unmanned_delivery_vehicles": ("无人配送车辆", "台", 2027, "=", 8, 13, None),
    "smart_parcel_lockers": ("智能快递柜", "组", 2027, "=", 200, 13, None),
    "standardization_pilots": ("平台经济领域标准化试点", "项", 2027, ">=", 5, 16, None),
    "standard_research_output_ratio": ("标准研究成果比率", "%", 2027, ">=", 60, 16, None),
    "monitored_livestream_rooms": ("监测直播间", "个", 2027, ">=", 7000, 19, None),
}

# --- 38号 三、主要举措: number -> (action, 责任单位 in document order) -------------------------------
TASKS_38: dict[int, tuple[str, list[str]]] = {
    1: ("一", ["市商务局", "市发改委", "市市场监管局", "市投资促进中心", G]),
    2: ("一", ["市经信局", "市发改委"]),
    3: ("一", ["市农业农村局", "市商务局", "市供销总社"]),
    4: ("一", ["市文广旅游局", "市委宣传部", "市卫生健康委", "市医保局", "市交通运输局", "市发改委", "市大数据局",
              "市国资运营公司", "上虞区政府"]),
    5: ("二", ["市市场监管局", "市发改委"]),
    6: ("二", ["市市场监管局", "市司法局"]),
    7: ("二", ["市市场监管局", "市司法局"]),
    8: ("二", ["市人力社保局", "市医保局", "市总工会"]),
    9: ("三", ["市教育局", "市委人才办", "市人力社保局"]),
    10: ("三", ["中国人民银行绍兴市分行", "市金融办", "绍兴海关", "市税务局"]),
    11: ("三", ["市科技局", "市财政局", "市发改委"]),
    12: ("三", ["市市场监管局", "市司法局", "越城区政府"]),
    13: ("三", ["市邮政管理局", "市交通运输局", "市发改委", G]),
    14: ("四", [OFFICE_AND_MEMBERS]),
    15: ("四", ["市发改委", "市市场监管局"]),
    16: ("四", ["市市场监管局", "市科技局"]),
    17: ("四", [OFFICE_AND_MEMBERS]),
    18: ("五", [OFFICE_AND_MEMBERS]),
    19: ("五", ["市市场监管局", "市委网信办", "市公安局", "市发改委", "市大数据局", "诸暨市政府"]),
    20: ("五", ["市委网信办", "市市场监管局", "市商务局", "市交通运输局", "市税务局", "市公安局"]),
}

# --- 5号 二、（一）: the two quantitative goals for end-2024 -----------------------------------------
# id: (name, unit, period, comparator, value)
GOALS_5: dict[str, tuple[str, str, int, str, float]] = {
    "online_retail_sales": ("网络零售额", "亿元", 2024, ">", 1000),  # 超1000亿元
    "cross_border_ecommerce_trade": ("跨境电商进出口总额", "亿元", 2024, "=", 150),  # 达150亿元
}

# --- 5号 三、主要任务 (task 9's 市人社社保局 and the annex's 市人社保局 are 市人力社保局) ---------------
TASKS_5: dict[int, tuple[str, list[str]]] = {
    1: ("一", ["市市场监管局", "市财政局"]),
    2: ("一", ["市市场监管局", "市发改委", "市经信局", "市财政局", "市人力社保局", "市商务局"]),
    3: ("一", ["市发改委", "市经信局", "市商务局"]),
    4: ("二", ["市市场监管局", "市委网信办", "市发改委", "市公安局", "市大数据局"]),
    5: ("二", ["市市场监管局", "市委网信办", "市公安局"]),
    6: ("二", ["市市场监管局", "市委网信办", "市商务局", "市文广旅游局"]),
    7: ("三", ["市商务局", "滨海新区管委会", "柯桥区政府"]),
    8: ("三", ["市商务局", "市农业农村局"]),
    9: ("三", ["市发改委", "市邮政管理局", "市商务局", "市人力社保局", "市教育局", "市大数据局"]),
    10: ("四", ["市商务局", "市农业农村局", "市文广旅游局"]),
    11: ("四", ["市市场监管局", "诸暨市政府"]),
    12: ("四", ["市市场监管局", "市委网信办", "市大数据局"]),
}

# --- 5号 附件: 领导小组 (成员 in annex order; typographic spaces in names removed) -------------------
DEPUTIES_5 = [("高波", "市政府"), ("黄立枫", "市市场监管局")]
MEMBERS_5 = [
    ("傅勇锋", "市委网信办"), ("赵凯", "市发改委"), ("俞灵燕", "市经信局"), ("马成永", "市教育局"),
    ("钱成根", "市公安局"), ("郭黎帆", "市司法局"), ("王霞辉", "市财政局"), ("王奋", "市人力社保局"),
    ("寿程杰", "市自然资源和规划局"), ("叶初良", "市交通运输局"), ("金燕", "市农业农村局"), ("吕寒平", "市商务局"),
    ("赵喆", "市文广旅游局"), ("贾浩波", "市市场监管局"), ("李斌", "市统计局"), ("包自毅", "市大数据局"),
    ("单红明", "市税务局"), ("李雪岷", "绍兴海关"), ("张剑", "市邮政管理局"),
]

DISTRICTS = ["越城区政府", "柯桥区政府", "上虞区政府", "诸暨市政府", "嵊州市政府", "新昌县政府"]


def _load(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def loaded() -> tuple[Catalog, list[object]]:
    registry = validate(AgencyRegistry, _load(DATA / "agencies.yaml"))
    areas = validate(AreaRegistry, _load(DATA / "areas.yaml"))
    plans = [(str(path), validate(PlanFile, _load(path)))
             for path in (DATA / "plan_2023_38.yaml", DATA / "zone_2023_5.yaml")]
    catalog, problems = assemble(registry, plans, areas)
    return catalog, list(problems)


@pytest.fixture(scope="module")
def catalog(loaded: tuple[Catalog, list[object]]) -> Catalog:
    return loaded[0]


def _plan(catalog: Catalog, plan_id: str) -> Plan:
    plan = catalog.plan(plan_id)
    assert plan is not None, plan_id
    return plan


def _indicators(catalog: Catalog, plan_id: str) -> dict[str, PlanIndicator]:
    return {pi.id: pi for pi in _plan(catalog, plan_id).indicators}


def test_no_cross_problems(loaded: tuple[Catalog, list[object]]) -> None:
    assert loaded[1] == []


def test_38_indicators_are_exactly_the_table_and_task_targets(catalog: Catalog) -> None:
    assert set(_indicators(catalog, "plan_2023_38")) == set(TABLE_38) | set(TASK_TARGETS_38)
    assert not set(TABLE_38) & set(TASK_TARGETS_38)


@pytest.mark.parametrize("ident", list(TABLE_38))
def test_38_indicator_table(catalog: Catalog, ident: str) -> None:
    name, unit, base, y2023, y2025, y2027, comparator, task = TABLE_38[ident]
    pi = _indicators(catalog, "plan_2023_38")[ident]
    assert (pi.indicator.name, pi.indicator.unit, pi.task) == (name, unit, task)
    assert pi.indicator.direction == "increase"
    assert pi.baseline is not None
    assert (pi.baseline.period, pi.baseline.value) == (Period(2022), base)
    got = [(t.period, t.value) for t in pi.targets]
    assert got == [(Period(2023), y2023), (Period(2025), y2025), (Period(2027), y2027)]
    assert [t.comparator for t in pi.targets[:2]] == ["=", "="]
    assert pi.final_target.comparator == comparator
    assert all(t.first is None for t in pi.targets)


@pytest.mark.parametrize("ident", list(TASK_TARGETS_38))
def test_38_task_targets(catalog: Catalog, ident: str) -> None:
    name, unit, period, comparator, value, task, first = TASK_TARGETS_38[ident]
    pi = _indicators(catalog, "plan_2023_38")[ident]
    assert (pi.indicator.name, pi.indicator.unit, pi.task) == (name, unit, task)
    assert pi.indicator.direction == "increase"
    assert pi.baseline is None  # the document gives no base value for these
    assert len(pi.targets) == 1
    target = pi.targets[0]
    assert (target.period, target.comparator) == (Period(period), comparator)
    if isinstance(value, tuple):
        assert (target.value, target.low, target.high) == (None, *value)
    else:
        assert (target.value, target.low, target.high) == (value, None, None)
    assert target.first == (Period(first) if first is not None else None)
    if comparator == "~":
        assert target.band == pytest.approx(0.1)


def test_38_recurring_and_cumulative_readings(catalog: Catalog) -> None:
    indicators = _indicators(catalog, "plan_2023_38")
    projects = indicators["shuangjian_shuangling_projects"]
    assert projects.indicator.kind == "flow"
    assert projects.targets[0].years() == [Period(y) for y in range(2024, 2028)]
    awards = indicators["provincial_sci_tech_awards"]
    assert awards.indicator.kind == "cumulative"
    assert not awards.targets[0].recurring
    assert "每年" in awards.indicator.note


def test_38_goals(catalog: Catalog) -> None:
    goals = {g.id: g for g in _plan(catalog, "plan_2023_38").spec.goals}
    assert [g.code for g in goals.values()] == ["1", "2", "1", "5"]
    assert goals["double"].indicators == ["platforms", "online_business_entities"]
    assert goals["clusters"].indicators == ["industry_clusters"]
    assert goals["clusters"].items == ["轻纺", "黄酒", "珍珠", "袜业", "伞业", "童装", "小吃", "厨具", "茶叶", "轴承"]
    assert len(goals["five_actions"].items) == 5


@pytest.mark.parametrize(("plan_id", "table"), [("plan_2023_38", TASKS_38), ("zone_2023_5", TASKS_5)])
def test_tasks(catalog: Catalog, plan_id: str, table: dict[int, tuple[str, list[str]]]) -> None:
    tasks = {t.number: t for t in _plan(catalog, plan_id).tasks}
    assert set(tasks) == set(table)
    for number, (action, units) in table.items():
        assert (number, tasks[number].action, tasks[number].units) == (number, action, units)


def test_action_keys(catalog: Catalog) -> None:
    assert [a.key for a in _plan(catalog, "plan_2023_38").spec.actions] == ["一", "二", "三", "四", "五"]
    assert [a.key for a in _plan(catalog, "zone_2023_5").spec.actions] == ["一", "二", "三", "四"]


def test_5_goals(catalog: Catalog) -> None:
    indicators = _indicators(catalog, "zone_2023_5")
    assert set(indicators) == set(GOALS_5)
    for ident, (name, unit, period, comparator, value) in GOALS_5.items():
        pi = indicators[ident]
        assert (pi.indicator.name, pi.indicator.unit) == (name, unit)
        assert [(t.period, t.comparator, t.value) for t in pi.targets] == [(Period(period), comparator, value)]
        assert pi.baseline is None
    # 网络零售额 is one definition shared by both plans, each with its own targets
    assert catalog.indicators["online_retail_sales"].defined_in == "plan_2023_38"
    goal = next(g for g in _plan(catalog, "zone_2023_5").spec.goals if g.source == "二、（一）")
    assert goal.indicators == ["online_retail_sales", "cross_border_ecommerce_trade"]


def test_5_leading_group(catalog: Catalog) -> None:
    group = _plan(catalog, "zone_2023_5").spec.leading_group
    assert group is not None
    assert (group.leader.name, group.leader.unit) == ("王涛", None)
    assert [(p.name, p.unit) for p in group.deputies] == DEPUTIES_5
    assert [(p.name, p.unit) for p in group.members] == MEMBERS_5
    # the annex lists 19 成员; with the two 副组长 that is 21 people besides the 组长
    assert len(group.members) == 19
    assert len(group.deputies) + len(group.members) == 21
    assert (group.office.unit, group.office.director) == ("市市场监管局", "贾浩波")


def test_agency_variants_and_groups(catalog: Catalog) -> None:
    index = AgencyIndex(catalog.agencies)
    hrss = index.agencies["市人力社保局"]
    for variant in ("市人社保局", "市人社社保局"):
        assert variant in hrss.aliases
        found = index.find(variant)
        assert found is not None and found.name == "市人力社保局"
    groups = {g.name: g for g in catalog.agencies.groups}
    assert groups[G].members == DISTRICTS
    assert groups[G].complete
    assert groups[OFFICE_AND_MEMBERS].members == ["市平台经济工作领导小组办公室"]
    assert not groups[OFFICE_AND_MEMBERS].complete
    assert all(index.agencies[d].kind == "district" for d in DISTRICTS)
    assert index.agencies["示范区创建工作领导小组办公室"].kind == "office"


def test_every_task_unit_is_registered(catalog: Catalog) -> None:
    index = AgencyIndex(catalog.agencies)
    for plan in catalog.plans:
        for task in plan.tasks:
            for unit in task.units:
                found = index.find(unit)
                assert found is not None and found.name == unit, (plan.id, task.number, unit)


# --- areas.yaml and indicators reported by area ------------------------------------------------------
# GB/T 2260 codes of 绍兴市 and its three districts, two county-level cities and one county (issue #14),
# with each area's government as agencies.yaml names it.
AREAS: dict[str, tuple[str, str, str]] = {
    "绍兴市": ("330600", "city", "市政府"),
    "越城区": ("330602", "district", "越城区政府"),
    "柯桥区": ("330603", "district", "柯桥区政府"),
    "上虞区": ("330604", "district", "上虞区政府"),
    "新昌县": ("330624", "county", "新昌县政府"),
    "诸暨市": ("330681", "county_city", "诸暨市政府"),
    "嵊州市": ("330683", "county_city", "嵊州市政府"),
}
# Indicators the issue names that the seeds assign to 各区、县（市）政府 or to a zone's 管委会 (or, for the
# two village / workshop counts, that only exist in one area each): all amounts or counts, so additive.
BY_AREA = {"online_retail_sales", "online_business_entities", "platforms", "rural_express_stations",
           "livestream_common_prosperity_workshops", "provincial_ecommerce_villages", "cross_border_ecommerce_trade"}


def test_areas_are_the_city_and_its_six_county_level_areas(catalog: Catalog) -> None:
    assert catalog.areas is not None
    divisions = {a.name: (a.code, a.kind, a.agency) for a in catalog.areas.areas if a.kind != "zone"}
    assert divisions == AREAS
    agencies = AgencyIndex(catalog.agencies)
    # the county-level areas are exactly the members of 各区、县（市）政府
    members = {g.name: g.members for g in catalog.agencies.groups}[G]
    assert sorted(a.agency or "" for a in catalog.areas.areas if a.summed) == sorted(members) == sorted(DISTRICTS)
    assert all(agencies.find(a.agency or "") is not None for a in catalog.areas.areas)


def test_the_one_zone_is_named_in_the_seeds_and_never_summed(catalog: Catalog) -> None:
    assert catalog.areas is not None
    zones = [a for a in catalog.areas.areas if a.kind == "zone"]
    assert [(z.name, z.code, z.agency, z.summed) for z in zones] == [("滨海新区", None, "滨海新区管委会", False)]
    assert "5号 三、（三）7" in zones[0].sources[0]


def test_indicators_reported_by_area(catalog: Catalog) -> None:
    reported = {ident for ident, ind in catalog.indicators.items() if ind.by_area is not None}
    assert reported == BY_AREA
    everywhere = ("越城区", "柯桥区", "上虞区", "新昌县", "诸暨市", "嵊州市", "滨海新区")
    for ident in BY_AREA:
        indicator = catalog.indicators[ident]
        assert indicator.by_area is not None and indicator.by_area.additive, ident
        assert indicator.areas == everywhere, ident
        assert indicator.unit != "%", ident
    # the seeds split no city target by area: no area target is invented
    assert all(not pi.area_targets for pi in catalog.plan_indicators())
