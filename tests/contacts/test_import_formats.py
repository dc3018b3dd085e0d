"""Moving in from another tool: the real header rows of Mailchimp's audience export, Shopify's
customer export, HubSpot's contact export and dental practice-management patient lists map
every column that has a home here, and leave out the rest on purpose; their consent columns
become consent history with its proof."""

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from apps.contacts.models import ConsentEvent, Contact, CustomField, TimelineEvent
from apps.contacts.services.imports import (
    import_column_ignored,
    import_mapping_guess,
    import_preview,
    import_run,
    import_start,
    import_upload,
)
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db

# Mailchimp: Audience > Export audience, "subscribed" file (23 columns with the default fields).
MAILCHIMP = [
    "Email Address", "First Name", "Last Name", "Address", "Phone Number", "Birthday",
    "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LATITUDE",
    "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION", "LAST_CHANGED", "LEID", "EUID",
    "NOTES", "TAGS",
]  # fmt: skip
MAILCHIMP_MAP = {
    "Email Address": "email",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Address": "address_line",
    "Phone Number": "phone",
    "Birthday": "birthday",
    "OPTIN_TIME": "optin_time",
    "OPTIN_IP": "optin_ip",
    "CONFIRM_TIME": "confirm_time",
    "CONFIRM_IP": "confirm_ip",
    "TIMEZONE": "time_zone",
    "CC": "country",
    "REGION": "new.region",
    "NOTES": "note",
    "TAGS": "tags",
}
MAILCHIMP_IGNORED = {
    "MEMBER_RATING", "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "LAST_CHANGED", "LEID", "EUID",
}  # fmt: skip

# Shopify: Customers > Export (19 columns).
SHOPIFY = [
    "First Name", "Last Name", "Email", "Accepts Email Marketing", "Default Address Company",
    "Default Address Address1", "Default Address Address2", "Default Address City",
    "Default Address Province Code", "Default Address Country Code", "Default Address Zip",
    "Default Address Phone", "Phone", "Accepts SMS Marketing", "Total Spent", "Total Orders",
    "Note", "Tax Exempt", "Tags",
]  # fmt: skip
SHOPIFY_MAP = {
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email": "email",
    "Accepts Email Marketing": "email_marketing",
    "Default Address Company": "new.company",
    "Default Address Address1": "address_line",
    "Default Address Address2": "address_line_2",
    "Default Address City": "city",
    "Default Address Province Code": "new.region",
    "Default Address Country Code": "country",
    "Default Address Zip": "postal_code",
    "Default Address Phone": "new.other_phone",
    "Phone": "phone",
    "Accepts SMS Marketing": "sms_marketing",
    "Total Spent": "new.total_spent",
    "Total Orders": "new.total_orders",
    "Note": "note",
    "Tags": "tags",
}
SHOPIFY_IGNORED = {"Tax Exempt"}

# HubSpot: Contacts > Export, a view with the usual properties (labels as HubSpot writes them).
HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Street Address", "City", "State/Region", "Postal Code", "Country/Region",
    "Preferred language", "Time Zone", "Date of birth", "Company Name", "Job Title",
    "Lifecycle Stage", "Lead Status", "Contact owner", "Original Source", "Create Date",
    "Last Activity Date", "Marketing contact status", "Unsubscribed from all email",
    "Opted out of email: Marketing Information",
]  # fmt: skip
HUBSPOT_MAP = {
    "Record ID": "new.previous_id",
    "First Name": "first_name",
    "Last Name": "last_name",
    "Email": "email",
    "Phone Number": "new.other_phone",
    "Mobile Phone Number": "phone",
    "Street Address": "address_line",
    "City": "city",
    "State/Region": "new.region",
    "Postal Code": "postal_code",
    "Country/Region": "country",
    "Preferred language": "language",
    "Time Zone": "time_zone",
    "Date of birth": "birthday",
    "Company Name": "new.company",
    "Job Title": "new.job_title",
    "Lifecycle Stage": "lifecycle_stage",
    "Original Source": "source",
    "Unsubscribed from all email": "email_unsubscribed",
    "Opted out of email: Marketing Information": "email_marketing_opt_out",
}
HUBSPOT_IGNORED = {
    "Lead Status", "Contact owner", "Create Date", "Last Activity Date", "Marketing contact status",
}  # fmt: skip

# Dentrix-style patient list export.
DENTRIX = [
    "Patient ID", "Chart Number", "Last Name", "First Name", "Middle Initial", "Preferred Name",
    "Birth Date", "Gender", "Status", "Address 1", "Address 2", "City", "State", "Zip",
    "Home Phone", "Work Phone", "Mobile Phone", "E-Mail", "Language", "Text Message Consent",
    "First Visit Date", "Last Visit Date", "Provider", "Patient Notes",
]  # fmt: skip
DENTRIX_MAP = {
    "Patient ID": "new.previous_id",
    "Chart Number": "new.chart_number",
    "Last Name": "last_name",
    "First Name": "first_name",
    "Preferred Name": "new.preferred_name",
    "Birth Date": "birthday",
    "Gender": "new.gender",
    "Address 1": "address_line",
    "Address 2": "address_line_2",
    "City": "city",
    "State": "new.region",
    "Zip": "postal_code",
    "Home Phone": "new.home_phone",
    "Work Phone": "new.work_phone",
    "Mobile Phone": "phone",
    "E-Mail": "email",
    "Language": "language",
    "Text Message Consent": "sms_consent",
    "First Visit Date": "new.first_visit",
    "Last Visit Date": "new.last_visit",
    "Patient Notes": "note",
}
DENTRIX_IGNORED = {"Middle Initial", "Status", "Provider"}

# Open Dental: the patient table's column names, as a query export writes them.
OPEN_DENTAL = [
    "PatNum", "LName", "FName", "MiddleI", "Preferred", "Birthdate", "Gender", "Address",
    "Address2", "City", "State", "Zip", "HmPhone", "WkPhone", "WirelessPhone", "Email",
    "Language", "TxtMsgOk", "PatStatus", "DateFirstVisit", "PriProv",
]  # fmt: skip
OPEN_DENTAL_MAP = {
    "PatNum": "new.previous_id",
    "LName": "last_name",
    "FName": "first_name",
    "Preferred": "new.preferred_name",
    "Birthdate": "birthday",
    "Gender": "new.gender",
    "Address": "address_line",
    "Address2": "address_line_2",
    "City": "city",
    "State": "new.region",
    "Zip": "postal_code",
    "HmPhone": "new.home_phone",
    "WkPhone": "new.work_phone",
    "WirelessPhone": "phone",
    "Email": "email",
    "Language": "language",
    "DateFirstVisit": "new.first_visit",
}
OPEN_DENTAL_IGNORED = {"MiddleI", "TxtMsgOk", "PatStatus", "PriProv"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _csv(header: list[str], *rows: dict[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return out.getvalue()


def _import(content: str, owner, name: str, *, on_match="update", file_defaults=None):
    upload = SimpleUploadedFile(name, content.encode(), "text/csv")
    job = import_upload(file=upload, actor=owner)
    preview = import_preview(job)
    mapping = {c["name"]: c["target"] for c in preview["columns"]}
    if file_defaults is None:
        file_defaults = preview["file_defaults"]
    import_start(
        job=job, mapping=mapping, on_match=on_match, actor=owner, file_defaults=file_defaults
    )
    return import_run(job_id=job.pk)


# --- every column has a home or a reason -------------------------------------------------------
@pytest.mark.parametrize(
    "header, expected, ignored",
    [
        (MAILCHIMP, MAILCHIMP_MAP, MAILCHIMP_IGNORED),
        (SHOPIFY, SHOPIFY_MAP, SHOPIFY_IGNORED),
        (HUBSPOT, HUBSPOT_MAP, HUBSPOT_IGNORED),
        (DENTRIX, DENTRIX_MAP, DENTRIX_IGNORED),
        (OPEN_DENTAL, OPEN_DENTAL_MAP, OPEN_DENTAL_IGNORED),
    ],
    ids=["mailchimp", "shopify", "hubspot", "dentrix", "open-dental"],
)
def test_a_known_export_maps_every_column_that_has_a_home(tenant, header, expected, ignored):
    assert len(header) == len(set(header))
    assert set(expected) | ignored == set(header) and not set(expected) & ignored
    assert import_mapping_guess(header, custom_fields=[]) == expected
    for column in ignored:
        assert import_column_ignored(column), f"{column} is left out without a reason"


def test_the_published_header_rows_have_their_published_widths():
    assert (len(MAILCHIMP), len(SHOPIFY)) == (23, 19)


def test_a_custom_field_the_business_already_has_is_used_instead_of_a_new_one(tenant):
    company = CustomField.objects.create(key="company", label="Employer", type="text")
    guess = import_mapping_guess(SHOPIFY, custom_fields=[company])
    assert guess["Default Address Company"] == "custom.company"


# --- Mailchimp: a subscribed export is consent, with its proof ---------------------------------
def test_a_mailchimp_subscribed_export_imports_opt_ins_with_their_time_and_file(tenant, owner):
    content = _csv(
        MAILCHIMP,
        {
            "Email Address": "ana@example.test",
            "First Name": "Ana",
            "Last Name": "Lopez",
            "Address": "12 Elm St",
            "Phone Number": "+1 312 555 0100",
            "OPTIN_TIME": "2021-03-04 15:22:10",
            "OPTIN_IP": "203.0.113.7",
            "CONFIRM_TIME": "2021-03-04 15:25:01",
            "CONFIRM_IP": "203.0.113.7",
            "TIMEZONE": "America/Chicago",
            "CC": "US",
            "REGION": "IL",
            "LATITUDE": "41.8",
            "NOTES": "Prefers mornings",
            "TAGS": '"VIP","Newsletter"',
        },
    )
    job = _import(content, owner, "subscribed_members_export_4f2a91.csv")
    assert (job.created_count, job.errors) == (1, [])
    ana = Contact.objects.get(email="ana@example.test")
    assert (ana.email_consent, ana.sms_consent) == ("opted_in", "unknown")
    assert (ana.country, ana.time_zone, ana.tags) == (
        "US",
        "America/Chicago",
        ["vip", "newsletter"],
    )
    assert ana.custom == {"region": "IL"}
    grant = ConsentEvent.objects.get(contact=ana)
    assert (grant.channel, grant.status, grant.method) == ("email", "opted_in", "import")
    assert grant.occurred_at == dt.datetime(2021, 3, 4, 15, 25, 1, tzinfo=dt.UTC)
    assert "subscribed_members_export_4f2a91.csv" in grant.note
    assert "opted in 2021-03-04 15:22 UTC from 203.0.113.7" in grant.note
    note = TimelineEvent.objects.get(contact=ana, type="note.added")
    assert note.properties == {"text": "Prefers mornings"}


def test_a_mailchimp_unsubscribed_export_takes_back_an_opt_in_and_grants_nothing(tenant, owner):
    known = ContactFactory(email="ben@example.test", email_consent="opted_in")
    header = [*MAILCHIMP, "UNSUB_TIME", "UNSUB_CAMPAIGN_TITLE", "UNSUB_REASON"]
    content = _csv(
        header,
        {"Email Address": "ben@example.test", "UNSUB_TIME": "2023-01-02 10:00:00"},
        {"Email Address": "cleo@example.test", "UNSUB_TIME": "2023-01-02 11:00:00"},
    )
    job = _import(content, owner, "unsubscribed_members_export_4f2a91.csv")
    assert job.errors == []
    known.refresh_from_db()
    # unknown, not opted out: no more newsletters, appointment reminders still arrive
    assert known.email_consent == "unknown"
    change = ConsentEvent.objects.get(contact=known)
    assert (change.previous_status, change.status) == ("opted_in", "unknown")
    assert "unsubscribed" in change.note
    cleo = Contact.objects.get(email="cleo@example.test")
    assert cleo.email_consent == "unknown"
    assert not ConsentEvent.objects.filter(contact=cleo).exists()


# --- Shopify: accepts marketing yes / no --------------------------------------------------------
def test_shopify_accepts_marketing_columns_grant_only_on_yes(tenant, owner):
    content = _csv(
        SHOPIFY,
        {
            "First Name": "Dee",
            "Email": "dee@example.test",
            "Phone": "+16505550101",
            "Accepts Email Marketing": "yes",
            "Accepts SMS Marketing": "yes",
            "Default Address Address1": "1 Main St",
            "Default Address Address2": "Apt 4",
            "Default Address Country Code": "US",
            "Default Address Phone": "+1 650 555 0199",
            "Default Address Company": "Acme",
            "Total Spent": "120.50",
            "Total Orders": "3",
            "Tax Exempt": "no",
        },
        {
            "First Name": "Eli",
            "Email": "eli@example.test",
            "Accepts Email Marketing": "no",
            "Accepts SMS Marketing": "no",
        },
    )
    before = timezone.now()
    job = _import(content, owner, "customers_export.csv")
    assert (job.created_count, job.errors) == (2, [])
    dee = Contact.objects.get(email="dee@example.test")
    assert (dee.email_consent, dee.sms_consent) == ("opted_in", "opted_in")
    assert dee.address_line == "1 Main St, Apt 4"
    assert dee.custom == {
        "company": "Acme",
        "other_phone": "+1 650 555 0199",
        "total_spent": 120.5,
        "total_orders": 3,
    }
    grants = ConsentEvent.objects.filter(contact=dee)
    assert {g.channel for g in grants} == {"email", "sms"}
    for grant in grants:  # no opt-in time in the file: the import's time, and the file
        assert grant.occurred_at >= before
        assert grant.note.startswith("Imported from “customers_export.csv”, line 2")
    eli = Contact.objects.get(email="eli@example.test")
    assert (eli.email_consent, eli.sms_consent) == ("unknown", "unknown")
    assert not ConsentEvent.objects.filter(contact=eli).exists()
    assert CustomField.objects.get(key="total_spent").type == "number"


def test_a_file_never_undoes_an_opt_out_the_business_was_told(tenant, owner):
    stopped = ContactFactory(email="fay@example.test", sms_consent="opted_out", phone="")
    content = _csv(SHOPIFY, {"Email": "fay@example.test", "Accepts SMS Marketing": "yes"})
    _import(content, owner, "customers_export.csv")
    stopped.refresh_from_db()
    assert stopped.sms_consent == "opted_out"
    assert not ConsentEvent.objects.filter(contact=stopped).exists()


# --- HubSpot: unsubscribes, stages, names of countries and languages ---------------------------
def test_hubspot_unsubscribe_and_named_values_are_understood(tenant, owner):
    known = ContactFactory(email="gus@example.test", email_consent="opted_in")
    content = _csv(
        HUBSPOT,
        {
            "Record ID": "5101",
            "Email": "gus@example.test",
            "Unsubscribed from all email": "true",
            "Opted out of email: Marketing Information": "false",
        },
        {
            "Record ID": "5102",
            "First Name": "Hana",
            "Email": "hana@example.test",
            "Country/Region": "United States",
            "Preferred language": "Spanish",
            "Time Zone": "America/New York",
            "Lifecycle Stage": "Marketing Qualified Lead",
            "Opted out of email: Marketing Information": "false",
            "Unsubscribed from all email": "false",
            "Lead Status": "Open",
        },
    )
    job = _import(content, owner, "hubspot-crm-exports-all-contacts.csv")
    assert job.errors == []
    known.refresh_from_db()
    assert known.email_consent == "unknown"
    hana = Contact.objects.get(email="hana@example.test")
    assert (hana.country, hana.language, hana.time_zone) == ("US", "es", "America/New_York")
    assert hana.lifecycle_stage == "lead" and hana.email_consent == "unknown"
    assert hana.custom == {"previous_id": "5102"}


# --- dental practice-management exports ---------------------------------------------------------
def test_a_dentrix_patient_list_imports_phones_dates_and_text_consent(tenant, owner, monkeypatch):
    monkeypatch.setattr(connection.tenant, "country", "US")  # a US practice writes m/d/y
    content = _csv(
        DENTRIX,
        {
            "Patient ID": "P-1001",
            "Chart Number": "SM0001",
            "First Name": "Ivy",
            "Last Name": "Smith",
            "Birth Date": "12/31/1980",
            "Mobile Phone": "(312) 555-0142",
            "Home Phone": "(312) 555-0143",
            "E-Mail": "ivy@example.test",
            "Language": "English",
            "Text Message Consent": "Y",
            "First Visit Date": "2015-06-01",
            "Patient Notes": "Anxious about needles",
        },
    )
    job = _import(content, owner, "PatientList.csv")
    assert job.errors == []
    ivy = Contact.objects.get(email="ivy@example.test")
    assert ivy.birthday == dt.date(1980, 12, 31)
    assert (ivy.phone, ivy.language, ivy.sms_consent) == ("+13125550142", "en", "opted_in")
    assert ivy.custom == {
        "previous_id": "P-1001",
        "chart_number": "SM0001",
        "home_phone": "(312) 555-0143",
        "first_visit": "2015-06-01",
    }


def test_an_open_dental_export_reads_three_letter_languages(tenant, owner):
    content = _csv(
        OPEN_DENTAL,
        {"PatNum": "88", "FName": "Jo", "Email": "jo@example.test", "Language": "spa"},
    )
    job = _import(content, owner, "patients.csv")
    assert job.errors == []
    assert Contact.objects.get(email="jo@example.test").language == "es"


# --- bad values: a message per row naming the column -------------------------------------------
def test_bad_values_are_reported_per_row_naming_the_column(tenant, owner):
    content = _csv(
        [*SHOPIFY, "OPTIN_TIME", "Birthday"],
        {"Email": "ok@example.test", "Accepts Email Marketing": "yes"},
        {"Email": "maybe@example.test", "Accepts Email Marketing": "maybe"},
        {"Email": "late@example.test", "OPTIN_TIME": "last tuesday"},
        {"Email": "bday@example.test", "Birthday": "03/15"},
    )
    job = _import(content, owner, "customers_export.csv")
    assert job.status == "done" and job.created_count == 1
    reasons = {error["line"]: error["reason"] for error in job.errors}
    assert reasons == {
        3: "Accepts Email Marketing: Write yes or no (or subscribed / unsubscribed).",
        4: "OPTIN_TIME: Enter a time as YYYY-MM-DD HH:MM (UTC).",
        5: "Birthday: The date has no year; write it as YYYY-MM-DD.",
    }
    assert not Contact.objects.filter(email="maybe@example.test").exists()


def test_the_row_by_row_path_records_the_same_consent_and_proof(tenant, owner, monkeypatch):
    from apps.contacts.services import import_rows

    def fail(*args, **kwargs):
        raise import_rows.IntegrityError("a concurrent edit")

    monkeypatch.setattr(import_rows, "_write_bulk", fail)
    content = _csv(
        MAILCHIMP,
        {
            "Email Address": "kim@example.test",
            "OPTIN_TIME": "2020-01-01 08:00:00",
            "NOTES": "Came from the spring campaign",
        },
    )
    job = _import(content, owner, "subscribed_members_export_x.csv")
    assert (job.created_count, job.errors) == (1, [])
    kim = Contact.objects.get(email="kim@example.test")
    grant = ConsentEvent.objects.get(contact=kim)
    assert (kim.email_consent, grant.occurred_at.year) == ("opted_in", 2020)
    assert "subscribed_members_export_x.csv" in grant.note
    assert TimelineEvent.objects.filter(contact=kim, type="note.added").exists()


# --- the mapping page ----------------------------------------------------------------------------
def test_the_mapping_page_offers_new_fields_and_the_files_consent_and_starts(
    owner_client, owner, settings
):
    content = _csv(MAILCHIMP, {"Email Address": "lee@example.test", "REGION": "IL"})
    upload = SimpleUploadedFile("subscribed_members_export_9.csv", content.encode(), "text/csv")
    job = import_upload(file=upload, actor=owner)
    page = owner_client.get(f"/contacts/import/{job.pk}/mapping/").content.decode()
    assert "New custom field: State / region" in page
    assert '<option value="subscribed" selected>' in page
    assert "Left out: Mailchimp&#x27;s internal ids." in page
    data = {f"col-{i}": MAILCHIMP_MAP.get(name, "") for i, name in enumerate(MAILCHIMP)}
    response = owner_client.post(
        f"/contacts/import/{job.pk}/mapping/",
        {**data, "on_match": "update", "file_email_marketing": "subscribed"},
    )
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.file_defaults == {"email_marketing": "subscribed"}
    assert job.mapping["REGION"] == "custom.region"
