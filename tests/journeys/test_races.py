"""Two workers racing over the same due enrollments, with real threads and connections: each
step runs once and each message leaves once."""

from __future__ import annotations

import datetime as dt

from apps.contacts.models import TimelineEvent
from apps.journeys.models import Enrollment, Journey, StepRun
from apps.journeys.services import journey_advance, journeys_on_events
from apps.messaging.models import Message
from apps.scheduling.models import DueWork
from tests.helpers.threads import run_together

from .factories import live_journey, reachable_contact, send, wait


def test_racing_advances_run_each_step_once(committed_tenant):
    journey = live_journey(name="race", steps=[send("s1"), wait("w", 0), send("s2")])
    contacts = [reachable_contact() for _ in range(20)]
    try:
        from apps.contacts.services import event_record

        events = [
            event_record(contact=c, type="order.ready", properties={"order_id": c.pk})
            for c in contacts
        ]
        journeys_on_events(events)
        now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

        def sweep():
            fresh = Journey.objects.get(pk=journey.pk)
            moved = 0
            for _ in range(3):
                moved += journey_advance(journey=fresh, now=now, batch=7)
            return moved

        run_together([sweep] * 4, tenant=committed_tenant)
        for _ in range(3):
            journey_advance(journey=journey, now=now)
        assert Message.objects.filter(contact__in=contacts).count() == 40
        assert StepRun.objects.filter(enrollment__journey=journey).count() == 60
        assert set(Enrollment.objects.filter(journey=journey).values_list("status", flat=True)) == {
            "completed"
        }
    finally:
        Message.objects.filter(contact__in=contacts).delete()
        journey.enrollments.all().delete()
        journey.versions.update()
        Journey.objects.filter(pk=journey.pk).update(live_version=None)
        journey.delete()
        TimelineEvent.objects.filter(contact__in=contacts).delete()
        DueWork.objects.filter(kind__startswith="journeys.").delete()
        for contact in contacts:
            contact.delete()
