"""The ledger's schema: one list of numbered migrations, each in the form of both backends.

Migration ``i`` takes a ledger from schema version ``i`` to ``i + 1``; SQLite records the version in
``PRAGMA user_version``, PostgreSQL in the table ``pingtai_schema`` (one row per migration applied).
Both forms of a migration mean the same tables, columns and keys; where the dialects differ (types,
triggers, collation), the PostgreSQL form says so. Append a :class:`Migration`; never edit a shipped one.

PostgreSQL specifics: text that is sorted or compared is ``COLLATE "C"`` (byte order, as SQLite
sorts), so both backends order every read alike; value and task rows carry ``ord``, their place in
their batch (SQLite's ``rowid`` order); the archive lives in two tables of its own (``archive_file``,
``manifest``) created by migration 1; append-only is a statement trigger on every table (UPDATE,
DELETE, TRUNCATE), besides the privileges of the roles ``ledger init`` proposes.
"""

from __future__ import annotations

from pingtai.frozen import Record

# --- SQLite ---------------------------------------------------------------------------------------

_VALUE_TABLE = """
CREATE TABLE value (
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    indicator TEXT NOT NULL,
    period TEXT NOT NULL,
    period_end TEXT NOT NULL,
    agency TEXT NOT NULL,
    value REAL NOT NULL,
    unit TEXT NOT NULL,
    below_unit INTEGER NOT NULL DEFAULT 0 CHECK (below_unit IN (0, 1)),
    cell TEXT NOT NULL,
    raw TEXT NOT NULL
)"""

_SCHEMA_V1: tuple[str, ...] = (
    """
    CREATE TABLE batch (
        id INTEGER PRIMARY KEY,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        agency TEXT,
        period TEXT,
        layout TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        reporter TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        filled_on TEXT,
        plan_version TEXT NOT NULL DEFAULT '',
        imported INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        tasks INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        archive TEXT NOT NULL
    )""",
    _VALUE_TABLE,
    # The key plus batch_id: "newest batch per key" is a seek to the end of one index range, and
    # one batch cannot report the same key twice.
    "CREATE UNIQUE INDEX value_key ON value (indicator, period, agency, batch_id)",
    "CREATE INDEX value_batch ON value (batch_id)",
    """
    CREATE TABLE task_progress (
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        plan TEXT NOT NULL,
        task INTEGER NOT NULL,
        agency TEXT NOT NULL,
        period TEXT NOT NULL,
        period_end TEXT NOT NULL,
        status TEXT CHECK (status IS NULL OR status IN ('not_started', 'in_progress', 'done', 'late')),
        progress TEXT NOT NULL DEFAULT '',
        issues TEXT NOT NULL DEFAULT '',
        next_steps TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX task_key ON task_progress (plan, task, agency, period, batch_id)",
    "CREATE INDEX task_batch ON task_progress (batch_id)",
    *(
        f"""
        CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table}
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
        for table in ("batch", "value", "task_progress")
        for action in ("UPDATE", "DELETE")
    ),
)

_SCHEMA_V2: tuple[str, ...] = (
    # pingtai check --new-only: each run and the findings it saw, so the next run reports only
    # what is new or changed. Append-only like the rest; a run and its findings are one transaction.
    """
    CREATE TABLE check_run (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        scope TEXT NOT NULL,
        findings INTEGER NOT NULL DEFAULT 0,
        reported INTEGER NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX check_run_scope ON check_run (scope, id)",
    """
    CREATE TABLE check_finding (
        run_id INTEGER NOT NULL REFERENCES check_run(id),
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    )""",
    *(
        f"""
        CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table}
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
        for table in ("check_run", "check_finding")
        for action in ("UPDATE", "DELETE")
    ),
)

RECEIVED_SOURCES = """
    SELECT agency, period, id AS batch_id FROM batch WHERE agency IS NOT NULL AND period IS NOT NULL
    UNION ALL SELECT DISTINCT agency, period, batch_id FROM value
    UNION ALL SELECT DISTINCT agency, period, batch_id FROM task_progress"""
"""Every ``(agency, period, batch)`` that says a return was received: what ``received`` summarises."""

_SCHEMA_V3: tuple[str, ...] = (
    # Returns received, kept as batches are added: the first batch that brought each (agency,
    # period). Reading it replaces a pass over every value row on each status, report and check
    # (≈ 30 ms at 100,000 values, ≈ 0.3 s at a million); keeping it costs an import one DISTINCT
    # over its own rows, done by the thread that copies them (Ledger.stage).
    """
    CREATE TABLE received (
        agency TEXT NOT NULL,
        period TEXT NOT NULL,
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        PRIMARY KEY (agency, period)
    ) WITHOUT ROWID""",
    f"""
    INSERT INTO received (agency, period, batch_id)
    SELECT agency, period, MIN(batch_id) FROM ({RECEIVED_SOURCES}) GROUP BY agency, period""",
    *(
        f"""
        CREATE TRIGGER received_append_only_{action.lower()} BEFORE {action} ON received
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
        for action in ("UPDATE", "DELETE")
    ),
)

_SCHEMA_V4: tuple[str, ...] = (
    # When each return was received, as the office would defend it (import --received, else the date
    # the return carries, else the import day; received_source says which), whether it is a back-fill
    # of history (values count, timeliness does not), and the figures let through although the unit
    # -slip gate refused them (import --accept), with the reason given. A batch of an older ledger
    # keeps its meaning: received NULL is its import day (Beijing time), from the import.
    "ALTER TABLE batch ADD COLUMN received TEXT",
    "ALTER TABLE batch ADD COLUMN received_source TEXT NOT NULL DEFAULT 'import'"
    " CHECK (received_source IN ('option', 'return', 'import'))",
    "ALTER TABLE batch ADD COLUMN backfill INTEGER NOT NULL DEFAULT 0 CHECK (backfill IN (0, 1))",
    "ALTER TABLE batch ADD COLUMN accepted TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE batch ADD COLUMN accept_reason TEXT NOT NULL DEFAULT ''",
)

_SCHEMA_V5: tuple[str, ...] = (
    # Every value gets its dimensions: the area it is for ('' = the city: every value recorded before
    # is the city's, as no area could be stored), the growth the return reported beside it (同比, in
    # percent), last year's figure it reported (上年同期, in the indicator's unit) and its note. The key
    # index gains the area, so an area's figure and the city's are two keys; one unit's figures of an
    # indicator for an area lie together in it (its series: what the dashboard reads of an owner).
    "ALTER TABLE value ADD COLUMN area TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE value ADD COLUMN growth REAL",
    "ALTER TABLE value ADD COLUMN last_year REAL",
    "ALTER TABLE value ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    "DROP INDEX value_key",
    "CREATE UNIQUE INDEX value_key ON value (indicator, area, agency, period, batch_id)",
)

def _append_only(*tables: str) -> tuple[str, ...]:
    """The triggers that refuse to update or delete rows of ``tables``."""
    return tuple(f"""
        CREATE TRIGGER {table}_append_only_{action.lower()} BEFORE {action} ON {table}
        BEGIN SELECT RAISE(ABORT, 'pingtai ledger is append-only'); END"""
                 for table in tables for action in ("UPDATE", "DELETE"))


_SCHEMA_V6: tuple[str, ...] = (
    # Review (pingtai accept / reject / ledger set review): who checked the return (审核人), each
    # decision on a batch and each setting, appended — the newest decision on a batch is its state,
    # the newest row of a setting its value. ``after_batch`` is the newest batch id when the row was
    # written: which batches a setting governs, and where a rebuild replays the row among the imports.
    # The decisions log beside these rows is a file of the archive (archive/decisions.jsonl).
    "ALTER TABLE batch ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
    """
    CREATE TABLE decision (
        id INTEGER PRIMARY KEY,
        batch_id INTEGER NOT NULL REFERENCES batch(id),
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        after_batch INTEGER NOT NULL
    )""",
    "CREATE INDEX decision_batch ON decision (batch_id, id)",
    """
    CREATE TABLE setting (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        value TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL,
        after_batch INTEGER NOT NULL
    )""",
    *_append_only("decision", "setting"),
)


# --- PostgreSQL ------------------------------------------------------------------------------------

_C = 'TEXT COLLATE "C"'

_PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION pingtai_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'pingtai ledger is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END $$"""


def _pg_guard(*tables: str) -> tuple[str, ...]:
    return tuple(f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {table}
                     FOR EACH STATEMENT EXECUTE FUNCTION pingtai_append_only()""" for table in tables)


_PG_V1: tuple[str, ...] = (
    _PG_APPEND_ONLY,
    f"""
    CREATE TABLE batch (
        id BIGINT PRIMARY KEY CHECK (id > 0),
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
        agency {_C},
        period {_C},
        layout TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        reporter TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        filled_on TEXT,
        plan_version TEXT NOT NULL DEFAULT '',
        imported BIGINT NOT NULL DEFAULT 0,
        updated BIGINT NOT NULL DEFAULT 0,
        unchanged BIGINT NOT NULL DEFAULT 0,
        tasks BIGINT NOT NULL DEFAULT 0,
        warnings BIGINT NOT NULL DEFAULT 0,
        archive TEXT NOT NULL
    )""",
    f"""
    CREATE TABLE value (
        batch_id BIGINT NOT NULL REFERENCES batch(id) DEFERRABLE INITIALLY DEFERRED,
        ord INTEGER NOT NULL,
        indicator {_C} NOT NULL,
        period {_C} NOT NULL,
        period_end {_C} NOT NULL,
        agency {_C} NOT NULL,
        value DOUBLE PRECISION NOT NULL,
        unit TEXT NOT NULL,
        below_unit INTEGER NOT NULL DEFAULT 0 CHECK (below_unit IN (0, 1)),
        cell TEXT NOT NULL,
        raw TEXT NOT NULL,
        PRIMARY KEY (batch_id, ord)
    )""",
    "CREATE UNIQUE INDEX value_key ON value (indicator, period, agency, batch_id)",
    f"""
    CREATE TABLE task_progress (
        batch_id BIGINT NOT NULL REFERENCES batch(id) DEFERRABLE INITIALLY DEFERRED,
        ord INTEGER NOT NULL,
        plan {_C} NOT NULL,
        task INTEGER NOT NULL,
        agency {_C} NOT NULL,
        period {_C} NOT NULL,
        period_end {_C} NOT NULL,
        status TEXT CHECK (status IS NULL OR status IN ('not_started', 'in_progress', 'done', 'late')),
        progress TEXT NOT NULL DEFAULT '',
        issues TEXT NOT NULL DEFAULT '',
        next_steps TEXT NOT NULL DEFAULT '',
        cell TEXT NOT NULL,
        PRIMARY KEY (batch_id, ord)
    )""",
    "CREATE UNIQUE INDEX task_key ON task_progress (plan, task, agency, period, batch_id)",
    # The archive, in the database: each file's bytes once, by sha256 (``name``: archive/ab/….xlsx, the
    # path a file would have beside an SQLite ledger), and each batch's manifest entry as written, with
    # the sha256 of those bytes (its link in the chain). Written in the batch's own transaction.
    """
    CREATE TABLE archive_file (
        sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
        name TEXT NOT NULL,
        size BIGINT NOT NULL,
        data BYTEA NOT NULL
    )""",
    """
    CREATE TABLE manifest (
        batch_id BIGINT PRIMARY KEY REFERENCES batch(id) DEFERRABLE INITIALLY DEFERRED,
        sha256 TEXT NOT NULL UNIQUE REFERENCES archive_file(sha256),
        entry BYTEA NOT NULL,
        digest TEXT NOT NULL CHECK (length(digest) = 64)
    )""",
    *_pg_guard("batch", "value", "task_progress", "archive_file", "manifest"),
)

_PG_V2: tuple[str, ...] = (
    f"""
    CREATE TABLE check_run (
        id BIGINT PRIMARY KEY CHECK (id > 0),
        started_at TEXT NOT NULL,
        as_of TEXT NOT NULL,
        scope {_C} NOT NULL,
        findings BIGINT NOT NULL DEFAULT 0,
        reported BIGINT NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX check_run_scope ON check_run (scope, id)",
    f"""
    CREATE TABLE check_finding (
        run_id BIGINT NOT NULL REFERENCES check_run(id),
        key {_C} NOT NULL,
        fingerprint TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    )""",
    *_pg_guard("check_run", "check_finding"),
)

_PG_V3: tuple[str, ...] = (
    f"""
    CREATE TABLE received (
        agency {_C} NOT NULL,
        period {_C} NOT NULL,
        batch_id BIGINT NOT NULL REFERENCES batch(id) DEFERRABLE INITIALLY DEFERRED,
        PRIMARY KEY (agency, period)
    )""",
    f"""
    INSERT INTO received (agency, period, batch_id)
    SELECT agency, period, MIN(batch_id) FROM ({RECEIVED_SOURCES}) s GROUP BY agency, period""",
    *_pg_guard("received"),
)

_PG_V4: tuple[str, ...] = (
    "ALTER TABLE batch ADD COLUMN received TEXT",
    "ALTER TABLE batch ADD COLUMN received_source TEXT NOT NULL DEFAULT 'import'"
    " CHECK (received_source IN ('option', 'return', 'import'))",
    "ALTER TABLE batch ADD COLUMN backfill INTEGER NOT NULL DEFAULT 0 CHECK (backfill IN (0, 1))",
    "ALTER TABLE batch ADD COLUMN accepted TEXT NOT NULL DEFAULT '[]'",
    "ALTER TABLE batch ADD COLUMN accept_reason TEXT NOT NULL DEFAULT ''",
)

_PG_V5: tuple[str, ...] = (
    f"ALTER TABLE value ADD COLUMN area {_C} NOT NULL DEFAULT ''",
    "ALTER TABLE value ADD COLUMN growth DOUBLE PRECISION",
    "ALTER TABLE value ADD COLUMN last_year DOUBLE PRECISION",
    "ALTER TABLE value ADD COLUMN note TEXT NOT NULL DEFAULT ''",
    "DROP INDEX value_key",
    "CREATE UNIQUE INDEX value_key ON value (indicator, area, agency, period, batch_id)",
)

_PG_V6: tuple[str, ...] = (
    # Migration 6 as SQLite has it (review: 审核人, decisions, settings), plus the decisions log, which
    # lives in the database as the archive does: each line's bytes as written, in the order written
    # (``seq``), with the sha256 of those bytes (the next line's ``previous``), inserted in the
    # decision's own transaction.
    "ALTER TABLE batch ADD COLUMN reviewer TEXT NOT NULL DEFAULT ''",
    """
    CREATE TABLE decision (
        id BIGINT PRIMARY KEY CHECK (id > 0),
        batch_id BIGINT NOT NULL REFERENCES batch(id),
        decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
        decided_by TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        after_batch BIGINT NOT NULL
    )""",
    "CREATE INDEX decision_batch ON decision (batch_id, id)",
    f"""
    CREATE TABLE setting (
        id BIGINT PRIMARY KEY CHECK (id > 0),
        name {_C} NOT NULL,
        value TEXT NOT NULL,
        set_by TEXT NOT NULL,
        set_at TEXT NOT NULL,
        after_batch BIGINT NOT NULL
    )""",
    """
    CREATE TABLE decision_log (
        seq BIGINT PRIMARY KEY CHECK (seq > 0),
        entry BYTEA NOT NULL,
        digest TEXT NOT NULL UNIQUE CHECK (length(digest) = 64)
    )""",
    *_pg_guard("decision", "setting", "decision_log"),
)


class Migration(Record):
    """One step of the schema, as SQLite and PostgreSQL run it."""

    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(_SCHEMA_V1, _PG_V1),
    Migration(_SCHEMA_V2, _PG_V2),
    Migration(_SCHEMA_V3, _PG_V3),
    Migration(_SCHEMA_V4, _PG_V4),
    Migration(_SCHEMA_V5, _PG_V5),
    Migration(_SCHEMA_V6, _PG_V6),
)
"""Migration ``i`` takes a ledger from schema version ``i`` to ``i + 1``. Append; never edit a shipped one."""
SCHEMA_VERSION = len(MIGRATIONS)

SQLITE_MIGRATIONS: tuple[tuple[str, ...], ...] = tuple(m.sqlite for m in MIGRATIONS)
"""The SQLite forms, in order (what tests build old ledgers from)."""

TABLES = ("batch", "value", "task_progress", "received", "check_run", "check_finding", "decision", "setting")
"""The ledger's tables of records (both backends); PostgreSQL adds ``archive_file``, ``manifest`` and
``decision_log`` (the archive and the decisions log, which SQLite keeps as files)."""
