"""The business's sending rules and provider account; the provider secret is kept encrypted
with a key from the environment and never shown back in full."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import MessagingSettings, ProviderKind

if TYPE_CHECKING:
    from apps.accounts.models import User

CAP_MAX = 50
FALLBACK_HOURS_MIN, FALLBACK_HOURS_MAX = 1, 168
EDITABLE_FIELDS = (
    "quiet_start",
    "quiet_end",
    "marketing_cap_per_week",
    "email_fallback_hours",
    "sms_provider",
    "voice_provider",
    "provider_account",
    "provider_from_number",
    "email_from",
)
HINT_MASK = "••••"


def messaging_settings() -> MessagingSettings:
    """The business's single messaging settings row (created with defaults on first use)."""
    row, _created = MessagingSettings.objects.get_or_create(pk=1)
    return row


# Django's e-mail backends that keep the message on this machine: fine for development and
# tests, but nobody receives what they "send".
TEST_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)
TEST_MODE_CACHE_SECONDS = 60


def _live(email_backend: str, sms_provider: str, voice_provider: str) -> set[str]:
    live = set()
    if email_backend not in TEST_EMAIL_BACKENDS:
        live.add("email")
    if sms_provider != ProviderKind.OUTBOX:
        live.add("sms")
    if voice_provider != ProviderKind.OUTBOX:
        live.add("voice")
    return live


def channels_live(row: MessagingSettings | None = None) -> set[str]:
    """The channels whose provider really delivers (the others are in test mode: the outbox
    for texts and calls, a development backend for e-mail)."""
    row = row or messaging_settings()
    return _live(settings.EMAIL_BACKEND, row.sms_provider, row.voice_provider)


def _test_mode_key() -> str:
    return "messaging:test-mode"


def channels_in_test_mode() -> list[str]:
    """The channels in test mode, for the banner and marks staff see on every page: kept in
    the cache (per business) for a minute and dropped when the providers change, so a page
    costs no query for it."""
    from django.core.cache import cache

    cached = cache.get(_test_mode_key())
    if cached is None:
        row = MessagingSettings.objects.filter(pk=1).values("sms_provider", "voice_provider")
        providers = row.first() or {
            "sms_provider": ProviderKind.OUTBOX,
            "voice_provider": ProviderKind.OUTBOX,
        }
        live = _live(settings.EMAIL_BACKEND, providers["sms_provider"], providers["voice_provider"])
        cached = [ch for ch in ("email", "sms", "voice") if ch not in live]
        cache.set(_test_mode_key(), cached, TEST_MODE_CACHE_SECONDS)
    return list(cached)


def _test_mode_forget() -> None:
    from django.core.cache import cache

    transaction.on_commit(lambda: cache.delete(_test_mode_key()))
    cache.delete(_test_mode_key())


def key_derived_from(secret_key: str) -> bytes:
    """The Fernet key used without MESSAGING_ENCRYPTION_KEY (development only)."""
    return base64.urlsafe_b64encode(hashlib.sha256(secret_key.encode()).digest())


def _fernet() -> Fernet:
    return Fernet(settings.MESSAGING_ENCRYPTION_KEY or key_derived_from(settings.SECRET_KEY))


def _int_in(name: str, value: Any, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ValidationError(
            {name: _("Enter a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return number


def _time(name: str, value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({name: _("Enter a time such as 21:00.")}) from exc


def _clean(name: str, value: Any) -> Any:
    """One field in its stored form, or a ValidationError naming it."""
    from apps.contacts.services import phone_normalize
    from apps.tenants.services import tenant_current

    if name in ("quiet_start", "quiet_end"):
        return _time(name, value)
    if name == "marketing_cap_per_week":
        return _int_in(name, value, 0, CAP_MAX)
    if name == "email_fallback_hours":
        return _int_in(name, value, FALLBACK_HOURS_MIN, FALLBACK_HOURS_MAX)
    if name in ("sms_provider", "voice_provider"):
        if value not in ProviderKind.values:
            raise ValidationError({name: _("Choose the outbox or Twilio.")})
        return value
    if name == "provider_account":
        value = (value or "").strip()
        if len(value) > 64:
            raise ValidationError({name: _("Use at most 64 characters.")})
        return value
    if name == "provider_from_number":
        try:
            e164, _national = phone_normalize(value or "", region=tenant_current().country)
        except ValidationError as exc:
            raise ValidationError({name: exc.message_dict["phone"]}) from exc
        return e164
    if name == "email_from":
        value = (value or "").strip()
        if value:
            try:
                validate_email(value)
            except ValidationError as exc:
                raise ValidationError({name: _("Enter a valid email address.")}) from exc
        return value
    raise ValidationError({name: _("This setting cannot be changed here.")})


def messaging_settings_update(*, actor: User | None, **fields: Any) -> MessagingSettings:
    """Change the sending rules; every field is checked and all errors are named at once.
    Quiet hours may wrap midnight (21:00 to 08:00)."""
    cleaned, errors = {}, {}
    for name, value in fields.items():
        try:
            cleaned[name] = _clean(name, value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        row = MessagingSettings.objects.select_for_update().get(pk=messaging_settings().pk)
        for name, value in cleaned.items():
            setattr(row, name, value)
        after = {**{f: getattr(row, f) for f in EDITABLE_FIELDS}}
        if ProviderKind.TWILIO in (after["sms_provider"], after["voice_provider"]):
            missing = {}
            if not after["provider_account"]:
                missing["provider_account"] = _("Twilio needs the account id.")
            if not after["provider_from_number"]:
                missing["provider_from_number"] = _("Twilio needs the sending number.")
            if missing:
                raise ValidationError(missing)
        row.save(update_fields=list(cleaned) or None)
        _test_mode_forget()
    return row


def provider_secret_set(*, secret: str) -> MessagingSettings:
    """Store the provider's auth token encrypted; an empty secret clears it."""
    secret = (secret or "").strip()
    token = _fernet().encrypt(secret.encode()).decode() if secret else ""
    with transaction.atomic():
        row = MessagingSettings.objects.select_for_update().get(pk=messaging_settings().pk)
        row.provider_secret_encrypted = token
        row.save(update_fields=["provider_secret_encrypted"])
    return row


def provider_secret(row: MessagingSettings | None = None) -> str:
    """The provider's auth token in clear, for the provider call and webhook checks only."""
    row = row or messaging_settings()
    if not row.provider_secret_encrypted:
        return ""
    try:
        return _fernet().decrypt(row.provider_secret_encrypted.encode()).decode()
    except InvalidToken:
        return ""  # the key changed: the secret must be entered again


def provider_secret_hint(row: MessagingSettings | None = None) -> str:
    """What the settings page shows of the secret: its last four characters at most."""
    secret = provider_secret(row)
    if not secret:
        return ""
    return HINT_MASK + (secret[-4:] if len(secret) >= 12 else "")
