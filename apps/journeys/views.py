"""Journey pages: the list, the builder (settings, steps drawn as a flow, activation, test
run), the figures with their funnel, the enrollments, and the contact page's panel (their
journeys, and posting a catalogue event such as "Order ready")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.contacts.registries import event_types
from apps.contacts.selectors import contact_find, contact_get
from apps.contacts.views.panels import ContactPanel
from cxsuite.lib.forms import form_add_service_errors

from . import selectors, services
from .forms import (
    ActivateForm,
    EventPostForm,
    JourneyNewForm,
    JourneySettingsForm,
    OfferForm,
    StepForm,
    TestRunForm,
)
from .models import Enrollment, JourneyStatus, VersionStatus
from .registries import step_types
from .services.offers import offer_reward_text
from .templates_catalogue import journey_templates

CONTACT_PANEL = ContactPanel(
    id="journeys",
    title=gettext_lazy("Journeys"),
    url_name="journeys:contact_journeys",
    order=40,
    min_role=Role.VIEWER,
)


def _segments():
    from apps.contacts.selectors.segments import segment_list

    return list(segment_list())


def _event_choices(*, partner_only: bool = False) -> list[tuple[str, str]]:
    return sorted(
        (
            (name, f"{spec.label} ({name})")
            for name, spec in event_types.items()
            if spec.partner or not partner_only
        ),
        key=lambda pair: pair[1],
    )


def _date_fields() -> list[tuple[str, str]]:
    from apps.contacts.selectors import custom_field_keys
    from apps.contacts.selectors.segment_rules import field_catalogue

    fields = [("birthday", str(_("Birthday")))]
    catalogue = field_catalogue()
    for key in custom_field_keys():
        spec = catalogue.get(f"custom.{key}")
        fields.append((f"custom.{key}", str(getattr(spec, "label", key))))
    return fields


def _custom_fields() -> list[tuple[str, str]]:
    """The contact's custom fields a step may set, as (`custom.<key>`, label)."""
    from apps.contacts.selectors.segment_rules import field_catalogue

    return [
        (key, str(getattr(spec, "label", key)))
        for key, spec in field_catalogue().items()
        if key.startswith("custom.")
    ]


def _can_write(request) -> bool:
    return request.user.has_role(Role.MANAGER)


# --- list --------------------------------------------------------------------------------
@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def journey_list(request):
    """Every journey with its state and counts; managers start a new one (from a template)."""
    templates = journey_templates()
    form = JourneyNewForm(request.POST or None, templates=templates, segments=_segments())
    if request.method == "POST":
        if not _can_write(request):
            raise Http404
        if form.is_valid():
            try:
                if form.cleaned_data["template"]:
                    journey = services.journey_from_template(
                        key=form.cleaned_data["template"], segment_id=form.cleaned_data["segment"]
                    )
                else:
                    journey = services.journey_create(
                        name=_("New journey"),
                        trigger={"kind": "event", "event_type": "order.ready", "filters": []},
                    )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return redirect("journeys:journey_detail", pk=journey.pk)
    return render(
        request,
        "journeys/journey_list.html",
        {
            "journeys": list(selectors.journey_list()),
            "form": form,
            "templates": templates,
            "can_write": _can_write(request),
        },
    )


# --- builder -----------------------------------------------------------------------------
def _trigger_from(form: JourneySettingsForm) -> dict:
    d = form.cleaned_data
    kind = d["trigger_kind"]
    if kind == "event":
        filters = []
        if d.get("filter_property"):
            filters = [
                {"property": d["filter_property"], "cmp": "eq", "value": d.get("filter_value", "")}
            ]
        return {"kind": "event", "event_type": d.get("event_type") or "", "filters": filters}
    if kind in ("segment", "segment_left"):
        return {
            "kind": "segment",
            "segment_id": d.get("segment"),
            "direction": "left" if kind == "segment_left" else "entered",
        }
    return {
        "kind": "date",
        "field": d.get("date_field") or "",
        "offset_days": d.get("offset_days") or 0,
        "at": d["at"].strftime("%H:%M") if d.get("at") else "09:00",
    }


def _settings_initial(journey) -> dict:
    trigger = journey.trigger or {}
    kind = trigger.get("kind", "event")
    if kind == "segment" and trigger.get("direction") == "left":
        kind = "segment_left"
    first = (trigger.get("filters") or [{}])[0]
    return {
        "name": journey.name,
        "trigger_kind": kind,
        "event_type": trigger.get("event_type", ""),
        "filter_property": first.get("property", ""),
        "filter_value": first.get("value", ""),
        "segment": trigger.get("segment_id"),
        "date_field": trigger.get("field", ""),
        "offset_days": trigger.get("offset_days", 0),
        "at": trigger.get("at", "09:00"),
        "entry_rule": journey.entry_rule,
        "reentry_days": journey.reentry_days,
        "goal_event": (journey.goal or {}).get("event_type", ""),
        "goal_days": (journey.goal or {}).get("within_days", 30),
        "exit_event": (journey.exit_events or [""])[0],
        "holdout_percent": journey.holdout_percent,
    }


def _builder_context(request, journey, **extra) -> dict:
    draft = journey.versions.filter(status=VersionStatus.DRAFT).first()
    shown = draft or journey.live_version
    steps = list(shown.steps) if shown else []
    labels = {key: spec.label for key, spec in step_types.items()}
    rewards = _rewards() if any(s["type"] == "loyalty.voucher" for s in steps) else []
    segments = _segments()
    names = {segment.pk: segment.name for segment in segments}
    flow = []
    for n, step in enumerate(steps):
        flow.append(
            {
                "n": n + 1,
                "step": step,
                "label": labels.get(step["type"], step["type"]),
                "summary": _step_summary(step, rewards=dict(rewards), segments=names),
                "else": step.get("else", ""),
                "first": n == 0,
                "last": n == len(steps) - 1,
            }
        )
    event_choices = _event_choices()
    context = {
        "journey": journey,
        "draft": draft,
        "shown": shown,
        "flow": flow,
        "can_write": _can_write(request),
        "settings_form": JourneySettingsForm(
            prefix="settings",
            initial=_settings_initial(journey),
            event_choices=event_choices,
            segments=segments,
            date_fields=_date_fields(),
        ),
        "step_form": _step_form(None, steps=steps, event_choices=event_choices, segments=segments),
        "activate_form": ActivateForm(
            prefix="activate", initial={"hourly_cap": journey.hourly_cap}
        ),
        "test_form": TestRunForm(prefix="test"),
        "preview": services.activation_preview(journey=journey),
        "versions": list(journey.versions.order_by("-number")),
    }
    context |= extra
    step_form = context["step_form"]
    context["step_fields"] = step_form.fields_of(step_form.kind)
    context["step_other_fields"] = step_form.fields_other_than(step_form.kind)
    return context


def _step_form(data, *, steps: list[dict], event_choices=None, segments=None) -> StepForm:
    """The builder's step form, its choices filled in (the journey's steps as targets)."""
    from apps.webhooks.selectors import webhook_endpoint_choices

    labels = {key: spec.label for key, spec in step_types.items()}
    return StepForm(
        data,
        prefix="step",
        initial={"type": "send"},
        step_types=[(k, s.label) for k, s in step_types.items()],
        event_choices=_event_choices() if event_choices is None else event_choices,
        segments=_segments() if segments is None else segments,
        targets=[
            (s["id"], f"{n + 1}. {labels.get(s['type'], s['type'])}") for n, s in enumerate(steps)
        ],
        endpoints=webhook_endpoint_choices(),
        contact_fields=_custom_fields(),
        rewards=_rewards(),
    )


def _rewards() -> list[tuple[int, str]]:
    """The loyalty rewards a voucher step may give (active, in their dates, in stock)."""
    from apps.loyalty.selectors.member_page import rewards_available

    return [(reward.pk, reward.name) for reward in rewards_available(at=timezone.now())]


def duration_words(minutes: Any) -> str:
    """A wait in the largest whole units: "1 day", "2 days 3 hours", "90 minutes" stays
    "1 hour 30 minutes"."""
    try:
        left = int(minutes or 0)
    except (TypeError, ValueError):
        return ""
    days, left = divmod(left, 1440)
    hours, left = divmod(left, 60)
    parts = [
        ngettext("%(n)s day", "%(n)s days", days) % {"n": days} if days else "",
        ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours} if hours else "",
        ngettext("%(n)s minute", "%(n)s minutes", left) % {"n": left} if left else "",
    ]
    return " ".join(part for part in parts if part) or ngettext(
        "%(n)s minute", "%(n)s minutes", 0
    ) % {"n": 0}


def _step_summary(
    step: dict,
    *,
    rewards: dict[int, str] | None = None,
    segments: dict[int, str] | None = None,
) -> str:
    config = step.get("config") or {}
    kind = step.get("type")
    if kind == "send":
        return f"{config.get('channel', 'best')}: {config.get('text', '')[:80]}"
    if kind == "wait":
        mode = config.get("mode")
        if mode == "time_of_day":
            return _("until %(at)s in the contact's time zone") % {"at": config.get("at")}
        if mode == "event":
            return _("until %(event)s, at most %(wait)s") % {
                "event": config.get("event_type"),
                "wait": duration_words(config.get("minutes")),
            }
        return duration_words(config.get("minutes"))
    if kind == "branch":
        if config.get("kind") == "segment":
            name = (segments or {}).get(config.get("segment_id"))
            if name is None:
                return _("in a segment that no longer exists?")
            return _("in segment “%(name)s”?") % {"name": name}
        return _("%(event)s happened?") % {"event": config.get("event_type")}
    if kind == "task":
        return config.get("title", "")
    if kind == "tag":
        return ", ".join(config.get("add") or [])
    if kind == "loyalty.points":
        return _("%(n)s points") % {"n": config.get("points")}
    if kind == "loyalty.voucher":
        from apps.loyalty.services.vouchers import voucher_grant_label

        if config.get("reward"):
            return (rewards or {}).get(config["reward"]) or _("a reward no longer available")
        try:
            return voucher_grant_label(config.get("kind", ""), Decimal(config.get("value")))
        except (TypeError, ValueError, ArithmeticError):
            return ""
    return ""


@role_required(Role.VIEWER)
@require_GET
def journey_detail(request, pk: int):
    """The builder: trigger and rules, the steps as a flow, activation and a test run."""
    journey = selectors.journey_get(pk)
    return render(request, "journeys/journey_detail.html", _builder_context(request, journey))


@role_required(Role.MANAGER)
@require_POST
def journey_settings(request, pk: int):
    journey = selectors.journey_get(pk)
    form = JourneySettingsForm(
        request.POST,
        prefix="settings",
        event_choices=_event_choices(),
        segments=_segments(),
        date_fields=_date_fields(),
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.journey_update(
                journey=journey,
                name=d["name"],
                trigger=_trigger_from(form),
                entry_rule=d["entry_rule"],
                reentry_days=d.get("reentry_days") or 0,
                goal={"event_type": d.get("goal_event"), "within_days": d.get("goal_days") or 30},
                exit_events=[d["exit_event"]] if d.get("exit_event") else [],
                holdout_percent=d.get("holdout_percent") or 0,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect("journeys:journey_detail", pk=journey.pk)
    context = _builder_context(request, journey, settings_form=form)
    return render(request, "journeys/journey_detail.html", context, status=400)


# a step type's error key -> the builder's input that shows it
STEP_ERROR_FIELDS = {
    "minutes": "minutes",
    "text": "text",
    "title": "title",
    "points": "points",
    "reward": "reward",
    "kind": "voucher_kind",
    "value": "voucher_value",
    "valid_days": "valid_days",
    "add": "tag",
    "endpoint_id": "endpoint",
    "field": "set_field",
}


def _steps_of(journey) -> list[dict]:
    draft = journey.versions.filter(status=VersionStatus.DRAFT).first()
    shown = draft or journey.live_version
    return [dict(step) for step in (shown.steps if shown else [])]


@role_required(Role.MANAGER)
@require_POST
def journey_step_save(request, pk: int):
    """Add a step (or replace one, with `step_id`) in the draft version."""
    journey = selectors.journey_get(pk)
    steps = _steps_of(journey)
    form = _step_form(request.POST, steps=steps)
    if form.is_valid():
        step = form.step_data()
        step_id = request.POST.get("step-step_id", "")
        if step_id:
            steps = [{**step, "id": step_id} if s["id"] == step_id else s for s in steps]
        else:
            steps.append(step)
        try:
            services.version_steps_set(journey=journey, steps=steps)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                field = key.rsplit(".", 1)[-1]
                field = STEP_ERROR_FIELDS.get(field)
                form.add_error(field, messages)
        else:
            return redirect(
                reverse("journeys:journey_detail", args=[journey.pk]) + "#journey-steps"
            )
    context = _builder_context(request, journey, step_form=form)
    return render(request, "journeys/journey_detail.html", context, status=400)


@role_required(Role.MANAGER)
@require_GET
def journey_step_fields(request, pk: int):
    """The inputs of one kind of step (`?step-type=`), swapped in when the kind changes."""
    journey = selectors.journey_get(pk)
    kind = request.GET.get("step-type", "")
    if kind not in step_types:
        raise Http404
    form = _step_form(None, steps=_steps_of(journey))
    # what was already typed in the form stays (a channel, a text), unchecked until saved
    for name in form.fields:
        value = request.GET.get(form.add_prefix(name))
        if value not in (None, ""):
            form.initial[name] = value
    return render(request, "journeys/_step_fields.html", {"fields": form.fields_of(kind)})


@role_required(Role.MANAGER)
@require_POST
def journey_step_move(request, pk: int, step_id: str):
    """Move a step up or down, or delete it (`action`)."""
    journey = selectors.journey_get(pk)
    steps = _steps_of(journey)
    index = next((n for n, s in enumerate(steps) if s["id"] == step_id), None)
    if index is None:
        raise Http404
    action = request.POST.get("action")
    if action == "up" and index > 0:
        steps[index - 1], steps[index] = steps[index], steps[index - 1]
    elif action == "down" and index < len(steps) - 1:
        steps[index + 1], steps[index] = steps[index], steps[index + 1]
    elif action == "delete":
        steps.pop(index)
        for step in steps:
            if step.get("else") == step_id:
                step.pop("else")
            if step.get("next") == step_id:
                step.pop("next")
    services.version_steps_set(journey=journey, steps=steps)
    return redirect(reverse("journeys:journey_detail", args=[journey.pk]) + "#journey-steps")


@role_required(Role.MANAGER)
@require_POST
def journey_state(request, pk: int):
    """Activate (with the chosen entry of current members and hourly cap), pause, resume or
    archive."""
    journey = selectors.journey_get(pk)
    action = request.POST.get("action")
    try:
        if action == "activate":
            form = ActivateForm(request.POST, prefix="activate")
            if not form.is_valid():
                raise ValidationError(form.errors)
            services.journey_update(journey=journey, hourly_cap=form.cleaned_data.get("hourly_cap"))
            services.journey_activate(
                journey=journey, include_current=form.cleaned_data["include_current"]
            )
        elif action == "pause":
            services.journey_pause(journey=journey)
        elif action == "resume":
            services.journey_resume(journey=journey)
        elif action == "archive":
            services.journey_archive(journey=journey)
        else:
            raise ValidationError({"action": _("Choose what to do.")})
    except ValidationError as exc:
        errors = (
            [m for messages in exc.message_dict.values() for m in messages]
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        context = _builder_context(request, selectors.journey_get(pk), state_errors=errors)
        return render(request, "journeys/journey_detail.html", context, status=400)
    return redirect("journeys:journey_detail", pk=journey.pk)


@role_required(Role.MANAGER)
@require_POST
def journey_test(request, pk: int):
    """A test run for one contact, each step shown as it ran."""
    journey = selectors.journey_get(pk)
    form = TestRunForm(request.POST, prefix="test")
    test = None
    errors: list[str] = []
    if form.is_valid():
        contact = contact_find(pk=form.cleaned_data["contact"])
        if contact is None:
            errors = [_("There is no contact with this id.")]
        else:
            try:
                enrollment = services.journey_test_run(journey=journey, contact=contact)
                test = selectors.enrollment_runs(enrollment)
            except ValidationError as exc:
                errors = exc.messages
    context = _builder_context(request, journey, test_runs=test, test_errors=errors, test_form=form)
    return render(request, "journeys/journey_detail.html", context, status=200 if test else 400)


# --- figures and enrollments -------------------------------------------------------------
@role_required(Role.VIEWER)
@require_GET
def journey_figures(request, pk: int):
    """Per version: entered, inside, each step, exits, goal, channels, offers; the funnel as
    SVG bars with the same figures as a table."""
    journey = selectors.journey_get(pk)
    figures = selectors.journey_figures(journey)
    for fig in figures:
        funnel = fig.funnel()
        top = max([fig.entered, *(n for _i, _t, n in funnel)], default=0) or 1
        labels = {key: str(spec.label) for key, spec in step_types.items()}
        fig.rows = [
            {
                "label": f"{n + 1}. {labels.get(kind, kind)}",
                "count": count,
                "now": fig.at_step.get(step_id, 0),
            }
            for n, (step_id, kind, count) in enumerate(funnel)
        ]
        fig.bars = [
            {"label": row["label"], "count": row["count"], "width": round(300 * row["count"] / top)}
            for row in fig.rows
        ]
        fig.bars.insert(
            0,
            {
                "label": str(_("Entered")),
                "count": fig.entered,
                "width": round(300 * fig.entered / top),
            },
        )
        fig.height = 28 * len(fig.bars) + 8
    return render(
        request, "journeys/journey_figures.html", {"journey": journey, "figures": figures}
    )


@role_required(Role.VIEWER)
@require_GET
def enrollment_list(request, pk: int):
    journey = selectors.journey_get(pk)
    enrollments = list(selectors.enrollment_list(journey=journey)[:200])
    return render(
        request, "journeys/enrollment_list.html", {"journey": journey, "enrollments": enrollments}
    )


@role_required(Role.VIEWER)
@require_GET
def enrollment_detail(request, pk: int):
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("journey", "contact", "version"), pk=pk, test_run=False
    )
    return render(
        request,
        "journeys/enrollment_detail.html",
        {"enrollment": enrollment, "runs": selectors.enrollment_runs(enrollment)},
    )


# --- the contact page --------------------------------------------------------------------
@role_required(CONTACT_PANEL.min_role)
@require_http_methods(["GET", "POST"])
def contact_journeys(request, contact_pk: int):
    """The contact's journeys, and staff posting a catalogue event ("Order ready")."""
    from apps.contacts.services import event_record

    contact = contact_get(contact_pk)
    form = EventPostForm(request.POST or None, event_choices=_event_choices(partner_only=True))
    posted = None
    if request.method == "POST":
        if not request.user.has_role(Role.STAFF) or contact.erased_at:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            properties: dict = {}
            if d.get("reference"):
                key = "invoice_id" if d["type"].startswith("invoice.") else "order_id"
                properties[key] = d["reference"]
            if d.get("amount"):
                properties["amount"] = d["amount"]
            try:
                posted = event_record(
                    contact=contact,
                    type=d["type"],
                    properties=properties,
                    source="staff",
                    actor=request.user,
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                if not request.htmx:
                    return redirect(
                        reverse("contacts:contact_detail", args=[contact.pk]) + "#journeys"
                    )
                form = EventPostForm(event_choices=_event_choices(partner_only=True))
    elif not request.htmx:
        return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#journeys")
    enrollments = list(selectors.enrollment_list(contact_id=contact.pk)[:10])
    return render(
        request,
        "journeys/_contact_journeys.html",
        {
            "contact": contact,
            "enrollments": enrollments,
            "form": form,
            "posted": posted,
            "can_post": request.user.has_role(Role.STAFF) and not contact.erased_at,
            "active_statuses": (JourneyStatus.ACTIVE,),
        },
    )


# --- offers --------------------------------------------------------------------------------
def _offer_form(request, offer=None, names: dict[int, str] | None = None) -> OfferForm:
    """The offer's form; `names` are the loyalty rewards' names of the offer's own reward,
    which stays choosable even when out of stock or withdrawn."""
    rewards = _rewards()
    own = int((offer.reward or {}).get("reward") or 0) if offer is not None else 0
    if own and own not in dict(rewards):
        rewards += [(own, (names or {}).get(own) or _("a reward no longer available"))]
    return OfferForm(
        request.POST if request.method == "POST" else None,
        initial=OfferForm.initial_for(offer) if offer is not None else None,
        event_choices=_event_choices(),
        segments=_segments(),
        rewards=rewards,
    )


def _acceptance_rate(offer) -> float | None:
    """Accepted / made, from `selectors.offer_list`'s counts; None before it was made."""
    return offer.accepted_count / offer.made_count if offer.made_count else None


def _offer_save(form: OfferForm, offer=None):
    """Save through the service; its errors land on the form's fields. The offer, or None."""
    if not form.is_valid():
        return None
    values = form.offer_values()
    try:
        return services.offer_save(offer=offer, **values)
    except ValidationError as exc:
        errors = dict(exc.message_dict)
        if "reward" in errors and values["reward"].get("type") == "points":
            errors["points"] = errors.pop("reward")
        form_add_service_errors(form, ValidationError(errors))
        return None


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def offer_list(request):
    """The offer catalogue with how often each offer was made and taken up; managers add."""
    from apps.loyalty.selectors.member_page import reward_names

    form = _offer_form(request)
    if request.method == "POST":
        if not _can_write(request):
            raise Http404
        offer = _offer_save(form)
        if offer is not None:
            messages.success(request, _("Offer “%(name)s” added.") % {"name": offer.name})
            return redirect("journeys:offer_list")
    offers = list(selectors.offer_list())
    names = reward_names(o.reward.get("reward") for o in offers if o.reward)
    events = dict(_event_choices())
    rows = [
        {
            "offer": offer,
            "reward": offer_reward_text(offer.reward, rewards=names),
            "event": events.get(offer.accepted_event, offer.accepted_event),
            "rate": _acceptance_rate(offer),
        }
        for offer in offers
    ]
    return render(
        request,
        "journeys/offer_list.html",
        {"rows": rows, "form": form, "can_write": _can_write(request)},
        status=400 if form.errors else 200,
    )


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def offer_detail(request, pk: int):
    """One offer: managers change it; everyone sees its figures."""
    from apps.loyalty.selectors.member_page import reward_names

    offer = selectors.offer_get(pk)
    names = reward_names([(offer.reward or {}).get("reward")])
    form = _offer_form(request, offer, names)
    if request.method == "POST":
        if not _can_write(request):
            raise Http404
        if _offer_save(form, offer) is not None:
            messages.success(request, _("Offer saved."))
            return redirect("journeys:offer_list")
    return render(
        request,
        "journeys/offer_detail.html",
        {
            "offer": offer,
            "form": form,
            "can_write": _can_write(request),
            "rate": _acceptance_rate(offer),
            "reward": offer_reward_text(offer.reward, rewards=names),
        },
        status=400 if form.errors else 200,
    )
