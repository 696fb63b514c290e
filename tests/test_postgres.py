"""The PostgreSQL backend against a real server (tests/postgres_server.py): the same imports give the
same JSON as SQLite, parallel imports equal a sequential run, a killed importer leaves nothing half
written, append-only holds, roles are enforced, and failures are messages without the password."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from pingtai import service
from pingtai.archive import parse_log
from pingtai.cli import app
from pingtai.errors import LedgerError
from pingtai.ledger import SCHEMA_VERSION, Ledger
from pingtai.loader import load_catalog
from reliability_helpers import DISTRICTS, big_long_csv, district_return, returns_set

if TYPE_CHECKING:
    from postgres_server import Cluster

NOW = dt.datetime(2025, 1, 20, 9, 30, tzinfo=dt.UTC)
AS_OF = "2025-03-01"


def import_set(location: str, folder: Path) -> None:
    """Import :func:`returns_set` in order, each at its own fixed time (so both backends record the same)."""
    catalog = load_catalog()
    store = service.Store.at(location)
    for number, args in enumerate(returns_set(folder)):
        options = dict(zip(args[1::2], args[2::2], strict=True))
        result = service.import_returns(catalog, store, [Path(args[0])], now=NOW + dt.timedelta(minutes=number),
                                        agency=options.get("--agency"), period=options.get("--period"))
        assert [f.status for f in result.files] == ["accepted"], result


def as_json(location: str, *args: str, code: int | tuple[int, ...] = (0, 1)) -> Any:
    result = CliRunner().invoke(app, ["--db", location, *args, "--json"])
    assert result.exit_code in ((code,) if isinstance(code, int) else code), result.output
    return json.loads(result.stdout)


def old_schema(url: str, version: int) -> None:
    """Give the empty database ``url`` the schema of ``version``, as a pingtai of that version made it."""
    import psycopg

    from pingtai.ledger import MIGRATIONS

    with psycopg.connect(url, autocommit=True) as raw:
        raw.execute("CREATE TABLE pingtai_schema (version INTEGER PRIMARY KEY, pingtai TEXT NOT NULL,"
                    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        for number, migration in enumerate(MIGRATIONS[:version]):
            for statement in migration.postgres:
                raw.execute(statement)
            raw.execute("INSERT INTO pingtai_schema (version, pingtai) VALUES (%s, 'old')", [number + 1])


def without_location(data: Any) -> Any:
    """The JSON with the ledger's own name taken out (a path on one backend, a URL on the other)."""
    if isinstance(data, dict):
        return {k: without_location(v) for k, v in data.items() if k != "ledger"}
    if isinstance(data, list):
        return [without_location(v) for v in data]
    return data


COMMANDS = (
    ("status", "--as-of", AS_OF),
    ("report", "--agency", "越城区政府", "--as-of", AS_OF),
    ("league", "--as-of", AS_OF),
    ("check", "--as-of", AS_OF),
    ("history", "网络零售额"),
    ("batches",),
    ("show", "网络零售额", "--as-of", AS_OF),
    ("show", "网络零售额", "--by-area", "--as-of", AS_OF),
    ("status", "--area", "越城区", "--as-of", AS_OF),
    ("bulletin", "--period", "2024"),
)


def test_the_same_imports_give_identical_json_on_both_backends(tmp_path: Path, pg_url: str) -> None:
    sqlite = str(tmp_path / "ledger" / "ledger.sqlite3")
    import_set(sqlite, tmp_path / "in")
    import_set(pg_url, tmp_path / "in")
    for command in COMMANDS:
        assert without_location(as_json(pg_url, *command)) == without_location(as_json(sqlite, *command)), command
    # check --new-only keeps its state on both alike: a first run reports everything, a second nothing new
    for _ in range(2):
        ran = [without_location(as_json(db, "check", "--new-only", "--as-of", AS_OF)) for db in (sqlite, pg_url)]
        for run in ran:
            run.pop("run", None)
        assert ran[0] == ran[1]
    with Ledger.open(sqlite, readonly=True) as one, Ledger.open(pg_url, readonly=True) as other:
        assert [r.__dict__ | {"started_at": None} for r in one.check_runs()] == \
               [r.__dict__ | {"started_at": None} for r in other.check_runs()]
        for batch in one.batches():
            assert one.batch_rows(batch.id) == other.batch_rows(batch.id)


def test_the_archive_lives_in_the_database_with_its_chain(tmp_path: Path, pg_url: str) -> None:
    from pingtai.ledger.postgres import PostgresLedger

    import_set(pg_url, tmp_path / "in")
    with Ledger.open(pg_url, readonly=True) as ledger:
        assert isinstance(ledger, PostgresLedger)
        entries = ledger.archived_entries()
        batches = ledger.batches()
        assert [e.batch for e, _, _ in entries] == [b.id for b in batches]
        previous = None
        for (entry, digest, _), batch in zip(entries, batches, strict=True):
            assert entry.previous == previous and entry.sha256 == batch.sha256
            data = ledger.archived_file(batch.sha256)
            assert data is not None and hashlib.sha256(data).hexdigest() == batch.sha256
            assert ledger.batch_rows_digest(batch.id, entry.rows_sha256)[2] == entry.rows_sha256
            previous = digest
        assert ledger.integrity_problems() == []


def test_updates_deletes_and_truncates_are_refused_by_the_database(tmp_path: Path, pg_url: str,
                                                                   pg_cluster: Cluster) -> None:
    import psycopg

    import_set(pg_url, tmp_path / "in")
    with psycopg.connect(pg_url, autocommit=True) as raw:
        for statement in ("UPDATE value SET value = 0", "DELETE FROM batch", "TRUNCATE manifest CASCADE",
                          "DELETE FROM archive_file", "UPDATE check_run SET scope = ''"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                raw.execute(statement)


def start(location: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "pingtai", *args], env={**os.environ, "PINGTAI_DB": location},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
def test_parallel_imports_into_postgres_equal_a_sequential_run(tmp_path: Path, pg_cluster: Cluster) -> None:
    files = [district_return(tmp_path / "in", agency, year, 100 + i)
             for i, (agency, year) in enumerate((a, y) for a in DISTRICTS[:4] for y in (2023, 2024))]
    files.append(big_long_csv(tmp_path / "in" / "月度.csv", range(2020, 2022), seed=3, districts=DISTRICTS[4:]))
    parallel, sequential = (pg_cluster.url(pg_cluster.fresh_database()) for _ in range(2))
    assert CliRunner().invoke(app, ["--db", parallel, "ledger", "init"]).exit_code == 0
    # the same file twice at once: one is recorded, the other is a duplicate — never an error
    runs = [start(parallel, "import", str(f)) for f in [*files, files[0]]]
    readers = [start(parallel, "status", "--as-of", AS_OF), start(parallel, "batches")]
    outputs = [run.communicate(timeout=300) for run in runs + readers]
    assert [run.returncode for run in runs] == [0] * len(runs), outputs
    assert [run.returncode for run in readers] == [0, 0], outputs
    assert all("Traceback" not in err for _, err in outputs), outputs
    for f in files:
        assert CliRunner().invoke(app, ["--db", sequential, "import", str(f)]).exit_code == 0

    def state(location: str) -> tuple[Any, ...]:
        with Ledger.open(location, readonly=True) as ledger:
            current = [(v.indicator, str(v.period), v.agency, v.value) for v in ledger.current_values()]
            ids = [b.id for b in ledger.batches()]
            return current, sorted(b.file for b in ledger.batches()), ids

    assert state(parallel)[:2] == state(sequential)[:2]
    assert state(parallel)[2] == list(range(1, len(files) + 1))  # ids in order, none lost or doubled


@pytest.mark.slow
def test_an_importer_killed_mid_transaction_leaves_the_database_as_before(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    assert CliRunner().invoke(app, ["--db", pg_url, "ledger", "init"]).exit_code == 0
    big = big_long_csv(tmp_path / "in" / "月度.csv", range(2015, 2025), seed=5)
    run = start(pg_url, "import", str(big))
    # wait until its transaction holds the writers' lock, then kill it
    deadline = time.monotonic() + 60
    with psycopg.connect(pg_url, autocommit=True) as watch:
        while time.monotonic() < deadline and run.poll() is None:
            held = watch.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted").fetchone()
            if held and held[0]:
                break
            time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    run.communicate(timeout=60)
    with Ledger.open(pg_url, readonly=True) as ledger:
        assert ledger.counts() == {"batch": 0, "value": 0, "task_progress": 0}
        assert ledger.integrity_problems() == []
    # the file imports whole afterwards
    assert CliRunner().invoke(app, ["--db", pg_url, "import", str(big)]).exit_code == 0


def test_init_creates_the_schema_and_the_roles(tmp_path: Path, pg_cluster: Cluster) -> None:
    database = pg_cluster.fresh_database()
    owner = pg_cluster.url(database)
    runner = CliRunner()
    shown = runner.invoke(app, ["--db", owner, "ledger", "init"])
    assert shown.exit_code == 0, shown.output
    assert "GRANT SELECT, INSERT" in shown.stdout and "pingtai_reader" in shown.stdout
    applied = runner.invoke(app, ["--db", owner, "ledger", "init", "--roles"])
    assert applied.exit_code == 0, applied.output
    pg_cluster.sql("CREATE ROLE clerk LOGIN IN ROLE pingtai_writer")
    pg_cluster.sql("CREATE ROLE leader LOGIN IN ROLE pingtai_reader")
    source = district_return(tmp_path / "in", "越城区政府", 2024, 150)
    writer, reader = pg_cluster.url(database, "clerk"), pg_cluster.url(database, "leader")
    assert runner.invoke(app, ["--db", writer, "import", str(source)]).exit_code == 0
    for command in (("status", "--as-of", AS_OF), ("check", "--as-of", AS_OF), ("batches",)):
        assert runner.invoke(app, ["--db", reader, *command]).exit_code in (0, 1), command
    refused = runner.invoke(app, ["--db", reader, "import", str(district_return(tmp_path / "in", "柯桥区政府", 2024, 9))])
    assert refused.exit_code == 2 and "只能读取" in refused.output, refused.output
    refused = runner.invoke(app, ["--db", reader, "check", "--new-only", "--as-of", AS_OF])
    assert refused.exit_code == 2 and "只能读取" in refused.output, refused.output
    # review: a reader may not decide or change a setting; a writer may, recorded under its role by default
    decisions: list[list[str]] = [["accept", "1"], ["reject", "1", "--reason", "数值有误"], ["ledger", "set", "review", "required"]]
    for words in decisions:
        refused = runner.invoke(app, ["--db", reader, *words])
        assert refused.exit_code == 2 and "只能读取" in refused.output and "accept" in refused.output, refused.output
    decided = runner.invoke(app, ["--db", writer, "reject", "1", "--reason", "数值有误", "--json"])
    assert decided.exit_code == 0, decided.output
    assert [d["by"] for d in json.loads(decided.stdout)["recorded"]] == ["clerk"]
    assert runner.invoke(app, ["--db", writer, "ledger", "set", "review", "required", "--by", "王五"]).exit_code == 0
    import psycopg

    with psycopg.connect(writer, autocommit=True) as raw, pytest.raises(psycopg.errors.InsufficientPrivilege):
        raw.execute("DROP TABLE value CASCADE")


def test_roles_made_before_review_may_use_its_tables(tmp_path: Path, pg_cluster: Cluster) -> None:
    """The default privileges ``ledger init --roles`` sets give the roles the tables a later migration
    creates (migration 6: decision, setting, decision_log)."""
    import psycopg

    from pingtai.ledger.postgres import role_sql

    database = pg_cluster.fresh_database()
    owner = pg_cluster.url(database)
    old_schema(owner, 5)  # a ledger of schema 5 with its roles, as made then
    with psycopg.connect(owner, autocommit=True) as raw:
        for statement in role_sql(database).splitlines():
            if statement and not statement.startswith("--"):
                raw.execute(statement)
    pg_cluster.sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clerk6') THEN "
                   "CREATE ROLE clerk6 LOGIN IN ROLE pingtai_writer; END IF; END $$")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", owner, "ledger", "init"]).exit_code == 0  # migrated by the owner
    writer = pg_cluster.url(database, "clerk6")
    source = district_return(tmp_path / "in", "越城区政府", 2024, 150)
    assert runner.invoke(app, ["--db", writer, "import", str(source)]).exit_code == 0
    for command in (("ledger", "set", "review", "required"), ("reject", "1", "--reason", "数值有误")):
        done = runner.invoke(app, ["--db", writer, *command])
        assert done.exit_code == 0, done.output
    assert as_json(writer, "ledger", "set")["values"] == {"review": "required"}


def test_failures_are_messages_without_the_password(tmp_path: Path, pg_cluster: Cluster) -> None:
    runner = CliRunner()
    secret = "s3cret-pw"
    cases = {
        # no server on that socket
        f"postgresql://someone:{secret}@/pingtai?host={tmp_path}": "无法连接",
        pg_cluster.url("no_such_db", password=secret): "数据库不存在",
    }
    for location, words in cases.items():
        result = runner.invoke(app, ["--db", location, "status", "--as-of", AS_OF])
        assert result.exit_code == 2, result.output
        assert words in result.output and secret not in result.output and "Traceback" not in result.output
    # a database without the schema: not a ledger yet (reading commands say to init it)
    empty = pg_cluster.url(pg_cluster.fresh_database(), password=secret)
    result = runner.invoke(app, ["--db", empty, "status", "--as-of", AS_OF])
    assert result.exit_code == 2 and "ledger init" in result.output and secret not in result.output
    # a schema newer than this pingtai: refused untouched
    newer = pg_cluster.fresh_database()
    assert runner.invoke(app, ["--db", pg_cluster.url(newer), "ledger", "init"]).exit_code == 0
    pg_cluster.sql("INSERT INTO pingtai_schema (version, pingtai) VALUES (99, 'future')", newer)
    with pytest.raises(LedgerError, match="更新版本"):
        Ledger.open(pg_cluster.url(newer), readonly=True)


def test_migrate_copies_a_file_ledger_exactly_and_refuses_a_non_empty_target(tmp_path: Path,
                                                                            pg_cluster: Cluster) -> None:
    sqlite = str(tmp_path / "ledger" / "ledger.sqlite3")
    import_set(sqlite, tmp_path / "in")
    as_json(sqlite, "check", "--new-only", "--as-of", AS_OF)
    head = as_json(sqlite, "ledger", "verify", code=0)["head"]
    target = pg_cluster.url(pg_cluster.fresh_database(), password="hidden-pw")
    moved = as_json(sqlite, "ledger", "migrate", "--to", target, code=0)
    assert moved["batches"] == len(returns_set(tmp_path / "again")) and moved["check_runs"] == 1
    assert moved["head"] == head and "hidden-pw" not in json.dumps(moved)
    from pingtai.ledger.transfer import differences

    with Ledger.open(sqlite, readonly=True) as one, Ledger.open(target, readonly=True) as other:
        assert differences(one, other) == []
    for command in COMMANDS:
        assert without_location(as_json(target, *command)) == without_location(as_json(sqlite, *command)), command
    verified = as_json(target, "ledger", "verify", "--expect", head, code=0)
    assert verified["problems"] == [] and verified["head"] == head
    again = CliRunner().invoke(app, ["--db", sqlite, "ledger", "migrate", "--to", target])
    assert again.exit_code == 2 and "空数据库" in again.output and "hidden-pw" not in again.output


def test_backup_of_a_database_is_a_sqlite_ledger_that_opens_and_verifies(tmp_path: Path, pg_url: str) -> None:
    import_set(pg_url, tmp_path / "in")
    as_json(pg_url, "check", "--new-only", "--as-of", AS_OF)
    head = as_json(pg_url, "ledger", "verify", code=0)["head"]
    copy = tmp_path / "backup" / "ledger.sqlite3"
    done = as_json(pg_url, "ledger", "backup", str(copy), code=0)
    assert done["batches"] == len(returns_set(tmp_path / "again")) and copy.is_file()
    assert (copy.parent / "archive").is_dir()
    for command in COMMANDS:
        assert without_location(as_json(str(copy), *command)) == without_location(as_json(pg_url, *command)), command
    verified = as_json(str(copy), "ledger", "verify", "--expect", head, code=0)
    assert verified["problems"] == [] and verified["head"] == head


def test_verify_finds_a_changed_archive_and_a_wrong_head(tmp_path: Path, pg_url: str) -> None:
    import_set(pg_url, tmp_path / "in")
    result = as_json(pg_url, "ledger", "verify", "--deep", code=0)
    assert result["problems"] == [] and result["reread"] == result["batches"] > 0
    wrong = as_json(pg_url, "ledger", "verify", "--expect", "0" * 64, code=1)
    assert [p["code"] for p in wrong["problems"]] == ["head-mismatch"]


def test_rebuild_replays_a_databases_archive_into_a_file_and_into_a_fresh_database(tmp_path: Path,
                                                                                  pg_cluster: Cluster) -> None:
    source = pg_cluster.url(pg_cluster.fresh_database())
    import_set(source, tmp_path / "in")
    file = str(tmp_path / "rebuilt" / "ledger.sqlite3")
    fresh = pg_cluster.url(pg_cluster.fresh_database())
    for target in (file, fresh):
        rebuilt = as_json(target, "ledger", "rebuild", "--from", source, code=0)
        assert all(b["status"] == "accepted" for b in rebuilt["batches"]), rebuilt
        for command in COMMANDS:
            assert without_location(as_json(target, *command)) == without_location(as_json(source, *command)), command
    refused = CliRunner().invoke(app, ["--db", fresh, "ledger", "rebuild", "--from", source])
    assert refused.exit_code == 2 and "已有记录" in refused.output


def test_a_wrong_password_is_a_message_and_the_right_one_works_from_the_environment(
        tmp_path: Path, pg_cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    from postgres_server import PASSWORD_USER

    database = pg_cluster.fresh_database()
    pg_cluster.sql(f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{PASSWORD_USER}') THEN "
                   f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD 'right-one'; END IF; END $$")
    pg_cluster.sql(f"ALTER DATABASE {database} OWNER TO {PASSWORD_USER}")
    runner = CliRunner()
    wrong = runner.invoke(app, ["--db", pg_cluster.url(database, PASSWORD_USER, "wrong-one"), "ledger", "init"])
    assert wrong.exit_code == 2 and "拒绝登录" in wrong.output and "wrong-one" not in wrong.output, wrong.output
    monkeypatch.setenv("PGPASSWORD", "right-one")  # libpq's own environment is honoured
    done = runner.invoke(app, ["--db", pg_cluster.url(database, PASSWORD_USER), "ledger", "init", "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["schema_version"] == SCHEMA_VERSION


def test_an_older_schema_is_migrated_on_open(tmp_path: Path, pg_cluster: Cluster) -> None:


    url = pg_cluster.url(pg_cluster.fresh_database())
    old_schema(url, 3)
    # a reading command migrates it (the role owns the schema), then reads it
    assert as_json(url, "batches") == []
    with Ledger.open(url, readonly=True) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION


@pytest.mark.slow
def test_a_connection_lost_mid_import_is_a_message_and_records_nothing(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    assert CliRunner().invoke(app, ["--db", pg_url, "ledger", "init"]).exit_code == 0
    big = big_long_csv(tmp_path / "in" / "月度.csv", range(2015, 2025), seed=7)
    run = start(pg_url, "import", str(big))
    ended = False
    deadline = time.monotonic() + 60
    with psycopg.connect(pg_url, autocommit=True) as watch:
        while time.monotonic() < deadline and run.poll() is None and not ended:
            # the importer's backend, once it holds the writers' lock: its server process is ended
            row = watch.execute("""SELECT pg_terminate_backend(l.pid) FROM pg_locks l
                                   WHERE l.locktype = 'advisory' AND l.granted""").fetchone()
            ended = bool(row and row[0])
            time.sleep(0.005)
    _, err = run.communicate(timeout=120)
    assert ended and run.returncode == 2, err
    assert "连接中断" in err and "Traceback" not in err
    with Ledger.open(pg_url, readonly=True) as ledger:
        assert ledger.counts() == {"batch": 0, "value": 0, "task_progress": 0}


def test_a_reader_never_blocks_an_import_and_reads_one_snapshot(tmp_path: Path, pg_url: str) -> None:
    first = district_return(tmp_path / "in", "越城区政府", 2023, 150)
    second = district_return(tmp_path / "in", "越城区政府", 2024, 160)
    runner = CliRunner()
    assert runner.invoke(app, ["--db", pg_url, "import", str(first)]).exit_code == 0
    with Ledger.open(pg_url, readonly=True) as reader:
        before = reader.counts()
        # the import commits while the reader's snapshot is open (it would hang here if it waited)
        assert runner.invoke(app, ["--db", pg_url, "import", str(second)]).exit_code == 0
        assert reader.counts() == before  # the reader goes on reading its snapshot
    with Ledger.open(pg_url, readonly=True) as later:
        assert later.counts()["batch"] == 2


# --- review (issue #17) on PostgreSQL ---------------------------------------------------------------

DECIDED = dt.datetime(2025, 2, 10, 2, 0, tzinfo=dt.UTC)
REVIEW_COMMANDS = (("review",), ("batches",), ("status", "--as-of", AS_OF), ("history", "网络零售额"),
                   ("check", "--as-of", AS_OF), ("report", "--agency", "柯桥区政府", "--as-of", AS_OF))


def review_flow(location: str, folder: Path) -> None:
    """The same review history on any backend, at fixed times: all but the last two returns imported,
    one rejected, review made required, the last two imported (pending), one of them accepted."""
    catalog = load_catalog()
    store = service.Store.at(location)
    runs = returns_set(folder)
    for number, args in enumerate(runs):
        if number == len(runs) - 2:
            service.decide(store, [3], "rejected", by="王五", at=DECIDED, note="数值单位有误")
            service.settings(store, ("review", "required"), by="王五", at=DECIDED + dt.timedelta(minutes=1))
        options = dict(zip(args[1::2], args[2::2], strict=True))
        service.import_returns(catalog, store, [Path(args[0])], now=NOW + dt.timedelta(minutes=number),
                               agency=options.get("--agency"), period=options.get("--period"))
    service.decide(store, [len(runs) - 1], "accepted", by="王五", at=DECIDED + dt.timedelta(hours=1), note="已核实")


def test_a_review_flow_gives_identical_json_on_both_backends_and_survives_every_copy(tmp_path: Path,
                                                                                    pg_cluster: Cluster) -> None:
    from pingtai.ledger.transfer import differences

    sqlite = str(tmp_path / "ledger" / "ledger.sqlite3")
    database = pg_cluster.url(pg_cluster.fresh_database())
    review_flow(sqlite, tmp_path / "in")
    review_flow(database, tmp_path / "in")
    batches = as_json(database, "batches")
    assert [b["state"] for b in batches].count("pending") == 1 and batches[2]["state"] == "rejected"
    assert [len(b["decisions"]) for b in batches].count(1) == 2
    for command in REVIEW_COMMANDS:
        assert without_location(as_json(database, *command)) == without_location(as_json(sqlite, *command)), command
    with Ledger.open(sqlite, readonly=True) as one, Ledger.open(database, readonly=True) as other:
        # the same lines, but for the ledger's name each carries (and so the links)
        lines = [[e.replace(ledger="", previous=None) for e, _ in parse_log(ledger.decisions_log())[0]]
                 for ledger in (one, other)]
        assert lines[0] == lines[1] and len(lines[0]) == 3
        assert one.decisions() == other.decisions() and one.settings() == other.settings()
    assert as_json(database, "ledger", "verify", code=0)["problems"] == []
    # migrate (file → database), backup (database → file) and rebuild --from carry decisions and settings
    target = pg_cluster.url(pg_cluster.fresh_database())
    as_json(sqlite, "ledger", "migrate", "--to", target, code=0)
    backup = tmp_path / "backup" / "ledger.sqlite3"
    as_json(database, "ledger", "backup", str(backup), code=0)
    rebuilt = str(tmp_path / "rebuilt" / "ledger.sqlite3")
    assert as_json(rebuilt, "ledger", "rebuild", "--from", database, code=0)["decisions"] == 3
    with Ledger.open(sqlite, readonly=True) as one, Ledger.open(target, readonly=True) as other:
        assert differences(one, other) == [] and other.decisions_log() == one.decisions_log()
    with Ledger.open(database, readonly=True) as one, Ledger.open(str(backup), readonly=True) as other:
        assert differences(one, other) == []
        assert (backup.parent / "archive" / "decisions.jsonl").read_bytes() == one.decisions_log()
    for copy in (target, str(backup), rebuilt):
        assert as_json(copy, "ledger", "verify", code=0)["problems"] == [], copy
        for command in REVIEW_COMMANDS:
            assert without_location(as_json(copy, *command)) == without_location(as_json(database, *command)), command


def test_verify_finds_a_decision_changed_behind_pingtais_back(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    review_flow(pg_url, tmp_path / "in")
    # the append-only trigger refuses the edit; only an owner who disables it first can make one
    with psycopg.connect(pg_url, autocommit=True) as raw:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            raw.execute("UPDATE decision SET note = '无误'")
        raw.execute("ALTER TABLE decision DISABLE TRIGGER decision_append_only")
        assert as_json(pg_url, "ledger", "verify", code=1)["problems"][0]["code"] == "database-integrity"
        raw.execute("UPDATE decision SET note = '无误' WHERE batch_id = 3")
        raw.execute("ALTER TABLE decision ENABLE TRIGGER decision_append_only")
    problems = as_json(pg_url, "ledger", "verify", code=1)["problems"]
    assert [(p["code"], p["where"]) for p in problems] == [("tampered-log", "decision_log:1")]
    with psycopg.connect(pg_url, autocommit=True) as raw:
        raw.execute("ALTER TABLE decision_log DISABLE TRIGGER decision_log_append_only")
        raw.execute("DELETE FROM decision_log WHERE seq = 2")
        raw.execute("ALTER TABLE decision_log ENABLE TRIGGER decision_log_append_only")
    codes = {p["code"] for p in as_json(pg_url, "ledger", "verify", code=1)["problems"]}
    assert codes == {"tampered-log", "broken-log", "missing-log"}


def test_a_decision_waits_for_the_writers_lock_like_an_import(tmp_path: Path, pg_url: str) -> None:
    import threading

    import psycopg

    from pingtai.ledger.postgres import WRITERS_LOCK
    from pingtai.review import DecisionResult

    source = district_return(tmp_path / "in", "越城区政府", 2024, 150)
    assert CliRunner().invoke(app, ["--db", pg_url, "import", str(source)]).exit_code == 0
    done: list[DecisionResult] = []

    def reject() -> None:
        done.append(service.decide(service.Store.at(pg_url), [1], "rejected", by="王五", at=NOW, note="数值有误"))

    with psycopg.connect(pg_url) as holder:  # a writer (an import) in its transaction, holding the lock
        holder.execute("SELECT pg_advisory_xact_lock(%s)", [WRITERS_LOCK])
        deciding = threading.Thread(target=reject)
        deciding.start()
        deciding.join(1.5)
        assert deciding.is_alive() and not done  # queued behind the writer: ids follow commit order
        holder.rollback()
    deciding.join(30)
    assert [d.id for d in done[0].recorded] == [1]
