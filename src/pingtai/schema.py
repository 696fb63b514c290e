"""How plan YAML is checked: the catalog's records (:mod:`pingtai.catalog`) validated with pydantic.

A record says what its fields hold with names such as ``Text``, ``Name``, ``Ident`` or
``NonEmpty[Task]``: plain types to the type checker and to every command that reads a catalog.
Here each of those names is the checked type pydantic validates (:data:`TYPES`), so a field's
rule is written once, beside the others of its kind, and a record's rules across its fields are
its own :meth:`~pingtai.catalog.Record.check`. For each record a ``TypedDict`` of its fields is
built from its annotations on first use (unknown keys are errors, fields with a default may be left
out); pydantic validates a mapping into a plain ``dict`` of them, which becomes the record. No model
instance is made in between: validating into pydantic models and then making the records took 17 %
longer on a plan of 2,000 indicators; this takes as long as the models alone did.

Only the loader validates, when a catalog is not in the cache (:mod:`pingtai.catalog_cache`): this
is the one module of the catalog that imports pydantic.
"""

from __future__ import annotations

import re
import string
import unicodedata
from typing import Annotated, Any, Literal, NotRequired, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    StringConstraints,
    TypeAdapter,
    with_config,
)
from pydantic_core import CoreSchema, core_schema
from typing_extensions import TypedDict  # pydantic needs typing_extensions' TypedDict before Python 3.12

from pingtai import catalog
from pingtai.catalog import PHRASING_SLOTS, Record

_CONTROLS = frozenset(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]) - frozenset("\t\n\r")


def _no_controls(text: str) -> str:
    """Refuse control characters (tab and line breaks aside): plan data is text to show, and an
    ESC in a task title would travel into every report."""
    found = next((char for char in text if char in _CONTROLS), None)
    if found is not None:
        raise ValueError(f"不能含控制字符（U+{ord(found):04X}）")
    return text


def _plain_name(text: str) -> str:
    # names may end up in file names and on terminals: no path separators, no control characters
    if any(ch in "/\\" or unicodedata.category(ch) in ("Cc", "Cf") for ch in text) or not text.strip("."):
        raise ValueError(f"名称 {text!r} 不能含路径分隔符（/ \\）或控制字符，也不能只是点")
    return text


def _code_text(value: object) -> object:
    # YAML reads an unquoted 330602 as an integer
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _six_digits(text: str) -> str:
    if not re.fullmatch(r"[1-9][0-9]{5}", text):
        raise ValueError(f"区划代码应为 6 位数字（GB/T 2260，如 330602）：{text!r}")
    return text


def _all_or_list(value: object) -> object:
    if isinstance(value, str) and value != "all":
        raise ValueError(f"areas 应为 all 或地区名列表（如 [越城区, 柯桥区]），而不是 {value!r}")
    return value


def _phrasing_template(text: str) -> str:
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError:
        raise ValueError(f"措辞模板 {text!r} 的花括号不成对（字面花括号请写成 {{{{ 或 }}}}）") from None
    slots = "、".join("{" + slot + "}" for slot in PHRASING_SLOTS)
    for name, spec, conversion in fields:
        if name not in PHRASING_SLOTS:
            raise ValueError(f"措辞模板中有未知的占位符 {{{name}}}（可用：{slots}）")
        if spec or conversion:
            raise ValueError(f"占位符 {{{name}}} 后不能带格式（: 或 ! 之后的部分）：数值按报表原样显示")
    if [name for name, _, _ in fields].count("数值") != 1:
        raise ValueError("措辞模板须含且只含一个 {数值}（本期数值及单位填在此处）")
    return text


_Item = TypeVar("_Item")
NonEmpty = Annotated[list[_Item], Field(min_length=1)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_no_controls)]
Name = Annotated[Text, AfterValidator(_plain_name)]

TYPES: dict[str, Any] = {
    "Text": Text,
    "Note": Annotated[str, AfterValidator(_no_controls)],
    "Name": Name,
    "Ident": Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")],
    "AreaCode": Annotated[str, BeforeValidator(_code_text), AfterValidator(_six_digits)],
    "Fraction": Annotated[float, Field(ge=0, le=1)],
    "Days": Annotated[int, Field(ge=0, le=366)],
    "TaskNumber": Annotated[int, Field(ge=1)],
    "PhrasingTemplate": Annotated[Text, AfterValidator(_phrasing_template)],
    "AreasOrAll": Annotated[Literal["all"] | list[Name], BeforeValidator(_all_or_list)],
    "NonEmpty": NonEmpty,
}
"""The checked type behind each field-type name the records use (see the module docstring)."""

_NAMESPACE = {**vars(catalog), **TYPES}
_STRICT = ConfigDict(extra="forbid")


_R = TypeVar("_R", bound=Record)


def validate(record: type[_R], data: Any) -> _R:
    """``data`` (parsed YAML) as a ``record``; raises pydantic's ``ValidationError`` with every problem."""
    adapter = _ADAPTERS.get(record)
    if adapter is None:
        adapter = _ADAPTERS[record] = TypeAdapter(record)
    return adapter.validate_python(data)  # type: ignore[no-any-return]


_ADAPTERS: dict[type[Record], TypeAdapter[Any]] = {}
_SHAPES: dict[type[Record], type] = {}


def record_schema(record: type[Record], handler: GetCoreSchemaHandler) -> CoreSchema:
    """The pydantic schema of ``record``: its fields validated as a mapping, then the record made and checked."""
    def build(fields: dict[str, Any]) -> Record:
        made = record(**fields)  # a field left out takes the record's default
        made.check()  # a ValueError becomes a problem at the record's place in the file
        return made

    return core_schema.no_info_after_validator_function(build, handler.generate_schema(_shape(record)))


def _shape(record: type[Record]) -> type:
    """A ``TypedDict`` of ``record``'s fields, their types as :data:`TYPES` checks them, those with a
    default not required, unknown keys refused (built once). Validated into a plain ``dict``."""
    shape = _SHAPES.get(record)
    if shape is None:
        fields: dict[str, Any] = {}
        for name in record.fields:
            # a string (postponed evaluation) naming catalog types and TYPES: our own source, not data
            annotation = eval(record.__annotations__[name], _NAMESPACE)
            fields[name] = NotRequired[annotation] if name in record.__dict__ else annotation
        shape = _SHAPES[record] = with_config(_STRICT)(TypedDict(record.__name__, fields))  # type: ignore[operator]
    return shape
