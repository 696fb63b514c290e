"""Every phrase of the bulletin, in one place: how numbers are written and how sentences are worded.

The builder (:mod:`pingtai.bulletin.build`) decides *what* is said from the status, report and
check objects; this module decides *how*. Rules (``docs/bulletin.md`` states them for readers):

- **Numbers as the return gave them.** An actual is written with the decimals of the text the
  return carried (``812.30`` stays ``812.30``, ``118`` stays ``118``); a figure converted from
  another unit (10,123,400 万元 → 1012.34 亿元) keeps the precision the return had, without
  trailing zeros. Without the return's text: as every output writes a figure
  (:func:`pingtai.render.format.num`, at most two decimals). Percentages (完成率, 时序进度, a
  computed 同比) and 百分点 have one decimal; a reported 同比 is written as reported. Rounding is the
  project's one rule (:mod:`pingtai.render.format`: half away from zero, 四舍五入, on the number
  as written); this module only chooses how many decimals.
- **Signs in words.** 同比增长 / 同比下降 / 与上年同期持平; 快于 / 慢于 / 与时序进度持平 — the number
  after the word is a magnitude. A difference of two percentages is in 百分点.
- **Nothing unknown is said.** A clause whose number is unknown is left out, never written with
  "None", "nan", a dash or an English word.
- **A plan's own phrasing.** The opening clause of an indicator's sentence is a template with the
  slots ``{时期}`` (``1—9月``, ``截至9月末``), ``{指标}`` and ``{数值}``; a plan file may give its own
  per indicator (``bulletin.phrasing`` in the plan YAML, see ``docs/catalog.md``), else
  :data:`DEFAULT_LEADS` applies by the indicator's kind and unit.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
import unicodedata
from collections.abc import Sequence
from decimal import Decimal

from pingtai.bulletin.model import Figure, Part, Quote, Words
from pingtai.periods import Period
from pingtai.render.format import PCT_PLACES, fixed, num

CN_DIGITS = "〇一二三四五六七八九"
SECTION_TITLES: dict[str, str] = {
    "overview": "总体情况", "indicators": "主要指标完成情况", "areas": "各区、县（市）情况",
    "tasks": "重点任务推进情况", "returns": "报表报送情况", "next_steps": "下步工作",
}
"""First-level sections in the order they appear (``areas`` only when area figures are given)."""
DEFAULT_LEADS: dict[str, str] = {
    "amount": "{时期}，全市实现{指标}{数值}",
    "stock": "{时期}，全市{指标}达{数值}",
    "cumulative": "{时期}，全市{指标}累计达{数值}",
    "percent": "{时期}，全市{指标}为{数值}",
}
"""Opening clauses by what the figure is: a year-to-date amount (flows, yearly targets), a level at
a date (stock), a running total (cumulative), or a percentage (any kind in ``%``)."""
INDICATOR_HEADER = ("指标", "单位", "目标", "完成", "完成率", "同比", "时序进度", "状态", "牵头单位")
AREA_HEADER = ("排名", "地区", "数值", "同比", "占全市比重")
PERCENT_NOTE = "（{columns}：%）"
"""Said once after a table's caption: the cells of these columns hold percentages without the sign."""
PLACEHOLDER = "【起草人补充：本期其他工作安排和要求，写好后删去本提示】"
TITLE_TEMPLATE = "关于{period}全市{topic}工作推进情况的通报"
NOT_KNOWN = "—"
"""What a table cell shows for a figure that is not known (never in running text)."""
LINE_BREAK = "\n"
"""A line break inside a table cell (a number, then the year it belongs to)."""


# --- numbers -----------------------------------------------------------------------------------


_WRITTEN = re.compile(r"\d[\d,]*(?:\.(\d+))?")


def number_text(value: float, raw: str | None = None) -> str:
    """``value`` written with the decimals of ``raw``, the text the return carried (module docstring).

    ``raw`` may be in another unit or carry 万/亿 (``10,123,400`` for 1012.34 亿元, ``1.2万`` for
    12000): the precision moves with the power of ten between them, trailing zeros dropped. Without
    ``raw`` — or when ``raw`` does not write ``value`` up to a power of ten — as
    :func:`pingtai.render.format.num` writes every figure (at most two decimals).
    """
    written = _WRITTEN.search(unicodedata.normalize("NFKC", raw)) if raw else None
    if written is not None:
        decimals = len(written.group(1) or "")
        number = float(written.group(0).replace(",", ""))
        if number == 0 or value == 0:
            if number == abs(value):
                return _trim(fixed(value, decimals), trailing=False)
        else:
            power = math.log10(abs(value) / number)
            shift = round(power)
            if abs(power - shift) < 1e-9:
                text = fixed(value, max(0, decimals - shift))
                return _trim(text, trailing=shift != 0)
    return num(value)


def _trim(text: str, *, trailing: bool) -> str:
    if trailing and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent_text(percent: float) -> str:
    """A percentage (already × 100) with one decimal, as every output writes one: ``67.7``."""
    return fixed(percent, PCT_PLACES)


def reported_percent_text(percent: float) -> str:
    """A percentage a return reported (同比): as written, at most two decimals."""
    return num(percent)


def gap_points(completion: str, pace: str) -> Decimal:
    """完成率 − 时序进度 in 百分点, from the two percentages as shown (so a reader's subtraction agrees)."""
    return Decimal(completion) - Decimal(pace)


# --- dates and periods -------------------------------------------------------------------------


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (1–99)."""
    if not 1 <= n <= 99:
        raise ValueError(f"cn_number: {n} out of range")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def item_number(n: int) -> str:
    """1. — the number of an item under a heading (an action group, a point of 下步工作)."""
    return f"{n}."


def section_number(n: int) -> str:
    return f"{cn_number(n)}、"


def subsection_number(n: int) -> str:
    return f"（{cn_number(n)}）"


def period_title(period: Period) -> str:
    """The period as a title names it: 2024年第三季度, 2024年上半年, 2024年, 2024年7月."""
    if period.kind == "Q":
        return f"{period.year}年第{cn_number(period.index)}季度"
    return period.label()


def date_text(day: dt.date) -> str:
    """2025年1月21日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def caption(number: int, subject: str, percent_columns: Sequence[str]) -> str:
    """表1　38号指标完成情况（完成率、同比、时序进度：%）."""
    return f"表{number}　{subject}" + PERCENT_NOTE.format(columns="、".join(percent_columns))


def span(period: Period, *, amount: bool, year: int) -> str:
    """``{时期}``: the span of a year-to-date amount (``1—9月``, ``2024年``) or the date of a level
    (``截至9月末``, ``截至2024年末``); the year is named when it is not ``year``, the bulletin's."""
    month = period.last_month
    if amount:
        if period.kind == "Y":
            return f"{period.year}年"
        months = "1月" if month == 1 else f"1—{month}月"
        return months if period.year == year else f"{period.year}年{months}"
    if period.kind == "Y":
        return f"截至{period.year}年末"
    return f"截至{month}月末" if period.year == year else f"截至{period.year}年{month}月末"


def title(period: Period, topics: Sequence[str]) -> str:
    """关于2024年第三季度全市平台经济高质量发展工作推进情况的通报 (several plans: topics joined by 和)."""
    return TITLE_TEMPLATE.format(period=period_title(period), topic="和".join(dict.fromkeys(topics)))


def fallback_topic(document_title: str) -> str:
    """A plan without ``bulletin.topic``: 《绍兴市…行动方案》落实."""
    return f"《{document_title}》落实"


# --- indicator sentences -----------------------------------------------------------------------


def lead_template(kind: str, unit: str, amount: bool, own: str | None = None) -> str:
    """The opening clause's template: the plan's ``own`` if given, else :data:`DEFAULT_LEADS`."""
    if own:
        return own
    if unit == "%":
        return DEFAULT_LEADS["percent"]
    if amount:
        return DEFAULT_LEADS["amount"]
    return DEFAULT_LEADS["cumulative" if kind == "cumulative" else "stock"]


def fill(template: str, when: str, name: Quote, figure: Figure) -> list[Part]:
    """``template`` with ``{时期}``, ``{指标}`` and ``{数值}`` filled; literal text becomes words."""
    parts: list[Part] = []
    for literal, slot, _, _ in string.Formatter().parse(template):
        if literal:
            parts.append(Words(literal))
        if slot == "时期":
            parts.append(Words(when))
        elif slot == "指标":
            parts.append(name)
        elif slot == "数值":
            parts.append(figure)
    return parts


def by_sign(figure: Figure, above: str, below: str, level: str) -> list[Part]:
    """``above`` or ``below`` and the magnitude, by the figure's sign; ``level`` alone when it shows as zero."""
    if Decimal(figure.text) == 0:
        return [Words(level)]
    return [Words(above if figure.value > 0 else below), figure]


def yoy_clause(growth: Figure) -> list[Part]:
    """，同比增长9.8% / ，同比下降2.1% / ，与上年同期持平."""
    return by_sign(growth, "，同比增长", "，同比下降", "，与上年同期持平")


def completion_clause(completion: Figure, target: str) -> list[Part]:
    """，完成年度目标的67.7% (``target``: 年度目标, 2025年目标)."""
    return [Words(f"，完成{target}的"), completion]


def pace_clause(gap: Figure) -> list[Part]:
    """，快于时序进度2.3个百分点 / ，慢于时序进度7.3个百分点 / ，与时序进度持平."""
    return by_sign(gap, "，快于时序进度", "，慢于时序进度", "，与时序进度持平")


def indicator_sentence(opening: Sequence[Part], growth: Figure | None, completion: Figure | None, target: str | None,
                       gap: Figure | None, pace: Figure | None, verdict: Sequence[Part]) -> list[Part]:
    """An indicator's sentence: the opening clause, then 同比, 完成, 时序进度 and the verdict, each only when
    known; 时序进度 also not at 100 % (the target's own date, where the completion says it all)."""
    parts = list(opening)
    if growth is not None:
        parts += yoy_clause(growth)
    if completion is not None and target is not None:
        parts += completion_clause(completion, target)
    if gap is not None and pace is not None and Decimal(pace.text) != 100:
        parts += pace_clause(gap)
    return [*parts, *verdict, Words("。")]


def verdict_clause(status: str, final: bool, year: int, target: Quote) -> list[Part]:
    """，已提前完成2027年目标（突破200个）/ ，已完成… / ，未完成2024年目标（150亿元）; else nothing."""
    if status == "achieved":
        return [Words(f"，{'已完成' if final else '已提前完成'}{year}年目标（"), target, Words("）")]
    if status == "missed":
        return [Words(f"，未完成{year}年目标（"), target, Words("）")]
    return []


def year_target(year: int, annual: bool) -> str:
    """年度目标 for the trajectory's own year, else 2025年目标."""
    return "年度目标" if annual else f"{year}年目标"


def no_data_sentence(count: Figure, names: Sequence[tuple[Quote, Quote | None]]) -> list[Part]:
    """另有14项指标未报送应报数据：A（市商务局）、B……。"""
    listed = joined([[name, Words("（"), owner, Words("）")] if owner is not None else [name] for name, owner in names])
    return [Words("另有"), count, Words("指标未报送应报数据："), *listed, Words("。")]


# --- counts ------------------------------------------------------------------------------------


def joined(groups: Sequence[Sequence[Part]]) -> list[Part]:
    """The groups one after another, separated by 、."""
    parts: list[Part] = []
    for i, group in enumerate(groups):
        if i:
            parts.append(Words("、"))
        parts += group
    return parts


def counts(items: Sequence[tuple[str, Figure]]) -> list[Part]:
    """正常4项、滞后3项 — the items given (zero counts are left out by the caller)."""
    return joined([[Words(label), figure] for label, figure in items])


def names(items: Sequence[Quote]) -> list[Part]:
    """A、B、C."""
    return joined([[item] for item in items])


# --- sections ----------------------------------------------------------------------------------

TASK_WORDS: dict[str, str] = {"done": "已完成", "in_progress": "推进中", "late": "滞后", "not_started": "未启动",
                              "unreported": "未报", "unmarked": "未标注"}
"""Task states in the order a sentence counts them."""
RETURN_WORDS: dict[str, tuple[str, bool, str]] = {
    "on_time": ("按时报送", False, ""), "late": ("逾期报送", True, ""),
    "backfill": ("补录", True, "，不计是否按时"), "missing": ("未报送", True, ""),
    "rejected": ("报表被退回、尚未重报", True, ""), "due": ("尚未到报送期限", True, "")}
"""How the returns sentence counts each state, whether it names the units, and what it adds after
their names (a back-fill is neither on time nor late)."""
NOTHING_BEHIND = "本期没有滞后的指标和任务。"
NO_AGENCY = "相关责任单位"


def plan_title(title: Quote) -> list[Part]:
    """《绍兴市促进平台经济高质量发展行动方案》."""
    return [Words("《"), title, Words("》")]


def plan_name(title: Quote, number: Quote) -> list[Part]:
    """《…行动方案》（绍政办发〔2023〕38号）."""
    return [*plan_title(title), Words("（"), number, Words("）")]


def overview(as_of: dt.date, plans: Sequence[Sequence[Part]], returns: Sequence[Part]) -> list[Part]:
    """截至2025年1月21日，<plan>；<plan>。<returns>."""
    parts: list[Part] = [Words(f"截至{date_text(as_of)}，")]
    for i, plan in enumerate(plans):
        parts += [*([Words("；")] if i else []), *plan]
    return [*parts, Words("。"), *returns]


PLAN_ENDED = "计划期已满，"
"""Said after an ended plan's name (its horizon is over and its last return past due): its verdicts
are final and the check raises nothing more for it, so 下步工作 has no point for it."""


def plan_overview(name: Sequence[Part], indicators: Figure | None, statuses: Sequence[tuple[str, Figure]],
                  tasks: Figure | None, states: Sequence[tuple[str, Figure]], ended: bool = False) -> list[Part]:
    """<name>26项指标中，正常4项、…，20项重点任务中，推进中5项、…（either half left out when the plan has none);
    an ended plan: <name>计划期已满，2项指标中，…"""
    halves: list[list[Part]] = []
    if indicators is not None:
        halves.append([indicators, Words("指标中，"), *counts(statuses)])
    if tasks is not None:
        halves.append([tasks, Words("重点任务中，"), *counts(states)])
    return [*name, *([Words(PLAN_ENDED)] if ended else []), *(halves[0] if halves else []),
            *([Words("，"), *halves[1]] if len(halves) > 1 else [])]


def returns_overview(period: Period, owed: Figure, on_time: Figure, backfill: Figure | None,
                     rate: Figure | None) -> list[Part]:
    """2024年报表应报送12家单位，按时报送3家，按时报送率25.0%。(the rate once every return is due);
    with back-fills: …按时报送3家，补录1家不计是否按时，按时报送率27.3%。"""
    parts: list[Part] = [Words(f"{period_title(period)}报表应报送"), owed, Words("单位，按时报送"), on_time]
    if backfill is not None:
        parts += [Words("，补录"), backfill, Words("不计是否按时")]
    if rate is not None:
        parts += [Words("，按时报送率"), rate]
    return [*parts, Words("。")]


def returns_sentence(period: Period, owed: Figure, groups: Sequence[tuple[str, Figure, Sequence[Quote]]],
                     moot: Sequence[tuple[Quote, Period]] = ()) -> list[Part]:
    """2024年报表应报送12家单位，按时报送3家，逾期报送1家（A），补录1家（B，不计是否按时），未报送7家（C、D…），
    其中D已报送其后的2024年报表，不再催报。

    ``groups`` are (state, count, units) in :data:`RETURN_WORDS`' order; a state's units are named
    when the sentence names them and there are any. ``moot``: units whose missing return a later
    return of the same year made moot, with that later period.
    """
    parts: list[Part] = [Words(f"{period_title(period)}报表应报送"), owed, Words("单位，")]
    for i, (state, count, units) in enumerate(groups):
        label, named, note = RETURN_WORDS[state]
        parts += [*([Words("，")] if i else []), Words(label), count]
        if named and units:
            parts += [Words("（"), *names(units), Words(note + "）")]
    if moot:
        later: dict[Period, list[Quote]] = {}
        for unit, period_after in moot:
            later.setdefault(period_after, []).append(unit)
        parts.append(Words("，其中"))
        for i, (period_after, units) in enumerate(later.items()):
            parts += [*([Words("，")] if i else []), *names(units), Words(f"已报送其后的{period_title(period_after)}报表")]
        parts.append(Words("，不再催报"))
    return [*parts, Words("。")]


def no_returns(period: Period) -> list[Part]:
    return [Words(f"{period_title(period)}无应报送报表的单位。")]


def task_name(number: Quote, title: Quote) -> list[Part]:
    """任务7“培育发展跨境电商”."""
    return [Words("任务"), number, Words("“"), title, Words("”")]


def late_task(name: Sequence[Part], lead: Quote, issues: Quote | None) -> list[Part]:
    """任务7“…”（牵头单位：市商务局）进度滞后，存在问题：<the unit's own words>."""
    parts: list[Part] = [*name, Words("（牵头单位："), lead, Words("）进度滞后")]
    return [*parts, Words("，存在问题："), issues] if issues is not None else parts


def task_group(title: Quote, tasks: Figure, states: Sequence[tuple[str, Figure]],
               late: Sequence[Sequence[Part]]) -> list[Part]:
    """实施平台经济创新赋能行动。4项任务中，推进中2项、未报2项。其中，<late task>；<late task>。"""
    parts: list[Part] = [title, Words("。"), tasks, Words("任务中，"), *counts(states), Words("。")]
    if late:
        parts.append(Words("其中，"))
        for i, task in enumerate(late):
            parts += [*([Words("；")] if i else []), *task]
        parts.append(Words("。"))
    return parts


def area_sentence(when: str, name: Quote, first: Sequence[Part], last: Sequence[Part] | None,
                  fastest: tuple[Quote, Figure] | None, slowest: tuple[Quote, Figure] | None) -> list[Part]:
    """2024年，网络零售额居前的是柯桥区（300.5亿元），居后的是新昌县（60亿元）；同比增速最高的是柯桥区（增长12.5%），
    最低的是越城区（下降1.2%）。 — ``first`` / ``last`` are an area and its figure (:func:`area_figure`);
    with one area only: …仅有柯桥区（300.5亿元）的分地区数据。"""
    parts: list[Part] = [Words(when + "，"), name]
    if last is None:
        return [*parts, Words("仅有"), *first, Words("的分地区数据。")]
    parts += [Words("居前的是"), *first, Words("，居后的是"), *last]
    if fastest is not None and slowest is not None:
        parts += [Words("；同比增速最高的是"), fastest[0], *_growth_in_brackets(fastest[1]), Words("，最低的是"),
                  slowest[0], *_growth_in_brackets(slowest[1])]
    return [*parts, Words("。")]


def area_figure(area: Quote, figure: Figure) -> list[Part]:
    """柯桥区（300.5亿元）."""
    return [area, Words("（"), figure, Words("）")]


def _growth_in_brackets(growth: Figure) -> list[Part]:
    return [Words("（"), *by_sign(growth, "增长", "下降", "持平")[:2], Words("）")]


def milestone(name: Quote, period: Period) -> list[Part]:
    """跨境电商进出口总额2024年目标."""
    return [name, Words(f"{period.label()}目标")]


def deliverable(task: Sequence[Part], title: Quote) -> list[Part]:
    """任务3“…”中的“…”."""
    return [*task, Words("中的“"), title, Words("”")]


def plan_subject(short_name: str) -> str:
    """The subject of a plan's indicator table caption: 38号指标完成情况."""
    return f"{short_name}指标完成情况"


def area_subject(name: str, unit: str) -> str:
    """The subject of an area table caption: 网络零售额分地区情况（亿元）."""
    return f"{name}分地区情况（{unit}）"


def in_cell(text: str) -> Words:
    """A note on a second line of a table cell (the year a target or a figure belongs to)."""
    return Words(LINE_BREAK + text)


def status_label(label: str, final: bool) -> str:
    """正常, or 已达成（终） / 未达成（终） for a final verdict."""
    return label + ("（终）" if final else "")


# --- 下步工作 ------------------------------------------------------------------------------------


def by_words(by: dt.date | None, what: str) -> str:
    """于2025年4月20日前随下期报表报送; without a next return (the plan has ended) 尽快书面报告."""
    return f"于{date_text(by)}前{what}" if by else "尽快书面报告"


def point(kind: str, agency: Part, subject: list[Part], by: dt.date | None) -> list[Part]:
    """One item of 下步工作 for a ``check`` finding of ``kind``, addressed to ``agency``.

    ``kind`` is ``off_track``, ``at_risk``, ``missed`` (a milestone), ``late_task`` or
    ``deliverable``; ``subject`` names what it is about (an indicator, a milestone, a task).
    """
    head: list[Part] = [Words("请"), agency]
    if kind == "off_track":
        return [*head, Words("针对"), *subject, Words("进度滞后的情况，分析原因、提出赶超措施，"),
                Words(by_words(by, "随下期报表报送") + "。")]
    if kind == "at_risk":
        return [*head, Words("密切关注"), *subject, Words("推进情况，"), Words(by_words(by, "随下期报表说明推进措施") + "。")]
    if kind == "missed":
        return [*head, Words("说明"), *subject, Words("未完成的原因、提出整改措施，"),
                Words(by_words(by, "随下期报表报送") + "。")]
    if kind == "late_task":
        return [*head, Words("针对"), *subject, Words("推进滞后的问题，提出赶进措施，"),
                Words(by_words(by, "随下期报表报送") + "。")]
    return [*head, Words("说明"), *subject, Words("的完成情况，"), Words(by_words(by, "随下期报表报送") + "。")]


__all__ = [
    "AREA_HEADER", "CN_DIGITS", "DEFAULT_LEADS", "INDICATOR_HEADER", "LINE_BREAK", "NOTHING_BEHIND", "NOT_KNOWN",
    "NO_AGENCY", "PERCENT_NOTE", "PLACEHOLDER", "PLAN_ENDED", "RETURN_WORDS", "SECTION_TITLES", "TASK_WORDS", "TITLE_TEMPLATE",
    "area_figure", "area_sentence", "area_subject", "by_sign", "by_words", "caption", "cn_number", "completion_clause",
    "counts", "date_text", "deliverable", "fallback_topic", "fill", "gap_points", "in_cell",
    "indicator_sentence", "item_number", "joined", "late_task", "lead_template", "milestone", "names",
    "no_data_sentence", "no_returns", "number_text", "overview", "pace_clause", "percent_text", "period_title",
    "plan_name", "plan_overview", "plan_subject", "plan_title", "point", "reported_percent_text", "returns_overview",
    "returns_sentence", "section_number", "span", "status_label", "subsection_number", "task_group", "task_name",
    "title", "verdict_clause", "year_target", "yoy_clause"
]
