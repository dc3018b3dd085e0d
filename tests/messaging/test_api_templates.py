"""The templates API: read keys list and read the wording (own or shipped) per purpose, channel
and language, cursor-paged like the rest of the API; write keys (and managers) change it through
the editor's service and checks, with errors naming the field; nothing crosses businesses."""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import schema_context

from apps.messaging.models import Template
from apps.messaging.registries import purposes
from tests.conftest import alpha, api_client_for
from tests.contacts.factories import CustomFieldFactory
from tests.messaging.factories import TemplateFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/templates/"
REMINDER_SMS = f"{LIST}appointment_reminder/sms/en/"
REMINDER_EMAIL = f"{LIST}appointment_reminder/email/en/"
OWN_SMS = "Hi {{ contact.first_name }}, see you at {{ appointment.starts_at }}. Reply C."


def put(client, url, data):
    return client.put(url, json.dumps(data), content_type="application/json")


def all_pages(client, url, **params) -> list[dict]:
    rows, page = [], client.get(url, params).json()
    rows += page["results"]
    while page["next"]:
        page = client.get(page["next"]).json()
        rows += page["results"]
    return rows


def test_read_key_lists_every_wording_own_or_shipped_in_order(read_api_client):
    TemplateFactory(purpose="appointment_reminder", channel="sms", language="en", body=OWN_SMS)
    rows = all_pages(read_api_client, LIST, page_size=200)
    keys = [(r["purpose"], r["channel"], r["language"]) for r in rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    shipped = {
        (p.key, c, lang) for p in purposes.values() for c, lang in p.defaults if lang != "de"
    }
    assert shipped <= set(keys)
    by_key = {(r["purpose"], r["channel"], r["language"]): r for r in rows}
    own = by_key[("appointment_reminder", "sms", "en")]
    assert own["own"] is True and own["body"] == OWN_SMS and own["updated"]
    shipped_one = by_key[("appointment_reminder", "sms", "fr")]
    assert shipped_one["own"] is False and shipped_one["updated"] is None
    assert shipped_one["body"] == purposes["appointment_reminder"].defaults[("sms", "fr")][1]
    assert "appointment.starts_at" in own["variables"]
    assert own["purpose_label"] == str(purposes["appointment_reminder"].label)


def test_the_list_filters_by_purpose_channel_and_language(read_api_client):
    rows = read_api_client.get(
        LIST, {"purpose": "appointment_reminder", "channel": "email"}
    ).json()["results"]
    assert rows and {(r["purpose"], r["channel"]) for r in rows} == {
        ("appointment_reminder", "email")
    }
    french = read_api_client.get(LIST, {"language": "fr", "page_size": 200}).json()["results"]
    assert french and {r["language"] for r in french} == {"fr"}
    assert read_api_client.get(LIST, {"purpose": "no_such_purpose"}).json()["results"] == []
    bad = read_api_client.get(LIST, {"channel": "fax", "language": "xx"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"channel", "language"}


def test_the_list_is_cursor_paged_both_ways_with_bounded_queries(
    read_api_client, django_assert_max_num_queries
):
    CustomFieldFactory()
    everything = all_pages(read_api_client, LIST, page_size=200)
    assert len(everything) > 7
    with django_assert_max_num_queries(6):
        first = read_api_client.get(LIST, {"page_size": 3}).json()
    assert first["previous"] is None and "cursor=" in first["next"]
    walked, page = list(first["results"]), first
    while page["next"]:
        page = read_api_client.get(page["next"]).json()
        assert len(page["results"]) <= 3
        walked += page["results"]
    assert walked == everything
    back = read_api_client.get(page["previous"]).json()
    assert back["results"] == everything[-len(page["results"]) - 3 : -len(page["results"])]
    bad = read_api_client.get(LIST, {"cursor": "not-a-cursor"})
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]["fields"]


def test_read_key_reads_one_wording(read_api_client):
    shipped = read_api_client.get(REMINDER_SMS)
    assert shipped.status_code == 200
    body = shipped.json()
    assert body["own"] is False and body["subject"] == ""
    assert body["body"] == purposes["appointment_reminder"].defaults[("sms", "en")][1]
    TemplateFactory(body=OWN_SMS)
    assert read_api_client.get(REMINDER_SMS).json()["body"] == OWN_SMS
    for missing in (
        f"{LIST}no_such_purpose/sms/en/",
        f"{LIST}appointment_reminder/fax/en/",
        f"{LIST}appointment_reminder/sms/xx/",
        f"{LIST}appointment_reminder/sms/de/",  # a language with no wording yet
    ):
        response = read_api_client.get(missing)
        assert response.status_code == 404, missing
        assert response.json()["error"]["code"] == "not_found"


def test_write_key_saves_the_wording_through_the_editor_service(api_client):
    response = put(api_client, REMINDER_SMS, {"body": OWN_SMS})
    assert response.status_code == 200, response.json()
    assert response.json()["own"] is True and response.json()["body"] == OWN_SMS
    with alpha():
        stored = Template.objects.get(purpose="appointment_reminder", channel="sms", language="en")
    assert stored.body == OWN_SMS and stored.subject == ""
    email = put(
        api_client,
        REMINDER_EMAIL,
        {"subject": "  See you {{ appointment.starts_at }}  ", "body": "Hello {{ contact.name }}"},
    )
    assert email.status_code == 200, email.json()
    assert email.json()["subject"] == "See you {{ appointment.starts_at }}"
    again = put(api_client, REMINDER_SMS, {"body": OWN_SMS})
    assert again.status_code == 200
    with alpha():
        assert Template.objects.count() == 2


def test_a_language_without_wording_can_be_written(api_client):
    assert api_client.get(f"{LIST}appointment_reminder/sms/de/").status_code == 404
    text = "Hallo {{ contact.first_name }}, bis bald!"
    response = put(api_client, f"{LIST}appointment_reminder/sms/de/", {"body": text})
    assert response.status_code == 200 and response.json()["language"] == "de"
    assert api_client.get(f"{LIST}appointment_reminder/sms/de/").json()["body"] == text


def test_a_custom_field_is_a_variable_a_template_may_use(api_client):
    CustomFieldFactory(key="insurer")
    row = api_client.get(REMINDER_SMS).json()
    assert "contact.custom.insurer" in row["variables"]
    text = "Hi {{ contact.first_name }}, bring your {{ contact.custom.insurer }} card."
    assert put(api_client, REMINDER_SMS, {"body": text}).status_code == 200


@pytest.mark.parametrize(
    ("url", "data", "field"),
    [
        (REMINDER_SMS, {"body": "Hi {{ contact.favourite_colour }}"}, "body"),
        (REMINDER_SMS, {"body": "Hi {{ contact.first_name "}, "body"),
        (REMINDER_SMS, {"body": "   "}, "body"),
        (REMINDER_SMS, {}, "body"),
        (REMINDER_SMS, {"body": "Hi", "subject": "Reminder"}, "subject"),
        (REMINDER_EMAIL, {"body": "Hello {{ contact.name }}"}, "subject"),
        (REMINDER_EMAIL, {"subject": "{{ voucher.code }}", "body": "Hello"}, "subject"),
        (REMINDER_SMS, {"body": "Hi", "channel": "email"}, "channel"),
    ],
)
def test_bad_wording_is_refused_naming_the_field_and_nothing_is_saved(api_client, url, data, field):
    response = put(api_client, url, data)
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid" and field in error["fields"], error
    with alpha():
        assert not Template.objects.exists()


def test_the_unknown_variable_message_lists_what_may_be_used(api_client):
    response = put(api_client, REMINDER_SMS, {"body": "Hi {{ contact.nickname }}"})
    [message] = response.json()["error"]["fields"]["body"]
    assert "contact.nickname" in message and "appointment.starts_at" in message


def test_writing_an_unknown_purpose_channel_or_language_is_a_404(api_client):
    for url in (
        f"{LIST}no_such_purpose/sms/en/",
        f"{LIST}appointment_reminder/fax/en/",
        f"{LIST}appointment_reminder/sms/xx/",
    ):
        assert put(api_client, url, {"body": "Hi"}).status_code == 404, url
        assert api_client.delete(url).status_code == 404, url


def test_delete_goes_back_to_the_shipped_wording(api_client):
    TemplateFactory(body=OWN_SMS)
    assert api_client.delete(REMINDER_SMS).status_code == 204
    row = api_client.get(REMINDER_SMS).json()
    assert row["own"] is False and row["body"] != OWN_SMS
    assert api_client.delete(REMINDER_SMS).status_code == 204  # harmless again


def test_read_key_cannot_change_or_reset_a_wording(read_api_client):
    TemplateFactory(body=OWN_SMS)
    refused = put(read_api_client, REMINDER_SMS, {"body": "Hi {{ contact.first_name }}"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    assert read_api_client.delete(REMINDER_SMS).status_code == 403
    with alpha():
        assert Template.objects.get().body == OWN_SMS


def test_roles_as_in_the_editor_staff_read_and_managers_change(
    staff_client, manager_client, viewer_client
):
    assert staff_client.get(REMINDER_SMS).status_code == 200
    assert put(staff_client, REMINDER_SMS, {"body": "Hi"}).status_code == 403
    assert viewer_client.get(LIST).status_code == 403
    assert put(manager_client, REMINDER_SMS, {"body": "Hi"}).status_code == 200


def test_another_business_key_is_refused_and_wordings_stay_in_their_business(
    tenant, other_tenant, outsider_api_client, api_client
):
    assert outsider_api_client.get(LIST).status_code == 401
    assert outsider_api_client.get(REMINDER_SMS).status_code == 401
    assert put(outsider_api_client, REMINDER_SMS, {"body": "Hi"}).status_code == 401
    assert outsider_api_client.delete(REMINDER_SMS).status_code == 401
    with schema_context(other_tenant.schema_name):
        TemplateFactory(body="Beta's own wording")
    row = api_client.get(REMINDER_SMS).json()
    assert row["own"] is False and row["body"] != "Beta's own wording"
    assert put(api_client, REMINDER_SMS, {"body": OWN_SMS}).status_code == 200
    beta = api_client_for(other_tenant, ["read"])
    assert beta.get(REMINDER_SMS).json()["body"] == "Beta's own wording"
    with alpha():
        assert Template.objects.get().body == OWN_SMS


def test_options_describes_the_endpoints(api_client):
    assert api_client.options(LIST).status_code == 200
    detail = api_client.options(REMINDER_SMS)
    assert detail.status_code == 200 and "PUT" in detail.json()["actions"]
    assert api_client.options(f"{LIST}no_such_purpose/sms/en/").status_code == 200
