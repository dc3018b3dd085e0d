"""The waitlist: a customer waits for a service between two dates when nothing fits.

When a cancellation or a move frees a time, everyone waiting for that service on that day
(for anyone, or for the staff member who became free) is told at once with a link to the
booking page, as long as the time is still free; the first to book gets it, which is the
booking race the exclusion constraints already decide. A booking that matches an entry closes
it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contacts.services import contact_lock, event_record
from cxsuite.lib.errors import DomainError

from ..models import Appointment, Service, Source, StaffMember, WaitlistEntry, WaitlistStatus
from ..selectors.availability import practice_zone, slot_at
from .customers import CustomerDetails, customer_contact_match, customer_details_clean
from .links import booking_page_url
from .messages import appointment_time_text

if TYPE_CHECKING:
    from apps.contacts.models import Contact

logger = logging.getLogger(__name__)

MAX_SPAN_DAYS = 90
OPEN = (WaitlistStatus.WAITING, WaitlistStatus.NOTIFIED)


def _event(entry: WaitlistEntry, type_: str, **extra) -> None:
    event_record(
        contact=entry.contact,
        type=type_,
        source="appointments",
        properties={
            "waitlist_id": entry.pk,
            "service": entry.service.name,
            "service_id": entry.service_id,
            "staff_id": entry.staff_id,
            "date_from": entry.date_from.isoformat(),
            "date_to": entry.date_to.isoformat(),
            **extra,
        },
    )


def waitlist_join(
    *,
    service: Service,
    date_from: dt.date,
    date_to: dt.date,
    contact: Contact | None = None,
    customer: CustomerDetails | None = None,
    staff: StaffMember | None = None,
    now: dt.datetime | None = None,
) -> WaitlistEntry:
    """Put a customer on the waitlist for `service` between two local dates (both included);
    joining again with the same wish returns the entry they already have. The customer is a
    known `contact` or, from the public page, the details they typed (matched like a booking,
    in the same transaction: a refused wish leaves no new contact behind)."""
    today = (now or timezone.now()).astimezone(practice_zone()).date()
    errors: dict = {}
    if (contact is None) == (customer is None):
        raise ValidationError(
            {"contact": _("Give either a contact or the customer's details, not both.")}
        )
    if customer is not None:
        try:  # every mistake at once: the customer's and the wish's
            customer_details_clean(customer=customer, source=Source.ONLINE)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not isinstance(date_from, dt.date) or isinstance(date_from, dt.datetime):
        errors["date_from"] = _("Give the first day that would suit.")
    elif date_from < today:
        errors["date_from"] = _("Choose today or a later day.")
    if not isinstance(date_to, dt.date) or isinstance(date_to, dt.datetime):
        errors["date_to"] = _("Give the last day that would suit.")
    elif "date_from" not in errors:
        if date_to < date_from:
            errors["date_to"] = _("The last day must not be before the first.")
        elif (date_to - date_from).days >= MAX_SPAN_DAYS:
            errors["date_to"] = _("Choose at most %(n)s days.") % {"n": MAX_SPAN_DAYS}
    if not service.active:
        errors["service"] = _("This service is no longer offered.")
    if staff is not None and not service.staff.filter(pk=staff.pk, active=True).exists():
        errors["staff"] = _("%(staff)s does not perform %(service)s.") % {
            "staff": staff.name,
            "service": service.name,
        }
    if contact is not None and contact.erased_at is not None:
        errors["contact"] = _("This contact was erased.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if contact is None:
            assert customer is not None  # one of the two is given (checked above)
            contact = customer_contact_match(customer=customer, source=Source.ONLINE)
        # one joiner at a time per contact, so a double click never makes two entries
        contact_lock(contact_id=contact.pk)
        entry = WaitlistEntry.objects.filter(
            contact=contact,
            service=service,
            staff=staff,
            date_from=date_from,
            date_to=date_to,
            status=WaitlistStatus.WAITING,
        ).first()
        if entry is not None:
            return entry
        entry = WaitlistEntry.objects.create(
            contact=contact, service=service, staff=staff, date_from=date_from, date_to=date_to
        )
        _event(entry, "waitlist.joined")
    return entry


def waitlist_leave(*, entry: WaitlistEntry) -> WaitlistEntry:
    """The customer no longer waits (found another time, changed their mind)."""
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_for_update(of=("self",))
            .select_related("contact", "service")
            .get(pk=entry.pk)
        )
        if entry.status not in OPEN:
            return entry
        entry.status = WaitlistStatus.CANCELLED
        entry.save(update_fields=["status"])
        _event(entry, "waitlist.left")
    return entry


def _still_free(service: Service, starts_at: dt.datetime) -> set[int]:
    """Who can still take the freed time (customers book it online when the service allows)."""
    slot = slot_at(service=service, starts_at=starts_at, online=service.online)
    return set(slot.staff_ids) if slot else set()


def waitlist_offer_freed(
    *, service: Service, staff: StaffMember, starts_at: dt.datetime, now: dt.datetime | None = None
) -> int:
    """Tell the customers waiting for `service` around a freed time; returns how many."""
    now = now or timezone.now()
    if starts_at <= now or not service.active:
        return 0
    day = starts_at.astimezone(practice_zone()).date()
    entries = list(
        WaitlistEntry.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("contact", "service")
        .filter(
            Q(staff__isnull=True) | Q(staff=staff),
            service=service,
            status=WaitlistStatus.WAITING,
            date_from__lte=day,
            date_to__gte=day,
            contact__erased_at__isnull=True,
        )
        .order_by("created")
    )
    if not entries:
        return 0
    free_staff = _still_free(service, starts_at)
    if not free_staff:
        return 0
    link = booking_page_url(service_id=service.pk, date=day)
    told = 0
    for entry in entries:
        if entry.staff_id is not None and entry.staff_id not in free_staff:
            continue
        if _offer(entry, starts_at, link, now):
            told += 1
    return told


def _offer(entry: WaitlistEntry, starts_at: dt.datetime, link: str, now: dt.datetime) -> bool:
    from apps.messaging.services.sending import message_send

    when = appointment_time_text(Appointment(starts_at=starts_at, contact=entry.contact))
    try:
        with transaction.atomic():
            message_send(
                contact=entry.contact,
                purpose="waitlist_offer",
                context={
                    "appointment": {"service": entry.service.name, "starts_at": when},
                    "booking_link": link,
                },
                dedupe_key=f"waitlist:{entry.pk}:offer:{int(starts_at.timestamp())}",
                related_type="waitlist",
                related_id=str(entry.pk),
                now=now,
            )
            entry.status, entry.notified_at = WaitlistStatus.NOTIFIED, now
            entry.save(update_fields=["status", "notified_at"])
            _event(entry, "waitlist.notified", starts_at=starts_at.isoformat(), local_time=when)
    except (ValidationError, DomainError):  # e.g. no template: the cancellation still stands
        logger.exception("waitlist entry %s not told of a free time", entry.pk)
        return False
    return True


def waitlist_mark_booked(*, appointment: Appointment) -> int:
    """The contact booked what they waited for (with whoever): their matching entries are
    done."""
    day = appointment.starts_at.astimezone(practice_zone()).date()
    return WaitlistEntry.objects.filter(
        contact_id=appointment.contact_id,
        service_id=appointment.service_id,
        status__in=OPEN,
        date_from__lte=day,
        date_to__gte=day,
    ).update(status=WaitlistStatus.BOOKED, appointment=appointment, updated=Now())
