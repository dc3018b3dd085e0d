import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts.models import ConsentEvent, Contact, TimelineEvent, Transaction
from apps.contacts.services import (
    consent_set,
    contact_create,
    contact_update,
    contacts_tag,
    events_ingest,
    note_add,
    phone_example,
    task_complete,
    task_create,
    transaction_record,
)
from tests.contacts.factories import ContactFactory, CustomFieldFactory

pytestmark = pytest.mark.django_db


def _errors(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- phone and email --------------------------------------------------------------------------
def test_local_phone_is_read_with_the_business_country_and_stored_in_e164(tenant):
    contact = contact_create(first_name="Jonas", phone="030 1234567")  # alpha is in Germany
    assert contact.phone == "+49301234567"
    assert contact.phone_national == "301234567"


def test_international_phone_keeps_its_own_country(tenant):
    contact = contact_create(first_name="Amy", phone="+1 312-555-0142")
    assert contact.phone == "+13125550142"


@pytest.mark.parametrize("phone", ["12", "not a phone", "+49 123"])
def test_invalid_phone_is_refused_naming_the_field(tenant, phone):
    assert "phone" in _errors(lambda: contact_create(first_name="X", phone=phone))


def test_email_is_lowercased_and_unique_case_insensitively(tenant):
    contact_create(first_name="A", email="Maya.Patel@Example.test")
    assert Contact.objects.get().email == "maya.patel@example.test"
    errors = _errors(lambda: contact_create(first_name="B", email="MAYA.patel@example.test"))
    assert errors["email"] == ["Another contact already has this email."]


@pytest.mark.parametrize(
    ("region", "example"),
    [
        ("US", "+1 201-555-0123"),
        ("de", "+49 1512 3456789"),
        ("FR", "+33 6 12 34 56 78"),
        ("", "+1 201-555-0123"),
        ("XX", "+1 201-555-0123"),
    ],
)
def test_phone_hints_show_a_mobile_number_of_the_business_s_country(region, example):
    assert phone_example(region) == example


def test_phone_is_unique_whatever_way_it_is_written(tenant):
    contact_create(first_name="A", phone="+49 30 1234567")
    errors = _errors(lambda: contact_create(first_name="B", phone="030/123 4567"))
    assert "phone" in errors


def test_invalid_email_is_refused(tenant):
    assert "email" in _errors(lambda: contact_create(first_name="A", email="not-an-email"))


def test_a_contact_needs_a_name_an_email_or_a_phone(tenant):
    assert "first_name" in _errors(lambda: contact_create(city="Berlin"))


def test_every_bad_field_is_named_at_once_and_nothing_is_written(tenant):
    errors = _errors(
        lambda: contact_create(
            first_name="A",
            email="bad",
            phone="12",
            time_zone="Mars/Base",
            birthday=(timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            lifecycle_stage="royalty",
        )
    )
    assert {"email", "phone", "time_zone", "birthday", "lifecycle_stage"} <= set(errors)
    assert not Contact.objects.exists()
    assert not TimelineEvent.objects.exists()


def test_unknown_fields_cannot_be_set(tenant):
    assert "erased_at" in _errors(lambda: contact_create(first_name="A", erased_at=timezone.now()))


def test_new_contact_takes_the_business_time_zone_and_language(tenant):
    contact = contact_create(first_name="Lena")
    assert contact.time_zone == "Europe/Berlin"
    assert contact.language == tenant.language


@pytest.mark.parametrize(
    ("via", "values", "contact_source", "event_source"),
    [
        ("", {}, "", "staff"),
        ("", {"source": "walk-in"}, "walk-in", "staff"),
        ("import", {}, "import", "import"),
        ("import", {"source": "fair 2026"}, "fair 2026", "import"),
        ("api", {"source": ""}, "", "api"),
    ],
)
def test_via_is_where_the_request_came_from_and_source_is_the_contacts_own(
    tenant, via, values, contact_source, event_source
):
    contact = contact_create(first_name="Lena", via=via, **values)
    event = contact.events.get()
    assert (contact.source, event.source) == (contact_source, event_source)


def test_create_and_update_are_on_the_timeline(tenant, staff_member):
    contact = contact_create(first_name="Lena", actor=staff_member)
    contact_update(contact=contact, actor=staff_member, city="Hamburg", tags="VIP, vip ,family")
    contact.refresh_from_db()
    assert contact.tags == ["vip", "family"]
    types = list(contact.events.order_by("pk").values_list("type", "properties"))
    assert types[0][0] == "contact.created"
    assert types[1] == ("contact.updated", {"fields": ["city", "tags"]})


def test_update_with_nothing_changed_records_nothing(tenant):
    contact = contact_create(first_name="Lena", city="Bonn")
    contact_update(contact=contact, city="Bonn")
    assert contact.events.count() == 1


def test_update_to_another_contacts_email_is_refused(tenant):
    contact_create(first_name="A", email="a@example.test")
    b = contact_create(first_name="B", email="b@example.test")
    assert "email" in _errors(lambda: contact_update(contact=b, email="A@example.test"))


# --- custom fields -----------------------------------------------------------------------------
def test_custom_fields_are_validated_by_type(tenant):
    CustomFieldFactory(key="renewal", type="date")
    CustomFieldFactory(key="visits", type="number")
    CustomFieldFactory(key="plan", type="choice", choices=["basic", "premium"])
    CustomFieldFactory(key="vip", type="boolean")
    contact = contact_create(
        first_name="A",
        custom={"renewal": "2027-01-31", "visits": "3", "plan": "premium", "vip": "yes"},
    )
    assert contact.custom == {"renewal": "2027-01-31", "visits": 3, "plan": "premium", "vip": True}
    errors = _errors(
        lambda: contact_update(
            contact=contact,
            custom={"renewal": "31/01/2027", "visits": "many", "plan": "gold", "vip": "perhaps"},
        )
    )
    assert set(errors) == {"custom.renewal", "custom.visits", "custom.plan", "custom.vip"}


def test_unknown_custom_field_is_named(tenant):
    errors = _errors(lambda: contact_create(first_name="A", custom={"shoe_size": 42}))
    assert errors == {"custom.shoe_size": ["There is no custom field “shoe_size”."]}


def test_required_custom_field_must_be_given(tenant):
    CustomFieldFactory(key="insurer", label="Insurer", required=True)
    assert "custom.insurer" in _errors(lambda: contact_create(first_name="A"))


def test_update_merges_custom_values_and_blank_removes_one(tenant):
    CustomFieldFactory(key="a")
    CustomFieldFactory(key="b")
    contact = contact_create(first_name="A", custom={"a": "1", "b": "2"})
    contact = contact_update(contact=contact, custom={"a": ""})
    assert contact.custom == {"b": "2"}


# --- consent -----------------------------------------------------------------------------------
def test_consent_changes_are_kept_as_history(tenant, staff_member):
    contact = contact_create(first_name="A")
    consent_set(contact=contact, channel="sms", status="opted_in", method="form")
    consent_set(contact=contact, channel="sms", status="opted_out", method="reply", note="STOP")
    contact.refresh_from_db()
    assert contact.sms_consent == "opted_out"
    history = list(
        ConsentEvent.objects.filter(contact=contact)
        .order_by("pk")
        .values_list("previous_status", "status", "method")
    )
    assert history == [("unknown", "opted_in", "form"), ("opted_in", "opted_out", "reply")]
    assert contact.events.filter(type="consent.changed").count() == 2


def test_setting_the_same_consent_again_records_nothing(tenant):
    contact = contact_create(first_name="A")
    assert consent_set(contact=contact, channel="email", status="opted_in", method="api")
    assert consent_set(contact=contact, channel="email", status="opted_in", method="api") is None
    assert ConsentEvent.objects.count() == 1


def test_bad_consent_values_are_named(tenant):
    contact = ContactFactory()
    errors = _errors(
        lambda: consent_set(contact=contact, channel="fax", status="maybe", method="guess")
    )
    assert set(errors) == {"channel", "status", "method"}


# --- timeline, notes, tasks --------------------------------------------------------------------
def test_note_needs_text(tenant, staff_member):
    contact = ContactFactory()
    assert "text" in _errors(lambda: note_add(contact=contact, text="  ", actor=staff_member))
    note = note_add(contact=contact, text="Prefers mornings", actor=staff_member)
    assert note.properties == {"text": "Prefers mornings"}
    assert note.actor == staff_member


def test_task_is_completed_once(tenant, staff_member):
    contact = ContactFactory()
    task = task_create(
        contact=contact,
        title="Call back",
        due_date=None,
        assignee=staff_member,
        created_by=staff_member,
    )
    task_complete(task=task, actor=staff_member)
    task_complete(task=task, actor=staff_member)
    assert contact.events.filter(type="task.completed").count() == 1


def test_batch_ingest_is_idempotent_by_client_event_id(tenant):
    contact = ContactFactory(email="reader@example.test")
    batch = [
        {
            "contact_id": contact.pk,
            "type": "page.viewed",
            "client_event_id": "e1",
            "properties": {"path": "/whitening"},
        },
        {
            "email": "READER@example.test",
            "type": "form.submitted",
            "client_event_id": "e2",
            "occurred_at": "2026-11-01T10:00:00+01:00",
        },
        {"contact_id": contact.pk, "type": "page.viewed", "client_event_id": "e1"},
    ]
    first = events_ingest(events=batch)
    again = events_ingest(events=batch)
    assert (first["created"], first["duplicates"], first["errors"]) == (2, 1, [])
    assert (again["created"], again["duplicates"]) == (0, 3)
    assert TimelineEvent.objects.filter(contact=contact, source="api").count() == 2


def test_batch_ingest_records_nothing_on_an_erased_contact(tenant):
    from apps.contacts.services import contact_erase

    contact = contact_erase(contact=ContactFactory(), actor=None)
    result = events_ingest(events=[{"contact_id": contact.pk, "type": "page.viewed"}])
    assert result["created"] == 0
    assert result["errors"][0]["errors"] == {"contact_id": ["No contact with this id or email."]}
    assert not TimelineEvent.objects.filter(contact=contact, type="page.viewed").exists()


def test_batch_ingest_stores_good_items_and_reports_bad_ones_by_index(tenant):
    contact = ContactFactory()
    result = events_ingest(
        events=[
            {"contact_id": contact.pk, "type": "page.viewed"},
            {"contact_id": 999999, "type": "page.viewed"},
            {"contact_id": contact.pk, "type": "has spaces"},
            {"contact_id": contact.pk, "type": "x", "occurred_at": "yesterday"},
            "not an object",
        ]
    )
    assert result["created"] == 1
    assert [(e["index"], sorted(e["errors"])) for e in result["errors"]] == [
        (1, ["contact_id"]),
        (2, ["type"]),
        (3, ["occurred_at", "type"]),  # "x" is no type of the catalogue
        (4, ["event"]),
    ]


def test_batch_ingest_takes_only_whole_numbers_as_contact_ids(tenant):
    first = ContactFactory(pk=1)  # JSON true and 1.0 compare equal to 1 in Python
    result = events_ingest(
        events=[
            {"contact_id": True, "type": "page.viewed"},
            {"contact_id": 1.0, "type": "page.viewed"},
            {"contact_id": "1", "type": "page.viewed"},
            {"contact_id": 1, "type": "page.viewed"},
        ]
    )
    assert [(e["index"], sorted(e["errors"])) for e in result["errors"]] == [
        (0, ["contact_id"]),
        (1, ["contact_id"]),
        (2, ["contact_id"]),
    ]
    assert TimelineEvent.objects.filter(contact=first, type="page.viewed").count() == 1


def test_batch_ingest_reports_a_contact_id_that_is_no_id(tenant):
    contact = ContactFactory()
    result = events_ingest(
        events=[
            {"contact_id": value, "type": "page.viewed"}
            for value in ({}, [contact.pk], True, str(contact.pk), 1.5)
        ]
    )
    assert result["created"] == 0
    assert [(e["index"], sorted(e["errors"])) for e in result["errors"]] == [
        (index, ["contact_id"]) for index in range(5)
    ]


def test_batch_of_more_than_1000_is_refused(tenant):
    assert "events" in _errors(lambda: events_ingest(events=[{}] * 1001))


# --- transactions -----------------------------------------------------------------------------
def test_a_purchase_makes_a_lead_a_customer_and_is_on_the_timeline(tenant):
    contact = contact_create(first_name="A")
    tx = transaction_record(contact=contact, amount="120.5", currency="eur", external_ref="R-1")
    contact.refresh_from_db()
    assert (tx.amount, tx.currency) == (Decimal("120.50"), "EUR")
    assert contact.lifecycle_stage == "customer"
    event = contact.events.get(type="purchase.made")
    assert event.properties["amount"] == "120.50"


def test_a_reference_is_recorded_once(tenant):
    contact = ContactFactory()
    transaction_record(contact=contact, amount=10, currency="EUR", external_ref="R-1")
    errors = _errors(
        lambda: transaction_record(contact=contact, amount=10, currency="EUR", external_ref="R-1")
    )
    assert "external_ref" in errors
    assert Transaction.objects.count() == 1


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        ("-5", "EUR", "amount"),
        ("abc", "EUR", "amount"),
        ("0", "EUR", "amount"),
        ("5", "EURO", "currency"),
    ],
)
def test_bad_transactions_are_named(tenant, amount, currency, field):
    contact = ContactFactory()
    errors = _errors(lambda: transaction_record(contact=contact, amount=amount, currency=currency))
    assert field in errors


def test_a_purchase_keeps_the_contacts_rfm_score_current(tenant):
    from apps.contacts.models import RfmScore

    contact = ContactFactory()
    transaction_record(contact=contact, amount=5, currency="EUR")
    assert RfmScore.objects.get(contact=contact).frequency == 1


# --- tags ------------------------------------------------------------------------------------
def test_bulk_tagging_adds_once_and_removes(tenant):
    a, b = ContactFactory(tags=["vip"]), ContactFactory(tags=[])
    assert contacts_tag(contact_ids=[a.pk, b.pk], add=["VIP", "recall"]) == 3
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.tags == ["vip", "recall"]
    assert b.tags == ["vip", "recall"]
    assert contacts_tag(contact_ids=[a.pk], remove=["vip"]) == 1
    a.refresh_from_db()
    assert a.tags == ["recall"]


def test_refunds_never_add_up_to_more_than_the_purchase(tenant):
    contact = ContactFactory()
    purchase = transaction_record(contact=contact, amount="100", currency="USD")
    transaction_record(
        contact=contact, amount="60", currency="USD", kind="refund", refund_of=purchase
    )
    errors = _errors(
        lambda: transaction_record(
            contact=contact, amount="50", currency="USD", kind="refund", refund_of=purchase
        )
    )
    assert errors == {"amount": ["At most 40.00 USD is left to refund."]}


def test_nothing_new_is_recorded_on_an_erased_contact(tenant, staff_member):
    contact = ContactFactory(erased_at=timezone.now())
    for write in (
        lambda: note_add(contact=contact, text="x", actor=staff_member),
        lambda: consent_set(contact=contact, channel="sms", status="opted_in", method="api"),
        lambda: task_create(
            contact=contact, title="x", due_date=None, assignee=None, created_by=None
        ),
    ):
        with pytest.raises(ValidationError):
            write()
    assert contact.events.count() == 0


def test_search_ignores_accents_both_ways(tenant):
    from apps.contacts.selectors import contact_list

    lucia = contact_create(first_name="Lucía", last_name="Núñez")
    jose = contact_create(first_name="Jose", last_name="Garcia")
    assert list(contact_list(query="lucia nunez")) == [lucia]
    assert list(contact_list(query="josé garcía")) == [jose]
