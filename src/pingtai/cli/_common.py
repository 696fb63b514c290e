"""Shared CLI plumbing: the per-invocation state, output streams and error printing.

Everything written to stderr goes through :func:`err_line`: one line, with any control character,
bidi override or line break that came with a name, a file name or a cell shown escaped.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pingtai.errors import PingtaiError, ProblemsError, UsageError

if TYPE_CHECKING:
    from pingtai.catalog import Catalog
    from pingtai.render.console import Output
    from pingtai.render.jsonout import LeaveOut

IndentOpt = Annotated[int | None, typer.Option(
    "--indent", min=0, max=16, help="JSON 每层缩进 N 个空格，便于阅读（默认：紧凑的一行）。", show_default=False)]


@dataclass
class State:
    """Global options of one invocation (``--data``, ``--db``) and what was loaded for it."""

    data: Path | None = None
    db: Path | None = None
    _catalog: Catalog | None = field(default=None, repr=False)

    def catalog(self) -> Catalog:
        if self._catalog is None:
            from pingtai.loader import load_catalog

            self._catalog = load_catalog(self.data)
        return self._catalog


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    assert isinstance(obj, State)
    return obj


def output() -> Output:
    from pingtai.render.console import Output

    return Output(sys.stdout)


def echo_json(value: Any, indent: int | None = None, leave_out: LeaveOut | None = None) -> None:
    """``value`` as JSON on stdout: compact, or ``indent`` spaces per level (``--indent``)."""
    from pingtai.render.jsonout import document

    sys.stdout.write(document(value, indent=indent, leave_out=leave_out))


def json_indent(indent: int | None, as_json: bool) -> int | None:
    """``--indent``, which only shapes JSON: a usage error without ``--json``."""
    if indent is not None and not as_json:
        raise UsageError("--indent 只用于 JSON 输出", hint="请同时给出 --json，例如 --json --indent 2。")
    return indent


def err_line(text: object) -> None:
    """Write one line to stderr, shown as :func:`pingtai.render.format.terminal` shows it."""
    from pingtai.render.format import terminal

    sys.stderr.write(terminal(str(text)) + "\n")


def report_error(exc: PingtaiError) -> None:
    """Print an error to stderr: each located problem on its own line, then what to do."""
    if isinstance(exc, ProblemsError):
        for problem in exc.problems:
            err_line(problem)
        errors = sum(1 for p in exc.problems if p.severity == "error")
        err_line(f"错误：{exc.summary}（{errors} 处）")
        return
    err_line(f"错误：{exc.where}: {exc.message}" if exc.where else f"错误：{exc.message}")
    if exc.hint:
        err_line(exc.hint)
