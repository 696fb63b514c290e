"""Review commands: ``accept``, ``reject`` and ``review`` (the queue of returns awaiting a decision).

Exit codes: 0 the decision is recorded (or the batch was already in that state: said, nothing
written), 2 usage — an id that is no batch (nothing written), no ledger, an empty ``--reason``, no
way to tell who decides.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from pingtai.cli import app
from pingtai.cli._common import IndentOpt, echo_json, json_indent, output, state
from pingtai.errors import UsageError

if TYPE_CHECKING:
    from pingtai.ledger import Batch, DecisionKind
    from pingtai.render.console import Output
    from pingtai.review import DecisionResult, PendingReturn

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（结构见 docs/contracts.md）。")]
BatchesArg = Annotated[list[int], typer.Argument(help="批次号（见 pingtai batches / pingtai review），可多个。",
                                                 show_default=False)]
ByOpt = Annotated[str | None, typer.Option(
    "--by", help="审核人姓名（默认：PostgreSQL 台账为数据库账号名，SQLite 台账为当前操作系统用户名）。", show_default=False)]


@app.command()
def accept(
    ctx: typer.Context,
    batches: BatchesArg,
    note: Annotated[str, typer.Option("--note", help="备注，随决定记入台账。")] = "",
    by: ByOpt = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """接收报表：把批次标为“已接收”，其数值与任务进展计入看板、报告、排名、检查和通报。

    待审核（ledger set review required）或曾被退回的批次接收后即计入；已是“已接收”的批次不重复记录（提示后退出码 0）。
    每个决定连同审核人、时间记入台账与归档中的决定记录（archive/decisions.jsonl），只追加、不修改。

    示例：pingtai accept 12 ｜ pingtai accept 12 13 --note 已电话核实 --by 王五
    """
    _decide(ctx, batches, "accepted", note, by, as_json, indent)


@app.command()
def reject(
    ctx: typer.Context,
    batches: BatchesArg,
    reason: Annotated[str, typer.Option("--reason", help="退回理由（必填），写入检查结果与单位报告。", show_default=False)],
    by: ByOpt = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """退回报表：把批次标为“已退回”，其数值与任务进展不再计入任何结果（history 仍列出，标明“已退回”及理由）。

    该单位该期报表视为未报，直到重新报送新文件；pingtai check 为该单位列出退回理由与重报期限。同一文件不能再次导入。
    以新理由再次退回会另记一条决定；理由相同则不重复记录（提示后退出码 0）。

    示例：pingtai reject 12 --reason "网络零售额单位应为亿元，请核实后重报" --by 王五
    """
    if not reason.strip():
        raise UsageError("--reason 不能为空：退回须说明理由", hint='例如 --reason "第 5 行数值单位有误，请核实后重报"')
    _decide(ctx, batches, "rejected", reason.strip(), by, as_json, indent)


@app.command()
def review(ctx: typer.Context, as_json: JsonOpt = False, indent: IndentOpt = None) -> None:
    """待审核的报表：单位、报告期、收到日期、数值与预警数、填报人，以及与现行数值相比的变化。

    台账设为需要审核（pingtai ledger set review required）后，导入的报表先列在这里，接收（pingtai accept）后才计入。

    示例：pingtai review ｜ pingtai review --json
    """
    from pingtai import service

    json_indent(indent, as_json)
    st = state(ctx)
    items = service.review(st.catalog(), service.Store.at(st.db))
    if as_json:
        echo_json(items, indent)
        return
    _render_queue(items, output())


def who(by: str | None) -> str | None:
    """``--by`` as given (stripped; an empty one refused), ``None`` when not given: the ledger's user then
    (:func:`pingtai.review.decided_by`)."""
    if by is not None and not by.strip():
        raise UsageError("--by 不能为空", hint="请写审核人的姓名，例如 --by 王五。")
    return by.strip() if by is not None else None


def _decide(ctx: typer.Context, batches: list[int], decision: DecisionKind, note: str, by: str | None,
            as_json: bool, indent: int | None) -> None:
    from pingtai import service

    json_indent(indent, as_json)
    name = who(by)
    result = service.decide(service.Store.at(state(ctx).db), batches, decision, by=name, at=dt.datetime.now(dt.UTC),
                            note=note)
    if as_json:
        echo_json(result, indent)
        return
    _render_decision(result, output())


def _render_decision(result: DecisionResult, out: Output) -> None:
    from pingtai.ledger import DECISION_LABELS, STATE_LABELS

    recorded = {d.batch for d in result.recorded}
    for batch in result.batches:
        what = f"批次 {batch.id}（{batch.file}，{_return_of(batch)}）"
        if batch.id in recorded:
            out.line(f"已{DECISION_LABELS[result.decision]}：{what}，现为“{STATE_LABELS[batch.state]}”")
        else:
            out.line(f"未重复记录：{what}已是“{STATE_LABELS[batch.state]}”")


def _return_of(batch: Batch) -> str:
    return f"{batch.agency or '多个单位'} {batch.period.label() if batch.period else '多个报告期'}"


def _render_queue(items: list[PendingReturn], out: Output) -> None:
    from pingtai.cli.returns_cmds import contacts
    from pingtai.render.console import TableData
    from pingtai.render.format import recorded

    if not items:
        out.line("没有待审核的报表。")
        return
    out.table(TableData(f"待审核报表（{len(items)}）", [
        "批次", "文件", "单位", "报告期", "收到日期", "新增", "更新", "未变", "任务", "预警", "填报人/审核人"], [
        [str(b.id), b.file, b.agency or "（多个）", b.period.label() if b.period else "（多个）", b.received.isoformat(),
         str(b.diff.added), str(b.diff.updated), str(b.diff.unchanged), str(b.tasks), str(b.warnings), contacts(b)]
        for b in items], optional=("任务", "未变")))
    for b in items:
        if b.diff.changes:
            out.table(TableData(f"批次 {b.id} 将改变的数值（{len(b.diff.changes)}）", ["指标", "地区", "报告期", "单位", "现为", "将改为", "位置"], [
                [c.name, c.area or "", c.period.label(), c.agency, f"{recorded(c.old)} {c.unit}", f"{recorded(c.new)} {c.unit}",
                 c.where] for c in b.diff.changes], optional=("位置", "地区")))
    out.line("接收：pingtai accept 批次号 ｜ 退回：pingtai reject 批次号 --reason 理由")
