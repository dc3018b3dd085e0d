"""The segment builder's condition on campaigns: received, did not receive, opened (a person,
not a machine) or clicked campaign number N (the number shown on the campaign's page). It
compiles to one subquery on the recipient rows, so a segment stays one SQL query."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from apps.contacts.selectors.segment_rules import SegmentCondition

from .models import Recipient


def _campaign(node: dict, now: dt.datetime, today: dt.date) -> Q:
    rows = Recipient.objects.filter(contact=OuterRef("pk"), campaign_id=node["value"])
    cmp = node["cmp"]
    if cmp == "opened":
        return Q(Exists(rows.filter(opened_at__isnull=False)))
    if cmp == "clicked":
        return Q(Exists(rows.filter(clicked_at__isnull=False)))
    received = Exists(rows.filter(sent_at__isnull=False))
    return Q(received) if cmp == "received" else ~Q(received)


def campaign_segment_conditions() -> list[SegmentCondition]:
    return [
        SegmentCondition(
            key="campaigns.campaign",
            label=_("Campaign (by its number)"),
            group=_("Campaigns"),
            comparisons={
                "received": "count",
                "not_received": "count",
                "opened": "count",
                "clicked": "count",
            },
            cmp_labels={
                "received": _("received number"),
                "not_received": _("did not receive number"),
                "opened": _("opened number"),
                "clicked": _("clicked in number"),
            },
            compile=_campaign,
        )
    ]
