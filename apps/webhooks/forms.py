"""Forms of the webhook settings pages: an endpoint, and a replay since a time."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from .selectors import event_type_choices


class EndpointForm(StyledFormMixin, forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_("Where the events are sent, as a signed POST (https://…)."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "url"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Who receives them, e.g. “Booking widget”."),
    )
    all_types = forms.BooleanField(label=_("Send every event type"), required=False, initial=True)
    event_types = forms.MultipleChoiceField(
        label=_("Event types"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these, unless every type is chosen above."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = event_type_choices()

    def clean(self):
        data = super().clean()
        if data is not None and not data.get("all_types") and not data.get("event_types"):
            self.add_error("event_types", _("Choose at least one event type, or every type."))
        return data

    def chosen_types(self) -> list[str]:
        """The types for the service: none means every type."""
        if self.cleaned_data.get("all_types"):
            return []
        return list(self.cleaned_data.get("event_types") or [])


class ReplayForm(StyledFormMixin, forms.Form):
    since = forms.DateTimeField(
        label=_("Send again everything since"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Up to 30 days back; events missed while the endpoint was off come too."),
    )
