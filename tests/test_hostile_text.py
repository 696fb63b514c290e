"""Hostile text from returns and YAML in every output (#13 items 2, 3, 4, 8): data is never markup,
never a control sequence, never a crash, never a path.

* A property test puts arbitrary Unicode — controls, escape sequences, bidi overrides, Markdown and
  HTML syntax, formula prefixes, line breaks of every kind — into every text field a return
  carries (progress, issues, next steps, the file name) and renders every output: the dashboard,
  the report and the league in every format, the check's digest, the batches, the bulletin (Word,
  Markdown, JSON). Markdown tables
  keep their column count, the digest has only pingtai's headings, HTML parses with the payload
  as text, xlsx opens, JSON round-trips, and no output carries a raw ESC.
* Then each item's reproduction, through the command line.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from ledger_helpers import catalog
from ledger_helpers import value as record
from pingtai import service
from pingtai.checks import build_check
from pingtai.cli import app
from pingtai.errors import UsageError
from pingtai.ledger import Ledger
from pingtai.periods import Period
from pingtai.render import registry
from pingtai.render.console import Output
from pingtai.render.digest import NO_AGENCY
from pingtai.render.format import prose, shown
from pingtai.render.status import render_detail, render_status
from pingtai.reports import build_agency_report, build_league
from pingtai.safe_write import inside
from report_helpers import add, line
from workbooks import template_workbook, write_xlsx

AS_OF = dt.date(2025, 8, 1)
AGENCY = "市市场监管局"
SPECIALS = ("\x1b\x07\x00\x08\x0b\x0c\r\n\t\x7f\x85\x9b\u200e\u202e\u2066\u2028\u2029#*_`~[]()!<>&|\\-+=@:/.　"
            "http://www. 中文0123456789")
PAYLOADS = st.one_of(st.text(max_size=40), st.text(alphabet=SPECIALS, max_size=40))
NASTY = ["#### 伪造的标题\n- **错误** 伪造的发现", "![x](http://beacon.example/a.png)", "<script>alert(1)</script>",
         "\x1b]0;窗口\x07\x1b[2J\x1b]8;;http://x\x1b\\链接\x1b]8;;\x1b\\", "a\rb|c\r\n| d |", "\u202eexe.xslx",
         "=HYPERLINK(\"http://x\")", "_x001B_ 与 _x005F_", "[/b][red]", "- [ ] x\n1. y\n---\n==="]


def _seed(db: Path, progress: str, issues: str, next_steps: str, file: str) -> None:
    """A real ledger: one return of 市市场监管局 with the payload in every text field, its task late."""
    add(db, file, AGENCY, "2025H1", dt.datetime(2025, 7, 18, 1, tzinfo=dt.UTC), [], [
        line("plan_2023_38", 5, "2025H1", AGENCY, "late", progress, issues, next_steps),
        line("plan_2023_38", 6, "2025H1", AGENCY, "in_progress", issues, next_steps, progress)])


def _terminal(render: object, obj: object) -> str:
    """What a terminal would show, without colour codes (so any ESC would have come from data)."""
    out = io.StringIO()
    output = Output(out)
    output.terminal = True
    output._console = Console(file=out, force_terminal=True, color_system=None, width=240, highlight=False,
                              emoji=False)
    render(obj, output)  # type: ignore[operator]
    return out.getvalue()


def _plain(render: object, obj: object) -> str:
    out = io.StringIO()
    render(obj, Output(out))  # type: ignore[operator]
    return out.getvalue()


def _decoded(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _cells(row: str) -> int:
    """The cells of a Markdown table row: pipes that are not escaped."""
    count, escaped = 0, False
    for char in row:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "|":
            count += 1
    return count - 1


def _check_markdown_tables(text: str) -> None:
    header = None
    for row in text.splitlines():
        if not row.startswith("|"):
            header = None
            continue
        if header is None:
            header = _cells(row)
        assert _cells(row) == header, row


def _check_markdown_inert(text: str) -> None:
    assert not re.search(r"(?<!\\)\]\(", text)  # no link or image
    assert not re.search(r"(?i)(https?|ftp)://|\bwww\.", text)  # no autolink
    assert not re.search(r"(?<!\\)<[a-zA-Z/!]", text.replace("<br>", ""))  # no HTML but pingtai's <br>


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


PINGTAI_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "section", "div", "b",
                "span", "table", "thead", "tbody", "tr", "th", "td", "br", "ul", "li", "figure", "figcaption", "svg",
                "rect", "line", "text", "polyline", "circle", "footer"}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(progress=PAYLOADS, issues=PAYLOADS, next_steps=PAYLOADS, file=PAYLOADS)
@example(progress=NASTY[0], issues=NASTY[1], next_steps=NASTY[2], file=NASTY[3])
@example(progress=NASTY[4], issues=NASTY[5], next_steps=NASTY[6], file=NASTY[7])
@example(progress=NASTY[8], issues=NASTY[9], next_steps="\u2066隔离\u2069", file="a\nb.xlsx")
def test_arbitrary_text_in_a_return_keeps_every_output_well_formed(tmp_path_factory: pytest.TempPathFactory,
                                                                   progress: str, issues: str, next_steps: str,
                                                                   file: str) -> None:
    progress, issues, next_steps = (text.strip() or "x" for text in (progress, issues, next_steps))
    file = file.replace("/", "").replace("\x00", "").strip(".") or "f"  # ".." would name the folder above
    db = tmp_path_factory.mktemp("hostile") / "ledger.sqlite3"
    _seed(db, progress, issues, next_steps, file)
    cat = catalog()
    data = service.snapshot(service.Store(db))
    with Ledger.open(db, readonly=True) as ledger:
        check = build_check(cat, ledger.current_values(), ledger.current_tasks(), ledger.received_returns(), AS_OF)
        batches = ledger.batches()
    report = build_agency_report(cat, data, AGENCY, AS_OF)
    league = build_league(cat, data, AS_OF)
    bulletin = service.bulletin(cat, service.Store(db), Period.parse("2025H1"))
    outputs: dict[str, str | bytes] = {}
    for name, obj in (("report", report), ("league", league), ("digest", check)):
        show = registry.entry(name, "table").function()
        outputs[f"{name} terminal"] = _terminal(show, obj)
        outputs[f"{name} plain"] = _plain(show, obj)
        for fmt in registry.file_formats(name):
            outputs[f"{name} {fmt}"] = registry.render(obj, fmt)
    for fmt in registry.file_formats("bulletin"):
        outputs[f"bulletin {fmt}"] = registry.render(bulletin, fmt)
    for key, value in outputs.items():
        if key.endswith(("xlsx", "docx")):
            continue  # compressed: its XML is checked below
        raw = value if isinstance(value, bytes) else value.encode("utf-8")  # encodable: no lone surrogate
        assert b"\x1b" not in raw and b"\x07" not in raw, key
    # terminal: escapes written out, one line per line, tab-separated tables keep their columns
    assert "\\x1b" in outputs["report terminal"] if "\x1b" in progress else True
    for key in ("report plain", "league plain", "digest plain"):
        text = str(outputs[key])
        assert "\r" not in text and "\u2028" not in text and "\x85" not in text, key
        blocks = [block.splitlines() for block in text.split("\n\n")]
        for block in blocks:
            rows = [row for row in block if not row.startswith("#") and "\t" in row]
            assert len({row.count("\t") for row in rows}) <= 1, (key, rows)
    # Markdown: tables keep their columns; nothing from data links, embeds or marks up
    for key in ("report md", "league md", "digest md", "bulletin md"):
        text = _decoded(outputs[key])
        _check_markdown_tables(text)
        _check_markdown_inert(text)
    headings = [row for row in _decoded(outputs["digest md"]).splitlines() if row.startswith("#")]
    assert headings[0].startswith("### 平台经济政策落实检查 2025-08-01：")
    agencies = {a.name for a in cat.agencies.agencies} | {NO_AGENCY}
    for heading in headings[1:]:
        found = re.fullmatch(r"#### (.+)（\d+ 项）", heading)
        assert found and found[1] in agencies, heading
    # HTML: pingtai's elements only; the payload is text
    for key in ("report html", "league html"):
        parsed = _Tags()
        parsed.feed(_decoded(outputs[key]))
        assert parsed.tags <= PINGTAI_TAGS, (key, parsed.tags - PINGTAI_TAGS)
    parsed = _Tags()
    parsed.feed(_decoded(outputs["report html"]))
    text = "\n".join(parsed.text)
    for piece in re.split(r"\r\n|[\r\n\x85\u2028\u2029\x0b\x0c]", progress):
        assert shown(piece) in text
    # xlsx opens, and carries no control character in its XML
    for key in ("report xlsx", "league xlsx"):
        blob = outputs[key]
        assert isinstance(blob, bytes)
        openpyxl.load_workbook(io.BytesIO(blob))
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            for member in archive.namelist():
                assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", archive.read(member)), (key, member)
    # Word: the document opens, its XML holds no control character, the unit's own words are one plain line
    blob = outputs["bulletin docx"]
    assert isinstance(blob, bytes)
    said = "\n".join(p.text for p in Document(io.BytesIO(blob)).paragraphs)
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        for member in (m for m in archive.namelist() if m.endswith((".xml", ".rels"))):
            assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]", archive.read(member)), member
    assert "存在问题：" + prose(issues) in said if issues.strip() else True
    bulletin_json = json.loads(outputs["bulletin json"])
    assert issues in [p.get("text") for s in bulletin_json["sections"] for b in s["blocks"] for p in b.get("parts", ())] \
        if issues.strip() else True
    # JSON round-trips: the texts come back exactly
    as_json = json.loads(outputs["report json"])
    lead = {t["number"]: t for t in as_json["lead"] if t["plan"] == "plan_2023_38"}
    assert (lead[5]["progress"], lead[5]["issues"], lead[5]["next_steps"]) == (progress, issues, next_steps)
    assert any(r["file"] == file for r in as_json["returns"])
    assert [b.file for b in batches] == [file]
    json.loads(outputs["digest json"])
    json.loads(outputs["league json"])


# --- item 4: the commands themselves ---------------------------------------------------------------------------


def test_status_check_report_and_batches_show_escapes_written_out(tmp_path: Path, runner: CliRunner,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "srv" / "ledger.sqlite3"
    title = "\x1b]0;被改的窗口标题\x07"
    _seed(db, f"进展{title}", "\x1b]8;;http://evil.example/\x1b\\点我\x1b]8;;\x1b\\", "\x1b[2J清屏", f"{title}\n伪造行.xlsx")
    commands = [["status", "--as-of", "2025-08-01"], ["check", "--as-of", "2025-08-01"],
                ["report", "-a", AGENCY, "--as-of", "2025-08-01"], ["batches"], ["league", "--as-of", "2025-08-01"]]
    plain = runner.invoke(app, ["--db", str(db), "batches"]).stdout
    assert "\t\\x1b]0;被改的窗口标题\\x07 伪造行.xlsx\t" in plain  # a cell of a tab-separated line: one line
    assert not any(row.startswith("伪造行") for row in plain.splitlines())
    for terminal in (False, True):
        if terminal:
            monkeypatch.setenv("PINGTAI_FORCE_TERMINAL", "1")
            monkeypatch.setenv("NO_COLOR", "1")  # rich keeps bold and boxes, drops colour
        for command in commands:
            result = runner.invoke(app, ["--db", str(db), *command])
            assert result.exit_code in (0, 1), (command, result.output)
            painted = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)  # rich's own styling on a terminal
            assert "\x1b" not in painted and "\x07" not in painted, command
            assert "Traceback" not in result.output


def test_import_errors_and_file_names_show_escapes_written_out(tmp_path: Path, runner: CliRunner) -> None:
    name = tmp_path / "in" / "\x1b[31m红\x1b[0m\n已导入：伪造.xlsx"
    name.parent.mkdir()
    # openpyxl writes the text as typed; every reader (calamine included) takes _x001B_ for ESC
    write_xlsx(name, {"长表": [["报告期", "填报单位", "指标名称", "计量单位", "数值"],
                              ["2024年", "_x001B_]0;伪造单位_x0007_", "网络零售额", "亿元", "1"]]})
    result = runner.invoke(app, ["--db", str(tmp_path / "srv" / "ledger.sqlite3"), "import", str(name)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "已拒绝：" in result.stdout and "\\n已导入：伪造.xlsx" in result.stdout
    assert "\\x1b]0;伪造单位\\x07" in result.stderr
    assert all(row.startswith(("已拒绝", "  ", "共 ")) for row in result.stdout.splitlines())


def test_typed_options_with_escapes_are_shown_written_out(runner: CliRunner) -> None:
    for args in (["check", "--fail-on", "\x1b]0;x\x07"], ["report", "--agency", "\x1b[2J市商务局"], ["\x1b[2J"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "\x1b" not in result.output and "\\x1b" in result.output, args


# --- item 3: what an output cannot hold is shown, never fatal ---------------------------------------------------


def test_an_escape_in_a_cell_does_not_stop_the_workbooks(tmp_path: Path, runner: CliRunner) -> None:
    """``_x001B_`` in a cell is ESC once read; a task shared by many units once stopped
    ``report --all --format xlsx`` with IllegalCharacterError."""
    (tmp_path / "in").mkdir()
    book = template_workbook(tmp_path / "in" / "填报表.xlsx", agency="市商务局", period="2024Q4",
                             values=[["platforms", "平台", "个", 120]],
                             tasks=[["plan_2023_38", 1, "培育平台", "推进中", "_x001B_]0;标题_x0007_ 已推进", "", ""]])
    db = tmp_path / "srv" / "ledger.sqlite3"
    assert runner.invoke(app, ["--db", str(db), "import", str(book)]).exit_code == 0
    with Ledger.open(db, readonly=True) as ledger:
        [task] = ledger.current_tasks()
    assert "\x1b" in task.progress  # what calamine made of it: the character itself
    result = runner.invoke(app, ["--db", str(db), "report", "--all", "--format", "xlsx", "-o", str(tmp_path / "out"),
                                 "--as-of", "2025-03-01"])
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "out").glob("*.xlsx"))
    assert len(written) == len(result.stdout.splitlines()) > 4
    sheet = openpyxl.load_workbook(tmp_path / "out" / "市商务局.xlsx")["任务"]
    assert any(isinstance(c.value, str) and "\\x1b]0;标题\\x07 已推进" in c.value for row in sheet.iter_rows() for c in row)
    for fmt in ("md", "html"):
        assert runner.invoke(app, ["--db", str(db), "report", "-a", "市商务局", "--format", fmt]).exit_code == 0


def test_a_literal_escape_in_plan_data_reaches_the_template_as_typed(data_copy: Path, tmp_path: Path,
                                                                   runner: CliRunner) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    text = plan.read_text(encoding="utf-8")
    first_title = re.search(r"\n    title: (.+)\n", text)
    assert first_title is not None
    plan.write_text(text.replace(first_title[0], "\n    title: 任务_x001B_标题\n", 1), encoding="utf-8")
    target = tmp_path / "t.xlsx"
    result = runner.invoke(app, ["--data", str(data_copy), "template", "-a", "市商务局", "-p", "2024Q4", "-o", str(target)])
    assert result.exit_code == 0, result.output
    from python_calamine import CalamineWorkbook

    texts = [c for row in CalamineWorkbook.from_path(str(target)).get_sheet_by_name("任务").to_python() for c in row]
    assert "任务_x001B_标题" in texts and not any("\x1b" in str(c) for c in texts)


def test_a_control_character_in_plan_data_is_a_validation_error(data_copy: Path, runner: CliRunner) -> None:
    plan = data_copy / "plan_2023_38.yaml"
    text = plan.read_text(encoding="utf-8")
    first_title = re.search(r"\n    title: (.+)\n", text)
    assert first_title is not None
    plan.write_text(text.replace(first_title[0], '\n    title: "\\e[2J任务"\n', 1), encoding="utf-8")  # YAML's \e is ESC
    result = runner.invoke(app, ["validate", str(data_copy)])
    assert result.exit_code == 1
    assert "不能含控制字符（U+001B）" in result.stderr


# --- item 8: names that are paths -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../x", "a/b", "..", "a\\b", "x\ny", "\u202ex"])
def test_a_unit_named_like_a_path_fails_validation(data_copy: Path, runner: CliRunner, name: str) -> None:
    agencies = data_copy / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8")
    agencies.write_text(text.replace("  - name: 市政府\n", f"  - name: {json.dumps(name)}\n", 1), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(data_copy)])
    assert result.exit_code == 1, result.output
    assert "agencies.yaml:" in result.stderr and "不能含" in result.stderr


@pytest.mark.parametrize("name", ["../x.html", "a/b.html", "..", ".", "", "x\n.html", "\x1b.html"])
def test_every_file_an_output_command_writes_is_inside_its_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="文件名不能含路径分隔符或控制字符"):
        inside(tmp_path, name)
    assert inside(tmp_path, "市商务局.html") == tmp_path / "市商务局.html"


# --- no input makes a traceback: options and the environment -------------------------------------------------


def test_an_output_path_that_is_a_device_or_a_fifo_is_refused_not_replaced(tmp_path: Path, runner: CliRunner) -> None:
    """A rename over /dev/null (as root) would have replaced the device with a regular file."""
    import os
    import stat

    fifo = tmp_path / "管道.md"
    os.mkfifo(fifo)
    db = tmp_path / "srv" / "ledger.sqlite3"
    _seed(db, "进展", "问题", "打算", "f.xlsx")
    for args in (["report", "-a", AGENCY, "--format", "md", "-o", "/dev/null"], ["report", "-a", AGENCY, "-o", str(fifo)],
                 ["league", "--format", "html", "-o", "/dev/null"], ["ledger", "backup", "/dev/null"],
                 ["check", "--as-of", "2025-08-01", "--output", str(fifo)]):
        result = runner.invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "输出路径不是普通文件（命名管道、设备或套接字）" in result.stderr, args
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_absurd_numbers_in_options_are_usage_errors(runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "--remind-days", "999999999999999999999"])
    assert result.exit_code == 2 and "--remind-days" in result.output and "Traceback" not in result.output


def test_a_signing_secret_in_bytes_that_are_not_utf8_signs_as_those_bytes() -> None:
    import base64
    import hashlib
    import hmac
    import os
    import urllib.parse

    from pingtai.notify import signed_url

    secret = os.fsdecode(b"SEC\xff")
    sign = urllib.parse.parse_qs(urllib.parse.urlsplit(signed_url("https://h/x", secret, 1)).query)["sign"][0]
    expected = base64.b64encode(hmac.new(b"SEC\xff", b"1\nSEC\xff", hashlib.sha256).digest()).decode()
    assert sign == expected


def test_paths_in_the_environment_that_are_not_utf8(tmp_path: Path, runner: CliRunner,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger or data directory whose name holds bytes that are not UTF-8 (a manifest entry records
    the ledger's name; the catalog cache hashes the paths)."""
    import os
    import shutil

    from conftest import DATA

    folder = Path(os.fsdecode(bytes(tmp_path) + b"/\xff"))
    shutil.copytree(DATA, folder / "data")
    monkeypatch.setenv("PINGTAI_DATA", str(folder / "data"))
    monkeypatch.setenv("PINGTAI_DB", str(folder / "ledger.sqlite3"))
    from test_returns_cli import filled_template

    book = filled_template(tmp_path / "r.xlsx")
    for args in (["import", str(book)], ["plans", "--json"], ["status"], ["ledger", "verify", "--json"], ["batches"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
    (folder / "ledger.sqlite3").unlink()
    assert runner.invoke(app, ["ledger", "rebuild"]).exit_code == 0
    verified = runner.invoke(app, ["ledger", "verify"])
    assert verified.exit_code == 0 and "\\xff" in verified.stdout


@pytest.mark.parametrize("note", NASTY)
def test_a_note_beside_an_areas_figure_is_text_in_every_output(tmp_path: Path, note: str) -> None:
    """备注 of a table by area reaches show --by-area, status --area and an area government's report."""
    db = tmp_path / "ledger.sqlite3"
    figures = [record("online_retail_sales", "2024", number, where=f"t!S!B{i}")._replace(area=area, note=note)
               for i, (area, number) in enumerate((("", 1150.0), ("柯桥区", 350.0), ("越城区", 170.0)))]  # '': the city
    add(db, "分地区.xlsx", "市商务局", "2024", dt.datetime(2025, 1, 15, tzinfo=dt.UTC), figures)
    detail = service.show(catalog(), service.Store(db), "网络零售额", AS_OF, by_area=True)
    for text in (_terminal(render_detail, detail), _plain(render_detail, detail)):
        assert "\x1b" not in text.replace("\x1b[0m", "").replace("\x1b[1m", "")
    plain = _plain(render_detail, detail)
    rows = [r for r in plain.splitlines() if r.startswith(("全市\t", "柯桥区\t", "越城区\t"))]
    assert len(rows) == 3 and all(r.count("\t") == 8 for r in rows)  # one line, nine cells each
    area = service.status(catalog(), service.Store(db), AS_OF, area="柯桥区")
    assert "\x1b" not in _plain(render_status, area)
    report = build_agency_report(catalog(), service.snapshot(service.Store(db)), "柯桥区政府", AS_OF)
    markdown = _decoded(registry.render(report, "md"))
    _check_markdown_tables(markdown)
    _check_markdown_inert(markdown)
    page = _Tags()
    page.feed(_decoded(registry.render(report, "html")))
    assert page.tags <= PINGTAI_TAGS
    book = openpyxl.load_workbook(io.BytesIO(registry.render(report, "xlsx")))
    assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    assert json.loads(registry.render(report, "json"))["area_tables"][0]["rows"][0]["note"] == note
