"""Appointments as iCalendar, read back with the icalendar library: the customer's file, the
staff feed, their URLs, and the invite.ics on confirmation and reminder e-mails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context
from icalendar import Calendar

from apps.appointments.models import AppointmentStatus, StaffMember
from apps.appointments.services import (
    appointment_book,
    appointment_ics,
    appointment_manage_url,
    appointment_reschedule,
    staff_feed_ics,
)
from apps.appointments.services.setup import staff_calendar_token_reset
from apps.messaging.models import Message
from apps.messaging.services import message_deliver, message_send
from tests.appointments.factories import (
    AppointmentFactory,
    ServiceFactory,
    StaffMemberFactory,
    week_hours,
)
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN

pytestmark = pytest.mark.usefixtures("tenant")


def next_hour(days: int = 2) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def events(data: bytes) -> list:
    return [c for c in Calendar.from_ical(data).walk() if c.name == "VEVENT"]


@pytest.fixture
def weber():
    return StaffMemberFactory(name="Dr. Weber")


@pytest.fixture
def checkup(weber):
    return ServiceFactory(name="Check-up", staff=[weber])


@pytest.fixture
def appointment(checkup, weber):
    contact = ContactFactory(first_name="Ada", last_name="Lovelace")
    return AppointmentFactory(service=checkup, staff=weber, contact=contact, starts_at=next_hour())


def test_the_customers_file_has_the_appointment_in_utc(appointment):
    calendar = Calendar.from_ical(appointment_ics(appointment))
    assert calendar["METHOD"] == "PUBLISH"
    (event,) = events(appointment_ics(appointment))
    assert str(event["UID"]) == f"appointment-{appointment.pk}@alpha.localhost"
    assert event.decoded("DTSTART") == appointment.starts_at
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DTEND") == appointment.ends_at
    assert str(event["SUMMARY"]) == "Check-up – Alpha Dental"
    assert str(event["URL"]) == appointment_manage_url(appointment=appointment)
    assert int(event["SEQUENCE"]) == 0
    assert str(event["STATUS"]) == "CONFIRMED"


def test_a_move_keeps_the_uid_and_raises_the_sequence(appointment, weber):
    week_hours(weber)
    uid = str(events(appointment_ics(appointment))[0]["UID"])
    moved = appointment_reschedule(
        appointment=appointment, starts_at=next_hour(3), notify=False, allow_outside_hours=True
    )
    (event,) = events(appointment_ics(moved))
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == next_hour(3)


def test_a_cancelled_appointment_says_so(appointment):
    appointment.status = AppointmentStatus.CANCELLED
    (event,) = events(appointment_ics(appointment))
    assert str(event["STATUS"]) == "CANCELLED"


def test_a_request_awaiting_approval_is_tentative(appointment):
    appointment.awaiting_approval = True
    (event,) = events(appointment_ics(appointment))
    assert str(event["STATUS"]) == "TENTATIVE"


def test_the_staff_feed_has_their_bookings_from_a_month_ago_to_half_a_year_ahead(
    appointment, checkup, weber
):
    other = StaffMemberFactory(name="Dr. Klein")
    past = AppointmentFactory(service=checkup, staff=weber, starts_at=next_hour(-20))
    AppointmentFactory(service=checkup, staff=weber, starts_at=next_hour(-40))  # too old
    AppointmentFactory(service=checkup, staff=weber, starts_at=next_hour(200))  # too far
    AppointmentFactory(service=checkup, staff=other, starts_at=next_hour())  # someone else
    AppointmentFactory(
        service=checkup, staff=weber, starts_at=next_hour(4), status=AppointmentStatus.CANCELLED
    )
    feed = Calendar.from_ical(staff_feed_ics(weber))
    assert str(feed["X-WR-CALNAME"]) == "Dr. Weber – Alpha Dental"
    found = {str(e["UID"]): e for e in events(staff_feed_ics(weber))}
    assert set(found) == {f"appointment-{a.pk}@alpha.localhost" for a in (appointment, past)}
    event = found[f"appointment-{appointment.pk}@alpha.localhost"]
    assert str(event["SUMMARY"]) == "Ada Lovelace – Check-up"


# --- the URLs ------------------------------------------------------------------------------------
def manage_path(appointment) -> str:
    return "/" + appointment_manage_url(appointment=appointment).split("/", 3)[3]


def test_add_to_calendar_downloads_the_file(tenant_client, appointment):
    response = tenant_client.get(manage_path(appointment) + "calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    (event,) = events(response.content)
    assert event.decoded("DTSTART") == appointment.starts_at


def test_the_staff_feed_is_behind_its_secret_address(tenant_client, appointment, weber):
    _weber, token = staff_calendar_token_reset(staff=weber)
    response = tenant_client.get(f"/appointments/feed/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert len(events(response.content)) == 1
    assert tenant_client.get("/appointments/feed/not-the-token.ics").status_code == 404
    stored = StaffMember.objects.get(pk=weber.pk).calendar_token_hash
    assert tenant_client.get(f"/appointments/feed/{stored}.ics").status_code == 404


def test_a_new_feed_address_retires_the_old_one(tenant_client, appointment, weber):
    _weber, old = staff_calendar_token_reset(staff=weber)
    _weber, new = staff_calendar_token_reset(staff=weber)
    assert tenant_client.get(f"/appointments/feed/{old}.ics").status_code == 404
    assert tenant_client.get(f"/appointments/feed/{new}.ics").status_code == 200


def test_a_feed_of_alpha_is_a_404_on_betas_host(appointment, weber, other_tenant_client):
    _weber, token = staff_calendar_token_reset(staff=weber)
    with schema_context("beta"):
        response = other_tenant_client.get(f"/appointments/feed/{token}.ics")
    assert response.status_code == 404


# --- e-mails -------------------------------------------------------------------------------------
def calendar_parts(email) -> list:
    return [p for p in email.message().walk() if p.get_content_type() == "text/calendar"]


def test_the_confirmation_email_carries_invite_ics(checkup, weber):
    week_hours(weber)
    contact = ContactFactory(email="ada@example.test", phone="")  # e-mail is the channel
    day = timezone.localdate(timezone=BERLIN) + dt.timedelta(days=2)
    starts_at = dt.datetime.combine(day, dt.time(10), tzinfo=BERLIN)
    appointment = appointment_book(service=checkup, starts_at=starts_at, contact=contact)
    message = Message.objects.get(purpose="appointment_confirmation")
    assert message.related_type == "appointment"
    message_deliver(message_id=message.pk)
    email = mail.outbox[-1]
    (name, content, mimetype) = email.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    (part,) = calendar_parts(email)
    assert part.get_param("method") == "PUBLISH"
    assert part.get_filename() == "invite.ics"
    (event,) = events(part.get_payload(decode=True))
    assert str(event["UID"]) == f"appointment-{appointment.pk}@alpha.localhost"


def test_a_reminder_email_carries_it_and_other_emails_do_not(appointment):
    contact = appointment.contact
    contact.email = "ada@example.test"
    contact.save()
    for purpose in ("appointment_reminder", "survey_invitation"):
        message = message_send(
            contact=contact,
            purpose=purpose,
            channel="email",
            related_type="appointment",
            related_id=str(appointment.pk),
            context={"appointment": {}, "survey": {"link": "x"}},
        )
        message_deliver(message_id=message.pk)
    reminder, survey = mail.outbox[-2:]
    assert [a[0] for a in reminder.attachments] == ["invite.ics"]
    assert survey.attachments == [] and calendar_parts(survey) == []
