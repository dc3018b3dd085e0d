"""Every write of the appointments app, one module per sub-domain, re-exported here.

What appointments plugs into the lower apps (due-work handlers, the recall run's provisioning
hook, the "C / YES" reply handler, the .ics attachment, its message purposes) is registered in
`AppointmentsConfig.ready()`.
"""

from .booking import (
    SlotTaken,
    appointment_approve,
    appointment_book,
    appointment_book_for_customer,
    appointment_cancel,
    appointment_change_allowed,
    appointment_move_earliest,
    appointment_reschedule,
    appointment_settings,
    appointment_status_set,
)
from .customers import (
    CUSTOMER_FIELDS,
    CustomerDetails,
    booking_contact_match,
    customer_contact_match,
    customer_details_clean,
    customer_errors_renamed,
)
from .ics import appointment_ics, staff_feed_ics
from .links import (
    appointment_from_token,
    appointment_manage_token,
    appointment_manage_url,
    booking_page_url,
)
from .recall import recall_due, recall_schedule_daily, recall_send_due
from .reminders import (
    appointment_confirm_by_reply,
    appointment_reminders_resync,
    appointment_reminders_sync,
    appointment_reminders_sync_many,
    reminder_offsets,
)
from .waitlist import waitlist_join, waitlist_leave, waitlist_mark_booked, waitlist_offer_freed

__all__ = [
    "CUSTOMER_FIELDS",
    "CustomerDetails",
    "SlotTaken",
    "appointment_approve",
    "appointment_book",
    "appointment_book_for_customer",
    "appointment_cancel",
    "appointment_change_allowed",
    "appointment_confirm_by_reply",
    "appointment_from_token",
    "appointment_ics",
    "appointment_manage_token",
    "appointment_manage_url",
    "appointment_move_earliest",
    "appointment_reminders_resync",
    "appointment_reminders_sync",
    "appointment_reminders_sync_many",
    "appointment_reschedule",
    "appointment_settings",
    "appointment_status_set",
    "booking_contact_match",
    "customer_contact_match",
    "customer_details_clean",
    "customer_errors_renamed",
    "booking_page_url",
    "recall_due",
    "recall_schedule_daily",
    "recall_send_due",
    "reminder_offsets",
    "staff_feed_ics",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_mark_booked",
    "waitlist_offer_freed",
]
