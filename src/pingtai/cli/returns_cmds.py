"""Return and ledger commands: ``import``, ``template``, ``history``, ``batches``."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pingtai.cli import app
from pingtai.cli._common import IndentOpt, echo_json, err_line, json_indent, output, plan_names, progress_bar, state
from pingtai.errors import UsageError
from pingtai.gcutil import gc_paused

if TYPE_CHECKING:
    from pingtai.history import IndicatorHistory
    from pingtai.importer import FileResult, ImportResult, ProgressCallback, Receipt
    from pingtai.ledger import Batch, StoredValue
    from pingtai.render.console import Cell, Output

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（结构见 docs/contracts.md）。")]


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help=".xlsx .xlsm .xls .ods .csv 文件，可多个。", show_default=False)],
    agency: Annotated[str | None, typer.Option("--agency", "-a", help="填报单位（文件中已写明时可省略；与文件矛盾则报错）。")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="报告期，如 2024Q4、2024年1-12月（同上）。")] = None,
    received: Annotated[str | None, typer.Option(
        "--received", help="收到报表的日期 YYYY-MM-DD（默认：报表所填的填报日期，否则导入当天）。", show_default=False)] = None,
    backfill: Annotated[bool, typer.Option(
        "--backfill", help="补录历史数据（统计导出、补报）：数值计入，不计是否按时（显示为“补录”）。")] = False,
    accept: Annotated[list[str] | None, typer.Option(
        "--accept", help="放行被拦下的疑似单位错误或异常跳变的单元格（如 指标!E5；可多次给出或用逗号分隔），须同时给 --reason。",
        show_default=False)] = None,
    accept_all: Annotated[bool, typer.Option("--accept-all", help="放行本次所有被拦下的跳变（须同时给 --reason）。")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="放行的理由，记入批次。", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将会导入的内容，不写入台账。")] = False,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """导入单位报表：逐个文件校验，全部通过才写入（每个文件一个批次），有错则该文件一条不写。

    汇总每个文件的新增、更新（旧值 → 新值）、未变、预警、未填与错误；错误位置写作 文件!工作表!单元格。
    每个数值与本单位上期（流量指标为上年同期）、基期或目标比较：疑似单位填错（如以万元填入亿元栏）、
    相差 20 倍以上或超出取值范围的，整个文件被拒绝；确属实际的跳变用 --accept 单元格 --reason 理由 放行。
    收到日期：--received，否则报表所填的填报日期（不晚于今天、不早于报告期末），否则导入当天；按时率据此计算。
    同一文件重复导入视为未变；任一文件被拒绝时退出码为 1。

    示例：pingtai import 填报表_市商务局_2024Q4.xlsx ｜ pingtai import 历史数据.xlsx --backfill ｜
    pingtai import 商务局_2025Q1.xlsx --received 2025-04-15 ｜ pingtai import 商务局.xlsx --accept 指标!E5 --reason 新统计口径
    """
    from pingtai.returns.opening import FilesAhead

    json_indent(indent, as_json)
    ahead = FilesAhead(files)  # parsing the first file (no GIL) overlaps importing and loading the catalog
    ahead.wait_measured()
    from pingtai import service

    st = state(ctx)
    receipt = _receipt(received, backfill, accept or [], accept_all, reason)
    with gc_paused(), _progress_bar(enabled=not as_json) as progress:  # 100 000s of acyclic rows and values
        result = service.import_returns(st.catalog(), service.Store.at(st.db), files, agency=agency, period=period,
                                        receipt=receipt, dry_run=dry_run, now=dt.datetime.now(dt.UTC),
                                        on_progress=progress, ahead=ahead)
    if as_json:
        echo_json(result, indent)
    else:
        _render_import(result, output())
    raise typer.Exit(result.exit_code)


@app.command()
def template(
    ctx: typer.Context,
    agency: Annotated[str, typer.Option("--agency", "-a", help="填报单位。", show_default=False)],
    period: Annotated[str, typer.Option("--period", "-p", help="报告期，如 2024Q4、2025H1。", show_default=False)],
    out: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（默认：填报表_<单位>_<报告期>.xlsx）。")] = None,
) -> None:
    """生成某单位某报告期的填报表（.xlsx）：归口指标与牵头任务已预填，只需填写数值与进展。

    表内记录了单位、报告期和计划版本，导入时无需再指定 --agency / --period。

    示例：pingtai template --agency 市商务局 --period 2024Q4 -o 商务局_2024Q4.xlsx
    """
    from pingtai.template import write_template

    result = write_template(state(ctx).catalog(), agency, period, out, generated=dt.date.today())
    c = result.content
    output().line(f"已生成填报表：{result.path}（{c.agency}，{c.period.label()}；指标 {len(c.indicators)} 项，"
                  f"牵头任务 {len(c.tasks)} 项；报送截止 {c.due.isoformat()}）")


@app.command()
def history(
    ctx: typer.Context,
    indicator: Annotated[str, typer.Argument(help="编号、名称或别名，如 网络零售额。", show_default=False)],
    plan: Annotated[str | None, typer.Option("--plan", help="只在该计划的指标中查找，并显示该计划的目标。")] = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """某指标历次收到的全部数值：报告期、数值、单位、填报单位、批次、来源文件、导入时间、是否已被更正，及地区、同比、上年同期、备注。

    示例：pingtai history 网络零售额 ｜ pingtai history online_retail_sales --plan 5号 --json
    """
    from pingtai import service

    json_indent(indent, as_json)
    st = state(ctx)
    found = service.history(st.catalog(), service.Store.at(st.db), indicator, plan=plan)
    if as_json:
        echo_json(found.values, indent)
        return
    _render_history(found, output(), plan_names(st.catalog()))


@app.command()
def batches(ctx: typer.Context, as_json: JsonOpt = False, indent: IndentOpt = None) -> None:
    """列出历次导入（批次）：文件、sha256、单位、报告期、导入时间、新增/更新/未变/任务/预警数、审核状态、填报人与审核人。

    状态：待审核（尚未接收，不计入）、已接收、已退回（不计入；附理由）。报表缺填报人、联系电话或审核人的，标明“缺…”。

    示例：pingtai batches ｜ pingtai batches --json
    """
    from pingtai import service
    from pingtai.ledger import RECEIVED_SOURCE_LABELS
    from pingtai.render.console import TableData
    from pingtai.render.format import clock

    json_indent(indent, as_json)
    rows = service.batches(service.Store.at(state(ctx).db))
    if as_json:
        echo_json(rows, indent)
        return
    output().table(TableData(f"导入批次（{len(rows)}）", [
        "批次", "文件", "sha256", "单位", "报告期", "收到日期", "收到日期来源", "导入时间", "新增", "更新", "未变", "任务",
        "预警", "放行", "状态", "填报人/审核人"], [
        [str(b.id), b.file, b.sha256[:12], b.agency or "（多个）", b.period.label() if b.period else "（多个）",
         b.received.isoformat() + ("（补录）" if b.backfill else ""), RECEIVED_SOURCE_LABELS[b.received_source],
         clock(b.imported_at), str(b.imported), str(b.updated), str(b.unchanged), str(b.tasks), str(b.warnings),
         f"{len(b.accepted)}（{b.accept_reason}）" if b.accepted else "0", review_state(b), contacts(b)]
        for b in rows], optional=("填报人/审核人", "sha256", "收到日期来源", "导入时间", "放行", "未变", "任务")))


def review_state(batch: Batch) -> str:
    """A batch's review state as the tables show it: 已退回 with the reason of the rejection."""
    from pingtai.ledger import STATE_LABELS

    label = STATE_LABELS[batch.state]
    if batch.state == "rejected" and batch.decisions:
        return f"{label}（{batch.decisions[-1].reason}）"
    return label


def contacts(batch: Batch) -> str:
    """填报人, 联系电话 and 审核人 as a return gave them, and which it left out (``缺审核人``)."""
    given = "，".join(filter(None, [batch.reporter, batch.phone, f"审核：{batch.reviewer}" if batch.reviewer else ""]))
    missing = f"缺{'、'.join(batch.missing_contacts)}" if batch.missing_contacts else ""
    return "；".join(filter(None, [given, missing]))


# --- helpers -----------------------------------------------------------------------------------


def _receipt(received: str | None, backfill: bool, accept: list[str], accept_all: bool, reason: str | None) -> Receipt:
    """``--received``, ``--backfill``, ``--accept`` / ``--accept-all`` / ``--reason`` as the importer takes them."""
    from pingtai.importer import Receipt
    from pingtai.series import Acceptance

    day = None
    if received is not None:
        try:
            day = dt.date.fromisoformat(received.strip())
        except ValueError:
            raise UsageError(f"无法识别的日期 '{received}'", hint="--received 请写作 YYYY-MM-DD，例如 2025-04-15。") from None
    cells = tuple(dict.fromkeys(c.strip() for spec in accept for c in spec.split(",") if c.strip()))
    text = (reason or "").strip()
    if (cells or accept_all) and not text:
        raise UsageError("放行（--accept / --accept-all）须说明理由", hint="例如：--accept 指标!E5 --reason 统计口径调整，数值经核实无误")
    if text and not (cells or accept_all):
        raise UsageError("--reason 只与 --accept 或 --accept-all 一起使用")
    return Receipt(received=day, backfill=backfill, acceptance=Acceptance(cells, accept_all, text))


@contextlib.contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A bar per file on stderr when it is a terminal and reading takes over a second; else no callback."""
    with progress_bar(enabled) as bar:

        def update(file: str, done: int, total: int) -> None:
            bar.update(file, f"读取 {Path(file).name}", done, total)

        yield update if bar.active else None


_STATUS = {"accepted": "已导入", "duplicate": "未变（同一文件已导入）", "rejected": "已拒绝"}


def _render_import(result: ImportResult, out: Output) -> None:
    from pingtai.render.console import styled

    for item in result.files:
        _render_file(item, out, result.dry_run)
    accepted = sum(1 for f in result.files if f.status == "accepted")
    duplicates = sum(1 for f in result.files if f.status == "duplicate")
    tail = "（试运行：未写入台账）" if result.dry_run else ""
    out.line(f"共 {len(result.files)} 个文件：{'可导入' if result.dry_run else '导入'} {accepted}，"
             f"同一文件 {duplicates}，拒绝 {len(result.rejected)}。{tail}")
    if result.unused_accepts:
        out.line(styled(f"注意：--accept {'、'.join(result.unused_accepts)} 没有对应被拦下的数值，未起作用。", "yellow"))
    if result.rejected:
        err_line(f"错误：{len(result.rejected)} 个文件未通过校验，未写入；请按上列位置修改后重新导入。")


def _render_file(item: FileResult, out: Output, dry_run: bool) -> None:
    from pingtai.render.console import styled
    from pingtai.render.format import recorded

    status = "可导入" if dry_run and item.status == "accepted" else _STATUS[item.status]
    color = {"accepted": "green", "duplicate": "cyan", "rejected": "bold red"}[item.status]
    who = "，".join(x for x in (item.agency or "", item.period.label() if item.period else "") if x)
    batch = f"，批次 {item.batch}" if item.batch is not None else ""
    pending = "，待审核：接收（pingtai accept）后计入" if item.state == "pending" and item.status == "accepted" else ""
    out.line(styled(f"{status}：{item.file}" + (f"（{who}{batch}{pending}）" if who or batch else ""), color))
    if item.status == "rejected":
        out.line(f"  错误 {len(item.errors)} 处，本文件未写入任何数据")
        out.stream.flush()  # keep each file's errors (stderr) next to its summary (stdout) on a terminal
        for problem in item.errors:
            err_line(problem)
        sys.stderr.flush()
        return
    out.line(f"  新增 {item.imported}，更新 {item.updated}，未变 {item.unchanged}，任务进展 {item.tasks}，"
             f"预警 {len(item.warnings)}")
    if item.received is not None and item.received_source is not None:
        from pingtai.ledger import RECEIVED_SOURCE_LABELS

        kind = "补录（不计是否按时）" if item.backfill else "收到日期"
        out.line(f"  {kind} {item.received.isoformat()}（{RECEIVED_SOURCE_LABELS[item.received_source]}）")
    if item.blank:
        out.line(styled(f"  未填：{'、'.join(item.blank)}（仍按未报计，请补报）", "yellow"))
    if item.blank_tasks:
        out.line(styled(f"  未填任务进展：{'、'.join(item.blank_tasks)}", "yellow"))
    for change in item.changes:
        out.line(f"  更新 {change.name} {change.period.label()} {change.agency}：{recorded(change.old)} → "
                 f"{recorded(change.new)} {change.unit}（{change.where}）")
    for note in item.conversions:
        out.line(f"  换算 {note}")
    for warning in item.warnings:
        out.line(styled(f"  预警 {warning}", "yellow"))


def _value_state(value: StoredValue) -> Cell:
    """当前 / 已更正, or — for a return not counted — 待审核 / 已退回 with the reason."""
    from pingtai.ledger import STATE_LABELS
    from pingtai.render.console import styled

    if value.state == "rejected":
        return styled(f"{STATE_LABELS['rejected']}：{value.reason}", "red")
    if value.state == "pending":
        return styled(STATE_LABELS["pending"], "yellow")
    return styled("已更正", "dim") if value.superseded else "当前"


def _render_history(found: IndicatorHistory, out: Output, short: dict[str, str]) -> None:
    from pingtai.render.console import TableData
    from pingtai.render.format import DASH, clock, percent, recorded
    from pingtai.views import target_text

    ind = found.indicator
    out.line(f"{ind.name}（{ind.id}，{ind.unit}）")
    for item in found.plans:
        out.line(f"  {short.get(item.plan, item.plan)} 目标：{'；'.join(f'{t.period}: {target_text(t)}' for t in item.targets)}")
    rows: list[list[Cell]] = [[v.period.label(), recorded(v.value) + ("（…）" if v.below_unit else ""), v.unit, v.agency, str(v.batch),
             v.file, clock(v.imported_at), _value_state(v), v.where,
             v.area or "全市", percent(v.growth), recorded(v.last_year) if v.last_year is not None else DASH, v.note]
            for v in found.values]
    out.table(TableData(f"历次数值（{len(rows)}）", ["报告期", "数值", "单位", "单位名称", "批次", "文件", "导入时间",
                                                "状态", "位置", "地区", "同比", "上年同期", "备注"], rows,
                        caption="" if rows else "台账中尚无该指标的数值。",
                        optional=("位置", "上年同期", "导入时间", "文件", "备注")))
