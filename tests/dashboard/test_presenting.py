"""How widget figures read: numbers per language, the change against the period before, and
the CSV (BOM, machine values, no formula injection)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation

from apps.dashboard.presenting import (
    DASH,
    csv_cell,
    figure_change,
    format_cell,
    format_number,
    widget_csv,
)
from cxsuite.lib.analytics import Figure, Table, WidgetData


@pytest.mark.parametrize(
    ("language", "value", "unit", "expected"),
    [
        ("en", 1234, "count", "1,234"),
        ("fr", 1234, "count", "1\u202f234"),
        ("es", 12345, "count", "12.345"),
        ("en", 12.5, "percent", "12.5%"),
        ("fr", 12.5, "percent", "12,5\u00a0%"),
        ("en", 3.25, "score", "3.2"),
        ("en", None, "count", DASH),
        ("en", float("nan"), "percent", DASH),
    ],
)
def test_numbers_follow_the_reader_s_language(language, value, unit, expected):
    with translation.override(language):
        assert format_number(value, unit) == expected


@pytest.mark.django_db
def test_money_is_in_the_business_s_currency(tenant):
    with translation.override("fr"):
        text = format_number(Decimal("1234.5"), "money")
    assert text.startswith("1\u202f234,50") and tenant.currency in text or "€" in text


def _figure(value, previous, unit="count", better="up"):
    return Figure(key="k", label="K", value=value, previous=previous, unit=unit, better=better)


@pytest.mark.parametrize(
    ("figure", "text", "tone"),
    [
        (_figure(120, 100), "▲ 20%", "good"),
        (_figure(80, 100), "▼ 20%", "bad"),
        (_figure(80, 100, better="down"), "▼ 20%", "good"),
        (_figure(120, 100, better="neither"), "▲ 20%", "neutral"),
        (_figure(42.5, 40, unit="percent"), "▲ 2.5 pts", "good"),
        (_figure(100, 100), "= 0%", "neutral"),
        (_figure(5, 0), DASH, "neutral"),
        (_figure(5, None), DASH, "neutral"),
        (_figure(None, 3), DASH, "neutral"),
        (_figure(float("nan"), 3), DASH, "neutral"),
    ],
)
def test_the_change_against_the_period_before(figure, text, tone):
    with translation.override("en"):
        change = figure_change(figure)
    assert (change.text, change.tone) == (text, tone)
    assert "None" not in change.spoken and "nan" not in change.spoken


def test_the_change_reads_in_french():
    with translation.override("fr"):
        assert figure_change(_figure(42.5, 40, unit="percent")).text == "▲ 2,5 pts"


def test_table_cells_never_read_none_or_nan():
    with translation.override("en"):
        assert [format_cell(v) for v in (None, float("nan"), 3, "x")] == [DASH, DASH, "3", "x"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Zoë", "Zoë"),
        (-3, "-3"),
        (Decimal("-1.50"), "-1.50"),
        (2.5, "2.5"),
        (None, ""),
        (dt.date(2026, 3, 5), "2026-03-05"),
    ],
)
def test_csv_cells_are_machine_values_and_never_formulas(value, expected):
    assert csv_cell(value) == expected


def test_the_csv_holds_the_table_then_the_staff_rows_with_a_bom():
    data = WidgetData(
        table=Table(columns=["Day", "Events"], rows=[(dt.date(2026, 3, 5), 4)]),
        by_staff=Table(columns=["Staff", "No-shows"], rows=[("=cmd|' /C calc'!A0", 2)]),
    )
    text = widget_csv(data)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows == [
        ["Day", "Events"],
        ["2026-03-05", "4"],
        [],
        ["Staff", "No-shows"],
        ["'=cmd|' /C calc'!A0", "2"],
    ]


def test_a_widget_with_figures_only_exports_its_figures():
    data = WidgetData(figures=[_figure(3, 2)])
    rows = list(csv.reader(io.StringIO(widget_csv(data)[1:])))
    assert rows == [["Figure", "This period", "Period before"], ["K", "3", "2"]]
