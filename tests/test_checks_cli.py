"""``pingtai check`` as cron runs it: exit codes, the digest, JSON, --new-only, --output, a bare
environment, a busy ledger and two checks at once."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from checks_helpers import COMMERCE, MARKET, all_well, send, tiny_catalog
from pingtai.catalog import Catalog
from pingtai.checks import build_check
from pingtai.cli import app
from pingtai.ledger import Ledger
from pingtai.render.digest import markdown
from pingtai.render.jsonout import jsonable

ESC = "\x1b["
SCRIPT = Path(sys.executable).parent / "pingtai"


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "data"
    tiny_catalog(directory)
    monkeypatch.setenv("PINGTAI_DATA", str(directory))
    return directory


@pytest.fixture
def catalog(data: Path) -> Catalog:
    return tiny_catalog(data)


@pytest.fixture
def db() -> Path:
    return Path(os.environ["PINGTAI_DB"])


@pytest.fixture
def late_return(db: Path, catalog: Catalog) -> Path:
    """Everything in except 市商务局's first-quarter 2025 return (missing from 2025-04-26)."""
    all_well(db, catalog, skip=[(COMMERCE, "2025Q1")])
    return db


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["check", *args])
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_all_well_exits_0(runner: CliRunner, db: Path, catalog: Catalog) -> None:
    all_well(db, catalog)
    code, out, err = run(runner, "--as-of", "2025-05-01")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "平台经济政策落实检查 2025-05-01：没有需要处理的事项"
    assert ESC not in out


def test_an_overdue_return_exits_1_with_a_digest_by_agency(runner: CliRunner, late_return: Path) -> None:
    code, out, err = run(runner, "--as-of", "2025-05-10")
    assert (code, err) == (1, "")
    assert out.splitlines()[:2] == ["平台经济政策落实检查 2025-05-10：错误 1 项", "失败级别 --fail-on off_track（进度滞后或逾期）：达到，退出码 1"]
    assert "【市商务局】1 项\n  [错误] 报表逾期：2025年第1季度报表应于 2025-04-20 前报送，已逾期 20 天：请市商务局立即报送" in out
    assert ESC not in out


def test_an_off_track_figure_exits_1_and_names_the_owner(runner: CliRunner, db: Path, catalog: Catalog) -> None:
    all_well(db, catalog, sales={"2025Q1": 25.0})
    code, out, _ = run(runner, "--as-of", "2025-05-01")
    assert code == 1
    assert "【市商务局】1 项\n  [错误] 进度滞后：网络零售额2025年第1季度为 25 亿元，低于应达值 35 亿元（差 28.6%）" in out


@pytest.mark.parametrize(("level", "code"), [("overdue", 0), ("off_track", 0), ("at_risk", 1)])
def test_fail_on_levels(runner: CliRunner, db: Path, catalog: Catalog, level: str, code: int) -> None:
    all_well(db, catalog, sales={"2025Q1": 33.5})  # 预警 only
    assert run(runner, "--as-of", "2025-05-01", "--fail-on", level)[0] == code


def test_json_is_the_library_object(runner: CliRunner, late_return: Path, catalog: Catalog) -> None:
    code, out, _ = run(runner, "--as-of", "2025-04-26", "--json", "--remind-days", "3")
    assert code == 1
    with Ledger.open(late_return, readonly=True) as ledger:
        expected = build_check(catalog, ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                               date(2025, 4, 26), remind_days=3)
    data = json.loads(out)
    assert data == jsonable(expected)
    assert data["as_of"] == "2025-04-26" and data["failed"] is True
    [finding] = data["findings"]
    assert {k: finding[k] for k in ("kind", "severity", "plan", "subject", "agency", "key")} == {
        "kind": "overdue_return", "severity": "warning", "plan": "plan_tiny", "subject": "return:2025Q1",
        "agency": COMMERCE, "key": "overdue_return:市商务局:2025Q1"}
    assert finding["message"].startswith("2025年第1季度报表应于 2025-04-20 前报送")


def test_could_not_run_exits_2(runner: CliRunner, db: Path, data: Path, tmp_path: Path) -> None:
    code, out, err = run(runner, "--as-of", "2025-05-01")
    assert (code, out) == (2, "") and "台账不存在" in err and "PINGTAI_DB" in err
    db.parent.mkdir(parents=True)
    db.write_text("not a database, a note someone saved here\n" * 100, encoding="utf-8")
    code, _, err = run(runner, "--as-of", "2025-05-01")
    assert code == 2 and "不是 pingtai 台账" in err
    code, _, err = run(runner, "--as-of", "2025-13-01")
    assert code == 2 and "无法识别的日期" in err
    code, _, err = run(runner, "--notify-webhook", "file:///etc/passwd")
    assert code == 2 and "webhook 地址无效" in err


def test_an_invalid_catalog_exits_2_not_1(runner: CliRunner, late_return: Path, data: Path) -> None:
    plan = data / "plan_tiny.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("units: [市商务局]", "units: [市商务厅]"), encoding="utf-8")
    code, out, err = run(runner, "--as-of", "2025-05-01")
    assert (code, out) == (2, "")
    assert f"{plan}:" in err and "未知单位 '市商务厅'" in err and "命令无法运行" in err


def test_new_only_reports_once_then_changes(runner: CliRunner, late_return: Path) -> None:
    code, out, _ = run(runner, "--as-of", "2025-04-26", "--new-only")
    assert code == 1 and "[警告] 报表逾期（新）：2025年第1季度报表" in out
    # the next morning: nothing new — quiet, and not failing again
    assert run(runner, "--as-of", "2025-04-27", "--new-only", "--quiet") == (0, "", "")
    code, out, _ = run(runner, "--as-of", "2025-04-28", "--new-only", "--json")
    assert code == 0 and json.loads(out)["findings"] == [] and json.loads(out)["unrepeated"] == 1
    code, out, _ = run(runner, "--as-of", "2025-04-28", "--new-only")
    assert code == 0 and "没有新的事项" in out and "另有 1 项与上次检查相同，未重复列出。" in out
    # escalated to an error: changed, reported again
    code, out, _ = run(runner, "--as-of", "2025-05-10", "--new-only", "--quiet")
    assert code == 1 and "[错误] 报表逾期（有变化）：" in out
    with Ledger.open(late_return, readonly=True) as ledger:
        runs = ledger.check_runs()
        assert [(r.as_of.isoformat(), r.findings, r.reported) for r in runs] == [
            ("2025-04-26", 1, 1), ("2025-04-27", 1, 0), ("2025-04-28", 1, 0), ("2025-04-28", 1, 0),
            ("2025-05-10", 1, 1)]
        assert [f.fingerprint for f in ledger.check_findings(runs[-1].id)] == ["error"]


def test_a_plain_check_does_not_record_a_run(runner: CliRunner, late_return: Path) -> None:
    run(runner, "--as-of", "2025-04-26")
    with Ledger.open(late_return, readonly=True) as ledger:
        assert ledger.check_runs() == []


def test_quiet_prints_only_what_reaches_the_level(runner: CliRunner, db: Path, catalog: Catalog) -> None:
    all_well(db, catalog, sales={"2025Q1": 33.5})
    assert run(runner, "--as-of", "2025-05-01", "--quiet") == (0, "", "")
    code, out, _ = run(runner, "--as-of", "2025-05-01", "--quiet", "--fail-on", "at_risk")
    assert code == 1 and "[警告] 进度预警" in out


def test_output_writes_the_markdown_digest(runner: CliRunner, late_return: Path, catalog: Catalog,
                                           tmp_path: Path) -> None:
    target = tmp_path / "www" / "digest.md"
    target.parent.mkdir()
    target.write_text("yesterday's digest", encoding="utf-8")
    code, _, _ = run(runner, "--as-of", "2025-04-26", "--output", str(target))
    assert code == 1
    with Ledger.open(late_return, readonly=True) as ledger:
        expected = build_check(catalog, ledger.current_values(), ledger.current_tasks(), ledger.received_returns(),
                               date(2025, 4, 26))
    assert target.read_text(encoding="utf-8") == markdown(expected)
    assert "#### 市商务局（1 项）\n\n- **警告** 报表逾期：2025年第1季度报表" in markdown(expected)
    assert sorted(p.name for p in target.parent.iterdir()) == ["digest.md"]  # no temporary file left


def test_an_unwritable_output_exits_2_but_the_findings_print(runner: CliRunner, late_return: Path,
                                                             tmp_path: Path) -> None:
    code, out, err = run(runner, "--as-of", "2025-04-26", "--output", str(tmp_path / "no" / "such" / "dir.md"))
    assert code == 2 and "报表逾期" in out and "输出目录不存在" in err


def test_remind_days_lists_agencies_that_have_not_sent(runner: CliRunner, db: Path, catalog: Catalog) -> None:
    all_well(db, catalog, skip=[(MARKET, "2025Q1")])
    code, out, _ = run(runner, "--as-of", "2025-04-15", "--remind-days", "5")
    assert code == 0
    assert "  [提示] 报表将到期：2025年第1季度报表将于 2025-04-20 截止（还有 5 天），尚未收到：请市市场监管局按时报送" in out
    assert "请市商务局按时报送" not in out


# --- cron: a bare environment, a read-only data directory, a busy ledger, two runs at once ------------


def _bare_env(db: Path, data: Path, **extra: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "PINGTAI_DB": str(db), "PINGTAI_DATA": str(data), **extra}


def _pingtai() -> list[str]:
    return [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pingtai"]


def test_the_check_runs_under_env_i(late_return: Path, data: Path) -> None:
    result = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10"], env=_bare_env(late_return, data),
                            capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1, result.stderr.decode("utf-8", "replace")
    assert result.stderr == b""
    out = result.stdout.decode("utf-8")
    assert "【市商务局】1 项" in out and ESC not in out


def test_the_bundled_plans_under_env_i(tmp_path: Path) -> None:
    """No PINGTAI_DATA, no HOME: the bundled plans load; an empty ledger owes every return."""
    db = tmp_path / "empty" / "ledger.sqlite3"
    Ledger.open(db).close()
    result = subprocess.run([*_pingtai(), "check", "--as-of", "2025-04-21", "--plan", "38号", "--json"],
                            env={"PATH": "/usr/bin:/bin", "PINGTAI_DB": str(db)}, capture_output=True, timeout=120)
    assert result.returncode == 1 and result.stderr == b""
    findings = json.loads(result.stdout.decode("utf-8"))["findings"]
    assert {f["kind"] for f in findings} <= {"overdue_return", "no_data"}
    assert "overdue_return:市商务局:2025Q1" in {f["key"] for f in findings}


def test_a_terminal_gets_colour(runner: CliRunner, db: Path, catalog: Catalog,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    all_well(db, catalog, skip=[(MARKET, "2025Q1")])
    send(db, catalog, MARKET, "2025Q1", {"shops": 1300.0}, [(2, "late", "[/b] 场地[red]未落实")])
    monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
    code, out, _ = run(runner, "--as-of", "2025-05-10")
    assert code == 1 and ESC in out and "市市场监管局" in out
    shown = out.replace("\n", "")  # the terminal's lines wrap at its width
    assert "[/b]" in shown and "场地[red]未落实" in shown  # text from a return is shown as written, not as markup


def test_an_ascii_locale_still_writes_utf8(late_return: Path, data: Path) -> None:
    env = _bare_env(late_return, data, LC_ALL="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"], env=env,
                           capture_output=True, text=True, timeout=60)
    if probe.stdout.strip().lower() not in ("ascii", "ansi_x3.4-1968"):
        pytest.skip(f"this Python does not fall back to ASCII under LC_ALL=C ({probe.stdout.strip()})")
    result = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10"], env=env, capture_output=True,
                            timeout=120)
    assert result.returncode == 1, result.stderr.decode("utf-8", "replace")
    assert "请市商务局立即报送" in result.stdout.decode("utf-8")
    # errors go out as UTF-8 too
    broken = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10"],
                            env={**env, "PINGTAI_DB": str(late_return.parent / "nothing.sqlite3")},
                            capture_output=True, timeout=120)
    assert broken.returncode == 2 and "台账不存在" in broken.stderr.decode("utf-8")


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """Make ``directory`` unwritable: permissions for a normal user; for root (whom permissions do not
    bind) the immutable attribute, which binds root too — skipped where neither is possible."""
    if os.geteuid() != 0:
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(directory)],
                                                          capture_output=True).returncode != 0:
        pytest.skip("cannot make a directory read-only for root here (no chattr)")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(directory)], check=True)


def _listing(directory: Path) -> list[tuple[str, int]]:
    return sorted((p.name, p.stat().st_mtime_ns) for p in directory.iterdir())


def test_a_read_only_data_directory(late_return: Path, data: Path) -> None:
    before = _listing(data)
    with read_only(data):
        result = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10"], env=_bare_env(late_return, data),
                                capture_output=True, timeout=120)
    assert result.returncode == 1 and result.stderr == b""
    assert _listing(data) == before  # nothing written there


def test_a_read_only_ledger_directory(late_return: Path, data: Path) -> None:
    """The cron user may only read the ledger: the check reads it; --new-only says why it cannot record."""
    before = _listing(late_return.parent)
    assert not late_return.with_name(late_return.name + "-wal").exists()
    with read_only(late_return.parent):
        reading = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10"], env=_bare_env(late_return, data),
                                 capture_output=True, text=True, timeout=120)
        recording = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10", "--new-only"],
                                   env=_bare_env(late_return, data), capture_output=True, text=True, timeout=120)
    assert reading.returncode == 1 and reading.stderr == "" and "请市商务局立即报送" in reading.stdout
    assert recording.returncode == 2 and "台账为只读，无法写入：所在目录不可写" in recording.stderr and recording.stdout == ""
    assert _listing(late_return.parent) == before


HOLD = textwrap.dedent("""
    import datetime as dt, sys, time
    from pathlib import Path
    from pingtai.ledger import Ledger, NewBatch, sha256_of
    from pingtai.periods import Period
    db, source = Path(sys.argv[1]), Path(sys.argv[2])
    with Ledger.open(db) as ledger, ledger.transaction():
        ledger.add_batch(NewBatch(file=source.name, sha256=sha256_of(source), agency="市市场监管局",
                                  period=Period(2025, "Q", 2), layout="template",
                                  imported_at=dt.datetime(2025, 5, 1, tzinfo=dt.UTC)), source, [], [])
        print("writing", flush=True)
        time.sleep(2)
    print("committed", flush=True)
""")


def test_a_check_waits_for_an_import_that_is_writing(late_return: Path, data: Path, tmp_path: Path) -> None:
    source = tmp_path / "import.xlsx"
    source.write_bytes(b"an import in progress")
    with Ledger.open(late_return, readonly=True) as ledger:
        batches = len(ledger.batches())
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(late_return), str(source)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "writing"
        reader = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10"], env=_bare_env(late_return, data),
                                capture_output=True, text=True, timeout=120)
        recorder = subprocess.run([*_pingtai(), "check", "--as-of", "2025-05-10", "--new-only"],
                                  env=_bare_env(late_return, data), capture_output=True, text=True, timeout=120)
    finally:
        out, err = holder.communicate(timeout=60)
    assert holder.returncode == 0 and out.strip() == "committed", err
    for result in (reader, recorder):
        assert result.returncode == 1, result.stderr
        assert "locked" not in result.stderr and "Traceback" not in result.stderr
        assert "请市商务局立即报送" in result.stdout
    with Ledger.open(late_return, readonly=True) as ledger:
        assert len(ledger.check_runs()) == 1 and len(ledger.batches()) == batches + 1


def test_two_checks_at_once_keep_the_run_record_whole(late_return: Path, data: Path) -> None:
    command = [*_pingtai(), "check", "--as-of", "2025-05-10", "--new-only", "--json"]
    env = _bare_env(late_return, data)
    first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)].count(1) == 1  # only one reports (and fails on) the finding
    reports = [json.loads(out) for out, _ in results]
    assert all(err == "" for _, err in results)
    assert sorted((len(r["findings"]), r["unrepeated"]) for r in reports) == [(0, 1), (1, 0)]
    with Ledger.open(late_return, readonly=True) as ledger:
        runs = ledger.check_runs()
        assert sorted(r.reported for r in runs) == [0, 1] and [r.findings for r in runs] == [1, 1]
        assert all(len(ledger.check_findings(r.id)) == 1 for r in runs)


def test_a_check_that_cannot_run_exits_2_never_1(runner: CliRunner, late_return: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Cron reads exit 1 as "findings": a check that fell over must say it could not run (2)."""
    from pingtai import service

    def broken(*args: object, **kwargs: object) -> None:
        raise OverflowError("(34, 'Numerical result out of range')")

    monkeypatch.setattr(service, "check", broken)
    result = runner.invoke(app, ["check", "--as-of", "2025-04-26"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("错误：检查无法运行（内部错误 OverflowError：(34, 'Numerical result out of range')）")
