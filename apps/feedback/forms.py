"""HTML input of feedback: the customer's answer, the staff's case work and settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cxsuite.lib.forms import StyledFormMixin, form_add_service_errors

from .models import (
    LANGUAGES,
    CaseStatus,
    GestureKind,
    QuestionKind,
    RootCause,
    Survey,
    SurveyKind,
)


class ServiceErrorsMixin:
    def add_service_errors(self, exc: Exception) -> None:
        if isinstance(exc, ValidationError):
            form_add_service_errors(self, exc)  # type: ignore[arg-type]
        else:
            self.add_error(None, str(exc))  # type: ignore[attr-defined]


class SurveyAnswerForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    """The score, the "why?" and the survey's extra questions."""

    score = forms.TypedChoiceField(coerce=int, required=False, widget=forms.RadioSelect)
    comment = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survey = invitation.survey
        low, high = survey.scale
        self.fields["score"].choices = [(str(n), str(n)) for n in range(low, high + 1)]
        self.question_names: list[tuple[str, Any]] = []
        language = invitation.language
        for question in survey.questions.all():
            texts = question.texts.get(language) or next(iter(question.texts.values()))
            label = texts.get("label", "")
            options = [(o, o) for o in texts.get("options") or []]
            name = f"q{question.pk}"
            if question.kind == QuestionKind.TEXT:
                field: forms.Field = forms.CharField(
                    label=label,
                    required=question.required,
                    max_length=4000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            elif question.kind == QuestionKind.SINGLE:
                field = forms.ChoiceField(
                    label=label,
                    required=question.required,
                    choices=options,
                    widget=forms.RadioSelect,
                )
            elif question.kind == QuestionKind.MULTIPLE:
                field = forms.MultipleChoiceField(
                    label=label,
                    required=question.required,
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                field = forms.TypedChoiceField(
                    label=label,
                    required=question.required,
                    coerce=int,
                    choices=[(str(n), str(n)) for n in range(1, 6)],
                    widget=forms.RadioSelect,
                )
            self.fields[name] = field
            self.question_names.append((name, question))

    def answers(self) -> dict[str, Any]:
        return {
            str(question.pk): self.cleaned_data.get(name)
            for name, question in self.question_names
            if self.cleaned_data.get(name) not in (None, "", [])
        }

    def extra_fields(self):
        return [self[name] for name, _q in self.question_names]


class CaseUpdateForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (CaseStatus.OPEN, CaseStatus.OPEN.label),
            (CaseStatus.CONTACTED, CaseStatus.CONTACTED.label),
        ],
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None, required=False)  # type: ignore[arg-type]
    note = forms.CharField(
        label=_("Add a note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.accounts.selectors import users_active

        self.fields["owner"].queryset = users_active()  # type: ignore[attr-defined]


class CaseResolveForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    root_cause = forms.ModelChoiceField(
        label=_("Root cause"), queryset=RootCause.objects.filter(active=True)
    )
    resolution = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    gesture_kind = forms.ChoiceField(
        label=_("Gesture"), choices=GestureKind.choices, required=False
    )
    gesture_points = forms.IntegerField(
        label=_("Points"), required=False, min_value=1, max_value=100000
    )
    gesture_value = forms.DecimalField(
        label=_("Voucher value"), required=False, min_value=0, max_digits=10, decimal_places=2
    )
    remember = forms.CharField(
        label=_("Remember at the next visit"),
        required=False,
        max_length=2000,
        help_text=_("Shown on the customer's next appointment and contact page until honoured."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class SurveyForm(ServiceErrorsMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Survey
        fields = [
            "name",
            "kind",
            "trigger",
            "active",
            "delay_hours",
            "channel",
            "reminders",
            "reminder_after_days",
            "expiry_days",
            "colour",
            "logo_url",
        ]

    TEXT_LABELS = {
        "question": _("Question"),
        "why": _("“Why?” prompt"),
        "thanks": _("Thank-you message"),
    }
    LANGUAGE_NAMES = {"en": _("English"), "fr": _("French"), "es": _("Spanish")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = SurveyKind.choices
        if self.instance.pk:
            self.fields["kind"].disabled = True
        texts = self.instance.texts or {}
        for language in LANGUAGES:
            for key, label in self.TEXT_LABELS.items():
                self.fields[f"text_{language}_{key}"] = forms.CharField(
                    label=f"{label} ({self.LANGUAGE_NAMES[language]})",
                    required=False,
                    max_length=500,
                    initial=(texts.get(language) or {}).get(key, ""),
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text=_("Left empty: the standard wording.") if key == "question" else "",
                )

    def main_fields(self) -> list:
        return [self[name] for name in self.fields if not name.startswith("text_")]

    def language_groups(self) -> list[tuple[str, str, list]]:
        """(language code, its name, its bound text fields), for one fieldset each."""
        return [
            (
                language,
                str(self.LANGUAGE_NAMES[language]),
                [self[f"text_{language}_{key}"] for key in self.TEXT_LABELS],
            )
            for language in LANGUAGES
        ]

    def texts(self) -> dict[str, dict[str, str]]:
        """The per-language texts typed; empty ones fall back to the standard wording."""
        return {
            language: {
                key: self.cleaned_data.get(f"text_{language}_{key}", "") or ""
                for key in self.TEXT_LABELS
            }
            for language in LANGUAGES
        }


class QuestionForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    """An extra question: its kind, its label per language and, for choices, the options
    (one a line, the same number in each language)."""

    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=_("Answer required"), required=False)

    LANGUAGE_NAMES = SurveyForm.LANGUAGE_NAMES
    LABEL = _("Question")
    OPTIONS = _("Options, one a line")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # on the survey's page beside SurveyForm: its own names and ids
        kwargs.setdefault("prefix", "question")
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            name = self.LANGUAGE_NAMES[language]
            self.fields[f"label_{language}"] = forms.CharField(
                label=f"{self.LABEL} ({name})",
                required=language == "en",
                max_length=300,
            )
            self.fields[f"options_{language}"] = forms.CharField(
                label=f"{self.OPTIONS} ({name})",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choice = data.get("kind") in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
        counts = {}
        for language in LANGUAGES:
            label = (data.get(f"label_{language}") or "").strip()
            options = [
                line.strip()
                for line in (data.get(f"options_{language}") or "").splitlines()
                if line.strip()
            ]
            data[f"options_{language}"] = options
            if not label:
                if options:
                    self.add_error(f"label_{language}", _("Give the question in this language."))
                continue
            if choice:
                if len(options) < 2:
                    self.add_error(f"options_{language}", _("Give at least two options."))
                counts[language] = len(options)
            elif options:
                self.add_error(f"options_{language}", _("Only choice questions have options."))
        if choice and len(set(counts.values())) > 1:
            for language in counts:
                if counts[language] != counts.get("en"):
                    self.add_error(f"options_{language}", _("Give as many options as in English."))
        return data

    def texts(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for language in LANGUAGES:
            label = (self.cleaned_data.get(f"label_{language}") or "").strip()
            if label:
                out[language] = {"label": label}
                if self.cleaned_data.get("kind") in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
                    out[language]["options"] = self.cleaned_data[f"options_{language}"]
        return out


class RootCauseForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    label = forms.CharField(label=_("New root cause"), max_length=80)


class SegmentSendForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    segment = forms.ChoiceField(label=_("Segment"))
    batch_key = forms.CharField(label=_("Name of this send"), max_length=60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.contacts.selectors.segments import segment_list

        self.fields["segment"].choices = [(s.pk, s.name) for s in segment_list()]


WEEKDAYS = [
    (0, pgettext_lazy("weekday label", "Monday")),
    (1, pgettext_lazy("weekday label", "Tuesday")),
    (2, pgettext_lazy("weekday label", "Wednesday")),
    (3, pgettext_lazy("weekday label", "Thursday")),
    (4, pgettext_lazy("weekday label", "Friday")),
    (5, pgettext_lazy("weekday label", "Saturday")),
    (6, pgettext_lazy("weekday label", "Sunday")),
]


class SettingsForm(ServiceErrorsMixin, StyledFormMixin, forms.ModelForm):
    open_days = forms.TypedMultipleChoiceField(
        label=_("Open on"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        from .models import FeedbackSettings

        model = FeedbackSettings
        fields = [
            "cooldown_days",
            "sla_hours",
            "open_days",
            "open_from",
            "open_until",
            "escalate_after_hours",
            "escalate_reassign",
            "default_owner",
            "review_url",
            "edit_minutes",
        ]
        widgets = {
            "open_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "open_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from apps.accounts.selectors import users_active

        self.fields["default_owner"].queryset = users_active()  # type: ignore[attr-defined]
        self.initial.setdefault("open_days", self.instance.weekdays)
        if not self.initial.get("open_days"):
            self.initial["open_days"] = self.instance.weekdays
