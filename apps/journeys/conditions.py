"""What the segment builder can ask for journeys and offers: how often a contact paid an
invoice after its due date (the payment-plan offer's eligibility), and whether a contact is
inside a journey now. Registered in contacts' `segment_conditions` by `JourneysConfig.ready()`;
each compiles to a subquery, so a segment stays one SQL query."""

from __future__ import annotations

import datetime as dt

from django.db.models import CharField, Count, Exists, F, Func, OuterRef, Q, Value
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext_lazy as _

from apps.contacts.models import TimelineEvent
from apps.contacts.selectors.segment_rules import SegmentCondition

from .models import Enrollment, EnrollmentStatus

GROUP = _("Journeys and payments")


def _late_payments(node: dict, now: dt.datetime, today: dt.date) -> Q:
    """Contacts with at least (or fewer than) N invoices paid after their due date in the last
    12 months (ISO dates compare as text)."""
    late = (
        TimelineEvent.objects.filter(
            type="invoice.paid",
            occurred_at__gte=now - dt.timedelta(days=365),
            properties__has_key="due_date",
        )
        .annotate(
            due=KeyTextTransform("due_date", "properties"),
            paid=Func(
                F("occurred_at"), Value("YYYY-MM-DD"), function="to_char", output_field=CharField()
            ),
        )
        .filter(paid__gt=F("due"))
        .values("contact_id")
        .annotate(n=Count("id"))
        .filter(n__gte=node["value"])
        .values("contact_id")
    )
    return Q(pk__in=late) if node["cmp"] == "at_least" else ~Q(pk__in=late)


def _in_journey(node: dict, now: dt.datetime, today: dt.date) -> Q:
    inside = Exists(
        Enrollment.objects.filter(contact=OuterRef("pk"), status=EnrollmentStatus.ACTIVE)
    )
    return Q(inside) if node["value"] else ~Q(inside)


def journey_segment_conditions() -> list[SegmentCondition]:
    return [
        SegmentCondition(
            key="journeys.late_payments",
            label=_("Invoices paid late (12 months)"),
            group=GROUP,
            comparisons={"at_least": "count", "fewer_than": "count"},
            compile=_late_payments,
        ),
        SegmentCondition(
            key="journeys.inside",
            label=_("Inside a journey now"),
            group=GROUP,
            comparisons={"is": "boolean"},
            compile=_in_journey,
        ),
    ]
