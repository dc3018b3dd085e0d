"""Why a practice writes to a patient about appointments: the purposes appointments registers
with messaging, with the templates every business starts with."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.messaging.services.purposes import TRANSACTIONAL, Purpose, purpose_define

from .message_defaults import DEFAULT_TEMPLATES

APPOINTMENT_VARIABLES = frozenset(
    {
        "appointment.starts_at",
        "appointment.service",
        "appointment.staff",
        "appointment.confirm_link",
    }
)


# What a message about a change can say: the appointment, the time it had before a move, and
# the booking page for a new time after a cancellation.
CHANGE_VARIABLES = APPOINTMENT_VARIABLES | {"appointment.previous_starts_at", "booking_link"}


def appointment_purposes() -> list[Purpose]:
    d = DEFAULT_TEMPLATES
    return [
        purpose_define(
            "appointment_confirmation",
            _("Appointment confirmation"),
            TRANSACTIONAL,
            APPOINTMENT_VARIABLES,
            defaults=d,
        ),
        purpose_define(
            "appointment_reminder",
            _("Appointment reminder"),
            TRANSACTIONAL,
            APPOINTMENT_VARIABLES,
            defaults=d,
        ),
        # A check-up is due again: sent once per last visit, with a link to the booking page.
        purpose_define(
            "appointment_recall",
            _("Recall (time for the next visit)"),
            TRANSACTIONAL,
            {"appointment.service", "booking_link"},
            defaults=d,
        ),
        # Every change the customer did not make is told; one they made online is confirmed.
        purpose_define(
            "appointment_cancelled",
            _("Appointment cancelled by the practice"),
            TRANSACTIONAL,
            CHANGE_VARIABLES,
            defaults=d,
        ),
        purpose_define(
            "appointment_cancelled_by_customer",
            _("Appointment cancelled by the customer (their confirmation)"),
            TRANSACTIONAL,
            CHANGE_VARIABLES,
            defaults=d,
        ),
        purpose_define(
            "appointment_moved",
            _("Appointment moved (old and new time)"),
            TRANSACTIONAL,
            CHANGE_VARIABLES,
            defaults=d,
        ),
        purpose_define(
            "booking_declined",
            _("Booking request declined"),
            TRANSACTIONAL,
            CHANGE_VARIABLES,
            defaults=d,
        ),
        # A time the customer waited for has come free; whoever books first gets it.
        purpose_define(
            "waitlist_offer",
            _("Waitlist: a time came free"),
            TRANSACTIONAL,
            {"appointment.service", "appointment.starts_at", "booking_link"},
            defaults=d,
        ),
    ]
