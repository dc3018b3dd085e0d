"""Reads for the team and API key pages, and the team as other apps see it."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiKey, Invitation, User


def users_active() -> QuerySet[User]:
    """The team members who can still sign in, by name: the ones work can be given to."""
    return User.objects.filter(is_active=True).order_by("name", "email")


def user_or_none(principal: object) -> User | None:
    """`principal` (a request's user, a value given as an owner) when it is a team member;
    None for an API key's client, an anonymous visitor or anything else."""
    return principal if isinstance(principal, User) else None


def user_list() -> QuerySet[User]:
    return User.objects.order_by("-is_active", "name", "email")


def invitation_list_open() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def api_key_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by").order_by("revoked_at", "-created")
