"""Provisioning businesses, their profile, and the public wake-up record of each tenant."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from ..databases import HOME, database_current, database_use
from ..db import connection
from ..models import CURRENCIES, Domain, Tenant, TenantWakeup, currency_for_country
from ..registries import NewBusiness, provisioning_hooks
from .schema_migrations import schema_state_record
from .schema_template import schema_create_from_template, schema_template_ensure

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,38}[a-z0-9]$")
HEX_COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
SLUG_MAX_LENGTH = 40


def tenant_host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def tenant_url(tenant: Tenant, path: str = "/", *, request=None) -> str:
    """Absolute URL of a page on the tenant's own host (for e-mails and redirects).

    With a request, the scheme and port are the ones the visitor used.
    """
    if request is not None:
        scheme, port = request.scheme, request.get_port()
        default_port = {"http": "80", "https": "443"}[scheme]
    else:
        scheme, port, default_port = settings.PUBLIC_SCHEME, settings.PUBLIC_PORT, ""
    suffix = f":{port}" if port and port != default_port else ""
    return f"{scheme}://{tenant_host(tenant.slug)}{suffix}{path}"


def tenant_slug_validate(slug: str) -> str:
    """Normalise a wanted sub-domain and say clearly why it cannot be had."""
    slug = (slug or "").strip().lower()
    if not SLUG_RE.match(slug) or "--" in slug:
        raise ValidationError(
            {
                "slug": _(
                    "Use 3 to 40 lowercase letters, digits and single hyphens, starting with a "
                    "letter and not ending with a hyphen."
                )
            }
        )
    if slug in settings.RESERVED_SUBDOMAINS:
        raise ValidationError(
            {"slug": _("“%(slug)s” is reserved. Choose another.") % {"slug": slug}}
        )
    if (
        Tenant.objects.filter(slug=slug).exists()
        or Domain.objects.filter(domain=tenant_host(slug)).exists()
    ):
        raise ValidationError({"slug": _("“%(slug)s” is already taken.") % {"slug": slug}})
    return slug


def tenant_slug_suggest(*, name: str) -> str:
    """A free sub-domain made from the business's name ("Bright Smile Dental" →
    "bright-smile-dental", then "bright-smile-dental-2" if that is taken)."""
    base = slugify(name or "").strip("-")
    base = base.lstrip("0123456789-") or "business"
    base = "-".join(part for part in base.split("-") if part)
    if len(base) < 3:
        base = f"{base}-business"
    for number in range(1, 100):
        suffix = "" if number == 1 else f"-{number}"
        candidate = base[: SLUG_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        try:
            return tenant_slug_validate(candidate)
        except ValidationError:
            continue
    raise ValidationError({"slug": _("Choose a sub-domain.")})


def _validate_profile(
    *, time_zone: str, country: str, brand_color: str | None = None, currency: str = "USD"
) -> None:
    errors: dict[str, str] = {}
    if currency not in CURRENCIES:
        errors["currency"] = _("Choose a currency from the list.")
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = _("Choose a time zone from the list.")
    if not re.match(r"^[A-Z]{2}$", country or ""):
        errors["country"] = _("Use a two-letter country code, e.g. US or DE.")
    if brand_color is not None and not HEX_COLOR_RE.match(brand_color):
        errors["brand_color"] = _("Use a colour like #0f766e.")
    if errors:
        raise ValidationError(errors)


def _clean_contact_details(*, country: str, **given: str | None) -> dict[str, str]:
    """The business's contact details, normalised (the phone in E.164, read in the business's
    country), or a ValidationError naming each field that is wrong. None means "not given"."""
    details = {field: (value or "").strip() for field, value in given.items() if value is not None}
    errors: dict[str, str] = {}
    if details.get("phone"):
        try:
            number = phonenumbers.parse(details["phone"], country or None)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            errors["phone"] = _("Enter a phone number customers can call, e.g. +1 312 555 0100.")
        else:
            details["phone"] = phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
    if details.get("email"):
        try:
            validate_email(details["email"])
        except ValidationError:
            errors["email"] = _("Enter an e-mail address like hello@example.com.")
        details["email"] = details["email"].lower()
    if details.get("website"):
        website = details["website"]
        if "://" not in website:
            website = f"https://{website}"
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            errors["website"] = _("Enter a web address like https://example.com.")
        details["website"] = website
    limits = {"address": 300, "opening_note": 200}
    for field, limit in limits.items():
        if len(details.get(field, "")) > limit:
            errors[field] = _("Keep it under %(limit)d characters.") % {"limit": limit}
    if errors:
        raise ValidationError(errors)
    return details


def tenant_create(
    *,
    name: str,
    slug: str,
    owner_name: str,
    owner_email: str,
    owner_password: str,
    time_zone: str = "America/New_York",
    country: str = "US",
    language: str = "en",
    plan: str = "trial",
    currency: str | None = None,
) -> Tenant:
    """Provision a business: schema with every table, its domain and its owner, or nothing.
    An empty `slug` gets one made from the name.

    The owner and everything a business starts with come from the provisioning hooks
    (accounts creates the owner first)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the business name.")})
    country = (country or "").strip().upper()
    currency = (currency or currency_for_country(country)).strip().upper()
    _validate_profile(time_zone=time_zone, country=country, currency=currency)
    wanted = (slug or "").strip()
    slug = tenant_slug_validate(wanted) if wanted else tenant_slug_suggest(name=name)
    template = schema_template_ensure()  # outside the transaction: a new recording is kept
    with transaction.atomic():
        tenant = Tenant(
            name=name,
            slug=slug,
            schema_name=slug.replace("-", "_"),
            time_zone=time_zone,
            country=country,
            language=language,
            plan=plan,
            currency=currency,
        )
        tenant.auto_create_schema = False  # replayed from the recording instead of migrated
        tenant.save(verbosity=0)
        schema_create_from_template(tenant.schema_name, template)
        schema_state_record(schema_name=tenant.schema_name, fingerprint=template.fingerprint)
        Domain.objects.create(domain=tenant_host(slug), tenant=tenant, is_primary=True)
        business = NewBusiness(
            tenant=tenant,
            owner_name=owner_name,
            owner_email=owner_email,
            owner_password=owner_password,
            language=language,
        )
        with schema_context(tenant.schema_name):
            for hook in provisioning_hooks.values():
                hook(business)
    connection.set_schema_to_public()
    return tenant


def tenant_update_profile(
    *,
    tenant: Tenant,
    name: str,
    country: str,
    time_zone: str,
    language: str,
    brand_color: str,
    currency: str | None = None,
    logo=None,
    clear_logo: bool = False,
    phone: str | None = None,
    email: str | None = None,
    address: str | None = None,
    website: str | None = None,
    opening_note: str | None = None,
) -> Tenant:
    """Change what customers and staff see of the business: name, locale, currency, colour,
    logo, and how customers reach it (phone, e-mail, address, website, opening note). A
    detail left as None keeps its value."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the business name.")})
    country = (country or "").strip().upper()
    currency = (currency or tenant.currency).strip().upper()
    _validate_profile(
        time_zone=time_zone, country=country, brand_color=brand_color, currency=currency
    )
    details = _clean_contact_details(
        country=country,
        phone=phone,
        email=email,
        address=address,
        website=website,
        opening_note=opening_note,
    )
    business_database = database_current()
    # The business's row lives on the home database, where hosts are routed from; a business
    # on another database also has a copy there, kept the same.
    with database_use(HOME), transaction.atomic():
        tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
        for field, value in details.items():
            setattr(tenant, field, value)
        tenant.name, tenant.country, tenant.time_zone = name, country, time_zone
        tenant.currency = currency
        tenant.language, tenant.brand_color = language, brand_color.lower()
        if clear_logo:
            tenant.logo = ""
        elif logo is not None:
            tenant.logo = logo
        tenant.save()
    if business_database != HOME:
        fields = {f.attname: getattr(tenant, f.attname) for f in Tenant._meta.concrete_fields}
        Tenant.objects.filter(pk=tenant.pk).update(**fields)
    return tenant


# --- wake-up record (the public side of the due-work mechanism) --------------------------------
def _wakeup_table() -> str:
    return f'"{get_public_schema_name()}"."{TenantWakeup._meta.db_table}"'


def tenant_current() -> Tenant:
    """The tenant whose schema the connection is in, also under schema_context (which sets
    only a stand-in with the schema name)."""
    tenant = connection.tenant
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.get(schema_name=connection.schema_name)


def tenant_zone() -> zoneinfo.ZoneInfo:
    """The current business's time zone (UTC when it names none that exists)."""
    try:
        return zoneinfo.ZoneInfo(tenant_current().time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def tenant_wakeup_at_least(*, tenant_id: int, due_at: datetime) -> None:
    """Make sure the tenant is woken no later than `due_at` (the row lock orders this against
    a sweep recomputing the time, so a wake-up is never lost)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_wakeup_table()} (tenant_id, next_due_at) VALUES (%s, %s) "
            f"ON CONFLICT (tenant_id) DO UPDATE "
            f"SET next_due_at = LEAST({TenantWakeup._meta.db_table}.next_due_at, "
            f"EXCLUDED.next_due_at)",
            [tenant_id, due_at],
        )


def tenant_wakeup_lock(*, tenant_id: int) -> None:
    """Lock the tenant's wake-up row until the end of the transaction (creating it if needed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_wakeup_table()} (tenant_id, next_due_at) VALUES (%s, NULL) "
            f"ON CONFLICT (tenant_id) DO NOTHING",
            [tenant_id],
        )
        cursor.execute(
            f"SELECT 1 FROM {_wakeup_table()} WHERE tenant_id = %s FOR UPDATE", [tenant_id]
        )


def tenant_wakeup_set(*, tenant_id: int, next_due_at: datetime | None) -> None:
    """Record the tenant's next due time (None: nothing pending) after a sweep."""
    TenantWakeup.objects.filter(tenant_id=tenant_id).update(
        next_due_at=next_due_at, last_swept_at=timezone.now()
    )


def tenant_wakeup_claim_due(*, now: datetime | None = None) -> list[str]:
    """Claim every tenant whose wake-up time has passed: one indexed UPDATE.

    The claimed time moves a lease ahead, so a second beat or a fast tick does not dispatch
    the same tenant again; the sweep sets the real next time when it finishes, and a lost
    sweep is retried when the lease runs out.
    """
    now = now or timezone.now()
    lease_until = now + timedelta(seconds=settings.DUE_WORK_LEASE_SECONDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_wakeup_table()} AS w SET next_due_at = %s "
            f'FROM "{get_public_schema_name()}"."{Tenant._meta.db_table}" AS t '
            f"WHERE w.next_due_at <= %s AND t.id = w.tenant_id RETURNING t.schema_name",
            [lease_until, now],
        )
        return [row[0] for row in cursor.fetchall()]


def public_tenant_ensure() -> Tenant:
    """The public schema's own row and hosts (base domain, 127.0.0.1), created once."""
    public = get_public_schema_name()
    tenant = Tenant.objects.filter(schema_name=public).first()
    if tenant is None:
        tenant = Tenant(schema_name=public, name="CX Suite", slug="public")
        tenant.save(verbosity=0)
    for host in {settings.BASE_DOMAIN, "127.0.0.1"}:
        Domain.objects.get_or_create(
            domain=host, defaults={"tenant": tenant, "is_primary": host == settings.BASE_DOMAIN}
        )
    return tenant
