"""Appointments in the analytics dashboard (cxsuite/lib/analytics.py): the no-show rate, and
the completed visits that make a contact an active customer of the CRM's widget.

Appointments are placed in a period by when they start (`starts_at`), compared with the
period's bounds (local midnights of the business's zone); weekdays and hours are read in the
business's zone. Appointments of erased contacts are left out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from apps.contacts.selectors import contacts_erased_ids
from apps.tenants.formats import format_time
from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData, rate

from ..models import Appointment, AppointmentStatus

# An appointment whose outcome is known: the customer came (checked in or completed) or not.
CAME = [AppointmentStatus.CHECKED_IN, AppointmentStatus.COMPLETED]
OUTCOME = [*CAME, AppointmentStatus.NO_SHOW]


def visits_completed(since: dt.datetime | None, until: dt.datetime) -> QuerySet[Any]:
    """The CRM's `customer_activity` source: a completed visit makes its contact an active
    customer at the moment it started."""
    visits = Appointment.objects.filter(status=AppointmentStatus.COMPLETED, starts_at__lt=until)
    if since is not None:
        visits = visits.filter(starts_at__gte=since)
    return visits.values("contact_id", at=F("starts_at"))


def _weekdays() -> list[str]:
    return [
        pgettext("weekday label", "Monday"),
        pgettext("weekday label", "Tuesday"),
        pgettext("weekday label", "Wednesday"),
        pgettext("weekday label", "Thursday"),
        pgettext("weekday label", "Friday"),
        pgettext("weekday label", "Saturday"),
        pgettext("weekday label", "Sunday"),
    ]


def no_shows_widget(period: Period) -> WidgetData:
    """The no-show rate of `period` against the period before, by weekday and hour (grid)
    and by staff member (2 queries).

    - No-show rate: appointments marked no-show / appointments whose outcome is known (checked
      in, completed or no-show) that started in the period, in percent; None when none did.
      Cancelled appointments, and past ones nobody marked, are left out.
    - The grid: one row per weekday (Monday first), one column per hour from the earliest to
      the latest start of the period, in the business's zone; a cell is the no-show rate of
      the appointments starting in that hour (None when there were none).
    - By staff member: appointments, no-shows and the rate, this period and the one before.
    """
    previous = period.previous
    known = Appointment.objects.filter(status__in=OUTCOME, starts_at__lt=period.end).exclude(
        contact_id__in=contacts_erased_ids()
    )
    now = Q(starts_at__gte=period.start)
    before = Q(starts_at__gte=previous.start, starts_at__lt=period.start)
    missed = Q(status=AppointmentStatus.NO_SHOW)
    staff_rows = list(
        known.filter(starts_at__gte=previous.start)
        .values("staff_id", "staff__name")
        .annotate(
            n=Count("pk", filter=now),
            missed=Count("pk", filter=now & missed),
            n_prev=Count("pk", filter=before),
            missed_prev=Count("pk", filter=before & missed),
        )
        .order_by("staff__name", "staff_id")
    )
    cells = list(
        known.filter(now)
        .values(
            weekday=ExtractIsoWeekDay("starts_at", tzinfo=period.zone),
            hour=ExtractHour("starts_at", tzinfo=period.zone),
        )
        .annotate(n=Count("pk"), missed=Count("pk", filter=missed))
        .order_by("weekday", "hour")
    )
    total = sum(row["n"] for row in staff_rows)
    total_prev = sum(row["n_prev"] for row in staff_rows)
    missed_now = sum(row["missed"] for row in staff_rows)
    missed_prev = sum(row["missed_prev"] for row in staff_rows)

    weekdays = _weekdays()
    by_cell = {(row["weekday"], row["hour"]): row for row in cells}
    seen = [row["hour"] for row in cells]
    hours = list(range(min(seen), max(seen) + 1)) if seen else []
    series = [
        Series(
            label=weekdays[day - 1],
            values=[
                rate(by_cell[day, h]["missed"], by_cell[day, h]["n"])
                if (day, h) in by_cell
                else None
                for h in hours
            ],
        )
        for day in range(1, 8)
    ]
    rate_label = _("No-show rate (%)")
    return WidgetData(
        figures=[
            Figure(
                key="no_show_rate",
                label=_("No-show rate"),
                value=rate(missed_now, total),
                previous=rate(missed_prev, total_prev),
                unit="percent",
                better="down",
            ),
            Figure(
                key="no_shows",
                label=_("No-shows"),
                value=missed_now,
                previous=missed_prev,
                better="down",
            ),
            Figure(
                key="appointments",
                label=_("Appointments with an outcome"),
                value=total,
                previous=total_prev,
            ),
        ],
        chart=Chart(
            kind="grid",
            categories=[format_time(dt.time(h)) for h in hours],
            series=series,
            unit="percent",
            title=_("No-show rate by weekday and hour"),
        ),
        table=Table(
            columns=[_("Weekday"), _("Hour"), _("Appointments"), _("No-shows"), rate_label],
            rows=[
                [
                    weekdays[row["weekday"] - 1],
                    format_time(dt.time(row["hour"])),
                    row["n"],
                    row["missed"],
                    rate(row["missed"], row["n"]),
                ]
                for row in cells
            ],
        ),
        by_staff=Table(
            columns=[
                _("Staff member"),
                _("Appointments"),
                _("No-shows"),
                rate_label,
                _("Previous period (%)"),
            ],
            rows=[
                [
                    row["staff__name"],
                    row["n"],
                    row["missed"],
                    rate(row["missed"], row["n"]),
                    rate(row["missed_prev"], row["n_prev"]),
                ]
                for row in staff_rows
                if row["n"] or row["n_prev"]
            ],
        ),
        empty_message="" if total or total_prev else _("No past appointments yet."),
    )
