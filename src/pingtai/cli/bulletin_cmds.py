"""The bulletin command: ``bulletin`` (the quarterly 通报 as a Word document, Markdown or JSON)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from pingtai.cli import app
from pingtai.cli._common import IndentOpt, json_indent, output, state
from pingtai.cli.status_cmds import PlanOpt, _day
from pingtai.errors import UsageError


@app.command()
def bulletin(
    ctx: typer.Context,
    period: Annotated[str, typer.Option("--period", help="通报的期别：2024Q3、2024年三季度、2024年1-9月、2024（全年）。",
                                        show_default=False)],
    plan: PlanOpt = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="研判日期 YYYY-MM-DD（默认：该期报表报送截止后一天）。", show_default=False)] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="docx（默认，公文格式）/ md / json；给了 -o 时默认按扩展名。", show_default=False)] = None,
    target: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件（先写临时文件再替换）。",
                                                show_default=False)] = None,
    doc_number: Annotated[str, typer.Option("--doc-number", help="发文字号，如 绍平台办〔2024〕3号（给出时加版头）。",
                                            show_default=False)] = "",
    issuer: Annotated[str | None, typer.Option("--issuer", help="署名（默认：计划领导小组办公室的全称）。",
                                               show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="等同 --format json：通报的数据（结构见 docs/contracts.md）。")] = False,
    indent: IndentOpt = None,
) -> None:
    """季度通报初稿：按公文格式（GB/T 9704）写出总体情况、主要指标完成情况、重点任务推进情况、报表报送情况和下步工作。

    每个数字都取自同一研判日期的进度看板（status）、单位报告和检查结果，可在 --json 中逐一追溯来源。
    docx 不输出到屏幕：未给 -o 时写入当前目录的 通报_<期别>_<日期>.docx；md、json 输出到屏幕或 -o 文件。
    “下步工作”末尾留有起草人补充的位置。

    示例：pingtai bulletin --period 2024Q3 ｜ pingtai bulletin --period 2024Q4 --plan 38号 -o 通报.docx --doc-number "绍平台办〔2025〕1号" ｜ pingtai bulletin --period 2024Q3 --format md ｜ pingtai bulletin --period 2024Q3 --json --indent 2
    """
    from pingtai import service
    from pingtai.periods import Period, PeriodError  # pydantic with it: not for `pingtai --version`
    from pingtai.render.documents import choose_format, deliver

    try:
        point = Period.parse(period)
    except PeriodError as exc:
        raise UsageError(str(exc), hint="--period 例如 2024Q3、2024年三季度、2024H1、2024。") from None
    chosen = choose_format("json" if as_json else fmt, target, "bulletin")  # a usage error before anything is read
    json_indent(indent, chosen == "json")
    day = _day(as_of) if as_of is not None else None
    st = state(ctx)
    result = service.bulletin(st.catalog(), service.Store.at(st.db), point, as_of=day, plan=plan,
                              doc_number=doc_number, issuer=issuer)
    path, data = deliver(result, chosen, target, indent=indent)
    if path is None:
        sys.stdout.write(data.decode())
    else:
        output().line(f"已写入 {path}（{result.title}，研判日期 {result.as_of}）")
