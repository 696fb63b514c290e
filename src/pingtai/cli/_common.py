"""Shared CLI plumbing: the per-invocation state, output streams and error printing.

Everything written to stderr goes through :func:`err_line`: one line, with any control character,
bidi override or line break that came with a name, a file name or a cell shown escaped.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from pingtai.errors import PingtaiError, ProblemsError

if TYPE_CHECKING:
    from pingtai.catalog import Catalog
    from pingtai.render.console import Output


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


def plan_names(catalog: Catalog) -> dict[str, str]:
    """Plan id → the short name tables show (``plan_2023_38`` → ``38号``); JSON keeps the id."""
    return {plan.id: plan.spec.short_name for plan in catalog.plans}


def output() -> Output:
    from pingtai.render.console import Output

    return Output(sys.stdout)


def echo_json(value: Any) -> None:
    from pingtai.render.jsonout import dumps

    sys.stdout.write(dumps(value) + "\n")


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
