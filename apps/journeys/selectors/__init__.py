"""Reads for journeys: the list with its counts, one journey's figures per version (the funnel
and its table), a contact's enrollments and the step runs of one enrollment, and the offer
catalogue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from ..models import (
    Enrollment,
    EnrollmentStatus,
    Journey,
    JourneyVersion,
    Offer,
    OfferMade,
    StepRun,
)


def journey_list() -> QuerySet[Journey]:
    """Every journey with how many are inside and how many entered (two counts, one query)."""
    return (
        Journey.objects.select_related("live_version")
        .annotate(
            entered=Count("enrollments", filter=Q(enrollments__test_run=False)),
            inside=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.ACTIVE)),
        )
        .order_by("status", "name", "pk")
    )


def journey_get(pk: int) -> Journey:
    return get_object_or_404(Journey.objects.select_related("live_version"), pk=pk)


def offer_list() -> QuerySet[Offer]:
    """The offer catalogue, first what is offered first, with how often each was made and
    accepted (one query)."""
    return (
        Offer.objects.select_related("segment")
        .annotate(
            made_count=Count("made"),
            accepted_count=Count("made", filter=Q(made__accepted_at__isnull=False)),
        )
        .order_by("-active", "-priority", "name", "pk")
    )


def offer_get(pk: int) -> Offer:
    return get_object_or_404(offer_list(), pk=pk)


def enrollment_list(*, journey: Journey | None = None, contact_id: int | None = None):
    enrollments = Enrollment.objects.select_related("contact", "journey", "version").filter(
        test_run=False
    )
    if journey is not None:
        enrollments = enrollments.filter(journey=journey)
    if contact_id is not None:
        enrollments = enrollments.filter(contact_id=contact_id)
    return enrollments.order_by("-entered_at", "-pk")


def enrollment_runs(enrollment: Enrollment) -> list[StepRun]:
    return list(enrollment.runs.order_by("seq"))


@dataclass
class VersionFigures:
    """What one version did: entered, inside, at each step, exited, goal, messages, offers."""

    version: JourneyVersion
    entered: int = 0
    active: int = 0
    completed: int = 0
    exited: int = 0
    converted: int = 0
    holdout: int = 0
    holdout_converted: int = 0
    at_step: dict[str, int] = field(default_factory=dict)
    reached_step: dict[str, int] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)
    offers_made: int = 0
    offers_accepted: int = 0

    @property
    def conversion_rate(self) -> float:
        treated = self.entered - self.holdout
        return self.converted / treated if treated else 0.0

    @property
    def holdout_rate(self) -> float:
        return self.holdout_converted / self.holdout if self.holdout else 0.0

    @property
    def lift(self) -> float | None:
        return self.conversion_rate - self.holdout_rate if self.holdout else None

    def funnel(self) -> list[tuple[str, str, int]]:
        """(step id, step type, how many reached it) in the version's order."""
        return [
            (step["id"], step["type"], self.reached_step.get(step["id"], 0))
            for step in self.version.steps
        ]


def journey_figures(journey: Journey) -> list[VersionFigures]:
    """Per version, newest first, in a handful of grouped queries."""
    versions = list(journey.versions.order_by("-number"))
    figures = {v.pk: VersionFigures(version=v) for v in versions}
    rows = (
        Enrollment.objects.filter(journey=journey, test_run=False)
        .values("version_id", "status")
        .annotate(n=Count("pk"), conv=Count("pk", filter=Q(converted_at__isnull=False)))
    )
    for row in rows:
        fig = figures[row["version_id"]]
        fig.entered += row["n"]
        status = row["status"]
        if status == EnrollmentStatus.ACTIVE:
            fig.active += row["n"]
        elif status == EnrollmentStatus.COMPLETED:
            fig.completed += row["n"]
        elif status == EnrollmentStatus.EXITED:
            fig.exited += row["n"]
        elif status == EnrollmentStatus.CONVERTED:
            fig.converted += row["n"]
        elif status == EnrollmentStatus.HOLDOUT:
            fig.holdout += row["n"]
            fig.holdout_converted += row["conv"]
    at = (
        Enrollment.objects.filter(journey=journey, status=EnrollmentStatus.ACTIVE, test_run=False)
        .values("version_id", "current_step")
        .annotate(n=Count("pk"))
    )
    for row in at:
        figures[row["version_id"]].at_step[row["current_step"]] = row["n"]
    runs = (
        StepRun.objects.filter(enrollment__journey=journey, enrollment__test_run=False)
        .exclude(step_type="wait_result")
        .values("enrollment__version_id", "step_id")
        .annotate(n=Count("enrollment_id", distinct=True))
    )
    for row in runs:
        figures[row["enrollment__version_id"]].reached_step[row["step_id"]] = row["n"]
    channels: dict[int, Counter] = {}
    for version_id, channel in StepRun.objects.filter(
        enrollment__journey=journey, step_type__in=["send", "offer"], detail__has_key="channel"
    ).values_list("enrollment__version_id", "detail__channel"):
        channels.setdefault(version_id, Counter())[channel] += 1
    for version_id, counter in channels.items():
        figures[version_id].channels = dict(counter)
    offers = (
        OfferMade.objects.filter(enrollment__journey=journey)
        .values("enrollment__version_id")
        .annotate(made=Count("pk"), accepted=Count("pk", filter=Q(accepted_at__isnull=False)))
    )
    for row in offers:
        fig = figures[row["enrollment__version_id"]]
        fig.offers_made, fig.offers_accepted = row["made"], row["accepted"]
    return [figures[v.pk] for v in versions]
