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
from django.db import connection, transaction
from django.utils import timezone

from apps.contacts.models import Contact
from apps.scheduling.models import DueWork
from apps.scheduling.services import due_work_register
from cxsuite.lib.errors import DomainError

from ..models import UPCOMING, Appointment, AppointmentStatus, Service
from ..selectors.availability import practice_zone
from .links import booking_page_url

logger = logging.getLogger(__name__)

RECALL = "appointments.recall"
RUN_AT = dt.time(10, 0)

_CANDIDATES_SQL = """
SELECT last.id
FROM (
    SELECT DISTINCT ON (a.contact_id, a.service_id)
           a.id, a.contact_id, a.starts_at, s.recall_months
    FROM {appointment} a
    JOIN {service} s ON s.id = a.service_id
    WHERE a.status = %(completed)s AND s.active AND s.recall_months IS NOT NULL
    ORDER BY a.contact_id, a.service_id, a.starts_at DESC
) last
JOIN {contact} c ON c.id = last.contact_id AND c.erased_at IS NULL
WHERE last.starts_at <= %(now)s - make_interval(months => last.recall_months)
  AND NOT EXISTS (
      SELECT 1 FROM {appointment} u
      WHERE u.contact_id = last.contact_id AND u.status = ANY(%(upcoming)s)
        AND u.starts_at > %(now)s)
  AND NOT EXISTS (
      SELECT 1 FROM {message} m WHERE m.dedupe_key = 'appointment:' || last.id || ':recall')
ORDER BY last.starts_at, last.id
"""


def _dedupe_key(appointment_id: int) -> str:
    return f"appointment:{appointment_id}:recall"


def recall_due(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Ids of the last visits whose recall is due and not yet sent (oldest first)."""
    from apps.messaging.models import Message

    tables = {
        "appointment": Appointment._meta.db_table,
        "service": Service._meta.db_table,
        "contact": Contact._meta.db_table,
        "message": Message._meta.db_table,
    }
    sql = _CANDIDATES_SQL.format(**{k: connection.ops.quote_name(v) for k, v in tables.items()})
    if limit:
        sql += f" LIMIT {int(limit)}"
    params = {
        "completed": AppointmentStatus.COMPLETED,
        "now": now or timezone.now(),
        "upcoming": [str(s) for s in UPCOMING],
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


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
