"""Option values coerced as typer coerces them, without building a pydantic adapter for plain text.

typer 0.29 coerces every parameter of the command being run through a pydantic ``TypeAdapter``,
built on first use — for an option left out too. Building them imports pydantic's validators and
its plugin loader (``importlib.metadata``): about 30 ms of importing one agency's return, whose
options are text, paths and flags that need no validation (issue #18).

:class:`PlainCoercion` takes a parameter's place in typer's coercion: an option not given stays
``None`` (or ``[]``), text stays the text typed, a path becomes a ``Path`` through typer's own
:func:`~typer._param_types.coerce_cli_path` (pydantic's ``Path`` validation of a text is
``Path(text)``); a parameter's own default stays as it is (typer's coercion gives every default
back unchanged: ``check --resubmit-days`` left out is the number 5); anything else — a number or
a choice typed — goes to typer's coercion, built only when such a value arrives, so every message
about a bad value is typer's own.
``tests/test_cli_coercion.py`` compares both over every parameter of every command.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, get_args, get_origin

from typer._click import Context, Parameter
from typer._coercion import RuntimeParam, build_runtime_param, resolve_type_descriptor
from typer._param_types import coerce_cli_path, lenient_issubclass, routes_to_path
from typer.core import TyperArgument, TyperOption


class PlainCoercion(RuntimeParam):
    """One parameter's coercion: text and paths here, anything else by typer (see the module).

    Made like typer's own, from the parameter's annotation and its ``typer.Option`` / ``typer.Argument``.
    """

    def _coerce_value(self, value: Any, param: Any, ctx: Context) -> Any:
        default = getattr(param, "default", None)
        if value is not None and type(value) is type(default) and value == default:
            return value  # the default, as typer's coercion would give it back (tests/test_cli_coercion.py)
        if lenient_issubclass(get_origin(self.annotation), list):
            item = get_args(self.annotation)[0]
            values = value if isinstance(value, list | tuple) else [value]
            if self._plain(item) and all(isinstance(v, str) for v in values):
                return [self._leaf(item, v, param, ctx) for v in values]
        elif self._plain(self.annotation) and isinstance(value, str):
            return self._leaf(self.annotation, value, param, ctx)
        typers = build_runtime_param(resolve_type_descriptor(self.annotation, self.parameter_info))
        return typers._coerce_value(value, param=param, ctx=ctx)

    def _plain(self, annotation: Any) -> bool:
        info = self.parameter_info
        return info.parser is None and (annotation is str or (annotation is Path and routes_to_path(annotation, info)))

    def _leaf(self, annotation: Any, text: str, param: Any, ctx: Context) -> Any:
        if annotation is str:
            return text
        return coerce_cli_path(Path(text), self.parameter_info, path_type=Path, param=param, ctx=ctx)


def plain_coercion(params: Iterable[Parameter]) -> None:
    """Give each typer parameter in ``params`` a :class:`PlainCoercion` unless it already has a coercion."""
    for param in params:
        if isinstance(param, TyperOption | TyperArgument) and param._runtime_param is None:
            descriptor = param.type_descriptor
            param._runtime_param = PlainCoercion(descriptor.parameter_info, descriptor.annotation)
