"""The notifications subscriber in a real run of the timeline subscribers (committed data, the
cursor and horizon of apps/contacts/events.py): the team is told once, also when the same
events are handed over again after a failure, and each e-mail leaves once."""

from __future__ import annotations

import time

from django.core import mail

from apps.accounts.models import Role
from apps.appointments.services import appointment_book, appointment_cancel
from apps.contacts import events
from apps.contacts.models import SubscriberCursor
from apps.notifications.choices import Kind
from apps.notifications.models import Notification
from apps.notifications.services import notification_emails_send
from tests.accounts.factories import UserFactory
from tests.conftest import owner_email
from tests.helpers.clock import next_week_at

from .conftest import practice_make


def run_until(count: int, timeout: float = 30) -> int:
    """Run the subscribers until `count` notifications exist (other databases' transactions on
    the same server can hold the horizon back for a moment)."""
    deadline = time.monotonic() + timeout
    while True:
        events.timeline_subscribers_run()
        found = Notification.objects.count()
        if found >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def test_a_real_run_tells_the_team_once_even_when_it_is_handed_the_events_again(
    committed_tenant,
):
    practice = practice_make()
    desk = UserFactory(role=Role.STAFF, email="desk-run@alpha.test")
    try:
        appointment = appointment_book(
            service=practice.checkup,
            starts_at=next_week_at(10),
            contact=practice.contact,
            source="online",
        )
        appointment_cancel(appointment=appointment, by_customer=True)
        assert run_until(4) == 4  # owner and desk, each of the booking and the cancellation
        told = set(Notification.objects.values_list("user__email", "kind"))
        assert told == {
            (owner_email("alpha"), Kind.BOOKED_ONLINE),
            (owner_email("alpha"), Kind.CANCELLED),
            ("desk-run@alpha.test", Kind.BOOKED_ONLINE),
            ("desk-run@alpha.test", Kind.CANCELLED),
        }
        # as if the run had failed after writing: the cursor goes back, the events come again
        SubscriberCursor.objects.filter(name="notifications").update(txid=0, event_id=0)
        taken = events.timeline_subscribers_run()
        assert taken["notifications"] >= 2  # the booking and the cancellation, handed again
        assert Notification.objects.count() == 4
        assert SubscriberCursor.objects.get(name="notifications").failures == 0

        mail.outbox.clear()
        assert notification_emails_send() == 1  # the owner, of the online booking
        assert notification_emails_send() == 0
        assert [m.to for m in mail.outbox] == [[owner_email("alpha")]]
    finally:
        desk.delete()
