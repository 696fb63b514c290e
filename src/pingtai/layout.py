"""The layout of pingtai's own return template, shared by its writer and its reader.

:mod:`pingtai.template` writes workbooks with these sheet names, headers and metadata keys;
:mod:`pingtai.returns` recognises a template by the metadata sheet and reads it by header name
(never by fixed position), so a template that a spreadsheet application re-saved, or whose rows
an agency inserted, still imports.
"""

from __future__ import annotations

TEMPLATE_FORMAT = "pingtai-template"
TEMPLATE_VERSION = 1

META_SHEET = "_pingtai"
"""Hidden sheet of ``key | value`` rows; row 1 is ``pingtai-template | 1``."""
META_KEYS = ("agency", "period", "plan_version", "generated")
"""``plan_version`` lists ``plan_id@revision-date`` pairs joined by ``;``."""

INSTRUCTIONS_SHEET = "填报说明"
VALUES_SHEET = "指标"
TASKS_SHEET = "任务"

AREAS_SHEET = "分地区"
"""For a unit that reports indicators by area (not an area's own government): one row per area under
:data:`AREA_COLUMN`, each indicator a column group headed ``名称（单位）`` over :data:`AREA_VALUE` and
:data:`AREA_GROWTH`, then one :data:`AREA_NOTE` column — a table of areas the reader reads like any other."""
AREA_COLUMN = "地区"
AREA_VALUE = "填报值"
AREA_GROWTH = "同比增长（%）"
AREA_NOTE = "备注"

VALUE_HEADERS = ("指标编号", "指标名称", "计量单位", "报告期", "填报值", "说明")
TASK_HEADERS = ("计划", "任务编号", "任务名称", "进展状态", "进展情况", "存在问题", "下步打算")
TASK_STATUSES = ("未启动", "推进中", "已完成", "滞后")

REPORTER_LABEL = "填报人"
PHONE_LABEL = "联系电话"
REVIEWER_LABEL = "审核人"
FILLED_ON_LABEL = "填报日期"
