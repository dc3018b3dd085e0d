"""Closing the loop: owner, SLA due time in opening hours (across a weekend), escalation,
resolving with a gesture written to the ledger once, the "remember" note until honoured,
praise passed on, the one re-survey."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from apps.feedback.models import Case, CaseAlert, FeedbackSettings, Invitation, RememberNote
from apps.feedback.selectors import remember_notes_pending
from apps.feedback.services.cases import (
    case_escalate,
    case_gesture_grant,
    case_resolve,
    case_update,
    remember_honour,
)
from apps.feedback.services.common import add_opening_hours
from apps.feedback.services.invitations import invitation_create, invitation_send
from apps.feedback.services.responses import response_submit
from apps.loyalty.models import LedgerEntry, Voucher
from tests.appointments.factories import StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import RootCauseFactory, SurveyFactory
from tests.helpers.clock import BERLIN

pytestmark = pytest.mark.django_db


def _case(score=2, staff=None, contact=None):
    survey = SurveyFactory()
    invitation = invitation_create(
        survey=survey, contact=contact or ContactFactory(), staff_id=staff.pk if staff else None
    )
    invitation_send(invitation=invitation)
    response_submit(invitation=invitation, score=score, comment="The wait was long")
    return Case.objects.get(response__invitation=invitation)


def test_the_sla_counts_opening_hours_across_a_weekend(tenant):
    row = FeedbackSettings(sla_hours=24)  # Monday to Friday, 9:00 to 18:00
    friday_five = dt.datetime(2027, 3, 5, 17, 0, tzinfo=BERLIN)
    due = add_opening_hours(friday_five, 24, row=row, zone=BERLIN)
    # 1 h on Friday, 9 h Monday, 9 h Tuesday, 5 h Wednesday
    assert due.astimezone(BERLIN) == dt.datetime(2027, 3, 10, 14, 0, tzinfo=BERLIN)
    saturday = dt.datetime(2027, 3, 6, 11, 0, tzinfo=BERLIN)
    assert add_opening_hours(saturday, 2, row=row, zone=BERLIN).astimezone(BERLIN) == (
        dt.datetime(2027, 3, 8, 11, 0, tzinfo=BERLIN)
    )


def test_the_case_goes_to_the_staff_member_of_the_visit(tenant, owner, staff_member):
    staff = StaffMemberFactory(user=staff_member)
    case = _case(staff=staff)
    assert case.owner == staff_member
    assert CaseAlert.objects.filter(user=staff_member, kind="opened", case=case).exists()


def test_without_a_staff_member_the_default_owner_gets_it(tenant, owner, manager):
    FeedbackSettings.objects.update_or_create(pk=1, defaults={"default_owner": manager})
    assert _case().owner == manager


def test_an_overdue_case_escalates_once_to_the_managers(tenant, owner, manager):
    FeedbackSettings.objects.update_or_create(
        pk=1,
        defaults={"escalate_after_hours": 4, "escalate_reassign": True, "default_owner": manager},
    )
    case = _case()
    assert not case_escalate(case=case, now=case.due_at + dt.timedelta(hours=3))
    assert case_escalate(case=case, now=case.due_at + dt.timedelta(hours=5))
    assert not case_escalate(case=case, now=case.due_at + dt.timedelta(hours=6))
    case.refresh_from_db()
    assert case.escalated_at is not None and case.owner == manager
    assert CaseAlert.objects.filter(case=case, kind="escalated", user=manager).count() == 1


def test_resolving_asks_for_a_root_cause(tenant, owner):
    case = _case()
    with pytest.raises(ValidationError) as err:
        case_resolve(case=case, actor=owner, root_cause=None)
    assert "root_cause" in err.value.message_dict


def test_the_gesture_is_written_to_the_ledger_once_under_retries(tenant, owner):
    case = _case()
    cause = RootCauseFactory()
    for _attempt in range(2):
        case_resolve(
            case=case, actor=owner, root_cause=cause, gesture_kind="points", gesture_points=250
        )
        case_gesture_grant(case=case, actor=owner)  # a retried task
    entries = LedgerEntry.objects.filter(idempotency_key=f"feedback-case:{case.pk}")
    assert entries.count() == 1 and entries.get().points == 250
    case.refresh_from_db()
    assert case.status == "resolved" and case.gesture_ref == f"entry:{entries.get().pk}"


def test_a_voucher_gesture_is_issued_once(tenant, owner):
    case = _case()
    cause = RootCauseFactory()
    case_resolve(
        case=case, actor=owner, root_cause=cause, gesture_kind="voucher", gesture_value="15"
    )
    case_gesture_grant(case=case, actor=owner)
    assert Voucher.objects.count() == 1
    assert Voucher.objects.get().value == 15


def test_the_remember_note_shows_until_honoured(tenant, owner):
    case = _case()
    resolved = case_resolve(
        case=case,
        actor=owner,
        root_cause=RootCauseFactory(),
        remember="Apologise for the wait; offer the window room.",
    )
    note = RememberNote.objects.get(case=resolved)
    assert remember_notes_pending([case.contact_id]) == {case.contact_id: [note]}
    remember_honour(note=note, actor=owner)
    remember_honour(note=note, actor=owner)
    assert remember_notes_pending([case.contact_id]) == {}
    from apps.contacts.models import TimelineEvent

    assert TimelineEvent.objects.filter(type="remember.honoured").count() == 1


def test_a_resolved_case_re_surveys_once_skipping_the_cool_down(tenant, owner):
    case = _case()
    case_resolve(case=case, actor=owner, root_cause=RootCauseFactory())
    resurvey = Invitation.objects.get(resurvey_of=case.pk)
    assert resurvey.status == "scheduled"
    case_resolve(case=case, actor=owner, root_cause=RootCauseFactory())
    assert Invitation.objects.filter(resurvey_of=case.pk).count() == 1


def test_contacting_records_the_first_contact(tenant, owner):
    case = _case()
    case_update(case=case, actor=owner, status="contacted", note="Called, left a message")
    case.refresh_from_db()
    assert case.first_contact_at is not None
    assert case.notes.get().body == "Called, left a message"


def test_praise_that_names_a_visit_goes_to_its_staff_member(tenant, owner, staff_member):
    staff = StaffMemberFactory(user=staff_member)
    survey = SurveyFactory()
    invitation = invitation_create(survey=survey, contact=ContactFactory(), staff_id=staff.pk)
    invitation_send(invitation=invitation)
    response_submit(invitation=invitation, score=10, comment="Anna was wonderful")
    assert CaseAlert.objects.filter(user=staff_member, kind="praise").count() == 1
    assert not Case.objects.exists()
