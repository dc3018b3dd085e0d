"""Asking: one invitation per (survey, visit / purchase / on-demand batch), the one limit per
contact across every survey, sending through messaging (quiet hours are messaging's), one or
two reminders that stop once the customer clicks, and expiry.

Throttled asks are not queued for later: they are kept as `dropped` invitations with their
reason, counted on the figures page, and never sent."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.tenants.db import connection
from cxsuite.lib.errors import DomainError

from ..models import (
    LANGUAGES,
    OPEN_STATUSES,
    Case,
    DropReason,
    Invitation,
    InvitationStatus,
    InviteChannel,
    Survey,
    SurveyingState,
    Trigger,
)
from .common import business_zone, feedback_settings_get, now_or
from .rollup import invitation_days_move
from .surveys import survey_texts

if TYPE_CHECKING:
    from apps.contacts.models import Contact

logger = logging.getLogger(__name__)

SEND = "feedback.send"
REMIND = "feedback.remind"
EXPIRE = "feedback.expire"
PURPOSE = "feedback_invitation"
REMINDER_PURPOSE = "feedback_reminder"
SALT = "feedback.link"
INVALID = gettext_lazy(
    "This survey link is not valid. It may be incomplete or for another business."
)


# --- links -------------------------------------------------------------------------------------
def _base_url() -> str:
    from apps.tenants.services import tenant_current, tenant_url

    return tenant_url(tenant_current()).rstrip("/")


def invitation_link_token(invitation: Invitation) -> str:
    """The signed part of the link: this invitation's secret, this business only."""
    return signing.dumps({"s": connection.schema_name, "t": invitation.token}, salt=SALT)


def invitation_url(invitation: Invitation, score: int | None = None) -> str:
    """The survey page of an invitation; with a score, the link that saves it at once."""
    token = invitation_link_token(invitation)
    if score is None:
        path = reverse("feedback:survey_page", args=[token])
    else:
        path = reverse("feedback:survey_score", args=[token, score])
    return f"{_base_url()}{path}"


def invitation_from_link(token: str) -> Invitation:
    """The invitation a link is for, or a ValidationError a customer can read."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise ValidationError(INVALID) from exc
    if not isinstance(data, dict) or data.get("s") != connection.schema_name:
        raise ValidationError(INVALID)
    invitation = (
        Invitation.objects.select_related("survey", "contact").filter(token=data.get("t")).first()
    )
    if invitation is None or invitation.status == InvitationStatus.DROPPED:
        raise ValidationError(INVALID)
    return invitation


# --- asking ------------------------------------------------------------------------------------
def surveying_state_lock(contact: Contact) -> SurveyingState:
    """The contact's surveying row, locked: the one place the limit across every survey and
    review request is decided, so two triggers at once cannot both pass it."""
    SurveyingState.objects.get_or_create(contact=contact)
    return SurveyingState.objects.select_for_update().get(contact=contact)


def surveying_block_reason(
    state: SurveyingState, *, contact: Contact, at: dt.datetime, cooldown_days: int
) -> str:
    """Why this contact may not be asked now ("" when they may)."""
    if state.do_not_survey:
        return DropReason.DO_NOT_SURVEY
    if Case.objects.filter(contact=contact, status__in=OPEN_STATUSES).exists():
        return DropReason.OPEN_CASE
    if state.last_asked_at and at - state.last_asked_at < dt.timedelta(days=cooldown_days):
        return DropReason.COOLDOWN
    if not (contact.email or contact.phone) or contact.erased_at is not None:
        return DropReason.NO_ADDRESS
    return ""


def _language_for(contact: Contact) -> str:
    from apps.tenants.services import tenant_current

    for language in (contact.language, getattr(tenant_current(), "language", ""), "en"):
        code = (language or "")[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def invitation_create(
    *,
    survey: Survey,
    contact: Contact,
    trigger: str = Trigger.MANUAL,
    send_at: dt.datetime | None = None,
    appointment_id: int | None = None,
    transaction_id: int | None = None,
    staff_id: int | None = None,
    service_id: int | None = None,
    batch_key: str = "",
    resurvey_of: int | None = None,
    now: dt.datetime | None = None,
) -> Invitation:
    """Ask a contact, once per visit / purchase / batch: scheduled and sent at `send_at`, or
    dropped (kept, counted, never sent) when the contact is throttled, has an open case or
    does not want surveys. A re-survey after a resolved case skips the cool-down only."""
    from apps.scheduling.services import due_work_register

    now = now_or(now)
    send_at = max(send_at or now, now)
    row = feedback_settings_get()
    with transaction.atomic():
        state = surveying_state_lock(contact)
        reason = surveying_block_reason(
            state,
            contact=contact,
            at=send_at,
            cooldown_days=0 if resurvey_of else row.cooldown_days,
        )
        if not survey.active and not reason:
            raise ValidationError({"survey": _("This survey is switched off.")})
        invitation = Invitation(
            survey=survey,
            contact=contact,
            token=secrets.token_urlsafe(16),
            status=InvitationStatus.DROPPED if reason else InvitationStatus.SCHEDULED,
            drop_reason=reason,
            language=_language_for(contact),
            trigger=trigger,
            appointment_id=appointment_id,
            transaction_id=transaction_id,
            staff_id=staff_id,
            service_id=service_id,
            batch_key=batch_key[:60],
            resurvey_of=resurvey_of,
            send_at=send_at,
            expires_at=send_at + dt.timedelta(days=survey.expiry_days),
        )
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            existing = _existing(survey, appointment_id, transaction_id, contact, batch_key)
            if existing is None:
                raise
            return existing
        invitation_days_move(
            invitation=invitation, before=None, after=invitation.status, zone=business_zone()
        )
        if not reason:
            state.last_asked_at = send_at
            state.save(update_fields=["last_asked_at"])
            due_work_register(kind=SEND, ref=invitation.pk, due_at=send_at)
    return invitation


def _existing(survey, appointment_id, transaction_id, contact, batch_key) -> Invitation | None:
    rows = Invitation.objects.filter(survey=survey)
    if appointment_id is not None:
        return rows.filter(appointment_id=appointment_id).first()
    if transaction_id is not None:
        return rows.filter(transaction_id=transaction_id).first()
    if batch_key:
        return rows.filter(contact=contact, batch_key=batch_key[:60]).first()
    return None


def invitations_for_segment(
    *, survey: Survey, segment_id: int, batch_key: str, now: dt.datetime | None = None
) -> dict[str, int]:
    """Ask every member of a segment (on demand); a retried batch asks nobody twice.
    Returns how many were scheduled and how many dropped."""
    from apps.contacts.selectors.segments import segment_get, segment_members

    if not batch_key.strip():
        raise ValidationError({"batch_key": _("Give the send a name.")})
    segment = segment_get(segment_id)
    counts = {"scheduled": 0, "dropped": 0}
    for contact in segment_members(segment=segment).iterator(chunk_size=500):
        invitation = invitation_create(
            survey=survey, contact=contact, batch_key=batch_key.strip(), now=now
        )
        key = "dropped" if invitation.status == InvitationStatus.DROPPED else "scheduled"
        counts[key] += 1
    return counts


def do_not_survey_set(*, contact: Contact, value: bool) -> SurveyingState:
    """The contact's own wish: never send them a survey (or again allow it)."""
    with transaction.atomic():
        state = surveying_state_lock(contact)
        state.do_not_survey = bool(value)
        state.save(update_fields=["do_not_survey"])
    return state


# --- sending -----------------------------------------------------------------------------------
def _context(invitation: Invitation) -> dict:
    survey = invitation.survey
    low, high = survey.scale
    with translation.override(invitation.language):
        texts = survey_texts(survey, invitation.language)
        scores = "\n".join(
            f"{score} — {invitation_url(invitation, score)}" for score in range(low, high + 1)
        )
    return {
        "survey": {
            "link": invitation_url(invitation),
            "question": texts["question"],
            "scores": scores,
        }
    }


def _channel(invitation: Invitation) -> str | None:
    survey_channel = invitation.survey.channel
    return None if survey_channel == InviteChannel.AUTO else survey_channel


def invitation_send(*, invitation: Invitation, now: dt.datetime | None = None) -> Invitation:
    """Send a scheduled invitation (once: the message is keyed by the invitation), then book
    its reminder and its expiry."""
    from apps.contacts.services import event_record
    from apps.messaging.services.sending import message_send
    from apps.scheduling.services import due_work_register

    now = now_or(now)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("survey", "contact")
            .get(pk=invitation.pk)
        )
        if invitation.status != InvitationStatus.SCHEDULED:
            return invitation
        if now >= invitation.expires_at:
            invitation.status = InvitationStatus.EXPIRED
            invitation.save(update_fields=["status"])
            invitation_days_move(
                invitation=invitation,
                before=InvitationStatus.SCHEDULED,
                after=invitation.status,
                zone=business_zone(),
            )
            return invitation
        message = message_send(
            contact=invitation.contact,
            purpose=PURPOSE,
            channel=_channel(invitation),
            context=_context(invitation),
            dedupe_key=f"feedback:{invitation.pk}:0",
            related_type="feedback_invitation",
            related_id=str(invitation.pk),
            now=now,
        )
        invitation.status = InvitationStatus.SENT
        invitation.sent_at = now
        invitation.channel = message.channel
        invitation.save(update_fields=["status", "sent_at", "channel"])
        invitation_days_move(
            invitation=invitation,
            before=InvitationStatus.SCHEDULED,
            after=invitation.status,
            zone=business_zone(),
        )
        event_record(
            contact=invitation.contact,
            type="survey.sent",
            source="feedback",
            properties={
                "invitation_id": invitation.pk,
                "survey": invitation.survey.name,
                "kind": invitation.survey.kind,
                "channel": message.channel,
            },
        )
        if invitation.survey.reminders:
            due_work_register(
                kind=REMIND,
                ref=invitation.pk,
                due_at=now + dt.timedelta(days=invitation.survey.reminder_after_days),
            )
        due_work_register(kind=EXPIRE, ref=invitation.pk, due_at=invitation.expires_at)
    return invitation


def invitation_remind(*, invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """One reminder to someone who has neither clicked nor answered; the next one is booked
    while the survey allows one more. True when a reminder went."""
    from apps.messaging.services.sending import message_send
    from apps.scheduling.services import due_work_register

    now = now_or(now)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("survey", "contact")
            .get(pk=invitation.pk)
        )
        if (
            invitation.status != InvitationStatus.SENT
            or invitation.clicked_at is not None
            or now >= invitation.expires_at
            or invitation.reminders_sent >= invitation.survey.reminders
        ):
            return False
        number = invitation.reminders_sent + 1
        message_send(
            contact=invitation.contact,
            purpose=REMINDER_PURPOSE,
            channel=invitation.channel or None,
            context=_context(invitation),
            dedupe_key=f"feedback:{invitation.pk}:r{number}",
            related_type="feedback_invitation",
            related_id=str(invitation.pk),
            now=now,
        )
        invitation.reminders_sent = number
        invitation.save(update_fields=["reminders_sent"])
        if number < invitation.survey.reminders:
            due_work_register(
                kind=REMIND,
                ref=invitation.pk,
                due_at=now + dt.timedelta(days=invitation.survey.reminder_after_days),
            )
    return True


def invitation_click(*, invitation: Invitation, now: dt.datetime | None = None) -> Invitation:
    """The customer opened their link: reminders stop (the first click is kept)."""
    from apps.scheduling.services import due_work_cancel

    now = now_or(now)
    with transaction.atomic():
        updated = Invitation.objects.filter(pk=invitation.pk, clicked_at__isnull=True).update(
            clicked_at=now
        )
        if updated:
            due_work_cancel(kind=REMIND, ref=invitation.pk)
            invitation.clicked_at = now
    return invitation


def link_follower_is_machine(
    *, invitation: Invitation, user_agent: str, now: dt.datetime | None = None
) -> str:
    """Why following the invitation's link looks like a machine ('' for a person): the
    campaigns' rule for opens and clicks (no user agent, a mail privacy proxy, a known link
    scanner, or within seconds of sending). A scanner's GET must not answer the survey, open
    a case or count as the click that stops reminders."""
    from apps.campaigns.services import machine_reason

    return machine_reason(user_agent=user_agent, sent_at=invitation.sent_at, at=now_or(now))


def invitation_expire(*, invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """An unanswered invitation past its time closes: its link then says so."""
    now = now_or(now)
    with transaction.atomic():
        row = (
            Invitation.objects.select_for_update()
            .filter(
                pk=invitation.pk,
                status__in=[InvitationStatus.SENT, InvitationStatus.SCHEDULED],
                expires_at__lte=now,
            )
            .first()
        )
        if row is None:
            return False
        Invitation.objects.filter(pk=row.pk).update(status=InvitationStatus.EXPIRED)
        invitation_days_move(
            invitation=row, before=row.status, after=InvitationStatus.EXPIRED, zone=business_zone()
        )
        return True


# --- due work handlers -------------------------------------------------------------------------
def _invitation_of(work) -> Invitation | None:
    return Invitation.objects.filter(pk=int(work.ref)).first()


def invitation_send_due(work) -> None:
    invitation = _invitation_of(work)
    if invitation is not None:
        try:
            invitation_send(invitation=invitation)
        except (ValidationError, DomainError):
            logger.exception("feedback invitation %s not sent", invitation.pk)


def invitation_remind_due(work) -> None:
    invitation = _invitation_of(work)
    if invitation is not None:
        invitation_remind(invitation=invitation)


def invitation_expire_due(work) -> None:
    invitation = _invitation_of(work)
    if invitation is not None:
        invitation_expire(invitation=invitation)


def latest_open_invitation(contact: Contact, *, now: dt.datetime) -> Invitation | None:
    """The contact's latest sent, unexpired invitation (what a bare-number SMS answers)."""
    return (
        Invitation.objects.select_related("survey")
        .filter(
            contact=contact,
            status__in=[InvitationStatus.SENT, InvitationStatus.ANSWERED],
            expires_at__gt=now,
        )
        .order_by("-sent_at", "-pk")
        .first()
    )


def invitations_of(contacts: Iterable[Contact]) -> list[Invitation]:
    return list(Invitation.objects.filter(contact__in=list(contacts)))
