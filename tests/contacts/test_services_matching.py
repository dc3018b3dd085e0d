"""A customer's typed details are matched to one contact: by email, else phone, else new."""

import pytest
from django.utils import timezone

from apps.contacts.models import Contact, TimelineEvent
from apps.contacts.services import contact_match_or_create
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


def match(**kwargs):
    values = {"first_name": "Ada", "last_name": "Lovelace", "email": "", "phone": ""}
    return contact_match_or_create(source="online booking", **{**values, **kwargs})


def test_the_email_is_matched_whatever_its_case_before_the_phone(tenant):
    by_email = ContactFactory(email="ada@example.test", phone="")
    ContactFactory(email="", phone="+4915123456789")
    assert match(email="ADA@example.test", phone="+4915123456789") == by_email


def test_the_phone_is_matched_when_no_contact_has_the_email(tenant):
    by_phone = ContactFactory(email="", phone="+4915123456789")
    assert match(email="new@example.test", phone="+4915123456789") == by_phone


def test_nobody_known_becomes_a_new_contact_with_its_source(tenant):
    contact = match(email="ada@example.test", phone="+4915123456789")
    assert (contact.first_name, contact.email, contact.phone, contact.source) == (
        "Ada",
        "ada@example.test",
        "+4915123456789",
        "online booking",
    )
    assert TimelineEvent.objects.filter(contact=contact, type="contact.created").exists()


def test_what_is_missing_is_filled_in_and_what_is_known_is_kept(tenant):
    known = ContactFactory(first_name="Adelheid", last_name="", email="ada@example.test", phone="")
    match(email="ada@example.test", phone="+4915123456789")
    known.refresh_from_db()
    assert (known.first_name, known.last_name, known.phone) == (
        "Adelheid",
        "Lovelace",
        "+4915123456789",
    )


def test_a_phone_another_contact_has_is_not_copied_onto_the_match(tenant):
    known = ContactFactory(email="ada@example.test", phone="", last_name="")
    ContactFactory(email="", phone="+4915123456789")
    match(email="ada@example.test", phone="+4915123456789")
    known.refresh_from_db()
    assert (known.phone, known.last_name) == ("", "")  # nothing filled in rather than a clash


def test_erased_contacts_are_never_matched(tenant):
    erased = ContactFactory(email="", phone="", erased_at=timezone.now())
    found = match(email="ada@example.test")
    assert found != erased and Contact.objects.count() == 2
