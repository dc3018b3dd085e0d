"""The trigger through a real worker and beats: a completed visit reaches the subscriber
(durable cursor, due work), the invitation is scheduled and sent at its time, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.contacts.services import event_record
from apps.feedback.models import Invitation
from apps.messaging.models import Message
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import SurveyFactory
from tests.helpers.worker import TICK_SECONDS, Stack, _redis_url, wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def stack(committed_tenant, tmp_path):
    running = Stack("redis" if _redis_url() else "folder", tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def test_a_completed_visit_is_asked_once_through_the_worker(stack, committed_tenant):
    SurveyFactory(delay_hours=0, channel="email")
    contact = ContactFactory()
    event_record(
        contact=contact,
        type="appointment.completed",
        properties={"appointment_id": 424242, "service_id": 1, "staff_id": 1},
    )
    # what the after-commit wake-up of the recording transaction sends
    stack.send("apps.contacts.tasks.timeline_subscribers_run_task", schema="alpha")
    sent = Message.objects.filter(purpose="feedback_invitation", contact=contact)
    assert wait_for(sent.exists, timeout=60), stack.log("worker")[-3000:]
    invitation = Invitation.objects.get(contact=contact)
    assert invitation.status == "sent"
    assert invitation.sent_at - invitation.send_at < dt.timedelta(seconds=TICK_SECONDS + 30)
    assert timezone.now() - invitation.created < dt.timedelta(seconds=90)
    wait_for(lambda: False, timeout=TICK_SECONDS * 3)  # more ticks: nothing more is sent
    assert sent.count() == 1
