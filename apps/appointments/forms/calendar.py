"""Calendar forms: which day and whose, booking from a free time, moving, cancelling and the
status buttons. Dates and times are the practice's local ones."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.contacts.selectors import contacts_live
from cxsuite.lib.forms import CleanTextFormMixin, StyledFormMixin

from ..models import AppointmentStatus, Service, Source, StaffMember
from ..services.customers import CustomerDetails, customer_details_clean

VIEWS = [("day", gettext_lazy("Day")), ("week", gettext_lazy("Week"))]
STATUS_ACTIONS = [
    (AppointmentStatus.CONFIRMED, gettext_lazy("Confirm")),
    (AppointmentStatus.CHECKED_IN, gettext_lazy("Check in")),
    (AppointmentStatus.COMPLETED, gettext_lazy("Complete")),
    (AppointmentStatus.NO_SHOW, gettext_lazy("No-show")),
]
CORRECTION_LABELS = {
    AppointmentStatus.CHECKED_IN: gettext_lazy("Checked in"),
    AppointmentStatus.COMPLETED: gettext_lazy("Completed"),
    AppointmentStatus.NO_SHOW: gettext_lazy("No-show"),
}
# A service's error about the time belongs next to the date and time inputs.
FIELD_FOR = {"starts_at": "time", "staff_id": "staff"}


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _time() -> forms.TimeInput:
    return forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")


def add_booking_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's errors on the form's own fields (starts_at → the time input)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        name = FIELD_FOR.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


class CalendarQueryForm(CleanTextFormMixin, forms.Form):
    """?date=&view=&staff= — nonsense falls back to today, the day view, everyone."""

    date = forms.DateField(required=False)
    view = forms.ChoiceField(required=False, choices=VIEWS)
    staff = forms.IntegerField(required=False, min_value=1)

    def values(self, today: dt.date) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        day = data.get("date") or today
        if not dt.date(1970, 1, 1) <= day <= dt.date(2200, 1, 1):
            day = today
        return {"date": day, "view": data.get("view") or "day", "staff": data.get("staff")}


class _WhenForm(StyledFormMixin, forms.Form):
    staff = forms.ModelChoiceField(
        queryset=StaffMember.objects.none(),
        label=gettext_lazy("With"),
        empty_label=None,
    )
    date = forms.DateField(label=gettext_lazy("Date"), widget=_date())
    time = forms.TimeField(label=gettext_lazy("Time"), widget=_time())

    def __init__(self, *args, zone: zoneinfo.ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["staff"].queryset = StaffMember.objects.filter(active=True).order_by(
            "position", "name"
        )

    def starts_at(self) -> dt.datetime:
        data = self.cleaned_data
        return dt.datetime.combine(data["date"], data["time"], self.zone).astimezone(dt.UTC)


class BookForm(_WhenForm):
    """Book a contact from a free time; the contact is picked from search results, so its
    input is drawn by the template (never a list of every contact)."""

    contact = forms.ModelChoiceField(
        queryset=contacts_live().only(
            "pk", "first_name", "last_name", "email", "phone", "no_shows"
        ),
        widget=forms.HiddenInput,
        label=gettext_lazy("Contact"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose who the appointment is for.")},
    )
    # A customer who is not a contact yet (checked by the front desk's rules on customers).
    new_first_name = forms.CharField(
        label=gettext_lazy("First name"), required=False, max_length=80
    )
    new_last_name = forms.CharField(label=gettext_lazy("Last name"), required=False, max_length=80)
    new_phone = forms.CharField(
        label=gettext_lazy("Mobile"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    new_email = forms.CharField(
        label=gettext_lazy("Email"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "off"}),
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        label=gettext_lazy("Service"),
        empty_label=gettext_lazy("Choose a service"),
        error_messages={"required": gettext_lazy("Choose a service.")},
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    field_order = [
        "contact",
        "new_first_name",
        "new_last_name",
        "new_phone",
        "new_email",
        "staff",
        "service",
        "date",
        "time",
        "notes",
    ]
    NEW = ("new_first_name", "new_last_name", "new_phone", "new_email")

    def __init__(self, *args, services: list[Service], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(
            pk__in=[s.pk for s in services]
        ).order_by("position", "name")
        self.fields["service"].choices = [("", self.fields["service"].empty_label)] + [
            (s.pk, f"{s.name} · {s.duration_minutes} min") for s in services
        ]

    def new_customer(self) -> CustomerDetails | None:
        """The customer as typed, when a new one was (rather than a contact chosen)."""
        data = self.cleaned_data
        if not any(data.get(name) for name in self.NEW):
            return None
        return CustomerDetails(
            **{name.removeprefix("new_"): data.get(name, "") for name in self.NEW}
        )

    def clean(self):
        data = super().clean()
        typed = any(data.get(name) for name in self.NEW)
        if "contact" in data and not data["contact"] and not typed:
            self.add_error(
                "contact", _("Choose who the appointment is for, or enter a new customer.")
            )
        elif data.get("contact") and typed:
            self.add_error("contact", _("Choose a contact or enter a new customer, not both."))
        elif typed:
            try:  # every mistake at once, not the new customer's after the rest is right
                customer_details_clean(customer=self.new_customer(), source=Source.STAFF)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    self.add_error(f"new_{name}", errors)
        staff, service = data.get("staff"), data.get("service")
        if staff and service and not service.staff.filter(pk=staff.pk).exists():
            self.add_error(
                "service",
                _("%(staff)s does not perform %(service)s.")
                % {"staff": staff.name, "service": service.name},
            )
        return data


class MoveForm(_WhenForm):
    """A new date, time and (optionally other) staff member for a booking."""


class CancelForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Kept on the contact's timeline."),
    )


class StatusForm(CleanTextFormMixin, forms.Form):
    status = forms.ChoiceField(choices=STATUS_ACTIONS)
    # a no-show is recorded only once the second button ("Yes, mark as no-show") says so
    confirm = forms.BooleanField(required=False)
