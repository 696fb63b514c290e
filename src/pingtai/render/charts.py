"""SVG charts, built as strings (no plotting library, no scripts).

:func:`trajectory_svg` draws one indicator: the expected path (dashed grey line through the
expected values) and the reported values (solid blue line, each point a dot coloured by its
verdict against the path, with a tooltip). Time runs on a true axis — periods are placed at their
end month — so a quarter is a quarter and a year is a year. :func:`area_bars_svg` draws an
indicator's figures across its areas as horizontal bars, largest first, one area highlighted.
Every text is escaped; the SVG is self-contained and inlined in the HTML report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from pingtai.assess import PathRow
from pingtai.progress import STATUS_LABELS, months
from pingtai.render.common import ACTUAL_COLOUR, FONT_STACK, PATH_COLOUR, colours
from pingtai.render.format import html as escape
from pingtai.render.format import num, percent

if TYPE_CHECKING:
    from pingtai.by_area import AreaTable


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering ``low``..``high`` (steps of 1, 2, 2.5 or 5 × 10ⁿ), about ``count`` of them."""
    if high <= low:
        high = low + 1
    raw = (high - low) / count
    if not math.isfinite(raw):  # figures at both ends of the float range
        raw = high / count - low / count
    magnitude = 10.0 ** math.floor(math.log10(raw))  # a float: an int power of ten can outgrow float formatting
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if raw <= m * magnitude)
    start = math.floor(low / step + 1e-9) * step
    if not (math.isfinite(step) and math.isfinite(start) and math.isfinite(high + step)):
        return [low, high]  # no round ticks this close to the largest float: the ends will do
    ticks = [round(start, 10)]
    while ticks[-1] < high - step * 1e-9 or len(ticks) < 2:  # the last tick is at or above ``high``
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def value_ticks(rows: Sequence[PathRow]) -> list[float]:
    """The value axis of a chart of ``rows``: ticks from its floor to above its highest value.

    The axis starts at zero unless the values sit high above it — 网络零售额 between 921 and 1400
    would otherwise hug the top of the plot — then a little below the lowest value. A single
    value (a target with nothing reported yet) is drawn from zero.
    """
    values = [v for r in rows for v in (r.expected, r.actual) if v is not None] or [0.0]
    low, high = min(values), max(values)
    floor = 0.0 if low <= 0 or low <= high * 0.5 or low == high else low - (high - low) * 0.1
    return nice_ticks(min(floor, low), high)


def trajectory_svg(rows: Sequence[PathRow], *, title: str, unit: str, width: int = 560, height: int = 230) -> str:
    """An inline ``<svg>`` of ``rows`` (expected vs actual by period); ``""`` when nothing can be drawn."""
    shown = [r for r in rows if r.expected is not None or r.actual is not None]
    if not shown:
        return ""
    left, right, top, bottom = 64, 16, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = value_ticks(shown)
    y_low, y_high = ticks[0], ticks[-1]
    t_low = min(months(r.period) for r in shown)
    t_high = max(months(r.period) for r in shown)

    def x(row: PathRow) -> float:
        if t_high == t_low:
            return left + plot_w / 2
        return left + (months(row.period) - t_low) / (t_high - t_low) * plot_w

    def y(value: float) -> float:
        return top + plot_h - (value - y_low) / (y_high - y_low) * plot_h

    label = f"{title}：实际与目标路径（{unit}）"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT_STACK}\' font-size="11" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for tick in ticks:  # horizontal grid and value labels
        ty = y(tick)
        out.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" stroke="#d0d7de" '
                   f'stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#57606a">{escape(num(tick))}</text>')
    years = list(range(min(r.period.year for r in shown), max(r.period.year for r in shown) + 1))
    every = max(1, math.ceil(len(years) / 8))
    for i, year in enumerate(years):  # a tick at each year end, labelled with the year
        t = year * 12 + 12
        if not t_low <= t <= t_high and t_high != t_low:
            continue
        tx = left + plot_w / 2 if t_high == t_low else left + (t - t_low) / (t_high - t_low) * plot_w
        out.append(f'<line x1="{tx:.1f}" y1="{top + plot_h}" x2="{tx:.1f}" y2="{top + plot_h + 4}" stroke="#57606a"/>')
        if i % every == 0:
            out.append(f'<text x="{tx:.1f}" y="{top + plot_h + 17}" text-anchor="middle" fill="#57606a">{year}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#57606a"/>')
    out.append(f'<text x="{left - 6}" y="{top - 10}" text-anchor="end" fill="#57606a">{escape(unit)}</text>')

    path = [r for r in shown if r.expected is not None]
    if len(path) > 1:
        points = " ".join(f"{x(r):.1f},{y(r.expected or 0):.1f}" for r in path)
        out.append(f'<polyline points="{points}" fill="none" stroke="#{PATH_COLOUR}" stroke-width="2" '
                   f'stroke-dasharray="6 4"/>')
    for r in path:
        out.append(f'<rect x="{x(r) - 3:.1f}" y="{y(r.expected or 0) - 3:.1f}" width="6" height="6" '
                   f'fill="#ffffff" stroke="#{PATH_COLOUR}" stroke-width="1.5">'
                   f"<title>{escape(f'{r.period} 应达 {num(r.expected)} {unit}')}</title></rect>")
    actual = [r for r in shown if r.actual is not None]
    if len(actual) > 1:
        points = " ".join(f"{x(r):.1f},{y(r.actual or 0):.1f}" for r in actual)
        out.append(f'<polyline points="{points}" fill="none" stroke="#{ACTUAL_COLOUR}" stroke-width="2.5"/>')
    for r in actual:
        fill = f"#{colours('status', r.verdict)[0]}" if r.verdict else f"#{ACTUAL_COLOUR}"
        verdict = f"，{STATUS_LABELS[r.verdict]}" if r.verdict else ""
        tip = f"{r.period} 实际 {num(r.actual)} {unit}（应达 {num(r.expected)}{verdict}）"
        out.append(f'<circle cx="{x(r):.1f}" cy="{y(r.actual or 0):.1f}" r="4.5" fill="{fill}" stroke="#ffffff" '
                   f'stroke-width="1"><title>{escape(tip)}</title></circle>')

    lx = width - right - 230  # legend, top right
    out.append(f'<line x1="{lx}" y1="14" x2="{lx + 26}" y2="14" stroke="#{PATH_COLOUR}" stroke-width="2" '
               f'stroke-dasharray="6 4"/>')
    out.append(f'<text x="{lx + 32}" y="18" fill="#24292f">应达（目标路径）</text>')
    out.append(f'<line x1="{lx + 130}" y1="14" x2="{lx + 156}" y2="14" stroke="#{ACTUAL_COLOUR}" stroke-width="2.5"/>')
    out.append(f'<circle cx="{lx + 143}" cy="14" r="4" fill="#{ACTUAL_COLOUR}"/>')
    out.append(f'<text x="{lx + 162}" y="18" fill="#24292f">实际</text>')
    if not actual:
        out.append(f'<text x="{left + plot_w / 2:.1f}" y="{top + plot_h / 2:.1f}" text-anchor="middle" '
                   f'fill="#57606a">尚无实际值</text>')
    out.append("</svg>")
    return "\n".join(out)


def area_bars_svg(table: AreaTable, *, highlight: str | None = None, width: int = 560) -> str:
    """An inline ``<svg>`` of ``table``'s area figures as bars, largest first (county-level areas, then zones),
    ``highlight``'s bar in the actual colour and the others grey; ``""`` when no area has a figure."""
    shown = sorted((r for r in table.rows if r.value is not None), key=lambda r: (not r.summed, -(r.value or 0.0)))
    if not shown:
        return ""
    row_h, top, left, right = 22, 30, 118, 150
    height = top + row_h * len(shown) + 24
    ticks = nice_ticks(0.0, max(max(r.value or 0.0 for r in shown), 0.0) or 1.0)
    high = ticks[-1] or 1.0
    plot_w = width - left - right
    when = table.period.label() if table.period is not None else ""
    label = f"{table.name}分地区（{when}，{table.unit}）"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family=\'{FONT_STACK}\' font-size="11" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{left}" y="16" fill="#24292f">{escape(label)}</text>',
    ]
    for tick in ticks:
        tx = left + tick / high * plot_w
        out.append(f'<line x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" y2="{height - 20}" stroke="#d0d7de" stroke-width="1"/>')
        out.append(f'<text x="{tx:.1f}" y="{height - 6}" text-anchor="middle" fill="#57606a">{escape(num(tick))}</text>')
    for i, r in enumerate(shown):
        y = top + i * row_h
        bar = max(r.value or 0.0, 0.0) / high * plot_w
        colour = ACTUAL_COLOUR if r.area == highlight or highlight is None else PATH_COLOUR
        name = r.area if r.summed else f"{r.area}（功能区）"
        weight = ' font-weight="bold"' if r.area == highlight else ""
        growth = f"，同比 {percent(r.yoy_reported if r.yoy_reported is not None else r.yoy_computed)}" if (
            r.yoy_reported is not None or r.yoy_computed is not None) else ""
        rank = f"第 {r.rank} 位" if r.rank is not None else "不排名"
        out.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" fill="#24292f"{weight}>{escape(name)}</text>')
        out.append(f'<rect x="{left}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 7}" fill="#{colour}">'
                   f"<title>{escape(f'{r.area} {num(r.value)} {table.unit}{growth}，{rank}')}</title></rect>")
        out.append(f'<text x="{left + bar + 4:.1f}" y="{y + 14}" fill="#24292f"{weight}>'
                   f"{escape(f'{num(r.value)}（{rank}）')}</text>")
    out.append("</svg>")
    return "\n".join(out)


__all__ = ["area_bars_svg", "nice_ticks", "trajectory_svg", "value_ticks"]
