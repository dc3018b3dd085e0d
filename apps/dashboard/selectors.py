"""Figures for the home page's "Get started" card and the dashboard's own analytics widget."""

from __future__ import annotations

from django.db.models import CharField, Count, Q, Value
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
    """The dashboard's own widget: timeline events per local day of the period, and the
    customers they concern, against the period before (two queries)."""
    previous = period.previous
    events = TimelineEvent.objects.filter(
        occurred_at__gte=previous.start, occurred_at__lt=period.end
    ).order_by()
    per_day = dict(
        events.filter(occurred_at__gte=period.start)
        .annotate(day=TruncDate("occurred_at", tzinfo=period.zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    totals = events.aggregate(
        now=Count("id", filter=Q(occurred_at__gte=period.start)),
        before=Count("id", filter=Q(occurred_at__lt=period.start)),
        people=Count("contact", distinct=True, filter=Q(occurred_at__gte=period.start)),
        people_before=Count("contact", distinct=True, filter=Q(occurred_at__lt=period.start)),
    )
    days = period.local_days()
    counts = [per_day.get(day, 0) for day in days]
    figures = (
        Figure(key="events", label=_("Events"), value=totals["now"], previous=totals["before"]),
        Figure(
            key="contacts",
            label=_("Customers concerned"),
            value=totals["people"],
            previous=totals["people_before"],
        ),
    )
    if not totals["now"] and not totals["before"]:
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
