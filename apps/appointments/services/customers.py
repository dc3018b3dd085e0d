"""Who is booking, when the customer gives their details rather than being picked from the
list: on the public page, through the API or to the front desk on the phone. The details are
checked by the rules of who takes the booking, then contacts finds the person (the contact
with this email, else this phone, else a new one; `contact_match_or_create`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from apps.contacts.choices import Channel, ConsentMethod, ConsentStatus
from apps.contacts.services import (
    consent_set,
    contact_match_or_create,
    phone_example,
    phone_normalize,
)
from apps.tenants.services import tenant_current

from ..models import Source

if TYPE_CHECKING:
    from apps.contacts.models import Contact


@dataclass(frozen=True)
class CustomerDetails:
    """A customer as typed on a form or sent to the API, before they are matched to a contact.
    The opt-ins are the public form's tick boxes (consent given while booking)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    sms_opt_in: bool = False
    marketing_opt_in: bool = False


# The names a customer's errors carry; adapters show them where the details were typed
# (`new_phone` on the front desk's form, `contact_details.phone` in the API).
CUSTOMER_FIELDS = ("first_name", "last_name", "email", "phone")


def customer_errors_renamed(exc: ValidationError, *, prefix: str) -> ValidationError:
    """The same errors with each customer field named `<prefix><field>`; the others as they
    were."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError(
        {
            f"{prefix}{name}" if name in CUSTOMER_FIELDS else name: errors
            for name, errors in exc.message_dict.items()
        }
    )


def _phone(raw: str, *, message: str, errors: dict) -> str:
    """E.164 of a phone number read with the business's country ("" when none was given), or
    an error under "phone"."""
    try:
        e164, _national = phone_normalize(raw, region=tenant_current().country)
    except ValidationError:
        errors["phone"] = message % {"example": phone_example(tenant_current().country)}
        return ""
    return e164


def _names(customer: CustomerDetails) -> tuple[str, str]:
    return (customer.first_name or "").strip()[:80], (customer.last_name or "").strip()[:80]


def _online_clean(customer: CustomerDetails) -> CustomerDetails:
    """Customers booking themselves (the public page, a partner's app) give their full name,
    their email and a mobile number: reminders reach them, and they are found again."""
    errors: dict[str, str] = {}
    first_name, last_name = _names(customer)
    email = (customer.email or "").strip().lower()
    if not first_name:
        errors["first_name"] = _("Please give your first name.")
    if not last_name:
        errors["last_name"] = _("Please give your last name.")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address, e.g. name@example.com.")
    phone = _phone(
        customer.phone,
        message=_("Enter a valid mobile number, e.g. %(example)s."),
        errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    return replace(customer, first_name=first_name, last_name=last_name, email=email, phone=phone)


def _front_desk_clean(customer: CustomerDetails) -> CustomerDetails:
    """A customer the front desk books on the phone: a first name and an email or a phone
    number are enough."""
    errors: dict[str, str] = {}
    first_name, last_name = _names(customer)
    email = (customer.email or "").strip().lower()
    if not first_name:
        errors["first_name"] = _("Enter the customer's first name.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address, e.g. name@example.com.")
    phone = _phone(
        customer.phone,
        message=_("Enter a valid phone number, e.g. %(example)s."),
        errors=errors,
    )
    if not email and not (customer.phone or "").strip():
        errors["phone"] = _("Enter a phone number or an email, so the reminder can reach them.")
    if errors:
        raise ValidationError(errors)
    return replace(customer, first_name=first_name, last_name=last_name, email=email, phone=phone)


def customer_details_clean(*, customer: CustomerDetails, source: str) -> CustomerDetails:
    """The details checked and normalised (email in lower case, phone in E.164) by the rules
    of who takes the booking, or a ValidationError naming every wrong field at once."""
    return _front_desk_clean(customer) if source == Source.STAFF else _online_clean(customer)


def customer_contact_match(*, customer: CustomerDetails, source: str) -> Contact:
    """The contact for these details (see the module); the public form's opt-ins are recorded
    as consent given on a form."""
    customer = customer_details_clean(customer=customer, source=source)
    with transaction.atomic():
        contact = contact_match_or_create(
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            phone=customer.phone,
            source="front desk" if source == Source.STAFF else "online booking",
        )
        for channel, wanted in (
            (Channel.SMS, customer.sms_opt_in),
            (Channel.EMAIL, customer.marketing_opt_in),
        ):
            if wanted and consent_set(
                contact=contact,
                channel=channel,
                method=ConsentMethod.FORM,
                status=ConsentStatus.OPTED_IN,
                note="online booking",
            ):
                contact.refresh_from_db()
    return contact


def booking_contact_match(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    sms_opt_in: bool = False,
    marketing_opt_in: bool = False,
) -> Contact:
    """The contact of a customer booking online (the public page's and the API's rules)."""
    return customer_contact_match(
        customer=CustomerDetails(
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            sms_opt_in=sms_opt_in,
            marketing_opt_in=marketing_opt_in,
        ),
        source=Source.ONLINE,
    )
