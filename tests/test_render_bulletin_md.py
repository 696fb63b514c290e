"""The bulletin as Markdown: the Word document's text and tables, and data text that stays text when a
CommonMark renderer (markdown-it, with GFM tables and strikethrough) reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from markdown_it import MarkdownIt

from bulletin_helpers import example_ledger
from ledger_helpers import catalog
from pingtai import service
from pingtai.bulletin import Bulletin, Paragraph, Subheading, Table
from pingtai.bulletin.model import Quote, Section, Words, plain
from pingtai.periods import Period
from pingtai.render.bulletin_md import bulletin_markdown
from pingtai.render.format import markdown


@pytest.fixture(scope="module")
def bulletin(tmp_path_factory: pytest.TempPathFactory) -> Bulletin:
    db = example_ledger(tmp_path_factory.mktemp("examples") / "ledger.sqlite3")
    return service.bulletin(catalog(), service.Store(db), Period(2024))


def html(markdown: str) -> str:
    return str(MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown))


def test_headings_paragraphs_tables_and_the_authors_place(bulletin: Bulletin) -> None:
    text = bulletin_markdown(bulletin)
    lines = text.splitlines()
    assert lines[0] == f"# {bulletin.title}"
    assert [line for line in lines if line.startswith("## ")] == [f"## {s.number}{s.title}" for s in bulletin.sections]
    assert [line.removeprefix("### ") for line in lines if line.startswith("### ")] == [
        b.number + plain(b.parts) for s in bulletin.sections for b in s.blocks if isinstance(b, Subheading)]
    for block in (b for s in bulletin.sections for b in s.blocks if isinstance(b, Paragraph)):
        said = block.text
        assert (f"> {said}" if block.role == "placeholder" else said) in lines
    tables = [b for s in bulletin.sections for b in s.blocks if isinstance(b, Table)]
    assert len(tables) == 3 and text.count("|---|---|---|---|---|---|---|---|---|\n") == 2  # a plan's indicators
    assert text.count("\n|---|---|---|---|---|\n") == 1 and "| 1 | 柯桥区 | 352.1 | 15.4 | 30.6 |" in lines  # by area
    assert "| 网络零售额 | 亿元 | 1100<br>2024年 | 1150.6 | 104.6 | 13.7 | 100.0 | 正常 | 市商务局 |" in lines
    assert lines[-3:] == [bulletin.issuer, "", bulletin.date]


def test_a_commonmark_reader_sees_the_tables_and_the_quote(bulletin: Bulletin) -> None:
    rendered = html(bulletin_markdown(bulletin))
    assert rendered.count("<table>") == 3 and rendered.count("<h2>") == len(bulletin.sections)
    assert "<blockquote>" in rendered and "起草人补充" in rendered


HOSTILE = ("**粗体** _斜体_ `代码` [链接](http://evil.example) ![图](x.png) <script>alert(1)</script> &amp; "
           "~~删除~~ | 第二栏 \\ <b>b</b> www.evil.example 联系 a@b.example # 标题")


def test_data_text_never_becomes_markup() -> None:
    made = Bulletin(period=Period(2024), as_of=dt.date(2025, 1, 21), plans=["plan_2023_38"], title="关于测试的通报",
                    doc_number="", issuer="测试办公室", date="2025年1月21日",
                    sections=[Section("tasks", "一、", "重点任务推进情况", (
                        Paragraph((Words("存在问题："), Quote(HOSTILE))),
                        Table("表1　测试", ("指标", "说明"), (((Quote("甲|乙"),), (Quote(HOSTILE),)),)),
                    ))])
    markdown = bulletin_markdown(made)
    rendered = html(markdown)
    for tag in ("<strong>", "<em>", "<code>", "<a ", "<img", "<script", "<del>", "<b>", "<h1>标题"):
        assert tag not in rendered, tag
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "&amp;amp;" in rendered
    assert rendered.count("<td>") == 2  # the pipes inside the data split no cell
    assert "甲|乙" in rendered


def test_quoted_text_is_written_as_every_markdown_of_pingtai_writes_it() -> None:
    """render/format.markdown, not a bulletin's own escaping: one line, syntax escaped, no autolink;
    Chinese and numbers as they are."""
    texts = ["第一行\n# 第二行", "网络零售额1150.6亿元（同比+9.8%）", "访问www.x.cn", "1. 不是列表", "\x1b[2J清屏"]
    made = Bulletin(period=Period(2024), as_of=dt.date(2025, 1, 21), plans=["plan_2023_38"], title="关于测试的通报",
                    doc_number="", issuer="测试办公室", date="2025年1月21日",
                    sections=[Section("tasks", "一、", "重点任务推进情况",
                                      tuple(Paragraph((Words("问题："), Quote(t))) for t in texts))])
    lines = bulletin_markdown(made).splitlines()
    for text in texts:
        assert "问题：" + markdown(text) in lines, text
    assert markdown(texts[0]) == "第一行 \\# 第二行" and markdown(texts[1]) == texts[1]
    assert "\x1b" not in "".join(lines)
