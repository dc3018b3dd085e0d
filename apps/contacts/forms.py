"""HTML input for the contact pages: the contact form (with one input per custom field), the
quick actions on the contact page, consent changes and bulk tagging. Validation of the values
themselves is the services' job; these only read what the browser sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.accounts.selectors import users_active
from apps.tenants.formats import time_zone_choices
from cxsuite.lib.forms import CleanTextFormMixin, StyledFormMixin, form_add_service_errors

from .models import Channel, ConsentStatus, CustomField, CustomFieldType, LifecycleStage

if TYPE_CHECKING:
    from apps.accounts.models import User

CUSTOM_PREFIX = "custom_"
SORT_CHOICES = [
    ("name", _("Name")),
    ("-created", _("Newest")),
    ("-updated", _("Recently updated")),
]


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def active_users():
    """Who can own a contact or be given a task."""
    return users_active()


class ContactFilterForm(CleanTextFormMixin, forms.Form):
    """The list's search box and filters (GET); bad values fall back to "no filter"."""

    q = forms.CharField(required=False, max_length=200)
    tag = forms.CharField(required=False, max_length=40)
    stage = forms.ChoiceField(required=False, choices=[("", "")] + LifecycleStage.choices)
    segment = forms.IntegerField(required=False, min_value=1)
    sort = forms.ChoiceField(required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    def values(self) -> dict[str, Any]:
        """The valid filters, each one dropped on its own when the browser sent nonsense."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": (data.get("q") or "").strip(),
            "tag": (data.get("tag") or "").strip().lower(),
            "stage": data.get("stage") or "",
            "segment": data.get("segment"),
            "sort": data.get("sort") or "name",
            "page": data.get("page") or 1,
        }


class ContactForm(StyledFormMixin, forms.Form):
    """Every editable contact field, then one input per custom field of the business."""

    first_name = forms.CharField(label=_("First name"), max_length=80, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    email = forms.CharField(
        label=_("Email"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, required=False)
    country = forms.CharField(
        label=_("Country code"),
        max_length=2,
        required=False,
        help_text=_("Two letters, e.g. DE. Leave empty for the business's country."),
    )
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=_date_input())
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[])
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=[])
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), required=False, choices=[("", "—")] + Channel.choices
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=1000,
        required=False,
        help_text=_("Separate tags with commas, e.g. vip, implant"),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=users_active().none(), required=False, empty_label="—"
    )
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, initial=LifecycleStage.LEAD
    )
    source = forms.CharField(label=_("Source"), max_length=40, required=False)

    def __init__(self, *args, custom_fields: list[CustomField], country: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.custom_fields = list(custom_fields)
        self.fields["language"].choices = [("", "—"), *settings.LANGUAGES]
        current_zone = self.data.get("time_zone") or self.initial.get("time_zone") or ""
        self.fields["time_zone"].choices = [
            ("", "—"),
            *time_zone_choices(country=country, current=current_zone),
        ]
        self.fields["owner"].queryset = active_users()
        if country:
            self.fields["phone"].help_text = _(
                "Numbers without a +country code are read as %(country)s numbers."
            ) % {"country": country}
        for field in self.custom_fields:
            self.fields[self.custom_name(field.key)] = self._custom_input(field)

    GROUPS = [
        (_("Who"), ["first_name", "last_name", "email", "phone"]),
        (_("Address"), ["address_line", "city", "postal_code", "country"]),
        (_("Preferences"), ["birthday", "language", "time_zone", "preferred_channel"]),
        (_("Relationship"), ["lifecycle_stage", "owner", "tags", "source"]),
    ]

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The inputs in titled groups; the business's own fields come last."""
        groups = [(title, [self[name] for name in names]) for title, names in self.GROUPS]
        if self.custom_fields:
            extra = [self[self.custom_name(field.key)] for field in self.custom_fields]
            groups.append((_("More about them"), extra))
        return groups

    @staticmethod
    def custom_name(key: str) -> str:
        return f"{CUSTOM_PREFIX}{key}"

    @staticmethod
    def _custom_input(field: CustomField) -> forms.Field:
        # A required yes/no field can be answered "no" (an unticked box), so only the other
        # types are required here; the service checks every definition again on save.
        required = field.required and field.type != CustomFieldType.BOOLEAN
        common = {"label": field.label, "required": required}
        if field.type == CustomFieldType.NUMBER:
            return forms.DecimalField(**common, widget=forms.NumberInput(attrs={"step": "any"}))
        if field.type == CustomFieldType.DATE:
            return forms.DateField(**common, widget=_date_input())
        if field.type == CustomFieldType.CHOICE:
            return forms.ChoiceField(
                **common, choices=[("", "—")] + [(c, c) for c in field.choices]
            )
        if field.type == CustomFieldType.BOOLEAN:
            return forms.BooleanField(**common)
        return forms.CharField(**common, max_length=1000)

    @classmethod
    def initial_for(cls, contact) -> dict[str, Any]:
        """The form's starting values for an existing contact."""
        initial = {
            name: getattr(contact, name)
            for name in (
                "first_name",
                "last_name",
                "email",
                "phone",
                "address_line",
                "city",
                "postal_code",
                "country",
                "birthday",
                "language",
                "time_zone",
                "preferred_channel",
                "lifecycle_stage",
                "source",
            )
        }
        initial["tags"] = ", ".join(contact.tags)
        initial["owner"] = contact.owner_id
        for key, value in (contact.custom or {}).items():
            initial[cls.custom_name(key)] = value
        return initial

    def service_values(self) -> dict[str, Any]:
        """The cleaned data in the shape contact_create / contact_update take."""
        data = dict(self.cleaned_data)
        values = {name: data[name] for name in self.base_fields}
        values["custom"] = {}
        for field in self.custom_fields:
            value = data.get(self.custom_name(field.key))
            if field.type == CustomFieldType.NUMBER and value is not None:
                value = str(value)
            values["custom"][field.key] = value
        return values

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put the service's errors on the inputs; "custom.<key>" lands on that field's input."""
        if hasattr(exc, "error_dict"):
            exc = ValidationError(
                {
                    self.custom_name(name.removeprefix("custom."))
                    if name.startswith("custom.")
                    else name: errors
                    for name, errors in exc.error_dict.items()
                }
            )
        form_add_service_errors(self, exc)


class NoteForm(StyledFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CallLogForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("What was the call about?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        choices=[("outbound", _("We called them")), ("inbound", _("They called us"))],
        initial="outbound",
    )


class TaskForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_date = forms.DateField(label=_("Due"), required=False, widget=_date_input())
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(self, *args, users: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        # the page reads the team once and hands it here (no second query for the choices)
        self.users = {user.pk: user for user in users}
        self.fields["assignee"].choices = [("", "—")] + [(user.pk, str(user)) for user in users]

    def clean_assignee(self) -> User | None:
        pk = self.cleaned_data.get("assignee")
        return self.users.get(pk) if pk else None


class ConsentForm(CleanTextFormMixin, forms.Form):
    channel = forms.ChoiceField(choices=Channel.choices)
    status = forms.ChoiceField(choices=ConsentStatus.choices)
    note = forms.CharField(required=False, max_length=200)


class BulkActionForm(CleanTextFormMixin, forms.Form):
    """Checked rows of the list and what to do with them."""

    ACTIONS = [("add", _("Add tag")), ("remove", _("Remove tag")), ("export", _("Export"))]
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[])  # any ids; the service filters
    action = forms.ChoiceField(choices=ACTIONS)
    tag = forms.CharField(required=False, max_length=40)
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(v, v) for v in raw if str(v).isdigit()][:1000]

    def clean(self):
        data = super().clean()
        if data.get("action") in ("add", "remove") and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Type the tag to add or remove."))
        return data
