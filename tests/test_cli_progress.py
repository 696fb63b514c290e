"""Progress bars on imports and ``report --all`` (issue #19 item 4): the library reports progress
through a callback and never prints; the CLI draws a rich bar on stderr, only on a terminal and
only once the work has taken over a second (``cli._common.PROGRESS_AFTER``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pingtai.cli import _common, app
from pingtai.loader import load_catalog
from pingtai.render.documents import write_reports
from pingtai.reports import LedgerSnapshot, report_agencies
from report_helpers import seed

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [str(p) for p in sorted((ROOT / "examples" / "returns").glob("示例_*"))]


def test_report_all_tells_its_callback_of_every_report(tmp_path: Path) -> None:
    catalog = load_catalog()
    calls: list[tuple[int, int, str]] = []
    written = write_reports(catalog, LedgerSnapshot(), dt.date(2025, 2, 1), tmp_path, "md", "5号",
                            on_progress=lambda done, total, unit: calls.append((done, total, unit)))
    units = report_agencies(catalog, "5号")
    assert [w.agency for w in written] == units
    assert calls == [*((i, len(units), unit) for i, unit in enumerate(units)), (len(units), len(units), "")]


def run(tmp_path: Path, *args: str, terminal: bool) -> tuple[int, str, str]:
    env = {"PINGTAI_FORCE_TERMINAL": "1" if terminal else None}
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "ledger.sqlite3"), *args], env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("after", [0.0, 3600.0])
def test_report_all_shows_a_bar_on_a_terminal_once_it_takes_long_enough(tmp_path: Path, after: float,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "PROGRESS_AFTER", after)
    seed(tmp_path / "ledger.sqlite3")  # a reading command needs a ledger that exists
    code, out, err = run(tmp_path, "report", "--all", "--plan", "5号", "--format", "md", "-o", str(tmp_path / "out"),
                         terminal=True)
    assert code == 0 and len(out.splitlines()) == len(report_agencies(load_catalog(), "5号"))
    assert ("写报告" in err) == (after == 0.0)


def test_report_all_piped_has_no_bar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "PROGRESS_AFTER", 0.0)
    seed(tmp_path / "ledger.sqlite3")
    code, _, err = run(tmp_path, "report", "--all", "--plan", "5号", "--format", "md", "-o", str(tmp_path / "out"),
                       terminal=False)
    assert code == 0 and err == ""


@pytest.mark.parametrize("terminal", [True, False])
def test_import_shows_a_bar_only_on_a_terminal(tmp_path: Path, terminal: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "PROGRESS_AFTER", 0.0)
    code, out, err = run(tmp_path, "import", *EXAMPLES, terminal=terminal)
    assert code == 0 and "已导入" in out
    assert ("读取 示例_" in err) == terminal
    assert terminal or err == ""


def test_a_file_name_in_a_bar_is_text_not_markup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(_common, "PROGRESS_AFTER", 0.0)
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    with _common.progress_bar() as bar:
        assert bar.active
        bar.update("f", "读取 [red]x[/red]\x1b[2J.xlsx", 1, 2)
    err = capsys.readouterr().err
    assert "[red]x[/red]" in err and "\\x1b[2J" in err
