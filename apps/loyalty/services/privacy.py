"""Loyalty's share of a contact's merge, privacy export and erasure (registered in
`LoyaltyConfig.ready()` in the CRM's `merge_hooks`, `privacy_exporters` and
`privacy_erasers`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Min, Sum
from django.utils import timezone

from ..models import (
    ActivityFlag,
    CountedVisit,
    LedgerEntry,
    Member,
    PointLot,
    Referral,
    TierChange,
    Voucher,
    WalletEntry,
)

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def loyalty_merge(*, survivor: Contact, others: Sequence[Contact]) -> None:
    """One person, one account: the others' lots, ledger, vouchers, wallet, counted visits,
    referrals made and flags move to the survivor's account (made from the first other one
    when the survivor had none); balances and wallets add up (so the balance still equals
    the ledger and the lots), the earliest `member_since` is kept, and the tier is worked
    out again from the combined history. A referral of the survivor is kept over the
    others' (one person is referred once)."""
    other_ids = [o.pk for o in others]
    with transaction.atomic():
        accounts = list(
            Member.objects.select_for_update()
            .filter(contact_id__in=[survivor.pk, *other_ids])
            .order_by("pk")
        )
        if Referral.objects.filter(referred=survivor).exists():
            Referral.objects.filter(referred_id__in=other_ids).delete()
        else:
            first = Referral.objects.filter(referred_id__in=other_ids).order_by("pk").first()
            if first is not None:
                Referral.objects.filter(referred_id__in=other_ids).exclude(pk=first.pk).delete()
                Referral.objects.filter(pk=first.pk).update(referred=survivor)
        if not accounts:
            return
        keep = next((a for a in accounts if a.contact_id == survivor.pk), None)
        if keep is None:
            keep = accounts[0]
            Member.objects.filter(pk=keep.pk).update(contact=survivor)
        gone = [a.pk for a in accounts if a.pk != keep.pk]
        if gone:
            for model in (
                PointLot,
                LedgerEntry,
                Voucher,
                WalletEntry,
                TierChange,
                ActivityFlag,
                CountedVisit,
            ):
                model.objects.filter(member_id__in=gone).update(member=keep)
            Referral.objects.filter(referrer_id__in=gone).update(referrer=keep)
            totals = Member.objects.filter(pk__in=[keep.pk, *gone]).aggregate(
                balance=Sum("balance"),
                wallet=Sum("wallet_balance"),
                visits=Sum("visits"),
                since=Min("member_since"),
            )
            Member.objects.filter(pk__in=gone).delete()
            Member.objects.filter(pk=keep.pk).update(
                balance=totals["balance"],
                wallet_balance=totals["wallet"],
                visits=totals["visits"],
                member_since=totals["since"],
                updated=timezone.now(),
            )
        from .common import member_lock
        from .tiers import member_tier_evaluate

        member = member_lock(keep.pk)
        member.contact = survivor
        member_tier_evaluate(member=member, reason="merge")


def loyalty_export(contact: Contact) -> dict[str, Any]:
    """The account, every ledger entry, lot, voucher and wallet movement (right of access)."""
    member = Member.objects.select_related("tier").filter(contact=contact).first()
    if member is None:
        return {"loyalty": None}
    return {
        "loyalty": {
            "member_since": _iso(member.member_since),
            "balance": member.balance,
            "wallet_balance": str(member.wallet_balance),
            "tier": member.tier.name if member.tier else None,
            "referral_code": member.referral_code,
            "ledger": [
                {
                    "id": e.pk,
                    "kind": e.kind,
                    "points": e.points,
                    "balance_after": e.balance_after,
                    "occurred_at": _iso(e.occurred_at),
                    "source": e.source,
                    "reason": e.reason,
                    "shortfall": e.shortfall,
                }
                for e in member.entries.order_by("occurred_at", "pk")
            ],
            "lots": [
                {
                    "amount": lot.amount,
                    "remaining": lot.remaining,
                    "earned_at": _iso(lot.earned_at),
                    "pending_until": _iso(lot.pending_until),
                    "expires_at": _iso(lot.expires_at),
                    "source": lot.source,
                }
                for lot in member.lots.order_by("earned_at", "pk")
            ],
            "vouchers": [
                {
                    "code": v.code,
                    "label": v.label,
                    "status": v.status,
                    "issued_at": _iso(v.issued_at),
                    "expires_at": _iso(v.expires_at),
                    "used_at": _iso(v.used_at),
                }
                for v in member.vouchers.order_by("issued_at", "pk")
            ],
            "wallet": [
                {
                    "kind": w.kind,
                    "amount": str(w.amount),
                    "balance_after": str(w.balance_after),
                    "occurred_at": _iso(w.occurred_at),
                }
                for w in member.wallet_entries.order_by("occurred_at", "pk")
            ],
        }
    }


def loyalty_erase(contact: Contact) -> None:
    """Keep the figures, drop what identifies the person.

    Kept: every ledger entry's kind, points, balance, time and source, the lots and the
    vouchers' statuses and values (the business's liability and history stay true; the
    account is closed, so no more points are earned or spent). Cleared: the free text staff
    wrote on entries and flags (`reason`, `detail`), the referral code (a link that named
    the person) and the e-mail and phone kept on referrals; unused vouchers are cancelled
    and their codes replaced, so nobody can use them."""
    from .ledger import random_code

    with transaction.atomic():
        member = Member.objects.select_for_update().filter(contact=contact).first()
        Referral.objects.filter(referred=contact).update(email="", phone="")
        if member is None:
            return
        LedgerEntry.objects.filter(member=member).exclude(reason="").update(reason="")
        WalletEntry.objects.filter(member=member).exclude(reason="").update(reason="")
        ActivityFlag.objects.filter(member=member).update(detail="")
        Referral.objects.filter(referrer=member).update(email="", phone="")
        for voucher in Voucher.objects.filter(member=member):
            Voucher.objects.filter(pk=voucher.pk).update(code=f"X{random_code(15)}")
        Voucher.objects.filter(member=member, status="issued").update(
            status="cancelled", cancelled_at=timezone.now()
        )
        Member.objects.filter(pk=member.pk).update(
            referral_code=f"X{random_code(15)}", active=False, updated=timezone.now()
        )
