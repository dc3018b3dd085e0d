"""Surveys, their extra questions and the business's root causes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ..models import LANGUAGES, QuestionKind, RootCause, Survey, SurveyKind, SurveyQuestion

TEXT_KEYS = ("question", "why", "thanks")
COLOUR_CHARS = set("0123456789abcdefABCDEF")


def default_texts(kind: str) -> dict[str, dict[str, str]]:
    """The wording every survey starts with, in English, French and Spanish."""
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            questions: dict[str, str] = {
                SurveyKind.NPS: _("How likely are you to recommend us to a friend or colleague?"),
                SurveyKind.CSAT: _("How satisfied were you with your visit?"),
                SurveyKind.CES: _("How easy was it to get what you needed from us?"),
            }
            question = questions[kind]
            out[language] = {
                "question": str(question),
                "why": str(_("What is the main reason for your score?")),
                "thanks": str(_("Thank you! Your answer helps us do better.")),
            }
    return out


def _texts_clean(kind: str, texts: dict | None) -> dict[str, dict[str, str]]:
    merged = default_texts(kind)
    for language, values in (texts or {}).items():
        if language not in LANGUAGES or not isinstance(values, dict):
            raise ValidationError({"texts": _("Give texts in English, French or Spanish.")})
        for key, value in values.items():
            if key not in TEXT_KEYS or not isinstance(value, str) or len(value) > 500:
                raise ValidationError(
                    {"texts": _("Each text is a question, why or thanks of 500 characters.")}
                )
            if value.strip():
                merged[language][key] = value.strip()
    return merged


def _colour_clean(colour: str) -> str:
    colour = (colour or "").strip()
    if colour and (len(colour) != 7 or colour[0] != "#" or not set(colour[1:]) <= COLOUR_CHARS):
        raise ValidationError({"colour": _("Give a colour as #rrggbb.")})
    return colour


FIELDS = (
    "name",
    "trigger",
    "active",
    "delay_hours",
    "service_ids",
    "channel",
    "reminders",
    "reminder_after_days",
    "expiry_days",
    "logo_url",
)


def survey_create(*, kind: str, name: str, **values: Any) -> Survey:
    """A survey with the default texts in every language, changed where given."""
    if kind not in SurveyKind.values:
        raise ValidationError({"kind": _("Choose NPS, satisfaction or effort.")})
    survey = Survey(kind=kind, name=(name or "").strip())
    return _survey_save(survey, values)


def survey_update(*, survey: Survey, **values: Any) -> Survey:
    """Change a survey; its kind stays (answers already given keep their scale)."""
    if "kind" in values and values.pop("kind") != survey.kind:
        raise ValidationError({"kind": _("A survey's kind cannot change once made.")})
    return _survey_save(survey, values)


def _survey_save(survey: Survey, values: dict[str, Any]) -> Survey:
    texts = values.pop("texts", None)
    colour = values.pop("colour", None)
    for name, value in values.items():
        if name not in FIELDS:
            raise ValidationError({name: _("Unknown field.")})
        setattr(survey, name, value)
    if not survey.name:
        raise ValidationError({"name": _("Give the survey a name.")})
    if not isinstance(survey.service_ids, list) or not all(
        isinstance(i, int) for i in survey.service_ids
    ):
        raise ValidationError({"service_ids": _("Give the services as a list of ids.")})
    if texts is not None or not survey.texts:
        survey.texts = _texts_clean(survey.kind, texts if texts is not None else survey.texts)
    if colour is not None:
        survey.colour = _colour_clean(colour)
    survey.full_clean(exclude=["texts", "service_ids"])
    with transaction.atomic():
        survey.save()
    return survey


def survey_question_add(
    *, survey: Survey, kind: str, texts: dict, required: bool = False
) -> SurveyQuestion:
    """An extra question; choice questions need options in every language they are in."""
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": _("Choose text, one choice, several choices or rating.")})
    if not texts or not all(
        lang in LANGUAGES and isinstance(v, dict) and (v.get("label") or "").strip()
        for lang, v in texts.items()
    ):
        raise ValidationError({"texts": _("Give the question's label in each language.")})
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) and not all(
        isinstance(v.get("options"), list) and len(v["options"]) >= 2 for v in texts.values()
    ):
        raise ValidationError({"texts": _("A choice question needs at least two options.")})
    with transaction.atomic():
        position = survey.questions.count()
        return SurveyQuestion.objects.create(
            survey=survey, kind=kind, texts=texts, required=required, position=position
        )


def survey_question_remove(*, question: SurveyQuestion) -> None:
    """Take an extra question off its survey; answers already given keep their values."""
    with transaction.atomic():
        SurveyQuestion.objects.filter(pk=question.pk).delete()


def root_cause_create(*, label: str) -> RootCause:
    """A cause cases can be resolved with."""
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Give the cause a name.")})
    if RootCause.objects.filter(label__iexact=label).exists():
        raise ValidationError({"label": _("This cause already exists.")})
    with transaction.atomic():
        return RootCause.objects.create(label=label[:80], position=RootCause.objects.count())


def survey_texts(survey: Survey, language: str) -> dict[str, str]:
    """The survey's texts in a language (else English)."""
    return survey.texts.get(language) or survey.texts.get("en") or default_texts(survey.kind)["en"]
