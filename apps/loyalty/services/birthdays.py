"""Birthday bonuses, given by the nightly run on the member's birthday (the business's
date; 29 February counts on 28 February in other years). A birthday entered or changed
less than `BIRTHDAY_NOTICE_DAYS` before it earns nothing that year, so typing one in at the
counter the week before does not buy a bonus."""

from __future__ import annotations

import calendar
import datetime as dt

from django.db.models import Q

from ..models import BonusTrigger, EntrySource, Member
from .common import business_zone, now_or, program_get

BIRTHDAY_NOTICE_DAYS = 30


def birthday_bonuses_grant(*, now: dt.datetime | None = None) -> int:
    """Give today's birthday bonuses once per member and year; returns how many."""
    from apps.contacts.selectors import contact_field_known_since

    from .earning import _rules
    from .ledger import points_earn

    now = now_or(now)
    program = program_get()
    rules = _rules(BonusTrigger.BIRTHDAY, at=now)
    if not program.points_enabled or not rules:
        return 0
    today = now.astimezone(business_zone()).date()
    born_today = Q(contact__birthday__month=today.month, contact__birthday__day=today.day)
    if today.month == 2 and today.day == 28 and not calendar.isleap(today.year):
        born_today |= Q(contact__birthday__month=2, contact__birthday__day=29)
    members = Member.objects.filter(born_today, active=True, contact__erased_at__isnull=True)
    given = 0
    for member in members.select_related("contact").order_by("pk"):
        known = contact_field_known_since(member.contact_id, "birthday")
        if known is None or known.astimezone(business_zone()).date() > today - dt.timedelta(
            days=BIRTHDAY_NOTICE_DAYS
        ):
            continue
        for rule in rules:
            points_earn(
                member=member,
                points=rule.points,
                source=EntrySource.RULE,
                idempotency_key=f"rule:{rule.pk}:birthday:{member.pk}:{today.year}",
                at=now,
                rule=rule,
            )
            given += 1
    return given
