"""What confirmations, reminders and recalls say about an appointment: the practice's local
time with its zone named, in the contact's language."""

from __future__ import annotations

from django.utils import formats, translation

from ..models import Appointment
from ..selectors.availability import practice_zone
from .links import appointment_manage_url


def appointment_time_text(
    appointment: Appointment, *, language: str | None = None, starts_at=None
) -> str:
    """E.g. "Tuesday, 8 December 2026, 14:30 (Europe/Berlin)" (`starts_at`: another time of
    the same appointment, such as the one it had before a move)."""
    zone = practice_zone()
    local = (starts_at or appointment.starts_at).astimezone(zone)
    with translation.override(language or appointment.contact.language or "en"):
        day = formats.date_format(local, "l, j F Y")
        clock = formats.time_format(local, "H:i")
    return f"{day}, {clock} ({zone.key})"


def appointment_message_context(appointment: Appointment) -> dict:
    """The `appointment.*` variables of the confirmation and reminder templates."""
    return {
        "appointment": {
            "starts_at": appointment_time_text(appointment),
            "service": appointment.service.name,
            "staff": appointment.staff.name,
            "confirm_link": appointment_manage_url(appointment=appointment),
        }
    }
