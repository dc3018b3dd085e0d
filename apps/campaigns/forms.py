"""The campaign editor: the audience and settings, and the e-mail's blocks as rows."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from .blocks import BLOCK_TYPES
from .choices import CampaignChannel, PassedHourRule, ScheduleKind, WinnerMetric

BLOCK_LABELS = {
    "heading": _("Heading"),
    "text": _("Text"),
    "image": _("Image"),
    "button": _("Button"),
    "divider": _("Divider"),
    "footer": _("Footer (address and unsubscribe link)"),
}
EXTRA_ROWS = 3
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}
MAX_IMAGE_BYTES = 2 * 1024 * 1024


class CampaignForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Campaign name"), max_length=120)
    channel = forms.ChoiceField(label=_("Send by"), choices=CampaignChannel.choices)
    segments = forms.TypedMultipleChoiceField(
        label=_("Send to"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    excluded_segments = forms.TypedMultipleChoiceField(
        label=_("Leave out"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    topic = forms.TypedChoiceField(label=_("Topic"), coerce=int, required=False, empty_value=None)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    sender_name = forms.CharField(
        label=_("Sender name"),
        max_length=80,
        required=False,
        help_text=_("Shown as who the e-mail is from; empty for your business's name."),
    )
    sms_text = forms.CharField(
        label=_("Text message (SMS)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    throttle_per_minute = forms.IntegerField(
        label=_("Messages per minute"),
        min_value=0,
        initial=0,
        help_text=_("0 sends as fast as possible."),
    )

    ab_share = forms.IntegerField(
        label=_("A/B test share (%)"),
        required=False,
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_(
            "The share of the audience split across the variants; the rest gets the winner."
        ),
    )
    winner_metric = forms.ChoiceField(
        label=_("Winner picked by"), choices=WinnerMetric.choices, required=False
    )
    winner_wait_hours = forms.IntegerField(
        label=_("Pick the winner after (hours)"),
        required=False,
        min_value=1,
        max_value=168,
        initial=4,
    )
    conversion_days = forms.IntegerField(
        label=_("Conversion window (days)"),
        required=False,
        min_value=1,
        max_value=90,
        initial=7,
        help_text=_("A purchase or booking this many days after a click counts as a conversion."),
    )

    def __init__(self, *args, segments=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(s.pk, s.name) for s in segments]
        self.fields["segments"].choices = choices
        self.fields["excluded_segments"].choices = choices
        self.fields["topic"].choices = [("", _("No topic")), *[(t.pk, t.name) for t in topics]]


class BlockForm(StyledFormMixin, forms.Form):
    type = forms.ChoiceField(
        label=_("Block"),
        required=False,
        choices=[("", _("— none —")), *[(t, BLOCK_LABELS[t]) for t in BLOCK_TYPES]],
    )
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    url = forms.CharField(label=_("Button link"), required=False, max_length=2000)
    image = forms.ImageField(label=_("Image"), required=False)
    alt = forms.CharField(
        label=_("Image description (for screen readers)"), required=False, max_length=200
    )
    src = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image is None:
            return None
        if image.size > MAX_IMAGE_BYTES:
            raise forms.ValidationError(_("Use an image under 2 MB."))
        if getattr(image, "content_type", "") not in IMAGE_TYPES:
            raise forms.ValidationError(_("Use a PNG, JPEG, GIF or WebP image."))
        return image


BlockFormSet = forms.formset_factory(BlockForm, extra=0, max_num=40)


class ScheduleForm(StyledFormMixin, forms.Form):
    schedule = forms.ChoiceField(label=_("When"), choices=ScheduleKind.choices)
    send_at = forms.DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    local_time = forms.TimeField(
        label=_("Local time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    passed_hour = forms.ChoiceField(
        label=_("Where that hour has already passed"), choices=PassedHourRule.choices
    )
    send_by = forms.DateTimeField(
        label=_("Send before"),
        required=False,
        help_text=_("Messages still unsent then are dropped, with the reason."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class TopicForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("A short word for the API and imports, e.g. newsletter."),
    )
    description = forms.CharField(label=_("What customers get"), max_length=200, required=False)
