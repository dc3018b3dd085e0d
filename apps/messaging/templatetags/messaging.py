"""Template helpers for messaging pages."""

from django import template
from django.utils.translation import gettext_lazy as _

from ..registries import purposes

register = template.Library()


@register.filter
def purpose_label(key: str) -> str:
    """The purpose's name as people read it ("Appointment reminder"), or the key itself."""
    spec = purposes.get(key)
    return str(spec.label) if spec else key


TEST_MODE_NAMES = {"email": _("E-mails"), "sms": _("Texts"), "voice": _("Calls")}


@register.filter
def channel_labels(channels) -> str:
    """["email", "sms"] as people say it: "E-mails and texts"."""
    names = [str(TEST_MODE_NAMES.get(ch, ch)) for ch in channels or ()]
    if not names:
        return ""
    # inside the sentence a word is lower-cased, an acronym ("SMS" in French) is not
    inner = [name if name.isupper() else name[:1].lower() + name[1:] for name in names]
    text = inner[0] if len(inner) == 1 else f"{', '.join(inner[:-1])} {_('and')} {inner[-1]}"
    return text[:1].upper() + text[1:]


@register.filter
def sent_in_test_mode(message, test_mode) -> bool:
    """Whether a message went (or will go) through a stand-in: the outbox provider, or a
    channel still in test mode."""
    if message.provider == "outbox":
        return True
    # not handed to a provider yet, or e-mail (whose backend is not recorded per message)
    return message.provider in ("", "email") and message.channel in (test_mode or ())
