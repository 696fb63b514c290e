"""Typer's own words in Chinese: usage errors, and the help page's headings and fragments.

The click that typer vendors writes its messages as English f-strings, with no gettext catalog
to hook, and typer adds a few through the stdlib ``gettext`` (section headings, ``default:``)
without shipping a translation. So the translation works where the words leave:

* :func:`usage_error` turns a usage error into Chinese lines from what the exception carries —
  the option typed and click's close matches (:class:`NoSuchOption`), the parameter and its help
  (missing or invalid values), the extra arguments — and from the fixed wording of the few
  messages that carry nothing else (``No such command``, ``Got unexpected extra argument``).
  Unknown wordings pass through unchanged rather than guessed at.
* :class:`HelpFormatter` writes the help page: ``用法：``, headings 选项 / 参数 / 命令, the
  fragments typer appends to option help (``[default: …]`` → ``[默认：…]``), and lines wrapped
  by display width (CJK counts double) with :func:`pingtai.render.format.wrap`.
* :class:`Context` carries that formatter; :class:`pingtai.cli.PingtaiGroup` gives it to every
  command it resolves.

Exit codes stay click's: 2 for a usage error.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import typer
from typer._click.exceptions import (
    BadArgumentUsage,
    BadOptionUsage,
    BadParameter,
    FileError,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer._click.formatting import HelpFormatter as ClickHelpFormatter

from pingtai.render.format import display_width, terminal, wrap

HEADINGS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
USAGE = "用法："
METAVARS = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]..."}
TYPES = {"<str>": "<文本>", "<path>": "<路径>", "<int range>": "<整数>", "<int>": "<整数>", "<float>": "<数>",
         "<float range>": "<数>", "<list[Path]>": "<路径>", "<list[str]>": "<文本>"}
ARGUMENTS = {"files": "报表文件", "file": "文件", "indicator": "指标", "paths": "路径", "name": "名称"}
"""Each command argument's name as usage lines, help pages and usage errors show it (typer shows
the Python parameter's name, in braces when required: ``{files}...``)."""
FRAGMENTS = [("Show this message and exit.", "显示本帮助并退出。"), ("[default: ", "[默认："), ("[required]", "[必填]"),
             ("env var: ", "环境变量："), ("(dynamic)", "（动态）")]
"""What typer and click add to an option's help, in English, and how it reads here."""

# Patterns as text, compiled (and cached by ``re``) only when a usage error is shown: compiling them
# for every command, which almost never has one, cost about 1 ms of each start.
_VALUE_MESSAGES: list[tuple[str, str]] = [
    (r"(?s)Value error, (.+) is not one of (.+)\.$", "{0} 不是可选的值（可选：{1}）"),
    (r"(?s)Input should be a valid integer.*", "应为整数"),
    (r"(?s)Input should be a valid number.*", "应为数字"),
    (r"(?s)Input should be a valid boolean.*", "应为 true 或 false"),
    (r"Input should be less than or equal to (\S+)$", "应不大于 {0}"),
    (r"Input should be greater than or equal to (\S+)$", "应不小于 {0}"),
    (r"Input should be less than (\S+)$", "应小于 {0}"),
    (r"Input should be greater than (\S+)$", "应大于 {0}"),
    (r"(?s)(?:File|Directory|Path) '(.+)' does not exist\.$", "{0} 不存在"),
]
"""What typer's value checks (pydantic) say, and how it reads here; others pass unchanged."""
_PLAIN_MESSAGES: list[tuple[str, str]] = [
    (r"(?s)No such command '(.+)'\. Did you mean (.+)\?$", "没有命令 {0}；是否想用：{1}？"),
    (r"(?s)No such command '(.+)'\.$", "没有命令 {0}"),
    (r"(?s)Got unexpected extra arguments? \((.*)\)$", "多余的参数：{0}（本命令不接受这些参数）"),
    (r"(?s)Got unexpected extra argument\(s\) \((.*)\)$", "多余的参数：{0}（本命令不接受这些参数）"),
    (r"Missing command\.$", "缺少子命令"),
]


def _names(text: str) -> str:
    """``'status', 'show'`` → ``status、show``."""
    return "、".join(part.strip().strip("'\"") for part in text.split(","))


def _translated(message: str, table: Sequence[tuple[str, str]]) -> str:
    for pattern, chinese in table:
        found = re.fullmatch(pattern, message.strip())
        if found:
            return chinese.format(*(_names(g) if g else "" for g in found.groups()))
    return message


def _param(param: Any) -> str:
    """An option as ``--period（-p）``, an argument by its name, with its help when it has one."""
    if param is None:
        return ""
    opts: list[str] = [str(o) for o in getattr(param, "opts", []) if str(o).startswith("-")]
    if getattr(param, "param_type_name", "") == "option" and opts:
        longest = max(opts, key=len)
        rest = [o for o in opts if o != longest]
        return longest + (f"（{'、'.join(rest)}）" if rest else "")
    name = str(getattr(param, "name", "") or "")
    return ARGUMENTS.get(name, name.upper())


def _param_help(param: Any) -> str:
    text = getattr(param, "help", None)
    return f"：{inspect.cleandoc(text)}" if text else ""


def message(exc: Exception) -> str:
    """The Chinese message of a usage error (click's own wording, translated)."""
    if isinstance(exc, NoSuchOption):
        close = "、".join(sorted(exc.possibilities or ()))
        return f"没有选项 {exc.option_name}" + (f"；是否想用：{close}？" if close else "")
    if isinstance(exc, MissingParameter):
        kind = "参数" if exc.param_type == "argument" or getattr(exc.param, "param_type_name", "") == "argument" else "选项"
        return f"缺少{kind} {_param(exc.param)}{_param_help(exc.param)}"
    if isinstance(exc, BadParameter):
        reason = _translated(exc.message, _VALUE_MESSAGES)
        where = _param(exc.param) or _names(str(exc.param_hint or ""))
        return f"{where} 的值无效：{reason}" if where else f"值无效：{reason}"
    if isinstance(exc, BadOptionUsage):
        wanted = re.fullmatch(r"Option '.+' requires (an argument|(\d+) arguments)\.", exc.message)
        if wanted:
            return f"选项 {exc.option_name} 需要{'一个' if not wanted[2] else wanted[2] + ' 个'}值"
        if exc.message.endswith("does not take a value."):
            return f"选项 {exc.option_name} 不带值"
        return exc.message
    if isinstance(exc, BadArgumentUsage):
        takes = re.fullmatch(r"Argument '(.+)' takes (\d+) values\.", exc.message)
        return f"参数 {takes[1]} 需要 {takes[2]} 个值" if takes else exc.message
    if isinstance(exc, FileError):
        return f"无法打开文件 {exc.ui_filename}：{exc.message}"
    return _translated(str(getattr(exc, "message", exc)), _PLAIN_MESSAGES)


def usage_error(exc: Exception) -> list[str]:
    """The lines a usage error is shown as on stderr: the usage line and where to find help (when
    the command is known), then ``错误：…``; each line shown as :func:`pingtai.render.format.terminal`
    shows text (what was typed may hold control characters)."""
    lines: list[str] = []
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, UsageError) and ctx is not None:
        lines += ctx.get_usage().split("\n")
        if ctx.command.get_help_option(ctx) is not None:
            lines.append(f"用 {ctx.command_path} {ctx.help_option_names[0]} 查看帮助。")
        lines.append("")
    lines += f"错误：{message(exc)}".split("\n")
    return [terminal(line) for line in lines]


def _joined(lines: list[str]) -> str:
    """Lines of one paragraph as one: a space where either side of the join is ASCII (a word, an
    option), none between Chinese characters and punctuation."""
    text = ""
    for line in (part.strip() for part in lines):
        if text and line and (text[-1].isascii() or line[0].isascii()):
            text += " "
        text += line
    return text


_RANGE = re.compile(r"(?<=[\[ ])(-?[\d.]+)<=x<=(-?[\d.]+)(?=\])")
"""click's note of an option's range, ``[0<=x<=16]`` (``[default: 5; 1<=x<=60]`` beside a default): shown as
``[0–16]``."""


def _localised(text: str) -> str:
    for english, chinese in FRAGMENTS:
        text = text.replace(english, chinese)
    return _RANGE.sub(r"\1–\2", text)


class HelpFormatter(ClickHelpFormatter):
    """Click's help formatter with Chinese headings and lines wrapped by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in METAVARS.items():
            args = args.replace(english, chinese)
        args = _ARGUMENT_IN_USAGE.sub(lambda found: _argument(found[2], found[1] == "["), args)
        lead = f"{' ' * self.current_indent}{prefix or USAGE}{prog} "
        lines = wrap(args, max(self.width - display_width(lead), 20))
        self.write(lead + lines[0] + "\n")
        for line in lines[1:]:
            self.write(" " * display_width(lead) + line + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HEADINGS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for i, paragraph in enumerate(re.split(r"\n\s*\n", text.strip("\n"))):
            if i:
                self.write("\n")
            lines = paragraph.split("\n")
            if lines[0].strip() == "\b":  # click's mark for a block kept as written
                self.write("".join(f"{indent}{line}\n" for line in lines[1:]))
                continue
            for line in wrap(_joined(lines), max(self.width - self.current_indent, 20)):
                self.write(f"{indent}{line}\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = [(_localised_term(term), _localised(text)) for term, text in rows]
        first = min(max((display_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        room = max(self.width - first - self.current_indent, 20)
        for term, text in rows:
            self.write(f"{indent}{term}")
            if not text:
                self.write("\n")
                continue
            if display_width(term) <= first - col_spacing:
                self.write(" " * (first - display_width(term)))
            else:
                self.write("\n" + " " * (first + self.current_indent))
            lines = wrap(_joined(text.split("\n")), room)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(" " * (first + self.current_indent) + line + "\n")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        self.write_paragraph()
        self.write_heading(name)
        self.indent()
        try:
            yield
        finally:
            self.dedent()


_ARGUMENT_IN_USAGE = re.compile(r"([{\[])([a-z_]+)[}\]]")
_ARGUMENT_TERM = re.compile(r"^([a-z_]+)(?=(?:\.\.\.)? )")


def _argument(name: str, optional: bool) -> str:
    """An argument in the usage line: ``{files}`` → ``报表文件``, ``[name]`` → ``[名称]``."""
    shown = ARGUMENTS.get(name, name)
    return f"[{shown}]" if optional else shown


def _localised_term(term: str) -> str:
    for english, chinese in TYPES.items():
        term = term.replace(english, chinese)
    return _ARGUMENT_TERM.sub(lambda found: ARGUMENTS.get(found[1], found[1]), term)


class Context(typer.Context):
    """A command's context whose help and usage lines are written by :class:`HelpFormatter`."""

    formatter_class = HelpFormatter


def summary(command: Any) -> str:
    """A command's line in its group's list: its short help, else its help's first paragraph
    (click would cut Chinese text at its first space)."""
    if command.short_help:
        return str(inspect.cleandoc(command.short_help))
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    return _joined(text.split("\n\n")[0].split("\n"))


__all__ = ["ARGUMENTS", "FRAGMENTS", "HEADINGS", "Context", "HelpFormatter", "message", "summary", "usage_error"]
