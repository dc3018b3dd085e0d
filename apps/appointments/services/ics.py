"""Appointments as iCalendar: the customer's "add to calendar" file (also attached to the
confirmation and reminder e-mails) and each staff member's subscription feed.

One appointment keeps one UID for life, and SEQUENCE counts its moves, so a calendar that
imported it updates the event instead of adding a second one; a cancellation is sent with
STATUS:CANCELLED. Times are written in UTC, which every calendar understands and converts.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.utils import timezone
from icalendar import Calendar, Event

from ..models import Appointment, AppointmentStatus, StaffMember
from .links import appointment_manage_url

PRODID = "-//CX Suite//Appointments//EN"
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 180
# A move updates the entry in the customer's calendar; a cancellation (STATUS:CANCELLED, the
# same UID) removes it.
INVITE_PURPOSES = {
    "appointment_confirmation",
    "appointment_reminder",
    "appointment_moved",
    "appointment_cancelled",
    "appointment_cancelled_by_customer",
}
INVITE_MIMETYPE = "text/calendar; method=PUBLISH"


def _business():
    from apps.tenants.services import tenant_current

    return tenant_current()


def _host(business) -> str:
    from apps.tenants.services import tenant_url

    return urlsplit(tenant_url(business)).hostname or "localhost"


def _calendar(name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _status(appointment: Appointment) -> str:
    if appointment.status == AppointmentStatus.CANCELLED:
        return "CANCELLED"
    return "TENTATIVE" if appointment.awaiting_approval else "CONFIRMED"


def _event(appointment: Appointment, *, host: str, summary: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"appointment-{appointment.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", appointment.starts_at.astimezone(dt.UTC))
    event.add("dtend", appointment.ends_at.astimezone(dt.UTC))
    event.add("summary", summary)
    event.add("sequence", appointment.reschedule_count)
    event.add("status", _status(appointment))
    if appointment.updated:
        event.add("last-modified", appointment.updated.astimezone(dt.UTC))
    return event


def _address(business) -> str:
    return str(getattr(business, "address", "") or "").strip()


def appointment_ics(appointment: Appointment) -> bytes:
    """The customer's calendar entry for one appointment (what "Add to calendar" downloads)."""
    business = _business()
    manage_url = appointment_manage_url(appointment=appointment)
    event = _event(
        appointment,
        host=_host(business),
        stamp=timezone.now().astimezone(dt.UTC),
        summary=f"{appointment.service.name} – {business.name}",
    )
    event.add("description", f"{appointment.service.name}, {appointment.staff.name}\n{manage_url}")
    event.add("url", manage_url)
    if _address(business):
        event.add("location", _address(business))
    calendar = _calendar()
    calendar.add_component(event)
    return calendar.to_ical()


def staff_feed_ics(staff: StaffMember) -> bytes:
    """A staff member's calendar subscription: their bookings from a month ago to half a year
    ahead, with the customer's name and the service (cancelled ones drop out)."""
    business = _business()
    host, now = _host(business), timezone.now()
    appointments = (
        Appointment.objects.filter(
            staff=staff,
            starts_at__gte=now - dt.timedelta(days=FEED_PAST_DAYS),
            starts_at__lt=now + dt.timedelta(days=FEED_FUTURE_DAYS),
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .select_related("contact", "service", "room")
        .order_by("starts_at")
    )
    calendar = _calendar(f"{staff.name} – {business.name}")
    calendar.add("x-published-ttl", "PT15M")
    stamp = now.astimezone(dt.UTC)
    for appointment in appointments:
        who = appointment.contact.name or str(appointment.contact)
        event = _event(
            appointment, host=host, stamp=stamp, summary=f"{who} – {appointment.service.name}"
        )
        details = [appointment.service.name]
        if appointment.room is not None:
            details.append(appointment.room.name)
        if appointment.notes:
            details.append(appointment.notes)
        event.add("description", "\n".join(details))
        calendar.add_component(event)
    return calendar.to_ical()


def appointment_invite(message) -> list[tuple[str, bytes, str]]:
    """Confirmation and reminder e-mails about an appointment carry its calendar entry."""
    related = str(message.related_id or "")
    if message.purpose not in INVITE_PURPOSES or not related.isdigit():
        return []
    appointment = (
        Appointment.objects.select_related("service", "staff", "contact")
        .filter(pk=int(related))
        .first()
    )
    if appointment is None:
        return []
    return [("invite.ics", appointment_ics(appointment), INVITE_MIMETYPE)]
