"""Every write of the appointments app; `booking` holds the rules of a booking's life."""

from .booking import (
    SlotTaken,
    appointment_approve,
    appointment_book,
    appointment_cancel,
    appointment_change_allowed,
    appointment_reschedule,
    appointment_settings,
    appointment_status_set,
    booking_contact_match,
)
from .links import appointment_from_token, appointment_manage_url, booking_page_url

__all__ = [
    "SlotTaken", "appointment_approve", "appointment_book", "appointment_cancel", "appointment_change_allowed",
    "appointment_reschedule", "appointment_settings", "appointment_status_set",
    "booking_contact_match", "appointment_from_token", "appointment_manage_url",
    "booking_page_url",
]  # fmt: skip
