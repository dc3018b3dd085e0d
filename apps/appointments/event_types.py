"""The timeline event types of appointments and the waitlist (see
apps/contacts/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.contacts.catalogue import EventType, choice_label

from .models import AppointmentStatus

APPOINTMENT = {
    "appointment_id": _("the appointment's id"),
    "service": _("the service's name"),
    "service_id": _("the service's id"),
    "staff": _("who the appointment is with"),
    "staff_id": _("the staff member's id"),
    "starts_at": _("when it starts (ISO 8601)"),
    "local_time": _("when it starts, in the practice's time"),
    "status": _("the appointment's status"),
    "source": _("who booked it: staff, online or api"),
    "previous_status": _("the status before"),
    "previous_starts_at": _("when it started before a move (ISO 8601)"),
    "previous_local_time": _("when it started before a move, in the practice's time"),
    "previous_staff": _("who it was with before a move"),
    "awaiting_approval": _("the practice still has to approve the request"),
    "reason": _("why it was cancelled, as given"),
    "by": _("who made the change: customer or staff"),
}
LIFE = [
    ("appointment.booked", _("Appointment booked")),
    ("appointment.rescheduled", _("Appointment moved")),
    ("appointment.cancelled", _("Appointment cancelled")),
    ("appointment.approved", _("Booking request approved")),
    ("appointment.confirmed", _("Appointment confirmed")),
    ("appointment.checked_in", _("Checked in")),
    ("appointment.completed", _("Visit completed")),
    ("appointment.no_show", _("Did not come")),
]
WAITLIST = {
    "waitlist_id": _("the waitlist entry's id"),
    "service": _("the service's name"),
    "service_id": _("the service's id"),
    "staff_id": _("the staff member's id, if one was chosen"),
    "date_from": _("first day wanted (YYYY-MM-DD)"),
    "date_to": _("last day wanted (YYYY-MM-DD)"),
    "starts_at": _("the time that came free (ISO 8601)"),
    "local_time": _("the time that came free, in the practice's time"),
}

EVENT_TYPES = [
    *(
        EventType(
            name,
            label,
            ("{service}", "· {staff}", "· {local_time}", "(was {previous_local_time})"),
            APPOINTMENT,
            personal=frozenset({"reason"}),
            link=("appointment_id", "appointments:appointment_detail", _("Open the appointment")),
            labels={
                "status": choice_label(AppointmentStatus),
                "previous_status": choice_label(AppointmentStatus),
            },
        )
        for name, label in LIFE
    ),
    # An outcome recorded by mistake, changed the same day (completed ↔ no-show ↔ checked in).
    EventType(
        "appointment.status_corrected",
        _("Appointment status corrected"),
        ("{previous_status}", "→ {status}", "· {service}", "· {local_time}"),
        APPOINTMENT,
        personal=frozenset({"reason"}),
        link=("appointment_id", "appointments:appointment_detail", _("Open the appointment")),
        labels={
            "status": choice_label(AppointmentStatus),
            "previous_status": choice_label(AppointmentStatus),
        },
    ),
    EventType(
        "waitlist.joined",
        _("Joined the waitlist"),
        ("{service}", "· {date_from} – {date_to}"),
        WAITLIST,
    ),
    EventType("waitlist.left", _("Left the waitlist"), ("{service}",), WAITLIST),
    EventType(
        "waitlist.notified",
        _("Told of a free time"),
        ("{service}", "· {local_time}"),
        WAITLIST,
    ),
]
