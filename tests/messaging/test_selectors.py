"""What other apps may ask of the message log inside their own queries."""

import pytest
from django.db.models import CharField, OuterRef, Value
from django.db.models.functions import Cast, Concat

from apps.contacts.models import Contact
from apps.messaging.selectors import message_with_dedupe_key_exists
from tests.contacts.factories import ContactFactory
from tests.messaging.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_a_dedupe_key_built_from_the_outer_row_finds_its_message(tenant):
    told, not_told, other = ContactFactory(), ContactFactory(), ContactFactory()
    MessageFactory(contact=told, dedupe_key=f"hello:{told.pk}")
    MessageFactory(contact=other, dedupe_key=f"other:{other.pk}", status="suppressed")
    MessageFactory(contact=not_told, dedupe_key="")
    told_already = message_with_dedupe_key_exists(
        dedupe_key=Concat(Value("hello:"), Cast(OuterRef("pk"), CharField()))
    )
    assert list(Contact.objects.filter(told_already).values_list("pk", flat=True)) == [told.pk]
    assert set(Contact.objects.filter(~told_already).values_list("pk", flat=True)) == {
        not_told.pk,
        other.pk,
    }


def test_a_plain_key_and_a_message_that_was_not_sent_count_too(tenant):
    contact = ContactFactory()
    MessageFactory(contact=contact, dedupe_key="once", status="suppressed")
    assert Contact.objects.filter(message_with_dedupe_key_exists(dedupe_key="once")).exists()
    assert not Contact.objects.filter(message_with_dedupe_key_exists(dedupe_key="twice")).exists()
