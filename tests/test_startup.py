"""What a command's process loads: nothing it does not need (start-up time is what a user feels).

Each command runs as a real process with its output piped, and reports the modules it imported
when it exits: piped output never loads rich (styled text is a ``console.Line``), importing an
.xlsx return loads no scanner of another format, ``--version`` loads neither rich nor pydantic, and commands that read the cached catalog load no
pydantic.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "returns" / "示例_市商务局_2024Q4.xlsx"
REPORT_MODULES = """
import atexit, sys
listing = sys.argv[1]
atexit.register(lambda: open(listing, "w", encoding="utf-8").write("\\n".join(sorted(sys.modules))))
sys.argv = ["pingtai", *sys.argv[2:]]
from pingtai.cli import main
main()
"""


def modules(tmp_path: Path, *args: str) -> set[str]:
    """The modules ``pingtai ARGS`` imported, run as a process with piped output."""
    listing = tmp_path / "modules.txt"
    done = subprocess.run([sys.executable, "-c", REPORT_MODULES, str(listing), *args], capture_output=True, text=True,
                          env={**os.environ, "PINGTAI_DB": str(tmp_path / "ledger.sqlite3")}, cwd=tmp_path, timeout=120,
                          check=False)
    assert done.returncode in (0, 1), done.stderr
    return set(listing.read_text(encoding="utf-8").split("\n"))


@pytest.fixture
def imported(tmp_path: Path) -> set[str]:
    return modules(tmp_path, "import", str(EXAMPLE))


def test_an_import_loads_no_rich_and_no_scanner_of_another_format(imported: set[str]) -> None:
    assert "pingtai.returns.scan_xlsx" in imported and "pingtai.ledger" in imported  # it did the work
    assert not {m for m in imported if m == "rich" or m.startswith("rich.")}
    assert not {"pingtai.returns.scan_ods", "pingtai.returns.scan_xls"} & imported


@pytest.mark.parametrize("command", [["status", "--as-of", "2025-01-25"], ["check", "--as-of", "2025-01-25"],
                                     ["batches"]], ids=" ".join)
def test_piped_output_loads_no_rich(tmp_path: Path, imported: set[str], command: list[str]) -> None:
    loaded = modules(tmp_path, *command)
    assert "pingtai.service" in loaded
    assert not {m for m in loaded if m == "rich" or m.startswith("rich.")}


def test_the_version_loads_neither_pydantic_nor_rich(tmp_path: Path) -> None:
    """``pingtai --version`` is the floor every command is measured against (benchmarks/run.py):
    no command module may pull pydantic (``pingtai.periods``) or rich in when it is registered."""
    loaded = modules(tmp_path, "--version")
    assert "pingtai.cli.bulletin_cmds" in loaded and "pingtai.cli.status_cmds" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core", "rich")}


def test_an_import_loads_no_pydantic(tmp_path: Path) -> None:
    """Neither typer's coercion of text and path options through pydantic adapters — their module and
    pydantic's plugin loader (``importlib.metadata``) — nor the catalog: its records are plain classes,
    and only validating YAML imports pydantic (``cli/_coercion.py``, ``schema.py``). The first run
    fills the catalog cache, as any earlier command would have; the second imports into a fresh ledger."""
    first = modules(tmp_path, "--db", str(tmp_path / "first.sqlite3"), "import", "--dry-run", str(EXAMPLE))
    assert "pingtai.schema" in first and "pydantic" in first  # the YAML was validated
    imported = modules(tmp_path, "import", str(EXAMPLE))
    assert "pingtai.cli._coercion" in imported and "pingtai.ledger" in imported and "pingtai.catalog" in imported
    assert not {"typer._adapters", "importlib.metadata", "pingtai.schema"} & imported
    assert "pingtai.progress" not in imported  # the judging engine: an import needs a target's value only
    assert not {m for m in imported if m.split(".")[0] in ("pydantic", "pydantic_core")}


@pytest.mark.parametrize("command", [["status", "--as-of", "2025-01-25"], ["status", "--json", "--as-of", "2025-01-25"],
                                     ["report", "--agency", "市商务局", "--as-of", "2025-01-25"],
                                     ["check", "--as-of", "2025-01-25"]], ids=" ".join)
def test_reading_the_cached_catalog_loads_no_pydantic(tmp_path: Path, imported: set[str], command: list[str]) -> None:
    loaded = modules(tmp_path, *command)
    assert "pingtai.catalog" in loaded and "pingtai.service" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core")}


def test_listing_batches_loads_no_pydantic(tmp_path: Path, imported: set[str]) -> None:
    """``batches`` reads the ledger only: its periods (``pingtai.periods``) and the coercion of its
    options need no pydantic; only validating YAML does."""
    loaded = modules(tmp_path, "batches")
    assert "pingtai.periods" in loaded and "pingtai.ledger" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("pydantic", "pydantic_core")}
