"""Staff talking with one customer: a free-text SMS or e-mail that goes through `message_send`
like everything else (consent, quiet hours for texts), under the "conversation" purpose. It is
transactional while it answers the customer's own message (within 24 hours of their last
text), and needs their consent like marketing otherwise: nobody gets unasked-for texts because
a person, not a campaign, wrote them."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contacts.choices import Channel, ConsentStatus

from ..models import Category, InboundMessage, Message

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.contacts.models import Contact

CONVERSATION = "conversation"
ANSWER_WINDOW = dt.timedelta(hours=24)
MAX_TEXT = 1600  # ten SMS segments; a longer text belongs in an e-mail
MAX_SUBJECT = 200
CONVERSATION_CHANNELS = (Channel.SMS, Channel.EMAIL)


def conversation_answers(*, last_inbound_at: dt.datetime | None, now: dt.datetime) -> bool:
    """Whether a message written now answers the customer (their last message is recent)."""
    return last_inbound_at is not None and now - last_inbound_at <= ANSWER_WINDOW


def conversation_last_inbound_at(*, contact: Contact) -> dt.datetime | None:
    """When the customer last wrote to the business (any reply they sent)."""
    return (
        InboundMessage.objects.filter(contact=contact)
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )


def conversation_category(*, contact: Contact, now: dt.datetime) -> str:
    """Transactional while answering the customer within 24 hours, marketing otherwise."""
    last = conversation_last_inbound_at(contact=contact)
    if conversation_answers(last_inbound_at=last, now=now):
        return Category.TRANSACTIONAL
    return Category.MARKETING


def conversation_channels(*, contact: Contact) -> list[str]:
    """The channels staff may write on: the contact has an address there and has not opted
    out of it (an erased contact has none)."""
    if contact.erased_at:
        return []
    channels: list[str] = []
    for channel in CONVERSATION_CHANNELS:
        address = contact.email if channel == Channel.EMAIL else contact.phone
        if address and contact.consent_for(channel) != ConsentStatus.OPTED_OUT:
            channels.append(channel)
    return channels


def _check(contact: Contact, channel: str, text: str, subject: str) -> None:
    errors: dict[str, str] = {}
    if contact.erased_at:
        errors["channel"] = _("This contact was erased: nothing can be sent.")
    elif channel not in CONVERSATION_CHANNELS:
        errors["channel"] = _("Choose SMS or e-mail.")
    elif channel == Channel.SMS and not contact.phone:
        errors["channel"] = _("There is no mobile number to text.")
    elif channel == Channel.EMAIL and not contact.email:
        errors["channel"] = _("There is no e-mail address to write to.")
    if not text:
        errors["text"] = _("Write a message.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Keep it under %(n)s characters.") % {"n": MAX_TEXT}
    if channel == Channel.EMAIL and not subject:
        errors["subject"] = _("An e-mail needs a subject.")
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = _("Keep the subject under %(n)s characters.") % {"n": MAX_SUBJECT}
    if errors:
        raise ValidationError(errors)


def conversation_send(
    *,
    contact: Contact,
    channel: str,
    text: str,
    subject: str = "",
    sent_by: User | None = None,
    now: dt.datetime | None = None,
) -> Message:
    """Send what a staff member wrote to one contact, by the rules of every message; the
    contact's unread replies are read once answered. The message comes back sent, held for
    quiet hours or not sent with the reason, like any other."""
    from .sending import message_send

    text = (text or "").strip()
    subject = " ".join((subject or "").split()) if channel == Channel.EMAIL else ""
    _check(contact, channel, text, subject)
    now = now or timezone.now()
    with transaction.atomic():
        message = message_send(
            contact=contact,
            purpose=CONVERSATION,
            channel=channel,
            context={"text": text, "subject": subject},
            related_type=CONVERSATION,
            now=now,
        )
        if sent_by is not None:
            Message.objects.filter(pk=message.pk).update(sent_by=sent_by)
            message.sent_by = sent_by
        InboundMessage.objects.filter(contact=contact, read_at__isnull=True).update(read_at=now)
    return message
