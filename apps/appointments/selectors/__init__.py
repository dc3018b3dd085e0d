"""Reads of the appointments app: free times, the calendar, the lists."""

from .availability import (
    Slot,
    availability_for_service,
    bookable_staff,
    local_day_bounds,
    practice_zone,
    room_free_for,
    slot_at,
    slot_step,
    slots_by_day,
    slots_next,
)

__all__ = [
    "Slot",
    "availability_for_service",
    "bookable_staff",
    "local_day_bounds",
    "practice_zone",
    "room_free_for",
    "slot_at",
    "slot_step",
    "slots_by_day",
    "slots_next",
]

# --- the staff calendar and set-up pages ---------------------------------------------------------
from .calendar import (  # noqa: E402
    CalendarData,
    appointment_get,
    appointments_awaiting_approval,
    appointments_clashing,
    appointments_for_contact,
    appointments_today,
    calendar_range,
    calendar_staff,
    contacts_for_booking,
    services_for_staff,
)

__all__ += [
    "CalendarData",
    "appointment_get",
    "appointments_awaiting_approval",
    "appointments_clashing",
    "appointments_for_contact",
    "appointments_today",
    "calendar_range",
    "calendar_staff",
    "contacts_for_booking",
    "services_for_staff",
]
