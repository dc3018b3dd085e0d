"""Two dentists most appointment tests share: both work 09:00-12:00 every day."""

import datetime as dt

import pytest

from tests.appointments.factories import StaffMemberFactory, week_hours


@pytest.fixture
def weber(tenant):
    staff = StaffMemberFactory(name="Dr. Weber")
    week_hours(staff, dt.time(9), dt.time(12))
    return staff


@pytest.fixture
def klein(tenant):
    staff = StaffMemberFactory(name="Dr. Klein")
    week_hours(staff, dt.time(9), dt.time(12))
    return staff
