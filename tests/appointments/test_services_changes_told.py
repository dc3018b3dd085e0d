"""Every change is told: cancelled by the practice, cancelled by the customer (their
confirmation), moved (old and new time, not another "you're booked") and a request declined.
One message of the right purpose each, also when the action is retried."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_status_set,
)
from apps.messaging.models import Message
from apps.messaging.registries import purposes
from apps.messaging.services.templates import template_render
from tests.appointments.factories import ServiceFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN

DAY = dt.date(2027, 3, 3)
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)
NEW_PURPOSES = [
    "appointment_cancelled",
    "appointment_cancelled_by_customer",
    "appointment_moved",
    "booking_declined",
]

pytestmark = pytest.mark.usefixtures("tenant")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def checkup(weber):
    return ServiceFactory(name="Check-up", staff=[weber])


def book(service, **kwargs):
    kwargs.setdefault("contact", ContactFactory(language="en"))
    return appointment_book(service=service, starts_at=at(9), source="online", now=NOW, **kwargs)


def told(appointment) -> list[str]:
    return list(
        Message.objects.filter(related_type="appointment", related_id=str(appointment.pk))
        .order_by("pk")
        .values_list("purpose", flat=True)
    )


def test_the_practice_cancelling_tells_the_customer_once(checkup):
    appointment = book(checkup)
    for _retry in range(2):
        appointment_cancel(appointment=appointment, reason="dentist ill", now=NOW)
    assert told(appointment) == ["appointment_confirmation", "appointment_cancelled"]
    message = Message.objects.get(purpose="appointment_cancelled")
    assert "Wednesday 3 March 2027, 09:00" in message.body
    assert "/book/?service=" in message.body  # a new time is one click away


def test_cancelling_through_the_status_is_told_the_same_way(checkup):
    appointment = book(checkup)
    appointment_status_set(appointment=appointment, status="cancelled", now=NOW)
    appointment_status_set(appointment=appointment, status="cancelled", now=NOW)
    assert told(appointment) == ["appointment_confirmation", "appointment_cancelled"]


def test_a_customer_cancelling_online_gets_a_confirmation_of_it_once(checkup):
    appointment = book(checkup)
    for _retry in range(2):
        appointment_cancel(appointment=appointment, by_customer=True, now=NOW)
    assert told(appointment) == [
        "appointment_confirmation",
        "appointment_cancelled_by_customer",
    ]


def test_a_move_tells_the_old_and_new_time_once_and_is_not_another_booking(checkup):
    appointment = book(checkup)
    for _retry in range(2):
        appointment_reschedule(appointment=appointment, starts_at=at(10, 30), now=NOW)
    assert told(appointment) == ["appointment_confirmation", "appointment_moved"]
    message = Message.objects.get(purpose="appointment_moved")
    assert "10:30" in message.subject
    assert "New: Wednesday 3 March 2027, 10:30" in message.body
    assert "No longer: Wednesday 3 March 2027, 09:00" in message.body
    assert "booked" not in message.subject.lower()


def test_two_moves_are_two_messages(checkup):
    appointment = book(checkup)
    appointment_reschedule(appointment=appointment, starts_at=at(10), now=NOW)
    appointment_reschedule(appointment=appointment, starts_at=at(11), now=NOW)
    assert told(appointment) == [
        "appointment_confirmation",
        "appointment_moved",
        "appointment_moved",
    ]


def test_declining_a_request_tells_the_customer_once(weber):
    asks_first = ServiceFactory(name="Implant consult", staff=[weber], needs_confirmation=True)
    appointment = book(asks_first)
    assert appointment.awaiting_approval and told(appointment) == []
    for _retry in range(2):
        appointment_cancel(appointment=appointment, reason="not for us", now=NOW)
    assert told(appointment) == ["booking_declined"]


def test_a_past_appointment_cannot_be_cancelled_afterwards_and_tells_nobody(checkup):
    appointment = book(checkup)
    later = at(9, 5).astimezone(dt.UTC)
    with pytest.raises(ValidationError) as refused:  # a started visit is checked in or not
        appointment_cancel(appointment=appointment, now=later)
    assert refused.value.error_dict["status"][0].code == "started"
    assert told(appointment) == ["appointment_confirmation"]


def test_notify_false_cancels_quietly(checkup):
    appointment = book(checkup)
    appointment_cancel(appointment=appointment, notify=False, now=NOW)
    assert told(appointment) == ["appointment_confirmation"]


@pytest.mark.parametrize("purpose", NEW_PURPOSES)
@pytest.mark.parametrize(
    ("language", "word"),
    [("en", "Check-up"), ("fr", "Check-up"), ("es", "Check-up")],
)
def test_each_new_purpose_renders_in_english_french_and_spanish(purpose, language, word):
    contact = ContactFactory(first_name="Zoé", language=language)
    context = {
        "appointment": {
            "starts_at": "mercredi 3 mars 2027, 09:00",
            "previous_starts_at": "mardi 2 mars 2027, 10:00",
            "service": "Check-up",
            "staff": "Dr. Weber",
            "confirm_link": "http://alpha.localhost:8000/book/manage/x/",
        },
        "booking_link": "http://alpha.localhost:8000/book/",
    }
    defaults = purposes[purpose].defaults
    for channel in ("email", "sms"):
        rendered = template_render(
            purpose=purpose, channel=channel, contact=contact, context=context
        )
        assert rendered.language == language
        assert word in rendered.body and "mercredi 3 mars 2027" in rendered.body
        assert "{{" not in rendered.body
        if purpose == "appointment_moved":
            assert "mardi 2 mars 2027" in rendered.body
        else:
            assert "http://alpha.localhost:8000/book/" in rendered.body
        if channel == "email":
            assert rendered.subject and "Zoé" in rendered.body
        assert defaults[(channel, language)][1] != defaults[(channel, "en")][1] or language == "en"
