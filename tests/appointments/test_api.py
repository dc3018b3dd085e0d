"""API of the appointments app: services, staff and rooms (read only), availability and the
OpenAPI document, plus the helpers the other API test files share. Who may do what and bad
input everywhere: test_api_access.py; booking: test_api_appointments.py; what happens to a
booking afterwards: test_api_changes.py; the waitlist: test_api_waitlist.py."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest

from apps.appointments.services.setup import staff_calendar_token_reset
from tests.accounts.test_api import assert_error
from tests.appointments.factories import (
    AppointmentFactory,
    RoomFactory,
    ServiceFactory,
    StaffMemberFactory,
    week_hours,
)
from tests.conftest import alpha
from tests.helpers.clock import days_ahead, local

pytestmark = pytest.mark.django_db

API = "/api/v1"
SERVICES = f"{API}/services/"
STAFF = f"{API}/staff/"
ROOMS = f"{API}/rooms/"
AVAILABILITY = f"{API}/availability/"
APPOINTMENTS = f"{API}/appointments/"
WAITLIST = f"{API}/waitlist/"
# search_path (twice) and the host lookup, the key lookup and its last use, then the page; plus
# one query per prefetched relation. Nothing is read per row.
LIST_QUERIES = 6
SERVICE_KEYS = {
    "id",
    "name",
    "description",
    "duration_minutes",
    "price",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "step_minutes",
    "daily_cap",
    "needs_confirmation",
    "min_notice_minutes",
    "horizon_days",
    "online",
    "needs_room",
    "staff",
    "rooms",
    "recall_months",
    "color",
    "active",
    "position",
}


# --- helpers shared by the API test files ------------------------------------------------------
def at(hour: int, minute: int = 0, day: dt.date | None = None) -> dt.datetime:
    """A local wall-clock time of the practice, a week ahead unless `day` says otherwise."""
    return local(day or days_ahead(7), hour, minute)


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


def assert_field_error(response, field: str) -> dict:
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    return error


def make_practice() -> SimpleNamespace:
    """Two dentists working 09:00-17:00 every day and a 30-minute check-up either performs."""
    weber = StaffMemberFactory(name="Dr. Weber", position=1)
    klein = StaffMemberFactory(name="Dr. Klein", position=2)
    week_hours(weber)
    week_hours(klein)
    checkup = ServiceFactory(name="Check-up", staff=[weber, klein], buffer_after_minutes=10)
    return SimpleNamespace(weber=weber, klein=klein, checkup=checkup)


@pytest.fixture
def practice(tenant) -> SimpleNamespace:
    return make_practice()


# --- services, staff, rooms --------------------------------------------------------------------
def test_service_list_shows_duration_price_buffers_rules_and_who_performs_it(
    read_api_client, practice
):
    with alpha():
        chair = RoomFactory(name="Chair 1")
        cleaning = ServiceFactory(
            name="Cleaning",
            duration_minutes=45,
            price="95.50",
            buffer_before_minutes=5,
            online=False,
            needs_room=True,
            rooms=[chair],
            staff=[practice.klein],
            position=2,
        )
    rows = results(read_api_client.get(SERVICES))
    assert [row["name"] for row in rows] == ["Check-up", "Cleaning"]
    assert set(rows[0]) == SERVICE_KEYS
    assert sorted(rows[0]["staff"]) == sorted([practice.weber.pk, practice.klein.pk])
    row = rows[1]
    assert row["id"] == cleaning.pk
    assert (row["duration_minutes"], row["price"], row["buffer_before_minutes"]) == (45, "95.50", 5)
    assert (row["online"], row["needs_room"], row["rooms"]) == (False, True, [chair.pk])
    assert row["staff"] == [practice.klein.pk]


def test_service_list_filters_by_active(read_api_client, practice):
    with alpha():
        old = ServiceFactory(name="Old", active=False)
    assert ids(read_api_client.get(SERVICES, {"active": "false"})) == [old.pk]
    assert ids(read_api_client.get(SERVICES, {"active": "true"})) == [practice.checkup.pk]
    assert len(ids(read_api_client.get(SERVICES))) == 2
    assert_field_error(read_api_client.get(SERVICES, {"active": "maybe"}), "active")


def test_service_detail_and_unknown_service(read_api_client, practice):
    body = read_api_client.get(f"{SERVICES}{practice.checkup.pk}/").json()
    assert (body["name"], body["buffer_after_minutes"]) == ("Check-up", 10)
    assert_error(read_api_client.get(f"{SERVICES}999999/"), 404, "not_found")


def test_staff_list_shows_their_services_but_never_the_calendar_token(read_api_client, practice):
    rows = results(read_api_client.get(STAFF))
    assert [row["name"] for row in rows] == ["Dr. Weber", "Dr. Klein"]
    assert rows[0]["services"] == [practice.checkup.pk]
    assert set(rows[0]) == {
        "id",
        "name",
        "title",
        "color",
        "active",
        "bookable_online",
        "position",
        "services",
    }
    with alpha():
        weber, token = staff_calendar_token_reset(staff=practice.weber)
    content = read_api_client.get(STAFF).content.decode()
    assert token not in content and weber.calendar_token_hash not in content


def test_room_list_and_detail(read_api_client, tenant):
    with alpha():
        chair = RoomFactory(name="Chair 1")
        RoomFactory(name="Chair 2", active=False)
    assert [row["name"] for row in results(read_api_client.get(ROOMS))] == ["Chair 1", "Chair 2"]
    assert read_api_client.get(f"{ROOMS}{chair.pk}/").json() == {
        "id": chair.pk,
        "name": "Chair 1",
        "active": True,
        "position": 0,
    }


@pytest.mark.parametrize(
    ("url", "prefetched"),
    [(SERVICES, 2), (STAFF, 1), (ROOMS, 0)],
    ids=["services", "staff", "rooms"],
)
def test_setup_list_query_count_does_not_grow_with_the_rows(
    read_api_client, tenant, django_assert_max_num_queries, url, prefetched
):
    with alpha():
        staff = StaffMemberFactory.create_batch(5)
        rooms = RoomFactory.create_batch(5)
        for _ in range(20):
            ServiceFactory(staff=staff, rooms=rooms, needs_room=True)
    with django_assert_max_num_queries(LIST_QUERIES + prefetched):
        response = read_api_client.get(url)
    assert len(results(response)) >= 5


# --- availability ------------------------------------------------------------------------------
def test_availability_lists_free_starts_in_utc_and_local_time_with_staff_ids(
    read_api_client, practice
):
    day = days_ahead(7)
    with alpha():
        AppointmentFactory(service=practice.checkup, staff=practice.weber, starts_at=at(9, day=day))
    response = read_api_client.get(
        AVAILABILITY, {"service": practice.checkup.pk, "date_from": day.isoformat()}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["service"], body["staff"], body["time_zone"]) == (
        practice.checkup.pk,
        None,
        "Europe/Berlin",
    )
    assert body["date_from"] == body["date_to"] == day.isoformat()
    nine, half_past, ten = body["slots"][:3]
    assert nine == {
        "starts_at": iso(at(9, day=day)),
        "local_time": at(9, day=day).isoformat(),
        "staff_ids": [practice.klein.pk],  # Dr. Weber is booked at 09:00 (+10 minutes after)
    }
    assert half_past["local_time"] == at(9, 30, day=day).isoformat()
    assert half_past["staff_ids"] == [practice.klein.pk]  # within Dr. Weber's buffer
    assert ten["staff_ids"] == [practice.klein.pk, practice.weber.pk]  # the least busy first
    assert body["slots"][-1]["local_time"] == at(16, 30, day=day).isoformat()


def test_availability_for_one_staff_member_and_several_days(read_api_client, practice):
    day = days_ahead(7)
    response = read_api_client.get(
        AVAILABILITY,
        {
            "service": practice.checkup.pk,
            "staff": practice.weber.pk,
            "date_from": day.isoformat(),
            "date_to": (day + dt.timedelta(days=2)).isoformat(),
        },
    )
    slots = response.json()["slots"]
    assert len(slots) == 3 * 16
    assert {tuple(slot["staff_ids"]) for slot in slots} == {(practice.weber.pk,)}
    assert response.json()["staff"] == practice.weber.pk


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "{day}"}, "service"),
        ({"service": "{service}"}, "date_from"),
        ({"service": "999999", "date_from": "{day}"}, "service"),
        ({"service": "abc", "date_from": "{day}"}, "service"),
        ({"service": "{service}", "date_from": "tomorrow"}, "date_from"),
        ({"service": "{service}", "date_from": "{day}", "date_to": "{before}"}, "date_to"),
        ({"service": "{service}", "date_from": "{day}", "date_to": "{far}"}, "date_to"),
        ({"service": "{service}", "date_from": "{day}", "staff": "999999"}, "staff"),
        ({"service": "{service}", "date_from": "{day}", "staff": "{stranger}"}, "staff"),
    ],
    ids=[
        "no-service",
        "no-date",
        "unknown-service",
        "bad-service",
        "bad-date",
        "to-before-from",
        "over-62-days",
        "unknown-staff",
        "staff-not-performing",
    ],
)
def test_availability_rejects_bad_parameters_naming_them(read_api_client, practice, params, field):
    with alpha():
        stranger = StaffMemberFactory(name="Dr. Other")
    day = days_ahead(7)
    values = {
        "day": day.isoformat(),
        "service": str(practice.checkup.pk),
        "stranger": str(stranger.pk),
        "before": (day - dt.timedelta(days=1)).isoformat(),
        "far": (day + dt.timedelta(days=62)).isoformat(),
    }
    query = {name: value.format(**values) for name, value in params.items()}
    error = assert_field_error(read_api_client.get(AVAILABILITY, query), field)
    if params.get("staff") == "{stranger}":
        assert error["fields"]["staff"] == ["Dr. Other does not perform Check-up."]


def test_availability_of_62_days_is_allowed_and_of_an_inactive_service_is_not(
    read_api_client, practice
):
    day = days_ahead(7)
    query = {
        "service": practice.checkup.pk,
        "date_from": day.isoformat(),
        "date_to": (day + dt.timedelta(days=61)).isoformat(),
    }
    assert read_api_client.get(AVAILABILITY, query).status_code == 200
    with alpha():
        practice.checkup.active = False
        practice.checkup.save()
    error = assert_field_error(read_api_client.get(AVAILABILITY, query), "service")
    assert error["fields"]["service"] == ["There is no active service with this id."]


# --- OpenAPI -----------------------------------------------------------------------------------
def test_schema_documents_the_appointments_paths(tenant_client):
    document = json.loads(tenant_client.get("/api/schema/?format=json").content)
    paths = document["paths"]
    expected = {
        "/api/v1/services/": {"get"},
        "/api/v1/services/{id}/": {"get"},
        "/api/v1/staff/": {"get"},
        "/api/v1/staff/{id}/": {"get"},
        "/api/v1/rooms/": {"get"},
        "/api/v1/rooms/{id}/": {"get"},
        "/api/v1/availability/": {"get"},
        "/api/v1/appointments/": {"get", "post"},
        "/api/v1/appointments/{id}/": {"get"},
        "/api/v1/appointments/{id}/reschedule/": {"post"},
        "/api/v1/appointments/{id}/cancel/": {"post"},
        "/api/v1/appointments/{id}/status/": {"post"},
        "/api/v1/waitlist/": {"get", "post"},
        "/api/v1/waitlist/{id}/": {"get", "delete"},
    }
    for path, methods in expected.items():
        assert methods == set(paths[path]) - {"parameters"}, path
    params = {p["name"] for p in paths["/api/v1/availability/"]["get"]["parameters"]}
    assert params == {"service", "date_from", "date_to", "staff"}
    create = paths["/api/v1/appointments/"]["post"]["responses"]
    either = create["409"]["content"]["application/json"]["schema"]["anyOf"]  # or the key's 409
    assert [one["$ref"].rsplit("/", 1)[1] for one in either] == ["SlotTakenError", "Error"]
    schemas = document["components"]["schemas"]
    assert {"contact", "contact_details", "starts_at"} <= set(
        schemas["AppointmentInputRequest"]["properties"]
    )
    assert "next_slots" in schemas["SlotTakenDetail"]["properties"]
    assert schemas["AppointmentSourceEnum"]["enum"] == ["staff", "online", "api"]
