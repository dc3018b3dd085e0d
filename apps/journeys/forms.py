"""The builder's forms: a new journey, its trigger and rules, one step, activation, a test
run, and the contact page's "post an event"."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.forms import StyledFormMixin

from .models import EntryRule

CHANNEL_CHOICES = [
    ("best", _("Best channel for this contact")),
    ("email", _("E-mail")),
    ("sms", _("SMS")),
    ("voice", _("Voice call")),
]
WAIT_CHOICES = [
    ("duration", _("For a while")),
    ("time_of_day", _("Until a time of day")),
    ("event", _("Until an event (with a time-out)")),
]
BRANCH_CHOICES = [
    ("event", _("An event happened")),
    ("segment", _("In a segment")),
]
VOUCHER_KIND_CHOICES = [
    ("", "—"),
    ("amount_off", _("An amount off")),
    ("percent_off", _("A percent off")),
]
TRIGGER_CHOICES = [
    ("event", _("An event")),
    ("segment", _("Entering a segment")),
    ("segment_left", _("Leaving a segment")),
    ("date", _("A date of the contact")),
]


class JourneyNewForm(StyledFormMixin, forms.Form):
    template = forms.ChoiceField(label=_("Start from"), required=False)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, templates, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", _("A blank journey"))] + [
            (t.key, t.name) for t in templates
        ]
        self.fields["segment"].choices = [("", "—")] + [(s.pk, s.name) for s in segments]
        self.fields["segment"].help_text = _(
            "For the templates that start when someone enters a segment."
        )


class JourneySettingsForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    trigger_kind = forms.ChoiceField(label=_("Starts with"), choices=TRIGGER_CHOICES)
    event_type = forms.ChoiceField(label=_("Event"), required=False)
    filter_property = forms.CharField(
        label=_("Only when the property"), required=False, max_length=60
    )
    filter_value = forms.CharField(label=_("equals"), required=False, max_length=120)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )
    date_field = forms.ChoiceField(label=_("Date field"), required=False)
    offset_days = forms.IntegerField(
        label=_("Days after the date (negative: before)"),
        required=False,
        min_value=-366,
        max_value=366,
    )
    at = forms.TimeField(label=_("At (contact's time)"), required=False)
    entry_rule = forms.ChoiceField(label=_("Who may enter"), choices=EntryRule.choices)
    reentry_days = forms.IntegerField(
        label=_("Again after (days)"), required=False, min_value=0, max_value=3650
    )
    goal_event = forms.ChoiceField(label=_("Goal"), required=False)
    goal_days = forms.IntegerField(
        label=_("Within (days)"), required=False, min_value=1, max_value=365
    )
    exit_event = forms.ChoiceField(label=_("Leave when"), required=False)
    holdout_percent = forms.IntegerField(
        label=_("Holdout share (%)"), required=False, min_value=0, max_value=50
    )

    def __init__(self, *args, event_choices, segments, date_fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = [("", "—"), *event_choices]
        self.fields["goal_event"].choices = [("", _("No goal")), *event_choices]
        self.fields["exit_event"].choices = [("", _("Only at the end")), *event_choices]
        self.fields["segment"].choices = [("", "—")] + [(s.pk, s.name) for s in segments]
        self.fields["date_field"].choices = [("", "—"), *date_fields]


class VoucherFieldsForm(forms.Form):
    """The voucher a step or an offer gives: a reward of the loyalty catalogue (its choices set
    by the form that uses it), else an amount or percent off."""

    reward = forms.TypedChoiceField(
        label=_("Reward to give"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("From the loyalty catalogue, free of points; or leave it and give an amount."),
    )
    voucher_kind = forms.ChoiceField(
        label=_("Or a voucher of"), choices=VOUCHER_KIND_CHOICES, required=False
    )
    voucher_value = forms.DecimalField(
        label=_("Amount or percent off"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal("10000"),
        decimal_places=2,
    )
    valid_days = forms.IntegerField(
        label=_("The voucher is valid for (days)"), required=False, min_value=1, max_value=3650
    )

    def voucher_config(self) -> dict:
        """The voucher as `step_loyalty.voucher_clean` takes it."""
        d = self.cleaned_data
        config: dict = {"reward": d.get("reward")}
        if d.get("reward") is None:
            config |= {
                "kind": d.get("voucher_kind") or "",
                "value": str(d["voucher_value"]) if d.get("voucher_value") else "",
                "valid_days": d.get("valid_days") or 90,
            }
        return config


class StepForm(StyledFormMixin, VoucherFieldsForm):
    """One step of any built-in kind; the fields that do not apply to it are ignored."""

    field_order = (
        *("type", "channel", "subject", "text", "service", "wait_mode", "minutes", "at"),
        *("event_type", "branch_kind", "segment", "title", "points"),
        *VoucherFieldsForm.base_fields,
        *("tag", "set_field", "set_value", "endpoint", "else_step"),
    )

    type = forms.ChoiceField(label=_("Kind of step"))
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_CHOICES, required=False)
    subject = forms.CharField(label=_("Subject (e-mail)"), required=False, max_length=200)
    text = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Use {first_name} and the trigger's properties, e.g. {amount} or {due_date}."),
    )
    service = forms.BooleanField(
        label=_("Service message (no marketing consent needed)"), required=False
    )
    wait_mode = forms.ChoiceField(label=_("Wait"), choices=WAIT_CHOICES, required=False)
    minutes = forms.IntegerField(label=_("Minutes (a day is 1440)"), required=False, min_value=0)
    at = forms.TimeField(label=_("Time of day"), required=False)
    event_type = forms.ChoiceField(label=_("Event"), required=False)
    branch_kind = forms.ChoiceField(label=_("Look at"), choices=BRANCH_CHOICES, required=False)
    segment = forms.TypedChoiceField(
        label=_("Segment"), required=False, coerce=int, empty_value=None
    )
    title = forms.CharField(label=_("Task"), required=False, max_length=200)
    points = forms.IntegerField(
        label=_("Points to grant"), required=False, min_value=1, max_value=100_000
    )
    tag = forms.CharField(label=_("Tag to add"), required=False, max_length=40)
    set_field = forms.ChoiceField(label=_("Field to set"), required=False)
    set_value = forms.CharField(
        label=_("New value"),
        required=False,
        max_length=200,
        help_text=_("May use {first_name} and the trigger's properties."),
    )
    endpoint = forms.TypedChoiceField(
        label=_("Webhook endpoint"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The partner address that receives the event, once per person."),
    )
    else_step = forms.ChoiceField(label=_("Otherwise (no, time-out) go to"), required=False)

    def __init__(
        self,
        *args,
        step_types,
        event_choices,
        segments,
        targets,
        endpoints=(),
        contact_fields=(),
        rewards=(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = step_types
        self.fields["reward"].choices = [("", "—"), *rewards]
        self.fields["endpoint"].choices = [("", "—"), *endpoints]
        self.fields["set_field"].choices = [("", "—"), *contact_fields]
        self.fields["event_type"].choices = [("", "—"), *event_choices]
        self.fields["segment"].choices = [("", "—")] + [(s.pk, s.name) for s in segments]
        self.fields["else_step"].choices = [("", _("The next step")), ("exit", _("Exit")), *targets]

    def step_data(self) -> dict:
        """The step as the builder saves it (checked by the step type's own rules)."""
        d = self.cleaned_data
        kind = d["type"]
        config: dict = {}
        if kind == "send":
            config = {
                "channel": d.get("channel") or "best",
                "subject": d.get("subject", ""),
                "text": d.get("text", ""),
                "service": d.get("service"),
            }
        elif kind == "offer":
            config = {"channel": d.get("channel") or "best", "service": d.get("service")}
        elif kind == "wait":
            mode = d.get("wait_mode") or "duration"
            config = {"mode": mode, "minutes": d.get("minutes") or 0}
            if mode == "time_of_day":
                config["at"] = d["at"].strftime("%H:%M") if d.get("at") else ""
            if mode == "event":
                config["event_type"] = d.get("event_type") or ""
        elif kind == "branch":
            config = {
                "kind": d.get("branch_kind") or "event",
                "event_type": d.get("event_type") or "",
                "segment_id": d.get("segment"),
            }
        elif kind == "task":
            config = {"title": d.get("title", ""), "due_days": 1}
        elif kind == "loyalty.points":
            config = {"points": d.get("points")}
        elif kind == "loyalty.voucher":
            config = self.voucher_config()
        elif kind == "tag":
            config = {"add": [d["tag"]] if d.get("tag") else []}
        elif kind == "field":
            config = {"field": d.get("set_field") or "", "value": d.get("set_value", "")}
        elif kind == "webhook":
            config = {"endpoint_id": d.get("endpoint")}
        step = {"type": kind, "config": config}
        if d.get("else_step"):
            step["else"] = d["else_step"]
        return step

    @property
    def kind(self) -> str:
        """The kind of step chosen (posted, else the initial one, else the first)."""
        if self.is_bound:
            chosen = self.data.get(self.add_prefix("type"))
        else:
            chosen = self.initial.get("type")
        keys = [str(key) for key, _label in self.fields["type"].choices]
        return chosen if chosen in keys else (keys[0] if keys else "")

    def fields_of(self, kind: str) -> list[forms.BoundField]:
        """The inputs of one kind of step, in the order its type declares them."""
        from .registries import step_types

        spec = step_types.get(kind)
        return [self[name] for name in (spec.fields if spec else ()) if name in self.fields]

    def fields_other_than(self, kind: str) -> list[forms.BoundField]:
        """Every other input (for a browser without scripts, which cannot swap them)."""
        shown = {field.name for field in self.fields_of(kind)} | {"type"}
        return [self[name] for name in self.fields if name not in shown]


class ActivateForm(StyledFormMixin, forms.Form):
    include_current = forms.BooleanField(
        label=_("Current members of the segment enter now"), required=False
    )
    hourly_cap = forms.IntegerField(
        label=_("At most this many entries per hour"), required=False, min_value=1, max_value=100000
    )


class TestRunForm(StyledFormMixin, forms.Form):
    contact = forms.IntegerField(label=_("Contact id"), min_value=1)


class EventPostForm(StyledFormMixin, forms.Form):
    type = forms.ChoiceField(label=_("What happened"))
    reference = forms.CharField(
        label=_("Reference (order or invoice number)"), required=False, max_length=80
    )
    amount = forms.CharField(label=_("Amount"), required=False, max_length=20)

    def __init__(self, *args, event_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = event_choices


REWARD_TYPE_CHOICES = [
    ("", _("Nothing")),
    ("points", _("Loyalty points")),
    ("voucher", _("A voucher")),
]


class OfferForm(StyledFormMixin, VoucherFieldsForm):
    """An offer of the catalogue: what it says, who may get it, when it counts as accepted,
    and what accepting it gives."""

    name = forms.CharField(label=_("Name"), max_length=120)
    text = forms.CharField(
        label=_("Message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the offer step sends. Use {first_name}."),
    )
    segment = forms.TypedChoiceField(
        label=_("Who may get it"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Build a segment on the Segments page to offer it to some customers only."),
    )
    accepted_event = forms.ChoiceField(
        label=_("Accepted when"),
        help_text=_("The customer's event that counts as taking the offer up."),
    )
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        max_value=100,
        initial=0,
        help_text=_(
            "The eligible offer with the highest priority is made; among equals, the one "
            "accepted most often by similar customers."
        ),
    )
    valid_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reward_type = forms.ChoiceField(
        label=_("Accepting it gives"), choices=REWARD_TYPE_CHOICES, required=False
    )
    points = forms.IntegerField(label=_("Points"), required=False, min_value=1, max_value=100_000)
    active = forms.BooleanField(
        label=_("Journeys may make this offer"), required=False, initial=True
    )

    def __init__(self, *args, event_choices, segments, rewards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted_event"].choices = [("", "—"), *event_choices]
        self.fields["segment"].choices = [("", _("Every customer"))] + [
            (s.pk, s.name) for s in segments
        ]
        self.fields["reward"].choices = [("", "—"), *rewards]
        self.fields["reward"].label = _("Voucher for a reward")

    @classmethod
    def initial_for(cls, offer) -> dict:
        reward = offer.reward or {}
        return {
            "name": offer.name,
            "text": offer.text,
            "segment": offer.segment_id,
            "accepted_event": offer.accepted_event,
            "priority": offer.priority,
            "valid_from": offer.valid_from,
            "valid_until": offer.valid_until,
            "reward_type": reward.get("type", ""),
            "points": reward.get("points"),
            "reward": reward.get("reward"),
            "voucher_kind": reward.get("kind", ""),
            "voucher_value": reward.get("value"),
            "valid_days": reward.get("valid_days"),
            "active": offer.active,
        }

    def offer_values(self) -> dict:
        """The offer as `offer_save` takes it (the reward is checked there)."""
        d = self.cleaned_data
        reward: dict = {}
        if d.get("reward_type") == "points":
            reward = {"type": "points", "points": d.get("points")}
        elif d.get("reward_type") == "voucher":
            reward = {"type": "voucher", **self.voucher_config()}
        return {
            "name": d["name"],
            "text": d["text"],
            "segment": d.get("segment"),
            "accepted_event": d["accepted_event"],
            "priority": d["priority"],
            "valid_from": d.get("valid_from"),
            "valid_until": d.get("valid_until"),
            "reward": reward,
            "active": d.get("active", False),
        }
