"""One response per invitation however it arrives, changed answers, case rules per kind, the
SMS number reply, and a translated survey that stays in its language."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.contacts.models import TimelineEvent
from apps.feedback.models import Case, CaseAlert, Response, SurveyingState
from apps.feedback.services.invitations import invitation_create, invitation_send
from apps.feedback.services.responses import response_submit
from apps.messaging.services.inbound import inbound_sms_receive
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def _sent(kind="nps", contact=None, **survey_fields):
    survey = SurveyFactory(kind=kind, **survey_fields)
    invitation = invitation_create(survey=survey, contact=contact or ContactFactory())
    return invitation_send(invitation=invitation)


def test_a_retried_submission_keeps_one_response_one_case_one_alert(tenant, owner):
    invitation = _sent()
    for _attempt in range(3):
        response_submit(invitation=invitation, score=3, comment="Long wait")
    assert Response.objects.count() == 1
    assert Case.objects.count() == 1
    assert CaseAlert.objects.filter(kind="opened").count() == 1
    assert TimelineEvent.objects.filter(type="survey.answered").count() == 1
    assert TimelineEvent.objects.filter(type="case.opened").count() == 1


def test_the_score_button_then_the_why_is_one_response(tenant, owner):
    invitation = _sent()
    response_submit(invitation=invitation, score=4, channel="email")
    response_submit(invitation=invitation, score=4, comment="Rude at the desk")
    response = Response.objects.get()
    assert (response.score, response.comment, response.channel) == (4, "Rude at the desk", "email")
    assert Case.objects.get().status == "open"


def test_a_changed_answer_closes_the_case_and_clears_its_alert(tenant, owner):
    invitation = _sent()
    response_submit(invitation=invitation, score=2)
    response_submit(invitation=invitation, score=10)
    case = Case.objects.get()
    assert case.status == "closed"
    assert not CaseAlert.objects.filter(case=case, read_at__isnull=True).exists()
    response_submit(invitation=invitation, score=1)
    case.refresh_from_db()
    assert case.status == "open"
    assert Case.objects.count() == 1
    assert CaseAlert.objects.filter(case=case).count() == 1


def test_an_answer_cannot_change_after_the_short_while(tenant, owner):
    invitation = _sent()
    response = response_submit(invitation=invitation, score=8)
    later = response.editable_until + dt.timedelta(minutes=1)
    assert response_submit(invitation=invitation, score=8, now=later).pk == response.pk
    with pytest.raises(ValidationError):
        response_submit(invitation=invitation, score=2, now=later)


@pytest.mark.parametrize(
    ("kind", "score", "opens"),
    [
        ("nps", 6, True),
        ("nps", 7, False),
        ("csat", 2, True),
        ("csat", 3, False),
        ("ces", 5, True),
        ("ces", 4, False),
    ],
)
def test_case_rules_for_each_kind(tenant, owner, kind, score, opens):
    response_submit(invitation=_sent(kind), score=score)
    assert Case.objects.exists() is opens
    assert TimelineEvent.objects.filter(type="feedback.detractor").exists() is opens


@pytest.mark.parametrize(("kind", "score"), [("nps", 11), ("csat", 0), ("ces", 8), ("nps", "x")])
def test_a_score_outside_the_scale_names_the_field(tenant, kind, score):
    with pytest.raises(ValidationError) as err:
        response_submit(invitation=_sent(kind), score=score)
    assert "score" in err.value.message_dict
    assert not Response.objects.exists()


def test_a_bare_number_by_sms_answers_the_latest_open_invitation(tenant, owner, deliver):
    contact = ContactFactory(phone="+4915112345678", sms_consent="opted_in")
    older = _sent(contact=contact)
    older.sent_at = older.sent_at - dt.timedelta(days=40)
    older.save()
    SurveyingState.objects.filter(contact=contact).update(last_asked_at=older.sent_at)
    latest = _sent(kind="csat", contact=contact, channel="sms")
    deliver()
    inbound_sms_receive(from_number="+4915112345678", body=" 2 ", provider_message_id="m1")
    deliver()
    response = Response.objects.get()
    assert response.invitation_id == latest.pk
    assert (response.score, response.channel) == (2, "sms")
    assert Case.objects.count() == 1
    inbound_sms_receive(
        from_number="+4915112345678", body="Thanks, 2 stars", provider_message_id="m2"
    )
    deliver()
    assert Response.objects.count() == 1


def test_a_number_outside_the_scale_by_sms_is_only_a_message(tenant, deliver):
    contact = ContactFactory(phone="+4915112345679", sms_consent="opted_in")
    _sent(kind="csat", contact=contact, channel="sms")
    deliver()
    inbound_sms_receive(from_number="+4915112345679", body="9", provider_message_id="m3")
    deliver()
    assert not Response.objects.exists()


def test_a_french_customer_gets_the_survey_in_french_to_the_end(tenant, owner):
    contact = ContactFactory(language="fr")
    invitation = _sent(contact=contact, channel="email")
    assert invitation.language == "fr"
    from apps.messaging.models import Message

    message = Message.objects.get(related_type="feedback_invitation")
    assert message.language == "fr"
    assert "recommandiez" in message.body
    response = response_submit(invitation=invitation, score=9)
    assert response.language == "fr"
