"""Creating and changing contacts: every field validated, phone numbers in E.164, custom
fields checked against their definitions, and a timeline event for each change."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import phonenumbers
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Func, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.selectors import user_or_none, users_active
from apps.tenants.services import tenant_current
from cxsuite.lib.input import number_parse

from ..models import Channel, Contact, CustomField, CustomFieldType, LifecycleStage
from .timeline import event_record

if TYPE_CHECKING:
    from apps.accounts.models import User

EDITABLE_FIELDS = (
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
    "tags",
    "owner",
    "lifecycle_stage",
    "source",
    "custom",
)
TAG_MAX = 40


def phone_normalize(raw: str, *, region: str) -> tuple[str, str]:
    """(E.164, national digits) of a mobile number, read with the business's country."""
    raw = (raw or "").strip()
    if not raw:
        return "", ""
    try:
        number = phonenumbers.parse(raw, region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError({"phone": _("This is not a phone number.")}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            {"phone": _("This phone number is not valid for %(region)s.") % {"region": region}}
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, str(number.national_number)


def phone_example(region: str) -> str:
    """A mobile number as people of `region` write it, for hints ("e.g. +1 201-555-0123")."""
    region = (region or "").upper()
    number = region and phonenumbers.example_number_for_type(
        region, phonenumbers.PhoneNumberType.MOBILE
    )
    if not number:
        return "+1 201-555-0123"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_display(e164: str) -> str:
    """A stored number written the way people read it, e.g. +1 312-555-0199."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _custom_value(field: CustomField, value: Any) -> Any:
    """One custom value in its stored form, or a ValueError saying what is wrong."""
    if value in (None, ""):
        return None
    if field.type == CustomFieldType.TEXT:
        return str(value)[:1000]
    if field.type == CustomFieldType.NUMBER:
        return number_parse(value)
    if field.type == CustomFieldType.DATE:
        if isinstance(value, dt.date):
            return value.isoformat()
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ValueError(_("Enter a date as YYYY-MM-DD.")) from exc
    if field.type == CustomFieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "yes", "1", "y"}:
            return True
        if text in {"false", "no", "0", "n"}:
            return False
        raise ValueError(_("Enter yes or no."))
    if field.type == CustomFieldType.CHOICE:
        if str(value) not in field.choices:
            raise ValueError(
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(field.choices)}
            )
        return str(value)
    raise ValueError(_("Unknown field type."))


def custom_fields_validate(values: dict | None, *, current: dict | None = None) -> dict:
    """Merge `values` into `current` after checking each against its definition.

    Errors name the field as `custom.<key>`; an unknown key is an error, not silently kept.
    """
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise ValidationError({"custom": _("Send custom fields as an object of key: value.")})
    definitions = {field.key: field for field in CustomField.objects.all()}
    merged = dict(current or {})
    errors: dict[str, str] = {}
    for key, value in values.items():
        field = definitions.get(key)
        if field is None:
            errors[f"custom.{key}"] = _("There is no custom field “%(key)s”.") % {"key": key}
            continue
        try:
            cleaned = _custom_value(field, value)
        except ValueError as exc:
            errors[f"custom.{key}"] = str(exc)
            continue
        if cleaned is None:
            merged.pop(key, None)
        else:
            merged[key] = cleaned
    for key, field in definitions.items():
        if field.required and merged.get(key) in (None, "") and f"custom.{key}" not in errors:
            errors[f"custom.{key}"] = _("%(label)s is required.") % {"label": field.label}
    if errors:
        raise ValidationError(errors)
    return merged


def tags_normalize(tags) -> list[str]:
    if isinstance(tags, str):
        tags = tags.split(",")
    cleaned = []
    for tag in tags or []:
        tag = str(tag).strip().lower()[:TAG_MAX]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def _clean(values: dict[str, Any], *, contact: Contact | None) -> dict[str, Any]:
    """Validate and normalise the given fields; raise one ValidationError naming every bad one."""
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be set.") for name in unknown})
    tenant = tenant_current()
    cleaned: dict[str, Any] = {}
    errors: dict[str, Any] = {}

    def check(name, fn):
        if name in values:
            try:
                cleaned[name] = fn(values[name])
            except ValidationError as exc:
                errors.update(
                    exc.message_dict if hasattr(exc, "error_dict") else {name: exc.messages}
                )

    def text(limit):
        return lambda v: str(v or "").strip()[:limit]

    def email(v):
        v = str(v or "").strip().lower()
        if v:
            try:
                validate_email(v)
            except ValidationError as exc:
                raise ValidationError({"email": _("Enter a valid email address.")}) from exc
        return v

    def choice(name, choices, blank=False):
        def fn(v):
            v = v or ""
            if (blank and v == "") or v in choices:
                return v
            raise ValidationError({name: _("Choose one of: %(c)s.") % {"c": ", ".join(choices)}})

        return fn

    def time_zone(v):
        v = v or ""
        if v and v not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": _("Choose a time zone from the list.")})
        return v

    def country(v):
        v = str(v or "").strip().upper()
        if v and (len(v) != 2 or not v.isalpha()):
            raise ValidationError({"country": _("Use a two-letter country code, e.g. US.")})
        return v

    def birthday(v):
        if v in (None, ""):
            return None
        if isinstance(v, str):
            try:
                v = dt.date.fromisoformat(v)
            except ValueError as exc:
                raise ValidationError({"birthday": _("Enter a date as YYYY-MM-DD.")}) from exc
        if v > timezone.localdate():
            raise ValidationError({"birthday": _("A birthday cannot be in the future.")})
        return v

    def owner(v):
        if v in (None, ""):
            return None
        if user_or_none(v) is not None:
            return v
        found = users_active().filter(pk=v).first()
        if found is None:
            raise ValidationError({"owner": _("Choose an active team member.")})
        return found

    for name, limit in (
        ("first_name", 80),
        ("last_name", 80),
        ("address_line", 200),
        ("city", 80),
        ("postal_code", 20),
        ("source", 40),
        ("language", 8),
    ):
        check(name, text(limit))
    check("email", email)
    check("country", country)
    check("birthday", birthday)
    check("time_zone", time_zone)
    check("owner", owner)
    check("preferred_channel", choice("preferred_channel", Channel.values, blank=True))
    check("lifecycle_stage", choice("lifecycle_stage", LifecycleStage.values))
    check("tags", lambda v: tags_normalize(v))
    if "phone" in values:
        region = cleaned.get("country") or (contact.country if contact else "") or tenant.country
        try:
            cleaned["phone"], cleaned["phone_national"] = phone_normalize(
                values["phone"], region=region
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "custom" in values:
        try:
            cleaned["custom"] = custom_fields_validate(
                values["custom"], current=contact.custom if contact else None
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_unique(cleaned: dict[str, Any], *, exclude_pk: int | None) -> None:
    others = Contact.objects.exclude(pk=exclude_pk) if exclude_pk else Contact.objects.all()
    errors = {}
    if cleaned.get("email") and others.filter(email__iexact=cleaned["email"]).exists():
        errors["email"] = _("Another contact already has this email.")
    if cleaned.get("phone") and others.filter(phone=cleaned["phone"]).exists():
        errors["phone"] = _("Another contact already has this phone number.")
    if errors:
        raise ValidationError(errors)


def _save(contact: Contact) -> None:
    try:
        with transaction.atomic():
            contact.save()
    except IntegrityError as exc:  # a concurrent write took the email or phone
        field = "phone" if "phone" in str(exc) else "email"
        raise ValidationError(
            {field: _("Another contact already has this %(f)s.") % {"f": field}}
        ) from exc


def contact_create(*, actor: User | None = None, via: str = "", **values) -> Contact:
    """Create a contact; a name, an email or a phone is needed to know who it is.

    `via` says where the request came from ("api", "import", "online booking"): it is the
    source of the timeline event, and the contact's own `source` unless `values` give one.
    """
    if via and "source" not in values:
        values["source"] = via
    cleaned = _clean(values, contact=None)
    if "custom" not in cleaned:
        cleaned["custom"] = custom_fields_validate({})
    if not (
        cleaned.get("first_name")
        or cleaned.get("last_name")
        or cleaned.get("email")
        or cleaned.get("phone")
    ):
        raise ValidationError({"first_name": _("Give at least a name, an email or a phone.")})
    if not cleaned.get("time_zone"):
        cleaned["time_zone"] = tenant_current().time_zone
    if not cleaned.get("language"):
        cleaned["language"] = tenant_current().language
    with transaction.atomic():
        _check_unique(cleaned, exclude_pk=None)
        contact = Contact(**cleaned)
        _save(contact)
        event_record(
            contact=contact,
            type="contact.created",
            source=via or "staff",
            actor=actor,
            properties={"source": contact.source},
        )
    return contact


def contact_update(*, contact: Contact, actor: User | None = None, **values) -> Contact:
    """Change the given fields only; records which fields changed on the timeline."""
    cleaned = _clean(values, contact=contact)
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        if contact.erased_at:
            raise ValidationError(_("This contact was erased and cannot be changed."))
        _check_unique(cleaned, exclude_pk=contact.pk)
        changed = [name for name, value in cleaned.items() if getattr(contact, name) != value]
        for name, value in cleaned.items():
            setattr(contact, name, value)
        if changed:
            _save(contact)
            visible = sorted(name for name in changed if name != "phone_national")
            event_record(
                contact=contact,
                type="contact.updated",
                source="staff" if actor else "system",
                actor=actor,
                properties={"fields": visible},
            )
    return contact


def contacts_tag(
    *, contact_ids: list[int], add: Sequence[str] = (), remove: Sequence[str] = ()
) -> int:
    """Add or remove tags on many contacts in one statement each; returns how many changed."""
    add, remove = tags_normalize(add), tags_normalize(remove)
    queryset = Contact.objects.filter(pk__in=contact_ids, erased_at__isnull=True)
    changed = 0
    with transaction.atomic():
        for tag in add:
            changed += queryset.exclude(tags__contains=[tag]).update(
                tags=Func(
                    F("tags"),
                    Value(tag),
                    function="array_append",
                    output_field=ArrayField(CharField()),
                ),
                updated=timezone.now(),
            )
        for tag in remove:
            changed += queryset.filter(tags__contains=[tag]).update(
                tags=Func(
                    F("tags"),
                    Value(tag),
                    function="array_remove",
                    output_field=ArrayField(CharField()),
                ),
                updated=timezone.now(),
            )
    return changed
