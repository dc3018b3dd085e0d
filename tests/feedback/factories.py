import datetime as dt
import secrets

import factory
from django.utils import timezone

from apps.feedback.models import Invitation, RootCause, Survey
from apps.feedback.services.surveys import default_texts
from tests.contacts.factories import ContactFactory


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    name = factory.Sequence(lambda n: f"Survey {n}")
    kind = "nps"
    trigger = "appointment"
    delay_hours = 2
    reminders = 1
    texts = factory.LazyAttribute(lambda o: default_texts(o.kind))


class InvitationFactory(factory.django.DjangoModelFactory):
    """A sent invitation (written straight to the table; use invitation_create for rules)."""

    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    contact = factory.SubFactory(ContactFactory)
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(16))
    status = "sent"
    trigger = "manual"
    channel = "email"
    language = "en"
    send_at = factory.LazyFunction(timezone.now)
    sent_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class RootCauseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RootCause

    label = factory.Sequence(lambda n: f"Cause {n}")
