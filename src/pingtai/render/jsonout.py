"""JSON output: the same objects the library returns, serialised (dates and periods as text).

JSON is data: texts are kept exactly (control characters come out as JSON escapes such as
``\\u001b``, never raw), so the output round-trips. A lone surrogate — an undecodable byte of a
file name, as Python keeps it — is written as its ``\\udcff`` escape too, so the text can always
be encoded and ``json.loads`` gives the same string back.

Output is compact (one line, no spaces) unless an indent is asked for (``--indent N``). The
objects go straight to the standard library's C encoder: a ``default=`` hook spells what JSON has
no type for — a period as ``2024Q3``, a date in ISO 8601, a dataclass or a catalog record as an object of
its fields in order — when the encoder meets it, so no copy of the tree is
built first. :func:`jsonable` is that copy, kept as the reference the encoder is tested against
(``tests/test_jsonout.py``) and for the two things the C encoder has no hook for (see :func:`dumps`).
A 2,000-indicator dashboard (``status --json``) is written in about a third of the time the copy
and the pure-Python encoder that ``indent=2`` forces took (README, *Performance*).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Collection, Mapping
from typing import Any

from pingtai.frozen import field_names
from pingtai.periods import Period

LeaveOut = Mapping[type, Collection[str]]
"""Fields to leave out of the output, by the exact class of the object that has them
(``{IndicatorStatus: {"history"}}``: ``status --json`` without each indicator's history)."""


def jsonable(value: Any, leave_out: LeaveOut | None = None) -> Any:
    """Plain JSON types for records, dataclasses, periods, dates and NaN (→ null)."""
    if isinstance(value, Period):
        return str(value)
    names = field_names(value)
    if names is not None:
        skip = (leave_out or {}).get(type(value), ())
        return {name: jsonable(getattr(value, name), leave_out) for name in names if name not in skip}
    if isinstance(value, dict):
        return {str(k): jsonable(v, leave_out) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, leave_out) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class _Spelling:
    """The encoder's ``default=`` hook: what :func:`jsonable` makes of an object JSON has no type for.

    Called by the encoder for each such object it meets (its result is encoded in turn); the field
    names of each dataclass are worked out once per class.
    """

    def __init__(self, leave_out: LeaveOut) -> None:
        self.leave_out = leave_out
        self.fields: dict[type, tuple[str, ...]] = {}

    def __call__(self, value: Any) -> Any:
        if isinstance(value, Period):
            return str(value)
        names = self.fields.get(type(value))
        if names is None:
            every = field_names(value)
            if every is None:
                if isinstance(value, dt.date):  # a datetime too
                    return value.isoformat()
                raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
            skip = self.leave_out.get(type(value), ())
            names = self.fields[type(value)] = tuple(name for name in every if name not in skip)
        return {name: getattr(value, name) for name in names}


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: Any, *, indent: int | None = None, leave_out: LeaveOut | None = None) -> str:
    """UTF-8 JSON text (Chinese as written, not escaped) of ``value``: one compact line, or with
    ``indent`` spaces per level; without the fields ``leave_out`` names."""
    # indent=None: the C encoder; an indent makes json use its pure-Python encoder (for people: small outputs)
    options: dict[str, Any] = {"ensure_ascii": False, "indent": indent,
                               "separators": (",", ":") if indent is None else (",", ": ")}
    try:
        text = json.dumps(value, allow_nan=False, default=_Spelling(leave_out or {}), **options)
    except (ValueError, TypeError):
        # The encoder has no hook for floats or dict keys: a NaN or an infinity (written null) or
        # a key that is not text (written as str() spells it) stops it. Neither occurs in what
        # pingtai builds, but the contract says how they are written: the copy spells them.
        # Anything really not serialisable fails here too, as before.
        text = json.dumps(jsonable(value, leave_out), **options)
    # only possible inside JSON strings, where the escape means the same character
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def document(value: Any, *, indent: int | None = None, leave_out: LeaveOut | None = None) -> str:
    """:func:`dumps` as a file or a page of output: ends with a line break."""
    return dumps(value, indent=indent, leave_out=leave_out) + "\n"
