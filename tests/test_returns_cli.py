"""The return commands end to end: exit codes, messages, JSON equal to the library's objects."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from ledger_helpers import NOW, catalog, fake_reader, fingerprint, parsed, value, write_file
from pingtai.cli import app
from pingtai.importer import import_files
from pingtai.ledger import SCHEMA_VERSION, Ledger
from pingtai.render.jsonout import jsonable


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The ledger every command of the test uses (through PINGTAI_DB, as in production)."""
    path = tmp_path / "ledger" / "ledger.sqlite3"
    monkeypatch.setenv("PINGTAI_DB", str(path))
    monkeypatch.delenv("PINGTAI_DATA", raising=False)
    monkeypatch.delenv("PINGTAI_FORCE_TERMINAL", raising=False)
    return path


@pytest.fixture
def filled(db: Path, tmp_path: Path) -> Path:
    """A ledger with a first return and its correction (same agency and period)."""
    first = parsed(write_file(tmp_path / "商务局_v1.xlsx", "v1"),
                   [value("online_retail_sales", "2024", 1100), value("platforms", "2024", 121)])
    second = parsed(write_file(tmp_path / "商务局_v2.xlsx", "v2"), [value("online_retail_sales", "2024", 1150)])
    for ret in (first, second):
        import_files([ret.path], catalog(), db, now=NOW, reader=fake_reader({ret.path: ret}))
    return db


@pytest.mark.parametrize("command", ["import", "template", "history", "batches"])
def test_every_command_has_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "示例" in result.stdout


def test_template_writes_the_workbook(runner: CliRunner, tmp_path: Path, db: Path) -> None:
    target = tmp_path / "商务局.xlsx"
    result = runner.invoke(app, ["template", "--agency", "市商务局", "--period", "2024Q4", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "已生成填报表" in result.stdout and "指标 5 项" in result.stdout and "2025-01-15" in result.stdout
    assert openpyxl.load_workbook(target)["_pingtai"]["B2"].value == "市商务局"
    assert not db.parent.exists()  # writing a template does not touch the ledger


def test_template_with_an_unknown_agency_exits_2_with_suggestions(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "--agency", "市商业局", "--period", "2024Q4", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2
    assert "未知单位 '市商业局'" in result.stderr and "市商务局" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_template_with_a_bad_period_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["template", "--agency", "市商务局", "--period", "明年", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "无法识别的报告期" in result.stderr


def test_batches_lists_the_imports(runner: CliRunner, filled: Path) -> None:
    result = runner.invoke(app, ["batches"])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "# 导入批次（2）"
    assert lines[2].split("\t")[:5] == ["1", "商务局_v1.xlsx", lines[2].split("\t")[2], "市商务局", "2024年"]
    assert len(lines[2].split("\t")[2]) == 12  # the short hash
    as_json = runner.invoke(app, ["batches", "--json"])
    with Ledger.open(filled) as ledger:
        assert json.loads(as_json.stdout) == jsonable(ledger.batches())
    rows = json.loads(as_json.stdout)
    assert {"file", "sha256", "agency", "period", "imported_at", "imported", "updated", "unchanged"} <= set(rows[0])
    assert len(rows[0]["sha256"]) == 64


def test_history_shows_every_value_with_its_source(runner: CliRunner, filled: Path) -> None:
    result = runner.invoke(app, ["history", "网络零售额"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("网络零售额（online_retail_sales，亿元）")
    rows = [line.split("\t") for line in result.stdout.splitlines() if line.startswith("2024年")]
    assert [(r[1], r[4], r[5], r[7]) for r in rows] == [("1,100", "1", "商务局_v1.xlsx", "已更正"),
                                                        ("1,150", "2", "商务局_v2.xlsx", "当前")]
    as_json = runner.invoke(app, ["history", "online_retail_sales", "--plan", "5号", "--json"])
    assert as_json.exit_code == 0
    data = json.loads(as_json.stdout)
    with Ledger.open(filled) as ledger:
        assert data == jsonable(ledger.history("online_retail_sales"))
    assert [(r["period"], r["value"], r["unit"], r["agency"], r["batch"], r["file"], r["superseded"]) for r in data] == [
        ("2024", 1100, "亿元", "市商务局", 1, "商务局_v1.xlsx", True),
        ("2024", 1150, "亿元", "市商务局", 2, "商务局_v2.xlsx", False)]
    assert data[0]["imported_at"] == "2025-01-20T09:30:00+00:00"


def test_history_of_an_unknown_indicator_exits_2_with_suggestions(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["history", "网络零售"])
    assert result.exit_code == 2
    assert "未知指标 '网络零售'" in result.stderr and "网络零售额（online_retail_sales）" in result.stderr
    # an indicator of the other plan only is unknown within 5号
    result = runner.invoke(app, ["history", "平台", "--plan", "5号"])
    assert result.exit_code == 2


def test_reading_commands_on_a_missing_ledger_show_nothing_and_create_nothing(runner: CliRunner, db: Path) -> None:
    assert runner.invoke(app, ["batches", "--json"]).stdout.strip() == "[]"
    result = runner.invoke(app, ["history", "平台"])
    assert result.exit_code == 0 and "台账中尚无该指标的数值" in result.stdout
    assert not db.parent.exists()


def test_a_newer_ledger_is_refused_with_exit_2(runner: CliRunner, db: Path) -> None:
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 3}")
    raw.execute("CREATE TABLE batch (id)")
    raw.commit()
    raw.close()
    before = fingerprint(db)
    for args in (["batches"], ["history", "平台"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "由更新版本的 pingtai 创建" in result.stderr and "请升级 pingtai" in result.stderr
        assert "Traceback" not in result.output
    assert fingerprint(db) == before


def test_a_file_that_is_not_a_ledger_is_refused_with_exit_2(runner: CliRunner, db: Path) -> None:
    write_file(db, "姓名,电话\n张三,123\n")
    result = runner.invoke(app, ["batches"])
    assert result.exit_code == 2 and "不是 pingtai 台账" in result.stderr
    assert db.read_text() == "姓名,电话\n张三,123\n"


def test_no_home_and_no_pingtai_db_says_what_to_set(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PINGTAI_DB", "HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)
    result = runner.invoke(app, ["batches"])
    assert result.exit_code == 2 and "PINGTAI_DB" in result.stderr


def test_the_db_flag_overrides_the_environment(runner: CliRunner, filled: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    assert json.loads(runner.invoke(app, ["--db", str(other), "batches", "--json"]).stdout) == []
    assert len(json.loads(runner.invoke(app, ["batches", "--json"]).stdout)) == 2
