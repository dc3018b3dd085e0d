"""Messaging in the analytics dashboard (cxsuite/lib/analytics.py): messages sent and
answered per channel, and the unread replies of the home page's card.

A message belongs to the period in which it was sent (`sent_at`, compared with the period's
bounds: local midnights of the business's zone). Messages to erased contacts are left out.
"""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext as _

from apps.contacts.choices import Channel
from apps.contacts.selectors import contacts_erased_ids
from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData, rate

from ..models import InboundMessage, Message
from ..services.inbound import REPLY_WINDOW


def answered_within(window=REPLY_WINDOW) -> Q:
    """A sent message the customer answered in time: opened, clicked or replied to within
    `window` of sending (the same signals the channel choice counts as answered)."""
    deadline = F("sent_at") + window
    return Q(opened_at__lte=deadline) | Q(clicked_at__lte=deadline) | Q(replied_at__lte=deadline)


def channels_widget(period: Period) -> WidgetData:
    """Messages sent and answered per channel in `period` against the period before, with
    the response rate per channel as a bar chart (1 query).

    - Sent: messages with a `sent_at` in the period (held, refused or failed before leaving
      are not sent).
    - Answered: of those, the ones opened, clicked or replied to within 7 days of sending
      (`REPLY_WINDOW`, the window a text back counts in); a message sent in the last days of
      the period may still be answered later, which then raises the period's figure.
    - Response rate: answered / sent, in percent; None on a channel that sent nothing.
    """
    previous = period.previous
    now = Q(sent_at__gte=period.start)
    before = Q(sent_at__lt=period.start)
    answered = answered_within()
    rows = {
        row["channel"]: row
        for row in Message.objects.filter(sent_at__gte=previous.start, sent_at__lt=period.end)
        .exclude(contact_id__in=contacts_erased_ids())
        .values("channel")
        .annotate(
            sent=Count("pk", filter=now),
            answered=Count("pk", filter=now & answered),
            sent_prev=Count("pk", filter=before),
            answered_prev=Count("pk", filter=before & answered),
        )
        .order_by()
    }
    empty = {"sent": 0, "answered": 0, "sent_prev": 0, "answered_prev": 0}
    channels = [(str(label), rows.get(value, empty)) for value, label in Channel.choices]
    totals = {key: sum(row[key] for _label, row in channels) for key in empty}
    return WidgetData(
        figures=[
            Figure(
                key="sent",
                label=_("Messages sent"),
                value=totals["sent"],
                previous=totals["sent_prev"],
            ),
            Figure(
                key="answered",
                label=_("Messages answered"),
                value=totals["answered"],
                previous=totals["answered_prev"],
            ),
            Figure(
                key="response_rate",
                label=_("Response rate"),
                value=rate(totals["answered"], totals["sent"]),
                previous=rate(totals["answered_prev"], totals["sent_prev"]),
                unit="percent",
            ),
        ],
        chart=Chart(
            kind="bar",
            categories=[label for label, _row in channels],
            series=[
                Series(
                    label=_("This period"),
                    values=[rate(row["answered"], row["sent"]) for _label, row in channels],
                ),
                Series(
                    label=_("Previous period"),
                    values=[rate(row["answered_prev"], row["sent_prev"]) for _l, row in channels],
                ),
            ],
            unit="percent",
            title=_("Response rate by channel"),
        ),
        table=Table(
            columns=[
                _("Channel"),
                _("Sent"),
                _("Answered"),
                _("Response rate (%)"),
                _("Previous period (%)"),
            ],
            rows=[
                [
                    label,
                    row["sent"],
                    row["answered"],
                    rate(row["answered"], row["sent"]),
                    rate(row["answered_prev"], row["sent_prev"]),
                ]
                for label, row in channels
            ],
        ),
        empty_message="" if totals["sent"] or totals["sent_prev"] else _("No messages sent yet."),
    )


def replies_unread(*, limit: int) -> tuple[list[InboundMessage], int]:
    """The newest unread replies (up to `limit`, contact joined) and how many are unread
    (2 queries)."""
    unread: QuerySet[InboundMessage] = InboundMessage.objects.filter(read_at__isnull=True)
    latest = list(unread.select_related("contact").order_by("-received_at", "-pk")[:limit])
    return latest, (len(latest) if len(latest) < limit else unread.count())
