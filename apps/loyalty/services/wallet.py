"""Wallet credit: cashback kept as money on the member's account (`Member.wallet_balance`,
never below zero), each movement a `WalletEntry`, once per idempotency key."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Member, WalletEntry, WalletKind
from .common import member_lock, now_or

if TYPE_CHECKING:
    from apps.accounts.models import User


def wallet_move(
    *,
    member: Member,
    amount: Decimal,
    kind: str,
    idempotency_key: str,
    at: dt.datetime | None = None,
    transaction_id: int | None = None,
    staff: User | None = None,
    reason: str = "",
    clamp: bool = False,
) -> WalletEntry | None:
    """Credit (amount > 0) or debit (amount < 0) the wallet once per key; a debit beyond the
    balance is refused, or with `clamp` takes what there is. None when nothing moves."""
    at = now_or(at)
    amount = Decimal(amount).quantize(Decimal("0.01"))
    with transaction.atomic():
        member = member_lock(member.pk)
        done = WalletEntry.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            return done
        if amount < 0 and -amount > member.wallet_balance:
            if not clamp:
                raise ValidationError({"amount": _("Not enough wallet credit.")})
            amount = -member.wallet_balance
        if amount == 0:
            return None
        member.wallet_balance += amount
        member.save(update_fields=["wallet_balance", "updated"])
        return WalletEntry.objects.create(
            member=member,
            kind=kind,
            amount=amount,
            balance_after=member.wallet_balance,
            occurred_at=at,
            transaction_id=transaction_id,
            staff=staff,
            reason=reason[:300],
            idempotency_key=idempotency_key[:120],
        )


__all__ = ["WalletKind", "wallet_move"]
