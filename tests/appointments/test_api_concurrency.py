"""The booking race through the API: real threads, each with its own PostgreSQL connection and
its own client, post at the same moment against committed rows. Exactly one wins; every loser
gets a 409 that says the time was just taken and offers the next free times; nothing is a 500.
"""

from collections import Counter
from collections.abc import Callable, Iterator

import pytest
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from apps.accounts.models import ApiKey
from apps.accounts.services import api_key_create
from apps.appointments.models import Appointment
from tests.appointments.factories import ServiceFactory, StaffMemberFactory, week_hours
from tests.appointments.test_api import APPOINTMENTS, at, iso
from tests.contacts.factories import ContactFactory
from tests.helpers.threads import run_together

JUST_TAKEN = "Sorry, that time was just taken. Please choose another one."
ATTEMPTS = 30


@pytest.fixture
def raw_key(committed_tenant) -> Iterator[str]:
    """A committed read-and-write key of alpha (the committed_tenant clean-up keeps keys)."""
    with schema_context(committed_tenant.schema_name):
        key, raw = api_key_create(name="race", scopes=["read", "write"], created_by=None)
    try:
        yield raw
    finally:
        with schema_context(committed_tenant.schema_name):
            ApiKey.objects.filter(pk=key.pk).delete()


def race(posts: list[Callable[[APIClient], object]], raw_key: str) -> list:
    """Each post with its own client, in its own thread; its response or what it raised."""

    def with_client(post):
        client = APIClient(HTTP_HOST="alpha.localhost")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
        return lambda: post(client)

    return run_together([with_client(post) for post in posts])


def statuses(outcomes: list) -> Counter:
    return Counter(getattr(o, "status_code", f"raised {o!r}") for o in outcomes)


def test_thirty_api_clients_race_for_one_slot_one_201_and_twenty_nine_409s(
    committed_tenant, raw_key
):
    weber = StaffMemberFactory(name="Dr. Weber")
    week_hours(weber)
    checkup = ServiceFactory(name="Check-up", staff=[weber], buffer_after_minutes=10)
    contacts = [ContactFactory() for _ in range(ATTEMPTS)]
    slot = at(10)

    def post(contact):
        payload = {"service": checkup.pk, "contact": contact.pk, "starts_at": iso(slot)}
        return lambda client: client.post(APPOINTMENTS, payload, format="json")

    outcomes = race([post(contact) for contact in contacts], raw_key)

    assert statuses(outcomes) == Counter({201: 1, 409: ATTEMPTS - 1})
    [winner] = [o for o in outcomes if o.status_code == 201]
    for loser in (o for o in outcomes if o.status_code == 409):
        error = loser.json()["error"]
        assert (error["code"], error["message"]) == ("slot_taken", JUST_TAKEN)
        assert error["fields"] == {"starts_at": [JUST_TAKEN]}
        # the booked 10:00-10:30 plus its 10 minutes after: 11:00 is the next start
        assert [s["starts_at"] for s in error["next_slots"]] == [
            iso(at(11)),
            iso(at(11, 30)),
            iso(at(12)),
        ]
        assert all(s["staff_ids"] == [weber.pk] for s in error["next_slots"])
    booked = Appointment.objects.filter(service=checkup)
    assert booked.count() == 1
    assert booked.get().pk == winner.json()["id"]
    assert booked.get().source == "api"


def test_racing_for_anyone_fills_each_dentist_once(committed_tenant, raw_key):
    """Thirty customers, three dentists free at 10:00: three bookings, 27 told it is taken."""
    team = [StaffMemberFactory() for _ in range(3)]
    for staff in team:
        week_hours(staff)
    checkup = ServiceFactory(staff=team)
    contacts = [ContactFactory() for _ in range(ATTEMPTS)]
    payloads = [
        {"service": checkup.pk, "contact": c.pk, "starts_at": iso(at(10))} for c in contacts
    ]

    outcomes = race(
        [lambda client, p=p: client.post(APPOINTMENTS, p, format="json") for p in payloads],
        raw_key,
    )

    assert statuses(outcomes) == Counter({201: 3, 409: ATTEMPTS - 3})
    booked = Appointment.objects.filter(service=checkup)
    assert sorted(booked.values_list("staff_id", flat=True)) == sorted(s.pk for s in team)


def test_one_idempotency_key_sent_by_ten_threads_books_once(committed_tenant, raw_key):
    """A client retrying in a hurry: the first request books; the others either replay its
    answer or hear that it is still running, never a second booking."""
    weber = StaffMemberFactory()
    week_hours(weber)
    checkup = ServiceFactory(staff=[weber])
    contact = ContactFactory()
    payload = {"service": checkup.pk, "contact": contact.pk, "starts_at": iso(at(10))}

    def post(client):
        return client.post(
            APPOINTMENTS, payload, format="json", headers={"Idempotency-Key": "retry-storm"}
        )

    outcomes = race([post] * 10, raw_key)

    counts = statuses(outcomes)
    assert set(counts) <= {201, 409} and counts[201] >= 1, counts
    for outcome in outcomes:
        if outcome.status_code == 409:
            assert outcome.json()["error"]["code"] == "idempotency_in_progress"
    ids = {o.json()["id"] for o in outcomes if o.status_code == 201}
    assert len(ids) == 1
    assert Appointment.objects.filter(service=checkup).count() == 1
