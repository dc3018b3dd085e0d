"""API: joining, listing and leaving the waitlist."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.appointments.models import WaitlistEntry
from apps.contacts.models import TimelineEvent
from tests.appointments.factories import StaffMemberFactory, WaitlistEntryFactory
from tests.appointments.test_api import (
    LIST_QUERIES,
    WAITLIST,
    assert_field_error,
    ids,
    make_practice,
    results,
)
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(tenant):
    return make_practice()


@pytest.fixture
def contact(tenant):
    return ContactFactory(first_name="Lena", last_name="Vogel")


def join(client, practice, who, **change):
    payload = {
        "service": practice.checkup.pk,
        "contact": who.pk,
        "date_from": days_ahead(1).isoformat(),
        "date_to": days_ahead(14).isoformat(),
    }
    payload.update(change)
    payload = {name: value for name, value in payload.items() if value is not None}
    return client.post(WAITLIST, payload, format="json")


def test_key_puts_a_contact_on_the_waitlist_for_anyone_or_one_dentist(
    api_client, practice, contact
):
    response = join(api_client, practice, contact)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["contact"], body["service"], body["staff"], body["status"]) == (
        contact.pk,
        practice.checkup.pk,
        None,
        "waiting",
    )
    assert (body["date_from"], body["date_to"]) == (
        days_ahead(1).isoformat(),
        days_ahead(14).isoformat(),
    )
    assert set(body) == {
        "id",
        "contact",
        "service",
        "staff",
        "date_from",
        "date_to",
        "status",
        "notified_at",
        "appointment",
        "created",
    }
    response = join(api_client, practice, contact, staff=practice.klein.pk)
    assert response.status_code == 201, response.content
    assert response.json()["staff"] == practice.klein.pk
    with alpha():
        assert WaitlistEntry.objects.filter(contact=contact).count() == 2
        assert TimelineEvent.objects.filter(contact=contact, type="waitlist.joined").count() == 2


def test_joining_again_with_the_same_wish_returns_the_same_entry(api_client, practice, contact):
    first = join(api_client, practice, contact).json()
    again = join(api_client, practice, contact).json()
    assert again["id"] == first["id"]
    with alpha():
        assert WaitlistEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": None}, "service"),
        ({"service": 999999}, "service"),
        ({"contact": 999999}, "contact"),
        ({"staff": 999999}, "staff"),
        ({"staff": "{stranger}"}, "staff"),
        ({"date_from": None}, "date_from"),
        ({"date_from": "soon"}, "date_from"),
        ({"date_from": "{yesterday}"}, "date_from"),
        ({"date_to": "{before}"}, "date_to"),
        ({"date_to": "{far}"}, "date_to"),
        ({"notes": "hi"}, "notes"),
    ],
    ids=[
        "no-service",
        "unknown-service",
        "unknown-contact",
        "unknown-staff",
        "staff-not-performing",
        "no-date",
        "bad-date",
        "past",
        "to-before-from",
        "too-long",
        "unknown-field",
    ],
)
def test_bad_waitlist_entries_are_400_naming_the_field(
    api_client, practice, contact, change, field
):
    with alpha():
        stranger = StaffMemberFactory()
    today = timezone.now().date()
    values = {
        "{stranger}": stranger.pk,
        "{yesterday}": (today - dt.timedelta(days=2)).isoformat(),
        "{before}": days_ahead(0).isoformat(),
        "{far}": days_ahead(200).isoformat(),
    }
    change = {k: values.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    assert_field_error(join(api_client, practice, contact, **change), field)  # None: left out
    with alpha():
        assert not WaitlistEntry.objects.exists()


def test_a_retired_service_cannot_be_waited_for(api_client, practice, contact):
    with alpha():
        practice.checkup.active = False
        practice.checkup.save()
    error = assert_field_error(join(api_client, practice, contact), "service")
    assert error["fields"]["service"] == ["This service is no longer offered."]


def test_leaving_cancels_the_entry_and_a_second_leave_changes_nothing(
    api_client, practice, contact
):
    with alpha():
        entry = WaitlistEntryFactory(service=practice.checkup, contact=contact)
    assert api_client.delete(f"{WAITLIST}{entry.pk}/").status_code == 204
    assert api_client.delete(f"{WAITLIST}{entry.pk}/").status_code == 204
    assert api_client.get(f"{WAITLIST}{entry.pk}/").json()["status"] == "cancelled"
    with alpha():
        assert TimelineEvent.objects.filter(contact=contact, type="waitlist.left").count() == 1
    assert api_client.delete(f"{WAITLIST}999999/").status_code == 404


def test_list_is_newest_first_and_filters_combine(read_api_client, practice, contact):
    with alpha():
        mine = WaitlistEntryFactory(service=practice.checkup, contact=contact)
        left = WaitlistEntryFactory(service=practice.checkup, contact=contact, status="cancelled")
        other = WaitlistEntryFactory()
    assert ids(read_api_client.get(WAITLIST)) == [other.pk, left.pk, mine.pk]
    assert ids(read_api_client.get(WAITLIST, {"contact": contact.pk})) == [left.pk, mine.pk]
    query = {"service": practice.checkup.pk, "status": "waiting"}
    assert ids(read_api_client.get(WAITLIST, query)) == [mine.pk]
    assert_field_error(read_api_client.get(WAITLIST, {"status": "gone"}), "status")
    assert_field_error(read_api_client.get(WAITLIST, {"service": "x"}), "service")


def test_waitlist_query_count_does_not_grow_with_the_rows(
    read_api_client, practice, django_assert_max_num_queries
):
    with alpha():
        WaitlistEntryFactory.create_batch(20, service=practice.checkup, staff=practice.weber)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = read_api_client.get(WAITLIST)
    assert len(results(response)) == 20
