"""JSON output: the same objects the library returns, serialised (dates and periods as text).

JSON is data: texts are kept exactly (control characters come out as JSON escapes such as
``\\u001b``, never raw), so the output round-trips. A lone surrogate — an undecodable byte of a
file name, as Python keeps it — is written as its ``\\udcff`` escape too, so the text can always
be encoded and ``json.loads`` gives the same string back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from typing import Any

from pydantic import BaseModel

from pingtai.periods import Period


def jsonable(value: Any) -> Any:
    """Plain JSON types for dataclasses, pydantic models, periods, dates and NaN (→ null)."""
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if isinstance(value, Period):
            return str(value)
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def dumps(value: Any) -> str:
    """Indented, UTF-8 (Chinese as written, not escaped) JSON text."""
    text = json.dumps(jsonable(value), ensure_ascii=False, indent=2)
    # only possible inside JSON strings, where the escape means the same character
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def document(value: Any) -> str:
    """:func:`dumps` as a file or a page of output: ends with a line break."""
    return dumps(value) + "\n"
