"""Appointments' share of a merge, a privacy export and an erasure."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.appointments.models import Appointment, WaitlistEntry
from apps.contacts.services.merge import contacts_merge
from apps.contacts.services.privacy import contact_erase, contact_export_data
from tests.appointments.factories import (
    AppointmentFactory,
    ServiceFactory,
    StaffMemberFactory,
    WaitlistEntryFactory,
)
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _hour(days: int) -> dt.datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=days)


# --- merge -------------------------------------------------------------------------------------
def test_merge_moves_the_appointments_and_the_waitlist(tenant, owner):
    survivor, other = ContactFactory.create_batch(2)
    staff = StaffMemberFactory()
    mine = AppointmentFactory(contact=survivor, staff=staff, starts_at=_hour(2))
    theirs = AppointmentFactory(contact=other, staff=staff, starts_at=_hour(3), status="cancelled")
    waiting = WaitlistEntryFactory(contact=other)

    contacts_merge(survivor=survivor, others=[other], actor=owner)

    assert set(Appointment.objects.values_list("pk", "contact_id", "status")) == {
        (mine.pk, survivor.pk, "booked"),
        (theirs.pk, survivor.pk, "cancelled"),
    }
    assert WaitlistEntry.objects.get(pk=waiting.pk).contact_id == survivor.pk


def test_a_wish_both_had_open_on_the_waitlist_stays_open_once(tenant, owner):
    survivor, other = ContactFactory.create_batch(2)
    service = ServiceFactory()
    first = timezone.localdate() + dt.timedelta(days=3)
    wish = dict(service=service, date_from=first, date_to=first + dt.timedelta(days=5))
    mine = WaitlistEntryFactory(contact=survivor, **wish)
    same = WaitlistEntryFactory(contact=other, **wish)
    other_dates = WaitlistEntryFactory(contact=other, service=service, date_from=first)
    done_before = WaitlistEntryFactory(contact=other, status="booked", **wish)

    contacts_merge(survivor=survivor, others=[other], actor=owner)

    statuses = dict(WaitlistEntry.objects.values_list("pk", "status"))
    assert statuses == {
        mine.pk: "waiting",
        same.pk: "cancelled",
        other_dates.pk: "waiting",
        done_before.pk: "booked",
    }
    assert set(WaitlistEntry.objects.values_list("contact_id", flat=True)) == {survivor.pk}


# --- erase -------------------------------------------------------------------------------------
def test_erase_clears_notes_and_reasons_and_keeps_the_calendar(tenant, owner):
    contact, other = ContactFactory.create_batch(2)
    staff = StaffMemberFactory()
    visit = AppointmentFactory(
        contact=contact,
        staff=staff,
        starts_at=_hour(-3),
        status="completed",
        notes="Allergic to latex",
        price=Decimal("95.00"),
    )
    called_off = AppointmentFactory(
        contact=contact,
        staff=staff,
        starts_at=_hour(4),
        status="cancelled",
        cancel_reason="My mother is in hospital",
        cancelled_at=_hour(1),
    )
    theirs = AppointmentFactory(contact=other, staff=staff, starts_at=_hour(5), notes="Kept")
    waiting = WaitlistEntryFactory(contact=contact)

    contact_erase(contact=contact, actor=owner)

    visit.refresh_from_db()
    called_off.refresh_from_db()
    assert (visit.notes, visit.status, visit.price) == ("", "completed", Decimal("95.00"))
    assert (called_off.cancel_reason, called_off.status, called_off.cancelled_at) == (
        "",
        "cancelled",
        _hour(1),
    )
    assert (visit.starts_at, visit.staff_id, visit.service_id) == (
        _hour(-3),
        staff.pk,
        visit.service_id,
    )
    assert Appointment.objects.get(pk=theirs.pk).notes == "Kept"
    assert WaitlistEntry.objects.get(pk=waiting.pk).status == "waiting"


# --- export ------------------------------------------------------------------------------------
def test_export_has_the_appointments_and_the_waitlist(tenant):
    contact = ContactFactory()
    staff = StaffMemberFactory(name="Dr. Weber")
    service = ServiceFactory(name="Check-up", price=80)
    visit = AppointmentFactory(
        contact=contact,
        staff=staff,
        service=service,
        starts_at=_hour(-3),
        status="completed",
        notes="Allergic to latex",
    )
    entry = WaitlistEntryFactory(contact=contact, service=service, staff=staff)

    section = contact_export_data(contact)["appointments"]

    [appointment] = section["appointments"]
    assert {k: appointment[k] for k in ("service", "staff", "status", "notes", "price")} == {
        "service": "Check-up",
        "staff": "Dr. Weber",
        "status": "completed",
        "notes": "Allergic to latex",
        "price": "80.00",
    }
    assert (appointment["starts_at"], appointment["ends_at"]) == (
        visit.starts_at.isoformat(),
        visit.ends_at.isoformat(),
    )
    [waiting] = section["waitlist"]
    assert waiting == {
        "id": entry.pk,
        "service": "Check-up",
        "staff": "Dr. Weber",
        "date_from": entry.date_from.isoformat(),
        "date_to": entry.date_to.isoformat(),
        "status": "waiting",
        "notified_at": None,
        "created": entry.created.isoformat(),
    }
