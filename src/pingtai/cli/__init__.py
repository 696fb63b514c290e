"""The command-line interface: the only place that imports typer, prints errors or exits.

Commands are thin: parse options, call one library function, hand its result to a renderer.
Every :class:`~pingtai.errors.PingtaiError` is caught once, in :class:`PingtaiGroup`, and printed
as ``where: message`` with its exit code; any other exception is a bug and stays loud. Typer's
own usage errors and help pages speak Chinese too (:mod:`pingtai.cli._usage`).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from pingtai import __version__
from pingtai.cli._coercion import plain_coercion
from pingtai.cli._common import State, report_error
from pingtai.cli._usage import Context, summary, usage_error
from pingtai.errors import PingtaiError


class PingtaiGroup(TyperGroup):
    """Translates library errors into a message on stderr and the exit code DESIGN.md fixes, and
    has typer's usage errors and help pages written in Chinese."""

    context_class = Context

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        plain_coercion(params)  # text and paths coerced without pydantic (cli/_coercion.py)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            command.context_class = Context  # its help and usage lines in Chinese, too
            plain_coercion(command.get_params(ctx))
        return command

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """The commands, each with its help's first paragraph whole (not cut at a space)."""
        rows = [(name, summary(command)) for name in self.list_commands(ctx)
                if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PingtaiError as exc:
            report_error(exc)
            raise typer.Exit(exc.exit_code) from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any) -> Any:
        """Typer's main, with its usage errors in Chinese and shown safely: what was typed
        (``--all``, a value for ``--fail-on``) is quoted with control characters escaped, as in
        every other message. Exit codes are typer's (2 for a usage error)."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.Abort:
            sys.stderr.write("已中止。\n")
            sys.exit(1)
        except typer.TyperException as exc:
            _show_usage_error(exc)
            sys.exit(getattr(exc, "exit_code", 2))
        sys.exit(code if isinstance(code, int) else 0)


def _show_usage_error(exc: Any) -> None:
    """A usage error on stderr, in Chinese; help asked for by giving no arguments is shown as help."""
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(exc, NoArgsIsHelpError):
        exc.show()
        return
    sys.stderr.write("".join(f"{line}\n" for line in usage_error(exc)))


app = typer.Typer(
    cls=PingtaiGroup,
    name="pingtai",
    help="平台经济政策落实跟踪工具：计划目标、单位报表、进度研判、单位报告与定时检查。",
    epilog="示例：pingtai validate ｜ pingtai indicators --plan 38号 ｜ pingtai agencies 市场监管局",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pingtai {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    data: Annotated[Path | None, typer.Option("--data", help="计划 YAML 目录（默认：环境变量 PINGTAI_DATA，否则内置数据）。",
                                              show_default=False)] = None,
    db: Annotated[str | None, typer.Option("--db", help="台账：SQLite 文件路径，或 PostgreSQL 地址 postgresql://用户@主机/库"
                                                         "（默认：环境变量 PINGTAI_DB，否则用户数据目录中的文件）。",
                                           show_default=False)] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本并退出。")] = False,
) -> None:
    """平台经济政策落实跟踪工具。"""
    ctx.obj = State(data=data, db=db)


def main() -> None:
    """Console-script entry point."""
    # Imports and ledger reads build hundreds of thousands of small objects that never form cycles;
    # at the default thresholds (700, 10, 10) the cyclic GC rescans them again and again: on 2,000
    # indicators × 100k values, `check` takes 1.3 s more CPU and `report` 0.4 s more. Collect young
    # objects far less often (cycles are still collected; a command is a short-lived process).
    gc.set_threshold(100_000, 50, 100)
    utf8_streams()
    try:
        app()
    finally:
        # The process is about to end. Shutdown runs one last full collection over everything still
        # tracked (a large catalog: ~100k objects) only to free memory the OS takes back anyway; frozen
        # objects are skipped: 0.05 s of `status` and 0.3 s of `check` on 2,000 indicators × 100k
        # values. Nothing is lost: files and the ledger are closed by the commands themselves, and
        # stdout/stderr are flushed at exit as usual.
        gc.freeze()


def utf8_streams() -> None:
    """Make stdout and stderr UTF-8 when their encoding cannot write Chinese.

    cron runs jobs with an empty environment (no ``LANG``); where Python then falls back to ASCII
    (``LC_ALL=C`` without UTF-8 mode), the first Chinese character would end the run with a
    ``UnicodeEncodeError``. A GBK or UTF-8 terminal is left as it is.
    """
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "中文".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8")


# Command modules register themselves on ``app``; imported last so that ``app`` exists.
from pingtai.cli import (  # noqa: E402
    bulletin_cmds,
    catalog_cmds,
    check_cmds,
    ledger_cmds,
    report_cmds,
    returns_cmds,
    review_cmds,
    status_cmds,
)

__all__ = ["app", "bulletin_cmds", "catalog_cmds", "check_cmds", "ledger_cmds", "main", "report_cmds", "returns_cmds",
           "review_cmds", "status_cmds", "utf8_streams"]
