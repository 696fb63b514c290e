"""``Record`` behaves as a frozen dataclass; ``fast_init`` leaves instances exactly as the dataclass's own
``__init__`` would."""

from __future__ import annotations

import dataclasses
import importlib
import pickle
import pkgutil
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pingtai
from pingtai.frozen import Record, fast_init, field_names
from pingtai.periods import cached_attribute


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


# --- Record --------------------------------------------------------------------------------------


class Twin(Record):
    """``Plain`` as a record."""

    a: int
    b: str
    c: float | None = None
    d: tuple[int, ...] = ()


@given(values, st.integers(min_value=2, max_value=4), st.booleans())
def test_a_record_is_built_compared_and_printed_as_its_dataclass_twin(args: tuple[Any, ...], n: int,
                                                                       keywords: bool) -> None:
    if keywords:
        kwargs = dict(zip("abcd", args[:n], strict=False))
        record, twin = Twin(**kwargs), Plain(**kwargs)
    else:
        record, twin = Twin(*args[:n]), Plain(*args[:n])
    assert list(vars(record).items()) == list(vars(twin).items())  # same values, in field order
    assert repr(record) == repr(twin).replace("Plain", "Twin")
    assert record.as_dict() == dataclasses.asdict(twin)
    same = Twin(*dataclasses.astuple(twin))
    assert record == same and hash(record) == hash(same) and (record != same) is False
    assert record.replace(a=1) == Twin(1, *dataclasses.astuple(twin)[1:])
    assert pickle.loads(pickle.dumps(record)) == record
    assert field_names(record) == field_names(twin) == ("a", "b", "c", "d")


def test_a_record_refuses_what_its_dataclass_twin_refuses() -> None:
    for cls in (Twin, Plain):
        with pytest.raises(TypeError):
            cls(1)  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            cls(1, "x", f=2)  # type: ignore[call-arg]
        with pytest.raises(TypeError):
            cls(1, "x", a=2)  # type: ignore[misc]
        with pytest.raises(TypeError):
            cls(1, "x", None, (), 5)  # type: ignore[call-arg]
        with pytest.raises(dataclasses.FrozenInstanceError):
            cls(1, "x").a = 2  # type: ignore[misc]
        with pytest.raises(dataclasses.FrozenInstanceError):
            del cls(1, "x").a
    with pytest.raises(TypeError, match="unexpected arguments 'f'"):
        Twin(1, "x").replace(f=1)


def test_records_differ_by_type_and_by_every_field() -> None:
    class Other(Record):
        a: int
        b: str

    assert Twin(1, "x") != Other(1, "x") and Twin(1, "x") != (1, "x", None, ())
    for changed in ({"a": 2}, {"b": "y"}, {"c": 0.5}, {"d": (1,)}):
        assert Twin(1, "x") != Twin(1, "x").replace(**changed)


def test_defaults_are_each_records_own() -> None:
    class Listed(Record):
        items: list[str] = []  # noqa: RUF012 (a Record copies it, as the catalog relies on)
        by_name: dict[str, int] = {}  # noqa: RUF012
        made: list[int] = field(default_factory=list)

    first, second = Listed(made=[1]), Listed()
    second.made.append(2)
    assert first.made == [1] and second.made == [2] and Listed().made == []
    listed, other = Listed(), Listed()
    listed.items.append("甲")
    listed.by_name["乙"] = 1
    assert other.items == [] and other.by_name == {} and Listed.items == []


def test_a_subclass_adds_its_fields_after_its_bases() -> None:
    class Base(Record):
        a: int
        b: str = ""

    class Derived(Base):
        c: int = 0
        limit: ClassVar[int] = 3

    assert Derived.fields == ("a", "b", "c")
    assert Derived(1, "x", 2) == Derived(a=1, b="x", c=2) != Base(1, "x")
    assert repr(Derived(1)) == "test_a_subclass_adds_its_fields_after_its_bases.<locals>.Derived(a=1, b='', c=0)"


def test_a_cached_attribute_is_not_a_field() -> None:
    class Cached(Record):
        a: int

        @cached_attribute
        def double(self) -> int:
            return self.a * 2

    first, second = Cached(2), Cached(2)
    before = hash(first)
    assert first.double == 4
    assert first == second and hash(first) == before == hash(second)
    assert repr(first) == repr(second) and first.as_dict() == {"a": 2}


def test_a_mutable_record_assigns_and_is_not_hashable() -> None:
    class Counter(Record, frozen=False):
        name: str
        seen: int = 0
        hidden: object = field(default=None, repr=False)

    counter = Counter("甲")
    counter.seen += 1
    assert counter == Counter("甲", 1) and repr(counter) == repr(Counter("甲", 1, hidden="x"))
    assert "hidden" not in repr(counter)
    with pytest.raises(TypeError):
        hash(counter)


def test_field_names_of_anything_else_is_none() -> None:
    assert field_names(Twin) is None and field_names(Plain) is None
    assert field_names((1, 2)) is None and field_names({"a": 1}) is None


DATACLASSES = {
    # made by the thousand per command on a large ledger (measured: status, report, check, league and
    # bulletin on 2,000 indicators × 100k values; the 100k-row import)
    "pingtai.periods.Period", "pingtai.series.Point", "pingtai.series.YearOnYear", "pingtai.series.PlanFigures",
    "pingtai.progress.Observation", "pingtai.progress.PathPoint", "pingtai.progress.Trajectory",
    "pingtai.progress.Expected", "pingtai.progress.Milestone", "pingtai.progress.Projection",
    "pingtai.progress.ProgressRatio", "pingtai.progress.Assessment", "pingtai.assess.TargetInfo",
    "pingtai.assess.IndicatorStatus", "pingtai.assess.PathRow", "pingtai.reports.ReportIndicator",
    "pingtai.reports.ReturnEntry", "pingtai.reports._Slot", "pingtai.schedule.DuePeriod",
    "pingtai.schedule.ReturnContents", "pingtai.ledger.model.ReceivedReturn", "pingtai.checks.Finding",
    "pingtai.checks.Omission", "pingtai.returns.names.Label", "pingtai.bulletin.model.Ref",
    "pingtai.bulletin.model.Words", "pingtai.bulletin.model.Quote", "pingtai.bulletin.model.Figure",
    "pingtai.bulletin.model.Paragraph", "pingtai.bulletin.build._Target", "pingtai.bulletin.build._Measures",
    # a header's table fills its index of columns after __init__
    "pingtai.returns.tables.Table",
    # exceptions, and typer's own coercion class extended
    "pingtai.errors.ProblemsError", "pingtai.errors.CatalogError", "pingtai.cli._coercion.PlainCoercion",
}


def test_the_dataclasses_left_are_those_made_by_the_thousand() -> None:
    """Any other value class is a ``Record``: each dataclass costs ≈ 1.3 ms to define (see the module)."""
    found = set()
    for info in pkgutil.walk_packages(pingtai.__path__, "pingtai."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        found |= {f"{value.__module__}.{value.__qualname__}" for value in vars(module).values()
                  if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == info.name}
    assert found == DATACLASSES
