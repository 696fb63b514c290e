"""Progress commands: ``status`` (the dashboard) and ``show`` (one indicator in depth)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from pingtai.cli import app
from pingtai.cli._common import IndentOpt, echo_json, json_indent, output, state
from pingtai.errors import UsageError
from pingtai.gcutil import gc_paused

if TYPE_CHECKING:
    from pingtai.catalog import Catalog
    from pingtai.render.jsonout import LeaveOut

PlanOpt = Annotated[str | None, typer.Option("--plan", "-p", help="计划：plan_2023_38 / 38号 / zone_2023_5 / 5号。")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="研判日期 YYYY-MM-DD（默认：今天）。", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（结构见 docs/contracts.md）。")]


@app.command()
def status(
    ctx: typer.Context,
    plan: PlanOpt = None,
    agency: Annotated[str | None, typer.Option("--agency", "-a", help="只看该单位相关的指标、任务和报表。")] = None,
    area: Annotated[str | None, typer.Option(
        "--area", help="地区看板：该区、县（市）或功能区的各项指标数值、同比、占全市比重和位次，及其政府的任务和报表。",
        show_default=False)] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
    history: Annotated[bool, typer.Option(
        "--history", help="JSON 中附上每项指标的逐期实际值（history 与 projection.used；默认不附）。")] = False,
) -> None:
    """进度看板：各计划每项指标的最新值、当前应达、下一节点、最终目标、完成率与状态，任务进展和应报未报的报表。

    状态：已达成 / 正常 / 预警（低于应达但在容差内）/ 滞后 / 无数据 / 无基线 / 未达成。
    年内累计的指标（如网络零售额 1-6月）按全年目标 × 时间进度（或上年同期占比）研判。
    --area：某地区的数值只按计划为该地区设定的目标研判；未设地区目标的只列数值，不套用全市目标。

    --json 的指标行默认不含逐期实际值（history 与预测所依据的 projection.used；大台账上输出约少一半），需要时加 --history。

    示例：pingtai status ｜ pingtai status --plan 38号 --as-of 2025-07-25 ｜ pingtai status --agency 市商务局 --json --indent 2 ｜
    pingtai status --area 柯桥区
    """
    json_indent(indent, as_json)
    if history and not as_json:
        raise UsageError("--history 只用于 JSON 输出", hint="请同时给出 --json，例如 --json --history。")
    st = state(ctx)
    catalog = st.catalog()
    with gc_paused():
        _status(catalog, st.db, _day(as_of), plan, agency, area, as_json, indent, history)


def _series() -> LeaveOut:
    """What ``status --json`` leaves out unless ``--history``: each indicator's reported series,
    ``history``, and the same observations again as its projection's ``used`` — on a 2,000-indicator
    ledger of 100k values, half of the output and of the time it takes to write."""
    from pingtai.assess import IndicatorStatus
    from pingtai.progress import Projection

    return {IndicatorStatus: ("history",), Projection: ("used",)}


def _status(catalog: Catalog, db: str | None, as_of: dt.date, plan: str | None, agency: str | None,
            area: str | None, as_json: bool, indent: int | None, history: bool) -> None:
    # its own frame: the rows and the report are freed (by reference counting) before the GC resumes
    from pingtai import service
    from pingtai.render.status import render_status

    report = service.status(catalog, service.Store.at(db), as_of, plan=plan, agency=agency, area=area, used=history)
    if as_json:
        echo_json(report, indent, leave_out=None if history else _series())
    else:
        render_status(report, output())


@app.command()
def show(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(help="编号、名称或别名，如 网络零售额。", show_default=False)],
    plan: PlanOpt = None,
    by_area: Annotated[bool, typer.Option(
        "--by-area", help="分地区：各区、县（市）的数值、同比（报表所报/台账计算）、占全市比重、位次、对全市增长的拉动。")] = False,
    period: Annotated[str | None, typer.Option(
        "--period", help="与 --by-area 同用：报告期，如 2024Q3、2024年1-9月（默认：有地区数值的最近一期）。",
        show_default=False)] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """一项指标的详情：各计划的目标路径与实际（逐期）、节点研判、预测、进展比率、计算说明和图示。

    --by-area 改为列出各地区的数值、同比（报表所报/按台账计算）、占全市比重、位次和对全市增长的拉动（只用于按地区填报的指标；
    --json 仍含全部详情，另加 areas）。

    示例：pingtai show 网络零售额 ｜ pingtai show online_retail_sales --plan 38号 --as-of 2025-07-25 --json ｜
    pingtai show 网络零售额 --by-area --period 2024
    """
    from pingtai import service
    from pingtai.render.status import render_detail

    json_indent(indent, as_json)
    st = state(ctx)
    detail = service.show(st.catalog(), service.Store.at(st.db), indicator, _day(as_of), plan=plan, by_area=by_area,
                          period=period)
    if as_json:
        echo_json(detail, indent)
        return
    render_detail(detail, output())


def _day(text: str | None) -> dt.date:
    """``--as-of``: an ISO date, or today (the only place these commands read the clock)."""
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"无法识别的日期 '{text}'", hint="--as-of 请写作 YYYY-MM-DD，例如 2025-07-25。") from None

