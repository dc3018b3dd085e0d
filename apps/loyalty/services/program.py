"""The program's settings, tiers, rewards and bonus rules, and the import of opening
balances.

A saved change of the program leaves a `ProgramVersion` (a snapshot, who, when, and how many
members a change that takes value away affects). Such a change is never retroactive: lots
keep the `expires_at` they were earned with, and a tier a member holds is kept for the grace
period before a higher threshold moves them down. `program_change_preview` says, before
saving, which changes take value away and how many members they touch, so the page can show
it and the members can be told ahead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from cxsuite.lib.errors import DomainError

from ..models import (
    EntryKind,
    EntrySource,
    ImportBatch,
    ImportStatus,
    LedgerEntry,
    LotSource,
    Member,
    Program,
    ProgramVersion,
    Tier,
)
from .common import member_lock, now_or, program_get

if TYPE_CHECKING:
    from apps.accounts.models import User

EDITABLE = [
    f.name
    for f in Program._meta.concrete_fields
    if f.name not in {"id", "version", "updated"} and f.editable
]


def _snapshot(program: Program) -> dict[str, Any]:
    data = model_to_dict(program, fields=EDITABLE)
    data["visit_reward"] = program.visit_reward_id
    data["tiers"] = [
        {"id": t.pk, "name": t.name, "threshold": str(t.threshold)} for t in Tier.objects.all()
    ]
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in data.items()}


def program_change_preview(*, changes: dict[str, Any]) -> dict[str, Any]:
    """Which of these changes take value away from members, and how many members hold
    points or a tier they touch (nothing is saved)."""
    program = program_get()
    away = []
    members = Member.objects.filter(active=True)
    touched = Member.objects.none()
    new_expiry = changes.get("expiry_months", program.expiry_months)
    if new_expiry and (program.expiry_months is None or new_expiry < program.expiry_months):
        away.append("expiry_months")
        touched = touched | members.filter(balance__gt=0)
    for name in ("points_per_unit", "points_per_visit", "cashback_percent"):
        if name in changes and Decimal(str(changes[name])) < Decimal(str(getattr(program, name))):
            away.append(name)
            touched = touched | members
    if "tier_grace_days" in changes and changes["tier_grace_days"] < program.tier_grace_days:
        away.append("tier_grace_days")
        touched = touched | members.filter(tier__isnull=False)
    return {"takes_value_away": away, "members_affected": touched.distinct().count()}


def program_update(
    *, changes: dict[str, Any], by: User | None, at: dt.datetime | None = None
) -> Program:
    """Save the program's settings: validated, versioned (a snapshot per save), never
    retroactive for points already earned."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("This setting does not exist.") for name in unknown})
    at = now_or(at)
    with transaction.atomic():
        preview = program_change_preview(changes=changes)
        program = Program.objects.select_for_update().get(pk=program_get().pk)
        for name, value in changes.items():
            if name == "visit_reward":
                program.visit_reward_id = value.pk if hasattr(value, "pk") else value
            else:
                setattr(program, name, value)
        program.full_clean()
        program.version += 1
        program.save()
        ProgramVersion.objects.create(
            number=program.version,
            settings=_snapshot(program),
            summary=", ".join(sorted(changes))[:300],
            members_affected=preview["members_affected"],
            effective_from=at,
            created_by=by,
        )
    return program


def tier_save(*, tier: Tier | None = None, by: User | None = None, **fields: Any) -> Tier:
    """Create or change a tier (a raised threshold moves nobody down at once: the nightly
    run starts their grace period)."""
    tier = tier or Tier()
    for name, value in fields.items():
        setattr(tier, name, value)
    tier.full_clean()
    with transaction.atomic():
        tier.save()
        program = Program.objects.select_for_update().get(pk=program_get().pk)
        program.version += 1
        program.save(update_fields=["version", "updated"])
        ProgramVersion.objects.create(
            number=program.version,
            settings=_snapshot(program),
            summary=f"tier {tier.name}",
            members_affected=Member.objects.filter(tier=tier).count(),
            effective_from=now_or(None),
            created_by=by,
        )
    return tier


# --- opening balances from CSV ---------------------------------------------------------------
def points_import(*, csv_text: str, filename: str, by: User | None) -> ImportBatch:
    """Bring opening balances in (columns `email` or `phone` or `contact_id`, and `points`,
    optionally `note`): each row earns its points as one import entry; rows that name no
    contact or no positive whole number are listed in the batch's errors. The whole batch
    can be undone (`import_batch_undo`)."""
    from apps.contacts.selectors import contact_find, contacts_live

    from .ledger import member_enrol, points_earn

    at = now_or(None)
    reader = csv.DictReader(io.StringIO(csv_text))
    fields = {name.strip().lower() for name in (reader.fieldnames or [])}
    if "points" not in fields or not fields & {"email", "phone", "contact_id"}:
        raise ValidationError(
            {"file": _("The file needs a points column and an email, phone or contact_id one.")}
        )
    with transaction.atomic():
        batch = ImportBatch.objects.create(filename=filename[:200], created_by=by, created=at)
        errors, rows, total = [], 0, 0
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            contact = None
            if row.get("contact_id", "").isdigit():
                contact = contact_find(pk=int(row["contact_id"]))
            elif row.get("phone"):
                contact = contact_find(phone=row["phone"])
            elif row.get("email"):
                contact = contacts_live().filter(email__iexact=row["email"]).first()
            points = int(row["points"]) if row.get("points", "").isdigit() else 0
            if contact is None or points <= 0:
                errors.append({"line": line, "error": "contact" if contact is None else "points"})
                continue
            member = member_enrol(contact=contact, at=at)
            points_earn(
                member=member,
                points=points,
                source=EntrySource.IMPORT,
                lot_source=LotSource.IMPORT,
                idempotency_key=f"import:{batch.pk}:{line}",
                at=at,
                staff=by,
                reason=row.get("note", "")[:300],
                import_batch_id=batch.pk,
            )
            rows += 1
            total += points
        batch.rows, batch.points, batch.errors = rows, total, errors[:500]
        batch.save(update_fields=["rows", "points", "errors"])
    return batch


def import_batch_undo(*, batch: ImportBatch, by: User | None) -> ImportBatch:
    """Take back every point an import brought in (down to zero where some were spent,
    recorded as the reversal's shortfall)."""
    from .ledger import debit

    at = now_or(None)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ImportStatus.APPLIED:
            raise DomainError(_("This import has already been undone."))
        for entry in LedgerEntry.objects.filter(import_batch=batch, kind=EntryKind.EARN).order_by(
            "member_id", "pk"
        ):
            member = member_lock(entry.member_id)
            debit(
                member,
                entry.points,
                kind=EntryKind.REVERSE,
                at=at,
                source=EntrySource.IMPORT,
                available_only=False,
                allow_short=True,
                first=list(entry.lots.values_list("pk", flat=True)),
                actor=by,
                reverses=entry,
                reason=_("Import undone"),
                event=False,
            )
        batch.status, batch.undone_at, batch.undone_by = ImportStatus.UNDONE, at, by
        batch.save(update_fields=["status", "undone_at", "undone_by"])
    return batch
