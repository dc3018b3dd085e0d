"""Campaigns: a message to an audience fixed at send time, its variants, one row per
recipient (who got it, who did not and why), opens and clicks, topics and the suppression
list every marketing message respects."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from apps.contacts.models import Contact, Segment

from .choices import (
    CampaignChannel,
    CampaignStatus,
    PassedHourRule,
    RecipientStatus,
    ScheduleKind,
    SkipReason,
    SuppressionReason,
    WinnerMetric,
)


class Topic(models.Model):
    """What a business writes about (newsletter, offers, events); customers may leave one
    topic on the preference page instead of leaving everything."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TopicOptOut(models.Model):
    """A contact who left a topic: campaigns of that topic pass them by."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="opt_outs")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "contact"], name="campaigns_topic_opt_out")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} left {self.topic_id}"


class Campaign(models.Model):
    """A newsletter or an offer to segments and static lists, minus exclusions."""

    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(
        _("channel"), max_length=8, choices=CampaignChannel.choices, default=CampaignChannel.EMAIL
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns"
    )
    segments = models.ManyToManyField(Segment, related_name="campaigns", blank=True)
    excluded_segments = models.ManyToManyField(Segment, related_name="+", blank=True)
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    schedule = models.CharField(
        _("when"), max_length=8, choices=ScheduleKind.choices, default=ScheduleKind.NOW
    )
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    local_time = models.TimeField(_("local time"), null=True, blank=True)
    passed_hour = models.CharField(
        _("where that hour has passed"),
        max_length=10,
        choices=PassedHourRule.choices,
        default=PassedHourRule.NEXT_DAY,
    )
    throttle_per_minute = models.PositiveIntegerField(_("messages per minute"), default=0)
    send_by = models.DateTimeField(_("send by"), null=True, blank=True)
    ab_share = models.PositiveSmallIntegerField(_("test share (%)"), default=0)
    winner_metric = models.CharField(
        _("winner by"), max_length=12, choices=WinnerMetric.choices, default=WinnerMetric.OPENS
    )
    winner_wait_hours = models.PositiveSmallIntegerField(_("wait before choosing (h)"), default=4)
    winner = models.ForeignKey(
        "Variant", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    conversion_days = models.PositiveSmallIntegerField(_("conversion window (days)"), default=7)
    bounce_pause_rate = models.FloatField(default=0.05)
    complaint_pause_rate = models.FloatField(default=0.002)
    pause_reason = models.CharField(max_length=300, blank=True)
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups"
    )
    follow_up_kind = models.CharField(max_length=12, blank=True)  # non_openers, newcomers
    web_token = models.CharField(max_length=32, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ab_share__lte=100), name="campaigns_ab_share_percent"
            ),
            models.CheckConstraint(
                condition=~Q(schedule="at") | Q(send_at__isnull=False),
                name="campaigns_at_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(schedule="local") | Q(send_at__isnull=False, local_time__isnull=False),
                name="campaigns_local_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """One of up to four versions (A-D): subject, sender name and content blocks."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="variants")
    label = models.CharField(max_length=1)  # A, B, C, D
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    sender_name = models.CharField(_("sender name"), max_length=80, blank=True)
    blocks = models.JSONField(default=list, blank=True)
    sms_text = models.TextField(_("text message"), blank=True)

    class Meta:
        ordering = ["campaign", "label"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="campaigns_variant_label"),
            models.CheckConstraint(
                condition=Q(label__in=["A", "B", "C", "D"]), name="campaigns_variant_abcd"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.label}"


class Recipient(models.Model):
    """One contact of a campaign's audience as fixed at send time: one row per contact and
    one per address (two contacts sharing an address get one copy), what was sent or why not."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)  # lower-cased e-mail or E.164 number
    channel = models.CharField(max_length=8, blank=True)
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="recipients"
    )
    status = models.CharField(
        max_length=10, choices=RecipientStatus.choices, default=RecipientStatus.PENDING
    )
    reason = models.CharField(max_length=12, choices=SkipReason.choices, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    due_at = models.DateTimeField()
    message_id = models.BigIntegerField(null=True, blank=True)
    # 0 for the first try; "retry the failed" and "send to the rest" give the row a new try
    # (and its message a new dedupe key), only when the earlier one reached nobody
    attempt = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)  # human opens only
    machine_opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)  # human clicks only
    replied_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "contact"], name="campaigns_one_per_contact"
            ),
            models.UniqueConstraint(
                fields=["campaign", "address"], name="campaigns_one_per_address"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "due_at"], name="campaigns_recipient_due"),
            models.Index(fields=["message_id"], name="campaigns_recipient_message"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.contact_id} {self.status}"


class Open(models.Model):
    """An open of a campaign e-mail, told human or machine (see selectors.machine_reason)."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="opens")
    at = models.DateTimeField()
    user_agent = models.CharField(max_length=300, blank=True)
    machine = models.BooleanField(default=False)
    machine_reason = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return f"open {self.recipient_id} {'machine' if self.machine else 'human'}"


class Click(models.Model):
    """A click on one link of a campaign e-mail, told human or machine like opens."""

    recipient = models.ForeignKey(Recipient, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField(max_length=2000)
    at = models.DateTimeField()
    user_agent = models.CharField(max_length=300, blank=True)
    machine = models.BooleanField(default=False)
    machine_reason = models.CharField(max_length=80, blank=True)

    class Meta:
        indexes = [models.Index(fields=["recipient", "url"], name="campaigns_click_link")]

    def __str__(self) -> str:
        return f"click {self.recipient_id} {self.url[:40]}"


class Suppression(models.Model):
    """An address no marketing message goes to: a hard bounce, soft bounces in a row or a
    complaint. `soft_bounces` counts the bounces in a row; a delivery sets it back to 0.
    The address is kept only as a keyed hash (services.address_digest): the block outlives
    the contact's erasure without keeping the address."""

    address = models.CharField(max_length=64, unique=True)
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    soft_bounces = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=12, choices=SuppressionReason.choices, blank=True)
    suppressed_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["address"], condition=Q(reason__gt=""), name="campaigns_suppressed"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address}: {self.reason or self.soft_bounces}"
