"""Public schema: the businesses (tenants), their host names and their next wake-up time."""

import zoneinfo

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

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
