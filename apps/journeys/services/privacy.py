"""Journeys' share of a contact's merge, export and erasure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..models import Enrollment, EnrollmentStatus, OfferMade, StepRun

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def journeys_merge(*, survivor: Contact, others: Sequence[Contact]) -> None:
    """Move the others' enrollments and offers to the survivor. Two active enrollments for the
    same journey and key cannot both stay: the others' one is exited (the survivor's goes on),
    and entry numbers are moved past the survivor's so each stays unique."""
    other_ids = [c.pk for c in others]
    moving = list(
        Enrollment.objects.select_for_update().filter(contact_id__in=other_ids).order_by("pk")
    )
    taken: dict[tuple[int, str], int] = {}
    active: set[tuple[int, str]] = set()
    for row in Enrollment.objects.select_for_update().filter(contact=survivor):
        key = (row.journey_id, row.entry_key)
        taken[key] = max(taken.get(key, 0), row.entry_seq)
        if row.status == EnrollmentStatus.ACTIVE:
            active.add(key)
    for row in moving:
        key = (row.journey_id, row.entry_key)
        if row.status == EnrollmentStatus.ACTIVE and key in active:
            row.status = EnrollmentStatus.EXITED
            row.exit_reason = "merged"
            row.next_at = None
        elif row.status == EnrollmentStatus.ACTIVE:
            active.add(key)
        taken[key] = taken.get(key, 0) + 1
        row.entry_seq = taken[key]
        row.contact = survivor
    # entry numbers first out of the way (unique with the contact), then the real ones
    for row in moving:
        Enrollment.objects.filter(pk=row.pk).update(entry_seq=100000 + row.pk)
    for row in moving:
        Enrollment.objects.filter(pk=row.pk).update(
            contact=survivor,
            entry_seq=row.entry_seq,
            status=row.status,
            exit_reason=row.exit_reason,
            next_at=row.next_at,
        )
    OfferMade.objects.filter(contact_id__in=other_ids).update(contact=survivor)


def journeys_export(contact: Contact) -> list[dict[str, Any]]:
    """The contact's journeys: when they entered, what each step did, the offers made to
    them on the way (whether they took them up, and what the reward came to)."""
    rows = []
    enrollments = (
        Enrollment.objects.filter(contact=contact)
        .select_related("journey")
        .prefetch_related("runs", "offers__offer")
    )
    for enrollment in enrollments:
        rows.append(
            {
                "journey": enrollment.journey.name,
                "status": enrollment.status,
                "entered_at": enrollment.entered_at.isoformat(),
                "finished_at": enrollment.finished_at.isoformat()
                if enrollment.finished_at
                else None,
                "trigger_properties": enrollment.trigger_properties,
                "steps": [
                    {
                        "step": run.step_type,
                        "outcome": run.outcome,
                        "ran_at": run.ran_at.isoformat(),
                    }
                    for run in enrollment.runs.all()
                ],
                "offers": [
                    {
                        "offer": made.offer.name,
                        "made_at": made.made_at.isoformat(),
                        "accepted_at": made.accepted_at.isoformat() if made.accepted_at else None,
                        "reward": made.reward_note,
                    }
                    for made in enrollment.offers.all()
                ],
            }
        )
    return rows


def journeys_erase(contact: Contact) -> None:
    """Keep enrollments, steps and offers (the journeys' figures) but drop what the trigger
    and the steps carried about the person (amounts, links, the words sent); an erased
    contact leaves every journey."""
    enrollments = Enrollment.objects.filter(contact=contact)
    enrollments.filter(status=EnrollmentStatus.ACTIVE).update(
        status=EnrollmentStatus.EXITED, exit_reason="erased", next_at=None, waiting_for=""
    )
    enrollments.update(trigger_properties={})
    StepRun.objects.filter(enrollment__contact=contact).update(detail={})
