"""What a message says about an appointment's time: the business's clock and date order, the
contact's words, the zone by its name."""

import datetime as dt
import zoneinfo

import pytest
from django.db import connection

from apps.appointments.services.messages import appointment_time_text
from tests.appointments.factories import AppointmentFactory
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _at(zone: str) -> dt.datetime:
    local = dt.datetime(2027, 3, 4, 14, 30, tzinfo=zoneinfo.ZoneInfo(zone))  # a Thursday
    return local.astimezone(dt.UTC)


def test_a_us_business_confirms_on_a_12_hour_clock(other_tenant):
    connection.set_tenant(other_tenant)
    appointment = AppointmentFactory(
        starts_at=_at("America/Los_Angeles"), contact=ContactFactory(language="en")
    )
    assert appointment_time_text(appointment) == (
        "Thursday, March 4, 2027, 2:30 PM Pacific Time (Los Angeles)"
    )


def test_a_german_business_confirms_on_a_24_hour_clock_in_the_contacts_language(tenant):
    appointment = AppointmentFactory(
        starts_at=_at("Europe/Berlin"), contact=ContactFactory(language="fr")
    )
    assert appointment_time_text(appointment) == (
        "jeudi 4 mars 2027, 14:30 heure d’Europe centrale (Berlin)"
    )
    assert appointment_time_text(appointment, language="en") == (
        "Thursday 4 March 2027, 14:30 Central European Time (Berlin)"
    )
