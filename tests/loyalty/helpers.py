"""What loyalty's tests share: the invariant, delivering timeline events, program set-up."""

from __future__ import annotations

from django.db.models import Sum

from apps.contacts.models import TimelineEvent
from apps.loyalty.models import LedgerEntry, Member, PointLot, Program
from apps.loyalty.services.subscriber import loyalty_on_events


def assert_books_balance(member: Member) -> int:
    """balance == ledger sum == lots remaining, never negative; returns the balance."""
    member.refresh_from_db()
    ledger = LedgerEntry.objects.filter(member=member).aggregate(s=Sum("points"))["s"] or 0
    lots = PointLot.objects.filter(member=member).aggregate(s=Sum("remaining"))["s"] or 0
    assert member.balance == ledger == lots, (member.balance, ledger, lots)
    assert member.balance >= 0
    return member.balance


class Deliverer:
    """Hands loyalty's subscriber the timeline events it has not seen in this test (inside
    the test's transaction the real run cannot see them yet), as the real run would."""

    def __init__(self) -> None:
        self.last = TimelineEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def __call__(self) -> int:
        new = list(
            TimelineEvent.objects.filter(pk__gt=self.last).order_by("pk").select_related("contact")
        )
        if new:
            self.last = new[-1].pk
            loyalty_on_events(new)
        return len(new)


def program_set(**fields) -> Program:
    program, _ = Program.objects.get_or_create(pk=1)
    for name, value in fields.items():
        setattr(program, name, value)
    program.save()
    return program
