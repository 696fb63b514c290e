"""Terminal output: rich tables and colour on a terminal, plain tab-separated text when piped.

Cron mails, ``grep`` and ``awk`` get plain lines without escape codes or box drawing; a person at
a terminal gets tables. Colour is never the only carrier of meaning: statuses are words.

Every text printed here passes :func:`pingtai.render.format.terminal` (a line) or
:func:`~pingtai.render.format.terminal_block` (a table cell on a terminal): an escape sequence,
a bidi override or a line break that comes with a cell, a name or a file name is shown escaped
(``\\x1b``), never sent to the terminal — in rich and plain output alike.

On a terminal a table is laid out for the terminal's width before rich draws it
(:func:`layout`): a column never gets narrower than its widest figure, text wraps where
:func:`pingtai.render.format.wrap_spans` says (between CJK characters, at spaces, never inside a
figure), and where even that does not fit, the table's optional columns are left out — the
least useful first — with a note saying which. Lines wrap the same way.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from dataclasses import field
from typing import TYPE_CHECKING, TextIO, Union

from pingtai.frozen import Record
from pingtai.render.format import display_width, lines, min_width, terminal, terminal_block, wrap_spans

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text


class Line:
    """Styled text without rich: plain output never needs rich's ``Text`` (nor its import: 14 ms of CPU
    on every piped command, measured in issue #18 — a tenth of ``pingtai --version``).

    It records how it is built — ``Line(text, style)``, :meth:`append`, :meth:`append_text` — and
    :meth:`rich` replays exactly those calls on a ``rich.text.Text`` for a terminal, so a terminal
    shows what it showed when these were rich ``Text`` objects; :attr:`plain` is the text as is.
    """

    __slots__ = ("_ops", "plain")

    def __init__(self, text: str = "", style: str = "") -> None:
        text = terminal(text)
        self.plain = text
        self._ops: list[tuple[str | Line, str | None]] = [(text, style)]

    def append(self, text: str, style: str | None = None) -> Line:
        text = terminal(text)
        self.plain += text
        self._ops.append((text, style))
        return self

    def append_text(self, other: Line) -> Line:
        self.plain += other.plain
        self._ops.append((other, None))
        return self

    def rich(self) -> Text:
        """The same text as a rich ``Text``, built by the same calls."""
        from rich.text import Text

        first, style = self._ops[0]
        text = Text(str(first), style=style or "")
        for part, part_style in self._ops[1:]:
            if isinstance(part, Line):
                text.append_text(part.rich())
            else:
                text.append(part, style=part_style)
        return text

    def __str__(self) -> str:
        return self.plain


Cell = Union[str, "Text", Line]  # rich's Text is imported only where it is used


class TableData(Record, frozen=False):
    """A titled table: column headers and rows of cells (plain strings or styled rich Text)."""

    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    optional: tuple[str, ...] = ()
    """Columns a narrow terminal may leave out, in the order they go (the least useful first);
    piped output always has every column."""


class Layout(Record):
    """How a table fits a terminal: the columns kept (indices) and the width of each."""

    kept: tuple[int, ...]
    widths: tuple[int, ...]
    dropped: tuple[str, ...]

    @property
    def total(self) -> int:
        return sum(self.widths) + table_overhead(len(self.widths))


def table_overhead(columns: int) -> int:
    """Columns a rich table with edges takes beyond its cells: a rule and two spaces per column, one rule more."""
    return 3 * columns + 1


HEADER_MIN = 4
"""A header may wrap, but not to fewer than two CJK characters a line."""
COMFORT = 8
"""What every column gets, room permitting, before any gets its full width; a table whose columns
do not fit at this width leaves out its optional columns."""


def layout(headers: Sequence[str], cells: Sequence[Sequence[str]], width: int, optional: Sequence[str] = ()) -> Layout:
    """Fit a table of ``headers`` and rows of plain ``cells`` into ``width`` terminal columns.

    Every column is at least as wide as its widest figure (so no figure is cut) and its header's
    first two characters. When the columns do not fit at :data:`COMFORT` columns each (or their
    minimum, if wider), those named in ``optional`` are left out in that order until they do; if
    even the minimums do not fit, the table runs over and the terminal wraps it. Room left is
    handed out: first up to :data:`COMFORT` columns each, then whole contents to the columns that
    need least for it, then in proportion to what each still lacks.
    """
    natural = [display_width(h) for h in headers]
    minimum = [min(n, HEADER_MIN) for n in natural]
    for row in cells:
        for i, text in enumerate(row):
            natural[i] = max(natural[i], display_width(text))
            minimum[i] = max(minimum[i], min_width(text))
    kept = list(range(len(headers)))
    dropped: list[str] = []
    comfortable = [max(low, min(high, COMFORT)) for low, high in zip(minimum, natural, strict=True)]
    for name in optional:
        if sum(comfortable[i] for i in kept) + table_overhead(len(kept)) <= width:
            break
        if name in headers and headers.index(name) in kept:
            kept.remove(headers.index(name))
            dropped.append(name)
    widths = {i: minimum[i] for i in kept}
    room = width - table_overhead(len(kept)) - sum(widths.values())
    for i in kept:  # a little for every column
        grant = min(max(min(natural[i], COMFORT) - widths[i], 0), max(room, 0))
        widths[i] += grant
        room -= grant
    for i in sorted(kept, key=lambda i: natural[i] - widths[i]):  # whole contents, the cheapest first
        need = natural[i] - widths[i]
        if 0 < need <= room:
            widths[i] += need
            room -= need
    lacking = {i: natural[i] - widths[i] for i in kept if natural[i] > widths[i]}
    total = sum(lacking.values())
    for i, need in lacking.items():  # the rest in proportion
        if room <= 0:
            break
        widths[i] += min(need, room * need // total)
    return Layout(tuple(kept), tuple(widths[i] for i in kept), tuple(dropped))


def is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` is an interactive terminal that should get colour and boxes."""
    if os.environ.get("NO_COLOR") is not None and os.environ.get("PINGTAI_FORCE_TERMINAL") is None:
        return False
    if os.environ.get("PINGTAI_FORCE_TERMINAL"):
        return True
    try:
        return stream.isatty()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        return False


class Output:
    """Where a command writes: ``stdout`` for data, with the terminal/plain decision made once."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.terminal = is_terminal(self.stream)
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        """The rich console on the stream, made on first use: plain output never needs one (nor its import)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, force_terminal=self.terminal, highlight=False,
                                    emoji=False, no_color=not self.terminal,
                                    width=None if self.terminal else 10_000, soft_wrap=not self.terminal)
        return self._console

    def line(self, text: Cell = "") -> None:
        if self.terminal:
            self.console.print(wrapped(_verbatim(text, block=False), self.console.width))
        else:
            self.stream.write(f"{terminal(_plain(text))}\n")

    def table(self, data: TableData) -> None:
        if not self.terminal:
            self._plain_table(data)
            return
        from rich.table import Table
        from rich.text import Text

        rows = [[_verbatim(cell) for cell in row] for row in data.rows]
        fit = layout(data.columns, [[cell.plain for cell in row] for row in rows], self.console.width, data.optional)
        caption = terminal(data.caption)
        if fit.dropped:
            note = f"终端较窄，未显示：{'、'.join(fit.dropped)}（加宽窗口或用 --json 查看）"
            caption = "\n".join(filter(None, [caption, terminal(note)]))
        table = Table(title=wrapped(Text(terminal(data.title)), fit.total) if data.title else None,
                      caption=wrapped(Text(caption), fit.total) if caption else None,
                      header_style="bold", title_justify="left", caption_justify="left")
        for i, width in zip(fit.kept, fit.widths, strict=True):
            table.add_column(wrapped(Text(terminal(data.columns[i])), width), width=width, overflow="fold")
        for row in rows:
            table.add_row(*(wrapped(row[i], width) for i, width in zip(fit.kept, fit.widths, strict=True)))
        self.console.print(table)

    def _plain_table(self, data: TableData) -> None:
        write = self.stream.write
        if data.title:
            write(f"# {data.title}\n")
        write("\t".join(data.columns) + "\n")
        rows = []
        for row in data.rows:
            cells = list(map(_plain, row))
            if not all(map(str.isprintable, cells)):  # a tab, a line break or a control character
                cells = list(map(_plain_cell, cells))
            rows.append("\t".join(cells))
        if rows:
            write("\n".join(rows) + "\n")
        if data.caption:
            write(f"# {data.caption}\n")
        write("\n")

    def tables(self, tables: Sequence[TableData]) -> None:
        for data in tables:
            self.table(data)


def _verbatim(cell: Cell, block: bool = True) -> Text:
    """Plain strings are shown as written: text from returns (``[/b]``, ``[red]``) is not rich markup,
    and its control characters are shown escaped (a table cell keeps its line breaks)."""
    from rich.text import Text

    if isinstance(cell, Line):
        return cell.rich()
    safe = terminal_block if block else terminal
    if isinstance(cell, Text):
        text = cell.plain
        return cell if text.isprintable() or safe(text) == text else Text(safe(text), style=cell.style)
    return Text(safe(str(cell)))


def wrapped(text: Text, width: int) -> Text:
    """``text`` (styles kept) broken into lines of at most ``width`` columns by
    :func:`pingtai.render.format.wrap_spans`: figures whole, CJK text between characters."""
    plain = text.plain
    if display_width(plain) <= width:
        return text
    from rich.text import Text

    return Text("\n").join(text[start:end] for start, end in wrap_spans(plain, width))


def _plain_cell(text: str) -> str:
    """A cell of a tab-separated line: its line breaks and tabs as spaces, controls shown escaped."""
    return terminal(" ".join(lines(text.replace("\t", " "))))


def _plain(cell: Cell) -> str:
    if type(cell) is str:
        return cell
    plain = getattr(cell, "plain", None)  # rich's Text or a Line
    return plain if isinstance(plain, str) else str(cell)


def styled(text: str, style: str) -> Line:
    """A cell or line with a style that shows only on a terminal (the text as :func:`terminal` shows it).

    A :class:`Line`, so that piped output (an import's summary, the check's digest in cron) never imports rich.
    """
    return Line(text, style)
