import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import IdempotencyRecord
from apps.contacts.models import (
    ConsentEvent,
    Contact,
    CustomField,
    RfmScore,
    SegmentMember,
    Task,
    TimelineEvent,
    Transaction,
)
from tests.accounts.factories import UserFactory
from tests.accounts.test_api import assert_error, session_api_client
from tests.conftest import alpha
from tests.contacts.factories import (
    ContactFactory,
    CustomFieldFactory,
    SegmentFactory,
    TaskFactory,
    TimelineEventFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
CONTACTS = f"{API}/contacts/"
TASKS = f"{API}/tasks/"
TRANSACTIONS = f"{API}/transactions/"
CUSTOM_FIELDS = f"{API}/custom-fields/"
BATCH = f"{API}/events/batch/"
# search_path and the host lookup, the key lookup and its last use, then one page of contacts
# with their RFM scores joined; nothing is read per row.
CONTACT_LIST_QUERIES = 6
CONTACT_KEYS = {
    "id",
    "first_name",
    "last_name",
    "name",
    "email",
    "phone",
    "address_line",
    "city",
    "postal_code",
    "country",
    "birthday",
    "language",
    "time_zone",
    "preferred_channel",
    "tags",
    "owner",
    "lifecycle_stage",
    "source",
    "custom",
    "consent",
    "rfm",
    "created",
    "updated",
}


def contact_url(contact) -> str:
    return f"{CONTACTS}{contact.pk}/"


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


def all_pages(client, url: str, **params) -> list[dict]:
    """Follow the `next` links to the end."""
    rows, response = [], client.get(url, params)
    while True:
        body = response.json()
        rows += body["results"]
        if not body["next"]:
            return rows
        response = client.get(body["next"])


def assert_field_error(response, field: str) -> dict:
    error = assert_error(response, 400, "invalid")
    assert field in error["fields"], error
    return error


@pytest.fixture
def contact(tenant):
    return ContactFactory(first_name="Ada", last_name="Lovelace", email="ada@example.test")


# --- contacts: reading -------------------------------------------------------------------------
def test_contact_list_shows_every_documented_field(read_api_client, contact):
    with alpha():
        contact.tags = ["vip"]
        contact.custom = {"plan": "gold"}
        contact.sms_consent = "opted_in"
        contact.save()
    [row] = results(read_api_client.get(CONTACTS))
    assert set(row) == CONTACT_KEYS
    assert (row["id"], row["name"], row["email"], row["phone"]) == (
        contact.pk,
        "Ada Lovelace",
        "ada@example.test",
        contact.phone,
    )
    assert row["phone"].startswith("+")
    assert row["tags"] == ["vip"] and row["custom"] == {"plan": "gold"}
    assert row["consent"] == {"email": "unknown", "sms": "opted_in", "voice": "unknown"}
    assert row["rfm"] is None


def test_contact_shows_its_rfm_scores_when_it_has_them(read_api_client, contact):
    with alpha():
        RfmScore.objects.create(
            contact=contact,
            recency_days=3,
            frequency=4,
            monetary=Decimal("300"),
            r=5,
            f=4,
            m=3,
            segment="champions",
            computed_at=timezone.now(),
        )
    body = read_api_client.get(contact_url(contact)).json()
    assert body["rfm"] == {"r": 5, "f": 4, "m": 3, "segment": "champions"}
    assert results(read_api_client.get(CONTACTS))[0]["rfm"]["segment"] == "champions"


def test_unknown_contact_is_a_404_with_the_error_body(read_api_client, tenant):
    assert_error(read_api_client.get(f"{CONTACTS}999999/"), 404, "not_found")


def test_search_finds_contacts_by_name_prefix_and_email(read_api_client, contact):
    with alpha():
        other = ContactFactory(first_name="Grace", last_name="Hopper", email="grace@example.test")
    assert ids(read_api_client.get(CONTACTS, {"q": "lovel"})) == [contact.pk]
    assert ids(read_api_client.get(CONTACTS, {"q": "grace@exa"})) == [other.pk]
    assert ids(read_api_client.get(CONTACTS, {"q": "nobody"})) == []


def test_list_filters_by_tag_and_stage(read_api_client, tenant):
    with alpha():
        vip = ContactFactory(tags=["vip"], lifecycle_stage="customer")
        lead = ContactFactory(tags=["vip"], lifecycle_stage="lead")
        ContactFactory(tags=[], lifecycle_stage="customer")
    assert set(ids(read_api_client.get(CONTACTS, {"tag": "VIP"}))) == {vip.pk, lead.pk}
    assert ids(read_api_client.get(CONTACTS, {"tag": "vip", "stage": "lead"})) == [lead.pk]


def test_list_filters_by_updated_since(read_api_client, tenant):
    with alpha():
        old, new = ContactFactory(), ContactFactory()
        Contact.objects.filter(pk=old.pk).update(updated=timezone.now() - dt.timedelta(days=3))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert ids(read_api_client.get(CONTACTS, {"updated_since": since})) == [new.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-13-45T00:00"}, "updated_since"),
        ({"stage": "emperor"}, "stage"),
        ({"segment": "abc"}, "segment"),
        ({"segment": "999999"}, "segment"),
        ({"segment": "99999999999999999999999"}, "segment"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_parameter(read_api_client, tenant, params, field):
    assert_field_error(read_api_client.get(CONTACTS, params), field)


def test_list_filters_by_a_static_segment(read_api_client, tenant):
    with alpha():
        member, _outside = ContactFactory(), ContactFactory()
        segment = SegmentFactory(kind="static")
        SegmentMember.objects.create(segment=segment, contact=member)
    assert ids(read_api_client.get(CONTACTS, {"segment": segment.pk})) == [member.pk]


def test_contact_list_pages_with_next_links_and_no_repeats(read_api_client, tenant):
    with alpha():
        made = {ContactFactory().pk for _ in range(5)}
    first = read_api_client.get(CONTACTS, {"page_size": 2})
    assert len(results(first)) == 2
    assert first.json()["next"].startswith("http://alpha.localhost/api/v1/contacts/?cursor=")
    rows = all_pages(read_api_client, CONTACTS, page_size=2)
    assert [row["id"] for row in rows] == sorted(made, reverse=True)


def test_contact_list_query_count_does_not_grow_with_the_contacts(
    read_api_client, tenant, django_assert_max_num_queries
):
    with alpha():
        member = UserFactory()
        contacts = ContactFactory.create_batch(30, owner=member, tags=["vip"], custom={"a": 1})
        for contact in contacts[:10]:
            RfmScore.objects.create(
                contact=contact,
                recency_days=1,
                frequency=1,
                monetary=1,
                r=1,
                f=1,
                m=1,
                segment="new",
                computed_at=timezone.now(),
            )
    with django_assert_max_num_queries(CONTACT_LIST_QUERIES):
        response = read_api_client.get(CONTACTS)
    rows = results(response)
    assert len(rows) == 30
    assert {row["owner"] for row in rows} == {member.pk}
    assert sum(row["rfm"] is not None for row in rows) == 10


# --- contacts: writing -------------------------------------------------------------------------
def test_key_creates_a_contact_with_its_phone_in_e164_and_source_api(api_client, tenant):
    response = api_client.post(
        CONTACTS,
        {
            "first_name": "Lena",
            "email": "Lena@Example.test",
            "phone": "0151 23456789",
            "tags": ["VIP", "vip"],
            "birthday": "1990-05-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == CONTACT_KEYS
    assert (body["phone"], body["email"], body["source"], body["tags"]) == (
        "+4915123456789",
        "lena@example.test",
        "api",
        ["vip"],
    )
    assert body["time_zone"] == "Europe/Berlin"
    with alpha():
        event = TimelineEvent.objects.get(contact_id=body["id"])
        assert (event.type, event.source, event.actor) == ("contact.created", "api", None)


def test_a_contact_keeps_the_source_it_is_sent_with(api_client, tenant):
    payload = {"first_name": "Lena", "source": "partner website"}
    response = api_client.post(CONTACTS, payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "partner website"
    with alpha():
        event = TimelineEvent.objects.get(contact_id=response.json()["id"])
        assert (event.source, event.properties) == ("api", {"source": "partner website"})


def test_staff_session_creates_a_contact_as_itself(staff_member):
    response = session_api_client(staff_member).post(
        CONTACTS, {"last_name": "Hopper"}, format="json"
    )
    assert response.status_code == 201
    with alpha():
        event = TimelineEvent.objects.get(contact_id=response.json()["id"])
        assert event.actor == staff_member


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"first_name": "A", "phone": "12"}, "phone"),
        ({"first_name": "A", "phone": "not a phone"}, "phone"),
        ({"first_name": "A", "email": "no-at-sign"}, "email"),
        ({"first_name": "A", "custom": {"nope": 1}}, "custom.nope"),
        ({"first_name": "A", "custom": "plan=gold"}, "custom"),
        ({"first_name": "A", "birthday": "someday"}, "birthday"),
        ({"first_name": "A", "birthday": "2999-01-01"}, "birthday"),
        ({"first_name": "A", "time_zone": "Mars/Olympus"}, "time_zone"),
        ({"first_name": "A", "lifecycle_stage": "emperor"}, "lifecycle_stage"),
        ({"first_name": "A", "preferred_channel": "fax"}, "preferred_channel"),
        ({"first_name": "A", "owner": 999999}, "owner"),
        ({"first_name": "A", "owner": 10**30}, "owner"),
        ({"first_name": "A", "tags": "vip"}, "tags"),
        ({"first_name": "A", "country": "Germany"}, "country"),
        ({"first_name": "A", "erased_at": "2024-01-01T00:00:00Z"}, "erased_at"),
        ({"first_name": "A", "mobile": "+4915123456789"}, "mobile"),
        ({}, "first_name"),
    ],
)
def test_bad_contact_input_is_400_naming_the_field(api_client, tenant, payload, field):
    error = assert_field_error(api_client.post(CONTACTS, payload, format="json"), field)
    assert field in error["message"]
    with alpha():
        assert not Contact.objects.exists()


def test_custom_field_values_are_checked_against_their_type(api_client, tenant):
    with alpha():
        CustomFieldFactory(key="renewal", type="date")
        CustomFieldFactory(key="visits", type="number")
        CustomFieldFactory(key="plan", type="choice", choices=["basic", "gold"])
    bad = api_client.post(
        CONTACTS,
        {"first_name": "A", "custom": {"renewal": "soon", "visits": "many", "plan": "silver"}},
        format="json",
    )
    error = assert_field_error(bad, "custom.renewal")
    assert {"custom.renewal", "custom.visits", "custom.plan"} <= set(error["fields"])
    good = api_client.post(
        CONTACTS,
        {"first_name": "A", "custom": {"renewal": "2026-03-01", "visits": "3", "plan": "gold"}},
        format="json",
    )
    assert good.status_code == 201
    assert good.json()["custom"] == {"renewal": "2026-03-01", "visits": 3, "plan": "gold"}


def test_patch_changes_only_the_fields_sent(api_client, contact):
    before = api_client.get(contact_url(contact)).json()
    response = api_client.patch(
        contact_url(contact), {"city": "Berlin", "phone": "+49 151 2345 6789"}, format="json"
    )
    assert response.status_code == 200, response.content
    after = response.json()
    assert (after["city"], after["phone"]) == ("Berlin", "+4915123456789")
    unchanged = CONTACT_KEYS - {"city", "phone", "updated"}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    with alpha():
        event = TimelineEvent.objects.get(contact=contact, type="contact.updated")
        assert event.properties["fields"] == ["city", "phone"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"phone": "12"}, "phone"), ({"custom": {"nope": "x"}}, "custom.nope"), ({"id": 5}, "id")],
)
def test_bad_patch_is_400_naming_the_field_and_changes_nothing(api_client, contact, payload, field):
    assert_field_error(api_client.patch(contact_url(contact), payload, format="json"), field)
    with alpha():
        assert Contact.objects.get(pk=contact.pk).phone == contact.phone


def test_patch_to_an_email_another_contact_has_is_400_naming_email(api_client, contact):
    with alpha():
        other = ContactFactory()
    response = api_client.patch(contact_url(other), {"email": "ADA@example.test"}, format="json")
    assert_field_error(response, "email")


def test_contacts_cannot_be_deleted_over_the_api(api_client, contact):
    assert_error(api_client.delete(contact_url(contact)), 405)
    assert_error(api_client.put(contact_url(contact), {}, format="json"), 405)
    with alpha():
        assert Contact.objects.filter(pk=contact.pk).exists()


def test_malformed_json_is_400_not_500(api_client, tenant):
    response = api_client.post(CONTACTS, "{nope", content_type="application/json")
    assert_error(response, 400, "parse_error")


# --- consent -----------------------------------------------------------------------------------
def test_consent_change_is_recorded_as_an_api_change_and_listed_newest_first(api_client, contact):
    url = f"{contact_url(contact)}consent/"
    first = api_client.post(url, {"channel": "sms", "status": "opted_in"}, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["changed"] is True
    assert first.json()["consent"] == {"email": "unknown", "sms": "opted_in", "voice": "unknown"}
    assert first.json()["event"]["method"] == "api"
    second = api_client.post(
        url, {"channel": "sms", "status": "opted_out", "note": "asked by phone"}, format="json"
    )
    assert second.status_code == 201
    history = results(api_client.get(url))
    assert [(row["status"], row["previous_status"]) for row in history] == [
        ("opted_out", "opted_in"),
        ("opted_in", "unknown"),
    ]
    assert history[0]["note"] == "asked by phone"
    assert api_client.get(contact_url(contact)).json()["consent"]["sms"] == "opted_out"


def test_setting_the_consent_it_already_has_changes_nothing(api_client, contact):
    url = f"{contact_url(contact)}consent/"
    response = api_client.post(url, {"channel": "email", "status": "unknown"}, format="json")
    assert response.status_code == 200
    assert (response.json()["changed"], response.json()["event"]) == (False, None)
    with alpha():
        assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channel": "fax", "status": "opted_in"}, "channel"),
        ({"channel": "sms", "status": "maybe"}, "status"),
        ({"status": "opted_in"}, "channel"),
        ({"channel": "sms", "status": "opted_in", "method": "form"}, "method"),
    ],
)
def test_bad_consent_input_is_400_naming_the_field(api_client, contact, payload, field):
    assert_field_error(
        api_client.post(f"{contact_url(contact)}consent/", payload, format="json"), field
    )
    with alpha():
        assert not ConsentEvent.objects.exists()


def test_consent_of_an_unknown_contact_is_404(api_client, tenant):
    payload = {"channel": "sms", "status": "opted_in"}
    assert_error(api_client.post(f"{CONTACTS}999999/consent/", payload, format="json"), 404)
    assert_error(api_client.get(f"{CONTACTS}999999/consent/"), 404)


# --- notes and the timeline --------------------------------------------------------------------
def test_note_lands_on_the_timeline(api_client, contact):
    response = api_client.post(
        f"{contact_url(contact)}notes/", {"text": " Prefers mornings "}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["properties"], body["contact"]) == (
        "note.added",
        {"text": "Prefers mornings"},
        contact.pk,
    )
    timeline = results(api_client.get(f"{contact_url(contact)}events/"))
    assert timeline[0]["id"] == body["id"]


@pytest.mark.parametrize("payload", [{"text": "   "}, {}, {"text": "x" * 5001}])
def test_empty_or_huge_note_is_400_naming_text(api_client, contact, payload):
    assert_field_error(
        api_client.post(f"{contact_url(contact)}notes/", payload, format="json"), "text"
    )


def test_timeline_is_newest_first_in_pages_and_only_this_contacts(read_api_client, contact):
    now = timezone.now()
    with alpha():
        made = [
            TimelineEventFactory(contact=contact, occurred_at=now - dt.timedelta(hours=h))
            for h in (5, 1, 3, 2, 4)
        ]
        TimelineEventFactory()  # someone else's
    url = f"{contact_url(contact)}events/"
    first = read_api_client.get(url, {"page_size": 2})
    assert len(results(first)) == 2 and first.json()["next"]
    rows = all_pages(read_api_client, url, page_size=2)
    expected = sorted(made, key=lambda e: e.occurred_at, reverse=True)
    assert [row["id"] for row in rows] == [event.pk for event in expected]


def test_timeline_of_an_unknown_contact_is_404(read_api_client, tenant):
    assert_error(read_api_client.get(f"{CONTACTS}999999/events/"), 404)
    assert_error(read_api_client.get(f"{CONTACTS}99999999999999999999999/events/"), 404)


# --- tasks -------------------------------------------------------------------------------------
def test_task_is_created_listed_by_assignee_and_completed(api_client, contact, staff_member):
    response = api_client.post(
        TASKS,
        {
            "contact": contact.pk,
            "title": "Call back",
            "due_date": "2026-03-01",
            "assignee": staff_member.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    task = response.json()
    assert (task["assignee"], task["due_date"], task["done_at"]) == (
        staff_member.pk,
        "2026-03-01",
        None,
    )
    with alpha():
        TaskFactory(contact=contact)  # nobody's
    open_for_staff = {"assignee": staff_member.pk, "open": "true"}
    assert ids(api_client.get(TASKS, open_for_staff)) == [task["id"]]
    done = api_client.post(f"{TASKS}{task['id']}/complete/")
    assert done.status_code == 200
    assert done.json()["done_at"] is not None
    assert ids(api_client.get(TASKS, open_for_staff)) == []
    assert ids(api_client.get(TASKS, {"assignee": staff_member.pk, "open": "false"})) == [
        task["id"]
    ]


def test_completing_a_task_twice_keeps_the_first_time(api_client, tenant):
    with alpha():
        task = TaskFactory()
    first = api_client.post(f"{TASKS}{task.pk}/complete/").json()["done_at"]
    assert api_client.post(f"{TASKS}{task.pk}/complete/").json()["done_at"] == first


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "Call"}, "contact"),
        ({"contact": 999999, "title": "Call"}, "contact"),
        ({"contact": 10**30, "title": "Call"}, "contact"),
        ({"contact": "CONTACT", "title": "   "}, "title"),
        ({"contact": "CONTACT", "title": "Call", "due_date": "soon"}, "due_date"),
        ({"contact": "CONTACT", "title": "Call", "assignee": 999999}, "assignee"),
        ({"contact": "CONTACT", "title": "Call", "assignee": 10**30}, "assignee"),
    ],
)
def test_bad_task_input_is_400_naming_the_field(api_client, contact, payload, field):
    payload = {k: contact.pk if v == "CONTACT" else v for k, v in payload.items()}
    assert_field_error(api_client.post(TASKS, payload, format="json"), field)
    with alpha():
        assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("params", "field"), [({"open": "maybe"}, "open"), ({"assignee": "me"}, "assignee")]
)
def test_bad_task_filters_are_400_naming_them(read_api_client, tenant, params, field):
    assert_field_error(read_api_client.get(TASKS, params), field)


# --- event batches -----------------------------------------------------------------------------
def batch(contact, n: int = 3) -> list[dict]:
    return [
        {
            "contact_id": contact.pk,
            "type": "page.viewed",
            "client_event_id": f"ev-{i}",
            "occurred_at": "2026-01-05T10:00:00+01:00",
            "properties": {"path": f"/p/{i}"},
        }
        for i in range(n)
    ]


def test_batch_stores_events_and_reports_bad_items_by_index(api_client, contact):
    events = [
        *batch(contact, 2),
        {"email": "ADA@example.test", "type": "form.submitted"},
        {"contact_id": 999999, "type": "page.viewed"},
        {"contact_id": contact.pk, "type": "has spaces", "occurred_at": "tuesday"},
        "not an object",
    ]
    response = api_client.post(BATCH, {"events": events}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["received"], body["created"], body["duplicates"]) == (6, 3, 0)
    errors = {item["index"]: set(item["errors"]) for item in body["errors"]}
    assert errors == {3: {"contact_id"}, 4: {"type", "occurred_at"}, 5: {"event"}}
    with alpha():
        stored = TimelineEvent.objects.filter(contact=contact, source="api")
        assert stored.count() == 3


@pytest.mark.parametrize(
    "type_",
    [
        "link.clicked",  # declared nowhere
        "appointment.booked",  # declared, but only the practice's bookings record it
        "contact.erased",
    ],
)
def test_a_partner_may_post_only_the_types_the_catalogue_lets_partners_post(
    api_client, contact, type_
):
    response = api_client.post(
        BATCH, {"events": [{"contact_id": contact.pk, "type": type_}]}, format="json"
    )
    body = response.json()
    assert (response.status_code, body["created"]) == (200, 0)
    (problem,) = body["errors"]
    assert "page.viewed" in problem["errors"]["type"][0]
    assert "appointment.booked" not in problem["errors"]["type"][0]


def test_the_event_catalogue_is_listed_for_partners(api_client):
    response = api_client.get("/api/v1/event-types/")
    assert response.status_code == 200
    by_name = {row["name"]: row for row in response.json()}
    assert by_name["page.viewed"]["partner"] is True
    assert by_name["appointment.booked"]["partner"] is False
    assert by_name["note.added"]["personal"] == ["text"]
    assert "service" in by_name["appointment.booked"]["properties"]


def test_a_resent_batch_creates_nothing_new(api_client, contact):
    first = api_client.post(BATCH, {"events": batch(contact)}, format="json").json()
    again = api_client.post(BATCH, {"events": batch(contact)}, format="json").json()
    assert (first["created"], first["duplicates"]) == (3, 0)
    assert (again["received"], again["created"], again["duplicates"]) == (3, 0, 3)
    with alpha():
        assert TimelineEvent.objects.filter(source="api").count() == 3


def test_a_batch_with_an_idempotency_key_is_replayed_not_rerun(api_client, contact):
    payload = {"events": batch(contact)}
    first = api_client.post(BATCH, payload, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    second = api_client.post(BATCH, payload, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    assert second.json() == first.json()
    assert second.json()["created"] == 3
    assert second["Idempotent-Replayed"] == "true"
    with alpha():
        assert IdempotencyRecord.objects.count() == 1


@pytest.mark.parametrize(
    "payload",
    [{"events": []}, {}, {"events": "lots"}, {"events": [{"type": "x"}] * 1001}],
    ids=["empty", "missing", "not-a-list", "too-many"],
)
def test_a_batch_that_is_empty_or_over_1000_is_400_naming_events(api_client, contact, payload):
    assert_field_error(api_client.post(BATCH, payload, format="json"), "events")
    with alpha():
        assert not TimelineEvent.objects.filter(source="api").exists()


def test_a_batch_of_exactly_1000_is_taken(api_client, contact):
    response = api_client.post(BATCH, {"events": batch(contact, 1000)}, format="json")
    assert response.json()["created"] == 1000


# --- transactions ------------------------------------------------------------------------------
def purchase(api_client, buyer, **extra):
    payload = {"contact": buyer.pk, "amount": "120.50", "currency": "eur", **extra}
    return api_client.post(TRANSACTIONS, payload, format="json")


def test_purchase_is_recorded_and_makes_the_contact_a_customer(api_client, contact):
    response = purchase(
        api_client,
        contact,
        external_ref="R-1",
        channel="online",
        items=[{"sku": "crown", "qty": 1}],
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["amount"], body["currency"], body["channel"]) == (
        "purchase",
        "120.50",
        "EUR",
        "online",
    )
    assert body["items"] == [{"sku": "crown", "qty": 1}]
    assert api_client.get(contact_url(contact)).json()["lifecycle_stage"] == "customer"


def test_a_purchase_without_a_currency_is_in_the_business_s(api_client, contact):
    response = api_client.post(TRANSACTIONS, {"contact": contact.pk, "amount": "80"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "EUR"  # alpha is in Germany


def test_transactions_are_listed_by_contact(api_client, contact):
    with alpha():
        other = ContactFactory()
    mine = purchase(api_client, contact).json()["id"]
    purchase(api_client, other)
    assert ids(api_client.get(TRANSACTIONS, {"contact": contact.pk})) == [mine]
    assert len(ids(api_client.get(TRANSACTIONS))) == 2


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": "abc"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "1.005"}, "amount"),
        ({"currency": "EURO"}, "currency"),
        ({"currency": "E1"}, "currency"),
        ({"channel": "fax"}, "channel"),
        ({"items": "crown"}, "items"),
        ({"contact": 999999}, "contact"),
        ({"contact": 10**30}, "contact"),
        ({"kind": "refund"}, "kind"),
    ],
)
def test_bad_transaction_input_is_400_naming_the_field(api_client, contact, extra, field):
    assert_field_error(purchase(api_client, contact, **extra), field)
    with alpha():
        assert not Transaction.objects.exists()


def test_a_second_transaction_with_the_same_external_ref_is_400_naming_it(api_client, contact):
    assert purchase(api_client, contact, external_ref="R-1").status_code == 201
    assert_field_error(purchase(api_client, contact, external_ref="R-1"), "external_ref")
    with alpha():
        assert Transaction.objects.count() == 1


def test_refund_is_recorded_against_the_purchase(api_client, contact):
    bought = purchase(api_client, contact).json()
    response = api_client.post(
        f"{TRANSACTIONS}{bought['id']}/refund/", {"amount": "20"}, format="json"
    )
    assert response.status_code == 201, response.content
    refund = response.json()
    assert (refund["kind"], refund["amount"], refund["currency"], refund["refund_of"]) == (
        "refund",
        "20.00",
        "EUR",
        bought["id"],
    )
    with alpha():
        assert TimelineEvent.objects.filter(contact=contact, type="purchase.refunded").exists()


def test_bad_refunds_are_400_naming_the_field(api_client, contact):
    bought = purchase(api_client, contact).json()
    url = f"{TRANSACTIONS}{bought['id']}/refund/"
    assert_field_error(api_client.post(url, {"amount": "nope"}, format="json"), "amount")
    refund = api_client.post(url, {"amount": "5"}, format="json").json()
    refund_url = f"{TRANSACTIONS}{refund['id']}/refund/"
    assert_field_error(api_client.post(refund_url, {"amount": "1"}, format="json"), "refund_of")
    assert_error(api_client.post(f"{TRANSACTIONS}999999/refund/", {"amount": "1"}), 404)


# --- custom field definitions ------------------------------------------------------------------
def test_manager_defines_a_choice_field_then_contacts_use_it(manager):
    client = session_api_client(manager)
    created = client.post(
        CUSTOM_FIELDS,
        {"key": "plan", "label": "Plan", "type": "choice", "choices": ["basic", "gold"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["choices"] == ["basic", "gold"]
    contact = client.post(CONTACTS, {"first_name": "A", "custom": {"plan": "gold"}}, format="json")
    assert contact.json()["custom"] == {"plan": "gold"}
    assert [row["key"] for row in results(client.get(CUSTOM_FIELDS))] == ["plan"]


def test_write_key_updates_and_deletes_a_field(api_client, tenant):
    with alpha():
        field = CustomFieldFactory(key="plan", type="choice", choices=["basic"])
        contact = ContactFactory(custom={"plan": "basic"})
    url = f"{CUSTOM_FIELDS}{field.pk}/"
    changed = api_client.patch(
        url, {"label": "Membership", "choices": ["basic", "gold"]}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert (changed.json()["label"], changed.json()["choices"]) == (
        "Membership",
        ["basic", "gold"],
    )
    assert api_client.delete(url).status_code == 204
    with alpha():
        assert not CustomField.objects.exists()
        assert Contact.objects.get(pk=contact.pk).custom == {}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"key": "plan", "label": "Plan", "type": "text"}, "key"),  # taken
        ({"key": "Plan Type", "label": "Plan", "type": "text"}, "key"),
        ({"key": "size", "label": "Size", "type": "colour"}, "type"),
        ({"key": "size", "label": "Size", "type": "choice"}, "choices"),
        ({"key": "size", "label": "Size", "type": "choice", "choices": []}, "choices"),
        ({"key": "size", "label": "", "type": "text"}, "label"),
        ({"label": "Size", "type": "text"}, "key"),
    ],
)
def test_bad_custom_field_definition_is_400_naming_the_field(api_client, tenant, payload, field):
    with alpha():
        CustomFieldFactory(key="plan")
    assert_field_error(api_client.post(CUSTOM_FIELDS, payload, format="json"), field)
    with alpha():
        assert CustomField.objects.count() == 1


@pytest.mark.parametrize("payload", [{"key": "other"}, {"type": "number"}])
def test_key_and_type_of_a_field_cannot_be_changed(api_client, tenant, payload):
    with alpha():
        field = CustomFieldFactory(key="plan", type="text")
    assert_field_error(
        api_client.patch(f"{CUSTOM_FIELDS}{field.pk}/", payload, format="json"), next(iter(payload))
    )
    with alpha():
        field.refresh_from_db()
        assert (field.key, field.type) == ("plan", "text")


def test_staff_reads_custom_fields_but_only_managers_change_them(staff_member):
    with alpha():
        field = CustomFieldFactory()
    client = session_api_client(staff_member)
    assert ids(client.get(CUSTOM_FIELDS)) == [field.pk]
    payload = {"key": "size", "label": "Size", "type": "text"}
    assert_error(client.post(CUSTOM_FIELDS, payload, format="json"), 403)
    assert_error(client.patch(f"{CUSTOM_FIELDS}{field.pk}/", {"label": "X"}, format="json"), 403)
    assert_error(client.delete(f"{CUSTOM_FIELDS}{field.pk}/"), 403)
    with alpha():
        assert list(CustomField.objects.values_list("key", flat=True)) == [field.key]


# --- who may -----------------------------------------------------------------------------------
@pytest.fixture
def objects(tenant):
    """One of everything, so detail paths point at real rows."""
    with alpha():
        contact = ContactFactory(email="secret@example.test")
        task = TaskFactory(contact=contact)
        tx = Transaction.objects.create(
            contact=contact, amount=10, currency="EUR", occurred_at=timezone.now()
        )
        field = CustomFieldFactory()
    return {"contact": contact.pk, "task": task.pk, "tx": tx.pk, "field": field.pk}


READS = [
    "contacts/",
    "contacts/{contact}/",
    "contacts/{contact}/consent/",
    "contacts/{contact}/events/",
    "tasks/",
    "tasks/{task}/",
    "transactions/",
    "transactions/{tx}/",
    "custom-fields/",
    "custom-fields/{field}/",
]
WRITES = [
    ("post", "contacts/", {"first_name": "Eve"}),
    ("patch", "contacts/{contact}/", {"first_name": "Eve"}),
    ("post", "contacts/{contact}/consent/", {"channel": "sms", "status": "opted_in"}),
    ("post", "contacts/{contact}/notes/", {"text": "hi"}),
    ("post", "tasks/", {"contact": "{contact}", "title": "Call"}),
    ("post", "tasks/{task}/complete/", {}),
    ("post", "events/batch/", {"events": [{"contact_id": "{contact}", "type": "x.y"}]}),
    ("post", "transactions/", {"contact": "{contact}", "amount": "1", "currency": "EUR"}),
    ("post", "transactions/{tx}/refund/", {"amount": "1"}),
    ("post", "custom-fields/", {"key": "k", "label": "K", "type": "text"}),
    ("patch", "custom-fields/{field}/", {"label": "K"}),
    ("delete", "custom-fields/{field}/", None),
]
WRITE_IDS = [f"{method} {url}" for method, url, _ in WRITES]


def fill(template: str, objects: dict) -> str:
    return template.format(**objects)


def fill_payload(payload, objects):
    """Put the real ids (as numbers) where the payload says "{contact}" and so on."""
    text = json.dumps(payload)
    for name, pk in objects.items():
        text = text.replace(f'"{{{name}}}"', str(pk))
    return json.loads(text)


def snapshot() -> tuple:
    with alpha():
        return (
            list(Contact.objects.values_list("pk", "first_name", "sms_consent")),
            TimelineEvent.objects.count(),
            Task.objects.filter(done_at__isnull=False).count(),
            Task.objects.count(),
            Transaction.objects.count(),
            list(CustomField.objects.values_list("pk", "label")),
        )


def send(client, method, template, payload, objects):
    url = f"{API}/{fill(template, objects)}"
    if payload is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, fill_payload(payload, objects), format="json")


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_read_key_cannot_write(read_api_client, objects, method, template, payload):
    before = snapshot()
    assert_error(send(read_api_client, method, template, payload, objects), 403)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_viewer_session_cannot_write(viewer, objects, method, template, payload):
    before = snapshot()
    response = send(session_api_client(viewer), method, template, payload, objects)
    assert_error(response, 403)
    assert snapshot() == before


@pytest.mark.parametrize("template", READS)
def test_viewer_session_and_read_key_can_read(viewer, read_api_client, objects, template):
    url = f"{API}/{fill(template, objects)}"
    assert session_api_client(viewer).get(url).status_code == 200
    assert read_api_client.get(url).status_code == 200


@pytest.mark.parametrize(("method", "template", "payload"), WRITES, ids=WRITE_IDS)
def test_every_write_works_for_a_write_key(api_client, objects, method, template, payload):
    response = send(api_client, method, template, payload, objects)
    assert response.status_code in (200, 201, 204), response.content


ALL = [("get", template, None) for template in READS] + WRITES
ALL_IDS = [f"get {template}" for template in READS] + WRITE_IDS


@pytest.mark.parametrize(("method", "template", "payload"), ALL, ids=ALL_IDS)
def test_outsider_key_is_401_everywhere(outsider_api_client, objects, method, template, payload):
    before = snapshot()
    response = send(outsider_api_client, method, template, payload, objects)
    assert_error(response, 401, "authentication_failed")
    assert "secret@example.test" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(("method", "template", "payload"), ALL, ids=ALL_IDS)
def test_outsider_session_is_refused_everywhere(outsider, objects, method, template, payload):
    client = session_api_client(outsider, slug="beta")
    client.defaults["HTTP_HOST"] = "alpha.localhost"
    before = snapshot()
    response = send(client, method, template, payload, objects)
    assert response.status_code in (401, 403)
    assert_error(response, response.status_code)
    assert "secret@example.test" not in response.content.decode()
    assert snapshot() == before


def test_anonymous_request_is_401(tenant):
    assert_error(APIClient(HTTP_HOST="alpha.localhost").get(CONTACTS), 401, "not_authenticated")


@pytest.mark.parametrize(
    "url",
    [
        f"{CONTACTS}99999999999999999999999/",
        f"{CONTACTS}99999999999999999999999/consent/",
        f"{TASKS}99999999999999999999999/",
        f"{TRANSACTIONS}999999999999999999/",
        f"{CUSTOM_FIELDS}abc/",
    ],
)
def test_ids_out_of_range_are_404_not_500(read_api_client, tenant, url):
    assert read_api_client.get(url).status_code == 404


# --- OpenAPI -----------------------------------------------------------------------------------
def test_schema_documents_the_contacts_paths(tenant_client):
    document = json.loads(tenant_client.get("/api/schema/?format=json").content)
    paths = document["paths"]
    expected = {
        "/api/v1/contacts/": {"get", "post"},
        "/api/v1/contacts/{id}/": {"get", "patch"},
        "/api/v1/contacts/{contact_pk}/consent/": {"get", "post"},
        "/api/v1/contacts/{contact_pk}/notes/": {"post"},
        "/api/v1/contacts/{contact_pk}/events/": {"get"},
        "/api/v1/tasks/": {"get", "post"},
        "/api/v1/tasks/{id}/complete/": {"post"},
        "/api/v1/events/batch/": {"post"},
        "/api/v1/transactions/": {"get", "post"},
        "/api/v1/transactions/{id}/refund/": {"post"},
        "/api/v1/custom-fields/": {"get", "post"},
        "/api/v1/custom-fields/{id}/": {"get", "patch", "delete"},
    }
    for path, methods in expected.items():
        assert methods == set(paths[path]) - {"parameters"}, path
    params = {p["name"] for p in paths["/api/v1/contacts/"]["get"]["parameters"]}
    assert {"q", "tag", "stage", "segment", "updated_since", "cursor"} <= params
    schemas = document["components"]["schemas"]
    assert {"name", "consent", "rfm", "custom"} <= set(schemas["Contact"]["properties"])
    assert "phone" in schemas["ContactInputRequest"]["properties"]
    assert schemas["ConsentStatusEnum"]["enum"] == ["opted_in", "opted_out", "unknown"]
    assert schemas["SalesChannelEnum"]["enum"] == ["store", "online"]


def test_schema_passes_drf_spectacular_validation_without_warnings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings", DATABASE_NAME=connection.settings_dict["NAME"]
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "spectacular",
            "--validate",
            "--fail-on-warn",
            "--file",
            str(tmp_path / "schema.yaml"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "/api/v1/events/batch/" in (tmp_path / "schema.yaml").read_text()
