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

from pingtai.returns.numbers import ParsedNumber, parse_number
from pingtai.returns.reader import read_return
from pingtai.returns.sniff import sniff_format

__all__ = ["ParsedNumber", "parse_number", "read_return", "sniff_format"]
