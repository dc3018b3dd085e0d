"""Reminders through due work (placeholder until the reminder module lands)."""

from __future__ import annotations

from ..models import Appointment


def appointment_reminders_sync(*, appointment: Appointment) -> int:
    """Register the reminders of an upcoming appointment at its current time; cancel the rest."""
    return 0
