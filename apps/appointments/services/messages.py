"""What confirmations, reminders and recalls say about an appointment: the practice's local
time with its zone named, in the contact's language."""

from __future__ import annotations

from django.utils import translation

from apps.tenants.formats import format_day_time

from ..models import Appointment
from ..selectors.availability import practice_zone
from .links import appointment_manage_url


def appointment_time_text(
    appointment: Appointment, *, language: str | None = None, starts_at=None
) -> str:
    """E.g. "Tuesday 8 December 2026, 14:30 Central European Time (Berlin)", or
    "Tuesday, December 8, 2026, 2:30 PM Eastern Time (New York)" for a US business: the
    business's formats (apps/tenants/formats.py) in the contact's language (`starts_at`:
    another time of the same appointment, such as the one it had before a move)."""
    zone = practice_zone()
    local = (starts_at or appointment.starts_at).astimezone(zone)
    with translation.override(language or appointment.contact.language or "en"):
        return format_day_time(local, zone=True)


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
