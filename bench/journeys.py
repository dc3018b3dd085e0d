"""Journeys at scale, on the CRM bench business (bench/contacts.py):

- 10,000 contacts through a three-step journey (send, wait zero, send) with the outbox
  provider: the time for the due work to move every one of them through (target: under 60 s);
- the trigger latency from a recorded event to the contact's enrollment, through the journeys
  subscriber in this process (the worker's pick-up of the wake-up task and the cursor's wait
  for older transactions come on top; target: under 2 s median);
- the segment membership refresh of a tracked segment over 100,000 contacts when 100 of them
  changed (target: under 1 s).

Removes its journeys, enrollments, messages and events afterwards.
"""

from __future__ import annotations

import os
import tempfile
import time

from bench.common import Section, median, verdict

CONTACTS = 10_000
LATENCY_RUNS = 20
CHANGED = 100
SMOKE = {"CONTACTS": 30, "LATENCY_RUNS": 2, "CHANGED": 5}
MOVE_TARGET, LATENCY_TARGET, REFRESH_TARGET = 60.0, 2.0, 1.0


def _move(contacts) -> float:
    """Enter every contact (in bulk: the entry is not what is measured), then time the due
    work until all of them finished."""
    from django.utils import timezone

    from apps.journeys.models import Enrollment, EnrollmentStatus
    from apps.journeys.services import journey_activate, journey_advance, journey_create

    step = {
        "channel": "sms",
        "subject": "",
        "text": "Your order {order_id} is ready",
        "service": True,
    }
    journey = journey_activate(
        journey=journey_create(
            name="Bench: order ready",
            trigger={"kind": "event", "event_type": "order.ready"},
            steps=[
                {"id": "s1", "type": "send", "config": step},
                {"id": "w", "type": "wait", "config": {"mode": "duration", "minutes": 0}},
                {"id": "s2", "type": "send", "config": step},
            ],
        )
    )
    now = timezone.now()
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                journey=journey,
                version=journey.live_version,
                contact=contact,
                entry_key=f"order_id:{contact.pk}",
                current_step="s1",
                next_at=now,
                trigger_properties={"order_id": contact.pk},
                entered_at=now,
            )
            for contact in contacts
        ],
        batch_size=2000,
    )
    started = time.perf_counter()
    while journey_advance(journey=journey, now=timezone.now()):
        pass
    seconds = time.perf_counter() - started
    done = Enrollment.objects.filter(journey=journey, status=EnrollmentStatus.COMPLETED).count()
    assert done == len(contacts), f"{done} of {len(contacts)} finished"
    return seconds


def _latency(contacts) -> list[float]:
    """From the event's commit to the enrollment's, through the journeys subscriber. It is
    handed the committed events directly: the durable cursor waits until every older
    transaction on the database server has ended, so on a server shared with other databases'
    long transactions the cursor's own wait would measure them, not journeys."""
    from django.db import transaction

    from apps.contacts.models import TimelineEvent
    from apps.contacts.services import event_record
    from apps.journeys.models import Enrollment
    from apps.journeys.services import journey_activate, journey_create

    journey = journey_activate(
        journey=journey_create(
            name="Bench: latency",
            trigger={"kind": "event", "event_type": "invoice.overdue"},
            steps=[{"id": "w", "type": "wait", "config": {"mode": "duration", "minutes": 60}}],
        )
    )
    from apps.journeys.services import journeys_on_events

    seconds = []
    for n, contact in enumerate(contacts[:LATENCY_RUNS]):
        started = time.perf_counter()
        with transaction.atomic():
            event = event_record(
                contact=contact, type="invoice.overdue", properties={"invoice_id": f"L{n}"}
            )
        with transaction.atomic():
            journeys_on_events([TimelineEvent.objects.get(pk=event.pk)])
        assert Enrollment.objects.filter(journey=journey, contact=contact).exists()
        seconds.append(time.perf_counter() - started)
    return seconds


def _refresh(schema_contacts) -> tuple[float, int]:
    from apps.contacts.models import Contact
    from apps.contacts.services import (
        contacts_tag,
        segment_create,
        segment_memberships_refresh,
        segment_track,
    )

    segment = segment_create(
        name="Bench: VIP",
        rules={"op": "and", "rules": [{"field": "tags", "cmp": "has", "value": "bench-vip"}]},
    )
    segment_track(segment=segment)
    changed = list(
        Contact.objects.filter(erased_at__isnull=True)
        .exclude(tags__contains=["bench-vip"])
        .order_by("?")
        .values_list("pk", flat=True)[:CHANGED]
    )
    contacts_tag(contact_ids=changed, add=["bench-vip"])
    started = time.perf_counter()
    changes = segment_memberships_refresh(contact_ids=changed)
    seconds = time.perf_counter() - started
    entered = len(changes.get(segment.pk, ([], []))[0])  # before delete() clears the pk
    contacts_tag(contact_ids=changed, remove=["bench-vip"])
    segment.delete()
    return seconds, entered


def run() -> Section:
    from django_tenants.utils import tenant_context

    from bench.contacts import _generate, _tenant

    os.environ.setdefault("BROKER_DIR", tempfile.mkdtemp(prefix="cxsuite-bench-broker-"))
    tenant = _tenant()
    _generate(tenant.schema_name)
    with tenant_context(tenant):
        from apps.contacts.models import Contact, TimelineEvent
        from apps.journeys.models import Journey
        from apps.messaging.models import Message
        from apps.scheduling.models import DueWork

        def cleanup() -> None:
            Journey.objects.filter(name__startswith="Bench:").update(live_version=None)
            for journey in Journey.objects.filter(name__startswith="Bench:"):
                journey.enrollments.all().delete()
                journey.delete()
            Message.objects.filter(purpose__startswith="journey").delete()
            TimelineEvent.objects.filter(source__in=["journeys", "segments"]).delete()
            TimelineEvent.objects.filter(
                type="invoice.overdue", properties__invoice_id__startswith="L"
            ).delete()
            DueWork.objects.filter(kind__startswith="journeys.").delete()

        cleanup()
        contacts = list(Contact.objects.exclude(phone="").order_by("pk")[:CONTACTS])
        total = Contact.objects.count()
        try:
            move_seconds = _move(contacts)
            latencies = _latency(contacts)
            refresh_seconds, entered = _refresh(contacts)
        finally:
            cleanup()
    section = Section(title="7. Journeys", header=["measure", "figure", "target", ""])
    section.rows.append(
        [
            f"{len(contacts):,} contacts through send, wait 0, send (outbox)",
            f"{move_seconds:.1f} s",
            f"< {MOVE_TARGET:.0f} s",
            verdict(move_seconds < MOVE_TARGET),
        ]
    )
    section.rows.append(
        [
            "trigger latency, event to enrollment (median)",
            f"{median(latencies) * 1000:.0f} ms",
            f"< {LATENCY_TARGET:.0f} s",
            verdict(median(latencies) < LATENCY_TARGET),
        ]
    )
    section.rows.append(
        [
            f"segment refresh, {CHANGED} of {total:,} contacts changed",
            f"{refresh_seconds * 1000:.0f} ms",
            f"< {REFRESH_TARGET:.0f} s",
            verdict(refresh_seconds < REFRESH_TARGET and entered == CHANGED),
        ]
    )
    section.notes.append(
        "  latency: the journeys subscriber is handed the event as soon as it commits (the"
        " worker's pick-up and the\n  cursor's wait for older transactions on the server come"
        " on top); messages go to the outbox provider"
    )
    return section
