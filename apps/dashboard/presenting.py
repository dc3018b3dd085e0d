"""How a widget's figures read: numbers in the reader's language (Babel's CLDR data), dates
in the business's style, the change against the period before, and the CSV of its tables.

Nothing here writes "None" or "nan": a value that cannot be shown is an em dash.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_currency, format_decimal, format_percent, get_group_symbol
from django.conf import settings
from django.utils import dateformat, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.tenants.db import connection
from apps.tenants.formats import format_date_short, pattern
from cxsuite.lib.analytics import Chart, Figure, Number, Table, WidgetData

DASH = "—"
PERIOD_LABELS = {
    "7d": gettext_lazy("7 days"),
    "30d": gettext_lazy("30 days"),
    "90d": gettext_lazy("90 days"),
    "12m": gettext_lazy("12 months"),
}
# A cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _locale() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE).replace("-", "_")


def _finite(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _currency() -> str:
    return getattr(getattr(connection, "tenant", None), "currency", "") or "EUR"


def format_number(value: Number | None, unit: str = "count") -> str:
    """`value` in the reader's language: 1 234 (fr), 12,5 % , 1.234,50 € (es)."""
    number = _finite(value)
    if number is None:
        return DASH
    locale = _locale()
    if unit == "percent":
        share = Decimal(str(round(number, 1))) / 100
        return format_percent(share, locale=locale, decimal_quantization=False)
    if unit == "money":
        return format_currency(Decimal(str(value)), _currency(), locale=locale)
    if unit == "days":
        text = format_decimal(number, "#,##0.#", locale=locale)
        return _("%(n)s d") % {"n": text}
    if unit == "count" and number == int(number):
        return format_decimal(int(number), locale=locale)
    return format_decimal(number, "#,##0.#", locale=locale)


class CellFormatter:
    """Table cells in the reader's style: numbers and dates, None as a dash. Made once per
    table, so a year of days (365 rows) does not look the locale up 730 times."""

    def __init__(self) -> None:
        self.locale = _locale()
        self.group = get_group_symbol(self.locale)
        self.date = pattern("date")
        self.datetime = pattern("datetime")

    def __call__(self, value: object) -> str:
        if value is None:
            return DASH
        if isinstance(value, dt.datetime):
            return dateformat.format(value, self.datetime)
        if isinstance(value, dt.date):
            return dateformat.format(value, self.date)
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, int):
            return f"{value:,}".replace(",", self.group)
        if isinstance(value, float | Decimal):
            return format_number(value, "count")
        return str(value)


def format_cell(value: object) -> str:
    """One table cell (see CellFormatter)."""
    return CellFormatter()(value)


def format_day_label(day: dt.date) -> str:
    """A category under a chart: "5 Mar" or "Mar 5"."""
    return format_date_short(day)


@dataclass(frozen=True)
class Change:
    """The change of a figure against the period before, as drawn."""

    text: str  # "▲ 12 %", "▼ 1.5 pts", "—"
    spoken: str  # for screen readers: "up 12 % on the period before"
    tone: str  # good, bad or neutral


def figure_change(figure: Figure) -> Change:
    """Percent change (points for a percentage) with its arrow, green when it goes the way
    `better` says, red the other way, a dash when either value is missing or was zero."""
    value, previous = _finite(figure.value), _finite(figure.previous)
    none = Change(DASH, _("no comparison with the period before"), "neutral")
    if value is None or previous is None:
        return none
    locale = _locale()
    if figure.unit == "percent":
        diff = value - previous
        amount = _("%(n)s pts") % {"n": format_decimal(abs(diff), "#,##0.#", locale=locale)}
    else:
        if previous == 0:
            return none
        diff = (value - previous) / abs(previous) * 100
        amount = format_percent(abs(diff) / 100, locale=locale)
    if round(diff, 1) == 0:
        return Change(f"= {amount}", _("unchanged on the period before"), "neutral")
    up = diff > 0
    arrow = "▲" if up else "▼"
    if figure.better == "neither":
        tone = "neutral"
    else:
        tone = "good" if up == (figure.better == "up") else "bad"
    spoken = (
        _("up %(amount)s on the period before") if up else _("down %(amount)s on the period before")
    ) % {"amount": amount}
    return Change(f"{arrow} {amount}", spoken, tone)


@dataclass(frozen=True)
class FigureView:
    label: str
    value: str
    change: Change


def figure_views(figures: Sequence[Figure]) -> list[FigureView]:
    return [
        FigureView(str(f.label), format_number(f.value, f.unit), figure_change(f)) for f in figures
    ]


def table_rows(table: Table | None) -> list[list[str]]:
    if table is None:
        return []
    cell = CellFormatter()
    return [[cell(value) for value in row] for row in table.rows]


def table_body(rows: list[list[str]], columns: Sequence[object] = ()) -> SafeString:
    """The <tbody> rows, the first cell of each a row header; built here rather than by two
    nested template loops, which took longer than the rest of a year-long widget. Each cell
    carries its column's name (`data-label`), which a phone shows beside the value when the
    table is drawn as one card a row."""
    labels = [escape(str(column)) for column in columns[1:]]
    lines = []
    for row in rows:
        head, *cells = row or [""]
        tds = "".join(
            f'<td data-label="{labels[n]}">{escape(cell)}</td>'
            if n < len(labels)
            else f"<td>{escape(cell)}</td>"
            for n, cell in enumerate(cells)
        )
        lines.append(f'<tr><th scope="row">{escape(head)}</th>{tds}</tr>')
    return mark_safe("".join(lines))  # noqa: S308 - every cell is escaped above


def widget_is_empty(data: WidgetData) -> bool:
    """Nothing to draw: no figure with a value, no chart value, no table row."""
    if any(_finite(f.value) is not None for f in data.figures):
        return False
    if data.table is not None and data.table.rows:
        return False
    chart: Chart | None = data.chart
    return not (chart and any(v is not None for s in chart.series for v in s.values))


# --- CSV ---------------------------------------------------------------------------------------
def csv_cell(value: object) -> str:
    """A cell of the CSV: machine values (ISO dates, dot decimals) and text that a spreadsheet
    will not run as a formula."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        return "" if not math.isfinite(value) else repr(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def widget_csv(data: WidgetData) -> str:
    """The widget's table, then (after an empty line) its rows per staff member; with a BOM
    so that spreadsheet programs read the accents of names as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    tables = [t for t in (data.table, data.by_staff) if t is not None]
    if not tables and data.figures:
        tables = [
            Table(
                columns=[_("Figure"), _("This period"), _("Period before")],
                rows=[(f.label, f.value, f.previous) for f in data.figures],
            )
        ]
    for number, table in enumerate(tables):
        if number:
            writer.writerow([])
        writer.writerow([csv_cell(str(c)) for c in table.columns])
        writer.writerows([csv_cell(cell) for cell in row] for row in table.rows)
    return out.getvalue()
