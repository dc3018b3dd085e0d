"""Links a customer follows from a message: one-click unsubscribe, the preference page, the
open pixel and tracked clicks. Each carries a token signed with a salt per purpose; the payload
names the schema, so a link made for one business never works on another."""

from __future__ import annotations

import re
import secrets
import string
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import get_urlconf, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.contacts.choices import Channel, ConsentMethod, ConsentStatus
from apps.contacts.selectors import contact_find
from apps.contacts.services import consent_set
from apps.tenants.db import connection

from ..models import Message, ShortLink

if TYPE_CHECKING:
    from apps.contacts.models import Contact

SALTS = {
    "unsubscribe": "messaging.link.unsubscribe",
    "preferences": "messaging.link.preferences",
    "open": "messaging.link.open",
    "click": "messaging.link.click",
}
# Unsubscribe and preference links must keep working long after the message was read.
MAX_AGE = {
    "unsubscribe": 400 * 86400,
    "preferences": 400 * 86400,
    "open": 180 * 86400,
    "click": 400 * 86400,
}
INVALID = gettext_lazy(
    "This link is not valid. It may be incomplete or meant for another business."
)
EXPIRED = gettext_lazy("This link has expired. Use the link in a newer message.")


# --- tokens --------------------------------------------------------------------------------------
def _dumps(purpose: str, payload: dict) -> str:
    return signing.dumps({"s": connection.schema_name, **payload}, salt=SALTS[purpose])


def _loads(purpose: str, token: str) -> dict:
    """The payload of a valid token of this business, or a ValidationError saying why not."""
    try:
        data = signing.loads(token, salt=SALTS[purpose], max_age=MAX_AGE[purpose])
    except signing.SignatureExpired as exc:
        raise ValidationError(EXPIRED) from exc
    except signing.BadSignature as exc:
        raise ValidationError(INVALID) from exc
    if not isinstance(data, dict) or data.get("s") != connection.schema_name:
        raise ValidationError(INVALID)
    return data


_SLOT = "T0KEN"


@lru_cache(maxsize=64)
def _route(urlconf: str | None, name: str) -> tuple[str, str]:
    """The path of a link route around its token, reversed once per URL configuration (a
    batch makes thousands of links; tokens are URL-safe, so reverse() would not change them)."""
    before, _slot, after = reverse(name, args=[_SLOT], urlconf=urlconf).partition(_SLOT)
    return before, after


def _absolute(base_url: str, name: str, token: str) -> str:
    before, after = _route(get_urlconf(), name)
    return f"{base_url.rstrip('/')}{before}{token}{after}"


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def unsubscribe_url(*, message: Message, base_url: str) -> str:
    """The one-click unsubscribe link of an email (also the List-Unsubscribe header)."""
    token = _dumps("unsubscribe", {"m": message.pk, "c": message.contact_id})
    return _absolute(base_url, "messaging:link_unsubscribe", token)


def unsubscribe_headers(*, message: Message, base_url: str) -> dict[str, str]:
    """RFC 8058 headers for an email, so mail apps show their own unsubscribe button."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(message=message, base_url=base_url)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def preferences_url(*, contact: Contact, base_url: str) -> str:
    """The page where a customer sets each channel."""
    return _absolute(
        base_url, "messaging:link_preferences", _dumps("preferences", {"c": contact.pk})
    )


def open_pixel_url(*, message: Message, base_url: str) -> str:
    """The 1x1 image whose loading marks an email opened."""
    token = _dumps("open", {"m": message.pk})
    return _absolute(base_url, "messaging:link_open", token)


def tracked_url(*, message: Message, url: str, base_url: str) -> str:
    """A link that records the click and then goes to `url`, the only place it can go."""
    if not _is_web_url(url):
        raise ValidationError({"url": _("Only http and https links can be tracked.")})
    return _absolute(base_url, "messaging:link_click", _dumps("click", {"m": message.pk, "u": url}))


# --- short links in texts ----------------------------------------------------------------------
SHORT_CODE_ALPHABET = string.ascii_letters + string.digits
SHORT_CODE_LENGTH = 10  # 62^10: not guessable, and a text stays short
_WEB_URL = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)]}'\""  # punctuation that ends a sentence, not the link


def _short_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def short_link_for(*, message: Message, url: str) -> ShortLink:
    """The short link of `url` in `message`: made once, the same row when asked again."""
    if not _is_web_url(url):
        raise ValidationError({"url": _("Only http and https links can be tracked.")})
    existing = ShortLink.objects.filter(message=message, url=url).first()
    if existing is not None:
        return existing
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(message=message, url=url, code=_short_code())
        except IntegrityError:  # the same link made meanwhile, or (rarely) a code taken
            existing = ShortLink.objects.filter(message=message, url=url).first()
            if existing is not None:
                return existing
    raise IntegrityError("no free short code")


def short_url(*, link: ShortLink, base_url: str) -> str:
    return f"{base_url.rstrip('/')}{reverse('messaging:link_short', args=[link.code])}"


def sms_body_track(*, message: Message, base_url: str) -> str:
    """The text with each web link replaced by a tracked short link (our own `/m/` and `/l/`
    links stay as they are), so a click on a text teaches the channel choice like an e-mail's."""
    base = base_url.rstrip("/")
    own = (f"{base}/m/", f"{base}/l/")

    def shorten(match: re.Match) -> str:
        found = match.group(0)
        url = found.rstrip(_TRAILING)
        tail = found[len(url) :]
        if not url or url.startswith(own) or not _is_web_url(url):
            return found
        return short_url(link=short_link_for(message=message, url=url), base_url=base) + tail

    return _WEB_URL.sub(shorten, message.body)


def short_link_followed(*, code: str) -> str:
    """Mark the link's message clicked (once) and return where the link goes."""
    from .sending import message_mark

    link = ShortLink.objects.select_related("message").filter(code=code).first()
    if link is None or not _is_web_url(link.url):
        raise ValidationError(INVALID)
    message_mark(message=link.message, status="clicked")
    return link.url


# --- what following a link does ------------------------------------------------------------------
def contact_for_token(*, token: str, purpose: str) -> Contact:
    """The contact an unsubscribe or preference link is for (erased contacts have none).

    A link made for a message follows the message, so one from a contact since merged into
    another still reaches the same person."""
    data = _loads(purpose, token)
    contact = None
    if data.get("m"):
        sent_to = Message.objects.filter(pk=data["m"]).values_list("contact_id", flat=True)
        contact = contact_find(pk=sent_to.first())
    if contact is None:
        contact = contact_find(pk=data.get("c"))
    if contact is None:
        raise ValidationError(INVALID)
    return contact


def _message_for(purpose: str, token: str) -> tuple[Message, dict]:
    data = _loads(purpose, token)
    message = Message.objects.filter(pk=data["m"]).first() if "m" in data else None
    if message is None:
        raise ValidationError(INVALID)
    return message, data


def unsubscribe_one_click(*, token: str) -> Contact:
    """Opt the contact out of email at once (the RFC 8058 one-click POST or the page's button)."""
    contact = contact_for_token(token=token, purpose="unsubscribe")
    consent_set(
        contact=contact,
        channel=Channel.EMAIL,
        status=ConsentStatus.OPTED_OUT,
        method=ConsentMethod.FORM,
        note="one-click unsubscribe",
    )
    return contact


def preferences_save(
    *, token: str, email: bool, sms: bool, voice: bool, topics: dict[str, list[int]] | None = None
) -> Contact:
    """Keep the customer's choice per channel; every change lands in the consent history.
    `topics` ({app label: ticked topic ids}) goes to the modules' `preference_topics`."""
    from ..registries import preference_topics

    contact = contact_for_token(token=token, purpose="preferences")
    with transaction.atomic():
        for label, section in preference_topics.items():
            if topics is not None and label in topics:
                section.save(contact=contact, topic_ids=topics[label])
        for channel, wanted in ((Channel.EMAIL, email), (Channel.SMS, sms), (Channel.VOICE, voice)):
            consent_set(
                contact=contact,
                channel=channel,
                status=ConsentStatus.OPTED_IN if wanted else ConsentStatus.OPTED_OUT,
                method=ConsentMethod.FORM,
                note="preference page",
            )
    contact.refresh_from_db(fields=["email_consent", "sms_consent", "voice_consent"])
    return contact


def message_opened(*, token: str, user_agent: str = "") -> Message:
    """Mark the message opened (the pixel loaded); listeners hear it with the user agent."""
    from .sending import message_listeners_notify, message_mark

    message, _data = _message_for("open", token)
    message_mark(message=message, status="opened")
    message_listeners_notify(message=message, event="opened", user_agent=user_agent)
    return message


def click_target(*, token: str) -> str:
    """The URL signed into a click link (a read; nothing is recorded)."""
    _message, data = _message_for("click", token)
    target = data.get("u") or ""
    if not isinstance(target, str) or not _is_web_url(target):
        raise ValidationError(INVALID)
    return target


def message_clicked(*, token: str, user_agent: str = "") -> str:
    """Mark the message clicked and return the URL signed into the link; listeners hear it
    with the link and the user agent."""
    from .sending import message_listeners_notify, message_mark

    target = click_target(token=token)
    message, _data = _message_for("click", token)
    message_mark(message=message, status="clicked")
    message_listeners_notify(message=message, event="clicked", url=target, user_agent=user_agent)
    return target
