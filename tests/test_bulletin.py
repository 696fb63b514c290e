"""Building the bulletin: which plans and date, what each sentence says, and from which objects.

The example returns in a real ledger give the bundled plans' 2024 bulletin; small real ledgers give
the cases the examples lack (a third-quarter flow, a return's own decimals, hostile texts); rows with
同比 and area figures are hand-made, as issue 14 will hand them over.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from bulletin_helpers import example_ledger
from ledger_helpers import catalog, value
from pingtai import service
from pingtai.bulletin import AreaFigure, Bulletin, Paragraph, Subheading, Table, build_bulletin, compose, gather
from pingtai.bulletin.build import POINT_KINDS, default_as_of
from pingtai.bulletin.model import Figure, Quote, plain
from pingtai.checks import build_check
from pingtai.errors import UnknownNameError, UsageError
from pingtai.ledger import ReceivedReturn, RejectedReturn
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.records import TaskRecord
from pingtai.render import format, registry
from pingtai.render.jsonout import dumps
from pingtai.reports import LedgerSnapshot, build_agency_report
from pingtai.series import YearOnYear
from report_helpers import MARKUP_TEXT, add

AS_OF = dt.date(2025, 1, 21)


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> LedgerSnapshot:
    return service.snapshot(service.Store(example_ledger(tmp_path_factory.mktemp("examples") / "ledger.sqlite3")))


@pytest.fixture(scope="module")
def year_2024(examples: LedgerSnapshot) -> Bulletin:
    return build_bulletin(catalog(), examples, Period.parse("2024Q4"))


def sentences(bulletin: Bulletin, key: str) -> list[str]:
    section = bulletin.section(key)
    assert section is not None, key
    return [b.text for b in section.blocks if isinstance(b, Paragraph)]


def all_text(bulletin: Bulletin) -> list[str]:
    texts = [bulletin.title, bulletin.issuer, bulletin.date, bulletin.doc_number]
    for section in bulletin.sections:
        texts.append(section.number + section.title)
        for block in section.blocks:
            if isinstance(block, Table):
                texts += [block.caption, *block.header, *(plain(cell) for row in block.rows for cell in row)]
            else:
                texts.append(plain(block.parts))
    return texts


# --- the period, the plans, the date ---------------------------------------------------------


def test_the_year_end_bulletin_covers_both_plans_the_day_after_their_returns_were_due(year_2024: Bulletin) -> None:
    assert year_2024.period == Period(2024) and year_2024.as_of == AS_OF
    assert year_2024.plans == ["plan_2023_38", "zone_2023_5"]
    assert year_2024.title == "关于2024年全市平台经济高质量发展和全国网络市场监管与服务示范区创建工作推进情况的通报"
    assert year_2024.issuer == "绍兴市平台经济工作领导小组办公室" and year_2024.date == "2025年1月21日"
    assert [(s.number, s.title) for s in year_2024.sections] == [
        ("一、", "总体情况"), ("二、", "主要指标完成情况"), ("三、", "重点任务推进情况"), ("四、", "报表报送情况"),
        ("五、", "下步工作")]


def test_a_period_only_one_plan_asks_for(examples: LedgerSnapshot) -> None:
    # 5号 ended with 2024: its calendar asks nothing for 2025
    bulletin = build_bulletin(catalog(), examples, Period.parse("2025Q1"))
    assert bulletin.plans == ["plan_2023_38"] and bulletin.as_of == dt.date(2025, 4, 21)
    assert bulletin.title == "关于2025年第一季度全市平台经济高质量发展工作推进情况的通报"
    assert not any(isinstance(b, Subheading) for s in bulletin.sections for b in s.blocks)


@pytest.mark.parametrize(("period", "plan", "words"), [
    ("2024-07", None, "任何计划都不要求报送 2024年7月"),
    ("2031", None, "任何计划都不要求报送 2031年"),
    ("2025Q1", "5号", "计划 5号都不要求报送 2025年第1季度"),
    ("2023Q2", "38号", "计划 38号都不要求报送 2023年上半年"),
])
def test_a_period_nothing_is_due_for_is_refused(examples: LedgerSnapshot, period: str, plan: str | None,
                                                 words: str) -> None:
    with pytest.raises(UsageError) as caught:
        build_bulletin(catalog(), examples, Period.parse(period), plan=plan)
    assert words in caught.value.message and "无法为该期生成通报" in caught.value.message
    assert "应报期如" in caught.value.hint or "pingtai plans" in caught.value.hint


def test_an_unknown_plan_is_refused_with_the_plans_there_are(examples: LedgerSnapshot) -> None:
    with pytest.raises(UnknownNameError) as caught:
        build_bulletin(catalog(), examples, Period(2024), plan="99号")
    assert "plan_2023_38" in caught.value.hint


def test_as_of_defaults_to_the_day_the_returns_count_as_missing(data_copy: Path) -> None:
    plan = data_copy / "zone_2023_5.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  grace_days: 0\n", "  grace_days: 5\n", 1),
                    encoding="utf-8")
    both = load_catalog(data_copy)
    plans = list(both.plans)
    assert default_as_of(both, plans[:1], Period(2024)) == dt.date(2025, 1, 21)
    assert default_as_of(both, plans, Period(2024)) == dt.date(2025, 1, 26)  # the later of the two calendars


def test_as_of_must_speak_of_the_period(examples: LedgerSnapshot) -> None:
    with pytest.raises(UsageError) as caught:
        build_bulletin(catalog(), examples, Period(2024), as_of=dt.date(2024, 12, 31))
    assert "2024-12-31 才结束" in caught.value.message
    with pytest.raises(UsageError) as caught:
        build_bulletin(catalog(), examples, Period(2024), as_of=dt.date(2025, 4, 21))
    assert "已应报 2025年第1季度 的报表" in caught.value.message
    assert "2025-01-01 至 2025-04-20" in caught.value.hint
    # the first and the last day of the window are taken
    assert build_bulletin(catalog(), examples, Period(2024), as_of=dt.date(2025, 1, 1)).as_of == dt.date(2025, 1, 1)
    assert build_bulletin(catalog(), examples, Period(2024), as_of=dt.date(2025, 4, 20)).as_of == dt.date(2025, 4, 20)


# --- what the sentences say ------------------------------------------------------------------


def test_the_indicator_sentences_of_the_examples(year_2024: Bulletin) -> None:
    said = sentences(year_2024, "indicators")
    assert said[:3] == [
        # 同比 as the district table's 全市 row reported it
        "2024年，全市实现网络零售额1150.6亿元，同比增长13.7%，完成年度目标的104.6%。",
        # 同比 computed from 2023's 12.4万家 in the ledger
        "截至2024年末，全市网络经营主体达13.1万家，同比增长5.6%，完成2025年目标的81.9%，慢于时序进度5.6个百分点。",
        # the plan's own opening clause (bulletin.phrasing in plan_2023_38.yaml)
        "截至2024年末，全市互联网平台达118个，同比增长34.1%，完成2025年目标的78.7%，快于时序进度0.4个百分点。",
    ]
    assert "截至2024年末，全市省级工业互联网平台达57个，同比增长9.6%，完成2025年目标的91.9%，与时序进度持平。" in said
    assert "截至2024年末，全市省级数字工厂达3家，与上年同期持平，完成2025年目标的60.0%，慢于时序进度20.0个百分点。" in said
    # 无基线: no 时序进度; no 2023 figure: no 同比
    assert "截至2024年末，全市标准研究成果比率为45%，完成2027年目标的75.0%。" in said
    assert said[-2:] == [
        "2024年，全市实现网络零售额1150.6亿元，同比增长13.7%，完成年度目标的115.1%，已完成2024年目标（超1000亿元）。",
        "2024年，全市实现跨境电商进出口总额138.2亿元，同比增长7.5%，完成年度目标的92.1%，未完成2024年目标（达150亿元）。",
    ]
    no_data = next(s for s in said if s.startswith("另有"))
    assert no_data.startswith("另有14项指标未报送应报数据：农村快递“共富驿站”（市邮政管理局）、重点产业集群、")


def test_the_overview_counts_are_the_dashboards(year_2024: Bulletin) -> None:
    (overview,) = sentences(year_2024, "overview")
    assert overview == (
        "截至2025年1月21日，《绍兴市促进平台经济高质量发展行动方案》（绍政办发〔2023〕38号）26项指标中，正常4项、滞后3项、"
        "无数据14项、无基线5项，20项重点任务中，推进中5项、未报15项；《绍兴市全国网络市场监管与服务示范区创建工作方案》"
        "（绍政发〔2023〕5号）计划期已满，2项指标中，已达成1项、未达成1项，12项重点任务中，已完成1项、推进中1项、滞后1项、"
        "未报9项。2024年报表应报送12家单位，按时报送2家，按时报送率16.7%。")


def test_tasks_by_action_group_with_the_late_ones_and_their_own_problems(year_2024: Bulletin) -> None:
    said = sentences(year_2024, "tasks")
    assert said[0] == "1.实施平台经济创新赋能行动。4项任务中，推进中2项、未报2项。"
    assert "3.打造产业生态，激活发展潜力。3项任务中，推进中1项、滞后1项、未报1项。其中，任务7“培育发展跨境电商”" \
           "（牵头单位：市商务局）进度滞后，存在问题：外需偏弱，距150亿元目标仍有差距。" in said
    headings = [plain(b.parts) for s in year_2024.sections for b in s.blocks if isinstance(b, Subheading)]
    assert headings == ["《绍兴市促进平台经济高质量发展行动方案》", "《绍兴市全国网络市场监管与服务示范区创建工作方案》"] * 2


def test_returns_on_time_late_and_missing_as_the_agency_reports_have_them(examples: LedgerSnapshot,
                                                                           year_2024: Bulletin) -> None:
    """Received on the day written on the return (市经信局 filled its in on 24 January: four days late),
    exactly as each unit's report says."""
    (said,) = sentences(year_2024, "returns")
    assert said.startswith("2024年报表应报送12家单位，按时报送2家，逾期报送1家（市经信局），未报送9家（市农业农村局、")
    assert {r.agency for r in year_2024.returns if r.state == "on_time"} == {"市商务局", "市市场监管局"}
    assert all(r.period == Period(2024) and r.due == dt.date(2025, 1, 20) for r in year_2024.returns)
    for line in year_2024.returns:
        entry = next(e for e in build_agency_report(catalog(), examples, line.agency, AS_OF).returns
                     if e.period == Period(2024))
        assert (line.state, line.received, line.days_late) == (entry.state, entry.received, entry.days_late)
    late = next(r for r in year_2024.returns if r.state == "late")
    assert (late.received, late.days_late) == (dt.date(2025, 1, 24), 4)


def test_a_backfilled_history_is_neither_on_time_nor_late(examples: LedgerSnapshot) -> None:
    """The 2023 history file is a back-fill (as the quick start imports it): its units are 补录, named apart,
    and left out of the on-time rate (1 on time of the 9 that count)."""
    bulletin = build_bulletin(catalog(), examples, Period(2023))
    (said,) = sentences(bulletin, "returns")
    assert "按时报送1家，逾期报送0家，补录3家（市经信局、市市场监管局、市邮政管理局，不计是否按时），未报送8家（" in said
    (overview,) = sentences(bulletin, "overview")
    assert overview.endswith("2023年报表应报送12家单位，按时报送1家，补录3家不计是否按时，按时报送率11.1%。")
    rate = [p for b in bulletin.sections[0].blocks if isinstance(b, Paragraph) for p in b.parts
            if isinstance(p, Figure) and p.unit == "%"]
    assert [(r.rule, round(r.value, 4)) for r in rate] == [("ratio_rest", round(100 / 9, 4))]


def test_a_return_made_moot_is_still_missed_but_no_longer_chased() -> None:
    """市经信局 sent its 2024 year-end return early, before the third quarter's bulletin: the missing
    2024Q3 return still counts as 未报送, and the sentence says it is no longer chased."""
    early = dt.datetime(2025, 1, 2, 1, tzinfo=dt.UTC)
    data = LedgerSnapshot(received=[ReceivedReturn(agency="市经信局", period=Period(2024), received_at=early, batch=1,
                                                   received=early.date(), source="return", backfill=False)])
    bulletin = build_bulletin(catalog(), data, Period.parse("2024Q3"), as_of=dt.date(2025, 1, 10))
    [line] = [r for r in bulletin.returns if r.agency == "市经信局"]
    assert (line.state, line.covered_by) == ("missing", Period(2024))
    (said,) = sentences(bulletin, "returns")
    assert "未报送12家（" in said and said.endswith("其中市经信局已报送其后的2024年报表，不再催报。")


def test_next_steps_are_the_checks_findings_addressed_to_their_units(examples: LedgerSnapshot,
                                                                      year_2024: Bulletin) -> None:
    check = build_check(catalog(), examples.values, examples.tasks, examples.received, AS_OF)
    expected = [f.key for f in check.findings if f.kind in POINT_KINDS]
    assert year_2024.findings == expected and len(expected) == 3
    section = year_2024.section("next_steps")
    assert section is not None
    points = [b for b in section.blocks if isinstance(b, Paragraph) and b.role == "point"]
    assert [p.finding for p in points] == expected
    said = [p.text for p in points]
    assert "1.请市商务局针对网络经营主体进度滞后的情况，分析原因、提出赶超措施，于2025年4月20日前随下期报表报送。" in said
    # 5号 ended with its 2024 return (due 2025-01-20): like the check, no point for its missed target or
    # its late task — the sections keep their final verdicts
    assert all(":zone_2023_5:" not in key for key in expected)
    assert "未完成2024年目标（达150亿元）" in "".join(sentences(year_2024, "indicators"))
    assert "任务7“培育发展跨境电商”（牵头单位：市商务局）进度滞后" in "".join(sentences(year_2024, "tasks"))
    # seen on the due day itself, 5号 has not ended: its points are there
    before = build_bulletin(catalog(), examples, Period(2024), as_of=dt.date(2025, 1, 20))
    (overview,) = sentences(before, "overview")
    assert "计划期已满" not in overview and len(before.findings) == 5
    said = sentences(before, "next_steps")
    assert "1.请市商务局说明跨境电商进出口总额2024年目标未完成的原因、提出整改措施，于2025年1月20日前随下期报表报送。" in said
    assert "5.请市商务局针对任务7“培育发展跨境电商”推进滞后的问题，提出赶进措施，于2025年1月20日前随下期报表报送。" in said
    last = section.blocks[-1]
    assert isinstance(last, Paragraph) and last.role == "placeholder" and "起草人补充" in plain(last.parts)


def test_no_none_nan_english_or_empty_clause_anywhere(year_2024: Bulletin) -> None:
    for text in all_text(year_2024):
        assert not re.search(r"[A-Za-z]", text), text
        assert "，，" not in text and "，。" not in text and "（）" not in text, text


def test_a_figure_converted_from_wan_yuan_keeps_the_returns_precision(examples: LedgerSnapshot) -> None:
    bulletin = build_bulletin(catalog(), examples, Period(2023), plan="38号")
    said = sentences(bulletin, "indicators")
    # 10,123,400 万元 in the return is 1012.34 亿元
    assert said[0].startswith("2023年，全市实现网络零售额1012.34亿元，同比增长9.9%，完成年度目标的101.2%")


# --- a third quarter, a return's decimals ----------------------------------------------------


@pytest.fixture(scope="module")
def third_quarter(tmp_path_factory: pytest.TempPathFactory) -> LedgerSnapshot:
    db = tmp_path_factory.mktemp("q3") / "ledger.sqlite3"
    sw = "市商务局"
    add(db, "商务局_2023.xlsx", sw, "2023", dt.datetime(2024, 1, 10, 2, tzinfo=dt.UTC),
        [value("online_retail_sales", "2023", 1000), value("online_business_entities", "2023", 12.4)])
    add(db, "商务局_2024Q3.xlsx", sw, "2024Q3", dt.datetime(2024, 10, 25, 2, tzinfo=dt.UTC),
        [value("online_retail_sales", "2024Q3", 812.3, raw="812.30"),
         value("online_business_entities", "2024Q3", 13.0, raw="13.0")],
        [TaskRecord(plan="zone_2023_5", task=7, agency=sw, period=Period.parse("2024Q3"), status="late",
                    progress="进展", issues=f"外需\n偏弱\u202e{MARKUP_TEXT}\x07", next_steps="", where="t!D4")])
    return service.snapshot(service.Store(db))


def test_a_third_quarter_flow_against_the_years_target_and_the_time_elapsed(third_quarter: LedgerSnapshot) -> None:
    bulletin = build_bulletin(catalog(), third_quarter, Period.parse("2024Q3"), plan="38号")
    assert bulletin.as_of == dt.date(2024, 10, 21)
    said = sentences(bulletin, "indicators")
    # 812.30 as the return wrote it; 812.3 ÷ 1100 = 73.8 %, 时序进度 75.0 %: 1.2 百分点 behind
    assert said[0] == "1—9月，全市实现网络零售额812.30亿元，完成年度目标的73.8%，慢于时序进度1.2个百分点。"
    # 13.0 ÷ 16 = 81.25 % (四舍五入: 81.3); the path expects 13.5 by September: 84.375 %, 84.4
    assert said[1] == "截至9月末，全市网络经营主体达13.0万家，完成2025年目标的81.3%，慢于时序进度3.1个百分点。"
    (returns,) = sentences(bulletin, "returns")
    assert "逾期报送1家（市商务局）" in returns  # received 25 October, due the 20th


def test_texts_from_returns_are_kept_as_data_and_rendered_as_one_plain_line(third_quarter: LedgerSnapshot) -> None:
    """The builder quotes a unit's own words as the return has them (``--json`` gives them back exactly);
    Word gets them as one plain line with controls shown escaped, Markdown escaped (render/format)."""
    raw = f"外需\n偏弱\u202e{MARKUP_TEXT}\x07"
    bulletin = build_bulletin(catalog(), third_quarter, Period.parse("2024Q3"), plan="5号")
    section = bulletin.section("tasks")
    assert section is not None
    quotes = [p for b in section.blocks if isinstance(b, Paragraph) for p in b.parts if isinstance(p, Quote)]
    (issue,) = [q for q in quotes if q.ref is not None and q.ref.path[-1] == "issues"]
    assert issue.text == raw and str(issue.ref) == "status.tasks[plan=zone_2023_5,number=7].issues"
    [tasks] = [s for s in json.loads(registry.render(bulletin, "json"))["sections"] if s["key"] == "tasks"]
    assert raw in [p["text"] for b in tasks["blocks"] for p in b.get("parts", ())]
    document = Document(io.BytesIO(registry.render(bulletin, "docx")))
    [said] = [p.text for p in document.paragraphs if "存在问题：" in p.text]
    assert said.endswith("存在问题：外需 偏弱\\u202e" + MARKUP_TEXT + "\\x07。")
    assert not re.search(r"[\x00-\x1f\u202a-\u202e]", said)
    markdown = registry.render(bulletin, "md").decode()
    assert "存在问题：" + format.markdown(raw) in markdown and "<script>" not in markdown


# --- 同比 and areas ------------------------------------------------------------------------------


def growth_of(period: str, reported: float | None, computed: float | None) -> YearOnYear:
    """A row's 同比 as :mod:`pingtai.series` makes it (only what the bulletin reads matters here)."""
    point = Period.parse(period)
    return YearOnYear(point, reported, computed, None, Period(point.year - 1), None, None, False)


def with_growth(bulletin_sources: Any, growth: dict[str, YearOnYear]) -> Any:
    """The sources with each dashboard row's ``yoy`` replaced by ``growth``'s (none where it has none)."""
    status = bulletin_sources.status
    rows = [dataclasses.replace(r, yoy=growth.get(r.id)) for r in status.indicators]
    return bulletin_sources.replace(status=status.replace(indicators=rows))


def test_a_growth_clause_where_a_row_carries_yoy(examples: LedgerSnapshot) -> None:
    sources = gather(catalog(), examples, Period(2024), plan="38号")
    growth = {"online_retail_sales": growth_of("2024", 9.8, 13.66),
              "online_business_entities": growth_of("2024", None, -2.143),
              "platforms": growth_of("2024", 0, None),
              "local_standards": growth_of("2024", None, None)}
    bulletin = compose(catalog(), with_growth(sources, growth))
    said = sentences(bulletin, "indicators")
    assert said[0] == "2024年，全市实现网络零售额1150.6亿元，同比增长9.8%，完成年度目标的104.6%。"  # reported first
    assert said[1].startswith("截至2024年末，全市网络经营主体达13.1万家，同比下降2.1%，完成")  # else computed, 1 decimal
    assert said[2].startswith("截至2024年末，全市互联网平台达118个，与上年同期持平，完成")
    assert "同比" not in next(s for s in said if "地方标准" in s)  # nothing known: no clause
    table = next(b for b in bulletin.sections[1].blocks if isinstance(b, Table))
    growth_column = [plain(row[5]) for row in table.rows[:4]]
    assert growth_column == ["9.8", "-2.1", "0", "—"]
    figure = next(p for p in next(b for b in bulletin.sections[1].blocks if isinstance(b, Paragraph)).parts
                  if isinstance(p, Figure) and p.unit == "%" and p.signed)
    assert str(figure.refs[0]) == "status.indicators[plan=plan_2023_38,id=online_retail_sales].yoy.reported"


def test_no_growth_clause_without_yoy(examples: LedgerSnapshot) -> None:
    sources = gather(catalog(), examples, Period(2024))
    assert any(r.yoy is not None for r in sources.status.indicators)  # the examples have 同比 …
    bulletin = compose(catalog(), with_growth(sources, {}))  # … a ledger without a year before has none
    assert not any("同比" in s for s in sentences(bulletin, "indicators"))


AREAS = [
    {"area": "柯桥区", "code": "330603", "period": "2024", "value": 300.5, "yoy_reported": 12.5, "yoy_computed": 11.0,
     "share": 0.261, "rank": 1},
    {"area": "越城区", "code": "330602", "period": "2024", "value": 260.0, "yoy_reported": None, "yoy_computed": -1.23,
     "share": 0.226, "rank": 2},
    {"area": "新昌县", "code": "330624", "period": "2024", "value": 60.0, "yoy_reported": None, "yoy_computed": None,
     "share": None, "rank": 3},
    {"area": "柯桥区", "code": "330603", "period": "2024H1", "value": 150.0, "rank": 1},
]


def test_an_area_section_where_area_figures_are_given(examples: LedgerSnapshot) -> None:
    bulletin = build_bulletin(catalog(), examples, Period(2024), areas={"online_retail_sales": AREAS})
    assert [(s.key, s.number) for s in bulletin.sections] == [
        ("overview", "一、"), ("indicators", "二、"), ("areas", "三、"), ("tasks", "四、"), ("returns", "五、"),
        ("next_steps", "六、")]
    assert bulletin.sections[2].title == "各区、县（市）情况"
    (said,) = sentences(bulletin, "areas")
    assert said == ("2024年，网络零售额居前的是柯桥区（300.5亿元），居后的是新昌县（60亿元）；同比增速最高的是柯桥区"
                    "（增长12.5%），最低的是越城区（下降1.2%）。")
    table = next(b for b in bulletin.sections[2].blocks if isinstance(b, Table))
    assert table.header == ("排名", "地区", "数值", "同比", "占全市比重")
    assert [[plain(c) for c in row] for row in table.rows] == [
        ["1", "柯桥区", "300.5", "12.5", "26.1"], ["2", "越城区", "260", "-1.2", "22.6"], ["3", "新昌县", "60", "—", "—"]]


def test_area_figures_of_another_period_or_an_empty_list_make_no_section(examples: LedgerSnapshot) -> None:
    cases: list[dict[str, list[dict[str, Any]]]] = [{"online_retail_sales": AREAS[3:]}, {"online_retail_sales": []}, {}]
    for areas in cases:
        bulletin = build_bulletin(catalog(), examples, Period(2024), areas=areas)
        assert bulletin.section("areas") is None


def test_one_area_alone_and_area_figures_as_objects(examples: LedgerSnapshot) -> None:
    only = AreaFigure.of(AREAS[0])
    assert only is not None
    bulletin = build_bulletin(catalog(), examples, Period(2024), areas={"online_retail_sales": [only]})
    assert sentences(bulletin, "areas") == ["2024年，网络零售额仅有柯桥区（300.5亿元）的分地区数据。"]


def test_the_command_feeds_the_area_section_from_the_figures_show_by_area_shows(tmp_path: Path) -> None:
    """service.bulletin passes the rows `show --by-area --period P` builds; an area without a figure at P says nothing."""
    store = service.Store(example_ledger(tmp_path / "ledger.sqlite3"))
    bulletin = service.bulletin(catalog(), store, Period(2024))
    shown = service.show(catalog(), store, "网络零售额", AS_OF, by_area=True, period="2024")
    assert shown.areas is not None
    ranked = sorted((r for r in shown.areas if r.rank is not None), key=lambda r: r.rank or 0)
    table = next(b for b in bulletin.sections[2].blocks if isinstance(b, Table))
    assert [[plain(c) for c in row] for row in table.rows] == [
        [str(r.rank), r.area, format.num(r.value), format.num(r.yoy_reported), format.pct(r.share).rstrip("%")]
        for r in ranked]
    assert sentences(bulletin, "areas") == [
        "2024年，网络零售额居前的是柯桥区（352.1亿元），居后的是新昌县（66.2亿元）；同比增速最高的是柯桥区（增长15.4%），"
        "最低的是嵊州市（增长8.2%）。"]
    # the 滨海新区 is a zone: shown by `show --by-area`, never ranked, so not in the bulletin's table
    assert any(r.kind == "zone" for r in shown.areas) and "滨海新区" not in str(table.rows)
    # a period without area figures (the 2024 mid-year return carries none): no section
    assert service.bulletin(catalog(), store, Period.parse("2024H1")).section("areas") is None
    without = AreaFigure.of({"area": "越城区", "code": "330602", "period": None, "value": None})
    assert without is None  # a row without a figure (no period) is left out, not an error


def test_a_decreasing_indicator_is_measured_the_other_way_round(examples: LedgerSnapshot) -> None:
    """Smaller is better: completion is target ÷ actual, 时序进度 target ÷ expected (no bundled indicator decreases)."""
    sources = gather(catalog(), examples, Period(2024), plan="38号")
    rows = [dataclasses.replace(r, direction="decrease", actual=15.0, expected=14.0, yoy=None)
            if r.id == "online_business_entities" else r for r in sources.status.indicators]
    bulletin = compose(catalog(), sources.replace(status=sources.status.replace(indicators=rows)))
    said = next(s for s in sentences(bulletin, "indicators") if "网络经营主体" in s)
    # 16 ÷ 15 = 106.7 %, 16 ÷ 14 = 114.3 %: 7.6 百分点 behind
    assert said == "截至2024年末，全市网络经营主体达15万家，完成2025年目标的106.7%，慢于时序进度7.6个百分点。"
    figures = [p for b in bulletin.sections[1].blocks if isinstance(b, Paragraph) for p in b.parts
               if isinstance(p, Figure) and p.unit == "个百分点"]
    assert figures[0].rule == "gap_inverse"


def test_a_return_sent_back_is_named_in_the_returns_sentence() -> None:
    """市经信局's 2024Q3 return was rejected and not resubmitted: 报表被退回、尚未重报, counted as owed, not on time."""
    back = RejectedReturn(agency="市经信局", period=Period.parse("2024Q3"), batch=1, file="经信局.xlsx",
                          received=dt.date(2024, 10, 15), rejected_at=dt.datetime(2024, 10, 16, 2, tzinfo=dt.UTC),
                          by="王五", reason="数值单位有误")
    bulletin = build_bulletin(catalog(), LedgerSnapshot(rejected=[back]), Period.parse("2024Q3"), as_of=dt.date(2024, 11, 10))
    [line] = [r for r in bulletin.returns if r.agency == "市经信局"]
    assert (line.state, line.label) == ("rejected", "退回")
    (said,) = sentences(bulletin, "returns")
    assert "报表被退回、尚未重报1家（市经信局）" in said


def test_the_bulletin_is_the_same_without_the_observations_behind_projections(
        examples: LedgerSnapshot, year_2024: Bulletin, monkeypatch: pytest.MonkeyPatch) -> None:
    """gather builds its dashboard without ``Projection.used`` (the bulletin states verdicts, never the
    points behind them); with them the bulletin is the same, in every part and in its JSON."""
    from pingtai.assess import build_status as plain_build
    from pingtai.bulletin import build

    monkeypatch.setattr(build, "build_status", lambda *args, **kwargs: plain_build(*args, **{**kwargs, "used": True}))
    full = build_bulletin(catalog(), examples, Period.parse("2024Q4"))
    assert any(row.projection is not None and row.projection.used
               for row in build.gather(catalog(), examples, Period.parse("2024Q4")).status.indicators)
    assert full == year_2024
    assert dumps(full) == dumps(year_2024)
