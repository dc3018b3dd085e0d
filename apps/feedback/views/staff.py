"""Staff pages: the figures (charts with their tables), surveys (list, new, edit, send to a
segment), responses, and the feedback settings (rules, review link, root causes)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.errors import DomainError

from ..forms import QuestionForm, RootCauseForm, SegmentSendForm, SettingsForm, SurveyForm
from ..models import Band, RootCause
from ..selectors import response_list, survey_get, survey_list
from ..selectors.figures import (
    case_figures,
    comment_terms,
    recovery_figures,
    score_summary,
    scores_with_rates,
)
from ..services.common import feedback_settings_get, feedback_settings_update
from ..services.invitations import invitations_for_segment
from ..services.surveys import (
    root_cause_create,
    survey_create,
    survey_question_add,
    survey_question_remove,
    survey_update,
)

PERIODS = {"90": 90, "180": 180, "365": 365}
CHART_W, CHART_H = 600, 180


def _line_chart(points: list[tuple[str, float | None]], low: float, high: float) -> dict:
    """SVG coordinates of a line chart (the page draws it; the table beside says the same)."""
    usable = [(i, label, v) for i, (label, v) in enumerate(points) if v is not None]
    n = max(len(points) - 1, 1)
    span = (high - low) or 1

    def xy(i: int, v: float) -> tuple[float, float]:
        return round(40 + i * (CHART_W - 60) / n, 1), round(
            10 + (high - v) * (CHART_H - 30) / span, 1
        )

    dots = [
        {"x": xy(i, v)[0], "y": xy(i, v)[1], "label": label, "value": v} for i, label, v in usable
    ]
    zero = None if not low < 0 < high else xy(0, 0)[1]
    return {
        "width": CHART_W,
        "height": CHART_H,
        "path": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "zero": zero,
        "top": high,
        "bottom": low,
        "labels": [{"x": xy(i, low)[0], "text": label} for i, (label, _v) in enumerate(points)],
    }


def _bars(rows: list[dict], key: str) -> list[dict]:
    values = [abs(r[key]) for r in rows if r[key] is not None]
    top = max(values) if values else 1
    for row in rows:
        value = row[key]
        row["bar"] = 0 if value is None else round(100 * abs(value) / (top or 1))
        row["negative"] = value is not None and value < 0
    return rows


@role_required(Role.VIEWER)
@require_GET
def figures(request):
    from apps.tenants.formats import format_date_short

    from ..services.common import business_zone

    now = timezone.now()
    period = request.GET.get("period", "180")
    days = PERIODS.get(period, 180)
    # Whole local days ending with today: what the daily roll-up counts.
    zone = business_zone()
    today = now.astimezone(zone).date()
    since = dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time(), zone)
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), zone)
    if request.GET.get("part") == "loop":
        # Cases and what recovery earns read every case and answer of the period: drawn
        # on their own request so the scores show at once.
        return render(
            request,
            "feedback/_figures_loop.html",
            {
                "cases": case_figures(since=since, until=until, now=now),
                "recovery": recovery_figures(since=since, until=until),
            },
        )
    if request.GET.get("part") == "loop":
        # Cases and what recovery earns read every case and answer of the period: drawn
        # on their own request so the scores show at once.
        return render(
            request,
            "feedback/_figures_loop.html",
            {
                "cases": case_figures(since=since, until=until, now=now),
                "recovery": recovery_figures(since=since, until=until),
            },
        )
    band = request.GET.get("band", "")
    if band not in Band.values:
        band = ""
    by = request.GET.get("by", "month")
    if by not in ("week", "month"):
        by = "month"
    summary = score_summary(since=since, until=until, by=by)  # one pass over the roll-up
    scores = scores_with_rates(summary["totals"], since=since, until=until)
    periods = summary["periods"]
    chart = _line_chart([(format_date_short(p["period"]), p["nps"]) for p in periods], -100, 100)
    words, phrases = comment_terms(since=since, until=until, band=band)
    return render(
        request,
        "feedback/figures.html",
        {
            "scores": scores,
            "periods": periods,
            "chart": chart,
            "by": by,
            "period": str(days),
            "band": band,
            "bands": Band.choices,
            "staff_rows": _bars(summary["staff"], "nps"),
            "service_rows": _bars(summary["service"], "nps"),
            "channel_rows": _bars(summary["channel"], "nps"),
            "words": words,
            "phrases": phrases,
        },
    )


@role_required(Role.VIEWER)
@require_GET
def survey_list_view(request):
    return render(
        request,
        "feedback/survey_list.html",
        {"surveys": list(survey_list()), "can_manage": request.user.has_role(Role.MANAGER)},
    )


def _survey_values(form) -> dict:
    data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("text_")}
    data.pop("kind", None)
    data["texts"] = form.texts()
    return data


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def survey_create_view(request):
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_create(kind=form.cleaned_data["kind"], **_survey_values(form))
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Survey created."))
            return redirect("feedback:survey_edit", pk=survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback/survey_form.html", {"form": form}, status=status)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def survey_edit_view(request, pk: int):
    survey = survey_get(pk)
    form = SurveyForm(request.POST or None, instance=survey)
    send_form = SegmentSendForm()
    if request.method == "POST" and form.is_valid():
        try:
            survey_update(survey=survey_get(pk), **_survey_values(form))
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Survey saved."))
            return redirect("feedback:survey_edit", pk=survey.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/survey_form.html",
        {
            "form": form,
            "survey": survey,
            "send_form": send_form,
            "question_form": QuestionForm(),
            "questions": list(survey.questions.all()),
        },
        status=status,
    )


@role_required(Role.MANAGER)
@require_http_methods(["POST"])
def survey_question_add_view(request, pk: int):
    survey = survey_get(pk)
    question_form = QuestionForm(request.POST)
    if question_form.is_valid():
        try:
            survey_question_add(
                survey=survey,
                kind=question_form.cleaned_data["kind"],
                texts=question_form.texts(),
                required=question_form.cleaned_data["required"],
            )
        except (ValidationError, DomainError) as exc:
            question_form.add_service_errors(exc)
        else:
            messages.success(request, _("Question added."))
            return redirect(reverse("feedback:survey_edit", args=[survey.pk]) + "#questions")
    return render(
        request,
        "feedback/survey_form.html",
        {
            "form": SurveyForm(instance=survey),
            "survey": survey,
            "send_form": SegmentSendForm(),
            "question_form": question_form,
            "questions": list(survey.questions.all()),
        },
        status=400,
    )


@role_required(Role.MANAGER)
@require_http_methods(["POST"])
def survey_question_remove_view(request, pk: int, question_pk: int):
    survey = survey_get(pk)
    question = get_object_or_404(survey.questions, pk=question_pk)
    survey_question_remove(question=question)
    messages.success(request, _("Question removed."))
    return redirect(reverse("feedback:survey_edit", args=[survey.pk]) + "#questions")


@role_required(Role.MANAGER)
@require_http_methods(["POST"])
def survey_send_view(request, pk: int):
    survey = survey_get(pk)
    form = SegmentSendForm(request.POST)
    if form.is_valid():
        try:
            counts = invitations_for_segment(
                survey=survey,
                segment_id=int(form.cleaned_data["segment"]),
                batch_key=form.cleaned_data["batch_key"],
            )
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "%(scheduled)s invitations scheduled, %(dropped)s not sent (asked recently, open case or no surveys wanted)."
                )
                % counts,
            )
            return redirect("feedback:survey_edit", pk=survey.pk)
    return render(
        request,
        "feedback/survey_form.html",
        {"form": SurveyForm(instance=survey), "survey": survey, "send_form": form},
        status=400,
    )


@role_required(Role.VIEWER)
@require_GET
def response_list_view(request):
    band = request.GET.get("band", "")
    if band not in Band.values:
        band = ""
    rows = list(response_list(band=band)[:100])
    return render(
        request,
        "feedback/response_list.html",
        {"responses": rows, "band": band, "bands": Band.choices},
    )


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def settings_view(request):
    row = feedback_settings_get()
    form = SettingsForm(request.POST or None, instance=row)
    cause_form = RootCauseForm()
    if request.method == "POST" and "label" in request.POST:
        cause_form = RootCauseForm(request.POST)
        form = SettingsForm(instance=row)
        if cause_form.is_valid():
            try:
                root_cause_create(label=cause_form.cleaned_data["label"])
            except (ValidationError, DomainError) as exc:
                cause_form.add_service_errors(exc)
            else:
                messages.success(request, _("Root cause added."))
                return redirect("feedback:settings")
    elif request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values["open_days"] = [int(d) for d in values.get("open_days") or []]
        try:
            feedback_settings_update(values=values)
        except (ValidationError, DomainError) as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("feedback:settings")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "feedback/settings.html",
        {"form": form, "cause_form": cause_form, "causes": list(RootCause.objects.all())},
        status=status,
    )
