"""The home cards: "Remember today" lists the pending notes of the day's visitors (not those
of tomorrow's, not honoured ones), for every role, in a pinned number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.feedback.models import RememberNote
from tests.appointments.factories import AppointmentFactory
from tests.helpers.clock import days_ahead, local, today

pytestmark = pytest.mark.django_db


def _note(contact, body, **fields):
    return RememberNote.objects.create(
        contact=contact, body=body, created=timezone.now() - dt.timedelta(days=3), **fields
    )


def test_remember_today_lists_the_notes_of_todays_visitors(
    frozen_now, owner, viewer_client, staff_client, django_assert_max_num_queries
):
    today_visit = AppointmentFactory(starts_at=local(today(), 10, 0))
    _note(today_visit.contact, "Was cold last time: offer a blanket.")
    tomorrow_visit = AppointmentFactory(starts_at=local(days_ahead(1), 10, 0))
    _note(tomorrow_visit.contact, "Tomorrow's promise.")
    honoured_visit = AppointmentFactory(starts_at=local(today(), 11, 0))
    _note(honoured_visit.contact, "Already kept.", honoured_at=timezone.now())
    url = reverse("feedback:home_remember")

    with django_assert_max_num_queries(8):
        page = viewer_client.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    text = page.content.decode()
    assert "offer a blanket" in text
    assert "Tomorrow" not in text and "Already kept" not in text
    assert "Mark as honoured" not in text  # a viewer reads, staff act
    assert "Mark as honoured" in staff_client.get(url, HTTP_HX_REQUEST="true").content.decode()


def test_remember_today_when_there_is_nothing_to_remember(frozen_now, owner, viewer_client):
    page = viewer_client.get(reverse("feedback:home_remember"), HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    assert b"No promise to keep" in page.content


def test_remember_today_is_hidden_from_the_outsider(owner, outsider_client):
    url = reverse("feedback:home_remember")
    assert outsider_client.get(url, HTTP_HX_REQUEST="true").status_code in (302, 403, 404)
