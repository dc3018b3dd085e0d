"""The analytics widgets' charts as SVG drawn on the server: a line (a trend over days), bars
(categories) and a grid (a heat map: RFM cells, weekday by hour).

Why not a charting library: pygal, the one well-kept Python SVG library, embeds a tooltip
script from a CDN unless told otherwise, takes tens of milliseconds a chart and writes fixed
pixel sizes and fonts; a JavaScript library would draw after the swap, with a script per
widget. These three shapes are a few lines of SVG each: a `viewBox` sized for a phone, no
width or height, so the chart scales to the card at any width; every label escaped; a None
value is a gap, not a zero. The chart is an image with its own label (`role="img"`); its
figures are in the table beside it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cxsuite.lib.analytics import Chart, Number

WIDTH = 360
HEIGHT = 180
LEFT = 44  # room for the values of the axis
BOTTOM = 20  # room for the categories
TOP = 8
RIGHT = 8
MAX_LABELS = 6  # categories written under a line or bar chart
SERIES_CLASSES = 4  # chart__s0 ... chart__s3 in the stylesheet


def _number(value: float) -> str:
    """A short axis value: 1200 -> 1.2k, 0.5 -> 0.5."""
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    if size >= 1_000:
        return f"{value / 1_000:.3g}k"
    return f"{value:.3g}"


def _floats(values: Sequence[Number | None]) -> list[float | None]:
    out: list[float | None] = []
    for value in values:
        if value is None:
            out.append(None)
            continue
        number = float(value)
        out.append(number if math.isfinite(number) else None)
    return out


def nice_range(low: float, high: float) -> tuple[float, float, float]:
    """An axis from `low` to `high` that starts at zero (or below it for negative values) and
    ends on a round step: (bottom, top, step)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    raw = (high - low) / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def _open(kind: str, label: str, height: int = HEIGHT) -> str:
    return (
        f'<svg class="chart chart--{kind}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMidYMid meet"><title>{escape(label)}</title>'
    )


def _axis(bottom: float, top: float, step: float, y_of) -> list[str]:
    parts = []
    count = round((top - bottom) / step)
    for i in range(count + 1):
        value = bottom + i * step
        y = y_of(value)
        css = "chart__zero" if value == 0 else "chart__rule"
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" class="{css}"/>'
            f'<text x="{LEFT - 4}" y="{y + 3:.1f}" text-anchor="end" class="chart__tick">'
            f"{escape(_number(value))}</text>"
        )
    return parts


def _category_labels(categories: Sequence[str], x_of) -> list[str]:
    count = len(categories)
    if not count:
        return []
    every = max(1, math.ceil(count / MAX_LABELS))
    parts = []
    for index in range(0, count, every):
        x = x_of(index)
        anchor = "end" if x > WIDTH - RIGHT - 20 else "middle"  # the last stays inside
        parts.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 5}" text-anchor="{anchor}" '
            f'class="chart__tick">{escape(str(categories[index])[:14])}</text>'
        )
    return parts


def _scale(chart: Chart):
    values = [v for s in chart.series for v in _floats(s.values) if v is not None]
    bottom, top, step = nice_range(min(values, default=0.0), max(values, default=0.0))
    plot = HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return TOP + plot * (top - value) / (top - bottom)

    return bottom, top, step, y_of


def line_svg(chart: Chart, label: str) -> SafeString:
    """One line per series over the categories; a None breaks the line."""
    count = len(chart.categories)
    bottom, top, step, y_of = _scale(chart)
    span = WIDTH - LEFT - RIGHT

    def x_of(index: int) -> float:
        return LEFT + (span * index / (count - 1) if count > 1 else span / 2)

    parts = [_open("line", label), *_axis(bottom, top, step, y_of)]
    for number, series in enumerate(chart.series):
        css = f"chart__s{number % SERIES_CLASSES}"
        path: list[str] = []
        pen_down = False
        lonely: list[tuple[float, float]] = []
        values = _floats(series.values)[:count]
        for index, value in enumerate(values):
            if value is None:
                pen_down = False
                continue
            x, y = x_of(index), y_of(value)
            path.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
            before = values[index - 1] if index else None
            after = values[index + 1] if index + 1 < len(values) else None
            if not pen_down and after is None and before is None:
                lonely.append((x, y))  # a point with no neighbour still shows
            pen_down = True
        if path:
            parts.append(f'<path d="{" ".join(path)}" class="chart__line {css}"/>')
        parts.extend(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" class="chart__dot {css}"/>'
            for x, y in lonely
        )
    parts.extend(_category_labels(chart.categories, x_of))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def bar_svg(chart: Chart, label: str) -> SafeString:
    """Grouped columns: one slot per category, one column per series; a None draws nothing."""
    count = len(chart.categories)
    bottom, top, step, y_of = _scale(chart)
    span = WIDTH - LEFT - RIGHT
    slot = span / max(count, 1)
    groups = max(len(chart.series), 1)
    column = max(slot * 0.8 / groups, 0.5)

    def x_of(index: int) -> float:
        return LEFT + slot * index + slot / 2

    parts = [_open("bar", label), *_axis(bottom, top, step, y_of)]
    zero = y_of(0.0)
    for number, series in enumerate(chart.series):
        css = f"chart__s{number % SERIES_CLASSES}"
        for index, value in enumerate(_floats(series.values)[:count]):
            if value is None:
                continue
            x = LEFT + slot * index + slot * 0.1 + column * number
            y = min(zero, y_of(value))
            height = abs(y_of(value) - zero)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{column:.1f}" height="{height:.1f}" '
                f'class="chart__bar {css}"/>'
            )
    parts.extend(_category_labels(chart.categories, x_of))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


GRID_TOP = 14  # room for the column labels
CHAR = 6.8  # about the width of a tick label's character (12 px) in viewBox units


def grid_svg(chart: Chart, label: str) -> SafeString:
    """A heat map: each series is a row, each category a column; the darker the cell, the
    larger its value; a None cell is left empty. The row labels get the room the longest
    needs (up to a third of the width); column labels are written one in `every` so that
    none runs into the next."""
    rows, columns = len(chart.series), len(chart.categories)
    values = [v for s in chart.series for v in _floats(s.values) if v is not None]
    low, high = min(values, default=0.0), max(values, default=0.0)
    longest_row = max((len(str(s.label)) for s in chart.series), default=0)
    label_room = min(WIDTH / 3, 14 + CHAR * longest_row)
    cell_w = (WIDTH - label_room - RIGHT) / max(columns, 1)
    cell_h = min(24.0, (HEIGHT - GRID_TOP) / max(rows, 1))
    height = round(GRID_TOP + cell_h * rows + 4)
    parts = [_open("grid", label, height)]
    longest_column = max((len(str(c)) for c in chart.categories), default=0)
    every = max(1, math.ceil(columns / 12), math.ceil((CHAR * longest_column + 4) / cell_w))
    fits = max(1, int((every * cell_w - 4) / CHAR))
    for index in range(0, columns, every):
        x = label_room + cell_w * index + cell_w / 2
        parts.append(
            f'<text x="{x:.1f}" y="{GRID_TOP - 4}" text-anchor="middle" class="chart__tick">'
            f"{escape(str(chart.categories[index])[:fits])}</text>"
        )
    for row, series in enumerate(chart.series):
        y = GRID_TOP + cell_h * row
        parts.append(
            f'<text x="{label_room - 4:.1f}" y="{y + cell_h / 2 + 3:.1f}" text-anchor="end" '
            f'class="chart__tick">{escape(str(series.label)[:16])}</text>'
        )
        for index, value in enumerate(_floats(series.values)[:columns]):
            if value is None:
                continue
            share = 1.0 if high == low else (value - low) / (high - low)
            parts.append(
                f'<rect x="{label_room + cell_w * index + 0.5:.1f}" y="{y + 0.5:.1f}" '
                f'width="{max(cell_w - 1, 0.5):.1f}" height="{max(cell_h - 1, 0.5):.1f}" '
                f'class="chart__cell" fill-opacity="{0.08 + 0.92 * share:.2f}"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def chart_svg(chart: Chart, label: str) -> SafeString:
    """The chart drawn by its kind, labelled for screen readers with `label`."""
    if not chart.categories or not chart.series:
        return mark_safe("")
    draw = {"line": line_svg, "bar": bar_svg, "grid": grid_svg}[chart.kind]
    return draw(chart, label)
