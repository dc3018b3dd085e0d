"""Set-up pages: services, rooms, holidays and booking settings; who may change any set-up page
(staff pages included), outsiders, and query counts. The staff pages: test_views_setup_staff."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.appointments.models import (
    AppointmentSettings,
    Holiday,
    HoursOverride,
    Room,
    Service,
    StaffMember,
    TimeOff,
    WorkingHours,
)
from apps.appointments.services.setup import staff_calendar_token_reset
from tests.appointments.factories import (
    HolidayFactory,
    RoomFactory,
    ServiceFactory,
    StaffMemberFactory,
    TimeOffFactory,
    week_hours,
)
from tests.conftest import alpha

pytestmark = pytest.mark.django_db
T = dt.time


def _content(response) -> str:
    return response.content.decode()


def _service_data(**changes) -> dict:
    return {
        "name": "Cleaning",
        "description": "",
        "duration_minutes": 45,
        "price": "90.00",
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 10,
        "step_minutes": "",
        "daily_cap": "",
        "min_notice_minutes": 120,
        "horizon_days": 60,
        "online": "on",
        "recall_months": 6,
        "color": "#0ea5e9",
        "active": "on",
        "position": 0,
        **changes,
    }


# --- services ------------------------------------------------------------------------------------
def test_service_list_shows_staff_rooms_and_rules(owner_client):
    anna = StaffMemberFactory(name="Dr. Anna")
    chair = RoomFactory(name="Chair 1")
    ServiceFactory(name="Check-up", staff=[anna], needs_room=True, rooms=[chair])
    ServiceFactory(name="Old thing", active=False)
    content = _content(owner_client.get("/appointments/setup/services/"))
    assert "Check-up" in content and "Dr. Anna" in content and "Chair 1" in content
    assert "inactive" in content and "New service" in content


def test_create_a_service_with_staff_and_rooms(owner_client):
    anna = StaffMemberFactory()
    chair = RoomFactory()
    response = owner_client.post(
        "/appointments/setup/services/new/",
        _service_data(staff=[anna.pk], rooms=[chair.pk], needs_room="on"),
    )
    assert response.status_code == 302 and response.url == "/appointments/setup/services/"
    with alpha():
        service = Service.objects.get(name="Cleaning")
        assert service.duration_minutes == 45 and service.recall_months == 6
        assert list(service.staff.all()) == [anna] and list(service.rooms.all()) == [chair]
        assert service.needs_room and service.online and not service.needs_confirmation


def test_service_form_errors_name_the_fields(owner_client):
    response = owner_client.post(
        "/appointments/setup/services/new/",
        _service_data(name="", duration_minutes=1, color="red", price="-3"),
    )
    content = _content(response)
    assert response.status_code == 400
    for name in ("name", "duration_minutes", "color", "price"):
        assert f'id="{name}-errors"' in content, name
    with alpha():
        assert not Service.objects.exists()


def test_edit_a_service(owner_client):
    service = ServiceFactory(name="Check-up")
    content = _content(owner_client.get(f"/appointments/setup/services/{service.pk}/"))
    assert 'value="Check-up"' in content
    response = owner_client.post(
        f"/appointments/setup/services/{service.pk}/", _service_data(name="Big check-up")
    )
    assert response.status_code == 302
    with alpha():
        service.refresh_from_db()
        assert service.name == "Big check-up" and service.duration_minutes == 45


# --- rooms and holidays --------------------------------------------------------------------------
def test_rooms_are_added_listed_and_renamed(owner_client):
    response = owner_client.post(
        "/appointments/setup/rooms/new/", {"name": "Chair 1", "active": "on", "position": 0}
    )
    assert response.status_code == 302
    response = owner_client.post(
        "/appointments/setup/rooms/new/", {"name": "Chair 1", "position": 0}
    )
    assert response.status_code == 400 and 'id="name-errors"' in _content(response)
    with alpha():
        room = Room.objects.get()
    owner_client.post(f"/appointments/setup/rooms/{room.pk}/", {"name": "Chair A", "position": 0})
    content = _content(owner_client.get("/appointments/setup/rooms/"))
    assert "Chair A" in content and "inactive" in content


def test_holidays_are_added_and_removed(owner_client):
    response = owner_client.post(
        "/appointments/setup/holidays/add/", {"date": "2030-12-25", "name": "Christmas"}
    )
    assert response.status_code == 302
    response = owner_client.post("/appointments/setup/holidays/add/", {"date": "2030-12-25"})
    assert response.status_code == 400 and "already a holiday" in _content(response)
    content = _content(owner_client.get("/appointments/setup/holidays/"))
    assert "Christmas" in content
    with alpha():
        holiday = Holiday.objects.get()
    owner_client.post(f"/appointments/setup/holidays/{holiday.pk}/delete/")
    with alpha():
        assert not Holiday.objects.exists()


# --- booking settings ----------------------------------------------------------------------------
def _settings_data(**changes) -> dict:
    return {
        "slot_step_minutes": 15,
        "cancellation_notice_hours": 24,
        "online_booking": "on",
        "booking_intro": "Welcome",
        "reminder_0_amount": 2,
        "reminder_0_unit": "days",
        "reminder_0_channel": "email",
        "reminder_1_amount": 2,
        "reminder_1_unit": "hours",
        "reminder_1_channel": "",
        **changes,
    }


def test_settings_save_reminders_and_show_the_links(owner_client):
    person = StaffMemberFactory(name="Dr. Anna")
    content = _content(owner_client.get("/appointments/setup/booking/"))
    assert "/book/" in content and "Dr. Anna" in content
    assert "no address yet" in content and "/appointments/feed/" not in content
    with alpha():
        staff_calendar_token_reset(staff=person)
    content = _content(owner_client.get("/appointments/setup/booking/"))
    assert "address in use" in content and "/appointments/feed/" not in content
    response = owner_client.post(
        "/appointments/setup/booking/",
        _settings_data(reminder_2_amount=30, reminder_2_unit="minutes", reminder_2_channel="sms"),
    )
    assert response.status_code == 302
    with alpha():
        row = AppointmentSettings.objects.get()
    assert row.reminders == [
        {"minutes": 2880, "channel": "email"},
        {"minutes": 120, "channel": ""},
        {"minutes": 30, "channel": "sms"},
    ]
    content = _content(owner_client.get("/appointments/setup/booking/"))
    assert 'name="reminder_2_amount" value="30"' in content


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"reminder_1_amount": 48}, "another reminder is already sent at that time"),
        ({"reminder_1_amount": 31, "reminder_1_unit": "days"}, "at most 30 days"),
        ({"reminder_1_amount": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_reminders_are_refused_with_a_message(owner_client, changes, words):
    before = None
    with alpha():
        from apps.appointments.services import appointment_settings

        before = appointment_settings().reminders
    response = owner_client.post("/appointments/setup/booking/", _settings_data(**changes))
    assert response.status_code == 400
    assert words in _content(response)
    with alpha():
        assert AppointmentSettings.objects.get().reminders == before


def test_settings_refuse_a_bad_slot_step(owner_client):
    response = owner_client.post(
        "/appointments/setup/booking/", _settings_data(slot_step_minutes=2)
    )
    assert response.status_code == 400 and 'id="slot_step_minutes-errors"' in _content(response)


# --- roles and outsiders -------------------------------------------------------------------------
@pytest.fixture
def objects(tenant):
    person = StaffMemberFactory()
    return {
        "staff": person,
        "service": ServiceFactory(staff=[person]),
        "room": RoomFactory(),
        "holiday": HolidayFactory(date=dt.date(2030, 1, 1)),
        "time_off": TimeOffFactory(staff=person),
    }


def _reads():
    return [
        "/appointments/setup/",
        "/appointments/setup/services/",
        "/appointments/setup/staff/",
        "/appointments/setup/rooms/",
        "/appointments/setup/holidays/",
        "/appointments/setup/booking/",
    ]


def _writes(o):
    s = f"/appointments/setup/staff/{o['staff'].pk}"
    return [
        ("get", "/appointments/setup/services/new/", {}),
        ("post", "/appointments/setup/services/new/", _service_data()),
        ("get", f"/appointments/setup/services/{o['service'].pk}/", {}),
        ("post", f"/appointments/setup/services/{o['service'].pk}/", _service_data(name="Hacked")),
        ("get", "/appointments/setup/staff/new/", {}),
        ("post", "/appointments/setup/staff/new/", {"name": "Intruder", "color": "#000000"}),
        ("get", f"{s}/", {}),
        ("post", f"{s}/", {"name": "Hacked", "color": "#000000", "position": 0}),
        ("post", f"{s}/hours/", {"monday": "09:00-10:00"}),
        ("post", f"{s}/one-off-hours/", {"date": "2030-01-02", "intervals": "09:00-10:00"}),
        ("post", f"{s}/one-off-hours/reset/", {"date": "2030-01-02"}),
        ("post", f"{s}/time-off/", {"date_from": "2030-01-02", "date_to": "2030-01-03"}),
        ("post", f"{s}/time-off/{o['time_off'].pk}/delete/", {}),
        ("post", f"{s}/feed/reset/", {}),
        ("get", "/appointments/setup/rooms/new/", {}),
        ("post", "/appointments/setup/rooms/new/", {"name": "Intruder", "position": 0}),
        ("get", f"/appointments/setup/rooms/{o['room'].pk}/", {}),
        ("post", f"/appointments/setup/rooms/{o['room'].pk}/", {"name": "Hacked", "position": 0}),
        ("post", "/appointments/setup/holidays/add/", {"date": "2030-02-02"}),
        ("post", f"/appointments/setup/holidays/{o['holiday'].pk}/delete/", {}),
        ("post", "/appointments/setup/booking/", _settings_data(slot_step_minutes=30)),
    ]


def _nothing_changed(o) -> None:
    with alpha():
        assert set(Service.objects.values_list("name", flat=True)) == {o["service"].name}
        assert list(StaffMember.objects.values_list("name", "calendar_token_hash")) == [
            (o["staff"].name, o["staff"].calendar_token_hash)
        ]
        assert not WorkingHours.objects.exists() and not HoursOverride.objects.exists()
        assert TimeOff.objects.count() == 1 and Holiday.objects.count() == 1
        assert list(Room.objects.values_list("name", flat=True)) == [o["room"].name]
        assert not AppointmentSettings.objects.filter(slot_step_minutes=30).exists()


@pytest.mark.parametrize("persona", ["viewer_client", "staff_client"])
def test_viewers_and_staff_read_but_cannot_change_set_up(request, objects, persona):
    client = request.getfixturevalue(persona)
    for url in _reads():
        assert client.get(url).status_code in (200, 302), url
    content = _content(client.get("/appointments/setup/services/"))
    assert "New service" not in content
    assert "Calendar feeds" not in _content(client.get("/appointments/setup/booking/"))
    for method, url, data in _writes(objects):
        assert getattr(client, method)(url, data).status_code == 403, url
    _nothing_changed(objects)


def test_managers_can_change_set_up(manager_client, objects):
    assert manager_client.get("/appointments/setup/services/new/").status_code == 200
    assert (
        manager_client.post("/appointments/setup/holidays/add/", {"date": "2030-02-02"}).status_code
        == 302
    )


def test_the_outsider_is_sent_to_log_in_on_every_set_up_url(outsider_client, objects):
    for method, url, data in [*(("get", u, {}) for u in _reads()), *_writes(objects)]:
        response = getattr(outsider_client, method)(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith("/login/?next="), url
    _nothing_changed(objects)


def test_unknown_ids_are_not_found(owner_client):
    for url in (
        "/appointments/setup/services/999999/",
        "/appointments/setup/staff/999999/",
        "/appointments/setup/rooms/999999/",
    ):
        assert owner_client.get(url).status_code == 404, url
    assert owner_client.post("/appointments/setup/holidays/999999/delete/").status_code == 404


# --- query counts --------------------------------------------------------------------------------
@pytest.fixture
def many(tenant):
    people = StaffMemberFactory.create_batch(10)
    for person in people:
        week_hours(person, T(9), T(17))
    rooms = RoomFactory.create_batch(4)
    for _n in range(20):
        ServiceFactory(staff=people[:5], rooms=rooms[:2], needs_room=True)
    HolidayFactory.create_batch(5, date=factory_dates())
    from apps.appointments.services import appointment_settings

    appointment_settings()  # the row exists (its first read creates it)
    return people


def factory_dates():
    import factory

    return factory.Sequence(lambda n: dt.date(2030, 1, 1) + dt.timedelta(days=n))


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # each with the channels in test mode (the staff banner's; a cold cache)
        ("/appointments/setup/services/", 9),
        ("/appointments/setup/staff/", 8),
        ("/appointments/setup/rooms/", 7),
        ("/appointments/setup/holidays/", 7),
        ("/appointments/setup/booking/", 8),
    ],
)
def test_set_up_lists_read_a_fixed_number_of_rows_sets(
    owner_client, many, url, queries, django_assert_max_num_queries
):
    with django_assert_max_num_queries(queries):
        response = owner_client.get(url)
    assert response.status_code == 200
