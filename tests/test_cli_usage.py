"""cli/_usage.py: typer's own usage errors and help pages in Chinese, and help that matches the
commands (issue #19 item 3).

Every usage error click can raise on pingtai's commands is tried as a user would type it: the
message is Chinese, the exit code stays 2, and "did you mean" says it in Chinese. Every command's
help is compared with the command's real options: an option the help mentions must exist (on the
command, or on the command an example names, or globally).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from pingtai.cli import app
from pingtai.cli._usage import HelpFormatter, message
from pingtai.render.format import display_width

ENGLISH = re.compile(r"Usage:|Error:|Try '|No such|Missing |Invalid value|Got unexpected|Did you mean|Possible options|"
                     r"requires an argument|does not take|Options:|Arguments:|Commands:|Show this message|\[default:|"
                     r"\[required\]")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("args", "expected"), [
    (["statu"], "错误：没有命令 statu；是否想用：status？"),
    (["ledger", "verif"], "错误：没有命令 verif；是否想用：verify？"),
    (["league", "--all"], "错误：没有选项 --all"),
    (["status", "--as-o", "2025-01-01"], "错误：没有选项 --as-o；是否想用：--as-of、--json？"),
    (["template", "--agency", "市商务局"], "错误：缺少选项 --period（-p）：报告期，如 2024Q4、2025H1。"),
    (["show"], "错误：缺少参数 指标：编号、名称或别名，如 网络零售额。"),
    (["ledger", "backup"], "错误：缺少参数 文件：备份文件（已存在则替换）。"),
    (["check", "--fail-on", "bad"], "错误：--fail-on 的值无效：bad 不是可选的值（可选：at_risk、off_track、overdue）"),
    (["check", "--remind-days", "x"], "错误：--remind-days 的值无效：应为整数"),
    (["check", "--remind-days", "999"], "错误：--remind-days 的值无效：应不大于 366"),
    (["status", "extra"], "错误：多余的参数：extra（本命令不接受这些参数）"),
    (["status", "extra", "more"], "错误：多余的参数：extra more（本命令不接受这些参数）"),
    (["status", "--plan"], "错误：选项 --plan 需要一个值"),
    (["status", "--json=1"], "错误：选项 --json 不带值"),
    (["status", "--json", "--indent", "-1"], "错误：--indent 的值无效：应不小于 0"),
    (["plans", "--json", "--indent", "17"], "错误：--indent 的值无效：应不大于 16"),
    (["bulletin", "--period", "2024Q4", "--json", "--indent", "两"], "错误：--indent 的值无效：应为整数"),
    (["status", "--json", "--indent"], "错误：选项 --indent 需要一个值"),
    (["status", "--json", "--inden", "2"], "错误：没有选项 --inden；是否想用：--indent？"),
    (["status", "--json", "--history=1"], "错误：选项 --history 不带值"),
    (["show", "网络零售额", "--json", "--history"], "错误：没有选项 --history"),
    (["status", "--area"], "错误：选项 --area 需要一个值"),
    (["status", "--are", "柯桥区"], "错误：没有选项 --are；是否想用：--agency、--area？"),
    (["show", "网络零售额", "--by-are"], "错误：没有选项 --by-are；是否想用：--by-area？"),
    (["show", "网络零售额", "--by-area=1"], "错误：选项 --by-area 不带值"),
    (["show", "网络零售额", "--by-area", "--period"], "错误：选项 --period 需要一个值"),
])
def test_usage_errors_are_in_chinese_and_exit_2(args: list[str], expected: str) -> None:
    code, out, err = run(*args)
    assert code == 2 and out == ""
    assert expected in err.splitlines(), err
    assert not ENGLISH.search(err), err


def test_a_usage_error_shows_the_usage_and_where_help_is() -> None:
    _, _, err = run("status", "--all")
    assert err.splitlines()[:3] == ["用法：pingtai status [选项]", "用 pingtai status -h 查看帮助。", ""]


def test_a_message_it_does_not_know_passes_unchanged() -> None:
    assert message(typer.BadParameter("新的说法")) == "值无效：新的说法"


# --- help pages ------------------------------------------------------------------------------------


def commands(group: typer.Typer = app, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command's path: ("status",), ("ledger", "verify") …"""
    root = typer.main.get_command(group)
    stack = [(root, path)]
    while stack:
        command, where = stack.pop()
        subcommands = getattr(command, "commands", {})
        for name, sub in subcommands.items():
            if getattr(sub, "commands", None):
                stack.append((sub, (*where, name)))
            else:
                yield (*where, name)


ALL = sorted(commands())


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_help_is_chinese_and_fits_80_columns(path: tuple[str, ...]) -> None:
    code, out, _ = run(*path, "--help")
    assert code == 0
    assert out.startswith(f"用法：pingtai {' '.join(path)} [选项]") and "\n选项：\n" in out and "示例：" in out
    assert not ENGLISH.search(out), out
    assert all(display_width(line) <= 80 for line in out.splitlines()), out


@pytest.mark.parametrize("path", [p for p in ALL if p[-1] in ("import", "show", "history", "validate", "agencies", "backup")],
                         ids=" ".join)
def test_arguments_are_named_in_chinese(path: tuple[str, ...]) -> None:
    """typer shows a parameter's Python name (``{files}...``, ``[name]``) and type (``<list[Path]>``)."""
    code, out, _ = run(*path, "--help")
    usage = out.splitlines()[0]
    assert code == 0 and re.fullmatch(r"用法：pingtai [a-z ]+ \[选项\] \[?[\u4e00-\u9fff]+\]?(\.\.\.)?", usage), usage
    assert not re.search(r"[{}]|<list|\n  [a-z_]+(\.\.\.)? <", out), out


def test_ranges_read_as_ranges() -> None:
    """click notes an option's range as ``[0<=x<=16]``."""
    _, out, _ = run("check", "--help")
    assert "[0–16]" in out and "[0–366]" in out and "<=x<=" not in out


def test_the_main_help_lists_each_command_in_full() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "\n命令：\n" in out and not ENGLISH.search(out)
    assert "定时检查（供 cron 使用）：" in out  # click cut it at its first space: "定时检查（供 cron..."


def test_the_formatter_wraps_by_display_width() -> None:
    formatter = HelpFormatter(width=40)
    formatter.write_dl([("--plan <文本>", "计划：plan_2023_38 / 38号 / zone_2023_5 / 5号。[default: x]")])
    lines = formatter.getvalue().splitlines()
    assert all(display_width(line) <= 40 for line in lines) and "[默认：x]" in "".join(line.strip() for line in lines)


# --- help that matches the command ------------------------------------------------------------------------

GLOBAL = {"--data", "--db", "--help", "--version"}
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def real_options(path: tuple[str, ...]) -> set[str]:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts) if opt.startswith("--")}


def mentions(text: str, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    """(command, option) for every long option a help text mentions: in a segment that names
    ``pingtai <command>`` (an example), the options after it belong to that command; elsewhere
    to the command whose help it is."""
    for segment in re.split(r"[｜。；\n]", text):
        owner, rest = path, segment
        named = [p for p in ALL if re.search(rf"pingtai(?: --\S+ \S+)* {' '.join(p)}(?![\w-])", segment)]
        if named:
            owner = max(named, key=len)
            rest = segment.split(" ".join(owner), 1)[1]
        for option in OPTION.findall(rest):
            yield owner, option


def help_texts(path: tuple[str, ...]) -> str:
    command = typer.main.get_command(app)
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
    return "\n".join([command.help or "", command.epilog or "", *(getattr(p, "help", None) or "" for p in command.params)])


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_the_help_mentions_only_options_the_command_has(path: tuple[str, ...]) -> None:
    wrong = [(" ".join(owner), option) for owner, option in mentions(help_texts(path), path)
             if option not in real_options(owner) | GLOBAL]
    assert not wrong, f"pingtai {' '.join(path)} --help mentions options that do not exist: {wrong}"


def test_the_drift_check_would_catch_league_mentioning_all() -> None:
    assert list(mentions("写入文件（--all 时为目录）。", ("league",))) == [(("league",), "--all")]
    assert "--all" not in real_options(("league",))
    assert list(mentions("示例：pingtai report --all -o 报告/", ("league",))) == [(("report",), "--all")]


def test_the_drift_check_knows_indent_and_history() -> None:
    """``--indent`` is on every command with JSON output, ``--history`` on ``status`` alone."""
    with_json = [path for path in ALL if "--json" in real_options(path)]
    assert ("bulletin",) in with_json and ("status",) in with_json
    assert [path for path in with_json if "--indent" not in real_options(path)] == []
    assert [path for path in ALL if "--history" in real_options(path)] == [("status",)]
    assert list(mentions("示例：pingtai status --json --history --indent 2", ("show",))) == [
        (("status",), "--json"), (("status",), "--history"), (("status",), "--indent")]
    assert list(mentions("需要时加 --history。", ("show",))) == [(("show",), "--history")]
    assert "--history" not in real_options(("show",))


# --- enumerated values in Chinese -------------------------------------------------------------------------

ENUMS = ["government", "department", "district", "office", "enterprise", "central", "organization", "achieved",
         "on_track", "at_risk", "off_track", "no_data", "no_baseline", "missed", "done", "in_progress", "late",
         "not_started", "unreported", "unmarked", "on_time", "missing", "upcoming", "unscheduled", "stock", "flow",
         "cumulative", "increase", "decrease", "linear", "geometric", "monthly", "quarterly", "half_yearly", "annual",
         "city", "county_city", "county", "zone", "template", "long", "areas", "overdue_return", "overdue_task",
         "data_quality", "return_due", "stale", "linear_share", "seasonal_share", "trajectory", "substantial",
         "moderate", "limited", "deterioration", "pending", "met", "leader", "deputy", "member", "director", "plan_2023_38",
         "zone_2023_5", "backfill", "linear_bounded", "cagr", "reachable", "unlikely", "incomplete_return", "last_year"]
"""The values the catalog, the engine and the ledger spell in English (kinds, statuses, states, plan ids)."""


@pytest.fixture(scope="module")
def examples_ledger(tmp_path_factory: pytest.TempPathFactory) -> str:
    from pathlib import Path

    db = tmp_path_factory.mktemp("enums") / "ledger.sqlite3"
    folder = Path(__file__).resolve().parents[1] / "examples" / "returns"
    history = CliRunner().invoke(app, ["--db", str(db), "import", "--backfill", str(folder / "示例_历史数据补录_2023.xlsx")])
    result = CliRunner().invoke(app, ["--db", str(db), "import", *map(str, sorted(folder.glob("示例_市*")))])
    assert history.exit_code == 0 and result.exit_code == 0, history.output + result.output
    return str(db)


@pytest.mark.parametrize("args", [["plans"], ["indicators"], ["tasks"], ["agencies"], ["agencies", "市场监管局"],
                                  ["agencies", "各区、县（市）政府"], ["areas"], ["areas", "柯桥"],
                                  ["status", "--as-of", "2025-02-01"], ["report", "-a", "市商务局", "--as-of", "2025-02-01"],
                                  ["league", "--as-of", "2025-02-01"], ["check", "--as-of", "2025-02-01"], ["batches"],
                                  ["history", "网络零售额"], ["show", "网络零售额", "--as-of", "2025-02-01"],
                                  ["show", "网络零售额", "--by-area", "--as-of", "2025-02-01"],
                                  ["status", "--area", "柯桥区", "--as-of", "2025-02-01"],
                                  ["report", "-a", "柯桥区政府", "--as-of", "2025-02-01"],
                                  ["bulletin", "--period", "2024", "--format", "md", "--as-of", "2025-02-01"]],
                         ids=" ".join)
def test_enumerated_values_are_shown_in_chinese(examples_ledger: str, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["--db", examples_ledger, *args])
    text = re.sub(r"--fail-on \w+", "", result.stdout + result.stderr)  # the option as typed
    ids = ("plan_2023_38", "zone_2023_5") if args[0] in ("plans", "show") else ()  # beside 38号 / 5号, as --plan takes them
    shown = [word for word in ENUMS if word not in ids and re.search(rf"(?<![\w-]){word}(?![\w-])", text)]
    assert not shown, f"{' '.join(args)} shows {shown}"
