"""A conversation with one contact: every message sent and received, newest last like a phone,
with its delivery state; staff answer or write a text or an e-mail from the composer below it.
Also the contact page's "Messages" card, which leads here."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass

from django import forms
from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.contacts.choices import Channel
from apps.contacts.selectors import contact_get
from apps.contacts.views.panels import ContactPanel
from apps.tenants.services import tenant_current
from cxsuite.lib.forms import StyledFormMixin, form_add_service_errors

from ..models import Category, Message, MessageStatus
from ..registries import purposes
from ..selectors import Thread, conversation_thread
from ..services.conversations import (
    CONVERSATION,
    MAX_SUBJECT,
    MAX_TEXT,
    conversation_answers,
    conversation_channels,
    conversation_send,
)

CONTACT_PANEL = ContactPanel(
    id="messaging.conversation",
    title=gettext_lazy("Messages"),
    url_name="messaging:contact_messages",
    order=20,
    min_role=Role.VIEWER,
)
CHANNEL_NAMES = {
    Channel.SMS: gettext_lazy("SMS"),
    Channel.EMAIL: gettext_lazy("E-mail"),
    Channel.VOICE: gettext_lazy("Call"),
}
# What a bubble says about its message, and the tone of the badge.
STATES = {
    MessageStatus.QUEUED: (gettext_lazy("Queued"), "muted"),
    MessageStatus.SENDING: (gettext_lazy("Handing over"), "muted"),
    MessageStatus.DEFERRED: (gettext_lazy("Held"), "warn"),
    MessageStatus.SUPPRESSED: (gettext_lazy("Not sent"), "danger"),
    MessageStatus.SENT: (gettext_lazy("Sent"), "plain"),
    MessageStatus.DELIVERED: (gettext_lazy("Delivered"), "ok"),
    MessageStatus.FAILED: (gettext_lazy("Failed"), "danger"),
    MessageStatus.OPENED: (gettext_lazy("Opened"), "ok"),
    MessageStatus.CLICKED: (gettext_lazy("Link clicked"), "ok"),
    MessageStatus.REPLIED: (gettext_lazy("Replied"), "ok"),
}


class ConversationForm(StyledFormMixin, forms.Form):
    """What staff write: the channel (only those the contact can receive), a subject for an
    e-mail, the text."""

    channel = forms.ChoiceField(label=gettext_lazy("Send as"), widget=forms.RadioSelect)
    subject = forms.CharField(label=gettext_lazy("Subject"), required=False, max_length=MAX_SUBJECT)
    text = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": gettext_lazy("Write a message…")}),
    )

    def __init__(self, *args, channels: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c, CHANNEL_NAMES[c]) for c in channels]
        if channels and not self.is_bound:
            self.initial.setdefault("channel", channels[0])


@dataclass(frozen=True)
class Bubble:
    """A thread entry as the page draws it."""

    outgoing: bool
    at: object
    day: object
    channel: str
    channel_label: str
    subject: str
    body: str
    state: str = ""
    tone: str = ""
    note: str = ""  # why not sent / held, the purpose of an automatic message
    author: str = ""
    message_id: int | None = None
    new_day: bool = False


def _state(message: Message) -> tuple[str, str]:
    label, tone = STATES.get(message.status, (message.status, "plain"))
    if message.channel == Channel.VOICE and message.status == MessageStatus.OPENED:
        return _("Answered"), tone
    return str(label), tone


def _note(message: Message) -> str:
    if message.status in (MessageStatus.SUPPRESSED, MessageStatus.FAILED):
        return message.reason or message.error
    if message.status == MessageStatus.DEFERRED and message.scheduled_for:
        when = timezone.localtime(message.scheduled_for).strftime("%H:%M")
        return _("goes at %(t)s, after quiet hours") % {"t": when}
    return ""


def _bubbles(thread: Thread) -> list[Bubble]:
    bubbles: list[Bubble] = []
    previous_day = None
    for entry in thread.entries:
        day = timezone.localtime(entry.at).date()
        new_day = day != previous_day
        previous_day = day
        if entry.message is not None:
            m = entry.message
            state, tone = _state(m)
            spec = purposes.get(m.purpose)
            if m.purpose == CONVERSATION:
                author = (m.sent_by.name or m.sent_by.email) if m.sent_by else _("Staff")
            else:
                author = str(spec.label) if spec else m.purpose
            bubbles.append(
                Bubble(
                    outgoing=True,
                    at=entry.at,
                    day=day,
                    channel=m.channel,
                    channel_label=str(CHANNEL_NAMES.get(m.channel, m.channel)),
                    subject=m.subject,
                    body=m.body,
                    state=state,
                    tone=tone,
                    note=_note(m),
                    author=author,
                    message_id=m.pk,
                    new_day=new_day,
                )
            )
        elif entry.inbound is not None:
            bubbles.append(
                Bubble(
                    outgoing=False,
                    at=entry.at,
                    day=day,
                    channel=Channel.SMS,
                    channel_label=str(CHANNEL_NAMES[Channel.SMS]),
                    subject="",
                    body=entry.inbound.body,
                    new_day=new_day,
                )
            )
    return bubbles


def _context(request, contact, *, form=None, thread: Thread | None = None, outcome=None) -> dict:
    thread = thread or conversation_thread(contact=contact)
    channels = conversation_channels(contact=contact)
    can_write = request.user.has_role(Role.STAFF) and not contact.erased_at
    if form is None and can_write and channels:
        form = ConversationForm(channels=channels)
    return {
        "contact": contact,
        "bubbles": _bubbles(thread),
        "earlier": thread.earlier,
        "answering": conversation_answers(
            last_inbound_at=thread.last_inbound_at, now=timezone.now()
        ),
        "channels": [(c, CHANNEL_NAMES[c]) for c in channels],
        "can_write": can_write,
        "form": form if can_write and channels else None,
        "outcome": outcome,
        "today": timezone.localdate(),
    }


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


@role_required(Role.VIEWER)
@require_GET
def conversation(request, contact_pk: int):
    """The thread with one contact (htmx polls get the thread alone)."""
    contact = contact_get(contact_pk)
    context = _context(request, contact)
    if _is_partial(request):
        return render(request, "messaging/_conversation_thread.html", context)
    return render(request, "messaging/conversation.html", context)


def _contact_zone(contact) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(contact.time_zone or tenant_current().time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def conversation_outcome(message: Message, contact) -> tuple[str, str]:
    """What happened to a message staff just wrote, in words (tone, text)."""
    name = contact.first_name or str(contact)
    channel = str(CHANNEL_NAMES.get(message.channel, message.channel))
    if message.status == MessageStatus.DEFERRED and message.scheduled_for:
        local = message.scheduled_for.astimezone(_contact_zone(contact))
        return "warning", _(
            "It is quiet hours for %(name)s: the text will go at %(time)s their time."
        ) % {"name": name, "time": local.strftime("%H:%M")}
    if message.status == MessageStatus.SUPPRESSED:
        if message.category == Category.MARKETING and "opt-in" in message.reason:
            return "error", _(
                "Not sent: %(name)s has not agreed to receive %(channel)s messages, and this "
                "does not answer a message they sent in the last 24 hours."
            ) % {"name": name, "channel": channel}
        return "error", _("Not sent: %(reason)s.") % {"reason": message.reason}
    if message.status == MessageStatus.FAILED:
        return "error", _("Not sent: %(reason)s.") % {"reason": message.error or message.reason}
    return "success", _("Sent by %(channel)s to %(to)s.") % {"channel": channel, "to": message.to}


@role_required(Role.STAFF)
@require_POST
def conversation_send_view(request, contact_pk: int):
    """Send what was written; the composer comes back (cleared when sent) with the thread."""
    contact = contact_get(contact_pk)
    channels = conversation_channels(contact=contact)
    form = ConversationForm(request.POST, channels=channels)
    outcome = None
    if form.is_valid():
        try:
            message = conversation_send(
                contact=contact,
                channel=form.cleaned_data["channel"],
                text=form.cleaned_data["text"],
                subject=form.cleaned_data["subject"],
                sent_by=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            outcome = conversation_outcome(message, contact)
            if message.status != MessageStatus.SUPPRESSED:
                form = ConversationForm(channels=channels, initial={"channel": message.channel})
    if not _is_partial(request):
        if outcome is not None:
            flash.add_message(
                request,
                {"success": flash.SUCCESS, "warning": flash.WARNING}.get(outcome[0], flash.ERROR),
                outcome[1],
            )
            return redirect(reverse("messaging:conversation", args=[contact.pk]))
        return render(request, "messaging/conversation.html", _context(request, contact, form=form))
    context = _context(request, contact, form=form, outcome=outcome)
    context["oob"] = True
    return render(request, "messaging/_conversation_composer.html", context)


@role_required(CONTACT_PANEL.min_role)
@require_GET
def contact_messages(request, contact_pk: int):
    """The contact page's card: the last messages either way and the way to the thread."""
    contact = contact_get(contact_pk)
    if not _is_partial(request):
        return redirect(reverse("messaging:conversation", args=[contact.pk]))
    thread = conversation_thread(contact=contact, limit=3)
    return render(
        request,
        "messaging/_contact_messages.html",
        {
            "contact": contact,
            "bubbles": _bubbles(thread),
            "can_write": request.user.has_role(Role.STAFF)
            and bool(conversation_channels(contact=contact)),
            "panel": CONTACT_PANEL,
        },
    )
