"""Custom field definitions: the fields a business adds to its contacts (text, number, date,
choice, yes/no). The key and type are fixed once created, because stored values depend on them."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Func, JSONField, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Contact, CustomField, CustomFieldType

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LABEL_MAX = 80
CHOICE_MAX = 80


def _label_clean(label) -> str:
    label = str(label or "").strip()
    if not label:
        raise ValidationError({"label": _("Give the field a label.")})
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": _("Use at most 80 characters.")})
    return label


def _choices_clean(choices, *, type: str) -> list[str]:
    if choices is None:
        choices = []
    if not isinstance(choices, list | tuple):
        raise ValidationError({"choices": _("Send the choices as a list.")})
    cleaned: list[str] = []
    for choice in choices:
        text = str(choice if choice is not None else "").strip()
        if not text:
            raise ValidationError({"choices": _("A choice cannot be empty.")})
        if len(text) > CHOICE_MAX:
            raise ValidationError({"choices": _("Use at most 80 characters per choice.")})
        if text in cleaned:
            raise ValidationError({"choices": _("“%(c)s” is listed twice.") % {"c": text}})
        cleaned.append(text)
    if type == CustomFieldType.CHOICE and not cleaned:
        raise ValidationError({"choices": _("A choice field needs at least one choice.")})
    if type != CustomFieldType.CHOICE and cleaned:
        raise ValidationError({"choices": _("Only choice fields have choices.")})
    return cleaned


def _collect(errors: dict, fn):
    try:
        return fn()
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def custom_field_create(
    *, key: str, label: str, type: str, choices: list[str] | None = None, required: bool = False
) -> CustomField:
    """Define a new custom field; the key is how the API, imports and segments refer to it."""
    errors: dict = {}
    key = str(key or "").strip()
    if not KEY_PATTERN.match(key):
        errors["key"] = [
            _("Use 1-40 lowercase letters, digits and underscores, starting with a letter.")
        ]
    if type not in CustomFieldType.values:
        errors["type"] = [_("Choose one of: %(c)s.") % {"c": ", ".join(CustomFieldType.values)}]
    label = _collect(errors, lambda: _label_clean(label))
    cleaned_choices: list[str] = []
    if "type" not in errors:
        cleaned_choices = _collect(errors, lambda: _choices_clean(choices, type=type))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return CustomField.objects.create(
                key=key, label=label, type=type, choices=cleaned_choices, required=bool(required)
            )
    except IntegrityError as exc:  # the unique key, even against a concurrent create
        raise ValidationError({"key": _("A custom field with this key already exists.")}) from exc


def custom_field_update(
    *,
    field: CustomField,
    label: str | None = None,
    choices: list[str] | None = None,
    required: bool | None = None,
) -> CustomField:
    """Change a field's label, choices or whether it is required (None leaves it as it is)."""
    with transaction.atomic():
        field = CustomField.objects.select_for_update().get(pk=field.pk)
        errors: dict = {}
        if label is not None:
            field.label = _collect(errors, lambda: _label_clean(label))
        if choices is not None:
            field.choices = _collect(errors, lambda: _choices_clean(choices, type=field.type))
        if required is not None:
            field.required = bool(required)
        if errors:
            raise ValidationError(errors)
        field.save(update_fields=["label", "choices", "required"])
    return field


def custom_field_delete(*, field: CustomField) -> int:
    """Remove a field and its values from every contact (a later field with the same key must
    not inherit stale values); returns how many contacts had a value."""
    with transaction.atomic():
        field = CustomField.objects.select_for_update().get(pk=field.pk)
        key = field.key
        cleared = Contact.objects.filter(custom__has_key=key).update(
            custom=Func(
                F("custom"),
                Cast(Value(key), TextField()),
                function="",
                arg_joiner=" - ",
                output_field=JSONField(),
            ),
            updated=timezone.now(),
        )
        field.delete()
    return cleared
