"""Birthday bonuses: once a year on the business's date, never for a birthday typed in just
before it."""

import datetime as dt

import pytest

from apps.contacts.models import Contact
from apps.contacts.services import contact_update
from apps.loyalty.services.birthdays import birthday_bonuses_grant
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN, clock_at, local
from tests.loyalty.factories import EarnRuleFactory, MemberFactory
from tests.loyalty.helpers import assert_books_balance

pytestmark = pytest.mark.django_db

BIRTHDAY = dt.date(2026, 11, 20)


def test_a_birthday_on_file_earns_the_bonus_once_that_day(tenant):
    EarnRuleFactory(trigger="birthday", event_type="", points=100)
    contact = ContactFactory(birthday=dt.date(1990, 11, 20))
    Contact.objects.filter(pk=contact.pk).update(created=local(dt.date(2026, 1, 5), 9, 0, BERLIN))
    member = MemberFactory(contact=contact)
    morning = local(BIRTHDAY, 0, 5, BERLIN)
    assert birthday_bonuses_grant(now=morning - dt.timedelta(minutes=10)) == 0  # the day before
    assert birthday_bonuses_grant(now=morning) == 1
    birthday_bonuses_grant(now=morning + dt.timedelta(hours=5))
    assert assert_books_balance(member) == 100


def test_a_birthday_entered_shortly_before_earns_nothing_that_year(tenant, owner):
    EarnRuleFactory(trigger="birthday", event_type="", points=100)
    contact = ContactFactory()
    Contact.objects.filter(pk=contact.pk).update(created=local(dt.date(2026, 1, 5), 9, 0, BERLIN))
    member = MemberFactory(contact=contact)
    with clock_at(local(BIRTHDAY - dt.timedelta(days=6), 11, 0, BERLIN)):
        contact_update(contact=contact, actor=owner, birthday=dt.date(1990, 11, 20))
    assert birthday_bonuses_grant(now=local(BIRTHDAY, 0, 5, BERLIN)) == 0
    assert assert_books_balance(member) == 0
    # the next year it counts
    assert birthday_bonuses_grant(now=local(dt.date(2027, 11, 20), 0, 5, BERLIN)) == 1
