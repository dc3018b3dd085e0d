"""The public booking page, step by step, and the customer's own link (move, cancel)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.appointments.models import (
    Appointment,
    AppointmentSettings,
    AppointmentStatus,
    WaitlistEntry,
)
from apps.appointments.services import appointment_manage_url
from apps.appointments.services.links import appointment_from_token
from apps.appointments.views.public import start_param
from apps.contacts.models import ConsentStatus, Contact
from tests.appointments.factories import (
    AppointmentFactory,
    ServiceFactory,
    StaffMemberFactory,
)
from tests.conftest import host_of
from tests.helpers.clock import days_ahead, local, tomorrow_at

BOOK = "/book/"
PERSON = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.test",
    "phone": "+49 151 23456789",
    "sms_opt_in": "on",
}


def tomorrow() -> dt.date:
    return days_ahead(1)


def at(hour: int, minute: int = 0, day: dt.date | None = None) -> dt.datetime:
    return local(day or tomorrow(), hour, minute)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def checkup(weber, klein):
    return ServiceFactory(name="Check-up", staff=[weber, klein], price=80, duration_minutes=30)


def book_url(service, staff="any", **params) -> str:
    query = "&".join(
        f"{k}={v}" for k, v in {"service": service.pk, "staff": staff, **params}.items()
    )
    return f"{BOOK}?{query}"


# --- choosing ------------------------------------------------------------------------------------
def test_the_first_step_lists_the_online_services_with_duration_and_price(
    tenant_client, checkup, weber
):
    ServiceFactory(name="Surgery", staff=[weber], online=False)
    ServiceFactory(name="Old whitening", staff=[weber], active=False)
    ServiceFactory(name="Nobody does this")
    AppointmentSettings.objects.update_or_create(pk=1, defaults={"booking_intro": "Welcome!"})
    response = tenant_client.get(BOOK)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check-up" in page and "30 min" in page and "80 EUR" in page  # the practice's
    assert "Welcome!" in page
    for hidden in ("Surgery", "Old whitening", "Nobody does this"):
        assert hidden not in page


def test_closed_booking_is_a_friendly_page(tenant_client, checkup):
    AppointmentSettings.objects.update_or_create(pk=1, defaults={"online_booking": False})
    for url in (BOOK, book_url(checkup), f"/book/waitlist/?service={checkup.pk}"):
        response = tenant_client.get(url)
        assert response.status_code == 200
        assert "Online booking is closed" in response.content.decode()


def test_the_staff_step_offers_anyone_and_each_person_bookable_online(
    tenant_client, checkup, weber, klein
):
    hidden = StaffMemberFactory(name="Dr. Hidden", bookable_online=False)
    checkup.staff.add(hidden)
    page = tenant_client.get(f"{BOOK}?service={checkup.pk}").content.decode()
    assert "Who would you like to see?" in page
    assert "Anyone available" in page and "Dr. Weber" in page and "Dr. Klein" in page
    assert "Dr. Hidden" not in page
    assert f"staff={weber.pk}" in page


def test_a_service_one_person_performs_skips_the_staff_step(tenant_client, weber):
    solo = ServiceFactory(name="Cleaning", staff=[weber])
    page = tenant_client.get(f"{BOOK}?service={solo.pk}").content.decode()
    assert "Choose a day and time" in page


def test_an_unknown_service_goes_back_to_the_list(tenant_client, checkup):
    page = tenant_client.get(f"{BOOK}?service=999999").content.decode()
    assert "cannot be booked online" in page
    assert "Check-up" in page


def test_the_time_step_shows_days_and_times_in_bounded_queries(
    tenant_client, checkup, weber, django_assert_max_num_queries
):
    AppointmentFactory(service=checkup, staff=weber, starts_at=at(9).astimezone(dt.UTC))
    AppointmentSettings.objects.get_or_create(pk=1)
    # routing 3, settings, service, staff 2, hours, one-off hours, holidays, time off, bookings
    with django_assert_max_num_queries(13):
        response = tenant_client.get(book_url(checkup, date=tomorrow().isoformat()))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="slot-picker"' in page
    assert 'aria-current="date"' in page
    assert tomorrow().strftime("%A") in page
    assert ">09:00<" in page  # Dr. Klein is still free at nine
    assert ">11:30<" in page and ">12:00<" not in page
    assert "Times are in Central European Time (Berlin)." in page
    assert "start=" + start_param(at(9, 30)).replace(":", "%3A") in page


def test_one_person_is_busy_so_their_times_are_not_offered(tenant_client, checkup, weber):
    AppointmentFactory(service=checkup, staff=weber, starts_at=at(9).astimezone(dt.UTC))
    page = tenant_client.get(
        book_url(checkup, staff=weber.pk, date=tomorrow().isoformat())
    ).content.decode()
    assert ">09:00<" not in page and ">09:30<" in page


def test_a_recall_link_opens_on_the_service_and_day(tenant_client, checkup):
    day = tomorrow() + dt.timedelta(days=3)
    page = tenant_client.get(
        f"{BOOK}?service={checkup.pk}&date={day.isoformat()}&staff=any"
    ).content.decode()
    assert day.strftime("%A %-d %B %Y") in page


def test_htmx_gets_only_the_picker(tenant_client, checkup):
    response = tenant_client.get(book_url(checkup), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="slot-picker"')
    assert "<html" not in page


def test_later_days_are_one_click_away(tenant_client, checkup):
    page = tenant_client.get(book_url(checkup)).content.decode()
    later = tomorrow() + dt.timedelta(days=13)
    assert f"from={later.isoformat()}" in page  # today + 14 days
    page = tenant_client.get(book_url(checkup, **{"from": later.isoformat()})).content.decode()
    assert later.strftime("%-d %b") in page and "Earlier" in page


def test_no_free_time_offers_the_next_free_day_and_the_waitlist(tenant_client, weber):
    far = ServiceFactory(name="Implant", staff=[weber], min_notice_minutes=60 * 24 * 20)
    page = tenant_client.get(book_url(far)).content.decode()
    assert "There are no free times in these days." in page
    assert "Next free day" in page
    assert "Join the waitlist" in page and "/book/waitlist/?service=" in page


# --- details and booking -------------------------------------------------------------------------
def test_booking_matches_the_contact_and_shows_the_confirmation(tenant_client, checkup):
    url = book_url(checkup, start=start_param(at(10)))
    form = tenant_client.get(url)
    assert form.status_code == 200
    assert "Your details" in form.content.decode() and "Text me reminders" in form.content.decode()
    response = tenant_client.post(url, {**PERSON, "notes": "Sensitive teeth"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert appointment.source == "online" and appointment.starts_at == at(10)
    assert appointment.notes == "Sensitive teeth"
    contact = Contact.objects.get(email="ada@example.test")
    assert appointment.contact == contact and contact.sms_consent == ConsentStatus.OPTED_IN
    assert contact.email_consent != ConsentStatus.OPTED_IN  # no news unless asked for
    page = tenant_client.get(response["Location"]).content.decode()
    assert "You&#x27;re booked" in page or "You're booked" in page
    assert "Check-up" in page and appointment.staff.name in page
    assert f"{at(10):%H:%M} Central European Time (Berlin)" in page
    # the links carry this appointment's token (signed when the page was drawn: its time
    # stamp may be a second older than one signed now, so the token is read, not compared)
    manage = path_of(appointment_manage_url(appointment=appointment))
    prefix = manage.split("/manage/")[0] + "/manage/"
    tokens = re.findall(rf'href="{re.escape(prefix)}([^/"]+)/(calendar\.ics)?"', page)
    assert {ics for _token, ics in tokens} == {"", "calendar.ics"}
    assert {appointment_from_token(token=token) for token, _ics in tokens} == {appointment}


def test_a_booking_that_needs_approval_says_the_practice_will_confirm(tenant_client, checkup):
    checkup.needs_confirmation = True
    checkup.save()
    response = tenant_client.post(book_url(checkup, start=start_param(at(10))), PERSON)
    page = tenant_client.get(response["Location"]).content.decode()
    assert "Request received" in page and "will confirm" in page


def test_missing_details_name_each_field_and_write_nothing(tenant_client, checkup):
    response = tenant_client.post(book_url(checkup, start=start_param(at(10))), {})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) >= {"first_name", "last_name", "email", "phone"}
    assert 'id="id_phone"' in response.content.decode()
    assert not Appointment.objects.exists() and not Contact.objects.exists()


def test_a_bad_phone_number_is_named_by_the_booking_rules(tenant_client, checkup):
    data = {**PERSON, "phone": "12"}
    response = tenant_client.post(book_url(checkup, start=start_param(at(10))), data)
    assert response.status_code == 400
    assert "valid mobile number" in str(response.context["form"].errors["phone"])
    assert not Contact.objects.exists()


def test_the_honeypot_stops_robots(tenant_client, checkup):
    data = {**PERSON, "website": "http://spam.test"}
    response = tenant_client.post(book_url(checkup, start=start_param(at(10))), data)
    assert response.status_code == 400
    assert not Appointment.objects.exists()


def test_a_time_that_is_no_longer_free_goes_back_to_the_times(tenant_client, checkup, weber, klein):
    for staff in (weber, klein):
        AppointmentFactory(service=checkup, staff=staff, starts_at=at(10).astimezone(dt.UTC))
    response = tenant_client.get(book_url(checkup, start=start_param(at(10))))
    assert response.status_code == 302
    assert "start=" not in response["Location"]
    assert f"date={tomorrow().isoformat()}" in response["Location"]


def test_a_lost_race_shows_the_next_free_times_and_keeps_the_details(
    tenant_client, checkup, weber, klein
):
    for staff in (weber, klein):  # taken between the look and the click
        AppointmentFactory(service=checkup, staff=staff, starts_at=at(10).astimezone(dt.UTC))
    contacts_before = Contact.objects.count()
    response = tenant_client.post(book_url(checkup, start=start_param(at(10))), PERSON)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Sorry, that time was just taken" in page
    assert (
        f"Book {at(10, 30):%A}" in page
        and f"{at(10, 30):%H:%M} Central European Time (Berlin)" in page
    )
    assert re.search(r'formaction="/book/\?[^"]*start=', page)
    assert 'name="email" value="ada@example.test"' in page
    assert 'id="slot-picker"' in page  # and the rest of that day
    assert Contact.objects.count() == contacts_before  # nothing half-written


# --- the customer's own link ---------------------------------------------------------------------
@pytest.fixture
def booked(checkup, weber, frozen_now):
    """Tomorrow at 10:00, more than the 24 hours' notice the customer needs to change it."""
    return AppointmentFactory(service=checkup, staff=weber, starts_at=tomorrow_at(10))


def manage_path(appointment) -> str:
    return path_of(appointment_manage_url(appointment=appointment))


def test_the_manage_page_offers_reschedule_and_cancel_within_the_policy(tenant_client, booked):
    page = tenant_client.get(manage_path(booked)).content.decode()
    assert "Check-up" in page and "Dr. Weber" in page
    assert "Reschedule" in page and "Cancel appointment" in page


def test_with_online_booking_closed_a_customer_may_still_cancel(tenant_client, booked):
    AppointmentSettings.objects.update_or_create(pk=1, defaults={"online_booking": False})
    page = tenant_client.get(manage_path(booked)).content.decode()
    assert "Cancel appointment" in page and "Reschedule" not in page
    assert tenant_client.get(manage_path(booked) + "reschedule/").status_code == 302


def test_too_late_to_change_online_explains_the_policy(tenant_client, checkup, weber):
    soon = AppointmentFactory(
        service=checkup, staff=weber, starts_at=timezone.now() + dt.timedelta(hours=3)
    )
    page = tenant_client.get(manage_path(soon)).content.decode()
    assert "Reschedule" not in page
    assert "up to 24 hours before" in page and "Please call us" in page
    assert tenant_client.get(manage_path(soon) + "cancel/").status_code == 302
    assert tenant_client.post(manage_path(soon) + "cancel/").status_code == 302
    soon.refresh_from_db()
    assert soon.status == AppointmentStatus.BOOKED


def test_a_broken_link_is_a_friendly_404(tenant_client, booked):
    for suffix in ("", "cancel/", "reschedule/", "calendar.ics", "booked/"):
        response = tenant_client.get(f"/book/manage/not-a-token/{suffix}")
        assert response.status_code == 404
        assert "We could not find this appointment" in response.content.decode()


def test_a_link_of_alpha_is_a_404_on_betas_host(tenant, booked, other_tenant_client):
    path = manage_path(booked)
    with schema_context("beta"):
        for suffix in ("", "calendar.ics", "cancel/"):
            assert other_tenant_client.get(path + suffix).status_code == 404


def test_reschedule_picks_a_new_time_confirms_and_moves(tenant_client, booked):
    base = manage_path(booked) + "reschedule/"
    page = tenant_client.get(base + f"?date={tomorrow().isoformat()}").content.decode()
    assert ">10:00<" in page  # its own time counts as free
    confirm = tenant_client.get(base + f"?start={start_param(at(11))}").content.decode()
    assert (
        "Move to this time?" in confirm
        and f"{at(11):%H:%M} Central European Time (Berlin)" in confirm
    )
    response = tenant_client.post(base, {"start": start_param(at(11))})
    assert response.status_code == 302 and response["Location"] == base.removesuffix("reschedule/")
    booked.refresh_from_db()
    assert booked.starts_at == at(11) and booked.reschedule_count == 1
    page = tenant_client.get(response["Location"]).content.decode()
    assert (
        "Your appointment is moved." in page
        and f"{at(11):%H:%M} Central European Time (Berlin)" in page
    )


def test_reschedule_to_a_taken_time_shows_the_next_ones(tenant_client, booked, checkup, klein):
    for staff in (klein, booked.staff):  # taken by others since the customer looked
        AppointmentFactory(service=checkup, staff=staff, starts_at=at(11).astimezone(dt.UTC))
    response = tenant_client.post(
        manage_path(booked) + "reschedule/?staff=any", {"start": start_param(at(11))}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Sorry, that time was just taken" in page and "Move to" in page
    booked.refresh_from_db()
    assert booked.starts_at == at(10)


def test_cancel_asks_then_cancels_and_offers_to_book_again(tenant_client, booked):
    path = manage_path(booked)
    assert "Cancel this appointment?" in tenant_client.get(path + "cancel/").content.decode()
    response = tenant_client.post(path + "cancel/")
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    page = tenant_client.get(path).content.decode()
    assert "This appointment is cancelled." in page and "Book a new appointment" in page
    assert "Reschedule" not in page


# --- waitlist ------------------------------------------------------------------------------------
def test_joining_the_waitlist_matches_the_contact(tenant_client, checkup):
    day = tomorrow()
    url = f"/book/waitlist/?service={checkup.pk}&staff=any"
    assert "Join the waitlist" in tenant_client.get(url).content.decode()
    data = {**PERSON, "date_from": day.isoformat(), "date_to": (day + dt.timedelta(7)).isoformat()}
    response = tenant_client.post(url, data)
    assert response.status_code == 302
    entry = WaitlistEntry.objects.get()
    assert entry.service == checkup and entry.contact.email == "ada@example.test"
    assert entry.date_from == day and entry.staff is None
    assert "on the waitlist" in tenant_client.get(response["Location"]).content.decode()


def test_waitlist_dates_the_wrong_way_round_are_named(tenant_client, checkup):
    day = tomorrow()
    data = {**PERSON, "date_from": day.isoformat(), "date_to": (day - dt.timedelta(2)).isoformat()}
    response = tenant_client.post(f"/book/waitlist/?service={checkup.pk}", data)
    assert response.status_code == 400
    assert "date_to" in response.context["form"].errors
    assert not WaitlistEntry.objects.exists() and not Contact.objects.exists()


# --- other businesses ----------------------------------------------------------------------------
def test_the_booking_page_of_beta_shows_none_of_alphas_services(checkup, other_tenant_client):
    with schema_context("beta"):
        page = other_tenant_client.get(BOOK).content.decode()
        assert "Check-up" not in page
        assert other_tenant_client.get(book_url(checkup)).status_code == 200  # the list again


def test_the_urls_are_where_the_links_say(tenant):
    assert reverse("appointments:booking_start") == BOOK
    assert reverse("appointments:staff_feed", args=["abc"]) == "/appointments/feed/abc.ics"
    assert host_of(tenant) == "alpha.localhost"
