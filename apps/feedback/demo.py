"""Feedback in the demo: an NPS survey after visits, a CSAT survey after purchases and an
effort survey on demand; six months of answers with a realistic spread over the completed
visits (staff members and services as they were); open, overdue and resolved cases with
their causes and gestures; and a "remember" note for a patient booked for tomorrow."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import User
from apps.appointments.models import Appointment

from .models import (
    Band,
    Case,
    CaseNote,
    Invitation,
    RememberNote,
    Response,
    RootCause,
    band_for,
)
from .services.cases import case_due_at
from .services.common import feedback_settings_update
from .services.surveys import survey_create

CAUSES = ["Waiting time", "Pain or comfort", "Billing", "Staff manner", "Booking"]
GOOD = [
    "Lovely team, very gentle.",
    "Quick and painless, thank you!",
    "Dr. Patel explained everything clearly.",
    "Always on time, friendly reception.",
    "Great cleaning, my teeth feel brand new.",
]
MEH = ["Fine, but the waiting room was busy.", "Good care, parking is hard.", ""]
BAD = [
    "Waited forty minutes past my time.",
    "The bill was higher than the quote.",
    "Felt rushed, nobody explained the treatment.",
    "The waiting time was too long and nobody told me why.",
    "Rude at the front desk when I asked about billing.",
]


def _score(rng) -> int:
    """NPS answers of a good practice: many promoters, some passives, a few detractors."""
    roll = rng.random()
    if roll < 0.62:
        return rng.choice([9, 10, 10])
    if roll < 0.84:
        return rng.choice([7, 8])
    return rng.choice([2, 3, 4, 5, 6])


def demo_seed(*, tenant, rng) -> None:
    now = timezone.now()
    manager = User.objects.filter(role__in=["owner", "manager"]).order_by("-role", "pk").first()
    feedback_settings_update(
        values={"review_url": "https://g.page/bright-smile-dental/review", "default_owner": manager}
    )
    causes = RootCause.objects.bulk_create(
        [RootCause(label=label, position=i) for i, label in enumerate(CAUSES)]
    )
    nps = survey_create(kind="nps", name="After your visit", trigger="appointment", delay_hours=2)
    survey_create(kind="csat", name="After a purchase", trigger="purchase", delay_hours=1)
    survey_create(kind="ces", name="Booking online: how easy?", trigger="manual", active=False)

    visits = list(
        Appointment.objects.filter(status="completed", starts_at__gte=now - dt.timedelta(days=182))
        .select_related("staff")
        .order_by("starts_at")
    )
    invitations, answers = [], []
    for visit in visits:
        if rng.random() > 0.45:
            continue
        sent = visit.ends_at + dt.timedelta(hours=2)
        answered = rng.random() < 0.7 and sent < now
        invitations.append(
            Invitation(
                survey=nps,
                contact_id=visit.contact_id,
                token=secrets.token_urlsafe(16),
                status="answered"
                if answered
                else ("sent" if sent > now - dt.timedelta(days=14) else "expired"),
                language="en",
                channel=rng.choice(["email", "email", "sms"]),
                trigger="appointment",
                appointment_id=visit.pk,
                staff_id=visit.staff_id,
                service_id=visit.service_id,
                send_at=sent,
                sent_at=sent,
                answered_at=sent + dt.timedelta(hours=3) if answered else None,
                expires_at=sent + dt.timedelta(days=14),
            )
        )
    Invitation.objects.bulk_create(invitations, batch_size=1000)
    for invitation in invitations:
        if invitation.status != "answered":
            continue
        score = _score(rng)
        band = band_for("nps", score)
        words = {Band.PROMOTER: GOOD, Band.PASSIVE: MEH, Band.DETRACTOR: BAD}[band]
        created = invitation.answered_at
        answers.append(
            Response(
                invitation=invitation,
                survey=nps,
                contact_id=invitation.contact_id,
                kind="nps",
                score=score,
                band=band,
                comment=rng.choice(words) if rng.random() < 0.75 else "",
                language="en",
                channel=invitation.channel,
                staff_id=invitation.staff_id,
                service_id=invitation.service_id,
                created=created,
                updated=created,
                editable_until=created + dt.timedelta(minutes=30),
            )
        )
    Response.objects.bulk_create(answers, batch_size=1000)
    _cases(rng, [a for a in answers if a.band == Band.DETRACTOR], causes, manager, now)
    _remember_tomorrow(rng, nps, causes, manager, now)
    from .services.rollup import score_days_rebuild

    score_days_rebuild()  # the answers above were written in bulk, not through the service


def _cases(rng, detractors, causes, manager, now) -> None:
    cases = []
    for response in detractors:
        opened = response.created
        age = now - opened
        if age > dt.timedelta(days=10):
            status = "resolved"
        elif age > dt.timedelta(days=2):
            status = rng.choice(["open", "contacted", "resolved"])
        else:
            status = "open"
        resolved = opened + dt.timedelta(hours=rng.randint(4, 40)) if status == "resolved" else None
        gesture = rng.choice(["", "points", "voucher"]) if resolved else ""
        cases.append(
            Case(
                response=response,
                contact_id=response.contact_id,
                status=status,
                owner=manager,
                opened_at=opened,
                due_at=case_due_at(opened),
                first_contact_at=opened + dt.timedelta(hours=rng.randint(1, 20))
                if status != "open"
                else None,
                resolved_at=resolved,
                root_cause=rng.choice(causes) if resolved else None,
                resolution="Called, apologised and explained." if resolved else "",
                gesture_kind=gesture,
                gesture_points=200 if gesture == "points" else 0,
                gesture_value=Decimal("20.00") if gesture == "voucher" else Decimal(0),
            )
        )
    Case.objects.bulk_create(cases, batch_size=1000)
    CaseNote.objects.bulk_create(
        [
            CaseNote(case=c, author=manager, body="Left a voicemail.", created=c.first_contact_at)
            for c in cases
            if c.first_contact_at
        ]
    )


def _remember_tomorrow(rng, survey, causes, manager, now) -> None:
    """A patient booked for tomorrow who complained, was called back, and is to be greeted
    with the promise: the first thing the front desk sees when they arrive."""
    from apps.appointments.selectors.availability import practice_zone

    zone = practice_zone()
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    visit = (
        Appointment.objects.filter(starts_at__date=tomorrow, status__in=["booked", "confirmed"])
        .order_by("starts_at")
        .first()
    )
    if visit is None:
        return
    when = now - dt.timedelta(days=12)
    invitation = Invitation.objects.create(
        survey=survey,
        contact_id=visit.contact_id,
        token=secrets.token_urlsafe(16),
        status="answered",
        language="en",
        channel="email",
        trigger="manual",
        send_at=when,
        sent_at=when,
        answered_at=when,
        expires_at=when + dt.timedelta(days=14),
    )
    response = Response.objects.create(
        invitation=invitation,
        survey=survey,
        contact_id=visit.contact_id,
        kind="nps",
        score=3,
        band="detractor",
        comment="The chair by the window was freezing and nobody offered a blanket.",
        channel="email",
        created=when,
        updated=when,
        editable_until=when + dt.timedelta(minutes=30),
    )
    case = Case.objects.create(
        response=response,
        contact_id=visit.contact_id,
        status="resolved",
        owner=manager,
        opened_at=when,
        due_at=case_due_at(when),
        first_contact_at=when + dt.timedelta(hours=3),
        resolved_at=when + dt.timedelta(hours=5),
        root_cause=causes[1],
        resolution="Called; the heating in Chair 2 is fixed.",
    )
    RememberNote.objects.create(
        contact_id=visit.contact_id,
        case=case,
        body="Was cold last time: offer Chair 1 and a blanket, and say the heating is fixed.",
        created_by=manager,
        created=when + dt.timedelta(hours=5),
    )
