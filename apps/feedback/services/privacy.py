"""Feedback's part of merging, exporting and erasing a contact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from ..models import Case, Invitation, RememberNote, Response, SurveyingState

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def feedback_merge(*, survivor: Contact, others: Sequence[Contact]) -> None:
    """Invitations, responses, cases and notes move to the survivor. The surveying row is
    one per contact: the survivor keeps theirs, "do not survey" if any of them asked for it,
    and the latest time any of them was asked (so the merge does not reset the limit)."""
    other_ids = [o.pk for o in others]
    with transaction.atomic():
        states = list(
            SurveyingState.objects.select_for_update().filter(
                contact_id__in=[survivor.pk, *other_ids]
            )
        )
        for model in (Invitation, Response, Case, RememberNote):
            model.objects.filter(contact_id__in=other_ids).update(contact=survivor)
        if not states:
            return
        keep = next((s for s in states if s.contact_id == survivor.pk), None)
        do_not = any(s.do_not_survey for s in states)
        asked = max((s.last_asked_at for s in states if s.last_asked_at), default=None)
        SurveyingState.objects.filter(contact_id__in=other_ids).delete()
        if keep is None:
            SurveyingState.objects.create(
                contact=survivor, do_not_survey=do_not, last_asked_at=asked
            )
        else:
            SurveyingState.objects.filter(pk=keep.pk).update(
                do_not_survey=do_not, last_asked_at=asked
            )


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def feedback_export(contact: Contact) -> dict[str, Any]:
    """The contact's invitations, answers (with their words), cases and notes."""
    state = SurveyingState.objects.filter(contact=contact).first()
    return {
        "do_not_survey": bool(state and state.do_not_survey),
        "invitations": [
            {
                "survey": i.survey.name,
                "status": i.status,
                "channel": i.channel,
                "sent_at": _iso(i.sent_at),
                "answered_at": _iso(i.answered_at),
            }
            for i in Invitation.objects.filter(contact=contact).select_related("survey")
        ],
        "responses": [
            {
                "survey": r.survey.name,
                "kind": r.kind,
                "score": r.score,
                "comment": r.comment,
                "answers": r.answers,
                "created": _iso(r.created),
            }
            for r in Response.objects.filter(contact=contact).select_related("survey")
        ],
        "cases": [
            {
                "status": c.status,
                "opened_at": _iso(c.opened_at),
                "resolved_at": _iso(c.resolved_at),
                "resolution": c.resolution,
                "notes": [n.body for n in c.notes.all()],
            }
            for c in Case.objects.filter(contact=contact).prefetch_related("notes")
        ],
        "remember_notes": [
            {"body": n.body, "created": _iso(n.created), "honoured_at": _iso(n.honoured_at)}
            for n in RememberNote.objects.filter(contact=contact)
        ],
    }


def feedback_erase(contact: Contact) -> None:
    """Keep the figures, drop the words.

    Kept: invitations (statuses, times), scores and bands, case statuses, times, causes and
    gestures (NPS, response rates and the recovered rate stay true). Cleared: comments and
    free-text answers, case resolutions and notes, "remember" notes; pending invitations stop
    (nobody writes to an erased person) and the contact is never surveyed again."""
    from ..models import InvitationStatus

    with transaction.atomic():
        Response.objects.filter(contact=contact).update(comment="", answers={})
        cases = Case.objects.filter(contact=contact)
        cases.update(resolution="")
        from ..models import CaseNote

        CaseNote.objects.filter(case__in=cases).update(body="")
        RememberNote.objects.filter(contact=contact).update(body="")
        Invitation.objects.filter(
            contact=contact, status__in=[InvitationStatus.SCHEDULED, InvitationStatus.SENT]
        ).update(status=InvitationStatus.EXPIRED)
        SurveyingState.objects.update_or_create(contact=contact, defaults={"do_not_survey": True})
