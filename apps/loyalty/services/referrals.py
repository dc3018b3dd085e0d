"""Referrals: a member's code brings a new customer; on the new customer's first purchase or
completed visit both are rewarded (points pending through the return window, so a refund
takes them back). Refused: referring oneself, an e-mail or phone already referred, and a
person who is already a customer (has bought or visited before)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import EntrySource, LotSource, Member, Referral, ReferralStatus, ReferralTrigger
from .common import now_or, program_get
from .ledger import member_enrol, points_earn

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def referral_create(
    *, code: str, referred: Contact, at: dt.datetime | None = None, has_history: bool = False
) -> Referral:
    """Record that `referred` came through the member whose referral code this is.
    `has_history` says the person already bought or visited (the caller knows)."""
    at = now_or(at)
    program = program_get()
    if not program.referrals_enabled:
        raise ValidationError({"code": _("This business does not run referrals.")})
    referrer = (
        Member.objects.select_related("contact")
        .filter(referral_code=(code or "").strip().upper())
        .first()
    )
    if referrer is None:
        raise ValidationError({"code": _("No member has this referral code.")})
    mine = referrer.contact
    email = (referred.email or "").strip().lower()
    if (
        referrer.contact_id == referred.pk
        or (email and email == (mine.email or "").lower())
        or (referred.phone and referred.phone == mine.phone)
    ):
        raise ValidationError({"code": _("You cannot refer yourself.")})
    if has_history or referred.transactions.exists():
        raise ValidationError({"code": _("This person is already a customer.")})
    try:
        with transaction.atomic():
            return Referral.objects.create(
                referrer=referrer,
                referred=referred,
                email=email,
                phone=referred.phone or "",
                created=at,
            )
    except IntegrityError as exc:
        raise ValidationError({"code": _("This person has already been referred.")}) from exc


def referral_qualify(
    *,
    contact: Contact,
    at: dt.datetime,
    transaction_id: int | None = None,
    appointment_id: int | None = None,
) -> Referral | None:
    """The referred contact's first purchase or visit: reward both, once."""
    program = program_get()
    if not program.referrals_enabled:
        return None
    wanted = program.referral_trigger
    if transaction_id and wanted == ReferralTrigger.VISIT:
        return None
    if appointment_id and wanted == ReferralTrigger.PURCHASE:
        return None
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update()
            .filter(referred=contact, status=ReferralStatus.PENDING)
            .first()
        )
        if referral is None:
            return None
        referral.status = ReferralStatus.REWARDED
        referral.rewarded_at = at
        referral.transaction_id = transaction_id
        referral.appointment_id = appointment_id
        referral.save()
        pending = program.return_window_days if transaction_id else 0
        pairs = [
            (referral.referrer, program.referrer_points, "referrer"),
            (member_enrol(contact=contact, at=at), program.referred_points, "referred"),
        ]
        for member, points, side in pairs:
            if points:
                points_earn(
                    member=member,
                    points=points,
                    source=EntrySource.REFERRAL,
                    lot_source=LotSource.REFERRAL,
                    idempotency_key=f"referral:{referral.pk}:{side}",
                    at=at,
                    pending_days=pending,
                    transaction_id=transaction_id,
                    appointment_id=appointment_id,
                )
    return referral
