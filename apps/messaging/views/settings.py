"""Settings → Messaging: sending rules and the SMS/voice provider account (managers)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.forms import StyledFormMixin, form_add_service_errors

from ..models import ProviderKind
from ..services.settings import (
    CAP_MAX,
    EDITABLE_FIELDS,
    FALLBACK_HOURS_MAX,
    FALLBACK_HOURS_MIN,
    messaging_settings,
    messaging_settings_update,
    provider_secret_hint,
    provider_secret_set,
)

_time = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class MessagingSettingsForm(StyledFormMixin, forms.Form):
    quiet_start = forms.TimeField(label=gettext_lazy("Quiet hours start"), widget=_time)
    quiet_end = forms.TimeField(
        label=gettext_lazy("Quiet hours end"),
        widget=_time,
        help_text=gettext_lazy(
            "Texts and calls wait until then, in the customer's time zone. "
            "The hours may run past midnight, e.g. 21:00 to 08:00."
        ),
    )
    marketing_cap_per_week = forms.IntegerField(
        label=gettext_lazy("Marketing messages per customer per week"),
        min_value=0,
        max_value=CAP_MAX,
    )
    email_fallback_hours = forms.IntegerField(
        label=gettext_lazy("Send by SMS when an important email is not opened within (hours)"),
        min_value=FALLBACK_HOURS_MIN,
        max_value=FALLBACK_HOURS_MAX,
    )
    sms_provider = forms.ChoiceField(
        label=gettext_lazy("SMS provider"), choices=ProviderKind.choices
    )
    voice_provider = forms.ChoiceField(
        label=gettext_lazy("Voice provider"), choices=ProviderKind.choices
    )
    provider_account = forms.CharField(
        label=gettext_lazy("Account id"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    provider_secret = forms.CharField(
        label=gettext_lazy("Auth token"),
        max_length=200,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=False),
    )
    provider_from_number = forms.CharField(
        label=gettext_lazy("Sending number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email_from = forms.EmailField(
        label=gettext_lazy("Email sender address"),
        required=False,
        help_text=gettext_lazy("Left empty, emails come from the platform's address."),
    )

    def __init__(self, *args, secret_hint: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["provider_secret"]
        if secret_hint:
            field.help_text = _("Saved: %(hint)s. Leave empty to keep it.") % {"hint": secret_hint}
        else:
            field.help_text = _("Not set yet.")


def _initial() -> dict:
    row = messaging_settings()
    return {name: getattr(row, name) for name in EDITABLE_FIELDS}


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def messaging_settings_edit(request):
    hint = provider_secret_hint()
    if request.method == "POST":
        form = MessagingSettingsForm(request.POST, secret_hint=hint)
        if form.is_valid():
            data = dict(form.cleaned_data)
            secret = data.pop("provider_secret")
            try:
                with transaction.atomic():
                    messaging_settings_update(actor=request.user, **data)
                    if secret:
                        provider_secret_set(secret=secret)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Messaging settings saved."))
                return redirect("messaging:messaging_settings")
    else:
        form = MessagingSettingsForm(initial=_initial(), secret_hint=hint)
    inbound_url = request.build_absolute_uri(reverse("messaging:twilio_inbound"))
    return render(
        request,
        "messaging/settings.html",
        {"form": form, "section": "messaging", "inbound_url": inbound_url},
    )
