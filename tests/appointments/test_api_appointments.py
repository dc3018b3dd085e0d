"""API: booking (with a contact id or the customer's details, idempotently), the 409 of a lost
race with the next free times, and the filtered list of appointments."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.accounts.models import IdempotencyRecord
from apps.appointments.models import Appointment
from apps.contacts.models import Contact, TimelineEvent
from tests.accounts.test_api import assert_error
from tests.appointments.factories import (
    AppointmentFactory,
    ServiceFactory,
    StaffMemberFactory,
)
from tests.appointments.test_api import (
    APPOINTMENTS,
    LIST_QUERIES,
    assert_field_error,
    at,
    ids,
    iso,
    make_practice,
    results,
)
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead

pytestmark = pytest.mark.django_db

APPOINTMENT_KEYS = {
    "id",
    "contact",
    "service",
    "staff",
    "room",
    "starts_at",
    "ends_at",
    "status",
    "source",
    "awaiting_approval",
    "price",
    "notes",
    "reschedule_count",
    "confirmed_at",
    "checked_in_at",
    "completed_at",
    "cancelled_at",
    "cancel_reason",
    "created",
    "updated",
}
JUST_TAKEN = "Sorry, that time was just taken. Please choose another one."


@pytest.fixture
def practice(tenant):
    return make_practice()


@pytest.fixture
def contact(tenant):
    return ContactFactory(first_name="Lena", last_name="Vogel", email="lena@example.test")


def book(client, practice, contact, starts_at, headers=None, **extra):
    payload = {"service": practice.checkup.pk, "contact": contact.pk, "starts_at": iso(starts_at)}
    return client.post(APPOINTMENTS, {**payload, **extra}, format="json", headers=headers)


def url_of(appointment_id: int, verb: str = "") -> str:
    return f"{APPOINTMENTS}{appointment_id}/{verb + '/' if verb else ''}"


# --- booking -----------------------------------------------------------------------------------
def test_key_books_a_free_time_as_source_api(api_client, practice, contact):
    response = book(api_client, practice, contact, at(10), notes="Sensitive teeth")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == APPOINTMENT_KEYS
    assert (body["contact"], body["service"], body["status"], body["source"]) == (
        contact.pk,
        practice.checkup.pk,
        "booked",
        "api",
    )
    assert body["staff"] in (practice.weber.pk, practice.klein.pk)
    assert (body["starts_at"], body["ends_at"]) == (iso(at(10)), iso(at(10, 30)))
    assert (body["price"], body["notes"], body["awaiting_approval"]) == (
        "80.00",
        "Sensitive teeth",
        False,
    )
    with alpha():
        stored = Appointment.objects.get(pk=body["id"])
        assert stored.block_end == at(10, 40)  # the 10 minutes after are kept free too
        assert TimelineEvent.objects.filter(contact=contact, type="appointment.booked").exists()


def test_booking_a_chosen_staff_member_and_an_offset_time(api_client, practice, contact):
    starts_at = at(11).astimezone(dt.timezone(dt.timedelta(hours=5)))
    response = api_client.post(
        APPOINTMENTS,
        {
            "service": practice.checkup.pk,
            "contact": contact.pk,
            "staff": practice.klein.pk,
            "starts_at": starts_at.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["staff"], response.json()["starts_at"]) == (
        practice.klein.pk,
        iso(at(11)),
    )


def test_booking_with_contact_details_matches_the_contact_by_email(api_client, practice, contact):
    details = {
        "first_name": "Lena",
        "last_name": "Vogel",
        "email": "LENA@example.test",
        "phone": "+49 151 23456789",
    }
    response = api_client.post(
        APPOINTMENTS,
        {
            "service": practice.checkup.pk,
            "starts_at": iso(at(10)),
            "contact_details": details,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["contact"] == contact.pk
    details = {**details, "email": "new@example.test", "phone": "+49 151 99999999"}
    response = api_client.post(
        APPOINTMENTS,
        {
            "service": practice.checkup.pk,
            "starts_at": iso(at(11)),
            "contact_details": details,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    with alpha():
        created = Contact.objects.get(pk=response.json()["contact"])
        assert (created.email, created.phone) == ("new@example.test", "+4915199999999")


def test_contact_details_are_checked_field_by_field(api_client, practice):
    response = api_client.post(
        APPOINTMENTS,
        {
            "service": practice.checkup.pk,
            "starts_at": iso(at(10)),
            "contact_details": {
                "first_name": "Lena",
                "last_name": "",
                "email": "nope",
                "phone": "1",
            },
        },
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert "contact_details.last_name" in error["fields"]
    response = api_client.post(
        APPOINTMENTS,
        {
            "service": practice.checkup.pk,
            "starts_at": iso(at(10)),
            "contact_details": {
                "first_name": "Lena",
                "last_name": "Vogel",
                "email": "nope",
                "phone": "12",
            },
        },
        format="json",
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"contact_details.email", "contact_details.phone"}
    with alpha():
        assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact": None}, "contact"),
        (
            {
                "contact_details": {
                    "first_name": "A",
                    "last_name": "B",
                    "email": "a@b.test",
                    "phone": "+4915112345678",
                }
            },
            "contact",
        ),
        ({"contact": 999999}, "contact"),
        ({"service": 999999}, "service"),
        ({"service": "abc"}, "service"),
        ({"staff": 999999}, "staff"),
        ({"staff": "{stranger}"}, "staff"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "{naive}"}, "starts_at"),
        ({"starts_at": "{off_grid}"}, "starts_at"),
        ({"starts_at": "{closed}"}, "starts_at"),
        ({"notes": "x" * 2001}, "notes"),
        ({"source": "online"}, "source"),
    ],
    ids=[
        "no-contact",
        "contact-and-details",
        "unknown-contact",
        "unknown-service",
        "bad-service",
        "unknown-staff",
        "staff-not-performing",
        "bad-time",
        "naive-time",
        "off-grid",
        "outside-hours",
        "long-notes",
        "unknown-field",
    ],
)
def test_bad_bookings_are_400_naming_the_field_and_book_nothing(
    api_client, practice, contact, change, field
):
    with alpha():
        stranger = StaffMemberFactory(name="Dr. Other")
    values = {
        "{stranger}": stranger.pk,
        "{naive}": at(10).replace(tzinfo=None).isoformat(),
        "{off_grid}": iso(at(10, 10)),
        "{closed}": iso(at(20)),
    }
    payload = {"service": practice.checkup.pk, "contact": contact.pk, "starts_at": iso(at(10))}
    for name, value in change.items():
        payload[name] = values.get(value, value) if isinstance(value, str) else value
        if value is None:
            del payload[name]
    assert_field_error(api_client.post(APPOINTMENTS, payload, format="json"), field)
    with alpha():
        assert not Appointment.objects.exists()


def test_an_erased_contact_or_a_retired_service_cannot_be_booked(api_client, practice, contact):
    with alpha():
        gone = ContactFactory(erased_at=timezone.now())
    error = assert_field_error(book(api_client, practice, gone, at(10)), "contact")
    assert error["fields"]["contact"] == ["There is no contact with this id."]
    with alpha():
        practice.checkup.active = False
        practice.checkup.save()
    error = assert_field_error(book(api_client, practice, contact, at(10)), "service")
    assert error["fields"]["service"] == ["This service is no longer offered."]


def test_a_taken_time_is_409_naming_starts_at_with_the_next_free_times(
    api_client, practice, contact
):
    with alpha():
        for staff in (practice.weber, practice.klein):
            AppointmentFactory(service=practice.checkup, staff=staff, starts_at=at(10))
    response = book(api_client, practice, contact, at(10))
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert (error["code"], error["message"]) == ("slot_taken", JUST_TAKEN)
    assert error["fields"] == {"starts_at": [JUST_TAKEN]}
    # 10:30 is still inside the 10-minute buffer after both bookings; 11:00 is the next start
    assert [slot["starts_at"] for slot in error["next_slots"]] == [
        iso(at(11)),
        iso(at(11, 30)),
        iso(at(12)),
    ]
    assert error["next_slots"][0]["local_time"] == at(11).isoformat()
    assert sorted(error["next_slots"][0]["staff_ids"]) == sorted(
        [practice.weber.pk, practice.klein.pk]
    )
    with alpha():
        assert Appointment.objects.count() == 2


def test_a_lost_race_with_contact_details_leaves_no_new_contact(api_client, practice):
    with alpha():
        for staff in (practice.weber, practice.klein):
            AppointmentFactory(service=practice.checkup, staff=staff, starts_at=at(10))
        contacts = Contact.objects.count()
    response = api_client.post(
        APPOINTMENTS,
        {
            "service": practice.checkup.pk,
            "starts_at": iso(at(10)),
            "contact_details": {
                "first_name": "New",
                "last_name": "Person",
                "email": "new@example.test",
                "phone": "+4915111111111",
            },
        },
        format="json",
    )
    assert response.status_code == 409
    with alpha():
        assert Contact.objects.count() == contacts


def test_the_same_idempotency_key_books_once_and_replays_the_answer(api_client, practice, contact):
    first = book(api_client, practice, contact, at(10), headers={"Idempotency-Key": "booking-1"})
    again = book(api_client, practice, contact, at(10), headers={"Idempotency-Key": "booking-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    other = book(api_client, practice, contact, at(11), headers={"Idempotency-Key": "booking-1"})
    assert_error(other, 422, "idempotency_key_reused")
    with alpha():
        assert Appointment.objects.count() == 1
        assert IdempotencyRecord.objects.count() == 1


def test_without_a_key_a_resent_booking_is_a_409_not_a_double_booking(
    api_client, practice, contact
):
    with alpha():
        practice.checkup.staff.set([practice.weber])
    assert book(api_client, practice, contact, at(10)).status_code == 201
    assert book(api_client, practice, contact, at(10)).status_code == 409
    with alpha():
        assert Appointment.objects.count() == 1


# --- the list ----------------------------------------------------------------------------------
def test_list_is_by_start_time_and_filters_combine(read_api_client, practice, contact):
    day = days_ahead(7)
    with alpha():
        late = AppointmentFactory(
            service=practice.checkup,
            staff=practice.weber,
            contact=contact,
            starts_at=at(15, day=day),
        )
        early = AppointmentFactory(
            service=practice.checkup, staff=practice.klein, starts_at=at(9, day=day)
        )
        next_day = AppointmentFactory(
            service=practice.checkup,
            staff=practice.weber,
            starts_at=at(9, day=day + dt.timedelta(days=1)),
            status="cancelled",
        )
        other = ServiceFactory(staff=[practice.weber])
        AppointmentFactory(service=other, staff=practice.weber, starts_at=at(16, day=day))
    rows = results(read_api_client.get(APPOINTMENTS, {"service": practice.checkup.pk}))
    assert [row["id"] for row in rows] == [early.pk, late.pk, next_day.pk]
    same_day = {"date_from": day.isoformat(), "date_to": day.isoformat()}
    assert len(ids(read_api_client.get(APPOINTMENTS, same_day))) == 3
    query = {**same_day, "staff": practice.weber.pk, "service": practice.checkup.pk}
    assert ids(read_api_client.get(APPOINTMENTS, query)) == [late.pk]
    assert ids(read_api_client.get(APPOINTMENTS, {"contact": contact.pk})) == [late.pk]
    assert ids(read_api_client.get(APPOINTMENTS, {"status": "cancelled"})) == [next_day.pk]
    after = {"date_from": (day + dt.timedelta(days=1)).isoformat()}
    assert ids(read_api_client.get(APPOINTMENTS, after)) == [next_day.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "soon"}, "date_from"),
        ({"staff": "x"}, "staff"),
        ({"status": "gone"}, "status"),
        ({"date_from": "2027-03-05", "date_to": "2027-03-04"}, "date_to"),
        ({"updated_since": "yesterday"}, "updated_since"),
    ],
    ids=["date", "staff", "status", "to-before-from", "updated-since"],
)
def test_bad_list_filters_are_400_naming_them(read_api_client, tenant, params, field):
    assert_field_error(read_api_client.get(APPOINTMENTS, params), field)


def test_appointment_list_query_count_does_not_grow_with_the_rows(
    read_api_client, practice, django_assert_max_num_queries
):
    with alpha():
        for hour in range(9, 17):
            for staff in (practice.weber, practice.klein):
                AppointmentFactory(service=practice.checkup, staff=staff, starts_at=at(hour))
    with django_assert_max_num_queries(LIST_QUERIES):  # the practice's zone is cached
        response = read_api_client.get(APPOINTMENTS, {"date_from": days_ahead(7).isoformat()})
    assert len(results(response)) == 16
