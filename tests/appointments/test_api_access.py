"""API of the appointments app: who may do what (read keys, viewers, the other business's key
and session) on every endpoint, and extreme input that must be a 400, never a 500."""

import json

import pytest

from apps.appointments.models import Appointment, WaitlistEntry
from apps.contacts.models import Contact
from tests.accounts.test_api import assert_error, session_api_client
from tests.appointments.factories import AppointmentFactory, RoomFactory, WaitlistEntryFactory
from tests.appointments.test_api import (
    API,
    APPOINTMENTS,
    SERVICES,
    WAITLIST,
    assert_field_error,
    at,
    iso,
    make_practice,
    results,
)
from tests.conftest import alpha, api_client_for
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead

pytestmark = pytest.mark.django_db


# --- who may do what ---------------------------------------------------------------------------
@pytest.fixture
def objects(tenant):
    with alpha():
        practice = make_practice()
        contact = ContactFactory(email="secret@example.test")
        appointment = AppointmentFactory(
            service=practice.checkup, staff=practice.weber, contact=contact, starts_at=at(10)
        )
        entry = WaitlistEntryFactory(contact=contact, service=practice.checkup)
        room = RoomFactory()
    return {
        "service": practice.checkup.pk,
        "staff": practice.weber.pk,
        "room": room.pk,
        "contact": contact.pk,
        "appointment": appointment.pk,
        "entry": entry.pk,
        "day": days_ahead(7).isoformat(),
        "free": iso(at(11)),
        "later": iso(at(12)),
    }


READS = [
    "services/",
    "services/{service}/",
    "staff/",
    "staff/{staff}/",
    "rooms/",
    "rooms/{room}/",
    "availability/?service={service}&date_from={day}",
    "appointments/",
    "appointments/{appointment}/",
    "waitlist/",
    "waitlist/{entry}/",
]
WRITES = [
    (
        "post",
        "appointments/",
        {"service": "{service}", "contact": "{contact}", "starts_at": "{free}"},
    ),
    ("post", "appointments/{appointment}/reschedule/", {"starts_at": "{later}"}),
    ("post", "appointments/{appointment}/cancel/", {"reason": "ill"}),
    ("post", "appointments/{appointment}/status/", {"status": "confirmed"}),
    (
        "post",
        "waitlist/",
        {"service": "{service}", "contact": "{contact}", "date_from": "{day}", "date_to": "{day}"},
    ),
    ("delete", "waitlist/{entry}/", None),
]
WRITE_IDS = [f"{method} {url}" for method, url, _ in WRITES]
ALL = [("get", template, None) for template in READS] + WRITES
ALL_IDS = [f"get {template}" for template in READS] + WRITE_IDS


def fill_payload(payload, objects):
    """Put the real ids (as numbers) and times (as strings) where the payload names them."""
    text = json.dumps(payload)
    for name, value in objects.items():
        text = text.replace(f'"{{{name}}}"', json.dumps(value))
    return json.loads(text)


def send(client, method, template, payload, objects):
    url = f"{API}/{template.format(**objects)}"
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, fill_payload(payload, objects), format="json")


def snapshot() -> tuple:
    with alpha():
        return (
            list(Appointment.objects.order_by("pk").values_list("pk", "status", "starts_at")),
            list(WaitlistEntry.objects.order_by("pk").values_list("pk", "status")),
            Contact.objects.count(),
        )


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_read_key_cannot_write(read_api_client, objects, method, template, payload):
    before = snapshot()
    assert_error(send(read_api_client, method, template, payload, objects), 403)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_viewer_session_cannot_write(viewer, objects, method, template, payload):
    before = snapshot()
    assert_error(send(session_api_client(viewer), method, template, payload, objects), 403)
    assert snapshot() == before


@pytest.mark.parametrize("template", READS)
def test_viewer_session_and_read_key_can_read(viewer, read_api_client, objects, template):
    url = f"{API}/{template.format(**objects)}"
    assert session_api_client(viewer).get(url).status_code == 200
    assert read_api_client.get(url).status_code == 200


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_every_write_works_for_a_write_key(api_client, objects, method, template, payload):
    response = send(api_client, method, template, payload, objects)
    assert response.status_code in (200, 201, 204), response.content


@pytest.mark.parametrize(("method", "template", "payload"), ALL, ids=ALL_IDS)
def test_outsider_key_is_401_everywhere(outsider_api_client, objects, method, template, payload):
    before = snapshot()
    response = send(outsider_api_client, method, template, payload, objects)
    assert_error(response, 401, "authentication_failed")
    assert "secret@example.test" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("method", "template", "payload"), ALL, ids=ALL_IDS)
def test_outsider_session_is_refused_everywhere(outsider, objects, method, template, payload):
    client = session_api_client(outsider, slug="beta")
    client.defaults["HTTP_HOST"] = "alpha.localhost"
    before = snapshot()
    response = send(client, method, template, payload, objects)
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize(
    "template",
    [
        "services/{service}/",
        "staff/{staff}/",
        "rooms/{room}/",
        "appointments/{appointment}/",
        "waitlist/{entry}/",
    ],
)
def test_the_other_business_rows_are_404_with_its_own_key(other_tenant, objects, template):
    """A key of beta on beta's host cannot reach alpha's rows by guessing their ids."""
    client = api_client_for(other_tenant, ["read", "write"])
    assert_error(client.get(f"{API}/{template.format(**objects)}"), 404, "not_found")


@pytest.mark.parametrize(
    "url", [f"{SERVICES}99999999999999999999/", f"{APPOINTMENTS}abc/", f"{WAITLIST}0x1/"]
)
def test_ids_out_of_range_are_404_not_500(read_api_client, tenant, url):
    assert read_api_client.get(url).status_code == 404


# --- never a 500 -------------------------------------------------------------------------------
HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("method", "template", "payload", "field"),
    [
        ("get", "availability/?service={service}&date_from=9999-12-31", None, "date_from"),
        ("get", "availability/?service={service}&date_from=0001-01-01", None, "date_from"),
        ("get", f"availability/?service={HUGE}&date_from={{day}}", None, "service"),
        ("get", "appointments/?date_to=9999-12-31", None, "date_to"),
        (
            "post",
            "appointments/",
            {"service": "{service}", "contact": "{contact}", "starts_at": "9999-12-31T23:30:00Z"},
            "starts_at",
        ),
        (
            "post",
            "appointments/",
            {
                "service": "{service}",
                "contact": "{contact}",
                "starts_at": "0001-01-01T00:00:00+05:00",
            },
            "starts_at",
        ),
        (
            "post",
            "appointments/",
            {"service": "{service}", "contact": "{contact}", "starts_at": 1234567},
            "starts_at",
        ),
        (
            "post",
            "appointments/",
            {"service": int(HUGE), "contact": "{contact}", "starts_at": "{free}"},
            "service",
        ),
        (
            "post",
            "appointments/",
            {"service": "{service}", "contact": [1], "starts_at": "{free}"},
            "contact",
        ),
        (
            "post",
            "appointments/",
            {"service": "{service}", "contact_details": "Lena", "starts_at": "{free}"},
            "contact_details.non_field_errors",
        ),
        (
            "post",
            "appointments/{appointment}/reschedule/",
            {"starts_at": "9999-12-31T23:30:00Z"},
            "starts_at",
        ),
        ("post", "appointments/{appointment}/cancel/", {"reason": "x" * 201}, "reason"),
        (
            "post",
            "waitlist/",
            {
                "service": "{service}",
                "contact": "{contact}",
                "date_from": "{day}",
                "date_to": "9999-12-31",
            },
            "date_to",
        ),
        ("post", "appointments/", ["not", "an", "object"], "non_field_errors"),
    ],
    ids=[
        "availability-year-9999",
        "availability-year-1",
        "availability-huge-id",
        "list-year-9999",
        "book-year-9999",
        "book-year-1",
        "book-number",
        "book-huge-id",
        "book-contact-list",
        "book-details-string",
        "move-year-9999",
        "cancel-long-reason",
        "waitlist-year-9999",
        "book-not-an-object",
    ],
)
def test_extreme_input_is_a_400_naming_the_field_never_a_500(
    api_client, objects, method, template, payload, field
):
    before = snapshot()
    assert_field_error(send(api_client, method, template, payload, objects), field)
    assert snapshot() == before


def test_a_huge_id_in_a_filter_finds_nothing(read_api_client, objects):
    for url in (f"{APPOINTMENTS}?staff={HUGE}", f"{WAITLIST}?contact={HUGE}"):
        assert results(read_api_client.get(url)) == []


def test_a_body_that_is_not_json_is_a_400(api_client, objects):
    response = api_client.post(APPOINTMENTS, "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")
