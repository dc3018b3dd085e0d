"""Who is told of what, and how: the subscriber turns timeline events into one notification
per (event, member who chose its kind), never twice, and e-mails go out once, after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django_tenants.utils import schema_context

from apps.accounts.models import Role, User
from apps.appointments.services import appointment_book, appointment_cancel
from apps.contacts.models import TimelineEvent
from apps.messaging.services.inbound import inbound_sms_receive
from apps.notifications import services
from apps.notifications.choices import Kind
from apps.notifications.models import Notification
from apps.scheduling.models import DueWork
from apps.tenants.services import tenant_url
from tests.accounts.factories import UserFactory
from tests.contacts.factories import TimelineEventFactory
from tests.helpers.clock import BERLIN, next_week_at

from .conftest import PHONE


def deliver() -> None:
    """What the timeline subscriber is handed: every event so far, in order."""
    services.notifications_on_events(list(TimelineEvent.objects.order_by("txid", "pk")))


def told(kind: str | None = None) -> dict[str, tuple[bool, bool]]:
    """{member's e-mail: (in the app, by e-mail)} of the notifications made."""
    rows = Notification.objects.select_related("user")
    if kind:
        rows = rows.filter(kind=kind)
    return {n.user.email: (n.in_app, n.email) for n in rows}


@pytest.fixture
def team(tenant, owner):
    return {
        "owner": owner,
        "manager": UserFactory(role=Role.MANAGER, email="manager@alpha.test"),
        "staff": UserFactory(role=Role.STAFF, email="desk@alpha.test"),
        "viewer": UserFactory(role=Role.VIEWER, email="viewer@alpha.test"),
    }


def book_online(practice, service=None):
    return appointment_book(
        service=service or practice.checkup,
        starts_at=next_week_at(10),
        contact=practice.contact,
        source="online",
    )


# --- what is told, to whom ---------------------------------------------------------------------
def test_an_online_booking_reaches_each_member_as_their_role_chooses(practice, team):
    book_online(practice)
    deliver()
    assert told() == {
        "owner@alpha.test": (True, True),
        "manager@alpha.test": (True, True),
        "desk@alpha.test": (True, False),
    }  # the viewer is told nothing until they choose to be
    assert set(Notification.objects.values_list("kind", flat=True)) == {Kind.BOOKED_ONLINE}


def test_a_booking_by_the_front_desk_tells_nobody(practice, team):
    appointment_book(service=practice.checkup, starts_at=next_week_at(10), contact=practice.contact)
    deliver()
    assert told() == {}


def test_a_booking_to_approve_is_told_once_as_a_request_to_approve(practice, team):
    book_online(practice, practice.implant)
    deliver()
    assert set(Notification.objects.values_list("kind", flat=True)) == {Kind.APPROVAL_NEEDED}
    assert told()["owner@alpha.test"] == (True, True)
    assert Notification.objects.filter(user=team["owner"]).count() == 1


def test_a_cancellation_is_told_to_everyone_but_the_member_who_made_it(practice, team):
    appointment = book_online(practice)
    appointment_cancel(appointment=appointment, actor=team["staff"])
    deliver()
    assert told(Kind.CANCELLED) == {
        "owner@alpha.test": (True, False),
        "manager@alpha.test": (True, False),
    }


def test_a_cancellation_by_the_customer_is_told_to_the_whole_team(practice, team):
    appointment = book_online(practice)
    appointment_cancel(appointment=appointment, by_customer=True)
    deliver()
    assert set(told(Kind.CANCELLED)) == {
        "owner@alpha.test",
        "manager@alpha.test",
        "desk@alpha.test",
    }


def test_a_text_from_a_customer_is_told_as_a_reply_but_stop_is_not(practice, team):
    inbound_sms_receive(from_number=PHONE, body="Can I come at 3 instead?", provider_message_id="a")
    inbound_sms_receive(from_number=PHONE, body="STOP", provider_message_id="b")
    deliver()
    assert told(Kind.REPLY) == {
        "owner@alpha.test": (True, False),
        "manager@alpha.test": (True, False),
        "desk@alpha.test": (True, False),
    }
    assert Notification.objects.filter(user=team["owner"]).count() == 1


def test_an_email_reply_is_told_but_an_sms_one_only_once_as_its_text(practice, team):
    TimelineEventFactory(
        contact=practice.contact, type="message.replied", properties={"channel": "sms"}
    )
    deliver()
    assert told() == {}
    TimelineEventFactory(
        contact=practice.contact, type="message.replied", properties={"channel": "email"}
    )
    deliver()
    assert set(told(Kind.REPLY)) == {"owner@alpha.test", "manager@alpha.test", "desk@alpha.test"}


# --- once ----------------------------------------------------------------------------------------
def test_the_same_events_twice_make_no_second_notification_nor_second_email(practice, team):
    book_online(practice, practice.implant)
    deliver()
    first = list(Notification.objects.order_by("pk").values_list("pk", "user_id", "event_id"))
    deliver()  # the subscriber run again after a failure elsewhere
    assert list(Notification.objects.order_by("pk").values_list("pk", "user_id", "event_id")) == (
        first
    )
    mail.outbox.clear()
    assert services.notification_emails_send() == 2  # owner and manager chose e-mail
    assert services.notification_emails_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["manager@alpha.test", "owner@alpha.test"]


def test_the_database_refuses_a_second_notification_of_one_event_for_one_member(practice, team):
    from django.db import IntegrityError, transaction

    book_online(practice)
    deliver()
    existing = Notification.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(user=existing.user, event=existing.event, kind=existing.kind)


# --- choices -------------------------------------------------------------------------------------
def test_members_who_opted_out_get_nothing(practice, team):
    services.notification_preferences_set(user=team["owner"], choices={})
    services.notification_preferences_set(
        user=team["viewer"], choices={Kind.BOOKED_ONLINE: {"in_app"}}
    )
    book_online(practice)
    deliver()
    assert "owner@alpha.test" not in told()
    assert told()["viewer@alpha.test"] == (True, False)


def test_a_member_who_chose_email_only_is_emailed_and_sees_nothing_under_the_bell(practice, team):
    services.notification_preferences_set(
        user=team["staff"], choices={Kind.BOOKED_ONLINE: {"email"}}
    )
    book_online(practice)
    deliver()
    assert told()["desk@alpha.test"] == (False, True)
    mail.outbox.clear()
    services.notification_emails_send()
    assert "desk@alpha.test" in [m.to[0] for m in mail.outbox]


def test_members_who_left_the_team_are_told_nothing(practice, team):
    User.objects.filter(pk=team["manager"].pk).update(is_active=False)
    book_online(practice)
    deliver()
    assert "manager@alpha.test" not in told()


def test_choices_name_known_kinds_and_ways_only(team):
    with pytest.raises(ValidationError) as error:
        services.notification_preferences_set(user=team["owner"], choices={"party": {"email"}})
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.notification_preferences_set(user=team["owner"], choices={Kind.REPLY: {"pigeon"}})
    assert Kind.REPLY in error.value.message_dict


def test_saving_choices_again_replaces_them(team):
    user = team["staff"]
    services.notification_preferences_set(user=user, choices={Kind.REPLY: {"in_app", "email"}})
    services.notification_preferences_set(user=user, choices={Kind.REPLY: {"email"}})
    choices = services.notification_choices([user])[user.pk]
    assert choices[Kind.REPLY] == (False, True)
    assert choices[Kind.BOOKED_ONLINE] == (False, False)


# --- another business ------------------------------------------------------------------------------
def test_another_business_and_its_team_are_told_nothing(practice, team, outsider):
    book_online(practice)
    deliver()
    assert Notification.objects.exists()
    assert outsider.email not in told()
    with schema_context("beta"):
        assert not Notification.objects.exists()


# --- e-mail ----------------------------------------------------------------------------------------
def test_the_email_says_what_happened_to_whom_when_with_the_link(tenant, practice, team):
    appointment = book_online(practice)
    deliver()
    mail.outbox.clear()
    services.notification_emails_send()
    message = next(m for m in mail.outbox if m.to == ["owner@alpha.test"])
    assert message.subject.startswith("New online booking: Lena Vogel")
    assert "Check-up · Dr. Weber" in message.body
    assert f"Open it: {tenant_url(tenant, f'/appointments/{appointment.pk}/')}\n" in message.body
    assert tenant_url(tenant, "/settings/preferences/#notifications") in message.body
    when = appointment.starts_at.astimezone(BERLIN)
    assert f"{when:%A} {when.day} {when:%B %Y, %H:%M}" in message.subject  # the business style


def test_emails_leave_after_commit_with_due_work_as_the_safety_net(
    practice, team, django_capture_on_commit_callbacks
):
    book_online(practice)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deliver()
    assert services._send_later in callbacks
    assert DueWork.objects.pending().filter(kind=services.EMAIL_WORK).exists()
    services.notification_emails_send()
    assert not DueWork.objects.pending().filter(kind=services.EMAIL_WORK).exists()


# --- read marks ------------------------------------------------------------------------------------
def test_mark_all_read_touches_only_the_members_own_unread(practice, team):
    book_online(practice)
    deliver()
    assert services.notifications_mark_read(user=team["owner"]) == 1
    assert services.notifications_mark_read(user=team["owner"]) == 0
    assert Notification.objects.filter(user=team["manager"], read_at__isnull=True).count() == 1
