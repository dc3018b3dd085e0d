"""Setting the practice up: services, staff and their hours, time off, rooms, holidays and the
booking rules. Each write validates everything first and names the field that is wrong, so a
form can show the message next to it and nothing is half-written.

Wall-clock intervals (weekly hours, one-off hours) are local times of the practice; time off is
a pair of instants (the form turns local dates and times into them).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.translation import gettext as _

from ..models import (
    AppointmentSettings,
    Holiday,
    HoursOverride,
    ReminderChannel,
    Room,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
    calendar_token_hash,
)
from .booking import appointment_settings
from .reminders import appointment_reminders_resync

if TYPE_CHECKING:
    from apps.accounts.models import User

Interval = tuple[dt.time, dt.time]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
SERVICE_FIELDS = (
    "name",
    "description",
    "duration_minutes",
    "price",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "step_minutes",
    "daily_cap",
    "needs_confirmation",
    "min_notice_minutes",
    "horizon_days",
    "online",
    "needs_room",
    "recall_months",
    "color",
    "active",
    "position",
)
STAFF_FIELDS = ("name", "title", "color", "user", "bookable_online", "active", "position")
ROOM_FIELDS = ("name", "active", "position")
SETTINGS_FIELDS = (
    "slot_step_minutes",
    "cancellation_notice_hours",
    "online_booking",
    "booking_intro",
)
REMINDER_MAX_MINUTES = 30 * 24 * 60
REMINDERS_MAX = 5
TIME_OFF_MAX_DAYS = 366


# --- shared checks -------------------------------------------------------------------------------
def _assign(instance, fields: dict[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(instance, name, value)


def _color_check(instance, errors: dict) -> None:
    if not COLOR.match(instance.color or ""):
        errors["color"] = _("Choose a colour as #RRGGBB, e.g. #2563eb.")


def _full_clean(instance, errors: dict, exclude: Iterable[str] = ()) -> None:
    """The model's own rules (lengths, ranges, uniqueness), merged with ours; one raise."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages)
    if errors:
        raise ValidationError(errors)


def _save(instance, unique_field: str, message: str) -> None:
    """Save; a unique clash that raced past full_clean becomes the same readable error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError({unique_field: message}) from exc


def intervals_check(
    intervals: Iterable[Interval], *, field: str, label: str = ""
) -> list[Interval]:
    """Sorted intervals of one day; each ends after it starts and none overlaps another. A
    message starts with `label` (the day) when one is given."""
    prefix = f"{label}: " if label else ""
    ordered = sorted(intervals)
    for start, end in ordered:
        if end <= start:
            raise ValidationError(
                {
                    field: prefix
                    + _("%(start)s–%(end)s ends before it starts; the end must be after the start.")
                    % {"start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")}
                }
            )
    for (a_start, a_end), (b_start, b_end) in zip(ordered, ordered[1:], strict=False):
        if b_start < a_end:
            raise ValidationError(
                {
                    field: prefix
                    + _("%(a)s overlaps %(b)s.")
                    % {
                        "a": f"{a_start:%H:%M}–{a_end:%H:%M}",
                        "b": f"{b_start:%H:%M}–{b_end:%H:%M}",
                    }
                }
            )
    return ordered


# --- services ------------------------------------------------------------------------------------
def _service_write(service: Service, fields: dict, staff, rooms) -> Service:
    _assign(service, fields, SERVICE_FIELDS)
    errors: dict[str, Any] = {}
    _color_check(service, errors)
    if service.price is not None and service.price < 0:
        errors["price"] = _("The price cannot be negative.")
    _full_clean(service, errors)
    with transaction.atomic():
        service.save()
        if staff is not None:
            service.staff.set(staff)
        if rooms is not None:
            service.rooms.set(rooms)
    return service


def service_create(
    *,
    name: str,
    staff: Iterable[StaffMember] | None = None,
    rooms: Iterable[Room] = (),
    **fields: Any,
) -> Service:
    """A new bookable service with who performs it and where. Without `staff`, a business with
    exactly one active staff member gives it to them (a service nobody performs cannot be
    booked); an explicit empty list leaves it unassigned."""
    if staff is None:
        staff = service_default_staff()
    return _service_write(Service(), {"name": name, **fields}, list(staff), list(rooms))


def service_default_staff() -> list[StaffMember]:
    """Who a new service gets unless told otherwise: the only active staff member, if there is
    exactly one (one query)."""
    people = list(StaffMember.objects.filter(active=True)[:2])
    return people if len(people) == 1 else []


def service_update(
    *,
    service: Service,
    staff: Iterable[StaffMember] | None = None,
    rooms: Iterable[Room] | None = None,
    **fields: Any,
) -> Service:
    """Change a service; bookings already made keep their times and price."""
    service = Service.objects.get(pk=service.pk)  # never save a caller's half-edited copy
    return _service_write(
        service,
        fields,
        None if staff is None else list(staff),
        None if rooms is None else list(rooms),
    )


# --- staff ---------------------------------------------------------------------------------------
def _staff_write(staff: StaffMember, fields: dict) -> StaffMember:
    _assign(staff, fields, STAFF_FIELDS)
    errors: dict[str, Any] = {}
    _color_check(staff, errors)
    user: User | None = staff.user
    if user is not None:
        taken = StaffMember.objects.filter(user=user).exclude(pk=staff.pk).first()
        if taken is not None:
            errors["user"] = _("This login already belongs to %(name)s.") % {"name": taken.name}
    _full_clean(staff, errors, exclude=["calendar_token_hash"])
    _save(staff, "user", _("This login already belongs to another staff member."))
    return staff


def staff_create(*, name: str, **fields: Any) -> StaffMember:
    """A person customers can book (hours are set separately)."""
    return _staff_write(StaffMember(), {"name": name, **fields})


def staff_update(*, staff: StaffMember, **fields: Any) -> StaffMember:
    """Change a staff member; their bookings stay with them."""
    return _staff_write(StaffMember.objects.get(pk=staff.pk), fields)


def staff_calendar_token_reset(*, staff: StaffMember) -> tuple[StaffMember, str]:
    """A new secret feed address, returned this once and kept only as a hash; an older address
    stops working (for a link that leaked or was lost)."""
    token = secrets.token_urlsafe(24)
    staff.calendar_token_hash = calendar_token_hash(token)
    staff.save(update_fields=["calendar_token_hash"])
    return staff, token


def staff_hours_set(*, staff: StaffMember, week: dict[int, Iterable[Interval]]) -> int:
    """Replace the weekly hours (0 = Monday; several intervals a day; a missing day is off)."""
    rows = []
    errors: dict[str, Any] = {}
    for weekday, intervals in week.items():
        if weekday not in range(7):
            raise ValidationError({"week": _("A weekday is 0 (Monday) to 6 (Sunday).")})
        try:
            ordered = intervals_check(
                intervals, field=WEEKDAYS[weekday], label=str(DAY_NAMES[weekday])
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        rows += [WorkingHours(staff=staff, weekday=weekday, start=s, end=e) for s, e in ordered]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
        WorkingHours.objects.filter(staff=staff).delete()
        WorkingHours.objects.bulk_create(rows)
    return len(rows)


def hours_override_set(
    *, staff: StaffMember, date: dt.date, intervals: Iterable[Interval]
) -> list[HoursOverride]:
    """One-off hours for one date, replacing that weekday's usual hours."""
    if not isinstance(date, dt.date):
        raise ValidationError({"date": _("Enter a date.")})
    ordered = intervals_check(intervals, field="intervals")
    if not ordered:
        raise ValidationError(
            {
                "intervals": _(
                    "Give at least one interval, e.g. 10:00-14:00. "
                    "To take the whole day off, add time off."
                )
            }
        )
    with transaction.atomic():
        StaffMember.objects.select_for_update().filter(pk=staff.pk).first()
        HoursOverride.objects.filter(staff=staff, date=date).delete()
        return HoursOverride.objects.bulk_create(
            [HoursOverride(staff=staff, date=date, start=s, end=e) for s, e in ordered]
        )


def hours_override_clear(*, staff: StaffMember, date: dt.date) -> int:
    """Back to the weekly hours on that date."""
    deleted, _rows = HoursOverride.objects.filter(staff=staff, date=date).delete()
    return deleted


def time_off_add(
    *, staff: StaffMember, starts_at: dt.datetime, ends_at: dt.datetime, reason: str = ""
) -> TimeOff:
    """The staff member is away; existing bookings stay (the page says which to move)."""
    errors: dict[str, str] = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            errors[name] = _("Give a date and time.")
    if errors:
        raise ValidationError(errors)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("The end must be after the start.")})
    if ends_at - starts_at > dt.timedelta(days=TIME_OFF_MAX_DAYS):
        raise ValidationError(
            {"ends_at": _("Time off can last at most a year; add another one for longer.")}
        )
    reason = (reason or "").strip()
    limit = TimeOff._meta.get_field("reason").max_length  # None if the column had no limit
    if limit is not None and len(reason) > limit:
        raise ValidationError({"reason": _("Use at most 120 characters.")})
    return TimeOff.objects.create(staff=staff, starts_at=starts_at, ends_at=ends_at, reason=reason)


def time_off_delete(*, time_off: TimeOff) -> None:
    """The staff member is available again for that time."""
    time_off.delete()


# --- rooms and holidays --------------------------------------------------------------------------
def _room_write(room: Room, fields: dict) -> Room:
    _assign(room, fields, ROOM_FIELDS)
    _full_clean(room, {})
    _save(room, "name", _("A room with this name already exists."))
    return room


def room_create(*, name: str, **fields: Any) -> Room:
    """A chair or treatment room services can need."""
    return _room_write(Room(), {"name": name, **fields})


def room_update(*, room: Room, **fields: Any) -> Room:
    """Rename, reorder or retire a room (its bookings stay)."""
    return _room_write(Room.objects.get(pk=room.pk), fields)


def holiday_add(*, date: dt.date, name: str = "") -> Holiday:
    """The whole practice is closed that day: no times are offered."""
    holiday = Holiday(date=date, name=(name or "").strip())
    errors: dict[str, Any] = {}
    if isinstance(date, dt.date) and Holiday.objects.filter(date=date).exists():
        errors["date"] = _("%(date)s is already a holiday.") % {"date": date.isoformat()}
    _full_clean(holiday, errors)
    _save(holiday, "date", _("This date is already a holiday."))
    return holiday


def holiday_delete(*, holiday: Holiday) -> None:
    """The practice opens that day after all."""
    holiday.delete()


# --- the set-up checklist on Home ----------------------------------------------------------------
def booking_page_shared_mark(*, now: dt.datetime | None = None) -> bool:
    """Staff opened or copied the booking page's link (the checklist's last step). The first
    time counts; later ones change nothing. True when this call set it."""
    appointment_settings()  # the row exists from here on
    updated = AppointmentSettings.objects.filter(pk=1, booking_page_shared_at__isnull=True).update(
        booking_page_shared_at=now or timezone.now()
    )
    return bool(updated)


def setup_checklist_dismiss(*, now: dt.datetime | None = None) -> None:
    """A manager puts the booking set-up checklist away for the whole business."""
    appointment_settings()
    AppointmentSettings.objects.filter(pk=1, setup_checklist_dismissed_at__isnull=True).update(
        setup_checklist_dismissed_at=now or timezone.now()
    )


# --- booking rules -------------------------------------------------------------------------------
def reminders_clean(reminders: Any) -> list[dict]:
    """[{"minutes": int, "channel": ""|"email"|"sms"|"voice"}], earliest first; positive,
    at most 30 days before, no two at the same time."""
    if not isinstance(reminders, list | tuple):
        raise ValidationError({"reminders": _("Give a list of reminders.")})
    if len(reminders) > REMINDERS_MAX:
        raise ValidationError(
            {"reminders": _("Use at most %(n)d reminders.") % {"n": REMINDERS_MAX}}
        )
    cleaned, seen = [], set()
    for number, item in enumerate(reminders, start=1):
        minutes = item.get("minutes") if isinstance(item, dict) else None
        channel = (item.get("channel") or "") if isinstance(item, dict) else None
        if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
            message = _(
                "Reminder %(n)d: give a time before the appointment of at least one minute."
            )
        elif minutes > REMINDER_MAX_MINUTES:
            message = _("Reminder %(n)d: at most 30 days before the appointment.")
        elif channel not in ReminderChannel.values:
            message = _("Reminder %(n)d: choose the best channel, email, SMS or voice.")
        elif minutes in seen:
            message = _("Reminder %(n)d: another reminder is already sent at that time.")
        else:
            seen.add(minutes)
            cleaned.append({"minutes": minutes, "channel": channel})
            continue
        raise ValidationError({"reminders": message % {"n": number}})
    return sorted(cleaned, key=lambda r: -r["minutes"])


def appointment_settings_update(
    *, reminders: Any = None, now: dt.datetime | None = None, **fields: Any
) -> AppointmentSettings:
    """Change the booking rules; new reminder times apply to every upcoming appointment."""
    row = appointment_settings()
    _assign(row, fields, SETTINGS_FIELDS)
    errors: dict[str, Any] = {}
    changed = False
    if reminders is not None:
        try:
            cleaned = reminders_clean(reminders)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        else:
            try:
                previous = reminders_clean(row.reminders or [])
            except ValidationError:  # stored by hand or by an older version
                previous = None
            changed = cleaned != previous
            row.reminders = cleaned
    _full_clean(row, errors)
    with transaction.atomic():
        row.save()
        if changed:  # the new offsets are read from the row saved above
            appointment_reminders_resync(now=now or timezone.now())
    return row
