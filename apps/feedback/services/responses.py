"""Answers: one response per invitation, whatever the way in (an e-mail score button, the
survey page, a bare number by SMS, a partner app). A retried or reloaded submission changes
the one row while it is editable; afterwards the same answer again is accepted as it stands
and a different one is refused. Every change brings the case in step (cases.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    Band,
    Invitation,
    InvitationStatus,
    QuestionKind,
    Response,
    band_for,
)
from .common import business_zone, feedback_settings_get, now_or
from .rollup import invitation_days_move, score_days_move, score_key

UNSET: Any = object()
COMMENT_MAX = 4000


def _score_clean(invitation: Invitation, score: Any) -> int | None:
    if score is None or score == "":
        return None
    try:
        value = int(score)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"score": _("Choose a score.")}) from exc
    low, high = invitation.survey.scale
    if not low <= value <= high:
        raise ValidationError(
            {"score": _("Choose a score from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return value


def _answers_clean(invitation: Invitation, answers: dict | None) -> dict[str, Any]:
    answers = answers or {}
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Give the answers by question.")})
    out: dict[str, Any] = {}
    questions = {str(q.pk): q for q in invitation.survey.questions.all()}
    for key, value in answers.items():
        question = questions.get(str(key))
        if question is None:
            raise ValidationError({"answers": _("An answer names an unknown question.")})
        texts = question.texts.get(invitation.language) or next(iter(question.texts.values()))
        options = texts.get("options") or []
        if value in (None, "", []):
            continue
        if question.kind == QuestionKind.TEXT:
            out[key] = str(value)[:COMMENT_MAX]
        elif question.kind == QuestionKind.RATING:
            if str(value) not in {"1", "2", "3", "4", "5"}:
                raise ValidationError({"answers": _("A rating is from 1 to 5.")})
            out[key] = int(value)
        elif question.kind == QuestionKind.SINGLE:
            if value not in options:
                raise ValidationError({"answers": _("Choose one of the options.")})
            out[key] = value
        else:
            values = value if isinstance(value, list) else [value]
            if not all(v in options for v in values):
                raise ValidationError({"answers": _("Choose among the options.")})
            out[key] = values
    for key, question in questions.items():
        if question.required and key not in out:
            raise ValidationError({"answers": _("Answer every required question.")})
    return out


def response_submit(
    *,
    invitation: Invitation,
    score: Any = UNSET,
    comment: Any = UNSET,
    answers: Any = UNSET,
    channel: str = "web",
    now: dt.datetime | None = None,
) -> Response:
    """Record (or, while editable, change) the one answer to an invitation, and bring its case
    in step. Only what is given changes: the e-mail button gives the score, the page then
    adds the "why"."""
    from apps.contacts.services import event_record

    from .cases import case_sync

    now = now_or(now)
    row = feedback_settings_get()
    zone = business_zone()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("survey", "contact")
            .get(pk=invitation.pk)
        )
        response = Response.objects.filter(invitation=invitation).first()
        new_score = _score_clean(invitation, score) if score is not UNSET else UNSET
        new_comment = str(comment or "").strip()[:COMMENT_MAX] if comment is not UNSET else UNSET
        new_answers = _answers_clean(invitation, answers) if answers is not UNSET else UNSET
        if response is None:
            if invitation.status == InvitationStatus.EXPIRED or now >= invitation.expires_at:
                raise ValidationError({"invitation": _("This survey has closed.")})
            if invitation.status in (InvitationStatus.DROPPED, InvitationStatus.SCHEDULED):
                raise ValidationError({"invitation": _("This survey was not sent.")})
            response = Response(
                invitation=invitation,
                survey=invitation.survey,
                contact=invitation.contact,
                kind=invitation.survey.kind,
                language=invitation.language,
                channel=channel,
                staff_id=invitation.staff_id,
                service_id=invitation.service_id,
                created=now,
                editable_until=now + dt.timedelta(minutes=row.edit_minutes),
            )
            previous_band = None
            counted_before = None
        else:
            previous_band = response.band
            counted_before = score_key(response, zone)
            same = (
                (new_score is UNSET or new_score == response.score)
                and (new_comment is UNSET or new_comment == response.comment)
                and (new_answers is UNSET or new_answers == response.answers)
            )
            if same:
                return response  # a retried or reloaded submission: nothing changes
            if now > response.editable_until:
                raise ValidationError(
                    {"invitation": _("This answer can no longer be changed. Thank you!")}
                )
        if new_score is not UNSET:
            response.score = new_score
        if new_comment is not UNSET:
            response.comment = new_comment
        if new_answers is not UNSET:
            response.answers = new_answers
        response.band = (
            band_for(response.kind, response.score) if response.score is not None else ""
        )
        response.updated = now
        created = response.pk is None
        response.save()
        score_days_move(before=counted_before, after=score_key(response, zone))
        if created:
            Invitation.objects.filter(pk=invitation.pk).update(
                status=InvitationStatus.ANSWERED, answered_at=now
            )
            invitation_days_move(
                invitation=invitation,
                before=invitation.status,
                after=InvitationStatus.ANSWERED,
                zone=zone,
            )
            if invitation.clicked_at is None:
                from .invitations import invitation_click

                invitation_click(invitation=invitation, now=now)
        if created or previous_band != response.band:
            event_record(
                contact=invitation.contact,
                type="survey.answered",
                source="feedback",
                properties={
                    "response_id": response.pk,
                    "survey": invitation.survey.name,
                    "kind": response.kind,
                    "score": response.score,
                    "band": response.band,
                    "changed": not created,
                },
            )
        case_sync(response=response, now=now)
        if response.band == Band.PROMOTER and response.comment:
            from .cases import praise_pass_on

            praise_pass_on(response=response, now=now)
    return response
