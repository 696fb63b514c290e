"""Immutable records: :class:`Record`, the base of pingtai's value classes, and :func:`fast_init` for
the frozen dataclasses a large ledger's dashboard builds by the hundred thousand.

A value class is a :class:`Record` unless a command makes thousands of it. Python 3.11 makes a
frozen dataclass by generating six methods as source and compiling each: ≈ 1–1.5 ms a class of five
fields, against 0.02–0.03 ms for a record (``benchmarks/run.py`` times both). The sixty an import of
one return loaded cost more than its work; making 102 of the project's dataclasses records took the
modules that import loads from 315 to 243 ms (in-process medians of 15, issue #18 part 9). A record
pays at each instance instead, its ``__init__`` being generic: ≈ 0.5–1.5 µs more than a dataclass's
(most with defaults or names), hashing and comparing ≈ 0.3 µs more. So the classes a command makes
by the thousand (periods, points, a dashboard's and a bulletin's rows) stay dataclasses, most with
:func:`fast_init`; ``tests/test_frozen.py`` lists them.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, ClassVar, Self, TypeVar, dataclass_transform

C = TypeVar("C", bound=type[Any])

_MISSING: Any = object()


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
class Record:
    """Base of a value class: its fields are its annotations, in order (a subclass's after its base's).

    As a frozen dataclass: a field with a class-level value has that default,
    ``field(default_factory=…)`` makes one per record, and a list, dict or set default is copied for
    each record; arguments go by position or by name; instances are immutable (assignment raises
    :class:`dataclasses.FrozenInstanceError`), compare and hash by type and fields, print as
    ``Name(field=value, …)`` and pickle as their fields. ``class X(Record, frozen=False)`` makes a
    mutable record (unhashable, as a mutable dataclass). :meth:`replace` and :meth:`as_dict` stand for
    ``dataclasses.replace`` and a shallow ``asdict``, which refuse a record.
    Attributes cached on the instance (:class:`pingtai.periods.cached_attribute`) are not fields.
    """

    __slots__ = ()
    fields: ClassVar[tuple[str, ...]] = ()
    """The record's field names, in order."""
    _defaults: ClassVar[dict[str, Any]] = {}
    _factories: ClassVar[dict[str, Callable[[], Any]]] = {}
    _shown: ClassVar[tuple[str, ...]] = ()
    """The fields ``repr`` prints (all but those declared ``field(repr=False)``)."""
    _key: ClassVar[Callable[[Any], Any]] = staticmethod(lambda record: ())
    """The fields' values of a record, compared and hashed (an ``attrgetter``: C, not a Python loop)."""

    def __init_subclass__(cls, *, frozen: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # its own annotations: a class without any has an empty dict (Python ≥ 3.10)
        own = [name for name, annotation in cls.__annotations__.items()
               if not str(annotation).startswith(("ClassVar", "typing.ClassVar"))]
        cls.fields = (*cls.fields, *(name for name in own if name not in cls.fields))
        if cls.fields:
            cls._key = staticmethod(operator.attrgetter(*cls.fields))
        cls._defaults, cls._factories = dict(cls._defaults), dict(cls._factories)
        hidden = set(cls.fields) - set(cls._shown) - set(own)  # what a base hides, unless declared again here
        for name in own:
            default = cls.__dict__.get(name, _MISSING)
            if isinstance(default, dataclasses.Field):
                if not default.repr:
                    hidden.add(name)
                if default.default_factory is not dataclasses.MISSING:
                    cls._factories[name] = default.default_factory
                    delattr(cls, name)
                    continue
                if default.default is dataclasses.MISSING:
                    delattr(cls, name)
                    continue
                default = default.default
                setattr(cls, name, default)
            if isinstance(default, list | dict | set):
                cls._factories[name] = default.copy
            elif default is not _MISSING:
                cls._defaults[name] = default
        cls._shown = tuple(name for name in cls.fields if name not in hidden)
        if not frozen:
            cls.__setattr__ = object.__setattr__  # type: ignore[method-assign,assignment]
            cls.__delattr__ = object.__delattr__  # type: ignore[method-assign]
            cls.__hash__ = None  # type: ignore[assignment]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self.fields
        own = self.__dict__
        if len(args) == len(names) and not kwargs:  # the common call: every field by position
            own.update(zip(names, args, strict=True))
            return
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes {len(names)} arguments but {len(args)} were given")
        own.update(zip(names, args, strict=False))  # the first fields, by position
        for name in names[len(args):]:  # the others by name, else their defaults: in field order
            value = kwargs.pop(name, _MISSING)
            if value is _MISSING:
                value = self._defaults.get(name, _MISSING)
                if value is _MISSING:
                    factory = self._factories.get(name)
                    if factory is None:
                        raise TypeError(f"{type(self).__name__}() missing argument {name!r}")
                    value = factory()
            own[name] = value
        if kwargs:
            twice = [name for name in kwargs if name in own]
            if twice:
                raise TypeError(f"{type(self).__name__}() got multiple values for argument {twice[0]!r}")
            raise TypeError(f"{type(self).__name__}() got unexpected arguments {', '.join(map(repr, kwargs))}")

    def as_dict(self) -> dict[str, Any]:
        """The fields by name (values as they are: a nested record stays a record)."""
        own = self.__dict__
        return {name: own[name] for name in self.fields}

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` to some fields."""
        own = self.__dict__
        return type(self)(**{name: own[name] for name in self.fields if name not in changes}, **changes)

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        key = type(self)._key
        return bool(key(self) == key(other))

    def __hash__(self) -> int:
        return hash((type(self), type(self)._key(self)))

    def __repr__(self) -> str:
        own = self.__dict__
        return f"{type(self).__qualname__}({', '.join(f'{name}={own[name]!r}' for name in self._shown)})"


def field_names(value: object) -> tuple[str, ...] | None:
    """The field names of a record or a dataclass instance, in order; ``None`` for anything else."""
    if isinstance(value, Record):
        return value.fields
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return tuple(f.name for f in dataclasses.fields(value))
    return None


def fast_init(cls: C) -> C:
    """Give the frozen dataclass ``cls`` an ``__init__`` that writes the instance ``__dict__`` directly.

    The generated ``__init__`` of a frozen dataclass stores each field through
    ``object.__setattr__`` (a global lookup and a call per field): a large ledger's dashboard makes
    ~100,000 points and thousands of wide rows, where that costs about half of their construction.
    The instance ends up exactly as the dataclass would leave it — same ``__dict__`` in field order,
    same equality, hashing, repr, ``fields()`` and ``replace()``; assignment still raises. Only for
    plain classes: positional fields, plain defaults, no ``__post_init__``, no slots (anything else
    is refused when the class is defined, not silently mishandled).

    Measured again in issue #18 (the dataclasses' own ``__init__`` instead, CPU medians on 2,000
    indicators × 100k values): ``status`` 0.035 s (3.5 %) and ``report`` 0.046 s faster with it, at
    8 MiB more peak memory (instance dicts written directly do not share their keys). Measured once
    more in issue #18 part 4 (CPU, min of 11, 2,000 indicators × 100k values, the dashboard built
    and rendered in-process, three alternations): 0.44–0.49 s with it, 0.49–0.54 s without — it
    still pays (≈ 0.045 s, 9 %); its users are ``progress.py``, ``assess.py`` and ``series.Point``.
    """
    params = cls.__dataclass_params__
    if not params.frozen or hasattr(cls, "__post_init__") or "__slots__" in cls.__dict__:
        raise TypeError(f"fast_init: {cls.__name__} is not a plain frozen dataclass")
    fields = dataclasses.fields(cls)
    names = [f.name for f in fields]
    defaults: dict[str, Any] = {}
    args = []
    for f in fields:
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"fast_init: {cls.__name__}.{f.name} needs the generated __init__")
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            defaults[f"_d_{f.name}"] = f.default
            args.append(f"{f.name}=_d_{f.name}")
    # the instance and its dict under names no field can clash with (dataclasses' own convention)
    body = "".join(f"\n    __dataclass_dict__[{n!r}] = {n}" for n in names)
    source = (f"def __init__(__dataclass_self__, {', '.join(args)}):\n"
              f"    __dataclass_dict__ = __dataclass_self__.__dict__{body}\n")
    namespace: dict[str, Any] = {}
    exec(source, defaults, namespace)  # the source is built from the class's own field names
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init
    return cls
