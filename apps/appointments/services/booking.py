"""A booking's life: book, move, cancel, change status. Overlaps are refused by the database
(the exclusion constraints on the block of time), so the checks here only choose who and
which room; a race that the checks cannot see ends in `SlotTaken`, with the next free times.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contacts.choices import Channel
from apps.contacts.services import contact_no_shows_adjust, event_record
from cxsuite.lib.errors import ConflictError, DomainError

from ..models import (
    Appointment,
    AppointmentSettings,
    AppointmentStatus,
    Service,
    Source,
    StaffMember,
)
from ..selectors.availability import (
    Slot,
    practice_zone,
    room_free_for,
    slot_at,
    slots_next,
)
from ..selectors.hours import staff_works_during
from .customers import CustomerDetails, customer_contact_match, customer_details_clean
from .messages import appointment_message_context
from .reminders import appointment_reminders_sync
from .waitlist import waitlist_mark_booked, waitlist_offer_freed

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.contacts.models import Contact

logger = logging.getLogger(__name__)

S = AppointmentStatus
UPCOMING = {S.BOOKED, S.CONFIRMED}
TRANSITIONS: dict[str, set[str]] = {  # keyed by the stored status
    S.BOOKED: {S.CONFIRMED, S.CHECKED_IN, S.COMPLETED, S.NO_SHOW, S.CANCELLED},
    S.CONFIRMED: {S.CHECKED_IN, S.COMPLETED, S.NO_SHOW, S.CANCELLED},
    S.CHECKED_IN: {S.COMPLETED, S.NO_SHOW},
    S.NO_SHOW: {S.CHECKED_IN, S.COMPLETED},  # they came after all
    S.COMPLETED: {S.CHECKED_IN, S.NO_SHOW},  # a click on the wrong line
    S.CANCELLED: set(),
}
# Once the visit has an outcome, changing it is a correction: allowed until the end of the
# appointment's local day, then the record is final. Checking in, then completing, is not.
OUTCOMES = {S.CHECKED_IN, S.COMPLETED, S.NO_SHOW}
CORRECTION_EVENT = "appointment.status_corrected"
STAMP: dict[str, str] = {
    S.CONFIRMED: "confirmed_at",
    S.CHECKED_IN: "checked_in_at",
    S.COMPLETED: "completed_at",
}
OVERLAP_CONSTRAINTS = ("appointment_no_staff_overlap", "appointment_no_room_overlap")


class SlotTaken(ConflictError):
    """Someone else booked the time between the look and the booking (HTTP 409)."""

    code = "slot_taken"

    def __init__(self, *, next_slots: list[Slot], contact: Contact | None = None):
        super().__init__(
            _("Sorry, that time was just taken. Please choose another one."), field="starts_at"
        )
        self.next_slots = next_slots
        # who it was for, when their contact outlives the lost race (see
        # appointment_book_for_customer), so the next try books the same person
        self.contact = contact


def appointment_settings() -> AppointmentSettings:
    """The practice's booking rules (one row, created with two reminders on first use)."""
    row, _created = AppointmentSettings.objects.get_or_create(
        pk=1,
        defaults={
            "reminders": [
                {"minutes": 48 * 60, "channel": Channel.EMAIL},
                {"minutes": 120, "channel": ""},
            ]
        },
    )
    return row


def appointment_change_allowed(appointment: Appointment, *, now: dt.datetime | None = None):
    """Whether the customer may still move or cancel it themselves (the cancellation policy)."""
    if appointment.status not in UPCOMING:
        return False
    notice = dt.timedelta(hours=appointment_settings().cancellation_notice_hours)
    return appointment.starts_at - (now or timezone.now()) >= notice


def appointment_has_started(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    """Once the start has passed, a booking can no longer be confirmed, moved or cancelled:
    what remains is recording how the visit went."""
    return appointment.starts_at <= (now or timezone.now())


def appointment_is_correction(current: str, status: str) -> bool:
    """Changing an outcome already recorded (completed ↔ no-show ↔ checked in)."""
    return (
        current in OUTCOMES
        and status in OUTCOMES
        and (current, status)
        != (
            S.CHECKED_IN,
            S.COMPLETED,
        )
    )


def appointment_correctable(appointment: Appointment, *, now: dt.datetime | None = None) -> bool:
    """Whether its outcome may still be corrected: until the end of its day, business time."""
    zone = practice_zone()
    today = (now or timezone.now()).astimezone(zone).date()
    return today <= appointment.starts_at.astimezone(zone).date()


def _started_error(action: str) -> ValidationError:
    text = _(
        "This appointment has already started, so it can no longer be %(action)s. "
        "Check it in, complete it or mark a no-show instead."
    ) % {"action": action}
    return ValidationError({"status": ValidationError(text, code="started")})


def appointment_move_earliest(*, now: dt.datetime | None = None) -> dt.datetime:
    """The earliest time a customer may move their appointment to online: past the notice
    window, so the new time could itself still be changed and the practice is not surprised."""
    notice = dt.timedelta(hours=appointment_settings().cancellation_notice_hours)
    return (now or timezone.now()) + notice


# --- choosing who and where ----------------------------------------------------------------------
def _is_overlap(exc: IntegrityError) -> bool:
    return any(name in str(exc) for name in OVERLAP_CONSTRAINTS)


def _is_deadlock(exc: OperationalError) -> bool:
    """Two transactions that insert overlapping rows at the same moment each find the other's
    row while checking the exclusion constraint and wait for each other; PostgreSQL breaks the
    tie by failing one of them (deadlock_detected). The other one has not committed yet, and
    may itself lose to a third: so the failed one has not lost yet (`_place`)."""
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


# Rounds of retrying the places lost to a deadlock (see `_place`).
DEADLOCK_RETRIES = 3


def _minute(value: dt.datetime, field: str = "starts_at") -> dt.datetime:
    if not isinstance(value, dt.datetime) or timezone.is_naive(value):
        raise ValidationError({field: _("Give a date and time with its time zone.")})
    return value.astimezone(dt.UTC).replace(second=0, microsecond=0)


def _candidates(
    *,
    service: Service,
    starts_at: dt.datetime,
    staff: StaffMember | None,
    online: bool,
    enforce: bool,
    now: dt.datetime,
    ignore: int | None = None,
) -> list[int]:
    """Staff ids to try in order. Online and API bookings must be at an offered time; when the
    time would be offered but for other bookings, the request lost a race (SlotTaken)."""
    if not enforce and staff is not None:
        return [staff.pk]
    slot = slot_at(
        service=service,
        starts_at=starts_at,
        staff=staff,
        online=online,
        now=now,
        ignore_appointment_id=ignore,
    )
    if slot is not None:
        return list(slot.staff_ids)
    if slot_at(
        service=service,
        starts_at=starts_at,
        staff=staff,
        online=online,
        now=now,
        ignore_appointment_id=ignore,
        ignore_bookings=True,
    ):
        raise SlotTaken(next_slots=_next(service, starts_at, staff, online, now))
    raise ValidationError(
        {
            "starts_at": _(
                "%(service)s cannot be booked at this time. Choose one of the free times."
            )
            % {"service": service.name}
        }
    )


def _next(service, starts_at, staff, online, now) -> list[Slot]:
    return slots_next(service=service, after=starts_at, staff=staff, online=online, now=now)


def _blocks(service: Service, starts_at: dt.datetime) -> dict:
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    return {
        "starts_at": starts_at,
        "ends_at": ends_at,
        "block_start": starts_at - dt.timedelta(minutes=service.buffer_before_minutes),
        "block_end": ends_at + dt.timedelta(minutes=service.buffer_after_minutes),
    }


def _cap_reached(service: Service, staff_id: int, starts_at: dt.datetime, ignore) -> bool:
    """The service's daily cap for this staff member, counted under a lock on their row so
    two bookings cannot both take the last place."""
    if not service.daily_cap:
        return False
    StaffMember.objects.select_for_update().filter(pk=staff_id).first()
    zone = practice_zone()
    day = starts_at.astimezone(zone).date()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    taken = Appointment.objects.filter(
        service=service,
        staff_id=staff_id,
        starts_at__gte=start,
        starts_at__lt=start + dt.timedelta(days=1),
    ).exclude(status=S.CANCELLED)
    if ignore:
        taken = taken.exclude(pk=ignore)
    return taken.count() >= service.daily_cap


def _place(
    *,
    appointment: Appointment,
    service: Service,
    staff_ids: list[int],
    starts_at: dt.datetime,
    enforce: bool,
) -> bool:
    """Save the appointment with the first staff member (and room) the database accepts."""
    times = _blocks(service, starts_at)
    taken: set[int] = set()  # people booked by a committed row, or at their daily cap
    deadlocked: list[tuple[int, object]] = []
    for staff_id in staff_ids:
        rooms: list = [None]
        if service.needs_room:
            rooms = room_free_for(
                service=service,
                block_start=times["block_start"],
                block_end=times["block_end"],
                ignore_appointment_id=appointment.pk,
            )
        for room in rooms:
            outcome = _place_once(appointment, service, staff_id, room, times, enforce)
            if outcome == "placed":
                return True
            if outcome == "person taken":
                taken.add(staff_id)
                break  # rooms will not help
            if outcome == "deadlock":
                deadlocked.append((staff_id, room))
    # A place lost to a deadlock is not lost yet: the transaction on the other side is still
    # open and may itself fail. Offering the next times now could offer this very time, so
    # the place is tried again; the retry waits for that transaction and ends in an answer.
    for _round in range(DEADLOCK_RETRIES):
        retry, deadlocked = deadlocked, []
        for staff_id, room in retry:
            if staff_id in taken:
                continue
            outcome = _place_once(appointment, service, staff_id, room, times, enforce)
            if outcome == "placed":
                return True
            if outcome == "person taken":
                taken.add(staff_id)
            elif outcome == "deadlock":
                deadlocked.append((staff_id, room))
    return False


def _place_once(appointment, service, staff_id, room, times, enforce) -> str:
    """ "placed", "person taken" (a committed booking or the daily cap), "room taken" or
    "deadlock" (the other side is still open; see `_is_deadlock`)."""
    try:
        with transaction.atomic():
            if enforce and _cap_reached(service, staff_id, times["starts_at"], appointment.pk):
                return "person taken"
            for name, value in times.items():
                setattr(appointment, name, value)
            appointment.staff_id, appointment.room = staff_id, room
            appointment.save()
        return "placed"
    except IntegrityError as exc:
        if not _is_overlap(exc):
            raise
        return "person taken" if "staff_overlap" in str(exc) else "room taken"
    except OperationalError as exc:
        if not _is_deadlock(exc):
            raise
        return "deadlock"


def _check_desk_time(
    *,
    service: Service,
    staff: StaffMember,
    starts_at: dt.datetime,
    now: dt.datetime,
    allow_past: bool,
    allow_outside_hours: bool,
) -> None:
    """The front desk may book in the past (recording a walk-in) or outside the staff
    member's hours, but only when it says so: each needs its flag, else the time is refused
    with a code the booking form turns into a "Book anyway" question."""
    ends_at = starts_at + dt.timedelta(minutes=service.duration_minutes)
    problems = []  # both at once, so the desk confirms once
    if starts_at < now and not allow_past:
        problems.append(
            ValidationError(
                _("This time has already passed. Confirm to book it anyway (allow_past)."),
                code="past",
            )
        )
    if not allow_outside_hours and not staff_works_during(
        staff=staff, starts_at=starts_at, ends_at=ends_at
    ):
        problems.append(
            ValidationError(
                _(
                    "This time is outside %(staff)s's working hours. Confirm to book it "
                    "anyway (allow_outside_hours)."
                )
                % {"staff": staff.name},
                code="outside_hours",
            )
        )
    if problems:
        raise ValidationError({"starts_at": problems})


def _check_bookable(service: Service, contact: Contact, *, online: bool) -> None:
    errors = {}
    if not service.active or (online and not service.online):
        errors["service"] = (
            _("This service cannot be booked online.")
            if online
            else _("This service is no longer offered.")
        )
    if contact.erased_at is not None:
        errors["contact"] = _("This contact was erased.")
    if errors:
        raise ValidationError(errors)


def _tell(
    appointment: Appointment,
    *,
    purpose: str,
    dedupe_key: str,
    context: dict | None = None,
    to: dict[str, str] | None = None,
) -> None:
    """Tell the customer (the message is written in this transaction and delivered after it
    commits; its key makes a retried action tell them once). A missing template never undoes
    the change."""
    from apps.messaging.services.sending import message_send

    base = appointment_message_context(appointment)
    for key, value in (context or {}).items():
        if isinstance(value, dict):
            base[key] = {**base.get(key, {}), **value}
        else:
            base[key] = value
    try:
        with transaction.atomic():
            message_send(
                contact=appointment.contact,
                purpose=purpose,
                context=base,
                dedupe_key=dedupe_key,
                related_type="appointment",
                related_id=str(appointment.pk),
                to=to,
            )
    except (ValidationError, DomainError):
        logger.exception("%s of appointment %s not sent", purpose, appointment.pk)


def confirmation_key(appointment: Appointment) -> str:
    """The dedupe key of an appointment's current confirmation (one per booking or move)."""
    return f"appointment:{appointment.pk}:confirm:{appointment.reschedule_count}"


def _send_confirmation(appointment: Appointment, *, to: dict[str, str] | None = None) -> None:
    """Confirm by message (after commit)."""
    _tell(
        appointment,
        purpose="appointment_confirmation",
        dedupe_key=confirmation_key(appointment),
        to=to,
    )


def _send_moved(appointment: Appointment, *, previous_start: dt.datetime) -> None:
    """The new time and the old one: a move is not another "you're booked"."""
    from .messages import appointment_time_text

    previous = appointment_time_text(appointment, starts_at=previous_start)
    _tell(
        appointment,
        purpose="appointment_moved",
        dedupe_key=confirmation_key(appointment),
        context={"appointment": {"previous_starts_at": previous}},
    )


def _send_cancelled(appointment: Appointment, *, by_customer: bool, declined: bool) -> None:
    """Cancelled by the practice, cancelled by the customer (their confirmation), or a
    request the practice declined: one message, once per appointment."""
    from .links import booking_page_url

    if declined:
        purpose = "booking_declined"
    elif by_customer:
        purpose = "appointment_cancelled_by_customer"
    else:
        purpose = "appointment_cancelled"
    _tell(
        appointment,
        purpose=purpose,
        dedupe_key=f"appointment:{appointment.pk}:cancelled",
        context={"booking_link": booking_page_url(service_id=appointment.service_id)},
    )


def _event(appointment: Appointment, type_: str, *, actor: User | None, **extra) -> None:
    zone = practice_zone()
    properties = {
        "appointment_id": appointment.pk,
        "service": appointment.service.name,
        "service_id": appointment.service_id,
        "staff": appointment.staff.name,
        "staff_id": appointment.staff_id,
        "starts_at": appointment.starts_at.isoformat(),
        "local_time": appointment.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "status": appointment.status,
        "source": appointment.source,
        **{k: v for k, v in extra.items() if v not in (None, "")},
    }
    event_record(
        contact=appointment.contact,
        type=type_,
        properties=properties,
        source="appointments",
        actor=actor,
    )


# --- the services --------------------------------------------------------------------------------
def appointment_book(
    *,
    service: Service,
    starts_at: dt.datetime,
    contact: Contact,
    staff: StaffMember | None = None,
    source: str = Source.STAFF,
    actor: User | None = None,
    notes: str = "",
    notify: bool = True,
    enforce_rules: bool | None = None,
    allow_past: bool = False,
    allow_outside_hours: bool = False,
    now: dt.datetime | None = None,
    confirm_to: dict[str, str] | None = None,
) -> Appointment:
    """Book `service` at `starts_at` with `staff` (None: whoever is free, least busy first).

    Online and API bookings must be at an offered time; the front desk may also book outside
    the notice and horizon (enforce_rules=False) but never over another booking, and in the
    past or outside the staff member's hours only with `allow_past` / `allow_outside_hours`.
    `confirm_to` ({"email": …, "phone": …}) is where the customer asked to be confirmed
    when it differs from what their contact holds.
    """
    now = now or timezone.now()
    starts_at = _minute(starts_at)
    enforce = source != Source.STAFF if enforce_rules is None else enforce_rules
    online = source == Source.ONLINE
    _check_bookable(service, contact, online=online)
    if not enforce and staff is not None:
        _check_desk_time(
            service=service,
            staff=staff,
            starts_at=starts_at,
            now=now,
            allow_past=allow_past,
            allow_outside_hours=allow_outside_hours,
        )
    with transaction.atomic():
        staff_ids = _candidates(
            service=service,
            starts_at=starts_at,
            staff=staff,
            online=online,
            enforce=enforce,
            now=now,
        )
        appointment = Appointment(
            contact=contact,
            service=service,
            source=source,
            price=service.price,
            notes=(notes or "").strip()[:2000],
            created_by=actor,
            awaiting_approval=service.needs_confirmation and source != Source.STAFF,
        )
        if not _place(
            appointment=appointment,
            service=service,
            staff_ids=staff_ids,
            starts_at=starts_at,
            enforce=enforce,
        ):
            raise SlotTaken(next_slots=_next(service, starts_at, staff, online, now))
        _event(
            appointment,
            "appointment.booked",
            actor=actor,
            awaiting_approval=appointment.awaiting_approval or None,
        )
        waitlist_mark_booked(appointment=appointment)
        if not appointment.awaiting_approval:
            appointment_reminders_sync(appointment=appointment)
            if notify:
                _send_confirmation(appointment, to=confirm_to)
    return appointment


def appointment_book_for_customer(
    *,
    service: Service,
    starts_at: dt.datetime,
    contact: Contact | None = None,
    customer: CustomerDetails | None = None,
    staff: StaffMember | None = None,
    source: str = Source.STAFF,
    actor: User | None = None,
    notes: str = "",
    notify: bool = True,
    allow_past: bool = False,
    allow_outside_hours: bool = False,
    now: dt.datetime | None = None,
) -> Appointment:
    """Book for a known `contact` or for a `customer` as typed, matched to a contact (by
    email, then phone, else a new one): the one way the booking page, the front desk and the
    API book.

    Online and through the API the match and the booking are one transaction, so a lost race
    or a refused time leaves no new contact behind. At the front desk the customer is on the
    phone: they stay a contact even when the time is taken, and `SlotTaken.contact` says who,
    so the next try books them. Errors about the customer name its fields (CUSTOMER_FIELDS).

    A returning customer who types another e-mail address or number than the one on file is
    confirmed at what they typed; their contact takes it only where it had none (see
    `contact_match_or_create`): a stranger who types someone else's number must not be able
    to redirect that person's messages to themselves.
    """
    if (contact is None) == (customer is None):
        raise ValidationError(
            {"contact": _("Give either a contact or the customer's details, not both.")}
        )
    confirm_to = None
    if customer is not None:
        typed = customer_details_clean(customer=customer, source=source)
        confirm_to = {"email": typed.email, "phone": typed.phone}
    if customer is not None and source == Source.STAFF:
        contact = customer_contact_match(customer=customer, source=source)

    def book(booked_for: Contact) -> Appointment:
        return appointment_book(
            service=service,
            starts_at=starts_at,
            contact=booked_for,
            staff=staff,
            source=source,
            actor=actor,
            notes=notes,
            notify=notify,
            allow_past=allow_past,
            allow_outside_hours=allow_outside_hours,
            now=now,
            confirm_to=confirm_to,
        )

    try:
        if contact is not None:
            return book(contact)
        assert customer is not None  # one of the two is given (checked above)
        with transaction.atomic():
            return book(customer_contact_match(customer=customer, source=source))
    except SlotTaken as exc:
        exc.contact = contact  # None when a new contact went with the rolled-back booking
        raise


def _locked(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("service", "staff", "contact", "room")
        .get(pk=appointment.pk)
    )


def appointment_reschedule(
    *,
    appointment: Appointment,
    starts_at: dt.datetime,
    staff: StaffMember | None = None,
    source: str = Source.STAFF,
    actor: User | None = None,
    notify: bool = True,
    enforce_rules: bool | None = None,
    allow_past: bool = False,
    allow_outside_hours: bool = False,
    now: dt.datetime | None = None,
) -> Appointment:
    """Move an upcoming appointment (to another staff member too); its reminders move with it
    and whoever waits for the freed time is told. Customers move only within the policy; once
    it has started it stays where it was. The front desk moves into the past or outside the
    hours only with `allow_past` / `allow_outside_hours`, as when booking."""
    now = now or timezone.now()
    starts_at = _minute(starts_at)
    enforce = source != Source.STAFF if enforce_rules is None else enforce_rules
    online = source == Source.ONLINE
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status not in UPCOMING:
            raise ValidationError(
                {"status": _("Only a booked or confirmed appointment can be moved.")}
            )
        if appointment_has_started(appointment, now=now):
            raise _started_error(_("moved"))
        if online and not appointment_change_allowed(appointment, now=now):
            raise ValidationError({"starts_at": _policy_text()})
        if online and starts_at < appointment_move_earliest(now=now):
            raise ValidationError({"starts_at": _move_too_soon_text()})
        old_start, old_staff = appointment.starts_at, appointment.staff
        if starts_at == old_start and (staff is None or staff.pk == old_staff.pk):
            return appointment
        target_staff = staff if staff is not None else (old_staff if not online else None)
        if not enforce and target_staff is not None:
            _check_desk_time(
                service=appointment.service,
                staff=target_staff,
                starts_at=starts_at,
                now=now,
                allow_past=allow_past,
                allow_outside_hours=allow_outside_hours,
            )
        staff_ids = _candidates(
            service=appointment.service,
            starts_at=starts_at,
            staff=target_staff,
            online=online,
            enforce=enforce,
            now=now,
            ignore=appointment.pk,
        )
        if old_staff.pk in staff_ids:  # keep the same person when they are free
            staff_ids.remove(old_staff.pk)
            staff_ids.insert(0, old_staff.pk)
        appointment.reschedule_count += 1
        appointment.status, appointment.confirmed_at = S.BOOKED, None
        if not _place(
            appointment=appointment,
            service=appointment.service,
            staff_ids=staff_ids,
            starts_at=starts_at,
            enforce=enforce,
        ):
            raise SlotTaken(
                next_slots=_next(appointment.service, starts_at, target_staff, online, now)
            )
        appointment.refresh_from_db()
        old_local = old_start.astimezone(practice_zone()).strftime("%Y-%m-%d %H:%M")
        _event(
            appointment,
            "appointment.rescheduled",
            actor=actor,
            previous_starts_at=old_start.isoformat(),
            previous_local_time=old_local,
            previous_staff=old_staff.name,
            by=source,
        )
        appointment_reminders_sync(appointment=appointment)
        waitlist_offer_freed(service=appointment.service, staff=old_staff, starts_at=old_start)
        if notify and not appointment.awaiting_approval:
            _send_moved(appointment, previous_start=old_start)
    return appointment


def _policy_text() -> str:
    hours = appointment_settings().cancellation_notice_hours
    return _(
        "Appointments can be changed online up to %(h)s hours before they start. Please call us."
    ) % {"h": hours}


def _move_too_soon_text() -> str:
    hours = appointment_settings().cancellation_notice_hours
    return _(
        "Online, an appointment can be moved to a time at least %(h)s hours ahead. "
        "Please choose a later time, or call us."
    ) % {"h": hours}


def appointment_cancel(
    *,
    appointment: Appointment,
    actor: User | None = None,
    reason: str = "",
    by_customer: bool = False,
    notify: bool = True,
    now: dt.datetime | None = None,
) -> Appointment:
    """Cancel an upcoming appointment: its time is free at once, its reminders are withdrawn
    and the waitlist hears of the freed time. Customers cancel only within the policy. The
    customer is told (a request still awaiting approval is told it was declined; a customer
    who cancelled gets the confirmation of it), once, and only about a time still ahead."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked(appointment)
        if appointment.status == S.CANCELLED:
            return appointment
        if appointment.status not in UPCOMING:
            raise ValidationError(
                {
                    "status": _("A %(status)s appointment cannot be cancelled.")
                    % {"status": appointment.get_status_display().lower()}
                }
            )
        if by_customer and not appointment_change_allowed(appointment, now=now):
            raise ValidationError({"starts_at": _policy_text()})
        if appointment_has_started(appointment, now=now):
            raise _started_error(_("cancelled"))
        appointment.status, appointment.cancelled_at = S.CANCELLED, now
        appointment.cancel_reason = (reason or "").strip()[:200]
        appointment.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated"])
        _event(
            appointment,
            "appointment.cancelled",
            actor=actor,
            reason=appointment.cancel_reason,
            by="customer" if by_customer else "staff",
        )
        appointment_reminders_sync(appointment=appointment)
        if appointment.starts_at > now:
            waitlist_offer_freed(
                service=appointment.service,
                staff=appointment.staff,
                starts_at=appointment.starts_at,
            )
            if notify:
                _send_cancelled(
                    appointment,
                    by_customer=by_customer,
                    declined=appointment.awaiting_approval and not by_customer,
                )
    return appointment


def appointment_status_set(
    *,
    appointment: Appointment,
    status: str,
    actor: User | None = None,
    now: dt.datetime | None = None,
) -> Appointment:
    """Confirm, check in, complete or mark a no-show (cancelling goes to appointment_cancel);
    a no-show is counted on the contact. An outcome recorded by mistake may be corrected
    (completed ↔ no-show ↔ checked in) until the end of the appointment's day; undoing a
    no-show takes it off the contact's count again, once, however many clicks race."""
    now = now or timezone.now()
    if status not in S.values:
        raise ValidationError({"status": _("Choose one of: %(c)s.") % {"c": ", ".join(S.values)}})
    if status == S.CANCELLED:
        return appointment_cancel(appointment=appointment, actor=actor, now=now)
    with transaction.atomic():
        appointment = _locked(appointment)  # concurrent changes queue here, one at a time
        current = appointment.status
        if status == current:
            return appointment
        if status not in TRANSITIONS[current]:
            raise ValidationError(
                {
                    "status": _("A %(a)s appointment cannot become %(b)s.")
                    % {"a": appointment.get_status_display().lower(), "b": S(status).label.lower()}
                }
            )
        correction = appointment_is_correction(current, status)
        if correction and not appointment_correctable(appointment, now=now):
            raise ValidationError(
                {
                    "status": ValidationError(
                        _(
                            "The day of this appointment is over, so its status (%(a)s) is "
                            "final and can no longer be corrected."
                        )
                        % {"a": appointment.get_status_display().lower()},
                        code="final",
                    )
                }
            )
        if status in (S.COMPLETED, S.NO_SHOW) and appointment.starts_at > now:
            raise ValidationError(
                {"status": _("This can be recorded once the appointment has started.")}
            )
        if status == S.CONFIRMED and appointment_has_started(appointment, now=now):
            raise _started_error(_("confirmed"))
        appointment.status = status
        if status in STAMP:
            setattr(appointment, STAMP[status], now)
        appointment.save()
        if S.NO_SHOW in (status, current):
            contact_no_shows_adjust(
                contact_id=appointment.contact_id, delta=1 if status == S.NO_SHOW else -1
            )
        _event(
            appointment,
            CORRECTION_EVENT if correction else f"appointment.{status}",
            actor=actor,
            previous_status=current,
        )
        if status not in UPCOMING:
            appointment_reminders_sync(appointment=appointment)
    return appointment


def appointment_approve(*, appointment: Appointment, actor: User | None = None) -> Appointment:
    """Staff accept an online request: the customer gets the confirmation and the reminders."""
    with transaction.atomic():
        appointment = _locked(appointment)
        if not appointment.awaiting_approval:
            return appointment
        if appointment.status not in UPCOMING:
            raise ValidationError({"status": _("Only an upcoming appointment can be approved.")})
        appointment.awaiting_approval = False
        appointment.save(update_fields=["awaiting_approval", "updated"])
        _event(appointment, "appointment.approved", actor=actor)
        appointment_reminders_sync(appointment=appointment)
        _send_confirmation(appointment)
    return appointment
