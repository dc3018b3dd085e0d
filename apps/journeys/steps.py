"""The built-in step types: wait, branch, send, offer, task, tag, field, exit. Other apps add
theirs to `step_types` (loyalty points, vouchers, partner webhooks) from their `ready()`."""

from __future__ import annotations

import datetime as dt
import string
import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .registries import StepType, step_types
from .services.engine import StepContext, StepResult

CHANNELS = ("email", "sms", "voice", "best")
WAIT_MAX_MINUTES = 366 * 24 * 60


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def wording(text: str, values: dict[str, Any]) -> str:
    """The step's words with {amount}, {due_date}, {first_name} filled in (unknown: empty)."""
    try:
        return string.Formatter().vformat(text or "", (), _Blank(values))
    except (ValueError, IndexError, KeyError, AttributeError):
        return text or ""


def _time(value: Any, field: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({field: _("Give a time such as 09:00.")}) from exc


def _minutes(value: Any, field: str) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Give a whole number of minutes.")}) from exc
    if not 0 <= minutes <= WAIT_MAX_MINUTES:
        raise ValidationError({field: _("Wait between 0 minutes and a year.")})
    return minutes


# --- send windows --------------------------------------------------------------------------
def window_hold(ctx: StepContext) -> dt.datetime | None:
    """The start of the step's next send window when now is outside it, else None."""
    window = ctx.config.get("window") or {}
    if not window:
        return None
    zone = ctx.zone
    days = set(window.get("days") or range(7))
    start = _time(window.get("from", "00:00"), "window.from")
    end = _time(window.get("to", "23:59"), "window.to")
    local = ctx.now.astimezone(zone)
    if local.weekday() in days and start <= local.time() < end:
        return None
    for ahead in range(8):
        day = local.date() + dt.timedelta(days=ahead)
        if day.weekday() not in days:
            continue
        opening = dt.datetime.combine(day, start, tzinfo=zone)
        if opening > local:
            return opening.astimezone(dt.UTC)
    return None


# --- wait ----------------------------------------------------------------------------------
def time_of_day_target(spec: dict, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The instant of a time-of-day wait's local time on its day, in this zone."""
    if not spec.get("at") or not spec.get("day"):
        return None
    day = dt.date.fromisoformat(spec["day"])
    local = dt.datetime.combine(day, dt.time.fromisoformat(spec["at"]), tzinfo=zone)
    # a time in the spring-forward gap does not exist: it is read as the hour after
    return local.astimezone(dt.UTC).astimezone(zone).astimezone(dt.UTC)


def wait_clean(config: dict) -> dict:
    mode = config.get("mode", "duration")
    if mode == "duration":
        cleaned = {"mode": mode, "minutes": _minutes(config.get("minutes"), "minutes")}
        if config.get("seconds"):  # test runs and short waits
            cleaned["seconds"] = min(_minutes(config["seconds"], "seconds"), 3600)
        return cleaned
    if mode == "time_of_day":
        at = _time(config.get("at"), "at")
        return {"mode": mode, "at": at.strftime("%H:%M")}
    if mode == "event":
        if not config.get("event_type"):
            raise ValidationError({"event_type": _("Choose the event to wait for.")})
        cleaned = {
            "mode": mode,
            "event_type": str(config["event_type"]),
            "minutes": _minutes(config.get("minutes"), "minutes"),
        }
        if config.get("seconds"):  # test runs and short time-outs
            cleaned["seconds"] = min(_minutes(config["seconds"], "seconds"), 3600)
        return cleaned
    raise ValidationError({"mode": _("Choose how long to wait.")})


def wait_run(ctx: StepContext) -> StepResult:
    config = ctx.config
    mode = config.get("mode", "duration")
    if mode == "time_of_day":
        zone = ctx.zone
        local = ctx.now.astimezone(zone)
        at = dt.time.fromisoformat(config["at"])
        day = local.date() if local.time() < at else local.date() + dt.timedelta(days=1)
        spec = {"at": config["at"], "day": day.isoformat()}
        target = time_of_day_target(spec, zone)
        return StepResult(outcome="waiting", wait_until=target, wait_spec=spec)
    until = ctx.now + dt.timedelta(
        minutes=int(config.get("minutes") or 0), seconds=int(config.get("seconds") or 0)
    )
    if mode == "event":
        return StepResult(
            outcome="waiting",
            wait_event=config["event_type"],
            wait_until=until,
            detail={"event_type": config["event_type"]},
        )
    return StepResult(outcome="waiting", wait_until=until)


def wait_run_many(contexts: list[StepContext]) -> list[StepResult]:
    """A wait only computes when: everyone at it at once."""
    return [wait_run(ctx) for ctx in contexts]


# --- branch --------------------------------------------------------------------------------
def branch_clean(config: dict) -> dict:
    kind = config.get("kind")
    if kind == "segment":
        if not config.get("segment_id"):
            raise ValidationError({"segment_id": _("Choose a segment.")})
        return {"kind": kind, "segment_id": int(config["segment_id"])}
    if kind == "rules":
        from apps.contacts.selectors.segments import rules_clean

        rules_clean(config.get("rules"))
        return {"kind": kind, "rules": config.get("rules")}
    if kind == "event":
        if not config.get("event_type"):
            raise ValidationError({"event_type": _("Choose the event.")})
        return {
            "kind": kind,
            "event_type": str(config["event_type"]),
            "within_days": int(config.get("within_days") or 0),
        }
    raise ValidationError({"kind": _("Choose what the branch looks at.")})


def branch_yes(ctx: StepContext) -> bool:
    """Whether the contact takes the branch's "yes" path."""
    from apps.contacts.selectors import contact_events_of
    from apps.contacts.selectors.segments import rules_members, segment_members
    from apps.contacts.selectors.segments import segment_get as _segment_get

    from .services.engine import event_is_machine, key_matches

    config = ctx.config
    kind = config.get("kind")
    if kind == "segment":
        try:
            segment = _segment_get(int(config["segment_id"]))
        except Exception:  # a deleted segment matches nobody
            return False
        return segment_members(segment=segment).filter(pk=ctx.contact.pk).exists()
    if kind == "rules":
        return rules_members(config.get("rules")).filter(pk=ctx.contact.pk).exists()
    if kind == "event":
        days = int(config.get("within_days") or 0)
        since = ctx.now - dt.timedelta(days=days) if days else ctx.enrollment.entered_at
        events = contact_events_of(
            contact_id=ctx.contact.pk, types=[config["event_type"]], since=since
        )
        own = config["event_type"].startswith("message.")
        return any(
            not event_is_machine(event)
            and (own or key_matches(ctx.enrollment.entry_key, event.properties))
            for event in events
        )
    return False


def branch_run(ctx: StepContext) -> StepResult:
    if branch_yes(ctx):
        return StepResult(outcome="yes")
    return StepResult(outcome="no", goto=ctx.step.get("else") or "")


# --- send ----------------------------------------------------------------------------------
def send_clean(config: dict) -> dict:
    channel = config.get("channel") or "best"
    if channel not in CHANNELS:
        raise ValidationError({"channel": _("Choose email, SMS, voice or the best channel.")})
    text = str(config.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the message first.")})
    cleaned = {
        "channel": channel,
        "subject": str(config.get("subject") or "").strip()[:200],
        "text": text[:2000],
        "service": bool(config.get("service")),
    }
    if config.get("window"):
        window = config["window"]
        cleaned["window"] = {
            "days": [int(d) for d in window.get("days") or range(7)],
            "from": _time(window.get("from", "00:00"), "window.from").strftime("%H:%M"),
            "to": _time(window.get("to", "23:59"), "window.to").strftime("%H:%M"),
        }
    return cleaned


def _fitting(contexts: list[StepContext]) -> set[int]:
    """The journey's filters checked again before a send, for everyone about to get it in
    one query: the enrollments whose contact still fits (a segment trigger's segment)."""
    from apps.contacts.selectors.segments import segment_get, segment_members

    everyone = {ctx.enrollment.pk for ctx in contexts}
    if not contexts:
        return everyone
    trigger = contexts[0].journey.trigger or {}
    if trigger.get("kind") != "segment" or trigger.get("direction") == "left":
        return everyone
    try:
        segment = segment_get(int(trigger["segment_id"]))
    except Exception:  # a deleted segment fits nobody
        return set()
    members = set(
        segment_members(segment=segment)
        .filter(pk__in={ctx.contact.pk for ctx in contexts})
        .values_list("pk", flat=True)
    )
    return {ctx.enrollment.pk for ctx in contexts if ctx.contact.pk in members}


def message_for(ctx: StepContext, *, subject: str, text: str, channel: str, service: bool):
    """Send the step's message once (keyed by enrollment and step number)."""
    return messages_for([ctx], subject=subject, text=text, channel=channel, service=service).get(
        ctx.enrollment.pk
    )


def messages_for(
    contexts: list[StepContext], *, subject: str, text: str, channel: str, service: bool
) -> dict[int, Any]:
    """Send the step's message to everyone at it, each once (the message's key is the
    enrollment and step number, unique in messaging): one batch through messaging, a
    contact at most once per batch so per-contact limits count each message. Returns
    {enrollment id: message}; a test run sends nothing."""
    from apps.messaging.selectors import messages_by_dedupe_keys
    from apps.messaging.services.sending import message_send, message_send_batch

    live = [ctx for ctx in contexts if not ctx.enrollment.test_run]
    if not live:
        return {}
    purpose = "journey_service" if service else "journey"
    fixed = None if channel == "best" else channel

    def context_of(ctx: StepContext) -> dict[str, str]:
        values = ctx.variables()
        return {"subject": wording(subject, values), "text": wording(text, values)}

    if len(live) == 1:
        ctx = live[0]
        message = message_send(
            contact=ctx.contact,
            purpose=purpose,
            channel=fixed,
            context=context_of(ctx),
            dedupe_key=ctx.dedupe_key,
            related_type="journey",
            related_id=str(ctx.enrollment.journey_id),
            now=ctx.now,
            reroute=channel == "best",
        )
        return {ctx.enrollment.pk: message}
    rounds: list[list[StepContext]] = []
    for ctx in live:  # the same contact twice (two invoices) goes in separate batches
        for batch in rounds:
            if all(other.contact.pk != ctx.contact.pk for other in batch):
                batch.append(ctx)
                break
        else:
            rounds.append([ctx])
    sent: dict[str, Any] = {}
    for batch in rounds:
        for message in message_send_batch(
            contacts=[ctx.contact for ctx in batch],
            purpose=purpose,
            channel=fixed,
            contexts=[context_of(ctx) for ctx in batch],
            dedupe_keys=[ctx.dedupe_key for ctx in batch],
            related_type="journey",
            related_id=str(batch[0].enrollment.journey_id),
            now=batch[0].now,
            reroute=channel == "best",
        ):
            sent[message.dedupe_key] = message
    missing = [ctx.dedupe_key for ctx in live if ctx.dedupe_key not in sent]
    if missing:  # sent before a retry: the first message stands
        sent.update((m.dedupe_key, m) for m in messages_by_dedupe_keys(missing))
    return {ctx.enrollment.pk: sent.get(ctx.dedupe_key) for ctx in live}


def _sent(ctx: StepContext, message: Any) -> StepResult:
    config = ctx.config
    detail: dict[str, Any] = {"text": wording(config.get("text", ""), ctx.variables())[:300]}
    if message is not None:
        detail.update(
            message_id=message.pk,
            channel=message.channel,
            status=message.status,
            why=message.reason[:200],
        )
    return StepResult(outcome="sent", detail=detail)


def send_run_many(contexts: list[StepContext]) -> list[StepResult]:
    """The send step for everyone at it: each one's send window, the journey's filters
    checked again, then one batch of messages."""
    results: dict[int, StepResult] = {}
    open_now = []
    for ctx in contexts:
        hold = window_hold(ctx)
        if hold is not None:
            results[ctx.enrollment.pk] = StepResult(hold_until=hold)
        else:
            open_now.append(ctx)
    fitting = _fitting(open_now)
    sending = []
    for ctx in open_now:
        if ctx.enrollment.pk in fitting:
            sending.append(ctx)
        else:
            results[ctx.enrollment.pk] = StepResult(
                outcome="no_longer_fits", exit_reason="no longer fits"
            )
    if sending:
        config = sending[0].config
        messages = messages_for(
            sending,
            subject=config.get("subject", ""),
            text=config.get("text", ""),
            channel=config.get("channel", "best"),
            service=bool(config.get("service")),
        )
        for ctx in sending:
            results[ctx.enrollment.pk] = _sent(ctx, messages.get(ctx.enrollment.pk))
    return [results[ctx.enrollment.pk] for ctx in contexts]


def send_run(ctx: StepContext) -> StepResult:
    return send_run_many([ctx])[0]


# --- offer ---------------------------------------------------------------------------------
def offer_run(ctx: StepContext) -> StepResult:
    from .services.offers import offer_make

    hold = window_hold(ctx)
    if hold is not None:
        return StepResult(hold_until=hold)
    made = offer_make(ctx=ctx)
    if made is None:
        return StepResult(outcome="no_offer", goto=ctx.step.get("else") or "")
    offer, why = made.offer, made.why
    message = message_for(
        ctx,
        subject=offer.name,
        text=offer.text,
        channel=ctx.config.get("channel", "best"),
        service=bool(ctx.config.get("service")),
    )
    detail: dict[str, Any] = {"offer_id": offer.pk, "offer": offer.name, "why": why}
    if message is not None:
        detail.update(message_id=message.pk, channel=message.channel)
    return StepResult(outcome="offered", detail=detail)


def offer_clean(config: dict) -> dict:
    channel = config.get("channel") or "best"
    if channel not in CHANNELS:
        raise ValidationError({"channel": _("Choose email, SMS, voice or the best channel.")})
    return {"channel": channel, "service": bool(config.get("service"))}


# --- task, tag, field, exit ----------------------------------------------------------------
def task_clean(config: dict) -> dict:
    title = str(config.get("title") or "").strip()
    if not title:
        raise ValidationError({"title": _("Say what needs doing.")})
    return {"title": title[:200], "due_days": int(config.get("due_days") or 0)}


def task_run(ctx: StepContext) -> StepResult:
    from apps.contacts.services import task_create

    if ctx.enrollment.test_run:
        return StepResult(outcome="task")
    due = ctx.now.astimezone(ctx.zone).date() + dt.timedelta(
        days=int(ctx.config.get("due_days") or 0)
    )
    task = task_create(
        contact=ctx.contact,
        title=wording(ctx.config.get("title", ""), ctx.variables()),
        due_date=due,
        assignee=None,
        created_by=None,
    )
    return StepResult(outcome="task", detail={"task_id": task.pk})


def tag_clean(config: dict) -> dict:
    from apps.contacts.services import tags_normalize

    add, remove = (
        tags_normalize(config.get("add") or []),
        tags_normalize(config.get("remove") or []),
    )
    if not add and not remove:
        raise ValidationError({"add": _("Name a tag to add or remove.")})
    return {"add": add, "remove": remove}


def tag_run(ctx: StepContext) -> StepResult:
    from apps.contacts.services import contacts_tag, segment_memberships_refresh

    if not ctx.enrollment.test_run:
        contacts_tag(
            contact_ids=[ctx.contact.pk],
            add=ctx.config.get("add") or [],
            remove=ctx.config.get("remove") or [],
        )
        segment_memberships_refresh(contact_ids=[ctx.contact.pk])
    return StepResult(outcome="tagged", detail=dict(ctx.config))


def field_clean(config: dict) -> dict:
    name = str(config.get("field") or "")
    if not name:
        raise ValidationError({"field": _("Choose the field to set.")})
    return {"field": name, "value": config.get("value")}


def field_run(ctx: StepContext) -> StepResult:
    from apps.contacts.services import contact_update

    name, value = ctx.config["field"], ctx.config.get("value")
    if isinstance(value, str):
        value = wording(value, ctx.variables())
    if not ctx.enrollment.test_run:
        if name.startswith("custom."):
            contact_update(contact=ctx.contact, custom={**ctx.contact.custom, name[7:]: value})
        else:
            contact_update(contact=ctx.contact, **{name: value})
    return StepResult(outcome="set", detail={"field": name})


def exit_run(ctx: StepContext) -> StepResult:
    return StepResult(outcome="exit", exit_reason="exit step")


WAIT_FIELDS = ("wait_mode", "minutes", "at", "event_type", "else_step")
BRANCH_FIELDS = ("branch_kind", "event_type", "segment", "else_step")
SEND_FIELDS = ("channel", "subject", "text", "service")

BUILTIN = [
    StepType(
        "wait",
        gettext_lazy("Wait"),
        wait_run,
        wait_clean,
        branches=True,
        fields=WAIT_FIELDS,
        run_many=wait_run_many,
    ),
    StepType(
        "branch",
        gettext_lazy("Branch"),
        branch_run,
        branch_clean,
        branches=True,
        fields=BRANCH_FIELDS,
    ),
    StepType(
        "send",
        gettext_lazy("Send a message"),
        send_run,
        send_clean,
        fields=SEND_FIELDS,
        run_many=send_run_many,
    ),
    StepType(
        "offer",
        gettext_lazy("Make the best offer"),
        offer_run,
        offer_clean,
        branches=True,
        fields=("channel", "service", "else_step"),
    ),
    StepType("task", gettext_lazy("Create a staff task"), task_run, task_clean, fields=("title",)),
    StepType("tag", gettext_lazy("Add or remove a tag"), tag_run, tag_clean, fields=("tag",)),
    StepType(
        "field",
        gettext_lazy("Set a field"),
        field_run,
        field_clean,
        fields=("set_field", "set_value"),
    ),
    StepType("exit", gettext_lazy("Exit"), exit_run),
]


def builtin_steps_register() -> None:
    for spec in BUILTIN:
        step_types.register(spec.key, spec)
