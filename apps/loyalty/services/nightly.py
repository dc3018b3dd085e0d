"""The nightly run at the business's local midnight (not the server's): points whose time
has come expire (set-based SQL), unused vouchers past their date are marked expired,
tiers are re-evaluated (downgrades whose grace period ended) and members whose grace
period started are told what keeps their tier, birthday bonuses given and
members reminded of points expiring soon. It runs as due work and books
the next midnight itself; a business gets it when it is created, when its program is first
set up and when its first member joins."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.scheduling.services import DueWork, due_work_register

from .common import business_zone, now_or

NIGHTLY = "loyalty.nightly"


def next_midnight(now: dt.datetime) -> dt.datetime:
    """The next local midnight of the business (a 23- or 25-hour day across a change of
    summer time is still one night)."""
    zone = business_zone()
    day = now.astimezone(zone).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(0), tzinfo=zone)


def loyalty_schedule_nightly(*, now: dt.datetime | None = None) -> DueWork:
    """Book the next midnight's run (the ref is its date: booking twice is one row)."""
    due_at = next_midnight(now_or(now))
    return due_work_register(kind=NIGHTLY, ref=due_at.date().isoformat(), due_at=due_at)


def loyalty_nightly(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Everything due tonight; returns what each part did."""
    from .birthdays import birthday_bonuses_grant
    from .ledger import points_expire_due
    from .notices import expiry_reminders_send, tier_grace_warnings_send
    from .tiers import tiers_evaluate_all
    from .vouchers import vouchers_expire_due

    now = now_or(now)
    return {
        "members_expired": points_expire_due(at=now),
        "vouchers_expired": vouchers_expire_due(at=now),
        "tiers_changed": tiers_evaluate_all(at=now),
        "tier_warnings": tier_grace_warnings_send(now=now),
        "birthday_bonuses": birthday_bonuses_grant(now=now),
        "expiry_reminders": expiry_reminders_send(now=now),
    }


def loyalty_nightly_run(work: DueWork) -> None:
    """The due-work handler: tonight's run, then tomorrow's booking."""
    loyalty_nightly(now=timezone.now())
    loyalty_schedule_nightly()


def loyalty_provision(business) -> None:
    """A new business gets its nightly loyalty run."""
    loyalty_schedule_nightly()
