"""What an analytics widget of the home dashboard computes, independent of how it is drawn.

A module registers an `AnalyticsWidget` (apps/accounts/registries.py, `analytics_widgets`)
whose `compute(period)` reads its own tables and answers a `WidgetData`: headline figures with
the value of the period before, an optional chart and the table of figures behind it (drawn as
an accessible table and downloaded as CSV). The dashboard draws, caches and exports every
widget the same way, so a module never writes a template for its figures.

    # apps/feedback/apps.py
    def ready(self):
        from apps.accounts.registries import AnalyticsWidget, analytics_widgets

        analytics_widgets.register("feedback.scores", AnalyticsWidget(
            id="feedback.scores", title=_("Scores"), order=40,
            compute="apps.feedback.selectors.analytics.scores_widget",
            invalidated_by=("feedback.Response",),
        ))

A widget's figures are dropped when a row of a model it names in `invalidated_by` is saved or
deleted. Rows written without `save()` (hand-written SQL, `bulk_create`, `update()`) send no
signal of Django's: the code that writes them says so with `rows_written_send(Model)`.

Times: a `Period` is a half-open interval [start, end) of aware datetimes at the business's
local midnights; `previous` is the interval of the same length just before it. Figures are
plain numbers (`int`, `Decimal`, `float`) or None when there is nothing to compute from
(no responses: no NPS, not 0).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from django.dispatch import Signal

Number = int | float | Decimal
Unit = Literal["count", "percent", "money", "score", "points", "days"]

# The periods the selector offers: key -> number of days ("12m" is 365 days).
PERIOD_DAYS: dict[str, int] = {"7d": 7, "30d": 30, "90d": 90, "12m": 365}
DEFAULT_PERIOD = "30d"


@dataclass(frozen=True)
class Period:
    """[start, end) in the business's zone; `days` whole local days ending with today."""

    key: str
    start: dt.datetime
    end: dt.datetime
    zone: zoneinfo.ZoneInfo

    @property
    def previous(self) -> Period:
        length = self.end.date() - self.start.date()
        start = dt.datetime.combine(self.start.date() - length, dt.time(), self.zone)
        return Period(self.key, start, self.start, self.zone)

    @property
    def days(self) -> int:
        return (self.end.date() - self.start.date()).days

    def local_days(self) -> list[dt.date]:
        first = self.start.date()
        return [first + dt.timedelta(days=i) for i in range(self.days)]


def period_ending(key: str, *, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> Period:
    """The period `key` (one of PERIOD_DAYS, else the default) ending at the end of today in
    `zone`: "7d" on a Monday is the local days Tuesday a week ago to this Monday, inclusive."""
    days = PERIOD_DAYS.get(key) or PERIOD_DAYS[DEFAULT_PERIOD]
    key = key if key in PERIOD_DAYS else DEFAULT_PERIOD
    today = now.astimezone(zone).date()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone)
    start = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(), zone)
    return Period(key, start, end, zone)


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One headline number with the value of the period before (None: not computed).
    `better` tells which way is good, so the change is drawn green or red."""

    key: str
    label: str
    value: Number | None
    previous: Number | None = None
    unit: Unit = "count"
    better: Literal["up", "down", "neither"] = "up"


@dataclass(frozen=True, kw_only=True)
class Series:
    """A line or bar series of a chart: one value (or None) per category."""

    label: str
    values: Sequence[Number | None]


@dataclass(frozen=True, kw_only=True)
class Chart:
    """A chart over `categories` (days, weekdays, channels, ...). `kind`: "line" for trends,
    "bar" for categories, "grid" for a matrix (RFM, weekday by hour) where each series is a
    row and `categories` are the columns."""

    kind: Literal["line", "bar", "grid"]
    categories: Sequence[str]
    series: Sequence[Series]
    unit: Unit = "count"
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class Table:
    """The figures behind a widget: what the accessible table shows and the CSV holds."""

    columns: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True, kw_only=True)
class WidgetData:
    figures: Sequence[Figure] = ()
    chart: Chart | None = None
    table: Table | None = None
    # Rows per staff member where that makes sense (no-shows, NPS, handled cases).
    by_staff: Table | None = None
    # Shown instead of the figures when there is nothing yet ("No responses yet").
    empty_message: str = ""
    notes: Sequence[str] = field(default_factory=tuple)


def rate(part: Number | None, whole: Number | None) -> float | None:
    """part / whole as a percentage (0-100), None when whole is 0 or unknown."""
    if part is None or not whole:
        return None
    return round(100.0 * float(part) / float(whole), 1)


# sender: the model class whose rows were written without save() (see the module's doc)
rows_written = Signal()


def rows_written_send(*models: type) -> None:
    """Say that rows of `models` were written in bulk or by hand-written SQL, so the figures
    read from them are dropped after the commit, as after a save (once per model and
    transaction, whatever the number of rows or calls)."""
    for model in models:
        rows_written.send(sender=model)
