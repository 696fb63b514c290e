"""A cache of assembled catalogs, so that a command does not parse and validate unchanged YAML again.

Parsing and validating the plan YAML is the largest fixed cost of every command on a large
catalog (a plan of 2,000 indicators: about half a second; the bundled plans: about 15 ms). A
catalog that loaded without problems is therefore pickled into the cache directory —
``$PINGTAI_CACHE_DIR``, else ``$XDG_CACHE_HOME/pingtai``, else ``~/.cache/pingtai``; none when
``PINGTAI_CACHE_DIR`` is set empty or no home is known (cron) — under a key that covers everything
the result depends on: every file's path as given and its bytes, the source files of the modules
that build a catalog (an edited pingtai never reads an entry an older one wrote), the version
of Python and the installed files of PyYAML and pydantic. An entry is unpickled with only the classes a catalog is made of
allowed; anything else refuses the entry.

The cache is best effort: whatever goes wrong reading or writing it (a full disk, a read-only
home, a damaged entry) falls back to parsing the YAML, silently. It never changes a result.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import importlib.util
import io
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pingtai.catalog import Catalog

CACHE_ENV = "PINGTAI_CACHE_DIR"
KEEP = 16
"""Entries kept; older ones are removed when a new one is written."""
_BUILDERS = ("pingtai", "pingtai.agencies", "pingtai.areas", "pingtai.catalog", "pingtai.catalog_cache", "pingtai.errors",
             "pingtai.loader", "pingtai.periods", "pingtai.schema", "pingtai.units")
"""Modules whose code decides what a catalog looks like."""
_VALIDATORS = ("yaml", "pydantic", "pydantic_core")
"""Libraries that parse and validate the YAML: a new version may read the same files differently."""
_ALLOWED = {"pingtai.catalog", "pingtai.periods"}
_ALLOWED_DATETIME = {"date", "datetime", "timedelta", "timezone"}


def cache_dir() -> Path | None:
    """Where entries live, or ``None`` when caching is off (see the module docstring)."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit) if explicit else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "pingtai"
    home = os.environ.get("HOME")
    return Path(home) / ".cache" / "pingtai" if home else None


def _environment() -> bytes:
    parts = [sys.version, str(pickle.HIGHEST_PROTOCOL)]
    # by their files, found without importing them: a hit validates nothing and needs no pydantic
    for name in (*_VALIDATORS, *_BUILDERS):
        spec = importlib.util.find_spec(name)
        source = spec.origin if spec is not None else None
        if source is None:
            parts.append(f"{name}:?")
            continue
        stat = os.stat(source)
        parts.append(f"{name}:{source}:{stat.st_mtime_ns}:{stat.st_size}")
    return "\n".join(parts).encode()


def key(files: Sequence[Path]) -> str | None:
    """The cache key of a catalog built from ``files`` (in this order), or ``None`` if one is unreadable."""
    digest = hashlib.sha256(_environment())
    try:
        for path in files:
            data = path.read_bytes()
            digest.update(b"\0" + os.fsencode(path) + f"\0{len(data)}\0".encode())  # any bytes a path may hold
            digest.update(data)
    except OSError:
        return None
    return digest.hexdigest()


class _CatalogUnpickler(pickle.Unpickler):
    """Rebuilds only catalog classes, periods and dates; any other global refuses the entry."""

    def find_class(self, module: str, name: str) -> Any:
        if module in _ALLOWED:
            found = getattr(sys.modules[module], name, None)
            if isinstance(found, type) and found.__module__ == module:
                return found
        elif module == "datetime" and name in _ALLOWED_DATETIME:
            return getattr(dt, name)
        raise pickle.UnpicklingError(f"not part of a catalog: {module}.{name}")


def get(files: Sequence[Path]) -> tuple[str | None, Catalog | None]:
    """The cache key of ``files`` and the catalog stored under it (``None`` on a miss)."""
    folder = cache_dir()
    if folder is None:
        return None, None
    name = key(files)
    if name is None:
        return None, None
    try:
        data = (folder / f"catalog-{name}.pickle").read_bytes()
        found = _CatalogUnpickler(io.BytesIO(data)).load()
    except Exception:  # a missing, damaged or foreign entry is a miss
        return name, None
    return name, found if isinstance(found, Catalog) else None


def put(name: str | None, files: Sequence[Path], catalog: Catalog) -> None:
    """Store ``catalog`` under ``name`` — if ``files`` still have that key (not edited meanwhile)."""
    folder = cache_dir()
    if folder is None or name is None or key(files) != name:
        return
    with contextlib.suppress(Exception):
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".catalog-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                pickle.dump(catalog, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, folder / f"catalog-{name}.pickle")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        entries = sorted(folder.glob("catalog-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink()
        for stale in folder.glob(".catalog-*"):  # left by a process killed while writing
            if time.time() - stale.stat().st_mtime > 600:
                stale.unlink()
