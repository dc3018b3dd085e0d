"""The staff calendar: day and week views, the contact page's panel, roles and outsiders on
every calendar address, query counts (booking and the appointment modal: test_views_appointments)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from apps.appointments.models import Appointment, AppointmentStatus, Source
from apps.contacts.models import Contact
from tests.appointments.factories import (
    AppointmentFactory,
    HolidayFactory,
    HoursOverrideFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    week_hours,
)
from tests.conftest import alpha
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import days_ahead, local

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
# Pinned: the first request's host lookup, search_path, session and user, the channels in test
# mode (the staff banner's; a cold cache), then the page's own reads: the staff, the bookings,
# weekly hours, one-off hours, time off, holidays, the slot step, the requests awaiting approval.
DAY_QUERIES = 14


def _day(offset: int = 7) -> dt.date:
    """A day in the future (free times are offered only from now on)."""
    return days_ahead(offset)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local(day, hour, minute)


def _content(response) -> str:
    return response.content.decode()


def _text(response) -> str:
    """The page's text without tags (a block's times are split into spans)."""
    return re.sub(r"<[^>]+>", "", _content(response))


def practice_make() -> dict:
    """Two dentists working 09:00-12:00 and 13:00-17:00 every day, one check-up service."""
    anna = StaffMemberFactory(name="Dr. Anna", title="Dentist", color="#ff0000")
    ben = StaffMemberFactory(name="Dr. Ben", title="Hygienist")
    for person in (anna, ben):
        week_hours(person, dt.time(9), dt.time(12))
        week_hours(person, dt.time(13), dt.time(17))
    service = ServiceFactory(name="Check-up", staff=[anna, ben], color="#00ff00")
    return {"anna": anna, "ben": ben, "service": service}


def booked_make(practice: dict):
    """Ada Lovelace's check-up with Dr. Anna at 10:00 a week from now."""
    contact = ContactFactory(first_name="Ada", last_name="Lovelace")
    return AppointmentFactory(
        contact=contact,
        staff=practice["anna"],
        service=practice["service"],
        starts_at=_at(_day(), 10),
        notes="Sensitive teeth",
    )


@pytest.fixture
def practice(tenant):
    return practice_make()


@pytest.fixture
def booked(practice):
    return booked_make(practice)


# --- the day ------------------------------------------------------------------------------------
def test_practice_day_shows_a_column_per_active_staff_member_with_their_bookings(
    owner_client, practice
):
    day = _day()
    StaffMemberFactory(name="Dr. Gone", active=False)
    ada = ContactFactory(first_name="Ada", last_name="Lovelace")
    AppointmentFactory(
        contact=ada, staff=practice["anna"], service=practice["service"], starts_at=_at(day, 10)
    )
    response = owner_client.get(f"/appointments/?date={day}")
    content = _content(response)
    assert "Dr. Anna" in content and "Dr. Ben" in content and "Dr. Gone" not in content
    assert "Ada Lovelace" in content and "10:00–10:30" in _text(response)
    # blocks are placed by classes defined in the page's nonce'd style block (no inline styles)
    block = re.search(r'<a class="cal__appt [^"]*"', content).group(0)
    assert "c-svc" in block and re.search(r"\br\d+\b", block) and re.search(r"\bs6\b", block)
    style = "".join(re.findall(r'<style nonce="[^"]+">(.*?)</style>', content, re.S))
    assert "--c:#00ff00" in style and "--c:#ff0000" in style
    assert ' style="' not in content


def test_an_inactive_staff_member_with_bookings_that_day_still_gets_a_column(
    owner_client, practice
):
    day = _day()
    gone = StaffMemberFactory(name="Dr. Gone", active=False)
    AppointmentFactory(staff=gone, service=practice["service"], starts_at=_at(day, 9))
    assert "Dr. Gone" in _content(owner_client.get(f"/appointments/?date={day}"))


def test_free_times_link_to_the_booking_form_prefilled(owner_client, practice):
    day = _day()
    AppointmentFactory(staff=practice["anna"], service=practice["service"], starts_at=_at(day, 9))
    content = _content(owner_client.get(f"/appointments/?date={day}"))
    anna = practice["anna"].pk
    links = re.findall(r'class="cal__free[^"]*" href="([^"]+)"', content)
    assert any(f"staff={anna}" in u and f"date={day}" in u and "time=09%3A30" in u for u in links)
    # 09:00 is taken by the booking; 12:00-13:00 is the lunch break
    assert not any(f"staff={anna}" in u and "time=09%3A00" in u for u in links)
    assert not any("time=12%3A" in u for u in links)
    assert 'hx-target="#modal-body"' in content


def test_past_days_offer_no_free_times(owner_client, practice):
    content = _content(owner_client.get(f"/appointments/?date={_day(-3)}"))
    assert "cal__free" not in content


def test_awaiting_approval_time_off_and_holidays_are_shown_distinctly(owner_client, practice):
    day = _day()
    AppointmentFactory(
        staff=practice["ben"],
        service=practice["service"],
        starts_at=_at(day, 11),
        awaiting_approval=True,
        source=Source.ONLINE,
    )
    TimeOffFactory(
        staff=practice["anna"], starts_at=_at(day, 14), ends_at=_at(day, 16), reason="Training"
    )
    content = _content(owner_client.get(f"/appointments/?date={day}"))
    assert "cal__appt--pending" in content and "Needs approval" in content
    assert "Away 14:00–16:00 · Training" in content
    assert "1 online request waits for your approval" in content
    HolidayFactory(date=day, name="Founders' day")
    content = _content(owner_client.get(f"/appointments/?date={day}"))
    assert "is-holiday" in content and "Founders&#x27; day" in content
    assert "cal__free" not in content


def test_one_off_hours_replace_the_week_on_the_calendar(owner_client, practice):
    day = _day()
    HoursOverrideFactory(staff=practice["anna"], date=day, start=dt.time(18), end=dt.time(20))
    content = _content(owner_client.get(f"/appointments/?date={day}&staff={practice['anna'].pk}"))
    assert "One-off hours" in content
    assert "time=18%3A00" in content and "time=09%3A00" not in content


def test_one_staff_member_day_and_week(owner_client, practice):
    day = _day()
    anna = practice["anna"]
    AppointmentFactory(staff=anna, service=practice["service"], starts_at=_at(day, 10))
    AppointmentFactory(staff=practice["ben"], service=practice["service"], starts_at=_at(day, 10))
    content = _content(owner_client.get(f"/appointments/?date={day}&staff={anna.pk}"))
    assert content.count('class="cal__appt ') == 1
    content = _content(owner_client.get(f"/appointments/?date={day}&staff={anna.pk}&view=week"))
    assert content.count('<section class="cal__col') == 7
    assert content.count('class="cal__appt ') == 1


def test_practice_week_is_a_seven_day_time_grid_with_overlaps_side_by_side(owner_client, practice):
    day = _day()
    ada = ContactFactory(first_name="Ada", last_name="Lovelace")
    AppointmentFactory(
        contact=ada, staff=practice["ben"], service=practice["service"], starts_at=_at(day, 15, 30)
    )
    AppointmentFactory(  # at the same time with the other dentist: beside Ada's
        staff=practice["anna"], service=practice["service"], starts_at=_at(day, 15, 30)
    )
    AppointmentFactory(  # alone in the morning: the whole width
        staff=practice["anna"], service=practice["service"], starts_at=_at(day, 9)
    )
    response = owner_client.get(f"/appointments/?date={day}&view=week")
    content = _content(response)
    assert 'class="cal cal--week cal--lanes"' in content
    assert content.count('<section class="cal__col') == 7
    assert "--cols:7" in content  # seven day columns on one grid, one time axis
    assert 'class="cal__gutter"' in content and ">09:00<" in content
    assert "Ada Lovelace" in content and "Dr. Ben" in content and "15:30" in _text(response)
    # the two at 15:30 take a lane each; the one at 09:00 takes the whole day column
    assert re.search(r"\.cal__col>\.l1-1\{grid-column:1/span 1\}", content)
    assert re.search(r"\.cal__col>\.l2-1\{grid-column:2/span 1\}", content)
    assert "grid-template-columns:repeat(2," in content
    assert re.search(r"cal__appt--booked c-stf\d+ l1-2 ", content)


def test_times_are_the_practice_s_even_for_a_reader_elsewhere(owner_client, owner, practice):
    owner.time_zone = "America/New_York"
    owner.save(update_fields=["time_zone"])
    day = _day()
    AppointmentFactory(staff=practice["anna"], service=practice["service"], starts_at=_at(day, 10))
    assert "10:00–10:30" in _text(owner_client.get(f"/appointments/?date={day}"))


def test_navigation_links_and_nonsense_parameters(owner_client, practice):
    day = _day()
    content = _content(owner_client.get(f"/appointments/?date={day}"))
    assert f'href="/appointments/?date={day - dt.timedelta(days=1)}"' in content
    assert f'href="/appointments/?date={day + dt.timedelta(days=1)}"' in content
    assert 'type="date"' in content and 'name="staff"' in content
    response = owner_client.get("/appointments/?date=yesterday&view=month&staff=x")
    assert response.status_code == 200
    assert owner_client.get("/appointments/?staff=999999").status_code == 404


def test_viewers_see_the_calendar_without_free_times(viewer_client, practice):
    day = _day()
    response = viewer_client.get(f"/appointments/?date={day}")
    assert response.status_code == 200
    assert "cal__free" not in _content(response) and "New appointment" not in _content(response)


# --- the contact page's panel -------------------------------------------------------------------
def test_contact_panel_lists_upcoming_and_counts_no_shows(owner_client, booked):
    Contact.objects.filter(pk=booked.contact_id).update(no_shows=2)
    content = _content(owner_client.get(f"/appointments/contact/{booked.contact_id}/", **HTMX))
    assert 'id="appointments"' in content and "2 no-shows" in content
    assert "Check-up · Dr. Anna" in content
    assert f"/appointments/book/?contact={booked.contact_id}" in content
    response = owner_client.get(f"/appointments/contact/{booked.contact_id}/")
    assert response.status_code == 302 and response.url.endswith("#appointments")


def test_contact_page_loads_the_panel_and_keeps_its_query_count(
    owner_client, booked, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):  # the contact page's, with the test-mode banner
        content = _content(owner_client.get(f"/contacts/{booked.contact_id}/"))
    assert f'hx-get="/appointments/contact/{booked.contact_id}/"' in content


# --- roles and outsiders ------------------------------------------------------------------------
def _write_requests(appointment, practice):
    day = _day().isoformat()
    return [
        ("get", "/appointments/book/", {}),
        (
            "post",
            "/appointments/book/",
            {
                "contact": appointment.contact_id,
                "staff": practice["anna"].pk,
                "service": practice["service"].pk,
                "date": day,
                "time": "15:00",
            },
        ),
        ("get", "/appointments/book/contacts/", {"q": "a"}),
        ("post", f"/appointments/{appointment.pk}/status/", {"status": "confirmed"}),
        ("post", f"/appointments/{appointment.pk}/approve/", {}),
        ("post", f"/appointments/{appointment.pk}/cancel/", {"reason": "x"}),
        ("get", f"/appointments/{appointment.pk}/move/", {}),
        (
            "post",
            f"/appointments/{appointment.pk}/move/",
            {"staff": practice["anna"].pk, "date": day, "time": "16:00"},
        ),
    ]


def _read_requests(appointment):
    return [
        ("get", "/appointments/", {}),
        ("get", "/appointments/?view=week", {}),
        ("get", f"/appointments/{appointment.pk}/", {}),
        ("get", f"/appointments/contact/{appointment.contact_id}/", {}),
    ]


def _unchanged(appointment) -> None:
    with alpha():
        assert Appointment.objects.count() == 1
        appointment.refresh_from_db()
        assert appointment.status == AppointmentStatus.BOOKED
        assert appointment.starts_at == _at(_day(), 10)


def test_viewers_read_but_cannot_write(viewer_client, booked, practice):
    for method, url, data in _read_requests(booked):
        assert getattr(viewer_client, method)(url, data).status_code in (200, 302), url
    for method, url, data in _write_requests(booked, practice):
        assert getattr(viewer_client, method)(url, data).status_code == 403, url
    _unchanged(booked)


def test_staff_members_can_book_and_change(staff_client, booked, practice):
    assert staff_client.get("/appointments/book/").status_code == 200
    response = staff_client.post(f"/appointments/{booked.pk}/status/", {"status": "confirmed"})
    assert response.status_code == 302


def test_the_outsider_is_sent_to_log_in_on_every_calendar_url(outsider_client, booked, practice):
    for method, url, data in [*_read_requests(booked), *_write_requests(booked, practice)]:
        response = getattr(outsider_client, method)(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith("/login/?next="), url
    _unchanged(booked)


def test_another_business_s_appointments_are_not_found(owner_client, other_tenant, practice):
    from django_tenants.utils import schema_context

    with schema_context(other_tenant.schema_name):
        theirs = AppointmentFactory(starts_at=_at(_day(), 10))
        ids = (theirs.pk, theirs.contact_id)
    # nothing of alpha's has these ids
    Appointment.objects.filter(pk=ids[0]).delete()
    Contact.objects.filter(pk=ids[1]).delete()
    for url in (
        f"/appointments/{ids[0]}/",
        f"/appointments/{ids[0]}/move/",
        f"/appointments/contact/{ids[1]}/",
    ):
        assert owner_client.get(url, **HTMX).status_code == 404, url
    for url in (
        f"/appointments/{ids[0]}/status/",
        f"/appointments/{ids[0]}/cancel/",
        f"/appointments/{ids[0]}/approve/",
    ):
        assert owner_client.post(url, {"status": "confirmed"}).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(tenant_client):
    response = tenant_client.get("/appointments/")
    assert response.status_code == 302 and response.url == "/login/?next=/appointments/"


# --- query counts -------------------------------------------------------------------------------
@pytest.fixture
def busy_day(practice):
    """Ten staff members (with hours, time off and one-off hours) and fifty bookings in a day."""
    day = _day()
    people = [practice["anna"], practice["ben"]]
    for _n in range(8):
        person = StaffMemberFactory()
        week_hours(person, dt.time(8), dt.time(18))
        people.append(person)
    services = [ServiceFactory(staff=people, duration_minutes=30) for _n in range(5)]
    for n in range(50):
        person = people[n % 10]
        AppointmentFactory(
            staff=person, service=services[n % 5], starts_at=_at(day, 9 + (n // 10) % 8)
        )
    TimeOffFactory(staff=people[3], starts_at=_at(day, 16), ends_at=_at(day, 17))
    HoursOverrideFactory(staff=people[4], date=day, start=dt.time(7), end=dt.time(12))
    AppointmentFactory(
        staff=people[5], service=services[0], starts_at=_at(day, 16), awaiting_approval=True
    )
    return day, people


def test_day_view_query_count_does_not_grow_with_staff_or_bookings(
    owner_client, busy_day, django_assert_max_num_queries
):
    day, _people = busy_day
    with django_assert_max_num_queries(DAY_QUERIES):
        response = owner_client.get(f"/appointments/?date={day}")
    assert _content(response).count('class="cal__appt ') == 51


def test_week_views_query_counts(owner_client, busy_day, django_assert_max_num_queries):
    day, people = busy_day
    with django_assert_max_num_queries(DAY_QUERIES):
        response = owner_client.get(f"/appointments/?date={day}&view=week")
    assert _content(response).count('class="cal__appt ') == 51
    with django_assert_max_num_queries(DAY_QUERIES + 1):  # + the staff member asked for
        response = owner_client.get(f"/appointments/?date={day}&view=week&staff={people[0].pk}")
    assert response.status_code == 200


def test_contact_panel_query_count(owner_client, booked, django_assert_max_num_queries):
    for _n in range(6):
        AppointmentFactory(
            contact=booked.contact,
            service=booked.service,
            starts_at=timezone.now() - dt.timedelta(days=30 + _n),
        )
    with django_assert_max_num_queries(8):
        owner_client.get(f"/appointments/contact/{booked.contact_id}/", **HTMX)
