"""Journeys through a real worker and two real beats (tick: 1 s): a trigger event enters the
contact once, a short wait resumes within a tick, and sweeps sent again (a retried or doubled
task) send nothing twice."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from apps.contacts.models import TimelineEvent
from apps.contacts.services import event_record
from apps.journeys.models import Enrollment, Journey, StepRun
from apps.messaging.models import Message
from apps.scheduling.models import DueWork
from tests.helpers.worker import TICK_SECONDS, Stack, _redis_url, wait_for

from .factories import live_journey, reachable_contact, send

pytestmark = pytest.mark.worker
WAIT_SECONDS = 3


@pytest.fixture
def stack(committed_tenant, tmp_path):
    running = Stack("redis" if _redis_url() else "folder", tmp_path)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _zone_at_noon() -> str:
    offset = 12 - timezone.now().hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def test_a_trigger_enters_once_and_a_wait_resumes_within_a_tick(stack, committed_tenant):
    journey = live_journey(
        name="worker",
        steps=[
            send("s1", text="First"),
            {
                "id": "w",
                "type": "wait",
                "config": {"mode": "duration", "minutes": 0, "seconds": WAIT_SECONDS},
            },
            send("s2", text="Second"),
        ],
    )
    contact = reachable_contact(time_zone=_zone_at_noon())
    try:
        event_record(contact=contact, type="order.ready", properties={"order_id": "77"})
        event_record(contact=contact, type="order.ready", properties={"order_id": "77"})
        stack.send("apps.contacts.tasks.timeline_subscribers_run_task", schema="alpha")
        log = lambda: stack.log("worker")[-3000:]  # noqa: E731
        assert wait_for(lambda: Message.objects.filter(contact=contact).count() == 2, 60), log()
        for _ in range(3):  # a doubled or retried sweep finds nothing left to do
            stack.send_sweep("alpha")
        time.sleep(3)
        assert Enrollment.objects.filter(journey=journey).count() == 1
        assert Message.objects.filter(contact=contact).count() == 2
        runs = {
            run.step_id: run.ran_at for run in StepRun.objects.filter(enrollment__journey=journey)
        }
        lag = (runs["s2"] - runs["w"]).total_seconds() - WAIT_SECONDS
        assert 0 <= lag <= TICK_SECONDS + 3
        assert Enrollment.objects.get(journey=journey).status == "completed"
    finally:
        Message.objects.filter(contact=contact).delete()
        Enrollment.objects.filter(journey=journey).delete()
        Journey.objects.filter(pk=journey.pk).update(live_version=None)
        journey.delete()
        TimelineEvent.objects.filter(contact=contact).delete()
        DueWork.objects.filter(kind__startswith="journeys.").delete()
        contact.delete()
