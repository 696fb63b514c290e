"""pingtai ledger verify / rebuild / backup: the archive is enough to get the ledger back, and
verify notices when the ledger and its archive no longer tell the same story."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pingtai.archive import entry_path, read_entry, scan
from pingtai.catalog import Catalog
from pingtai.cli import app
from pingtai.errors import Problem
from pingtai.ledger import Batch, Ledger
from pingtai.maintenance import Backup, backup_ledger, rebuild_ledger, verify_ledger
from pingtai.periods import office_day
from reliability_helpers import district_return, file_hashes, returns_set, rows, snapshot
from test_returns_cli import filled_template


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def import_all(db: Path, runs: list[list[str]]) -> None:
    for args in runs:
        code, out, err = invoke("--db", str(db), "import", *args)
        assert code == 0, out + err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ledger with a varied history: 20 long tables (two of them corrections), a bare table
    imported with --agency/--period, a filled template with a task line, and the import options a
    rebuild must replay exactly: a back-fill, a receipt day given, figures let through — 25 batches."""
    folder = tmp_path_factory.mktemp("built")
    path = folder / "srv" / "ledger.sqlite3"
    runs = returns_set(folder / "in")
    runs.append([str(filled_template(folder / "in" / "商务局_2024Q4.xlsx"))])
    runs.append([str(district_return(folder / "in", "嵊州市政府", 2021, 90, tag="_补录")), "--backfill"])
    runs.append([str(district_return(folder / "in", "新昌县政府", 2024, 170, tag="_更正")), "--received", "2025-02-03"])
    runs.append([str(district_return(folder / "in", "上虞区政府", 2024, 1_000_000, tag="_放行")), "--accept-all",
                 "--reason", "核实无误"])
    import_all(path, runs)
    return path.parent


@pytest.fixture
def db(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built ledger and its archive for each test."""
    shutil.copytree(built, tmp_path / "srv")
    return tmp_path / "srv" / "ledger.sqlite3"


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def _entry_path(db: Path, batch_id: int) -> Path:
    with Ledger.open(db, readonly=True) as ledger:
        batch = ledger.batch(batch_id)
    assert batch is not None
    return entry_path(db.parent, batch.sha256)


def _entry_digest(db: Path, batch_id: int) -> str:
    return hashlib.sha256(_entry_path(db, batch_id).read_bytes()).hexdigest()


# --- verify ------------------------------------------------------------------------------------


def test_a_sound_ledger_verifies(db: Path) -> None:
    code, out, err = invoke("--db", str(db), "ledger", "verify")
    assert (code, err) == (0, "")
    head = _entry_digest(db, 25)
    assert out == f"台账完好：{db}（批次 25，归档清单 25，提示 0）\n链头：{head}（批次 25）\n"
    as_json = json.loads(invoke("--db", str(db), "ledger", "verify", "--json")[1])
    assert as_json == {"ledger": str(db), "batches": 25, "archived": 25, "problems": [], "notes": [], "head": head,
                       "head_batch": 25, "expected": None, "expected_batch": None, "deep": False, "reread": 0}


def test_a_tampered_archive_file_is_caught(db: Path) -> None:
    with Ledger.open(db) as ledger:
        batch = ledger.batches()[4]
    archived = db.parent / batch.archive
    archived.write_bytes(archived.read_bytes().replace(b"2022", b"2021"))
    code, out, err = invoke("--db", str(db), "ledger", "verify")
    assert code == 1
    assert err == f"问题 {batch.archive}: 批次 5（{batch.file}）的归档文件已被改动：sha256 与台账记录不符\n"
    assert out.startswith("发现 1 个问题")


def test_a_missing_archive_file_or_manifest_entry_is_caught(db: Path) -> None:
    with Ledger.open(db) as ledger:
        first, second = ledger.batches()[:2]
    (db.parent / first.archive).unlink()
    entry_path(db.parent, second.sha256).unlink()
    result = verify_ledger(db)
    assert [(p.code, p.where) for p in result.problems] == [("missing-file", first.archive),
                                                            ("missing-manifest", second.archive)]
    assert result.exit_code == 1


def test_rows_changed_behind_pingtais_back_are_caught(db: Path) -> None:
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER value_append_only_update")
    raw.execute("UPDATE value SET value = value + 1 WHERE batch_id = 3")
    raw.commit()
    raw.close()
    result = verify_ledger(db)
    assert codes(result.problems) == ["sqlite-integrity", "rows-mismatch"]
    assert "缺少只追加保护触发器：value_append_only_update" in result.problems[0].message
    assert result.problems[1].message.startswith("批次 3（上虞区政府_2022.csv）在台账中的数据与导入时记录的不一致")


def test_dangling_rows_and_a_broken_index_are_caught(db: Path) -> None:
    raw = sqlite3.connect(db)
    raw.execute("INSERT INTO value VALUES (99, 'platforms', '2024', '2024-12-31', '市商务局', 1, '个', 0, 'x', '1', '', NULL, NULL, '')")
    # Point the index's definition at another column: its entries no longer match the rows.
    raw.execute("PRAGMA writable_schema = ON")
    raw.execute("UPDATE sqlite_master SET sql = replace(sql, 'ON value (batch_id)', 'ON value (unit)') "
                "WHERE name = 'value_batch'")
    raw.commit()
    raw.close()
    messages = [p.message for p in verify_ledger(db).problems if p.code == "sqlite-integrity"]
    assert any("value 表第" in m and "悬空记录" in m for m in messages)
    assert any(m.startswith("SQLite 完整性检查：") and "value_batch" in m for m in messages)


def test_a_ledger_older_than_its_archive_is_caught(db: Path, tmp_path: Path) -> None:
    """Restored from a backup taken before the last imports: the archive knows batches it lacks."""
    old = tmp_path / "old.sqlite3"
    backup_ledger(db, old)
    import_all(db, [[str(district_return(tmp_path / "later", "越城区政府", 2025, 400))]])
    shutil.copyfile(old, db)
    result = verify_ledger(db)
    [problem] = result.problems
    assert problem.code == "unrecorded-batch"
    assert "归档记录了批次 26（越城区政府_2025.csv" in problem.message and "pingtai ledger rebuild" in problem.message


def test_what_interrupted_imports_leave_is_a_note_and_reimporting_completes_it(db: Path, tmp_path: Path) -> None:
    """An import killed before COMMIT leaves its archived file and pending manifest entry."""
    source = district_return(tmp_path / "in", "诸暨市政府", 2025, 512)
    copy = db.parent.parent / "copy.sqlite3"
    backup_ledger(db, copy)
    import_all(db, [[str(source)]])
    with Ledger.open(db) as ledger:
        batch = ledger.batches()[-1]
    archive_before = file_hashes(db.parent / "archive")
    # Put the ledger back as it was before that import, and its manifest entry back to pending.
    shutil.copyfile(copy, db)
    pending = entry_path(db.parent, batch.sha256, pending=True)
    entry_path(db.parent, batch.sha256).rename(pending)
    result = verify_ledger(db)
    assert result.problems == []
    assert [(n.code, n.where) for n in result.notes] == [("orphan", f"archive/pending/{batch.sha256}.json")]
    assert "未完成（或正在进行）的导入：诸暨市政府_2025.csv" in result.notes[0].message
    code, out, _ = invoke("--db", str(db), "ledger", "verify")
    assert code == 0 and f"提示 archive/pending/{batch.sha256}.json: 未完成（或正在进行）的导入" in out
    import_all(db, [[str(source)]])
    assert verify_ledger(db).notes == []
    assert file_hashes(db.parent / "archive").keys() == archive_before.keys()


def test_a_batch_whose_manifest_entry_was_left_pending_is_finished_by_the_next_import(db: Path, tmp_path: Path) -> None:
    """Killed between COMMIT and moving the entry: a note, then the next write finishes the move."""
    with Ledger.open(db) as ledger:
        batch = ledger.batches()[-1]
    entry_path(db.parent, batch.sha256).rename(entry_path(db.parent, batch.sha256, pending=True))
    result = verify_ledger(db)
    assert result.problems == [] and codes(result.notes) == ["pending-manifest"]
    import_all(db, [[str(district_return(tmp_path / "in", "嵊州市政府", 2025, 99))]])
    assert verify_ledger(db).notes == []
    assert read_entry(entry_path(db.parent, batch.sha256)).batch == batch.id


def test_leftover_temporary_and_unknown_files_are_notes(db: Path) -> None:
    (db.parent / "archive" / "pending" / ".pingtai-abc.xlsx").write_bytes(b"half a copy")
    (db.parent / "archive" / "notes.txt").write_text("mine")
    result = verify_ledger(db)
    assert result.exit_code == 0
    assert [(n.code, n.where) for n in result.notes] == [("temp-file", "archive/pending/.pingtai-abc.xlsx"),
                                                         ("stray-file", "archive/notes.txt")]


def test_verify_without_a_ledger_exits_2(tmp_path: Path) -> None:
    code, _, err = invoke("--db", str(tmp_path / "none.sqlite3"), "ledger", "verify")
    assert code == 2 and err.startswith("错误：台账不存在")


# --- rebuild -----------------------------------------------------------------------------------


def test_deleting_the_ledger_and_rebuilding_gives_back_the_same_ledger(db: Path) -> None:
    before, before_rows = snapshot(db), rows(db)
    db.unlink()
    code, out, err = invoke("--db", str(db), "ledger", "rebuild")
    assert (code, err) == (0, "")
    assert out == f"已重建台账：{db}（据 {db.parent / 'archive'} 重放批次 25/25，问题 0，提示 0）\n"
    assert snapshot(db) == before
    assert rows(db) == before_rows  # ids, times, counts, cells, receipt days and options: the same rows
    batches = {b["file"]: b for b in before["batches"]}
    assert batches["嵊州市政府_2021_补录.csv"]["backfill"] is True
    assert (batches["新昌县政府_2024_更正.csv"]["received"], batches["新昌县政府_2024_更正.csv"]["received_source"]) == (
        "2025-02-03", "option")
    let_through = batches["上虞区政府_2024_放行.csv"]  # 网络零售额 and 网络经营主体 about 10,000 times last year's
    assert let_through["accept_reason"] == "核实无误" and [a["code"] for a in let_through["accepted"]] == [
        "unit-slip", "unit-slip"]
    assert verify_ledger(db).exit_code == 0
    assert sorted(p.name for p in db.parent.iterdir()) == ["archive", "ledger.sqlite3"]


def test_a_lost_ledger_is_refused_rather_than_read_as_empty_or_started_afresh(db: Path, tmp_path: Path) -> None:
    db.unlink()
    for command in (["status"], ["batches"], ["import", str(district_return(tmp_path / "x", "越城区政府", 2025, 1))]):
        code, _, err = invoke("--db", str(db), *command)
        assert code == 2, command
        assert "旁边的归档中已记录了导入批次" in err and "pingtai ledger rebuild" in err
    assert not db.exists()


def test_rebuild_never_overwrites_a_ledger(db: Path) -> None:
    before = db.read_bytes()
    code, _, err = invoke("--db", str(db), "ledger", "rebuild")
    assert code == 2 and err.startswith(f"错误：台账已存在：{db}；重建不会覆盖已有台账")
    assert db.read_bytes() == before


def test_rebuild_elsewhere_from_a_copied_archive(db: Path, tmp_path: Path) -> None:
    before = snapshot(db)
    copied = tmp_path / "offsite" / "archive"
    shutil.copytree(db.parent / "archive", copied)
    target = tmp_path / "restored" / "ledger.sqlite3"
    code, _, err = invoke("--db", str(target), "ledger", "rebuild", "--archive", str(copied))
    assert (code, err) == (0, "")
    assert snapshot(target) == before
    assert file_hashes(target.parent / "archive") == file_hashes(db.parent / "archive")


def test_rebuild_names_what_it_cannot_replay_and_keeps_the_rest(db: Path) -> None:
    with Ledger.open(db) as ledger:
        batches = ledger.batches()
    tampered = batches[2]
    (db.parent / tampered.archive).write_bytes(b"not what was imported")
    db.unlink()
    result = rebuild_ledger(_catalog(), db)
    assert [(p.code, p.message) for p in result.problems] == [
        ("tampered-file", f"批次 3（{tampered.file}）的归档文件已被改动或无法读取（sha256 不符）；未重建此批次")]
    assert result.exit_code == 1
    with Ledger.open(db) as ledger:
        assert [b.id for b in ledger.batches()] == [b.id for b in batches if b.id != 3]
    # Its entry is back in pending/: a later batch can take no id a rebuild would replay twice.
    assert batches[2].sha256 in scan(db.parent / "archive").pending


def test_rebuild_reports_an_interrupted_import_without_replaying_it(db: Path, tmp_path: Path) -> None:
    source = district_return(tmp_path / "in", "新昌县政府", 2025, 77)
    import_all(db, [[str(source)]])
    with Ledger.open(db) as ledger:
        last = ledger.batches()[-1]
    entry_path(db.parent, last.sha256).rename(entry_path(db.parent, last.sha256, pending=True))
    db.unlink()
    result = rebuild_ledger(_catalog(), db)
    assert result.problems == [] and codes(result.notes) == ["orphan"]
    assert len(result.batches) == 25


def _catalog() -> Catalog:
    from pingtai.loader import load_catalog

    return load_catalog()


# --- backup ------------------------------------------------------------------------------------


def test_backup_is_a_complete_copy(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "ledger-1.sqlite3"
    target.parent.mkdir()
    target.write_bytes(b"an older backup")
    code, out, err = invoke("--db", str(db), "ledger", "backup", str(target))
    assert (code, err) == (0, "")
    assert out.startswith(f"已备份台账：{db} → {target}（批次 25，")
    assert rows(target) == rows(db)
    assert sorted(p.name for p in target.parent.iterdir()) == ["ledger-1.sqlite3"]


def test_backup_refuses_the_ledger_itself_a_folder_and_a_missing_ledger(db: Path, tmp_path: Path) -> None:
    assert invoke("--db", str(db), "ledger", "backup", str(db))[2].startswith("错误：备份目标就是台账本身")
    assert invoke("--db", str(db), "ledger", "backup", str(tmp_path))[2].startswith("错误：备份目标是目录")
    code, _, err = invoke("--db", str(tmp_path / "none.sqlite3"), "ledger", "backup", str(tmp_path / "new" / "b.db"))
    assert code == 2 and err.startswith("错误：台账不存在")
    assert not (tmp_path / "new").exists()  # no folder made for a backup that cannot be taken
    (tmp_path / "file").write_text("")
    code, _, err = invoke("--db", str(db), "ledger", "backup", str(tmp_path / "file" / "b.db"))
    assert code == 2 and err.startswith(f"错误：无法创建备份目录 {tmp_path / 'file'}")


def test_backup_into_a_folder_that_does_not_exist_creates_it(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "2025" / "ledger.sqlite3"
    code, out, err = invoke("--db", str(db), "ledger", "backup", str(target))
    assert (code, err) == (0, "") and out.startswith(f"已备份台账：{db} → {target}")
    assert rows(target) == rows(db)


def test_backup_while_imports_run_is_a_consistent_snapshot(db: Path, tmp_path: Path) -> None:
    files = [district_return(tmp_path / "more", agency, 2025 + n, 50 + n)
             for n in range(4) for agency in ("越城区政府", "柯桥区政府")]
    stop = threading.Event()

    def keep_importing() -> None:
        from pingtai.importer import import_files
        from pingtai.loader import load_catalog
        from pingtai.service import Store

        catalog = load_catalog()
        import datetime as dt

        for path in files:
            import_files([path], catalog, Store(db), now=dt.datetime.now(dt.UTC))
        stop.set()

    writer = threading.Thread(target=keep_importing)
    writer.start()
    taken: list[tuple[Backup, Path]] = []
    while not stop.is_set() or not taken:
        target = tmp_path / f"b{len(taken)}.sqlite3"
        taken.append((backup_ledger(db, target), target))
    writer.join()
    for result, target in taken:
        copy = rows(target)
        # A snapshot between two commits: whole batches only, each with all its values.
        assert len(copy["batch"]) == result.batches
        ids = {row[0] for row in copy["batch"]}
        assert {row[0] for row in copy["value"]} == ids  # every batch here carries values
        assert copy["batch"] == rows(db)["batch"][:len(copy["batch"])]


# --- the chain of manifest entries (#13 item 9) ------------------------------------------------------


def test_every_entry_links_to_the_one_before(db: Path) -> None:
    for batch_id in range(1, 26):
        entry = read_entry(_entry_path(db, batch_id))
        assert entry.format == 2
        assert entry.previous == (_entry_digest(db, batch_id - 1) if batch_id > 1 else None)


def test_an_entry_carries_its_link_and_its_import_options_together(db: Path) -> None:
    """Format 2 entries hold the chain link and the import options side by side: the link (the
    digest of the entry's bytes) covers the options too."""
    entries = {batch_id: read_entry(_entry_path(db, batch_id)) for batch_id in (23, 24, 25)}
    assert [(e.previous, e.backfill, e.received_option, e.accept_all, e.reason, e.receipt_rule)
            for e in entries.values()] == [
        (_entry_digest(db, 22), True, None, False, "", 1),
        (_entry_digest(db, 23), False, "2025-02-03", False, "", 1),
        (_entry_digest(db, 24), False, None, True, "核实无误", 1)]


def test_expect_accepts_the_head_or_an_older_one_and_notes_what_came_since(db: Path, tmp_path: Path) -> None:
    head = _entry_digest(db, 25)
    assert invoke("--db", str(db), "ledger", "verify", "--expect", head)[0] == 0
    assert invoke("--db", str(db), "ledger", "verify", "--expect", head[:12].upper())[0] == 0
    import_all(db, [[str(district_return(tmp_path / "later", "越城区政府", 2025, 400))]])
    code, out, _ = invoke("--db", str(db), "ledger", "verify", "--expect", head)
    assert code == 0
    assert "提示 " in out and "期望的链头是批次 25 的清单；其后又导入了 1 个批次，链完整" in out
    assert out.endswith(f"链头：{_entry_digest(db, 26)}（批次 26）\n")


def test_newest_batches_removed_with_their_files_pass_verify_but_not_expect(db: Path, tmp_path: Path) -> None:
    """(a) of #13 item 9: a ledger put back to an earlier state and the newest files and entries
    deleted from the archive — everything left agrees, so only the head kept elsewhere tells."""
    earlier = tmp_path / "earlier.sqlite3"
    backup_ledger(db, earlier)
    import_all(db, [[str(district_return(tmp_path / "later", agency, 2025, 400))] for agency in ("越城区政府", "柯桥区政府")])
    head = _entry_digest(db, 27)
    with Ledger.open(db, readonly=True) as ledger:
        removed = [ledger.batch(26), ledger.batch(27)]
    for batch in removed:
        assert batch is not None
        (db.parent / batch.archive).unlink()
        entry_path(db.parent, batch.sha256).unlink()
    shutil.copyfile(earlier, db)
    assert verify_ledger(db).exit_code == 0  # what the chain alone cannot see
    code, _, err = invoke("--db", str(db), "ledger", "verify", "--expect", head)
    assert code == 1
    assert err.startswith(f"问题 {db}: 期望的链头 {head[:12]}… 不在台账的归档清单链中（当前链头 {_entry_digest(db, 25)[:12]}…，批次 25）")


def test_a_batch_removed_from_the_middle_breaks_the_chain(db: Path) -> None:
    with Ledger.open(db, readonly=True) as ledger:
        victim = ledger.batch(10)
    assert victim is not None
    raw = sqlite3.connect(db)
    for name in ("value_append_only_delete", "task_progress_append_only_delete", "batch_append_only_delete",
                 "received_append_only_delete"):
        raw.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("value", "task_progress", "received"):
        raw.execute(f"DELETE FROM {table} WHERE batch_id = 10")
    raw.execute("DELETE FROM batch WHERE id = 10")
    raw.commit()
    raw.close()
    (db.parent / victim.archive).unlink()
    entry_path(db.parent, victim.sha256).unlink()
    chain = [p for p in verify_ledger(db).problems if p.code == "chain-broken"]
    assert [p.message.split("的归档清单")[0] for p in chain] == ["批次 11（" + _file(db, 11) + "）"]
    assert "与上一批次（批次 9（" in chain[0].message


def test_a_value_edited_with_its_digest_recomputed_is_caught_by_the_chain_and_by_deep(db: Path) -> None:
    """(b) of #13 item 9: the value changed in SQLite and the entry's rows_sha256 made to match."""
    _edit_value_and_digest(db, 5)
    result = verify_ledger(db)
    assert codes(result.problems) == ["sqlite-integrity", "chain-broken"]  # the trigger dropped; batch 6's link
    assert result.problems[1].message.startswith(f"批次 6（{_file(db, 6)}）的归档清单与上一批次（批次 5（")
    deep = verify_ledger(db, deep=_catalog())
    assert deep.deep and deep.reread == 25
    [mismatch] = [p for p in deep.problems if p.code == "deep-mismatch"]
    assert mismatch.message.startswith(f"批次 5（{_file(db, 5)}）：归档文件重新读取的数据与台账不符（1 处，如 数值 ")


def test_the_newest_value_edited_with_its_digest_recomputed_changes_the_head(db: Path) -> None:
    head = _entry_digest(db, 25)
    _edit_value_and_digest(db, 25)
    assert codes(verify_ledger(db).problems) == ["sqlite-integrity"]  # only the dropped trigger shows
    assert codes(verify_ledger(db, expect=head).problems) == ["sqlite-integrity", "head-mismatch"]
    code, _, err = invoke("--db", str(db), "ledger", "verify", "--deep")
    assert code == 1 and f"问题 {_archive(db, 25)}: 批次 25（{_file(db, 25)}）：归档文件重新读取的数据与台账不符" in err


def test_deep_on_a_sound_ledger_re_reads_every_file(db: Path) -> None:
    code, out, err = invoke("--db", str(db), "ledger", "verify", "--deep")
    assert (code, err) == (0, "")
    assert out.startswith(f"台账完好：{db}（批次 25，归档清单 25，重读归档文件 25，提示 0）")


def test_expect_must_look_like_a_head(db: Path) -> None:
    for wrong in ("abc", "zz" * 10, "x"):
        code, _, err = invoke("--db", str(db), "ledger", "verify", "--expect", wrong)
        assert code == 2 and err.startswith("错误：--expect 应为链头"), err


def test_format_1_entries_still_verify_and_the_next_entry_links_to_them(db: Path, tmp_path: Path) -> None:
    """An archive written before the chain (format 1: no ``previous``) verifies as it is; the first
    format 2 entry names the digest of the last format 1 entry."""
    for batch_id in range(1, 26):
        path = _entry_path(db, batch_id)
        raw = json.loads(path.read_bytes())
        del raw["previous"]
        raw["format"] = 1
        path.write_bytes((json.dumps(raw, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    result = verify_ledger(db)
    assert result.exit_code == 0 and result.head == _entry_digest(db, 25)
    import_all(db, [[str(district_return(tmp_path / "later", "越城区政府", 2025, 400))]])
    newest = read_entry(_entry_path(db, 26))
    assert (newest.format, newest.previous) == (2, _entry_digest(db, 25))
    assert verify_ledger(db).exit_code == 0


def test_a_rebuild_keeps_every_entry_and_so_the_head(db: Path) -> None:
    head, entries = _entry_digest(db, 25), file_hashes(db.parent / "archive")
    db.unlink()
    assert invoke("--db", str(db), "ledger", "rebuild")[0] == 0
    assert file_hashes(db.parent / "archive") == entries
    assert verify_ledger(db, expect=head).exit_code == 0


def _file(db: Path, batch_id: int) -> str:
    with Ledger.open(db, readonly=True) as ledger:
        batch = ledger.batch(batch_id)
    assert batch is not None
    return batch.file


def _archive(db: Path, batch_id: int) -> str:
    with Ledger.open(db, readonly=True) as ledger:
        batch = ledger.batch(batch_id)
    assert batch is not None
    return batch.archive


def _edit_value_and_digest(db: Path, batch_id: int) -> None:
    """What someone with write access to the files could do: change a figure and make the batch's
    manifest entry agree with it."""
    raw = sqlite3.connect(db)
    raw.execute("DROP TRIGGER value_append_only_update")
    raw.execute("UPDATE value SET value = value * 10 WHERE rowid = (SELECT MIN(rowid) FROM value WHERE batch_id = ?)",
                (batch_id,))
    raw.commit()
    raw.close()
    with Ledger.open(db, readonly=True) as ledger:
        digest = ledger.batch_rows_digest(batch_id)[2]
    path = _entry_path(db, batch_id)
    entry = json.loads(path.read_bytes())
    entry["rows_sha256"] = digest
    path.write_bytes((json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())


def _archived_before_receipt_days(tmp_path: Path, *, chained: bool = True,
                                  **overrides: object) -> tuple[Path, Batch, Path]:
    """A ledger of one template return dated 2025-01-10 whose manifest entry is made to look as
    pingtai wrote it before receipt days were kept (no import options, no ``receipt_rule``; without
    ``chained`` also before the chain: format 1, no ``previous``; other keys as ``overrides`` say).
    Returns the ledger's path (deleted), its batch and the entry."""
    import openpyxl

    db = tmp_path / "srv" / "ledger.sqlite3"
    (tmp_path / "in").mkdir()
    source = filled_template(tmp_path / "in" / "商务局_2024Q4.xlsx")
    book = openpyxl.load_workbook(source)
    for row in book["指标"].iter_rows():
        if row[0].value == "填报日期":
            row[1].value = dt.date(2025, 1, 10)
    book.save(source)
    import_all(db, [[str(source)]])
    with Ledger.open(db, readonly=True) as ledger:
        [batch] = ledger.batches()
    assert (batch.received, batch.received_source) == (dt.date(2025, 1, 10), "return")
    [entry_file] = (db.parent / "archive").glob("*/*.json")
    old = {k: v for k, v in json.loads(entry_file.read_text(encoding="utf-8")).items()
           if k not in ("received_option", "backfill", "accept", "accept_all", "reason", "receipt_rule")}
    if not chained:
        del old["previous"]
        old["format"] = 1
    entry_file.write_text(json.dumps({**old, **overrides}, ensure_ascii=False), encoding="utf-8")
    db.unlink()
    return db, batch, entry_file


@pytest.mark.parametrize("chained", [True, False])
def test_a_batch_archived_before_receipt_days_is_rebuilt_as_it_was(tmp_path: Path, chained: bool) -> None:
    """An entry written before pingtai kept receipt days (and, in format 1, before the chain)
    replays with the import day as the receipt day — as the ledger it came from said —, even though
    the return carries its own date; the entry is kept as it was and verifies."""
    db, batch, entry_file = _archived_before_receipt_days(tmp_path, chained=chained)
    before = entry_file.read_bytes()
    assert invoke("--db", str(db), "ledger", "rebuild")[0] == 0
    with Ledger.open(db, readonly=True) as ledger:
        [rebuilt] = ledger.batches()
    assert (rebuilt.received, rebuilt.received_source) == (office_day(batch.imported_at), "import")
    assert entry_file.read_bytes() == before
    assert verify_ledger(db).exit_code == 0


def test_an_old_batch_re_read_differently_keeps_its_receipt_day_through_the_next_rebuild(tmp_path: Path) -> None:
    """A rebuild that re-reads an old batch differently writes it a new entry: that entry says the
    batch was received on its import day (``receipt_rule`` 0), so a second rebuild gives back the
    same day rather than the date written on the return."""
    db, batch, entry_file = _archived_before_receipt_days(tmp_path, rows_sha256="0" * 64)
    code, _, err = invoke("--db", str(db), "ledger", "rebuild")
    assert code == 1 and "重新读取的数据与导入时不同" in err
    rewritten = read_entry(entry_file)
    assert (rewritten.receipt_rule, rewritten.received_option, rewritten.format) == (0, None, 2)
    db.unlink()
    assert invoke("--db", str(db), "ledger", "rebuild")[0] == 0
    with Ledger.open(db, readonly=True) as ledger:
        [rebuilt] = ledger.batches()
    assert (rebuilt.received, rebuilt.received_source) == (office_day(batch.imported_at), "import")


@pytest.mark.parametrize(("batch_id", "key", "forged", "said"), [
    (23, "backfill", False, "补录 否"),
    (24, "received_option", "2025-02-04", "收到日期 2025-02-04"),
    (24, "received_option", None, "收到日期（清单中未指定）"),
    (25, "reason", "另一理由", "放行理由 另一理由"),
    (25, "accept_all", False, "放行的单元格 （无）"),
])
def test_an_entry_whose_import_options_disagree_with_its_batch_is_caught(db: Path, batch_id: int, key: str,
                                                                         forged: object, said: str) -> None:
    """The options an entry records are what a rebuild replays: one that no longer says what the
    batch holds is named against that batch (and, unless it is the newest, breaks the chain too)."""
    path = _entry_path(db, batch_id)
    entry = json.loads(path.read_bytes())
    entry[key] = forged
    path.write_bytes((json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode())
    result = verify_ledger(db)
    assert codes(result.problems) == ["manifest-mismatch", *(["chain-broken"] if batch_id < 25 else [])]
    assert result.problems[0].message == f"批次 {batch_id}（{_file(db, batch_id)}）的归档清单与台账不符：{said}"


# --- figures by area, and batches from before ledger schema 5 ------------------------------------------


def test_a_ledger_of_figures_by_area_rebuilds_to_the_very_same_rows(tmp_path: Path) -> None:
    """Areas, growth, last year's figures and notes come back exactly, and so do the views made of them."""
    from workbooks import write_xlsx

    header = ["地区", "1-12月累计（亿元）", "同比增长（%）", "上年同期", "备注"]
    years = {
        2023: [["越城区", 150.0, 9.1, None, None], ["柯桥区", 300.0, 10.4, None, None], ["上虞区", 140.0, 8.8, None, None],
               ["新昌县", 60.0, 7.9, None, None], ["诸暨市", 230.0, 11.2, None, None], ["嵊州市", 100.0, 9.5, None, None]],
        2024: [["全市", 1150.0, 13.7, 980.0, "快报"], ["越城区", 170.0, 13.3, None, None],
               ["柯桥区", 350.0, 12.0, None, "含个体网店"], ["上虞区", 160.0, 14.3, None, None], ["新昌县", 66.0, 10.0, None, None],
               ["诸暨市", 262.0, 13.9, None, None], ["嵊州市", 142.0, 42.0, None, "口径调整"], ["滨海新区", 52.6, 16.1, None, None]],
    }
    db = tmp_path / "srv" / "ledger.sqlite3"
    (tmp_path / "in").mkdir()
    for year, rows_of_year in years.items():
        grid = [[f"{year}年1-12月各区、县（市）网络零售额"], ["填报单位：市商务局"], header, *rows_of_year]
        import_all(db, [[str(write_xlsx(tmp_path / "in" / f"分地区_{year}.xlsx", {"Sheet1": grid}))]])
    before, before_rows = snapshot(db), rows(db)
    by_area = CliRunner().invoke(app, ["--db", str(db), "show", "网络零售额", "--by-area", "--json"]).stdout
    assert [r[10:] for r in before_rows["value"] if r[2] == "2024"][:2] == [("", 13.7, 980.0, "快报"), ("越城区", 13.3, None, "")]
    db.unlink()
    code, _, err = invoke("--db", str(db), "ledger", "rebuild")
    assert (code, err) == (0, "")
    assert rows(db) == before_rows and snapshot(db) == before
    assert CliRunner().invoke(app, ["--db", str(db), "show", "网络零售额", "--by-area", "--json"]).stdout == by_area
    assert verify_ledger(db, deep=_catalog()).exit_code == 0


def _as_pingtai_4_left_it(db: Path) -> None:
    """The ledger as pingtai 4 wrote it: value rows without area, growth, last year and note, and manifest
    entries whose row digests cover the nine columns then kept (the chain relinked over them)."""
    from ledger_helpers import downgrade
    from pingtai.ledger import rows_digest

    with Ledger.open(db, readonly=True) as ledger:
        batches = ledger.batches()
        digests = {b.id: rows_digest(*ledger.batch_rows(b.id), version=1) for b in batches}
    downgrade(db, 4)
    previous = None
    for batch in batches:
        path = entry_path(db.parent, batch.sha256)
        entry = json.loads(path.read_bytes())
        entry["rows_sha256"], entry["previous"] = digests[batch.id], previous
        data = (json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
        path.write_bytes(data)
        previous = hashlib.sha256(data).hexdigest()


def test_batches_recorded_before_schema_5_still_verify_deep_and_rebuild(db: Path) -> None:
    _as_pingtai_4_left_it(db)
    head = verify_ledger(db)  # opening it migrates the ledger to the current schema
    assert (head.exit_code, head.problems) == (0, [])
    with Ledger.open(db, readonly=True) as ledger:
        assert ledger.schema_version == 6
        assert {v.area for v in ledger.current_values()} == {""}  # every figure recorded before is the city's
    deep = verify_ledger(db, deep=_catalog())
    assert (deep.problems, deep.reread) == ([], 25)
    db.unlink()
    code, out, err = invoke("--db", str(db), "ledger", "rebuild")
    assert (code, err) == (0, "") and "问题 0" in out  # each batch replays to the rows its digest covers
    assert verify_ledger(db).head == head.head  # every entry kept byte for byte: the chain's head too
