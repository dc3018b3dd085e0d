"""Asking: the one limit per contact, open cases, do-not-survey, drops counted, sending,
quiet hours, reminders that stop once clicked, expiry."""

import datetime as dt

import pytest

from apps.feedback.models import Invitation, SurveyingState
from apps.feedback.services.invitations import (
    REMIND,
    SEND,
    do_not_survey_set,
    invitation_click,
    invitation_create,
    invitation_expire,
    invitation_from_link,
    invitation_link_token,
    invitation_remind,
    invitation_send,
)
from apps.feedback.services.responses import response_submit
from apps.messaging.models import Message
from apps.scheduling.models import DueWork
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import SurveyFactory
from tests.helpers.clock import BERLIN, clock_at, local, today

pytestmark = pytest.mark.django_db


def _noon(days: int = 0) -> dt.datetime:
    return local(today() + dt.timedelta(days=days), 12, 0, BERLIN).astimezone(dt.UTC)


def test_an_invitation_is_scheduled_then_sent_once_with_its_link(tenant):
    contact = ContactFactory()
    survey = SurveyFactory(channel="email")
    now = _noon()
    invitation = invitation_create(survey=survey, contact=contact, send_at=now, now=now)
    assert invitation.status == "scheduled"
    assert DueWork.objects.filter(kind=SEND, ref=str(invitation.pk)).exists()
    invitation_send(invitation=invitation, now=now)
    invitation_send(invitation=invitation, now=now)  # a retried task
    messages = Message.objects.filter(related_type="feedback_invitation")
    assert messages.count() == 1
    body = messages.get().body
    token = invitation_link_token(invitation)
    assert f"/f/{token}/0/" in body and f"/f/{token}/10/" in body  # the score buttons
    invitation.refresh_from_db()
    assert invitation.status == "sent" and invitation.channel == "email"
    assert invitation_from_link(token) == invitation


def test_one_limit_per_contact_across_every_survey(tenant):
    contact = ContactFactory()
    first, second = SurveyFactory(), SurveyFactory(kind="csat")
    now = _noon()
    asked = invitation_create(survey=first, contact=contact, send_at=now, now=now)
    again = invitation_create(survey=second, contact=contact, send_at=now, now=now)
    assert asked.status == "scheduled"
    assert (again.status, again.drop_reason) == ("dropped", "cooldown")
    assert not DueWork.objects.filter(kind=SEND, ref=str(again.pk)).exists()  # never queued
    later = now + dt.timedelta(days=31)
    assert invitation_create(survey=second, contact=contact, send_at=later, now=later).status == (
        "scheduled"
    )


def test_do_not_survey_and_open_cases_drop_the_ask(tenant):
    calm, unhappy = ContactFactory(), ContactFactory()
    survey = SurveyFactory()
    now = _noon()
    do_not_survey_set(contact=calm, value=True)
    assert invitation_create(survey=survey, contact=calm, now=now).drop_reason == "do_not_survey"
    invitation = invitation_create(survey=survey, contact=unhappy, now=now)
    invitation_send(invitation=invitation, now=now)
    response_submit(invitation=invitation, score=2, now=now)
    later = now + dt.timedelta(days=60)
    other = SurveyFactory(kind="ces")
    dropped = invitation_create(survey=other, contact=unhappy, send_at=later, now=later)
    assert dropped.drop_reason == "open_case"
    assert Invitation.objects.filter(status="dropped").count() == 2


def test_the_same_visit_asks_once(tenant):
    contact = ContactFactory()
    survey = SurveyFactory()
    now = _noon()
    one = invitation_create(survey=survey, contact=contact, appointment_id=5, now=now)
    two = invitation_create(survey=survey, contact=contact, appointment_id=5, now=now)
    assert one.pk == two.pk
    assert SurveyingState.objects.get(contact=contact).last_asked_at == now


def test_sms_invitations_wait_for_the_end_of_quiet_hours(tenant):
    contact = ContactFactory(email="", sms_consent="opted_in")
    survey = SurveyFactory(channel="sms")
    night = local(today(), 23, 0, BERLIN).astimezone(dt.UTC)
    with clock_at(night):
        invitation = invitation_create(survey=survey, contact=contact, now=night)
        invitation_send(invitation=invitation, now=night)
    message = Message.objects.get(related_type="feedback_invitation")
    assert message.channel == "sms"
    assert message.status == "deferred"
    assert message.scheduled_for.astimezone(BERLIN).hour == 8


def test_reminders_stop_once_the_customer_clicks(tenant):
    contact = ContactFactory()
    survey = SurveyFactory(channel="email", reminders=2, reminder_after_days=3)
    now = _noon()
    invitation = invitation_create(survey=survey, contact=contact, now=now)
    invitation_send(invitation=invitation, now=now)
    assert DueWork.objects.filter(kind=REMIND, ref=str(invitation.pk), status="pending").exists()
    assert invitation_remind(invitation=invitation, now=now + dt.timedelta(days=3))
    invitation_click(invitation=invitation, now=now + dt.timedelta(days=4))
    assert not DueWork.objects.filter(
        kind=REMIND, ref=str(invitation.pk), status="pending"
    ).exists()
    assert not invitation_remind(invitation=invitation, now=now + dt.timedelta(days=6))
    purposes = list(Message.objects.values_list("purpose", flat=True).order_by("pk"))
    assert purposes == ["feedback_invitation", "feedback_reminder"]


def test_at_most_the_surveys_reminders_go(tenant):
    contact = ContactFactory()
    survey = SurveyFactory(channel="email", reminders=1)
    now = _noon()
    invitation = invitation_create(survey=survey, contact=contact, now=now)
    invitation_send(invitation=invitation, now=now)
    assert invitation_remind(invitation=invitation, now=now + dt.timedelta(days=3))
    assert not invitation_remind(invitation=invitation, now=now + dt.timedelta(days=6))


def test_invitations_expire_and_then_take_no_answer(tenant):
    from django.core.exceptions import ValidationError

    contact = ContactFactory()
    survey = SurveyFactory(expiry_days=14)
    now = _noon()
    invitation = invitation_create(survey=survey, contact=contact, now=now)
    invitation_send(invitation=invitation, now=now)
    assert not invitation_expire(invitation=invitation, now=now + dt.timedelta(days=13))
    assert invitation_expire(invitation=invitation, now=now + dt.timedelta(days=14))
    with pytest.raises(ValidationError):
        response_submit(invitation=invitation, score=9, now=now + dt.timedelta(days=15))


def test_a_link_of_another_business_or_altered_is_refused(tenant):
    from django.core.exceptions import ValidationError

    contact = ContactFactory()
    invitation = invitation_create(survey=SurveyFactory(), contact=contact)
    with pytest.raises(ValidationError):
        invitation_from_link(invitation_link_token(invitation) + "x")
