"""Rewards and vouchers: spending points on a reward issues a voucher; the voucher is used
once at the counter or through the API, or cancelled back to points while unused.

What happens to a voucher that expires unused: it is marked expired by the nightly run and,
by default, its points are not given back (the member was told its expiry when it was
issued and on the member card); a program with `expired_voucher_points_back` puts them back
into the lots they came from, which keep their own expiry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from cxsuite.lib.errors import ConflictError, DomainError

from ..models import (
    EntryKind,
    EntrySource,
    LedgerEntry,
    Member,
    Reward,
    RewardKind,
    Voucher,
    VoucherChannel,
    VoucherSource,
    VoucherStatus,
)
from .common import loyalty_event, member_lock, now_or
from .ledger import debit, member_expire_due, random_code, restore

if TYPE_CHECKING:
    from apps.accounts.models import ApiKey, User

CODE_LENGTH = 12  # 60 bits


def voucher_code_normalise(code: str) -> str:
    """What was typed or scanned, without spaces and dashes, in capitals."""
    return "".join(ch for ch in str(code or "").upper() if ch.isalnum())


def _voucher_event(voucher: Voucher, type: str, at: dt.datetime, actor=None) -> None:
    loyalty_event(
        member=voucher.member,
        type=type,
        properties={
            "voucher_id": voucher.pk,
            "label": voucher.label,
            "points": voucher.points_cost,
            "expires_at": voucher.expires_at.isoformat(),
            "channel": voucher.used_channel,
        },
        at=at,
        actor=actor,
    )


def voucher_issue(
    *,
    member: Member,
    source: str,
    kind: str,
    label: str,
    valid_days: int,
    value: Decimal | int = 0,
    reward: Reward | None = None,
    points_cost: int = 0,
    transaction_id: int | None = None,
    at: dt.datetime | None = None,
    actor: User | None = None,
) -> Voucher:
    """Issue a voucher with a fresh random code (cashback, visit and referral rewards come
    here directly; a redemption through `reward_redeem`, a gift through `voucher_grant`)."""
    voucher, _created = _voucher_create(
        member=member,
        source=source,
        kind=kind,
        label=label,
        valid_days=valid_days,
        value=value,
        reward=reward,
        points_cost=points_cost,
        transaction_id=transaction_id,
        at=now_or(at),
        actor=actor,
    )
    return voucher


def _voucher_create(
    *,
    member: Member,
    source: str,
    kind: str,
    label: str,
    valid_days: int,
    value: Decimal | int,
    reward: Reward | None,
    points_cost: int,
    transaction_id: int | None,
    at: dt.datetime,
    actor: User | None,
    idempotency_key: str | None = None,
) -> tuple[Voucher, bool]:
    """The voucher and whether it is new: with an idempotency key already taken (the unique
    constraint says so even when the first writer committed a moment ago), the voucher
    that holds it, and nothing written."""
    with transaction.atomic():
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    voucher = Voucher.objects.create(
                        code=random_code(CODE_LENGTH),
                        member=member,
                        source=source,
                        reward=reward,
                        kind=kind,
                        value=value,
                        label=label[:120],
                        points_cost=points_cost,
                        issued_at=at,
                        expires_at=at + dt.timedelta(days=max(1, valid_days)),
                        transaction_id=transaction_id,
                        idempotency_key=idempotency_key,
                    )
                break
            except IntegrityError:  # the key was granted, or a code already taken (1 in 2^60)
                if idempotency_key is not None:
                    done = Voucher.objects.filter(idempotency_key=idempotency_key).first()
                    if done is not None:
                        return done, False
                continue
        else:
            raise DomainError(_("No voucher code could be made; try again."))
        _voucher_event(voucher, "loyalty.voucher_issued", at, actor)
    return voucher, True


GRANT_KINDS = (RewardKind.AMOUNT_OFF, RewardKind.PERCENT_OFF)
GRANT_VALUE_MAX = Decimal("10000")
GRANT_VALID_DAYS_MAX = 3650


def voucher_grant_check(
    *, reward: Reward | None, kind: str = "", value: Decimal | int | str = 0, valid_days: int = 90
) -> tuple[str, Decimal, int]:
    """What a grant gives, checked (errors name the field): a reward of the catalogue, else
    a fixed amount or percent off. Returns (kind, value, days the voucher is valid)."""
    if reward is not None:
        return reward.kind, reward.value, reward.voucher_valid_days
    if not kind:
        raise ValidationError({"reward": _("Choose a reward, or an amount or percent off.")})
    if kind not in GRANT_KINDS:
        raise ValidationError({"kind": _("Choose an amount off or a percent off.")})
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"value": _("Give the voucher's value as a number.")}) from exc
    if not amount.is_finite():  # NaN quantizes quietly, and cannot be compared
        raise ValidationError({"value": _("Give the voucher's value as a number.")})
    if kind == RewardKind.PERCENT_OFF and not Decimal(0) < amount <= Decimal(100):
        raise ValidationError({"value": _("Give a percentage between 1 and 100.")})
    if not Decimal("0.01") <= amount <= GRANT_VALUE_MAX:
        raise ValidationError({"value": _("Give a value between 0.01 and 10,000.")})
    try:
        days = int(valid_days)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError({"valid_days": _("Give a whole number of days.")}) from exc
    if not 1 <= days <= GRANT_VALID_DAYS_MAX:
        raise ValidationError({"valid_days": _("A voucher is valid between 1 and 3,650 days.")})
    return kind, amount, days


def voucher_grant(
    *,
    member: Member,
    idempotency_key: str,
    reward: Reward | None = None,
    kind: str = "",
    value: Decimal | int | str = 0,
    valid_days: int = 90,
    label: str = "",
    at: dt.datetime | None = None,
    actor: User | None = None,
) -> Voucher:
    """Give a member a voucher without spending points (a journey's step, a gesture): a
    reward of the catalogue (its stock goes down by one, never below zero) or a fixed amount
    or percent off. Once per idempotency key: a retry, or a second worker racing the first,
    gets the first voucher back (the member's lock queues them; the key's unique constraint
    holds even without it)."""
    if not idempotency_key:
        raise ValidationError({"idempotency_key": _("Give every grant an idempotency key.")})
    key = idempotency_key[:120]
    at = now_or(at)
    with transaction.atomic():
        member = member_lock(member.pk)
        done = Voucher.objects.filter(idempotency_key=key).first()
        if done is not None:
            if done.member_id != member.pk:
                raise ConflictError(_("This idempotency key was used for something else."))
            return done
        if member.contact.erased_at is not None or not member.active:
            raise ValidationError({"member": _("This member can no longer receive vouchers.")})
        if reward is not None:
            reward = _reward_available(reward, at)
        kind, amount, days = voucher_grant_check(
            reward=reward, kind=kind, value=value, valid_days=valid_days
        )
        if not label:
            label = reward.name if reward is not None else voucher_grant_label(kind, amount)
        voucher, created = _voucher_create(
            member=member,
            source=VoucherSource.GIFT,
            kind=kind,
            label=label,
            valid_days=days,
            value=amount,
            reward=reward,
            points_cost=0,
            transaction_id=None,
            at=at,
            actor=actor,
            idempotency_key=key,
        )
        if created and reward is not None:
            _reward_stock_take(reward)
    return voucher


def _reward_available(reward: Reward, at: dt.datetime) -> Reward:
    """The reward as stored now, if it may be given at `at` (errors name the field)."""
    reward = Reward.objects.get(pk=reward.pk)
    if not reward.active or (reward.available_from and reward.available_from > at):
        raise ValidationError({"reward": _("This reward is not available.")})
    if reward.available_until and reward.available_until <= at:
        raise ValidationError({"reward": _("This reward is no longer available.")})
    return reward


def _reward_stock_take(reward: Reward) -> None:
    """One off the reward's stock (if it keeps one), never below zero."""
    if reward.stock is None:
        return
    if not Reward.objects.filter(pk=reward.pk, stock__gt=0).update(stock=F("stock") - 1):
        raise ConflictError(_("This reward is out of stock."))


def voucher_grant_label(kind: str, value: Decimal) -> str:
    """The label of a granted amount or percent off ("10.00 off", "15% off")."""
    if kind == RewardKind.PERCENT_OFF:
        shown = f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"
        return _("%(value)s%% off") % {"value": shown}
    return _("%(value)s off") % {"value": value}


def reward_redeem(
    *,
    member: Member,
    reward: Reward,
    idempotency_key: str,
    at: dt.datetime | None = None,
    staff: User | None = None,
    api_key: ApiKey | None = None,
) -> Voucher:
    """Spend points on a reward: the member's row is locked, the points are taken from the
    available lots oldest first, the stock goes down by one (never below zero), and a voucher
    is issued. A retry with the same key returns the same voucher."""
    if not idempotency_key:
        raise ValidationError({"idempotency_key": _("Give every redemption an idempotency key.")})
    at = now_or(at)
    with transaction.atomic():
        member = member_lock(member.pk)
        done = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if done is not None:
            if done.voucher is None or done.member_id != member.pk:
                raise ConflictError(_("This idempotency key was used for something else."))
            return done.voucher
        if member.contact.erased_at is not None or not member.active:
            raise ValidationError({"member": _("This member can no longer redeem.")})
        reward = _reward_available(reward, at)
        _reward_stock_take(reward)
        member_expire_due(member, at)
        voucher = voucher_issue(
            member=member,
            source=VoucherSource.REWARD,
            kind=reward.kind,
            value=reward.value,
            label=reward.name,
            valid_days=reward.voucher_valid_days,
            reward=reward,
            points_cost=reward.cost_points,
            at=at,
            actor=staff,
        )
        debit(
            member,
            reward.cost_points,
            kind=EntryKind.REDEEM,
            at=at,
            source=EntrySource.API if api_key else EntrySource.STAFF,
            actor=staff,
            api_key=api_key,
            voucher=voucher,
            idempotency_key=idempotency_key[:120],
        )
    return voucher


def voucher_redeem(
    *,
    code: str,
    channel: str = VoucherChannel.COUNTER,
    at: dt.datetime | None = None,
    staff: User | None = None,
    api_key: ApiKey | None = None,
    transaction_id: int | None = None,
) -> Voucher:
    """Use a voucher: one conditional UPDATE, so of two tills scanning one code at the same
    moment exactly one is accepted and the other is told it was used."""
    at = now_or(at)
    code = voucher_code_normalise(code)
    if not code:
        raise ValidationError({"code": _("Enter the voucher's code.")})
    with transaction.atomic():
        used = Voucher.objects.filter(
            code=code, status=VoucherStatus.ISSUED, expires_at__gt=at
        ).update(
            status=VoucherStatus.REDEEMED,
            used_at=at,
            used_channel=channel,
            used_by=staff,
            used_api_key=api_key,
            used_transaction_id=transaction_id,
        )
        voucher = Voucher.objects.select_related("member__contact").filter(code=code).first()
        if voucher is None:
            raise ValidationError({"code": _("No voucher has this code.")})
        if not used:
            if voucher.status == VoucherStatus.REDEEMED:
                raise ConflictError(_("This voucher has been used already."))
            if voucher.status == VoucherStatus.CANCELLED:
                raise ValidationError({"code": _("This voucher was cancelled.")})
            raise ValidationError({"code": _("This voucher has expired.")})
        _voucher_event(voucher, "loyalty.voucher_redeemed", at, staff)
    return voucher


def voucher_cancel(
    *, voucher: Voucher, at: dt.datetime | None = None, staff: User | None = None
) -> Voucher:
    """Cancel an unused voucher: its points go back into the lots they came from and the
    reward's stock comes back."""
    at = now_or(at)
    with transaction.atomic():
        member = member_lock(voucher.member_id)
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if voucher.status != VoucherStatus.ISSUED:
            raise ValidationError({"voucher": _("Only an unused voucher can be cancelled.")})
        voucher.status = VoucherStatus.CANCELLED
        voucher.cancelled_at = at
        voucher.save(update_fields=["status", "cancelled_at"])
        _give_back(member, voucher, at=at, staff=staff, reason=_("Voucher cancelled"))
        voucher.member = member
        _voucher_event(voucher, "loyalty.voucher_cancelled", at, staff)
    return voucher


def _give_back(member: Member, voucher: Voucher, *, at, staff, reason: str) -> None:
    """Return a voucher's points (and its reward's stock) to the (locked) member."""
    if voucher.reward_id is not None:
        Reward.objects.filter(pk=voucher.reward_id, stock__isnull=False).update(
            stock=F("stock") + 1
        )
    paid_by = voucher.entries.filter(kind=EntryKind.REDEEM).first()
    if paid_by is not None:
        restore(
            member,
            paid_by,
            kind=EntryKind.REVERSE,
            at=at,
            source=EntrySource.STAFF if staff else EntrySource.SYSTEM,
            actor=staff,
            reverses=paid_by,
            voucher=voucher,
            reason=reason,
        )


def voucher_reopen_or_refund(*, voucher: Voucher, at: dt.datetime) -> str:
    """A purchase paid with this voucher was refunded in full: the voucher is usable again
    while it has not expired; past its expiry, its points come back instead. Returns
    "reopened", "points" or "" (nothing to give back)."""
    with transaction.atomic():
        member = member_lock(voucher.member_id)
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        if voucher.status != VoucherStatus.REDEEMED:
            return ""
        if voucher.expires_at > at:
            voucher.status = VoucherStatus.ISSUED
            voucher.used_at = None
            voucher.used_channel = ""
            voucher.used_by = None
            voucher.used_api_key = None
            voucher.used_transaction_id = None
            voucher.save()
            return "reopened"
        voucher.status = VoucherStatus.CANCELLED
        voucher.cancelled_at = at
        voucher.save(update_fields=["status", "cancelled_at"])
        _give_back(member, voucher, at=at, staff=None, reason=_("Purchase refunded"))
        return "points"


def vouchers_expire_due(*, at: dt.datetime | None = None) -> int:
    """Mark unused vouchers past their expiry as expired (their points come back only when
    the program says so)."""
    from .common import program_get

    at = now_or(at)
    program = program_get()
    with transaction.atomic():
        due = Voucher.objects.filter(status=VoucherStatus.ISSUED, expires_at__lte=at)
        if not program.expired_voucher_points_back:
            return due.update(status=VoucherStatus.EXPIRED)
        count = 0
        for voucher in due.order_by("member_id", "pk"):
            member = member_lock(voucher.member_id)
            Voucher.objects.filter(pk=voucher.pk).update(status=VoucherStatus.EXPIRED)
            _give_back(member, voucher, at=at, staff=None, reason=_("Voucher expired unused"))
            count += 1
        return count


def voucher_find(code: str) -> Voucher | None:
    return Voucher.objects.filter(code=voucher_code_normalise(code)).first()
