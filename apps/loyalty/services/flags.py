"""Unusual activity the ledger flags for the owner (many earns for one member in a day, a
staff member adjusting a contact they own): an owner or manager marks a flag reviewed once
they have looked at it. A flag never blocks what was done."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction

from ..models import ActivityFlag
from .common import now_or

if TYPE_CHECKING:
    from apps.accounts.models import User


def activity_flag_resolve(
    *, flag: ActivityFlag, staff: User, at: dt.datetime | None = None
) -> ActivityFlag:
    """Mark the flag reviewed by `staff` (a second click keeps the first review)."""
    at = now_or(at)
    with transaction.atomic():
        flag = ActivityFlag.objects.select_for_update().get(pk=flag.pk)
        if flag.resolved_at is None:
            flag.resolved_at = at
            flag.resolved_by = staff
            flag.save(update_fields=["resolved_at", "resolved_by"])
    return flag
