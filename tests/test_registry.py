"""render/registry.py: one table of (document, format) → renderer; a new document is entries, not branches."""

from __future__ import annotations

import io
import json
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pingtai.errors import UsageError
from pingtai.render import registry
from pingtai.render.console import Output
from pingtai.render.documents import EXTENSIONS, FILE_FORMATS, FORMATS, choose_format


def test_the_documents_and_their_formats() -> None:
    assert registry.formats("report") == ("table", "md", "xlsx", "html", "json") == FORMATS
    assert registry.formats("league") == ("table", "md", "xlsx", "html", "json")
    assert registry.formats("digest") == ("table", "md", "json")
    assert registry.formats("bulletin") == ("docx", "md", "json") and registry.default_format("bulletin") == "docx"
    assert registry.default_format("report") == "table"
    assert registry.entry("bulletin", "docx").binary and registry.format_for_suffix("bulletin", ".markdown") == "md"
    assert FILE_FORMATS == ("md", "xlsx", "html", "json")
    assert EXTENSIONS == {"md": ".md", "xlsx": ".xlsx", "html": ".html", "json": ".json"}
    assert registry.entry("report", "xlsx").binary and not registry.entry("report", "md").binary
    assert registry.format_for_suffix("report", ".HTM") == "html" and registry.format_for_suffix("report", ".txt") is None


def test_renderers_are_imported_only_when_used() -> None:
    """``pingtai --help`` must not pay for openpyxl: the table names functions, it does not hold them."""
    assert all(isinstance(e.target, str) and ":" in e.target for e in registry.ENTRIES.values())
    for entry in registry.ENTRIES.values():
        assert callable(entry.function()), entry.target


def test_an_unknown_format_or_object_is_refused() -> None:
    with pytest.raises(UsageError, match="单位报告没有 'docx' 格式") as caught:
        registry.entry("report", "docx")
    assert caught.value.hint == "可用：table、md、xlsx、html、json"
    with pytest.raises(TypeError):
        registry.document_of(object())
    with pytest.raises(UsageError, match="未知的格式 'pdf'"):
        choose_format("pdf", None)
    with pytest.raises(UsageError, match="表格格式只输出到屏幕"):
        choose_format("table", Path("x.md"))
    assert choose_format(None, Path("报告.MARKDOWN")) == "md"
    assert choose_format(None, None, "bulletin") == "docx" and choose_format(None, Path("通报.md"), "bulletin") == "md"
    with pytest.raises(UsageError, match="未知的格式 'table'"):
        choose_format("table", None, "bulletin")


@dataclass(frozen=True)
class Briefing:
    """A stand-in for a document a later issue might add (a weekly 简报)."""

    period: str
    text: str


@pytest.fixture
def briefing() -> Iterator[types.ModuleType]:
    """A module that renders a Briefing, registered as a new document — and removed afterwards."""
    module = types.ModuleType("briefing_renderers")

    def as_markdown(b: Briefing) -> str:
        return f"# {b.period} 简报\n\n{b.text}\n"

    def as_docx(b: Briefing) -> bytes:
        return b"PK\x03\x04" + b.text.encode()

    def on_screen(b: Briefing, out: Output) -> None:
        out.line(f"{b.period}：{b.text}")

    module.as_markdown, module.as_docx, module.on_screen = as_markdown, as_docx, on_screen  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    saved, documents, titles = dict(registry.ENTRIES), dict(registry.DOCUMENTS), dict(registry.TITLES)
    registry.register_document(f"{__name__}.Briefing", "briefing", "工作简报")
    registry.register("briefing", "table", "briefing_renderers:on_screen", screen=True)
    registry.register("briefing", "md", "briefing_renderers:as_markdown", (".md",))
    registry.register("briefing", "docx", "briefing_renderers:as_docx", (".docx",), binary=True)
    registry.register("briefing", "json", "pingtai.render.jsonout:document", (".json",))
    yield module
    registry.ENTRIES.clear()
    registry.ENTRIES.update(saved)
    registry.DOCUMENTS.clear()
    registry.DOCUMENTS.update(documents)
    registry.TITLES.clear()
    registry.TITLES.update(titles)
    del sys.modules[module.__name__]


def test_a_new_document_is_added_by_entries_alone(briefing: types.ModuleType) -> None:
    b = Briefing("2025Q2", "网络零售额同比增长 8.2%")
    assert registry.formats("briefing") == ("table", "md", "docx", "json")
    assert registry.render(b, "md") == "# 2025Q2 简报\n\n网络零售额同比增长 8.2%\n".encode()
    assert registry.render(b, "docx").startswith(b"PK\x03\x04")
    assert json.loads(registry.render(b, "json")) == {"period": "2025Q2", "text": "网络零售额同比增长 8.2%"}
    out = io.StringIO()
    registry.show(b, Output(out))
    assert out.getvalue() == "2025Q2：网络零售额同比增长 8.2%\n"
    assert choose_format(None, Path("简报.docx"), "briefing") == "docx"
    with pytest.raises(UsageError, match="只输出到屏幕"):
        registry.render(b, "table")
