"""cli/_coercion.py: every parameter of every command coerces a value exactly as typer's own coercion does."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main
from typer._click import Context
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.core import TyperArgument, TyperOption

from pingtai.cli import app
from pingtai.cli._coercion import PlainCoercion

SINGLE = [None, "", "市商务局", "a//b/", "./示例.xlsx", "\udcff.xlsx", " x ", "-", "16", "-1", "1.5", "x", "2025-01-25",
          "dingtalk", "at_risk"]
MULTIPLE = [None, (), ("a",), ("a//b/", "示例.xlsx"), ("1", "2"), ("1", "x"), ["指标!E5", ""], "a"]


def parameters() -> list[tuple[str, TyperOption | TyperArgument]]:
    group = typer.main.get_group(app)
    found: list[tuple[str, TyperOption | TyperArgument]] = []
    for command in [group, *group.commands.values()]:
        found += [(f"{command.name} {p.name}", p) for p in command.params if isinstance(p, TyperOption | TyperArgument)]
    return found


def outcome(coerce: Any) -> tuple[str, Any]:
    try:
        return "value", coerce()
    except BadParameter as exc:
        return "error", exc.format_message()


@pytest.mark.parametrize(("name", "param"), parameters(), ids=[name for name, _ in parameters()])
def test_plain_coercion_equals_typers(name: str, param: TyperOption | TyperArgument) -> None:
    descriptor = param.type_descriptor
    ours = PlainCoercion(descriptor.parameter_info, descriptor.annotation)
    theirs = build_runtime_param(descriptor)
    ctx = Context(typer.main.get_group(app))
    # the parameter's own default too: a number or a choice left out is coerced without typer
    for value in [*(MULTIPLE if descriptor.is_list else SINGLE), param.default]:
        expected = outcome(lambda: theirs.coerce(value, param=param, ctx=ctx))  # noqa: B023
        got = outcome(lambda: ours.coerce(value, param=param, ctx=ctx))  # noqa: B023
        assert got == expected, (name, value)
        assert type(got[1]) is type(expected[1]), (name, value)


def test_every_command_gets_the_plain_coercion() -> None:
    group = typer.main.get_group(app)
    ctx = Context(group)
    commands = [command for name in group.list_commands(ctx) if (command := group.get_command(ctx, name))]
    params = [*group.get_params(ctx), *(p for command in commands for p in command.get_params(ctx))]
    assert len(commands) == len(group.commands)
    assert all(isinstance(p._runtime_param, PlainCoercion) for p in params if isinstance(p, TyperOption | TyperArgument))
