"""``Line`` (styled text without rich) gives the plain text and, on a terminal, the very rich Text
that the same calls on ``rich.text.Text`` give."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console
from rich.text import Text

from pingtai.render.console import Line, Output, TableData, _plain

styles = st.sampled_from(["", "bold", "red", "bold yellow", "bright_black", "dim"])
texts = st.text(alphabet="ab 中文[]/#\t", max_size=6)
ops = st.lists(st.tuples(st.sampled_from(["append", "append_styled", "append_text"]), texts, styles), max_size=5)


def _render(text: Text) -> str:
    out = io.StringIO()
    Console(file=out, force_terminal=True, width=80, color_system="truecolor").print(text)
    return out.getvalue()


@given(texts, styles, ops)
def test_a_line_replays_on_rich_text(first: str, style: str, calls: list[tuple[str, str, str]]) -> None:
    line, text = Line(first, style), Text(first, style=style)
    for op, value, op_style in calls:
        if op == "append":
            line.append(value)
            text.append(value)
        elif op == "append_styled":
            line.append(value, style=op_style)
            text.append(value, style=op_style)
        else:
            line.append_text(Line(value, op_style))
            text.append_text(Text(value, style=op_style))
    assert line.plain == str(line) == text.plain == _plain(line)
    rebuilt = line.rich()
    assert rebuilt.plain == text.plain and rebuilt.spans == text.spans and rebuilt.style == text.style
    assert _render(rebuilt) == _render(text)


def test_plain_output_needs_no_rich_text() -> None:
    out = io.StringIO()
    output = Output(out)
    output.line(Line("看板", "bold").append(" 预警 3", style="yellow"))
    output.table(TableData("t", ["a", "b"], [[Line("预警", "bold yellow"), "x"]]))
    assert out.getvalue() == "看板 预警 3\n# t\na\tb\n预警\tx\n\n"
