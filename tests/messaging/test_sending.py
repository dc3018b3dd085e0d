import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.contacts import events
from apps.contacts.models import TimelineEvent
from apps.messaging.models import ChannelStats, Message, MessageStatus, MessagingSettings
from apps.messaging.services.sending import (
    _quiet_until,
    channel_choose,
    message_deliver,
    message_mark,
    message_send,
    message_send_batch,
)
from apps.scheduling.models import DueWork
from apps.scheduling.services import due_work_sweep
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import clock_at

pytestmark = pytest.mark.django_db
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOON = dt.datetime(2026, 11, 24, 12, 0, tzinfo=CHICAGO)  # outside quiet hours


@pytest.fixture(autouse=True)
def _clock_at_noon():
    """The clock agrees with the `now` the rules are given: messages are created at NOON, so
    "marketing messages in the last 7 days" finds them on any date the suite runs."""
    with clock_at(NOON, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_priors():
    from apps.messaging.services import sending

    sending._prior_cache.clear()


def _contact(**kw):
    values = dict(
        email="pat@example.test",
        phone="+13125550100",
        time_zone="America/Chicago",
        email_consent="unknown",
        sms_consent="opted_in",  # ticked "Text me reminders"; the consent tests say otherwise
        language="en",
    )
    values.update(kw)
    return ContactFactory(**values)


# --- consent by category -----------------------------------------------------------------------
def test_transactional_goes_out_without_an_opt_in(tenant):
    message = message_send(
        contact=_contact(sms_consent="unknown"),
        purpose="appointment_reminder",
        channel="email",
        now=NOON,
    )
    assert message.status == MessageStatus.QUEUED
    assert message.body


def test_a_transactional_text_goes_only_to_a_customer_who_ticked_texts(tenant):
    ticked = message_send(
        contact=_contact(), purpose="appointment_reminder", channel="sms", now=NOON
    )
    assert (ticked.channel, ticked.status) == ("sms", MessageStatus.QUEUED)
    unticked = _contact(email="un@example.test", phone="+13125550109", sms_consent="unknown")
    message = message_send(
        contact=unticked, purpose="appointment_reminder", channel="sms", now=NOON
    )
    assert (message.channel, message.status) == ("email", MessageStatus.QUEUED)
    assert message.to == "un@example.test"
    assert message.reason == "SMS not ticked by the customer: sent by email instead"


@pytest.mark.parametrize("sms_consent", ["unknown", "opted_out"])
def test_a_transactional_message_never_goes_to_an_unticked_channel(tenant, sms_consent):
    """Not when it is chosen, not when it is asked for, not in a batch; and with no other
    channel, it is not sent and says why."""
    contact = _contact(sms_consent=sms_consent)
    ChannelStats.objects.create(contact=contact, channel="sms", delivered=9, answered=9)
    ChannelStats.objects.create(contact=contact, channel="email", delivered=9, answered=0)
    chosen = message_send(contact=contact, purpose="appointment_reminder", now=NOON)
    asked = message_send(contact=contact, purpose="survey_invitation", channel="sms", now=NOON)
    [batch] = message_send_batch(contacts=[contact], purpose="outage_notice", now=NOON)
    assert {chosen.channel, asked.channel, batch.channel} == {"email"}
    only_a_phone = _contact(email="", phone="+13125550108", sms_consent=sms_consent)
    message = message_send(
        contact=only_a_phone, purpose="appointment_reminder", channel="sms", now=NOON
    )
    assert message.status == MessageStatus.SUPPRESSED
    assert message.reason in ("SMS not ticked by the customer", "opted out of SMS")
    assert not Message.objects.filter(channel="sms").exclude(status="suppressed").exists()


def test_transactional_respects_an_opt_out_and_says_why(tenant):
    contact = _contact(email="", sms_consent="opted_out")
    message = message_send(contact=contact, purpose="appointment_reminder", channel="sms", now=NOON)
    assert (message.status, message.reason) == (MessageStatus.SUPPRESSED, "opted out of SMS")
    event = TimelineEvent.objects.get(contact=contact, type="message.not_sent")
    assert event.properties["reason"] == "opted out of SMS"


def test_marketing_needs_an_opt_in(tenant):
    message = message_send(contact=_contact(), purpose="voucher", channel="email", now=NOON)
    assert message.status == MessageStatus.SUPPRESSED
    assert message.reason == "no marketing opt-in for email"
    opted_in = message_send(
        contact=_contact(email="in@example.test", phone="+13125550101", email_consent="opted_in"),
        purpose="voucher",
        channel="email",
        now=NOON,
    )
    assert opted_in.status == MessageStatus.QUEUED


def test_the_stop_confirmation_reaches_a_contact_who_just_opted_out(tenant):
    contact = _contact(sms_consent="opted_out")
    message = message_send(
        contact=contact, purpose="sms_stop_confirmation", channel="sms", now=NOON.replace(hour=23)
    )
    assert message.status == MessageStatus.QUEUED  # not suppressed, not deferred


def test_no_address_is_a_reason(tenant):
    message = message_send(
        contact=_contact(phone="", email=""),
        purpose="appointment_reminder",
        channel="sms",
        now=NOON,
    )
    assert message.reason == "no SMS address"


def test_unknown_purpose_is_named(tenant):
    with pytest.raises(ValidationError) as caught:
        message_send(contact=_contact(), purpose="horoscope")
    assert "purpose" in caught.value.message_dict


# --- quiet hours -------------------------------------------------------------------------------
def test_quiet_hours_defer_until_morning_in_the_contacts_time_zone(tenant):
    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=CHICAGO)
    contact = _contact()
    message = message_send(contact=contact, purpose="appointment_reminder", channel="sms", now=late)
    assert message.status == MessageStatus.DEFERRED
    assert message.scheduled_for == dt.datetime(2026, 11, 25, 8, 0, tzinfo=CHICAGO)
    assert message.reason == "quiet hours until 08:00"
    assert DueWork.objects.get(kind="messaging.deferred", ref=str(message.pk)).due_at == (
        message.scheduled_for
    )


def test_quiet_hours_end_at_local_eight_across_the_dst_change(tenant):
    settings, _ = MessagingSettings.objects.get_or_create(pk=1)
    contact = _contact()
    # Saturday 31 Oct 2026, 23:00 CDT (UTC-5); clocks go back at 02:00 on Sunday 1 Nov
    before = dt.datetime(2026, 10, 31, 23, 0, tzinfo=CHICAGO)
    until = _quiet_until(contact, settings, before)
    assert until.astimezone(dt.UTC) == dt.datetime(2026, 11, 1, 14, 0, tzinfo=dt.UTC)  # 08:00 CST
    after_change = dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=CHICAGO)  # the second 01:30
    assert _quiet_until(contact, settings, after_change).astimezone(dt.UTC) == (
        dt.datetime(2026, 11, 1, 14, 0, tzinfo=dt.UTC)
    )
    assert _quiet_until(contact, settings, NOON) is None


def test_email_is_not_held_by_quiet_hours(tenant):
    late = dt.datetime(2026, 11, 24, 23, 0, tzinfo=CHICAGO)
    message = message_send(
        contact=_contact(), purpose="appointment_reminder", channel="email", now=late
    )
    assert message.status == MessageStatus.QUEUED


def test_deferred_message_is_queued_when_quiet_hours_end(
    tenant, django_capture_on_commit_callbacks
):
    late = timezone.now().astimezone(CHICAGO).replace(hour=23)
    message = message_send(
        contact=_contact(), purpose="appointment_reminder", channel="sms", now=late
    )
    DueWork.objects.filter(ref=str(message.pk)).update(
        due_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        due_work_sweep()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert len(callbacks) == 1  # the delivery task, sent after commit


# --- marketing cap and dedupe ------------------------------------------------------------------
def test_marketing_is_capped_per_week(tenant):
    MessagingSettings.objects.update_or_create(pk=1, defaults={"marketing_cap_per_week": 2})
    contact = _contact(email_consent="opted_in")
    first, second, third = (
        message_send(contact=contact, purpose="voucher", channel="email", now=NOON)
        for _ in range(3)
    )
    assert [first.status, second.status] == [MessageStatus.QUEUED, MessageStatus.QUEUED]
    assert (third.status, third.reason) == (
        MessageStatus.SUPPRESSED,
        "capped: 2 marketing messages this week",
    )


def test_the_same_dedupe_key_sends_once(tenant):
    contact = _contact()
    a = message_send(
        contact=contact,
        purpose="appointment_reminder",
        channel="sms",
        dedupe_key="appt-7:24h",
        now=NOON,
    )
    b = message_send(
        contact=contact,
        purpose="appointment_reminder",
        channel="sms",
        dedupe_key="appt-7:24h",
        now=NOON,
    )
    assert a.pk == b.pk
    assert Message.objects.count() == 1


# --- best channel ------------------------------------------------------------------------------
def test_a_contact_who_answers_texts_but_not_emails_gets_texts(tenant):
    contact = _contact()
    ChannelStats.objects.create(contact=contact, channel="email", sent=6, delivered=6, answered=0)
    ChannelStats.objects.create(contact=contact, channel="sms", sent=5, delivered=5, answered=4)
    choice = channel_choose(
        contact=contact, category="transactional", purpose="appointment_reminder"
    )
    assert choice.channel == "sms"
    assert "SMS: 4 of 5 answered" in choice.reason
    assert "email: 0 of 6 answered" in choice.reason
    message = message_send(contact=contact, purpose="appointment_reminder", now=NOON)
    assert message.channel == "sms"
    event = TimelineEvent.objects.get(contact=contact, type="message.queued")
    assert "SMS: 4 of 5 answered" in event.properties["reason"]


def test_without_history_the_business_average_decides(tenant):
    for n in range(4):  # other patients read their emails and ignore texts
        other = _contact(email=f"o{n}@example.test", phone=f"+1312555020{n}")
        ChannelStats.objects.create(contact=other, channel="email", delivered=10, answered=9)
        ChannelStats.objects.create(contact=other, channel="sms", delivered=10, answered=1)
    newcomer = _contact(email="new@example.test", phone="+13125550299")
    assert (
        channel_choose(
            contact=newcomer, category="transactional", purpose="appointment_reminder"
        ).channel
        == "email"
    )


def test_with_no_history_the_choice_is_email(tenant):
    """Even where the business's other customers answer texts: the newcomer's first message
    is the confirmation, and it must arrive."""
    for n in range(4):
        other = _contact(email=f"t{n}@example.test", phone=f"+1312555030{n}")
        ChannelStats.objects.create(contact=other, channel="email", delivered=10, answered=1)
        ChannelStats.objects.create(contact=other, channel="sms", delivered=10, answered=9)
    newcomer = _contact(email="new@example.test", phone="+13125550399")
    choice = channel_choose(
        contact=newcomer, category="transactional", purpose="appointment_confirmation"
    )
    assert choice.channel == "email"
    assert "no history yet" in choice.reason
    message = message_send(contact=newcomer, purpose="appointment_confirmation", now=NOON)
    assert (message.channel, message.to) == ("email", "new@example.test")


def test_with_no_history_the_preferred_channel_comes_first(tenant):
    texter = _contact(preferred_channel="sms")
    assert (
        channel_choose(
            contact=texter, category="transactional", purpose="appointment_reminder"
        ).channel
        == "sms"
    )
    no_email = _contact(email="", phone="+13125550398")
    assert (
        channel_choose(
            contact=no_email, category="transactional", purpose="appointment_reminder"
        ).channel
        == "sms"
    )


def test_a_channel_in_test_mode_is_chosen_only_when_no_live_one_may_be_used(tenant):
    contact = _contact()
    ChannelStats.objects.create(contact=contact, channel="sms", delivered=5, answered=5)
    ChannelStats.objects.create(contact=contact, channel="email", delivered=5, answered=0)
    kwargs = dict(contact=contact, category="transactional", purpose="appointment_reminder")
    assert channel_choose(**kwargs, live={"email"}).channel == "email"  # texts: the outbox
    assert channel_choose(**kwargs, live={"email", "sms"}).channel == "sms"
    both_test = channel_choose(**kwargs, live=set())
    assert both_test.channel == "sms" and "test mode" in both_test.reason


def test_only_consented_channels_are_candidates(tenant):
    contact = _contact(sms_consent="opted_out")
    ChannelStats.objects.create(contact=contact, channel="sms", delivered=5, answered=5)
    assert (
        channel_choose(
            contact=contact, category="transactional", purpose="appointment_reminder"
        ).channel
        == "email"
    )


# --- delivery and what happens after -----------------------------------------------------------
def test_delivery_through_the_outbox_is_logged_and_counted(tenant):
    message = message_send(
        contact=_contact(), purpose="appointment_reminder", channel="sms", now=NOON
    )
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.SENT
    assert message.provider == "outbox"
    assert message.provider_message_id
    assert ChannelStats.objects.get(contact=message.contact, channel="sms").sent == 1
    assert message_deliver(message_id=message.pk).attempts == 1  # a second run does nothing


def test_an_answer_counts_once_and_proves_delivery(tenant):
    message = message_send(
        contact=_contact(), purpose="appointment_reminder", channel="email", now=NOON
    )
    message_deliver(message_id=message.pk)
    message_mark(message=message, status="opened")
    message_mark(message=message, status="clicked")
    message_mark(message=message, status="opened")
    message.refresh_from_db()
    stats = ChannelStats.objects.get(contact=message.contact, channel="email")
    assert (stats.delivered, stats.answered) == (1, 1)
    assert message.status == MessageStatus.CLICKED
    assert message.opened_at and message.clicked_at


def test_an_undelivered_reminder_text_is_followed_by_a_call(tenant):
    message = message_send(
        contact=_contact(),
        purpose="appointment_reminder",
        channel="sms",
        dedupe_key="appt-9",
        now=NOON,
    )
    message_deliver(message_id=message.pk)
    message_mark(message=message, status="failed")
    call = Message.objects.get(channel="voice")
    assert call.dedupe_key == "appt-9:voice"
    assert call.purpose == "appointment_reminder"


def test_an_unopened_reminder_email_is_followed_by_a_text(tenant):
    message = message_send(
        contact=_contact(),
        purpose="appointment_reminder",
        channel="email",
        dedupe_key="appt-10",
        now=NOON,
    )
    message_deliver(message_id=message.pk)
    work = DueWork.objects.get(kind="messaging.fallback", ref=str(message.pk))
    DueWork.objects.filter(pk=work.pk).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    due_work_sweep()
    text = Message.objects.get(channel="sms")
    assert text.dedupe_key == "appt-10:sms"
    assert text.reason.startswith("email not opened within 24 h")  # maybe "; quiet hours…"


def test_an_opened_email_needs_no_fallback(tenant):
    message = message_send(
        contact=_contact(), purpose="appointment_reminder", channel="email", now=NOON
    )
    message_deliver(message_id=message.pk)
    message_mark(message=message, status="opened")
    DueWork.objects.filter(kind="messaging.fallback").update(
        due_at=timezone.now() - dt.timedelta(seconds=1)
    )
    due_work_sweep()
    assert not Message.objects.filter(channel="sms").exists()


def test_the_reason_shows_on_the_contact_timeline(owner_client, tenant):
    contact = _contact()
    ChannelStats.objects.create(contact=contact, channel="email", delivered=6, answered=0)
    ChannelStats.objects.create(contact=contact, channel="sms", delivered=5, answered=4)
    message_send(contact=contact, purpose="appointment_reminder", now=NOON)
    content = owner_client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Message sent" in content
    assert "email: 0 of 6 answered, SMS: 4 of 5 answered" in content


# --- batches -----------------------------------------------------------------------------------
def _crowd(n: int, **kw):
    return [
        _contact(email=f"c{i}@example.test", phone=f"+1312555{1000 + i}", **kw) for i in range(n)
    ]


def test_a_batch_applies_the_same_rules_as_one_send(tenant, django_capture_on_commit_callbacks):
    opted_in, unknown, opted_out = _crowd(3)
    opted_in.email_consent = "opted_in"
    opted_in.save()
    opted_out.email_consent = "opted_out"
    opted_out.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        messages = message_send_batch(
            contacts=[opted_in, unknown, opted_out], purpose="voucher", channel="email", now=NOON
        )
    by_contact = {m.contact_id: m for m in messages}
    assert by_contact[opted_in.pk].status == MessageStatus.QUEUED
    assert by_contact[unknown.pk].reason == "no marketing opt-in for email"
    assert by_contact[opted_out.pk].reason == "opted out of email"
    deliveries = [  # not the subscribers' wake-up nor the dashboard's cache drop
        c for c in callbacks if c is not events._wake and not hasattr(c, "widget_key")
    ]
    assert len(deliveries) == 1  # one delivery task for the whole batch
    reasons = TimelineEvent.objects.filter(type="message.not_sent").values_list(
        "properties__reason", flat=True
    )
    assert sorted(reasons) == ["no marketing opt-in for email", "opted out of email"]


def test_a_retried_batch_sends_nobody_twice(tenant):
    crowd = _crowd(4)
    first = message_send_batch(
        contacts=crowd, purpose="outage_notice", channel="sms", dedupe_prefix="outage-42", now=NOON
    )
    again = message_send_batch(
        contacts=crowd, purpose="outage_notice", channel="sms", dedupe_prefix="outage-42", now=NOON
    )
    assert (len(first), len(again)) == (4, 0)
    assert Message.objects.count() == 4


def test_a_batch_in_quiet_hours_is_held_and_booked(tenant):
    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=CHICAGO)
    messages = message_send_batch(
        contacts=_crowd(3), purpose="outage_notice", channel="sms", now=late
    )
    assert {m.status for m in messages} == {MessageStatus.DEFERRED}
    assert DueWork.objects.filter(kind="messaging.deferred").count() == 3


def test_a_batch_held_for_quiet_hours_costs_the_same_queries_for_3_or_30_contacts(tenant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    late = dt.datetime(2026, 11, 24, 22, 30, tzinfo=CHICAGO)
    few = _crowd(3)
    many = [_contact(email=f"q{i}@example.test", phone=f"+1312555{4000 + i}") for i in range(30)]
    first = [_contact(email="first@example.test", phone="+13125559999")]
    message_send_batch(contacts=first, purpose="outage_notice", channel="sms", now=late)
    counts = []  # after a first batch has read the settings and the template
    for crowd in (few, many):
        with CaptureQueriesContext(connection) as queries:
            message_send_batch(contacts=crowd, purpose="outage_notice", channel="sms", now=late)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]
    assert DueWork.objects.filter(kind="messaging.deferred").count() == 34


def test_a_batch_chooses_each_contacts_channel(tenant):
    texter, reader = _crowd(2)
    ChannelStats.objects.create(contact=texter, channel="sms", delivered=5, answered=5)
    ChannelStats.objects.create(contact=texter, channel="email", delivered=5, answered=0)
    ChannelStats.objects.create(contact=reader, channel="email", delivered=5, answered=5)
    ChannelStats.objects.create(contact=reader, channel="sms", delivered=5, answered=0)
    messages = message_send_batch(contacts=[texter, reader], purpose="outage_notice", now=NOON)
    assert {m.contact_id: m.channel for m in messages} == {texter.pk: "sms", reader.pk: "email"}


def test_a_batch_costs_the_same_queries_for_10_or_60_contacts(
    tenant, django_assert_max_num_queries
):
    small, large = (
        _crowd(10),
        [_contact(email=f"l{i}@example.test", phone=f"+1312555{3000 + i}") for i in range(60)],
    )
    with django_assert_max_num_queries(16):
        message_send_batch(contacts=small, purpose="outage_notice", now=NOON)
    with django_assert_max_num_queries(16):
        message_send_batch(contacts=large, purpose="outage_notice", now=NOON)
    assert Message.objects.count() == 70


def test_an_email_carries_unsubscribe_headers_a_tracked_link_and_the_open_pixel(tenant):
    from django.core import mail

    from apps.messaging.services.templates import template_save

    template_save(
        purpose="campaign",
        channel="email",
        language="en",
        subject="Spring news",
        body="Hi {{ contact.first_name }}, see https://example.com/spring?x=1 today.",
    )
    contact = _contact(email_consent="opted_in", first_name="Pat")
    message = message_send(contact=contact, purpose="campaign", channel="email", now=NOON)
    message_deliver(message_id=message.pk)
    email = mail.outbox[-1]
    assert email.extra_headers["List-Unsubscribe"].startswith("<http://alpha.localhost")
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "/m/o/" in html  # the open pixel
    assert "/m/c/" in html and 'href="https://example.com' not in html  # the link is tracked
    assert "https://example.com/spring?x=1" in email.body  # the text part stays as written
