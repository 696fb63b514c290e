"""Shared fixtures: the bundled data directory, a writable copy of it, a CLI runner, the test's ledger
file and a tiny catalog, and the PostgreSQL cluster."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

if TYPE_CHECKING:
    from pingtai.catalog import Catalog
    from postgres_server import Cluster

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled plan data, for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The test's ledger file (not created): where ``PINGTAI_DB`` points (see ``_isolated_env``)."""
    return tmp_path / "ledger" / "ledger.sqlite3"


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """The tiny two-indicator catalog of tests/checks_helpers.py, written under the test's directory."""
    from checks_helpers import tiny_catalog

    return tiny_catalog(tmp_path / "data")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's real ledger or a data directory from the environment."""
    monkeypatch.delenv("PINGTAI_DATA", raising=False)
    monkeypatch.setenv("PINGTAI_DB", str(tmp_path / "ledger" / "ledger.sqlite3"))
    monkeypatch.delenv("PINGTAI_FORCE_TERMINAL", raising=False)
    # the catalog cache writes into the test's own directory, never the user's ~/.cache
    monkeypatch.setenv("PINGTAI_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """One throwaway PostgreSQL cluster for the session (tests/postgres_server.py); skipped with a note
    when no server binaries are installed (CI installs them: .ci/run)."""
    from postgres_server import start

    cluster = start()
    if cluster is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A fresh, empty database of the session's cluster, as a libpq URL."""
    return pg_cluster.url(pg_cluster.fresh_database())


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A ledger location on each backend: an SQLite file, and a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger" / "ledger.sqlite3")
    url: str = request.getfixturevalue("pg_url")
    return url
