"""Figures for the home page's "Get started" card and the dashboard's own analytics widget."""

from __future__ import annotations

from django.db.models import CharField, Count, Value
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from apps.accounts.models import ApiKey, Invitation, User
from apps.contacts.models import Contact, TimelineEvent
from cxsuite.lib.analytics import Chart, Figure, Period, Series, Table, WidgetData

from .presenting import format_day_label


def _count(queryset, name: str):
    """`SELECT name, COUNT(*)` of a queryset, to be UNIONed with others into one query."""
    return (
        queryset.order_by()
        .values(figure=Value(name, output_field=CharField()))
        .annotate(n=Count("pk"))
        .values_list("figure", "n")
    )


def home_figures() -> dict:
    """Counts that decide which first steps the home page offers (one query for all)."""
    team = _count(User.objects.filter(is_active=True), "team_size")
    invitations = _count(
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True),
        "open_invitations",
    )
    keys = _count(ApiKey.objects.filter(revoked_at__isnull=True), "api_keys")
    contacts = _count(Contact.objects.filter(erased_at__isnull=True), "contacts")
    figures = {"team_size": 0, "open_invitations": 0, "api_keys": 0, "contacts": 0}
    figures.update(team.union(invitations, keys, contacts, all=True))
    return figures


def activity_widget(period: Period) -> WidgetData:
    """The dashboard's own widget: timeline events per local day of the period against the
    period before, in one query (one pass over the events of both periods, grouped by day).
    No count of distinct customers: over a year of a busy business that alone took seconds."""
    previous = period.previous
    per_day = dict(
        TimelineEvent.objects.filter(occurred_at__gte=previous.start, occurred_at__lt=period.end)
        .order_by()
        .annotate(day=TruncDate("occurred_at", tzinfo=period.zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    first = period.start.date()
    now = sum(n for day, n in per_day.items() if day >= first)
    before = sum(n for day, n in per_day.items() if day < first)
    days = period.local_days()
    counts = [per_day.get(day, 0) for day in days]
    figures = (
        Figure(key="events", label=_("Events"), value=now, previous=before),
        Figure(
            key="per_day",
            label=_("Per day"),
            value=round(now / period.days, 1),
            previous=round(before / previous.days, 1),
        ),
    )
    if not now and not before:
        return WidgetData(figures=figures, empty_message=_("Nothing has happened yet."))
    return WidgetData(
        figures=figures,
        chart=Chart(
            kind="line",
            categories=[format_day_label(day) for day in days],
            series=[Series(label=_("Events"), values=counts)],
            title=_("Events per day"),
        ),
        table=Table(columns=[_("Day"), _("Events")], rows=list(zip(days, counts, strict=True))),
    )
