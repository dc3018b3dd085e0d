"""The HTML part of a campaign e-mail, for messaging's `html_builders`: the variant's blocks
with tracked links, the business's footer, the unsubscribe link and the open pixel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apps.messaging.services.links import (
    open_pixel_url,
    preferences_url,
    tracked_url,
)
from apps.tenants.services import tenant_current, tenant_url

from .blocks import blocks_html
from .models import Variant

if TYPE_CHECKING:
    from apps.messaging.models import Message


def business_details() -> dict:
    tenant = tenant_current()
    address = " · ".join(
        line.strip() for line in (tenant.address or "").splitlines() if line.strip()
    )
    return {"name": tenant.name, "address": address}


def campaign_email_html(message: Message) -> str | None:
    variant = Variant.objects.filter(pk=int(message.related_id or 0)).first()
    if variant is None:
        return None
    base = tenant_url(tenant_current()).rstrip("/")
    return blocks_html(
        variant.blocks,
        subject=message.subject,
        business=business_details(),
        unsubscribe_url=preferences_url(contact=message.contact, base_url=base),
        base_url=base,
        link=lambda url: tracked_url(message=message, url=url, base_url=base),
        pixel_url=open_pixel_url(message=message, base_url=base),
        language=message.language,
    )


def campaign_sender_name(message: Message) -> str:
    """The variant's sender name for the From of a campaign e-mail ('' for the business's)."""
    name = (
        Variant.objects.filter(pk=int(message.related_id or 0))
        .values_list("sender_name", flat=True)
        .first()
    )
    return name or ""
