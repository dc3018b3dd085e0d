"""What the business sends a customer for: each purpose's category (which consent rule applies)
and the variables its templates may use, so a template is checked when saved, not when sent."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

TRANSACTIONAL = "transactional"
MARKETING = "marketing"

# Every purpose can greet the contact, name the business and offer the unsubscribe link;
# `contact.custom.<key>` is added for each custom field the business defines (see
# `purpose_variables` in templates.py).
COMMON_VARIABLES = frozenset(
    {
        "contact.first_name",
        "contact.last_name",
        "contact.name",
        "contact.email",
        "business.name",
        "unsubscribe_link",
    }
)
APPOINTMENT_VARIABLES = frozenset(
    {
        "appointment.starts_at",
        "appointment.service",
        "appointment.staff",
        "appointment.confirm_link",
    }
)


@dataclass(frozen=True)
class Purpose:
    """A reason to write to a customer; `variables` are the dotted names templates may use."""

    key: str
    label: str
    category: str  # "transactional" | "marketing"
    variables: frozenset[str]


def _purpose(key: str, label, category: str, extra: set[str] | frozenset[str] = frozenset()):
    return Purpose(key=key, label=label, category=category, variables=COMMON_VARIABLES | extra)


PURPOSES: dict[str, Purpose] = {
    p.key: p
    for p in [
        _purpose(
            "appointment_confirmation",
            _("Appointment confirmation"),
            TRANSACTIONAL,
            APPOINTMENT_VARIABLES,
        ),
        _purpose(
            "appointment_reminder", _("Appointment reminder"), TRANSACTIONAL, APPOINTMENT_VARIABLES
        ),
        # A check-up is due again: sent once per last visit, with a link to the booking page.
        _purpose(
            "appointment_recall",
            _("Recall (time for the next visit)"),
            TRANSACTIONAL,
            {"appointment.service", "booking_link"},
        ),
        # A time the customer waited for has come free; whoever books first gets it.
        _purpose(
            "waitlist_offer",
            _("Waitlist: a time came free"),
            TRANSACTIONAL,
            {"appointment.service", "appointment.starts_at", "booking_link"},
        ),
        _purpose("survey_invitation", _("Survey invitation"), TRANSACTIONAL, {"survey.link"}),
        _purpose("voucher", _("Voucher"), MARKETING, {"voucher.code", "voucher.expires"}),
        _purpose(
            "payment_reminder",
            _("Payment reminder"),
            TRANSACTIONAL,
            {"invoice.amount", "invoice.due_date", "invoice.pay_link"},
        ),
        _purpose(
            "outage_notice", _("Outage notice"), TRANSACTIONAL, {"outage.area", "outage.until"}
        ),
        # The one message carriers require after STOP; it must go out even though the contact
        # has just opted out of SMS.
        _purpose("sms_stop_confirmation", _("SMS unsubscribe confirmation"), TRANSACTIONAL),
        _purpose("campaign", _("Campaign"), MARKETING, {"link"}),
    ]
}
