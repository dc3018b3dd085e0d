"""Booking for a customer as typed (the public page, the API, the front desk): one service
matches the customer and books, in one transaction online, keeping the new contact at the
front desk; the public waitlist matches the same way."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from apps.appointments.models import Appointment, WaitlistEntry
from apps.appointments.services import (
    CustomerDetails,
    SlotTaken,
    appointment_book_for_customer,
    customer_details_clean,
    customer_errors_renamed,
    waitlist_join,
)
from apps.contacts.models import ConsentStatus, Contact
from tests.appointments.factories import AppointmentFactory, ServiceFactory
from tests.contacts.factories import ContactFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DAY = dt.date(2027, 3, 3)
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)
ADA = CustomerDetails(
    first_name="Ada", last_name="Lovelace", email="Ada@Example.test", phone="0151 23456789"
)

pytestmark = pytest.mark.usefixtures("tenant")


def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour, minute), tzinfo=BERLIN)


@pytest.fixture
def checkup(weber):
    return ServiceFactory(name="Check-up", staff=[weber])


def book(service, starts_at, **kwargs):
    kwargs.setdefault("source", "online")
    return appointment_book_for_customer(service=service, starts_at=starts_at, now=NOW, **kwargs)


def test_a_new_customer_becomes_a_contact_and_is_booked(checkup):
    appointment = book(checkup, at(9), customer=ADA)
    contact = Contact.objects.get()
    assert appointment.contact == contact and appointment.source == "online"
    assert (contact.email, contact.phone, contact.source) == (
        "ada@example.test",
        "+4915123456789",
        "online booking",
    )


def test_a_returning_customer_is_matched_by_email_then_by_phone(checkup):
    by_email = ContactFactory(email="ada@example.test", phone="")
    by_phone = ContactFactory(email="other@example.test", phone="+4915199999999")
    first = book(checkup, at(9), customer=ADA)
    second = book(
        checkup,
        at(10),
        customer=CustomerDetails(
            first_name="A", last_name="B", email="new@example.test", phone="+49 151 99999999"
        ),
    )
    assert (first.contact, second.contact) == (by_email, by_phone)
    assert Contact.objects.count() == 2
    by_email.refresh_from_db()
    assert by_email.phone == "+4915123456789"  # filled in, as it was not known


def test_a_known_contact_is_booked_as_given(checkup):
    contact = ContactFactory()
    assert book(checkup, at(9), contact=contact).contact == contact


def test_the_public_forms_opt_ins_are_recorded_as_consent(checkup):
    book(checkup, at(9), customer=CustomerDetails(**{**ADA.__dict__, "sms_opt_in": True}))
    contact = Contact.objects.get()
    assert contact.sms_consent == ConsentStatus.OPTED_IN
    assert contact.email_consent != ConsentStatus.OPTED_IN


def test_online_a_lost_race_leaves_no_new_contact_and_offers_the_next_times(checkup, weber):
    taker = AppointmentFactory(service=checkup, staff=weber, starts_at=at(9)).contact
    with pytest.raises(SlotTaken) as taken:
        book(checkup, at(9), customer=ADA)
    assert taken.value.contact is None and taken.value.next_slots
    assert list(Contact.objects.all()) == [taker]


def test_online_a_refused_time_leaves_no_new_contact_either(checkup):
    with pytest.raises(ValidationError) as exc:
        book(checkup, at(20), customer=ADA)  # outside the hours
    assert "starts_at" in exc.value.message_dict
    assert not Contact.objects.exists()


def test_at_the_front_desk_a_lost_race_keeps_the_new_customer(checkup, weber):
    AppointmentFactory(service=checkup, staff=weber, starts_at=at(9))
    noor = CustomerDetails(first_name="Noor", phone="0151 2345 6789")
    with pytest.raises(SlotTaken) as taken:
        book(checkup, at(9), customer=noor, staff=weber, source="staff")
    kept = Contact.objects.get(first_name="Noor")
    assert taken.value.contact == kept and kept.source == "front desk"
    # the next try books the same person
    assert book(checkup, at(10), customer=noor, staff=weber, source="staff").contact == kept
    assert Contact.objects.filter(first_name="Noor").count() == 1


@pytest.mark.parametrize(
    "who",
    [{}, {"contact": "both", "customer": ADA}],
)
def test_either_a_contact_or_the_customer_s_details(checkup, who):
    if who.get("contact") == "both":
        who = {**who, "contact": ContactFactory()}
    with pytest.raises(ValidationError) as exc:
        book(checkup, at(9), **who)
    assert "contact" in exc.value.message_dict
    assert not Appointment.objects.exists()


def test_online_rules_name_every_bad_field_and_write_nothing(checkup):
    bad = CustomerDetails(first_name=" ", last_name="", email="nope", phone="12")
    with pytest.raises(ValidationError) as exc:
        book(checkup, at(9), customer=bad)
    assert set(exc.value.message_dict) == {"first_name", "last_name", "email", "phone"}
    assert not Contact.objects.exists() and not Appointment.objects.exists()


def test_the_front_desk_needs_only_a_first_name_and_a_way_to_reach_them():
    assert customer_details_clean(
        customer=CustomerDetails(first_name="Noor", email="NOOR@example.test"), source="staff"
    ) == CustomerDetails(first_name="Noor", email="noor@example.test")
    with pytest.raises(ValidationError) as exc:
        customer_details_clean(customer=CustomerDetails(last_name="Haddad"), source="staff")
    assert set(exc.value.message_dict) == {"first_name", "phone"}
    with pytest.raises(ValidationError):  # online, the same is not enough
        customer_details_clean(
            customer=CustomerDetails(first_name="Noor", email="noor@example.test"),
            source="online",
        )


def test_customer_errors_are_renamed_for_the_adapter_and_the_rest_kept():
    exc = ValidationError({"phone": "bad", "starts_at": "taken"})
    renamed = customer_errors_renamed(exc, prefix="contact_details.")
    assert renamed.message_dict == {"contact_details.phone": ["bad"], "starts_at": ["taken"]}


# --- the public waitlist -----------------------------------------------------------------------
def test_joining_the_waitlist_with_details_matches_the_contact(checkup):
    known = ContactFactory(email="ada@example.test")
    entry = waitlist_join(customer=ADA, service=checkup, date_from=DAY, date_to=DAY, now=NOW)
    assert entry.contact == known and Contact.objects.count() == 1


def test_a_refused_wish_names_the_customer_s_and_the_dates_mistakes_and_writes_nothing(checkup):
    bad = CustomerDetails(first_name="Ada", last_name="L", email="ada@", phone="+4915123456789")
    with pytest.raises(ValidationError) as exc:
        waitlist_join(
            customer=bad,
            service=checkup,
            date_from=DAY,
            date_to=DAY - dt.timedelta(days=1),
            now=NOW,
        )
    assert set(exc.value.message_dict) == {"email", "date_to"}
    with pytest.raises(ValidationError):
        waitlist_join(
            customer=ADA, service=checkup, date_from=DAY, date_to=DAY - dt.timedelta(days=1)
        )
    assert not Contact.objects.exists() and not WaitlistEntry.objects.exists()
