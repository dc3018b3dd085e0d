"""Everything sent to a customer and everything they answer: settings, templates, the message
log, per-channel response counts for best-channel choice, and inbound replies (tenant schema)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from apps.contacts.models import Channel, Contact
from cxsuite.lib.filters import KeepsUpdatedMixin


class Category(models.TextChoices):
    """Transactional messages need no opt-out; marketing needs an opt-in and is capped."""

    TRANSACTIONAL = "transactional", _("Transactional")
    MARKETING = "marketing", _("Marketing")


class ProviderKind(models.TextChoices):
    OUTBOX = "outbox", _("Outbox (nothing leaves; shown under Outbox)")
    TWILIO = "twilio", _("Twilio")


class MessagingSettings(models.Model):
    """The business's sending rules and provider account (one row). Secrets are encrypted."""

    quiet_start = models.TimeField(_("quiet hours start"), default=dt.time(21, 0))
    quiet_end = models.TimeField(_("quiet hours end"), default=dt.time(8, 0))
    marketing_cap_per_week = models.PositiveSmallIntegerField(
        _("marketing messages per contact per week"), default=2
    )
    email_fallback_hours = models.PositiveSmallIntegerField(
        _("send by SMS when an important email is not opened within (hours)"), default=24
    )
    sms_provider = models.CharField(
        max_length=10, choices=ProviderKind.choices, default=ProviderKind.OUTBOX
    )
    voice_provider = models.CharField(
        max_length=10, choices=ProviderKind.choices, default=ProviderKind.OUTBOX
    )
    provider_account = models.CharField(_("account id"), max_length=64, blank=True)
    provider_secret_encrypted = models.TextField(blank=True)
    provider_from_number = models.CharField(_("sending number"), max_length=20, blank=True)
    email_from = models.EmailField(_("sender address"), blank=True)

    def __str__(self) -> str:
        return "messaging settings"


class Template(models.Model):
    """What a purpose says on a channel in one language; `{{ contact.first_name }}`-style
    variables are checked against what the purpose provides when the template is saved."""

    purpose = models.SlugField(max_length=60)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["purpose", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "channel", "language"], name="messaging_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} · {self.channel} · {self.language}"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    # claimed by one worker and being handed to the provider (see services.sending)
    SENDING = "sending", _("Handing over")
    DEFERRED = "deferred", _("Deferred")
    SUPPRESSED = "suppressed", _("Not sent")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked")
    REPLIED = "replied", _("Replied")


class Message(KeepsUpdatedMixin, models.Model):
    """One message to one contact on one channel, rendered, with its life from queued to
    answered. `dedupe_key` (unique when given) makes a retried send harmless."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    purpose = models.SlugField(max_length=60)
    category = models.CharField(max_length=14, choices=Category.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    language = models.CharField(max_length=8, blank=True)
    to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    reason = models.CharField(max_length=300, blank=True)  # why not sent / deferred / rerouted
    dedupe_key = models.CharField(max_length=150, blank=True)
    provider = models.CharField(max_length=10, blank=True)
    provider_message_id = models.CharField(max_length=100, blank=True)
    related_type = models.CharField(max_length=40, blank=True)  # e.g. "appointment"
    related_id = models.CharField(max_length=40, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # the staff member who wrote it (conversations); empty for what the system sends
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="messaging_dedupe_key"
            )
        ]
        indexes = [
            models.Index(fields=["contact", "-created"], name="messaging_contact_recent"),
            models.Index(fields=["provider_message_id"], name="messaging_provider_id"),
            models.Index(fields=["status", "-created"], name="messaging_status_recent"),
            # the analytics read a period's messages by when they were sent
            models.Index(fields=["sent_at"], name="messaging_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.channel} ({self.status})"


class ShortLink(models.Model):
    """A web link in a text, shortened and tracked: `/l/<code>/` marks its message clicked and
    goes on to `url`. One row per message and link, so a retried delivery keeps the same code;
    the code is random (not the message id), so links cannot be walked."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="short_links")
    url = models.TextField()
    code = models.CharField(max_length=16, unique=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "url"], name="messaging_short_link_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} → {self.url[:40]}"


class ChannelStats(models.Model):
    """How a contact responds on a channel: the history best-channel choice reads."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="channel_stats")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    sent = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)  # opened, clicked, replied or confirmed

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "channel"], name="messaging_stats_unique")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.channel}: {self.answered}/{self.delivered}"


class InboundMessage(models.Model):
    """An SMS a customer sent the business, and what was made of it."""

    from_number = models.CharField(max_length=20)
    body = models.TextField()
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True)
    handled_as = models.CharField(max_length=12, blank=True)  # stop, start, confirm, other
    provider_message_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # the home page's card: the newest unread replies and how many
            models.Index(
                fields=["-received_at"],
                condition=Q(read_at__isnull=True),
                name="messaging_inbound_unread",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_message_id"],
                condition=~Q(provider_message_id=""),
                name="messaging_inbound_provider_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_number}: {self.body[:30]}"
