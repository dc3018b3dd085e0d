"""How a notification is said, made from its event and contact at display time: so an erased
customer's name and text are gone from the bell, and a merged one's point at the survivor."""

from __future__ import annotations

from django.urls import reverse

from apps.contacts.services import contact_erase, contacts_merge
from apps.notifications import selectors
from apps.notifications.choices import Kind
from tests.contacts.factories import ContactFactory

from .factories import NotificationFactory


def reply_for(contact, owner):
    return NotificationFactory(
        user=owner,
        kind=Kind.REPLY,
        event__contact=contact,
        event__type="message.received",
        event__properties={"channel": "sms", "body": "Can I come  at 3\ninstead?", "inbound_id": 1},
    )


def test_a_booking_says_what_with_whom_and_links_the_appointment(tenant, owner):
    notification = NotificationFactory(user=owner, event__contact__first_name="Lena")
    said = selectors.notification_describe(notification.event, notification.kind)
    assert said.title == "New online booking"
    assert said.who.startswith("Lena")
    assert said.detail == "Check-up · Dr. Weber"
    assert said.when.isoformat() == "2030-01-07T10:00:00+01:00"
    assert said.path == reverse("appointments:appointment_detail", args=[1])


def test_a_cancellation_says_who_cancelled(tenant, owner):
    by_customer = NotificationFactory(
        user=owner, kind=Kind.CANCELLED, event__properties={"by": "customer", "appointment_id": 2}
    )
    by_staff = NotificationFactory(
        user=owner, kind=Kind.CANCELLED, event__properties={"by": "staff", "appointment_id": 3}
    )
    describe = selectors.notification_describe
    assert describe(by_customer.event, Kind.CANCELLED).title == "Cancelled by the customer"
    assert describe(by_staff.event, Kind.CANCELLED).title == "Cancelled by the practice"


def test_a_reply_quotes_the_text_and_links_the_contact(tenant, owner):
    contact = ContactFactory(first_name="Lena", last_name="Vogel")
    said = selectors.notification_describe(reply_for(contact, owner).event, Kind.REPLY)
    assert (said.title, said.who) == ("Reply received", "Lena Vogel")
    assert said.detail == "SMS · “Can I come at 3 instead?”"
    assert said.path == reverse("contacts:contact_detail", args=[contact.pk])


def test_an_erased_customer_leaves_no_name_nor_text_in_the_bell(tenant, owner):
    contact = ContactFactory(first_name="Lena", last_name="Vogel")
    notification = reply_for(contact, owner)
    contact_erase(contact=contact, actor=owner)
    [row] = selectors.notifications_for(user=owner)
    said = selectors.notification_describe(row.event, row.kind)
    assert said.who == "Erased contact"
    assert "Lena" not in str(said) and "come" not in str(said)
    assert row.pk == notification.pk  # the row stays, read or unread, with no personal data


def test_a_merged_customers_notifications_follow_the_survivor(tenant, owner):
    survivor = ContactFactory(first_name="Lena", last_name="Vogel")
    duplicate = ContactFactory(first_name="L.", last_name="Vogel")
    reply_for(duplicate, owner)
    contacts_merge(survivor=survivor, others=[duplicate], actor=owner)
    [row] = selectors.notifications_for(user=owner)
    said = selectors.notification_describe(row.event, row.kind)
    assert said.who == "Lena Vogel"
    assert said.path == reverse("contacts:contact_detail", args=[survivor.pk])


def test_the_unread_count_is_the_members_own_in_app_unread(tenant, owner):
    NotificationFactory.create_batch(2, user=owner)
    NotificationFactory(user=owner, in_app=False, email=True)  # e-mail only: not in the bell
    NotificationFactory()  # someone else's
    assert selectors.notifications_unread_count(user=owner) == 2
    assert len(selectors.notifications_for(user=owner)) == 2
