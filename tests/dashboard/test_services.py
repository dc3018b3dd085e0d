"""The weekly summary e-mail: chosen by owners and managers, due every Monday at 08:00 in the
business's zone, the week's figures against the week before in the business's language, once
per member and week whatever re-runs."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from apps.accounts.models import Role
from apps.dashboard.models import WeeklySummarySent
from apps.dashboard.services import (
    WEEKLY_SUMMARY,
    summary_week,
    weekly_summaries_send,
    weekly_summary_choose,
    weekly_summary_chosen,
)
from apps.scheduling.models import DueWork
from apps.scheduling.services import due_work_sweep
from tests.accounts.factories import UserFactory
from tests.contacts.factories import ContactFactory, TimelineEventFactory
from tests.helpers.clock import BERLIN, clock_at

THURSDAY = dt.datetime(2026, 12, 3, 15, 0, tzinfo=BERLIN)
MONDAY_8 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=BERLIN)


def _pending():
    return DueWork.objects.filter(kind=WEEKLY_SUMMARY, status="pending")


@pytest.mark.django_db
def test_choosing_it_books_monday_eight_in_the_business_zone(tenant, owner):
    with clock_at(THURSDAY):
        weekly_summary_choose(user=owner, chosen=True)
        weekly_summary_choose(user=owner, chosen=True)
    assert weekly_summary_chosen(owner)
    [work] = _pending()
    assert work.due_at == MONDAY_8


@pytest.mark.django_db
def test_staff_cannot_choose_it(tenant):
    with pytest.raises(ValidationError) as error:
        weekly_summary_choose(user=UserFactory(role=Role.STAFF), chosen=True)
    assert "weekly_summary" in error.value.message_dict


@pytest.mark.django_db
def test_the_last_to_stop_it_cancels_the_monday_run(tenant, owner):
    manager = UserFactory(role=Role.MANAGER)
    with clock_at(THURSDAY):
        weekly_summary_choose(user=owner, chosen=True)
        weekly_summary_choose(user=manager, chosen=True)
        weekly_summary_choose(user=owner, chosen=False)
        assert _pending().count() == 1
        weekly_summary_choose(user=manager, chosen=False)
    assert _pending().count() == 0


def test_the_week_is_monday_to_sunday_before_the_sending():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("apps.dashboard.services.business_zone", lambda: BERLIN)
        week = summary_week(sent_at=MONDAY_8)
    assert week.local_days()[0] == dt.date(2026, 11, 30)
    assert week.local_days()[-1] == dt.date(2026, 12, 6)
    assert week.previous.start.date() == dt.date(2026, 11, 23)


@pytest.mark.django_db
def test_monday_s_run_sends_the_week_once_and_books_the_next(
    tenant, owner, django_capture_on_commit_callbacks
):
    contact = ContactFactory()
    TimelineEventFactory(contact=contact, occurred_at=dt.datetime(2026, 12, 1, 10, tzinfo=BERLIN))
    TimelineEventFactory(contact=contact, occurred_at=dt.datetime(2026, 12, 6, 23, tzinfo=BERLIN))
    TimelineEventFactory(contact=contact, occurred_at=dt.datetime(2026, 11, 25, 9, tzinfo=BERLIN))
    TimelineEventFactory(contact=contact, occurred_at=dt.datetime(2026, 12, 7, 1, tzinfo=BERLIN))
    UserFactory(role=Role.STAFF)
    with clock_at(THURSDAY):
        weekly_summary_choose(user=owner, chosen=True)
    with (
        clock_at(MONDAY_8 + dt.timedelta(minutes=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert due_work_sweep() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert message.subject == "Alpha Dental: your week, 30 Nov – 6 Dec"
    assert "- Events: 2 (▲ 100%; week before: 1)" in message.body
    assert "recovery cases are still open" in message.body
    assert "None" not in message.body and "nan" not in message.body
    [following] = _pending()
    assert following.due_at == MONDAY_8 + dt.timedelta(days=7)

    with (
        clock_at(MONDAY_8 + dt.timedelta(minutes=5)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert weekly_summaries_send(sent_at=MONDAY_8) == 0  # a retry sends nothing again
    assert len(mail.outbox) == 1
    assert WeeklySummarySent.objects.filter(user=owner).count() == 1


@pytest.mark.django_db
def test_the_summary_is_in_the_business_s_language(
    tenant, owner, django_capture_on_commit_callbacks
):
    weekly_summary_choose(user=owner, chosen=True)
    tenant.language = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        weekly_summaries_send(sent_at=MONDAY_8)
    [message] = mail.outbox
    assert "votre semaine" in message.subject
    assert "du 30 Nov 2026 au 6 Déc 2026" in message.body  # the project's French dates
    assert "- Événements" in message.body
