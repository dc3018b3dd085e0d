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
)
from .customers import booking_contact_match
from .ics import appointment_ics, staff_feed_ics  # also attaches invite.ics to e-mails
from .links import appointment_from_token, appointment_manage_url, booking_page_url

__all__ = [
    "SlotTaken", "appointment_approve", "appointment_book", "appointment_cancel", "appointment_change_allowed",
    "appointment_reschedule", "appointment_settings", "appointment_status_set",
    "booking_contact_match", "appointment_from_token", "appointment_manage_url",
    "booking_page_url", "appointment_ics", "staff_feed_ics",
]  # fmt: skip

# Reminders, recall and the waitlist (importing them registers their due-work handlers, the
# daily recall run for new businesses and the "C / YES" reply handler).
from .recall import recall_due, recall_schedule_daily, recall_send_due  # noqa: E402
from .reminders import (  # noqa: E402
    appointment_confirm_by_reply,
    appointment_reminders_resync,
    appointment_reminders_sync,
    appointment_reminders_sync_many,
    reminder_offsets,
)
from .waitlist import (  # noqa: E402
    waitlist_join,
    waitlist_leave,
    waitlist_mark_booked,
    waitlist_offer_freed,
)

__all__ += [
    "recall_due", "recall_schedule_daily", "recall_send_due", "appointment_confirm_by_reply",
    "appointment_reminders_resync", "appointment_reminders_sync",
    "appointment_reminders_sync_many", "reminder_offsets", "waitlist_join", "waitlist_leave",
    "waitlist_mark_booked", "waitlist_offer_freed",
]  # fmt: skip
