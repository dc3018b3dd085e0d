"""The survey form: the wording per language (question, "why?" prompt, thank-you) and the extra
questions (text, one choice, several choices, rating), each bad input named by its field."""

import pytest
from django.urls import reverse

from apps.feedback.models import Survey, SurveyQuestion
from tests.feedback.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def _base(**extra):
    data = {
        "name": "After your visit",
        "kind": "nps",
        "trigger": "appointment",
        "active": "on",
        "delay_hours": "2",
        "channel": "auto",
        "reminders": "1",
        "reminder_after_days": "3",
        "expiry_days": "14",
        "colour": "",
        "logo_url": "",
    }
    data.update(extra)
    return data


def _q(data):
    """The question form's fields, named with its prefix."""
    return {f"question-{key}": value for key, value in data.items()}


def test_the_wording_is_edited_per_language_and_empty_keeps_the_standard(manager_client):
    answer = manager_client.post(
        reverse("feedback:survey_create"),
        _base(
            text_fr_question="Recommanderiez-vous notre cabinet ?",
            text_es_thanks="¡Gracias por su tiempo!",
        ),
    )
    assert answer.status_code == 302
    survey = Survey.objects.get()
    assert survey.texts["fr"]["question"] == "Recommanderiez-vous notre cabinet ?"
    assert survey.texts["es"]["thanks"] == "¡Gracias por su tiempo!"
    assert survey.texts["en"]["question"].startswith("How likely")  # left empty: standard
    page = manager_client.get(reverse("feedback:survey_edit", args=[survey.pk]))
    assert "Recommanderiez-vous notre cabinet ?" in page.content.decode()
    assert 'lang="fr"' in page.content.decode()


def test_a_too_long_text_is_refused_naming_the_field(manager_client):
    answer = manager_client.post(reverse("feedback:survey_create"), _base(text_fr_why="x" * 501))
    assert answer.status_code == 400
    assert "text_fr_why" in answer.context["form"].errors
    assert not Survey.objects.exists()


def test_questions_of_each_kind_are_added_and_removed(manager_client):
    survey = SurveyFactory()
    url = reverse("feedback:survey_question_add", args=[survey.pk])
    for kind in ("text", "rating"):
        answer = manager_client.post(url, _q({"kind": kind, "label_en": f"A {kind} question"}))
        assert answer.status_code == 302
    answer = manager_client.post(
        url,
        _q(
            {
                "kind": "multiple",
                "required": "on",
                "label_en": "What did we do well?",
                "options_en": "Welcome\nCare\n\nPrice",
                "label_fr": "Qu'avons-nous bien fait ?",
                "options_fr": "Accueil\nSoins\nPrix",
            }
        ),
    )
    assert answer.status_code == 302
    question = SurveyQuestion.objects.get(kind="multiple")
    assert question.required
    assert question.texts["en"]["options"] == ["Welcome", "Care", "Price"]
    assert question.texts["fr"]["label"] == "Qu'avons-nous bien fait ?"
    assert "es" not in question.texts  # not given: the English one is shown
    page = manager_client.get(reverse("feedback:survey_edit", args=[survey.pk]))
    assert "What did we do well?" in page.content.decode()
    remove = reverse("feedback:survey_question_remove", args=[survey.pk, question.pk])
    assert manager_client.post(remove).status_code == 302
    assert SurveyQuestion.objects.filter(survey=survey).count() == 2


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "single", "label_en": "Pick one", "options_en": "Only one"}, "options_en"),
        ({"kind": "text", "label_en": "Say", "options_en": "A\nB"}, "options_en"),
        ({"kind": "rating", "label_en": ""}, "label_en"),
        ({"kind": "text", "label_en": "Hi", "options_es": "x\ny"}, "label_es"),
        (
            {
                "kind": "single",
                "label_en": "Pick",
                "options_en": "A\nB\nC",
                "label_fr": "Choisir",
                "options_fr": "A\nB",
            },
            "options_fr",
        ),
    ],
)
def test_a_bad_question_names_the_field(manager_client, data, field):
    survey = SurveyFactory()
    url = reverse("feedback:survey_question_add", args=[survey.pk])
    answer = manager_client.post(url, _q(data))
    assert answer.status_code == 400
    assert field in answer.context["question_form"].errors
    assert not SurveyQuestion.objects.exists()


def test_questions_are_for_managers_and_not_for_the_outsider(owner, staff_client, outsider_client):
    survey = SurveyFactory()
    url = reverse("feedback:survey_question_add", args=[survey.pk])
    data = _q({"kind": "text", "label_en": "Anything else?"})
    assert staff_client.post(url, data).status_code in (302, 403)
    assert outsider_client.post(url, data).status_code in (302, 403, 404)
    assert not SurveyQuestion.objects.exists()
