"""One way to send anything to a customer: check consent, quiet hours and the marketing cap,
pick the channel the contact answers, render in their language, log, deliver after commit.

Every message that is not sent, deferred or sent elsewhere carries a reason a person can read,
and the same reason goes on the contact's timeline.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import logging
import re
import time
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from apps.contacts.choices import Channel, ConsentStatus
from apps.contacts.services import event_record
from apps.scheduling.services import DueWorkItem, due_work_register, due_work_register_many
from apps.tenants.db import connection
from apps.tenants.formats import format_time
from apps.tenants.services import tenant_current
from cxsuite.lib.analytics import rows_written_send

from ..models import Category, ChannelStats, Message, MessageStatus, MessagingSettings

if TYPE_CHECKING:
    from apps.contacts.models import Contact

logger = logging.getLogger(__name__)
ALWAYS_ALLOWED = {"sms_stop_confirmation"}  # the one reply carriers require after STOP
PHONE_CHANNELS = {Channel.SMS, Channel.VOICE}
FALLBACK_PURPOSES = {"appointment_reminder", "payment_reminder"}
PRIOR_STRENGTH = 2.0  # how many messages' worth of weight the business average carries
DEFAULT_PRIOR = 0.3
CHANNEL_LABELS: dict[str, str] = {
    Channel.EMAIL: "email",
    Channel.SMS: "SMS",
    Channel.VOICE: "voice",
}
ANSWERED = {MessageStatus.OPENED, MessageStatus.CLICKED, MessageStatus.REPLIED}
MAX_DELIVERY_ATTEMPTS = 4


@dataclass(frozen=True)
class ChannelChoice:
    channel: str
    reason: str


def _settings() -> MessagingSettings:
    from .settings import messaging_settings

    return messaging_settings()


def _address(contact: Contact, channel: str) -> str:
    return contact.email if channel == Channel.EMAIL else contact.phone


# A staff answer to the customer's own text (transactional only within the answer window) may
# go back by text: writing to the business is asking for the answer there.
ANSWER_PURPOSES = frozenset({"conversation"})


def _consent_refusal(contact: Contact, channel: str, category: str, purpose: str) -> str:
    """Why this contact may not get this message on this channel ('' when they may)."""
    label = CHANNEL_LABELS[channel]
    if contact.erased_at:
        return _("contact erased")
    if not _address(contact, channel):
        return _("no %(channel)s address") % {"channel": label}
    if purpose in ALWAYS_ALLOWED:
        return ""
    status = contact.consent_for(channel)
    if status == ConsentStatus.OPTED_OUT:
        return _("opted out of %(channel)s") % {"channel": label}
    if category == Category.MARKETING and status != ConsentStatus.OPTED_IN:
        return _("no marketing opt-in for %(channel)s") % {"channel": label}
    answering = purpose in ANSWER_PURPOSES and category == Category.TRANSACTIONAL
    if channel in PHONE_CHANNELS and not answering and not _phone_consent(contact, channel):
        return _("%(channel)s not ticked by the customer") % {"channel": label}
    return ""


def _phone_consent(contact: Contact, channel: str) -> bool:
    """Texts and calls go only to a customer who said yes to them ("Text me reminders", their
    consent recorded by staff or imported): giving a number to book is not a yes. A customer
    who said yes to texts may also be called when a reminder text cannot be delivered."""
    if contact.consent_for(channel) == ConsentStatus.OPTED_IN:
        return True
    return channel == Channel.VOICE and contact.sms_consent == ConsentStatus.OPTED_IN


PRIOR_CACHE_SECONDS = 60
_prior_cache: dict[str, tuple[float, dict[str, float]]] = {}


def _prior_rates() -> dict[str, float]:
    """The business's answer rate per channel: the prior for contacts with little history.

    An average over every contact moves slowly, so each process keeps it for a minute
    instead of aggregating the whole table for every message of a batch.
    """
    schema, clock = connection.schema_name, time.monotonic()
    hit = _prior_cache.get(schema)
    if hit is not None and hit[0] > clock:
        return hit[1]
    rows = ChannelStats.objects.values("channel").annotate(d=Sum("delivered"), a=Sum("answered"))
    rates = {row["channel"]: (row["a"] / row["d"]) for row in rows if row["d"]}
    priors = {channel: rates.get(channel, DEFAULT_PRIOR) for channel in Channel.values}
    _prior_cache[schema] = (clock + PRIOR_CACHE_SECONDS, priors)
    return priors


def _live_channels(row: MessagingSettings | None = None) -> set[str]:
    from .settings import channels_live

    return channels_live(row)


def channel_choose(
    *,
    contact: Contact,
    category: str,
    purpose: str,
    stats: dict[str, ChannelStats] | None = None,
    priors: dict[str, float] | None = None,
    live: set[str] | None = None,
) -> ChannelChoice:
    """The consented channel that can deliver, with the best smoothed answer rate, and the
    reason in words.

    A channel whose provider is a stand-in (the outbox, a development e-mail backend) is
    chosen only when no channel with a real provider may be used. A contact with no history
    gets their preferred channel, else e-mail: every customer who books gives an address, and
    an e-mail is read later; a text to a number nobody ticked is not. With history,
    rate = (answered + prior x k) / (delivered + k): one who ignored six emails and answered
    four of five texts gets texts. Voice is only chosen when nothing else is possible.
    """
    allowed = [
        ch
        for ch in (Channel.EMAIL, Channel.SMS)
        if not _consent_refusal(contact, ch, category, purpose)
    ]
    if not allowed:
        if not _consent_refusal(contact, Channel.VOICE, category, purpose):
            return ChannelChoice(Channel.VOICE, _("voice: the only channel allowed"))
        fallback = contact.preferred_channel or (Channel.EMAIL if contact.email else Channel.SMS)
        return ChannelChoice(fallback, "")
    live = _live_channels() if live is None else live
    delivering = [ch for ch in allowed if ch in live]
    test_mode = ""
    if delivering:
        allowed = delivering
    else:
        test_mode = _(" (test mode: nothing leaves)")
    if stats is None:
        stats = {s.channel: s for s in ChannelStats.objects.filter(contact=contact)}
    if not any(stats.get(ch) and stats[ch].delivered for ch in allowed):
        if contact.preferred_channel in allowed:
            best = contact.preferred_channel
            why = _("the customer's preferred channel")
        else:
            best = allowed[0]  # e-mail when it may be used
            why = _("no history yet")
        return ChannelChoice(
            best,
            _("chose %(best)s (%(why)s)") % {"best": CHANNEL_LABELS[best], "why": why} + test_mode,
        )
    priors = priors or _prior_rates()
    scored, parts = [], []
    for ch in allowed:
        s = stats.get(ch)
        delivered, answered = (s.delivered, s.answered) if s else (0, 0)
        rate = (answered + priors[ch] * PRIOR_STRENGTH) / (delivered + PRIOR_STRENGTH)
        preferred = 1 if contact.preferred_channel == ch else 0
        scored.append((rate, preferred, ch == Channel.EMAIL, ch))
        parts.append(
            _("%(channel)s: %(a)s of %(d)s answered")
            % {"channel": CHANNEL_LABELS[ch], "a": answered, "d": delivered}
        )
    best = max(scored)[3]
    return ChannelChoice(
        best,
        _("chose %(best)s (%(why)s)") % {"best": CHANNEL_LABELS[best], "why": ", ".join(parts)}
        + test_mode,
    )


def _quiet_until(
    contact: Contact, settings: MessagingSettings, now: dt.datetime
) -> dt.datetime | None:
    """End of the quiet hours in the contact's own time zone, if `now` falls inside them."""
    name = contact.time_zone or tenant_current().time_zone
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    local = now.astimezone(zone)
    start, end = settings.quiet_start, settings.quiet_end
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside or start == end:
        return None
    day = local.date() if t < end else local.date() + dt.timedelta(days=1)
    # built from the wall clock, so it is the right instant on either side of a DST change
    return dt.datetime.combine(day, end, tzinfo=zone)


def _marketing_recent(now: dt.datetime):
    return Message.objects.filter(
        category=Category.MARKETING, created__gte=now - dt.timedelta(days=7)
    ).exclude(status__in=[MessageStatus.SUPPRESSED, MessageStatus.FAILED])


def _capped(
    contact: Contact, settings: MessagingSettings, now: dt.datetime, count: int | None = None
) -> str:
    if count is None:
        count = _marketing_recent(now).filter(contact=contact).count()
    if count >= settings.marketing_cap_per_week:
        return _("capped: %(n)s marketing messages this week") % {"n": count}
    return ""


def _event_properties(message: Message, **extra) -> dict:
    from ..registries import purposes

    spec = purposes.get(message.purpose)
    properties = {
        "message_id": message.pk,
        "channel": message.channel,
        "purpose": message.purpose,
        "purpose_label": str(spec.label) if spec else message.purpose,
    }
    properties.update({k: v for k, v in extra.items() if v})
    return properties


def _timeline(message: Message, type_: str, **extra) -> None:
    event_record(
        contact=message.contact,
        type=type_,
        source="messaging",
        properties=_event_properties(message, **extra),
    )


EVENT_FOR_STATUS: dict[str, str] = {  # keyed by the stored status
    MessageStatus.SUPPRESSED: "message.not_sent",
    MessageStatus.DEFERRED: "message.deferred",
    MessageStatus.QUEUED: "message.queued",
}


@dataclass
class _Shared:
    """What a send reads once, whether for one contact or for a batch of thousands."""

    settings: MessagingSettings
    live: set[str] = field(default_factory=set)
    priors: dict[str, float] | None = None
    stats: dict[int, dict[str, ChannelStats]] | None = None
    marketing_counts: dict[int, int] | None = None
    variants: dict[str, dict] = field(default_factory=dict)
    # {address: reason} from the marketing guards (a suppression list); None: not read yet
    blocked: dict[str, str] | None = None
    # a batch's renderers per channel (templates.BatchRenderer); None: render one by one
    renderers: dict | None = None


def _guard_key(address: str) -> str:
    return (address or "").strip().lower()


def marketing_blocked(addresses: list[str]) -> dict[str, str]:
    """{address: reason} for the addresses no marketing message may go to, from every
    registered guard (keys lower-cased)."""
    from ..registries import marketing_guards

    wanted = sorted({_guard_key(a) for a in addresses if a})
    blocked: dict[str, str] = {}
    if not wanted:
        return blocked
    for _key, guard in marketing_guards.items():
        for address, reason in guard(wanted).items():
            blocked.setdefault(_guard_key(address), reason)
    return blocked


def message_listeners_notify(*, message: Message, event: str, url: str = "", user_agent: str = ""):
    """Tell the modules that listen what happened to a sent message (see registries)."""
    from ..registries import message_listeners

    for key, listener in message_listeners.items():
        try:
            with transaction.atomic():
                listener(message=message, event=event, url=url, user_agent=user_agent)
        except Exception:  # a listener never loses the event
            logger.exception("message listener %s failed on %s", key, event)


def _prepare(
    *,
    contact: Contact,
    spec,
    purpose: str,
    channel: str | None,
    context: dict | None,
    dedupe_key: str,
    related_type: str,
    related_id: str,
    now: dt.datetime,
    why: str,
    shared: _Shared,
    reroute: bool = True,
    to: dict[str, str] | None = None,
) -> tuple[Message, dt.datetime | None]:
    """Apply every rule to one contact: the (unsaved) message, and the end of its quiet hours
    when it must wait."""
    from .templates import BatchRenderer, template_render, template_variants

    category = spec.category_of(contact=contact, now=now)
    if to:
        contact = _reaching(contact, to)

    def choose() -> ChannelChoice:
        return channel_choose(
            contact=contact,
            category=category,
            purpose=purpose,
            priors=shared.priors,
            stats=None if shared.stats is None else shared.stats.get(contact.pk, {}),
            live=shared.live,
        )

    if channel is None:
        choice = choose()
    else:
        choice = ChannelChoice(channel, "")
        refused = _consent_refusal(contact, channel, category, purpose)
        if refused and reroute and category == Category.TRANSACTIONAL:
            # A transactional message the customer may not get on the channel asked for
            # goes by the channel they may get it on, rather than not at all.
            other = choose()
            if not _consent_refusal(contact, other.channel, category, purpose):
                choice = ChannelChoice(
                    other.channel,
                    _("%(refused)s: sent by %(channel)s instead")
                    % {"refused": refused, "channel": CHANNEL_LABELS[other.channel]},
                )
    message = Message(
        contact=contact,
        purpose=purpose,
        category=category,
        channel=choice.channel,
        to=_address(contact, choice.channel),
        dedupe_key=dedupe_key,
        related_type=related_type[:40],
        related_id=str(related_id)[:40],
    )
    refusal = _consent_refusal(contact, choice.channel, category, purpose)
    if not refusal and category == Category.MARKETING:
        if shared.blocked is None:
            shared.blocked = marketing_blocked([contact.email, contact.phone])
        refusal = shared.blocked.get(_guard_key(message.to), "")
    if not refusal and category == Category.MARKETING:
        counts = shared.marketing_counts
        refusal = _capped(
            contact, shared.settings, now, None if counts is None else counts.get(contact.pk, 0)
        )
    if not refusal:
        if choice.channel not in shared.variants:
            shared.variants[choice.channel] = template_variants(
                purpose=purpose, channel=choice.channel
            )
        if shared.renderers is None:
            rendered = template_render(
                purpose=purpose,
                channel=choice.channel,
                contact=contact,
                context={"unsubscribe_link": _preferences_link(contact), **(context or {})},
                variants=shared.variants[choice.channel],
            )
        else:  # a batch: each wording prepared once, only the contact's parts per contact
            renderer = shared.renderers.get(choice.channel)
            if renderer is None:
                renderer = shared.renderers[choice.channel] = BatchRenderer(
                    purpose=purpose,
                    channel=choice.channel,
                    variants=shared.variants[choice.channel],
                    context=dict(context or {}),
                )
            personal = (
                {}
                if context and "unsubscribe_link" in context
                else {"unsubscribe_link": _preferences_link(contact)}
            )
            rendered = renderer.render(contact=contact, personal=personal)
        message.language, message.subject, message.body = (
            rendered.language,
            rendered.subject,
            rendered.body,
        )
    quiet = None
    if not refusal and choice.channel != Channel.EMAIL and purpose not in ALWAYS_ALLOWED:
        quiet = _quiet_until(contact, shared.settings, now)
    if refusal:
        message.status, message.reason = MessageStatus.SUPPRESSED, refusal
    elif quiet:
        message.status, message.scheduled_for = MessageStatus.DEFERRED, quiet
        message.reason = _("quiet hours until %(t)s") % {"t": format_time(quiet)}
    else:
        message.reason = choice.reason
    if why:
        message.reason = "; ".join(part for part in (why, message.reason) if part)[:300]
    return message, quiet


def _shared() -> _Shared:
    row = _settings()
    return _Shared(settings=row, live=_live_channels(row))


def _reaching(contact: Contact, to: dict[str, str]) -> Contact:
    """The contact as reached this time: the same person and consent, the addresses they
    typed (a copy: the contact row is not changed here)."""
    import copy

    reached = copy.copy(contact)
    reached.email = (to.get("email") or contact.email or "").strip()
    reached.phone = (to.get("phone") or contact.phone or "").strip()
    return reached


def message_send(
    *,
    contact: Contact,
    purpose: str,
    context: dict | None = None,
    channel: str | None = None,
    dedupe_key: str = "",
    related_type: str = "",
    related_id: str = "",
    now: dt.datetime | None = None,
    why: str = "",
    reroute: bool = True,
    to: dict[str, str] | None = None,
) -> Message:
    """Send `purpose` to a contact (or log why not). The same `dedupe_key` returns the first
    message, so a retried task never sends twice. `why` says why this message exists (e.g. a
    fallback) and is kept in front of any other reason. A transactional message asked for on
    a channel the customer may not get goes by another one unless `reroute` is False (a
    fallback that must be on its own channel). `to` ({"email": …, "phone": …}) is where the
    customer asked to be reached this time, when it differs from what the contact holds."""
    from ..registries import purposes

    spec = purposes.get(purpose)
    if spec is None:
        raise ValidationError({"purpose": _("Unknown purpose “%(p)s”.") % {"p": purpose}})
    if channel is not None and channel not in Channel.values:
        raise ValidationError({"channel": _("Choose email, sms or voice.")})
    dedupe_key = (dedupe_key or "")[:150]
    if dedupe_key:
        existing = Message.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return existing
    message, quiet = _prepare(
        contact=contact,
        spec=spec,
        purpose=purpose,
        channel=channel,
        context=context,
        dedupe_key=dedupe_key,
        related_type=related_type,
        related_id=related_id,
        now=now or timezone.now(),
        why=why,
        shared=_shared(),
        reroute=reroute,
        to=to,
    )
    try:
        with transaction.atomic():
            message.save()
            if message.status == MessageStatus.SUPPRESSED:
                _timeline(message, "message.not_sent", reason=message.reason)
            elif message.status == MessageStatus.DEFERRED:
                assert quiet is not None  # deferred only to the end of the quiet hours
                due_work_register(kind="messaging.deferred", ref=message.pk, due_at=quiet)
                _timeline(message, "message.deferred", reason=message.reason)
            else:
                _timeline(message, "message.queued", reason=message.reason)
                _deliver_after_commit(message)
    except IntegrityError:
        if not dedupe_key:
            raise
        return Message.objects.get(dedupe_key=dedupe_key)  # a concurrent send won
    return message


def _base_url() -> str:
    from apps.tenants.services import tenant_url

    return tenant_url(tenant_current()).rstrip("/")


def _preferences_link(contact: Contact) -> str:
    from .links import preferences_url

    return preferences_url(contact=contact, base_url=_base_url())


def _headers(message: Message) -> dict[str, str] | None:
    """One-click unsubscribe headers on every email (RFC 8058), and the From with the sender
    name the sending module gives (`sender_names`) on the business's own sending address."""
    if message.channel != Channel.EMAIL:
        return None
    from .links import unsubscribe_headers

    headers = unsubscribe_headers(message=message, base_url=_base_url())
    name = _sender_name(message)
    if name:
        from email.utils import formataddr, parseaddr

        from ..providers.email import email_sender

        _business_name, address = parseaddr(email_sender()[0])
        headers = {**headers, "From": formataddr((name, address))}
    return headers


def _sender_name(message: Message) -> str:
    from ..registries import sender_names

    name_for = sender_names.get(message.related_type) if message.related_type else None
    return " ".join((name_for(message) or "").split()) if name_for is not None else ""


BATCH_DELIVERY_CHUNK = 500


def message_send_batch(
    *,
    contacts: list[Contact],
    purpose: str,
    channel: str | None = None,
    context: dict | None = None,
    dedupe_prefix: str = "",
    now: dt.datetime | None = None,
    related_type: str = "",
    related_id: str = "",
    contexts: Sequence[dict] | None = None,
    dedupe_keys: Sequence[str] | None = None,
    reroute: bool = True,
) -> list[Message]:
    """Send one purpose to many contacts (a campaign, an outage notice) with exactly the rules
    of message_send, but reading what they share once: one INSERT for the messages, one for
    their timeline events (one per kind of event), one delivery task per 500. With
    `dedupe_prefix`, a contact already sent this batch is skipped, so a retried batch sends
    nobody twice.

    A journey step sends each contact its own wording under its own key: `contexts` and
    `dedupe_keys`, when given, hold one entry per contact, in the same order (a key already
    used is skipped, as with the prefix). `reroute` is message_send's."""
    from apps.contacts.services import events_record_many

    from ..registries import purposes

    spec = purposes.get(purpose)
    if spec is None:
        raise ValidationError({"purpose": _("Unknown purpose “%(p)s”.") % {"p": purpose}})
    if channel is not None and channel not in Channel.values:
        raise ValidationError({"channel": _("Choose email, sms or voice.")})
    now = now or timezone.now()
    contacts = list(contacts)
    if dedupe_keys is not None:
        if len(dedupe_keys) != len(contacts):
            raise ValueError("one dedupe key per contact")
        keys = [(key or "")[:150] for key in dedupe_keys]
    else:
        keys = [f"{dedupe_prefix}:{c.pk}"[:150] if dedupe_prefix else "" for c in contacts]
    if contexts is not None and len(contexts) != len(contacts):
        raise ValueError("one context per contact")
    each: list[dict | None] = list(contexts) if contexts is not None else [context] * len(contacts)
    done = set(
        Message.objects.filter(dedupe_key__in=[k for k in keys if k]).values_list(
            "dedupe_key", flat=True
        )
    )
    todo = [n for n, key in enumerate(keys) if not key or key not in done]
    contacts = [contacts[n] for n in todo]
    keys = [keys[n] for n in todo]
    each = [each[n] for n in todo]
    ids = [c.pk for c in contacts]
    shared = _shared()
    shared.renderers = {}
    if channel is None:
        shared.priors = _prior_rates()
        shared.stats = {}
        for row in ChannelStats.objects.filter(contact_id__in=ids):
            shared.stats.setdefault(row.contact_id, {})[row.channel] = row
    if spec.category == Category.MARKETING or spec.category_for is not None:
        shared.marketing_counts = dict(
            _marketing_recent(now)
            .filter(contact_id__in=ids)
            .values("contact_id")
            .annotate(n=Count("pk"))
            .values_list("contact_id", "n")
        )
        shared.blocked = marketing_blocked([a for c in contacts for a in (c.email, c.phone)])
    prepared = [
        _prepare(
            contact=contact,
            spec=spec,
            purpose=purpose,
            channel=channel,
            context=each[n],
            dedupe_key=keys[n],
            related_type=related_type,
            related_id=related_id,
            now=now,
            why="",
            shared=shared,
            reroute=reroute,
        )
        for n, contact in enumerate(contacts)
    ]
    try:
        with transaction.atomic():
            messages = Message.objects.bulk_create([message for message, _quiet in prepared])
            rows_written_send(Message)
            due_work_register_many(
                items=[
                    DueWorkItem(kind="messaging.deferred", ref=message.pk, due_at=quiet)
                    for message, quiet in prepared
                    if quiet
                ]
            )
            by_type: dict[str, list[tuple[int, dict, str]]] = {}
            for m in messages:  # one INSERT per kind of event
                by_type.setdefault(EVENT_FOR_STATUS[m.status], []).append(
                    (m.contact_id, _event_properties(m, reason=m.reason), "")
                )
            for type_, items in by_type.items():
                events_record_many(type=type_, events=items, source="messaging", occurred_at=now)
            queued = [m.pk for m in messages if m.status == MessageStatus.QUEUED]
            for start in range(0, len(queued), BATCH_DELIVERY_CHUNK):
                _deliver_many_after_commit(queued[start : start + BATCH_DELIVERY_CHUNK])
    except IntegrityError:  # a concurrent batch took some of the keys: one by one, deduped
        return [
            message_send(
                contact=c,
                purpose=purpose,
                channel=channel,
                context=each[n],
                dedupe_key=keys[n],
                now=now,
                related_type=related_type,
                related_id=related_id,
                reroute=reroute,
            )
            for n, c in enumerate(contacts)
        ]
    return messages


def _deliver_many_after_commit(message_ids: list[int]) -> None:
    from ..tasks import messages_deliver_task

    ids = list(message_ids)
    transaction.on_commit(lambda: messages_deliver_task.delay(message_ids=ids))


_WEB_URL = re.compile(r"https?://[^\s<>\"']+")


def _email_html(message: Message) -> str | None:
    """The HTML part of an e-mail: the text as paragraphs, web links through signed click
    tracking (our own unsubscribe and preference links stay as they are), the open pixel."""
    if message.channel != Channel.EMAIL:
        return None
    from ..registries import html_builders

    builder = html_builders.get(message.related_type) if message.related_type else None
    if builder is not None:
        built = builder(message)
        if built is not None:
            return built
    from .links import open_pixel_url, tracked_url

    base = _base_url()

    def link(match: re.Match) -> str:
        url = html_lib.unescape(match.group(0))
        target = (
            url
            if url.startswith(f"{base}/m/")
            else tracked_url(message=message, url=url, base_url=base)
        )
        return f'<a href="{escape(target)}">{match.group(0)}</a>'

    paragraphs = _WEB_URL.sub(link, str(escape(message.body)))
    pixel = escape(open_pixel_url(message=message, base_url=base))
    return (
        f"<!doctype html><html><body>{linebreaks(paragraphs, autoescape=False)}"
        f'<img src="{pixel}" width="1" height="1" alt=""></body></html>'
    )


def _deliver_after_commit(message: Message) -> None:
    from ..tasks import message_deliver_task

    message_id = message.pk
    transaction.on_commit(lambda: message_deliver_task.delay(message_id=message_id))


def message_deferred_release(work) -> None:
    """Quiet hours are over: queue the message (once)."""
    updated = Message.objects.filter(pk=work.ref, status=MessageStatus.DEFERRED).update(
        status=MessageStatus.QUEUED, reason="", updated=Now()
    )
    if updated:
        _deliver_after_commit(Message.objects.get(pk=work.ref))


def messages_deferred_drop(*, message_ids: list[int], reason: str) -> list[int]:
    """Drop messages still held (quiet hours) with `reason`: they are not sent when the hold
    ends. Returns the ids dropped; a message already released is left as it is."""
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update()
            .filter(pk__in=message_ids, status=MessageStatus.DEFERRED)
            .values_list("pk", flat=True)
        )
        if ids:
            Message.objects.filter(pk__in=ids).update(
                status=MessageStatus.SUPPRESSED, reason=reason[:300]
            )
    return ids


def _stats_add(message: Message, **counts: int) -> None:
    """Add to the contact's counts on the channel (one UPDATE once the row exists)."""
    increments = {name: F(name) + n for name, n in counts.items()}
    rows = ChannelStats.objects.filter(contact_id=message.contact_id, channel=message.channel)
    if rows.update(**increments):
        return
    try:
        with transaction.atomic():
            ChannelStats.objects.create(
                contact_id=message.contact_id, channel=message.channel, **counts
            )
    except IntegrityError:  # created meanwhile by a concurrent delivery
        rows.update(**increments)


class TransientDeliveryError(Exception):
    """The provider may succeed later (timeout, 5xx): the task retries with backoff."""


def message_deliver(*, message_id: int) -> Message | None:
    """Hand a queued message to its provider, once; transient failures raise to be retried.
    A message a dead worker left half handed over is reconciled first (`messages_reconcile`)."""
    messages_reconcile(message_ids=[message_id])
    retry = _deliver_chunk([message_id])
    message = Message.objects.select_related("contact").filter(pk=message_id).first()
    if retry:
        raise TransientDeliveryError(message.error if message is not None else "")
    return message


DELIVERY_CHUNK = 500  # messages claimed at a time from a provider that can tell what it got

_CLAIM_SQL = """
UPDATE messaging_message AS m
SET status = 'sending', attempts = m.attempts + 1, updated = %s
WHERE m.id IN (
    SELECT id FROM messaging_message
    WHERE id = ANY(%s) AND status = 'queued'
    ORDER BY id
    FOR UPDATE SKIP LOCKED
)
RETURNING m.id
"""

_SENT_SQL = """
UPDATE messaging_message AS m
SET status = 'sent', sent_at = u.sent_at, provider_message_id = u.provider_id,
    provider = u.provider, body = coalesce(u.body, m.body), updated = u.sent_at
FROM unnest(%s::bigint[], %s::timestamptz[], %s::text[], %s::text[], %s::text[])
     AS u(id, sent_at, provider_id, provider, body)
WHERE m.id = u.id AND m.status = 'sending'
RETURNING m.id
"""

_STATS_SQL = """
INSERT INTO messaging_channelstats (contact_id, channel, sent, delivered, answered)
SELECT u.contact_id, u.channel, u.n, 0, 0
FROM unnest(%s::bigint[], %s::text[], %s::int[]) AS u(contact_id, channel, n)
ON CONFLICT (contact_id, channel)
DO UPDATE SET sent = messaging_channelstats.sent + EXCLUDED.sent
"""


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=django_settings.MESSAGING_SENDING_LEASE_SECONDS)


def messages_deliver(*, message_ids: list[int]) -> list[int]:
    """Hand many queued messages to their providers, with the rules of message_deliver.
    Returns the ids a provider asked to retry later.

    Each message is handed over at most once, by construction: a worker first claims it
    (queued -> sending, committed, in one UPDATE that skips rows another worker holds), then
    calls the provider outside any transaction with the message id as idempotency key (an
    e-mail's Message-ID), then records what came of it (sending -> sent, failed, or queued
    for a "slow down"). Nothing hands over a message in 'sending': not a retried task, a
    duplicate, nor the safety net. A worker killed between claim and record leaves its
    claimed messages in 'sending'; after the lease (MESSAGING_SENDING_LEASE_SECONDS) they are
    reconciled (`messages_reconcile`): the provider says which it received (recorded sent)
    and the others, never handed over, are queued again. A provider that can tell what it
    got (the outbox; an e-mail backend with `received`) is handed a claimed chunk of
    DELIVERY_CHUNK at a time. One that cannot (SMTP, Twilio) is claimed one message at a time,
    and a message a dead worker left in 'sending' there is handed over again with the same
    key: so a second hand-over can only happen there, to at most one message per killed
    worker process (the one in flight), which mail systems drop by its Message-ID."""
    retry: list[int] = []
    ids = list(message_ids)
    for start in range(0, len(ids), DELIVERY_CHUNK):
        retry.extend(_deliver_chunk(ids[start : start + DELIVERY_CHUNK]))
    return retry


def _deliver_chunk(ids: list[int]) -> list[int]:
    import contextlib

    from ..providers import provider_for

    channels = dict(
        Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).values_list("pk", "channel")
    )
    if not channels:
        return []
    groups: dict[str, list[int]] = {}
    for pk in sorted(channels):
        groups.setdefault(channels[pk], []).append(pk)
    retry: list[int] = []
    with contextlib.ExitStack() as stack:
        for channel, pks in groups.items():
            provider = provider_for(channel)
            if getattr(type(provider), "session", None) is not None:
                provider = stack.enter_context(provider.session())
            step = len(pks) if getattr(provider, "can_tell", False) else 1
            for start in range(0, len(pks), step):
                retry.extend(_hand_over(provider, pks[start : start + step]))
    return retry


def _hand_over(provider, ids: list[int]) -> list[int]:
    """Claim, hand over, record (see messages_deliver)."""
    from .attachments import attachments_for

    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [now, ids])
        claimed = [row[0] for row in cursor.fetchall()]
    if not claimed:
        return []
    messages = list(Message.objects.select_related("contact").filter(pk__in=claimed).order_by("pk"))
    # stop handing over well before the lease runs out, so reconciliation never meets a
    # message this worker may still hand over
    stop_at = time.monotonic() + _lease().total_seconds() / 2
    sent: list[tuple[Message, str | None]] = []
    failed: list[tuple[Message, bool]] = []
    retry: list[Message] = []
    left: list[int] = []
    for message in messages:
        if time.monotonic() > stop_at:
            left.append(message.pk)
            continue
        body = None
        if message.channel == Channel.SMS and django_settings.MESSAGING_TRACK_LINKS:
            from .links import sms_body_track

            message.body = body = sms_body_track(message=message, base_url=_base_url())
        files = attachments_for(message) if message.channel == Channel.EMAIL else None
        result = provider.send(
            message, headers=_headers(message), html=_email_html(message), attachments=files
        )
        message.provider = provider.kind
        if result.ok:
            message.provider_message_id = result.provider_message_id[:100]
            sent.append((message, body))
            continue
        message.error = (result.error or "")[:300]
        if result.transient and message.attempts < MAX_DELIVERY_ATTEMPTS:
            retry.append(message)
        else:
            failed.append((message, result.transient))
    with transaction.atomic():
        if sent:
            _sent_record(sent)
        for message in retry:  # kept; then retried
            message.status = MessageStatus.QUEUED
            message.save(update_fields=["status", "error", "provider", "updated"])
        for message, transient in failed:
            message.status = MessageStatus.FAILED
            message.save(update_fields=["status", "error", "provider", "updated"])
            _timeline(message, "message.failed", reason=message.error)
            if not transient:
                message_listeners_notify(message=message, event="refused")
            _fallback_after_failure(message)
        if left:  # never handed over: back in line, the claim undone
            Message.objects.filter(pk__in=left, status=MessageStatus.SENDING).update(
                status=MessageStatus.QUEUED, attempts=F("attempts") - 1, updated=timezone.now()
            )
    return [message.pk for message in retry] + left


def messages_reconcile(
    *, message_ids: list[int] | None = None, now: dt.datetime | None = None
) -> list[int]:
    """Settle messages left in 'sending' past the lease (their worker died between handing
    them over and recording it): those the provider says it received are recorded sent; the
    others go back to 'queued' (the claim undone: it never reached the provider); where the
    provider cannot tell, back to 'queued' too, to be handed over again under the same
    idempotency key (at most one per dead worker: see messages_deliver). Returns the ids
    queued again, for the caller to deliver."""
    from ..providers import provider_for

    now = now or timezone.now()
    rows = Message.objects.filter(status=MessageStatus.SENDING, updated__lt=now - _lease())
    if message_ids is not None:
        rows = rows.filter(pk__in=message_ids)
    again: list[int] = []
    with transaction.atomic():
        stuck = list(rows.select_for_update(skip_locked=True).select_related("contact"))
        by_channel: dict[str, list[Message]] = {}
        for message in stuck:
            by_channel.setdefault(message.channel, []).append(message)
        for channel, group in by_channel.items():
            provider = provider_for(channel)
            got = provider.received([m.pk for m in group])
            if got is None:
                Message.objects.filter(pk__in=[m.pk for m in group]).update(
                    status=MessageStatus.QUEUED, updated=now
                )
                again.extend(m.pk for m in group)
                continue
            arrived = [m for m in group if m.pk in got]
            for message in arrived:
                message.provider = provider.kind
                message.provider_message_id = message.provider_message_id or f"m{message.pk}"
            if arrived:
                _sent_record([(m, None) for m in arrived])
            missing = [m.pk for m in group if m.pk not in got]
            if missing:
                Message.objects.filter(pk__in=missing).update(
                    status=MessageStatus.QUEUED, attempts=F("attempts") - 1, updated=now
                )
                again.extend(missing)
    return again


def _sent_record(sent: list[tuple[Message, str | None]]) -> None:
    """Mark handed-over messages sent, count them per contact and channel and put them on
    the timelines: a few statements for the whole chunk (only messages still 'sending')."""
    from collections import Counter

    from apps.contacts.services import events_record_many

    now = timezone.now()
    rows = [(m.pk, now, m.provider_message_id, m.provider, body) for m, body in sent]
    with connection.cursor() as cursor:
        cursor.execute(_SENT_SQL, [list(column) for column in zip(*rows, strict=True)])
        rows_written_send(Message)
        marked = {row[0] for row in cursor.fetchall()}
        sent = [(m, body) for m, body in sent if m.pk in marked]
        if not sent:
            return
        counts = Counter((m.contact_id, m.channel) for m, _body in sent)
        cursor.execute(
            _STATS_SQL,
            [
                [contact for contact, _channel in counts],
                [channel for _contact, channel in counts],
                list(counts.values()),
            ],
        )
    events: list[tuple[int, dict, str]] = []
    fallbacks: list[DueWorkItem] = []
    hours = None
    for message, _body in sent:
        message.status, message.sent_at = MessageStatus.SENT, now
        events.append((message.contact_id, _event_properties(message), ""))
        if message.channel == Channel.EMAIL and message.purpose in FALLBACK_PURPOSES:
            hours = hours if hours is not None else _settings().email_fallback_hours
            fallbacks.append(
                DueWorkItem(
                    kind="messaging.fallback",
                    ref=message.pk,
                    due_at=now + dt.timedelta(hours=hours),
                )
            )
    events_record_many(type="message.sent", events=events, source="messaging", occurred_at=now)
    if fallbacks:
        due_work_register_many(items=fallbacks)


def _fallback_after_failure(message: Message) -> None:
    """An important SMS that could not be delivered goes out as a voice call."""
    if message.channel == Channel.SMS and message.purpose in FALLBACK_PURPOSES:
        message_send(
            contact=message.contact,
            purpose=message.purpose,
            channel=Channel.VOICE,
            dedupe_key=f"{message.dedupe_key or message.pk}:voice",
            related_type=message.related_type,
            related_id=message.related_id,
            why=_("text not delivered"),
            reroute=False,
        )


def message_fallback_send(work) -> None:
    """No sign of the important email within the business's time: send it by SMS."""
    message = Message.objects.select_related("contact").filter(pk=work.ref).first()
    if message is None or message.status in ANSWERED:
        return
    hours = _settings().email_fallback_hours
    message_send(
        contact=message.contact,
        purpose=message.purpose,
        channel=Channel.SMS,
        dedupe_key=f"{message.dedupe_key or message.pk}:sms",
        related_type=message.related_type,
        related_id=message.related_id,
        why=_("email not opened within %(h)s h") % {"h": hours},
        reroute=False,
    )


STATUS_ORDER: list[str] = [
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.OPENED,
    MessageStatus.CLICKED,
    MessageStatus.REPLIED,
]
TIMESTAMP: dict[str, str] = {
    MessageStatus.DELIVERED: "delivered_at",
    MessageStatus.OPENED: "opened_at",
    MessageStatus.CLICKED: "clicked_at",
    MessageStatus.REPLIED: "replied_at",
}


def message_mark(*, message: Message, status: str) -> Message:
    """Record what happened to a sent message (delivered, failed, opened, clicked, replied);
    each step once, the counts for best-channel choice kept, the step on the timeline."""
    if status not in {*TIMESTAMP, MessageStatus.FAILED}:
        raise ValidationError({"status": _("Unknown message status.")})
    with transaction.atomic():
        message = Message.objects.select_for_update().select_related("contact").get(pk=message.pk)
        now = timezone.now()
        if status == MessageStatus.FAILED:
            if message.status in (MessageStatus.FAILED, *ANSWERED):
                return message
            message.status = MessageStatus.FAILED
            message.save(update_fields=["status"])
            _timeline(message, "message.failed", reason=message.error)
            _fallback_after_failure(message)
            return message
        field = TIMESTAMP[status]
        if getattr(message, field):
            return message  # already recorded
        answered_before = any(getattr(message, TIMESTAMP[s]) for s in ANSWERED)
        setattr(message, field, now)
        if message.delivered_at is None and status in ANSWERED:
            message.delivered_at = now  # an answer proves delivery
            _stats_add(message, delivered=1)
        if message.status not in STATUS_ORDER or STATUS_ORDER.index(status) > STATUS_ORDER.index(
            message.status
        ):
            message.status = status
        message.save()
        if status == MessageStatus.DELIVERED:
            _stats_add(message, delivered=1)
        elif not answered_before:
            _stats_add(message, answered=1)
        _timeline(message, f"message.{status}")
    return message


def message_status_update(
    *, provider_message_id: str, status: str, error: str = ""
) -> Message | None:
    """A provider's word on a message (from its webhook); unknown ids are ignored."""
    message = Message.objects.filter(provider_message_id=provider_message_id).first()
    if message is None or not provider_message_id:
        return None
    if error:
        Message.objects.filter(pk=message.pk).update(error=error[:300], updated=Now())
        message.error = error[:300]
    return message_mark(message=message, status=status)
