"""Public schema: the businesses (tenants), their host names and their next wake-up time."""

import zoneinfo

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from oauth2_provider.models import AbstractApplication

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz)


# The currencies a business can price in (ISO 4217), and the one each country uses, so a new
# business starts with its own. Purchases keep the currency they were made in.
CURRENCIES = [
    "AUD",
    "BRL",
    "CAD",
    "CHF",
    "CNY",
    "CZK",
    "DKK",
    "EUR",
    "GBP",
    "HKD",
    "HUF",
    "ILS",
    "INR",
    "JPY",
    "KRW",
    "MXN",
    "NOK",
    "NZD",
    "PLN",
    "RON",
    "SEK",
    "SGD",
    "TRY",
    "USD",
    "ZAR",
]
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]
EURO_COUNTRIES = {
    "AT",
    "BE",
    "CY",
    "DE",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PT",
    "SI",
    "SK",
}
COUNTRY_CURRENCY = {
    "AU": "AUD",
    "BR": "BRL",
    "CA": "CAD",
    "CH": "CHF",
    "CN": "CNY",
    "CZ": "CZK",
    "DK": "DKK",
    "GB": "GBP",
    "HK": "HKD",
    "HU": "HUF",
    "IL": "ILS",
    "IN": "INR",
    "JP": "JPY",
    "KR": "KRW",
    "LI": "CHF",
    "MX": "MXN",
    "NO": "NOK",
    "NZ": "NZD",
    "PL": "PLN",
    "RO": "RON",
    "SE": "SEK",
    "SG": "SGD",
    "TR": "TRY",
    "ZA": "ZAR",
}


def currency_for_country(country: str) -> str:
    country = (country or "").upper()
    return "EUR" if country in EURO_COUNTRIES else COUNTRY_CURRENCY.get(country, "USD")


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[int, int, int]:
    color = (color or "#0f766e").lstrip("#")
    if len(color) != 6:
        color = "0f766e"
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    lum = []
    for color in (first, second):
        r, g, b = (_channel(c) for c in _rgb(color))
        lum.append(0.2126 * r + 0.7152 * g + 0.0722 * b)
    light, dark = max(lum), min(lum)
    return (light + 0.05) / (dark + 0.05)


def ink_for(color: str, *, on: str = "#ffffff", ratio: float = 5.0) -> str:
    """`color`, mixed with black in steps until it reads at `ratio` on `on`."""
    r, g, b = _rgb(color)
    for step in range(11):
        keep = 1 - step / 10
        mixed = f"#{round(r * keep):02x}{round(g * keep):02x}{round(b * keep):02x}"
        if contrast_ratio(mixed, on) >= ratio:
            return mixed
    return "#000000"


class Plan(models.TextChoices):
    TRIAL = "trial", _("Trial")
    STARTER = "starter", _("Starter")
    GROWTH = "growth", _("Growth")


def logo_upload_to(tenant: "Tenant", filename: str) -> str:
    return f"logos/{tenant.schema_name}/{filename}"


class Tenant(TenantMixin):
    """One business. Its schema holds all of its data; this row holds how to reach it."""

    name = models.CharField(_("business name"), max_length=120)
    slug = models.SlugField(_("sub-domain"), max_length=63, unique=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="America/New_York"
    )
    language = models.CharField(_("default language"), max_length=8, default="en")
    currency = models.CharField(
        _("currency"),
        max_length=3,
        choices=CURRENCY_CHOICES,
        default="USD",
        help_text=_("What service prices are in."),
    )
    plan = models.CharField(_("plan"), max_length=16, choices=Plan.choices, default=Plan.TRIAL)
    brand_color = models.CharField(_("brand colour"), max_length=7, default="#0f766e")
    logo = models.ImageField(_("logo"), upload_to=logo_upload_to, blank=True)
    # How customers reach the business: on the booking and manage pages and in e-mail footers.
    phone = models.CharField(_("phone"), max_length=20, blank=True, help_text=_("E.164"))
    email = models.EmailField(
        _("e-mail address"),
        blank=True,
        help_text=_("Customers' replies to e-mails go here."),
    )
    address = models.TextField(_("address"), max_length=300, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    opening_note = models.CharField(
        _("opening note"),
        max_length=200,
        blank=True,
        help_text=_("A line for customers, e.g. “Late opening on Thursdays until 8 pm.”"),
    )
    created = models.DateTimeField(auto_now_add=True)

    auto_create_schema = True
    auto_drop_schema = True
    # The database holding the schema, as the tenant middleware read it from the routing
    # table (`TenantDatabase`); see `apps.tenants.databases.tenant_database`.
    database_alias = "default"

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # django-tenants creates (and migrates) a missing schema when an existing tenant is
        # saved; a business living on another database has none here, by design.
        if self.pk is not None:
            self.auto_create_schema = False
        super().save(*args, **kwargs)

    @property
    def brand_on(self) -> str:
        """Text colour on a brand-coloured background: white, or ink on a light brand colour."""
        return "#ffffff" if contrast_ratio(self.brand_color, "#ffffff") >= 4.5 else "#111827"

    @property
    def brand_ink(self) -> str:
        """The brand colour as text on white (links, ghost buttons, badges): darkened, when it
        is too light, until it reads at 5:1 or more."""
        return ink_for(self.brand_color)

    @property
    def phone_display(self) -> str:
        """The phone number as the business's customers write it (national format at home)."""
        if not self.phone:
            return ""
        try:
            number = phonenumbers.parse(self.phone, None)
        except phonenumbers.NumberParseException:
            return self.phone
        region = phonenumbers.region_code_for_number(number)
        style = (
            phonenumbers.PhoneNumberFormat.NATIONAL
            if region == (self.country or "").upper()
            else phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return phonenumbers.format_number(number, style)


class Domain(DomainMixin):
    """A host name that routes to a tenant (`<slug>.<BASE_DOMAIN>`, or a custom one)."""

    def __str__(self) -> str:
        return self.domain


class TenantWakeup(models.Model):
    """The earliest time a tenant has due work: the beat tick reads only this table.

    Kept by `apps.scheduling.services`; a tenant with nothing due has no row or a NULL time,
    so idle tenants cost the tick nothing.
    """

    tenant = models.OneToOneField(Tenant, primary_key=True, on_delete=models.CASCADE)
    next_due_at = models.DateTimeField(null=True, db_index=True)
    last_swept_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.tenant_id} @ {self.next_due_at}"


class SchemaTemplate(models.Model):
    """The SQL that migrating an empty business schema ran, recorded once per set of
    migrations, so a new business gets its tables by replaying it instead of migrating.

    `fingerprint` names the migrations (their names and file contents); a deploy that adds or
    changes one gets a new recording on first use. See `apps.tenants.services.schema_template`.
    """

    fingerprint = models.CharField(max_length=64, unique=True)
    statements = models.TextField()
    migrations = models.JSONField(default=list)
    recorded_at = models.DateTimeField(auto_now_add=True)
    record_seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"schema template {self.fingerprint[:12]} ({len(self.migrations)} migrations)"


class SchemaState(models.Model):
    """Which set of migrations a schema is at: the fingerprint of the migration files
    (`migrations_fingerprint`, the one that keys a `SchemaTemplate`) when it last finished
    migrating, or the outcome of its last attempt.

    `bootstrap` compares every schema's fingerprint with the code's in one query and migrates
    only the ones behind, so a deploy that changes no migration costs the same at ten
    businesses as at ten thousand. A schema without a row counts as behind. Each database
    keeps the rows of the schemas it holds (see `apps.tenants.databases`).
    """

    class Status(models.TextChoices):
        OK = "ok", _("Up to date")
        FAILED = "failed", _("Failed")

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True)
    seconds = models.FloatField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.schema_name}: {self.status} at {self.fingerprint[:12]}"


class TenantDatabase(models.Model):
    """The routing table: the database (an alias of `DATABASES`) holding a business's schema.

    Only businesses living outside the home database (`default`) have a row. The tenant
    middleware and the Celery tasks read it to choose the connection; moving a business is a
    dump, a restore on the other database and a change of this row
    (`apps.tenants.services.placement`).
    """

    tenant = models.OneToOneField(
        Tenant, primary_key=True, on_delete=models.CASCADE, related_name="database_route"
    )
    alias = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"{self.tenant_id} -> {self.alias}"


class PartnerApp(AbstractApplication):
    """A partner's application, registered once on the public site (public schema): any
    business's owner may then authorise it on the business's own host. Its grants and tokens
    live in that business's schema, so a token works on that business alone."""

    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or self.client_id
