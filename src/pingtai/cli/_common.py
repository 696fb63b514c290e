"""Shared CLI plumbing: the per-invocation state, output streams, error printing and progress bars.

Everything written to stderr goes through :func:`err_line`: one line, with any control character,
bidi override or line break that came with a name, a file name or a cell shown escaped.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pingtai.errors import PingtaiError, ProblemsError, UsageError
from pingtai.frozen import Record

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from pingtai.catalog import Catalog
    from pingtai.render.console import Output
    from pingtai.render.jsonout import LeaveOut

IndentOpt = Annotated[int | None, typer.Option(
    "--indent", min=0, max=16, help="JSON 每层缩进 N 个空格，便于阅读（默认：紧凑的一行）。", show_default=False)]


class State(Record, frozen=False):
    """Global options of one invocation (``--data``, ``--db``) and what was loaded for it."""

    data: Path | None = None
    db: str | None = None
    """``--db`` as given: a path or a PostgreSQL URL (:mod:`pingtai.ledger.location`)."""
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


PROGRESS_AFTER = 1.0
"""Seconds of work before a progress bar appears: quick commands never flash one."""


class ProgressBar:
    """Bars on stderr, drawn by rich, for what a library function reports through its callback.

    Nothing is drawn until the work has taken :data:`PROGRESS_AFTER` seconds; the bars go away
    when it ends (the command's own output stays as it would be without them). An inactive bar
    (stderr is not a terminal) draws nothing at all.
    """

    def __init__(self, active: bool) -> None:
        self.active = active
        self._begun = time.monotonic()
        self._progress: Progress | None = None
        self._bars: dict[str, TaskID] = {}

    def update(self, key: str, description: str, done: int, total: int) -> None:
        """Show ``done`` of ``total`` for the bar ``key`` (made on first use), labelled ``description``."""
        if not self.active:
            return
        if self._progress is None:
            if time.monotonic() - self._begun < PROGRESS_AFTER:
                return
            self._progress = self._start()
        from rich.markup import escape

        from pingtai.render.format import terminal

        label = escape(terminal(description))  # a description is rich markup; names come from data
        if key not in self._bars:
            self._bars[key] = self._progress.add_task(label, total=total or None)
        self._progress.update(self._bars[key], description=label, completed=done, total=total or None)

    @staticmethod
    def _start() -> Progress:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=Console(file=sys.stderr, force_terminal=True), transient=True)
        progress.start()
        return progress

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[ProgressBar]:
    """A :class:`ProgressBar`, active when stderr is a terminal (and ``enabled``): piped output
    and cron mails never get one."""
    from pingtai.render.console import is_terminal

    bar = ProgressBar(enabled and is_terminal(sys.stderr))
    try:
        yield bar
    finally:
        bar.close()


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
