"""Timeline subscribers in a real worker: one that raises on its first call gets the same
events again through a due-work retry, the other is not held back, and events recorded while
the worker is down reach both once it is back."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from apps.contacts.models import SubscriberCursor
from apps.contacts.services import event_record
from tests.contacts.factories import ContactFactory
from tests.helpers.worker import Stack, _redis_url, wait_for
from tests.probe.models import ProbeHit

pytestmark = pytest.mark.worker


@pytest.fixture
def stack(committed_tenant, tmp_path):
    running = Stack(
        "redis" if _redis_url() else "folder",
        tmp_path,
        extra_env={"CXSUITE_PROBE_SUBSCRIBERS": "1"},
    )
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def deliveries() -> Counter:
    return Counter(ProbeHit.objects.values_list("ref", flat=True))


def run(stack: Stack) -> None:
    """What the after-commit wake-up of a recording transaction sends."""
    stack.send("apps.contacts.tasks.timeline_subscribers_run_task", schema="alpha")


def test_a_raising_subscriber_gets_its_events_again_and_the_other_is_not_held_back(
    stack, committed_tenant
):
    contact = ContactFactory()
    recorded = [
        event_record(contact=contact, type="note.added", properties={"fail_once": n == 0}).pk
        for n in range(3)
    ]
    run(stack)
    steady = {f"steady:{pk}" for pk in recorded}
    flaky = {f"flaky:{pk}" for pk in recorded}
    assert wait_for(lambda: steady <= set(deliveries()), 30), stack.log("worker")[-3000:]
    first = SubscriberCursor.objects.get(name="probe.flaky")
    if not flaky <= set(deliveries()):  # the retry has not come yet: it failed once
        assert first.failures == 1 and first.retry_at is not None
    # the retry (due work, five seconds on) hands the same events to the flaky one
    assert wait_for(lambda: flaky <= set(deliveries()), 40), stack.log("worker")[-3000:]
    for _ in range(3):  # a repeated wake-up hands nothing twice
        run(stack)
    time.sleep(3)
    assert deliveries() == Counter({ref: 1 for ref in steady | flaky})
    cursor = SubscriberCursor.objects.get(name="probe.flaky")
    assert (cursor.failures, cursor.event_id) == (0, recorded[-1])


def test_events_recorded_while_the_worker_is_down_arrive_once_it_is_back(stack, committed_tenant):
    contact = ContactFactory()
    first = event_record(contact=contact, type="note.added").pk
    run(stack)
    assert wait_for(lambda: f"flaky:{first}" in deliveries(), 30), stack.log("worker")[-3000:]
    stack.worker_kill()
    later = [event_record(contact=contact, type="note.added").pk for _ in range(2)]
    run(stack)  # waits in the broker
    time.sleep(1)
    assert not {f"steady:{pk}" for pk in later} & set(deliveries())
    stack.worker_start()
    expected = {f"{name}:{pk}" for name in ("steady", "flaky") for pk in [first, *later]}
    assert wait_for(lambda: expected <= set(deliveries()), 30), stack.log("worker-2")[-3000:]
    time.sleep(2)
    assert deliveries() == Counter({ref: 1 for ref in expected})
