"""Dates, times and time zones in the business's way (apps/tenants/formats.py and the cx_*
template filters): a 12-hour clock for a US business, 24 hours in Germany, one date format
across the app, friendly zone names and only current zones to choose from."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.utils import dateformat, timezone, translation
from django_tenants.utils import schema_context

from apps.tenants import formats
from apps.tenants.formats import (
    country_default_zones,
    current_time_zones,
    style_for,
    time_zone_choices,
    zone_label,
)
from apps.tenants.models import Tenant
from tests.conftest import host_of, logged_in
from tests.contacts.factories import ContactFactory, TimelineEventFactory

AFTERNOON = dt.datetime(2026, 3, 5, 14, 30)  # a Thursday, local wall time
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _render(source: str, **context) -> str:
    return Template(source).render(Context(context)).strip()


def _as(tenant: Tenant):
    connection.set_tenant(tenant)
    return tenant


@pytest.mark.parametrize(
    ("language", "country", "clock"),
    [
        ("en", "US", "2:30 PM"),
        ("es", "US", "2:30 PM"),
        ("en", "CA", "2:30 PM"),
        ("en", "AU", "2:30 PM"),
        ("de", "DE", "14:30"),
        ("en", "DE", "14:30"),
        ("en", "GB", "14:30"),
        ("fr", "FR", "14:30"),
        ("fr", "CA", "14:30"),  # CLDR writes 14 h 30: the quoted "h" is not a 12-hour clock
        ("xx", "ZZ", "2:30 PM"),  # an unknown locale falls back to English
    ],
)
def test_the_clock_follows_the_business_locale(language, country, clock):
    style = style_for(language, country)
    assert dateformat.format(AFTERNOON, formats.pattern("time", style=style)) == clock


def test_a_us_business_sees_2_30_pm_and_a_german_one_14_30(tenant, other_tenant):
    source = "{{ t|cx_time }} · {{ t|cx_date }} · {{ t|cx_datetime }} · {{ t|cx_day }}"
    assert tenant.country == "DE" and other_tenant.country == "US"
    _as(other_tenant)
    assert _render(source, t=AFTERNOON) == (
        "2:30 PM · Mar 5, 2026 · Mar 5, 2026, 2:30 PM · Thursday, March 5, 2026"
    )
    _as(tenant)
    assert _render(source, t=AFTERNOON) == (
        "14:30 · 5 Mar 2026 · 5 Mar 2026, 14:30 · Thursday 5 March 2026"
    )


def test_filters_show_an_instant_in_the_active_zone(tenant):
    instant = dt.datetime(2026, 3, 5, 13, 30, tzinfo=dt.UTC)
    with timezone.override(BERLIN):
        assert _render("{{ t|cx_time }}", t=instant) == "14:30"
    assert (
        _render(
            "{% load tz %}{% timezone 'America/New_York' %}{{ t|cx_time }}{% endtimezone %}",
            t=instant,
        )
        == "08:30"
    )


def test_filters_say_nothing_for_nothing(tenant):
    assert _render("[{{ t|cx_date }}][{{ t|cx_time }}][{{ z|cx_zone }}]", t=None, z="") == "[][][]"


def test_the_words_follow_the_active_language(tenant):
    with translation.override("fr"):
        assert _render("{{ t|cx_day }}", t=AFTERNOON) == "jeudi 5 mars 2026"


def test_a_time_range_and_seconds(other_tenant):
    _as(other_tenant)
    end = AFTERNOON + dt.timedelta(minutes=45)
    assert _render("{{ a|cx_time_range:b }}", a=AFTERNOON, b=end) == "2:30 PM–3:15 PM"
    assert _render('{{ a|cx_datetime:"seconds" }}', a=AFTERNOON) == "Mar 5, 2026, 2:30:00 PM"


# --- one date format across the app ------------------------------------------------------------
MACHINE_FORMATS = {"c", "Y-m-d", "Ymd"}  # attribute values and form values, not for reading
PARTS = {"D", "j", "M", "l"}  # a weekday or day number drawn in its own box
RAW_DATE = re.compile(r"""\|(?:date|time)(?![a-z_])(?::\s*["']([^"']*)["'])?|\{%\s*now\s""")


def test_no_template_writes_its_own_date_format():
    found = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in RAW_DATE.finditer(line):
                if match.group(1) in MACHINE_FORMATS | PARTS:
                    continue
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{number}: {match.group(0)}")
    assert found == [], "use |cx_date, |cx_time, |cx_datetime, |cx_day (apps/tenants/formats.py)"


def test_no_python_code_formats_a_date_for_people_by_hand():
    pattern = re.compile(r"\b(?:date_format|time_format)\(")
    found = [
        str(path.relative_to(settings.BASE_DIR))
        for path in Path(settings.BASE_DIR, "apps").rglob("*.py")
        if pattern.search(path.read_text()) and path.name != "formats.py"
    ]
    assert found == []


def test_contact_page_and_timeline_use_the_business_date_format(other_tenant, outsider):
    """A US business's contact page: every date reads "Mar 5, 2026", every time "2:30 PM"."""
    with schema_context(other_tenant.schema_name):
        contact = ContactFactory(time_zone="America/New_York")
        TimelineEventFactory(
            contact=contact,
            type="contact.created",
            occurred_at=dt.datetime(2026, 3, 5, 22, 30, tzinfo=dt.UTC),
        )
    client = logged_in(Client(HTTP_HOST=host_of(other_tenant)), outsider, other_tenant)
    response = client.get(f"/contacts/{contact.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    # 22:30 UTC is 2:30 PM in Los Angeles (standard time on 5 March)
    assert "Mar 5, 2026, 2:30 PM" in page
    assert "Eastern Time (New York)" in page  # the contact's zone, by name
    assert not re.search(r">\s*\d{1,2} [A-Z][a-z]{2} \d{4}", page)  # no day-first date
    assert not re.search(r"\b\d{2}:\d{2}\b(?! ?[AP]M)", _visible_text(page))


def _visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return page


# --- time zones --------------------------------------------------------------------------------
def _values(choices) -> list[str]:
    values = []
    for value, label in choices:
        if isinstance(label, list):
            values += [v for v, _ in label]
        else:
            values.append(value)
    return values


def test_zone_choices_are_current_zones_only():
    values = _values(time_zone_choices())
    assert len(values) == len(set(values)) == len(current_time_zones())
    assert 380 < len(values) < 450  # not the 553 names of the tz database
    for deprecated in ["US/Eastern", "Etc/GMT+5", "EST5EDT", "Asia/Calcutta", "Europe/Kiev"]:
        assert deprecated not in values
    assert {"America/New_York", "Europe/Berlin", "Asia/Kolkata", "Europe/Kyiv"} <= set(values)
    assert all(zone in zoneinfo.available_timezones() for zone in values)


def test_zone_labels_are_friendly():
    with translation.override("en"):
        assert zone_label("America/New_York") == "Eastern Time (New York)"
        assert zone_label("Europe/Berlin") == "Central European Time (Berlin)"
        assert zone_label("America/Los_Angeles") == "Pacific Time (Los Angeles)"
        assert zone_label("Pacific/Honolulu") == "Hawaii Time (Honolulu)"
        assert zone_label("Not/AZone") == "Not/AZone"
    with translation.override("fr"):
        assert zone_label("Europe/Paris") == "heure d’Europe centrale (Paris)"


def test_the_business_country_comes_first():
    with translation.override("en"):
        choices = time_zone_choices(country="US")
    group, zones = choices[0]
    assert group == "United States"
    assert ("America/New_York", "Eastern Time (New York)") in zones
    assert "Europe/Berlin" not in [value for value, _ in zones]
    assert "America/New_York" not in _values(choices[1:])


def test_a_zone_saved_long_ago_stays_choosable():
    choices = time_zone_choices(country="US", current="US/Eastern")
    assert choices[0] == ("US/Eastern", "Eastern Time (New York)")
    assert "Bogus/Zone" not in _values(time_zone_choices(current="Bogus/Zone"))


def test_a_country_with_one_time_gets_its_zone():
    defaults = country_default_zones()
    assert defaults["DE"] == "Europe/Berlin"
    assert defaults["FR"] == "Europe/Paris"
    assert defaults["GB"] == "Europe/London"
    assert "US" not in defaults and "ES" not in defaults  # several times: the owner chooses
