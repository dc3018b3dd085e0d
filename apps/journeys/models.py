"""Journeys: a trigger, entry rules and a versioned graph of steps; enrollments of contacts
moving through a version, one step run per step taken; offers and the offers made."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now as _Now
from django.utils.translation import gettext_lazy as _

from apps.contacts.models import Contact, Segment
from cxsuite.lib.filters import KeepsUpdatedMixin


class JourneyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ARCHIVED = "archived", _("Archived")


class EntryRule(models.TextChoices):
    ONCE = "once", _("Once per contact and key")
    AGAIN_AFTER = "again_after", _("Again after a number of days")


class Journey(models.Model):
    """What starts a journey (`trigger`), who may enter and how often, the goal and the exits.

    `trigger` is {"kind": "event", "event_type", "filters": [{"property", "cmp", "value"}]},
    {"kind": "segment", "segment_id", "direction": "entered" | "left"} or {"kind": "date",
    "field": "birthday" | "custom.<key>", "offset_days", "at": "HH:MM"}. The graph of steps lives
    in versions, so changing it while people are inside never moves them."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=JourneyStatus.choices, default=JourneyStatus.DRAFT
    )
    trigger = models.JSONField(default=dict)
    entry_rule = models.CharField(max_length=12, choices=EntryRule.choices, default=EntryRule.ONCE)
    reentry_days = models.PositiveIntegerField(default=0)
    goal = models.JSONField(default=dict, blank=True)  # {"event_type", "within_days"}
    exit_events = models.JSONField(default=list, blank=True)  # event types that end it
    holdout_percent = models.PositiveSmallIntegerField(default=0)
    hourly_cap = models.PositiveIntegerField(null=True, blank=True)
    template = models.CharField(max_length=40, blank=True)
    live_version = models.ForeignKey(
        "JourneyVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")
    RETIRED = "retired", _("Finished")


class JourneyVersion(models.Model):
    """One graph of steps: a list of {"id", "type", "config", "next"?, "else"?} in the order
    the builder shows them; a step goes on to the next in the list unless it names another
    ("next"), and a branch or a wait for an event names where its other path goes ("else")."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=8, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    steps = models.JSONField(default=list)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["journey", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "number"], name="journeys_version_number"),
            models.UniqueConstraint(
                fields=["journey"],
                condition=Q(status="draft"),
                name="journeys_one_draft_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey_id} v{self.number}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    CONVERTED = "converted", _("Reached the goal")
    EXITED = "exited", _("Exited")
    HOLDOUT = "holdout", _("Held out")


class Enrollment(KeepsUpdatedMixin, models.Model):
    """One contact's way through one version, for one entry key (an invoice, an order, an
    appointment, or the contact itself). `step_seq` counts the steps taken: the step run of
    each number is unique, so a retried or raced advance never runs a step twice."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="enrollments")
    version = models.ForeignKey(
        JourneyVersion, on_delete=models.PROTECT, related_name="enrollments"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="journey_enrollments"
    )
    entry_key = models.CharField(max_length=80)
    entry_seq = models.PositiveIntegerField(default=1)
    status = models.CharField(
        max_length=10, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    current_step = models.CharField(max_length=20, blank=True)
    step_seq = models.PositiveIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True)
    waiting_for = models.CharField(max_length=64, blank=True)  # an event type
    wait_until = models.DateTimeField(null=True, blank=True)  # the time-out of that wait
    wait_spec = models.JSONField(default=dict, blank=True)  # a time-of-day wait, recomputed
    trigger_event_id = models.BigIntegerField(null=True, blank=True)
    trigger_properties = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    test_run = models.BooleanField(default=False)
    entered_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    exit_reason = models.CharField(max_length=120, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)  # the goal, holdouts too
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["-entered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "contact", "entry_key", "entry_seq"],
                name="journeys_enrollment_entry",
            ),
            models.UniqueConstraint(
                fields=["journey", "contact", "entry_key"],
                condition=Q(status="active"),
                name="journeys_enrollment_one_active",
            ),
        ]
        indexes = [
            models.Index(
                fields=["journey", "next_at"],
                condition=Q(status="active", next_at__isnull=False),
                name="journeys_enrollment_due",
            ),
            models.Index(
                fields=["contact"],
                condition=Q(status="active"),
                name="journeys_enrollment_contact",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey_id}:{self.contact_id}:{self.entry_key}"


class StepRun(models.Model):
    """A step taken: what it did (`outcome`, `detail`: the message, the offer and why)."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="runs")
    seq = models.PositiveIntegerField()
    step_id = models.CharField(max_length=20)
    step_type = models.CharField(max_length=20)
    outcome = models.CharField(max_length=20, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ran_at = models.DateTimeField()

    class Meta:
        ordering = ["enrollment", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "seq"], name="journeys_steprun_once")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}#{self.seq} {self.step_type}"


def segment_deleted_pause(collector, field, sub_objs, using) -> None:
    """on_delete of an offer's segment: the offer is paused rather than opened to everyone."""
    collector.add_field_update(field, None, sub_objs)
    collector.add_field_update(field.model._meta.get_field("active"), False, sub_objs)


class Offer(KeepsUpdatedMixin, models.Model):
    """Something to offer a contact: who is eligible (the members of `segment`, when set, who
    also match `rules`), how it ranks, how long it holds, and the event that counts as
    accepted."""

    name = models.CharField(_("name"), max_length=120)
    text = models.TextField(_("message"))
    rules = models.JSONField(default=dict, blank=True)
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("for the segment"),
        null=True,
        blank=True,
        on_delete=segment_deleted_pause,
        related_name="+",
    )
    priority = models.PositiveSmallIntegerField(_("priority"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    accepted_event = models.CharField(_("accepted when"), max_length=64)
    # Given when the offer is accepted: {} (nothing), {"type": "points", "points": 200} or
    # {"type": "voucher", "reward": <loyalty reward id>} / {"type": "voucher", "kind": …,
    # "value": …, "valid_days": …} (see services.offers.offer_reward_clean).
    reward = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name


class OfferMade(models.Model):
    """An offer made to a contact by a journey step, and whether it was accepted."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="made")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="offers_made")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="offers"
    )
    rfm_segment = models.CharField(max_length=12, blank=True)
    why = models.CharField(max_length=300, blank=True)
    made_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    # What the offer's reward came to on acceptance: "200 points", a voucher's label, or why
    # nothing was given ("Not given: …"). Empty for an offer without a reward.
    reward_note = models.CharField(max_length=200, blank=True, db_default="")

    class Meta:
        ordering = ["-made_at"]
        indexes = [models.Index(fields=["contact", "accepted_at"], name="journeys_offer_contact")]

    def __str__(self) -> str:
        return f"{self.offer_id}:{self.contact_id}"
