"""The member card's signed link (no login: the link is the key, like the appointment's
manage link), the variables every loyalty message carries (`loyalty.card_link` among
them) and sending the card's link to a member."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import segno
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.tenants.db import connection

from ..models import Member

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.messaging.models import Message

SALT = "loyalty.link.card"
MAX_AGE = 400 * 86400
INVALID = _("This link is not valid. It may be incomplete or meant for another business.")
CARD_PURPOSE = "loyalty_card"
QR_CACHE_SECONDS = 86400


def _base_url(base_url: str | None) -> str:
    if base_url:
        return base_url.rstrip("/")
    from apps.tenants.services import tenant_current, tenant_url

    return tenant_url(tenant_current()).rstrip("/")


def member_card_token(member: Member) -> str:
    """The signed token of the member's card: this member, this business only."""
    return signing.dumps({"s": connection.schema_name, "m": member.pk}, salt=SALT)


def member_card_url(*, member: Member, base_url: str | None = None) -> str:
    """The member's own card, to open on their phone."""
    path = reverse("loyalty:card", args=[member_card_token(member)])
    return f"{_base_url(base_url)}{path}"


def member_from_card_token(*, token: str) -> Member:
    """The member a card link is for, or a ValidationError a customer can read."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as exc:  # also SignatureExpired
        raise ValidationError(INVALID) from exc
    if not isinstance(data, dict) or data.get("s") != connection.schema_name or "m" not in data:
        raise ValidationError(INVALID)
    member = (
        Member.objects.select_related("contact", "tier")
        .filter(pk=data["m"], contact__erased_at__isnull=True)
        .first()
    )
    if member is None:
        raise ValidationError(INVALID)
    return member


def loyalty_message_context(member: Member) -> dict:
    """The `loyalty.*` variables of every loyalty message: the card's link always."""
    return {
        "loyalty": {
            "card_link": member_card_url(member=member),
            "balance": member.balance,
            "tier": member.tier.name if member.tier_id and member.tier else "",
        }
    }


def member_card_send(*, member: Member, staff: User | None = None) -> Message:
    """Send the member their card's link (by their preferred channel); at most once a day
    per member, so a double click sends one message."""
    from django.utils import timezone

    from apps.messaging.services.sending import message_send

    if member.contact.erased_at is not None:
        raise ValidationError({"member": _("This member's contact has been erased.")})
    day = timezone.now().date().isoformat()
    return message_send(
        contact=member.contact,
        purpose=CARD_PURPOSE,
        context=loyalty_message_context(member),
        dedupe_key=f"loyalty:card:{member.pk}:{day}",
        related_type="loyalty_member",
        related_id=str(member.pk),
    )


def card_qr_svg(text: str) -> bytes:
    """A QR code of `text` as SVG, for the counter to scan (cached: it never changes)."""
    key = f"loyalty:qr:{text}"
    svg = cache.get(key)
    if svg is None:
        out = io.BytesIO()
        segno.make(text, error="m").save(
            out, kind="svg", scale=6, border=2, xmldecl=False, title="QR code", nl=False
        )
        svg = out.getvalue()
        cache.set(key, svg, QR_CACHE_SECONDS)
    return svg
