"""Recall: once per last completed visit, when the service's interval has passed and nothing is
booked; found in one query; run daily as due work."""

import datetime as dt
import importlib
import types
import zoneinfo

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.utils import timezone

from apps.appointments.services import recall_due, recall_schedule_daily, recall_send_due
from apps.appointments.services.recall import RECALL, recall_provision
from apps.messaging.models import Message
from apps.scheduling.models import DueWork, DueWorkStatus
from apps.scheduling.services import due_work_sweep
from apps.tenants.models import TenantWakeup
from apps.tenants.registries import provisioning_hooks
from tests.appointments.factories import AppointmentFactory, ServiceFactory, StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import BERLIN

pytestmark = pytest.mark.usefixtures("tenant")
NOW = timezone.now()


@pytest.fixture
def dentist():
    return StaffMemberFactory()


@pytest.fixture
def checkup(dentist):
    return ServiceFactory(name="Check-up", staff=[dentist], recall_months=6)


def _visit(service, contact, days_ago: float, status="completed", staff=None):
    return AppointmentFactory(
        service=service,
        contact=contact,
        staff=staff or service.staff.first(),
        status=status,
        starts_at=(NOW - dt.timedelta(days=days_ago)).replace(microsecond=0),
    )


def _recalls(contact=None):
    messages = Message.objects.filter(purpose="appointment_recall")
    return messages.filter(contact=contact) if contact else messages


def test_recall_goes_once_to_a_patient_whose_last_check_up_is_six_months_old(checkup):
    contact = ContactFactory(first_name="Jonas")
    _visit(checkup, contact, 400)
    last = _visit(checkup, contact, 190)

    assert recall_due(now=NOW) == [last.pk]
    assert recall_send_due(now=NOW) == 1
    assert recall_send_due(now=NOW) == 0  # once per last visit

    message = _recalls(contact).get()
    assert message.dedupe_key == f"appointment:{last.pk}:recall"
    assert "Check-up" in message.body
    assert f"/book/?service={checkup.pk}" in message.body
    assert message.related_type == "appointment" and message.related_id == str(last.pk)


def test_no_recall_before_the_interval_has_passed(checkup):
    contact = ContactFactory()
    _visit(checkup, contact, 200)
    _visit(checkup, contact, 150)  # the last visit counts
    _visit(checkup, ContactFactory(), 175)  # not quite six months
    assert recall_due(now=NOW) == []


def test_no_recall_when_something_is_booked(checkup, dentist):
    contact = ContactFactory()
    _visit(checkup, contact, 200)
    cleaning = ServiceFactory(name="Cleaning", staff=[dentist])
    _visit(cleaning, contact, -10, status="booked")
    assert recall_due(now=NOW) == []


@pytest.mark.parametrize("status", ["no_show", "cancelled", "booked"])
def test_only_completed_visits_count(checkup, status):
    _visit(checkup, ContactFactory(), 200, status=status)
    assert recall_due(now=NOW) == []


def test_a_later_missed_visit_still_leaves_the_recall_due(checkup):
    contact = ContactFactory()
    last = _visit(checkup, contact, 250)
    _visit(checkup, contact, 30, status="no_show")
    assert recall_due(now=NOW) == [last.pk]


def test_services_without_recall_or_no_longer_offered_recall_nobody(dentist):
    plain = ServiceFactory(staff=[dentist])
    retired = ServiceFactory(staff=[dentist], recall_months=6, active=False)
    _visit(plain, ContactFactory(), 400)
    _visit(retired, ContactFactory(), 401)
    assert recall_due(now=NOW) == []


def test_erased_contacts_are_not_recalled(checkup):
    _visit(checkup, ContactFactory(erased_at=NOW), 400)
    assert recall_due(now=NOW) == []


def test_a_new_visit_starts_a_new_interval(checkup):
    contact = ContactFactory()
    first = _visit(checkup, contact, 400)
    recall_send_due(now=NOW - dt.timedelta(days=200))
    assert _recalls(contact).get().dedupe_key == f"appointment:{first.pk}:recall"
    second = _visit(checkup, contact, 190)
    assert recall_send_due(now=NOW) == 1
    assert _recalls(contact).count() == 2
    assert _recalls(contact).filter(dedupe_key=f"appointment:{second.pk}:recall").exists()


def test_each_service_recalls_on_its_own_interval(checkup, dentist):
    cleaning = ServiceFactory(name="Cleaning", staff=[dentist], recall_months=3)
    contact = ContactFactory()
    _visit(checkup, contact, 120)  # 4 months: not yet for a check-up
    due = _visit(cleaning, contact, 121)  # but due for a cleaning
    assert recall_due(now=NOW) == [due.pk]


def test_a_service_not_bookable_online_links_to_the_booking_page(dentist):
    emergency = ServiceFactory(name="Emergency", staff=[dentist], recall_months=1, online=False)
    contact = ContactFactory()
    _visit(emergency, contact, 60)
    recall_send_due(now=NOW)
    body = _recalls(contact).get().body
    assert "/book/" in body and "/book/?" not in body


def test_candidates_come_from_one_query(checkup, django_assert_num_queries):
    for n in range(20):
        _visit(checkup, ContactFactory(), 200 + n)
    with django_assert_num_queries(1):
        assert len(recall_due(now=NOW)) == 20


# --- the daily run ----------------------------------------------------------------------------
def test_the_run_is_due_at_ten_in_the_practice_time_zone(tenant):
    late = dt.datetime(2027, 3, 27, 11, tzinfo=BERLIN)  # the day before summer time starts
    work = recall_schedule_daily(now=late)
    assert work.kind == RECALL and work.ref == "2027-03-28"
    assert work.due_at == dt.datetime(2027, 3, 28, 10, tzinfo=BERLIN)  # 08:00 UTC, CEST
    early = recall_schedule_daily(now=dt.datetime(2027, 3, 27, 7, tzinfo=BERLIN))
    assert early.due_at == dt.datetime(2027, 3, 27, 10, tzinfo=BERLIN)
    assert TenantWakeup.objects.get(tenant=tenant).next_due_at == early.due_at


def test_the_run_sends_the_recalls_and_books_the_next_day(checkup):
    contact = ContactFactory()
    _visit(checkup, contact, 200)
    work = recall_schedule_daily(now=timezone.now() - dt.timedelta(days=2))  # due since then

    assert due_work_sweep() == 1
    assert _recalls(contact).count() == 1
    assert DueWork.objects.get(pk=work.pk).status == DueWorkStatus.DONE
    following = DueWork.objects.pending().get(kind=RECALL)
    assert following.due_at > timezone.now()
    assert following.due_at.astimezone(BERLIN).time() == dt.time(10)


def test_new_businesses_get_the_daily_run():
    assert provisioning_hooks["appointments"] is recall_provision
    recall_provision(None)
    assert DueWork.objects.pending().filter(kind=RECALL).count() == 1


def test_the_migration_books_the_run_for_businesses_that_existed_before(tenant):
    migration = importlib.import_module("apps.appointments.migrations.0002_recall_daily_run")
    editor = types.SimpleNamespace(connection=connection)
    migration.schedule_recall(django_apps, editor)
    migration.schedule_recall(django_apps, editor)  # running again changes nothing
    work = DueWork.objects.pending().get(kind=RECALL)
    assert work.due_at.astimezone(BERLIN).time() == dt.time(10)
    assert TenantWakeup.objects.get(tenant=tenant).next_due_at == work.due_at
    recall_schedule_daily()  # the provisioning hook after it: still one row
    assert DueWork.objects.pending().filter(kind=RECALL).count() == 1


@pytest.mark.parametrize("by_migration", [False, True])
def test_a_new_business_gets_its_daily_recall_run_booked(by_migration):
    """From the provisioning hook when signing up (the schema is replayed from the recording,
    so data migrations do not run), and from the data migration alone when a business's
    schema is migrated (businesses that existed before appointments)."""
    from django_tenants.utils import schema_context

    from apps.tenants.models import Tenant
    from apps.tenants.services import tenant_create
    from tests.conftest import PASSWORD

    connection.set_schema_to_public()
    if by_migration:
        tenant = Tenant(
            name="Epsilon Dental",
            slug="epsilon",
            schema_name="epsilon",
            time_zone="Asia/Tokyo",
            country="JP",
        )
        tenant.save(verbosity=0)  # creates the schema and runs every migration in it
    else:
        tenant = tenant_create(
            name="Epsilon Dental",
            slug="epsilon",
            owner_name="E",
            owner_email="e@epsilon.test",
            owner_password=PASSWORD,
            time_zone="Asia/Tokyo",
            country="JP",
        )
    with schema_context(tenant.schema_name):
        work = DueWork.objects.get(kind=RECALL)  # migration and hook: still one row
    assert work.status == "pending"
    assert work.due_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo")).time() == dt.time(10)
    assert TenantWakeup.objects.get(tenant=tenant).next_due_at <= work.due_at
