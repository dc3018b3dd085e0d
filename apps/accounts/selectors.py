"""Reads for the team, API key and authorised apps pages, and the team as other apps see it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_application_model,
    get_grant_model,
    get_refresh_token_model,
)

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


@dataclass(frozen=True)
class Authorisation:
    """A partner app this business authorised: the scopes its live tokens carry, since when."""

    application: Any
    scopes: list[str]
    since: dt.datetime


def oauth_authorisations() -> list[Authorisation]:
    """The partner apps holding a live access token, refresh token or authorisation code of
    this business."""
    now = timezone.now()
    access = get_access_token_model().objects.filter(expires__gt=now)
    refresh = get_refresh_token_model().objects.filter(revoked__isnull=True)
    found: dict[int, tuple[set[str], dt.datetime]] = {}
    for application_id, scope, created in access.values_list("application_id", "scope", "created"):
        scopes, since = found.get(application_id, (set(), created))
        found[application_id] = (scopes | set(scope.split()), min(since, created))
    for application_id, created in refresh.values_list("application_id", "created"):
        scopes, since = found.get(application_id, (set(), created))
        found[application_id] = (scopes, min(since, created))
    # a code the app has not exchanged yet: authorised a moment ago
    grants = get_grant_model().objects.filter(expires__gt=now)
    for application_id, scope, created in grants.values_list("application_id", "scope", "created"):
        scopes, since = found.get(application_id, (set(), created))
        found[application_id] = (scopes | set(scope.split()), min(since, created))
    applications = get_application_model().objects.in_bulk(list(found))
    return sorted(
        (
            Authorisation(application=applications[pk], scopes=sorted(scopes), since=since)
            for pk, (scopes, since) in found.items()
            if pk in applications
        ),
        key=lambda a: (a.application.name.lower(), a.application.pk),
    )
