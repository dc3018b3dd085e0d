"""Figures for the home page's "Get started" card."""

from __future__ import annotations

from django.db.models import CharField, Count, Value

from apps.accounts.models import ApiKey, Invitation, User
from apps.contacts.models import Contact


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
