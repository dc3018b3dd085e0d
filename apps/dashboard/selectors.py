"""Figures for the home page."""

from __future__ import annotations

from apps.accounts.models import ApiKey, Invitation, User


def home_figures() -> dict:
    """Counts that decide which first steps the home page offers (three small queries)."""
    return {
        "team_size": User.objects.filter(is_active=True).count(),
        "open_invitations": Invitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ).count(),
        "api_keys": ApiKey.objects.filter(revoked_at__isnull=True).count(),
    }
