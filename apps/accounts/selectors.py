"""Reads for the team and API key pages."""

from django.db.models import QuerySet

from .models import ApiKey, Invitation, User


def user_list() -> QuerySet[User]:
    return User.objects.order_by("-is_active", "name", "email")


def invitation_list_open() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def api_key_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("created_by").order_by("revoked_at", "-created")
