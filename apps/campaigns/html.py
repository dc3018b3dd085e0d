"""The HTML part of a campaign e-mail, for messaging's `html_builders`: the variant's blocks
with tracked links, the business's footer, the unsubscribe link and the open pixel."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from apps.messaging.services.links import (
    open_pixel_url,
    preferences_url,
    tracked_url,
)
from apps.tenants.db import connection
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


@lru_cache(maxsize=256)
def _variant(schema: str, pk: int) -> tuple[list[dict], str] | None:
    """A sent variant's blocks and sender name, read once per process: a campaign's variants
    no longer change once it has started (only a draft is edited), and only a started
    campaign has messages."""
    found = Variant.objects.filter(pk=pk).values_list("blocks", "sender_name").first()
    return (found[0], found[1]) if found else None


def _message_variant(message: Message) -> tuple[list[dict], str] | None:
    try:
        pk = int(message.related_id or 0)
    except ValueError:
        return None
    return _variant(connection.schema_name, pk)


def campaign_email_html(message: Message) -> str | None:
    variant = _message_variant(message)
    if variant is None:
        return None
    base = tenant_url(tenant_current()).rstrip("/")
    return blocks_html(
        variant[0],
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
    variant = _message_variant(message)
    return variant[1] if variant else ""
