import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.tenants.formats import (
    business_country,
    business_time_zone,
    country_choices,
    time_zone_choices,
    zone_label,
)
from apps.tenants.languages import DEFAULT_LANGUAGE, LANGUAGE_NATIVE_NAMES, ui_language
from apps.tenants.models import CURRENCY_CHOICES
from apps.tenants.services import tenant_current
from cxsuite.lib.forms import CleanTextFormMixin, StyledFormMixin

from .models import Role
from .scopes import READ, scope_choices
from .services import LoginAttempt, login_attempt_register, login_attempts_clear


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class LoginForm(StyledFormMixin, AuthenticationForm):
    """E-mail and password. Each attempt is counted before its password is checked; past the
    limit even the right password is refused until the window has passed."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match an active account."),
    }

    def clean(self):
        email = self.cleaned_data.get("username")
        if not email or not self.cleaned_data.get("password"):
            return self.cleaned_data  # the field errors say what is missing; nothing is checked
        ip = client_ip(self.request) if self.request else ""
        attempt = login_attempt_register(email=email, ip=ip)
        if attempt.blocked:
            raise forms.ValidationError(_blocked_message(attempt), code="blocked")
        cleaned = super().clean()  # a wrong password raises here and stays counted
        login_attempts_clear(email=email, ip=ip)
        return cleaned


def _blocked_message(attempt: LoginAttempt) -> str:
    minutes = max(1, math.ceil(attempt.retry_after.total_seconds() / 60))
    return ngettext(
        "Too many failed attempts. Try again in %(minutes)d minute or reset your password.",
        "Too many failed attempts. Try again in %(minutes)d minutes or reset your password.",
        minutes,
    ) % {"minutes": minutes}


class PasswordResetRequestForm(CleanTextFormMixin, PasswordResetForm):
    """Django's form, with the check every form of the project makes."""


class PasswordSetForm(CleanTextFormMixin, SetPasswordForm):
    """Django's form, with the check every form of the project makes."""


class InvitationForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.STAFF)


class AcceptInvitationForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    password = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class UserRoleForm(StyledFormMixin, forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ApiKeyForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("e.g. the partner it is for")
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "scope-grid"}),
        initial=[READ],
        help_text=_(
            "Everything, or each resource apart: a resource's write scope includes reading it."
        ),
    )


class BusinessProfileForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=120)
    country = forms.ChoiceField(label=_("Country"), choices=country_choices)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=[])
    language = forms.ChoiceField(label=_("Default language"), choices=[])
    currency = forms.ChoiceField(
        label=_("Currency"),
        choices=CURRENCY_CHOICES,
        help_text=_("Service prices are shown in it, on the booking page too."),
    )
    brand_color = forms.CharField(
        label=_("Brand colour"), max_length=7, widget=forms.TextInput(attrs={"type": "color"})
    )
    logo = forms.ImageField(label=_("Logo"), required=False)
    clear_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        help_text=_("Shown on the booking page and in e-mails, so customers can call you."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        help_text=_("Customers' replies to your e-mails go here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    address = forms.CharField(
        label=_("Address"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    opening_note = forms.CharField(
        label=_("Opening note"),
        max_length=200,
        required=False,
        help_text=_("A line for customers, e.g. “Late opening on Thursdays until 8 pm.”"),
    )

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        country = self.data.get("country") or self.initial.get("country") or ""
        self.fields["time_zone"].choices = time_zone_choices(
            country=country, current=self.initial.get("time_zone", "")
        )


class PreferencesForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    time_zone = forms.ChoiceField(label=_("Your time zone"), choices=[], required=False)
    language = forms.ChoiceField(label=_("Your language"), choices=[], required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        business_language = ui_language(tenant_current().language) or DEFAULT_LANGUAGE
        self.fields["language"].choices = [
            (
                "",
                _("Same as the business · %(language)s")
                % {"language": LANGUAGE_NATIVE_NAMES[business_language]},
            ),
            *LANGUAGE_NATIVE_NAMES.items(),
        ]
        business_zone = business_time_zone()
        same = _("Same as the business")
        if business_zone:
            same = f"{same} · {zone_label(business_zone)}"
        self.fields["time_zone"].choices = [
            ("", same),
            *time_zone_choices(
                country=business_country(), current=self.initial.get("time_zone", "")
            ),
        ]
