"""Ledger upkeep: ``pingtai ledger init`` / ``verify`` / ``rebuild`` / ``backup`` / ``migrate``.

Exit codes: 0 all well (notes may be printed), 1 problems found (each named with its place), 2 the
command could not run (no ledger, a ledger in the way of a rebuild, an unwritable target).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pingtai.cli import PingtaiGroup, app
from pingtai.cli._common import IndentOpt, echo_json, err_line, json_indent, output, state

if TYPE_CHECKING:
    from pingtai.errors import Problem
    from pingtai.render.console import Output

ledger_app = typer.Typer(
    cls=PingtaiGroup,
    name="ledger",
    help="台账维护：建立台账结构、校验台账与归档、从归档重建台账、在线备份、迁入 PostgreSQL。",
    epilog="示例：pingtai ledger verify ｜ pingtai ledger rebuild ｜ pingtai ledger backup /backup/ledger.sqlite3 ｜ "
           "pingtai ledger migrate --to postgresql://owner@db.example/pingtai",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(ledger_app)

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（结构见 docs/contracts.md）。")]


@ledger_app.command()
def verify(
    ctx: typer.Context,
    expect: Annotated[str | None, typer.Option("--expect", help="上次记下的链头（sha256，至少 12 位）：不在清单链中则报告问题。",
                                               show_default=False)] = None,
    deep: Annotated[bool, typer.Option("--deep", help="重新读取每个归档文件，与台账中该批次的数据逐条比对（较慢）。")] = False,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """校验台账：SQLite 完整性、悬空记录、每个批次的归档文件是否存在且 sha256 相符、归档清单是否与台账一致并首尾相连。

    每个归档清单记有上一批次清单的 sha256，最新清单的 sha256 即“链头”，每次校验都会列出：请另行保存（如 cron 写入别处的文件），
    下次用 --expect 链头 核对；若最新的批次连同其归档文件被删除，或清单被改写，链头就对不上。
    --deep 重新读取每个归档文件，与台账中的数值逐条比对，可发现直接在 SQLite 中改动的数据。
    中断的导入留下的归档文件列为“提示”（不影响退出码）；发现问题时逐条列出位置，退出码为 1。

    示例：pingtai ledger verify ｜ pingtai ledger verify --expect 3f2a9c0d81b4 ｜ pingtai ledger verify --deep --json
    """
    from pingtai import service

    json_indent(indent, as_json)
    st = state(ctx)
    result = service.verify(service.Store.at(st.db), expect=expect, deep=st.catalog() if deep else None)
    if as_json:
        echo_json(result, indent)
    else:
        out = output()
        _problems(out, result.problems, result.notes)
        verdict = f"发现 {len(result.problems)} 个问题" if result.problems else "台账完好"
        reread = f"，重读归档文件 {result.reread}" if result.deep else ""
        out.line(f"{verdict}：{result.ledger}（批次 {result.batches}，归档清单 {result.archived}{reread}，"
                 f"提示 {len(result.notes)}）")
        if result.head is not None:
            out.line(f"链头：{result.head}（批次 {result.head_batch}）")
    raise typer.Exit(result.exit_code)


@ledger_app.command()
def rebuild(
    ctx: typer.Context,
    archive: Annotated[Path | None, typer.Option("--archive", help="归档目录（默认：台账旁的 archive）。", show_default=False)] = None,
    source: Annotated[str | None, typer.Option("--from", help="据此台账的归档重建（PostgreSQL 地址或台账文件）。",
                                               show_default=False)] = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """从归档重建台账：按原顺序重放每个已归档的导入（原批次号、原文件名、原导入时间），写到 --db / PINGTAI_DB。

    只在台账不存在（文件）或为空（数据库）时运行，不会覆盖已有台账；文件先写入临时文件，完成后才放到位。
    PostgreSQL 台账的归档在数据库中：用 --from 地址 据它重建到新文件或另一个空数据库。无法重放的批次逐条列出，退出码为 1。

    示例：pingtai ledger rebuild ｜ pingtai --db /srv/pingtai/restored.sqlite3 ledger rebuild --archive /srv/pingtai/archive ｜
    pingtai --db restored.sqlite3 ledger rebuild --from postgresql://reader@db.example/pingtai
    """
    from pingtai import service

    json_indent(indent, as_json)
    st = state(ctx)
    result = service.rebuild(st.catalog(), service.Store.at(st.db), archive=archive, source=source)
    if as_json:
        echo_json(result, indent)
    else:
        out = output()
        _problems(out, result.problems, result.notes)
        done = sum(1 for b in result.batches if b.status == "accepted")
        decisions = f"、审核决定与设置 {result.decisions} 条" if result.decisions else ""
        out.line(f"已重建台账：{result.ledger}（据 {result.archive} 重放批次 {done}/{len(result.batches)}{decisions}，"
                 f"问题 {len(result.problems)}，提示 {len(result.notes)}）")
    raise typer.Exit(result.exit_code)


@ledger_app.command()
def init(
    ctx: typer.Context,
    roles: Annotated[bool, typer.Option("--roles", help="同时建立写入角色 pingtai_writer（只能读取与追加）与读取角色 "
                                                        "pingtai_reader（只能读取），须以数据库所有者身份运行。")] = False,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """建立台账结构（已有则升级到本版结构）；PostgreSQL 台账另列出（或以 --roles 执行）写入、读取两个角色的 SQL。

    共享台账：先建数据库（createdb pingtai），再由其所有者运行本命令；各人的 PINGTAI_DB 指向同一地址，
    登录账号加入 pingtai_writer（导入）或 pingtai_reader（只看）角色。

    示例：pingtai --db postgresql://owner@db.example/pingtai ledger init --roles ｜ pingtai ledger init
    """
    from pingtai import service

    json_indent(indent, as_json)
    result = service.init(service.Store.at(state(ctx).db), roles=roles)
    if as_json:
        echo_json(result, indent)
        return
    out = output()
    out.line(f"台账已就绪：{result.ledger}（结构版本 {result.schema_version}）")
    if result.roles_sql is not None:
        out.line("已建立角色：" if result.roles_applied else "角色 SQL（以数据库所有者身份执行，或加 --roles 由本命令执行）：")
        for line in result.roles_sql.splitlines():
            out.line(line)


@ledger_app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="备份文件（已存在则替换）。", show_default=False)],
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """在线备份台账（SQLite 备份接口）：导入进行中也可运行，备份是某一时刻的完整副本，写完并校验后才替换目标文件。

    归档目录（archive）只增不改，请另行用 rsync/cp 复制。

    示例：pingtai ledger backup /backup/ledger-2025-01-20.sqlite3
    """
    from pingtai import service

    json_indent(indent, as_json)
    result = service.backup(service.Store.at(state(ctx).db), file)
    if as_json:
        echo_json(result, indent)
    else:
        output().line(f"已备份台账：{result.ledger} → {result.file}（批次 {result.batches}，{result.size:,} 字节）")


@ledger_app.command()
def migrate(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="目标 PostgreSQL 数据库地址（须为空库）。", show_default=False)],
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """把台账（连同归档）原样迁入一个空的 PostgreSQL 数据库：批次号、导入时间、每一行数据、检查记录都不变，迁移后逐条核对。

    目标数据库已有台账记录时拒绝（不作改动）。迁移后各人把 PINGTAI_DB 改为该地址即可。

    示例：pingtai --db ~/.local/share/pingtai/ledger.sqlite3 ledger migrate --to postgresql://owner@db.example/pingtai
    """
    from pingtai import service

    json_indent(indent, as_json)
    result = service.migrate(service.Store.at(state(ctx).db), to)
    if as_json:
        echo_json(result, indent)
    else:
        head = f"，链头 {result.head}" if result.head else ""
        output().line(f"已迁移台账：{result.ledger} → {result.target}（批次 {result.batches}，数值 {result.values}，"
                      f"检查记录 {result.check_runs}{head}；已逐条核对）")


@ledger_app.command("set")
def set_(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="设置名：review（是否需要审核）。", show_default=False)] = None,
    value: Annotated[str | None, typer.Argument(help="review 的值：required（需要审核）或 off（导入即接收，默认）。",
                                                show_default=False)] = None,
    by: Annotated[str | None, typer.Option(
        "--by", help="操作人姓名（默认：PostgreSQL 台账为数据库账号名，SQLite 台账为当前操作系统用户名）。",
        show_default=False)] = None,
    as_json: JsonOpt = False,
    indent: IndentOpt = None,
) -> None:
    """台账设置：存于台账中，共用同一台账的人都按此执行。不带参数时列出当前设置及历次修改。

    review required：此后导入的报表为“待审核”，接收（pingtai accept）前不计入看板、报告、排名、检查和通报；
    review off（默认）：导入即接收。修改只影响此后导入的报表；已待审核的报表仍需逐一决定。修改记入归档中的决定记录。

    示例：pingtai ledger set ｜ pingtai ledger set review required ｜ pingtai ledger set review off --by 王五
    """
    import datetime as dt

    from pingtai import service
    from pingtai.cli.review_cmds import who
    from pingtai.errors import UsageError
    from pingtai.render.console import TableData
    from pingtai.render.format import clock

    json_indent(indent, as_json)
    if name is not None and value is None:
        raise UsageError(f"请给出设置 {name} 的值", hint="例如：pingtai ledger set review required")
    store = service.Store.at(state(ctx).db)
    change = (name, value) if name is not None and value is not None else None
    result = service.settings(store, change, by=who(by), at=dt.datetime.now(dt.UTC) if change else None)
    if as_json:
        echo_json(result, indent)
        return
    out = output()
    if change is not None:
        out.line(f"已设置 {change[0]} = {change[1]}" if result.changed else f"未改动：{change[0]} 已是 {change[1]}")
    out.table(TableData("台账设置", ["设置", "当前值"], [[key, val] for key, val in result.values.items()]))
    if result.changes:
        out.table(TableData(f"修改记录（{len(result.changes)}）", ["设置", "值", "操作人", "时间", "此前最新批次"], [
            [c.name, c.value, c.by, clock(c.at), str(c.after_batch)]
            for c in result.changes]))


def _problems(out: Output, problems: list[Problem], notes: list[Problem]) -> None:
    """Problems on stderr (they make the exit code), notes on stdout with the summary."""
    from pingtai.render.console import styled

    out.stream.flush()
    for problem in problems:
        err_line(f"问题 {problem}")
    sys.stderr.flush()
    for note in notes:
        out.line(styled(f"提示 {note}", "yellow"))
