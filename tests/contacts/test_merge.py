from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from apps.appointments.models import Appointment, WaitlistEntry
from apps.contacts.models import (
    ConsentEvent,
    Contact,
    RfmScore,
    SegmentMember,
    Task,
    TimelineEvent,
    Transaction,
)
from apps.contacts.registries import merge_hooks
from apps.contacts.selectors import timeline_for
from apps.contacts.selectors.duplicates import duplicate_groups
from apps.contacts.services import consent_set, note_add, transaction_record
from apps.contacts.services.merge import contacts_merge
from apps.contacts.services.privacy import contact_erase
from apps.loyalty.models import LedgerEntry, Member, PointLot, Voucher
from apps.messaging.models import ChannelStats, InboundMessage, Message
from tests.contacts.factories import (
    ContactFactory,
    SegmentFactory,
    TaskFactory,
    TimelineEventFactory,
)
from tests.helpers.histories import customer_with_history, practice_create
from tests.messaging.factories import InboundMessageFactory, MessageFactory

pytestmark = pytest.mark.django_db


def _member(segment, contact):
    return SegmentMember.objects.create(segment=segment, contact=contact)


# --- merge -------------------------------------------------------------------------------------
def test_merge_moves_every_record_to_the_survivor_and_deletes_the_others(tenant, owner):
    survivor = ContactFactory(first_name="Anna", email="anna@example.test")
    other = ContactFactory(first_name="Anna")
    TimelineEventFactory.create_batch(3, contact=other)
    note_add(contact=other, text="Prefers mornings", actor=owner)
    TaskFactory(contact=other)
    tx = transaction_record(contact=other, amount="80", currency="EUR", external_ref="pos-9")
    consent_set(contact=other, channel="sms", status="opted_in", method="form")
    segment = SegmentFactory(kind="static")
    _member(segment, other)

    contacts_merge(survivor=survivor, others=[other], actor=owner)

    assert list(Contact.objects.values_list("pk", flat=True)) == [survivor.pk]
    assert TimelineEvent.objects.filter(contact=survivor, type="page.viewed").count() == 3
    assert TimelineEvent.objects.filter(contact=survivor, type="note.added").exists()
    assert Task.objects.get().contact_id == survivor.pk
    assert Transaction.objects.get(pk=tx.pk).contact_id == survivor.pk
    assert ConsentEvent.objects.get(channel="sms", method="form").contact_id == survivor.pk
    assert SegmentMember.objects.get().contact_id == survivor.pk
    merged = TimelineEvent.objects.get(contact=survivor, type="contact.merged")
    assert merged.properties == {"merged_ids": [other.pk]} and merged.actor == owner


MODULE_TABLES = (
    TimelineEvent,
    ConsentEvent,
    Task,
    Transaction,
    Message,
    InboundMessage,
    Appointment,
    WaitlistEntry,
)


def _stats_by_channel() -> dict[str, tuple[int, int, int]]:
    rows = ChannelStats.objects.values("channel").annotate(
        s=Sum("sent"), d=Sum("delivered"), a=Sum("answered")
    )
    return {row["channel"]: (row["s"], row["d"], row["a"]) for row in rows}


def test_two_customers_with_rows_in_every_module_merge_into_one_that_keeps_every_row(tenant, owner):
    practice = practice_create()
    anna = customer_with_history(
        practice=practice,
        actor=owner,
        first_name="Anna",
        last_name="Roe",
        email="anna@example.test",
        phone="+4915123456701",
        secret="Quokka",
    )
    twin = customer_with_history(
        practice=practice,
        actor=owner,
        first_name="Anna",
        last_name="Roe",
        email="anna.roe@example.test",
        phone="+4915123456702",
        secret="Narwhal",
        slot=1,
    )
    for model in MODULE_TABLES:  # both really have rows of every kind
        assert model.objects.filter(contact=anna).exists(), model
        assert model.objects.filter(contact=twin).exists(), model
    assert ChannelStats.objects.filter(contact=twin).count() == 2
    rows_before = {
        model: set(model.objects.values_list("pk", flat=True)) for model in MODULE_TABLES
    }
    stats_before = _stats_by_channel()
    loyalty_before = {
        model: set(model.objects.values_list("pk", flat=True))
        for model in (LedgerEntry, PointLot, Voucher)
    }
    assert Member.objects.filter(contact__in=[anna, twin]).count() == 2

    contacts_merge(survivor=anna, others=[twin], actor=owner)

    merged = TimelineEvent.objects.get(type="contact.merged")
    for model in MODULE_TABLES:
        rows = set(model.objects.values_list("pk", flat=True))
        added = {merged.pk} if model is TimelineEvent else set()
        assert rows == rows_before[model] | added, model
        assert not model.objects.exclude(contact=anna).exists(), model
    assert _stats_by_channel() == stats_before
    assert sorted(ChannelStats.objects.values_list("contact_id", "channel")) == [
        (anna.pk, "email"),
        (anna.pk, "sms"),
    ]
    assert list(Contact.objects.values_list("pk", flat=True)) == [anna.pk]
    anna.refresh_from_db()
    assert anna.no_shows == 2
    account = Member.objects.get()  # one account, holding both people's points and vouchers
    assert account.contact == anna and account.balance == 160
    for model, rows in loyalty_before.items():
        assert set(model.objects.filter(member=account).values_list("pk", flat=True)) == rows
    assert LedgerEntry.objects.filter(member=account).aggregate(s=Sum("points"))["s"] == 160

    timeline = timeline_for(anna, limit=1000)
    assert {event.pk for event in timeline} == rows_before[TimelineEvent] | {merged.pk}
    notes = {e.properties["text"] for e in timeline if e.type == "note.added"}
    assert notes == {"Quokka is afraid of the drill", "Narwhal is afraid of the drill"}
    received = {e.properties["body"] for e in timeline if e.type == "message.received"}
    assert received == {
        "Quokka here, running ten minutes late",
        "Narwhal here, running ten minutes late",
    }


def test_the_contact_page_of_the_survivor_shows_both_histories(tenant, owner, owner_client):
    survivor, other = ContactFactory.create_batch(2)
    note_add(contact=survivor, text="First visit in March", actor=owner)
    note_add(contact=other, text="Moved to Bonn in May", actor=owner)
    contacts_merge(survivor=survivor, others=[other], actor=owner)
    page = owner_client.get(f"/contacts/{survivor.pk}/").content.decode()
    assert "First visit in March" in page and "Moved to Bonn in May" in page


def _moves_nothing(*, survivor, others):
    return None


def test_rows_of_a_module_whose_hook_moved_nothing_stop_the_merge(tenant, owner):
    survivor, other = ContactFactory.create_batch(2)
    text = MessageFactory(contact=other)
    with (
        merge_hooks.override("messaging", _moves_nothing),
        pytest.raises(ValidationError, match="cannot be moved"),
    ):
        contacts_merge(survivor=survivor, others=[other], actor=owner)
    assert Contact.objects.count() == 2
    assert Message.objects.get(pk=text.pk).contact_id == other.pk


def test_a_reply_that_would_lose_its_person_stops_the_merge_too(tenant, owner):
    survivor, other = ContactFactory.create_batch(2)
    reply = InboundMessageFactory(contact=other)
    with merge_hooks.override("messaging", _moves_nothing), pytest.raises(ValidationError):
        contacts_merge(survivor=survivor, others=[other], actor=owner)
    assert InboundMessage.objects.get(pk=reply.pk).contact_id == other.pk


def test_a_list_both_contacts_are_on_keeps_one_membership(tenant, owner):
    survivor, one, two = ContactFactory.create_batch(3)
    shared, only_other = SegmentFactory(kind="static"), SegmentFactory(kind="static")
    for contact in (survivor, one, two):
        _member(shared, contact)
    _member(only_other, one)
    _member(only_other, two)
    contacts_merge(survivor=survivor, others=[one, two], actor=owner)
    assert sorted(SegmentMember.objects.values_list("segment_id", "contact_id")) == sorted(
        [(shared.pk, survivor.pk), (only_other.pk, survivor.pk)]
    )


def test_the_survivor_keeps_its_values_and_gets_the_empty_ones_filled(tenant, owner):
    survivor = ContactFactory(
        first_name="Anna",
        last_name="",
        email="",
        phone="",
        phone_national="",
        city="Bonn",
        tags=["vip"],
        custom={"plan": "gold"},
        lifecycle_stage="lead",
    )
    other = ContactFactory(
        first_name="Annie",
        last_name="Schmidt",
        email="anna@example.test",
        phone="+49301234567",
        phone_national="301234567",
        city="Köln",
        tags=["vip", "recall"],
        custom={"plan": "silver", "allergy": "none"},
        lifecycle_stage="customer",
    )
    contacts_merge(survivor=survivor, others=[other], actor=owner)
    survivor.refresh_from_db()
    assert (survivor.first_name, survivor.last_name, survivor.city) == ("Anna", "Schmidt", "Bonn")
    assert (survivor.email, survivor.phone, survivor.phone_national) == (
        "anna@example.test",
        "+49301234567",
        "301234567",
    )
    assert survivor.tags == ["vip", "recall"]
    assert survivor.custom == {"plan": "gold", "allergy": "none"}
    assert survivor.lifecycle_stage == "customer"


@pytest.mark.parametrize(
    ("mine", "theirs", "result"),
    [
        ("opted_in", "opted_out", "opted_out"),
        ("opted_out", "opted_in", "opted_out"),
        ("unknown", "opted_in", "opted_in"),
        ("opted_in", "unknown", "opted_in"),
    ],
)
def test_the_most_restrictive_consent_wins(tenant, owner, mine, theirs, result):
    survivor = ContactFactory(email_consent=mine)
    other = ContactFactory(email_consent=theirs)
    contacts_merge(survivor=survivor, others=[other], actor=owner)
    survivor.refresh_from_db()
    assert survivor.email_consent == result
    change = ConsentEvent.objects.filter(contact=survivor, note="merge")
    if mine == result:
        assert not change.exists()
    else:
        assert [(c.previous_status, c.status, c.method) for c in change] == [
            (mine, result, "staff")
        ]


def test_merge_refreshes_the_survivors_rfm(tenant, owner, monkeypatch):
    from apps.contacts.services import rfm

    called = []
    monkeypatch.setattr(rfm, "rfm_update_for_contact", lambda contact: called.append(contact.pk))
    survivor, other = ContactFactory.create_batch(2)
    RfmScore.objects.create(
        contact=other,
        recency_days=1,
        frequency=1,
        monetary=Decimal(1),
        r=1,
        f=1,
        m=1,
        segment="new",
        computed_at=timezone.now(),
    )
    contacts_merge(survivor=survivor, others=[other], actor=owner)
    assert called == [survivor.pk]
    assert not RfmScore.objects.filter(contact_id=other.pk).exists()


def test_merge_needs_another_contact(tenant, owner):
    survivor = ContactFactory()
    with pytest.raises(ValidationError):
        contacts_merge(survivor=survivor, others=[survivor], actor=owner)


def test_an_erased_contact_cannot_be_merged(tenant, owner):
    survivor, other = ContactFactory.create_batch(2)
    contact_erase(contact=other, actor=owner)
    with pytest.raises(ValidationError):
        contacts_merge(survivor=survivor, others=[other], actor=owner)
    assert Contact.objects.count() == 2


# --- finding duplicates ------------------------------------------------------------------------
def test_names_that_differ_only_in_case_accents_and_spaces_are_duplicates(tenant):
    a = ContactFactory(first_name="José", last_name="Müller")
    b = ContactFactory(first_name="jose ", last_name="MULLER")
    c = ContactFactory(first_name="Jose", last_name="  Muller")
    ContactFactory(first_name="Josef", last_name="Müller")
    groups = duplicate_groups()
    assert [(g.ids, g.reasons) for g in groups] == [(tuple(sorted([a.pk, b.pk, c.pk])), ["name"])]
    assert [x.pk for x in groups[0].contacts] == sorted([a.pk, b.pk, c.pk])


def test_erased_contacts_and_empty_names_are_not_duplicates(tenant, owner):
    one, two = ContactFactory.create_batch(2, first_name="Anna", last_name="Roe")
    ContactFactory(first_name="", last_name="", email="x1@example.test")
    ContactFactory(first_name="", last_name="", email="x2@example.test")
    contact_erase(contact=one, actor=owner)
    contact_erase(contact=two, actor=owner)
    assert duplicate_groups() == []


def test_duplicates_are_found_in_a_fixed_number_of_queries(tenant, django_assert_num_queries):
    for index in range(30):
        ContactFactory.create_batch(2, first_name=f"Twin{index}", last_name="Doe")
    with django_assert_num_queries(4):
        groups = duplicate_groups()
    assert len(groups) == 30 and all(len(g.contacts) == 2 for g in groups)
