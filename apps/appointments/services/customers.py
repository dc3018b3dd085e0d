"""Who is booking, on the public page, through the API or at the front desk: the contact with
this email, else this phone, else a new one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from apps.contacts.models import Channel, ConsentMethod, ConsentStatus, Contact
from apps.contacts.services import (
    consent_set,
    contact_create,
    contact_update,
    phone_example,
    phone_normalize,
)
from apps.tenants.services import tenant_current


def booking_contact_match(
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    sms_opt_in: bool = False,
    marketing_opt_in: bool = False,
) -> Contact:
    """The contact with this email, else this phone, else a new one. A public form fills in
    what is missing but never overwrites what the practice knows."""
    errors: dict[str, str] = {}
    first_name, last_name = (first_name or "").strip()[:80], (last_name or "").strip()[:80]
    email = (email or "").strip().lower()
    if not first_name:
        errors["first_name"] = _("Please give your first name.")
    if not last_name:
        errors["last_name"] = _("Please give your last name.")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address, e.g. name@example.com.")
    e164 = ""
    try:
        e164, _national = phone_normalize(phone, region=tenant_current().country)
    except ValidationError:
        errors["phone"] = _("Enter a valid mobile number, e.g. %(example)s.") % {
            "example": phone_example(tenant_current().country)
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = _match_or_create(first_name, last_name, email, e164, source="online booking")
        for channel, wanted in ((Channel.SMS, sms_opt_in), (Channel.EMAIL, marketing_opt_in)):
            if wanted and consent_set(
                contact=contact,
                channel=channel,
                method=ConsentMethod.FORM,
                status=ConsentStatus.OPTED_IN,
                note="online booking",
            ):
                contact.refresh_from_db()
    return contact


def front_desk_customer_clean(*, first_name: str, last_name: str, email: str, phone: str) -> dict:
    """A new customer's details as the front desk typed them, checked and normalised (the
    phone in E.164), or a ValidationError naming each field that is wrong."""
    errors: dict[str, str] = {}
    first_name, last_name = (first_name or "").strip()[:80], (last_name or "").strip()[:80]
    email, phone = (email or "").strip().lower(), (phone or "").strip()
    if not first_name:
        errors["first_name"] = _("Enter the customer's first name.")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = _("Enter a valid email address, e.g. name@example.com.")
    e164 = ""
    if phone:
        try:
            e164, _national = phone_normalize(phone, region=tenant_current().country)
        except ValidationError:
            errors["phone"] = _("Enter a valid phone number, e.g. %(example)s.") % {
                "example": phone_example(tenant_current().country)
            }
    if not email and not phone:
        errors["phone"] = _("Enter a phone number or an email, so the reminder can reach them.")
    if errors:
        raise ValidationError(errors)
    return {"first_name": first_name, "last_name": last_name, "email": email, "e164": e164}


def front_desk_contact_match(*, first_name: str, last_name: str, email: str, phone: str) -> Contact:
    """A customer the front desk books on the phone: a first name and an email or a phone
    number are enough. The contact with that email, else that phone, else a new one."""
    details = front_desk_customer_clean(
        first_name=first_name, last_name=last_name, email=email, phone=phone
    )
    return _match_or_create(**details, source="front desk")


def _match_or_create(first_name: str, last_name: str, email: str, e164: str, *, source: str):
    """Fill in what the practice does not know yet, but never overwrite what it does."""
    with transaction.atomic():
        contact = _find(email, e164)
        if contact is None:
            try:
                with transaction.atomic():
                    return contact_create(
                        first_name=first_name,
                        last_name=last_name,
                        email=email,
                        phone=e164,
                        via=source,
                    )
            except ValidationError:
                contact = _find(email, e164)  # created by a concurrent booking
                if contact is None:
                    raise
        missing = {
            name: value
            for name, value in (
                ("first_name", first_name),
                ("last_name", last_name),
                ("email", email),
                ("phone", e164),
            )
            if value and not getattr(contact, name)
        }
        taken = Contact.objects.exclude(pk=contact.pk)
        if (
            missing
            and not (email and taken.filter(email=email).exists())
            and not (e164 and taken.filter(phone=e164).exists())
        ):
            contact = contact_update(contact=contact, **missing)
    return contact


def _find(email: str, phone: str) -> Contact | None:
    live = Contact.objects.filter(erased_at__isnull=True)
    return (
        (email and live.filter(email__iexact=email).first())
        or (phone and live.filter(phone=phone).first())
        or None
    )
