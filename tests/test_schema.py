"""The catalog's records and their validation (schema.py): plain records, pydantic's checks.

The rules of single fields and of whole records are exercised through YAML in test_loader.py;
here: that every record has a checked shape, that the records behave as the frozen models they
replaced (immutable, equal by fields, own list defaults, pickled as fields), and that a record's
JSON is its fields, which validate back to the same record.
"""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from pydantic import ValidationError

from pingtai import catalog
from pingtai.catalog import AgencyRegistry, Area, PlanFile, Record, Schedule, Target
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.render.jsonout import dumps, jsonable
from pingtai.schema import TYPES, validate

RECORDS = [obj for obj in vars(catalog).values()
           if isinstance(obj, type) and issubclass(obj, Record) and obj is not Record]
TARGET = {"period": "2025", "comparator": ">=", "value": 10, "text": "目标", "source": "测试"}


def test_the_catalog_has_its_records() -> None:
    assert len(RECORDS) == 27
    assert PlanFile.fields[:3] == ("schema_version", "id", "short_name")


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_every_record_validates_and_names_exactly_its_required_fields(record: type[Record]) -> None:
    """An empty mapping misses exactly the fields without a default: the checked shape and the record agree."""
    required = {name for name in record.fields if name not in record.__dict__}
    if not required:
        assert validate(record, {}) == record()
    else:
        with pytest.raises(ValidationError) as caught:
            validate(record, {})
        assert {e["loc"][0] for e in caught.value.errors() if e["type"] == "missing"} == required
    with pytest.raises(ValidationError) as caught:
        validate(record, {"no_such_key": 1})
    assert any(e["type"] == "extra_forbidden" for e in caught.value.errors())


def test_every_field_type_name_has_a_checked_type() -> None:
    """Each name catalog.py gives a field rule (a plain alias there) has its checked type here, and
    only those: else validation would take, say, an empty ``Name`` as a plain ``str``."""
    plain = {name for name, value in vars(catalog).items() if value in (str, int, float, list)}
    assert plain | {"AreasOrAll"} == set(TYPES)


def test_a_record_is_immutable_and_compares_by_its_fields() -> None:
    target = validate(Target, TARGET)
    assert target.period == Period(2025) and target.value == 10.0 and target.band is None
    with pytest.raises(AttributeError):
        target.value = 11  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del target.value
    same = validate(Target, dict(TARGET))
    assert same == target and hash(same) == hash(target) and same is not target
    assert validate(Target, {**TARGET, "value": 11}) != target
    assert target != object()
    assert repr(target).startswith("Target(period=")


def test_a_list_default_is_each_records_own() -> None:
    first, second = Schedule(), Schedule()
    first.agencies.append("市商务局")
    assert second.agencies == [] and Schedule.agencies == []


def test_building_a_record_needs_every_field_and_no_other() -> None:
    with pytest.raises(TypeError, match="missing argument 'source'"):
        Target(period=Period(2025), comparator=">=", value=1.0, text="目标")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected arguments 'colour'"):
        Target(period=Period(2025), comparator=">=", value=1.0, text="目标", source="x", colour="red")  # type: ignore[call-arg]


def test_a_records_own_rule_is_a_problem_at_its_place() -> None:
    """``check`` runs inside validation, so its message comes with the record's location."""
    with pytest.raises(ValidationError) as caught:
        validate(AgencyRegistry, {"schema_version": 1, "revision": {"date": "2024-01-01", "note": "x"},
                                  "agencies": [{"name": "甲", "full_name": "甲", "kind": "department", "sources": ["x"]}],
                                  "groups": [{"name": "乙", "members": [], "sources": ["x"]}]})
    assert [e["loc"] for e in caught.value.errors()] == [("groups", 0, "members")]
    with pytest.raises(ValidationError) as caught:
        validate(Area, {"name": "越城区", "kind": "district", "sources": ["x"]})
    (error,) = caught.value.errors()
    assert error["loc"] == () and "需要区划代码" in error["msg"]


def test_the_bundled_catalog_pickles_and_copies_to_equal_records() -> None:
    loaded = load_catalog()
    assert pickle.loads(pickle.dumps(loaded, protocol=pickle.HIGHEST_PROTOCOL)) == loaded
    spec = loaded.plans[0].spec
    assert copy.deepcopy(spec) == spec


def test_a_records_json_is_its_fields_and_validates_back() -> None:
    """JSON output of a plan (``show`` and the rows of the browsing commands carry records) holds every
    field under its name, dates and periods as text — what the YAML itself may say."""
    for plan in load_catalog().plans:
        data = json.loads(dumps(plan.spec))
        assert list(data) == list(PlanFile.fields)
        assert data == jsonable(plan.spec)
        assert validate(PlanFile, data) == plan.spec
