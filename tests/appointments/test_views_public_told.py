"""The customer's pages say what really happened and how to reach the business: the
confirmation names where it was sent (or that it was not, and why), a returning customer is
confirmed at the address they typed, the manage page gives the phone as a `tel:` link inside
the notice window, and the reschedule picker offers no time inside it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.appointments.models import Appointment, AppointmentSettings
from apps.appointments.services import appointment_manage_url
from apps.appointments.views.public import start_param
from apps.contacts.models import Contact
from apps.messaging.models import ChannelStats, Message, MessagingSettings
from apps.tenants.middleware import tenant_cache_clear
from tests.appointments.factories import AppointmentFactory, ServiceFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead, local, tomorrow_at

PERSON = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.test",
    "phone": "+49 151 23456789",
}


@pytest.fixture
def checkup(weber):
    return ServiceFactory(name="Check-up", staff=[weber], duration_minutes=30)


@pytest.fixture
def profile(tenant):
    """The business's contact details, as set under Settings → Business profile."""
    tenant.phone, tenant.address = "+493012345678", "Hauptstraße 1\n10115 Berlin"
    tenant.website, tenant.opening_note = "https://alpha-dental.example", "Late on Thursdays"
    tenant.save()
    yield tenant
    tenant_cache_clear()  # the row is rolled back; the routing cache must forget it too


@pytest.fixture
def no_quiet_hours(tenant):
    MessagingSettings.objects.update_or_create(
        pk=1, defaults={"quiet_start": dt.time(0), "quiet_end": dt.time(0)}
    )


def book(client, service, person=PERSON, day_offset=2, hour=10):
    start = local(days_ahead(day_offset), hour)
    url = f"/book/?service={service.pk}&staff=any&start={start_param(start)}"
    response = client.post(url, person)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response, client.get(response["Location"]).content.decode()


def told(page: str) -> str:
    match = re.search(r'id="confirmation-told"[^>]*>(.*?)</(p|div)>', page, re.S)
    assert match, page
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def test_the_confirmation_page_says_it_was_emailed_and_where(tenant_client, checkup):
    _response, page = book(tenant_client, checkup)
    assert told(page) == "We e-mailed you at a…@example.test, with a link to change or cancel."
    assert "Your confirmation is on its way" not in page
    message = Message.objects.get(purpose="appointment_confirmation")
    assert (message.channel, message.to) == ("email", "ada@example.test")


def test_the_confirmation_page_says_it_was_texted_to_a_customer_who_answers_texts(
    tenant_client, checkup, no_quiet_hours
):
    regular = ContactFactory(
        email="ada@example.test", phone="+4915123456789", sms_consent="opted_in"
    )
    ChannelStats.objects.create(contact=regular, channel="sms", delivered=4, answered=4)
    ChannelStats.objects.create(contact=regular, channel="email", delivered=4, answered=0)
    _response, page = book(tenant_client, checkup)
    assert told(page) == "We texted you at …6789, with a link to change or cancel."
    assert Message.objects.get(purpose="appointment_confirmation").channel == "sms"


def test_the_confirmation_page_says_when_nothing_could_be_sent_and_gives_the_phone(
    tenant_client, checkup, profile
):
    ContactFactory(email="ada@example.test", phone="+4915123456789", email_consent="opted_out")
    _response, page = book(tenant_client, checkup)
    text = told(page)
    assert text.startswith("We couldn't send a confirmation: opted out of email")
    assert "Call us at 030 12345678" in text
    assert 'href="tel:+493012345678"' in page
    assert "We e-mailed" not in page


def test_a_returning_customer_is_confirmed_at_the_new_address_they_typed(tenant_client, checkup):
    regular = ContactFactory(first_name="Ada", email="old@example.test", phone="+4915123456789")
    _response, page = book(tenant_client, checkup, {**PERSON, "email": "new@example.test"})
    appointment = Appointment.objects.get()
    assert appointment.contact == regular  # found by the phone number
    message = Message.objects.get(purpose="appointment_confirmation")
    assert (message.channel, message.to) == ("email", "new@example.test")
    assert "n…@example.test" in told(page)
    regular.refresh_from_db()
    assert regular.email == "old@example.test"  # not taken over by whoever typed the number


def test_a_returning_customer_without_an_address_keeps_the_one_they_typed(tenant_client, checkup):
    regular = ContactFactory(first_name="Ada", email="", phone="+4915123456789")
    book(tenant_client, checkup)
    regular.refresh_from_db()
    assert regular.email == "ada@example.test"
    assert Message.objects.get(purpose="appointment_confirmation").to == "ada@example.test"


def test_the_booking_page_shows_how_to_reach_the_business(tenant_client, checkup, profile):
    page = tenant_client.get("/book/").content.decode()
    assert 'href="tel:+493012345678"' in page and "030 12345678" in page
    assert "Hauptstraße 1<br>10115 Berlin" in page
    assert 'href="https://alpha-dental.example"' in page and "Late on Thursdays" in page


def test_inside_the_notice_window_the_manage_page_says_call_us_at_the_number(
    tenant_client, checkup, weber, profile
):
    soon = AppointmentFactory(
        service=checkup, staff=weber, starts_at=timezone.now() + dt.timedelta(hours=3)
    )
    path = "/" + appointment_manage_url(appointment=soon).split("/", 3)[3]
    page = tenant_client.get(path).content.decode()
    assert 'Please call us at <a href="tel:+493012345678">030 12345678</a>.' in page
    assert "Reschedule" not in page


def test_inside_the_notice_window_without_a_phone_it_still_reads_well(
    tenant_client, checkup, weber
):
    soon = AppointmentFactory(
        service=checkup, staff=weber, starts_at=timezone.now() + dt.timedelta(hours=3)
    )
    path = "/" + appointment_manage_url(appointment=soon).split("/", 3)[3]
    page = tenant_client.get(path).content.decode()
    assert "Please call us." in page and "tel:" not in page


def test_the_reschedule_picker_offers_no_time_inside_the_notice_window(
    tenant_client, checkup, weber, frozen_now
):
    """07:00 today with 48 hours' notice: tomorrow's times all start inside it."""
    AppointmentSettings.objects.update_or_create(pk=1, defaults={"cancellation_notice_hours": 48})
    booked = AppointmentFactory(service=checkup, staff=weber, starts_at=local(days_ahead(3), 10))
    base = "/" + appointment_manage_url(appointment=booked).split("/", 3)[3] + "reschedule/"
    tomorrow = days_ahead(1)
    page = tenant_client.get(base + f"?date={tomorrow.isoformat()}").content.decode()
    offered = {
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        for value in re.findall(r'data-start="([^"]+)"', page)
    }
    earliest = frozen_now + dt.timedelta(hours=48)
    assert offered and min(offered) >= earliest
    assert tomorrow_at(9) not in offered
    # and a crafted request for such a time is refused with a reason, not moved
    response = tenant_client.post(base, {"start": start_param(tomorrow_at(9))})
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == local(days_ahead(3), 10)
    page = tenant_client.get(response["Location"]).content.decode()
    assert "at least 48 hours ahead" in page


def test_a_customer_cancelling_online_is_sent_a_confirmation_of_it(
    tenant_client, checkup, weber, frozen_now
):
    booked = AppointmentFactory(
        service=checkup,
        staff=weber,
        starts_at=local(days_ahead(3), 10),
        contact=ContactFactory(email="pat@example.test"),
    )
    path = "/" + appointment_manage_url(appointment=booked).split("/", 3)[3]
    tenant_client.post(path + "cancel/")
    tenant_client.post(path + "cancel/")  # a double click
    sent = Message.objects.filter(related_id=str(booked.pk))
    assert [m.purpose for m in sent] == ["appointment_cancelled_by_customer"]
    assert Contact.objects.count() == 1
