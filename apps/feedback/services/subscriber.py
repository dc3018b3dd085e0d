"""The timeline subscriber: a completed appointment or a purchase asks the surveys that
follow it (after their delay, for their services), and an SMS that is a bare number answers
the contact's latest open invitation. Delivery is at least once: invitations are unique per
(survey, visit / purchase), and the same number again changes nothing."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction

from cxsuite.lib.errors import DomainError

from ..models import Survey, Trigger
from .invitations import invitation_create, latest_open_invitation
from .responses import response_submit

if TYPE_CHECKING:
    from apps.contacts.models import TimelineEvent

logger = logging.getLogger(__name__)
BARE_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.!]?\s*$")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _ask(event: TimelineEvent, surveys: list[Survey], **ids) -> None:
    service_id = ids.get("service_id")
    for survey in surveys:
        if survey.service_ids and service_id not in survey.service_ids:
            continue
        invitation_create(
            survey=survey,
            contact=event.contact,
            trigger=survey.trigger,
            send_at=event.occurred_at + dt.timedelta(hours=survey.delay_hours),
            **ids,
        )


def _number_reply(event: TimelineEvent) -> None:
    props = event.properties or {}
    if props.get("channel") != "sms":
        return
    match = BARE_NUMBER.match(str(props.get("body") or ""))
    if match is None:
        return
    invitation = latest_open_invitation(event.contact, now=event.occurred_at)
    if invitation is None:
        return
    try:
        with transaction.atomic():
            response_submit(
                invitation=invitation,
                score=int(match.group(1)),
                channel="sms",
                now=event.occurred_at,
            )
    except (ValidationError, DomainError):
        logger.info("SMS reply %s is not a score for invitation %s", event.pk, invitation.pk)


def feedback_on_events(events: list[TimelineEvent]) -> None:
    """Act on new timeline events (in order, after they commit)."""
    wanted = {"appointment.completed", "purchase.made", "message.received"}
    events = [e for e in events if e.type in wanted]
    if not events:
        return
    by_trigger: dict[str, list[Survey]] = {Trigger.APPOINTMENT: [], Trigger.PURCHASE: []}
    for survey in Survey.objects.filter(active=True, trigger__in=list(by_trigger)):
        by_trigger[survey.trigger].append(survey)
    for event in events:
        props = event.properties or {}
        if event.contact.erased_at is not None:
            continue
        if event.type == "appointment.completed" and by_trigger[Trigger.APPOINTMENT]:
            appointment_id = _int(props.get("appointment_id"))
            if appointment_id is not None:
                _ask(
                    event,
                    by_trigger[Trigger.APPOINTMENT],
                    appointment_id=appointment_id,
                    staff_id=_int(props.get("staff_id")),
                    service_id=_int(props.get("service_id")),
                )
        elif event.type == "purchase.made" and by_trigger[Trigger.PURCHASE]:
            transaction_id = _int(props.get("transaction_id"))
            if transaction_id is not None:
                _ask(event, by_trigger[Trigger.PURCHASE], transaction_id=transaction_id)
        elif event.type == "message.received":
            _number_reply(event)
