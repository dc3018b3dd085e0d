"""The points ledger: enrolment, earning into lots, spending lots oldest first, putting
points back, staff adjustments and undo, and expiry.

Every change of a member's points locks the member's row (`member_lock`), writes one
`LedgerEntry`, moves the lots by the same number of points and the balance with them, in one
transaction: so `Member.balance == sum(entries.points) == sum(lots.remaining)` always, and the
database refuses a balance, a lot or an entry's balance below zero.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from cxsuite.lib.errors import DomainError

from ..models import (
    EntryKind,
    EntrySource,
    FlagKind,
    LedgerEntry,
    LotSource,
    LotSpend,
    Member,
    PointLot,
)
from .common import business_zone, expiry_for, loyalty_event, member_lock, now_or, program_get
from .points import MANY_EARNS_A_DAY, points_earn  # noqa: F401 - the earn has its own module

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.contacts.models import Contact


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed

EVENT_BY_KIND = {
    EntryKind.EARN: "loyalty.points_earned",
    EntryKind.REDEEM: "loyalty.points_redeemed",
    EntryKind.EXPIRE: "loyalty.points_expired",
    EntryKind.ADJUST: "loyalty.points_adjusted",
    EntryKind.REVERSE: "loyalty.points_reversed",
}


def random_code(length: int) -> str:
    """An unguessable code (5 bits a character) from the typing-friendly alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


# --- members ---------------------------------------------------------------------------------
def member_enrol(*, contact: Contact, at: dt.datetime | None = None) -> Member:
    """Make the contact a member (or return their account): idempotent, safe from two
    requests at once (the contact is unique on the account)."""
    if contact.erased_at is not None:
        raise ValidationError({"contact": _("An erased contact cannot join the program.")})
    at = now_or(at)
    member = Member.objects.filter(contact=contact).first()
    if member is not None:
        return member
    program_get()  # a business's first member books its nightly run
    with transaction.atomic():
        from apps.contacts.services import contact_lock

        contact_lock(contact_id=contact.pk)  # two enrolments of one contact queue here
        member = Member.objects.filter(contact=contact).first()
        if member is not None:
            return member
        while True:
            code = random_code(8)
            if not Member.objects.filter(referral_code=code).exists():
                break
        return Member.objects.create(contact=contact, member_since=at, referral_code=code)


def member_for_contact(contact: Contact) -> Member | None:
    return Member.objects.filter(contact=contact).first()


# --- lots ------------------------------------------------------------------------------------
def _available_q(at: dt.datetime) -> Q:
    return (
        Q(remaining__gt=0)
        & (Q(pending_until__isnull=True) | Q(pending_until__lte=at))
        & (Q(expires_at__isnull=True) | Q(expires_at__gt=at))
    )


def points_available(member: Member, *, at: dt.datetime | None = None) -> int:
    """Points the member can spend now: not pending, not past their expiry."""
    total = member.lots.filter(_available_q(now_or(at))).aggregate(t=Sum("remaining"))["t"]
    return total or 0


def _lots_take(
    member: Member,
    points: int,
    *,
    at: dt.datetime,
    available_only: bool,
    first: Iterable[int] = (),
) -> list[tuple[PointLot, int]]:
    """Take up to `points` from the member's lots, the lots in `first` before the others,
    then oldest first; returns what was taken from which lot (its sum may be short)."""
    lots = member.lots.select_for_update().filter(
        _available_q(at) if available_only else Q(remaining__gt=0)
    )
    first_ids = list(first)
    ordered = sorted(lots, key=lambda lot: (lot.pk not in first_ids, lot.earned_at, lot.pk))
    taken: list[tuple[PointLot, int]] = []
    left = points
    for lot in ordered:
        if left <= 0:
            break
        take = min(lot.remaining, left)
        lot.remaining -= take
        left -= take
        taken.append((lot, take))
    PointLot.objects.bulk_update([lot for lot, _ in taken], ["remaining"])
    return taken


def _entry_write(
    member: Member,
    *,
    kind: str,
    points: int,
    at: dt.datetime,
    source: str,
    actor: User | None = None,
    event: bool = True,
    **fields: Any,
) -> LedgerEntry:
    """Move the (locked) member's balance and write the entry that says why."""
    member.balance += points
    member.save(update_fields=["balance", "updated"])
    entry = LedgerEntry.objects.create(
        member=member,
        kind=kind,
        points=points,
        balance_after=member.balance,
        occurred_at=at,
        source=source,
        staff=actor,
        **fields,
    )
    if event:
        loyalty_event(
            member=member,
            type=EVENT_BY_KIND[EntryKind(kind)],
            properties={
                "entry_id": entry.pk,
                "points": points,
                "balance": member.balance,
                "source": source,
                "reason": entry.reason,
            },
            at=at,
            actor=actor,
        )
    return entry


def debit(
    member: Member,
    points: int,
    *,
    kind: str,
    at: dt.datetime,
    source: str,
    available_only: bool = True,
    allow_short: bool = False,
    first: Iterable[int] = (),
    actor: User | None = None,
    **fields: Any,
) -> LedgerEntry:
    """Take points from the (locked) member's lots into one entry; short of points, refuse,
    or (`allow_short`, for reversals) take what there is and record the shortfall."""
    taken = _lots_take(member, points, at=at, available_only=available_only, first=first)
    got = sum(n for _, n in taken)
    if got < points and not allow_short:
        raise DomainError(
            _("Not enough points: %(have)s available, %(need)s needed.")
            % {"have": got, "need": points},
            field="points",
            code="insufficient_points",
        )
    entry = _entry_write(
        member,
        kind=kind,
        points=-got,
        at=at,
        source=source,
        actor=actor,
        shortfall=points - got,
        **fields,
    )
    LotSpend.objects.bulk_create([LotSpend(entry=entry, lot=lot, points=n) for lot, n in taken])
    return entry


def restore(
    member: Member,
    spent_by: LedgerEntry,
    *,
    kind: str,
    at: dt.datetime,
    source: str,
    actor: User | None = None,
    **fields: Any,
) -> LedgerEntry:
    """Put back what a debit took, into the same lots (they keep their own expiry; a lot
    already past it expires again with the next expiry run)."""
    spends = list(spent_by.spends.select_for_update().select_related("lot").order_by("pk"))
    points = 0
    for spend in spends:
        back = spend.points - spend.restored
        if back <= 0:
            continue
        lot = PointLot.objects.select_for_update().get(pk=spend.lot_id)
        lot.remaining += back
        lot.save(update_fields=["remaining"])
        spend.restored += back
        spend.save(update_fields=["restored"])
        points += back
    return _entry_write(
        member, kind=kind, points=points, at=at, source=source, actor=actor, **fields
    )


# --- staff -----------------------------------------------------------------------------------
def points_adjust(
    *,
    member: Member,
    points: int,
    reason: str,
    staff: User,
    at: dt.datetime | None = None,
) -> LedgerEntry:
    """A manager's correction, with a reason: adds a lot, or takes points oldest first (never
    below zero). A staff member adjusting a contact they own is flagged for the owner."""
    from apps.accounts.choices import Role

    from ..models import ActivityFlag

    if not staff.has_role(Role.MANAGER):
        raise DomainError(_("Only a manager can adjust points."), code="permission_denied")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the points change.")
    if not isinstance(points, int) or points == 0:
        errors["points"] = _("Enter a whole number of points other than zero.")
    if errors:
        raise ValidationError(errors)
    at = now_or(at)
    with transaction.atomic():
        member = member_lock(member.pk)
        program = program_get()
        if points > 0:
            entry = _entry_write(
                member,
                kind=EntryKind.ADJUST,
                points=points,
                at=at,
                source=EntrySource.STAFF,
                actor=staff,
                reason=reason[:300],
            )
            PointLot.objects.create(
                member=member,
                amount=points,
                remaining=points,
                earned_at=at,
                expires_at=expiry_for(at, program.expiry_months),
                source=LotSource.STAFF,
                entry=entry,
                program_version=program.version,
            )
        else:
            if -points > member.balance:
                raise ValidationError(
                    {
                        "points": _("The member has only %(balance)s points.")
                        % {"balance": member.balance}
                    }
                )
            entry = debit(
                member,
                -points,
                kind=EntryKind.ADJUST,
                at=at,
                source=EntrySource.STAFF,
                available_only=False,
                actor=staff,
                reason=reason[:300],
            )
        if member.contact.owner_id == staff.pk:
            ActivityFlag.objects.get_or_create(
                member=member,
                kind=FlagKind.OWN_CONTACT,
                day=at.astimezone(business_zone()).date(),
                defaults={"staff": staff, "detail": reason[:300], "created": at},
            )
    return entry


def entry_undo(*, entry: LedgerEntry, staff: User, at: dt.datetime | None = None) -> LedgerEntry:
    """At the counter, a staff member takes back their own last earn or redemption of the
    day (in the business's zone), recorded as a reversal; a redemption whose voucher was
    used cannot be taken back."""
    from ..models import VoucherStatus

    at = now_or(at)
    zone = business_zone()
    with transaction.atomic():
        member = member_lock(entry.member_id)
        entry = LedgerEntry.objects.get(pk=entry.pk)
        if entry.staff_id != staff.pk or entry.kind not in (EntryKind.EARN, EntryKind.REDEEM):
            raise DomainError(_("You can undo only your own earns and redemptions."))
        if entry.occurred_at.astimezone(zone).date() != at.astimezone(zone).date():
            raise DomainError(_("Only today's entries can be undone at the counter."))
        last = (
            LedgerEntry.objects.filter(staff=staff, kind__in=[EntryKind.EARN, EntryKind.REDEEM])
            .order_by("-occurred_at", "-pk")
            .first()
        )
        if last is None or last.pk != entry.pk:
            raise DomainError(_("Only your last earn or redemption can be undone."))
        if entry.reversals.exists():
            raise DomainError(_("This entry has already been undone."))
        if entry.kind == EntryKind.EARN:
            lot = entry.lots.select_for_update().first()
            if lot is None or lot.remaining < lot.amount:
                raise DomainError(_("Some of these points have been spent already."))
            return debit(
                member,
                entry.points,
                kind=EntryKind.REVERSE,
                at=at,
                source=EntrySource.STAFF,
                available_only=False,
                first=[lot.pk],
                actor=staff,
                reverses=entry,
                reason=_("Undone at the counter"),
            )
        voucher = entry.voucher
        if voucher is None:
            raise DomainError(_("This redemption has no voucher to take back."))
        from ..models import Voucher

        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if voucher.status != VoucherStatus.ISSUED:
            raise DomainError(_("The voucher has been used or cancelled already."))
        voucher.status = VoucherStatus.CANCELLED
        voucher.cancelled_at = at
        voucher.save(update_fields=["status", "cancelled_at"])
        if voucher.reward_id is not None:
            from django.db.models import F

            from ..models import Reward

            Reward.objects.filter(pk=voucher.reward_id, stock__isnull=False).update(
                stock=F("stock") + 1
            )
        return restore(
            member,
            entry,
            kind=EntryKind.REVERSE,
            at=at,
            source=EntrySource.STAFF,
            actor=staff,
            reverses=entry,
            voucher=voucher,
            reason=_("Undone at the counter"),
        )


# --- expiry ----------------------------------------------------------------------------------
EXPIRY_CHUNK = 10_000  # members a transaction of the nightly expiry takes at most

# The members are locked already (every change of a member's lots holds the member's lock),
# so the lots need no row lock of their own: the due ones drop to zero in one UPDATE whose
# self-join returns what each held, one entry per member records it and the balance moves.
_EXPIRE_SQL = """
WITH due AS (
    UPDATE loyalty_pointlot AS l
    SET remaining = 0
    FROM loyalty_pointlot AS d
    WHERE l.id = d.id AND l.remaining > 0 AND l.expires_at <= %(at)s
      AND l.member_id = ANY(%(members)s)
    RETURNING l.member_id, d.remaining AS points
), per AS (
    SELECT member_id, sum(points)::integer AS points FROM due GROUP BY member_id
), moved AS (
    UPDATE loyalty_member AS m
    SET balance = m.balance - per.points, updated = %(at)s
    FROM per WHERE m.id = per.member_id
    RETURNING m.id, m.balance, m.contact_id
), entries AS (
    INSERT INTO loyalty_ledgerentry (
        member_id, kind, points, balance_after, occurred_at, source, reason, shortfall,
        idempotency_key, created
    )
    SELECT moved.id, 'expire', -per.points, moved.balance, %(at)s, 'system', '', 0, '', %(at)s
    FROM moved JOIN per ON per.member_id = moved.id
    ORDER BY moved.id
    RETURNING id, member_id, points, balance_after
)
SELECT entries.id, entries.member_id, entries.points, entries.balance_after, moved.contact_id
FROM entries JOIN moved ON moved.id = entries.member_id
ORDER BY entries.id
"""


def points_expire_due(
    *, at: dt.datetime | None = None, member_ids: list[int] | None = None, events: bool = True
) -> int:
    """Expire every lot whose time has come with set-based SQL: the lots drop to zero, each
    member gets one expire entry for the lot points, their balance moves with it, and one
    "loyalty.points_expired" event per member goes to the timeline in one statement.

    The members due are taken in id order, `EXPIRY_CHUNK` at a time, each chunk in a
    transaction of its own (locks stay short; a chunk is whole or not at all). Each chunk
    locks its members first (in id order), as every other change locks them, so this never
    deadlocks with a redemption. Returns how many members lost points."""
    at = now_or(at)
    if member_ids is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT member_id FROM loyalty_pointlot"
                " WHERE remaining > 0 AND expires_at <= %s ORDER BY member_id",
                [at],
            )
            member_ids = [row[0] for row in cursor.fetchall()]
    else:
        member_ids = sorted(set(member_ids))
    expired = 0
    for start in range(0, len(member_ids), EXPIRY_CHUNK):
        expired += _expire_chunk(member_ids[start : start + EXPIRY_CHUNK], at, events=events)
    return expired


def _expire_chunk(member_ids: list[int], at: dt.datetime, *, events: bool) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM loyalty_member WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [member_ids],
        )
        cursor.execute(_EXPIRE_SQL, {"at": at, "members": member_ids})
        rows = cursor.fetchall()
        if events and rows:
            _expired_events(rows, at)
    return len(rows)


def _expired_events(rows: list[tuple[int, int, int, int, int]], at: dt.datetime) -> None:
    """One "loyalty.points_expired" event per member, all in one statement through the
    CRM's bulk entrance (keyed by the entry, so a repeat adds nothing)."""
    from apps.contacts.services import events_record_many

    events_record_many(
        type="loyalty.points_expired",
        source="loyalty",
        occurred_at=at,
        events=[
            (
                contact_id,
                {
                    "member_id": member_id,
                    "entry_id": entry_id,
                    "points": points,
                    "balance": balance,
                    "source": EntrySource.SYSTEM,
                },
                f"loyalty-entry-{entry_id}",
            )
            for entry_id, member_id, points, balance, contact_id in rows
        ],
    )


def member_expire_due(member: Member, at: dt.datetime) -> None:
    """Expire the (locked) member's due lots before spending, and refresh their balance."""
    if member.lots.filter(remaining__gt=0, expires_at__lte=at).exists():
        points_expire_due(at=at, member_ids=[member.pk])
        member.refresh_from_db(fields=["balance"])
