"""The PostgreSQL backend: a ledger shared by an office, its archive in the database (psycopg 3).

Installed with ``pip install 'pingtai[postgres]'``; imported only when ``--db`` / ``PINGTAI_DB`` names a
database (:mod:`pingtai.ledger.location`). The location goes to libpq as given, so ``PGPASSWORD``,
``~/.pgpass`` and ``PGSERVICE`` apply.

- Writers serialise on one transaction-scoped advisory lock taken at the start of
  :meth:`~pingtai.ledger.base.Ledger.transaction` (READ COMMITTED: every statement after it sees
  every batch committed before): batch and check-run ids are ``MAX(id) + 1`` under it, so they are
  handed out in commit order, and the importer's same-file check (sha256, also UNIQUE) runs under it,
  so of two processes importing one file the second gets "duplicate". Readers take no lock (MVCC):
  a reading command reads one snapshot (REPEATABLE READ, READ ONLY) and never waits for an import.
- Value rows go in with ``COPY``; each row keeps its place in its batch (``ord``).
- The archive is two tables: ``archive_file`` (each file's bytes once, by sha256) and ``manifest``
  (each batch's entry as written, and the sha256 of those bytes). A batch's file, rows and entry
  are written in its own transaction: a failure or a kill before COMMIT leaves nothing of it.
- The decisions log (review decisions and settings) is the table ``decision_log``: each line's bytes
  in the order written, with their sha256 (the next line's link), inserted in the decision's own
  transaction, under the writers' lock like an import, so decision ids follow commit order too.
- Append-only: statement triggers refuse UPDATE, DELETE and TRUNCATE on every table; the roles
  ``pingtai ledger init`` proposes add privileges (a writer may only SELECT and INSERT).
- The schema version is the highest row of ``pingtai_schema``; an older schema is migrated on open
  when the role may (the owner), a newer one refused.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pingtai.archive import LogEntry, ManifestEntry
from pingtai.errors import LedgerError
from pingtai.ledger import schema
from pingtai.ledger.base import ExportedBatch, StagedRows
from pingtai.ledger.location import redact
from pingtai.ledger.model import BATCH_COLUMNS, NewBatch, SeenFinding, batch_row, task_rows, value_row_chunks
from pingtai.ledger.sql import RECEIVED_OF, TASK_COLUMNS, VALUE_COLUMNS, SqlLedger
from pingtai.safe_write import open_regular

if TYPE_CHECKING:
    import psycopg

    from pingtai.ledger.base import Ledger
    from pingtai.records import TaskRecord, ValueRecord

WRITERS_LOCK = 0x70696E67  # "ping": the advisory lock every write transaction holds
CONNECT_TIMEOUT_S = 10


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise LedgerError("使用 PostgreSQL 台账需要安装 psycopg",
                          hint="请运行 pip install 'pingtai[postgres]'；SQLite 台账（文件路径）无需安装。") from None
    return psycopg


class PostgresLedger(SqlLedger):
    """A ledger in a PostgreSQL database (see the module docstring)."""

    _ROW_ORDER = "ord"

    def __init__(self, connection: psycopg.Connection[Any], location: str, readonly: bool) -> None:
        self._db = connection
        self.location = location
        self.readonly = readonly
        self._in_transaction = False
        self._staged: int | None = None
        """The batch whose rows :meth:`stage` copied in and :meth:`add_batch` has not yet recorded."""
        self._name = str(connection.info.dbname)

    # --- opening -------------------------------------------------------------------------------
    @classmethod
    def connect(cls, location: str, *, create: bool = True, readonly: bool = False) -> Ledger:
        """Connect to the database ``location``; with ``create`` (and not ``readonly``) create or migrate
        its schema. A database without a pingtai schema opened without ``create`` reads as an empty
        ledger. Raises :class:`LedgerError` (the location shown without its password) when the server
        cannot be reached, refuses the login, has no such database, or holds a newer schema."""
        psycopg = _psycopg()
        try:
            connection = psycopg.connect(location, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                         application_name="pingtai")
        except psycopg.Error as exc:
            raise connection_error(location, exc) from None
        ledger = cls(connection, location, readonly)
        try:
            version = ledger._version()
            if version == 0 and (readonly or not create):
                connection.close()
                from pingtai.ledger.sqlite import SqliteLedger

                return SqliteLedger.empty()
            if version > schema.SCHEMA_VERSION:
                raise LedgerError(
                    f"台账 {redact(location)} 由更新版本的 pingtai 创建（结构版本 {version}，本版支持 {schema.SCHEMA_VERSION}），"
                    "未作任何改动", hint="请升级 pingtai 后再使用此台账。")
            if version < schema.SCHEMA_VERSION:
                ledger._migrate()
            if not readonly and not ledger._may_write():
                raise LedgerError(f"此数据库账号只能读取台账，不能写入：{redact(location)}",
                                  hint="导入、check --new-only、accept、reject 与 ledger set 需要写入角色"
                                       "（pingtai ledger init --roles 建立）；"
                                       "status、report、check 等读取命令可以使用此账号。台账未作改动。")
            if readonly:  # one snapshot for the whole command; never waits for a writer
                connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        except BaseException:
            connection.close()
            raise
        return ledger

    def _version(self) -> int:
        row = self._fetch("SELECT to_regclass('pingtai_schema') IS NOT NULL, to_regclass('batch') IS NOT NULL", [])[0]
        if not row[0]:
            if row[1]:
                raise LedgerError(f"不是 pingtai 台账：数据库 {redact(self.location)} 中已有其他表（batch）",
                                  hint="请为 pingtai 新建一个数据库。")
            return 0
        return int(self._fetch("SELECT COALESCE(MAX(version), 0) FROM pingtai_schema", [])[0][0])

    def _migrate(self) -> None:
        """Bring the schema to the current version, under the writers' lock (another process may be
        doing the same). Refused with a message for a role that may not change the schema."""
        psycopg = _psycopg()
        try:
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS_LOCK])
                self._db.execute("""CREATE TABLE IF NOT EXISTS pingtai_schema (
                                        version INTEGER PRIMARY KEY, pingtai TEXT NOT NULL,
                                        applied_at TIMESTAMPTZ NOT NULL DEFAULT now())""")
                row = self._db.execute("SELECT COALESCE(MAX(version), 0) FROM pingtai_schema").fetchone()
                version = int(row[0]) if row else 0
                from pingtai import __version__

                for number in range(version, schema.SCHEMA_VERSION):
                    for statement in schema.MIGRATIONS[number].postgres:
                        self._db.execute(statement)
                    self._db.execute("INSERT INTO pingtai_schema (version, pingtai) VALUES (%s, %s)",
                                     [number + 1, __version__])
        except psycopg.errors.InsufficientPrivilege:
            raise LedgerError(f"台账 {redact(self.location)} 的结构需要建立或升级，而此数据库账号无权修改结构",
                              hint="请由数据库所有者运行一次 pingtai --db … ledger init。台账未作改动。") from None
        except psycopg.Error as exc:
            raise database_error(self.location, exc) from None

    def _may_write(self) -> bool:
        return bool(self._fetch("SELECT has_table_privilege('batch', 'INSERT')", [])[0][0])

    def close(self) -> None:
        self._db.close()

    @property
    def exists(self) -> bool:
        return True

    @property
    def writable(self) -> bool:
        return not self.readonly

    @property
    def name(self) -> str:
        return self._name

    @property
    def schema_version(self) -> int:
        return self._version()

    @property
    def user(self) -> str | None:
        return str(self._fetch("SELECT current_user", [])[0][0])

    def roles_sql(self) -> str | None:
        return role_sql(self.name)

    def apply_roles(self) -> str:
        return apply_roles(self)

    # --- reading -------------------------------------------------------------------------------
    def _fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        psycopg = _psycopg()
        try:
            return self._db.execute(sql, params).fetchall()
        except psycopg.Error as exc:
            raise database_error(self.location, exc, "读取") from None

    def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        return self._fetch(sql.replace("?", "%s"), params)

    def _in_list(self, expression: str, values: list[str]) -> tuple[str, Any]:
        return f"{expression} = ANY(?)", values

    def _series_join(self, keys: list[tuple[str, str, str]]) -> tuple[str, str, list[Any]]:
        joined = """JOIN unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS s(indicator, area, agency, n)
                    ON v.indicator = s.indicator AND v.area = s.area AND v.agency = s.agency"""
        return "s.n - 1", joined, [[k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys]]

    def integrity_problems(self) -> list[str]:
        """The append-only triggers in place (and enabled) and the ``received`` summary agreeing with the batches (the
        archive — files, entries, chain — is checked by ``ledger verify`` through :meth:`export_batch`)."""
        found: list[str] = []
        triggers = {row[0] for row in self._fetch(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgname LIKE '%%_append_only'",
            [])}  # a disabled trigger protects nothing: it counts as missing
        missing = sorted(f"{table}_append_only" for table in (*schema.TABLES, "archive_file", "manifest", "decision_log")
                         if f"{table}_append_only" not in triggers)
        if missing:
            found.append(f"缺少或被停用的只追加保护触发器：{'、'.join(missing)}（台账曾被 pingtai 以外的程序修改）")
        differ = self._fetch(f"""
            WITH expected AS (SELECT agency, period, MIN(batch_id) AS batch_id FROM ({schema.RECEIVED_SOURCES}) s
                              GROUP BY agency, period)
            SELECT (SELECT COUNT(*) FROM (SELECT * FROM expected EXCEPT SELECT agency, period, batch_id FROM received) a)
                 + (SELECT COUNT(*) FROM (SELECT agency, period, batch_id FROM received EXCEPT SELECT * FROM expected) b)
            """, [])[0][0]
        if differ:
            found.append(f"已收报表汇总（received 表）与批次记录不符：{differ} 处（台账曾被 pingtai 以外的程序修改）")
        return found

    # --- the archive, in the database ---------------------------------------------------------
    def archived_entries(self) -> list[tuple[ManifestEntry, str, bytes]]:
        """Every manifest entry with the sha256 and the bytes of it, in batch order."""
        found = []
        for _batch, data, digest in self._fetch("SELECT batch_id, entry, digest FROM manifest ORDER BY batch_id", []):
            found.append((ManifestEntry.from_json(bytes(data)), str(digest), bytes(data)))
        return found

    def archived_file(self, sha256: str) -> bytes | None:
        """The archived bytes of the file with this sha256, if any."""
        rows = self._fetch("SELECT data FROM archive_file WHERE sha256 = %s", [sha256])
        return bytes(rows[0][0]) if rows else None

    # --- writing -------------------------------------------------------------------------------
    def _begin(self) -> None:
        if self.readonly:
            raise LedgerError(f"台账以只读方式打开，不能写入：{redact(self.location)}")
        if self._in_transaction:
            raise RuntimeError("nested ledger transaction")
        psycopg = _psycopg()
        try:
            self._db.execute("BEGIN")
            self._in_transaction = True
            self._db.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS_LOCK])  # writers, one at a time
        except psycopg.Error as exc:
            self._abort()
            raise database_error(self.location, exc) from None

    def _abort(self) -> None:
        self._in_transaction = False
        self._staged = None
        with contextlib.suppress(Exception):
            self._db.execute("ROLLBACK")

    def _commit(self) -> None:
        if self._staged is not None:  # a caller's bug: rows staged but never added as a batch
            self._abort()
            raise RuntimeError("rows staged but never added as a batch: rolled back")
        psycopg = _psycopg()
        try:
            self._db.execute("COMMIT")
        except psycopg.Error as exc:
            self._abort()
            raise database_error(self.location, exc) from None
        finally:
            self._in_transaction = False

    def _require_transaction(self) -> None:
        if not self._in_transaction:
            raise RuntimeError("add_batch outside a transaction")

    def _write(self, sql: str, params: Sequence[Any]) -> list[Any]:
        psycopg = _psycopg()
        try:
            cursor = self._db.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
        except psycopg.errors.UniqueViolation as exc:
            raise LedgerError(f"写入台账被拒绝（{exc.diag.message_detail or exc}）：同一文件中同一指标、期别、单位出现两次，"
                              "或文件（批次号）已导入") from None
        except psycopg.Error as exc:
            raise database_error(self.location, exc) from None

    def stage(self, values: Sequence[ValueRecord], tasks: Sequence[TaskRecord], *,
              batch_id: int | None = None) -> StagedRows:
        """Copy the rows of the next batch into place (``COPY``), built a chunk of value rows at a
        time (:func:`~pingtai.ledger.model.value_row_chunks`); the batch row follows in
        :meth:`add_batch` (foreign keys are checked at COMMIT)."""
        self._require_transaction()
        if self._staged is not None:
            raise RuntimeError("rows already staged")
        new_tasks = task_rows(tasks)
        if batch_id is None:
            batch_id = int(self._write("SELECT COALESCE(MAX(id), 0) + 1 FROM batch", [])[0][0])
        self._copy_rows(batch_id, value_row_chunks(values), new_tasks)
        self._staged = batch_id
        return StagedRows(batch_id, values, new_tasks)

    def _rows_copied(self, staged: StagedRows) -> BaseException | None:
        if staged.batch_id != self._staged:
            raise RuntimeError("add_batch with rows staged elsewhere")
        self._staged = None
        return None

    def _copy_rows(self, batch_id: int, values: Iterable[Sequence[Sequence[Any]]], tasks: Sequence[Sequence[Any]]) -> None:
        """COPY a batch's rows in (its value rows in chunks), each with its place, then note the returns
        they say were received (batches are added in the order of their ids: an (agency, period)
        already there keeps its first)."""
        psycopg = _psycopg()
        try:
            with self._db.cursor() as cursor:
                with cursor.copy(f"COPY value (batch_id, ord, {VALUE_COLUMNS}) FROM STDIN") as copy:
                    for place, row in enumerate(itertools.chain.from_iterable(values)):
                        copy.write_row((batch_id, place, *row))
                with cursor.copy(f"COPY task_progress (batch_id, ord, {TASK_COLUMNS}) FROM STDIN") as copy:
                    for place, task in enumerate(tasks):
                        copy.write_row((batch_id, place, *task))
        except psycopg.errors.UniqueViolation as exc:
            raise LedgerError(f"写入台账被拒绝（{exc.diag.message_detail or exc}）：同一文件中同一指标或任务、期别、单位出现两次") from None
        except psycopg.Error as exc:
            raise database_error(self.location, exc) from None
        self._received(batch_id)

    def _received(self, batch_id: int) -> None:
        self._write(f"INSERT INTO received (agency, period, batch_id) {RECEIVED_OF.replace('?', '%s')} ON CONFLICT DO NOTHING",
                    [batch_id] * 6)

    def _archive_file(self, source: Path, sha256: str, name: str) -> None:
        try:
            with open_regular(source) as handle:
                data = handle.read()
        except OSError as exc:
            raise LedgerError(f"无法读取要归档的文件：{source}（{exc.strerror or exc}）") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise LedgerError(f"文件在读取后被改动，未导入：{source}", hint="请确认文件已保存并关闭后重新导入。")
        self._write("""INSERT INTO archive_file (sha256, name, size, data) VALUES (%s, %s, %s, %s)
                       ON CONFLICT (sha256) DO NOTHING""", [sha256, name, len(data), data])

    def _insert_batch(self, batch_id: int, batch: NewBatch, archive: str, imported_at: str) -> None:
        self._write(f"INSERT INTO batch ({BATCH_COLUMNS}) VALUES ({', '.join(['%s'] * len(BATCH_COLUMNS.split(',')))})",
                    batch_row(batch_id, batch, archive, imported_at))
        if batch.agency is not None and batch.period is not None:
            self._write("INSERT INTO received (agency, period, batch_id) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        [batch.agency, str(batch.period), batch_id])

    def _entry_digest_before(self, batch_id: int) -> str | None:
        rows = self._write("SELECT digest FROM manifest WHERE batch_id < %s ORDER BY batch_id DESC LIMIT 1", [batch_id])
        return str(rows[0][0]) if rows else None

    def _write_entry(self, entry: ManifestEntry) -> None:
        data = entry.to_json()
        self._write("INSERT INTO manifest (batch_id, sha256, entry, digest) VALUES (%s, %s, %s, %s)",
                    [entry.batch, entry.sha256, data, hashlib.sha256(data).hexdigest()])

    def export_batch(self, batch_id: int) -> ExportedBatch:
        rows = self._fetch(f"SELECT {BATCH_COLUMNS} FROM batch WHERE id = %s", [batch_id])
        if not rows:
            raise LedgerError(f"台账中没有批次 {batch_id}")
        row = tuple(rows[0])
        values, tasks = self.batch_rows(batch_id)
        data = self.archived_file(str(row[2]))
        if data is None or hashlib.sha256(data).hexdigest() != row[2]:
            raise LedgerError(f"批次 {batch_id}（{row[1]}）的归档文件缺失或已被改动", hint="请先运行 pingtai ledger verify 查看归档。")
        entry = self._fetch("SELECT entry FROM manifest WHERE batch_id = %s", [batch_id])
        return ExportedBatch(row, values, tasks, data, bytes(entry[0][0]) if entry else None)

    def restore_batch(self, batch: ExportedBatch) -> None:
        self._require_transaction()
        self._copy_rows(batch.id, [batch.values], batch.tasks)
        self._write(f"INSERT INTO batch ({BATCH_COLUMNS}) VALUES ({', '.join(['%s'] * len(batch.row))})", batch.row)
        self._received(batch.id)
        self._write("""INSERT INTO archive_file (sha256, name, size, data) VALUES (%s, %s, %s, %s)
                       ON CONFLICT (sha256) DO NOTHING""", [batch.sha256, batch.archive, len(batch.data), batch.data])
        if batch.entry is not None:
            self._write("INSERT INTO manifest (batch_id, sha256, entry, digest) VALUES (%s, %s, %s, %s)",
                        [batch.id, batch.sha256, batch.entry, hashlib.sha256(batch.entry).hexdigest()])

    # --- the decisions log, in the database -----------------------------------------------------
    def decisions_log(self) -> bytes:
        return b"".join(bytes(row[0]) for row in self._fetch("SELECT entry FROM decision_log ORDER BY seq", []))

    def _log_head(self) -> str | None:
        rows = self._write("SELECT digest FROM decision_log ORDER BY seq DESC LIMIT 1", [])
        return str(rows[0][0]) if rows else None

    def _append_log(self, lines: Sequence[bytes]) -> None:
        for line in lines:
            self._replay_line(line)

    def _replay_line(self, line: bytes) -> None:
        self._write("""INSERT INTO decision_log (seq, entry, digest)
                       SELECT COALESCE(MAX(seq), 0) + 1, %s, %s FROM decision_log""",
                    [line, hashlib.sha256(line).hexdigest()])

    def _insert_logged(self, entries: Sequence[LogEntry]) -> None:
        psycopg = _psycopg()
        try:
            for entry in entries:
                if entry.kind == "decision":
                    self._db.execute(
                        """INSERT INTO decision (id, batch_id, decision, decided_by, decided_at, note, after_batch)
                           VALUES (%s, %s, %s, %s, %s, %s, %s)""",
                        [entry.id, entry.batch, entry.decision, entry.by, entry.at, entry.note, entry.after_batch])
                else:
                    self._db.execute(
                        "INSERT INTO setting (id, name, value, set_by, set_at, after_batch) VALUES (%s, %s, %s, %s, %s, %s)",
                        [entry.id, entry.name, entry.value, entry.by, entry.at, entry.after_batch])
        except psycopg.errors.IntegrityError as exc:  # a batch that is not there (a rebuild that skipped it), a taken id
            raise LedgerError(f"写入决定被拒绝（{redact(str(exc).strip().splitlines()[0])}）：所指批次不在台账中，"
                              "或记录编号已被占用") from None
        except psycopg.Error as exc:
            raise database_error(self.location, exc) from None

    def _last_findings(self, scope: str) -> dict[str, str] | None:
        rows = self._write("SELECT id FROM check_run WHERE scope = %s ORDER BY id DESC LIMIT 1", [scope])
        if not rows:
            return None
        return {str(k): str(f) for k, f in self._write("SELECT key, fingerprint FROM check_finding WHERE run_id = %s",
                                                        [rows[0][0]])}

    def _insert_check_run(self, *, started_at: str, as_of: str, scope: str, findings: Sequence[SeenFinding],
                          reported: int, run_id: int | None = None) -> int:
        run_id = int(self._write("""INSERT INTO check_run (id, started_at, as_of, scope, findings, reported)
                                    SELECT COALESCE(%s, MAX(id) + 1, 1), %s, %s, %s, %s, %s FROM check_run RETURNING id""",
                                 [run_id, started_at, as_of, scope, len(findings), reported])[0][0])
        psycopg = _psycopg()
        try:
            with self._db.cursor() as cursor:
                cursor.executemany("INSERT INTO check_finding (run_id, key, fingerprint, kind, severity)"
                                   " VALUES (%s, %s, %s, %s, %s)",
                                   [(run_id, f.key, f.fingerprint, f.kind, f.severity) for f in findings])
        except psycopg.errors.UniqueViolation:
            raise LedgerError("记录检查结果被拒绝：同一次检查中出现重复的发现键") from None
        except psycopg.Error as exc:
            raise database_error(self.location, exc) from None
        return run_id


# --- errors, in words a user can act on -------------------------------------------------------------


def connection_error(location: str, exc: Exception) -> LedgerError:
    """Why a connection could not be made: server down, login refused, no such database, else libpq's words
    (with any password taken out)."""
    text = redact(str(exc).strip())
    shown = redact(location)
    sqlstate = getattr(exc, "sqlstate", None)
    lowered = text.lower()
    if sqlstate == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return LedgerError(f"PostgreSQL 数据库不存在：{shown}",
                           hint="请先建立数据库（createdb pingtai），再运行 pingtai --db … ledger init；或检查 --db / PINGTAI_DB。")
    if sqlstate in ("28P01", "28000") or "password" in lowered or "authentication" in lowered:
        return LedgerError(f"PostgreSQL 拒绝登录（用户名或密码不对，或无权连接）：{shown}",
                           hint="请检查用户名与密码（PGPASSWORD、~/.pgpass 或 PGSERVICE），以及服务器的 pg_hba.conf。")
    if "connection refused" in lowered or "no such file or directory" in lowered or "could not connect" in lowered \
            or "timeout" in lowered or "could not translate host name" in lowered:
        return LedgerError(f"无法连接 PostgreSQL 服务器：{shown}",
                           hint=f"请确认服务器已启动、地址与端口正确（libpq 报告：{text.splitlines()[0] if text else '无'}）。")
    return LedgerError(f"无法连接 PostgreSQL 台账：{shown}（{text.splitlines()[0] if text else exc.__class__.__name__}）")


def database_error(location: str, exc: Exception, doing: str = "写入") -> LedgerError:
    """What went wrong talking to the database, in words a user can act on. Nothing was changed: the
    transaction is rolled back."""
    psycopg = _psycopg()
    shown = redact(location)
    text = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__)
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return LedgerError(f"此数据库账号无权{doing}台账：{shown}（{text}）",
                           hint="导入与 check --new-only 需要写入角色（见 pingtai ledger init --roles）；台账未作改动。")
    if isinstance(exc, psycopg.errors.RaiseException) and "append-only" in text:
        return LedgerError(f"台账只能追加，拒绝修改或删除：{shown}（{text}）")
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return LedgerError(f"与 PostgreSQL 服务器的连接中断，{doing}未完成：{shown}（{text}）",
                           hint="未提交的导入不会留下任何记录；请在服务器恢复后重试。")
    return LedgerError(f"{doing}台账失败（{shown}）：{text}")





WRITER_ROLE = "pingtai_writer"
READER_ROLE = "pingtai_reader"


def role_sql(database: str) -> str:
    """The SQL that creates the writer role (may only read and append) and the reader role (may only read)
    for ``database`` and grants them its tables. Roles are of the whole server: give people's logins
    membership (``CREATE ROLE clerk LOGIN PASSWORD '…' IN ROLE pingtai_writer``)."""
    quoted = '"' + database.replace('"', '""') + '"'
    return "\n".join((
        "-- pingtai: a writer role (SELECT, INSERT only) and a reader role (SELECT only)",
        *(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
          f"CREATE ROLE {role} NOLOGIN; END IF; END $$;" for role in (WRITER_ROLE, READER_ROLE)),
        f"GRANT CONNECT ON DATABASE {quoted} TO {WRITER_ROLE}, {READER_ROLE};",
        f"GRANT USAGE ON SCHEMA public TO {WRITER_ROLE}, {READER_ROLE};",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {WRITER_ROLE}, {READER_ROLE};",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {READER_ROLE};",
        f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {WRITER_ROLE};",
        f"REVOKE INSERT ON pingtai_schema FROM {WRITER_ROLE};",
        "-- tables later migrations create (run by the owner) get the same grants",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {READER_ROLE};",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT ON TABLES TO {WRITER_ROLE};",
        "",
    ))


def apply_roles(ledger: PostgresLedger) -> str:
    """Run :func:`role_sql` on ``ledger``'s database (as its owner); return the SQL run."""
    psycopg = _psycopg()
    text = role_sql(ledger.name)
    try:
        with ledger._db.transaction():
            for statement in text.splitlines():
                if statement and not statement.startswith("--"):
                    ledger._db.execute(statement)
    except psycopg.Error as exc:
        raise database_error(ledger.location, exc, "设置角色") from None
    return text

__all__ = ["READER_ROLE", "WRITER_ROLE", "PostgresLedger", "apply_roles", "connection_error", "database_error", "role_sql"]
