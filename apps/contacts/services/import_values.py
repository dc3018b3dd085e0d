"""Reading the cells other tools write: country names and codes, languages by name or code,
dates in the business's order, time stamps, HubSpot's stages, and marketing subscription
words. Each function returns the stored value or raises ValueError with what to write."""

from __future__ import annotations

import datetime as dt

import pycountry
from django.utils.translation import gettext as _

GRANT, NO_GRANT, WITHDRAW = "grant", "", "withdraw"
MARKETING_WORDS = {
    GRANT: {
        "yes",
        "y",
        "true",
        "1",
        "subscribed",
        "opted in",
        "opted_in",
        "opt in",
        "optin",
        "granted",
        "accepted",
        "accepts",
        "confirmed",
        "single_opt_in",
        "confirmed_opt_in",
        "ja",
        "oui",
        "si",
    },
    NO_GRANT: {
        "no",
        "n",
        "false",
        "0",
        "not subscribed",
        "not_subscribed",
        "non-subscribed",
        "nonsubscribed",
        "never subscribed",
        "not specified",
        "pending",
        "cleaned",
        "bounced",
        "invalid",
        "redacted",
        "nein",
        "non",
    },
    WITHDRAW: {
        "unsubscribed",
        "opted out",
        "opted_out",
        "opt out",
        "optout",
        "withdrawn",
        "revoked",
    },
}
TRUE_WORDS = {"true", "yes", "y", "1", "ja", "oui", "si"}
FALSE_WORDS = {"false", "no", "n", "0", "nein", "non"}
# HubSpot's lifecycle stages (and a few other tools') as the three kept here.
STAGE_SYNONYMS = {
    "subscriber": "lead",
    "marketing qualified lead": "lead",
    "marketingqualifiedlead": "lead",
    "sales qualified lead": "lead",
    "salesqualifiedlead": "lead",
    "opportunity": "lead",
    "prospect": "lead",
    "other": "lead",
    "evangelist": "customer",
    "active": "customer",
    "patient": "customer",
    "inactive": "lapsed",
    "former customer": "lapsed",
}
# Countries that write dates month first.
MONTH_FIRST = {"US", "PH", "CA", "FM", "MH", "PW", "BZ"}


def country_parse(value: str) -> str:
    """A two-letter code from a code (US, USA) or an English name (United States)."""
    value = value.strip()
    if len(value) == 2 and value.isalpha():
        return value.upper()
    try:
        return pycountry.countries.lookup(value).alpha_2
    except LookupError:
        pass
    for country in pycountry.countries:  # "United States of America", "Korea, Republic of"
        if value.lower() in {getattr(country, "common_name", "").lower(), country.name.lower()}:
            return country.alpha_2
    raise ValueError(_("Use a two-letter country code (e.g. US) or the country's name."))


def language_parse(value: str) -> str:
    """A two-letter language code from en, en-US, eng or English."""
    value = value.strip()
    head = value.replace("_", "-").split("-")[0].lower()
    if len(head) == 2 and head.isalpha():
        return head
    try:
        language = pycountry.languages.lookup(head if len(head) == 3 else value)
    except LookupError:
        language = None
    code = getattr(language, "alpha_2", "") if language else ""
    if not code:
        raise ValueError(_("Use a language code such as en or es, or the language's name."))
    return code


def date_parse(value: str, *, country: str) -> dt.date:
    """ISO dates, and d/m/y or m/d/y (month first where the business's country writes it so);
    a day and month without a year is refused, since a birthday needs one here."""
    value = value.strip()
    try:
        return dt.date.fromisoformat(value[:10] if len(value) > 10 and value[10] in " T" else value)
    except ValueError:
        pass
    separator = next((s for s in "/.-" if s in value), "")
    parts = value.split(separator) if separator else []
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        raise ValueError(_("The date has no year; write it as YYYY-MM-DD."))
    if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
        first, second, year = (int(p) for p in parts)
        if year < 100:
            raise ValueError(_("Write the year with four digits, or the date as YYYY-MM-DD."))
        month, day = (
            (first, second)
            if country in MONTH_FIRST and separator == "/"
            else (
                second,
                first,
            )
        )
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(_("Enter a date as YYYY-MM-DD."))


_TIME_FORMATS = ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M")


def moment_parse(value: str, *, now: dt.datetime) -> dt.datetime:
    """A time stamp (UTC when the file gives no offset, as Mailchimp's are), not in the future."""
    text = value.strip()
    when = None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for pattern in _TIME_FORMATS:
            try:
                when = dt.datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
    if when is None:
        raise ValueError(_("Enter a time as YYYY-MM-DD HH:MM (UTC)."))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if when > now + dt.timedelta(minutes=5):
        raise ValueError(_("The time is in the future."))
    return when


def marketing_parse(value: str) -> str:
    """GRANT, NO_GRANT or WITHDRAW for a subscription cell (yes, subscribed, unsubscribed...)."""
    word = value.strip().lower()
    for meaning, words in MARKETING_WORDS.items():
        if word in words:
            return meaning
    raise ValueError(_("Write yes or no (or subscribed / unsubscribed)."))


def flag_parse(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("Write true or false."))
