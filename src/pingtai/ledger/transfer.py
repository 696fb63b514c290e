"""Copying a ledger exactly into another, whatever their backends: ``ledger backup`` of a database into a
portable SQLite file, ``ledger migrate --to`` of a file into a database.

Every batch keeps its id, time, rows (in their order), archived file and manifest entry bytes (so
the chain and its head are the same), every check run its id and findings, every review decision and
setting its id, and the decisions log its bytes (so its chain is the same too). The copy is one
transaction of the target: it is there whole or not at all.
"""

from __future__ import annotations

from pingtai.errors import LedgerError
from pingtai.ledger.base import Ledger


def is_empty(ledger: Ledger) -> bool:
    """Whether ``ledger`` records no batch, no check run and no setting (nor any line of a decisions log)."""
    return ledger.counts()["batch"] == 0 and not ledger.check_runs() and not ledger.settings() \
        and not ledger.decisions_log()


def copy_ledger(source: Ledger, target: Ledger) -> int:
    """Copy everything ``source`` records into the empty ``target``; return the number of batches copied.
    Raises :class:`LedgerError` for a target that records anything, or a batch whose archived file is
    missing or altered (nothing is copied then)."""
    if not is_empty(target):
        raise LedgerError("目标台账不是空的：复制只写入空台账", hint="请指定一个新建的空数据库或新文件；目标未作改动。")
    batches = source.batches()
    with target.transaction():
        for batch in batches:
            target.restore_batch(source.export_batch(batch.id))
        for run in source.check_runs():
            target.restore_check_run(run, source.check_findings(run.id))
        target.restore_log(source.decisions_log(), source.logged_rows())
    return len(batches)


def differences(source: Ledger, target: Ledger) -> list[str]:
    """How ``target`` differs from ``source`` (batches, every row, archived files and entries, check runs),
    in words; empty when it is an exact copy."""
    found: list[str] = []
    ours, theirs = source.batches(), target.batches()
    if ours != theirs:
        found.append(f"批次记录不同（源 {len(ours)} 个，副本 {len(theirs)} 个）")
    for batch in ours:
        original = source.export_batch(batch.id)
        try:
            copied = target.export_batch(batch.id)
        except LedgerError as exc:
            found.append(f"批次 {batch.id}：{exc.message}")
            continue
        for what, one, other in (("批次行", original.row, copied.row), ("数值行", original.values, copied.values),
                                 ("任务行", original.tasks, copied.tasks), ("归档文件", original.data, copied.data),
                                 ("归档清单", original.entry, copied.entry)):
            if one != other:
                found.append(f"批次 {batch.id}（{batch.file}）的{what}不同")
    if source.decisions() != target.decisions() or source.settings() != target.settings():
        found.append("审核决定或台账设置不同")
    if source.decisions_log() != target.decisions_log():
        found.append("决定记录（decisions log）不同")
    runs = source.check_runs()
    if runs != target.check_runs():
        found.append("检查运行记录不同")
    else:
        found += [f"检查运行 {run.id} 的发现不同" for run in runs
                  if source.check_findings(run.id) != target.check_findings(run.id)]
    return found


__all__ = ["copy_ledger", "differences", "is_empty"]
