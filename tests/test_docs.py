"""The docs cannot drift: the README's quick start runs, CI runs the README's test command, every
command is documented, every catalog field is described."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from pingtai import catalog
from pingtai.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_quick_start_has_two_commands() -> None:
    commands = quick_start()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start()[1] in ci.splitlines()


def test_quick_start_main_job_runs(tmp_path: Path) -> None:
    """Run the first quick-start command, as written, against this installation.

    The virtualenv and pip steps are dropped (this test already runs inside an installed pingtai)
    and ``.venv/bin/pingtai`` becomes this interpreter's ``-m pingtai``; everything else — the
    throwaway ledger, the shell glob over the example returns, the options — runs verbatim.
    """
    steps = [s.strip() for s in quick_start()[0].split("&&")]
    kept = [s for s in steps if not s.startswith(("python3 -m venv", ".venv/bin/pip"))]
    assert any(s.startswith(".venv/bin/pingtai import") for s in kept)
    assert any(s.startswith(".venv/bin/pingtai status") for s in kept)
    script = " && ".join(kept).replace(".venv/bin/pingtai", f"{shlex.quote(sys.executable)} -m pingtai")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    env.pop("PINGTAI_DB", None)
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "已导入" in out and "进度看板" in out
    assert "网络零售额" in out and "正常" in out
    assert list(tmp_path.glob("*/ledger.sqlite3")), "the demo ledger must live in the temporary directory"
    # the history is a back-fill; the returns count from the dates written on them: rates an office
    # can defend (on time and late, not 0 % for everyone)
    assert "补录（不计是否按时）" in out and "收到日期 2025-01-10（报表所填日期）" in out
    assert "\n1\t市商务局\t68.1\t8/3/0/5\t37.5%\t" in out and "市经信局\t2025-01-24\t报表所填日期" in out
    # no projection from fewer than three points (共富驿站 has two: 数据不足)
    counts = [int(n) for n in re.findall(r"（(?:线性|复合增长)，(\d+)点）", out)]
    assert counts and min(counts) >= 3
    assert re.search(r"农村快递“共富驿站”\t[^\n]*\t数据不足\t", out)


def test_the_readme_says_once_how_to_call_pingtai_by_name() -> None:
    assert README.count("source .venv/bin/activate") == 1
    assert re.search(r"takes about [\d to]+ minutes on two cores", README)


def test_the_readme_shows_a_printed_page_of_the_report() -> None:
    image = ROOT / "docs" / "images" / "report_page.png"
    assert "](docs/images/report_page.png)" in README and "docs/images/make_report_png.py" in README
    data = image.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) <= 150_000
    assert (ROOT / "docs" / "images" / "make_report_png.py").is_file()


def _commands(typer_app: typer.Typer = app, prefix: str = "") -> list[str]:
    """Every command, sub-app commands as ``ledger verify``."""
    names = []
    for info in typer_app.registered_commands:
        name = info.name or (info.callback.__name__ if info.callback else "")
        names.append(prefix + name.replace("_", "-"))
    for group in typer_app.registered_groups:
        sub = group.typer_instance
        assert sub is not None
        group_name = group.name or sub.info.name
        assert isinstance(group_name, str)
        names += _commands(sub, f"{prefix}{group_name} ")
    return names


def test_sub_app_commands_are_enumerated() -> None:
    assert {"ledger verify", "ledger rebuild", "ledger backup"} <= set(_commands())


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"`pingtai {command}" in README


def test_every_catalog_field_is_documented() -> None:
    doc = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    documented = {word for span in re.findall(r"`([^`]+)`", doc) for word in re.findall(r"\w+", span)}
    records = [obj for obj in vars(catalog).values()
               if isinstance(obj, type) and issubclass(obj, catalog.Record) and obj.__module__ == catalog.__name__]
    assert len(records) > 25
    missing = sorted(f"{m.__name__}.{f}" for m in records for f in m.fields if f not in documented)
    assert not missing, f"document these fields in docs/catalog.md: {missing}"


def test_the_readmes_area_table_is_what_show_prints(tmp_path: Path) -> None:
    """README's ``show 网络零售额 --by-area`` is the real output after the quick start's imports."""
    from typer.testing import CliRunner

    block = re.search(r"```\n\$ (pingtai show 网络零售额 --by-area [^\n]+)\n(.+?)\n```", README, flags=re.S)
    assert block is not None, "README shows pingtai show 网络零售额 --by-area with its output"
    runner = CliRunner()
    db = ["--db", str(tmp_path / "ledger.sqlite3")]
    examples = ROOT / "examples" / "returns"
    history = examples / "示例_历史数据补录_2023.xlsx"
    assert runner.invoke(app, [*db, "import", "--backfill", str(history)]).exit_code == 0
    returns = sorted(str(p) for p in examples.glob("示例_市*"))
    assert runner.invoke(app, [*db, "import", *returns]).exit_code == 0
    shown = runner.invoke(app, [*db, *shlex.split(block.group(1))[1:]])
    assert shown.exit_code == 0 and shown.stdout.rstrip("\n") == block.group(2)
