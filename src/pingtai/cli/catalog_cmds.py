"""Catalog commands: ``validate``, ``plans``, ``indicators``, ``tasks``, ``agencies``, ``areas``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from pingtai.cli import app
from pingtai.cli._common import IndentOpt, echo_json, err_line, json_indent, output, plan_names, state

PlanOpt = Annotated[str | None, typer.Option("--plan", "-p", help="计划：plan_2023_38 / 38号 / zone_2023_5 / 5号。")]
AgencyOpt = Annotated[str | None, typer.Option("--agency", "-a", help="单位：规范名、简称或全称均可。")]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（结构见 docs/contracts.md）。")]


@app.command()
def validate(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="要检查的 YAML 文件或目录（默认：当前数据目录）。")] = None,
) -> None:
    """校验计划 YAML：结构、字段、单位与指标引用、目标期顺序。

    每个问题一行，格式为 文件:行号: 说明；有问题时退出码为 1。

    示例：pingtai validate ｜ pingtai validate data/plan_2023_38.yaml
    """
    from pingtai.loader import check_paths

    problems = check_paths(list(paths or []), state(ctx).data)
    for problem in problems:
        err_line(problem)
    if problems:
        err_line(f"校验未通过：{len(problems)} 处问题。")
        raise typer.Exit(1)
    output().line("校验通过：计划数据无误。")


@app.command()
def plans(ctx: typer.Context, as_json: JsonOpt = False, indent: IndentOpt = None) -> None:
    """列出计划：文号、标题、发文日期、计划期、指标与任务数量、来源文件。

    示例：pingtai plans ｜ pingtai plans --json
    """
    from pingtai.render.console import TableData
    from pingtai.views import plan_rows

    json_indent(indent, as_json)
    rows = plan_rows(state(ctx).catalog())
    if as_json:
        echo_json(rows, indent)
        return
    output().table(TableData("计划", ["计划", "代码（--plan）", "文号", "标题", "印发", "计划期", "指标", "任务", "文件"], [
        [r["short_name"], r["id"], r["number"], r["title"], r["issued"], f"{r['horizon']['start']}—{r['horizon']['end']}",
         str(r["indicators"]), str(r["tasks"]), r["path"]] for r in rows]))


@app.command()
def indicators(ctx: typer.Context, plan: PlanOpt = None, agency: AgencyOpt = None, as_json: JsonOpt = False,
               indent: IndentOpt = None) -> None:
    """列出指标：单位、类型、基期值、各年度目标及比较方式；同一指标在两个计划中各列一行。

    --agency 只列该单位（含其所在单位组）承担任务所关联的指标。

    示例：pingtai indicators --plan 38号 ｜ pingtai indicators --agency 市农业农村局 --json
    """
    from pingtai.catalog import KIND_LABELS
    from pingtai.render.console import TableData
    from pingtai.render.format import num
    from pingtai.views import indicator_rows

    json_indent(indent, as_json)
    catalog = state(ctx).catalog()
    rows = indicator_rows(catalog, plan, agency)
    if as_json:
        echo_json(rows, indent)
        return
    short = plan_names(catalog)
    output().table(TableData("指标", ["计划", "编号", "名称", "单位", "类型", "任务", "基期", "目标"], [
        [short[r["plan"]], r["id"], r["name"], r["unit"], KIND_LABELS[r["kind"]], str(r["task"] or ""),
         f"{r['baseline']['period']}: {num(r['baseline']['value'])}" if r["baseline"] else "—",
         "；".join(f"{t['period']}: {_target(t)}" for t in r["targets"])] for r in rows]))


def _target(t: dict[str, Any]) -> str:
    from pingtai.catalog import COMPARATOR_LABELS
    from pingtai.render.format import num

    if t["comparator"] == "range":
        return f"{num(t['low'])}—{num(t['high'])}"
    every = f"每年({t['first']}起)" if t["recurring"] else ""
    return f"{every}{num(t['value'])}{COMPARATOR_LABELS[t['comparator']]}"


@app.command()
def tasks(
    ctx: typer.Context,
    plan: PlanOpt = None,
    agency: AgencyOpt = None,
    lead_only: Annotated[bool, typer.Option("--lead-only", help="只列该单位牵头的任务。")] = False,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """列出任务：编号、所属行动、标题、责任单位（第一位为牵头单位）。

    示例：pingtai tasks --plan 5号 ｜ pingtai tasks --agency 市市场监管局 --lead-only
    """
    from pingtai.render.console import TableData
    from pingtai.views import task_rows

    json_indent(indent, as_json)
    catalog = state(ctx).catalog()
    rows = task_rows(catalog, plan, agency, lead_only)
    if as_json:
        echo_json(rows, indent)
        return
    short = plan_names(catalog)
    output().table(TableData("任务", ["计划", "编号", "行动", "任务", "牵头单位", "配合单位"], [
        [short[r["plan"]], str(r["number"]), f"（{r['action']}）", r["title"], r["lead"], "、".join(r["co"])] for r in rows]))


@app.command()
def agencies(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="单位名称（规范名、简称、全称或别名）；省略则列出全部单位。")] = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """列出单位，或解析一个单位名称：规范名、全称、别名、所属单位组、牵头与配合的任务。

    未知名称退出码为 2，并给出最多三个相近名称。

    示例：pingtai agencies ｜ pingtai agencies 市人社保局 ｜ pingtai agencies 绍兴市市场监督管理局 --json
    """
    from pingtai.render.console import TableData
    from pingtai.views import agency_detail, agency_rows

    json_indent(indent, as_json)
    catalog = state(ctx).catalog()
    if name is None:
        rows = agency_rows(catalog)
        if as_json:
            echo_json(rows, indent)
            return
        output().table(TableData("单位", ["单位", "全称", "类别", "别名", "所属组", "牵头", "配合"], [
            [r["name"], r["full_name"], r["label"], "、".join(r["aliases"]), "、".join(r["groups"]),
             str(r["lead"]), str(r["co"])] for r in rows]))
        return
    detail = agency_detail(catalog, name)
    if as_json:
        echo_json(detail, indent)
        return
    out = output()
    if detail["group"]:
        out.line(f"单位组：{detail['name']}")
        out.line(f"成员：{'、'.join(detail['members'])}" + ("" if detail["complete"] else "（文件未列明全部成员）"))
    else:
        out.line(f"单位：{detail['name']}（{detail['full_name']}，{detail['label']}）")
        if detail["query"] != detail["name"]:
            out.line(f"“{detail['query']}”即 {detail['name']}")
        out.line(f"别名：{'、'.join(detail['aliases']) or '—'}")
        out.line(f"所属单位组：{'、'.join(detail['groups']) or '—'}")
    for key, title in (("lead", "牵头任务"), ("co", "配合任务")):
        out.table(TableData(f"{title}（{len(detail[key])}）", ["计划", "编号", "任务", "经由"], [
            [plan_names(catalog)[t["plan"]], str(t["number"]), t["title"], t["via"] or ""] for t in detail[key]]))


@app.command()
def areas(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="地区名称、别名或 6 位区划代码；省略则列出全部地区。")] = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """列出地区：绍兴市及各区、县（市）（GB/T 2260 区划代码）、功能区，及其别名、政府单位和按地区填报的指标。

    功能区（如滨海新区）只列示，不计入全市合计。给出名称则解析该地区（名称、别名或区划代码均可）；
    未知名称退出码为 2，并给出最多三个相近名称。

    示例：pingtai areas ｜ pingtai areas 柯桥 ｜ pingtai areas 330681 --json
    """
    from pingtai.render.console import TableData
    from pingtai.views import area_detail, area_rows

    json_indent(indent, as_json)
    catalog = state(ctx).catalog()
    if name is not None:
        detail = area_detail(catalog, name)
        if as_json:
            echo_json(detail, indent)
            return
        out = output()
        out.line(f"地区：{detail['name']}（{detail['label']}，区划代码 {detail['code'] or '—'}）")
        if detail["query"] != detail["name"]:
            out.line(f"“{detail['query']}”即 {detail['name']}")
        out.line(f"别名：{'、'.join(detail['aliases']) or '—'}")
        out.line(f"政府单位：{detail['agency'] or '—'}")
        out.line("计入全市合计：" + ("是" if detail["summed"] else "否"))
        out.line(f"按地区填报的指标：{'、'.join(catalog.indicators[i].name for i in detail['indicators']) or '—'}")
        return
    rows = area_rows(catalog)
    if as_json:
        echo_json(rows, indent)
        return
    if not rows:
        out = output()
        out.line("数据目录中没有地区名录（areas.yaml）：不按地区填报。")
        return
    output().table(TableData("地区", ["地区", "区划代码", "类别", "别名", "政府单位", "计入全市", "按地区填报的指标数"], [
        [r["name"], r["code"] or "—", r["label"], "、".join(r["aliases"]), r["agency"] or "—",
         "—" if r["kind"] == "city" else ("是" if r["summed"] else "否"), str(len(r["indicators"]))] for r in rows]))
