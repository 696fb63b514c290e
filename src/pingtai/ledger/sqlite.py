"""The SQLite backend: one file, its archive in a folder beside it (:mod:`pingtai.archive`).

The default ledger. Writes take SQLite's write lock at ``BEGIN IMMEDIATE`` (WAL mode: readers never
wait for it); batch ids are ``MAX(id) + 1`` under that lock. The archive's steps
(:mod:`pingtai.ledger.base`) are files: the copy is written and fsynced before the batch row, the
manifest entry goes to ``archive/pending/`` before COMMIT and beside its file after it. A new ledger is
never started beside an archive that already records batches: that is a lost ledger, to be rebuilt.
The decisions log is the file ``archive/decisions.jsonl``: a decision's lines are appended and fsynced
before its rows, cut back if the transaction rolls back; trailing lines no row claims (a kill before
COMMIT) are dropped by the next decision, under the write lock.

The schema evolves through the migrations of :mod:`pingtai.ledger.schema`, the version recorded in
``PRAGMA user_version``; a ledger written by a newer pingtai is refused untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import threading
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pingtai import archive
from pingtai.archive import LogEntry, ManifestEntry
from pingtai.errors import LedgerError, text_name
from pingtai.ledger import schema
from pingtai.ledger.base import ExportedBatch, StagedRows
from pingtai.ledger.model import (
    BATCH_COLUMNS,
    NewBatch,
    SeenFinding,
    TaskRow,
    batch_row,
    insert_chunks,
    task_rows,
)
from pingtai.ledger.schema import RECEIVED_SOURCES
from pingtai.ledger.sql import RECEIVED_OF, TASK_COLUMNS, VALUE_COLUMNS, SqlLedger
from pingtai.safe_write import os_reason, replace_atomically

if TYPE_CHECKING:
    from pingtai.records import TaskRecord, ValueRecord

WRITE_CACHE_KIB = 64 * 1024
"""SQLite's page cache for a connection that writes (KiB): enough for a 100 000-value batch."""
BUSY_TIMEOUT_MS = 30_000
"""How long a writer waits for another import (or a reader's checkpoint) before giving up."""

_STAGED = "pingtai_staged_values"


def _staging_statements() -> tuple[str, str]:
    """The INSERTs of staged value rows (:func:`~pingtai.ledger.model.insert_chunks`): with growth and
    last year's figure, and without them (left NULL)."""
    every = VALUE_COLUMNS.split(", ")
    plain = [name for name in every if name not in ("growth", "last_year")]
    return (f"INSERT INTO temp.{_STAGED} ({', '.join(every)}) VALUES ({', '.join('?' * len(every))})",
            f"INSERT INTO temp.{_STAGED} ({', '.join(plain)}) VALUES ({', '.join('?' * len(plain))})")


class _CopiedRows(StagedRows, frozen=False):
    """A batch's rows on their way into the ledger (:meth:`Ledger.stage`), and the helper thread
    copying the value rows into place."""

    def __init__(self, batch_id: int, values: Sequence[ValueRecord], tasks: list[TaskRow]) -> None:
        super().__init__(batch_id, values, tasks)
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self, db: sqlite3.Connection, *statements: str) -> None:
        def copy() -> None:
            try:
                for statement in statements:
                    db.execute(statement)
            except BaseException as exc:  # raised in the thread that waits
                self._error = exc

        self._thread = threading.Thread(target=copy, name="pingtai-copy-rows", daemon=True)
        self._thread.start()

    def wait(self) -> BaseException | None:
        """Wait for the copy; what it raised, if anything."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self._error


class SqliteLedger(SqlLedger):
    """A ledger in an SQLite file (see the module docstring). :meth:`transaction` is ``BEGIN IMMEDIATE``."""

    def __init__(self, connection: sqlite3.Connection, path: Path | None, readonly: bool) -> None:
        # ``connection`` must be made with check_same_thread=False (rows are copied in a helper thread)
        self._db = connection
        self.path = path
        """The database file, or ``None`` for the empty stand-in of a ledger that does not exist yet."""
        self.readonly = readonly
        self._name = text_name(path.name) if path is not None else ""
        """The ledger's name in archive manifest entries (a rebuild's temporary file uses the target's)."""
        self._immutable = False
        """Opened as immutable because its directory cannot be written (see :meth:`_open_immutable`)."""
        self._staged: list[str] = []
        """sha256 of the files whose manifest entries this transaction wrote to ``pending/``."""
        self._stored: list[str] = []
        """Archive paths of the files this transaction copied in (removed again if it rolls back)."""
        self._log_mark: int | None = None
        """The decisions log's size before this transaction appended to it (cut back if it rolls back)."""
        self._copying: _CopiedRows | None = None
        """Rows being copied into place in the background (:meth:`stage`); waited for before any
        other use of the connection."""

    # --- opening -------------------------------------------------------------------------------
    @classmethod
    def open_file(cls, path: Path, *, create: bool = True, readonly: bool = False) -> SqliteLedger:
        """Open (and, with ``create``, create and migrate) the ledger at ``path``.

        A missing (or empty) file opened with ``create=False`` or ``readonly=True`` gives an empty,
        in-memory ledger that leaves no file behind (a dry run; reading commands refuse a missing
        ledger before they open it, :class:`pingtai.service.Store`). ``readonly``
        makes the connection query-only (dry runs, reports); an existing ledger opened without it
        is migrated to the current schema. Raises
        :class:`LedgerError` for a file that is not SQLite, a schema newer than this pingtai, or a
        database that cannot be opened or created — and for a missing ledger whose archive
        records its batches (a lost ledger: reading it as empty would hide everything, starting a
        new one would fork the record).
        """
        return cls._open(path, create=create, readonly=readonly, rebuild_of=None)

    @classmethod
    def create_for_rebuild(cls, path: Path, name: str) -> SqliteLedger:
        """Create the new ledger ``path`` that ``ledger rebuild`` fills from the archive beside it
        and then renames to ``name`` (its archive entries already carry that name)."""
        return cls._open(path, create=True, readonly=False, rebuild_of=name)

    @classmethod
    def _open(cls, path: Path, *, create: bool, readonly: bool, rebuild_of: str | None) -> SqliteLedger:
        if rebuild_of is None and _missing(path) and archive.records_ledger(path.parent, text_name(path.name)) and _missing(path):
            # Checked in this order: a committed entry means its ledger existed when it was written,
            # so another process creating the ledger meanwhile is seen by the second look.
            raise LedgerError(f"台账 {path} 不存在或为空，但其旁边的归档中已记录了导入批次：台账可能已丢失或被移走",
                              hint="请运行 pingtai ledger rebuild 从归档重建台账，或用 --db / PINGTAI_DB 指向原来的台账。")
        if not path.exists() and (readonly or not create):
            return cls.empty()
        if (readonly or not create) and path.is_file() and path.stat().st_size == 0:
            return cls.empty()  # an empty file is an empty SQLite database: nothing recorded yet
        if path.exists() and path.is_dir():
            raise LedgerError(f"台账路径是目录，不是数据库文件：{path}", hint="请用 --db 或 PINGTAI_DB 指向一个文件。")
        if path.exists() and _unwritable_directory(path):
            # SQLite's WAL readers create a -shm file beside the database: where the directory (or
            # the whole filesystem) cannot be written, read the file as immutable; refuse a write
            # by naming the directory, not with SQLite's "unable to open database file".
            if readonly or not create:
                return cls._open_immutable(path)
            raise _unwritable(path)
        if not path.exists():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LedgerError(f"无法创建台账目录 {path.parent}：{os_reason(exc)}") from None
            if not os.access(path.parent, os.W_OK):
                raise _unwritable(path)
        try:
            # Read-only ledgers use an ordinary connection made query-only: SQLite can then tidy
            # its -wal/-shm files on close, so a read (or a dry run) leaves no trace on disk.
            # check_same_thread off: a batch's rows are copied into place by a helper thread while
            # this one computes their digest (see stage()); never two threads on it at once.
            connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                         check_same_thread=False)
        except sqlite3.Error as exc:
            raise _sqlite_error(path, exc, "打开") from None
        ledger = cls(connection, path, readonly)
        ledger._name = rebuild_of or text_name(path.name)
        return ledger._ready(migrate=create and not readonly)

    def _ready(self, *, migrate: bool) -> SqliteLedger:
        """Check (and, if asked, migrate) the schema of a just-opened ledger; return the ledger to use.

        A database with no schema yet (another process is creating the ledger right now) holds
        nothing recorded yet, like a missing file — reading it must not fail or migrate it.
        """
        try:
            fresh = self._prepare(migrate=migrate)
        except BaseException:
            self._db.close()
            raise
        if fresh:
            self._db.close()
            return self.empty()
        return self

    @classmethod
    def _open_immutable(cls, path: Path) -> SqliteLedger:
        """Read a ledger on read-only media (a read-only mount, a backup drive): SQLite cannot
        create the -shm file WAL mode needs, so the file is opened as immutable — safe, since
        nothing can write there — unless a -wal file holds changes not yet merged into it."""
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise LedgerError(f"台账为只读，且其日志文件 {wal.name} 中有尚未合并的数据，无法可靠读取：{path}",
                              hint="请在可写的位置打开一次（例如复制台账及其 -wal 文件到可写目录）。")
        uri = f"file:{urllib.parse.quote(str(path.absolute()))}?mode=ro&immutable=1"
        try:
            connection = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise _sqlite_error(path, exc, "打开") from None
        ledger = cls(connection, path, readonly=True)
        ledger._immutable = True
        return ledger._ready(migrate=False)

    @classmethod
    def empty(cls) -> SqliteLedger:
        """An empty, in-memory ledger that cannot be written: what a ledger that does not exist yet reads as."""
        connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        ledger = cls(connection, None, readonly=True)
        ledger._migrate(0)
        return ledger

    def _prepare(self, *, migrate: bool) -> bool:
        """Check the file is a ledger this pingtai can use and set the connection up; migrate it
        when ``migrate`` (an existing ledger of an older schema is migrated too, unless read-only).
        Returns ``True`` for a database without any schema when not ``migrate``."""
        where = str(self.path)
        try:
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Reading the version first touches nothing, so a foreign or newer file stays as it was.
            # One statement, one snapshot: read apart, another process creating the ledger could
            # commit its first migration in between (version 0 seen, then its tables).
            row = self._db.execute(
                "SELECT (SELECT user_version FROM pragma_user_version),"
                " (SELECT json_group_array(name) FROM sqlite_master WHERE type = 'table')").fetchone()
            version = int(row[0])
            tables = set(json.loads(row[1]))
        except sqlite3.DatabaseError as exc:
            raise _sqlite_error(self.path, exc, "读取") from None
        if version > schema.SCHEMA_VERSION:
            raise LedgerError(
                f"台账 {where} 由更新版本的 pingtai 创建（结构版本 {version}，本版支持 {schema.SCHEMA_VERSION}），未作任何改动",
                hint="请升级 pingtai 后再使用此台账。")
        if version == 0 and tables:
            raise LedgerError(f"不是 pingtai 台账：{where} 是另一个 SQLite 数据库（含表 {'、'.join(sorted(tables)[:5])}）",
                              hint="请用 --db 或 PINGTAI_DB 指向 pingtai 的台账文件，或指向一个新文件名。")
        if version == 0 and not migrate:
            return True
        self._db.execute("PRAGMA foreign_keys = ON")
        if self.readonly:
            self._db.execute("PRAGMA query_only = ON")
            if version < schema.SCHEMA_VERSION:
                self._upgrade_aside(version)
            return False
        try:
            if self._db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            # A batch of 100 000 values touches ≈ 20 MB of table and index pages: with SQLite's
            # default 2 MB cache it spills them to the WAL mid-transaction and reads them back
            # (≈ 100 000 extra page writes and reads). The cache grows only as pages are used.
            self._db.execute(f"PRAGMA cache_size = -{WRITE_CACHE_KIB}")
            self._db.execute("PRAGMA temp_store = MEMORY")  # the staged rows (see stage())
            self._migrate(version)
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        # A ledger opened for writing heals what a kill right after a COMMIT left (no lock needed:
        # only entries whose batch is committed are moved), even if this run then writes nothing.
        self._finish_interrupted()
        return False

    def _upgrade_aside(self, version: int) -> None:
        """A read-only open found an older schema (pingtai was updated since the ledger was last
        written): migrate it through a separate, writing connection where the file can be written,
        so a reading command (status, a dry run) works at once; else refuse, saying how to upgrade.
        This connection reads the new schema afterwards (SQLite notices the change)."""
        path = self.path
        if path is None or self._immutable or not os.access(path, os.W_OK) or _unwritable_directory(path):
            raise LedgerError(f"台账 {path} 结构版本较旧（{version}），只读方式下无法升级",
                              hint="请在可写的位置运行一次 pingtai import（非试运行）或任一读取台账的命令（如 pingtai batches）以升级台账结构。")
        SqliteLedger._open(path, create=True, readonly=False, rebuild_of=None).close()

    def _migrate(self, version: int) -> None:
        if version >= schema.SCHEMA_VERSION:
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            for number in range(version, schema.SCHEMA_VERSION):
                for statement in schema.MIGRATIONS[number].sqlite:
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()

    @property
    def exists(self) -> bool:
        return self.path is not None

    @property
    def writable(self) -> bool:
        return self.path is not None and not self.readonly

    @property
    def root(self) -> Path | None:
        """The directory holding the database and its ``archive/``."""
        return self.path.parent if self.path is not None else None

    @property
    def name(self) -> str:
        """The ledger's name as its archive's manifest entries record it (a rebuild: the target's)."""
        return self._name

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _insert_check_run(self, *, started_at: str, as_of: str, scope: str, findings: Sequence[SeenFinding],
                          reported: int, run_id: int | None = None) -> int:
        try:
            cursor = self._db.execute(
                "INSERT INTO check_run (id, started_at, as_of, scope, findings, reported) VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, started_at, as_of, scope, len(findings), reported))
            run_id = int(cursor.lastrowid or 0)
            self._db.executemany(
                "INSERT INTO check_finding (run_id, key, fingerprint, kind, severity) VALUES (?, ?, ?, ?, ?)",
                ((run_id, f.key, f.fingerprint, f.kind, f.severity) for f in findings))
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"记录检查结果被拒绝（{exc}）：同一次检查中出现重复的发现键") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        return run_id

    def _in_list(self, expression: str, values: list[str]) -> tuple[str, Any]:
        return f"{expression} IN (SELECT value FROM json_each(?))", json.dumps(values, ensure_ascii=False)

    def _series_join(self, keys: list[tuple[str, str, str]]) -> tuple[str, str, list[Any]]:
        joined = """JOIN (SELECT CAST(key AS INTEGER) AS n, json_extract(value, '$[0]') AS indicator,
                                 json_extract(value, '$[1]') AS area, json_extract(value, '$[2]') AS agency
                          FROM json_each(?)) s
                    ON v.indicator = s.indicator AND v.area = s.area AND v.agency = s.agency"""
        return "s.n", joined, [json.dumps(keys, ensure_ascii=False)]

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _sqlite_error(self.path, exc, "读取") from None

    # --- writing -------------------------------------------------------------------------------
    def _begin(self) -> None:
        if self._immutable and self.path is not None:
            raise _unwritable(self.path)
        if self.path is None or self.readonly:
            raise LedgerError(f"台账以只读方式打开，不能写入：{self.path or '（不存在）'}")
        if self._db.in_transaction:
            raise RuntimeError("nested ledger transaction")
        try:
            self._db.execute("BEGIN IMMEDIATE")  # the write lock, from the start
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        self._staged = []
        self._stored = []
        self._log_mark = None

    def _abort(self) -> None:
        if self._copying is not None:
            self._copying.wait()  # the connection is the copy's until it ends: then roll it back too
            self._copying = None
        with contextlib.suppress(sqlite3.Error):
            self._db.execute("ROLLBACK")
        self._drop_staged()

    def _commit(self) -> None:
        if self._copying is not None:  # a caller's bug: rows staged but never added as a batch
            self._abort()
            raise RuntimeError("rows staged but never added as a batch: rolled back")
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
            self._drop_staged()
            raise _sqlite_error(self.path, exc) from None

    def _committed(self) -> None:
        """Move this transaction's manifest entries beside their files (step 5 of :mod:`pingtai.archive`)."""
        root = self.root
        assert root is not None
        for sha in self._staged:
            archive.commit(root, sha)
        self._staged = []
        self._stored = []
        self._log_mark = None

    def _drop_staged(self) -> None:
        """After a rollback: remove this transaction's pending entries and the files it archived."""
        if self.root is not None:
            for sha in self._staged:
                archive.discard(self.root, sha)
            for relative in self._stored:
                archive.unstore(self.root, relative)
            if self._log_mark is not None:
                archive.truncate_log(self.root, self._log_mark)
        self._log_mark = None
        self._staged = []
        self._stored = []

    def _finish_interrupted(self) -> None:
        """Commit the pending manifest entries whose batch is in the ledger (see :mod:`pingtai.archive`)."""
        root = self.root
        assert root is not None
        for sha, entry in archive.pending_entries(root):
            if entry is None:
                continue
            rows = self._query("SELECT id FROM batch WHERE sha256 = ?", [sha])
            if rows and int(rows[0][0]) == entry.batch:
                archive.commit(root, sha)

    def stage(self, values: Sequence[ValueRecord], tasks: Sequence[TaskRecord], *,
              batch_id: int | None = None) -> StagedRows:
        """Start recording the rows of the next batch; finish with :meth:`add_batch` (``staged=``).

        Must run inside :meth:`transaction`, after everything the caller reads from the ledger:
        until :meth:`add_batch` the connection belongs to a helper thread. The value rows go into a
        temporary table (no index to maintain, so binding them is quick) a chunk at a time
        (:func:`~pingtai.ledger.model.insert_chunks`), and the helper copies them into ``value``
        with one ``INSERT … SELECT``, during which SQLite holds no Python lock — so the caller's
        counting of the rows and the digest overlap the index work. The batch row comes last (its
        counts are known only then); foreign keys are checked at COMMIT. ``batch_id``: the id to
        give the batch (a rebuild), else the next one.
        """
        if not self._db.in_transaction or self.root is None:
            raise RuntimeError("stage outside a transaction")
        if self._copying is not None:
            raise RuntimeError("rows already staged")
        new_tasks = task_rows(tasks)
        try:
            if batch_id is None:
                batch_id = int(self._db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM batch").fetchone()[0])
            self._db.execute("PRAGMA defer_foreign_keys = ON")  # ends with the transaction
            self._db.execute(f"DROP TABLE IF EXISTS temp.{_STAGED}")
            self._db.execute(f"CREATE TEMP TABLE {_STAGED} ({VALUE_COLUMNS})")
            measures, plain = _staging_statements()
            for measured, rows in insert_chunks(values):
                self._db.executemany(measures if measured else plain, rows)
            # the batch id written into the statement (an int): the staged rows need no column for it
            self._db.executemany(
                f"""INSERT INTO task_progress (batch_id, plan, task, agency, period, period_end, status, progress,
                       issues, next_steps, cell) VALUES ({batch_id:d}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", new_tasks)
            # batches are added in the order of their ids: an (agency, period) already there keeps its first
            self._db.executemany(f"INSERT OR IGNORE INTO received (agency, period, batch_id) VALUES (?, ?, {batch_id:d})",
                                 sorted({(row[2], row[3]) for row in new_tasks}))
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"写入台账被拒绝（{exc}）：同一文件中同一任务、期别、单位出现两次") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        staged = _CopiedRows(batch_id, values, new_tasks)
        staged.start(self._db, f"""INSERT INTO value (batch_id, {VALUE_COLUMNS})
                                   SELECT {batch_id:d}, {VALUE_COLUMNS} FROM temp.{_STAGED} ORDER BY rowid""",
                     f"""INSERT OR IGNORE INTO received (agency, period, batch_id)
                         SELECT DISTINCT agency, period, {batch_id:d} FROM temp.{_STAGED}""",
                     f"DROP TABLE temp.{_STAGED}")
        self._copying = staged
        return staged

    def _require_transaction(self) -> None:
        if not self._db.in_transaction or self.root is None:
            raise RuntimeError("add_batch outside a transaction")

    def _archive_file(self, source: Path, sha256: str, name: str) -> None:
        root = self.root
        assert root is not None
        if archive.store(root, source, sha256, name):  # atomic and fsynced (see pingtai.archive)
            self._stored.append(name)

    def _rows_copied(self, staged: StagedRows) -> BaseException | None:
        if staged is not self._copying:
            raise RuntimeError("add_batch with rows staged elsewhere")
        error = self._copying.wait()
        self._copying = None
        if isinstance(error, sqlite3.IntegrityError):
            return LedgerError(f"写入台账被拒绝（{error}）：同一文件中同一指标、期别、单位出现两次，或文件（批次号）已导入")
        if isinstance(error, sqlite3.OperationalError):
            return _sqlite_error(self.path, error)
        return error

    def _insert_batch(self, batch_id: int, batch: NewBatch, archive: str, imported_at: str) -> None:
        try:
            self._db.execute(f"INSERT INTO batch ({BATCH_COLUMNS}) VALUES ({', '.join('?' * len(BATCH_COLUMNS.split(',')))})",
                             batch_row(batch_id, batch, archive, imported_at))
            if batch.agency is not None and batch.period is not None:
                self._db.execute("INSERT OR IGNORE INTO received (agency, period, batch_id) VALUES (?, ?, ?)",
                                 (batch.agency, str(batch.period), batch_id))
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"写入台账被拒绝（{exc}）：同一文件中同一指标、期别、单位出现两次，或文件（批次号）已导入") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None

    def _entry_digest_before(self, batch_id: int) -> str | None:
        # under this transaction's lock: no batch can come between
        before = self._query("SELECT sha256 FROM batch WHERE id < ? ORDER BY id DESC LIMIT 1", [batch_id])
        root = self.root
        assert root is not None
        return archive.entry_digest(root, str(before[0][0])) if before else None

    def _write_entry(self, entry: ManifestEntry) -> None:
        root = self.root
        assert root is not None
        archive.write_pending(root, entry)  # moved beside its file after COMMIT (_committed)
        self._staged.append(entry.sha256)

    # --- the decisions log: a file of the archive -----------------------------------------------
    def decisions_log(self) -> bytes:
        root = self.root
        if root is None:
            return b""
        try:
            return archive.log_path(root).read_bytes()
        except FileNotFoundError:
            return b""
        except OSError as exc:
            raise LedgerError(f"无法读取决定记录 {archive.log_path(root)}：{os_reason(exc)}") from None

    def _log_head(self) -> str | None:
        root = self.root
        assert root is not None
        self._heal_log(root)
        return archive.log_head(root)

    def _append_log(self, lines: Sequence[bytes]) -> None:
        root = self.root
        assert root is not None
        mark = archive.append_log(root, list(lines))  # fsynced before the rows are inserted
        if self._log_mark is None:
            self._log_mark = mark

    def _carry_log(self, data: bytes) -> None:
        """The whole log of the ledger copied here (a backup): written as is. A log already in this folder
        (an earlier backup into it) is replaced when ``data`` continues it, else refused."""
        root = self.root
        assert root is not None
        if not data:
            return
        present = self.decisions_log()
        if not data.startswith(present):
            raise LedgerError(f"目标位置已有另一台账的决定记录：{archive.log_path(root)}",
                              hint="请把副本写到另一个目录（每个目录一个台账）。")
        try:
            archive.log_path(root).parent.mkdir(parents=True, exist_ok=True)
            replace_atomically(archive.log_path(root), lambda handle: handle.writelines([data]))
        except OSError as exc:
            raise LedgerError(f"写入决定记录失败 {archive.log_path(root)}：{os_reason(exc)}") from None

    def _insert_logged(self, entries: Sequence[LogEntry]) -> None:
        try:
            for entry in entries:
                if entry.kind == "decision":
                    self._db.execute(
                        """INSERT INTO decision (id, batch_id, decision, decided_by, decided_at, note, after_batch)
                           VALUES (?, ?, ?, ?, ?, ?, ?)""",
                        (entry.id, entry.batch, entry.decision, entry.by, entry.at, entry.note, entry.after_batch))
                else:
                    self._db.execute(
                        "INSERT INTO setting (id, name, value, set_by, set_at, after_batch) VALUES (?, ?, ?, ?, ?, ?)",
                        (entry.id, entry.name, entry.value, entry.by, entry.at, entry.after_batch))
        except sqlite3.IntegrityError as exc:  # a batch that is not there (a rebuild that skipped it), a taken id
            raise LedgerError(f"写入决定被拒绝（{exc}）：所指批次不在台账中，或记录编号已被占用") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None

    def _heal_log(self, root: Path) -> None:
        """Drop the trailing lines of the decisions log that no row claims: a decision killed between the
        log's fsync and COMMIT (under the write lock, so no decision is in flight)."""
        path = archive.log_path(root)
        try:
            lines = path.read_bytes().splitlines(keepends=True)
        except OSError:
            return
        keep = len(lines)
        while keep:
            try:
                entry = LogEntry.from_json(lines[keep - 1])
            except ValueError:
                break  # not ours to mend: ledger verify names it
            table = "decision" if entry.kind == "decision" else "setting"
            if self._query(f"SELECT 1 FROM {table} WHERE id = ?", [entry.id]):
                break
            keep -= 1
        if keep < len(lines):
            archive.truncate_log(root, sum(map(len, lines[:keep])))

    # --- upkeep --------------------------------------------------------------------------------
    def export_batch(self, batch_id: int) -> ExportedBatch:
        root = self.root
        rows = self._query(f"SELECT {BATCH_COLUMNS} FROM batch WHERE id = ?", [batch_id])
        if root is None or not rows:
            raise LedgerError(f"台账中没有批次 {batch_id}")
        row = tuple(rows[0])
        values, tasks = self.batch_rows(batch_id)
        sha, name = str(row[2]), str(row[16])
        try:
            data = (root / name).read_bytes()
        except OSError as exc:
            raise LedgerError(f"批次 {batch_id}（{row[1]}）的归档文件无法读取：{name}（{os_reason(exc)}）",
                              hint="请先运行 pingtai ledger verify 查看归档。") from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise LedgerError(f"批次 {batch_id}（{row[1]}）的归档文件已被改动：{name}", hint="请先运行 pingtai ledger verify 查看归档。")
        entry = None
        for pending in (False, True):
            with contextlib.suppress(OSError):
                entry = archive.entry_path(root, sha, pending=pending).read_bytes()
                break
        return ExportedBatch(row, values, tasks, data, entry)

    def restore_batch(self, batch: ExportedBatch) -> None:
        root = self.root
        if not self._db.in_transaction or root is None:
            raise RuntimeError("restore_batch outside a transaction")
        try:
            self._db.execute("PRAGMA defer_foreign_keys = ON")
            self._db.executemany(f"INSERT INTO value (batch_id, {VALUE_COLUMNS}) VALUES ({batch.id:d}, {', '.join('?' * 13)})",
                                 batch.values)
            self._db.executemany(f"INSERT INTO task_progress (batch_id, {TASK_COLUMNS}) VALUES ({batch.id:d}, {', '.join('?' * 10)})",
                                 batch.tasks)
            self._db.execute(f"INSERT INTO batch ({BATCH_COLUMNS}) VALUES ({', '.join('?' * len(batch.row))})", batch.row)
            self._db.execute(f"INSERT OR IGNORE INTO received (agency, period, batch_id) {RECEIVED_OF}", [batch.id] * 6)
        except sqlite3.IntegrityError as exc:
            raise LedgerError(f"复制批次 {batch.id} 被拒绝（{exc}）") from None
        except sqlite3.OperationalError as exc:
            raise _sqlite_error(self.path, exc) from None
        if archive.store_bytes(root, batch.data, batch.sha256, batch.archive):
            self._stored.append(batch.archive)
        if batch.entry is not None:
            archive.write_pending_bytes(root, batch.sha256, batch.entry)
            self._staged.append(batch.sha256)

    def integrity_problems(self) -> list[str]:
        """What SQLite's own checks and the ledger's invariants find wrong; empty when all is well.

        ``PRAGMA integrity_check`` (pages, indexes, constraints), ``PRAGMA foreign_key_check``
        (rows whose batch does not exist) and the append-only triggers being in place.
        """
        found: list[str] = []
        try:
            rows = self._db.execute("PRAGMA integrity_check").fetchall()
            found += [f"SQLite 完整性检查：{row[0]}" for row in rows if row[0] != "ok"]
            for table, rowid, parent, _ in self._db.execute("PRAGMA foreign_key_check").fetchall():
                found.append(f"{table} 表第 {rowid} 行指向不存在的 {parent}（悬空记录）")
            triggers = {row[0] for row in self._db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        except sqlite3.DatabaseError as exc:
            return [f"SQLite 完整性检查失败：{exc}"]
        missing = sorted(f"{table}_append_only_{action}" for table in ("batch", "value", "task_progress", "received",
                                                                                "decision", "setting")
                         for action in ("update", "delete") if f"{table}_append_only_{action}" not in triggers)
        if missing:
            found.append(f"缺少只追加保护触发器：{'、'.join(missing)}（台账曾被 pingtai 以外的程序修改）")
        try:
            differ = self._db.execute(f"""
                WITH expected AS (SELECT agency, period, MIN(batch_id) AS batch_id FROM ({RECEIVED_SOURCES})
                                  GROUP BY agency, period)
                SELECT (SELECT COUNT(*) FROM (SELECT * FROM expected EXCEPT SELECT agency, period, batch_id FROM received))
                     + (SELECT COUNT(*) FROM (SELECT agency, period, batch_id FROM received EXCEPT SELECT * FROM expected))
                """).fetchone()[0]
        except sqlite3.DatabaseError as exc:
            return [*found, f"无法核对已收报表汇总：{exc}"]
        if differ:
            found.append(f"已收报表汇总（received 表）与批次记录不符：{differ} 处（台账曾被 pingtai 以外的程序修改）")
        return found

    def backup_to(self, target: Path) -> None:
        """Copy the ledger, as of one consistent moment, into the new file ``target``.

        SQLite's online backup API: it reads one snapshot (others keep writing meanwhile — in WAL
        mode a reader blocks no writer) and writes a complete database. ``target`` must not exist.
        Raises :class:`LedgerError` when the copy cannot be made.
        """
        try:
            destination = sqlite3.connect(target, isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"无法创建备份文件 {target}：{exc}") from None
        try:
            self._db.backup(destination)
            # A backup is one self-contained file (rollback journal, not WAL): it opens read-only,
            # from a read-only medium, with no -wal/-shm beside it.
            destination.execute("PRAGMA journal_mode = DELETE")
            check = destination.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise LedgerError(f"备份文件未通过完整性检查：{check}")
        except sqlite3.Error as exc:
            raise _sqlite_error(target, exc) from None
        finally:
            destination.close()


def _unwritable_directory(path: Path) -> bool:
    """Whether ``path`` sits in a directory this process cannot write (a read-only mount, a cron
    user given read access only — False there even for root). SQLite's WAL readers must create the
    ``-shm`` file beside the database, so an ordinary connection cannot even open it there."""
    return not os.access(path.parent, os.W_OK)


def _unwritable(path: Path) -> LedgerError:
    return LedgerError(f"台账为只读，无法写入：所在目录不可写 {path.parent}",
                       hint="写入台账（导入、check --new-only、重建）需要该目录的写权限（SQLite 要在台账旁建 -wal 文件）；台账未作改动。")


def _missing(path: Path) -> bool:
    """No ledger at ``path`` yet: no file, or an empty one (SQLite writes nothing until it must)."""
    """No ledger at ``path`` yet: no file, or an empty one (SQLite writes nothing until it must)."""
    try:
        return path.stat().st_size == 0 and path.is_file()
    except OSError:
        return True


LOW_SPACE = 256 * 1024
"""Below this many free bytes an SQLite I/O error is reported as a full disk."""


def _sqlite_error(path: Path | None, exc: sqlite3.Error, doing: str = "写入") -> LedgerError:
    """What went wrong, in words a user can act on. Nothing was changed: SQLite rolls back.

    Told apart by SQLite's own error name: not a database, damaged, read-only, busy, disk full
    (also an I/O error with almost no free space: a WAL-mode database cannot even be read when its
    -shm file cannot grow), other I/O errors, cannot open.
    """
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = path or "（内存）"
    if name == "SQLITE_NOTADB" or "file is not a database" in text:
        return LedgerError(f"不是 pingtai 台账（不是有效的 SQLite 数据库）：{where}",
                           hint=f"SQLite 报告：{text}。请检查 --db / PINGTAI_DB 是否指向正确的文件；文件未作任何改动。")
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return LedgerError(f"台账文件已损坏：{where}（SQLite 报告：{text}）",
                           hint="请用 pingtai ledger verify 查看；从备份恢复，或移走该文件后运行 pingtai ledger rebuild 从归档重建。")
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return LedgerError(f"台账为只读，无法{doing}：{where}",
                           hint="请检查文件及其所在目录（文件系统）的写权限，或用 --db 指定可写的台账；台账未作改动。")
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return LedgerError(f"台账正被其他程序占用，等待 {BUSY_TIMEOUT_MS // 1000} 秒后仍无法{doing}：{where}",
                           hint="请稍后重试。")
    if name == "SQLITE_FULL" or "full" in text or (name.startswith("SQLITE_IOERR") and _low_space(path)):
        return LedgerError(f"磁盘已满，无法{doing}台账：{where}", hint="请清理磁盘空间后重试；台账未作改动。")
    if name.startswith("SQLITE_IOERR"):
        return LedgerError(f"{doing}台账时发生磁盘 I/O 错误：{where}（SQLite 报告：{text}）",
                           hint="请检查磁盘空间、文件大小限制与存储设备；台账未作改动。")
    if name.startswith("SQLITE_CANTOPEN"):
        return LedgerError(f"无法打开台账文件：{where}", hint="请检查路径与权限。")
    return LedgerError(f"{doing}台账失败（{where}）：{text}")


def _low_space(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < LOW_SPACE
    except OSError:
        return False
