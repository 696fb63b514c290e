"""The benchmark scripts cannot rot: generate a tiny catalog and workbook, read them back, and run the
runner end to end in its quick mode. No timings are asserted — benchmarks are not tests."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from pingtai.cli import app
from pingtai.ledger import Ledger
from pingtai.loader import load_catalog
from pingtai.returns import read_return

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import generate  # noqa: E402
import run  # noqa: E402


def test_generated_catalog_validates_and_workbook_imports(tmp_path: Path) -> None:
    generate.generate(tmp_path, 23, 300, seed=3, months=12)
    catalog = load_catalog(tmp_path / "data")
    assert [len(p.indicators) for p in catalog.plans] == [23]
    assert len(catalog.agencies.agencies) == 101  # 11 cities and 90 counties
    owners = {i.owner for i in catalog.indicators.values()}
    assert None not in owners

    rows = CalamineWorkbook.from_path(str(tmp_path / "returns.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[0] == generate.HEADER
    assert len(rows) == 301
    parsed = read_return(tmp_path / "returns.xlsx", catalog)
    assert parsed.errors == [] and parsed.warnings == []
    assert parsed.layout == "long" and len(parsed.values) == 300
    # the first 23 × 12 rows are every indicator's owner, each month; the rest a second agency
    owned = sum(1 for v in parsed.values if v.agency == catalog.indicators[v.indicator].owner)
    assert owned == 23 * 12


def test_generation_is_deterministic(tmp_path: Path) -> None:
    def digest(root: Path) -> list[str]:
        return [hashlib.sha256(p.read_bytes()).hexdigest()
                for p in (root / "data" / "plan_synthetic.yaml", root / "returns.xlsx")]

    generate.generate(tmp_path / "a", 15, 100, seed=5)
    generate.generate(tmp_path / "b", 15, 100, seed=5)
    generate.generate(tmp_path / "c", 15, 100, seed=6)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    assert digest(tmp_path / "a")[1] != digest(tmp_path / "c")[1]


def test_too_many_values_for_the_keys_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="at most"):
        generate.generate(tmp_path, 2, 2 * 12 * 101 + 1, months=12)


def test_ledger_written_through_the_api_holds_the_workbook_rows(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    generate.generate(tmp_path / "api", 12, 250, months=12, ledger=tmp_path / "api.sqlite3")
    generate.generate(tmp_path / "file", 12, 250, months=12)
    imported = tmp_path / "imported.sqlite3"
    result = CliRunner().invoke(app, ["--data", str(tmp_path / "file" / "data"), "--db", str(imported), "import",
                                      str(tmp_path / "file" / "returns.xlsx")])
    assert result.exit_code == 0, result.output

    def keys(db: Path) -> list[tuple[str, str, str, float]]:
        with Ledger.open(db, readonly=True) as ledger:
            return [(v.indicator, str(v.period), v.agency, v.value) for v in ledger.current_values()]

    assert keys(tmp_path / "api.sqlite3") == keys(imported)
    assert len(keys(imported)) == 250


def test_runner_quick_mode_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run.main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Machine: ")
    for scenario in ("`pingtai --version`", "one agency's return", "bare python-calamine parse",
                     "openpyxl read-only parse", "`pingtai import`", "rows → empty ledger, one run", "`pingtai status`",
                     "`pingtai status --json`", "`pingtai report --json`", "`pingtai check --json`",
                     "`pingtai league`", "`pingtai bulletin --format md`",
                     "catalog load, bundled plans"):
        assert scenario in out, scenario
    assert "× --version (" in out and "× plain check (" in out and "MiB ✓" in out
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len({line.count("|") for line in table}) == 1  # every row has every column
