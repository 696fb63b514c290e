"""One error base for everything the user can cause, each carrying where it happened.

The CLI catches :class:`PingtaiError` in one place and prints ``where: message``;
any other exception is a bug and stays loud.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from pingtai.frozen import Record


def text_name(name: str | os.PathLike[str]) -> str:
    """A file name or path as text that can be stored, printed and encoded: bytes that are not
    UTF-8 (which Python keeps as lone surrogates) are written ``\\xff``; everything else as is."""
    raw = os.fsencode(name)
    return raw.decode("utf-8", "backslashreplace")


class Problem(Record):
    """One located problem: ``where`` is ``file:line`` or ``file!sheet!cell`` (or just a file).

    ``code`` is a stable identifier (``unknown-agency``, ``not-a-number`` …) that tests and
    machine readers may rely on; ``message`` is the Chinese text shown to the user.
    """

    where: str
    message: str
    code: str = "invalid"
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class PingtaiError(Exception):
    """Base of every error caused by input, configuration or environment (not by a bug).

    ``exit_code`` follows DESIGN.md: 1 the data has problems, 2 usage / cannot run.
    """

    exit_code = 2

    def __init__(self, message: str, *, where: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text}\n{self.hint}" if self.hint else text


@dataclass
class ProblemsError(PingtaiError):
    """Several located problems found at once (a catalog or a workbook that does not validate)."""

    problems: list[Problem] = field(default_factory=list)
    summary: str = "发现问题"
    exit_code = 1

    def __post_init__(self) -> None:
        super().__init__(self.summary)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class CatalogError(ProblemsError):
    """The plan YAML does not validate; each problem is located ``file:line``.

    Exit 1 (the data has problems) for every command; ``check`` alone makes it 2, as cron reads its 1 as
    "findings".
    """

    summary: str = "计划数据校验未通过，命令无法运行（用 pingtai validate 查看并修正）"


class UnknownNameError(PingtaiError):
    """A name (agency, indicator, plan) that the catalog does not know; carries suggestions."""

    exit_code = 2

    def __init__(self, kind: str, name: str, suggestions: list[str], *, listing: str = "") -> None:
        where = f"`{listing}`" if listing else "`pingtai agencies` 或 `pingtai indicators`"
        hint = f"是否指：{'、'.join(suggestions)}？" if suggestions else f"请用 {where} 查看可用名称。"
        super().__init__(f"未知{kind} '{name}'", hint=hint)
        self.kind = kind
        self.name = name
        self.suggestions = suggestions


class UsageError(PingtaiError):
    """Options that contradict each other or the input (exit 2)."""

    exit_code = 2


class LedgerError(PingtaiError):
    """The ledger cannot be opened or written (read-only, full disk, not SQLite, newer schema)."""

    exit_code = 2
