"""Recall: "time for your next check-up", once per last visit.

A service with `recall_months` recalls each contact whose last completed appointment of it
started at least that many calendar months ago and who has nothing booked. One query finds
them all (the last visit per contact and service, the interval, nothing upcoming, not recalled
for that visit yet); each gets one `appointment_recall` message with a link to the booking
page, deduplicated on the last visit, so a new visit starts a new interval.

It runs daily at 10:00 practice time as due work (a message in the morning rather than at
night: texts would otherwise wait for the end of the quiet hours). Each run registers the next;
`recall_schedule_daily()` registers the first when a business is provisioned (a provisioning
hook), for the demo business and, through a data migration, for businesses that existed
before appointments did.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    CharField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from apps.messaging.selectors import message_with_dedupe_key_exists
from apps.scheduling.services import DueWork, due_work_register
from cxsuite.lib.errors import DomainError

from ..models import UPCOMING, Appointment, AppointmentStatus
from ..selectors.availability import practice_zone
from .links import booking_page_url

logger = logging.getLogger(__name__)

RECALL = "appointments.recall"
RUN_AT = dt.time(10, 0)

KEY_BEFORE, KEY_AFTER = "appointment:", ":recall"  # a recall's dedupe key names the visit


def _dedupe_key(appointment_id: int) -> str:
    return f"{KEY_BEFORE}{appointment_id}{KEY_AFTER}"


def _months_before(now: dt.datetime, months) -> ExpressionWrapper:
    """`now` less a number of calendar months taken from the row (make_interval)."""
    interval = Func(
        months,
        function="make_interval",
        template="%(function)s(months => %(expressions)s)",
        output_field=DurationField(),
    )
    return ExpressionWrapper(Value(now) - interval, output_field=DateTimeField())


def recall_due(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Ids of the last visits whose recall is due and not yet sent (oldest first), in one
    query: the last completed visit per contact and recalled service, its interval passed,
    nothing upcoming for the contact, no recall message for that visit yet."""
    now = now or timezone.now()
    last_visits = (
        Appointment.objects.filter(
            status=AppointmentStatus.COMPLETED,
            service__active=True,
            service__recall_months__isnull=False,
        )
        .order_by("contact_id", "service_id", "-starts_at")
        .distinct("contact_id", "service_id")
        .values("pk")
    )
    upcoming = Appointment.objects.filter(
        contact_id=OuterRef("contact_id"), status__in=UPCOMING, starts_at__gt=now
    )
    recalled = message_with_dedupe_key_exists(
        dedupe_key=Concat(Value(KEY_BEFORE), Cast(OuterRef("pk"), CharField()), Value(KEY_AFTER))
    )
    due = (
        Appointment.objects.filter(
            pk__in=last_visits,
            contact__erased_at__isnull=True,
            starts_at__lte=_months_before(now, F("service__recall_months")),
        )
        .filter(~Exists(upcoming), ~recalled)
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    return list(due[:limit] if limit else due)


def recall_send_due(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Send every due recall once; returns how many messages were written (sent or not)."""
    from apps.messaging.services.sending import message_send

    now = now or timezone.now()
    ids = recall_due(now=now, limit=limit)
    visits = Appointment.objects.select_related("contact", "service").filter(pk__in=ids)
    count = 0
    for visit in sorted(visits, key=lambda a: (a.starts_at, a.pk)):
        service = visit.service
        link = booking_page_url(service_id=service.pk if service.online else None)
        try:
            with transaction.atomic():
                message_send(
                    contact=visit.contact,
                    purpose="appointment_recall",
                    context={"appointment": {"service": service.name}, "booking_link": link},
                    dedupe_key=_dedupe_key(visit.pk),
                    related_type="appointment",
                    related_id=str(visit.pk),
                    now=now,
                )
            count += 1
        except (ValidationError, DomainError):  # e.g. no template: the next run tries again
            logger.exception("recall for appointment %s not sent", visit.pk)
    return count


def _next_run(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(practice_zone())
    day = local.date() if local.time() < RUN_AT else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, RUN_AT, tzinfo=practice_zone())


def recall_schedule_daily(*, now: dt.datetime | None = None) -> DueWork:
    """Register the next 10:00 (practice time) recall run; safe to call more than once.

    The ref is the run's date, so the run being marked done is never the row that registers
    the next day (the same reasoning as the nightly RFM run)."""
    due_at = _next_run(now or timezone.now())
    return due_work_register(kind=RECALL, ref=due_at.date().isoformat(), due_at=due_at)


def recall_daily_run(work: DueWork) -> None:
    """The due-work handler of the daily run: send what is due, then book tomorrow's run."""
    recall_send_due()
    recall_schedule_daily()


def recall_provision(business) -> None:
    """Every new business gets its daily recall run."""
    recall_schedule_daily()
