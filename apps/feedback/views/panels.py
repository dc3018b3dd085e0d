"""Feedback on the contact page (a ContactPanel) and on the appointment window: the
"remember" notes not yet honoured, the latest answers, open cases, the do-not-survey flag."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.contacts.selectors import contact_get
from apps.contacts.views.panels import ContactPanel

from ..models import OPEN_STATUSES, Case, Response, SurveyingState
from ..selectors import remember_note_get, remember_notes_pending
from ..services.cases import remember_honour
from ..services.invitations import do_not_survey_set

CONTACT_PANEL = ContactPanel(
    id="feedback",
    title=_("Feedback"),
    url_name="feedback:contact_panel",
    order=15,
    min_role=Role.VIEWER,
)


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


@role_required(CONTACT_PANEL.min_role)
@require_GET
def contact_panel(request, contact_pk: int):
    contact = contact_get(contact_pk)
    if not _is_partial(request):
        return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#feedback")
    state = SurveyingState.objects.filter(contact=contact).first()
    return render(
        request,
        "feedback/_contact_panel.html",
        {
            "contact": contact,
            "panel": CONTACT_PANEL,
            "notes": remember_notes_pending([contact.pk]).get(contact.pk, []),
            "responses": list(
                Response.objects.filter(contact=contact).select_related("survey")[:5]
            ),
            "cases": list(Case.objects.filter(contact=contact, status__in=OPEN_STATUSES)),
            "do_not_survey": bool(state and state.do_not_survey),
            "can_write": request.user.has_role(Role.STAFF),
        },
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


@role_required(Role.STAFF)
@require_POST
def remember_honour_view(request, pk: int):
    note = remember_note_get(pk)
    remember_honour(note=note, actor=request.user)
    return _back(request, reverse("contacts:contact_detail", args=[note.contact_id]))


@role_required(Role.STAFF)
@require_POST
def do_not_survey_view(request, contact_pk: int):
    contact = contact_get(contact_pk)
    do_not_survey_set(contact=contact, value=request.POST.get("value") == "1")
    return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#feedback")


def remember_notices(appointments):
    """The "remember" notes of the appointments' customers, on each of their visits until a
    member of staff marks the note honoured (one query for all the appointments)."""
    from django.utils.translation import gettext as _

    from apps.appointments.registries import Notice

    notes = remember_notes_pending(list({a.contact_id for a in appointments}))
    out = {}
    for appointment in appointments:
        for note in notes.get(appointment.contact_id, []):
            out.setdefault(appointment.pk, []).append(
                Notice(
                    text=_("Remember: %(note)s") % {"note": note.body},
                    action_url=reverse("feedback:remember_honour", args=[note.pk]),
                    action_label=_("Mark as honoured"),
                )
            )
    return out
