"""How pingtai spells what it shows — the one module every renderer takes its words and figures from.

Figures
    One rounding rule for every output: half away from zero (四舍五入) on the number as written
    (its shortest decimal spelling, so 2.675 is 2.68, as a person and Excel read it), to
    :data:`PLACES` decimals for figures and one decimal for percentages. :func:`num` and
    :func:`pct` spell them for text, Markdown, HTML and charts; :func:`rounded` and
    :func:`pct_figure` give xlsx cells the very figure the text shows, so a workbook can never
    spell a number differently from the report beside it (``125.625`` is ``125.63`` everywhere).
    Values *as recorded* (the import summary, ``history``) keep up to ten significant digits
    (:func:`recorded`): they show what the return said, not a judgement.

Words
    Counts, rates, targets, projections and status words shared by the dashboard, reports, the
    league and the digest.

Widths and wrapping
    :func:`display_width` is the one measure of how wide text is (CJK counts double), for
    terminal tables and workbook columns alike; :func:`wrap_spans` / :func:`wrap` break text into
    lines of a width without ever cutting a figure (CJK text breaks between characters, other
    text at spaces, punctuation stays on the right side of a break), and :func:`min_width` says
    how narrow a column holding a text may be.

Text from outside, made safe for its destination
    Everything that comes from a return or a YAML file is data, never markup or control:

    * :func:`terminal` / :func:`terminal_block` — control characters, bidi overrides, line
      separators and undecodable bytes are shown escaped (``\\x1b``, ``\\u202e``) so that no
      escape sequence reaches a terminal, a cron mail or a log; one line stays one line.
    * :func:`markdown` / :func:`markdown_cell` — Markdown syntax escaped, no link, image or
      autolink can form from data, one line per field (a table cell keeps its lines as ``<br>``).
    * :func:`html` / :func:`html_block` — escaped, with control characters shown as above.
    * :func:`prose` — one line of running text in a printed document (the bulletin's Word file):
      line breaks, tabs and runs of spaces become one space, control characters shown as above.
    * :func:`xlsx` — characters a workbook cannot hold are shown as above, Excel's own
      ``_xHHHH_`` escapes are kept literal, and an over-long text is cut visibly;
      :func:`pingtai.safe_write.set_text` applies it to every text cell and keeps formula
      prefixes text.

JSON is not neutralised: it is data and round-trips exactly (:mod:`pingtai.render.jsonout`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from pingtai.periods import Period
    from pingtai.progress import ProgressRatio, Projection

PLACES = 2
"""Decimals of a figure in every output."""
PCT_PLACES = 1
"""Decimals of a percentage in every output."""
DASH = "—"
_CONTEXT = Context(prec=400)  # enough digits for any finite float at two decimals (max ≈ 1.8e308)


# --- figures --------------------------------------------------------------------------------------


def _decimal(value: float, places: int) -> Decimal:
    """``value`` as written (shortest repr), rounded half away from zero to ``places`` decimals."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CONTEXT)


def rounded(value: float, places: int = PLACES) -> float:
    """``value`` as every output shows it (the figure an xlsx cell holds); non-finite values unchanged."""
    if not math.isfinite(value):
        return value
    return float(_decimal(value, places)) or 0.0  # never -0.0


def _spelled(number: Decimal, keep_zeros: bool) -> str:
    text = format(number, "f")
    if not keep_zeros and "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def num(value: float | None) -> str:
    """A figure as an office worker writes it: no exponent, at most two decimals, ``—`` for none."""
    if value is None or not math.isfinite(value):
        return DASH
    written = repr(float(value))
    point = written.find(".")
    if "e" not in written and point >= 0 and len(written) - point - 1 <= PLACES:
        # already at most two decimals as written (most figures): nothing to round
        text = written.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text
    return _spelled(_decimal(value, PLACES), keep_zeros=False)


def fixed(value: float, places: int) -> str:
    """``value`` with exactly ``places`` decimals, by the same rounding rule (``1.20``)."""
    if not math.isfinite(value):
        return DASH
    number = _decimal(value, places)
    return _spelled(abs(number) if number == 0 else number, keep_zeros=True)


def _percent(fraction: float) -> Decimal:
    return (Decimal(repr(fraction)) * 100).quantize(Decimal(1).scaleb(-PCT_PLACES), rounding=ROUND_HALF_UP,
                                                    context=_CONTEXT)


def pct(fraction: float | None) -> str:
    """A fraction as a percentage with one decimal (``0.1235`` → ``12.4%``), ``—`` for none."""
    if fraction is None or not math.isfinite(fraction):
        return DASH
    number = _percent(fraction)
    return _spelled(abs(number) if number == 0 else number, keep_zeros=True) + "%"


def signed_pct(fraction: float | None) -> str:
    """A deviation as a signed percentage (``+3.5%``, ``-12.0%``), ``—`` for none."""
    if fraction is None or not math.isfinite(fraction):
        return DASH
    number = _percent(fraction)
    text = _spelled(abs(number), keep_zeros=True)
    return f"{'-' if number < 0 else '+'}{text}%"


def percent(value: float | None) -> str:
    """A percentage already in percent, as a growth rate is reported (同比 9.8 → ``9.8%``, -3.25 → ``-3.3%``),
    with one decimal; ``—`` for none."""
    if value is None or not math.isfinite(value):
        return DASH
    return pct(value / 100)


def points(value: float | None) -> str:
    """Percentage points, signed (拉动 ``+1.2``, ``-0.4``), one decimal; ``—`` for none."""
    if value is None or not math.isfinite(value):
        return DASH
    return signed_pct(value / 100).removesuffix("%")


def growth_text(reported: float | None, computed: float | None) -> str:
    """同比 as reported and as computed from last year's figure: ``9.8% / 9.7%``; ``—`` where unknown."""
    if reported is None and computed is None:
        return DASH
    return f"{percent(reported)} / {percent(computed)}"


def pct_figure(fraction: float | None) -> float | None:
    """The fraction an xlsx cell formatted ``0.0%`` holds so that it shows exactly :func:`pct`."""
    if fraction is None or not math.isfinite(fraction):
        return fraction
    return float(_percent(fraction) / 100)


def recorded(value: float) -> str:
    """A value as a return reported it (import summary, history): thousands separated, up to ten
    significant digits (``10,234,500``, ``1.02345``) — what was recorded, not a judgement."""
    return f"{value:,.10g}"



def rate_text(rate: float | None) -> str:
    return pct(rate)


def score_text(score: float | None) -> str:
    """A league score (0–100) with one decimal."""
    return DASH if score is None else fixed(score, 1)


def score_figure(score: float | None) -> float | None:
    """The score an xlsx cell holds: the figure :func:`score_text` shows."""
    return None if score is None else rounded(score, 1)


def day(value: object) -> str:
    """A date (or period, or anything) as text; ``—`` for none or empty."""
    if value is None or value == "":
        return DASH
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat()) if callable(isoformat) else str(value)


def clock(moment: datetime) -> str:
    """A moment (timezone-aware) to the minute in Beijing time, as the office's days (receipt days,
    导入日) are counted: a machine set to UTC would otherwise show 17:05 beside an import day that is
    already tomorrow."""
    from pingtai.periods import CHINA_TZ  # periods brings pydantic: only when a moment is shown

    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


# --- words ----------------------------------------------------------------------------------------


def counts_text(counts: Mapping[str, int], labels: Mapping[str, str]) -> str:
    """``正常 2 · 滞后 1`` in the labels' order, zero counts left out; ``—`` when all are zero."""
    parts = [f"{label} {counts[key]}" for key, label in labels.items() if counts.get(key)]
    return " · ".join(parts) or DASH


def task_counts_text(counts: Mapping[str, int]) -> str:
    from pingtai.assess import TASK_STATE_LABELS

    return counts_text(counts, TASK_STATE_LABELS)


def status_counts_text(counts: Mapping[str, int]) -> str:
    from pingtai.progress import STATUS_LABELS

    return counts_text(counts, STATUS_LABELS)


def status_word(status: str, final: bool = False) -> str:
    """The status label, marked ``（终）`` when a final target is met or missed."""
    from pingtai.progress import STATUS_LABELS

    return STATUS_LABELS[status] + ("（终）" if final and status in ("achieved", "missed") else "")


class _Target(Protocol):
    @property
    def period(self) -> Period: ...
    @property
    def comparator(self) -> str: ...
    @property
    def value(self) -> float | None: ...
    @property
    def low(self) -> float | None: ...
    @property
    def high(self) -> float | None: ...


def target_text(target: _Target) -> str:
    """``2027: 1400（超过）`` or ``2027: 1—2``."""
    from pingtai.catalog import COMPARATOR_LABELS

    if target.comparator == "range":
        return f"{target.period}: {num(target.low)}—{num(target.high)}"
    return f"{target.period}: {num(target.value)}（{COMPARATOR_LABELS[target.comparator]}）"


def latest_text(period: object, value: float | None) -> str:
    """``1200（2024）``: a figure with the period it is for; ``—`` for none."""
    return DASH if value is None else f"{num(value)}（{period}）"


SHORT_METHODS = {"linear_share": "时间进度", "seasonal_share": "季节占比"}


def expected_text(expected: float | None, method: str | None) -> str:
    """What a period should show, with how it was worked out for part-year amounts."""
    if expected is None:
        return DASH
    how = SHORT_METHODS.get(method or "")
    return f"{num(expected)}（{how}）" if how else num(expected)


SHORT_PROJECTIONS = {"linear": "线性", "linear_bounded": "线性", "cagr": "复合增长"}


def projection_text(projection: Projection | None, reason: str = "") -> str:
    """``1606.65 可达（线性，3点）``; without a verdict (one that would contradict the status), the
    value and method only; ``数据不足`` where ``reason`` says there were too few observations; ``—``
    otherwise."""
    if projection is None:
        return "数据不足" if reason.startswith("数据不足") else DASH
    verdict = f" {projection.verdict_label}" if projection.verdict else ""
    return f"{num(projection.value)}{verdict}（{SHORT_PROJECTIONS[projection.method]}，{projection.points}点）"


def completion_text(completion: float | None, target: object = None) -> str:
    """``95.9%（2025）``: a completion with the period of the target it is judged against; ``—`` for none."""
    if completion is None:
        return DASH
    return f"{pct(completion)}（{target}）" if target is not None else pct(completion)


def ratio_text(ratio: ProgressRatio) -> str:
    """The progress ratio with its category — or, where the category would contradict the status,
    the reason it is withheld — and the growth rates it compares."""
    if ratio.value is None:
        return f"不可用：{ratio.reason}"
    return (f"{fixed(ratio.value, 2)}（{ratio.label if ratio.category else ratio.reason}；实际年均 {pct(ratio.actual_cagr)}，"
            f"所需年均 {pct(ratio.required_cagr)}，截至 {ratio.latest}）")


# --- widths and wrapping --------------------------------------------------------------------------


def char_width(char: str) -> int:
    """Columns one character takes on a terminal or in a spreadsheet column: 2 for CJK and other
    wide or full-width characters, 0 for combining marks and zero-width characters, else 1."""
    if char < "\u0300":  # Latin-1 and ASCII (controls are shown escaped before they are measured)
        return 1
    if unicodedata.combining(char) or unicodedata.category(char) in ("Me", "Cf") or char == "\u200b":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The width of ``text``'s widest line in columns, CJK counting double (``网络零售额`` is 10).

    The one measure of width for every output: terminal tables (which columns fit, where text
    wraps) and workbook columns (how wide, how many lines a cell needs) both use it.
    """
    if "\n" in text:
        return max(map(display_width, text.split("\n")))
    if text.isascii():
        return len(text)
    return sum(map(char_width, text))


_FIGURE = re.compile(r"[-+]?\d+(?:[.,:/\-]\d+)*%?")
"""A figure, date, period or count group that a line never breaks inside: ``-1,150.6``, ``95.9%``,
``2025-02-01``, ``8/0/2/6``."""
_CLOSING = set("，。、；：？！）》」』】〕〉”’,.;:!?)]}%…·")
"""Punctuation that never starts a line (避头): it stays with what comes before it."""
_OPENING = set("（《「『【〔〈“‘([{")
"""Punctuation that never ends a line (避尾): it stays with what follows it."""
_TOKEN = re.compile(r"\s+|[^\s]")
_SHORT_BRACKET = re.compile(r"[（(《「“][^\s（）()《》「」“”]{1,4}[）)》」”]")
"""A short aside kept on one line when it can: ``（超过）``, ``（2024）``, ``（3点）``."""


def _atoms(line: str) -> list[tuple[int, int]]:
    """``line`` cut into the pieces a break may fall between: each figure whole, each space run,
    every other character alone; (start, end) offsets."""
    atoms: list[tuple[int, int]] = []
    position = 0
    for match in _FIGURE.finditer(line):
        atoms += [m.span() for m in _TOKEN.finditer(line, position, match.start())]
        atoms.append(match.span())
        position = match.end()
    atoms += [m.span() for m in _TOKEN.finditer(line, position)]
    return atoms


def _units(line: str) -> list[tuple[int, int]]:
    """Atoms joined into what a line keeps together when it can: a run of narrow characters (a
    word, a file name), a short aside in brackets, or a wide character; closing punctuation kept
    with what precedes it and opening punctuation with what follows."""
    units: list[tuple[int, int]] = []
    glue = False  # the previous atom was opening punctuation
    held = {i for m in _SHORT_BRACKET.finditer(line) if display_width(m.group()) <= 8 for i in range(*m.span())}
    for start, end in _atoms(line):
        text = line[start:end]
        space = text.isspace()
        previous = line[units[-1][1] - 1] if units else " "
        joins = glue or text in _CLOSING or (char_width(text[0]) < 2 and _narrow_word(previous)) or (
            start in held and start - 1 in held)
        if not space and not previous.isspace() and joins:
            units[-1] = (units[-1][0], end)
        else:
            units.append((start, end))
        glue = not space and text in _OPENING
    return units


def _narrow_word(char: str) -> bool:
    return not char.isspace() and char_width(char) < 2


def wrap_spans(text: str, width: int) -> list[tuple[int, int]]:
    """Where ``text`` is cut into lines of at most ``width`` columns: (start, end) offsets of each line.

    Line breaks in ``text`` are kept; CJK text breaks between characters, other text at spaces;
    closing punctuation never starts a line, opening punctuation never ends one; a figure
    (``1150.6``, ``95.9%``, ``2025-02-01``) is never cut — only where a figure alone is wider than
    ``width`` does its line run over. Spaces at a break are dropped; a line's indentation is kept.
    """
    width = max(width, 1)
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        spans += [(offset + start, offset + end) for start, end in _wrap_line(line, width)]
        offset += len(line) + 1
    return spans


def _wrap_line(line: str, width: int) -> list[tuple[int, int]]:
    if display_width(line) <= width:
        return [(0, len(line))]
    lines: list[tuple[int, int]] = []
    indent = min(len(line) - len(line.lstrip()), width - 1)  # an indentation as wide as the line is no indentation
    start, end, used = 0, indent, display_width(line[:indent])  # the current line is line[start:end]
    for unit_start, unit_end in _units(line):
        piece = line[unit_start:unit_end]
        if piece.isspace():
            continue
        size = display_width(piece)
        gap = display_width(line[end:unit_start]) if end > start else 0
        if end > start and used + gap + size <= width:
            end, used = unit_end, used + gap + size
            continue
        if line[start:end].strip():  # an indentation the first word does not fit beside is left out
            lines.append((start, end))
        start, end, used = unit_start, unit_start, 0
        if size <= width:
            end, used = unit_end, size
            continue
        for atom_start, atom_end in _atoms(piece):  # wider than a line by itself: cut, figures whole
            atom = display_width(piece[atom_start:atom_end])
            if used and used + atom > width:
                lines.append((start, end))
                start, used = unit_start + atom_start, 0
            end, used = unit_start + atom_end, used + atom
    if end > start or not lines:
        lines.append((start, end))
    return lines


def wrap(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` columns, as :func:`wrap_spans` cuts it."""
    return [text[start:end] for start, end in wrap_spans(text, width)]


WORD_MAX = 12
"""A word of narrow characters up to this long (an id, a short hash) is not cut to fit a column;
a longer one (a path) may be."""
_WORD = re.compile(rf"(?<![!-~])[!-~]{{2,{WORD_MAX}}}(?![!-~])")


def min_width(text: str) -> int:
    """The narrowest column ``text`` can wrap into without cutting a figure or a short word: its
    widest figure or word of up to :data:`WORD_MAX` characters (else 2 for a wide character, 1)."""
    widest = max((display_width(m.group()) for m in _FIGURE.finditer(text)), default=0)
    widest = max(widest, max((len(m.group()) for m in _WORD.finditer(text)), default=0))
    return max(widest, 2 if display_width(text) > len(text) else min(len(text), 1))


# --- text from outside ----------------------------------------------------------------------------

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_SEPARATORS = "\u2028\u2029"
_SURROGATES = "\ud800-\udfff"
_UNSAFE_CLASS = f"\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}{_SURROGATES}"
_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}]")
"""Shown escaped everywhere text leaves pingtai: control characters (but tab and line feed), bidi
controls (which can reorder what a reader sees), Unicode line separators and lone surrogates
(undecodable bytes in a file name)."""
_UNSAFE_LINE = re.compile(f"[\n{_UNSAFE_CLASS}]")
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029\x0b\x0c]")
"""What some reader treats as a line break: one field is one line in Markdown and a log."""


_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (a file name): shown as that byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str) -> str:
    """``text`` with every character of :data:`_UNSAFE` written out (``ESC`` → ``\\x1b``); tab and
    line feed stay."""
    return text if text.isprintable() else _UNSAFE.sub(_escape, text)


def terminal(text: str) -> str:
    """One line for a terminal, a cron mail or a log: nothing is interpreted, nothing starts a
    new line (a line break shows as ``\\n``, a CR as ``\\r``; a tab stays a tab)."""
    return text if text.isprintable() else _UNSAFE_LINE.sub(_escape, text)


def lines(text: str) -> list[str]:
    """``text`` split at every kind of line break (CRLF, a lone CR, LF, NEL, U+2028 …)."""
    return _BREAKS.split(text)


def terminal_block(text: str) -> str:
    """Text for a table cell on a terminal: its lines kept (every kind of break as ``\\n``), each
    line as :func:`terminal` shows it."""
    if text.isprintable():
        return text
    return "\n".join(terminal(line) for line in lines(text))


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#~&])")
_MD_BLOCK_START = re.compile(r"^(\s*)([-+=](?=[\s\-+=]|$)|\d{1,9}(?=[.)](?:\s|$)))")
"""What starts a list item, a setext underline or a thematic break at the start of a line
(``- x``, ``1. x``, ``---``, ``==``); ``-3%`` and ``2.68`` start nothing and stay as they are."""
_MD_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*)://")
_MD_WWW = re.compile(r"(?i)\b(www)\.")
_MD_AT = re.compile(r"(?<=[\w.+\-])@(?=[\w\-]+\.)")


def _markdown_line(line: str) -> str:
    text = _MD_SPECIAL.sub(r"\\\1", shown(line).replace("\t", " "))
    # No autolink may form from data: a robot or a wiki would turn these into links by itself.
    text = _MD_SCHEME.sub(r"\1:／／", text)
    text = _MD_WWW.sub(r"\1．", text)
    text = _MD_AT.sub("＠", text)
    return _MD_BLOCK_START.sub(lambda m: m[1] + ("\\" + m[2] if not m[2].isdigit() else m[2] + "\\"), text)


def markdown(text: object) -> str:
    """One line of Markdown from any text: its syntax escaped (no heading, emphasis, list, quote,
    link, image, HTML or autolink can form), line breaks as spaces, controls shown escaped."""
    value = "" if text is None else str(text)
    return " ".join(_markdown_line(line.strip()) for line in lines(value) if line.strip())


def markdown_cell(text: object) -> str:
    """A Markdown table cell: as :func:`markdown`, ``|`` escaped, lines joined by ``<br>``, ``—``
    when empty."""
    value = "" if text is None else str(text).strip()
    parts = [_markdown_line(line.strip()) for line in lines(value)]
    return "<br>".join(parts) if any(parts) else DASH


def html(text: object) -> str:
    """Text for HTML (element content or a quoted attribute): escaped, controls shown escaped."""
    from html import escape

    return escape(shown(str(text)), quote=True)


def html_block(text: str) -> str:
    """Multi-line text for HTML: each line as :func:`html`, joined by ``<br>``."""
    return "<br>".join(html(line) for line in lines(text))


_PROSE_UNSAFE = re.compile(f"[{_UNSAFE_CLASS}\ufffe\uffff]")
"""What :func:`prose` shows escaped: as :data:`_UNSAFE`, and the two non-characters XML cannot hold."""
_SPACES = re.compile(r"[ \t]+")


def prose(text: object) -> str:
    """One line of running text in a printed document (a sentence of the bulletin, a table cell,
    its title): every kind of line break, tab and run of spaces is one space, so a unit's own
    words cannot start a paragraph, break a table row or hide in white space; controls and bidi
    overrides are shown escaped (``\\x1b``), as everywhere else, so the drafter sees them and
    the file stays valid XML. Other characters (an ideographic space 　 too) stay as written."""
    value = "" if text is None else str(text)
    line = _SPACES.sub(" ", " ".join(lines(value))).strip()
    return line if line.isprintable() else _PROSE_UNSAFE.sub(_escape, line)


XLSX_MAX = 32_767
"""Most characters Excel holds in a cell."""
_XLSX_UNSAFE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}{_SEPARATORS}{_SURROGATES}\ufffe\uffff]")
"""What :func:`xlsx` shows escaped: as :data:`_UNSAFE`, but a cell keeps its tabs, CRs and line feeds."""
_XLSX_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_CUT = "…（超出单元格长度，已截断）"


def xlsx(text: str) -> str:
    """Text a workbook cell can hold and shows as written.

    Characters XML or Excel cannot hold are shown escaped (``\\x1b``; tab, CR and LF stay);
    ``_x001B_`` typed as text stays those seven characters (Excel would read it as ESC:
    its ``_`` is written ``_x005F_``, which Excel, LibreOffice, openpyxl and calamine read back as
    ``_``); past :data:`XLSX_MAX` characters the text is cut with a note saying so.
    """
    if not text.isprintable():
        text = _XLSX_UNSAFE.sub(_escape, text)
    if "_x" in text:
        text = _XLSX_ESCAPE.sub("_x005F_", text)
    if len(text) > XLSX_MAX:
        text = text[:XLSX_MAX - len(_CUT)] + _CUT
    return text


__all__ = [
    "DASH", "PCT_PLACES", "PLACES", "SHORT_METHODS", "SHORT_PROJECTIONS", "WORD_MAX", "XLSX_MAX", "char_width",
    "clock", "completion_text", "counts_text", "day", "display_width", "expected_text", "fixed", "growth_text", "html",
    "html_block", "latest_text", "lines", "markdown", "markdown_cell", "min_width", "num", "pct", "pct_figure",
    "percent", "points", "projection_text", "prose", "rate_text", "ratio_text", "recorded", "rounded", "score_figure",
    "score_text", "shown", "signed_pct", "status_counts_text", "status_word", "target_text", "task_counts_text",
    "terminal", "terminal_block", "wrap", "wrap_spans", "xlsx",
]
