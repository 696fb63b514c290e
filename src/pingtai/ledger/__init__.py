"""The ledger: an append-only record of every accepted return — the only package with SQL.

Each accepted file is a *batch* (file name, sha256, agency, period, time, counts); every value and
task-progress line it carried points to its batch. Nothing is ever updated or deleted (the database
refuses it): a corrected return is a newer batch, and the *current* value of a key
``(indicator, area, period, agency)`` (:class:`pingtai.series.ValueKey`: ``agency`` is who reported,
``area`` whose territory — ``''`` for the city) is the row of the newest batch that reported it.
Superseded rows stay, so ``history`` can show every figure ever received.

Every accepted file is also archived, content-addressed by sha256, with a manifest entry (batch id,
original name, time, options, a digest of its rows, the link to the entry before) in the batch's
own transaction, so the ledger can be rebuilt from the archive alone and a batch never commits
without its file. ``pingtai check --new-only`` records each run here too (``check_run``,
``check_finding``), so the next run can tell what is new. Returns go through review (``pingtai
accept`` / ``reject``, ``pingtai ledger set review``): each decision and setting is appended to
``decision`` / ``setting`` and to the decisions log, and a batch pending or rejected does not count
(:mod:`~pingtai.ledger.sql`).

Modules: :mod:`~pingtai.ledger.base` (the storage interface :class:`Ledger` and the order of a
write), :mod:`~pingtai.ledger.model` (the records, the rows as stored, their digest),
:mod:`~pingtai.ledger.schema` (the migrations, in both dialects), :mod:`~pingtai.ledger.location`
(``--db`` / ``PINGTAI_DB``: a file or a PostgreSQL URL), and the backends
:mod:`~pingtai.ledger.sqlite` and :mod:`~pingtai.ledger.postgres` (psycopg, imported only when a
PostgreSQL ledger is opened). Nothing outside this package knows which backend a ledger has.
"""

from __future__ import annotations

from pingtai.archive import archive_name as archive_name  # re-exported: part of this package's API
from pingtai.ledger.base import Ledger, StagedRows
from pingtai.ledger.location import (
    LEDGER_FILE,
    default_db_path,
    describe_location,
    is_database,
    resolve_db_path,
    resolve_location,
)
from pingtai.ledger.model import (
    CONTACT_LABELS,
    DECISION_LABELS,
    RECEIVED_SOURCE_LABELS,
    ROWS_DIGEST,
    SETTINGS,
    STATE_LABELS,
    AcceptedCell,
    Batch,
    CheckRun,
    CurrentValue,
    Decision,
    DecisionKind,
    NewBatch,
    ReceivedReturn,
    ReceivedSource,
    RejectedReturn,
    ReviewState,
    SeenFinding,
    Setting,
    StoredTask,
    StoredValue,
    TaskRow,
    ValueRow,
    digest_of,
    rows_digest,
    sha256_of,
    stored_rows,
)
from pingtai.ledger.schema import MIGRATIONS, SCHEMA_VERSION, SQLITE_MIGRATIONS, Migration

__all__ = ["CONTACT_LABELS", "DECISION_LABELS", "LEDGER_FILE", "MIGRATIONS", "RECEIVED_SOURCE_LABELS", "ROWS_DIGEST",
           "SCHEMA_VERSION", "SETTINGS", "SQLITE_MIGRATIONS", "STATE_LABELS",
           "AcceptedCell", "Batch", "CheckRun", "CurrentValue", "Decision", "DecisionKind", "Ledger", "Migration",
           "NewBatch", "ReceivedReturn", "ReceivedSource", "RejectedReturn", "ReviewState", "SeenFinding", "Setting",
           "StagedRows", "StoredTask", "StoredValue", "TaskRow", "ValueRow",
           "archive_name", "default_db_path", "describe_location", "digest_of", "is_database", "resolve_db_path", "resolve_location",
           "rows_digest", "sha256_of", "stored_rows"]
