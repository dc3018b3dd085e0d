"""Appointments' share of a contact's merge, privacy export and erasure (registered in
`AppointmentsConfig.ready()` in the CRM's `merge_hooks`, `privacy_exporters` and
`privacy_erasers`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models.functions import Now

from ..models import Appointment, WaitlistEntry, WaitlistStatus

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def appointments_merge(*, survivor: Contact, others: Sequence[Contact]) -> None:
    """Move the others' appointments and waitlist entries to the survivor, so one person has
    one calendar history.

    The overlap constraints are per staff member and per room, so a booking can change its
    customer without touching them; the rows are locked and moved in one UPDATE each. A wish
    both contacts had open on the waitlist (same service, staff, dates, still waiting) stays
    open once, as joining twice would have left it: the later copies are kept, cancelled, so
    the person is not told twice of each free time.
    """
    other_ids = [other.pk for other in others]
    with transaction.atomic():
        Appointment.objects.filter(contact_id__in=other_ids).update(contact=survivor)
        entries = list(
            WaitlistEntry.objects.select_for_update()
            .filter(contact_id__in=[survivor.pk, *other_ids])
            .order_by("created", "pk")
        )
        seen, duplicates = set(), []
        for entry in entries:
            wish = (entry.service_id, entry.staff_id, entry.date_from, entry.date_to)
            if entry.status == WaitlistStatus.WAITING:
                if wish in seen:
                    duplicates.append(entry.pk)
                seen.add(wish)
        WaitlistEntry.objects.filter(contact_id__in=other_ids).update(
            contact=survivor, updated=Now()
        )
        if duplicates:
            WaitlistEntry.objects.filter(pk__in=duplicates).update(
                status=WaitlistStatus.CANCELLED, updated=Now()
            )


def appointments_export(contact: Contact) -> dict[str, Any]:
    """Every appointment of the contact (with its notes) and every waitlist entry (the right
    of access)."""
    appointments = (
        Appointment.objects.filter(contact=contact)
        .select_related("service", "staff", "room")
        .order_by("starts_at", "pk")
    )
    waitlist = (
        WaitlistEntry.objects.filter(contact=contact)
        .select_related("service", "staff")
        .order_by("created", "pk")
    )
    return {
        "appointments": [
            {
                "id": a.pk,
                "service": a.service.name,
                "staff": a.staff.name,
                "room": a.room.name if a.room else None,
                "starts_at": _iso(a.starts_at),
                "ends_at": _iso(a.ends_at),
                "status": a.status,
                "source": a.source,
                "price": str(a.price),
                "notes": a.notes,
                "created": _iso(a.created),
                "confirmed_at": _iso(a.confirmed_at),
                "checked_in_at": _iso(a.checked_in_at),
                "completed_at": _iso(a.completed_at),
                "cancelled_at": _iso(a.cancelled_at),
                "cancel_reason": a.cancel_reason,
                "reschedule_count": a.reschedule_count,
            }
            for a in appointments
        ],
        "waitlist": [
            {
                "id": w.pk,
                "service": w.service.name,
                "staff": w.staff.name if w.staff else None,
                "date_from": _iso(w.date_from),
                "date_to": _iso(w.date_to),
                "status": w.status,
                "notified_at": _iso(w.notified_at),
                "created": _iso(w.created),
            }
            for w in waitlist
        ],
    }


def appointments_erase(contact: Contact) -> None:
    """Remove the free text on a person's appointments and keep the calendar's figures.

    Cleared: `notes` (what the customer or the front desk wrote about the visit) and
    `cancel_reason` (typed by the customer or by staff). Kept: service, staff, room, times,
    status, source, price and the status timestamps, which are the practice's own record of
    its day and revenue and identify no one once the contact is erased; upcoming bookings
    keep their time (the practice decides whether to cancel them). Waitlist entries hold no
    free text (service, staff, dates, status), so they stay as they are; an erased contact is
    never told of a free time.
    """
    with transaction.atomic():
        Appointment.objects.filter(contact=contact).exclude(notes="", cancel_reason="").update(
            notes="", cancel_reason=""
        )
