import datetime as dt
import zoneinfo

import pytest

from apps.appointments.selectors import availability_for_service
from apps.appointments.services import SlotTaken, appointment_book, appointment_cancel
from tests.appointments.factories import ServiceFactory, StaffMemberFactory, week_hours
from tests.contacts.factories import ContactFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def test_smoke(tenant):
    a = StaffMemberFactory()
    week_hours(a)
    svc = ServiceFactory(staff=[a])
    day = dt.date(2027, 3, 3)
    now = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    slots = availability_for_service(service=svc, date_from=day, date_to=day, now=now)
    assert slots[0].starts_at == dt.datetime(2027, 3, 3, 9, tzinfo=BERLIN)
    assert len(slots) == 16
    c = ContactFactory()
    appt = appointment_book(service=svc, starts_at=slots[0].starts_at, contact=c, source="online", now=now)
    with pytest.raises(SlotTaken) as exc:
        appointment_book(service=svc, starts_at=slots[0].starts_at, contact=ContactFactory(), source="online", now=now)
    assert exc.value.next_slots[0].starts_at == slots[1].starts_at
    appointment_cancel(appointment=appt)
