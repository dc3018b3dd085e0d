"""Set-up of staff: details, weekly hours (several intervals a day, errors on the day), one-off
hours, time off in the practice's zone, and the calendar feed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from apps.appointments.models import HoursOverride, StaffMember, TimeOff, WorkingHours
from tests.accounts.factories import UserFactory
from tests.appointments.factories import (
    AppointmentFactory,
    StaffMemberFactory,
    TimeOffFactory,
    week_hours,
)
from tests.conftest import alpha
from tests.helpers.clock import BERLIN

pytestmark = pytest.mark.django_db
T = dt.time


def _content(response) -> str:
    return response.content.decode()


# --- staff ---------------------------------------------------------------------------------------
def test_staff_list_shows_each_person_with_their_week(owner_client):
    anna = StaffMemberFactory(name="Dr. Anna", title="Dentist")
    week_hours(anna, T(9), T(12, 30), days=[0])
    week_hours(anna, T(13, 30), T(18), days=[0])
    content = _content(owner_client.get("/appointments/setup/staff/"))
    assert "Dr. Anna" in content and "09:00-12:30, 13:30-18:00" in content


def test_create_a_staff_member_then_set_their_hours(owner_client):
    user = UserFactory(name="Ada Login")
    response = owner_client.post(
        "/appointments/setup/staff/new/",
        {
            "name": "Dr. Ada",
            "title": "Dentist",
            "color": "#aa00aa",
            "user": user.pk,
            "bookable_online": "on",
            "active": "on",
            "position": 1,
        },
    )
    with alpha():
        person = StaffMember.objects.get(name="Dr. Ada")
    assert response.status_code == 302 and response.url == f"/appointments/setup/staff/{person.pk}/"
    response = owner_client.post(
        f"/appointments/setup/staff/{person.pk}/hours/",
        _hours(
            monday=[("09:00", "12:30"), ("13:30", "18:00")],
            tuesday=[("09:00", "17:00")],
            friday=[("08:30", "12:00")],
        ),
    )
    assert response.status_code == 302 and response.url.endswith("#hours")
    with alpha():
        rows = list(
            WorkingHours.objects.filter(staff=person).values_list("weekday", "start", "end")
        )
    assert rows == [
        (0, T(9), T(12, 30)),
        (0, T(13, 30), T(18)),
        (1, T(9), T(17)),
        (4, T(8, 30), T(12)),
    ]
    content = _content(owner_client.get(f"/appointments/setup/staff/{person.pk}/"))
    # time fields, two intervals on Monday, one empty row shown to add a third
    assert 'type="time"' in content
    assert 'name="monday_0_start" value="09:00"' in content
    assert 'name="monday_1_end" value="18:00"' in content
    assert re.search(r'<li class="hours-row">\s*<label[^>]*for="id_monday_2_start"', content)
    assert re.search(r'<li class="hours-row" hidden>\s*<label[^>]*for="id_monday_3_start"', content)


def _hours(**days) -> dict:
    """The weekly hours form's fields: day=[("09:00", "12:00"), ...], each in its own row."""
    data = {}
    for day, intervals in days.items():
        for row, (start, end) in enumerate(intervals):
            data[f"{day}_{row}_start"], data[f"{day}_{row}_end"] = start, end
    return data


def test_two_intervals_a_day_on_every_day_are_saved(owner_client):
    person = StaffMemberFactory()
    two = [("13:00", "17:30"), ("08:00", "12:00")]  # in any order
    week = dict.fromkeys(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), two
    )
    response = owner_client.post(f"/appointments/setup/staff/{person.pk}/hours/", _hours(**week))
    assert response.status_code == 302
    with alpha():
        rows = list(
            WorkingHours.objects.filter(staff=person).values_list("weekday", "start", "end")
        )
    assert sorted(rows) == [
        row for d in range(7) for row in ((d, T(8), T(12)), (d, T(13), T(17, 30)))
    ]


@pytest.mark.parametrize(
    ("target", "days"),
    [("weekdays", {0, 1, 2, 3, 4}), ("all", {0, 1, 2, 3, 4, 5, 6})],
)
def test_copy_monday_to_other_days_without_the_script(owner_client, target, days):
    person = StaffMemberFactory()
    url = f"/appointments/setup/staff/{person.pk}/hours/"
    data = _hours(
        monday=[("09:00", "12:00"), ("13:00", "17:00")],
        tuesday=[("10:00", "11:00")],
        sunday=[("10:00", "14:00")],
    )
    response = owner_client.post(url, {**data, "copy": target})
    content = _content(response)
    assert response.status_code == 200  # shown to check, not saved yet
    assert "copied to" in content
    with alpha():
        assert not WorkingHours.objects.filter(staff=person).exists()
    for key in ("tuesday", "wednesday", "thursday", "friday"):
        assert f'name="{key}_0_start" value="09:00"' in content
        assert f'name="{key}_1_end" value="17:00"' in content
    assert ('name="sunday_1_end" value="17:00"' in content) == (target == "all")
    assert ('name="sunday_0_end" value="14:00"' in content) == (target == "weekdays")
    # saving what came back keeps the copy
    saved = {
        name: value
        for name, value in re.findall(r'name="(\w+_\d_(?:start|end))" value="([\d:]+)"', content)
    }
    assert owner_client.post(url, saved).status_code == 302
    with alpha():
        weekdays = set(
            WorkingHours.objects.filter(staff=person, start=T(13)).values_list("weekday", flat=True)
        )
    assert weekdays == days


@pytest.mark.parametrize(
    ("intervals", "words"),
    [
        ([("09:00", "12:00"), ("11:00", "14:00")], "Wednesday: 09:00–12:00 overlaps 11:00–14:00"),
        ([("18:00", "09:00")], "Wednesday: 18:00–09:00 ends before it starts"),
        ([("09:00", "09:00")], "Wednesday: 09:00–09:00 ends before it starts"),
        ([("09:00", "")], "Wednesday: give both the start and the end"),
        ([("9am", "5pm")], "Wednesday: enter a time such as 09:00"),
        ([("25:00", "26:00")], "Wednesday: enter a time such as 09:00"),
    ],
)
def test_weekly_hours_errors_name_the_day(owner_client, intervals, words):
    person = StaffMemberFactory()
    week_hours(person, T(8), T(9), days=[2])
    response = owner_client.post(
        f"/appointments/setup/staff/{person.pk}/hours/",
        _hours(monday=[("09:00", "17:00")], wednesday=intervals),
    )
    content = _content(response)
    assert response.status_code == 400
    errors = re.search(
        r'<div id="wednesday-errors" role="alert"><ul class="errors">.*?</ul>', content, re.S
    ).group(0)
    assert words in errors.replace("&#x27;", "'")
    assert 'id="monday-errors"' not in content
    assert 'aria-describedby="wednesday-errors"' in content
    with alpha():
        assert list(
            WorkingHours.objects.filter(staff=person).values_list("weekday", flat=True)
        ) == [2]


def test_staff_details_errors_name_the_field(owner_client):
    user = UserFactory()
    StaffMemberFactory(name="Dr. First", user=user)
    person = StaffMemberFactory(name="Dr. Second")
    response = owner_client.post(
        f"/appointments/setup/staff/{person.pk}/",
        {"name": "", "color": "#aa00aa", "user": user.pk, "position": 0},
    )
    content = _content(response)
    assert response.status_code == 400
    assert 'id="name-errors"' in content and "already belongs to Dr. First" in content


def test_one_off_hours_are_set_and_reset(owner_client):
    person = StaffMemberFactory()
    url = f"/appointments/setup/staff/{person.pk}/one-off-hours/"
    response = owner_client.post(url, {"date": "2030-05-06", "intervals": "10:00-14:00"})
    assert response.status_code == 302
    content = _content(owner_client.get(f"/appointments/setup/staff/{person.pk}/"))
    assert "10:00-14:00" in content and "Back to usual" in content
    response = owner_client.post(url, {"date": "2030-05-06", "intervals": ""})
    assert response.status_code == 400 and "add time off" in _content(response)
    owner_client.post(f"{url}reset/", {"date": "2030-05-06"})
    with alpha():
        assert not HoursOverride.objects.exists()


def test_time_off_whole_days_and_times_in_the_practice_s_zone(owner_client):
    person = StaffMemberFactory()
    AppointmentFactory(staff=person, starts_at=dt.datetime(2030, 7, 2, 10, tzinfo=BERLIN))
    url = f"/appointments/setup/staff/{person.pk}/time-off/"
    response = owner_client.post(
        url, {"date_from": "2030-07-01", "date_to": "2030-07-03", "reason": "Holiday"}, follow=True
    )
    content = _content(response)
    assert "1 booked appointments fall in this time" in content
    response = owner_client.post(
        url,
        {
            "date_from": "2030-08-01",
            "time_from": "14:00",
            "date_to": "2030-08-01",
            "time_to": "16:30",
        },
    )
    assert response.status_code == 302
    with alpha():
        offs = list(TimeOff.objects.order_by("starts_at").values_list("starts_at", "ends_at"))
    assert offs == [
        (dt.datetime(2030, 7, 1, tzinfo=BERLIN), dt.datetime(2030, 7, 4, tzinfo=BERLIN)),
        (
            dt.datetime(2030, 8, 1, 14, tzinfo=BERLIN),
            dt.datetime(2030, 8, 1, 16, 30, tzinfo=BERLIN),
        ),
    ]


def test_time_off_errors_name_the_field(owner_client):
    person = StaffMemberFactory()
    response = owner_client.post(
        f"/appointments/setup/staff/{person.pk}/time-off/",
        {"date_from": "2030-08-02", "date_to": "2030-08-01"},
    )
    content = _content(response)
    assert response.status_code == 400
    assert re.search(
        r'id="date_to-errors"[^>]*><ul class="errors"><li>The end must be after the start', content
    )


def test_time_off_is_removed_only_for_its_own_staff_member(owner_client):
    anna, ben = StaffMemberFactory.create_batch(2)
    off = TimeOffFactory(staff=anna)
    url = f"/appointments/setup/staff/{ben.pk}/time-off/{off.pk}/delete/"
    assert owner_client.post(url).status_code == 404
    url = f"/appointments/setup/staff/{anna.pk}/time-off/{off.pk}/delete/"
    assert owner_client.post(url).status_code == 302
    with alpha():
        assert not TimeOff.objects.exists()


FEED_URL = re.compile(r"http://alpha\.localhost/appointments/feed/([\w-]+)\.ics")


def test_a_feed_address_is_shown_once_when_made_and_a_new_one_retires_it(owner_client):
    person = StaffMemberFactory()
    page = f"/appointments/setup/staff/{person.pk}/"
    content = _content(owner_client.get(page))
    assert "Make an address" in content and not FEED_URL.search(content)

    response = owner_client.post(f"{page}feed/reset/")
    assert response.status_code == 200
    first = FEED_URL.search(_content(response)).group(1)
    assert "not shown again" in _content(response)
    assert owner_client.get(f"/appointments/feed/{first}.ics").status_code == 200
    content = _content(owner_client.get(page))
    assert first not in content and "Make a new address" in content

    second = FEED_URL.search(_content(owner_client.post(f"{page}feed/reset/"))).group(1)
    assert second != first
    assert owner_client.get(f"/appointments/feed/{first}.ics").status_code == 404
    assert owner_client.get(f"/appointments/feed/{second}.ics").status_code == 200
