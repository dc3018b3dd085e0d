"""What the segment builder can ask about feedback: the band of the latest answer (NPS
band), the latest score and whether the contact has an open case. Each compiles to a
subquery on feedback's tables. Registered in `FeedbackConfig.ready()`."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from apps.contacts.selectors.segment_rules import SegmentCondition

from ..models import OPEN_STATUSES, Band, Case, Response

GROUP = _("Feedback")


def _band(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """The latest answer's band (detractor, passive, promoter)."""
    ids = (
        Response.objects.filter(score__isnull=False)
        .order_by("contact_id", "-created", "-pk")
        .distinct("contact_id")
        .values("pk")
    )
    latest = Response.objects.filter(pk__in=ids, band=node["value"]).values("contact_id")
    return Q(pk__in=latest) if node["cmp"] == "eq" else ~Q(pk__in=latest)


def _last_score(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """The latest score given (on any survey's scale) at least or at most a value."""
    ids = (
        Response.objects.filter(score__isnull=False)
        .order_by("contact_id", "-created", "-pk")
        .distinct("contact_id")
        .values("pk")
    )
    lookup = "score__gt" if node["cmp"] == "gt" else "score__lt"
    latest = Response.objects.filter(pk__in=ids, **{lookup: node["value"]}).values("contact_id")
    return Q(pk__in=latest)


def _open_case(node: dict, now: dt.datetime, today: dt.date) -> Q:
    has = Exists(Case.objects.filter(contact_id=OuterRef("pk"), status__in=OPEN_STATUSES))
    return Q(has) if node["value"] else ~Q(has)


def feedback_segment_conditions() -> list[SegmentCondition]:
    return [
        SegmentCondition(
            key="feedback.band",
            label=_("Latest answer (NPS band)"),
            group=GROUP,
            comparisons={"eq": "choice", "neq": "choice"},
            choices=tuple(Band.choices),
            compile=_band,
        ),
        SegmentCondition(
            key="feedback.last_score",
            label=_("Latest score"),
            group=GROUP,
            comparisons={"gt": "number", "lt": "number"},
            compile=_last_score,
        ),
        SegmentCondition(
            key="feedback.open_case",
            label=_("Has an open feedback case"),
            group=GROUP,
            comparisons={"is": "boolean"},
            compile=_open_case,
        ),
    ]
