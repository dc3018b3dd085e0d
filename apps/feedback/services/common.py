"""What every feedback service shares: the settings row, the business's zone, and time
counted in opening hours (the SLA)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import FeedbackSettings

REVIEW_SITES_BANNING_SOLICITATION = ("yelp.",)


def feedback_settings_get() -> FeedbackSettings:
    """The business's feedback settings (made with the defaults the first time)."""
    row, _created = FeedbackSettings.objects.get_or_create(pk=1)
    return row


def feedback_settings_update(*, values: dict) -> FeedbackSettings:
    """Change the rules; a review link on a site that forbids asking for reviews is refused."""
    review_url = (values.get("review_url") or "").strip()
    if any(site in review_url.lower() for site in REVIEW_SITES_BANNING_SOLICITATION):
        raise ValidationError(
            {"review_url": _("This review site forbids asking customers for reviews.")}
        )
    days = values.get("open_days")
    if days is not None and (not days or any(int(d) not in range(7) for d in days)):
        raise ValidationError({"open_days": _("Choose at least one opening day.")})
    with transaction.atomic():
        row = FeedbackSettings.objects.select_for_update().get(pk=feedback_settings_get().pk)
        for name, value in values.items():
            setattr(row, name, value)
        if row.open_until <= row.open_from:
            raise ValidationError({"open_until": _("Closing comes after opening.")})
        row.full_clean()
        row.save()
    return row


def business_zone() -> zoneinfo.ZoneInfo:
    """The business's time zone (UTC when it names none that exists)."""
    from apps.tenants.services import tenant_zone

    return tenant_zone()


def now_or(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def add_opening_hours(
    start: dt.datetime, hours: float, *, row: FeedbackSettings, zone: dt.tzinfo
) -> dt.datetime:
    """`start` plus `hours` counted only while the business is open (its days and hours, in
    its zone): 24 h from Friday 17:00 with 9–18 opening ends on Wednesday at 14:00, not on
    Saturday."""
    left = dt.timedelta(hours=hours)
    local = start.astimezone(zone)
    days = set(row.weekdays)
    for _i in range(800):  # at most two years of days; settings forbid a week without hours
        day = local.date()
        opens = dt.datetime.combine(day, row.open_from, tzinfo=zone)
        closes = dt.datetime.combine(day, row.open_until, tzinfo=zone)
        if day.weekday() in days and local < closes:
            begin = max(local, opens)
            room = closes - begin
            if left <= room:
                return (begin + left).astimezone(dt.UTC)
            left -= room
        nxt = day + dt.timedelta(days=1)
        local = dt.datetime.combine(nxt, row.open_from, tzinfo=zone)
    return (start + dt.timedelta(hours=hours)).astimezone(dt.UTC)
