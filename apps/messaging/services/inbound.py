"""Texts customers send the business: STOP and START change SMS consent at once (with the one
confirmation carriers require), C / YES confirms, anything else lands on the timeline."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.contacts.selectors import contact_find
from cxsuite.lib.errors import DomainError

from ..models import InboundMessage, Message
from ..registries import confirm_handlers

if TYPE_CHECKING:
    from apps.contacts.models import Contact

logger = logging.getLogger(__name__)

STOP_WORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "ARRET", "ARRÊT", "CANCEL", "END", "QUIT"}
)
START_WORDS = frozenset({"START", "UNSTOP"})
CONFIRM_WORDS = frozenset({"C", "YES", "OUI", "SI", "SÍ", "Y"})
# A text from the customer answers the last text sent to them within this time.
REPLY_WINDOW = dt.timedelta(days=7)


def inbound_classify(body: str) -> str:
    """stop, start, confirm or other, from the whole (trimmed, case-insensitive) reply."""
    word = (body or "").strip().strip(".!").upper()
    if word in STOP_WORDS:
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in CONFIRM_WORDS:
        return "confirm"
    return "other"


def _contact_for(from_number: str) -> tuple[str, Contact | None]:
    from apps.contacts.services import phone_normalize
    from apps.tenants.services import tenant_current

    try:
        e164, _national = phone_normalize(from_number, region=tenant_current().country)
    except ValidationError:
        return (from_number or "").strip()[:20], None
    contact = contact_find(phone=e164)
    return e164, contact


def _stop_confirm(contact: Contact, *, dedupe: str) -> None:
    """The one confirmation carriers require; a missing template never undoes the opt-out."""
    from .sending import message_send

    try:
        with transaction.atomic():
            message_send(
                contact=contact,
                purpose="sms_stop_confirmation",
                channel="sms",
                dedupe_key=f"stop-confirm:{dedupe}",
            )
    except (ValidationError, DomainError):
        logger.exception("STOP confirmation to contact %s not sent", contact.pk)


def _confirm_handlers_run(contact: Contact, inbound: InboundMessage) -> None:
    """What a "confirm" reply (C, YES, ...) confirms is another app's business (appointments
    confirms the next appointment): each registered handler runs in the reply's transaction."""
    for handler in confirm_handlers.values():
        try:
            with transaction.atomic():
                handler(contact=contact, inbound=inbound)
        except (ValidationError, DomainError):
            logger.exception("confirm reply %s: %s failed", inbound.pk, handler.__name__)


def _text_answered(contact: Contact) -> None:
    """The customer wrote back: the last text sent to them (within a week) counts as answered
    on SMS for the channel choice, once (message_mark records each step only once)."""
    from .sending import message_mark

    since = timezone.now() - REPLY_WINDOW
    last = (
        Message.objects.filter(contact=contact, channel="sms", sent_at__gte=since)
        .order_by("-sent_at", "-pk")
        .first()
    )
    if last is not None and last.replied_at is None:
        message_mark(message=last, status="replied")


def inbound_sms_receive(
    *, from_number: str, body: str, provider_message_id: str = ""
) -> InboundMessage:
    """Store one incoming text and act on it; the same provider id twice is handled once."""
    from apps.contacts.services import consent_set, event_record

    if provider_message_id:
        seen = InboundMessage.objects.filter(provider_message_id=provider_message_id).first()
        if seen is not None:
            return seen
    number, contact = _contact_for(from_number)
    handled_as = inbound_classify(body)
    word = (body or "").strip()[:40]
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(
                from_number=number,
                body=body or "",
                contact=contact,
                handled_as=handled_as,
                provider_message_id=provider_message_id,
            )
            if contact is None:
                return inbound
            changed = None
            if handled_as in ("stop", "start"):
                changed = consent_set(
                    contact=contact,
                    channel="sms",
                    method="reply",
                    note=word,
                    status="opted_out" if handled_as == "stop" else "opted_in",
                )
            else:
                event_record(
                    contact=contact,
                    source="sms",
                    type="message.confirmed" if handled_as == "confirm" else "message.received",
                    properties={
                        "channel": "sms",
                        "body": (body or "")[:1000],
                        "inbound_id": inbound.pk,
                    },
                )
            if handled_as in ("confirm", "other"):
                _text_answered(contact)
            if handled_as == "confirm":
                _confirm_handlers_run(contact, inbound)
            if handled_as == "stop" and changed is not None:
                _stop_confirm(contact, dedupe=provider_message_id or str(inbound.pk))
    except IntegrityError:
        # The same webhook delivered twice at once: the other request stored it.
        return InboundMessage.objects.get(provider_message_id=provider_message_id)
    return inbound


def inbound_mark_read(*, inbound: InboundMessage) -> InboundMessage:
    """Take a reply off the unread list (once; a second call keeps the first time)."""
    with transaction.atomic():
        InboundMessage.objects.filter(pk=inbound.pk, read_at__isnull=True).update(
            read_at=timezone.now()
        )
    inbound.refresh_from_db(fields=["read_at"])
    return inbound
