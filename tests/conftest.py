"""Shared fixtures: the bundled data directory, a writable copy of it, and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

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


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the user's real ledger or a data directory from the environment."""
    monkeypatch.delenv("PINGTAI_DATA", raising=False)
    monkeypatch.setenv("PINGTAI_DB", str(tmp_path / "ledger" / "ledger.sqlite3"))
    monkeypatch.delenv("PINGTAI_FORCE_TERMINAL", raising=False)
