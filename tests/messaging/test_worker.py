"""A delivery task that is retried or redelivered (five times, through a real broker to a real
worker) hands the message to the provider once."""

import datetime as dt
import time
import zoneinfo

import pytest

from apps.contacts.models import TimelineEvent
from apps.messaging.models import Message, MessageStatus
from apps.messaging.services.sending import message_send
from tests.contacts.factories import ContactFactory
from tests.helpers.worker import wait_for as _wait_for
from tests.scheduling.test_worker import stack  # noqa: F401  (the fixture)

pytestmark = pytest.mark.worker
NOON = dt.datetime.now(zoneinfo.ZoneInfo("America/Chicago")).replace(hour=12, minute=0)


def test_a_retried_delivery_sends_once(stack, committed_tenant):  # noqa: F811
    contact = ContactFactory(time_zone="America/Chicago", sms_consent="opted_in")
    first = message_send(
        contact=contact,
        purpose="appointment_reminder",
        channel="sms",
        dedupe_key="appt-1:24h",
        now=NOON,
    )
    again = message_send(
        contact=contact,
        purpose="appointment_reminder",
        channel="sms",
        dedupe_key="appt-1:24h",
        now=NOON,
    )
    assert again.pk == first.pk
    for _ in range(5):
        stack.send(
            "apps.messaging.tasks.message_deliver_task",
            schema="alpha",
            kwargs={"message_id": first.pk},
        )

    def sent() -> bool:
        return Message.objects.get(pk=first.pk).status == MessageStatus.SENT

    assert _wait_for(sent, timeout=30), stack.log("worker")[-3000:]
    time.sleep(2)  # the other four deliveries have run by now
    message = Message.objects.get(pk=first.pk)
    assert message.attempts == 1
    assert Message.objects.filter(contact=contact).count() == 1
    sent_events = TimelineEvent.objects.filter(contact=contact, type="message.sent")
    assert sent_events.count() == 1
