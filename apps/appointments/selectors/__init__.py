"""Reads of the appointments app: free times, the calendar, the lists."""

from .availability import (
    Slot,
    availability_for_service,
    bookable_staff,
    local_day_bounds,
    practice_zone,
    room_free_for,
    slots_by_day,
    slots_next,
)

__all__ = [
    "Slot", "availability_for_service", "bookable_staff", "local_day_bounds", "practice_zone",
    "room_free_for", "slots_by_day", "slots_next",
]  # fmt: skip
