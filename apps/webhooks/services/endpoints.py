"""Webhook endpoints: the addresses a business subscribes, the event types each receives, and
its signing secret (shown once, kept encrypted, rotated with a 24-hour overlap)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contacts.registries import event_types as catalogue

from .. import net
from ..models import DisabledReason, WebhookEndpoint
from ..signing import secret_generate

if TYPE_CHECKING:
    from apps.accounts.models import User

ROTATION_OVERLAP = timedelta(hours=24)
MAX_ENDPOINTS = 20
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".localdomain")


def _fernet() -> Fernet:
    # the key that encrypts the business's other secrets to be sent on (provider tokens)
    from apps.messaging.services.settings import key_derived_from

    return Fernet(settings.MESSAGING_ENCRYPTION_KEY or key_derived_from(settings.SECRET_KEY))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def webhook_secrets_valid(endpoint: WebhookEndpoint, *, now: datetime | None = None) -> list[str]:
    """The secrets a message is signed with: the current one, and the previous one while its
    overlap after a rotation lasts."""
    now = now or timezone.now()
    found = [_decrypt(endpoint.secret_encrypted)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires is not None and expires > now:
        found.append(_decrypt(endpoint.previous_secret_encrypted))
    return found


def _url_clean(url: str) -> str:
    """A URL webhooks may post to: http(s) (https only when required), no credentials, and no
    private address when those are refused (the name is resolved now, and again at every
    delivery, since its answer can change)."""
    url = (url or "").strip()
    schemes = ["https"] if settings.WEBHOOKS_REQUIRE_HTTPS else ["http", "https"]
    try:
        URLValidator(schemes=schemes)(url)
    except ValidationError:
        message = (
            _("Enter a full https:// address.")
            if settings.WEBHOOKS_REQUIRE_HTTPS
            else _("Enter a full http:// or https:// address.")
        )
        raise ValidationError({"url": message}) from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError({"url": _("Leave the user name and password out of the address.")})
    if len(url) > 2000:
        raise ValidationError({"url": _("The address is too long (2,000 characters at most).")})
    if net.private_allowed():
        return url
    host = (parts.hostname or "").lower()
    refused = _(
        "This address is private or reserved: webhooks go only to public addresses on the internet."
    )
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None and not net.address_allowed(host):
        raise ValidationError({"url": refused})
    if host == _LOCAL_NAMES[0] or host.endswith(_LOCAL_NAMES[1:]):
        raise ValidationError({"url": refused})
    try:
        net.address_check(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (net.AddressRefused, ValueError):
        raise ValidationError(
            {
                "url": _(
                    "This address cannot be used: its name is unknown or points inside a network."
                )
            }
        ) from None
    return url


def _types_clean(types: Iterable[str] | None) -> list[str]:
    """Event types from the catalogue, each once, in the catalogue's order; none means all."""
    wanted = list(dict.fromkeys(types or []))
    unknown = [name for name in wanted if name not in catalogue]
    if unknown:
        raise ValidationError(
            {"event_types": _("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)}}
        )
    return [name for name in catalogue if name in wanted]


def _description_clean(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 200:
        raise ValidationError({"description": _("Keep the description under 200 characters.")})
    return description


def webhook_endpoint_create(
    *,
    url: str,
    event_types: Iterable[str] | None = None,
    description: str = "",
    created_by: User | None = None,
) -> tuple[WebhookEndpoint, str]:
    """Subscribe an address; returns the endpoint and its secret, which is shown only now."""
    url = _url_clean(url)
    types = _types_clean(event_types)
    description = _description_clean(description)
    secret = secret_generate()
    with transaction.atomic():
        if WebhookEndpoint.objects.select_for_update().count() >= MAX_ENDPOINTS:
            raise ValidationError(
                {"url": _("A business has at most %(n)s endpoints.") % {"n": MAX_ENDPOINTS}}
            )
        endpoint = WebhookEndpoint.objects.create(
            url=url,
            event_types=types,
            description=description,
            secret_encrypted=_encrypt(secret),
            created_by=created_by,
        )
    return endpoint, secret


def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    url: str | None = None,
    event_types: Iterable[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what was given (None leaves a field as it is); turning it on or off goes through
    `webhook_endpoint_enable` / `webhook_endpoint_disable`."""
    changes: dict = {}
    if url is not None:
        changes["url"] = _url_clean(url)
    if event_types is not None:
        changes["event_types"] = _types_clean(event_types)
    if description is not None:
        changes["description"] = _description_clean(description)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        for name, value in changes.items():
            setattr(locked, name, value)
        if changes:
            locked.save(update_fields=[*changes, "updated"])
        if is_active is True and not locked.is_active:
            locked = webhook_endpoint_enable(endpoint=locked)
        elif is_active is False and locked.is_active:
            locked = webhook_endpoint_disable(endpoint=locked)
    return locked


def webhook_endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Turn an endpoint on again: its waiting deliveries go at once, its failure count starts
    afresh (events of the time it was off come with a replay)."""
    from .deliveries import deliveries_schedule

    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
            is_active=True,
            disabled_reason=DisabledReason.NONE,
            disabled_at=None,
            failing_since=None,
            updated=timezone.now(),
        )
        deliveries_schedule(due_at=timezone.now())
    endpoint.refresh_from_db()
    return endpoint


def webhook_endpoint_disable(
    *, endpoint: WebhookEndpoint, reason: str = DisabledReason.MANUAL
) -> WebhookEndpoint:
    """Stop sending to an endpoint: no new deliveries are made for it and waiting ones wait."""
    now = timezone.now()
    WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_reason=reason, disabled_at=now, updated=now
    )
    endpoint.refresh_from_db()
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint with its deliveries and their log."""
    endpoint.delete()


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, now: datetime | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new secret (returned, shown only now); the current one keeps signing for 24 hours
    beside it, so the receiver can switch without refusing a message."""
    now = now or timezone.now()
    secret = secret_generate()
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.previous_secret_encrypted = locked.secret_encrypted
        locked.previous_secret_expires_at = now + ROTATION_OVERLAP
        locked.secret_encrypted = _encrypt(secret)
        locked.save(
            update_fields=[
                "previous_secret_encrypted",
                "previous_secret_expires_at",
                "secret_encrypted",
                "updated",
            ]
        )
    return locked, secret
