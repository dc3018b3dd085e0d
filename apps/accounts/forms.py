from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from apps.tenants.models import CURRENCY_CHOICES, TIME_ZONE_CHOICES
from cxsuite.lib.forms import CleanTextFormMixin, StyledFormMixin

from .models import ApiScope, Role
from .services import login_failure_record, login_failures_clear, login_is_blocked


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class LoginForm(StyledFormMixin, AuthenticationForm):
    """E-mail and password; refuses further tries after repeated failures."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match an active account."),
        "blocked": _("Too many failed attempts. Wait 15 minutes or reset your password."),
    }

    def clean(self):
        email = self.cleaned_data.get("username", "")
        ip = client_ip(self.request) if self.request else ""
        if login_is_blocked(email=email, ip=ip):
            raise forms.ValidationError(self.error_messages["blocked"], code="blocked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(email=email, ip=ip)
            raise
        login_failures_clear(email=email, ip=ip)
        return cleaned


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
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiScope.READ],
    )


class BusinessProfileForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Business name"), max_length=120)
    country = forms.CharField(label=_("Country code"), max_length=2)
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)
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

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES


class PreferencesForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=[("", _("Same as the business"))] + TIME_ZONE_CHOICES,
        required=False,
    )
