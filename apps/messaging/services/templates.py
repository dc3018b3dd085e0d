"""Templates per purpose, channel and language: checked against the purpose's variables when
saved, rendered in a sandbox (variables and filters only, no tags) in the contact's language."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, TextNode, Variable, VariableNode
from django.utils.translation import gettext as _

from apps.contacts.choices import Channel
from apps.contacts.selectors import custom_field_keys

from ..models import Template
from ..registries import purposes

if TYPE_CHECKING:
    from apps.contacts.models import Contact

__all__ = [
    "BatchRenderer",
    "RenderedMessage",
    "purpose_variables",
    "sms_segments",
    "template_delete",
    "template_render",
    "template_save",
    "template_validate",
    "template_variables",
    "template_variants",
]

FALLBACK_LANGUAGE = "en"


# No tag libraries and only the default filters: a template can print variables and format
# them, never load tags, include files or loop over querysets. Engine() always prepends the
# default tags to `builtins`, so the filters-only set is put in place after construction.
def _sandbox(autoescape: bool) -> Engine:
    engine = Engine(libraries={}, builtins=[], autoescape=autoescape)
    engine.template_builtins = engine.get_template_builtins(["django.template.defaultfilters"])
    return engine


_ENGINES = {autoescape: _sandbox(autoescape) for autoescape in (False, True)}


@dataclass(frozen=True)
class RenderedMessage:
    language: str
    subject: str
    body: str
    sms_segments: int = 0


# --- parsing and validation -------------------------------------------------------------------
@lru_cache(maxsize=1024)
def _compile(source: str, autoescape: bool = False):
    """Compiled once per distinct source: sending thousands of one template parses it once."""
    return _ENGINES[autoescape].from_string(source)


def _names_in(expression: FilterExpression) -> set[str]:
    names: set[str] = set()
    candidates = [expression.var] + [arg for _f, args in expression.filters for _l, arg in args]
    for var in candidates:
        if isinstance(var, Variable) and var.lookups is not None:
            names.add(var.var)  # type: ignore[arg-type]  # always a str: the stubs allow a dict
    return names


def template_variables(source: str) -> set[str]:
    """The dotted variable names a template uses (filter arguments included); an unclosed
    `{{` or `{%` is an error too, since Django would print it to the customer as it is."""
    nodelist = _compile(source).nodelist
    for node in nodelist.get_nodes_by_type(TextNode):
        if "{{" in node.s or "{%" in node.s:
            raise TemplateSyntaxError(_("a “{{” or “{%” is not closed."))
    names: set[str] = set()
    for node in nodelist.get_nodes_by_type(VariableNode):
        names |= _names_in(node.filter_expression)
    return names


def purpose_variables(purpose: str) -> set[str]:
    """What a purpose's templates may use: its own names plus the business's custom fields."""
    custom = custom_field_keys()
    return set(purposes[purpose].variables) | {f"contact.custom.{key}" for key in custom}


def _language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def template_validate(
    *,
    purpose: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    allowed: set[str] | None = None,
) -> None:
    """Raise a ValidationError naming each bad field; `allowed` skips the custom-field query."""
    errors: dict[str, list[str]] = {}
    if purpose not in purposes:
        errors["purpose"] = [_("Unknown purpose.")]
    if channel not in Channel.values:
        errors["channel"] = [_("Choose email, SMS or voice.")]
    if language not in _language_codes():
        errors["language"] = [_("Choose one of the languages the product speaks.")]
    if not body.strip():
        errors["body"] = [_("Write the message.")]
    if channel == Channel.EMAIL and not subject.strip():
        errors["subject"] = [_("An email needs a subject.")]
    if "purpose" not in errors:
        if allowed is None:
            allowed = purpose_variables(purpose)
        for field, source in (("subject", subject), ("body", body)):
            if field in errors:
                continue
            try:
                unknown = sorted(template_variables(source) - allowed)
            except TemplateSyntaxError as exc:
                errors[field] = [_("This template has an error: %(error)s") % {"error": exc}]
                continue
            if unknown:
                errors[field] = [
                    _("Unknown variables: %(names)s. This message can use: %(allowed)s.")
                    % {"names": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
                ]
    if errors:
        raise ValidationError(errors)


def template_save(
    *, purpose: str, channel: str, language: str, subject: str, body: str
) -> Template:
    """Store the business's own wording for a purpose/channel/language, checked before it is
    ever sent: an unknown variable is refused here, not discovered by a customer."""
    subject = subject.strip() if channel == Channel.EMAIL else ""
    template_validate(
        purpose=purpose, channel=channel, language=language, subject=subject, body=body
    )
    with transaction.atomic():
        template, _created = Template.objects.update_or_create(
            purpose=purpose,
            channel=channel,
            language=language,
            defaults={"subject": subject, "body": body.strip()},
        )
    return template


def template_delete(*, purpose: str, channel: str, language: str) -> bool:
    """Drop the business's own wording so the shipped default applies again."""
    with transaction.atomic():
        deleted, _rows = Template.objects.filter(
            purpose=purpose, channel=channel, language=language
        ).delete()
    return bool(deleted)


# --- choosing and rendering -------------------------------------------------------------------
def template_variants(*, purpose: str, channel: str) -> dict[str, tuple[str, str, bool]]:
    """Language -> (subject, body, is_own) for a purpose on a channel: the shipped defaults,
    overridden language by language by what the business stored (one query)."""
    spec = purposes.get(purpose)
    defaults = spec.defaults.items() if spec is not None else ()
    variants = {
        lang: (subject, body, False) for (c, lang), (subject, body) in defaults if c == channel
    }
    for t in Template.objects.filter(purpose=purpose, channel=channel).only(
        "language", "subject", "body"
    ):
        variants[t.language] = (t.subject, t.body, True)
    return variants


def _pick_language(available, wanted: list[str]) -> str | None:
    for code in wanted:
        if not code:
            continue
        code = code.lower()
        for candidate in (code, code.split("-")[0]):
            if candidate in available:
                return candidate
    return min(available) if available else None


def _business_language() -> str:
    from apps.tenants.services import tenant_current

    try:
        return tenant_current().language
    except Exception:  # outside a tenant (e.g. a script): fall through to English
        return ""


def _business():
    from apps.tenants.services import tenant_current

    try:
        tenant = tenant_current()
    except Exception:
        return {"name": ""}
    return {
        "name": tenant.name,
        "phone": getattr(tenant, "phone_display", "") or "",
        "email": getattr(tenant, "email", "") or "",
        "address": " · ".join(
            line.strip()
            for line in (getattr(tenant, "address", "") or "").splitlines()
            if line.strip()
        ),
        "website": getattr(tenant, "website", "") or "",
    }


def _contact_context(contact: Contact) -> dict[str, Any]:
    # Plain data, not the model: a template can never reach a method or a related manager.
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "name": contact.name,
        "email": contact.email,
        "custom": dict(contact.custom or {}),
    }


def template_render(
    *,
    purpose: str,
    channel: str,
    contact: Contact,
    context: dict | None = None,
    variants: dict | None = None,
) -> RenderedMessage:
    """The message for this contact: their language, else the business's, else English, else
    any variant; the business's own wording where it has one, the shipped default otherwise.
    A batch passes `variants` (from template_variants) once for all its contacts."""
    if variants is None:
        variants = template_variants(purpose=purpose, channel=channel)
    language = _pick_language(variants, [contact.language, _business_language(), FALLBACK_LANGUAGE])
    if language is None:
        raise ValidationError(
            {
                "purpose": _("No %(channel)s template for “%(purpose)s”.")
                % {"channel": channel, "purpose": purpose}
            }
        )
    subject_source, body_source, _own = variants[language]
    return template_render_source(
        channel=channel,
        language=language,
        subject=subject_source,
        body=body_source,
        contact=contact,
        context=context,
    )


PER_CONTACT = frozenset({"contact", "unsubscribe_link"})  # what differs between contacts


class _Plan:
    """A template rendered once for what a batch shares: its text and the variables that do
    not name the contact are kept as strings; per contact only the rest is evaluated. The
    sandbox has no tags, so a template is a flat list of text and variables."""

    def __init__(self, source: str, shared: dict) -> None:
        self.template = _compile(source)
        self.shared = shared
        context = self._context({})
        self.parts: list[Any] = []
        for node in self.template.nodelist:
            personal = not isinstance(node, TextNode | VariableNode) or (
                isinstance(node, VariableNode)
                and any(
                    name.split(".")[0] in PER_CONTACT for name in _names_in(node.filter_expression)
                )
            )
            self.parts.append(node if personal else node.render(context))

    def _context(self, personal: dict) -> Context:
        context = Context({**self.shared, **personal}, autoescape=False)
        context.template = self.template
        return context

    def render(self, personal: dict) -> str:
        context = None
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            context = context or self._context(personal)
            out.append(part.render(context))
        return "".join(out)


class BatchRenderer:
    """`template_render` for many contacts of one purpose, channel and context (a campaign's
    batch): each language's wording is prepared once, and per contact only the variables
    that name the contact or its unsubscribe link are evaluated. Same output as
    template_render_source, contact by contact."""

    def __init__(self, *, purpose: str, channel: str, variants: dict, context: dict) -> None:
        self.purpose, self.channel, self.variants = purpose, channel, variants
        self.business = _business()
        self.shared = {"business": self.business, **context}
        self.plans: dict[str, tuple[_Plan, _Plan]] = {}

    def render(self, *, contact: Contact, personal: dict) -> RenderedMessage:
        language = _pick_language(
            self.variants, [contact.language, _business_language(), FALLBACK_LANGUAGE]
        )
        if language is None:
            raise ValidationError(
                {
                    "purpose": _("No %(channel)s template for “%(purpose)s”.")
                    % {"channel": self.channel, "purpose": self.purpose}
                }
            )
        if language not in self.plans:
            subject, body, _own = self.variants[language]
            self.plans[language] = (_Plan(subject, self.shared), _Plan(body, self.shared))
        subject_plan, body_plan = self.plans[language]
        data = {**personal, "contact": _contact_context(contact)}
        rendered_body = body_plan.render(data).strip()
        if self.channel == Channel.EMAIL:
            rendered_body += email_footer(business=self.business, language=language)
        rendered_subject = (
            " ".join(subject_plan.render(data).split()) if self.channel == Channel.EMAIL else ""
        )
        return RenderedMessage(
            language=language,
            subject=rendered_subject,
            body=rendered_body,
            sms_segments=sms_segments(rendered_body) if self.channel == Channel.SMS else 0,
        )


FOOTER_PHONE = {"en": "Phone", "fr": "Téléphone", "es": "Teléfono"}


def email_footer(*, business: dict, language: str) -> str:
    """How to reach the business, under every e-mail (after the signature delimiter): its
    phone, address and website, those it has set (nothing when it has set none)."""
    label = FOOTER_PHONE.get((language or "en")[:2], FOOTER_PHONE["en"])
    lines = [
        f"{label}: {business['phone']}" if business.get("phone") else "",
        business.get("address") or "",
        business.get("website") or "",
    ]
    lines = [line for line in lines if line]
    return "\n\n-- \n" + "\n".join(lines) if lines else ""


def template_render_source(
    *,
    channel: str,
    language: str,
    subject: str,
    body: str,
    contact: Contact,
    context: dict | None = None,
) -> RenderedMessage:
    """Render given wording (stored, default or an unsaved draft being previewed)."""
    business = _business()
    data = {"business": business, **(context or {}), "contact": _contact_context(contact)}
    ctx = Context(data, autoescape=False)
    rendered_body = _compile(body).render(ctx).strip()
    if channel == Channel.EMAIL:
        rendered_body += email_footer(business=business, language=language)
    rendered_subject = (
        " ".join(_compile(subject).render(ctx).split()) if channel == Channel.EMAIL else ""
    )
    return RenderedMessage(
        language=language,
        subject=rendered_subject,
        body=rendered_body,
        sms_segments=sms_segments(rendered_body) if channel == Channel.SMS else 0,
    )


# --- SMS length -------------------------------------------------------------------------------
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """How many SMS a text costs: GSM-7 fits 160 (153 per part when split), anything else is
    sent as UCS-2 and fits 70 (67 per part)."""
    if not text:
        return 0
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        length = len(text) + sum(1 for ch in text if ch in _GSM_EXTENDED)
        single, part = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2  # emoji count as two units
        single, part = 70, 67
    return 1 if length <= single else math.ceil(length / part)


def sms_length(text: str) -> int:
    """Characters as the carrier counts them (extension characters and emoji count twice)."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENDED for ch in text):
        return len(text) + sum(1 for ch in text if ch in _GSM_EXTENDED)
    return len(text.encode("utf-16-le")) // 2


# --- preview ----------------------------------------------------------------------------------
_SAMPLES = {
    "unsubscribe_link": "https://example.com/m/u/sample",
    "link": "https://example.com/offer",
    "appointment": {
        "starts_at": "Tue 14 May, 10:30",
        "service": "Check-up",
        "staff": "Dr. Moreau",
        "confirm_link": "https://example.com/m/a/sample",
        "previous_starts_at": "Mon 13 May, 09:00",
    },
    "booking_link": "https://example.com/book/",
    "survey": {"link": "https://example.com/m/s/sample"},
    "voucher": {"code": "THANKYOU10", "expires": "30 June"},
    "invoice": {"amount": "€85.00", "due_date": "1 May", "pay_link": "https://example.com/pay"},
    "outage": {"area": "Riverside", "until": "18:00"},
}


def template_sample_context(*, purpose: str) -> dict[str, Any]:
    """Made-up values for the triggering object, so a preview reads like a real message."""
    wanted = {name.split(".")[0] for name in purposes[purpose].variables}
    return {key: value for key, value in _SAMPLES.items() if key in wanted}
