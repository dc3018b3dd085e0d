"""Messaging throughput: an outage notice to each of 10,000 contacts through
`message_send_batch` (per contact: consent, quiet hours, template in the contact's language;
per batch: the message rows and their timeline events in bulk, the delivery tasks queued after
commit), the same through one `message_send` call per contact, and `message_deliver` with the
outbox provider.

Target: at least 500 messages per second on this machine, and a number of queries per message
that does not grow with the batch (measured on 100 and on 1,000 messages). Runs on the CRM
bench business (bench/contacts.py) and removes its messages afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
import zoneinfo

from bench.common import Section, queries_counted, verdict

BATCH = 10_000
SMALL, LARGE = 100, 1_000  # the two batches whose queries per message are compared
ONE = 2_000  # messages sent with one message_send call each
TARGET = 500
SMOKE = {"BATCH": 50, "SMALL": 5, "LARGE": 20, "ONE": 20}


def _send_all(contacts, *, noon, tag: str, batch: bool = True) -> tuple[float, float]:
    """Send to every contact (as a batch, or one message_send each); then deliver them."""
    from django.db import transaction

    from apps.messaging.services.sending import message_deliver, message_send, message_send_batch

    context = {"appointment": {"starts_at": "Tue 10:30", "service": "Check-up", "staff": "Dr. Lee"}}
    started = time.perf_counter()
    sent = []
    for chunk_start in range(0, len(contacts), 1000):
        chunk = contacts[chunk_start : chunk_start + 1000]
        if batch:
            sent += [
                m.pk
                for m in message_send_batch(
                    contacts=chunk,
                    purpose="outage_notice",
                    channel="sms",
                    context={"outage": {"area": "Lincoln Park", "until": "18:00"}},
                    dedupe_prefix=f"bench-{tag}",
                    now=noon,
                )
            ]
            continue
        with transaction.atomic():
            for contact in chunk:
                sent.append(
                    message_send(
                        contact=contact,
                        purpose="appointment_reminder",
                        channel="sms",
                        context=context,
                        dedupe_key=f"bench-{tag}-{contact.pk}",
                        now=noon,
                    ).pk
                )
    send_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for message_id in sent:
        message_deliver(message_id=message_id)
    return send_seconds, time.perf_counter() - started


def _queries_per_message(contacts, *, noon, tag: str) -> float:
    with queries_counted() as counted:
        _send_all(contacts, noon=noon, tag=tag)
    return counted.queries / len(contacts)


def run() -> Section:
    from django_tenants.utils import tenant_context

    from bench.contacts import _generate, _tenant

    # the delivery tasks go to a folder of their own, never to a running demo's queue
    os.environ.setdefault("BROKER_DIR", tempfile.mkdtemp(prefix="cxsuite-bench-broker-"))
    tenant = _tenant()
    _generate(tenant.schema_name)
    noon = dt.datetime.now(zoneinfo.ZoneInfo("America/Chicago")).replace(hour=12, minute=0)
    with tenant_context(tenant):  # as a task runs: the real tenant, not a stand-in
        from apps.contacts.models import Contact, TimelineEvent
        from apps.messaging.models import Message

        def cleanup() -> None:
            TimelineEvent.objects.filter(type__startswith="message.", source="messaging").delete()
            Message.objects.all().delete()

        cleanup()
        contacts = list(Contact.objects.exclude(phone="").order_by("pk")[: BATCH + SMALL + LARGE])
        try:
            small = _queries_per_message(
                contacts[BATCH : BATCH + SMALL], noon=noon, tag=f"q{SMALL}"
            )
            large = _queries_per_message(contacts[BATCH + SMALL :], noon=noon, tag=f"q{LARGE}")
            send_seconds, deliver_seconds = _send_all(contacts[:BATCH], noon=noon, tag="rate")
            cleanup()
            one_seconds, _deliver = _send_all(contacts[:ONE], noon=noon, tag="one", batch=False)
        finally:
            cleanup()
    rate = BATCH / send_seconds
    section = Section(
        title=f"5. Messaging: a message to each of {BATCH:,} contacts (outbox provider)",
        header=["measure", "figure", "target", ""],
    )
    section.rows.append(
        [
            "rendered, checked and logged per second (batch)",
            f"{rate:,.0f}",
            f">= {TARGET}",
            verdict(rate >= TARGET),
        ]
    )
    section.rows.append(
        [f"  one message_send call each ({ONE:,})", f"{ONE / one_seconds:,.0f}", "", ""]
    )
    section.rows.append(
        ["delivered to the outbox per second", f"{BATCH / deliver_seconds:,.0f}", "", ""]
    )
    section.rows.append([f"queries per message, batch of {SMALL:,}", f"{small:.1f}", "", ""])
    section.rows.append(
        [
            f"queries per message, batch of {LARGE:,}",
            f"{large:.1f}",
            "bounded",
            verdict(large <= small + 0.1),
        ]
    )
    section.notes.append(
        "  send: consent, quiet hours, template in the contact's language, the message row and"
        " its timeline event,\n  the delivery task queued after commit (folder broker); deliver:"
        " row lock, outbox provider, status, channel counts, timeline"
    )
    return section
