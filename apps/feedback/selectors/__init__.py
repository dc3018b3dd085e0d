"""Reads of feedback beyond a filter: the public page's questions, cases lists, the notes
the next visit starts with, the figures (figures.py) and segment conditions (segments.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import (
    OPEN_STATUSES,
    Case,
    CaseAlert,
    RememberNote,
    Response,
    Survey,
)

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def survey_questions_for(survey: Survey, language: str) -> list[dict[str, Any]]:
    out = []
    for question in survey.questions.all():
        texts: dict[str, Any] = question.texts.get(language) or next(
            iter(question.texts.values()), {}
        )
        out.append({"id": question.pk, "kind": question.kind, "label": texts.get("label", "")})
    return out


def referral_code_for(contact: Contact) -> str:
    """A promoter's referral code, when the business runs referrals and they are a member."""
    from apps.loyalty.services.common import program_get
    from apps.loyalty.services.ledger import member_for_contact

    if not program_get().referrals_enabled:
        return ""
    member = member_for_contact(contact)
    return member.referral_code if member is not None and member.active else ""


def survey_list() -> QuerySet[Survey]:
    return Survey.objects.order_by("-active", "name", "pk")


def survey_get(pk: int) -> Survey:
    return get_object_or_404(Survey, pk=pk)


def case_list(
    *,
    status: str = "",
    owner_id: int | None = None,
    overdue: bool = False,
    now: dt.datetime,
) -> QuerySet[Case]:
    """Cases with their contact, owner, response and survey, overdue first among open ones."""
    rows = Case.objects.select_related(
        "contact", "owner", "response", "response__survey", "root_cause"
    )
    if status == "open":
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif status:
        rows = rows.filter(status=status)
    if owner_id:
        rows = rows.filter(owner_id=owner_id)
    if overdue:
        rows = rows.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    return rows.order_by("status", "due_at", "pk")


def case_get(pk: int) -> Case:
    return get_object_or_404(
        Case.objects.select_related(
            "contact", "owner", "response", "response__survey", "root_cause"
        ),
        pk=pk,
    )


def cases_overdue_count(*, now: dt.datetime) -> int:
    return Case.objects.filter(status__in=OPEN_STATUSES, due_at__lt=now).count()


def remember_notes_today(*, now: dt.datetime) -> list[dict[str, Any]]:
    """The notes not yet honoured of the customers who visit today (in the practice's zone),
    with their first visit of the day, earliest first (two queries)."""
    from apps.appointments.selectors.availability import practice_zone
    from apps.appointments.selectors.calendar import appointments_on_day

    zone = practice_zone()
    visits = appointments_on_day(now.astimezone(zone).date(), zone=zone)
    notes = list(
        RememberNote.objects.filter(
            honoured_at__isnull=True, contact_id__in=visits.values("contact_id")
        )
        .select_related("contact")
        .order_by("created", "pk")
    )
    if not notes:
        return []
    first_visit: dict[int, Any] = {}
    for visit in (
        visits.filter(contact_id__in={n.contact_id for n in notes})
        .select_related("staff", "service")
        .order_by("starts_at", "pk")
    ):
        first_visit.setdefault(visit.contact_id, visit)
    rows = [{"note": note, "visit": first_visit.get(note.contact_id)} for note in notes]
    return sorted(rows, key=lambda r: (r["visit"].starts_at if r["visit"] else now, r["note"].pk))


def remember_notes_pending(contact_ids: list[int]) -> dict[int, list[RememberNote]]:
    """The notes not yet honoured, by contact (one query for a whole calendar)."""
    out: dict[int, list[RememberNote]] = {}
    for note in RememberNote.objects.filter(
        contact_id__in=contact_ids, honoured_at__isnull=True
    ).order_by("created", "pk"):
        out.setdefault(note.contact_id, []).append(note)
    return out


def remember_note_get(pk: int) -> RememberNote:
    return get_object_or_404(RememberNote.objects.select_related("contact"), pk=pk)


def response_list(*, survey_id: int | None = None, band: str = "") -> QuerySet[Response]:
    rows = Response.objects.select_related("contact", "survey")
    if survey_id:
        rows = rows.filter(survey_id=survey_id)
    if band:
        rows = rows.filter(band=band)
    return rows.order_by("-created", "-pk")


def alerts_unread(*, user) -> QuerySet[CaseAlert]:
    return CaseAlert.objects.filter(user=user, read_at__isnull=True).filter(
        Q(case__isnull=False) | Q(response__isnull=False)
    )
