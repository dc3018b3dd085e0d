"""The customer's survey page behind the signed link: no login, one response per invitation
(changeable for a short while), in the invitation's language to the end, then thanks with
the business's review link (offered to everyone) and, for promoters, their referral code.
The e-mail's score buttons land here after saving the score at once."""

from __future__ import annotations

import contextlib

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from apps.tenants.languages import customer_page, page_language_activate
from cxsuite.lib.errors import DomainError

from ..forms import SurveyAnswerForm
from ..models import Band, Invitation, InvitationStatus, Response
from ..selectors import referral_code_for, survey_questions_for
from ..services.common import feedback_settings_get
from ..services.invitations import (
    invitation_click,
    invitation_from_link,
    link_follower_is_machine,
)
from ..services.responses import response_submit
from ..services.surveys import survey_texts

TEMPLATES = "feedback/public"


def _machine(request, invitation: Invitation) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return bool(link_follower_is_machine(invitation=invitation, user_agent=agent))


def _invitation_or_page(request, token: str):
    try:
        return invitation_from_link(token), None
    except ValidationError as exc:
        return None, render(
            request, f"{TEMPLATES}/link_invalid.html", {"reason": exc.messages[0]}, status=404
        )


def _context(request, invitation: Invitation, response: Response | None, **extra) -> dict:
    survey = invitation.survey
    low, high = survey.scale
    now = timezone.now()
    return {
        "invitation": invitation,
        "survey": survey,
        "texts": survey_texts(survey, invitation.language),
        "scores": list(range(low, high + 1)),
        "low": low,
        "high": high,
        "response": response,
        "editable": response is not None and now <= response.editable_until,
        "closed": response is None
        and (invitation.status == InvitationStatus.EXPIRED or now >= invitation.expires_at),
        "questions": survey_questions_for(survey, invitation.language),
        **extra,
    }


def _thanks(request, invitation: Invitation, response: Response):
    settings_row = feedback_settings_get()
    promoter = response.band == Band.PROMOTER
    context = _context(
        request,
        invitation,
        response,
        review_url=settings_row.review_url,
        referral_code=referral_code_for(invitation.contact) if promoter else "",
        edit_url=reverse("feedback:survey_page", args=[request.resolver_match.kwargs["token"]])
        + "?edit=1",
    )
    return render(request, f"{TEMPLATES}/thanks.html", context)


@customer_page
@require_http_methods(["GET", "POST"])
def survey_page(request, token: str):
    invitation, page = _invitation_or_page(request, token)
    if invitation is None:
        return page
    page_language_activate(invitation.language)
    if request.method == "POST" or not _machine(request, invitation):
        invitation_click(invitation=invitation)
    response = Response.objects.filter(invitation=invitation).first()
    if request.method == "POST":
        form = SurveyAnswerForm(request.POST, invitation=invitation)
        if form.is_valid():
            try:
                response_submit(
                    invitation=invitation,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    answers=form.answers(),
                    channel=invitation.channel or "web",
                )
            except (ValidationError, DomainError) as exc:
                form.add_service_errors(exc)
            else:
                return redirect(reverse("feedback:survey_page", args=[token]) + "?done=1")
        context = _context(request, invitation, response, form=form)
        return render(request, f"{TEMPLATES}/survey.html", context, status=400)
    now = timezone.now()
    wants_form = request.GET.get("edit") == "1" or "score" in request.GET
    if response is not None and not (wants_form and now <= response.editable_until):
        return _thanks(request, invitation, response)
    initial = {}
    if response is not None:
        initial = {"score": response.score, "comment": response.comment}
    elif request.GET.get("score", "").isdigit():
        initial = {"score": int(request.GET["score"])}
    form = SurveyAnswerForm(initial=initial, invitation=invitation)
    return render(
        request, f"{TEMPLATES}/survey.html", _context(request, invitation, response, form=form)
    )


@customer_page
@require_GET
def survey_score(request, token: str, score: int):
    """An e-mail score button: a person's click saves the score at once (the case opens then),
    and the page opens with it chosen so the customer can add the "why?". A machine's GET
    (campaigns' rule: scanner user agents, a fetch within seconds of sending) saves nothing."""
    invitation, page = _invitation_or_page(request, token)
    if invitation is None:
        return page
    page_language_activate(invitation.language)
    # A link scanner fetching the button (by its user agent, or on arrival) saves nothing:
    # it lands on the page with the score chosen, where only a submit records it.
    if not _machine(request, invitation):
        invitation_click(invitation=invitation)
        # closed, or no longer changeable: the page says so
        with contextlib.suppress(ValidationError, DomainError):
            response_submit(
                invitation=invitation, score=score, channel=invitation.channel or "email"
            )
    return redirect(reverse("feedback:survey_page", args=[token]) + f"?score={score}")
