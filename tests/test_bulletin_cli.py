"""``pingtai bulletin``: every number in the Word document is the dashboard's, and the command's exits.

The main test reads the .docx the command wrote, parses every number out of its sentences and table
cells, and checks each against the value its source names in what ``status --json`` prints for the
same date (and ``report --json`` for the returns, ``check --json`` for 下步工作).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from typer.testing import CliRunner

from bulletin_helpers import evaluate, example_ledger, figures_of, numbers_in, part_text, shown
from pingtai import service
from pingtai.cli import app
from pingtai.loader import load_catalog
from pingtai.periods import Period
from pingtai.render.jsonout import document


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return example_ledger(tmp_path_factory.mktemp("examples") / "ledger.sqlite3")


def run(db: Path, *args: str) -> Any:
    result = CliRunner().invoke(app, ["--db", str(db), *args])
    return result


def json_of(db: Path, *args: str, exit_code: int = 0) -> Any:
    result = run(db, *args, "--json")
    assert result.exit_code == exit_code, result.output
    return json.loads(result.stdout)


def blocks_of(bulletin: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [b for s in bulletin["sections"] for b in s["blocks"] if b["kind"] == kind]


def test_every_number_in_the_document_is_the_value_its_source_names(db: Path, tmp_path: Path) -> None:
    bulletin = json_of(db, "bulletin", "--period", "2024Q4")
    assert bulletin["as_of"] == "2025-01-21" and bulletin["period"] == "2024"
    status = json_of(db, "status", "--as-of", "2025-01-21")
    # 各区、县（市）情况: each indicator's figures as `show --by-area` prints them for the same period and date
    shown_by_area = {ref["path"][0] for f in figures_in(bulletin) for ref in f["refs"] if ref["doc"] == "areas"}
    assert shown_by_area == {"online_retail_sales"}
    areas = {ident: json_of(db, "show", ident, "--by-area", "--period", "2024", "--as-of", "2025-01-21")["areas"]
             for ident in shown_by_area}
    docs = {"status": status, "bulletin": bulletin, "areas": areas}
    target = tmp_path / "通报.docx"
    written = run(db, "bulletin", "--period", "2024Q4", "-o", str(target))
    assert written.exit_code == 0 and "已写入" in written.stdout
    document = Document(str(target))

    paragraphs = blocks_of(bulletin, "paragraph")
    texts = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Normal" and p.text]
    assert texts[:len(paragraphs)] == [p["number"] + "".join(part_text(x) for x in p["parts"]) for p in paragraphs]
    checked = 0
    for text, block in zip(texts, paragraphs, strict=False):
        numbers = numbers_in(text, block["parts"], block["number"])
        figures = figures_of(block["parts"])
        assert numbers == [f["text"] for f in figures], (text, numbers)
        for number, figure in zip(numbers, figures, strict=True):
            assert shown(evaluate(figure, docs), number, figure["signed"]), (text, number, figure)
            checked += 1

    tables = blocks_of(bulletin, "table")
    assert len(document.tables) == len(tables)
    for table, block in zip(document.tables, tables, strict=True):
        for row, data in zip(table.rows[1:], block["rows"], strict=True):
            for cell, parts in zip(row.cells, data, strict=True):
                numbers = numbers_in(cell.text, parts)
                figures = figures_of(parts)
                assert numbers == [f["text"].lstrip("-") for f in figures], (cell.text, numbers)
                for number, figure in zip(numbers, figures, strict=True):
                    value = evaluate(figure, docs)
                    assert shown(value, number, True), (cell.text, figure)
                    assert ("-" + number in cell.text) == (value < 0 and float(number) != 0), cell.text
                    checked += 1
    assert checked > 120, checked
    # the area section's figures are among those checked: ranks, values, 同比 and shares of six areas
    assert len([f for f in figures_in(bulletin) if f["refs"][0]["doc"] == "areas"]) >= 6 * 4


def figures_in(bulletin: dict[str, Any]) -> list[dict[str, Any]]:
    """Every figure of the bulletin's sentences and table cells (as ``bulletin --json`` gives them)."""
    parts = [p for b in blocks_of(bulletin, "paragraph") for p in b["parts"]]
    parts += [p for b in blocks_of(bulletin, "table") for row in b["rows"] for cell in row for p in cell]
    return figures_of(parts)


def test_json_compact_or_indented_keeps_every_figure_with_its_sources(db: Path, tmp_path: Path) -> None:
    compact = run(db, "bulletin", "--period", "2024Q4", "--json")
    indented = run(db, "bulletin", "--period", "2024Q4", "--format", "json", "--indent", "2")
    assert compact.exit_code == indented.exit_code == 0, compact.output + indented.output
    assert compact.stdout.count("\n") == 1 and indented.stdout.startswith('{\n  "period": "2024",\n  "as_of": ')
    bulletin = json.loads(indented.stdout)
    assert bulletin == json.loads(compact.stdout)
    expected = document(service.bulletin(load_catalog(), service.Store(db), Period.parse("2024Q4")), indent=1)
    target = tmp_path / "通报.json"
    written = run(db, "bulletin", "--period", "2024Q4", "-o", str(target), "--indent", "1")
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == expected
    figures = figures_in(bulletin)
    assert len(figures) > 120 and all(f["refs"] and all(r["doc"] and r["path"] for r in f["refs"]) for f in figures)
    # every source is in what `status --json` prints by default: none in the series --history adds
    steps = [step for f in figures for r in f["refs"] if r["doc"] == "status" for step in r["path"]]
    assert steps and not {"history", "used"} & {s for s in steps if isinstance(s, str)}
    assert "yoy" in steps  # 同比 from the rows' `yoy`, which `status --json` always has
    fields = {r["path"][-1] for f in figures for r in f["refs"] if r["doc"] == "areas"}
    assert fields == {"value", "yoy_reported", "share", "rank"}  # keys of `show --by-area --json`'s areas rows


def test_returns_and_next_steps_are_the_reports_and_the_checks(db: Path) -> None:
    bulletin = json_of(db, "bulletin", "--period", "2024Q4")
    for line in bulletin["returns"]:
        report = json_of(db, "report", "--agency", line["agency"], "--as-of", "2025-01-21")
        (row,) = [r for r in report["returns"] if r["period"] == "2024"]
        assert (row["state"], row["due"], row["received"]) == (line["state"], line["due"], line["received"])
    check = json_of(db, "check", "--as-of", "2025-01-21", exit_code=1)  # findings at the default level
    keys = [f["key"] for f in check["findings"]]
    assert bulletin["findings"] and set(bulletin["findings"]) <= set(keys)
    points = [b for b in blocks_of(bulletin, "paragraph") if b["role"] == "point"]
    assert [p["finding"] for p in points] == bulletin["findings"]


def test_a_word_document_goes_to_a_file_named_after_period_and_date(db: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(db, "bulletin", "--period", "2024年三季度", "--plan", "38号")
    assert result.exit_code == 0, result.output
    assert "已写入 通报_2024Q3_2024-10-21.docx" in result.stdout
    assert (tmp_path / "通报_2024Q3_2024-10-21.docx").read_bytes()[:2] == b"PK"


def test_markdown_to_stdout_or_a_file_written_atomically(db: Path, tmp_path: Path) -> None:
    result = run(db, "bulletin", "--period", "2024Q4", "--format", "md", "--doc-number", "绍平台办〔2025〕1号",
                 "--issuer", "绍兴市平台经济工作领导小组办公室（代）")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["绍兴市平台经济工作领导小组办公室（代）", "", "绍平台办〔2025〕1号"]
    assert "# 关于2024年全市平台经济高质量发展和全国网络市场监管与服务示范区创建工作推进情况的通报" in lines
    target = tmp_path / "通报.md"
    assert run(db, "bulletin", "--period", "2024Q4", "-o", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").splitlines()[0].startswith("# 关于2024年")
    assert not list(tmp_path.glob(".pingtai-*"))


@pytest.mark.parametrize(("args", "words"), [
    (["--period", "2024Q4", "--plan", "99号"], "未知计划 '99号'"),
    (["--period", "2024-07"], "任何计划都不要求报送 2024年7月"),
    (["--period", "2031"], "任何计划都不要求报送 2031年"),
    (["--period", "2024年第五季度"], "无法识别的报告期"),
    (["--period", "2024Q4", "--as-of", "2025-13-01"], "无法识别的日期"),
    (["--period", "2024Q4", "--as-of", "2025-05-01"], "已应报 2025年第1季度 的报表"),
    (["--period", "2024Q4", "--format", "pdf"], "未知的格式 'pdf'"),
    (["--period", "2024Q4", "-o", "通报.txt"], "无法从文件名 通报.txt 判断格式"),
])
def test_what_cannot_be_drafted_exits_2_saying_what_to_do(db: Path, args: list[str], words: str) -> None:
    result = run(db, "bulletin", *args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


def test_options_are_judged_before_the_ledger_is_read(tmp_path: Path) -> None:
    """An unknown plan, a period nobody owes or an impossible date is the more useful error, whatever the ledger."""
    missing = tmp_path / "无此台账" / "ledger.sqlite3"
    for args, words in ((["--plan", "99号"], "未知计划 '99号'"), (["--as-of", "2024-12-31"], "2024-12-31 才结束")):
        result = run(missing, "bulletin", "--period", "2024", *args)
        assert result.exit_code == 2 and words in result.stderr and "台账不存在" not in result.stderr
    result = run(missing, "bulletin", "--period", "2024", "--format", "md")
    assert result.exit_code == 2 and "台账不存在" in result.stderr
    assert not missing.parent.exists()


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(app, ["bulletin", "--help"])
    assert result.exit_code == 0 and "示例：pingtai bulletin --period 2024Q3" in result.stdout
