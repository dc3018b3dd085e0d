"""Who a customer is when they give their details rather than being picked from the list (a
booking form, a partner's API call, the front desk on the phone): the live contact with this
email, else this phone, else a new one. Contacts owns the rule, so every app that takes
customers' details finds the same person."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from ..models import Contact
from .contacts import contact_create, contact_update


def _find(email: str, phone: str) -> Contact | None:
    live = Contact.objects.filter(erased_at__isnull=True)
    return (
        (email and live.filter(email__iexact=email).first())
        or (phone and live.filter(phone=phone).first())
        or None
    )


def contact_match_or_create(
    *, first_name: str, last_name: str, email: str, phone: str, source: str
) -> Contact:
    """The live contact with this email, else this phone (E.164), else a new one (`source`
    says where it came from). What the business does not know yet is filled in; what it knows
    is never overwritten. Two customers matching at once end up as one contact."""
    email = (email or "").strip().lower()
    with transaction.atomic():
        contact = _find(email, phone)
        if contact is None:
            try:
                with transaction.atomic():
                    return contact_create(
                        first_name=first_name,
                        last_name=last_name,
                        email=email,
                        phone=phone,
                        via=source,
                    )
            except ValidationError:
                contact = _find(email, phone)  # created by a concurrent request
                if contact is None:
                    raise
        missing: dict[str, Any] = {  # the fields of contact_update, not its actor
            name: value
            for name, value in (
                ("first_name", first_name),
                ("last_name", last_name),
                ("email", email),
                ("phone", phone),
            )
            if value and not getattr(contact, name)
        }
        taken = Contact.objects.exclude(pk=contact.pk)
        if (
            missing
            and not (email and taken.filter(email=email).exists())
            and not (phone and taken.filter(phone=phone).exists())
        ):
            contact = contact_update(contact=contact, **missing)
    return contact


def contact_lock(*, contact_id: int) -> None:
    """Hold the contact's row until the transaction ends, so two writes about one customer
    (a double click) take turns instead of both seeing "nothing there yet"."""
    Contact.objects.select_for_update().filter(pk=contact_id).first()
