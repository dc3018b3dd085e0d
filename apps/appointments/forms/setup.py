"""Set-up forms: services, staff and their hours, time off, one-off hours, rooms, holidays and
the booking rules. They read what the browser sent; the services decide what is allowed."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from apps.accounts.selectors import users_active
from apps.tenants.services import tenant_current
from cxsuite.lib.forms import StyledFormMixin

from ..models import (
    AppointmentSettings,
    ReminderChannel,
    Room,
    Service,
    StaffMember,
)
from ..services.setup import COLOR, WEEKDAYS, intervals_check

if TYPE_CHECKING:
    from apps.accounts.models import User

Interval = tuple[dt.time, dt.time]
REMINDER_ROWS = 5
UNITS = [
    ("minutes", gettext_lazy("minutes")),
    ("hours", gettext_lazy("hours")),
    ("days", gettext_lazy("days")),
]
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}
_RANGE = re.compile(
    r"^(?P<h1>\d{1,2})(?:[:.h](?P<m1>\d{2}))?\s*(?:-|–|—|to)\s*(?P<h2>\d{1,2})(?:[:.h](?P<m2>\d{2}))?$"
)
# In their own context: Django translates the bare names for dates, lowercase in French.
DAY_LABELS = [
    pgettext_lazy("weekday label", "Monday"),
    pgettext_lazy("weekday label", "Tuesday"),
    pgettext_lazy("weekday label", "Wednesday"),
    pgettext_lazy("weekday label", "Thursday"),
    pgettext_lazy("weekday label", "Friday"),
    pgettext_lazy("weekday label", "Saturday"),
    pgettext_lazy("weekday label", "Sunday"),
]


def _color(value: str) -> str:
    if not COLOR.match(value or ""):
        raise ValidationError(_("Choose a colour as #RRGGBB, e.g. #2563eb."))
    return value


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def _clock(hour: str, minute: str | None, text: str) -> dt.time:
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        raise ValidationError(_("“%(text)s”: times run from 00:00 to 23:59.") % {"text": text})
    return dt.time(h, m)


def intervals_parse(text: str) -> list[Interval]:
    """Intervals from text like 09:00-12:30, 13:30-18:00 (also 9-12.30, en dashes,
    semicolons); empty or "off" for none."""
    text = (text or "").strip()
    if not text or text.lower() in {"off", "closed", "-", "–"}:
        return []
    intervals = []
    for part in re.split(r"[,;\n]+", text):
        part = part.strip()
        if not part:
            continue
        match = _RANGE.match(part)
        if not match:
            raise ValidationError(
                _(
                    "“%(text)s” is not a time range; write it like 09:00-12:30, several separated "
                    "by commas."
                )
                % {"text": part}
            )
        intervals.append(
            (_clock(match["h1"], match["m1"], part), _clock(match["h2"], match["m2"], part))
        )
    return intervals


def intervals_text(intervals: list[Interval]) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in intervals)


class IntervalsField(forms.CharField):
    """Text such as "09:00-12:30, 13:30-18:00" cleaned to sorted, non-overlapping intervals."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "placeholder": "09:00-12:30, 13:30-18:00",
                    "autocomplete": "off",
                    "spellcheck": "false",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        intervals = intervals_parse(text)
        try:
            return intervals_check(intervals, field="value")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["value"]) from None


# --- services ------------------------------------------------------------------------------------
class ServiceForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Service
        fields = [
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
            "staff",
            "needs_room",
            "rooms",
            "recall_months",
            "color",
            "active",
            "position",
        ]
        widgets = {
            "color": forms.TextInput(attrs={"type": "color"}),
            "staff": forms.CheckboxSelectMultiple,
            "rooms": forms.CheckboxSelectMultiple,
        }
        labels = {"position": gettext_lazy("Order in lists")}
        help_texts = {
            "min_notice_minutes": gettext_lazy(
                "Online and API bookings only; the front desk can always book."
            ),
            "daily_cap": gettext_lazy("Empty: no limit."),
            "recall_months": gettext_lazy("Empty: no recall message."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = StaffMember.objects.order_by("-active", "position", "name")
        self.fields["rooms"].queryset = Room.objects.order_by("-active", "position", "name")
        self.fields["price"].label = _("Price (%(currency)s)") % {
            "currency": tenant_current().currency
        }

    def clean_color(self):
        return _color(self.cleaned_data["color"])

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and price < 0:
            raise ValidationError(_("The price cannot be negative."))
        return price


# --- staff ---------------------------------------------------------------------------------------
class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.name} ({obj.email})" if obj.name else obj.email


class StaffForm(StyledFormMixin, forms.ModelForm):
    user = UserChoiceField(
        queryset=users_active().none(),
        required=False,
        label=gettext_lazy("Login"),
        help_text=gettext_lazy("Optional: the team member who signs in as this person."),
    )

    class Meta:
        model = StaffMember
        fields = ["name", "title", "color", "user", "bookable_online", "active", "position"]
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}
        labels = {"position": gettext_lazy("Order in the calendar")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users_active()

    def clean_color(self):
        return _color(self.cleaned_data["color"])

    def clean_user(self):
        user = self.cleaned_data["user"]
        taken = user and StaffMember.objects.filter(user=user).exclude(pk=self.instance.pk).first()
        if taken:
            raise ValidationError(
                _("This login already belongs to %(name)s.") % {"name": taken.name}
            )
        return user


class WeeklyHoursForm(StyledFormMixin, forms.Form):
    """Weekly hours as time fields: up to ROWS intervals a day (`monday_0_start`,
    `monday_0_end`, ...), so several intervals work without JavaScript; a day with none is off.
    Each day also has a hidden field (`monday`) that carries the day's errors, so the
    service's messages ({"monday": ...}) land next to the day.

    "Copy Monday to ..." is a submit button (`copy` = "weekdays" or "all"): the page comes back
    with Monday's intervals copied, to check and save (a script does the same in place)."""

    ROWS = 4
    COPY_TARGETS = {"weekdays": range(1, 5), "all": range(1, 7)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in zip(WEEKDAYS, DAY_LABELS, strict=True):
            self.fields[key] = forms.CharField(required=False, widget=forms.HiddenInput)
            for row in range(self.ROWS):
                for part, word in (("start", _("from")), ("end", _("until"))):
                    field = forms.TimeField(
                        label=f"{label}, {word} ({row + 1})",
                        required=False,
                        widget=_time(),
                        error_messages={
                            "invalid": _("%(day)s: enter a time such as 09:00.") % {"day": label}
                        },
                    )
                    field.widget.attrs.update({"data-day": key, "data-part": part})
                    self.fields[f"{key}_{row}_{part}"] = field

    @classmethod
    def initial_for(cls, week: dict[int, list[Interval]]) -> dict[str, dt.time]:
        initial = {}
        for day, intervals in week.items():
            for row, (start, end) in enumerate(intervals[: cls.ROWS]):
                initial[f"{WEEKDAYS[day]}_{row}_start"] = start
                initial[f"{WEEKDAYS[day]}_{row}_end"] = end
        return initial

    @classmethod
    def copied(cls, data, target: str) -> dict:
        """The posted values with Monday's intervals copied to the target days (the no-script
        "Copy Monday to ..." button)."""
        data = data.copy()
        for day in cls.COPY_TARGETS.get(target, ()):
            for row in range(cls.ROWS):
                for part in ("start", "end"):
                    data[f"{WEEKDAYS[day]}_{row}_{part}"] = data.get(f"monday_{row}_{part}", "")
        return data

    def days(self) -> list[dict]:
        """For the template: each day's label, error field and rows (a row is shown when it
        has a value, and the first empty one too; the rest wait for "Add an interval")."""
        days = []
        for key, label in zip(WEEKDAYS, DAY_LABELS, strict=True):
            rows, empty_shown = [], False
            for row in range(self.ROWS):
                start, end = self[f"{key}_{row}_start"], self[f"{key}_{row}_end"]
                filled = bool(start.value() or end.value() or start.errors or end.errors)
                shown = filled or not empty_shown
                empty_shown = empty_shown or not filled
                rows.append({"start": start, "end": end, "shown": shown})
            errors = list(self[key].errors)
            for row in rows:
                errors += [e for e in row["start"].errors + row["end"].errors if e not in errors]
            days.append(
                {"key": key, "label": label, "field": self[key], "rows": rows, "errors": errors}
            )
        return days

    def clean(self):
        cleaned = super().clean()
        for key, label in zip(WEEKDAYS, DAY_LABELS, strict=True):
            for row in range(self.ROWS):
                start = cleaned.get(f"{key}_{row}_start")
                end = cleaned.get(f"{key}_{row}_end")
                if (start is None) != (end is None) and not (
                    self.has_error(f"{key}_{row}_start") or self.has_error(f"{key}_{row}_end")
                ):
                    self.add_error(
                        key,
                        _("%(day)s: give both the start and the end of each interval.")
                        % {"day": label},
                    )
                    break
        return cleaned

    def full_clean(self):
        super().full_clean()
        for name in self.errors:  # a row's errors are listed under its day
            if name in self.fields and name.count("_") == 2:
                self.fields[name].widget.attrs["aria-describedby"] = f"{name.split('_')[0]}-errors"

    def week(self) -> dict[int, list[Interval]]:
        week: dict[int, list[Interval]] = {}
        for day, key in enumerate(WEEKDAYS):
            week[day] = []
            for row in range(self.ROWS):
                start = self.cleaned_data.get(f"{key}_{row}_start")
                end = self.cleaned_data.get(f"{key}_{row}_end")
                if start is not None and end is not None:
                    week[day].append((start, end))
        return week


class HoursOverrideForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=_date())
    intervals = IntervalsField(
        label=gettext_lazy("Hours that day"),
        help_text=gettext_lazy("Replaces the usual hours of that date only."),
    )


class TimeOffForm(StyledFormMixin, forms.Form):
    """Local dates and optional times; without times whole days are taken."""

    date_from = forms.DateField(label=gettext_lazy("From"), widget=_date())
    time_from = forms.TimeField(label=gettext_lazy("at"), required=False, widget=_time())
    date_to = forms.DateField(label=gettext_lazy("Until"), widget=_date())
    time_to = forms.TimeField(label=gettext_lazy("at"), required=False, widget=_time())
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=120, required=False)
    # where a service error about the instants belongs
    FIELD_FOR = {"starts_at": "date_from", "ends_at": "date_to"}

    def instants(self, zone) -> tuple[dt.datetime, dt.datetime]:
        data = self.cleaned_data
        start = dt.datetime.combine(data["date_from"], data["time_from"] or dt.time(0), zone)
        if data["time_to"] is not None:
            end = dt.datetime.combine(data["date_to"], data["time_to"], zone)
        else:
            end = dt.datetime.combine(data["date_to"] + dt.timedelta(days=1), dt.time(0), zone)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


# --- rooms, holidays -----------------------------------------------------------------------------
class RoomForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "active", "position"]
        labels = {"position": gettext_lazy("Order in lists")}


class HolidayForm(StyledFormMixin, forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=_date())
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120, required=False)


# --- booking rules -------------------------------------------------------------------------------
class AppointmentSettingsForm(StyledFormMixin, forms.ModelForm):
    reminders = forms.CharField(required=False, widget=forms.HiddenInput)  # carries its errors

    class Meta:
        model = AppointmentSettings
        fields = [
            "slot_step_minutes",
            "cancellation_notice_hours",
            "online_booking",
            "booking_intro",
        ]
        widgets = {"booking_intro": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for n in range(REMINDER_ROWS):
            amount = forms.IntegerField(
                label=gettext_lazy("Reminder %(n)d: how long before") % {"n": n + 1},
                required=False,
                min_value=1,
                max_value=43200,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            unit = forms.ChoiceField(
                label=gettext_lazy("unit"), choices=UNITS, required=False, initial="hours"
            )
            channel = forms.ChoiceField(
                label=gettext_lazy("by"), required=False, choices=ReminderChannel.choices
            )
            self.fields[f"reminder_{n}_amount"] = amount
            self.fields[f"reminder_{n}_unit"] = unit
            self.fields[f"reminder_{n}_channel"] = channel
        if self.instance and not self.is_bound:
            for n, reminder in enumerate((self.instance.reminders or [])[:REMINDER_ROWS]):
                minutes = int(reminder.get("minutes") or 0)
                unit = (
                    "days" if minutes % 1440 == 0 else "hours" if minutes % 60 == 0 else ("minutes")
                )
                self.initial[f"reminder_{n}_amount"] = minutes // UNIT_MINUTES[unit]
                self.initial[f"reminder_{n}_unit"] = unit
                self.initial[f"reminder_{n}_channel"] = reminder.get("channel") or ""
        self.rows = [
            (
                self[f"reminder_{n}_amount"],
                self[f"reminder_{n}_unit"],
                self[f"reminder_{n}_channel"],
            )
            for n in range(REMINDER_ROWS)
        ]

    def reminder_list(self) -> list[dict]:
        reminders = []
        for n in range(REMINDER_ROWS):
            amount = self.cleaned_data.get(f"reminder_{n}_amount")
            if not amount:
                continue
            unit = self.cleaned_data.get(f"reminder_{n}_unit") or "hours"
            reminders.append(
                {
                    "minutes": amount * UNIT_MINUTES[unit],
                    "channel": self.cleaned_data.get(f"reminder_{n}_channel") or "",
                }
            )
        return reminders

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
