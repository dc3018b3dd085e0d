"""The no-show count is contacts' own; other apps change it through these services."""

import pytest

from apps.contacts.models import Contact
from apps.contacts.services import contact_no_shows_adjust, contacts_no_shows_add
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _count(contact) -> int:
    return Contact.objects.get(pk=contact.pk).no_shows


def test_a_no_show_adds_one_and_turning_up_after_all_takes_it_back(tenant):
    contact = ContactFactory()
    assert contact_no_shows_adjust(contact_id=contact.pk, delta=1) == 1
    assert contact_no_shows_adjust(contact_id=contact.pk, delta=1) == 1
    assert _count(contact) == 2
    contact_no_shows_adjust(contact_id=contact.pk, delta=-1)
    assert _count(contact) == 1


def test_the_count_never_goes_below_zero(tenant):
    contact = ContactFactory()
    assert contact_no_shows_adjust(contact_id=contact.pk, delta=-1) == 0
    assert _count(contact) == 0
    contact_no_shows_adjust(contact_id=contact.pk, delta=1)
    contact_no_shows_adjust(contact_id=contact.pk, delta=-3)
    assert _count(contact) == 0


def test_the_count_is_added_in_the_database_not_from_a_stale_copy(tenant):
    contact = ContactFactory()
    Contact.objects.filter(pk=contact.pk).update(no_shows=4)  # another request meanwhile
    assert contact.no_shows == 0  # this copy does not know
    contact_no_shows_adjust(contact_id=contact.pk, delta=1)
    assert _count(contact) == 5


def test_only_the_given_contact_changes(tenant):
    contact, other = ContactFactory(), ContactFactory()
    contact_no_shows_adjust(contact_id=contact.pk, delta=1)
    assert (_count(contact), _count(other)) == (1, 0)


def test_many_contacts_get_their_own_counts_in_one_statement_per_count(
    tenant, django_assert_max_num_queries
):
    a, b, c, untouched = (ContactFactory() for _ in range(4))
    Contact.objects.filter(pk=c.pk).update(no_shows=1)
    with django_assert_max_num_queries(2 + 2):  # the savepoint and its release, two counts
        changed = contacts_no_shows_add(counts={a.pk: 2, b.pk: 1, c.pk: 2, untouched.pk: 0})
    assert changed == 3
    assert [_count(x) for x in (a, b, c, untouched)] == [2, 1, 3, 0]
