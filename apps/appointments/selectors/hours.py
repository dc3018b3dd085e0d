"""Whether a time lies inside a staff member's working hours: the front desk may book outside
them, but only when it says so (see services.booking)."""

from __future__ import annotations

import datetime as dt

from ..models import Holiday, HoursOverride, StaffMember, TimeOff, WorkingHours
from .availability import practice_zone


def staff_works_during(*, staff: StaffMember, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    """True when [starts_at, ends_at) lies inside one of the staff member's working intervals
    of that local day (its one-off hours when it has any), on no holiday and in no time off."""
    zone = practice_zone()
    day = starts_at.astimezone(zone).date()
    if Holiday.objects.filter(date=day).exists():
        return False
    intervals = list(
        HoursOverride.objects.filter(staff=staff, date=day).values_list("start", "end")
    ) or list(
        WorkingHours.objects.filter(staff=staff, weekday=day.weekday()).values_list("start", "end")
    )
    inside = any(
        dt.datetime.combine(day, low, tzinfo=zone) <= starts_at
        and ends_at <= dt.datetime.combine(day, high, tzinfo=zone)
        for low, high in intervals
    )
    if not inside:
        return False
    return not TimeOff.objects.filter(
        staff=staff, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists()
