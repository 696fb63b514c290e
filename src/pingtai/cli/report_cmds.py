"""Report commands: ``report`` (one agency's report, or all of them) and ``league`` (the ranking)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pingtai.cli import app
from pingtai.cli._common import IndentOpt, json_indent, output, progress_bar, state
from pingtai.cli.status_cmds import AsOfOpt, PlanOpt, _day
from pingtai.errors import UsageError

if TYPE_CHECKING:
    from pingtai.reports import AgencyReport, League

FormatOpt = Annotated[str | None, typer.Option(
    "--format", "-f", help="table（屏幕，默认）/ md / xlsx / html / json；给了 -o 时默认按扩展名。", show_default=False)]
OutOpt = Annotated[Path | None, typer.Option("--output", "-o", help="写入文件（--all 时为目录）。", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="等同 --format json（结构见 docs/contracts.md）。")]


@app.command()
def report(
    ctx: typer.Context,
    agency: Annotated[str | None, typer.Option("--agency", "-a", help="单位：简称、全称或别名。",
                                               show_default=False)] = None,
    all_agencies: Annotated[bool, typer.Option("--all", help="为每个有任务、指标或报送义务的单位各写一份，-o 为目录。")] = False,
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    target: OutOpt = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """单位报告：牵头与配合的任务及最新进展、相关指标与走势图、报表报送情况、领导小组联系人。

    任务含经由单位组承担的（如区、县（市）政府经由“各区、县（市）政府”）；指标列出实际、当前应达、状态和实际与目标路径的对比图。

    格式：table 屏幕（默认）、md、html（单个自含文件，可打印 A4）、xlsx（含原生折线图，A4 打印设置）、json。
    xlsx 不输出到屏幕：未给 -o 时写入当前目录的 报告_<单位>_<日期>.xlsx。文件均先写临时文件再替换，不会留下半个文件。
    --all -o 目录：每个单位一份，文件名 <单位>.<扩展名>，格式默认 html。

    示例：pingtai report --agency 市场监管局 ｜ pingtai report -a 市市场监管局 -o 市场监管局.xlsx ｜ pingtai report --all -o 报告/ --as-of 2025-07-25
    """
    from pingtai import service
    from pingtai.render.documents import choose_format, write_reports
    from pingtai.render.format import terminal

    if all_agencies == (agency is not None):
        raise UsageError("请给出 --agency 单位，或用 --all 为全部单位生成报告（二者选一）")
    if all_agencies and target is None:
        raise UsageError("--all 需要 -o 目录", hint="例如：pingtai report --all -o 报告/")
    st = state(ctx)
    catalog = st.catalog()
    store = service.Store.at(st.db)
    day = _day(as_of)
    fmt = "json" if as_json else fmt
    if all_agencies and target is not None:
        json_indent(indent, fmt == "json")
        with progress_bar() as bar:
            items = write_reports(catalog, service.snapshot(store), day, target, fmt or "html", plan, indent=indent,
                                  on_progress=lambda done, total, unit: bar.update("all", f"写报告 {unit}", done, total))
        for item in items:
            fields = [str(item.path), item.agency,
                      f"牵头 {item.lead}，配合 {item.co}，指标 {item.indicators}，未报报表 {item.missing_returns}"]
            typer.echo("\t".join(map(terminal, fields)))
        return
    assert agency is not None
    chosen = choose_format(fmt, target)  # a bad --format or -o is a usage error before anything is read
    json_indent(indent, chosen == "json")
    result = service.report(catalog, store, agency, day, plan=plan)
    _emit(result, chosen, target, indent)


@app.command()
def league(
    ctx: typer.Context,
    plan: PlanOpt = None,
    as_of: AsOfOpt = None,
    by: Annotated[str, typer.Option("--by", help="排名依据：score 综合得分 / returns 按时报送率 / tasks 任务正常率 / "
                                                 "indicators 指标正常率。")] = "score",
    fmt: FormatOpt = None,
    target: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件（.md / .xlsx / .html / .json，格式按扩展名）。",
                                                show_default=False)] = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """单位排名：按报表按时率、牵头任务正常率、归口指标正常率排名，并列出每项背后的数目。

    按时报送率 = 按时报送 ÷ 应报；任务正常率 = 牵头任务中“已完成”“推进中”的 ÷ 牵头任务；指标正常率 = 归口指标中
    “已达成”“正常”的 ÷ 归口指标（不含无基线的）。没有分母的比率不计；综合得分 = 已有比率的平均数 × 100。
    按综合得分（或 --by 指定的一项）从高到低排名，数值相同名次相同（1、2、2、4）；三项均无可计的单位列于末尾，不排名。

    示例：pingtai league ｜ pingtai league --plan 38号 --as-of 2025-07-25 --by returns ｜ pingtai league -o 排名.xlsx
    """
    from pingtai import service
    from pingtai.render.documents import choose_format

    st = state(ctx)
    chosen = choose_format("json" if as_json else fmt, target)  # a usage error before anything is read
    json_indent(indent, chosen == "json")
    day = _day(as_of)
    table = service.league(st.catalog(), service.Store.at(st.db), day, plan=plan, by=by)
    _emit(table, chosen, target, indent)


def _emit(obj: AgencyReport | League, fmt: str, target: Path | None, indent: int | None) -> None:
    """Draw ``obj`` on the terminal, or deliver it as a document (stdout, or a file written atomically);
    ``indent`` shapes JSON (``--indent``)."""
    from pingtai.render import registry
    from pingtai.render.documents import deliver

    if registry.entry(registry.document_of(obj), fmt).screen:
        registry.show(obj, output())
        return
    path, data = deliver(obj, fmt, target, indent=indent)
    if path is None:
        sys.stdout.write(data.decode())
    else:
        output().line(f"已写入 {path}")
