"""Delivering the business's events to its endpoints (Standard Webhooks).

- The timeline subscriber (`webhooks_on_events`, apps/contacts/events.py) makes one delivery
  per (event, endpoint that wants it), unique in the database, so a subscriber run repeated
  after a failure adds nothing: each event reaches each endpoint once.
- Sending happens in a Celery task after the run commits. The task claims due deliveries
  (FOR UPDATE SKIP LOCKED) and leases them for a few minutes before it posts, outside any
  transaction, several at a time; then it records each answer. A worker killed half-way
  leaves leased rows whose lease runs out: they go again (same `webhook-id`, which is what
  the receiver dedupes by).
- Retries follow `RETRY_DELAYS` (5 s up to 10 h, about 28 hours in all) with ±20% jitter.
  Their times are rows (`next_attempt_at`), and one due-work row per business wakes the task
  at the earliest, so a worker restart loses nothing.
- An endpoint that has answered nothing but failures for `WEBHOOKS_DISABLE_AFTER` is turned
  off and the owners are told by e-mail.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import net
from ..models import (
    DeliveryStatus,
    DisabledReason,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..signing import signature_header
from .endpoints import webhook_secrets_valid

if TYPE_CHECKING:
    from apps.contacts.models import TimelineEvent
    from apps.scheduling.models import DueWork

logger = logging.getLogger(__name__)

SEND_WORK = "webhooks.send"
SAFETY_NET = timedelta(seconds=30)  # if the task is lost, due work sends then
LEASE = timedelta(minutes=5)  # a claimed delivery goes again after this if its worker died
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
JITTER = 0.2
SEND_BATCH = 100
REPLAY_MAX_DAYS = 30
REPLAY_MAX_EVENTS = 10_000


# --- what is sent ------------------------------------------------------------------------------
def webhook_payload(event: TimelineEvent) -> dict:
    """The body: Standard Webhooks' `type`, `timestamp` and `data` (the event as the API
    shows it; read the contact through the API by its id)."""
    return {
        "type": event.type,
        "timestamp": _iso(event.occurred_at),
        "data": {
            "event_id": event.pk,
            "contact_id": event.contact_id,
            "occurred_at": _iso(event.occurred_at),
            "source": event.source,
            "properties": event.properties or {},
        },
    }


def _iso(value: datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _message_id() -> str:
    return "msg_" + uuid.uuid4().hex


ADDRESSED_TO = "webhook_endpoint_id"  # an event property: the one endpoint the event is for


def _wants(endpoint: WebhookEndpoint, event: TimelineEvent) -> bool:
    """An event addressed to one endpoint (a journey's call) goes to that one only, through
    `webhook_delivery_create_for`; the others go to every endpoint subscribed to their type."""
    if (event.properties or {}).get(ADDRESSED_TO) is not None:
        return False
    return not endpoint.event_types or event.type in endpoint.event_types


# --- the subscriber ----------------------------------------------------------------------------
def webhooks_on_events(events: Sequence[TimelineEvent]) -> None:
    """The timeline subscriber: one delivery per (event, active endpoint that wants its
    type); a repeated run adds nothing (the unique key on event and endpoint)."""
    endpoints = list(WebhookEndpoint.objects.filter(is_active=True))
    if not endpoints:
        return
    now = timezone.now()
    rows = [
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            message_id=_message_id(),
            event_type=event.type,
            payload=webhook_payload(event),
            next_attempt_at=now,
        )
        for event in events
        for endpoint in endpoints
        if _wants(endpoint, event)
    ]
    if rows:
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
        deliveries_schedule(due_at=now)


def webhook_delivery_create_for(
    *, event: TimelineEvent, endpoint: WebhookEndpoint
) -> WebhookDelivery:
    """The delivery of one event to one chosen endpoint, made once: a repeated call returns
    the delivery already made (unique on event and endpoint). A turned-off endpoint is
    refused, naming the field `endpoint`."""
    if not endpoint.is_active:
        raise ValidationError(
            {"endpoint": _("This endpoint is turned off: turn it on before sending to it.")}
        )
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event=event,
                message_id=_message_id(),
                event_type=event.type,
                payload=webhook_payload(event),
                next_attempt_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    delivery = WebhookDelivery.objects.get(event=event, endpoint=endpoint)
    if delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0:
        deliveries_schedule(due_at=now)
    return delivery


def deliveries_schedule(*, due_at: datetime) -> None:
    """Send once this transaction commits (once per transaction); due work is the safety net
    when the task is lost, and the clock of later retries."""
    from apps.scheduling.services import due_work_register

    due_work_register(kind=SEND_WORK, ref="next", due_at=due_at + SAFETY_NET, keep_earlier=True)
    if not any(entry[1] is _send_later for entry in connection.run_on_commit):
        transaction.on_commit(_send_later)


def _send_later() -> None:
    from ..tasks import webhook_deliveries_send_task

    try:
        webhook_deliveries_send_task.delay()
    except Exception:
        logger.exception("webhook deliveries not sent now; due work sends them later")


def webhook_deliveries_due(work: DueWork) -> None:
    """The due-work handler (a retry's time, or the safety net): send after the sweep commits."""
    transaction.on_commit(_send_later)


# --- sending -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sent:
    attempted_at: datetime
    headers: dict[str, str]
    answer: net.Answer


def webhook_deliveries_send(*, batch: int = SEND_BATCH) -> int:
    """Send every due delivery of the business (each claimed by one worker at a time);
    returns how many attempts were made."""
    made = 0
    while True:
        claimed = _claim(batch)
        if not claimed:
            break
        sent = _post_all(claimed)
        _record(claimed, sent)
        made += len(claimed)
        if len(claimed) < batch:
            break
    _reschedule()
    return made


def _claim(batch: int) -> list[WebhookDelivery]:
    """Due deliveries of active endpoints, leased to this run (committed before any POST)."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(endpoint__is_active=True)
            .select_related("endpoint")
            .order_by("next_attempt_at", "pk")[:batch]
        )
        if rows:
            WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows]).update(
                next_attempt_at=now + LEASE
            )
    return rows


def _post_all(deliveries: list[WebhookDelivery]) -> list[_Sent]:
    """POST each delivery, several at a time (no database work in the threads)."""
    now = timezone.now()
    secrets: dict[int, list[str]] = {}
    for delivery in deliveries:
        if delivery.endpoint_id not in secrets:
            secrets[delivery.endpoint_id] = webhook_secrets_valid(delivery.endpoint, now=now)
    jobs = [(delivery, secrets[delivery.endpoint_id]) for delivery in deliveries]
    threads = max(1, min(settings.WEBHOOKS_SEND_THREADS, len(jobs)))
    if threads == 1:
        return [_post_one(delivery, keys) for delivery, keys in jobs]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda job: _post_one(*job), jobs))


def _post_one(delivery: WebhookDelivery, secrets: list[str]) -> _Sent:
    attempted_at = timezone.now()
    timestamp = int(attempted_at.timestamp())
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    headers = {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(
            secrets_=secrets, message_id=delivery.message_id, timestamp=timestamp, body=body
        ),
    }
    answer = net.post(
        delivery.endpoint.url,
        body=body,
        headers=headers,
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
    )
    return _Sent(attempted_at=attempted_at, headers=headers, answer=answer)


def _retry_delay(failures: int) -> timedelta:
    base = RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)  # noqa: S311 (spreading, not secrecy)


def _record(deliveries: list[WebhookDelivery], sent: list[_Sent]) -> None:
    """Write each answer: the attempt's log row, the delivery's state and next time, and the
    endpoints' health (turned off after failing for days)."""
    now = timezone.now()
    attempts = []
    health: dict[int, bool] = {}
    for delivery, result in zip(deliveries, sent, strict=True):
        answer = result.answer
        delivery.attempts += 1
        delivery.last_attempt_at = result.attempted_at
        delivery.response_status = answer.status
        delivery.duration_ms = answer.duration_ms
        if answer.ok:
            delivery.status, delivery.next_attempt_at, delivery.failures = (
                DeliveryStatus.SUCCEEDED,
                None,
                0,
            )
        else:
            delivery.failures += 1
            if delivery.failures >= MAX_ATTEMPTS:
                delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            else:
                delivery.next_attempt_at = now + _retry_delay(delivery.failures)
        delivery.updated = now
        health[delivery.endpoint_id] = health.get(delivery.endpoint_id, False) or answer.ok
        attempts.append(
            WebhookAttempt(
                delivery=delivery,
                number=delivery.attempts,
                attempted_at=result.attempted_at,
                url=delivery.endpoint.url[:2000],
                request_headers=result.headers,
                response_status=answer.status,
                response_body=answer.body,
                duration_ms=answer.duration_ms,
                error=answer.error,
            )
        )
    with transaction.atomic():
        _states_write(deliveries)
        WebhookAttempt.objects.bulk_create(attempts)
        endpoints = {d.endpoint_id: d.endpoint for d in deliveries}
        for endpoint_id, healthy in health.items():
            _health_record(endpoints[endpoint_id], healthy=healthy, now=now)


_STATE_COLUMNS = (
    ("id", "bigint"),
    ("attempts", "integer"),
    ("failures", "integer"),
    ("status", "varchar"),
    ("next_attempt_at", "timestamptz"),
    ("last_attempt_at", "timestamptz"),
    ("response_status", "smallint"),
    ("duration_ms", "integer"),
    ("updated", "timestamptz"),
)


def _states_write(deliveries: list[WebhookDelivery]) -> None:
    """Each delivery's new state in one UPDATE … FROM (VALUES …) (Django's bulk_update builds
    a CASE per field and row, which costs more than the POSTs themselves)."""
    names = [name for name, _type in _STATE_COLUMNS]
    row = "(" + ", ".join(f"%s::{kind}" for _name, kind in _STATE_COLUMNS) + ")"
    table = connection.ops.quote_name(WebhookDelivery._meta.db_table)
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    for start in range(0, len(deliveries), 500):
        chunk = deliveries[start : start + 500]
        values = [getattr(d, "pk" if name == "id" else name) for d in chunk for name in names]
        sql = (
            f"UPDATE {table} AS d SET {assignments} "
            f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v({', '.join(names)}) "
            "WHERE d.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, values)


def _health_record(endpoint: WebhookEndpoint, *, healthy: bool, now: datetime) -> None:
    """A success clears the failing mark; failures since `WEBHOOKS_DISABLE_AFTER` turn the
    endpoint off and tell the owners."""
    rows = WebhookEndpoint.objects.filter(pk=endpoint.pk)
    if healthy:
        if endpoint.failing_since is not None:
            rows.update(failing_since=None)
        return
    if endpoint.failing_since is None:
        rows.filter(failing_since__isnull=True).update(failing_since=now)
        return
    if now - endpoint.failing_since >= settings.WEBHOOKS_DISABLE_AFTER:
        turned_off = rows.filter(is_active=True).update(
            is_active=False,
            disabled_reason=DisabledReason.FAILING,
            disabled_at=now,
            updated=now,
        )
        if turned_off:
            endpoint_id = endpoint.pk
            transaction.on_commit(lambda: _owners_tell(endpoint_id))


def _owners_tell(endpoint_id: int) -> None:
    """E-mail the owners that an endpoint was turned off, with the link to its page."""
    from apps.accounts.choices import Role
    from apps.accounts.selectors import users_active
    from apps.tenants.services import tenant_current, tenant_url

    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return
    tenant = tenant_current()
    owners = [u.email for u in users_active().filter(role=Role.OWNER) if u.email]
    if not owners:
        return
    with translation.override(getattr(tenant, "language", None) or "en"):
        link = tenant_url(tenant, reverse("webhooks:endpoint_detail", args=[endpoint.pk]))
        subject = _("Webhook endpoint turned off: %(url)s") % {"url": endpoint.url[:80]}
        body = _(
            "Every delivery to %(url)s has failed for %(days)s days, so %(business)s stopped "
            "sending to it. Events keep being recorded: once the receiver works again, turn the "
            "endpoint on and replay what it missed.\n\n%(link)s"
        ) % {
            "url": endpoint.url,
            "days": settings.WEBHOOKS_DISABLE_AFTER.days,
            "business": tenant.name,
            "link": link,
        }
    send_mail(subject[:150], body, None, owners)


def _reschedule() -> None:
    """Book the next wake-up at the earliest waiting delivery (or none)."""
    from apps.scheduling.services import due_work_cancel, due_work_register

    next_at = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, endpoint__is_active=True
    ).aggregate(at=Min("next_attempt_at"))["at"]
    if next_at is None:
        due_work_cancel(kind=SEND_WORK, ref="next")
    else:
        due_work_register(kind=SEND_WORK, ref="next", due_at=next_at)


# --- replays -----------------------------------------------------------------------------------
def _refuse_inactive(endpoint: WebhookEndpoint) -> None:
    if not endpoint.is_active:
        raise ValidationError(
            {"endpoint": _("This endpoint is turned off: turn it on before replaying.")}
        )


def webhook_delivery_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send one delivery again now (same `webhook-id`), with a fresh round of retries."""
    _refuse_inactive(delivery.endpoint)
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, failures=0, next_attempt_at=now, updated=now
        )
        deliveries_schedule(due_at=now)
    delivery.refresh_from_db()
    return delivery


def webhook_endpoint_replay(*, endpoint: WebhookEndpoint, since: datetime) -> int:
    """Send the endpoint every event of its types recorded since `since` again (at most 30
    days back): deliveries already made go again, events it missed (recorded while it was
    off, or before it existed) get one. Returns how many deliveries were queued."""
    from apps.contacts.selectors import events_since

    _refuse_inactive(endpoint)
    now = timezone.now()
    if since > now:
        raise ValidationError({"since": _("Choose a time in the past.")})
    if since < now - timedelta(days=REPLAY_MAX_DAYS):
        raise ValidationError(
            {"since": _("Replays go back %(days)s days at most.") % {"days": REPLAY_MAX_DAYS}}
        )
    events = list(events_since(since=since, types=endpoint.event_types)[: REPLAY_MAX_EVENTS + 1])
    if len(events) > REPLAY_MAX_EVENTS:
        raise ValidationError(
            {
                "since": _("More than %(n)s events since then: choose a later time.")
                % {"n": f"{REPLAY_MAX_EVENTS:,}"}
            }
        )
    if not events:
        return 0
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(
            [
                WebhookDelivery(
                    endpoint=endpoint,
                    event=event,
                    message_id=_message_id(),
                    event_type=event.type,
                    payload=webhook_payload(event),
                    next_attempt_at=now,
                )
                for event in events
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        queued = WebhookDelivery.objects.filter(
            endpoint=endpoint, event__in=[event.pk for event in events]
        ).update(status=DeliveryStatus.PENDING, failures=0, next_attempt_at=now, updated=now)
        deliveries_schedule(due_at=now)
    return queued
