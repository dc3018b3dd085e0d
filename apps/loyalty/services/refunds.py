"""Refunds, both ways. A refunded purchase takes back what it earned, in proportion to how
much of it has been refunded so far (every earn keyed to it: its points, the first-purchase
bonus, both sides of a referral it qualified, its cashback), down to zero: points already
spent are recorded as the reversal's shortfall, never taken below zero. A purchase refunded
in full also gives back what was spent on it: each voucher used on it is usable again (or,
past its expiry, its points come back), and wallet credit spent on it returns."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum

from ..models import (
    EntryKind,
    EntrySource,
    LedgerEntry,
    Voucher,
    VoucherSource,
    VoucherStatus,
    WalletEntry,
    WalletKind,
)
from .common import member_lock
from .ledger import debit

if TYPE_CHECKING:
    from apps.contacts.models import Transaction


def purchase_refund_apply(*, refund: Transaction) -> None:
    """Apply one refund (safe to run twice: each effect is keyed by the refund)."""
    from apps.contacts.selectors import transaction_refunded_total

    from .vouchers import voucher_reopen_or_refund
    from .wallet import wallet_move

    purchase = refund.refund_of
    if purchase is None:
        return
    at = refund.occurred_at
    refunded = transaction_refunded_total(purchase.pk)
    share = min(Decimal(1), refunded / purchase.amount)
    full = share >= 1
    with transaction.atomic():
        earns = LedgerEntry.objects.filter(kind=EntryKind.EARN, transaction_id=purchase.pk)
        for earn in earns.order_by("pk"):
            key = f"refund:{refund.pk}:earn:{earn.pk}"
            member = member_lock(earn.member_id)
            if LedgerEntry.objects.filter(idempotency_key=key).exists():
                continue
            target = int((earn.points * share).to_integral_value(ROUND_HALF_UP))
            taken = earn.reversals.filter(kind=EntryKind.REVERSE).aggregate(
                p=Sum("points"), s=Sum("shortfall")
            )
            already = -(taken["p"] or 0) + (taken["s"] or 0)
            todo = target - already
            if todo <= 0:
                continue
            debit(
                member,
                todo,
                kind=EntryKind.REVERSE,
                at=at,
                source=EntrySource.PURCHASE,
                available_only=False,
                allow_short=True,
                first=list(earn.lots.values_list("pk", flat=True)),
                reverses=earn,
                transaction_id=refund.pk,
                idempotency_key=key,
                reason="refund",
            )
        cashback = WalletEntry.objects.filter(
            kind=WalletKind.CREDIT, idempotency_key=f"purchase:{purchase.pk}:cashback"
        ).first()
        if cashback is not None:
            back = WalletEntry.objects.filter(
                kind=WalletKind.REVERSE,
                transaction_id=purchase.pk,
                idempotency_key__startswith="refund:",
                idempotency_key__endswith=":cashback",
            ).aggregate(t=Sum("amount"))["t"] or Decimal(0)
            todo_money = (cashback.amount * share).quantize(Decimal("0.01"), ROUND_DOWN) + back
            if todo_money > 0:
                wallet_move(
                    member=cashback.member,
                    amount=-todo_money,
                    kind=WalletKind.REVERSE,
                    idempotency_key=f"refund:{refund.pk}:cashback",
                    at=at,
                    transaction_id=purchase.pk,
                    clamp=True,
                )
        if not full:
            return
        for voucher in Voucher.objects.filter(
            source=VoucherSource.CASHBACK, transaction_id=purchase.pk, status=VoucherStatus.ISSUED
        ):
            Voucher.objects.filter(pk=voucher.pk, status=VoucherStatus.ISSUED).update(
                status=VoucherStatus.CANCELLED, cancelled_at=at
            )
        for voucher in Voucher.objects.filter(used_transaction_id=purchase.pk):
            voucher_reopen_or_refund(voucher=voucher, at=at)
        spent = WalletEntry.objects.filter(idempotency_key=f"purchase:{purchase.pk}:wallet").first()
        if spent is not None:
            wallet_move(
                member=spent.member,
                amount=-spent.amount,
                kind=WalletKind.REVERSE,
                idempotency_key=f"refund:{purchase.pk}:wallet",
                at=at,
                transaction_id=purchase.pk,
            )


def visit_reverse(*, appointment_id: int, at, reason: str = "visit corrected") -> None:
    """A visit marked completed by mistake (corrected to a no-show): its points go back
    (down to zero). The visit stays counted, so completing it again earns nothing more."""
    earn = LedgerEntry.objects.filter(
        kind=EntryKind.EARN, idempotency_key=f"visit:{appointment_id}"
    ).first()
    if earn is None:
        return
    key = f"visit:{appointment_id}:reversed"
    with transaction.atomic():
        member = member_lock(earn.member_id)
        if LedgerEntry.objects.filter(idempotency_key=key).exists():
            return
        debit(
            member,
            earn.points,
            kind=EntryKind.REVERSE,
            at=at,
            source=EntrySource.VISIT,
            available_only=False,
            allow_short=True,
            first=list(earn.lots.values_list("pk", flat=True)),
            reverses=earn,
            appointment_id=appointment_id,
            idempotency_key=key,
            reason=reason,
        )
