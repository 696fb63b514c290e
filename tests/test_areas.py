"""Area names: every spelling a return uses resolves to one area of areas.yaml; unknown ones get suggestions."""

from __future__ import annotations

import pytest

from pingtai.areas import AreaIndex
from pingtai.errors import UnknownNameError
from pingtai.loader import load_catalog

INDEX = AreaIndex(load_catalog().areas)


@pytest.mark.parametrize(("spelling", "name"), [
    ("柯桥区", "柯桥区"), ("柯桥", "柯桥区"), ("330603", "柯桥区"), ("３３０６０３", "柯桥区"), ("绍兴市柯桥区", "柯桥区"),
    ("柯 桥 区", "柯桥区"), ("诸暨", "诸暨市"), ("330681", "诸暨市"), ("全市", "绍兴市"), ("330600", "绍兴市"),
    ("绍兴滨海新区", "滨海新区"),
])
def test_names_aliases_codes_and_the_city_prefix_resolve(spelling: str, name: str) -> None:
    found = INDEX.find(spelling)
    assert found is not None and found.name == name
    assert INDEX.resolve(spelling).name == name


def test_unknown_area_is_an_error_with_suggestions() -> None:
    assert INDEX.find("柯乔区") is None
    with pytest.raises(UnknownNameError) as caught:
        INDEX.resolve("柯乔区")
    assert caught.value.message == "未知地区 '柯乔区'"
    assert caught.value.hint == "是否指：柯桥区？"
    with pytest.raises(UnknownNameError) as nothing_close:
        INDEX.resolve("qq")
    assert nothing_close.value.hint == "请用 `pingtai areas` 查看可用名称。"


def test_the_city_and_a_catalog_without_areas() -> None:
    assert INDEX.city is not None and INDEX.city.name == "绍兴市"
    assert INDEX.is_city("绍兴市") and not INDEX.is_city("柯桥区") and not INDEX.is_city(None)
    empty = AreaIndex(None)
    assert empty.find("柯桥区") is None and empty.city is None and empty.suggest("柯桥区") == []
    assert not empty.is_city("绍兴市")
