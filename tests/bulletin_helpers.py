"""The bulletin tests' ground: the example returns imported into a real ledger, and an independent
reading of a figure's refs against the JSON that ``status --json`` (and the bulletin) print.

The example returns are imported as the README's quick start does — the 2023 history file as a
back-fill (``--backfill``), every other return received on the date written on it (填报时间) — on
1 February 2025, so the receipt days are those the office would defend: two 2024 year-end returns
on time (due 2025-01-20), 市经信局's four days late.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from pingtai.importer import Receipt, import_files
from pingtai.loader import load_catalog
from pingtai.service import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"
HISTORY = EXAMPLES / "示例_历史数据补录_2023.xlsx"
IMPORTED = dt.datetime(2025, 2, 1, 1, 0, tzinfo=dt.UTC)
DATES = re.compile(r"\d{4}年(?:\d{1,2}—)?(?:\d{1,2}月(?:\d{1,2}日|末)?)?|\d{1,2}—\d{1,2}月|\d{1,2}月末|\d{1,2}月|"
                   r"\d{4}-\d{2}-\d{2}")
"""Dates and periods in running text (2024年, 2025年4月20日, 1—9月, 截至9月末): not figures."""
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def example_ledger(db: Path) -> Path:
    """Import every example return into a new ledger at ``db`` as the quick start does (module docstring)."""
    db.parent.mkdir(parents=True, exist_ok=True)
    catalog, store = load_catalog(), Store(db)
    history = import_files([HISTORY], catalog, store, now=IMPORTED, receipt=Receipt(backfill=True))
    returns = import_files(sorted(set(EXAMPLES.glob("示例_*")) - {HISTORY}), catalog, store, now=IMPORTED)
    files = [*history.files, *returns.files]
    assert len(files) == 7 and all(f.status == "accepted" for f in files), [f.errors for f in files]
    return db


def resolve(doc: Any, path: list[Any]) -> Any:
    """Follow a ref's path in a JSON document: a key, or a selection {key: value} of list items
    whose fields match (compared as text); a path ending in a selection — or at a list — counts."""
    value = doc
    for step in path:
        if isinstance(step, dict):
            assert isinstance(value, list), (path, step)
            value = [item for item in value if all(str(item.get(k)) == v for k, v in step.items())]
        else:
            if isinstance(value, list):
                assert len(value) == 1, (path, step, len(value))
                value = value[0]
            value = value[step]
    return len(value) if isinstance(value, list) else value


def evaluate(figure: dict[str, Any], docs: dict[str, Any]) -> float:
    """A figure's value as its rule makes it from its refs, read from ``docs`` (by document name)."""
    values = [float(resolve(docs[ref["doc"]], ref["path"])) for ref in figure["refs"]]
    rule = figure["rule"]
    if rule == "value":
        return values[0]
    if rule == "percent":
        return values[0] * 100
    if rule == "ratio":
        return values[0] / values[1] * 100
    if rule == "ratio_rest":
        return values[0] / (values[1] - values[2]) * 100
    if rule == "ratio_inverse":
        return values[1] / values[0] * 100
    if rule == "gap":
        return float(half_up(values[0] / values[2] * 100, 1) - half_up(values[1] / values[2] * 100, 1))
    if rule == "gap_inverse":
        return float(half_up(values[2] / values[0] * 100, 1) - half_up(values[2] / values[1] * 100, 1))
    raise AssertionError(f"unknown rule {rule}")


def half_up(value: float, decimals: int) -> Decimal:
    """四舍五入 on the number as written (the bulletin's documented rounding)."""
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def shown(value: float, text: str, signed: bool) -> bool:
    """Whether ``text`` (as parsed from the document) writes ``value`` rounded to its own decimals."""
    decimals = len(text.partition(".")[2])
    return Decimal(text) == half_up(abs(value) if signed else value, decimals)


def part_text(part: dict[str, Any]) -> str:
    """A part of a sentence (as ``bulletin --json`` gives it) as the reader sees it."""
    return str(part["text"] + part["unit"] if part["kind"] == "figure" else part["text"])


def numbers_in(text: str, parts: list[dict[str, Any]], number: str = "") -> list[str]:
    """The numbers a reader finds in ``text`` (a paragraph or cell of the document), once its item
    ``number`` (1.), dates and periods and the quoted data (names, titles, a unit's own words) are taken out.

    ``parts`` only locate the quoted data: the text must be exactly the number and their concatenation.
    """
    assert text == number + "".join(part_text(p) for p in parts), (text, [part_text(p) for p in parts])
    masked = "".join("　" * len(part_text(p)) if p["kind"] == "quote" else part_text(p) for p in parts)
    return NUMBER.findall(DATES.sub(lambda m: "　" * len(m.group()), masked))


def figures_of(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in parts if p["kind"] == "figure"]
