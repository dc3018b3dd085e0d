"""A privacy request across every module: the export holds each module's section, and an
erased customer leaves nothing that names them in the business's schema, as `pg_dump` (another
connection, so on committed data) reads it, while every count and total stays the same."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from apps.accounts.models import User
from apps.appointments.models import Appointment, WaitlistEntry
from apps.contacts.models import ConsentEvent, Contact, Task, TimelineEvent, Transaction
from apps.contacts.services.privacy import contact_erase, contact_export_data
from apps.loyalty.models import LedgerEntry, Member, PointLot
from apps.messaging.models import ChannelStats, InboundMessage, Message
from tests.conftest import owner_email
from tests.helpers.histories import customer_with_history, practice_create
from tests.helpers.pg_dump import pg_dump_schema
from tests.messaging.factories import InboundMessageFactory

ERASED = dict(
    first_name="Zebulon",
    last_name="Quasthoff",
    email="zebulon.quasthoff@example.test",
    phone="0151 47110815",
    secret="Quokka",
)
ERASED_PHONE = ("+4915147110815", "15147110815")  # E.164 and national digits
KEPT = dict(
    first_name="Ottilie",
    last_name="Brandauer",
    email="ottilie.brandauer@example.test",
    phone="0151 47110826",
    secret="Narwhal",
    slot=1,
)


def _per_status(model) -> dict[str, int]:
    return dict(model.objects.values_list("status").annotate(n=Count("pk")).order_by())


def _figures() -> dict:
    """What the business counts: rows per module, statuses, money and channel counts."""
    return {
        "contacts": Contact.objects.count(),
        "messages": _per_status(Message),
        "replies": InboundMessage.objects.count(),
        "appointments": _per_status(Appointment),
        "appointment revenue": Appointment.objects.aggregate(s=Sum("price"))["s"],
        "waitlist": _per_status(WaitlistEntry),
        "tasks": Task.objects.count(),
        "transactions": Transaction.objects.aggregate(n=Count("pk"), s=Sum("amount")),
        "loyalty ledger": LedgerEntry.objects.aggregate(n=Count("pk"), s=Sum("points")),
        "loyalty balances": Member.objects.aggregate(n=Count("pk"), s=Sum("balance")),
        "loyalty lots": PointLot.objects.aggregate(n=Count("pk"), s=Sum("remaining")),
        "channel stats": ChannelStats.objects.aggregate(
            s=Sum("sent"), d=Sum("delivered"), a=Sum("answered")
        ),
    }


def test_an_erased_customer_leaves_nothing_personal_in_a_dump_of_the_schema(committed_tenant):
    owner = User.objects.get(email=owner_email("alpha"))
    practice = practice_create()
    customer = customer_with_history(practice=practice, actor=owner, **ERASED)
    InboundMessageFactory(  # a text from their number before they were a contact
        contact=None, from_number=ERASED_PHONE[0], body="Quokka asking about prices"
    )
    bystander = customer_with_history(practice=practice, actor=owner, **KEPT)
    assert customer.phone == ERASED_PHONE[0] and customer.phone_national == ERASED_PHONE[1]
    before = _figures()
    events, consents = TimelineEvent.objects.count(), ConsentEvent.objects.count()
    # the text they sent answers the reminder text: replied, not just delivered
    assert before["messages"] == {"replied": 2, "failed": 2, "opened": 2}
    assert before["appointments"] == {"completed": 2, "no_show": 2, "cancelled": 2, "booked": 2}
    assert before["transactions"] == {"n": 2, "s": Decimal("241.00")}
    assert before["loyalty ledger"] == {"n": 8, "s": 160}

    contact_erase(contact=customer, actor=owner)

    dump = pg_dump_schema(committed_tenant.schema_name).lower()
    personal = [
        ERASED["first_name"],
        ERASED["last_name"],
        ERASED["email"],
        *ERASED_PHONE,
        ERASED["secret"],  # in the note, the task, message bodies, texts, notes, the reason
    ]
    for value in personal:
        assert value.lower() not in dump, value
    # the dump does hold the data, and erasing one customer left the other whole
    for value in (KEPT["first_name"], KEPT["email"], "+4915147110826", "narwhal is afraid"):
        assert value.lower() in dump, value
    for text in ("narwhal x-ray", "narwhal here, running", "narwhal allergic", "narwhal has the"):
        assert text in dump, text
    assert _figures() == before
    assert TimelineEvent.objects.count() == events + 1  # contact.erased
    erased_account = Member.objects.get(contact=customer)
    assert not erased_account.active and erased_account.balance == 80
    assert not erased_account.vouchers.filter(status="issued").exists()  # nobody can use it
    assert ConsentEvent.objects.count() == consents + 3  # opted out of every channel
    bystander.refresh_from_db()
    assert bystander.erased_at is None


@pytest.mark.django_db
def test_the_export_of_a_customer_has_a_section_from_every_module(tenant, owner):
    customer = customer_with_history(practice=practice_create(), actor=owner, **ERASED)

    data = contact_export_data(customer)

    text = json.dumps(data)
    assert {"profile", "consent", "timeline", "tasks", "transactions"} <= set(data)
    assert {"messages", "appointments", "loyalty"} <= set(data)
    loyalty = data["loyalty"]["loyalty"]
    assert [e["kind"] for e in loyalty["ledger"]] == ["earn", "adjust", "redeem", "redeem"]
    assert loyalty["balance"] == 80 == sum(e["points"] for e in loyalty["ledger"])
    assert sorted(v["status"] for v in loyalty["vouchers"]) == ["issued", "redeemed"]
    assert "Quokka brought a friend" in json.dumps(loyalty)
    messages, appointments = data["messages"], data["appointments"]
    assert sorted(m["status"] for m in messages["sent"]) == ["failed", "opened", "replied"]
    assert any("Quokka x-ray results" in m["body"] for m in messages["sent"])
    assert [r["body"] for r in messages["received"]] == ["Quokka here, running ten minutes late"]
    assert {c["channel"] for c in messages["channels"]} == {"email", "sms"}
    assert sorted(a["status"] for a in appointments["appointments"]) == [
        "booked",
        "cancelled",
        "completed",
        "no_show",
    ]
    assert {a["staff"] for a in appointments["appointments"]} == {"Dr. Weber"}
    assert "Quokka allergic to latex" in text and "Quokka has the flu" in text
    assert [w["status"] for w in appointments["waitlist"]] == ["waiting"]
