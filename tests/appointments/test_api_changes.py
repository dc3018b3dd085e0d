"""API: what happens to a booking afterwards: moving it (a taken time is a 409 with the next
free times), cancelling it (for the practice, or for the customer within the policy) and its
status changes."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.appointments.models import Appointment
from tests.accounts.test_api import assert_error
from tests.appointments.factories import AppointmentFactory, StaffMemberFactory, week_hours
from tests.appointments.test_api import (
    APPOINTMENTS,
    AVAILABILITY,
    assert_field_error,
    at,
    iso,
    make_practice,
)
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead

pytestmark = pytest.mark.django_db

JUST_TAKEN = "Sorry, that time was just taken. Please choose another one."


@pytest.fixture
def practice(tenant):
    return make_practice()


@pytest.fixture
def contact(tenant):
    return ContactFactory(first_name="Lena", last_name="Vogel", email="lena@example.test")


def url_of(appointment_id: int, verb: str = "") -> str:
    return f"{APPOINTMENTS}{appointment_id}/{verb + '/' if verb else ''}"


# --- after booking -----------------------------------------------------------------------------
@pytest.fixture
def booked(practice, contact):
    with alpha():
        return AppointmentFactory(
            service=practice.checkup, staff=practice.weber, contact=contact, starts_at=at(10)
        )


def test_reschedule_moves_it_keeping_the_staff_member(api_client, booked):
    response = api_client.post(
        url_of(booked.pk, "reschedule"), {"starts_at": iso(at(14))}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["starts_at"], body["staff"], body["reschedule_count"]) == (
        iso(at(14)),
        booked.staff_id,
        1,
    )
    with alpha():
        assert Appointment.objects.get(pk=booked.pk).starts_at == at(14)


def test_reschedule_to_another_staff_member_and_overlapping_its_old_time(
    api_client, practice, booked
):
    response = api_client.post(
        url_of(booked.pk, "reschedule"),
        {
            "starts_at": iso(at(10, 30)),
            "staff": practice.klein.pk,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["staff"] == practice.klein.pk


def test_reschedule_to_a_taken_time_is_409_and_keeps_the_old_time(api_client, practice, booked):
    with alpha():
        AppointmentFactory(service=practice.checkup, staff=practice.weber, starts_at=at(14))
    response = api_client.post(
        url_of(booked.pk, "reschedule"), {"starts_at": iso(at(14))}, format="json"
    )
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == ("slot_taken", {"starts_at": [JUST_TAKEN]})
    assert error["next_slots"][0]["starts_at"] == iso(at(15))
    with alpha():
        assert Appointment.objects.get(pk=booked.pk).starts_at == at(10)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "starts_at"),
        ({"starts_at": "{naive}"}, "starts_at"),
        ({"starts_at": "{time}", "staff": "{stranger}"}, "staff"),
        ({"starts_at": "{time}", "staff": 999999}, "staff"),
        ({"starts_at": "{closed}"}, "starts_at"),
    ],
    ids=["missing", "naive", "staff-not-performing", "unknown-staff", "outside-hours"],
)
def test_bad_reschedules_are_400_naming_the_field(api_client, booked, payload, field):
    with alpha():
        stranger = StaffMemberFactory()
        week_hours(stranger)
    values = {
        "{naive}": at(14).replace(tzinfo=None).isoformat(),
        "{time}": iso(at(14)),
        "{stranger}": stranger.pk,
        "{closed}": iso(at(22)),
    }
    payload = {k: values.get(v, v) if isinstance(v, str) else v for k, v in payload.items()}
    assert_field_error(
        api_client.post(url_of(booked.pk, "reschedule"), payload, format="json"), field
    )
    with alpha():
        assert Appointment.objects.get(pk=booked.pk).starts_at == at(10)


def test_cancel_frees_the_time_and_a_second_cancel_changes_nothing(
    api_client, read_api_client, practice, booked
):
    response = api_client.post(url_of(booked.pk, "cancel"), {"reason": "Ill"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "Ill")
    again = api_client.post(url_of(booked.pk, "cancel"), {}, format="json")
    assert again.json()["cancelled_at"] == body["cancelled_at"]
    slots = read_api_client.get(
        AVAILABILITY,
        {
            "service": practice.checkup.pk,
            "staff": practice.weber.pk,
            "date_from": days_ahead(7).isoformat(),
        },
    ).json()["slots"]
    assert iso(at(10)) in [slot["starts_at"] for slot in slots]


def test_a_cancel_for_the_customer_follows_the_cancellation_policy(api_client, practice, contact):
    with alpha():
        soon = AppointmentFactory(
            service=practice.checkup,
            staff=practice.weber,
            contact=contact,
            starts_at=timezone.now() + dt.timedelta(hours=3),
        )
    response = api_client.post(url_of(soon.pk, "cancel"), {"by_customer": True}, format="json")
    error = assert_field_error(response, "starts_at")
    assert "up to 24 hours before" in error["fields"]["starts_at"][0]
    response = api_client.post(url_of(soon.pk, "cancel"), {}, format="json")  # the practice may
    assert response.json()["status"] == "cancelled"


def test_status_changes_follow_the_allowed_steps(api_client, booked):
    response = api_client.post(url_of(booked.pk, "status"), {"status": "confirmed"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "confirmed" and response.json()["confirmed_at"]
    error = assert_field_error(
        api_client.post(url_of(booked.pk, "status"), {"status": "completed"}, format="json"),
        "status",
    )
    assert "once the appointment has started" in error["fields"]["status"][0]
    assert_field_error(
        api_client.post(url_of(booked.pk, "status"), {"status": "gone"}, format="json"), "status"
    )
    response = api_client.post(url_of(booked.pk, "status"), {"status": "cancelled"}, format="json")
    assert response.json()["status"] == "cancelled"
    error = assert_field_error(
        api_client.post(url_of(booked.pk, "status"), {"status": "confirmed"}, format="json"),
        "status",
    )
    assert error["fields"]["status"] == ["A cancelled appointment cannot become confirmed."]


def test_a_completed_appointment_cannot_be_cancelled_or_moved(api_client, practice, contact):
    with alpha():
        past = AppointmentFactory(
            service=practice.checkup,
            staff=practice.weber,
            contact=contact,
            starts_at=at(10, day=days_ahead(-3)),
            status="completed",
        )
    assert_field_error(api_client.post(url_of(past.pk, "cancel"), {}, format="json"), "status")
    assert_field_error(
        api_client.post(url_of(past.pk, "reschedule"), {"starts_at": iso(at(10))}, format="json"),
        "status",
    )


def test_actions_on_an_unknown_appointment_are_404(api_client, tenant):
    for verb, payload in (
        ("reschedule", {"starts_at": iso(at(10))}),
        ("cancel", {}),
        ("status", {"status": "confirmed"}),
    ):
        assert_error(api_client.post(url_of(999999, verb), payload, format="json"), 404)
