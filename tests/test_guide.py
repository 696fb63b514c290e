"""docs/使用指南.md cannot rot: every command it shows is run, and what it prints is compared.

The convention (also in a comment at the top of the guide):

* Fenced blocks with the info string ``console`` are checked. In them a line starting with
  ``$ pingtai`` is a command; the lines after it, up to the next ``$`` line or the end of the block,
  are what it prints — stdout and stderr as they reach the screen, in the plain form pingtai writes
  when its output is not a terminal (piped or redirected: tab-separated tables, no colour, no
  width to fit), so no terminal width enters; ``--help`` pages, which wrap, are shown as in a
  window of 80 columns (``COLUMNS=80``).
* ``$ echo $?`` after a command is followed by its exit code; without it the command must exit 0.
* A line that is exactly ``……`` stands for any number of lines left out (none included); ``……``
  inside a line stands for any text within that line (an import time, a chain head). Blank lines
  at the end of an output are not compared.
* No other ``$`` line is allowed in a ``console`` block: shell steps (``export``, ``cp``, cron lines)
  go in ``sh`` blocks, which are not run — but every ``pingtai`` command in them and in the prose's
  backticks must name a real command and real options (:func:`test_every_command_the_guide_names_exists`).

The commands run in the guide's order against one ledger in a temporary folder that stands for the
guide's ``/srv/pingtai`` (the clone: ``examples/returns`` and ``data`` copied in), with
``PINGTAI_DB=/srv/pingtai/练习/ledger.sqlite3`` as the guide sets it; the folder's real path is shown
as ``/srv/pingtai``. Shell globs (``示例_市*``) are expanded as the shell would. One step the guide
asks the reader to do by hand is done here before the command that follows it: the copy of ``data``
with a target typed as ``一千二百`` (section 修改目标或单位).
"""

from __future__ import annotations

import contextlib
import glob
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from pingtai.cli import app

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "使用指南.md"
HOME = "/srv/pingtai"
"""The folder the guide works in; the temporary folder is shown by this name."""
ELISION = "……"
FENCE = re.compile(r"^```(\w*)\s*$")


@dataclass(frozen=True)
class Step:
    """One ``$ pingtai …`` line of a console block, what the guide shows it print, and its exit code."""

    line: int
    command: str
    shown: tuple[str, ...]
    exit_code: int


def blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """Every fenced block: (info string, line number of its first line, its lines)."""
    found: list[tuple[str, int, list[str]]] = []
    kind: str | None = None
    start, body = 0, list[str]()
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if kind is None and fence:
            kind, start, body = fence[1], number + 1, []
        elif kind is not None and line.strip() == "```":
            found.append((kind, start, body))
            kind = None
        elif kind is not None:
            body.append(line)
    assert kind is None, f"使用指南.md: the block opened before line {start} is not closed"
    return found


def _trimmed(lines: list[str]) -> list[str]:
    """Lines without the blank ones at the end (a block's last line before its fence is easy to lose)."""
    while lines and not lines[-1]:
        lines = lines[:-1]
    return lines


def parse(text: str) -> list[Step]:
    """The console blocks' commands in order (see the module docstring)."""
    parsed: list[Step] = []
    for kind, start, body in blocks(text):
        if kind != "console":
            continue
        current: list[str] = []
        line_of, code, echoed, command = 0, 0, False, ""
        for offset, line in enumerate([*body, "$ end"]):
            where = f"使用指南.md:{start + offset}"
            if echoed:
                assert re.fullmatch(r"\d+", line), f"{where}: echo $? must be followed by the exit code"
                code, echoed = int(line), False
                continue
            if line == "$ echo $?":
                assert line_of and not code, f"{where}: echo $? must follow a command's output"
                echoed = True
                continue
            if not line.startswith("$ "):
                assert line_of and not code, f"{where}: output before a command or after its exit code"
                current.append(line)
                continue
            if line_of:
                parsed.append(Step(line_of, command, tuple(_trimmed(current)), code))
            if line == "$ end":
                break
            assert line.startswith("$ pingtai "), f"{where}: only pingtai runs in a console block: {line}"
            line_of, command, current, code = start + offset, line[2:], [], 0
    return parsed


STEPS = parse(GUIDE.read_text(encoding="utf-8"))


def matches(shown: tuple[str, ...], real: list[str]) -> bool:
    """Whether the real lines are what the guide shows, ``……`` standing for lines or text left out."""
    if not shown:
        return not real
    head, rest = shown[0], shown[1:]
    if head == ELISION:
        return any(matches(rest, real[i:]) for i in range(len(real) + 1))
    return bool(real) and _line_matches(head, real[0]) and matches(rest, real[1:])


def _line_matches(shown: str, real: str) -> bool:
    if ELISION not in shown:
        return shown == real
    pattern = ".*".join(re.escape(part) for part in shown.split(ELISION))
    return re.fullmatch(pattern, real) is not None


def _argv(command: str, cwd: Path) -> list[str]:
    words = shlex.split(command)[1:]
    argv: list[str] = []
    for word in words:
        expanded = sorted(glob.glob(word, root_dir=cwd)) if any(c in word for c in "*?[") else []
        argv += expanded or [word]
    return argv


def _prepare(command: str, home: Path) -> None:
    """What the guide has the reader do by hand before this command."""
    if "validate 我的数据" in command and not (home / "我的数据").exists():
        shutil.copytree(home / "data", home / "我的数据")
        plan = home / "我的数据" / "plan_2023_38.yaml"
        text = plan.read_text(encoding="utf-8")
        assert "value: 1200," in text
        plan.write_text(text.replace("value: 1200,", "value: 一千二百,", 1), encoding="utf-8")


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, list[str]]]:
    """Every step run in order in one folder: (exit code, lines printed, the folder shown as /srv/pingtai)."""
    home = tmp_path_factory.mktemp("guide")
    shutil.copytree(ROOT / "examples" / "returns", home / "examples" / "returns")
    shutil.copytree(ROOT / "data", home / "data")
    env = {"PINGTAI_DB": str(home / "练习" / "ledger.sqlite3"), "PINGTAI_CACHE_DIR": str(home / ".cache"),
           "COLUMNS": "80", "PINGTAI_DATA": None, "PINGTAI_FORCE_TERMINAL": None, "PINGTAI_WEBHOOK_SECRET": None}
    results: list[tuple[int, list[str]]] = []
    with contextlib.chdir(home):
        for step in STEPS:
            _prepare(step.command, home)
            result = CliRunner().invoke(app, _argv(step.command, home), env=env)
            assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
                f"使用指南.md:{step.line}: {step.command} raised {result.exception!r}")
            results.append((result.exit_code, _trimmed(result.output.replace(str(home), HOME).splitlines())))
    return results


def test_the_guide_shows_commands() -> None:
    assert len(STEPS) >= 20
    assert [s for s in STEPS if s.exit_code] and [s for s in STEPS if not s.shown] == [s for s in STEPS if "--quiet" in s.command and not s.exit_code]


@pytest.mark.parametrize("index", range(len(STEPS)), ids=[f"{s.line}:{s.command}" for s in STEPS])
def test_each_command_prints_what_the_guide_shows(ran: list[tuple[int, list[str]]], index: int) -> None:
    step = STEPS[index]
    code, real = ran[index]
    where = f"使用指南.md:{step.line}: {step.command}"
    assert code == step.exit_code, f"{where}: exit {code}, the guide says {step.exit_code}\n" + "\n".join(real)
    assert matches(step.shown, real), f"{where}: the output differs from the guide; it prints:\n" + "\n".join(real)


# --- the elision rule ----------------------------------------------------------------------------------


def test_an_elision_line_stands_for_any_lines_and_nothing_else() -> None:
    assert matches(("a", ELISION, "d"), ["a", "b", "c", "d"]) and matches(("a", ELISION, "d"), ["a", "d"])
    assert not matches(("a", ELISION, "d"), ["a", "b", "c"]) and not matches(("a", "d"), ["a", "b", "d"])
    assert matches(("导入时间 ……，批次 1",), ["导入时间 2026-12-06 17:05，批次 1"])
    assert not matches(("导入时间 ……，批次 1",), ["导入时间 2026-12-06 17:05，批次 2"])


def test_the_parser_reads_commands_output_and_exit_codes() -> None:
    text = "\n".join(["```console", "$ pingtai a", "x", "", "$ pingtai b", "y", "$ echo $?", "1", "```",
                      "```sh", "$ not run", "```"])
    assert parse(text) == [Step(2, "pingtai a", ("x",), 0), Step(5, "pingtai b", ("y",), 1)]
    with pytest.raises(AssertionError, match="only pingtai"):
        parse("```console\n$ rm -rf x\n```")


# --- commands named anywhere in the guide ------------------------------------------------------------------

GLOBAL_WITH_VALUE = {"--data", "--db"}
ROOT_COMMAND: Any = typer.main.get_command(app)
"""The click command tree, built once (building it takes a tenth of a second)."""
COMMANDS = set(ROOT_COMMAND.commands)


def mentioned(text: str) -> list[tuple[int, str]]:
    """Every pingtai command the guide names, with its line: the console blocks' commands, those in
    backticks in the prose, those on the lines of its sh blocks (after the path that calls pingtai);
    and each option the prose names alone in backticks (`--plan 38号`), as an option of the command
    named last before it (a command's bare name in backticks, as in a heading, names it too)."""
    found: list[tuple[int, str]] = []
    fenced = {start + i: kind for kind, start, body in blocks(text) for i in range(-1, len(body) + 1)}
    last = "pingtai"
    for number, line in enumerate(text.splitlines(), 1):
        kind = fenced.get(number)
        named: list[str] = []
        if kind is None:
            for span in re.findall(r"`([^`]+)`", line):
                if span.startswith("pingtai "):
                    found.append((number, span))
                    last = "pingtai " + " ".join(resolve(span, options=False)[0])
                elif span in COMMANDS:  # a heading or sentence about one command: 导入（`import`）
                    last = f"pingtai {span}"
                elif re.match(r"--?[a-z]", span):
                    found.append((number, f"{last} {span}"))
        elif kind == "sh":
            for start in re.finditer(r"(?:^|[\s/])pingtai (?=[-a-z])", line):
                named.append("pingtai " + re.split(r"\s*(?:&&|\||>|;|\))\s*", line[start.end():])[0])
        elif kind == "console" and line.startswith("$ pingtai "):
            last = "pingtai " + " ".join(resolve(line[2:], options=False)[0])  # run and checked above
        found += [(number, command) for command in named]
        if named:
            last = "pingtai " + " ".join(resolve(named[-1], options=False)[0])
    return found


def resolve(command: str, options: bool = True) -> tuple[list[str], list[str]]:
    """(the subcommand path, the options given) of a pingtai command line; raises on an unknown
    command, or (``options``) on an unknown option: the guide must name only real ones."""
    words = shlex.split(command.replace("…", ""))[1:]
    group: Any = ROOT_COMMAND
    path: list[str] = []
    given: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word.startswith("-"):
            name = word.split("=", 1)[0]
            given.append(name)
            if not path and name in GLOBAL_WITH_VALUE:
                skip = "=" not in word
            continue
        subcommands = getattr(group, "commands", None)
        if subcommands is not None:
            assert word in subcommands, f"{command}: no command {word!r}"
            group = subcommands[word]
            path.append(word)
    assert path or given, command
    real = {o for p in group.params for o in (*p.opts, *p.secondary_opts)}
    globals_ = {o for p in ROOT_COMMAND.params for o in (*p.opts, *p.secondary_opts)}
    wrong = [o for o in given if o not in real | globals_ | {"--help", "-h"}]
    assert not (options and wrong), f"{command}: no option {wrong} on pingtai {' '.join(path)}"
    return path, given


def test_every_command_the_guide_names_exists() -> None:
    named = mentioned(GUIDE.read_text(encoding="utf-8"))
    assert len(named) >= 20
    for line, command in named:
        try:
            resolve(command)
        except AssertionError as exc:
            raise AssertionError(f"使用指南.md:{line}: {exc}") from None


def test_the_name_check_would_catch_a_wrong_command_or_option() -> None:
    with pytest.raises(AssertionError, match="no option"):
        resolve("pingtai league --all")
    with pytest.raises(AssertionError, match="no command"):
        resolve("pingtai ledger restore x")
    assert resolve("pingtai --db 恢复/ledger.sqlite3 ledger rebuild --archive 练习/archive") == (
        ["ledger", "rebuild"], ["--db", "--archive"])
    assert mentioned("见 `pingtai check --new-only`。\n```sh\n30 7 * * * /srv/pingtai/.venv/bin/pingtai check --quiet\n```\n") == [
        (1, "pingtai check --new-only"), (3, "pingtai check --quiet")]
    bare = mentioned("### 导入（`import`）\n加 `--dry-run`；看板加 `--plan 38号`。\n")
    assert bare == [(2, "pingtai import --dry-run"), (2, "pingtai import --plan 38号")]
    with pytest.raises(AssertionError, match="no option"):
        resolve(bare[1][1])
