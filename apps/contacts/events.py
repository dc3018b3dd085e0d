"""How new timeline events reach the apps that subscribe to them (journeys, webhooks, ...).

A subscriber is registered in its app's `AppConfig.ready()` under a stable name:

    timeline_subscribers.register("webhooks", webhooks_on_events)   # fn(events) -> None

Each subscriber has a cursor (`SubscriberCursor`): the (txid, id) of the last event it took.
After a transaction that recorded events commits, a task runs every subscriber in the
business's schema; each gets the events after its cursor, in order and in batches, and its
cursor moves in the same transaction as its own writes. So:

- a subscriber that raises gets the same events again on the next run (retried with backoff
  through due work), and the others go on;
- nothing is lost when a worker restarts: the cursor is a row, not a message;
- an event is never skipped because its transaction committed after a later one: events are
  taken only below the horizon, the oldest transaction still running, since nothing older
  than that can still appear, and in (txid, id) order. A long transaction elsewhere delays
  delivery until it ends; it never loses an event.

Delivery is at least once: a subscriber that raises after acting outside the database (an
HTTP call) sees those events again, so it keys its own effects by event id.

With a cache every process shares (Redis: TIMELINE_WAKE_THROUGH_CACHE), a commit sends the
run only when none is waiting to start already: the sender leaves a mark, and the run takes
the mark away as it starts, before it reads anything, so whatever committed while the mark
was there is read by the run that is coming. Under a stream of small transactions (a
partner's earns through the API) that is one message per run instead of one per commit. A
mark whose run never started (a message lost with the broker) lapses after
WAKE_MARK_SECONDS, as a lost message did before.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import SubscriberCursor, TimelineEvent
from .registries import timeline_subscribers

logger = logging.getLogger(__name__)

BATCH = 500
# Events this recent are handed to a subscriber whose cursor is new; older history is not
# replayed (a subscriber that wants it backfills on its own).
NEW_CURSOR_LOOKBACK = timedelta(minutes=10)
CATCH_UP_SECONDS = 5
RUN_LEASE_SECONDS = 120
RETRY_MAX_SECONDS = 3600
TIMELINE_RUN = "contacts.timeline_subscribers"
WAKE_MARK = "timeline:wake-pending"  # per business (the cache's keys carry the schema)
WAKE_MARK_SECONDS = 30


def timeline_publish(event_ids: list[int]) -> None:
    """Wake the subscribers once the current transaction commits (once per transaction)."""
    if not event_ids or not len(timeline_subscribers):
        return
    if any(entry[1] is _wake for entry in connection.run_on_commit):
        return
    transaction.on_commit(_wake)


def _wake() -> None:
    """Send the run unless one is waiting to start; if the broker cannot take it now, due
    work runs it a little later."""
    from apps.scheduling.services import due_work_register

    from .tasks import timeline_subscribers_run_task

    if not _wake_mark():
        return  # the run already on its way reads this transaction's events
    try:
        timeline_subscribers_run_task.delay()
    except Exception:
        logger.exception("timeline run not sent; booked as due work instead")
        _wake_mark_clear()
        due_work_register(kind=TIMELINE_RUN, ref="run", due_at=timezone.now(), keep_earlier=True)


def _wake_mark() -> bool:
    """Leave the mark that a run is on its way; False when one was there already."""
    if not settings.TIMELINE_WAKE_THROUGH_CACHE:
        return True
    try:
        return bool(cache.add(WAKE_MARK, 1, timeout=WAKE_MARK_SECONDS))
    except Exception:  # the cache is down: send, as without it
        logger.warning("timeline wake mark not read; sending the run", exc_info=True)
        return True


def _wake_mark_clear() -> None:
    if not settings.TIMELINE_WAKE_THROUGH_CACHE:
        return
    try:
        cache.delete(WAKE_MARK)
    except Exception:  # the mark lapses on its own
        logger.warning("timeline wake mark not cleared", exc_info=True)


def _horizon() -> int:
    """Every transaction below this id has finished: the events stored below it are final."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return cursor.fetchone()[0]


def _cursor_start(horizon: int) -> tuple[int, int]:
    """Where a new cursor starts: at the recent events, and at the latest at the transactions
    still running (whose events this run cannot see yet)."""
    since = timezone.now() - NEW_CURSOR_LOOKBACK
    recent = TimelineEvent.objects.filter(created__gte=since).order_by("txid").first()
    start = min(recent.txid, horizon) if recent is not None else horizon
    return start, 0  # everything from transaction `start` on


def _cursor_lock(name: str, horizon: int) -> SubscriberCursor | None:
    """The subscriber's cursor, locked; None while another worker holds it."""
    cursor = SubscriberCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()
    if cursor is not None:
        return cursor
    txid, event_id = _cursor_start(horizon)
    SubscriberCursor.objects.get_or_create(name=name, defaults={"txid": txid, "event_id": event_id})
    return SubscriberCursor.objects.select_for_update(skip_locked=True).filter(name=name).first()


SHARED_LISTS = 20  # lists of BATCH events a run keeps for the subscribers after the first
# (txid, id) > (cursor): a row comparison, so PostgreSQL walks the (txid, id) index in order
# and stops at the limit, however many events wait behind the cursor
_AFTER = '("contacts_timelineevent"."txid", "contacts_timelineevent"."id") > (%s, %s)'


def _events_after(
    cursor: SubscriberCursor, horizon: int, limit: int, shared: dict | None = None
) -> list[TimelineEvent]:
    """The next events after the cursor, below the horizon. `shared` keeps what one run read
    for the subscribers that come after it at the same cursor (in step, they all are): the
    first `limit` events after a cursor below a horizon are still the first ones below a
    later horizon (the events the later one adds all have larger txids), so a list read
    under an earlier horizon serves them too; a short one only leaves the rest to the next
    run. Each subscriber takes all its batches before the next starts, so the run keeps its
    first SHARED_LISTS lists (a bounded memory whatever the backlog)."""
    key = (cursor.txid, cursor.event_id, limit)
    if shared is not None and key in shared:
        return shared[key]
    events = list(
        TimelineEvent.objects.filter(txid__lt=horizon)
        .extra(where=[_AFTER], params=[cursor.txid, cursor.event_id])
        .order_by("txid", "pk")[:limit]
    )
    if shared is not None and len(shared) < SHARED_LISTS:
        shared[key] = events
    return events


def _retry_delay(failures: int) -> timedelta:
    return timedelta(seconds=min(RETRY_MAX_SECONDS, CATCH_UP_SECONDS * 2 ** (failures - 1)))


def _subscriber_run(name: str, subscriber, *, batch: int, shared: dict | None = None) -> int:
    """Hand one subscriber its new events; returns how many it took."""
    taken = 0
    while True:
        horizon = _horizon()  # before this transaction holds an id of its own
        with transaction.atomic():
            cursor = _cursor_lock(name, horizon)
            if cursor is None:
                return taken  # another worker is running this subscriber
            now = timezone.now()
            if cursor.retry_at is not None and cursor.retry_at > now:
                return taken  # failed lately: its retry is booked
            events = _events_after(cursor, horizon, batch, shared)
            if not events:
                return taken
            try:
                with transaction.atomic():
                    subscriber(events)
            except Exception as exc:
                logger.exception("timeline subscriber %s failed", name)
                cursor.failures += 1
                cursor.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                cursor.retry_at = now + _retry_delay(cursor.failures)
                cursor.save(update_fields=["failures", "last_error", "retry_at", "updated"])
                return taken
            cursor.txid, cursor.event_id = events[-1].txid, events[-1].pk
            cursor.failures, cursor.last_error, cursor.retry_at = 0, "", None
            cursor.save()
        taken += len(events)
        if len(events) < batch:
            return taken


def timeline_subscribers_run(*, batch: int = BATCH) -> dict[str, int]:
    """Run every subscriber over the events after its cursor (in the worker, in the business's
    schema, outside any other transaction); a failing one is retried later, with backoff,
    and does not hold the others back. Returns how many events each subscriber took."""
    from apps.scheduling.services import due_work_register

    if not len(timeline_subscribers):
        return {}
    # before anything is read: a commit from now on sends a run of its own
    _wake_mark_clear()
    # a run that dies half-way (a killed worker) is taken up again when this lease is due
    lease = timezone.now() + timedelta(seconds=RUN_LEASE_SECONDS)
    due_work_register(kind=TIMELINE_RUN, ref="run", due_at=lease, keep_earlier=True)
    shared: dict = {}  # the events read, for the next subscriber at the same cursor
    taken = {
        name: _subscriber_run(name, subscriber, batch=batch, shared=shared)
        for name, subscriber in timeline_subscribers.items()
    }
    _next_run_book()
    return taken


def _next_run_book() -> None:
    """Book the next run through due work: a failed subscriber's retry, or a catch-up when
    events are waiting behind a transaction that was still running."""
    from apps.scheduling.services import due_work_cancel, due_work_register

    cursors = list(SubscriberCursor.objects.filter(name__in=list(timeline_subscribers)))
    retries = [c.retry_at for c in cursors if c.retry_at is not None]
    lowest = min(((c.txid, c.event_id) for c in cursors), default=(0, 0))
    after = Q(txid__gt=lowest[0]) | Q(txid=lowest[0], pk__gt=lowest[1])
    waiting = [c for c in cursors if c.retry_at is None]
    if waiting and TimelineEvent.objects.filter(after).exists():
        retries.append(timezone.now() + timedelta(seconds=CATCH_UP_SECONDS))
    if retries:
        due_work_register(kind=TIMELINE_RUN, ref="run", due_at=min(retries))
    else:
        due_work_cancel(kind=TIMELINE_RUN, ref="run")


def timeline_subscribers_due(work) -> None:
    """The due-work handler of a retry or catch-up: the run itself leaves as a task after the
    sweep commits, so it computes its horizon outside the sweep's transaction."""
    from .tasks import timeline_subscribers_run_task

    transaction.on_commit(timeline_subscribers_run_task.delay)
