"""Choices other modules may read (a campaign's statuses, a recipient's reasons)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    BEST = "best", _("Best channel per contact")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    PAUSED = "paused", _("Paused")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ScheduleKind(models.TextChoices):
    NOW = "now", _("Now")
    AT = "at", _("At a time")
    LOCAL = "local", _("At a time in each contact's own zone")


class PassedHourRule(models.TextChoices):
    """What happens to the contacts whose local hour has already passed when the campaign
    starts: they get it at once, or at that hour the next day."""

    SEND_NOW = "now", _("Send at once")
    NEXT_DAY = "next_day", _("Send the next day at that hour")


class WinnerMetric(models.TextChoices):
    OPENS = "opens", _("Human opens")
    CLICKS = "clicks", _("Clicks")
    CONVERSIONS = "conversions", _("Conversions")
    MANUAL = "manual", _("Chosen by hand")


class RecipientStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    TEST = "test", _("In the A/B test, waiting")
    HELD = "held", _("Held for the A/B winner")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred by quiet hours")
    SKIPPED = "skipped", _("Not sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("No consent")
    CAPPED = "capped", _("Frequency cap reached")
    SUPPRESSED = "suppressed", _("Address suppressed")
    BOUNCED = "bounced", _("Bounced")
    DEADLINE = "deadline", _("Send-by deadline passed")
    NO_ADDRESS = "no_address", _("No address")
    TOPIC = "topic", _("Unsubscribed from the topic")
    REFUSED = "refused", _("Refused by the provider")


# the reasons "send to the rest" tries again (consent, caps and suppression checked anew)
RETRYABLE_SKIPS = (SkipReason.CAPPED, SkipReason.NO_CONSENT, SkipReason.DEADLINE)


class SuppressionReason(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    SOFT_BOUNCES = "soft_bounces", _("Soft bounces in a row")
    COMPLAINT = "complaint", _("Spam complaint")
