"""Booking from a free time and the appointment modal: status buttons, approve, cancel, move;
errors name their fields and nothing is half-written."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.appointments.models import Appointment, AppointmentStatus, Source
from apps.contacts.models import Contact, TimelineEvent
from tests.appointments.factories import AppointmentFactory, ServiceFactory
from tests.appointments.test_views_calendar import (
    HTMX,
    _at,
    _content,
    _day,
    booked_make,
    practice_make,
)
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(tenant):
    return practice_make()


@pytest.fixture
def booked(practice):
    return booked_make(practice)


# --- booking ------------------------------------------------------------------------------------
def test_book_form_is_prefilled_and_offers_the_staff_member_s_services(owner_client, practice):
    day = _day()
    other = ServiceFactory(name="Implant", staff=[practice["ben"]])
    url = f"/appointments/book/?staff={practice['anna'].pk}&date={day}&time=10:30"
    content = _content(owner_client.get(url, **HTMX))
    assert content.startswith('<div id="book-form"')
    assert f'value="{day}"' in content and 'value="10:30"' in content
    assert "Check-up · 30 min" in content and other.name not in content
    assert 'hx-post="/appointments/book/"' in content


def test_book_finds_contacts_by_name_email_or_phone(owner_client, practice):
    ContactFactory(first_name="Marguerite", last_name="Duras", email="md@example.test")
    ContactFactory(first_name="Albert", last_name="Camus")
    content = _content(owner_client.get("/appointments/book/contacts/?q=marg", **HTMX))
    assert "Marguerite Duras" in content and "Albert" not in content
    assert 'type="radio" name="contact"' in content
    # without htmx the search is a GET of the booking form itself
    content = _content(owner_client.get("/appointments/book/?q=md@exa"))
    assert "Marguerite Duras" in content and "<html" in content


def _book(client, practice, contact, day, time="10:00", **extra):
    data = {
        "contact": contact.pk,
        "staff": practice["anna"].pk,
        "service": practice["service"].pk,
        "date": day.isoformat(),
        "time": time,
        "notes": "First visit",
        **extra,
    }
    return client.post("/appointments/book/", data, **extra.pop("headers", {}))


def test_booking_from_the_calendar_books_as_the_front_desk(owner_client, owner, practice):
    day = _day()
    ada = ContactFactory()
    back = f"/appointments/?date={day}"
    response = _book(owner_client, practice, ada, day, next=back)
    assert response.status_code == 302 and response.url == back
    with alpha():
        appointment = Appointment.objects.get()
        assert appointment.starts_at == _at(day, 10)
        assert appointment.staff == practice["anna"] and appointment.source == Source.STAFF
        assert appointment.created_by == owner and appointment.notes == "First visit"
        assert TimelineEvent.objects.filter(type="appointment.booked").exists()


def test_booking_in_the_modal_sends_the_calendar_back(owner_client, practice):
    day = _day()
    response = owner_client.post(
        "/appointments/book/",
        {
            "contact": ContactFactory().pk,
            "staff": practice["anna"].pk,
            "service": practice["service"].pk,
            "date": day.isoformat(),
            "time": "10:00",
            "next": f"/appointments/?date={day}",
        },
        **HTMX,
    )
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/appointments/?date={day}"


def test_booking_outside_working_hours_asks_first_then_books_anyway(owner_client, practice):
    day = _day()
    contact = ContactFactory()
    response = _book(owner_client, practice, contact, day, time="19:15", headers=HTMX)
    content = _content(response)
    assert response.status_code == 200  # htmx swaps the form with the question
    assert "Dr. Anna does not work then" in content
    assert 'name="confirm" value="outside_hours"' in content and "Book anyway" in content
    with alpha():
        assert not Appointment.objects.exists()
    response = _book(owner_client, practice, contact, day, time="19:15", confirm="outside_hours")
    assert response.status_code == 302
    with alpha():
        assert Appointment.objects.get().starts_at == _at(day, 19, 15)


def test_booking_errors_name_the_fields(owner_client, practice):
    day = _day()
    response = owner_client.post(
        "/appointments/book/", {"staff": practice["anna"].pk, "date": "soon"}, **HTMX
    )
    content = _content(response)
    assert response.status_code == 200  # htmx swaps only successful answers
    assert "Choose who the appointment is for, or enter a new customer." in content
    assert 'id="id_service"' in content and 'aria-invalid="true"' in content
    assert "Enter a valid date." in content
    implant = ServiceFactory(name="Implant", staff=[practice["ben"]])
    response = _book(owner_client, practice, ContactFactory(), day, service=implant.pk)
    assert response.status_code == 400
    assert "Select a valid choice" in _content(response)
    with alpha():
        assert not Appointment.objects.exists()


def test_booking_over_another_booking_says_so_and_offers_the_next_times(owner_client, practice):
    day = _day()
    AppointmentFactory(staff=practice["anna"], service=practice["service"], starts_at=_at(day, 10))
    response = _book(owner_client, practice, ContactFactory(), day, time="10:15")
    content = _content(response)
    assert response.status_code == 400
    assert "Dr. Anna is not free then" in content
    assert "Next free times:" in content and "time=10%3A30" in content
    with alpha():
        assert Appointment.objects.count() == 1


def _book_new(client, practice, day, time="10:00", **customer):
    data = {
        "staff": practice["anna"].pk,
        "service": practice["service"].pk,
        "date": day.isoformat(),
        "time": time,
        **{f"new_{name}": value for name, value in customer.items()},
    }
    return client.post("/appointments/book/", data)


def test_a_new_customer_on_the_phone_is_booked_from_the_same_form(owner_client, practice):
    day = _day()
    response = _book_new(
        owner_client, practice, day, first_name="Noor", last_name="Haddad", phone="0151 2345 6789"
    )
    assert response.status_code == 302
    with alpha():
        noor = Contact.objects.get(first_name="Noor")
        assert (noor.last_name, noor.phone, noor.source) == (
            "Haddad",
            "+4915123456789",
            "front desk",
        )
        assert Appointment.objects.get().contact == noor


def test_a_new_customer_we_already_know_by_email_is_booked_as_themselves(owner_client, practice):
    known = ContactFactory(first_name="Lea", email="lea@example.test", phone="")
    response = _book_new(
        owner_client,
        practice,
        _day(),
        first_name="Lea",
        email="LEA@example.test",
        phone="+49 151 99999999",
    )
    assert response.status_code == 302
    with alpha():
        assert Contact.objects.count() == 1
        assert Appointment.objects.get().contact == known
        known.refresh_from_db()
        assert known.phone == "+4915199999999"  # filled in, as nothing was known


@pytest.mark.parametrize(
    ("customer", "field", "message"),
    [
        (
            {"last_name": "Haddad", "phone": "0151 2345 6789"},
            "new_first_name",
            "Enter the customer&#x27;s first name.",
        ),
        ({"first_name": "Noor"}, "new_phone", "Enter a phone number or an email"),
        (
            {"first_name": "Noor", "phone": "12"},
            "new_phone",
            "Enter a valid phone number, e.g. +49 1512 3456789.",
        ),  # the practice is in Germany
        ({"first_name": "Noor", "email": "noor@"}, "new_email", "Enter a valid email address"),
    ],
)
def test_a_new_customer_s_missing_or_bad_details_name_their_field(
    owner_client, practice, customer, field, message
):
    response = _book_new(owner_client, practice, _day(), **customer)
    content = _content(response)
    assert response.status_code == 400
    assert message in content
    assert f'id="{field}-errors"' in content
    assert '<details class="appt-form__new" open>' in content
    with alpha():
        assert not Contact.objects.exists() and not Appointment.objects.exists()


def test_a_new_customer_s_mistakes_show_with_the_rest_of_the_form_s(owner_client, practice):
    response = owner_client.post(
        "/appointments/book/",
        {
            "staff": practice["anna"].pk,
            "date": _day().isoformat(),
            "time": "10:00",
            "new_first_name": "Noor",
            "new_phone": "12",
        },
    )
    content = _content(response)
    assert response.status_code == 400
    assert "Choose a service." in content and "Enter a valid phone number" in content


def test_a_contact_and_a_new_customer_at_once_is_refused(owner_client, practice):
    response = _book(
        owner_client,
        practice,
        ContactFactory(),
        _day(),
        new_first_name="Noor",
        new_phone="0151 2345 6789",
    )
    assert response.status_code == 400
    assert "Choose a contact or enter a new customer, not both." in _content(response)
    with alpha():
        assert Contact.objects.count() == 1 and not Appointment.objects.exists()


def test_a_new_customer_whose_time_is_taken_is_kept_and_offered_as_chosen(owner_client, practice):
    day = _day()
    AppointmentFactory(staff=practice["anna"], service=practice["service"], starts_at=_at(day, 10))
    response = _book_new(
        owner_client, practice, day, time="10:15", first_name="Noor", phone="0151 2345 6789"
    )
    content = _content(response)
    assert response.status_code == 400 and "Dr. Anna is not free then" in content
    with alpha():
        noor = Contact.objects.get(first_name="Noor")
    assert f'name="contact" value="{noor.pk}" checked' in content
    assert 'name="new_first_name"' in content and 'value="Noor"' not in content
    # booking again at a free time books them, without a second contact
    response = _book(owner_client, practice, noor, day, time="11:00")
    assert response.status_code == 302
    with alpha():
        assert Contact.objects.filter(first_name="Noor").count() == 1


# --- the appointment ----------------------------------------------------------------------------
def test_detail_shows_the_appointment_with_its_actions(owner_client, booked):
    content = _content(owner_client.get(f"/appointments/{booked.pk}/", **HTMX))
    assert content.startswith('<div id="appointment-detail"')
    assert "Ada Lovelace" in content and "10:00–10:30" in content and "Sensitive teeth" in content
    assert f'href="/contacts/{booked.contact_id}/"' in content
    assert 'value="confirmed"' in content and 'value="checked_in"' in content
    assert 'value="completed"' not in content  # not started yet
    assert "Cancel appointment" in content and "Move" in content
    assert "<html" in _content(owner_client.get(f"/appointments/{booked.pk}/"))


def test_detail_for_a_viewer_has_no_buttons(viewer_client, booked):
    content = _content(viewer_client.get(f"/appointments/{booked.pk}/"))
    assert "Ada Lovelace" in content and 'name="status"' not in content


def test_status_buttons_change_the_status(owner_client, booked):
    response = owner_client.post(
        f"/appointments/{booked.pk}/status/", {"status": "confirmed"}, **HTMX
    )
    assert response.status_code == 200 and response.headers["HX-Redirect"].startswith(
        "/appointments/?date="
    )
    with alpha():
        booked.refresh_from_db()
        assert booked.status == AppointmentStatus.CONFIRMED and booked.confirmed_at


def test_a_refused_status_change_is_shown_in_the_modal(owner_client, booked):
    response = owner_client.post(
        f"/appointments/{booked.pk}/status/", {"status": "no_show", "confirm": "1"}, **HTMX
    )
    content = _content(response)
    assert response.status_code == 200 and "once the appointment has started" in content
    response = owner_client.post(f"/appointments/{booked.pk}/status/", {"status": "bogus"})
    assert response.status_code == 400
    with alpha():
        booked.refresh_from_db()
        assert booked.status == AppointmentStatus.BOOKED


def test_no_show_of_a_past_appointment_is_counted(owner_client, practice):
    past = AppointmentFactory(
        staff=practice["anna"],
        service=practice["service"],
        starts_at=timezone.now() - dt.timedelta(hours=3),
    )
    response = owner_client.post(
        f"/appointments/{past.pk}/status/", {"status": "no_show", "confirm": "1"}
    )
    assert response.status_code == 302
    with alpha():
        assert Contact.objects.get(pk=past.contact_id).no_shows == 1


def test_cancel_with_a_reason(owner_client, booked):
    response = owner_client.post(f"/appointments/{booked.pk}/cancel/", {"reason": "x" * 300})
    assert response.status_code == 400 and "at most 200" in _content(response)
    response = owner_client.post(f"/appointments/{booked.pk}/cancel/", {"reason": "Ill"})
    assert response.status_code == 302
    with alpha():
        booked.refresh_from_db()
        assert booked.status == AppointmentStatus.CANCELLED and booked.cancel_reason == "Ill"


def test_approve_an_online_request(owner_client, practice):
    request_ = AppointmentFactory(
        staff=practice["anna"],
        service=practice["service"],
        awaiting_approval=True,
        source=Source.ONLINE,
        starts_at=_at(_day(), 11),
    )
    content = _content(owner_client.get(f"/appointments/{request_.pk}/", **HTMX))
    assert "Approve" in content and "Needs approval" in content
    assert owner_client.post(f"/appointments/{request_.pk}/approve/").status_code == 302
    with alpha():
        request_.refresh_from_db()
        assert not request_.awaiting_approval


def test_move_to_another_time_and_staff_member(owner_client, booked, practice):
    day = _day()
    content = _content(owner_client.get(f"/appointments/{booked.pk}/move/", **HTMX))
    assert 'value="10:00"' in content and f'value="{day}"' in content
    response = owner_client.post(
        f"/appointments/{booked.pk}/move/",
        {"staff": practice["ben"].pk, "date": day.isoformat(), "time": "15:00"},
    )
    assert response.status_code == 302
    with alpha():
        booked.refresh_from_db()
        assert booked.staff == practice["ben"] and booked.starts_at == _at(day, 15)
        assert booked.reschedule_count == 1


def test_moving_onto_another_booking_names_the_time_field(owner_client, booked, practice):
    day = _day()
    AppointmentFactory(staff=practice["ben"], service=practice["service"], starts_at=_at(day, 15))
    response = owner_client.post(
        f"/appointments/{booked.pk}/move/",
        {"staff": practice["ben"].pk, "date": day.isoformat(), "time": "15:00"},
        **HTMX,
    )
    content = _content(response)
    assert response.status_code == 200 and "Dr. Ben is not free then" in content
    assert re.search(r'<div id="time-errors" role="alert"><ul class="errors"', content)
    with alpha():
        booked.refresh_from_db()
        assert booked.starts_at == _at(day, 10)


def test_a_cancelled_appointment_cannot_be_moved(owner_client, booked):
    Appointment.objects.filter(pk=booked.pk).update(status=AppointmentStatus.CANCELLED)
    response = owner_client.post(
        f"/appointments/{booked.pk}/move/",
        {"staff": booked.staff_id, "date": _day().isoformat(), "time": "15:00"},
    )
    assert response.status_code == 400 and "Only a booked or confirmed" in _content(response)
