"""What pingtai writes is safe to open and never half written.

* Formula injection: texts that agencies type into returns (progress, issues, next steps) and that
  users type into the catalog (task titles, indicator names) reach the template, the reports (xlsx,
  md, html, json), the league table and the check digest. A text starting with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return must come out as that literal text: in xlsx a string cell
  (never an ``<f>`` formula) marked quote-prefixed; elsewhere verbatim. (pingtai writes no CSV.)
* Atomic writes: a writer killed at each of its writes (``kill_points.py``) leaves the target as it
  was or the whole new file — never half of it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.cell import Cell
from typer.testing import CliRunner

from pingtai import layout
from pingtai.cli import app
from pingtai.safe_write import FORMULA_TRIGGERS, set_text
from pingtai.template import write_template

TESTS = Path(__file__).parent
HOSTILE = ['=HYPERLINK("http://example.invalid/x","点此查看")', "+1+1", "-2+3 推进", "@SUM(A1:A9)",
           "\t=1+1", "\r=cmd|' /C calc'!A0", "=1+1"]
STORED = sorted({text.strip() for text in HOSTILE})
"""What the ledger keeps of them: the reader trims the spaces around a cell's text (the tab, the CR)."""
AS_OF = "2025-03-01"
GENERATED = dt.date(2025, 1, 10)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def formulas(path: Path) -> list[str]:
    """Every ``<f>`` element in every sheet of an xlsx file."""
    with zipfile.ZipFile(path) as archive:
        return [f for name in archive.namelist() if name.startswith("xl/worksheets/")
                for f in re.findall(r"<(?:\w+:)?f[ >].*?</(?:\w+:)?f>", archive.read(name).decode("utf-8"))]


def hostile_cells(path: Path) -> dict[str, list[Cell]]:
    """The cells whose value is one of :data:`HOSTILE`, by text."""
    book = openpyxl.load_workbook(path)
    found: dict[str, list[Cell]] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell, Cell) and isinstance(cell.value, str) and cell.value in {*HOSTILE, *STORED}:
                    found.setdefault(str(cell.value), []).append(cell)
    return found


def assert_literal(path: Path, texts: list[str]) -> None:
    assert formulas(path) == []
    found = hostile_cells(path)
    for text in texts:
        assert text in found, (text, sorted(found))
        for cell in found[text]:
            assert cell.data_type == "s"
            assert cell.quotePrefix, (text, cell.coordinate)  # stays text when edited in Excel/WPS


# --- the catalog's texts in the template ------------------------------------------------------------


def test_hostile_catalog_texts_stay_text_in_the_template(data_copy: Path, tmp_path: Path) -> None:
    from pingtai.loader import load_catalog

    plan = data_copy / "plan_2023_38.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "title: 打造具有辨识度的电商平台" in text
    plan.write_text(text.replace("title: 打造具有辨识度的电商平台", f"title: {json.dumps(HOSTILE[0], ensure_ascii=False)}"),
                    encoding="utf-8")
    catalog = load_catalog(data_copy)
    out = write_template(catalog, "市商务局", "2024Q4", tmp_path / "t.xlsx", generated=GENERATED).path
    assert_literal(out, [HOSTILE[0]])


# --- returns' texts in reports, the league table and the digest -----------------------------------------


@pytest.fixture(scope="module")
def ledger_with_hostile_texts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger holding a return whose task lines and reporter start with formula triggers."""
    from pingtai.loader import load_catalog

    folder = tmp_path_factory.mktemp("hostile-texts")
    source = write_template(load_catalog(), "市商务局", "2024Q4", folder / "商务局.xlsx", generated=GENERATED).path
    book = openpyxl.load_workbook(source)
    tasks = [row for row in book[layout.TASKS_SHEET].iter_rows(min_row=4) if isinstance(row[1].value, int)]
    texts = iter(HOSTILE * 3)
    for row in tasks:
        row[3].value = "推进中"
        for column in (4, 5, 6):
            cell = row[column]
            assert isinstance(cell, Cell)
            set_text(cell, next(texts))
    for row in book[layout.VALUES_SHEET].iter_rows():
        if row[0].value == "online_retail_sales":
            row[4].value = 1150.6
        if row[0].value == layout.REPORTER_LABEL and isinstance(row[1], Cell):
            set_text(row[1], "=2+5")
    book.save(source)
    db = folder / "ledger.sqlite3"
    code, out, err = invoke("--db", str(db), "import", str(source))
    assert code == 0, out + err
    return db


def test_hostile_return_texts_stay_text_in_the_xlsx_report(ledger_with_hostile_texts: Path, tmp_path: Path) -> None:
    out = tmp_path / "报告.xlsx"
    code, _, err = invoke("--db", str(ledger_with_hostile_texts), "report", "--agency", "市商务局", "--as-of", AS_OF,
                          "-o", str(out))
    assert code == 0, err
    assert_literal(out, STORED)


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_hostile_return_texts_are_kept_verbatim_in_text_reports(ledger_with_hostile_texts: Path, tmp_path: Path,
                                                               fmt: str) -> None:
    out = tmp_path / f"报告.{fmt}"
    code, _, err = invoke("--db", str(ledger_with_hostile_texts), "report", "--agency", "市商务局", "--as-of", AS_OF,
                          "-o", str(out))
    assert code == 0, err
    written = out.read_text(encoding="utf-8")
    if fmt == "json":
        strings = json.dumps(json.loads(written), ensure_ascii=False)
        assert all(json.dumps(text, ensure_ascii=False)[1:-1] in strings for text in STORED)
    else:  # escaped for the format, but there: "+1+1" and "@SUM(A1:A9)" survive any escaping
        assert "+1+1" in written and "@SUM(A1:A9)" in written


def test_the_league_table_and_the_digest_write_no_formulas(ledger_with_hostile_texts: Path, tmp_path: Path) -> None:
    league = tmp_path / "排名.xlsx"
    code, _, err = invoke("--db", str(ledger_with_hostile_texts), "league", "--as-of", AS_OF, "-o", str(league))
    assert code == 0, err
    assert formulas(league) == []
    digest = tmp_path / "digest.md"
    code, _, err = invoke("--db", str(ledger_with_hostile_texts), "check", "--as-of", AS_OF, "--output", str(digest))
    assert code in (0, 1), err
    assert digest.read_text(encoding="utf-8").startswith("#")


def test_set_text_marks_exactly_the_formula_triggers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row, text in enumerate([*HOSTILE, "普通文字", "1+1", "a=b"], start=1):
        cell = sheet.cell(row=row, column=1)
        assert isinstance(cell, Cell)
        set_text(cell, text)
        assert cell.data_type == "s" and bool(cell.quotePrefix) == text.startswith(FORMULA_TRIGGERS)
    book.save(tmp_path / "x.xlsx")
    assert formulas(tmp_path / "x.xlsx") == []


# --- atomic writes ----------------------------------------------------------------------------------------


WRITERS = {
    "template": ["template", "--agency", "市商务局", "--period", "2024Q4", "-o", "{out}"],
    "report": ["report", "--agency", "市商务局", "--as-of", AS_OF, "-o", "{out}"],
    "digest": ["check", "--as-of", AS_OF, "--output", "{out}"],
}
SUFFIX = {"template": ".xlsx", "report": ".xlsx", "digest": ".md"}


def _whole(path: Path, new: bytes) -> bool:
    """The complete new file: the same bytes (text outputs are deterministic), or a sound workbook
    (a zip's member times differ from run to run)."""
    if path.suffix != ".xlsx":
        return path.read_bytes() == new
    with zipfile.ZipFile(path) as archive:
        if archive.testzip() is not None:
            return False
    openpyxl.load_workbook(path)
    return True


@pytest.mark.slow
@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_writer_killed_at_any_write_leaves_the_old_file_or_the_new(ledger_with_hostile_texts: Path, tmp_path: Path,
                                                                     writer: str) -> None:
    out = tmp_path / f"out{SUFFIX[writer]}"
    args = [a.format(out=out) for a in WRITERS[writer]]
    env = {**os.environ, "PINGTAI_DB": str(ledger_with_hostile_texts)}
    command = [sys.executable, str(TESTS / "kill_points.py"), *args]
    listing = subprocess.run(command, env={**env, "KILL_AT": "-1"}, capture_output=True, text=True, timeout=120,
                             check=False)
    assert listing.returncode in (0, 1), listing.stderr
    writes = json.loads(listing.stderr.splitlines()[-1])
    new = out.read_bytes()
    first = next(k for k, w in enumerate(writes) if ".pingtai-" in w)
    last = len(writes) - 1
    old = b"the previous version of this file"
    for k in sorted({first, first + 1, (first + last) // 2, last - 2, last - 1, last}):
        out.write_bytes(old)
        killed = subprocess.run(command, env={**env, "KILL_AT": str(k)}, capture_output=True, timeout=120, check=False)
        assert killed.returncode == 137, (writes[k], killed.stderr[-1000:])
        now = out.read_bytes()
        assert now == old or _whole(out, new), (k, writes[k])
    # What killed writers leave beside the target: their temporary files, nothing else.
    assert all(p.name.startswith(".pingtai-") for p in tmp_path.iterdir() if p != out)
