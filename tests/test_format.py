"""render/format.py: one rounding rule for every output, and text from outside made safe for each destination.

The last test is #12 item 9 end to end: the same report rendered as terminal text, Markdown,
HTML and xlsx spells each figure the same (``125.625`` is ``125.63`` everywhere; it was 125.62 in
text and HTML, 125.63 in the workbook).
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger_helpers import catalog
from pingtai import service
from pingtai.render.format import (
    XLSX_MAX,
    completion_text,
    display_width,
    fixed,
    html,
    html_block,
    markdown,
    markdown_cell,
    min_width,
    num,
    pct,
    pct_figure,
    projection_text,
    prose,
    ratio_text,
    recorded,
    rounded,
    score_text,
    signed_pct,
    terminal,
    terminal_block,
    wrap,
    wrap_spans,
    xlsx,
)
from pingtai.reports import build_agency_report
from report_helpers import AS_OF, seed

# --- figures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "text"), [
    (125.625, "125.63"), (2.675, "2.68"), (1.005, "1.01"), (-2.675, "-2.68"), (-0.001, "0"), (0.0, "0"), (-0.0, "0"),
    (1200.0, "1200"), (1234567.5, "1234567.5"), (0.1 + 0.2, "0.3"), (1e10, "10000000000"), (None, "—"),
    (math.nan, "—"), (math.inf, "—"),
])
def test_figures_round_half_away_from_zero_on_the_number_as_written(value: float | None, text: str) -> None:
    assert num(value) == text
    if value is not None and math.isfinite(value):
        assert num(rounded(value)) == text and rounded(value) == float(text)


def test_huge_figures_are_written_out_not_in_exponents() -> None:
    assert num(1e290) == "1" + "0" * 290 and rounded(1e290) == 1e290
    assert num(-1.7976931348623157e308).startswith("-17976931348623157")


@pytest.mark.parametrize(("fraction", "text", "signed"), [
    (0.1235, "12.4%", "+12.4%"), (0.12345, "12.3%", "+12.3%"), (-0.0001, "0.0%", "+0.0%"), (1.0, "100.0%", "+100.0%"),
    (-0.125, "-12.5%", "-12.5%"), (0.0005, "0.1%", "+0.1%"), (None, "—", "—"),
])
def test_percentages_have_one_decimal_by_the_same_rule(fraction: float | None, text: str, signed: str) -> None:
    assert pct(fraction) == text and signed_pct(fraction) == signed
    if fraction is not None:
        figure = pct_figure(fraction)
        assert figure is not None and pct(figure) == text  # what an xlsx "0.0%" cell holds shows the same


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_a_rounded_figure_spells_the_same_as_the_figure(value: float) -> None:
    assert num(rounded(value)) == num(value)
    assert rounded(rounded(value)) == rounded(value)


def test_fixed_scores_and_values_as_recorded() -> None:
    assert fixed(1.2, 2) == "1.20" and fixed(-0.004, 2) == "0.00"
    assert score_text(99.95) == "100.0" and score_text(None) == "—"
    assert recorded(10234500.0) == "10,234,500" and recorded(1.02345) == "1.02345"


def test_projections_completions_and_ratios_use_the_same_rule() -> None:
    """The dashboard's projection, completion and ratio cells (issue #12's wording) spell figures as
    every other output does: 1487.175 is 1487.18, a ratio 0.955 is 0.96."""
    from pingtai.periods import Period
    from pingtai.progress import ProgressRatio, Projection

    year = Period(2027)
    projection = Projection(period=year, value=1487.175, method="linear", rate=None, slope=112.3, points=3,
                            first=Period(2022), last=Period(2024), meets_target=True, verdict="reachable")
    assert projection_text(projection) == "1487.18 可达（线性，3点）"
    withheld = dataclasses.replace(projection, method="cagr", verdict=None)
    assert projection_text(withheld) == "1487.18（复合增长，3点）"
    assert projection_text(None, "数据不足：可比数据仅 2 个") == "数据不足" and projection_text(None, "计划已结束") == "—"
    assert completion_text(0.95875, Period(2025)) == "95.9%（2025）" and completion_text(0.5) == "50.0%"
    assert completion_text(None, Period(2025)) == "—"
    ratio = ProgressRatio(0.955, "substantial", 0.0625, 0.065, Period(2024))
    assert ratio_text(ratio) == "0.96（显著进展；实际年均 6.3%，所需年均 6.5%，截至 2024）"
    contradicting = dataclasses.replace(ratio, category=None, reason="与当前状态不一致")
    assert ratio_text(contradicting).startswith("0.96（与当前状态不一致；")


# --- widths and wrapping ----------------------------------------------------------------------------


def test_cjk_counts_double_combining_marks_not_at_all() -> None:
    assert display_width("网络零售额") == 10 and display_width("1150.6（2024）") == 14
    assert display_width("abc") == 3 and display_width("é") == 1 and display_width("e\u0301") == 1
    assert display_width("ｘ全角") == 6 and display_width("—·“”") == 4  # ambiguous widths are narrow, as rich counts them
    assert display_width("短\n最长的一行") == 10 and display_width("") == 0


def test_the_width_is_the_terminals() -> None:
    from rich.cells import cell_len

    sample = "网络零售额（亿元）1150.6 — · “共富驿站” ▁▂▃█ ┃ ｘ ０ é abc …%"
    assert display_width(sample) == cell_len(sample)


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("1150.6（2024）", 8, ["1150.6", "（2024）"]),
    ("2027: 1400（超过）", 10, ["2027: 1400", "（超过）"]),
    ("2027: 1400（超过）", 8, ["2027:", "1400", "（超过）"]),
    ("无基期值、尚无可比的目标路径，按完成率显示", 10, ["无基期值、", "尚无可比的", "目标路径，", "按完成率显", "示"]),
    ("外需偏弱，距150亿元目标", 10, ["外需偏弱，", "距150亿元", "目标"]),
    ("外需偏弱，距150亿元目标", 9, ["外需偏", "弱，距150", "亿元目标"]),
    ("  新增 0，更新 0", 10, ["  新增 0，", "更新 0"]),
    ("示例_市商务局_2024Q4.xlsx", 14, ["示例_市商务局", "_2024Q4.xlsx"]),
    ("a\nbb ccc", 2, ["a", "bb", "cc", "c"]),
    ("/srv/returns/2024-12-31.xlsx", 12, ["/srv/returns", "/2024-12-31.", "xlsx"]),
    ("  ", 1, [""]),  # an indentation wider than the line is dropped, not a line of its own
    ("   a", 2, ["a"]),
])
def test_text_wraps_between_characters_and_at_spaces_never_inside_a_figure(text: str, width: int,
                                                                          lines: list[str]) -> None:
    assert wrap(text, width) == lines


def test_a_figure_wider_than_the_line_runs_over_whole() -> None:
    assert wrap("合计 1234567.89 亿元", 6) == ["合计", "1234567.89", "亿元"]
    assert min_width("合计 1234567.89 亿元") == 10 and min_width("2027: 1400（超过）") == 5
    assert min_width("39c5957d85e4") == 12 and min_width("/very/long/path/file.xlsx") == 1


FIGURES = re.compile(r"[-+]?\d+(?:[.,:/\-]\d+)*%?")


@given(st.lists(st.one_of(st.sampled_from(["网络", "零售额", "（超过）", "，", "。", " ", "、", "“共富”", "xlsx", "—"]),
                          st.floats(-1e7, 1e7, allow_nan=False).map(num),
                          st.floats(0, 2, allow_nan=False).map(pct)), max_size=12),
       st.integers(1, 30))
def test_wrapping_keeps_every_character_and_every_figure(parts: list[str], width: int) -> None:
    text = "".join(parts)
    width = max(width, min_width(text))
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert [m.group() for line in lines for m in FIGURES.finditer(line)] == FIGURES.findall(text)
    assert [text[a:b] for a, b in wrap_spans(text, width)] == lines


# --- text from outside -------------------------------------------------------------------------------

ESCAPES = ["\x1b]0;窗口标题\x07", "\x1b]8;;http://evil.example/\x1b\\点我\x1b]8;;\x1b\\", "\x1b[2J", "\x9b31m",
           "\u202eexe.txt", "\udcff"]


@pytest.mark.parametrize("payload", ESCAPES)
def test_the_terminal_gets_escapes_written_out(payload: str) -> None:
    for shown in (terminal(payload), terminal_block(payload)):
        assert not any(ch in shown for ch in "\x1b\x07\x9b\u202e\udcff")
        assert "\\x1b" in shown or "\\x9b" in shown or "\\u202e" in shown or "\\xff" in shown
        shown.encode("utf-8")  # always encodable, even from an undecodable file name


def test_one_line_stays_one_line_and_a_cell_keeps_its_lines() -> None:
    forged = "a.xlsx\n已导入：伪造.xlsx（批次 99）\rb"
    assert terminal(forged) == "a.xlsx\\n已导入：伪造.xlsx（批次 99）\\rb"
    assert terminal_block(forged) == "a.xlsx\n已导入：伪造.xlsx（批次 99）\nb"
    assert terminal("a\tb 中文　全角") == "a\tb 中文　全角"


def test_markdown_from_data_has_no_structure() -> None:
    text = markdown("#### 伪造的标题\n- 伪造的发现 ![x](http://beacon.example/a.png) [点我](https://evil.example) "
                    "<script>alert(1)</script> *强调* `code` ~~删~~ www.evil.example a@b.example &lt;")
    assert "\n" not in text
    assert not re.search(r"(?<!\\)[#*`~<>\[\]]", text.replace("\\\\", ""))  # every special escaped
    assert "http://" not in text and "https://" not in text and "www." not in text and "@b." not in text
    assert markdown("- 列表") == "\\- 列表" and markdown("1. 序号") == "1\\. 序号" and markdown("===") == "\\==="
    assert markdown("-3%的缺口") == "-3%的缺口" and markdown("2.68（2025Q1）") == "2.68（2025Q1）" and markdown("=1+1") == "=1+1"
    assert markdown("\x1b[2J") == "\\\\x1b\\[2J"  # renders as the text \x1b[2J


@pytest.mark.parametrize("breaks", ["a\rb", "a\nb", "a\r\nb", "a\u2028b", "a\x85b", "a\x0bb"])
def test_every_kind_of_line_break_is_one_table_cell(breaks: str) -> None:
    assert markdown_cell(breaks + "|c") == "a<br>b\\|c"
    assert markdown(breaks) == "a b"


def test_prose_is_one_plain_line_with_controls_shown() -> None:
    """Running text in a printed document (the bulletin's Word file): one line, no run of spaces, escapes
    written out as on a terminal, every character XML can hold and nothing else; Chinese as written."""
    assert prose("外需\n偏弱\r\n  距目标\t\t仍有差距 ") == "外需 偏弱 距目标 仍有差距"
    assert prose("a\u2028b\x85c\x0bd\x0ce") == "a b c d e"
    assert prose("\x1b[2J清屏\u202eexe\x07\ufffe\udcff") == "\\x1b[2J清屏\\u202eexe\\x07\\ufffe\\xff"
    assert prose("填报人：李明　　电话") == "填报人：李明　　电话" and prose(None) == "" and prose("  ") == ""
    assert prose("<script>&amp;**粗** {PAGE}") == "<script>&amp;**粗** {PAGE}"  # a Word run is no markup


@given(st.text())
def test_prose_can_always_be_written_to_xml(text: str) -> None:
    from docx import Document

    line = prose(text)
    assert "\n" not in line and "  " not in line
    Document().add_paragraph(line)  # lxml refuses any character XML 1.0 cannot hold


def test_html_is_escaped_with_controls_shown() -> None:
    assert html('<img src=x onerror="a">\x1b') == "&lt;img src=x onerror=&quot;a&quot;&gt;\\x1b"
    assert html_block("a\rb\r\nc<") == "a<br>b<br>c&lt;"


def test_xlsx_text_holds_what_a_cell_can_and_says_what_it_cut() -> None:
    assert xlsx("_x001B_") == "_x005F_x001B_"  # read back as the seven characters typed
    assert xlsx("a\x1bb\x00c\tz\r\n") == "a\\x1bb\\x00c\tz\r\n"
    long = xlsx("长" * (XLSX_MAX + 10))
    assert len(long) == XLSX_MAX and long.endswith("（超出单元格长度，已截断）")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = xlsx("ESC\x1b 与 _x001B_")
    buffer = io.BytesIO()
    book.save(buffer)
    from python_calamine import CalamineWorkbook

    [[value]] = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue())).get_sheet_by_index(0).to_python()
    assert value == "ESC\\x1b 与 _x001B_"  # as Excel, LibreOffice and pingtai's own reader read it back


# --- one figure, one spelling, in every renderer (#12 item 9) ---------------------------------------


def test_a_figure_reads_the_same_in_text_markdown_html_and_xlsx(tmp_path: object) -> None:
    from pathlib import Path

    from pingtai.render.console import Output
    from pingtai.render.registry import render, show

    db = seed(Path(str(tmp_path)) / "ledger.sqlite3")
    report = build_agency_report(catalog(), service.snapshot(service.Store(db)), "市市场监管局", AS_OF)
    first = dataclasses.replace(report.indicators[0], actual=2.675, expected=125.625, completion=0.1235)
    report = report.replace(indicators=[first, *report.indicators[1:]])
    out = io.StringIO()
    show(report, Output(out))
    texts = {"terminal": out.getvalue(), "md": render(report, "md").decode(), "html": render(report, "html").decode()}
    for name, text in texts.items():
        assert "125.63" in text and "2.68" in text and "12.4%" in text, name
        assert "125.62" not in text and "2.67" not in text, name
    sheet = openpyxl.load_workbook(io.BytesIO(render(report, "xlsx")))["指标"]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[1].value == first.name)
    actual, expected, completion = row[5], row[6], row[8]
    assert (actual.value, expected.value, completion.value) == (2.68, 125.63, 0.124)
    assert (actual.number_format, expected.number_format, completion.number_format) == ("General", "General", "0.0%")
    assert json.loads(render(report, "json"))["indicators"][0]["expected"] == 125.625  # JSON keeps the data
