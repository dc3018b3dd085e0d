"""The message purpose of journey steps: the step holds the wording (with the trigger's
properties filled in), the business's frame (greeting, sign-off) comes from the template."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.messaging.services.purposes import MARKETING, TRANSACTIONAL, Purpose
from apps.messaging.services.template_defaults import STOP_LINE, email_default

VARIABLES = frozenset({"text", "subject"})


def _defaults(marketing: bool) -> dict[tuple[str, str], tuple[str, str]]:
    rows: dict[tuple[str, str], tuple[str, str]] = {}
    for lang in ("en", "fr", "es"):
        rows[("email", lang)] = email_default(lang, "{{ subject }}", "{{ text }}", marketing)
        rows[("sms", lang)] = ("", "{{ text }} " + STOP_LINE[lang] if marketing else "{{ text }}")
    rows[("voice", "en")] = ("", "{{ text }}")
    return rows


def _purpose(key: str, label, category: str) -> Purpose:
    from apps.messaging.services.purposes import COMMON_VARIABLES

    return Purpose(
        key=key,
        label=label,
        category=category,
        variables=COMMON_VARIABLES | VARIABLES,
        defaults=_defaults(category == MARKETING),
    )


JOURNEY_PURPOSE = _purpose("journey", _("Journey message"), MARKETING)
JOURNEY_SERVICE_PURPOSE = _purpose("journey_service", _("Journey service message"), TRANSACTIONAL)
