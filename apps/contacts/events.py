"""The one place where new timeline events leave the contacts app.

Other apps (journeys, webhooks) subscribe a function that takes a list of event ids; after
the recording transaction commits, a Celery task in the same schema hands them the ids:

    from apps.contacts.events import timeline_subscribe

    @timeline_subscribe
    def journeys_on_events(event_ids: list[int]) -> None: ...

Nothing is sent while nobody subscribes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

Subscriber = Callable[[list[int]], None]
SUBSCRIBERS: list[Subscriber] = []


def timeline_subscribe(fn: Subscriber) -> Subscriber:
    if fn not in SUBSCRIBERS:
        SUBSCRIBERS.append(fn)
    return fn


def timeline_publish(event_ids: list[int]) -> None:
    """Hand the events to the subscribers once the current transaction commits."""
    if not SUBSCRIBERS or not event_ids:
        return
    from .tasks import timeline_events_dispatch_task

    ids = list(event_ids)
    transaction.on_commit(lambda: timeline_events_dispatch_task.delay(event_ids=ids))


def timeline_dispatch(event_ids: list[int]) -> None:
    """Run every subscriber (inside the worker, in the tenant's schema)."""
    for subscriber in SUBSCRIBERS:
        subscriber(event_ids)
