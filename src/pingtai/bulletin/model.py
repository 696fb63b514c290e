"""The bulletin as data: sections of headings, sentences and tables, every figure with its source.

A sentence is a tuple of parts: :class:`Words` (the bulletin's own wording, from
:mod:`pingtai.bulletin.wording`), :class:`Figure` (a number, with the rule and the fields of the
objects it was taken from) and :class:`Quote` (text from the catalog, a return or the command
line: names, titles, problems — data, kept exactly as its source holds it). Renderers lay the
parts out and make each quote safe for their destination through :mod:`pingtai.render.format`
(one plain line in Word, escaped Markdown), never markup; ``bulletin --json`` is this tree
serialised, its texts as they were.

Where a figure comes from is a :class:`Ref`: the document (``status`` — what ``status --json``
prints for the same date —, ``bulletin`` — this object's own ``returns`` lines — or ``areas`` — the
area figures given, by indicator id: for each, the ``areas`` rows ``show INDICATOR --by-area --period P
--json`` prints for the same date) and a path into it. A path step is a key, or a selection ``{key: value, …}``
of the list items whose fields match; a path ending in a selection stands for how many items it
selects. :data:`RULES` say how a figure's refs make its value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from pingtai.frozen import Record
from pingtai.periods import Period

Doc = Literal["status", "bulletin", "areas"]
Step = str | dict[str, str]
Rule = Literal["value", "percent", "ratio", "ratio_rest", "ratio_inverse", "gap", "gap_inverse"]
RULES: dict[str, str] = {
    "value": "refs[0]",
    "percent": "refs[0] × 100",
    "ratio": "refs[0] ÷ refs[1] × 100",
    "ratio_rest": "refs[0] ÷ (refs[1] − refs[2]) × 100",
    "ratio_inverse": "refs[1] ÷ refs[0] × 100",
    "gap": "round(refs[0] ÷ refs[2] × 100, 1) − round(refs[1] ÷ refs[2] × 100, 1)",
    "gap_inverse": "round(refs[2] ÷ refs[0] × 100, 1) − round(refs[2] ÷ refs[1] × 100, 1)",
}
"""How each rule makes a figure's value from its refs (``gap``: 完成率 − 时序进度, both as shown;
``round`` is half up, 四舍五入, on the number as written; ``ratio_rest``: a rate over what is left
of a whole, such as returns on time over the returns owed less the back-fills)."""


@dataclass(frozen=True)
class Ref:
    """A path into one of the documents the bulletin was built from (module docstring)."""

    doc: Doc
    path: tuple[Step, ...]

    def __str__(self) -> str:
        steps = []
        for step in self.path:
            if isinstance(step, dict):
                steps.append("[" + ",".join(f"{k}={v}" for k, v in step.items()) + "]")
            else:
                steps.append(("." if steps else "") + step)
        return f"{self.doc}.{''.join(steps)}"


@dataclass(frozen=True)
class Words:
    """The bulletin's own wording."""

    text: str
    kind: Literal["words"] = "words"


@dataclass(frozen=True)
class Quote:
    """Text from the catalog or from a return (a name, a title, a unit's 存在问题): data, never markup,
    held as the source has it (renderers neutralise it for where it goes).

    ``ref`` says where it comes from, when it is a field of a source document.
    """

    text: str
    ref: Ref | None = None
    kind: Literal["quote"] = "quote"


@dataclass(frozen=True)
class Figure:
    """A number in the text: as shown (``text`` then ``unit``), its value, and where it comes from.

    ``value`` is what ``rule`` makes of ``refs`` (:data:`RULES`). ``signed``: the sentence says the
    sign in words (增长/下降, 快于/慢于), so ``text`` shows the magnitude.
    """

    value: float
    text: str
    unit: str
    rule: Rule
    refs: tuple[Ref, ...]
    signed: bool = False
    kind: Literal["figure"] = "figure"

    @property
    def shown(self) -> str:
        return self.text + self.unit


Part = Words | Quote | Figure
Cell = tuple[Part, ...]


def plain(parts: tuple[Part, ...]) -> str:
    """The text of ``parts`` as a reader sees it."""
    return "".join(p.shown if isinstance(p, Figure) else p.text for p in parts)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text, after its item ``number`` (``1.``; empty for plain text).

    ``role``: ``text``, ``point`` (an item of 下步工作, ``finding`` naming the ``check --json`` finding
    it answers) or ``placeholder`` (where the author writes).
    """

    parts: tuple[Part, ...]
    role: Literal["text", "point", "placeholder"] = "text"
    finding: str | None = None
    number: str = ""
    kind: Literal["paragraph"] = "paragraph"

    @property
    def text(self) -> str:
        return self.number + plain(self.parts)


class Subheading(Record):
    """A second-level heading: ``number`` (（一）) and its text."""

    number: str
    parts: tuple[Part, ...]
    kind: Literal["subheading"] = "subheading"


class Table(Record):
    """A table: a caption line above it, a header row, and rows of cells (each a tuple of parts)."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    kind: Literal["table"] = "table"


Block = Paragraph | Subheading | Table


class Section(Record):
    """A first-level section: ``key`` (``overview``, ``indicators``, ``areas``, ``tasks``, ``returns``,
    ``next_steps``), its heading (``number`` 一、 and ``title``) and its blocks."""

    key: str
    number: str
    title: str
    blocks: tuple[Block, ...]


class ReturnLine(Record):
    """One unit's return for the bulletin's period, as its agency report states it (``report --json``
    ``returns``): ``state`` ``on_time``, ``late``, ``backfill`` (补录: neither), ``missing`` or ``due``;
    ``received`` the day it counts as received; ``covered_by`` the later return of the same year
    that made a missing one moot (no longer chased, still missed)."""

    agency: str
    period: Period
    due: dt.date | None
    state: str
    label: str
    received: dt.date | None
    days_late: int | None
    plans: list[str]
    covered_by: Period | None = None


class AreaRowLike(Protocol):
    """An area's row as :func:`pingtai.by_area.area_table` makes it (:class:`pingtai.by_area.AreaRow`): the
    object ``show --by-area --json`` prints as an ``areas`` row."""

    @property
    def area(self) -> str: ...
    @property
    def code(self) -> str | None: ...
    @property
    def period(self) -> Period | None: ...
    @property
    def value(self) -> float | None: ...
    @property
    def yoy_reported(self) -> float | None: ...
    @property
    def yoy_computed(self) -> float | None: ...
    @property
    def share(self) -> float | None: ...
    @property
    def rank(self) -> int | None: ...


AreaInput = Mapping[str, Any] | AreaRowLike
"""An area's figure as the bulletin takes it: a ``show --by-area --json`` ``areas`` row, or the object it is
printed from."""


class AreaFigure(Record):
    """An area's figure for an indicator, in the shape of ``show --by-area --json``'s ``areas`` rows.

    ``yoy_reported`` / ``yoy_computed`` (同比) are in percent (9.8 is 9.8 %), as returns state them;
    ``share`` (占全市比重) is a fraction of the city's figure (0.261 is 26.1 %), as ``show --by-area``
    and ``status --area`` give it; ``rank`` 1 is the largest value.
    """

    area: str
    code: str | None
    period: Period
    value: float | None
    yoy_reported: float | None = None
    yoy_computed: float | None = None
    share: float | None = None
    rank: int | None = None

    @classmethod
    def of(cls, row: AreaInput) -> AreaFigure | None:
        """An area figure from a ``show --by-area --json`` row (or any mapping with those keys) or the
        :class:`AreaRowLike` object behind it; ``None`` for a row without a figure (no period)."""

        def get(key: str) -> Any:
            return row.get(key) if isinstance(row, Mapping) else getattr(row, key, None)

        def number(key: str) -> float | None:
            value = get(key)
            return None if value is None else float(value)

        period, rank, code = get("period"), get("rank"), get("code")
        if period is None:
            return None
        return cls(area=str(get("area")), code=None if code is None else str(code),
                   period=period if isinstance(period, Period) else Period.parse(str(period)), value=number("value"),
                   yoy_reported=number("yoy_reported"), yoy_computed=number("yoy_computed"), share=number("share"),
                   rank=None if rank is None else int(rank))


class Bulletin(Record):
    """What ``pingtai bulletin`` writes; ``bulletin --json`` is this object serialised.

    ``period`` is the period reported on (as a point: Q4 is the year), ``plans`` the ids of the
    plans that owe returns for it, ``as_of`` the date everything was judged on. ``doc_number``
    (发文字号, may be empty), ``issuer`` (署名) and ``date`` (成文日期, as written) frame the text;
    ``returns`` are the lines the 报表报送情况 counts; ``findings`` the ``check`` keys 下步工作 answers.
    """

    period: Period
    as_of: dt.date
    plans: list[str]
    title: str
    doc_number: str
    issuer: str
    date: str
    sections: list[Section]
    returns: list[ReturnLine] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)


__all__ = [
    "RULES", "AreaFigure", "AreaInput", "AreaRowLike", "Block", "Bulletin", "Cell", "Doc", "Figure", "Paragraph", "Part", "Quote", "Ref",
    "ReturnLine", "Rule", "Section", "Step", "Subheading", "Table", "Words", "plain",
]
