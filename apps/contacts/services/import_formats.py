"""What other tools call their columns: the header spellings of Mailchimp's audience export,
Shopify's customer export, HubSpot's contact export and the patient lists of dental
practice-management systems (Dentrix, Open Dental, Eaglesoft), and where each one lands.

A column lands in a contact field, in an import-only target (a second address line, a note
on the timeline, marketing consent and its proof), or in a custom field the import creates
(`new.<key>`: company, state, other phones, the ID in the previous tool). The columns listed
in `IGNORED` are left out on purpose; `tests/contacts/test_import_formats.py` holds the real
header rows and checks every column against these tables.

Headers are compared after `imports._normal`: lowercase ASCII, "_-.:/" as spaces.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

# Contact fields and import-only targets, with the header spellings recognised for each. The
# first spelling found in a file wins when several columns could fill one field, so the more
# specific spellings come first ("mobile phone number" before "phone number").
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": (
        "first name",
        "firstname",
        "fname",
        "given name",
        "forename",
        "patient first name",
        "vorname",
        "prenom",
    ),
    "last_name": (
        "last name",
        "lastname",
        "lname",
        "surname",
        "family name",
        "patient last name",
        "nachname",
        "nom",
    ),
    "email": ("email", "e mail", "email address", "e mail address", "emailaddress", "mail"),
    "phone": (
        "mobile phone number",
        "mobile phone",
        "mobile",
        "cell phone",
        "cell",
        "wirelessphone",
        "wireless phone",
        "mobile number",
        "handy",
        "phone",
        "phone number",
        "telephone",
        "tel",
    ),
    "address_line": (
        "address",
        "address 1",
        "address1",
        "address line",
        "address line 1",
        "default address address1",
        "street",
        "street address",
    ),
    "address_line_2": (
        "address 2",
        "address2",
        "address line 2",
        "default address address2",
        "street address 2",
    ),
    "city": ("city", "town", "default address city", "ort", "ville"),
    "postal_code": (
        "postal code",
        "zip",
        "zip code",
        "zipcode",
        "postcode",
        "post code",
        "default address zip",
        "plz",
    ),
    "country": ("country", "country code", "country region", "default address country code", "cc"),
    "birthday": ("birthday", "birth date", "date of birth", "dob", "birthdate"),
    "tags": ("tags", "tag", "labels"),
    "language": ("language", "lang", "preferred language"),
    "time_zone": ("time zone", "timezone", "tz"),
    "preferred_channel": ("preferred channel", "channel"),
    "lifecycle_stage": ("lifecycle stage", "lifecycle", "stage"),
    "source": ("source", "lead source", "original source"),
    "note": ("note", "notes", "comments", "patient notes", "patient note"),
    "email_consent": ("email consent", "email opt in", "newsletter"),
    "sms_consent": (
        "sms consent",
        "sms opt in",
        "text message consent",
        "text msg ok",
        "ok to text",
    ),
    "voice_consent": ("voice consent", "call consent"),
    "email_marketing": (
        "accepts email marketing",
        "accepts marketing",
        "email marketing",
        "email marketing status",
        "email subscription status",
    ),
    "sms_marketing": ("accepts sms marketing", "sms marketing", "sms marketing status"),
    "email_unsubscribed": ("unsubscribed from all email", "email unsubscribed", "unsubscribed"),
    "email_marketing_opt_out": (
        "opted out of email marketing information",
        "opted out of marketing email",
    ),
    "optin_time": ("optin time", "opt in time", "opt in date", "subscribed at", "signup time"),
    "optin_ip": ("optin ip", "opt in ip", "signup ip"),
    "confirm_time": ("confirm time", "confirmed at", "opt in confirmed"),
    "confirm_ip": ("confirm ip",),
}

# Columns with no contact field that deserve one of the business's custom fields, created by
# the import when it is chosen: header spelling -> (key, label, type).
NEW_CUSTOM: dict[str, tuple[str, Any, str]] = {}  # (key, lazy label, type)
for _spellings, _custom in (
    (
        ("company", "company name", "default address company", "associated company"),
        ("company", _("Company"), "text"),
    ),
    (
        ("state", "state region", "region", "province", "default address province code"),
        ("region", _("State / region"), "text"),
    ),
    (
        ("phone number", "default address phone", "other phone", "phone 2", "phone2"),
        ("other_phone", _("Other phone"), "text"),
    ),
    (("home phone", "hmphone"), ("home_phone", _("Home phone"), "text")),
    (("work phone", "wkphone", "business phone"), ("work_phone", _("Work phone"), "text")),
    (
        ("record id", "patient id", "patnum", "customer id", "contact id"),
        ("previous_id", _("ID in the previous system"), "text"),
    ),
    (("chart number", "chartnumber", "chart"), ("chart_number", _("Chart number"), "text")),
    (("preferred name", "preferred", "nickname"), ("preferred_name", _("Preferred name"), "text")),
    (("gender", "sex"), ("gender", _("Gender"), "text")),
    (("job title",), ("job_title", _("Job title"), "text")),
    (("total spent",), ("total_spent", _("Total spent"), "number")),
    (("total orders",), ("total_orders", _("Total orders"), "number")),
    (
        ("first visit date", "datefirstvisit", "first visit"),
        ("first_visit", _("First visit"), "date"),
    ),
    (("last visit date", "last visit"), ("last_visit", _("Last visit"), "date")),
):
    for _spelling in _spellings:
        NEW_CUSTOM[_spelling] = _custom

# Left out on purpose, with why (the mapping page still lets the business choose a field).
IGNORED: dict[str, str] = {
    "member rating": "Mailchimp's engagement stars; recomputed here from real answers",
    "latitude": "Mailchimp's guess from an IP address, not the customer's address",
    "longitude": "Mailchimp's guess from an IP address, not the customer's address",
    "gmtoff": "an offset, not a zone; TIMEZONE carries the zone",
    "dstoff": "an offset, not a zone; TIMEZONE carries the zone",
    "last changed": "when the row changed in Mailchimp",
    "leid": "Mailchimp's internal ids",
    "euid": "Mailchimp's internal ids",
    "tax exempt": "a shop's tax setting, nothing a practice or salon uses",
    "lead status": "HubSpot's sales pipeline; lifecycle stage is kept",
    "contact owner": "a user of the previous tool, not a user here",
    "create date": "when the row was made in the previous tool",
    "last activity date": "activity in the previous tool",
    "marketing contact status": "HubSpot's billing flag, not consent",
    "middlei": "a middle initial",
    "middle initial": "a middle initial",
    "patstatus": "the previous system's patient status codes",
    "status": "the previous system's patient status codes",
    "txtmsgok": "Open Dental codes it 0/1/2, not yes/no; map it by hand if needed",
    "provider": "a dentist of the previous system, not a user here",
    "priprov": "a dentist of the previous system, not a user here",
}

# Mailchimp exports one file per status, with the same columns plus these.
_MAILCHIMP = {"optin time", "confirm time", "leid", "euid"}


def file_defaults_guess(normal_columns: set[str], file_name: str) -> dict[str, str]:
    """Values every row of the file carries without a column saying so: a Mailchimp
    "subscribed" export means each of its people subscribed to email marketing (an
    "unsubscribed" one, that each withdrew). Cleaned (bounced) exports grant nothing."""
    if not normal_columns >= _MAILCHIMP:
        return {}
    name = file_name.lower()
    if "unsub time" in normal_columns or name.startswith("unsubscribed"):
        return {"email_marketing": "unsubscribed"}
    if "clean time" in normal_columns or name.startswith(("cleaned", "nonsubscribed")):
        return {}
    return {"email_marketing": "subscribed"}
