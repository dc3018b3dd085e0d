"""Real threads, each with its own PostgreSQL connection, racing for the same time: the
exclusion constraints let exactly one win, and every loser hears "just taken"."""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import connection, transaction

from apps.appointments.models import Appointment, AppointmentSettings, StaffMember
from apps.appointments.selectors.availability import slot_at
from apps.appointments.services import (
    CustomerDetails,
    SlotTaken,
    appointment_book,
    appointment_book_for_customer,
    booking,
    booking_contact_match,
)
from apps.contacts.models import Contact
from tests.appointments.factories import RoomFactory, ServiceFactory, StaffMemberFactory, week_hours
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN
from tests.helpers.threads import run_together

SLOT = dt.datetime(2027, 3, 3, 10, tzinfo=BERLIN)
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)


def race(tenant, attempts: list) -> Counter:
    """Run the attempts together; count who booked, who heard "just taken" with the next
    times, and anything else (which fails the test)."""

    def outcome(result) -> str:
        if isinstance(result, SlotTaken):
            return "taken" if "just taken" in result.message and result.next_slots else "taken-bare"
        if isinstance(result, Exception):
            return f"error: {type(result).__name__}: {result}"
        return "booked"

    return Counter(outcome(r) for r in run_together(attempts, tenant=tenant))


def test_thirty_customers_race_for_one_slot_and_exactly_one_gets_it(committed_tenant):
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(9), dt.time(17))
    service = ServiceFactory(staff=[staff], buffer_after_minutes=10)
    contacts = [ContactFactory() for _ in range(30)]

    def attempt(contact):
        return lambda: appointment_book(
            service=service, starts_at=SLOT, contact=contact, source="online", now=NOW
        )

    outcomes = race(committed_tenant, [attempt(c) for c in contacts])

    assert outcomes == Counter({"booked": 1, "taken": 29})
    assert Appointment.objects.filter(starts_at=SLOT).count() == 1


def test_anyone_bookings_racing_fill_each_staff_member_once(committed_tenant):
    """Ten customers, three dentists free at 10:00: three bookings, seven told it is taken,
    and nobody double-booked."""
    team = [StaffMemberFactory() for _ in range(3)]
    for staff in team:
        week_hours(staff, dt.time(9), dt.time(17))
    service = ServiceFactory(staff=team)
    contacts = [ContactFactory() for _ in range(10)]

    outcomes = race(
        committed_tenant,
        [
            (
                lambda c=c: appointment_book(
                    service=service, starts_at=SLOT, contact=c, source="online", now=NOW
                )
            )
            for c in contacts
        ],
    )

    assert outcomes == Counter({"booked": 3, "taken": 7})
    booked = Appointment.objects.filter(starts_at=SLOT)
    assert sorted(booked.values_list("staff_id", flat=True)) == sorted(s.pk for s in team)


def test_two_dentists_racing_for_the_last_chair_cannot_both_have_it(committed_tenant):
    chair = RoomFactory()
    dentists = [StaffMemberFactory() for _ in range(2)]
    for staff in dentists:
        week_hours(staff, dt.time(9), dt.time(17))
    service = ServiceFactory(staff=dentists, needs_room=True, rooms=[chair])

    outcomes = race(
        committed_tenant,
        [
            (
                lambda s=s: appointment_book(
                    service=service,
                    starts_at=SLOT,
                    staff=s,
                    contact=ContactFactory(),
                    source="online",
                    now=NOW,
                )
            )
            for s in dentists
        ],
    )

    assert outcomes == Counter({"booked": 1, "taken": 1})
    assert Appointment.objects.filter(room=chair).count() == 1


@pytest.mark.parametrize("n", [8])
def test_the_same_new_customer_booking_twice_at_once_becomes_one_contact(committed_tenant, n):
    def match():
        booking_contact_match(
            first_name="Mia", last_name="Roth", email="mia@example.test", phone="+4915100000001"
        )

    outcomes = run_together([match] * n, tenant=committed_tenant)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Contact.objects.filter(email="mia@example.test").count() == 1


def test_a_new_customer_booking_several_times_at_once_is_one_contact_with_every_booking(
    committed_tenant,
):
    staff = StaffMemberFactory()
    week_hours(staff, dt.time(9), dt.time(17))
    service = ServiceFactory(staff=[staff])
    mia = CustomerDetails(
        first_name="Mia", last_name="Roth", email="mia@example.test", phone="+4915100000002"
    )
    times = [SLOT + dt.timedelta(minutes=30 * n) for n in range(6)]

    outcomes = run_together(
        [
            (
                lambda t=t: appointment_book_for_customer(
                    customer=mia, service=service, starts_at=t, source="online", now=NOW
                )
            )
            for t in times
        ],
        tenant=committed_tenant,
    )

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    contact = Contact.objects.get(email="mia@example.test")
    assert Appointment.objects.filter(contact=contact).count() == len(times)


def test_a_booking_that_postgresql_picks_as_deadlock_victim_goes_to_the_next_person(
    committed_tenant,
):
    """Concurrent inserts of overlapping rows can wait on each other while the exclusion
    constraint is checked; PostgreSQL then fails one of them with deadlock_detected. Here the
    cycle is built on purpose: a front-desk transaction holds a pending booking for the first
    dentist and then waits for a row the online booking holds. The online booking is the
    victim (its deadlock check fires first) and must still book the second dentist."""
    first, second = StaffMemberFactory(), StaffMemberFactory()
    for staff in (first, second):
        week_hours(staff, dt.time(9), dt.time(17))
    service = ServiceFactory(staff=[first, second])
    online_customer, desk_customer = ContactFactory(), ContactFactory()
    # No reminders, so the two transactions meet only where the test means them to.
    AppointmentSettings.objects.update_or_create(pk=1, defaults={"reminders": []})
    order = slot_at(service=service, starts_at=SLOT, staff=None, online=True, now=NOW).staff_ids
    chosen = StaffMember.objects.get(pk=order[0])
    holding, waiting = threading.Event(), threading.Event()
    desk_errors: list = []

    def front_desk():
        try:
            connection.set_tenant(committed_tenant)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL deadlock_timeout = '20s'")
                appointment_book(
                    service=service,
                    starts_at=SLOT,
                    staff=chosen,
                    contact=desk_customer,
                    notify=False,
                    now=NOW,
                )
                holding.set()
                waiting.wait(timeout=30)
                time.sleep(0.3)  # the online booking is now waiting for this row's outcome
                Contact.objects.select_for_update().get(pk=online_customer.pk)
        except Exception as exc:  # noqa: BLE001 - asserted below
            desk_errors.append(exc)
        finally:
            connection.close()

    desk = threading.Thread(target=front_desk)
    desk.start()
    assert holding.wait(timeout=30)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '1s'")
        Contact.objects.select_for_update().get(pk=online_customer.pk)
        waiting.set()
        online = appointment_book(
            service=service,
            starts_at=SLOT,
            contact=online_customer,
            source="online",
            notify=False,
            now=NOW,
        )
    desk.join(timeout=60)

    assert desk_errors == []
    assert online.staff_id == order[1]
    assert sorted(
        Appointment.objects.filter(starts_at=SLOT).values_list("staff_id", flat=True)
    ) == sorted(order)


@pytest.mark.parametrize("other_side", ["commits", "rolls back"])
def test_a_place_lost_to_a_deadlock_is_tried_again_after_the_other_side_ends(
    committed_tenant, monkeypatch, other_side
):
    """Two racing inserts can deadlock; PostgreSQL fails one while the other is still open,
    and that one may yet commit or fail. The failed booking must not answer before it ends:
    "just taken" offering this very time as the next one, or "taken" for a time that stays
    free. PostgreSQL's deadlock answer is given here to the first insert; the transaction on
    the other side is a real one, holding the only dentist at that time."""
    dentist = StaffMemberFactory()
    week_hours(dentist, dt.time(9), dt.time(17))
    service = ServiceFactory(staff=[dentist])
    AppointmentSettings.objects.update_or_create(pk=1, defaults={"reminders": []})
    holding, finish = threading.Event(), threading.Event()
    desk_errors: list = []

    def front_desk():
        try:
            connection.set_tenant(committed_tenant)
            with transaction.atomic():
                appointment_book(
                    service=service,
                    starts_at=SLOT,
                    staff=dentist,
                    contact=ContactFactory(),
                    notify=False,
                    now=NOW,
                )
                holding.set()
                finish.wait(timeout=30)
                time.sleep(0.5)  # the online booking's retry is waiting on this row by now
                if other_side == "rolls back":
                    transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - asserted below
            desk_errors.append(exc)
        finally:
            connection.close()

    real_place_once = booking._place_once
    calls: list[str] = []

    def place_once(*args):
        if not calls:
            calls.append("deadlock")
            finish.set()
            return "deadlock"
        calls.append(outcome := real_place_once(*args))
        return outcome

    desk = threading.Thread(target=front_desk)
    desk.start()
    assert holding.wait(timeout=30)
    monkeypatch.setattr(booking, "_place_once", place_once)
    try:
        result = appointment_book(
            service=service, starts_at=SLOT, contact=ContactFactory(), source="online", now=NOW
        )
    except SlotTaken as exc:
        result = exc
    desk.join(timeout=60)

    assert desk_errors == []
    if other_side == "commits":
        assert calls == ["deadlock", "person taken"]
        assert isinstance(result, SlotTaken)
        assert SLOT not in [slot.starts_at for slot in result.next_slots]
        assert result.next_slots[0].starts_at == SLOT + dt.timedelta(minutes=30)
    else:
        assert calls == ["deadlock", "placed"]
        assert isinstance(result, Appointment)
        assert Appointment.objects.get(starts_at=SLOT).pk == result.pk
