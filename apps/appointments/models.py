"""Services, staff, rooms, working hours, bookings and the waitlist (tenant schema).

Times are stored in UTC. Working hours, one-off changes and holidays are wall-clock times in
the business's time zone and are turned into instants per day, so they stay right across a
daylight-saving change. A booking blocks `[block_start, block_end)`, its time plus the
service's buffers; two exclusion constraints make overlapping blocks of one staff member or
one room impossible, whatever the code above them does.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from apps.contacts.models import Channel, Contact
from cxsuite.lib.filters import KeepsUpdatedMixin


def _calendar_token() -> str:  # the default of a column that migration 0003 removed
    return secrets.token_urlsafe(24)


def calendar_token_hash(token: str) -> str:
    """What is kept of a feed address's secret (migration 0003 hashed the older ones alike)."""
    return hashlib.sha256(token.encode()).hexdigest()


class AppointmentSettings(models.Model):
    """The practice's booking rules (one row)."""

    slot_step_minutes = models.PositiveSmallIntegerField(
        _("offer a start time every (minutes)"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        _("customers may cancel or move online up to (hours before)"),
        default=24,
        validators=[MaxValueValidator(24 * 14)],
    )
    # [{"minutes": 2880, "channel": "email"}, {"minutes": 120, "channel": ""}]; "" = best channel
    reminders = models.JSONField(_("reminders"), default=list, blank=True)
    online_booking = models.BooleanField(_("online booking page is open"), default=True)
    booking_intro = models.CharField(_("text on the booking page"), max_length=300, blank=True)
    # the set-up checklist on Home: when staff first opened or copied the booking page's link
    # from Home (its last step), and when a manager put the checklist away
    booking_page_shared_at = models.DateTimeField(null=True, blank=True)
    setup_checklist_dismissed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "appointment settings"


class Room(KeepsUpdatedMixin, models.Model):
    """A chair, a treatment room: something one booking at a time can use."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class StaffMember(KeepsUpdatedMixin, models.Model):
    """A person customers book: a dentist, a hygienist, a stylist."""

    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=80, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
        verbose_name=_("login"),
    )
    color = models.CharField(_("colour"), max_length=7, default="#2563eb")
    active = models.BooleanField(_("active"), default=True)
    bookable_online = models.BooleanField(_("customers can choose them online"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    # The feed address's secret is shown once, when it is made; only its hash is kept.
    calendar_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Service(KeepsUpdatedMixin, models.Model):
    """What can be booked, how long it takes and under which rules."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(12 * 60)],
    )
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, default=0)
    buffer_before_minutes = models.PositiveSmallIntegerField(
        _("buffer before (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    buffer_after_minutes = models.PositiveSmallIntegerField(
        _("buffer after (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    step_minutes = models.PositiveSmallIntegerField(
        _("start-time step (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
        help_text=_("Empty: the practice's slot step."),
    )
    daily_cap = models.PositiveSmallIntegerField(
        _("at most per staff member per day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    needs_confirmation = models.BooleanField(_("staff confirm each booking"), default=False)
    min_notice_minutes = models.PositiveIntegerField(
        _("minimum notice (minutes)"), default=120, validators=[MaxValueValidator(60 * 24 * 60)]
    )
    horizon_days = models.PositiveSmallIntegerField(
        _("bookable up to (days ahead)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    online = models.BooleanField(_("bookable online"), default=True)
    staff = models.ManyToManyField(
        StaffMember, related_name="services", blank=True, verbose_name=_("staff")
    )
    needs_room = models.BooleanField(_("also needs a room or chair"), default=False)
    rooms = models.ManyToManyField(
        Room,
        related_name="services",
        blank=True,
        verbose_name=_("rooms"),
        help_text=_("Empty: any active room."),
    )
    recall_months = models.PositiveSmallIntegerField(
        _("recall after (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    color = models.CharField(_("colour"), max_length=7, default="#0ea5e9")
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One interval of a staff member's week (several per day are allowed)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), validators=[MaxValueValidator(6)]
    )  # 0 = Monday
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["staff", "weekday", "start"]
        indexes = [models.Index(fields=["staff", "weekday"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="hours_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.weekday} {self.start}-{self.end}"


class HoursOverride(models.Model):
    """A one-off change: on `date` the staff member works these intervals instead of the
    weekly ones (all of that date's override rows together replace the week)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="overrides")
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["staff", "date", "start"]
        indexes = [models.Index(fields=["staff", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="override_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.date} {self.start}-{self.end}"


class TimeOff(models.Model):
    """A staff member is away from `starts_at` to `ends_at` (holiday, training, sick)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="time_off")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["staff", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_off_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} off {self.starts_at:%Y-%m-%d %H:%M}"


class Holiday(models.Model):
    """A day the whole practice is closed."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    CHECKED_IN = "checked_in", _("Checked in")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that hold the time: everything but a cancellation. A no-show keeps its block so the
# calendar stays a true record of the day.
HOLDING = [s for s in AppointmentStatus.values if s != AppointmentStatus.CANCELLED]
UPCOMING = [AppointmentStatus.BOOKED, AppointmentStatus.CONFIRMED]


class Source(models.TextChoices):
    STAFF = "staff", _("Front desk")
    ONLINE = "online", _("Online booking")
    API = "api", _("API")


def _range(low: str, high: str, function: str, bounds: str) -> Func:
    return Func(F(low), F(high), Value(bounds), function=function)


class Appointment(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="appointments")
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    block_start = models.DateTimeField(editable=False)  # starts_at - buffer before
    block_end = models.DateTimeField(editable=False)  # ends_at + buffer after
    status = models.CharField(
        max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STAFF)
    # Booked online for a service whose bookings staff confirm: no confirmation message and
    # no reminders until a person approves it.
    awaiting_approval = models.BooleanField(default=False)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=200, blank=True)
    reschedule_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["staff", "block_end"]),
            models.Index(fields=["room", "block_end"]),
            models.Index(fields=["starts_at"]),
            models.Index(fields=["contact", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at"))
                & Q(block_start__lte=F("starts_at"))
                & Q(block_end__gte=F("ends_at")),
                name="appointment_times_ordered",
            ),
            # Core GiST only (no btree_gist): the id becomes a one-element range.
            ExclusionConstraint(
                name="appointment_no_staff_overlap",
                expressions=[
                    (_range("staff_id", "staff_id", "int8range", "[]"), RangeOperators.OVERLAPS),
                    (
                        _range("block_start", "block_end", "tstzrange", "[)"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=~Q(status=AppointmentStatus.CANCELLED),
            ),
            ExclusionConstraint(
                name="appointment_no_room_overlap",
                expressions=[
                    (_range("room_id", "room_id", "int8range", "[]"), RangeOperators.OVERLAPS),
                    (
                        _range("block_start", "block_end", "tstzrange", "[)"),
                        RangeOperators.OVERLAPS,
                    ),
                ],
                condition=~Q(status=AppointmentStatus.CANCELLED) & Q(room__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.contact} at {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_upcoming(self) -> bool:
        return self.status in UPCOMING


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    NOTIFIED = "notified", _("Told of a free time")
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")


class WaitlistEntry(KeepsUpdatedMixin, models.Model):
    """A customer who wants `service` between two dates when nothing fits yet."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="waitlist")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="waitlist")
    staff = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="waitlist"
    )
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("until"))
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["created"]
        indexes = [models.Index(fields=["service", "status", "date_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_to__gte=F("date_from")), name="waitlist_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} waits for {self.service}"


class ReminderChannel(models.TextChoices):
    BEST = "", _("Best channel")
    EMAIL = Channel.EMAIL, _("Email")
    SMS = Channel.SMS, _("SMS")
    VOICE = Channel.VOICE, _("Voice")
