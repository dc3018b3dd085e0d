"""The demo: surveys, six months of answers with a realistic spread, open, overdue and
resolved cases, and a "remember" note on a patient booked for tomorrow."""

import random

import pytest

from apps.appointments.demo import demo_seed as appointments_seed
from apps.contacts.models import Contact
from apps.feedback.demo import demo_seed
from apps.feedback.models import Case, RememberNote, Response, Survey
from apps.feedback.selectors.figures import scores_for

pytestmark = pytest.mark.usefixtures("tenant")


def test_the_demo_has_surveys_answers_cases_and_a_note_for_tomorrow(tenant, owner):
    from django.utils import timezone

    Contact.objects.bulk_create(
        [
            Contact(
                first_name=f"Pat{n}",
                last_name="Demo",
                email=f"pat{n}@example.test",
                phone=f"+1312555{n:04d}",
            )
            for n in range(2000)
        ]
    )
    appointments_seed(tenant=tenant, rng=random.Random(2026))
    demo_seed(tenant=tenant, rng=random.Random(2026))
    assert Survey.objects.count() == 3
    assert Response.objects.count() > 50
    now = timezone.now()
    scores = scores_for(since=now - timezone.timedelta(days=200), until=now)
    assert 10 < scores.nps < 80
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"open", "resolved"} <= statuses
    assert RememberNote.objects.filter(honoured_at__isnull=True).count() == 1
