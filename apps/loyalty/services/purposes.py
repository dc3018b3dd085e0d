"""Why a business writes to a member about loyalty: the purposes loyalty registers with
messaging. Every one of them offers `loyalty.card_link`, the member card's signed link
(tests/loyalty/test_card.py checks that every loyalty purpose does)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.messaging.services.purposes import TRANSACTIONAL, Purpose, purpose_define
from apps.messaging.services.template_defaults import DefaultKey, email_default

from .card import CARD_PURPOSE

LOYALTY_VARIABLES = frozenset({"loyalty.card_link", "loyalty.balance", "loyalty.tier"})

DEFAULT_TEMPLATES: dict[DefaultKey, tuple[str, str]] = {
    (CARD_PURPOSE, "email", "en"): email_default(
        "en",
        "Your member card",
        "You have {{ loyalty.balance }} points with us. Your card, your rewards and your "
        "vouchers are here: {{ loyalty.card_link }}\n\nShow its code at the desk to use them.",
    ),
    (CARD_PURPOSE, "email", "fr"): email_default(
        "fr",
        "Votre carte de fidélité",
        "Vous avez {{ loyalty.balance }} points chez nous. Votre carte, vos récompenses et vos "
        "bons sont ici : {{ loyalty.card_link }}\n\nPrésentez son code à l'accueil pour les "
        "utiliser.",
    ),
    (CARD_PURPOSE, "email", "es"): email_default(
        "es",
        "Tu tarjeta de socio",
        "Tienes {{ loyalty.balance }} puntos con nosotros. Tu tarjeta, tus premios y tus vales "
        "están aquí: {{ loyalty.card_link }}\n\nMuestra su código en recepción para usarlos.",
    ),
    (CARD_PURPOSE, "sms", "en"): (
        "",
        "{{ business.name }}: you have {{ loyalty.balance }} points. "
        "Your member card: {{ loyalty.card_link }}",
    ),
    (CARD_PURPOSE, "sms", "fr"): (
        "",
        "{{ business.name }} : vous avez {{ loyalty.balance }} points. "
        "Votre carte : {{ loyalty.card_link }}",
    ),
    (CARD_PURPOSE, "sms", "es"): (
        "",
        "{{ business.name }}: tienes {{ loyalty.balance }} puntos. "
        "Tu tarjeta: {{ loyalty.card_link }}",
    ),
    (CARD_PURPOSE, "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. You have "
        "{{ loyalty.balance }} points with us. We have sent your member card by message. Goodbye!",
    ),
}


def loyalty_purposes() -> list[Purpose]:
    return [
        purpose_define(
            CARD_PURPOSE,
            _("Loyalty: link to the member card"),
            TRANSACTIONAL,
            LOYALTY_VARIABLES,
            defaults=DEFAULT_TEMPLATES,
        )
    ]
