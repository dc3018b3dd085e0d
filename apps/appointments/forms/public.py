"""The customer's forms on the public booking page: who they are, and the waitlist.

Each has a honeypot: a field people never see (it is off-screen and skipped by the keyboard)
that form-filling robots do fill in."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from ..services.customers import CustomerDetails

HONEYPOT_ERROR = _("We could not take this request. Please try again.")


class _HoneypotMixin(forms.Form):
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self):
        cleaned = super().clean()
        if (self.data.get(self.add_prefix("website")) or "").strip():
            raise forms.ValidationError(HONEYPOT_ERROR, code="honeypot")
        return cleaned


class _PersonMixin(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=80,
        error_messages={"required": _("Please give your first name.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=80,
        error_messages={"required": _("Please give your last name.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        error_messages={
            "required": _("Please give your email address."),
            "invalid": _("Enter a valid email address, e.g. name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=40,
        error_messages={"required": _("Please give your mobile number.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def customer(self) -> CustomerDetails:
        """Who is booking, as typed (the booking rules check it when it is matched)."""
        data = self.cleaned_data
        return CustomerDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            phone=data["phone"],
            sms_opt_in=bool(data.get("sms_opt_in")),
            marketing_opt_in=bool(data.get("marketing_opt_in")),
        )


class BookingDetailsForm(StyledFormMixin, _PersonMixin, _HoneypotMixin):
    """The last step: the customer's name and how to reach them."""

    sms_opt_in = forms.BooleanField(label=_("Text me reminders"), required=False)
    marketing_opt_in = forms.BooleanField(label=_("Send me news and offers"), required=False)
    notes = forms.CharField(
        label=_("Anything we should know?"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "sms_opt_in",
        "marketing_opt_in",
        "notes",
        "website",
    ]


class WaitlistForm(StyledFormMixin, _PersonMixin, _HoneypotMixin):
    """Nothing free yet: tell me when something comes free between these dates (the rules on
    the dates are waitlist_join's)."""

    date_from = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the first day that would suit.")},
    )
    date_to = forms.DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the last day that would suit.")},
    )

    field_order = ["first_name", "last_name", "email", "phone", "date_from", "date_to", "website"]
