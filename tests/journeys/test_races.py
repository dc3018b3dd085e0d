"""Two workers racing over the same due enrollments, with real threads and connections: each
step runs once and each message leaves once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

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


def test_two_workers_racing_over_one_voucher_step_issue_one_voucher(committed_tenant):
    """The step's own key holds even when two workers run the same step of the same
    enrollment at once (a claim that lapsed under a slow worker): one voucher, the same one
    for both."""
    from apps.journeys.services.engine import StepContext
    from apps.journeys.step_loyalty import voucher_run
    from apps.loyalty.models import Voucher

    journey = live_journey(
        name="voucher race",
        steps=[
            {"id": "v", "type": "loyalty.voucher", "config": {"kind": "amount_off", "value": 5}}
        ],
    )
    contact = reachable_contact()
    try:
        now = dt.datetime.now(dt.UTC)
        enrollment = Enrollment.objects.create(
            journey=journey,
            version=journey.live_version,
            contact=contact,
            entry_key=f"contact:{contact.pk}",
            current_step="v",
            next_at=now,
            entered_at=now,
        )

        def run_step():
            fresh = Enrollment.objects.select_related("journey", "contact").get(pk=enrollment.pk)
            ctx = StepContext(
                enrollment=fresh,
                contact=fresh.contact,
                step=journey.live_version.steps[0],
                seq=1,
                now=now,
            )
            with transaction.atomic():
                return voucher_run(ctx)

        results = run_together([run_step] * 2, tenant=committed_tenant)
        assert [type(r).__name__ for r in results] == ["StepResult", "StepResult"]
        assert [r.outcome for r in results] == ["granted", "granted"]
        (voucher,) = Voucher.objects.filter(member__contact=contact)
        assert {r.detail["voucher_id"] for r in results} == {voucher.pk}
        assert voucher.idempotency_key == f"journey:{enrollment.pk}:1"
    finally:
        _drop(journey, [contact])


def test_racing_advances_over_a_voucher_step_issue_one_voucher_each(committed_tenant):
    from apps.loyalty.models import Voucher

    journey = live_journey(
        name="voucher sweep",
        steps=[
            {"id": "v", "type": "loyalty.voucher", "config": {"kind": "percent_off", "value": 10}},
            send("s"),
        ],
    )
    contacts = [reachable_contact() for _ in range(12)]
    try:
        from apps.contacts.services import event_record

        journeys_on_events(
            [
                event_record(contact=c, type="order.ready", properties={"order_id": c.pk})
                for c in contacts
            ]
        )
        now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

        def sweep():
            fresh = Journey.objects.get(pk=journey.pk)
            return sum(journey_advance(journey=fresh, now=now, batch=5) for _ in range(3))

        run_together([sweep] * 3, tenant=committed_tenant)
        journey_advance(journey=journey, now=now)
        assert Voucher.objects.filter(member__contact__in=contacts).count() == 12
        assert set(
            Voucher.objects.filter(member__contact__in=contacts).values_list(
                "member__contact_id", flat=True
            )
        ) == {c.pk for c in contacts}
        assert Message.objects.filter(contact__in=contacts).count() == 12
    finally:
        _drop(journey, contacts)


def _drop(journey, contacts) -> None:
    Message.objects.filter(contact__in=contacts).delete()
    journey.enrollments.all().delete()
    Journey.objects.filter(pk=journey.pk).update(live_version=None)
    journey.delete()
    TimelineEvent.objects.filter(contact__in=contacts).delete()
    DueWork.objects.filter(kind__startswith="journeys.").delete()
    for contact in contacts:
        contact.delete()


def test_a_segment_refresh_while_steps_run_removes_and_duplicates_nobody(committed_tenant):
    """Membership refreshes (and their events handed to journeys) running in one thread while
    two others move the enrollments through their steps: everyone keeps their one
    enrollment, runs each step once and gets each message once."""
    from apps.contacts.services import contacts_tag, segment_create, segment_memberships_refresh

    vip = segment_create(
        name="VIP race",
        rules={"op": "and", "rules": [{"field": "tags", "cmp": "has", "value": "vip"}]},
    )
    journey = live_journey(
        name="segment race",
        steps=[send("s1"), wait("w", 0), send("s2")],
        trigger={"kind": "segment", "segment_id": vip.pk},
    )
    contacts = [reachable_contact() for _ in range(15)]
    try:

        def deliver() -> None:
            events = list(TimelineEvent.objects.filter(type__startswith="segment.").order_by("pk"))
            with transaction.atomic():  # as the timeline subscriber runs it
                journeys_on_events(events)

        contacts_tag(contact_ids=[c.pk for c in contacts], add=["vip"])
        segment_memberships_refresh(contact_ids=[c.pk for c in contacts])
        deliver()
        assert journey.enrollments.count() == 15
        now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

        def sweep():
            fresh = Journey.objects.get(pk=journey.pk)
            return sum(journey_advance(journey=fresh, now=now, batch=4) for _ in range(4))

        def refresh():
            for _ in range(5):
                segment_memberships_refresh()
                deliver()  # the same entries again: nobody enters twice

        outcomes = run_together([sweep, sweep, refresh], tenant=committed_tenant)
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        for _ in range(3):
            journey_advance(journey=journey, now=now)
        assert journey.enrollments.count() == 15
        assert set(journey.enrollments.values_list("status", flat=True)) == {"completed"}
        assert StepRun.objects.filter(enrollment__journey=journey).count() == 45
        assert Message.objects.filter(contact__in=contacts).count() == 30
        assert sorted(
            Message.objects.filter(contact__in=contacts).values_list("contact_id", flat=True)
        ) == sorted([c.pk for c in contacts] * 2)
    finally:
        _drop(journey, contacts)
