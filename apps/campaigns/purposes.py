"""The messaging purpose campaigns send under: marketing (opt-in, quiet hours, the weekly
cap), its subject and text given per variant."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.messaging.services.purposes import MARKETING, purpose_define

FOOTER = {
    "en": "Prefer fewer messages? Choose what you receive or unsubscribe: {{ unsubscribe_link }}",
    "fr": "Moins de messages ? Choisissez ce que vous recevez ou désabonnez-vous : {{ unsubscribe_link }}",
    "es": "¿Menos mensajes? Elige qué recibes o date de baja: {{ unsubscribe_link }}",
}
HELLO = {
    "en": 'Hi {{ contact.first_name|default:"there" }},',
    "fr": "Bonjour {{ contact.first_name }},",
    "es": "Hola {{ contact.first_name }}:",
}
STOP = {
    "en": "Reply STOP to opt out.",
    "fr": "STOP pour ne plus recevoir de SMS.",
    "es": "Responde STOP para no recibir mas SMS.",
}


def campaign_purpose():
    defaults = {}
    for lang in ("en", "fr", "es"):
        defaults[("campaign_message", "email", lang)] = (
            "{{ subject }}",
            HELLO[lang] + "\n\n{{ text }}\n\n" + FOOTER[lang],
        )
        defaults[("campaign_message", "sms", lang)] = ("", "{{ text }} " + STOP[lang])
    defaults[("campaign_message", "voice", "en")] = ("", "{{ text }}")
    return purpose_define(
        "campaign_message", _("Campaign message"), MARKETING, {"subject", "text"}, defaults=defaults
    )
