"""Importing returns: counts, corrections, idempotence, all-or-nothing per file, dry runs, warnings.

The files are real files (their bytes are hashed and archived); what the reader would make of
them is prepared by hand, so these tests pin the importer's own rules.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ledger_helpers import NOW, catalog, fake_reader, fingerprint, parsed, task, value, write_file
from pingtai.errors import Problem, UnknownNameError, UsageError
from pingtai.importer import ConversionNote, ImportResult, Receipt, import_files
from pingtai.ledger import Ledger
from pingtai.records import Conversion, ParsedReturn, ValueRecord
from pingtai.series import Acceptance
from pingtai.service import Store


def run(db: Path | str, *returns: ParsedReturn, dry_run: bool = False, agency: str | None = None,
        period: str | None = None) -> ImportResult:
    return import_files([r.path for r in returns], catalog(), Store(db), now=NOW, dry_run=dry_run, agency=agency,
                        period=period, reader=fake_reader({r.path: r for r in returns}))


def test_a_clean_return_is_recorded_as_one_batch(db: Path, tmp_path: Path) -> None:
    source = write_file(tmp_path / "商务局_2024Q4.xlsx", "commerce 2024Q4")
    ret = parsed(source, [value("online_retail_sales", "2024Q4", 1150), value("platforms", "2024Q4", 121)],
                 tasks=[task("plan_2023_38", 1), task("zone_2023_5", 7)])
    result = run(db, ret)
    assert result.exit_code == 0 and not result.dry_run
    [item] = result.files
    assert (item.status, item.imported, item.updated, item.unchanged, item.tasks, item.errors) == (
        "accepted", 2, 0, 0, 2, [])
    assert item.sha256 == ret.sha256 and item.agency == "市商务局" and str(item.period) == "2024Q4"
    with Ledger.open(db) as ledger:
        [batch] = ledger.batches()
        assert batch.id == item.batch and batch.period is not None and str(batch.period) == "2024"
        assert (batch.imported, batch.tasks, batch.reporter, batch.phone) == (2, 2, "张三", "0575-88000000")
        # Q4 values are stored for the year-end point.
        assert {(v.indicator, str(v.period), v.value) for v in ledger.current_values()} == {
            ("online_retail_sales", "2024", 1150), ("platforms", "2024", 121)}
        assert {(t.task, str(t.period)) for t in ledger.current_tasks()} == {(1, "2024"), (7, "2024")}
        assert (db.parent / batch.archive).read_bytes() == b"commerce 2024Q4"


def test_the_same_file_again_is_unchanged_and_adds_no_batch(db: Path, tmp_path: Path) -> None:
    source = write_file(tmp_path / "r.xlsx", "r")
    ret = parsed(source, [value("online_retail_sales", "2024", 1150), value("platforms", "2024", 121)])
    run(db, ret)
    before = fingerprint(db)
    again = run(db, ret)
    [item] = again.files
    assert (item.status, item.imported, item.updated, item.unchanged, item.batch) == ("duplicate", 0, 0, 2, 1)
    assert again.exit_code == 0
    with Ledger.open(db) as ledger:
        assert ledger.counts()["batch"] == 1
    assert fingerprint(db) == before


def test_the_same_file_twice_in_one_command_is_taken_once(db: Path, tmp_path: Path) -> None:
    source = write_file(tmp_path / "r.xlsx", "r")
    copy = write_file(tmp_path / "copy of r.xlsx", "r")
    ret = parsed(source, [value("platforms", "2024", 121)])
    result = import_files([source, copy], catalog(), Store(db), now=NOW, reader=fake_reader({source: ret, copy: ret}))
    assert [f.status for f in result.files] == ["accepted", "duplicate"]
    dry = import_files([source, copy], catalog(), Store(db.with_name("other.sqlite3")), now=NOW, dry_run=True,
                       reader=fake_reader({source: ret, copy: ret}))
    assert [f.status for f in dry.files] == ["accepted", "duplicate"]


def test_a_correction_supersedes_and_history_keeps_both(ledger_url: str, tmp_path: Path) -> None:
    first = parsed(write_file(tmp_path / "v1.xlsx", "v1"),
                   [value("online_retail_sales", "2024", 1100), value("platforms", "2024", 121)])
    second = parsed(write_file(tmp_path / "v2.xlsx", "v2"),
                    [value("online_retail_sales", "2024", 1150, where="v2.xlsx!指标!E4"), value("platforms", "2024", 121)])
    run(ledger_url, first)
    result = run(ledger_url, second)
    [item] = result.files
    assert (item.imported, item.updated, item.unchanged) == (0, 1, 1)
    [change] = item.changes
    assert (change.indicator, change.name, str(change.period), change.agency, change.old, change.new, change.unit,
            change.where, change.old_batch) == (
        "online_retail_sales", "网络零售额", "2024", "市商务局", 1100, 1150, "亿元", "v2.xlsx!指标!E4", 1)
    with Ledger.open(ledger_url) as ledger:
        history = ledger.history("online_retail_sales")
        assert [(v.value, v.file, v.superseded) for v in history] == [(1100, "v1.xlsx", True), (1150, "v2.xlsx", False)]
        [current] = ledger.current_values(["online_retail_sales"])
        assert current.value == 1150
        assert [(b.imported, b.updated, b.unchanged) for b in ledger.batches()] == [(2, 0, 0), (0, 1, 1)]


def test_a_rejected_file_leaves_the_ledger_byte_for_byte_unchanged(db: Path, tmp_path: Path) -> None:
    run(db, parsed(write_file(tmp_path / "ok.xlsx", "ok"), [value("platforms", "2024", 121)]))
    before = fingerprint(db)
    bad = parsed(write_file(tmp_path / "bad.xlsx", "bad"), [value("online_retail_sales", "2024", 1200)], problems=[
        Problem("bad.xlsx!Sheet1!D5", "不是数字：'约1000'", "not-a-number"),
        Problem("bad.xlsx!Sheet1!D7", "不能为负数：'-3'", "negative"),
        Problem("bad.xlsx!Sheet1!D9", "数值偏大，请核实", "suspicious", "warning"),
    ])
    result = run(db, bad)
    [item] = result.files
    assert result.exit_code == 1
    assert item.status == "rejected" and item.batch is None
    assert [(p.where, p.code) for p in item.errors] == [("bad.xlsx!Sheet1!D5", "not-a-number"),
                                                       ("bad.xlsx!Sheet1!D7", "negative")]
    assert [p.code for p in item.warnings] == ["suspicious"]
    assert fingerprint(db) == before


def test_a_rejected_file_does_not_create_a_ledger(db: Path, tmp_path: Path) -> None:
    bad = parsed(write_file(tmp_path / "bad.xlsx", "bad"), [], problems=[Problem("bad.xlsx", "不是 Excel 文件", "not-excel")])
    assert run(db, bad).exit_code == 1
    assert not db.parent.exists()


def test_one_bad_file_does_not_stop_the_good_ones(ledger_url: str, tmp_path: Path) -> None:
    good = parsed(write_file(tmp_path / "good.xlsx", "good"), [value("platforms", "2024", 121)])
    bad = parsed(write_file(tmp_path / "bad.xlsx", "bad"), [value("platforms", "2024", 999)],
                 problems=[Problem("bad.xlsx!指标!E5", "不是数字：'x'", "not-a-number")])
    later = parsed(write_file(tmp_path / "later.xlsx", "later"), [value("online_retail_sales", "2024", 1150)])
    result = run(ledger_url, bad, good, later)
    assert [f.status for f in result.files] == ["rejected", "accepted", "accepted"]
    assert result.exit_code == 1
    with Ledger.open(ledger_url) as ledger:
        assert {(v.indicator, v.value) for v in ledger.current_values()} == {("platforms", 121),
                                                                             ("online_retail_sales", 1150)}


@pytest.mark.parametrize(("values", "code"), [
    ([value("platforms", "2024", 1), value("platforms", "2024Q4", 2)], "duplicate-value"),
    ([value("platforms", "2024", 1, unit="万个")], "unit-mismatch"),
    ([value("platforms", "2024", float("nan"))], "not-a-number"),
])
def test_what_the_ledger_relies_on_is_checked_whatever_the_reader_did(db: Path, tmp_path: Path, values: list[ValueRecord],
                                                                      code: str) -> None:
    result = run(db, parsed(write_file(tmp_path / "x.xlsx", "x"), values))
    assert result.exit_code == 1
    assert code in [p.code for p in result.files[0].errors]
    assert not db.parent.exists()


def test_unknown_indicators_and_tasks_are_refused(ledger_url: str, tmp_path: Path) -> None:
    from pingtai.periods import Period

    odd = ValueRecord("no_such_indicator", Period(2024), "市商务局", 1, "个", "x.xlsx!指标!E4", "1")
    result = run(ledger_url, parsed(write_file(tmp_path / "x.xlsx", "x"), [odd], tasks=[task("plan_2023_38", 99)]))
    assert [p.code for p in result.files[0].errors] == ["unknown-indicator", "unknown-task"]


def test_dry_run_reports_the_same_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    first = parsed(write_file(tmp_path / "v1.xlsx", "v1"), [value("online_retail_sales", "2024", 1100)])
    second = parsed(write_file(tmp_path / "v2.xlsx", "v2"),
                    [value("online_retail_sales", "2024", 1150), value("platforms", "2024", 121)])
    # Nothing exists yet: a dry run must not create the ledger, and the second file is judged
    # against what the first would have written.
    dry = run(db, first, second, dry_run=True)
    assert not db.parent.exists()
    assert dry.dry_run and all(f.batch is None for f in dry.files)
    real = run(db, first, second)
    for would, did in zip(dry.files, real.files, strict=True):
        assert (would.status, would.imported, would.updated, would.unchanged, would.warnings) == (
            did.status, did.imported, did.updated, did.unchanged, did.warnings)
        assert [(c.indicator, c.old, c.new) for c in would.changes] == [(c.indicator, c.old, c.new) for c in did.changes]
    assert [(c.old, c.new) for c in dry.files[1].changes] == [(1100, 1150)]
    # On an existing ledger: nothing changes, byte for byte.
    third = parsed(write_file(tmp_path / "v3.xlsx", "v3"), [value("online_retail_sales", "2024", 1160)])
    before = fingerprint(db)
    dry = run(db, third, dry_run=True)
    assert (dry.files[0].updated, dry.files[0].changes[0].old) == (1, 1150)
    assert fingerprint(db) == before


def test_a_stock_below_the_previous_period_is_a_warning(ledger_url: str, tmp_path: Path) -> None:
    run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [value("online_business_entities", "2024H1", 13.2)],
                   period="2024H1"))
    result = run(ledger_url, parsed(write_file(tmp_path / "b.xlsx", "b"),
                            [value("online_business_entities", "2024Q3", 12.9, where="b.xlsx!指标!E5")], period="2024Q3"))
    [warning] = result.files[0].warnings
    assert (warning.where, warning.code, warning.severity) == ("b.xlsx!指标!E5", "decrease", "warning")
    assert "低于上期（2024年上半年：13.2 万家）" in warning.message
    assert result.exit_code == 0 and result.files[0].status == "accepted"
    with Ledger.open(ledger_url) as ledger:
        assert ledger.batches()[-1].warnings == 1


def test_a_cumulative_count_that_falls_within_one_file_is_a_warning(ledger_url: str, tmp_path: Path) -> None:
    long = parsed(write_file(tmp_path / "long.xlsx", "long"), [
        value("data_ip_registrations", "2023", 320, agency="市市场监管局"),
        value("data_ip_registrations", "2024", 310, agency="市市场监管局"),
    ], agency=None, period=None)
    [warning] = run(ledger_url, long).files[0].warnings
    assert warning.code == "decrease" and "累计数一般不应下降" in warning.message


def test_flows_may_fall_between_quarters_but_not_jump_against_last_year(ledger_url: str, tmp_path: Path) -> None:
    run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [value("online_retail_sales", "2023", 1010),
                                                          value("online_retail_sales", "2024", 1150)]))
    # Q1 year-to-date is far below the previous year-end: normal for a flow, no warning.
    quiet = run(ledger_url, parsed(write_file(tmp_path / "b.xlsx", "b"), [value("online_retail_sales", "2025Q1", 260)]))
    assert quiet.files[0].warnings == []
    # 2.9 × last year is a real (if large) rise; 3 × is a jump to look at
    rise = run(ledger_url, parsed(write_file(tmp_path / "c.xlsx", "c"), [value("online_retail_sales", "2025", 1150 * 2.9)]))
    assert rise.files[0].warnings == []
    jump = run(ledger_url, parsed(write_file(tmp_path / "d.xlsx", "d"), [value("online_retail_sales", "2025", 3450,
                                                                       where="d!s!E4")]))
    [warning] = jump.files[0].warnings
    assert warning.code == "jump" and "较上年同期（2024年：1,150 亿元）变化 +200%" in warning.message
    assert jump.files[0].status == "accepted"


def test_a_stock_that_halves_is_one_jump_warning(ledger_url: str, tmp_path: Path) -> None:
    run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [value("platforms", "2023", 100)]))
    result = run(ledger_url, parsed(write_file(tmp_path / "b.xlsx", "b"), [value("platforms", "2024", 50)]))
    assert [w.code for w in result.files[0].warnings] == ["jump"]
    small = run(ledger_url, parsed(write_file(tmp_path / "c.xlsx", "c"), [value("platforms", "2025", 26)]))
    assert [w.code for w in small.files[0].warnings] == ["decrease"]


def test_below_unit_values_are_not_judged(ledger_url: str, tmp_path: Path) -> None:
    run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [value("platforms", "2023", 90)]))
    result = run(ledger_url, parsed(write_file(tmp_path / "b.xlsx", "b"),
                            [value("platforms", "2024", 0, raw="…", below_unit=True)]))
    assert result.files[0].warnings == []
    with Ledger.open(ledger_url) as ledger:
        [stored] = ledger.current_values(["platforms"])[1:]
        assert stored.below_unit and stored.raw == "…"


def test_conversions_are_listed_with_their_figures(ledger_url: str, tmp_path: Path) -> None:
    source = write_file(tmp_path / "t.xlsx", "t")
    ret = parsed(source, [value("online_retail_sales", "2024", 1.2345, where="t.xlsx!Sheet1!B5", raw="12,345")],
                 conversions=[Conversion("t.xlsx!Sheet1!B5", "online_retail_sales", "万元", "亿元", 1e-4)])
    [note] = run(ledger_url, ret).files[0].conversions
    assert note == ConversionNote("t.xlsx!Sheet1!B5", "online_retail_sales", "12,345", "万元", 1.2345, "亿元", 1e-4)
    assert str(note) == "t.xlsx!Sheet1!B5: 12,345 万元 → 1.2345 亿元"


def test_usage_errors_come_before_anything_is_read(db: Path, tmp_path: Path) -> None:
    ok = parsed(write_file(tmp_path / "ok.xlsx", "ok"), [value("platforms", "2024", 121)])
    with pytest.raises(UsageError, match="文件不存在") as missing:
        import_files([ok.path, tmp_path / "nope.xlsx"], catalog(), Store(db), now=NOW, reader=fake_reader({}))
    assert missing.value.exit_code == 2 and "nope.xlsx" in str(missing.value)
    with pytest.raises(UnknownNameError) as unknown:
        run(db, ok, agency="市商业局")
    assert "市商务局" in unknown.value.suggestions
    with pytest.raises(UsageError, match="无法识别的报告期"):
        run(db, ok, period="2024年第五季度")
    assert not db.parent.exists()


def test_flags_reach_the_reader_resolved(ledger_url: str, tmp_path: Path) -> None:
    seen: dict[str, object] = {}
    ret = parsed(write_file(tmp_path / "ok.xlsx", "ok"), [value("platforms", "2024", 121)])

    def reader(path: Path, catalog: object, *, agency: object = None, period: object = None,
               on_progress: object = None) -> ParsedReturn:
        seen.update(agency=agency, period=str(period))
        return ret

    import_files([ret.path], catalog(), Store(ledger_url), now=NOW, agency="绍兴市商务局", period="2024年1-12月", reader=reader)
    assert seen == {"agency": "市商务局", "period": "2024"}


def test_progress_is_reported_per_file(ledger_url: str, tmp_path: Path) -> None:
    ret = parsed(write_file(tmp_path / "ok.xlsx", "ok"), [value("platforms", "2024", 121)])
    calls: list[tuple[str, int, int]] = []
    import_files([ret.path], catalog(), Store(ledger_url), now=NOW, reader=fake_reader({ret.path: ret}),
                 on_progress=lambda f, d, t: calls.append((f, d, t)))
    assert calls == [(str(ret.path), 1, 1)]


def test_hostile_files_are_refused_with_the_ledger_byte_for_byte_unchanged(db: Path, tmp_path: Path) -> None:
    """Broken and hostile files, made here, through the real reader: one reason each, nothing written."""
    import random
    import zipfile

    from pingtai.template import write_template

    run(db, parsed(write_file(tmp_path / "ok.xlsx", "ok"), [value("platforms", "2024", 121)]))
    before = fingerprint(db)
    template = write_template(catalog(), "市商务局", "2024Q4", tmp_path / "t.xlsx", generated=NOW.date()).path
    whole = template.read_bytes()
    hostile = {
        "random.xlsx": random.Random(1).randbytes(4000),
        "truncated.xlsx": whole[: len(whole) // 2],
        "csv-named.xls": "指标名称,数值\n网络零售额,1150\n".encode("gb18030") + b"\xff\xfe\x00",
    }
    paths = [write_file(tmp_path / "hostile" / name, data) for name, data in hostile.items()]
    bomb = tmp_path / "hostile" / "bomb.xlsx"
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</worksheet>", b"<!-- " + b"0" * 20_000_000 + b" --></worksheet>")
            target.writestr(info.filename, data)
    paths.append(bomb)
    result = import_files(paths, catalog(), Store(db), now=NOW)
    assert [f.status for f in result.files] == ["rejected"] * len(paths)
    for item in result.files:
        assert item.errors and all("\n" not in str(p) for p in item.errors), item.errors
    assert result.exit_code == 1
    assert fingerprint(db) == before


# --- figures by area -------------------------------------------------------------------------------------


def test_an_areas_figure_is_recorded_under_its_area_with_its_measures(db: Path, tmp_path: Path) -> None:
    city = value("online_retail_sales", "2024", 1150, where="a.xlsx!S!B4")._replace(area="绍兴市", growth=9.8)
    district = value("online_retail_sales", "2024", 300, where="a.xlsx!S!B5")._replace(
        area="柯桥区", growth=-3.2, last_year=310.0, note="含个体网店")
    zone = value("online_retail_sales", "2024", 50, where="a.xlsx!S!B6")._replace(area="滨海新区")
    ret = parsed(write_file(tmp_path / "a.xlsx", "a"), [city, district, zone])
    dry = run(db, ret, dry_run=True)
    assert dry.exit_code == 0 and dry.files[0].imported == 3 and not db.parent.exists()
    result = run(db, ret)
    assert result.exit_code == 0 and result.files[0].imported == 3
    with Ledger.open(db) as ledger:
        stored = {(v.area, v.value, v.growth, v.last_year, v.note) for v in ledger.current_values()}
    # the city's row is the city's key (''), not a second spelling of it
    assert stored == {("", 1150, 9.8, None, ""), ("柯桥区", 300, -3.2, 310.0, "含个体网店"), ("滨海新区", 50, None, None, "")}


def test_the_citys_row_of_a_table_by_area_imports_as_before(ledger_url: str, tmp_path: Path) -> None:
    city = value("online_retail_sales", "2024", 1150)._replace(area="绍兴市", growth=9.8, last_year=1050.0, note="快报")
    plain = value("platforms", "2024", 121)
    result = run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [city, plain]))
    assert result.exit_code == 0 and result.files[0].imported == 2
    with Ledger.open(ledger_url) as ledger:
        assert {(v.indicator, v.value) for v in ledger.current_values()} == {("online_retail_sales", 1150),
                                                                             ("platforms", 121)}


def test_the_city_stated_and_unstated_for_one_key_is_a_duplicate(ledger_url: str, tmp_path: Path) -> None:
    stated = value("online_retail_sales", "2024", 1150, where="a.xlsx!分地区!B4")._replace(area="绍兴市")
    unstated = value("online_retail_sales", "2024", 1150, where="a.xlsx!指标!C2")
    result = run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [unstated, stated]))
    assert [(p.where, p.code) for p in result.files[0].errors] == [("a.xlsx!分地区!B4", "duplicate-value")]


def test_a_return_that_says_nothing_is_refused(db: Path, tmp_path: Path) -> None:
    """No value and no task line: recorded, it would be a batch of nothing labelled （多个） that counts
    as received (#13). Refused with a reason, in a dry run too; nothing written."""
    empty = parsed(write_file(tmp_path / "空表.xlsx", "nothing"), [])
    for dry_run in (True, False):
        result = run(db, empty, dry_run=dry_run)
        [item] = result.files
        assert result.exit_code == 1 and item.status == "rejected"
        assert [(p.where, p.code) for p in item.errors] == [("空表.xlsx", "empty-return")]
        assert "没有任何指标数值或任务进展" in item.errors[0].message
    assert not db.exists()
    tasks_only = parsed(write_file(tmp_path / "只有任务.xlsx", "tasks"), [], tasks=[task("plan_2023_38", 1)])
    assert run(db, tasks_only).files[0].status == "accepted"


def test_an_empty_template_from_the_command_line_is_refused(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pingtai.cli import app
    from workbooks import template_workbook

    book = template_workbook(tmp_path / "填报表_市商务局_2024Q3.xlsx")
    db = tmp_path / "srv" / "ledger.sqlite3"
    result = CliRunner().invoke(app, ["--db", str(db), "import", str(book)])
    assert result.exit_code == 1
    assert "填报表_市商务局_2024Q3.xlsx: 报表中没有任何指标数值或任务进展" in result.stderr
    assert not db.exists()


# --- the unit-slip gate ------------------------------------------------------------------------------


def receive(db: Path | str, *returns: ParsedReturn, receipt: Receipt | None = None,
            dry_run: bool = False) -> ImportResult:
    return import_files([r.path for r in returns], catalog(), Store(db), now=NOW, receipt=receipt, dry_run=dry_run,
                        reader=fake_reader({r.path: r for r in returns}))


def test_a_likely_unit_slip_refuses_the_whole_file(db: Path, tmp_path: Path) -> None:
    run(db, parsed(write_file(tmp_path / "a.xlsx", "a"), [value("online_retail_sales", "2024", 1150)]))
    before = fingerprint(db)
    slip = parsed(write_file(tmp_path / "b.xlsx", "b"), [
        value("online_retail_sales", "2025", 12_500_000, where="b.xlsx!指标!E5"),
        value("platforms", "2025", 150, where="b.xlsx!指标!E6")], period="2025Q4")
    [item] = receive(db, slip).files
    assert item.status == "rejected" and [e.where for e in item.errors] == ["b.xlsx!指标!E5"]
    [error] = item.errors
    assert error.code == "unit-slip" and error.severity == "error"
    assert ("网络零售额（2025年，市商务局）为 12,500,000 亿元，约为上年同期（2024年：1,150 亿元）的 1 万倍：疑似以万元填入亿元栏"
            in error.message) and "--accept" in error.message
    assert (item.imported, item.tasks, item.received) == (0, 0, None)
    assert fingerprint(db) == before  # nothing written, not even the platforms figure


def test_accept_lets_the_named_cell_through_with_the_reason_recorded(ledger_url: str, tmp_path: Path) -> None:
    run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [value("platforms", "2024", 118)]))
    jump = parsed(write_file(tmp_path / "b.xlsx", "b"), [value("platforms", "2025", 3000, where="b.xlsx!指标!E6")],
                  period="2025Q4")
    refused = receive(ledger_url, jump, receipt=Receipt(acceptance=Acceptance(("指标!E9",), reason="新口径")))
    assert refused.files[0].status == "rejected" and refused.unused_accepts == ["指标!E9"]
    taken = receive(ledger_url, jump, receipt=Receipt(acceptance=Acceptance(("指标!E6",), reason="平台统计口径调整")))
    [item] = taken.files
    assert item.status == "accepted" and taken.unused_accepts == []
    assert [(p.where, p.code) for p in item.accepted] == [("b.xlsx!指标!E6", "out-of-scale")]
    assert any(w.code == "accepted" and "已按 --accept 放行（平台统计口径调整）" in w.message for w in item.warnings)
    with Ledger.open(ledger_url) as ledger:
        batch = ledger.batches()[-1]
    assert batch.accept_reason == "平台统计口径调整" and [(a.where, a.code) for a in batch.accepted] == [
        ("b.xlsx!指标!E6", "out-of-scale")]


def test_out_of_range_is_never_let_through(ledger_url: str, tmp_path: Path) -> None:
    share = parsed(write_file(tmp_path / "s.xlsx", "s"), [
        value("standard_research_output_ratio", "2024", 120, agency="市市场监管局", where="s!指标!E5")],
        agency="市市场监管局")
    [item] = receive(ledger_url, share, receipt=Receipt(acceptance=Acceptance(every=True, reason="确认"))).files
    assert item.status == "rejected" and [e.code for e in item.errors] == ["out-of-range"]
    assert "是占比（%），不能超过 100，请核实后改正" in item.errors[0].message


def test_the_gate_applies_to_corrections(ledger_url: str, tmp_path: Path) -> None:
    """A correct 60 (%) is not silently replaced by 0.6."""
    run(ledger_url, parsed(write_file(tmp_path / "a.xlsx", "a"), [
        value("standard_research_output_ratio", "2023", 55, agency="市市场监管局"),
        value("standard_research_output_ratio", "2024", 60, agency="市市场监管局")], agency="市市场监管局"))
    fix = parsed(write_file(tmp_path / "b.xlsx", "b"), [
        value("standard_research_output_ratio", "2024", 0.6, agency="市市场监管局")], agency="市市场监管局")
    [item] = receive(ledger_url, fix).files
    assert item.status == "rejected" and item.errors[0].code == "unit-slip"
    dry = receive(ledger_url, fix, dry_run=True)  # a dry run says the same
    assert dry.files[0].status == "rejected"


# --- when a return was received -----------------------------------------------------------------------


def filled_on(path: Path, day: dt.date | None, period: str = "2024Q4") -> ParsedReturn:
    ret = parsed(path, [value("platforms", period, 118)], period=period)
    ret.filled_on = day
    return ret


@pytest.mark.parametrize(("day", "received", "source"), [
    (dt.date(2025, 1, 10), dt.date(2025, 1, 10), "return"),    # the date written on the return
    (dt.date(2024, 12, 31), dt.date(2024, 12, 31), "return"),  # the period's last day
    (dt.date(2024, 12, 30), dt.date(2025, 1, 20), "import"),   # before the period ended: not credible
    (dt.date(2025, 1, 21), dt.date(2025, 1, 20), "import"),    # after the import day (NOW, Beijing): not credible
    (None, dt.date(2025, 1, 20), "import"),
])
def test_the_receipt_day(ledger_url: str, tmp_path: Path, day: dt.date | None, received: dt.date, source: str) -> None:
    [item] = receive(ledger_url, filled_on(write_file(tmp_path / "r.xlsx", "r"), day)).files
    assert (item.received, item.received_source) == (received, source)
    with Ledger.open(ledger_url) as ledger:
        [batch] = ledger.batches()
        [got] = ledger.received_returns()
    assert (batch.received, batch.received_source, got.received, got.source) == (received, source, received, source)


def test_received_option_wins_and_is_checked(ledger_url: str, tmp_path: Path) -> None:
    ret = filled_on(write_file(tmp_path / "r.xlsx", "r"), dt.date(2025, 1, 10))
    with pytest.raises(UsageError, match="晚于今天"):
        receive(ledger_url, ret, receipt=Receipt(received=dt.date(2025, 1, 21)))
    [early] = receive(ledger_url, ret, receipt=Receipt(received=dt.date(2024, 12, 1))).files
    assert early.status == "rejected" and early.errors[0].code == "bad-received"
    [item] = receive(ledger_url, ret, receipt=Receipt(received=dt.date(2025, 1, 15))).files
    assert (item.received, item.received_source) == (dt.date(2025, 1, 15), "option")


def test_a_backfill_is_recorded_as_such(ledger_url: str, tmp_path: Path) -> None:
    [item] = receive(ledger_url, filled_on(write_file(tmp_path / "r.xlsx", "r"), None), receipt=Receipt(backfill=True)).files
    assert item.status == "accepted" and item.backfill
    with Ledger.open(ledger_url) as ledger:
        assert ledger.batches()[0].backfill and ledger.received_returns()[0].backfill


# --- returns that leave things out, or name another unit's figures -------------------------------------


def test_a_template_return_lists_what_it_left_out(ledger_url: str, tmp_path: Path) -> None:
    ret = parsed(write_file(tmp_path / "t.xlsx", "t"), [value("online_retail_sales", "2024Q4", 1150)],
                 tasks=[task("plan_2023_38", 1)])
    [item] = receive(ledger_url, ret).files
    assert item.status == "accepted"
    assert "网络经营主体" in item.blank and "网络零售额" not in item.blank
    assert "5号 任务7 培育发展跨境电商" in item.blank_tasks and not any(t.startswith("38号 任务1 ") for t in item.blank_tasks)
    # a first-quarter template does not owe annual figures
    q1 = parsed(write_file(tmp_path / "q1.xlsx", "q1"), [value("online_retail_sales", "2025Q1", 280)], period="2025Q1")
    [first] = receive(ledger_url, q1).files
    assert "亿元级平台" not in first.blank  # an annual indicator, owed at year end


def test_a_figure_for_another_units_indicator_names_the_owner(ledger_url: str, tmp_path: Path) -> None:
    ret = parsed(write_file(tmp_path / "j.xlsx", "j"), [value("online_retail_sales", "2024Q4", 1150, agency="市经信局",
                                                             where="j!指标!E5")], agency="市经信局")
    [item] = receive(ledger_url, ret).files
    [warning] = [w for w in item.warnings if w.code == "not-owner"]
    assert warning.where == "j!指标!E5" and "网络零售额 由 市商务局 归口报送" in warning.message
