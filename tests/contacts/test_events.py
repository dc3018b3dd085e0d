"""New timeline events reach subscribing apps after commit, through one Celery task."""

import pytest

from apps.contacts import events as hub
from apps.contacts.services import event_record, note_add
from apps.contacts.tasks import timeline_events_dispatch_task
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber():
    received: list[list[int]] = []
    fn = hub.timeline_subscribe(received.append)
    yield received
    hub.SUBSCRIBERS.remove(fn)


def test_events_are_handed_over_only_after_commit(
    tenant, subscriber, django_capture_on_commit_callbacks
):
    contact = ContactFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = event_record(contact=contact, type="page.viewed")
        assert subscriber == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    timeline_events_dispatch_task.run(event_ids=[event.pk])
    assert subscriber == [[event.pk]]


def test_nothing_is_sent_while_nobody_subscribes(tenant, django_capture_on_commit_callbacks):
    contact = ContactFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note_add(contact=contact, text="hello", actor=None)
    assert callbacks == []
