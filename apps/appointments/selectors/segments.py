"""What the segment builder can ask about appointments: how often a contact did not come, when
they last came, and whether their next visit is booked. `AppointmentsConfig.ready()` registers
these in contacts' `segment_conditions`; each compiles to a subquery on the appointments table,
so a segment that uses them is still one SQL query.

A *visit* is a completed appointment, dated by when it started; a *booked* next appointment is
a booked or confirmed one (online requests still awaiting approval included) that has not
started yet.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from apps.contacts.selectors.segment_rules import SegmentCondition

from ..models import UPCOMING, Appointment, AppointmentStatus

GROUP = _("Appointments")


def _no_shows(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """Contacts with at least (or fewer than) N appointments marked as a no-show."""
    counted = (
        Appointment.objects.filter(status=AppointmentStatus.NO_SHOW)
        .values("contact_id")
        .annotate(n=Count("id"))
        .filter(n__gte=node["value"])
        .values("contact_id")
    )
    return Q(pk__in=counted) if node["cmp"] == "at_least" else ~Q(pk__in=counted)


def _last_visit(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """Came within the last D days; came, but not within them (the last visit is more than D
    days ago); or never came."""
    visits = Appointment.objects.filter(contact=OuterRef("pk"), status=AppointmentStatus.COMPLETED)
    if node["cmp"] == "never":
        return ~Q(Exists(visits))
    recent = Exists(visits.filter(starts_at__gte=now - dt.timedelta(days=node["value"])))
    if node["cmp"] == "within":
        return Q(recent)
    return Q(Exists(visits)) & ~Q(recent)


def _next_booked(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """Has (yes) or has not (no) a booked or confirmed appointment still to start."""
    upcoming = Exists(
        Appointment.objects.filter(contact=OuterRef("pk"), status__in=UPCOMING, starts_at__gt=now)
    )
    return Q(upcoming) if node["value"] else ~Q(upcoming)


def appointment_segment_conditions() -> list[SegmentCondition]:
    return [
        SegmentCondition(
            key="appointments.no_shows",
            label=_("No-shows"),
            group=GROUP,
            comparisons={"at_least": "count", "fewer_than": "count"},
            compile=_no_shows,
        ),
        SegmentCondition(
            key="appointments.last_visit",
            label=_("Last visit (completed)"),
            group=GROUP,
            comparisons={"within": "days", "not_within": "days", "never": ""},
            compile=_last_visit,
        ),
        SegmentCondition(
            key="appointments.next_booked",
            label=_("Next appointment booked"),
            group=GROUP,
            comparisons={"is": "boolean"},
            compile=_next_booked,
        ),
    ]
