"""Feedback: surveys (NPS, CSAT, effort) sent as signed invitations, one response per
invitation, and the recovery cases that close the loop on a bad answer.

- `Survey` holds its kind, trigger, texts per language and look; `SurveyQuestion` the extra
  questions.
- `Invitation` is one ask of one contact, with an unguessable token; throttled asks are kept
  as `dropped` rows (never sent, counted), so the limit is visible.
- `Response` is unique per invitation: a retried submission or a reused link changes the one
  row (while it is editable) and never adds a second.
- `SurveyingState` is one row per contact: the do-not-survey flag and the last time the
  contact was asked, locked to apply the one limit across every survey.
- `Case` is the recovery case of one response (unique), with its owner, SLA due time,
  escalation, root cause and gesture (written to the loyalty ledger once).
- `RememberNote` is what the next visit must start with, shown until honoured.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now as _Now
from django.utils.translation import gettext_lazy as _

from apps.contacts.models import Contact
from cxsuite.lib.filters import KeepsUpdatedMixin

LANGUAGES = ("en", "fr", "es")


class SurveyKind(models.TextChoices):
    NPS = "nps", _("NPS (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")
    CES = "ces", _("Effort (1–7)")


SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


class Band(models.TextChoices):
    DETRACTOR = "detractor", _("Detractor")
    PASSIVE = "passive", _("Passive")
    PROMOTER = "promoter", _("Promoter")


def band_for(kind: str, score: int) -> str:
    """NPS 0–6 / CSAT 1–2 / effort 5–7 are bad answers; NPS 9–10 / CSAT 4–5 / effort 1–2 good."""
    if kind == SurveyKind.NPS:
        return Band.DETRACTOR if score <= 6 else Band.PASSIVE if score <= 8 else Band.PROMOTER
    if kind == SurveyKind.CSAT:
        return Band.DETRACTOR if score <= 2 else Band.PASSIVE if score == 3 else Band.PROMOTER
    return Band.DETRACTOR if score >= 5 else Band.PASSIVE if score >= 3 else Band.PROMOTER


class Trigger(models.TextChoices):
    APPOINTMENT = "appointment", _("After a completed appointment")
    PURCHASE = "purchase", _("After a purchase")
    MANUAL = "manual", _("On demand")


class InviteChannel(models.TextChoices):
    AUTO = "auto", _("The customer's best channel")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")


class FeedbackSettings(models.Model):
    """The business's rules for feedback (one row, pk=1)."""

    cooldown_days = models.PositiveSmallIntegerField(
        _("ask the same customer at most once every (days)"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    sla_hours = models.PositiveSmallIntegerField(
        _("first contact within (opening hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    open_days = models.JSONField(default=list, blank=True)  # weekdays, 0 = Monday
    open_from = models.TimeField(_("open from"), default=dt.time(9))
    open_until = models.TimeField(_("open until"), default=dt.time(18))
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("escalate overdue cases after (hours)"), default=24
    )
    escalate_reassign = models.BooleanField(
        _("reassign to the default owner when escalating"), default=False
    )
    default_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default case owner"),
    )
    review_url = models.URLField(_("public review link"), blank=True)
    edit_minutes = models.PositiveSmallIntegerField(
        _("answers can be changed for (minutes)"), default=30
    )

    class Meta:
        verbose_name = _("feedback settings")

    def __str__(self) -> str:
        return "feedback settings"

    @property
    def weekdays(self) -> list[int]:
        return list(self.open_days) if self.open_days else [0, 1, 2, 3, 4]


class Survey(KeepsUpdatedMixin, models.Model):
    """One survey: its kind and trigger, texts per language (en/fr/es), look and timing."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=8, choices=SurveyKind.choices)
    trigger = models.CharField(
        _("sent"), max_length=12, choices=Trigger.choices, default=Trigger.APPOINTMENT
    )
    active = models.BooleanField(_("active"), default=True)
    delay_hours = models.PositiveSmallIntegerField(
        _("hours after the visit or purchase"), default=2, validators=[MaxValueValidator(720)]
    )
    service_ids = models.JSONField(default=list, blank=True)  # empty: every service
    channel = models.CharField(
        _("channel"), max_length=8, choices=InviteChannel.choices, default=InviteChannel.AUTO
    )
    reminders = models.PositiveSmallIntegerField(
        _("reminders"), default=1, validators=[MaxValueValidator(2)]
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        _("remind after (days)"), default=3, validators=[MinValueValidator(1)]
    )
    expiry_days = models.PositiveSmallIntegerField(
        _("invitations expire after (days)"), default=14, validators=[MinValueValidator(1)]
    )
    texts = models.JSONField(default=dict, blank=True)  # {lang: {question, why, thanks}}
    colour = models.CharField(_("colour"), max_length=7, blank=True)
    logo_url = models.URLField(_("logo"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["nps", "csat", "ces"]), name="feedback_survey_kind"
            ),
            models.CheckConstraint(condition=Q(reminders__lte=2), name="feedback_reminders_max"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scale(self) -> tuple[int, int]:
        return SCALES[self.kind]


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    RATING = "rating", _("Rating (1–5)")


class SurveyQuestion(models.Model):
    """An optional extra question; `texts` is {lang: {label, options: [...]}}."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    texts = models.JSONField(default=dict)
    required = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "position", "pk"]

    def __str__(self) -> str:
        return (self.texts.get("en") or {}).get("label", "") or f"question {self.pk}"


class InvitationStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    DROPPED = "dropped", _("Not sent")


class DropReason(models.TextChoices):
    COOLDOWN = "cooldown", _("Asked recently")
    OPEN_CASE = "open_case", _("Has an open case")
    DO_NOT_SURVEY = "do_not_survey", _("Does not want surveys")
    NO_ADDRESS = "no_address", _("No way to reach them")


class Invitation(KeepsUpdatedMixin, models.Model):
    """One ask of one contact; `token` is the secret of its signed link."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices)
    drop_reason = models.CharField(max_length=14, choices=DropReason.choices, blank=True)
    language = models.CharField(max_length=8, default="en")
    channel = models.CharField(max_length=8, blank=True)  # as sent: email / sms
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    appointment_id = models.BigIntegerField(null=True, blank=True)
    transaction_id = models.BigIntegerField(null=True, blank=True)
    staff_id = models.BigIntegerField(null=True, blank=True)  # appointments.StaffMember
    service_id = models.BigIntegerField(null=True, blank=True)
    batch_key = models.CharField(max_length=60, blank=True)  # an on-demand send
    resurvey_of = models.BigIntegerField(null=True, blank=True)  # the resolved case's id
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["-send_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "appointment_id"],
                condition=Q(appointment_id__isnull=False),
                name="feedback_invitation_once_per_visit",
            ),
            models.UniqueConstraint(
                fields=["survey", "transaction_id"],
                condition=Q(transaction_id__isnull=False),
                name="feedback_invitation_once_per_purchase",
            ),
            models.UniqueConstraint(
                fields=["survey", "contact", "batch_key"],
                condition=~Q(batch_key=""),
                name="feedback_invitation_once_per_batch",
            ),
            models.UniqueConstraint(
                fields=["resurvey_of"],
                condition=Q(resurvey_of__isnull=False),
                name="feedback_resurvey_once",
            ),
            models.CheckConstraint(
                condition=(Q(status="dropped") & ~Q(drop_reason=""))
                | (~Q(status="dropped") & Q(drop_reason="")),
                name="feedback_dropped_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "-send_at"]),
            models.Index(fields=["status", "send_at"]),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.get_status_display()})"


class Response(models.Model):
    """The one answer to an invitation (editable until `editable_until`)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    score = models.PositiveSmallIntegerField(null=True, blank=True)  # null: skipped
    band = models.CharField(max_length=10, choices=Band.choices, blank=True)
    comment = models.TextField(blank=True)
    answers = models.JSONField(default=dict, blank=True)  # {question_id: value}
    language = models.CharField(max_length=8, default="en")
    channel = models.CharField(max_length=8, blank=True)  # email / sms / web / api
    staff_id = models.BigIntegerField(null=True, blank=True)
    service_id = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField()
    updated = models.DateTimeField()
    editable_until = models.DateTimeField()

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=10), name="feedback_score_range"
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "created"]),
            models.Index(fields=["created"]),
            models.Index(fields=["contact", "-created"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.score}"


class ScoreDay(models.Model):
    """The scored answers of one local day, kept in step by the service that records or
    changes a response (same transaction), so the figures sum a few hundred rows instead of
    every response. One row per (day, survey, kind, staff member, service, channel, band);
    0 stands for "no staff member" / "no service" so the key has no NULLs. Skipped answers
    (no score) are never counted; `answers` may fall back to 0 when an answer moves away.
    (No CHECK on the counts: PostgreSQL checks the proposed row of an upsert, -1 for a
    decrement, before it finds the row to update.)"""

    day = models.DateField()  # in the business's zone
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    staff_id = models.BigIntegerField(default=0)
    service_id = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=8, blank=True)
    band = models.CharField(max_length=10, choices=Band.choices)
    answers = models.IntegerField(default=0)
    score_sum = models.IntegerField(default=0)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "kind", "staff_id", "service_id", "channel", "band"],
                name="feedback_scoreday_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.band}: {self.answers}"


class InvitationDay(models.Model):
    """Invitations by the local day they were (or are to be) sent, survey and status, kept in
    step by every service that creates an invitation or changes its status (same
    transaction): the response rate sums these rows instead of every invitation."""

    day = models.DateField()  # of send_at, in the business's zone
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=InvitationStatus.choices)
    invitations = models.IntegerField(default=0)

    class Meta:
        ordering = ["day", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "status"], name="feedback_invitationday_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.status}: {self.invitations}"


class SurveyingState(models.Model):
    """Per contact: do not survey, and when they were last asked (the one cool-down)."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="+")
    do_not_survey = models.BooleanField(default=False)
    last_asked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"surveying of contact {self.contact_id}"


class RootCause(models.Model):
    """A business-defined cause a case is resolved with, reported by cause."""

    label = models.CharField(_("label"), max_length=80, unique=True)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONTACTED = "contacted", _("Contacted")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed: answer changed")


OPEN_STATUSES = (CaseStatus.OPEN, CaseStatus.CONTACTED)


class GestureKind(models.TextChoices):
    NONE = "", _("No gesture")
    POINTS = "points", _("Loyalty points")
    VOUCHER = "voucher", _("Voucher")


class Case(KeepsUpdatedMixin, models.Model):
    """The recovery case of one bad answer: owner, SLA, escalation, cause and gesture."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="case")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default="open")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField()
    due_at = models.DateTimeField()
    first_contact_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.ForeignKey(
        RootCause, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    resolution = models.TextField(blank=True)
    gesture_kind = models.CharField(
        max_length=8, choices=GestureKind.choices, blank=True, default=""
    )
    gesture_points = models.PositiveIntegerField(default=0)
    gesture_value = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    gesture_ref = models.CharField(max_length=40, blank=True)  # ledger entry / voucher id
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["contact", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved") | Q(resolved_at__isnull=False),
                name="feedback_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseNote(models.Model):
    """A staff note on a case (a call made, what was said)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "pk"]

    def __str__(self) -> str:
        return f"note on case {self.case_id}"


class AlertKind(models.TextChoices):
    OPENED = "opened", _("New case")
    ESCALATED = "escalated", _("Case overdue")
    PRAISE = "praise", _("Praise")


class CaseAlert(models.Model):
    """A staff member told of a case (or praise), once per (case or response, user, kind)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, related_name="alerts")
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, null=True, related_name="alerts"
    )
    created = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "kind"],
                condition=Q(case__isnull=False),
                name="feedback_alert_once",
            ),
            models.UniqueConstraint(
                fields=["response", "user", "kind"],
                condition=Q(response__isnull=False),
                name="feedback_praise_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} alert for user {self.user_id}"


class RememberNote(models.Model):
    """What the next visit starts with (an apology, a fix), shown until staff honour it."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="remember"
    )
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created = models.DateTimeField()
    honoured_at = models.DateTimeField(null=True, blank=True)
    honoured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(
                fields=["contact"],
                condition=Q(honoured_at__isnull=True),
                name="feedback_remember_pending",
            )
        ]

    def __str__(self) -> str:
        return f"remember note for contact {self.contact_id}"
