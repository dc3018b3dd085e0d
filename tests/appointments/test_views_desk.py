"""The front desk's safety net in the pages: the no-show asked once more in the window, the
same-day correction and the final status, only sensible actions on a started visit, "Book /
Move anyway", the service a free time pre-selects, and the Home card of pending approvals
(roles, outsider, query count). The clock stands at 07:00 in the practice (frozen_now), so
"earlier today" exists at any hour."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from apps.appointments.models import Appointment, AppointmentStatus
from apps.contacts.models import Contact, TimelineEvent
from tests.appointments.factories import AppointmentFactory, ServiceFactory
from tests.appointments.test_views_calendar import HTMX, _content, _day, practice_make
from tests.conftest import alpha, logged_in
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead, local

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]
PENDING = "/appointments/home/pending/"
# Pinned for a first request (cold host cache): search_path twice, host lookup, session,
# user; then the pending requests with their contact, service and staff (one query).
PENDING_QUERIES = 6


@pytest.fixture
def practice(tenant):
    return practice_make()


def _visit(practice, starts_at, **kwargs):
    return AppointmentFactory(
        staff=practice["anna"], service=practice["service"], starts_at=starts_at, **kwargs
    )


@pytest.fixture
def early(practice):
    """A visit at 06:00 today: it has started, and its day is not over."""
    return _visit(practice, local(days_ahead(0), 6))


@pytest.fixture
def yesterday(practice):
    return _visit(practice, local(days_ahead(-1), 10))


def _status(client, appointment, status, **extra):
    return client.post(f"/appointments/{appointment.pk}/status/", {"status": status, **extra})


def _window(client, appointment) -> str:
    return _content(client.get(f"/appointments/{appointment.pk}/", **HTMX))


# --- the no-show asks first ---------------------------------------------------------------------
def test_no_show_asks_in_the_window_before_it_counts(owner_client, early):
    response = owner_client.post(f"/appointments/{early.pk}/status/", {"status": "no_show"}, **HTMX)
    content = _content(response)
    assert response.status_code == 200
    assert 'role="alertdialog"' in content and "as a no-show?" in content
    assert 'name="confirm" value="1"' in content and "Yes, mark as no-show" in content
    assert "autofocus" in content  # the keyboard lands on the question
    assert "No, go back" in content
    with alpha():
        early.refresh_from_db()
        assert early.status == AppointmentStatus.BOOKED
        assert Contact.objects.get(pk=early.contact_id).no_shows == 0
    response = _status(owner_client, early, "no_show", confirm="1")
    assert response.status_code == 302
    with alpha():
        early.refresh_from_db()
        assert early.status == AppointmentStatus.NO_SHOW
        assert Contact.objects.get(pk=early.contact_id).no_shows == 1


def test_without_javascript_the_question_is_a_page(owner_client, early):
    response = _status(owner_client, early, "no_show")
    content = _content(response)
    assert response.status_code == 200 and "<html" in content
    assert "Yes, mark as no-show" in content


# --- correcting the same day, final afterwards --------------------------------------------------
def test_a_recorded_outcome_offers_corrections_the_same_day(owner_client, early):
    _status(owner_client, early, "no_show", confirm="1")
    content = _window(owner_client, early)
    assert "Correct it (until the end of the day)" in content
    assert 'value="checked_in"' in content and 'value="completed"' in content
    response = _status(owner_client, early, "completed")
    assert response.status_code == 302
    with alpha():
        early.refresh_from_db()
        assert early.status == AppointmentStatus.COMPLETED
        assert Contact.objects.get(pk=early.contact_id).no_shows == 0
        assert TimelineEvent.objects.filter(type="appointment.status_corrected").count() == 1


def test_after_the_day_the_status_is_final_in_words(owner_client, yesterday):
    with alpha():
        yesterday.status = AppointmentStatus.COMPLETED
        yesterday.save()
    content = _window(owner_client, yesterday)
    assert "its status is final" in content
    assert 'name="status"' not in content
    response = _status(owner_client, yesterday, "no_show", confirm="1")
    assert response.status_code == 400 and "is final" in _content(response)
    with alpha():
        yesterday.refresh_from_db()
        assert yesterday.status == AppointmentStatus.COMPLETED


# --- a started visit ----------------------------------------------------------------------------
def test_a_started_visit_offers_only_what_the_visit_was(owner_client, early):
    content = _window(owner_client, early)
    for value in ("checked_in", "completed", "no_show"):
        assert f'value="{value}"' in content
    assert 'value="confirmed"' not in content
    assert "/move/" not in content and "/cancel/" not in content
    assert "it can no longer be confirmed, moved or cancelled" in content


def test_a_started_visit_cannot_be_cancelled_or_moved_by_a_crafted_post(owner_client, early):
    response = owner_client.post(f"/appointments/{early.pk}/cancel/", {"reason": "x"})
    assert response.status_code == 400 and "already started" in _content(response)
    response = owner_client.post(
        f"/appointments/{early.pk}/move/",
        {"staff": early.staff_id, "date": days_ahead(7).isoformat(), "time": "10:00"},
    )
    assert response.status_code == 400 and "already started" in _content(response)
    with alpha():
        early.refresh_from_db()
        assert early.status == AppointmentStatus.BOOKED
        assert early.starts_at == local(days_ahead(0), 6)


def test_a_future_visit_still_offers_confirm_move_and_cancel(owner_client, practice):
    later = _visit(practice, local(_day(), 10))
    content = _window(owner_client, later)
    assert 'value="confirmed"' in content and "/move/" in content and "/cancel/" in content
    assert 'value="no_show"' not in content


# --- book and move anyway -----------------------------------------------------------------------
def _book(client, practice, starts_at, **extra):
    return client.post(
        "/appointments/book/",
        {
            "contact": ContactFactory().pk,
            "staff": practice["anna"].pk,
            "service": practice["service"].pk,
            "date": starts_at.date().isoformat(),
            "time": starts_at.strftime("%H:%M"),
            **extra,
        },
        **HTMX,
    )


def test_booking_in_the_past_asks_to_book_anyway(owner_client, practice):
    earlier = local(days_ahead(-1), 10)
    content = _content(_book(owner_client, practice, earlier))
    assert "This time has already passed." in content
    assert 'name="confirm" value="past"' in content and "Book anyway" in content
    with alpha():
        assert not Appointment.objects.exists()
    response = _book(owner_client, practice, earlier, confirm="past")
    assert response.headers.get("HX-Redirect")
    with alpha():
        assert Appointment.objects.get().starts_at == earlier


def test_in_the_past_and_outside_the_hours_is_asked_once_for_both(owner_client, practice):
    night = local(days_ahead(-1), 22)
    content = _content(_book(owner_client, practice, night))
    assert "already passed" in content and "does not work then" in content
    assert 'name="confirm" value="past outside_hours"' in content
    response = _book(owner_client, practice, night, confirm="past outside_hours")
    assert response.headers.get("HX-Redirect")


def test_a_confirmation_for_one_question_does_not_answer_the_other(owner_client, practice):
    night = local(days_ahead(-1), 22)
    content = _content(_book(owner_client, practice, night, confirm="past"))
    assert 'name="confirm" value="outside_hours"' in content
    with alpha():
        assert not Appointment.objects.exists()


def test_moving_outside_the_hours_asks_to_move_anyway(owner_client, practice):
    later = _visit(practice, local(_day(), 10))
    data = {"staff": practice["anna"].pk, "date": _day().isoformat(), "time": "20:00"}
    content = _content(owner_client.post(f"/appointments/{later.pk}/move/", data, **HTMX))
    assert "Move anyway" in content and 'value="outside_hours"' in content
    response = owner_client.post(
        f"/appointments/{later.pk}/move/", {**data, "confirm": "outside_hours"}, **HTMX
    )
    assert response.headers.get("HX-Redirect")
    with alpha():
        later.refresh_from_db()
        assert later.starts_at == local(_day(), 20)


# --- the service a free time pre-selects --------------------------------------------------------
def _selected(content: str) -> str | None:
    """The value of the service option drawn as selected, if any."""
    start = content.index('id="id_service"')
    block = content[start : content.index("</select>", start)]
    found = re.search(r'<option value="(\d*)"[^>]*\bselected\b', block)
    return (found.group(1) or None) if found else None


def test_a_free_time_pre_selects_the_only_service(owner_client, practice):
    url = f"/appointments/book/?staff={practice['anna'].pk}&date={_day()}&time=10:00"
    assert _selected(_content(owner_client.get(url, **HTMX))) == str(practice["service"].pk)


def test_a_free_time_pre_selects_the_service_last_booked_with_this_person(owner_client, practice):
    cleaning = ServiceFactory(name="Cleaning", staff=[practice["anna"], practice["ben"]])
    url = f"/appointments/book/?staff={practice['anna'].pk}&date={_day()}&time=10:00"
    assert _selected(_content(owner_client.get(url, **HTMX))) is None  # two, none used yet
    _visit(practice, local(_day(), 9))  # a check-up with Anna ...
    AppointmentFactory(  # ... then a cleaning with Anna, booked last
        staff=practice["anna"], service=cleaning, starts_at=local(_day(2), 9)
    )
    AppointmentFactory(  # Ben's last one does not count for Anna
        staff=practice["ben"], service=practice["service"], starts_at=local(_day(3), 9)
    )
    assert _selected(_content(owner_client.get(url, **HTMX))) == str(cleaning.pk)
    chosen = f"{url}&service={practice['service'].pk}"  # what the address says wins
    assert _selected(_content(owner_client.get(chosen, **HTMX))) == str(practice["service"].pk)


# --- the Home card of pending approvals ---------------------------------------------------------
def _pending(practice, n: int = 1, **kwargs):
    return [
        _visit(
            practice,
            local(_day(), 9) + dt.timedelta(minutes=30 * i),
            awaiting_approval=True,
            source="online",
            **kwargs,
        )
        for i in range(n)
    ]


def test_home_lists_pending_approvals_with_approve_and_review(
    owner_client, practice, django_assert_max_num_queries
):
    requests = _pending(practice, 7, contact__first_name="Zelda")
    with django_assert_max_num_queries(PENDING_QUERIES):
        response = owner_client.get(PENDING, **HTMX)
    content = _content(response)
    assert 'id="home-appointments-pending"' in content and "<!doctype" not in content
    assert content.count("Zelda") >= 5 and "More requests wait" in content
    assert f'action="/appointments/{requests[0].pk}/approve/"' in content
    assert f'href="/appointments/{requests[0].pk}/?next=/"' in content
    response = owner_client.post(f"/appointments/{requests[0].pk}/approve/", {"next": "/"})
    assert response.status_code == 302 and response.url == "/"
    with alpha():
        requests[0].refresh_from_db()
        assert not requests[0].awaiting_approval


def test_the_pending_card_is_registered_on_home(owner_client, practice):
    _pending(practice)
    content = _content(owner_client.get("/"))
    assert f'hx-get="{PENDING}"' in content


def test_no_pending_request_no_card(owner_client, practice):
    _visit(practice, local(_day(), 9))  # an ordinary booking
    response = owner_client.get(PENDING, **HTMX)
    assert response.status_code == 200 and _content(response).strip() == ""


def test_viewers_see_the_requests_without_approve(viewer_client, practice):
    _pending(practice)
    content = _content(viewer_client.get(PENDING, **HTMX))
    assert "/approve/" not in content and "Open" in content


def test_the_outsider_and_anonymous_visitors_never_see_the_requests(
    outsider_client, tenant_client, practice
):
    _pending(practice, contact__first_name="Secret")
    for client in (outsider_client, tenant_client):
        response = client.get(PENDING, **HTMX)
        assert response.status_code == 302 and response.url == f"/login/?next={PENDING}"
        assert b"Secret" not in response.content


def test_another_business_does_not_see_alpha_s_requests(
    other_tenant_client, other_tenant, outsider, practice
):
    _pending(practice, contact__first_name="Secret")
    client = logged_in(other_tenant_client, outsider, other_tenant)
    response = client.get(PENDING, **HTMX)
    assert response.status_code == 200 and "Secret" not in _content(response)
