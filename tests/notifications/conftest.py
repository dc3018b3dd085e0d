"""A small practice to book at: one dentist working every day, a check-up anyone can book
online and a treatment whose online bookings the practice approves."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.appointments.factories import ServiceFactory, StaffMemberFactory, week_hours
from tests.contacts.factories import ContactFactory

PHONE = "+4915112345678"


def practice_make() -> SimpleNamespace:
    weber = StaffMemberFactory(name="Dr. Weber")
    week_hours(weber)
    return SimpleNamespace(
        weber=weber,
        checkup=ServiceFactory(name="Check-up", staff=[weber]),
        implant=ServiceFactory(name="Implant talk", staff=[weber], needs_confirmation=True),
        contact=ContactFactory(
            first_name="Lena", last_name="Vogel", phone=PHONE, phone_national="15112345678"
        ),
    )


@pytest.fixture
def practice(tenant) -> SimpleNamespace:
    return practice_make()
