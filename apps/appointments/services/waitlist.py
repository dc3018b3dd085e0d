"""The waitlist (placeholder until the waitlist module lands)."""

from __future__ import annotations

import datetime as dt

from ..models import Appointment, Service, StaffMember


def waitlist_offer_freed(*, service: Service, staff: StaffMember, starts_at: dt.datetime) -> int:
    """Tell the customers waiting for `service` around a freed time; returns how many."""
    return 0


def waitlist_mark_booked(*, appointment: Appointment) -> int:
    """The contact booked what they waited for: their matching entries are done."""
    return 0
