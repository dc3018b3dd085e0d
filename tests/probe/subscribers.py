"""Timeline subscribers of the probe app: each leaves a ProbeHit per event it took, so tests
(and a real worker started by them) can count deliveries. `probe.flaky` raises on its first
call for a batch holding an event with `{"fail_once": true}`, then takes the same events."""

from __future__ import annotations

from apps.contacts.models import SubscriberCursor

from .models import ProbeHit


def probe_steady(events) -> None:
    ProbeHit.objects.bulk_create(ProbeHit(ref=f"steady:{event.pk}") for event in events)


def probe_flaky(events) -> None:
    cursor = SubscriberCursor.objects.get(name="probe.flaky")
    if cursor.failures == 0 and any(event.properties.get("fail_once") for event in events):
        raise RuntimeError("probe subscriber fails once")
    ProbeHit.objects.bulk_create(ProbeHit(ref=f"flaky:{event.pk}") for event in events)
