"""Triggers: a completed appointment (delay, service filter) through the durable timeline
subscriber and due work; a purchase; a segment on demand."""

import datetime as dt

import pytest

from apps.appointments.services.booking import appointment_status_set
from apps.contacts.services import event_record
from apps.feedback.models import Invitation
from apps.feedback.services.invitations import SEND, invitations_for_segment
from apps.scheduling.models import DueWork
from tests.appointments.factories import AppointmentFactory, ServiceFactory, StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import SurveyFactory

pytestmark = pytest.mark.django_db


def _completed(service=None, staff=None):
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    appointment = AppointmentFactory(
        starts_at=start, service=service or ServiceFactory(), staff=staff or StaffMemberFactory()
    )
    return appointment_status_set(appointment=appointment, status="completed")


def test_a_completed_visit_asks_after_the_surveys_delay(tenant, deliver):
    survey = SurveyFactory(delay_hours=3)
    appointment = _completed()
    deliver()
    invitation = Invitation.objects.get()
    assert invitation.survey == survey
    assert invitation.appointment_id == appointment.pk
    assert invitation.staff_id == appointment.staff_id
    assert invitation.service_id == appointment.service_id
    work = DueWork.objects.get(kind=SEND, ref=str(invitation.pk))
    completed = appointment.completed_at or invitation.created
    assert abs((work.due_at - completed) - dt.timedelta(hours=3)) < dt.timedelta(minutes=1)
    deliver.last = 0  # the subscriber gets the same events again (at least once)
    deliver()
    assert Invitation.objects.count() == 1


def test_a_survey_for_other_services_does_not_ask(tenant, deliver):
    cleaning = ServiceFactory()
    SurveyFactory(service_ids=[cleaning.pk + 1000])
    _completed(service=cleaning)
    deliver()
    assert not Invitation.objects.exists()


def test_a_purchase_asks_the_purchase_surveys(tenant, deliver):
    survey = SurveyFactory(trigger="purchase", delay_hours=0)
    contact = ContactFactory()
    event_record(
        contact=contact,
        type="purchase.made",
        properties={"transaction_id": 41, "amount": "20.00", "currency": "EUR"},
    )
    deliver()
    invitation = Invitation.objects.get()
    assert (invitation.survey, invitation.transaction_id) == (survey, 41)


def test_a_segment_on_demand_asks_each_member_once(tenant):
    from apps.contacts.services.segments import segment_create

    for _n in range(3):
        ContactFactory(city="Lyon")
    segment = segment_create(
        name="Lyon",
        rules={"op": "and", "rules": [{"field": "city", "cmp": "eq", "value": "Lyon"}]},
    )
    survey = SurveyFactory(trigger="manual")
    counts = invitations_for_segment(survey=survey, segment_id=segment.pk, batch_key="spring")
    assert counts == {"scheduled": 3, "dropped": 0}
    again = invitations_for_segment(survey=survey, segment_id=segment.pk, batch_key="spring")
    assert again == {"scheduled": 3, "dropped": 0}  # the same three invitations
    assert Invitation.objects.count() == 3
