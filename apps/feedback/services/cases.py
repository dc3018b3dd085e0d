"""Closing the loop: a bad answer opens a recovery case at once (owner, SLA due time in
opening hours, an alert to the owner), an overdue case escalates, a changed answer updates
or closes its case (and clears its alerts), and resolving records the root cause, grants a
gesture through loyalty (once, whatever retries) and leaves a "remember" note for the next
visit. A resolved case re-surveys the customer once."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import (
    OPEN_STATUSES,
    AlertKind,
    Band,
    Case,
    CaseAlert,
    CaseNote,
    CaseStatus,
    GestureKind,
    Invitation,
    RememberNote,
    Response,
    RootCause,
)
from .common import add_opening_hours, business_zone, feedback_settings_get, now_or

if TYPE_CHECKING:
    from apps.accounts.models import User

logger = logging.getLogger(__name__)

ESCALATE = "feedback.escalate"
RESURVEY_AFTER = dt.timedelta(days=14)
NOTE_MAX = 2000


# --- who and when ------------------------------------------------------------------------------
def _staff_user_id(staff_id: int | None) -> int | None:
    if staff_id is None:
        return None
    from apps.appointments.selectors.setup import staff_list

    row = staff_list().filter(pk=staff_id, user__is_active=True).values("user_id").first()
    return row["user_id"] if row else None


def case_owner_for(response: Response) -> int | None:
    """The staff member of the visit, else the business's default owner, else its owner."""
    from apps.accounts.choices import Role
    from apps.accounts.selectors import users_active

    user_id = _staff_user_id(response.staff_id)
    if user_id:
        return user_id
    row = feedback_settings_get()
    if row.default_owner_id and row.default_owner and row.default_owner.is_active:
        return row.default_owner_id
    first = users_active().filter(role__in=[Role.OWNER, Role.MANAGER]).order_by("pk").first()
    return first.pk if first else None


def case_due_at(opened_at: dt.datetime) -> dt.datetime:
    row = feedback_settings_get()
    return add_opening_hours(opened_at, row.sla_hours, row=row, zone=business_zone())


# --- alerts ------------------------------------------------------------------------------------
def _alert(*, user_id: int, kind: str, at: dt.datetime, case=None, response=None) -> None:
    """One alert per (case or response, user, kind): a re-run or a reopened case adds none;
    the e-mail leaves after commit."""
    try:
        with transaction.atomic():
            alert = CaseAlert.objects.create(
                user_id=user_id, kind=kind, case=case, response=response, created=at
            )
    except IntegrityError:
        CaseAlert.objects.filter(user_id=user_id, kind=kind, case=case, response=response).update(
            read_at=None
        )
        return
    transaction.on_commit(lambda: _alert_email(alert.pk))


def _alert_email(alert_id: int) -> None:
    alert = CaseAlert.objects.select_related("user").filter(pk=alert_id).first()
    if alert is None or not alert.user.email:
        return
    subject = str(alert.get_kind_display())
    try:
        send_mail(subject, subject, None, [alert.user.email], fail_silently=True)
    except Exception:  # an e-mail never costs the alert
        logger.exception("alert %s not e-mailed", alert_id)


def alerts_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Take alerts off the user's list."""
    from django.utils import timezone

    rows = CaseAlert.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    with transaction.atomic():
        return rows.update(read_at=timezone.now())


def praise_pass_on(*, response: Response, now: dt.datetime) -> None:
    """Praise that names a visit goes to the staff member of that visit."""
    user_id = _staff_user_id(response.staff_id)
    if user_id:
        _alert(user_id=user_id, kind=AlertKind.PRAISE, at=now, response=response)


# --- the case follows the answer ---------------------------------------------------------------
def case_sync(*, response: Response, now: dt.datetime | None = None) -> Case | None:
    """A bad answer opens its case (once); a better answer closes it and clears its alerts;
    a bad answer again reopens it. Runs inside the response's transaction."""
    from apps.contacts.services import event_record
    from apps.scheduling.services import due_work_cancel

    now = now_or(now)
    case = Case.objects.select_for_update().filter(response=response).first()
    bad = response.band == Band.DETRACTOR
    if case is None and not bad:
        return None
    if case is None:
        owner_id = case_owner_for(response)
        due = case_due_at(now)
        case = Case.objects.create(
            response=response,
            contact=response.contact,
            owner_id=owner_id,
            opened_at=now,
            due_at=due,
        )
        props = {
            "case_id": case.pk,
            "response_id": response.pk,
            "kind": response.kind,
            "score": response.score,
        }
        event_record(
            contact=response.contact, type="feedback.detractor", source="feedback", properties=props
        )
        event_record(
            contact=response.contact, type="case.opened", source="feedback", properties=props
        )
        if owner_id:
            _alert(user_id=owner_id, kind=AlertKind.OPENED, at=now, case=case)
        _escalation_book(case)
        return case
    if case.status in OPEN_STATUSES and not bad:
        case.status = CaseStatus.CLOSED
        case.save(update_fields=["status"])
        CaseAlert.objects.filter(case=case, read_at__isnull=True).update(read_at=now)
        due_work_cancel(kind=ESCALATE, ref=case.pk)
        CaseNote.objects.create(
            case=case,
            body=_("The customer changed their answer to %(score)s.") % {"score": response.score},
            created=now,
        )
    elif case.status == CaseStatus.CLOSED and bad:
        case.status = CaseStatus.OPEN
        case.due_at = case_due_at(now)
        case.save(update_fields=["status", "due_at"])
        CaseAlert.objects.filter(case=case, kind=AlertKind.OPENED).update(read_at=None)
        _escalation_book(case)
    return case


def _escalation_book(case: Case) -> None:
    from apps.scheduling.services import due_work_register

    row = feedback_settings_get()
    due_work_register(
        kind=ESCALATE,
        ref=case.pk,
        due_at=case.due_at + dt.timedelta(hours=row.escalate_after_hours),
    )


def case_escalate(*, case: Case, now: dt.datetime | None = None) -> bool:
    """A case still open past its due time plus the grace: managers are told, and the case
    goes to the default owner when the business asks for it. True when it escalated."""
    from apps.accounts.choices import Role
    from apps.accounts.selectors import users_active

    now = now_or(now)
    row = feedback_settings_get()
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status not in OPEN_STATUSES or case.escalated_at is not None:
            return False
        if now < case.due_at + dt.timedelta(hours=row.escalate_after_hours):
            return False
        case.escalated_at = now
        fields = ["escalated_at"]
        if row.escalate_reassign and row.default_owner_id and row.default_owner_id != case.owner_id:
            case.owner_id = row.default_owner_id
            fields.append("owner")
        case.save(update_fields=fields)
        for user in users_active().filter(role__in=[Role.OWNER, Role.MANAGER]):
            _alert(user_id=user.pk, kind=AlertKind.ESCALATED, at=now, case=case)
        if case.owner_id:
            _alert(user_id=case.owner_id, kind=AlertKind.ESCALATED, at=now, case=case)
    return True


def case_escalate_due(work) -> None:
    case = Case.objects.filter(pk=int(work.ref)).first()
    if case is not None:
        case_escalate(case=case)


# --- staff work on a case ----------------------------------------------------------------------
def _case_lock(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("contact").get(pk=case.pk)


def case_update(
    *,
    case: Case,
    actor: User | None,
    status: str | None = None,
    owner: User | None | Any = ...,
    note: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Mark a case contacted, give it to someone, add a note. Resolving is case_resolve."""
    now = now_or(now)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("Keep a note under 2,000 characters.")})
    with transaction.atomic():
        case = _case_lock(case)
        if case.status not in OPEN_STATUSES:
            raise ValidationError({"status": _("This case is no longer open.")})
        if status is not None:
            if status not in OPEN_STATUSES:
                raise ValidationError({"status": _("Choose open or contacted; resolve to close.")})
            case.status = status
            if status == CaseStatus.CONTACTED and case.first_contact_at is None:
                case.first_contact_at = now
        if owner is not ...:
            if owner is not None and not owner.is_active:
                raise ValidationError({"owner": _("Choose an active team member.")})
            case.owner = owner
            if owner is not None:
                _alert(user_id=owner.pk, kind=AlertKind.OPENED, at=now, case=case)
        case.save()
        if note:
            CaseNote.objects.create(case=case, author=actor, body=note, created=now)
    return case


def _gesture_clean(kind: str, points: Any, value: Any) -> tuple[int, Decimal]:
    if kind not in GestureKind.values:
        raise ValidationError({"gesture_kind": _("Choose points, a voucher or no gesture.")})
    if kind == GestureKind.POINTS:
        try:
            n = int(points)
        except (TypeError, ValueError) as exc:
            raise ValidationError({"gesture_points": _("Give a whole number of points.")}) from exc
        if not 1 <= n <= 100000:
            raise ValidationError({"gesture_points": _("Give between 1 and 100,000 points.")})
        return n, Decimal(0)
    if kind == GestureKind.VOUCHER:
        try:
            amount = Decimal(str(value)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as exc:
            raise ValidationError({"gesture_value": _("Give the voucher's value.")}) from exc
        if not Decimal("0.01") <= amount <= Decimal("10000"):
            raise ValidationError({"gesture_value": _("Give a value between 0.01 and 10,000.")})
        return 0, amount
    return 0, Decimal(0)


def case_gesture_grant(*, case: Case, actor: User | None, now: dt.datetime | None = None) -> str:
    """Write the case's gesture to the loyalty ledger, once: the points carry the case as
    their idempotency key, the voucher is recorded on the locked case. Returns its ref."""
    from apps.loyalty.services.ledger import member_enrol, points_earn
    from apps.loyalty.services.vouchers import voucher_issue

    now = now_or(now)
    with transaction.atomic():
        case = _case_lock(case)
        if case.gesture_ref or case.gesture_kind == GestureKind.NONE:
            return case.gesture_ref
        member = member_enrol(contact=case.contact, at=now)
        if case.gesture_kind == GestureKind.POINTS:
            entry = points_earn(
                member=member,
                points=case.gesture_points,
                source="staff",
                idempotency_key=f"feedback-case:{case.pk}",
                at=now,
                staff=actor,
                reason=_("Recovery gesture"),
            )
            case.gesture_ref = f"entry:{entry.pk}"
        else:
            voucher = voucher_issue(
                member=member,
                source="staff",
                kind="amount_off",
                label=_("With our apologies"),
                valid_days=180,
                value=case.gesture_value,
                at=now,
                actor=actor,
            )
            case.gesture_ref = f"voucher:{voucher.pk}"
        case.save(update_fields=["gesture_ref"])
    return case.gesture_ref


def case_resolve(
    *,
    case: Case,
    actor: User | None,
    root_cause: RootCause | None,
    resolution: str = "",
    gesture_kind: str = "",
    gesture_points: Any = 0,
    gesture_value: Any = 0,
    remember: str = "",
    now: dt.datetime | None = None,
) -> Case:
    """Close a case with its root cause; grant the gesture (once), leave the "remember" note
    and book the one re-survey. Resolving a resolved case again changes nothing."""
    from apps.contacts.services import event_record
    from apps.scheduling.services import due_work_cancel

    now = now_or(now)
    points, value = _gesture_clean(gesture_kind or "", gesture_points, gesture_value)
    remember = (remember or "").strip()
    if len(remember) > NOTE_MAX or len(resolution or "") > NOTE_MAX:
        raise ValidationError({"remember": _("Keep a note under 2,000 characters.")})
    with transaction.atomic():
        case = _case_lock(case)
        if case.status == CaseStatus.RESOLVED:
            return case
        if case.status not in OPEN_STATUSES:
            raise ValidationError({"status": _("This case is no longer open.")})
        if root_cause is None:
            raise ValidationError({"root_cause": _("Choose the root cause.")})
        case.status = CaseStatus.RESOLVED
        case.resolved_at = now
        case.first_contact_at = case.first_contact_at or now
        case.root_cause = root_cause
        case.resolution = (resolution or "").strip()
        case.gesture_kind, case.gesture_points, case.gesture_value = (
            gesture_kind or "",
            points,
            value,
        )
        case.save()
        due_work_cancel(kind=ESCALATE, ref=case.pk)
        CaseAlert.objects.filter(case=case, read_at__isnull=True).update(read_at=now)
        if case.gesture_kind:
            case_gesture_grant(case=case, actor=actor, now=now)
        if remember:
            RememberNote.objects.create(
                contact=case.contact, case=case, body=remember, created_by=actor, created=now
            )
        event_record(
            contact=case.contact,
            type="case.resolved",
            source="feedback",
            actor=actor,
            properties={
                "case_id": case.pk,
                "root_cause": root_cause.label,
                "gesture": case.gesture_kind,
                "remember": bool(remember),
            },
        )
        _resurvey(case, now)
    case.refresh_from_db()
    return case


def _resurvey(case: Case, now: dt.datetime) -> None:
    from .invitations import invitation_create

    response = Response.objects.select_related("survey").get(pk=case.response_id)
    if not response.survey.active:
        return
    invitation_create(
        survey=response.survey,
        contact=case.contact,
        send_at=now + RESURVEY_AFTER,
        resurvey_of=case.pk,
        staff_id=response.staff_id,
        service_id=response.service_id,
        now=now,
    )


# --- remember ----------------------------------------------------------------------------------
def remember_note_add(*, contact, body: str, actor: User | None) -> RememberNote:
    """A note for the customer's next visit, outside a case."""
    from django.utils import timezone

    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write what the next visit should start with.")})
    if len(body) > NOTE_MAX:
        raise ValidationError({"body": _("Keep a note under 2,000 characters.")})
    with transaction.atomic():
        return RememberNote.objects.create(
            contact=contact, body=body, created_by=actor, created=timezone.now()
        )


def remember_honour(*, note: RememberNote, actor: User | None, now: dt.datetime | None = None):
    """Staff kept the promise: the note stops showing (once)."""
    from apps.contacts.services import event_record

    now = now_or(now)
    with transaction.atomic():
        updated = RememberNote.objects.filter(pk=note.pk, honoured_at__isnull=True).update(
            honoured_at=now, honoured_by=actor
        )
        if updated:
            event_record(
                contact=note.contact,
                type="remember.honoured",
                source="feedback",
                actor=actor,
                properties={"note_id": note.pk, "case_id": note.case_id},
            )
    note.refresh_from_db()
    return note


def invitations_pending_for_case(case: Case) -> list[Invitation]:
    return list(Invitation.objects.filter(resurvey_of=case.pk))
