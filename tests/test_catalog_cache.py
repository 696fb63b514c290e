"""The cache of assembled catalogs: a hit returns the same catalog, an edit misses, a bad entry is ignored."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from pingtai import catalog_cache, loader
from pingtai.errors import CatalogError
from pingtai.loader import load_catalog


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache").glob("catalog-*.pickle"))


def _no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the YAML was parsed although the cache holds the catalog")

    monkeypatch.setattr(loader, "load_files", fail)


def test_second_load_comes_from_the_cache_and_equals_the_first(tmp_path: Path, data_copy: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_catalog(data_copy)
    assert len(_entries(tmp_path)) == 1
    _no_parsing(monkeypatch)
    second = load_catalog(data_copy)
    assert second == first
    assert second is not first
    assert [p.path for p in second.plans] == [p.path for p in first.plans]


def test_an_edited_file_is_parsed_again(tmp_path: Path, data_copy: Path) -> None:
    load_catalog(data_copy)
    plan = data_copy / "plan_2023_38.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("short_name: 38号", "short_name: 三十八号"),
                    encoding="utf-8")
    assert load_catalog(data_copy).plan("plan_2023_38").spec.short_name == "三十八号"  # type: ignore[union-attr]
    assert len(_entries(tmp_path)) == 2


def test_an_edited_or_removed_area_registry_is_parsed_again(tmp_path: Path, data_copy: Path) -> None:
    load_catalog(data_copy)
    areas = data_copy / "areas.yaml"
    areas.write_text(areas.read_text(encoding="utf-8").replace("aliases: [柯桥]", "aliases: [柯桥, 柯]"), encoding="utf-8")
    edited = load_catalog(data_copy).areas
    assert edited is not None and "柯" in next(a for a in edited.areas if a.name == "柯桥区").aliases
    # without areas.yaml (and without indicators reported by area) the catalog knows no area
    areas.unlink()
    for plan in data_copy.glob("*_2023_*.yaml"):
        lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
        plan.write_text("".join(line for line in lines if "by_area:" not in line), encoding="utf-8")
    assert load_catalog(data_copy).areas is None
    assert len(_entries(tmp_path)) == 3


def test_the_same_files_elsewhere_are_another_entry(tmp_path: Path, data_copy: Path) -> None:
    """The catalog records the paths it was loaded from, so the path is part of the key."""
    elsewhere = tmp_path / "elsewhere"
    data_copy.rename(elsewhere)
    assert load_catalog(elsewhere).agencies_path == str(elsewhere / "agencies.yaml")
    assert len(_entries(tmp_path)) == 1


def test_a_catalog_with_problems_is_never_cached(tmp_path: Path, data_copy: Path) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("kind: flow", "kind: flux", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(CatalogError):
            load_catalog(data_copy)
    assert _entries(tmp_path) == []


def test_a_damaged_entry_is_ignored_and_replaced(tmp_path: Path, data_copy: Path) -> None:
    expected = load_catalog(data_copy)
    [entry] = _entries(tmp_path)
    entry.write_bytes(b"not a pickle")
    assert load_catalog(data_copy) == expected
    assert pickle.loads(entry.read_bytes()) == expected


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo pwned > pwned.txt",))


def test_an_entry_naming_other_classes_is_refused(tmp_path: Path, data_copy: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    expected = load_catalog(data_copy)
    [entry] = _entries(tmp_path)
    entry.write_bytes(pickle.dumps(_Payload()))
    assert load_catalog(data_copy) == expected
    assert not (tmp_path / "pwned.txt").exists()


def test_caching_can_be_turned_off(tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(catalog_cache.CACHE_ENV, "")
    load_catalog(data_copy)
    load_catalog(data_copy)
    assert not (tmp_path / "cache").exists()


def test_without_a_home_there_is_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (catalog_cache.CACHE_ENV, "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)
    assert catalog_cache.cache_dir() is None
    monkeypatch.setenv("HOME", "/home/someone")
    assert catalog_cache.cache_dir() == Path("/home/someone/.cache/pingtai")
    monkeypatch.setenv("XDG_CACHE_HOME", "/var/cache/x")
    assert catalog_cache.cache_dir() == Path("/var/cache/x/pingtai")


def test_an_unwritable_cache_does_not_stop_loading(tmp_path: Path, data_copy: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache directory should be")
    monkeypatch.setenv(catalog_cache.CACHE_ENV, str(blocked / "cache"))
    assert load_catalog(data_copy) == load_catalog(data_copy)


def test_old_entries_are_pruned(tmp_path: Path, data_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog_cache, "KEEP", 2)
    plan = data_copy / "zone_2023_5.yaml"
    text = plan.read_text(encoding="utf-8")
    for revision in range(4):
        plan.write_text(text + f"# revision {revision}\n", encoding="utf-8")
        load_catalog(data_copy)
    assert len(_entries(tmp_path)) == 2


def test_a_write_killed_half_way_is_cleaned_up_later(tmp_path: Path, data_copy: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    stale, fresh = cache / ".catalog-stale", cache / ".catalog-fresh"
    stale.write_bytes(b"half a pickle")
    fresh.write_bytes(b"another process writing now")
    os.utime(stale, (0, 0))
    load_catalog(data_copy)
    assert not stale.exists() and fresh.exists()
