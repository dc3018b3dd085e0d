"""A customer with something in every module, written through the services as real use would
(so the timeline events are the real ones): consent history, a note, a task, a purchase,
messages by text and e-mail (delivered, opened, bounced), a text they sent, appointments
(completed, no-show, cancelled with a reason, upcoming with notes), a waitlist entry and a
loyalty account (points earned with a staff note, a manager's adjustment, a voucher used and
one still to use).

Every free text carries the customer's `secret` word, so a test can look for it anywhere.
Times are computed from now with margins of days, so they hold at any hour.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from apps.appointments.models import AppointmentStatus, Service, StaffMember
from apps.appointments.selectors.availability import practice_zone
from apps.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_status_set,
    waitlist_join,
)
from apps.contacts.models import Contact
from apps.contacts.services import (
    consent_set,
    contact_create,
    note_add,
    task_create,
    transaction_record,
)
from apps.loyalty.services.ledger import member_enrol, points_adjust, points_earn
from apps.loyalty.services.vouchers import reward_redeem, voucher_redeem
from apps.messaging.services.email_events import email_event_record
from apps.messaging.services.inbound import inbound_sms_receive
from apps.messaging.services.sending import message_deliver, message_mark, message_send
from tests.appointments.factories import ServiceFactory, StaffMemberFactory
from tests.messaging.factories import MessageFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@dataclass(frozen=True)
class Practice:
    staff: StaffMember
    service: Service


def practice_create() -> Practice:
    """One dentist and the service customers book with her."""
    staff = StaffMemberFactory(name="Dr. Weber")
    return Practice(staff=staff, service=ServiceFactory(name="Check-up", staff=[staff], price=80))


def _noon() -> dt.datetime:
    """Today at noon in the customer's zone: outside quiet hours, whatever the clock says."""
    return timezone.now().astimezone(BERLIN).replace(hour=12, minute=0, second=0, microsecond=0)


def customer_with_history(
    *,
    practice: Practice,
    actor,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    secret: str,
    slot: int = 0,
) -> Contact:
    """A customer with rows in every module. `slot` (0, 1, ...) keeps the appointments of
    several customers of one practice apart."""
    contact = contact_create(
        actor=actor,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        language="en",
        time_zone="Europe/Berlin",
    )
    consent_set(contact=contact, channel="email", status="opted_in", method="form", actor=actor)
    consent_set(contact=contact, channel="sms", status="opted_in", method="form", actor=actor)
    contact.refresh_from_db()
    note_add(contact=contact, text=f"{secret} is afraid of the drill", actor=actor)
    task_create(
        contact=contact,
        title=f"Call back about the {secret} crown",
        due_date=None,
        assignee=actor,
        created_by=actor,
    )
    transaction_record(
        contact=contact, amount="120.50", currency="EUR", external_ref=f"pos-{contact.pk}"
    )

    # messages: a delivered text, a bounced e-mail (the provider quotes the address), an
    # opened e-mail with its own words, and a text the customer sent back
    text = message_send(contact=contact, purpose="appointment_reminder", channel="sms", now=_noon())
    message_deliver(message_id=text.pk)
    message_mark(message=text, status="delivered")
    mail = message_send(contact=contact, purpose="appointment_reminder", channel="email")
    mail = message_deliver(message_id=mail.pk)
    email_event_record(
        message_id=mail.provider_message_id,
        event_type="bounced",
        description=f"550 5.1.1 <{email}>: Recipient address rejected",
    )
    MessageFactory(
        contact=contact,
        channel="email",
        to=email,
        purpose="appointment_confirmation",
        subject=f"Your {secret} x-ray",
        body=f"Dear {first_name}, your {secret} x-ray results are ready.",
        status="opened",
        provider="email",
        provider_message_id=f"outbox-opened-{contact.pk}",
    )
    inbound_sms_receive(
        from_number=phone,
        body=f"{secret} here, running ten minutes late",
        provider_message_id=f"SM-in-{contact.pk}",
    )

    # appointments: completed, no-show, cancelled by the customer, upcoming; a waitlist entry
    # for days after the cancelled one (nobody is told of a freed time: no message depends on
    # the hour the test runs)
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    book = dict(
        service=practice.service,
        staff=practice.staff,
        contact=contact,
        actor=actor,
        allow_past=True,  # a history recorded after the fact, at any hour
        allow_outside_hours=True,
    )
    at = lambda days: hour + dt.timedelta(days=days, hours=slot)  # noqa: E731
    done = appointment_book(
        starts_at=at(-9), notes=f"{secret} allergic to latex", notify=False, **book
    )
    appointment_status_set(appointment=done, status=AppointmentStatus.COMPLETED, actor=actor)
    missed = appointment_book(starts_at=at(-5), notify=False, **book)
    appointment_status_set(appointment=missed, status=AppointmentStatus.NO_SHOW, actor=actor)
    cancelled = appointment_book(starts_at=at(4), notify=False, **book)
    appointment_cancel(
        appointment=cancelled,
        reason=f"{secret} has the flu",
        by_customer=True,
        actor=None,
        notify=False,  # the figures count the four messages above
    )
    appointment_book(starts_at=at(6), notes=f"{secret} wants the morning", notify=False, **book)
    first_day = timezone.now().astimezone(practice_zone()).date() + dt.timedelta(days=8)
    waitlist_join(
        contact=contact,
        service=practice.service,
        date_from=first_day,
        date_to=first_day + dt.timedelta(days=7 + slot),
    )

    # loyalty: points earned with a note naming them, an adjustment, two rewards (one used)
    from tests.loyalty.factories import RewardFactory

    member = member_enrol(contact=contact)
    points_earn(
        member=member,
        points=300,
        source="staff",
        idempotency_key=f"history-{contact.pk}",
        staff=actor,
        reason=f"{secret} brought a friend",
    )
    points_adjust(member=member, points=-20, reason=f"{secret} asked to fix a typo", staff=actor)
    reward = RewardFactory(name="Whitening", cost_points=100)
    used = reward_redeem(member=member, reward=reward, idempotency_key=f"hist-used-{contact.pk}")
    voucher_redeem(code=used.code, staff=actor)
    reward_redeem(member=member, reward=reward, idempotency_key=f"hist-open-{contact.pk}")
    contact.refresh_from_db()
    return contact
