"""Timeline subscribers: each reads from its own durable cursor, in commit-safe order; one that
raises gets the same events again later and never holds the others back.

These tests use committed data: the cursor only moves past transactions that have finished,
which a test's own wrapping transaction never does. Writing transactions of other databases on
the same server hold the horizon back for a moment too, so a run that must deliver is repeated
until it has (`run_until`).
"""

from __future__ import annotations

import threading
import time
from contextlib import ExitStack
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.contacts import events
from apps.contacts.models import SubscriberCursor, TimelineEvent
from apps.contacts.registries import timeline_subscribers
from apps.contacts.services import event_record, events_record_many
from apps.contacts.tasks import timeline_subscribers_run_task
from apps.scheduling.models import DueWork
from tests.contacts.factories import ContactFactory
from tests.probe.models import ProbeHit
from tests.probe.subscribers import probe_flaky, probe_steady


@pytest.fixture
def subscribed():
    with ExitStack() as stack:
        # only the probes: the apps' own subscribers are tested in their apps
        stack.enter_context(timeline_subscribers.without(*timeline_subscribers))
        stack.enter_context(timeline_subscribers.override("probe.steady", probe_steady))
        stack.enter_context(timeline_subscribers.override("probe.flaky", probe_flaky))
        yield


def hits(prefix: str) -> list[int]:
    refs = ProbeHit.objects.filter(ref__startswith=prefix).order_by("pk")
    return [int(ref.split(":")[1]) for ref in refs.values_list("ref", flat=True)]


def run_until(prefix: str, count: int, timeout: float = 10, batch: int = events.BATCH) -> list[int]:
    """Run the subscribers until `count` events reached the subscriber `prefix`."""
    deadline = time.monotonic() + timeout
    while True:
        events.timeline_subscribers_run(batch=batch)
        found = hits(prefix)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_every_subscriber_gets_new_events_in_order(committed_tenant, subscribed):
    contact = ContactFactory()
    first = event_record(contact=contact, type="note.added", properties={"text": "a"})
    with transaction.atomic():
        second = event_record(contact=contact, type="note.added", properties={"text": "b"})
        third = event_record(contact=contact, type="note.added", properties={"text": "c"})
    assert run_until("flaky:", 3) == [first.pk, second.pk, third.pk]
    assert run_until("steady:", 3) == [first.pk, second.pk, third.pk]
    assert events.timeline_subscribers_run() == {"probe.steady": 0, "probe.flaky": 0}


def test_a_failing_subscriber_gets_the_same_events_again_and_holds_nobody_back(
    committed_tenant, subscribed
):
    contact = ContactFactory()
    bad = event_record(contact=contact, type="note.added", properties={"fail_once": True})
    assert run_until("steady:", 1) == [bad.pk]  # the steady one went on
    assert hits("flaky:") == []
    cursor = SubscriberCursor.objects.get(name="probe.flaky")
    assert cursor.failures == 1 and "fails once" in cursor.last_error
    retry = DueWork.objects.pending().get(kind=events.TIMELINE_RUN)
    assert retry.due_at == cursor.retry_at

    later = event_record(contact=contact, type="note.added")
    # before its retry time the failed one waits...
    assert run_until("steady:", 2) == [bad.pk, later.pk]
    assert hits("flaky:") == []

    SubscriberCursor.objects.filter(name="probe.flaky").update(
        retry_at=timezone.now() - timedelta(seconds=1)
    )
    # ...then takes the same events, from where it stopped
    assert run_until("flaky:", 2) == [bad.pk, later.pk]
    cursor.refresh_from_db()
    assert (cursor.failures, cursor.last_error, cursor.retry_at) == (0, "", None)
    assert not DueWork.objects.pending().filter(kind=events.TIMELINE_RUN).exists()


def test_an_event_whose_transaction_commits_late_is_not_skipped(committed_tenant, subscribed):
    """An earlier transaction (lower id) commits after a later one was delivered."""
    contact = ContactFactory()
    stored, release, done = threading.Event(), threading.Event(), threading.Event()
    late: list[int] = []

    def slow_writer():
        try:
            connection.set_tenant(committed_tenant)
            with transaction.atomic():
                late.append(event_record(contact=contact, type="note.added").pk)
                stored.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert stored.wait(10)
    quick = event_record(contact=contact, type="note.added")  # commits first
    events.timeline_subscribers_run()
    assert hits("steady:") == []  # the older transaction still runs: wait for it
    assert DueWork.objects.pending().filter(kind=events.TIMELINE_RUN).exists()  # catch-up
    release.set()
    assert done.wait(10)
    thread.join()
    assert run_until("steady:", 2) == [late[0], quick.pk]  # in the order the transactions began


def _wakes(callbacks) -> list:
    """The timeline's own after-commit callbacks (other apps may add theirs, such as the
    dashboard dropping its cached figures)."""
    return [callback for callback in callbacks if callback.__module__ == events.__name__]


def test_a_transaction_wakes_the_subscribers_once_after_it_commits(
    tenant, subscribed, django_capture_on_commit_callbacks
):
    contact = ContactFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event_record(contact=contact, type="note.added")
        event_record(contact=contact, type="note.added")
    assert len(_wakes(callbacks)) == 1


def _commit_an_event(contact) -> None:
    with transaction.atomic():
        event_record(contact=contact, type="note.added")


def test_commits_while_a_run_is_on_its_way_send_no_other_run(
    committed_tenant, subscribed, settings, monkeypatch
):
    settings.TIMELINE_WAKE_THROUGH_CACHE = True  # the tests' cache is this process's own
    sent = []
    monkeypatch.setattr(timeline_subscribers_run_task, "delay", lambda: sent.append("run"))
    contact = ContactFactory()
    for _ in range(3):
        _commit_an_event(contact)
    assert sent == ["run"]  # the one run on its way reads all three
    events.timeline_subscribers_run()  # it starts: a commit from now on needs a run of its own
    _commit_an_event(contact)
    assert sent == ["run", "run"]


def test_a_run_the_broker_refused_does_not_hold_back_the_next_commits(
    committed_tenant, subscribed, settings, monkeypatch
):
    settings.TIMELINE_WAKE_THROUGH_CACHE = True
    attempts = []

    def refused():
        attempts.append("run")
        raise ConnectionError("broker down")

    monkeypatch.setattr(timeline_subscribers_run_task, "delay", refused)
    contact = ContactFactory()
    for _ in range(2):
        _commit_an_event(contact)
    assert attempts == ["run", "run"]  # each commit tries: no run is on its way
    assert DueWork.objects.pending().filter(kind=events.TIMELINE_RUN).exists()  # the fallback


def test_without_a_shared_cache_every_commit_sends_the_run(
    committed_tenant, subscribed, settings, monkeypatch
):
    settings.TIMELINE_WAKE_THROUGH_CACHE = False  # other processes could not see the mark
    sent = []
    monkeypatch.setattr(timeline_subscribers_run_task, "delay", lambda: sent.append("run"))
    contact = ContactFactory()
    for _ in range(2):
        _commit_an_event(contact)
    assert sent == ["run", "run"]


def test_nothing_is_woken_while_nobody_subscribes(tenant, django_capture_on_commit_callbacks):
    contact = ContactFactory()
    with (
        timeline_subscribers.without(*timeline_subscribers),
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        event_record(contact=contact, type="note.added")
    assert _wakes(callbacks) == []


def test_a_new_subscriber_starts_at_recent_events_not_the_whole_history(
    committed_tenant, subscribed
):
    contact = ContactFactory()
    old = event_record(contact=contact, type="note.added")
    TimelineEvent.objects.filter(pk=old.pk).update(  # as if stored long ago
        created=timezone.now() - events.NEW_CURSOR_LOOKBACK - timedelta(minutes=1), txid=1
    )
    recent = event_record(contact=contact, type="note.added")
    assert run_until("steady:", 1) == [recent.pk]
    assert run_until("steady:", 2, timeout=0.5) == [recent.pk]  # and never the old one


def test_events_recorded_in_bulk_reach_every_subscriber_once_in_order(committed_tenant, subscribed):
    contacts = ContactFactory.create_batch(3)
    erased = ContactFactory(erased_at=timezone.now())
    before = event_record(contact=contacts[0], type="note.added")
    with transaction.atomic():
        ids = events_record_many(
            type="note.added",
            events=[(contacts[n % 3].pk, {"text": f"bulk {n}"}, f"bulk-{n}") for n in range(7)]
            + [(erased.pk, {"text": "never"}, "bulk-erased")],  # erased: takes nothing new
        )
        after = event_record(contact=contacts[1], type="note.added")
    assert len(ids) == 7 and ids == sorted(ids)
    stored = TimelineEvent.objects.filter(pk__in=ids).order_by("pk")
    assert [e.properties["text"] for e in stored] == [f"bulk {n}" for n in range(7)]
    assert {e.txid for e in stored} == {TimelineEvent.objects.get(pk=after.pk).txid}
    assert not TimelineEvent.objects.filter(contact=erased).exists()
    # a repeat of the same client ids adds nothing
    assert events_record_many(type="note.added", events=[(contacts[0].pk, {}, "bulk-0")]) == []

    expected = [before.pk, *ids, after.pk]
    assert run_until("flaky:", len(expected), batch=3) == expected  # across batches, in order
    assert run_until("steady:", len(expected), batch=3) == expected
    assert events.timeline_subscribers_run(batch=3) == {"probe.steady": 0, "probe.flaky": 0}


def test_events_recorded_in_bulk_must_be_in_the_catalogue(tenant):
    contact = ContactFactory()
    with pytest.raises(LookupError, match="no.such_type"):
        events_record_many(type="no.such_type", events=[(contact.pk, {}, "")])
    assert events_record_many(type="note.added", events=[]) == []
