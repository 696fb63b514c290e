"""JSON output: the same objects the library returns, serialised (dates and periods as text)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
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


def dumps(value: Any) -> str:
    """Indented, UTF-8 (Chinese as written, not escaped) JSON text."""
    return json.dumps(jsonable(value), ensure_ascii=False, indent=2)


def document(value: Any) -> str:
    """:func:`dumps` as a file or a page of output: ends with a line break."""
    return dumps(value) + "\n"
