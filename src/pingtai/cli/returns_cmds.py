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
from pingtai.cli._common import echo_json, err_line, output, plan_names, progress_bar, state
from pingtai.gcutil import gc_paused

if TYPE_CHECKING:
    from pingtai.history import IndicatorHistory
    from pingtai.importer import FileResult, ImportResult, ProgressCallback
    from pingtai.ledger import Ledger
    from pingtai.render.console import Output

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（结构见 docs/contracts.md）。")]


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="报表文件：.xlsx .xlsm .xls .ods .csv，可多个。", show_default=False)],
    agency: Annotated[str | None, typer.Option("--agency", "-a", help="填报单位（文件中已写明时可省略；与文件矛盾则报错）。")] = None,
    period: Annotated[str | None, typer.Option("--period", "-p", help="报告期，如 2024Q4、2024年1-12月（同上）。")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示将会导入的内容，不写入台账。")] = False,
    as_json: JsonOpt = False,
) -> None:
    """导入单位报表：逐个文件校验，全部通过才写入（每个文件一个批次），有错则该文件一条不写。

    汇总每个文件的新增、更新（旧值 → 新值）、未变、预警与错误；错误位置写作 文件!工作表!单元格。
    同一文件重复导入视为未变；任一文件被拒绝时退出码为 1。

    示例：pingtai import 填报表_市商务局_2024Q4.xlsx ｜ pingtai import *.xls --dry-run --json
    """
    from pingtai.returns.opening import FilesAhead

    ahead = FilesAhead(files)  # parsing the first file (no GIL) overlaps importing and loading the catalog
    ahead.wait_measured()
    from pingtai.importer import import_files
    from pingtai.ledger import resolve_db_path

    st = state(ctx)
    with gc_paused(), _progress_bar(enabled=not as_json) as progress:  # 100 000s of acyclic rows and values
        result = import_files(files, st.catalog(), resolve_db_path(st.db), agency=agency, period=period,
                              dry_run=dry_run, now=dt.datetime.now(dt.UTC), on_progress=progress, ahead=ahead)
    if as_json:
        echo_json(result)
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
    indicator: Annotated[str, typer.Argument(help="指标编号、名称或别名。", show_default=False)],
    plan: Annotated[str | None, typer.Option("--plan", help="只在该计划的指标中查找，并显示该计划的目标。")] = None,
    as_json: JsonOpt = False,
) -> None:
    """某指标历次收到的全部数值：报告期、数值、单位、填报单位、批次、来源文件、导入时间、是否已被更正。

    示例：pingtai history 网络零售额 ｜ pingtai history online_retail_sales --plan 5号 --json
    """
    from pingtai.history import indicator_history

    st = state(ctx)
    with _read_ledger(st.db) as ledger:
        found = indicator_history(st.catalog(), ledger, indicator, plan)
    if as_json:
        echo_json(found.values)
        return
    _render_history(found, output(), plan_names(st.catalog()))


@app.command()
def batches(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """列出历次导入（批次）：文件、sha256、单位、报告期、导入时间、新增/更新/未变/任务/预警数。

    示例：pingtai batches ｜ pingtai batches --json
    """
    from pingtai.render.console import TableData

    with _read_ledger(state(ctx).db) as ledger:
        rows = ledger.batches()
    if as_json:
        echo_json(rows)
        return
    output().table(TableData(f"导入批次（{len(rows)}）", [
        "批次", "文件", "sha256", "单位", "报告期", "导入时间", "新增", "更新", "未变", "任务", "预警"], [
        [str(b.id), b.file, b.sha256[:12], b.agency or "（多个）", b.period.label() if b.period else "（多个）",
         _local(b.imported_at), str(b.imported), str(b.updated), str(b.unchanged), str(b.tasks), str(b.warnings)]
        for b in rows], optional=("sha256", "导入时间")))


# --- helpers -----------------------------------------------------------------------------------


@contextlib.contextmanager
def _read_ledger(db: Path | None) -> Iterator[Ledger]:
    """The ledger for a reading command: a missing file reads as empty and is not created."""
    from pingtai.ledger import Ledger, resolve_db_path

    with Ledger.open(resolve_db_path(db), create=False) as ledger:
        yield ledger


@contextlib.contextmanager
def _progress_bar(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A bar per file on stderr when it is a terminal and reading takes over a second; else no callback."""
    with progress_bar(enabled) as bar:

        def update(file: str, done: int, total: int) -> None:
            bar.update(file, f"读取 {Path(file).name}", done, total)

        yield update if bar.active else None


def _local(moment: dt.datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


_STATUS = {"accepted": "已导入", "duplicate": "未变（同一文件已导入）", "rejected": "已拒绝"}


def _render_import(result: ImportResult, out: Output) -> None:
    for item in result.files:
        _render_file(item, out, result.dry_run)
    accepted = sum(1 for f in result.files if f.status == "accepted")
    duplicates = sum(1 for f in result.files if f.status == "duplicate")
    tail = "（试运行：未写入台账）" if result.dry_run else ""
    out.line(f"共 {len(result.files)} 个文件：{'可导入' if result.dry_run else '导入'} {accepted}，"
             f"同一文件 {duplicates}，拒绝 {len(result.rejected)}。{tail}")
    if result.rejected:
        err_line(f"错误：{len(result.rejected)} 个文件未通过校验，未写入；请按上列位置修改后重新导入。")


def _render_file(item: FileResult, out: Output, dry_run: bool) -> None:
    from pingtai.render.console import styled
    from pingtai.render.format import recorded

    status = "可导入" if dry_run and item.status == "accepted" else _STATUS[item.status]
    color = {"accepted": "green", "duplicate": "cyan", "rejected": "bold red"}[item.status]
    who = "，".join(x for x in (item.agency or "", item.period.label() if item.period else "") if x)
    batch = f"，批次 {item.batch}" if item.batch is not None else ""
    out.line(styled(f"{status}：{item.file}" + (f"（{who}{batch}）" if who or batch else ""), color))
    if item.status == "rejected":
        out.line(f"  错误 {len(item.errors)} 处，本文件未写入任何数据")
        out.stream.flush()  # keep each file's errors (stderr) next to its summary (stdout) on a terminal
        for problem in item.errors:
            err_line(problem)
        sys.stderr.flush()
        return
    out.line(f"  新增 {item.imported}，更新 {item.updated}，未变 {item.unchanged}，任务进展 {item.tasks}，"
             f"预警 {len(item.warnings)}")
    for change in item.changes:
        out.line(f"  更新 {change.name} {change.period.label()} {change.agency}：{recorded(change.old)} → "
                 f"{recorded(change.new)} {change.unit}（{change.where}）")
    for note in item.conversions:
        out.line(f"  换算 {note}")
    for warning in item.warnings:
        out.line(styled(f"  预警 {warning}", "yellow"))


def _render_history(found: IndicatorHistory, out: Output, short: dict[str, str]) -> None:
    from pingtai.render.console import Cell, TableData, styled
    from pingtai.render.format import recorded
    from pingtai.views import target_text

    ind = found.indicator
    out.line(f"{ind.name}（{ind.id}，{ind.unit}）")
    for item in found.plans:
        out.line(f"  {short.get(item.plan, item.plan)} 目标：{'；'.join(f'{t.period}: {target_text(t)}' for t in item.targets)}")
    rows: list[list[Cell]] = [[v.period.label(), recorded(v.value) + ("（…）" if v.below_unit else ""), v.unit, v.agency, str(v.batch),
             v.file, _local(v.imported_at), styled("已更正", "dim") if v.superseded else "当前", v.where]
            for v in found.values]
    out.table(TableData(f"历次数值（{len(rows)}）", ["报告期", "数值", "单位", "单位名称", "批次", "文件", "导入时间",
                                                "状态", "位置"], rows,
                        caption="" if rows else "台账中尚无该指标的数值。", optional=("位置", "导入时间", "文件")))
