import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from apps.contacts.models import (
    ConsentEvent,
    Contact,
    RfmScore,
    SegmentMember,
    Task,
    TimelineEvent,
    Transaction,
)
from apps.contacts.services import (
    consent_set,
    contact_create,
    contact_update,
    note_add,
    task_create,
    transaction_record,
)
from apps.contacts.services.privacy import contact_erase, contact_export_data
from tests.contacts.factories import CustomFieldFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(tenant, owner):
    """A contact with something of every kind held on her."""
    CustomFieldFactory(key="allergy", label="Allergy", type="text")
    contact = contact_create(
        actor=owner,
        first_name="Anna",
        last_name="Schmidt",
        email="anna@example.test",
        phone="0151 23456789",
        city="Köln",
        address_line="Ring 1",
        postal_code="50667",
        birthday="1980-05-17",
        tags=["vip"],
        custom={"allergy": "penicillin"},
    )
    consent_set(contact=contact, channel="email", status="opted_in", method="form", actor=owner)
    note_add(contact=contact, text="Anna is afraid of needles", actor=owner)
    task_create(
        contact=contact,
        title="Call Anna about her crown",
        due_date=None,
        assignee=owner,
        created_by=owner,
    )
    transaction_record(contact=contact, amount="120.50", currency="EUR", external_ref="pos-1")
    segment = SegmentFactory(name="Newsletter", kind="static")
    SegmentMember.objects.create(segment=segment, contact=contact)
    RfmScore.objects.update_or_create(
        contact=contact,
        defaults=dict(
            recency_days=3,
            frequency=1,
            monetary=Decimal("120.50"),
            r=5,
            f=1,
            m=3,
            segment="new",
            computed_at=timezone.now(),
        ),
    )
    contact.refresh_from_db()
    return contact


# --- export ------------------------------------------------------------------------------------
def test_export_holds_everything_kept_on_the_contact(anna):
    data = contact_export_data(anna)
    assert data["profile"]["email"] == "anna@example.test"
    assert data["profile"]["birthday"] == "1980-05-17"
    assert data["custom"] == {"allergy": "penicillin"}
    assert data["consent"]["current"] == {"email": "opted_in", "sms": "unknown", "voice": "unknown"}
    assert [(e["channel"], e["status"], e["method"]) for e in data["consent"]["history"]] == [
        ("email", "opted_in", "form")
    ]
    types = [e["type"] for e in data["timeline"]]
    assert {"contact.created", "note.added", "task.created", "purchase.made"} <= set(types)
    assert data["tasks"][0]["title"] == "Call Anna about her crown"
    assert data["transactions"] == [
        {
            "kind": "purchase",
            "amount": "120.50",
            "currency": "EUR",
            "occurred_at": data["transactions"][0]["occurred_at"],
            "items": [],
            "channel": "store",
            "external_ref": "pos-1",
        }
    ]
    assert data["lists"] == ["Newsletter"]
    assert data["rfm"]["segment"] == "new"


def test_export_is_json_ready(anna):
    import json

    text = json.dumps(contact_export_data(anna))
    assert "afraid of needles" in text


# --- erase -------------------------------------------------------------------------------------
def test_erase_removes_personal_data_everywhere(anna, manager):
    contact_erase(contact=anna, actor=manager)
    anna.refresh_from_db()
    assert anna.first_name == "Erased" and anna.last_name == ""
    for name in ("email", "phone", "phone_national", "address_line", "city", "postal_code"):
        assert getattr(anna, name) == "", name
    assert (anna.birthday, anna.custom, anna.tags) == (None, {}, [])
    assert anna.erased_at is not None
    note = TimelineEvent.objects.get(contact=anna, type="note.added")
    assert note.properties == {}
    task_event = TimelineEvent.objects.get(contact=anna, type="task.created")
    assert "title" not in task_event.properties and "task_id" in task_event.properties
    assert Task.objects.get(contact=anna).title == ""
    assert not SegmentMember.objects.filter(contact=anna).exists()
    everything = str(contact_export_data(anna))
    for secret in (
        "Anna",
        "Schmidt",
        "anna@example.test",
        "needles",
        "penicillin",
        "Köln",
        "crown",
    ):
        assert secret not in everything, secret


def test_erase_keeps_the_aggregates(anna, manager):
    contact_erase(contact=anna, actor=manager)
    assert Contact.objects.count() == 1
    assert Transaction.objects.filter(contact=anna).aggregate(s=Sum("amount"))["s"] == Decimal(
        "120.50"
    )
    purchase = TimelineEvent.objects.get(contact=anna, type="purchase.made")
    assert purchase.properties["amount"] == "120.50"
    assert RfmScore.objects.filter(contact=anna).exists()


def test_erase_opts_out_of_every_channel_with_a_final_history_entry(anna, manager):
    contact_erase(contact=anna, actor=manager)
    anna.refresh_from_db()
    assert (anna.email_consent, anna.sms_consent, anna.voice_consent) == ("opted_out",) * 3
    last = ConsentEvent.objects.filter(contact=anna, note="erased")
    assert {(e.channel, e.status, e.method, e.actor) for e in last} == {
        ("email", "opted_out", "staff", manager),
        ("sms", "opted_out", "staff", manager),
        ("voice", "opted_out", "staff", manager),
    }
    email = last.get(channel="email")
    assert email.previous_status == "opted_in"
    erased = TimelineEvent.objects.get(contact=anna, type="contact.erased")
    assert erased.properties == {} and erased.actor == manager


def test_a_second_erase_changes_nothing(anna, manager):
    first = contact_erase(contact=anna, actor=manager)
    events, consents = TimelineEvent.objects.count(), ConsentEvent.objects.count()
    second = contact_erase(contact=anna, actor=manager)
    assert second.erased_at == first.erased_at
    assert (TimelineEvent.objects.count(), ConsentEvent.objects.count()) == (events, consents)


def test_an_erased_contact_cannot_be_changed_again(anna, manager):
    contact_erase(contact=anna, actor=manager)
    with pytest.raises(ValidationError):
        contact_update(contact=anna, first_name="Anna")


def test_an_erased_contact_leaves_the_contact_list_but_not_the_counts(anna, manager):
    from apps.contacts.selectors import contact_list

    contact_erase(contact=anna, actor=manager)
    assert not contact_list().exists()
    assert contact_list(include_erased=True).count() == 1


# --- API ---------------------------------------------------------------------------------------
def test_api_exports_a_contact_as_json(anna, api_client, read_api_client):
    for client in (api_client, read_api_client):
        response = client.get(f"/api/v1/contacts/{anna.pk}/export/")
        assert response.status_code == 200
        assert response.json()["profile"]["email"] == "anna@example.test"


def test_api_erases_a_contact_with_the_api_as_method(anna, api_client):
    response = api_client.post(f"/api/v1/contacts/{anna.pk}/erase/")
    assert response.status_code == 200
    assert response.json()["id"] == anna.pk and response.json()["erased_at"]
    assert ConsentEvent.objects.filter(contact=anna, note="erased", method="api").count() == 3
    assert api_client.post(f"/api/v1/contacts/{anna.pk}/erase/").status_code == 200  # no-op


def test_api_read_key_cannot_erase(anna, read_api_client):
    assert read_api_client.post(f"/api/v1/contacts/{anna.pk}/erase/").status_code == 403
    anna.refresh_from_db()
    assert anna.erased_at is None


def test_api_unknown_contact_is_a_404(tenant, api_client):
    assert api_client.get("/api/v1/contacts/999999/export/").status_code == 404
    assert api_client.post("/api/v1/contacts/999999/erase/").status_code == 404


@pytest.mark.parametrize(("method", "path"), [("get", "export"), ("post", "erase")])
def test_outsider_key_gets_a_401_on_privacy_endpoints(anna, outsider_api_client, method, path):
    response = getattr(outsider_api_client, method)(f"/api/v1/contacts/{anna.pk}/{path}/")
    assert response.status_code == 401
    anna.refresh_from_db()
    assert anna.erased_at is None


def test_the_birthday_is_exported_as_a_date(anna):
    assert dt.date.fromisoformat(contact_export_data(anna)["profile"]["birthday"])
