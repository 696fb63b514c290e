"""A small plan written to disk and ledgers seeded through the importer, for the check's tests.

The tiny plan ``plan_tiny`` (2024–2026) has two indicators and two tasks:

- ``sales`` 网络零售额 (flow, 亿元, task 1, 市商务局): 2023 = 100, ≥ 160 by 2026 — the path gives 120
  for 2024 and 140 for 2025, so 2025Q1 expects 140 × 25 % = 35 (a first quarter judged pro rata is
  at risk from 80 % of it, 28);
- ``shops`` 网店 (stock, 家, task 2, 市市场监管局): 2023 = 1000, 1200 by 2024, 1600 by 2026 — 2025Q1
  expects 1250.

Task 1 has a deliverable due in 2024. Returns are quarterly, due 20 days after the quarter with 5
days' grace (Q1 2025: due 04-20, missing from 04-26), escalated to errors after 14 days (05-10).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from pingtai.catalog import Catalog
from pingtai.importer import FileResult, record
from pingtai.ledger import Ledger, sha256_of
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.records import ParsedReturn, TaskRecord, ValueRecord

AGENCIES = """\
schema_version: 1
revision: {date: 2025-01-01, note: 测试用单位}
agencies:
  - {name: 市商务局, full_name: 绍兴市商务局, kind: department, aliases: [商务局], sources: [测试]}
  - {name: 市市场监管局, full_name: 绍兴市市场监督管理局, kind: department, aliases: [市场监管局], sources: [测试]}
  - {name: 市平台经济工作领导小组办公室, full_name: 绍兴市平台经济工作领导小组办公室, kind: office, sources: [测试]}
"""

PLAN = """\
schema_version: 1
id: plan_tiny
short_name: 测试方案
document: {number: 测〔2024〕1号, title: 测试方案, notice_title: 关于印发测试方案的通知, issuer: 测试, issued: 2024-01-01,
           printed: 2024-01-02}
revision: {date: 2025-01-01, note: 测试}
horizon: {start: 2024, end: 2026}
responsibility: {rule: first_listed, text: 列第一位的为牵头单位, source: 测试}
actions: [{key: 一, title: 行动一, source: 一}]
indicators:
  - id: sales
    name: 网络零售额
    unit: 亿元
    kind: flow
    direction: increase
    frequency: quarterly
    task: 1
    baseline: {period: 2023, value: 100, source: 一}
    targets:
      - {period: 2026, comparator: ">=", value: 160, text: 160亿元以上, source: 一}
    source: 一
  - id: shops
    name: 网店
    unit: 家
    kind: stock
    direction: increase
    frequency: quarterly
    task: 2
    baseline: {period: 2023, value: 1000, source: 一}
    targets:
      - {period: 2024, comparator: "=", value: 1200, text: 1200家, source: 一}
      - {period: 2026, comparator: "=", value: 1600, text: 1600家, source: 一}
    source: 一
tasks:
  - number: 1
    action: 一
    title: 做大网络零售
    units: [市商务局]
    deliverables:
      - {id: live_base, title: 建成直播基地, due: 2024, source: 一}
    source: 一
  - number: 2
    action: 一
    title: 培育网店
    units: [市市场监管局, 市商务局]
    source: 一
schedule:
  frequency: quarterly
  due_days: 20
  grace_days: 5
  first: 2024Q1
  escalate_days: 14
  office: 市平台经济工作领导小组办公室
"""

COMMERCE = "市商务局"
MARKET = "市市场监管局"
SENT = dt.datetime(2025, 4, 15, 9, 0, tzinfo=dt.UTC)


def write_tiny(directory: Path, plan: str = PLAN) -> Path:
    """Write the tiny catalog into ``directory`` and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "agencies.yaml").write_text(AGENCIES, encoding="utf-8")
    (directory / "plan_tiny.yaml").write_text(plan, encoding="utf-8")
    return directory


def tiny_catalog(directory: Path) -> Catalog:
    return load_catalog(write_tiny(directory))


def inbox(db: Path | str) -> Path:
    """Where a test's returns are written: beside an SQLite ledger; for a database, in the test's own
    folder (where conftest points ``PINGTAI_DB``)."""
    if isinstance(db, Path):
        return db.parent / "in"
    return Path(os.environ["PINGTAI_DB"]).parent / "in"


def send(db: Path | str, catalog: Catalog, agency: str, period: str, values: Mapping[str, float],
         tasks: Sequence[tuple[int, str | None, str]] = (), *, name: str | None = None) -> FileResult:
    """Import one agency's return for ``period`` through the importer (a real file, archived).

    ``tasks`` are ``(task number, status, issues)`` lines. The return says it was filled in ten days
    after the period (its receipt day, when that is not after the import). Returns the importer's
    file result.
    """
    point = Period.parse(period)
    source = inbox(db) / (name or f"{agency}_{period}.xlsx")
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(f"{agency} {period} {sorted(values.items())} {list(tasks)}".encode())
    records = [ValueRecord(indicator=ident, period=point, agency=agency, value=number,
                           unit=catalog.indicators[ident].unit, where=f"{source.name}!指标!C{i + 5}", raw=f"{number:g}")
               for i, (ident, number) in enumerate(values.items())]
    lines = [TaskRecord(plan="plan_tiny", task=number, agency=agency, period=point, status=status,  # type: ignore[arg-type]
                        progress="按计划推进", issues=issues, next_steps="继续推进", where=f"{source.name}!任务!D{number + 3}")
             for number, status, issues in tasks]
    parsed = ParsedReturn(path=source, sha256=sha256_of(source), layout="template", agency=agency, period=point,
                          values=records, tasks=lines, reporter="张三", phone="0575-88000000", reviewer="赵六",
                          filled_on=point.end + dt.timedelta(days=10))
    with Ledger.open(db) as ledger:
        result = record(parsed, catalog, ledger, source=source, now=SENT)
    assert result.status == "accepted", result.errors
    return result


SALES = {"2024H1": 55.0, "2024Q3": 85.0, "2024": 125.0, "2025Q1": 40.0}
SHOPS = {"2024H1": 1100.0, "2024Q3": 1150.0, "2024": 1250.0, "2025Q1": 1300.0}
PERIODS = ("2024Q1", "2024H1", "2024Q3", "2024", "2025Q1")
"""Returns sent: the first quarter of 2024 with task lines only (no seasonal share for 2025Q1)."""


def all_well(db: Path | str, catalog: Catalog, *, skip: Sequence[tuple[str, str]] = (),
             sales: Mapping[str, float | None] | None = None, shops: Mapping[str, float | None] | None = None,
             task1: Mapping[str, str] | None = None, task2: Mapping[str, str] | None = None) -> None:
    """Every return from 2024Q1 to 2025Q1 in, every figure on its path, task 1 done by 2024: nothing to
    report on 2025-05-01. ``skip`` leaves out (agency, period) returns; the mappings replace figures
    and task states by period (a figure of ``None`` is left out of its return)."""
    sales_now: dict[str, float | None] = {**SALES, **(sales or {})}
    shops_now: dict[str, float | None] = {**SHOPS, **(shops or {})}
    states1 = {"2024Q1": "in_progress", "2024H1": "in_progress", "2024Q3": "in_progress", "2024": "done",
               "2025Q1": "done", **(task1 or {})}
    states2 = {p: "in_progress" for p in PERIODS} | dict(task2 or {})
    for period in PERIODS:
        if (COMMERCE, period) not in skip:
            figure = sales_now.get(period)
            send(db, catalog, COMMERCE, period, {"sales": figure} if figure is not None else {},
                 [(1, states1[period], "")])
        if (MARKET, period) not in skip:
            count = shops_now.get(period)
            send(db, catalog, MARKET, period, {"shops": count} if count is not None else {},
                 [(2, states2[period], "场地未落实" if states2[period] == "late" else "")])
