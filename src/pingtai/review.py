"""Review of returns: decisions on batches, the review policy, and the queue of returns awaiting one.

A batch (one imported return) is 待审核 ``pending``, 已接收 ``accepted`` or 已退回 ``rejected``
(:data:`pingtai.ledger.STATE_LABELS`). With the ledger setting ``review`` ``off`` (the default) a return
is accepted on import; with ``required`` it is pending until someone accepts it. ``pingtai accept`` /
``reject`` record a decision; the newest decision on a batch is its state, and every decision stays
(``batches --json``: ``decisions``). Only accepted batches count — which values and task lines are
current is decided in one place, the ledger's reads (:meth:`pingtai.ledger.Ledger.review_states`), so
status, show, reports, the league, check and the bulletin all leave out pending and rejected returns;
``history`` keeps them, marked.

A rejected return not yet resubmitted (:class:`pingtai.ledger.RejectedReturn`) is due again within
:data:`RESUBMIT_DAYS` working days (Monday to Friday: public holidays are not known) of its rejection:
:func:`resubmit_by`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from typing import TYPE_CHECKING

from pingtai.frozen import Record
from pingtai.ledger import Batch, Decision, DecisionKind, Setting
from pingtai.periods import office_day

if TYPE_CHECKING:
    from pingtai.catalog import Catalog
    from pingtai.importer import Change
    from pingtai.ledger import Ledger

RESUBMIT_DAYS = 5
"""Working days an agency has to resubmit a rejected return (``check --resubmit-days``)."""


def resubmit_by(rejected_at: dt.datetime, days: int = RESUBMIT_DAYS) -> dt.date:
    """The day a return rejected at ``rejected_at`` must be resubmitted by: ``days`` working days
    (Monday to Friday) after the day of its rejection in Beijing time. Public holidays and the
    working weekends that make up for them are not known, so they count as ordinary days."""
    day = office_day(rejected_at)
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def decided_by(ledger: Ledger, by: str | None) -> str:
    """Who a decision or setting is recorded under: ``by`` (``--by``), else the ledger's user (PostgreSQL:
    the database role, ``current_user``), else the operating-system user running the command. Raises
    :class:`~pingtai.errors.UsageError` when none of them is known."""
    import getpass

    from pingtai.errors import UsageError

    if by:
        return by
    role = ledger.user
    if role:
        return role
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no LOGNAME/USER and no password entry (a container, a bare cron)
        raise UsageError("无法确定操作人：系统未提供用户名", hint="请用 --by 写明审核人，例如 --by 王五。") from None


class DecisionResult(Record):
    """What ``pingtai accept`` / ``reject`` did: the ``decision``, the decisions ``recorded`` and the
    batches left ``unchanged`` (already in that state), and every batch named as it now stands."""

    decision: DecisionKind
    recorded: list[Decision]
    unchanged: list[int]
    batches: list[Batch]


class Settings(Record):
    """The ledger's settings (``pingtai ledger set``): each one's current value, and every change made."""

    values: dict[str, str]
    changes: list[Setting]
    changed: Setting | None = None
    """The change this command made (``None``: nothing changed, or nothing asked)."""


class Diff(Record):
    """A pending return's figures against those they would replace (the importer's count, made now):
    ``added`` figures nothing counts for yet, ``updated`` ones that differ (each in ``changes``),
    ``unchanged`` ones that repeat what counts."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[Change] = field(default_factory=list)


class PendingReturn(Batch):
    """A batch awaiting a decision, as ``pingtai review`` lists it: the batch row plus its ``diff``."""

    diff: Diff = field(default_factory=Diff)


def pending_returns(catalog: Catalog, ledger: Ledger) -> list[PendingReturn]:
    """The batches awaiting a decision, oldest first, each with its :class:`Diff` against what counts now."""
    from pingtai.importer import compare
    from pingtai.records import ValueRecord
    from pingtai.series import ValueKey

    found = []
    for batch in ledger.batches():
        if batch.state != "pending":
            continue
        stored = [v for v in ledger.batch_values(batch.id) if v.indicator in catalog.indicators]
        values = [ValueRecord(v.indicator, v.period, v.agency, v.value, v.unit, v.where, v.raw, v.below_unit, v.note,
                              v.area, v.growth, v.last_year) for v in stored]
        keys = [ValueKey(v.indicator, v.area or "", str(v.period), v.agency) for v in stored]
        counted = compare(values, keys, ledger, catalog)
        diff = Diff(counted.imported, counted.updated, counted.unchanged, counted.changes)
        found.append(PendingReturn(**batch.as_dict(), diff=diff))
    return found


__all__ = ["RESUBMIT_DAYS", "DecisionResult", "Diff", "PendingReturn", "Settings", "pending_returns", "resubmit_by"]
