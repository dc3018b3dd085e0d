"""A new customer joins through a member's referral link: their details are checked like
the booking page checks them, contacts finds or creates the person, the referral is
recorded (self-referral, a second referral of the same e-mail or phone and a person who is
already a customer are refused by `referral_create`) and they become a member."""

from __future__ import annotations

from django.db import transaction

from ..models import Member
from .ledger import member_enrol
from .referrals import referral_create


def referral_join(*, code: str, first_name: str, last_name: str, email: str, phone: str) -> Member:
    from apps.appointments.services.customers import CustomerDetails, customer_details_clean
    from apps.contacts.services import contact_match_or_create

    customer = customer_details_clean(
        customer=CustomerDetails(
            first_name=first_name, last_name=last_name, email=email, phone=phone
        ),
        source="online",
    )
    with transaction.atomic():
        contact = contact_match_or_create(
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            phone=customer.phone,
            source="loyalty_referral",
        )
        has_history = Member.objects.filter(contact=contact).exists()
        referral_create(code=code, referred=contact, has_history=has_history)
        return member_enrol(contact=contact)
