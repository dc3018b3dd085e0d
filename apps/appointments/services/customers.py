"""Who is booking on the public page or through the API: the contact with this email, else
this phone, else a new one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from apps.contacts.models import Channel, ConsentMethod, ConsentStatus, Contact
from apps.contacts.services import consent_set, contact_create, contact_update, phone_normalize
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
        errors["phone"] = _("Enter a valid mobile number, e.g. +49 151 23456789.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = _find(email, e164)
        if contact is None:
            try:
                with transaction.atomic():
                    contact = contact_create(first_name=first_name, last_name=last_name,
                                             email=email, phone=e164, source="online booking")  # fmt: skip
            except ValidationError:
                contact = _find(email, e164)  # created by a concurrent booking
                if contact is None:
                    raise
        else:
            missing = {
                name: value for name, value in
                (("first_name", first_name), ("last_name", last_name), ("email", email),
                 ("phone", e164)) if value and not getattr(contact, name)
            }  # fmt: skip
            if missing and not Contact.objects.exclude(pk=contact.pk).filter(
                email=email).exists() and not Contact.objects.exclude(pk=contact.pk).filter(
                phone=e164).exists():  # fmt: skip
                contact = contact_update(contact=contact, **missing)
        for channel, wanted in ((Channel.SMS, sms_opt_in), (Channel.EMAIL, marketing_opt_in)):
            if wanted and consent_set(contact=contact, channel=channel, method=ConsentMethod.FORM,
                                      status=ConsentStatus.OPTED_IN, note="online booking"):  # fmt: skip
                contact.refresh_from_db()
    return contact


def _find(email: str, phone: str) -> Contact | None:
    live = Contact.objects.filter(erased_at__isnull=True)
    return live.filter(email__iexact=email).first() or live.filter(phone=phone).first()
