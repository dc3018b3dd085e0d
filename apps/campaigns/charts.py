"""Small SVG charts drawn on the server (no script, nothing from another host); each page
shows the same figures as a table."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 170
WIDTH = 380


def bar_chart(rows: list[tuple[str, int]]) -> SafeString:
    """Horizontal bars, one per (label, value), scaled to the largest."""
    top = max((value for _label, value in rows), default=0) or 1
    height = len(rows) * (BAR_HEIGHT + GAP)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-hidden="true" '
        'focusable="false" preserveAspectRatio="xMinYMin meet">'
    ]
    room = WIDTH - LABEL_WIDTH - 40
    for index, (label, value) in enumerate(rows):
        y = index * (BAR_HEIGHT + GAP)
        width = round(room * value / top)
        parts.append(
            f'<text x="0" y="{y + 13}" class="chart__label">{escape(label)}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(width, 1)}" height="{BAR_HEIGHT}" '
            'class="chart__bar"></rect>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 13}" class="chart__value">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (labels escaped above, values are ints)
