"""What purchases, visits and bonus events earn.

The earn base of a purchase (`purchase_earn_base`): the amount paid, less tax and tip
unless the program counts them, less whatever was paid with a voucher, wallet credit or a
gift card (no points and no cashback on what the business gave), and never more than the
lines actually charged: a voided line earns nothing. Points are the base times the
program's rate times the member's tier multiplier, rounded down. Points from a purchase
stay pending through the return window; a visit's are spendable at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cxsuite.lib.errors import DomainError

from ..models import (
    BonusTrigger,
    CashbackForm,
    EarnRule,
    EntrySource,
    LedgerEntry,
    Member,
    Program,
    RewardKind,
    VoucherSource,
    WalletKind,
)
from .common import program_get
from .ledger import member_enrol, member_for_contact, points_earn

if TYPE_CHECKING:
    from apps.contacts.models import Contact, Transaction

NON_EARNING_METHODS = {"voucher", "wallet", "gift_card"}
CASHBACK_VOUCHER_DAYS = 90


def _decimal(value: Any) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal("0")
    return number if number.is_finite() else Decimal("0")


def purchase_earn_base(tx: Transaction, program: Program) -> Decimal:
    """The part of a purchase that earns (see the module's docstring)."""
    amount = tx.amount
    lines = [line for line in tx.items or [] if isinstance(line, dict)]
    if any(line.get("voided") for line in lines) and all("price" in line for line in lines):
        charged = sum(
            (
                _decimal(line["price"]) * _decimal(line.get("quantity", 1))
                for line in lines
                if not line.get("voided")
            ),
            Decimal("0"),
        )
        amount = min(amount, charged + tx.tax + tx.tip)
    base = amount
    if not program.earn_on_tax:
        base -= tx.tax
    if not program.earn_on_tips:
        base -= tx.tip
    base -= sum(
        (
            _decimal(p.get("amount"))
            for p in tx.payments or []
            if p.get("method") in NON_EARNING_METHODS
        ),
        Decimal("0"),
    )
    return max(base, Decimal("0"))


def points_for(base: Decimal, program: Program, member: Member) -> int:
    """Points a base earns for this member (tier multiplier included), rounded down."""
    multiplier = member.tier.earn_multiplier if member.tier_id and member.tier else Decimal(1)
    return int((base * program.points_per_unit * multiplier).to_integral_value(ROUND_DOWN))


def _member_for(contact: Contact, program: Program, at: dt.datetime) -> Member | None:
    """The contact's account; made now when the program enrols on the first purchase."""
    member = member_for_contact(contact)
    if member is None and program.enrolment == "first_purchase" and contact.erased_at is None:
        member = member_enrol(contact=contact, at=at)
    return member


def purchase_earn(*, tx: Transaction, event_id: int | None = None) -> LedgerEntry | None:
    """What a purchase earns: points (pending through the return window), the first-purchase
    bonus, cashback; vouchers and wallet credit it was paid with are marked as used on it.
    Safe to run twice (every effect is keyed by the purchase)."""
    from .vouchers import voucher_find, voucher_issue, voucher_redeem
    from .wallet import wallet_move

    program = program_get()
    contact = tx.contact
    at = tx.occurred_at
    with transaction.atomic():
        from .referrals import referral_qualify

        referral_qualify(contact=contact, at=at, transaction_id=tx.pk)  # may enrol them
        member = _member_for(contact, program, at)
        if member is None:
            return None
        for payment in tx.payments or []:
            if payment.get("method") == "voucher" and payment.get("reference"):
                voucher = voucher_find(payment["reference"])
                if voucher is not None and voucher.member_id == member.pk:
                    if voucher.status == "issued":
                        # taken at the till though expired: the purchase still earns
                        with contextlib.suppress(ValidationError, DomainError):
                            voucher_redeem(code=voucher.code, at=at, transaction_id=tx.pk)
                    elif voucher.used_transaction_id is None:
                        voucher.used_transaction_id = tx.pk
                        voucher.save(update_fields=["used_transaction_id"])
            elif payment.get("method") == "wallet":
                wallet_move(
                    member=member,
                    amount=-_decimal(payment.get("amount")),
                    kind=WalletKind.DEBIT,
                    idempotency_key=f"purchase:{tx.pk}:wallet",
                    at=at,
                    transaction_id=tx.pk,
                    clamp=True,
                )
        base = purchase_earn_base(tx, program)
        entry = None
        if program.points_enabled:
            points = points_for(base, program, member)
            if points > 0:
                entry = points_earn(
                    member=member,
                    points=points,
                    source=EntrySource.PURCHASE,
                    idempotency_key=f"purchase:{tx.pk}",
                    at=at,
                    pending_days=program.return_window_days,
                    transaction_id=tx.pk,
                    event_id=event_id,
                )
            from apps.contacts.selectors import contact_has_purchase_before

            if not contact_has_purchase_before(contact.pk, tx.pk):
                for rule in _rules(BonusTrigger.FIRST_PURCHASE, at=at):
                    points_earn(
                        member=member,
                        points=rule.points,
                        source=EntrySource.RULE,
                        idempotency_key=f"rule:{rule.pk}:contact:{contact.pk}",
                        at=at,
                        pending_days=program.return_window_days,
                        transaction_id=tx.pk,
                        rule=rule,
                    )
        if program.cashback_enabled and program.cashback_percent > 0:
            cashback = (base * program.cashback_percent / 100).quantize(Decimal("0.01"), ROUND_DOWN)
            if cashback > 0 and program.cashback_form == CashbackForm.WALLET:
                wallet_move(
                    member=member,
                    amount=cashback,
                    kind=WalletKind.CREDIT,
                    idempotency_key=f"purchase:{tx.pk}:cashback",
                    at=at,
                    transaction_id=tx.pk,
                )
            elif (
                cashback > 0
                and not member.vouchers.filter(
                    source=VoucherSource.CASHBACK, transaction_id=tx.pk
                ).exists()
            ):
                voucher_issue(
                    member=member,
                    source=VoucherSource.CASHBACK,
                    kind=RewardKind.AMOUNT_OFF,
                    value=cashback,
                    label=f"Cashback {cashback} {tx.currency}",
                    valid_days=CASHBACK_VOUCHER_DAYS,
                    transaction_id=tx.pk,
                    at=at,
                )
    return entry


def visit_earn(
    *, contact: Contact, appointment_id: int, at: dt.datetime, event_id: int | None = None
) -> LedgerEntry | None:
    """A completed visit earns the program's points once per appointment (completing it
    twice earns once), and counts towards the visit-count reward."""
    from .vouchers import voucher_issue

    program = program_get()
    with transaction.atomic():
        from .referrals import referral_qualify

        referral_qualify(contact=contact, at=at, appointment_id=appointment_id)  # may enrol
        member = _member_for(contact, program, at)
        if member is None:
            return None
        from ..models import CountedVisit

        if CountedVisit.objects.filter(appointment_id=appointment_id).exists():
            return None  # completed twice (or corrected back and forth): counted once
        CountedVisit.objects.create(member=member, appointment_id=appointment_id, counted_at=at)
        entry = None
        if program.points_enabled and program.points_per_visit:
            multiplier = member.tier.earn_multiplier if member.tier else Decimal(1)
            points = int((program.points_per_visit * multiplier).to_integral_value(ROUND_DOWN))
            entry = points_earn(
                member=member,
                points=points,
                source=EntrySource.VISIT,
                idempotency_key=f"visit:{appointment_id}",
                at=at,
                appointment_id=appointment_id,
                event_id=event_id,
            )
        counted = Member.objects.select_for_update().get(pk=member.pk)
        counted.visits += 1
        counted.save(update_fields=["visits", "updated"])
        every, reward = program.visit_reward_every, program.visit_reward
        if every and reward is not None and counted.visits % every == 0:
            voucher_issue(
                member=counted,
                source=VoucherSource.VISITS,
                kind=reward.kind,
                value=reward.value,
                label=reward.name,
                valid_days=reward.voucher_valid_days,
                reward=reward,
                at=at,
            )
    return entry


def _rules(trigger: str, *, at: dt.datetime, event_type: str = "") -> list[EarnRule]:
    day = at.date()
    rules = EarnRule.objects.filter(active=True, trigger=trigger)
    if event_type:
        rules = rules.filter(event_type=event_type)
    return [
        r
        for r in rules
        if (r.valid_from is None or r.valid_from <= day)
        and (r.valid_until is None or r.valid_until >= day)
    ]


def event_bonus_earn(*, contact: Contact, event_type: str, event_id: int, at: dt.datetime) -> int:
    """Bonus rules on a catalogue event (a survey answered, a partner's event): each rule
    earns once per event. Returns the points earned."""
    program = program_get()
    if not program.points_enabled:
        return 0
    rules = _rules(BonusTrigger.EVENT, at=at, event_type=event_type)
    if event_type.startswith("survey."):
        rules += _rules(BonusTrigger.SURVEY, at=at)
    if not rules:
        return 0
    member = member_for_contact(contact)
    if member is None:
        return 0
    total = 0
    for rule in rules:
        points_earn(
            member=member,
            points=rule.points,
            source=EntrySource.RULE,
            idempotency_key=f"rule:{rule.pk}:event:{event_id}",
            at=at,
            rule=rule,
            event_id=event_id,
        )
        total += rule.points
    return total
