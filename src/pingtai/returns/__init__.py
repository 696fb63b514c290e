"""Returns in, as agencies really send them: any of .xlsx/.xlsm/.xls/.ods/.csv, any sane layout.

The public API:

* :func:`read_return` — one file → :class:`~pingtai.records.ParsedReturn` (values, task lines,
  conversions, problems located ``file!sheet!cell``); never raises for bad input;
* :func:`sniff_format` — the real format of a file from its bytes;
* :func:`parse_number` / :class:`ParsedNumber` — one cell's text as a number.

Modules: :mod:`~pingtai.returns.sniff` and :mod:`~pingtai.returns.scan` (hostile-file checks),
:mod:`~pingtai.returns.book` (files as rows), :mod:`~pingtai.returns.numbers`,
:mod:`~pingtai.returns.names` (labels, indicator names), :mod:`~pingtai.returns.tables` (header
detection), :mod:`~pingtai.returns.reader` (the rest).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pingtai.returns.numbers import ParsedNumber, parse_number
    from pingtai.returns.reader import read_return
    from pingtai.returns.sniff import sniff_format

__all__ = ["ParsedNumber", "parse_number", "read_return", "sniff_format"]

_HOMES = {"ParsedNumber": "numbers", "parse_number": "numbers", "read_return": "reader", "sniff_format": "sniff"}


def __getattr__(name: str) -> Any:
    # Lazy (PEP 562): ``pingtai import`` opens the file through pingtai.returns.opening while the
    # catalog models are still being imported; importing the reader here would make it wait for them.
    if name in _HOMES:
        return getattr(importlib.import_module(f"pingtai.returns.{_HOMES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
