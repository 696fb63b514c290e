"""The return commands end to end: exit codes, messages, JSON equal to the library's objects."""

from __future__ import annotations

import datetime as dt
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
from pingtai.service import Store


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
        import_files([ret.path], catalog(), Store(db), now=NOW, reader=fake_reader({ret.path: ret}))
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
    assert "已生成填报表" in result.stdout and "指标 5 项" in result.stdout and "2025-01-20" in result.stdout
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
    assert "2025-01-20 17:30" in lines[2]  # imported 09:30 UTC: shown in Beijing time, as the office's days are
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
    from pingtai import service

    assert data == jsonable(service.history(catalog(), service.Store(filled), "online_retail_sales", plan="5号").values)
    assert [(r["period"], r["value"], r["unit"], r["agency"], r["batch"], r["file"], r["superseded"]) for r in data] == [
        ("2024", 1100, "亿元", "市商务局", 1, "商务局_v1.xlsx", True),
        ("2024", 1150, "亿元", "市商务局", 2, "商务局_v2.xlsx", False)]
    # the city's figures, named (the ledger keys them ''), with what the returns reported beside them
    assert [(r["area"], r["growth"], r["last_year"], r["note"]) for r in data] == [("绍兴市", None, None, "")] * 2
    assert data[0]["imported_at"] == "2025-01-20T09:30:00+00:00"


def test_history_of_an_unknown_indicator_exits_2_with_suggestions(runner: CliRunner, db: Path) -> None:
    result = runner.invoke(app, ["history", "网络零售"])
    assert result.exit_code == 2
    assert "未知指标 '网络零售'" in result.stderr and "是否指：网络零售额？" in result.stderr
    # an indicator of the other plan only is unknown within 5号
    result = runner.invoke(app, ["history", "平台", "--plan", "5号"])
    assert result.exit_code == 2


@pytest.mark.parametrize("spelling", ["online_retail_sales", "网上零售额", "网络零售额（亿元）", " 网络零售额 "])
def test_history_accepts_ids_names_and_aliases_spelled_loosely(runner: CliRunner, filled: Path, spelling: str) -> None:
    result = runner.invoke(app, ["history", spelling, "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 2


@pytest.mark.parametrize("args", [
    ["status"], ["status", "--json"], ["show", "平台"], ["report", "-a", "市商务局"], ["report", "--all", "-o", "{tmp}/out"],
    ["league"], ["check"], ["check", "--new-only"], ["history", "平台"], ["batches", "--json"], ["ledger", "verify"],
    ["ledger", "backup", "{tmp}/b.sqlite3"], ["bulletin", "--period", "2024", "-o", "{tmp}/通报.docx"],
    ["bulletin", "--period", "2024Q3", "--format", "md"]])
def test_every_reading_command_refuses_a_missing_ledger_and_creates_nothing(runner: CliRunner, db: Path,
                                                                            tmp_path: Path, args: list[str]) -> None:
    """A mistyped --db / PINGTAI_DB must not read as an office where every return is missing."""
    result = runner.invoke(app, [a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"错误：台账不存在：{db}（先用 pingtai import 建立，或检查 --db / PINGTAI_DB）")
    assert result.stdout == "" and "Traceback" not in result.output
    assert not db.parent.exists() and not (tmp_path / "out").exists() and not (tmp_path / "b.sqlite3").exists()
    assert not (tmp_path / "通报.docx").exists()


def test_an_existing_empty_ledger_reads_as_empty(runner: CliRunner, db: Path) -> None:
    Ledger.open(db).close()
    assert runner.invoke(app, ["batches", "--json"]).stdout.strip() == "[]"
    result = runner.invoke(app, ["history", "平台"])
    assert result.exit_code == 0 and "台账中尚无该指标的数值" in result.stdout


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
    Ledger.open(other).close()
    assert json.loads(runner.invoke(app, ["--db", str(other), "batches", "--json"]).stdout) == []
    assert len(json.loads(runner.invoke(app, ["batches", "--json"]).stdout)) == 2


# --- import, end to end with the real reader -------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "returns"


def filled_template(path: Path, retail: float | str = 1150.6, platforms: float | str = 118) -> Path:
    """A template for 市商务局 2024Q4 with two values, a reporter and one task line filled in."""
    from pingtai.template import write_template

    write_template(catalog(), "市商务局", "2024Q4", path, generated=NOW.date())
    book = openpyxl.load_workbook(path)
    sheet = book["指标"]
    for row in sheet.iter_rows():
        if row[0].value == "online_retail_sales":
            row[4].value = retail
        elif row[0].value == "platforms":
            row[4].value = platforms
        elif row[0].value == "填报人":
            row[1].value = "李明"
    tasks = book["任务"]
    for row in tasks.iter_rows():
        if row[1].value == 1:
            row[3].value, row[4].value = "推进中", "按计划推进"
    book.save(path)
    return path


def test_import_a_filled_template_then_again(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert f"已导入：{source}（市商务局，2024年，批次 1）" in result.stdout
    assert "新增 2，更新 0，未变 0，任务进展 1" in result.stdout
    again = runner.invoke(app, ["import", str(source)])
    assert again.exit_code == 0
    assert "未变（同一文件已导入）" in again.stdout and "未变 2" in again.stdout
    with Ledger.open(db) as ledger:
        assert ledger.counts()["batch"] == 1
        assert {v.indicator: v.value for v in ledger.current_values()} == {"online_retail_sales": 1150.6,
                                                                           "platforms": 118}


def test_a_corrected_return_shows_old_and_new(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(filled_template(tmp_path / "v1.xlsx"))])
    result = runner.invoke(app, ["import", str(filled_template(tmp_path / "v2.xlsx", retail=1160))])
    assert result.exit_code == 0, result.output
    assert "新增 0，更新 1，未变 1" in result.stdout
    assert "更新 网络零售额 2024年 市商务局：1,150.6 → 1,160 亿元" in result.stdout
    history = json.loads(runner.invoke(app, ["history", "网络零售额", "--json"]).stdout)
    assert [(h["value"], h["file"], h["superseded"]) for h in history] == [(1150.6, "v1.xlsx", True),
                                                                          (1160, "v2.xlsx", False)]


def test_dry_run_writes_nothing_and_its_json_is_the_library_result(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    result = runner.invoke(app, ["import", str(source), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    assert not db.parent.exists()
    data = json.loads(result.stdout)
    # the receipt day is the import day (the template carries no 填报日期): today, as for the command
    expected = import_files([source], catalog(), Store(db), now=dt.datetime.now(dt.UTC), dry_run=True)
    assert data == jsonable(expected)
    [item] = data["files"]
    assert {k: item[k] for k in ("file", "sha256", "agency", "period", "imported", "updated", "unchanged", "errors")} == {
        "file": str(source), "sha256": expected.files[0].sha256, "agency": "市商务局", "period": "2024",
        "imported": 2, "updated": 0, "unchanged": 0, "errors": []}
    assert {"warnings", "conversions", "changes"} <= set(item)
    text = runner.invoke(app, ["import", str(source), "--dry-run"])
    assert "可导入" in text.stdout and "试运行：未写入台账" in text.stdout
    assert not db.parent.exists()


def test_a_bad_file_is_rejected_with_located_errors_and_the_good_one_lands(runner: CliRunner, db: Path,
                                                                          tmp_path: Path) -> None:
    good = filled_template(tmp_path / "good.xlsx")
    runner.invoke(app, ["import", str(good)])
    before = fingerprint(db)
    bad = filled_template(tmp_path / "bad.xlsx", retail="约1000", platforms=-3)
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 1
    assert "已拒绝" in result.stdout and "错误 2 处" in result.stdout
    assert "bad.xlsx!指标!E" in result.stderr and "约1000" in result.stderr
    assert "Traceback" not in result.output
    assert fingerprint(db) == before
    other = filled_template(tmp_path / "other.xlsx", retail=1170)
    both = runner.invoke(app, ["import", str(bad), str(other), "--json"])
    assert both.exit_code == 1
    files = json.loads(both.stdout)["files"]
    assert [f["status"] for f in files] == ["rejected", "accepted"]
    assert all(set(e) >= {"where", "message"} for e in files[0]["errors"]) and len(files[0]["errors"]) == 2
    with Ledger.open(db) as ledger:
        [current] = ledger.current_values(["online_retail_sales"])
        assert current.value == 1170


def test_import_usage_errors_exit_2(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    missing = runner.invoke(app, ["import", str(source), str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 2 and "文件不存在" in missing.stderr and "nope.xlsx" in missing.stderr
    agency = runner.invoke(app, ["import", str(source), "--agency", "市商业局"])
    assert agency.exit_code == 2 and "未知单位" in agency.stderr and "市商务局" in agency.stderr
    period = runner.invoke(app, ["import", str(source), "--period", "上个月"])
    assert period.exit_code == 2 and "无法识别的报告期" in period.stderr
    assert not db.parent.exists()


def test_a_fifo_given_to_import_is_refused_not_waited_for(db: Path, tmp_path: Path) -> None:
    """Run as a process with a timeout: before #13 the background opening blocked for ever."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "管道.xlsx"
    os.mkfifo(fifo)
    good = filled_template(tmp_path / "商务局.xlsx")
    for args in ([str(fifo)], [str(good), str(fifo)], ["--dry-run", str(fifo)]):
        done = subprocess.run([sys.executable, "-m", "pingtai", "import", *args], capture_output=True, text=True,
                              timeout=60, check=False, env={**os.environ, "PINGTAI_DB": str(db)})
        assert done.returncode == 2, done.stderr
        assert "文件不存在或不是文件" in done.stderr and "管道.xlsx" in done.stderr
    assert not db.exists()


def test_a_file_name_that_is_not_utf8_is_imported_and_shown_escaped(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    """Bytes that are no UTF-8 in a file name reached SQLite as surrogates and raised (#13)."""
    import os

    source = filled_template(tmp_path / "商务局.xlsx")
    odd = Path(os.fsdecode(bytes(tmp_path / "x") + b"\xff\xfe.xlsx"))
    source.rename(odd)
    result = runner.invoke(app, ["import", str(odd)])
    assert result.exit_code == 0, result.output
    assert "x\\xff\\xfe.xlsx" in result.stdout
    batches = runner.invoke(app, ["batches", "--json"])
    assert json.loads(batches.stdout)[0]["file"] == "x\\xff\\xfe.xlsx"
    assert runner.invoke(app, ["ledger", "verify"]).exit_code == 0


def test_import_into_a_newer_or_foreign_ledger_exits_2_untouched(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    db.parent.mkdir(parents=True)
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()
    before = fingerprint(db)
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 2 and "由更新版本的 pingtai 创建" in result.stderr
    assert fingerprint(db) == before
    db.unlink()
    write_file(db, b"\x00\x01 random bytes, not a database" * 50)
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 2 and "不是 pingtai 台账" in result.stderr
    assert not (db.parent / "archive").exists()


def test_the_examples_import_into_a_throwaway_ledger(runner: CliRunner, db: Path) -> None:
    files = sorted(EXAMPLES.glob("示例_*"))
    assert len(files) == 7
    result = runner.invoke(app, ["import", *map(str, files), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["status"] for f in data["files"]] == ["accepted"] * 7, [f["errors"] for f in data["files"]]
    with Ledger.open(db) as ledger:
        retail = {str(v.period): v.value for v in ledger.history("online_retail_sales") if v.area == ""}
        # 10,123,400 万元 in the free-form table and 5,350,000 万元 in the .xls, in 亿元
        assert retail == pytest.approx({"2023": 1012.34, "2024H1": 535, "2024": 1150.6})
        areas = {(v.area, str(v.period)) for v in ledger.current_values(["online_retail_sales"]) if v.area}
        assert len(areas) == 14  # six areas and the zone, for 2023 and for 2024
    # the district table's 嵊州市 reports its growth on a new 口径: 4.6 points from what last year gives
    [district] = [f for f in data["files"] if f["file"].endswith("_分地区.xlsx")]
    assert [w["code"] for w in district["warnings"]] == ["growth-gap"]
    again = runner.invoke(app, ["import", *map(str, files)])
    assert again.exit_code == 0 and again.stdout.count("未变（同一文件已导入）") == 7


def test_examples_are_what_the_script_writes(tmp_path: Path) -> None:
    import hashlib
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES.parent / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.main(tmp_path)
    names = sorted(str(p.relative_to(tmp_path)) for p in written)
    assert names == sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("示例_*"))
    for name in names:
        assert hashlib.sha256((tmp_path / name).read_bytes()).digest() == hashlib.sha256((EXAMPLES / name).read_bytes()).digest(), (
            f"{name} differs: run python examples/make_examples.py and commit the result")


def test_import_on_a_terminal_draws_progress_on_stderr_only(runner: CliRunner, db: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    result = runner.invoke(app, ["import", str(filled_template(tmp_path / "商务局.xlsx"))])
    assert result.exit_code == 0, result.output
    assert "已导入" in result.stdout and "新增 2" in result.stdout
    as_json = runner.invoke(app, ["import", str(filled_template(tmp_path / "v2.xlsx", retail=1160)), "--json"])
    assert json.loads(as_json.stdout)["files"][0]["updated"] == 1


def test_parallel_imports_into_a_new_ledger_all_land(db: Path, tmp_path: Path) -> None:
    """Separate processes race to create the ledger and to write; each waits its turn."""
    import os
    import subprocess
    import sys

    files = []
    for i in range(4):
        files.append(write_file(tmp_path / f"柯桥_{i}.csv",
                                f"报告期,填报单位,指标名称,计量单位,数值\n2024年,柯桥区政府,网络零售额,亿元,{300 + i}\n"))
    env = {**os.environ, "PINGTAI_DB": str(db)}
    runs = [subprocess.Popen([sys.executable, "-m", "pingtai", "import", str(f), "--json"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], [err for _, err in outputs]
    results = [json.loads(out)["files"][0] for out, _ in outputs]
    # Exactly one import saw an empty ledger; each of the others updated what was current then.
    assert sorted((r["imported"], r["updated"]) for r in results) == [(0, 1), (0, 1), (0, 1), (1, 0)]
    with Ledger.open(db) as ledger:
        assert ledger.counts()["batch"] == 4
        history = ledger.history("online_retail_sales")
        assert [v.superseded for v in history] == [True, True, True, False]


def test_a_return_by_area_records_each_areas_figure_and_history_shows_them(runner: CliRunner, db: Path,
                                                                          tmp_path: Path) -> None:
    from workbooks import write_xlsx

    rows = [["2024年1-9月各区、县（市）网络零售额情况"], ["填报单位：市商务局"],
            ["地区", "1-9月累计（亿元）", "同比增长（%）", "占全市比重（%）", "备注"],
            ["全市", 812.3, 9.8, 100.0, "快报"], ["越城区", 160.2, 8.1, 19.7, None], ["柯桥区", 300.5, 12.0, 37.0, "含个体网店"]]
    source = write_xlsx(tmp_path / "分地区.xlsx", {"Sheet1": rows})
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 0, result.output
    assert "新增 3，更新 0，未变 0" in result.stdout
    with Ledger.open(db) as ledger:
        assert [(v.area, str(v.period), v.value, v.growth, v.note) for v in ledger.current_values()] == [
            ("", "2024Q3", 812.3, 9.8, "快报"), ("柯桥区", "2024Q3", 300.5, 12.0, "含个体网店"),
            ("越城区", "2024Q3", 160.2, 8.1, "")]
    shown = runner.invoke(app, ["history", "网络零售额"])
    lines = [line.split("\t") for line in shown.stdout.splitlines() if line.startswith("2024年第3季度")]
    assert [line[9:] for line in lines] == [["绍兴市", "9.8%", "—", "快报"], ["柯桥区", "12.0%", "—", "含个体网店"],
                                            ["越城区", "8.1%", "—", ""]]
    data = json.loads(runner.invoke(app, ["history", "网络零售额", "--json"]).stdout)
    assert [(r["area"], r["growth"], r["last_year"], r["note"]) for r in data] == [
        ("绍兴市", 9.8, None, "快报"), ("柯桥区", 12.0, None, "含个体网店"), ("越城区", 8.1, None, "")]


# --- receipt days, back-fills, the unit-slip gate --------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--accept", "指标!E5"], "放行（--accept / --accept-all）须说明理由"),
    (["--accept-all"], "放行（--accept / --accept-all）须说明理由"),
    (["--reason", "核实"], "--reason 只与 --accept 或 --accept-all 一起使用"),
    (["--received", "2025-13-01"], "无法识别的日期 '2025-13-01'"),
    (["--received", "2999-01-01"], "晚于今天"),
])
def test_import_option_errors_exit_2(runner: CliRunner, db: Path, tmp_path: Path, args: list[str], message: str) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    result = runner.invoke(app, ["import", str(source), *args])
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output
    assert not db.parent.exists()


def test_a_unit_slip_is_refused_then_let_through_with_a_reason(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx", retail=11_506_000)  # 1150.6 亿元 typed in 万元
    refused = runner.invoke(app, ["import", str(source)])
    assert refused.exit_code == 1 and not db.parent.exists()
    [line] = [x for x in refused.stderr.splitlines() if "疑似以万元填入亿元栏" in x]
    cell = line.split(": ", 1)[0]  # 商务局.xlsx!指标!E5
    assert cell.startswith("商务局.xlsx!指标!E") and "约为基期值（2022年：921 亿元）的 1 万倍" in line
    sheet_cell = cell.split("!", 1)[1]
    taken = runner.invoke(app, ["import", str(source), "--accept", sheet_cell, "--reason", "经核实确为万元口径换算前数"])
    assert taken.exit_code == 0, taken.output
    assert f"预警 {cell}: 已按 --accept 放行（经核实确为万元口径换算前数）" in taken.stdout
    [batch] = json.loads(runner.invoke(app, ["batches", "--json"]).stdout)
    assert batch["accept_reason"] == "经核实确为万元口径换算前数" and [a["where"] for a in batch["accepted"]] == [cell]
    listing = runner.invoke(app, ["batches"]).stdout
    assert "1（经核实确为万元口径换算前数）" in listing


def test_the_receipt_day_and_a_backfill_are_shown(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    result = runner.invoke(app, ["import", str(source), "--received", "2025-01-15"])
    assert result.exit_code == 0 and "收到日期 2025-01-15（导入时指定）" in result.stdout
    history = EXAMPLES / "示例_历史数据补录_2023.xlsx"
    back = runner.invoke(app, ["import", str(history), "--backfill"])
    assert back.exit_code == 0 and "补录（不计是否按时）" in back.stdout
    rows = runner.invoke(app, ["batches"]).stdout.splitlines()
    assert "\t2025-01-15\t导入时指定\t" in rows[2] and "（补录）\t导入日\t" in rows[3]


def test_a_template_claiming_another_unit_is_refused(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    book = openpyxl.load_workbook(source)
    book["指标"]["A2"] = "填报单位：市经信局　　报告期：2024年"
    book.save(source)
    result = runner.invoke(app, ["import", str(source)])
    assert result.exit_code == 1
    assert "商务局.xlsx!指标!A2: 表上的填报单位为“市经信局”，与模板记录的单位 市商务局 不一致" in result.stderr
    assert not db.parent.exists()


def test_a_template_return_with_blank_rows_says_what_is_missing(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    source = filled_template(tmp_path / "商务局.xlsx")
    result = runner.invoke(app, ["import", str(source), "--json"])
    [item] = json.loads(result.stdout)["files"]
    assert "网络经营主体" in item["blank"] and "平台" not in item["blank"]
    text = runner.invoke(app, ["import", str(filled_template(tmp_path / "再报.xlsx", platforms=119))]).stdout
    assert "  未填：网络经营主体、" in text and "（仍按未报计，请补报）" in text
