"""The HTML report: one self-contained, escaped, printable file — and what headless Chromium shows of it."""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from ledger_helpers import catalog
from pingtai import service
from pingtai.assess import PathRow
from pingtai.by_area import area_table
from pingtai.periods import Period
from pingtai.render.charts import area_bars_svg, nice_ticks, trajectory_svg, value_ticks
from pingtai.render.common import ACTUAL_COLOUR, PATH_COLOUR
from pingtai.render.html import league_html, report_html
from pingtai.reports import AgencyReport, LedgerSnapshot, build_agency_report, build_league
from programs import chromium
from report_helpers import AS_OF, FORMULA_TEXTS, MARKUP_TEXT, decode_png, seed
from test_by_area import LAST_YEAR, RETAIL, THIS_YEAR
from workbooks import AREA_CATALOG


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> LedgerSnapshot:
    db = seed(tmp_path_factory.mktemp("ledger") / "ledger.sqlite3")
    return service.snapshot(service.Store(db))


@pytest.fixture(scope="module")
def report(data: LedgerSnapshot) -> AgencyReport:
    return build_agency_report(catalog(), data, "市市场监管局", AS_OF)


@pytest.fixture(scope="module")
def page(report: AgencyReport) -> str:
    return report_html(report)


class Collector(HTMLParser):
    """Tags, attributes and visible text of a page (script/style contents excluded)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attrs += [(tag, k, v) for k, v in attrs]
        if tag in ("style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def test_self_contained_and_printable(page: str) -> None:
    parsed = parse(page)
    assert parsed.tags["script"] == 0 and parsed.tags["link"] == 0 and parsed.tags["img"] == 0
    assert parsed.tags["iframe"] == 0 and parsed.tags["object"] == 0
    assert not [a for a in parsed.attrs if a[1] in ("src", "href")]
    assert "@import" not in page and "url(" not in page
    # the only URL is the SVG namespace, which is a name, not a fetch
    assert set(re.findall(r"https?://[^\"' )]+", page)) == {"http://www.w3.org/2000/svg"}
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif' in page
    assert "@page { size: A4; margin: 15mm; }" in page
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page


def test_texts_are_escaped(page: str) -> None:
    assert "<script>" not in page and "<草案>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;草案&gt;" in page
    text = "".join(parse(page).text)
    assert MARKUP_TEXT in text  # the reader sees exactly what the agency wrote
    for value in FORMULA_TEXTS.values():
        assert value in text


def test_lead_and_co_tasks_with_status_words(page: str, report: AgencyReport) -> None:
    text = "".join(parse(page).text)
    for task in report.lead + report.co:
        assert task.title in text
    assert f"牵头任务（{len(report.lead)}）" in text and f"配合任务（{len(report.co)}）" in text
    for word in ("推进中", "滞后", "已完成", "未报", "正常", "无数据", "逾期报送", "按时"):
        assert word in text, word
    # colour never stands alone: each badge holds its word
    badges = re.findall(r'<span class="badge" style="color:#[0-9A-F]{6};background:#[0-9A-F]{6}">([^<]+)</span>', page)
    assert badges and all(b.strip() for b in badges)


def test_one_chart_per_indicator(page: str, report: AgencyReport) -> None:
    parsed = parse(page)
    assert parsed.tags["svg"] == len(report.indicators) == 10
    lines = sum((sum(p.expected is not None for p in r.chart) > 1) + (sum(p.actual is not None for p in r.chart) > 1)
                for r in report.indicators)
    assert parsed.tags["polyline"] == lines == 8  # a path through two points or more, an actual line likewise


def test_chart_geometry() -> None:
    rows = [PathRow(Period(2022), 921, "trajectory", None, None, None, None),
            PathRow(Period(2023), 1000, "trajectory", 1010, "市商务局", 0.01, "on_track"),
            PathRow(Period(2024), 1100, "trajectory", 1150, "市商务局", 0.045, "on_track"),
            PathRow(Period(2025), 1200, "trajectory", None, None, None, None)]
    svg = trajectory_svg(rows, title="网络零售额 <x>", unit="亿元")
    assert "网络零售额 &lt;x&gt;" in svg
    assert svg.count("<circle") == 2 + 1  # two actuals and the legend's dot
    assert value_ticks(rows)[0] > 0  # 921..1200 does not start the axis at zero
    assert trajectory_svg([PathRow(Period(2027), None, None, None, None, None, None)], title="x", unit="个") == ""
    assert nice_ticks(0, 1000) == [0, 200, 400, 600, 800, 1000]
    assert nice_ticks(0, 7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 5200)[-1] >= 5200 and nice_ticks(-3, 12)[0] <= -3


def test_league_page(data: LedgerSnapshot) -> None:
    league = build_league(catalog(), data, AS_OF)
    text = "".join(parse(league_html(league)).text)
    assert "市市场监管局" in text and "排名规则" in text and "综合得分" in text


@pytest.mark.external
def test_chromium_renders_the_report(page: str, report: AgencyReport, tmp_path: Path) -> None:
    path = tmp_path / "市市场监管局.html"
    path.write_text(page, encoding="utf-8")
    shot = tmp_path / "shot.png"
    result = chromium(path.as_uri(), tmp_path, f"--screenshot={shot}", "--window-size=1200,1600")
    assert shot.is_file(), result.stderr[-2000:]
    width, height, pixels = decode_png(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    colours = Counter(p[:3] for p in pixels)
    white = sum(n for c, n in colours.items() if min(c) >= 245)
    ink = 1 - white / len(pixels)
    # text, tables and badges cover a fair share of the first screen; badges add real colour
    assert ink > 0.04, ink
    assert len(colours) > 50, len(colours)
    assert any(abs(r - g) > 60 or abs(g - b) > 60 for (r, g, b) in colours), "no coloured pixel at all"
    dom = chromium(path.as_uri(), tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "市市场监管局" in dom.stdout and report.lead[0].title in dom.stdout and "滞后" in dom.stdout
    assert "<svg" in dom.stdout


def test_area_bars() -> None:
    table = area_table(AREA_CATALOG, RETAIL, LAST_YEAR + THIS_YEAR, AS_OF)
    svg = area_bars_svg(table, highlight="柯桥区")
    bars = re.findall(r'<rect x="118" y="[\d.]+" width="([\d.]+)" height="15" fill="#([0-9A-F]{6})">', svg)
    assert [colour for _, colour in bars] == [PATH_COLOUR, ACTUAL_COLOUR, PATH_COLOUR, PATH_COLOUR]  # 诸暨市 first
    widths = [float(width) for width, _ in bars]
    assert widths == sorted(widths[:3], reverse=True) + widths[3:]  # largest first; the zone after the ranked
    assert "滨海新区（功能区）" in svg and "50（不排名）" in svg and "300（第 2 位）" in svg
    assert area_bars_svg(area_table(AREA_CATALOG, RETAIL, [], AS_OF)) == ""
