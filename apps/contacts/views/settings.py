"""Settings → Contact fields: the business's custom fields and its RFM window."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.forms import StyledFormMixin, form_add_service_errors

from ..models import CustomField, CustomFieldType
from ..services.custom_fields import custom_field_create, custom_field_delete
from ..services.rfm import RFM_WINDOW_MAX, RFM_WINDOW_MIN, rfm_settings, rfm_window_set


class CustomFieldForm(StyledFormMixin, forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=80)
    type = forms.ChoiceField(label=gettext_lazy("Type"), choices=CustomFieldType.choices)
    choices = forms.CharField(
        label=gettext_lazy("Choices"),
        required=False,
        help_text=gettext_lazy("For a choice field: the options, separated by commas."),
    )
    required = forms.BooleanField(label=gettext_lazy("Required on every contact"), required=False)


class RfmWindowForm(StyledFormMixin, forms.Form):
    rfm_window_days = forms.IntegerField(
        label=gettext_lazy("RFM looks back over (days)"),
        min_value=RFM_WINDOW_MIN,
        max_value=RFM_WINDOW_MAX,
        help_text=gettext_lazy(
            "Purchases older than this do not count toward recency, frequency "
            "and value. Changing it rescores every contact."
        ),
    )


def _context(field_form=None, window_form=None) -> dict:
    return {
        "fields": CustomField.objects.order_by("label"),
        "field_form": field_form or CustomFieldForm(),
        "window_form": window_form
        or RfmWindowForm(initial={"rfm_window_days": rfm_settings().rfm_window_days}),
        "section": "contact_fields",
    }


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def contact_settings(request):
    field_form = window_form = None
    if request.method == "POST" and request.POST.get("form") == "field":
        field_form = CustomFieldForm(request.POST)
        if field_form.is_valid():
            data = field_form.cleaned_data
            try:
                field = custom_field_create(
                    key=slugify(data["label"]).replace("-", "_")[:40],
                    label=data["label"],
                    type=data["type"],
                    required=data["required"],
                    choices=[c.strip() for c in data["choices"].split(",") if c.strip()] or None,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict") and "key" in exc.error_dict:
                    exc = ValidationError({"label": exc.error_dict["key"]})
                form_add_service_errors(field_form, exc)
            else:
                messages.success(
                    request, _("“%(label)s” added to every contact.") % {"label": field.label}
                )
                return redirect("contacts:contact_settings")
    elif request.method == "POST" and request.POST.get("form") == "window":
        window_form = RfmWindowForm(request.POST)
        if window_form.is_valid():
            try:
                rfm_window_set(days=window_form.cleaned_data["rfm_window_days"])
            except ValidationError as exc:
                form_add_service_errors(window_form, exc)
            else:
                messages.success(request, _("RFM window saved; every contact is rescored."))
                return redirect("contacts:contact_settings")
    return render(request, "contacts/contact_settings.html", _context(field_form, window_form))


@role_required(Role.MANAGER)
@require_POST
def custom_field_remove(request, pk: int):
    field = get_object_or_404(CustomField, pk=pk)
    custom_field_delete(field=field)
    messages.success(request, _("“%(label)s” removed from every contact.") % {"label": field.label})
    return redirect("contacts:contact_settings")
