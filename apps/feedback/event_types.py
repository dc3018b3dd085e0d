"""The timeline event types of feedback (see apps/contacts/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.contacts.catalogue import EventType, choice_label

from .models import Band, SurveyKind

SURVEY = {
    "invitation_id": _("the invitation's id"),
    "survey": _("the survey's name"),
    "kind": _("nps, csat or ces"),
    "channel": _("how it was sent: email or sms"),
}
ANSWER = {
    "response_id": _("the response's id"),
    "survey": _("the survey's name"),
    "kind": _("nps, csat or ces"),
    "score": _("the score given"),
    "band": _("detractor, passive or promoter"),
    "changed": _("the customer changed an earlier answer"),
}
CASE = {
    "case_id": _("the case's id"),
    "response_id": _("the response's id"),
    "kind": _("nps, csat or ces"),
    "score": _("the score given"),
}
LABELS = {"kind": choice_label(SurveyKind), "band": choice_label(Band)}

EVENT_TYPES = [
    EventType(
        "survey.sent",
        _("Survey sent"),
        ("{survey}", "· {channel}"),
        SURVEY,
        labels={"kind": choice_label(SurveyKind)},
    ),
    EventType(
        "survey.answered",
        _("Survey answered"),
        ("{survey}", "· {score}", "· {band}"),
        ANSWER,
        labels=LABELS,
    ),
    EventType(
        "feedback.detractor",
        _("Unhappy answer"),
        ("{kind}", "· {score}"),
        CASE,
        labels={"kind": choice_label(SurveyKind)},
    ),
    EventType(
        "case.opened",
        _("Recovery case opened"),
        ("{kind}", "· {score}"),
        CASE,
        labels={"kind": choice_label(SurveyKind)},
        link=("case_id", "feedback:case_detail", _("Open the case")),
    ),
    EventType(
        "case.resolved",
        _("Recovery case resolved"),
        ("{root_cause}",),
        {
            "case_id": _("the case's id"),
            "root_cause": _("the root cause chosen"),
            "gesture": _("the gesture granted: points, voucher or none"),
            "remember": _("a note was left for the next visit"),
        },
        link=("case_id", "feedback:case_detail", _("Open the case")),
    ),
    EventType(
        "remember.honoured",
        _("Promise kept at a visit"),
        (),
        {"note_id": _("the note's id"), "case_id": _("the case's id, if any")},
    ),
]
