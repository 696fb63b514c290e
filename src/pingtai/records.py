"""What a return says, once read: indicator values and task progress lines, with their cells.

:mod:`pingtai.returns` turns a workbook into a :class:`ParsedReturn`; :mod:`pingtai.ledger`
stores it. Values are already in the indicator's own unit; every conversion is listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from pathlib import Path
from typing import Literal, NamedTuple

from pingtai.errors import Problem
from pingtai.frozen import Record
from pingtai.periods import Period

TaskStatus = Literal["not_started", "in_progress", "done", "late"]
TASK_STATUS_LABELS: dict[TaskStatus, str] = {
    "not_started": "未启动", "in_progress": "推进中", "done": "已完成", "late": "滞后",
}
Layout = Literal["template", "table", "long"]


class ValueRecord(NamedTuple):
    """One indicator value as reported: in the indicator's unit, for a point period, by an agency.

    ``where`` is ``file!sheet!cell``; ``raw`` the cell as written. ``below_unit`` marks ``…``
    (below the smallest unit shown): stored as 0 and flagged, never confused with a blank.
    ``note`` is the row's 备注 / 说明 / 口径 (``''`` when none). ``area`` is the canonical area the
    table states for the figure (``areas.yaml``; the city for a 全市 / 合计 row), ``None`` when it
    states none. ``growth`` is the 同比 the return reports beside it, in percent — its own measure,
    never the value; ``last_year`` the 上年同期 figure it reports, in the indicator's unit
    (converted like the value); both ``None`` when not given.

    A named tuple rather than a frozen dataclass: a back-fill file makes 100 000 of them, and a
    frozen dataclass takes four times as long to build (each field set through ``object.__setattr__``).
    """

    indicator: str
    period: Period
    agency: str
    value: float
    unit: str
    where: str
    raw: str
    below_unit: bool = False
    note: str = ""
    area: str | None = None
    growth: float | None = None
    last_year: float | None = None


class TaskRecord(Record):
    """One task progress line: status and the three texts of the return's task sheet."""

    plan: str
    task: int
    agency: str
    period: Period
    status: TaskStatus | None
    progress: str
    issues: str
    next_steps: str
    where: str


class Conversion(Record):
    """A unit conversion made while reading (``12,345 万元`` → ``1.2345 亿元``)."""

    where: str
    indicator: str
    from_unit: str
    to_unit: str
    factor: float


class ParsedReturn(Record, frozen=False):
    """Everything read from one file, or the problems that stop it being taken.

    ``agency`` and ``period`` are set when the whole file is one agency's return for one period
    (template and free-form layouts); a long table may carry many.
    """

    path: Path
    sha256: str
    layout: Layout | None = None
    agency: str | None = None
    period: Period | None = None
    values: list[ValueRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reporter: str = ""
    phone: str = ""
    reviewer: str = ""
    filled_on: dt.date | None = None
    plan_version: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]
