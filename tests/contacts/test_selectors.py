"""What other apps look up about contacts: live contacts by id or phone, custom field keys."""

import pytest
from django.utils import timezone

from apps.contacts.selectors import contact_find, contacts_live, custom_field_keys
from tests.contacts.factories import ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db


def test_a_live_contact_is_found_by_id_or_by_phone(tenant):
    contact = ContactFactory(phone="+4915123456789")
    assert contact_find(pk=contact.pk) == contact
    assert contact_find(phone="+4915123456789") == contact


def test_erased_unknown_or_nothing_finds_nobody(tenant):
    erased = ContactFactory(phone="+4915100000000", erased_at=timezone.now())
    assert contact_find(pk=erased.pk) is None
    assert contact_find(phone="+4915100000000") is None
    assert contact_find(pk=erased.pk + 1000) is None
    assert contact_find() is None


def test_live_contacts_leave_out_the_erased(tenant):
    live = ContactFactory()
    ContactFactory(erased_at=timezone.now())
    assert list(contacts_live()) == [live]


def test_custom_field_keys(tenant):
    CustomFieldFactory(key="insurer")
    CustomFieldFactory(key="allergies")
    assert sorted(custom_field_keys()) == ["allergies", "insurer"]
