"""Purchases and refunds; a purchase makes a lead a customer and refreshes their RFM."""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.tenants.services import tenant_current

from ..models import (
    Contact,
    LifecycleStage,
    PaymentMethod,
    SalesChannel,
    Transaction,
    TransactionKind,
)
from .timeline import event_record

_hooks_paused = threading.local()


@contextmanager
def transaction_hooks_paused():
    """For bulk loads that recompute once at the end (the demo seed, a history import)."""
    _hooks_paused.active = True
    try:
        yield
    finally:
        _hooks_paused.active = False


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"amount": _("Enter an amount, e.g. 120.50.")}) from exc
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    return amount


def _part(value, field: str) -> Decimal:
    """Tax or tip: zero or more, two decimals."""
    try:
        part = Decimal(str(value or 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter an amount, e.g. 12.50.")}) from exc
    if not part.is_finite() or part < 0:
        raise ValidationError({field: _("Enter zero or more.")})
    return part


def _payments(value) -> list[dict]:
    """The split by payment method, checked: a known method and an amount above zero each."""
    if not value:
        return []
    if not isinstance(value, list):
        raise ValidationError({"payments": _("Send the payments as a list.")})
    clean = []
    for payment in value:
        if not isinstance(payment, dict) or payment.get("method") not in PaymentMethod.values:
            raise ValidationError(
                {
                    "payments": _(
                        "Each payment needs a method: card, cash, voucher, wallet, "
                        "gift_card or other."
                    )
                }
            )
        amount = _amount(payment.get("amount"))
        row = {"method": payment["method"], "amount": str(amount)}
        if payment.get("reference"):
            row["reference"] = str(payment["reference"]).strip()[:40]
        clean.append(row)
    return clean


def _refund_check(*, refund_of: Transaction, amount: Decimal) -> None:
    """Refunds of one purchase never add up to more than it (the purchase row is locked)."""
    purchase = Transaction.objects.select_for_update().get(pk=refund_of.pk)
    if purchase.kind != TransactionKind.PURCHASE:
        raise ValidationError({"refund_of": _("Only a purchase can be refunded.")})
    refunded = purchase.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    if refunded + amount > purchase.amount:
        left = purchase.amount - refunded
        raise ValidationError(
            {
                "amount": _("At most %(left)s %(cur)s is left to refund.")
                % {"left": left, "cur": purchase.currency}
            }
        )


def transaction_record(
    *,
    contact: Contact,
    amount,
    currency: str | None = None,
    occurred_at: dt.datetime | None = None,
    items: list | None = None,
    channel: str = SalesChannel.STORE,
    external_ref: str = "",
    kind: str = TransactionKind.PURCHASE,
    refund_of: Transaction | None = None,
    tax=0,
    tip=0,
    payments: list | None = None,
) -> Transaction:
    """Record a purchase (or a refund of one) once per external reference, in the
    business's currency unless another is given; `tax`, `tip` and `payments` (the split by
    payment method) are parts of `amount`."""
    errors: dict[str, str | list[str]] = {}
    parts: dict[str, Decimal] = {}
    for field, value in (("tax", tax), ("tip", tip)):
        try:
            parts[field] = _part(value, field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        payments = _payments(payments)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    currency = (tenant_current().currency if currency is None else currency).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        errors["currency"] = _("Use a three-letter currency code, e.g. USD.")
    if channel not in SalesChannel.values:
        errors["channel"] = _("Choose store or online.")
    if kind not in TransactionKind.values:
        errors["kind"] = _("Choose purchase or refund.")
    if items is not None and not isinstance(items, list):
        errors["items"] = _("Send the items as a list.")
    if (
        kind == TransactionKind.REFUND
        and refund_of is not None
        and refund_of.contact_id != contact.pk
    ):
        errors["refund_of"] = _("The refunded purchase belongs to another contact.")
    try:
        amount = _amount(amount)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not errors and parts["tax"] + parts["tip"] > amount:
        errors["tax"] = _("Tax and tip cannot be more than the amount.")
    if not errors and payments and sum(Decimal(p["amount"]) for p in payments) != amount:
        errors["payments"] = _("The payments must add up to the amount.")
    if errors:
        raise ValidationError(errors)
    occurred_at = occurred_at or timezone.now()
    try:
        with transaction.atomic():
            if kind == TransactionKind.REFUND and refund_of is not None:
                _refund_check(refund_of=refund_of, amount=amount)
            tx = Transaction.objects.create(
                contact=contact,
                kind=kind,
                amount=amount,
                currency=currency,
                occurred_at=occurred_at,
                items=items or [],
                channel=channel,
                external_ref=(external_ref or "").strip()[:100],
                refund_of=refund_of,
                tax=parts["tax"],
                tip=parts["tip"],
                payments=payments or [],
            )
            if (
                kind == TransactionKind.PURCHASE
                and contact.lifecycle_stage != LifecycleStage.CUSTOMER
            ):
                Contact.objects.filter(pk=contact.pk).update(
                    lifecycle_stage=LifecycleStage.CUSTOMER, updated=timezone.now()
                )
                contact.lifecycle_stage = LifecycleStage.CUSTOMER
            event_record(
                contact=contact,
                occurred_at=occurred_at,
                source="purchase",
                type="purchase.made" if kind == TransactionKind.PURCHASE else "purchase.refunded",
                properties={
                    "transaction_id": tx.pk,
                    "amount": str(amount),
                    "currency": currency,
                    "channel": channel,
                    "external_ref": tx.external_ref,
                },
            )
            if not getattr(_hooks_paused, "active", False):
                from .rfm import rfm_update_for_contact  # rfm reads transactions: import late

                rfm_update_for_contact(contact)
    except IntegrityError as exc:
        raise ValidationError(
            {"external_ref": _("A transaction with this reference is already recorded.")}
        ) from exc
    return tx
