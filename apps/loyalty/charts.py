"""Charts drawn on the server as SVG (no script, no external asset): horizontal bars and
grouped columns. Every chart is decorative next to the table that holds its figures, so
it is hidden from screen readers (`aria-hidden`)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 120
WIDTH = 480


def bars_svg(rows: list[tuple[str, int]]) -> SafeString:
    """One horizontal bar per (label, value), scaled to the largest value."""
    if not rows:
        return mark_safe("")
    top = max(value for _label, value in rows) or 1
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    room = WIDTH - LABEL_WIDTH - 60
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="presentation" '
        f'aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet">'
    ]
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = max(2, round(room * value / top)) if value else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 15}" text-anchor="end" '
            f'class="chart__label">{escape(label[:18])}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width}" height="{BAR_HEIGHT}" rx="3" '
            f'class="chart__bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6}" y="{y + 15}" class="chart__value">{value}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above


def columns_svg(rows: list[tuple[str, int, int]]) -> SafeString:
    """Two columns per (label, first, second) group, e.g. earned and redeemed per month."""
    if not rows:
        return mark_safe("")
    height, base = 200, 170
    top = max(max(a, b) for _label, a, b in rows) or 1
    slot = WIDTH / len(rows)
    column = min(24, slot / 3)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="presentation" '
        f'aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet">'
        f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" class="chart__axis"/>'
    ]
    for index, (label, first, second) in enumerate(rows):
        x = index * slot + slot / 2
        for offset, value, css in ((-column, first, "chart__bar"), (0, second, "chart__bar2")):
            h = round((base - 20) * value / top)
            parts.append(
                f'<rect x="{x + offset:.1f}" y="{base - h}" width="{column:.1f}" height="{h}" '
                f'class="{css}"/>'
            )
        parts.append(
            f'<text x="{x:.1f}" y="{base + 18}" text-anchor="middle" '
            f'class="chart__label">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label is escaped above
