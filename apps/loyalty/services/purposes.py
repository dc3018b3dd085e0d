"""Why a business writes to a member about loyalty: the purposes loyalty registers with
messaging. Every one of them offers `loyalty.card_link`, the member card's signed link
(tests/loyalty/test_card.py checks that every loyalty purpose does)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.messaging.services.purposes import TRANSACTIONAL, Purpose, purpose_define
from apps.messaging.services.template_defaults import DefaultKey, email_default

from .card import CARD_PURPOSE
from .notices import EXPIRY_PURPOSE, TIER_DOWN_PURPOSE, TIER_GRACE_PURPOSE, TIER_UP_PURPOSE

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
    (EXPIRY_PURPOSE, "email", "en"): email_default(
        "en",
        "Your points expire soon",
        "{{ loyalty.expiring_points }} of your points expire soon: use them by "
        "{{ loyalty.expiring_on }}. Your card shows which points expire when and the rewards "
        "they buy: {{ loyalty.card_link }}",
    ),
    (EXPIRY_PURPOSE, "email", "fr"): email_default(
        "fr",
        "Vos points expirent bientôt",
        "{{ loyalty.expiring_points }} de vos points expirent bientôt : utilisez-les d'ici le "
        "{{ loyalty.expiring_on }}. Votre carte indique quels points expirent quand et les "
        "récompenses qu'ils offrent : {{ loyalty.card_link }}",
    ),
    (EXPIRY_PURPOSE, "email", "es"): email_default(
        "es",
        "Tus puntos caducan pronto",
        "{{ loyalty.expiring_points }} de tus puntos caducan pronto: úsalos antes del "
        "{{ loyalty.expiring_on }}. Tu tarjeta muestra qué puntos caducan y cuándo, y los "
        "premios que puedes conseguir: {{ loyalty.card_link }}",
    ),
    (EXPIRY_PURPOSE, "sms", "en"): (
        "",
        "{{ business.name }}: {{ loyalty.expiring_points }} of your points expire soon, use "
        "them by {{ loyalty.expiring_on }}. Your card: {{ loyalty.card_link }}",
    ),
    (EXPIRY_PURPOSE, "sms", "fr"): (
        "",
        "{{ business.name }} : {{ loyalty.expiring_points }} de vos points expirent bientôt, "
        "utilisez-les d'ici le {{ loyalty.expiring_on }}. Votre carte : {{ loyalty.card_link }}",
    ),
    (EXPIRY_PURPOSE, "sms", "es"): (
        "",
        "{{ business.name }}: {{ loyalty.expiring_points }} de tus puntos caducan pronto, "
        "úsalos antes del {{ loyalty.expiring_on }}. Tu tarjeta: {{ loyalty.card_link }}",
    ),
    (TIER_UP_PURPOSE, "email", "en"): email_default(
        "en",
        "Welcome to {{ loyalty.tier }}",
        "Congratulations, you have reached {{ loyalty.tier }}! Your card shows its benefits "
        "and what it takes to keep it: {{ loyalty.card_link }}",
    ),
    (TIER_UP_PURPOSE, "email", "fr"): email_default(
        "fr",
        "Bienvenue au niveau {{ loyalty.tier }}",
        "Félicitations, vous avez atteint le niveau {{ loyalty.tier }} ! Votre carte indique "
        "ses avantages et ce qu'il faut pour le garder : {{ loyalty.card_link }}",
    ),
    (TIER_UP_PURPOSE, "email", "es"): email_default(
        "es",
        "Bienvenido al nivel {{ loyalty.tier }}",
        "¡Enhorabuena, has alcanzado el nivel {{ loyalty.tier }}! Tu tarjeta muestra sus "
        "ventajas y lo que hace falta para mantenerlo: {{ loyalty.card_link }}",
    ),
    (TIER_UP_PURPOSE, "sms", "en"): (
        "",
        "{{ business.name }}: you have reached {{ loyalty.tier }}! "
        "Your card: {{ loyalty.card_link }}",
    ),
    (TIER_UP_PURPOSE, "sms", "fr"): (
        "",
        "{{ business.name }} : vous avez atteint le niveau {{ loyalty.tier }} ! "
        "Votre carte : {{ loyalty.card_link }}",
    ),
    (TIER_UP_PURPOSE, "sms", "es"): (
        "",
        "{{ business.name }}: ¡has alcanzado el nivel {{ loyalty.tier }}! "
        "Tu tarjeta: {{ loyalty.card_link }}",
    ),
    (TIER_DOWN_PURPOSE, "email", "en"): email_default(
        "en",
        "Your member tier has changed",
        "The grace period of your {{ loyalty.previous_tier }} tier has ended and your points "
        "of the last months no longer reach it. Your card shows your tier now and what it "
        "takes to move up again: {{ loyalty.card_link }}",
    ),
    (TIER_DOWN_PURPOSE, "email", "fr"): email_default(
        "fr",
        "Votre niveau de fidélité a changé",
        "La période de grâce de votre niveau {{ loyalty.previous_tier }} est terminée et vos "
        "points des derniers mois ne l'atteignent plus. Votre carte indique votre niveau "
        "actuel et ce qu'il faut pour remonter : {{ loyalty.card_link }}",
    ),
    (TIER_DOWN_PURPOSE, "email", "es"): email_default(
        "es",
        "Tu nivel de socio ha cambiado",
        "El periodo de gracia de tu nivel {{ loyalty.previous_tier }} ha terminado y tus "
        "puntos de los últimos meses ya no lo alcanzan. Tu tarjeta muestra tu nivel actual y "
        "lo que hace falta para volver a subir: {{ loyalty.card_link }}",
    ),
    (TIER_DOWN_PURPOSE, "sms", "en"): (
        "",
        "{{ business.name }}: your {{ loyalty.previous_tier }} tier has ended. "
        "Your card: {{ loyalty.card_link }}",
    ),
    (TIER_DOWN_PURPOSE, "sms", "fr"): (
        "",
        "{{ business.name }} : votre niveau {{ loyalty.previous_tier }} a pris fin. "
        "Votre carte : {{ loyalty.card_link }}",
    ),
    (TIER_DOWN_PURPOSE, "sms", "es"): (
        "",
        "{{ business.name }}: tu nivel {{ loyalty.previous_tier }} ha terminado. "
        "Tu tarjeta: {{ loyalty.card_link }}",
    ),
    (EXPIRY_PURPOSE, "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. "
        "{{ loyalty.expiring_points }} of your points expire soon: please use them by "
        "{{ loyalty.expiring_on }}. We have sent your member card by message. Goodbye!",
    ),
    (TIER_UP_PURPOSE, "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. Congratulations, you "
        "have reached {{ loyalty.tier }}! We have sent your member card by message. Goodbye!",
    ),
    (TIER_GRACE_PURPOSE, "email", "en"): email_default(
        "en",
        "Keep your {{ loyalty.tier }} tier",
        "Your points of the last months no longer reach your {{ loyalty.tier }} tier. You keep "
        "it until {{ loyalty.tier_ends_on }}: to keep it after that, "
        "{{ loyalty.tier_keep_needed }} by then. Your card shows your progress: "
        "{{ loyalty.card_link }}",
    ),
    (TIER_GRACE_PURPOSE, "email", "fr"): email_default(
        "fr",
        "Gardez votre niveau {{ loyalty.tier }}",
        "Vos points des derniers mois n'atteignent plus votre niveau {{ loyalty.tier }}. Vous "
        "le gardez jusqu'au {{ loyalty.tier_ends_on }} : pour le garder ensuite, "
        "{{ loyalty.tier_keep_needed }} d'ici là. Votre carte indique où vous en êtes : "
        "{{ loyalty.card_link }}",
    ),
    (TIER_GRACE_PURPOSE, "email", "es"): email_default(
        "es",
        "Mantén tu nivel {{ loyalty.tier }}",
        "Tus puntos de los últimos meses ya no alcanzan tu nivel {{ loyalty.tier }}. Lo "
        "mantienes hasta el {{ loyalty.tier_ends_on }}: para conservarlo después, "
        "{{ loyalty.tier_keep_needed }} antes de esa fecha. Tu tarjeta muestra tu progreso: "
        "{{ loyalty.card_link }}",
    ),
    (TIER_GRACE_PURPOSE, "sms", "en"): (
        "",
        "{{ business.name }}: you keep your {{ loyalty.tier }} tier until "
        "{{ loyalty.tier_ends_on }}; to keep it after that, {{ loyalty.tier_keep_needed }}. "
        "Your card: {{ loyalty.card_link }}",
    ),
    (TIER_GRACE_PURPOSE, "sms", "fr"): (
        "",
        "{{ business.name }} : vous gardez votre niveau {{ loyalty.tier }} jusqu'au "
        "{{ loyalty.tier_ends_on }} ; pour le garder ensuite, {{ loyalty.tier_keep_needed }}. "
        "Votre carte : {{ loyalty.card_link }}",
    ),
    (TIER_GRACE_PURPOSE, "sms", "es"): (
        "",
        "{{ business.name }}: mantienes tu nivel {{ loyalty.tier }} hasta el "
        "{{ loyalty.tier_ends_on }}; para conservarlo después, {{ loyalty.tier_keep_needed }}. "
        "Tu tarjeta: {{ loyalty.card_link }}",
    ),
    (TIER_GRACE_PURPOSE, "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. You keep your "
        "{{ loyalty.tier }} tier until {{ loyalty.tier_ends_on }}. To keep it after that, "
        "{{ loyalty.tier_keep_needed }}. We have sent your member card by message. Goodbye!",
    ),
    (TIER_DOWN_PURPOSE, "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. The grace period of your "
        "{{ loyalty.previous_tier }} tier has ended. We have sent your member card by message, "
        "with what it takes to move up again. Goodbye!",
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
        ),
        # Notices about the member's own account: transactional, like a statement.
        purpose_define(
            EXPIRY_PURPOSE,
            _("Loyalty: points about to expire"),
            TRANSACTIONAL,
            LOYALTY_VARIABLES | {"loyalty.expiring_points", "loyalty.expiring_on"},
            defaults=DEFAULT_TEMPLATES,
        ),
        purpose_define(
            TIER_UP_PURPOSE,
            _("Loyalty: tier reached"),
            TRANSACTIONAL,
            LOYALTY_VARIABLES | {"loyalty.previous_tier"},
            defaults=DEFAULT_TEMPLATES,
        ),
        purpose_define(
            TIER_GRACE_PURPOSE,
            _("Loyalty: tier ending after the grace period, told ahead"),
            TRANSACTIONAL,
            LOYALTY_VARIABLES | {"loyalty.tier_ends_on", "loyalty.tier_keep_needed"},
            defaults=DEFAULT_TEMPLATES,
        ),
        purpose_define(
            TIER_DOWN_PURPOSE,
            _("Loyalty: tier ended after the grace period"),
            TRANSACTIONAL,
            LOYALTY_VARIABLES | {"loyalty.previous_tier"},
            defaults=DEFAULT_TEMPLATES,
        ),
    ]
