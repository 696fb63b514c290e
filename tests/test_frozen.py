"""``fast_init`` leaves instances exactly as the dataclass's own ``__init__`` would."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingtai.frozen import fast_init


@dataclass(frozen=True)
class Plain:
    a: int
    b: str
    c: float | None = None
    d: tuple[int, ...] = ()


@fast_init
@dataclass(frozen=True)
class Fast:
    a: int
    b: str
    c: float | None = None
    d: tuple[int, ...] = ()


values = st.tuples(st.integers(), st.text(max_size=5), st.none() | st.floats(allow_nan=False),
                   st.tuples(st.integers()))


@given(values, st.integers(min_value=2, max_value=4), st.booleans())
def test_same_instance_as_the_generated_init(args: tuple[Any, ...], n: int, keywords: bool) -> None:
    if keywords:
        kwargs = dict(zip("abcd", args[:n], strict=False))
        plain, fast = Plain(**kwargs), Fast(**kwargs)
    else:
        plain, fast = Plain(*args[:n]), Fast(*args[:n])
    assert list(vars(fast).items()) == list(vars(plain).items())  # same values, same order
    assert dataclasses.astuple(fast) == dataclasses.astuple(plain)
    assert repr(fast) == repr(plain).replace("Plain", "Fast")
    assert fast == Fast(*dataclasses.astuple(fast)) and hash(fast) == hash(Fast(*dataclasses.astuple(fast)))
    assert dataclasses.replace(fast, a=1) == Fast(1, *dataclasses.astuple(fast)[1:])
    assert pickle.loads(pickle.dumps(fast)) == fast
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.a = 1  # type: ignore[misc]


def test_the_same_errors_for_missing_or_unknown_arguments() -> None:
    with pytest.raises(TypeError):
        Fast(1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Fast(1, "x", e=2)  # type: ignore[call-arg]


def test_refuses_what_it_would_mishandle() -> None:
    @dataclass
    class Mutable:
        a: int

    @dataclass(frozen=True)
    class Factory:
        a: list[int] = field(default_factory=list)

    @dataclass(frozen=True)
    class Post:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True, slots=True)
    class Slotted:
        a: int

    for cls in (Mutable, Factory, Post, Slotted):
        with pytest.raises(TypeError):
            fast_init(cls)
