"""How the app writes dates, times and time zones: the business's way, in one place.

Every page, e-mail and text message shows a date or a time through these functions (in
templates through the `cx_*` filters of `templatetags/cx_format.py`, built into every
template). The business's country and language choose the style, from CLDR (Babel):

- the clock: 12-hour where the business's locale writes "2:30 PM" (United States, Canada in
  English, Australia, India, ...), 24-hour elsewhere ("14:30");
- the order: month first where the locale writes dates month first ("Mar 5, 2026"), day first
  everywhere else ("5 Mar 2026"); a year-first locale gets day first too, which reads without
  doubt because the month is a word.

The words (month and weekday names, AM/PM) come from the active translation, like every other
word of the page. Functions take a local datetime: templates convert to the active zone before
a filter runs; Python code passes `value.astimezone(zone)`.

Time zones: `zone_label("America/New_York")` is "Eastern Time (New York)" (CLDR metazone and
city, in the active language); `time_zone_choices()` offers only current zones (no
deprecated aliases such as US/Eastern, no Etc/*), the business's country first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import get_timezone_location, get_timezone_name
from django.conf import settings
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy as _

from .db import connection

# Django date-format patterns, by name: (month first, day first). The time is added per clock.
DATE_PATTERNS: dict[str, tuple[str, str]] = {
    "date": ("M j, Y", "j M Y"),  # Mar 5, 2026 · 5 Mar 2026
    "date_short": ("M j", "j M"),  # Mar 5 · 5 Mar
    "day": ("l, F j, Y", "l j F Y"),  # Thursday, March 5, 2026 · Thursday 5 March 2026
    "day_short": ("D, M j", "D j M"),  # Thu, Mar 5 · Thu 5 Mar
}
TIME_PATTERNS = {False: "H:i", True: "g:i A"}  # 14:30 · 2:30 PM
TIME_SECONDS_PATTERNS = {False: "H:i:s", True: "g:i:s A"}


@dataclass(frozen=True)
class Style:
    """How one locale writes a date and a time."""

    clock_12: bool
    month_first: bool


def _locale(language: str, country: str) -> Locale | None:
    language = (language or "").replace("-", "_").split("_")[0].lower()
    country = (country or "").upper()
    tried = [f"{language}_{country}", f"und_{country}"] if country else []
    for tag in [*tried, language, "en"]:
        try:
            return Locale.parse(tag)
        except (UnknownLocaleError, ValueError):
            continue
    return None


_QUOTED = re.compile(r"'[^']*'")


@lru_cache(maxsize=512)
def style_for(language: str, country: str) -> Style:
    """The style of a language and country (CLDR's short time and date patterns)."""
    locale = _locale(language, country)
    if locale is None:
        return Style(clock_12=False, month_first=False)
    time_pattern = _QUOTED.sub("", locale.time_formats["short"].pattern)  # fr-CA: HH 'h' mm
    date_pattern = _QUOTED.sub("", locale.date_formats["short"].pattern)
    return Style(
        clock_12="h" in time_pattern or "K" in time_pattern,
        month_first=date_pattern[:1] in {"M", "L"},
    )


def business_country() -> str:
    """The country of the business the connection serves ("" on the public site)."""
    return getattr(getattr(connection, "tenant", None), "country", "") or ""


def business_time_zone() -> str:
    """The time zone of the business the connection serves ("" on the public site)."""
    return getattr(getattr(connection, "tenant", None), "time_zone", "") or ""


def business_style() -> Style:
    """The style of the business the connection serves (its country and language); on the
    public site, the default language's."""
    tenant = getattr(connection, "tenant", None)
    country = getattr(tenant, "country", "") or ""
    language = getattr(tenant, "language", "") or settings.LANGUAGE_CODE
    return style_for(language, country)


def pattern(name: str, *, style: Style | None = None) -> str:
    """The Django date-format pattern of a named format: date, date_short, day, day_short,
    time, time_seconds, datetime, datetime_seconds."""
    style = style or business_style()
    if name == "time":
        return TIME_PATTERNS[style.clock_12]
    if name == "time_seconds":
        return TIME_SECONDS_PATTERNS[style.clock_12]
    if name in {"datetime", "datetime_seconds"}:
        time = "time_seconds" if name.endswith("_seconds") else "time"
        return f"{pattern('date', style=style)}, {pattern(time, style=style)}"
    month_first, day_first = DATE_PATTERNS[name]
    return month_first if style.month_first else day_first


def format_value(value: dt.date | dt.datetime | dt.time | None, name: str) -> str:
    """`value` written in the named format; "" for None or a value the format cannot show."""
    if not value:  # None or "" (midnight is a true time)
        return ""
    try:
        return dateformat.format(value, pattern(name))
    except (AttributeError, TypeError, ValueError):
        return ""


def format_date(value) -> str:
    """E.g. "Mar 5, 2026" (US) or "5 Mar 2026"."""
    return format_value(value, "date")


def format_date_short(value) -> str:
    """E.g. "Mar 5" or "5 Mar": a date in a list where the year goes without saying."""
    return format_value(value, "date_short")


def format_day(value) -> str:
    """E.g. "Thursday, March 5, 2026" or "Thursday 5 March 2026": a day as a heading."""
    return format_value(value, "day")


def format_day_short(value) -> str:
    """E.g. "Thu, Mar 5" or "Thu 5 Mar"."""
    return format_value(value, "day_short")


def format_time(value, *, seconds: bool = False) -> str:
    """E.g. "2:30 PM" (US) or "14:30"."""
    return format_value(value, "time_seconds" if seconds else "time")


def format_datetime(value, *, seconds: bool = False) -> str:
    """E.g. "Mar 5, 2026, 2:30 PM" or "5 Mar 2026, 14:30"."""
    return format_value(value, "datetime_seconds" if seconds else "datetime")


def format_day_time(value, *, zone: bool = False) -> str:
    """E.g. "Thursday, March 5, 2026, 2:30 PM": when an appointment is, in a message; with
    `zone`, its time zone named after it ("... 2:30 PM Eastern Time (New York)")."""
    text = f"{format_day(value)}, {format_time(value)}"
    key = getattr(getattr(value, "tzinfo", None), "key", "")
    return f"{text} {zone_label(key)}" if zone and key else text


def format_time_range(start, end) -> str:
    """E.g. "2:30 PM–3:15 PM" or "14:30–15:15"."""
    return f"{format_time(start)}–{format_time(end)}"


def now_local() -> dt.datetime:
    """Now, in the active time zone (the reader's on a page)."""
    return timezone.localtime()


# --- time zones --------------------------------------------------------------------------------
REGIONS = {
    "Africa": _("Africa"),
    "America": _("Americas"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific"),
}


@lru_cache(maxsize=1)
def zone_countries() -> dict[str, str]:
    """Every current zone (CLDR's canonical ids this machine's tz database knows) and the
    country it is in: no deprecated alias (US/Eastern, Asia/Calcutta), no Etc/*, no
    POSIX-style rule zone (EST5EDT)."""
    known = zoneinfo.available_timezones()
    return {
        zone: country
        for zone, country in get_global("zone_territories").items()
        if zone in known
        and len(country) == 2
        and country.isalpha()
        and "/" in zone
        and not zone.startswith("Etc/")
    }


def current_time_zones() -> list[str]:
    """The zones a business or a person may choose, sorted by id."""
    return sorted(zone_countries())


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


@lru_cache(maxsize=4096)
def _zone_label(zone: str, language: str) -> str:
    locale = _locale(language, "") or Locale.parse("en")
    try:
        tzinfo = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zone
    name = get_timezone_name(tzinfo, locale=locale)
    location = get_timezone_location(tzinfo, locale=locale)
    if name == location:  # CLDR fell back to "Country (City) Time": the standard name reads better
        name = get_timezone_name(tzinfo, locale=locale, zone_variant="standard")
    city = get_timezone_location(tzinfo, locale=locale, return_city=True)
    if city and city not in name:
        return f"{name} ({city})"
    return name


def zone_label(zone: str) -> str:
    """A zone as people say it, in the active language: "Eastern Time (New York)", "Central
    European Time (Berlin)". An unknown name comes back as it is."""
    if not zone:
        return ""
    return _zone_label(zone, _language())


@lru_cache(maxsize=64)
def _country_names(language: str) -> dict[str, str]:
    locale = _locale(language, "") or Locale.parse("en")
    countries = set(zone_countries().values())
    return {code: locale.territories.get(code, code) for code in countries}


def country_name(code: str) -> str:
    """A country's name in the active language ("Germany"); the code if unknown."""
    return _country_names(_language()).get((code or "").upper(), code or "")


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every country with a time zone, sorted by name in the active language."""
    names = _country_names(_language())
    return sorted(names.items(), key=lambda item: _sort_key(item[1]))


def _sort_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@lru_cache(maxsize=1)
def country_default_zones() -> dict[str, str]:
    """The zone of each country where that is unambiguous: all its zones keep one time (CLDR
    metazone), e.g. DE → Europe/Berlin, FR → Europe/Paris; none for US, ES, AU."""
    defaults = {}
    english = Locale.parse("en")
    for country, zones in get_global("territory_zones").items():
        zones = [zone for zone in zones if zone in zone_countries()]
        if not zones:
            continue
        names = {get_timezone_name(zoneinfo.ZoneInfo(zone), locale=english) for zone in zones}
        if len(names) == 1:
            defaults[country] = zones[0]
    return defaults


def time_zone_choices(*, country: str = "", current: str = "") -> list:
    """The choices of a time-zone select: the country's zones first (when known), then every
    other current zone grouped by region, each sorted by its label. A `current` value that is
    no longer offered (an alias saved long ago) stays choosable, so saving keeps it."""
    country = (country or "").upper()
    home: list[tuple[str, str]] = []
    regions: dict[str, list[tuple[str, str]]] = {}
    for zone, zone_country in zone_countries().items():
        choice = (zone, zone_label(zone))
        if zone_country == country:
            home.append(choice)
        else:
            regions.setdefault(zone.split("/")[0], []).append(choice)
    groups: list = []
    if current and current not in zone_countries() and current in zoneinfo.available_timezones():
        groups.append((current, zone_label(current)))
    if home:
        groups.append((country_name(country), sorted(home, key=lambda c: _sort_key(c[1]))))
    for region, label in REGIONS.items():
        if regions.get(region):
            groups.append((label, sorted(regions[region], key=lambda c: _sort_key(c[1]))))
    return groups
