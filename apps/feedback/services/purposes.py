"""What feedback sends through messaging: the invitation (with the score buttons in the
e-mail itself) and its reminder, in English, French and Spanish."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.messaging.services.purposes import Purpose, purpose_define
from apps.messaging.services.template_defaults import email_default

VARIABLES = {"survey.link", "survey.question", "survey.scores"}

_EMAIL = {
    "en": (
        "How did we do, {{ business.name }}?",
        "Thank you for your visit. {{ survey.question }}\n\nTap your score, it is saved at once:"
        "\n{{ survey.scores }}\n\nOr open the survey: {{ survey.link }}",
    ),
    "fr": (
        "Votre avis compte pour {{ business.name }}",
        "Merci de votre visite. {{ survey.question }}\n\nTouchez votre note, elle est "
        "enregistrée aussitôt :\n{{ survey.scores }}\n\nOu ouvrez le questionnaire : "
        "{{ survey.link }}",
    ),
    "es": (
        "Tu opinión cuenta para {{ business.name }}",
        "Gracias por tu visita. {{ survey.question }}\n\nToca tu puntuación, se guarda al "
        "momento:\n{{ survey.scores }}\n\nO abre la encuesta: {{ survey.link }}",
    ),
}
_SMS = {
    "en": "{{ business.name }}: {{ survey.question }} Reply with a number or tap {{ survey.link }}",
    "fr": "{{ business.name }} : {{ survey.question }} Répondez par un chiffre ou {{ survey.link }}",
    "es": "{{ business.name }}: {{ survey.question }} Responde con un número o {{ survey.link }}",
}
_VOICE = (
    "Hello, this is {{ business.name }}. {{ survey.question }} "
    "You can answer with the link we sent you by text or e-mail. Thank you."
)
_REMIND_EMAIL = {
    "en": ("A minute for {{ business.name }}?", "A quick reminder: {{ survey.question }}"),
    "fr": ("Une minute pour {{ business.name }} ?", "Petit rappel : {{ survey.question }}"),
    "es": ("¿Un minuto para {{ business.name }}?", "Un breve recordatorio: {{ survey.question }}"),
}


def _defaults() -> dict[tuple[str, str, str], tuple[str, str]]:
    table: dict[tuple[str, str, str], tuple[str, str]] = {}
    for lang in ("en", "fr", "es"):
        subject, text = _EMAIL[lang]
        table[("feedback_invitation", "email", lang)] = email_default(lang, subject, text)
        table[("feedback_invitation", "sms", lang)] = ("", _SMS[lang])
        subject, text = _REMIND_EMAIL[lang]
        table[("feedback_reminder", "email", lang)] = email_default(
            lang, subject, f"{text}\n\n{{{{ survey.scores }}}}\n\n{{{{ survey.link }}}}"
        )
        table[("feedback_reminder", "sms", lang)] = ("", _SMS[lang])
    for key in ("feedback_invitation", "feedback_reminder"):
        table[(key, "voice", "en")] = ("", _VOICE)
    return table


def feedback_purposes() -> list[Purpose]:
    defaults = _defaults()
    return [
        purpose_define(
            "feedback_invitation",
            _("Feedback survey"),
            "transactional",
            VARIABLES,
            defaults=defaults,
        ),
        purpose_define(
            "feedback_reminder",
            _("Feedback survey reminder"),
            "transactional",
            VARIABLES,
            defaults=defaults,
        ),
    ]
