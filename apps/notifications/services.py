"""Telling the team what happened: which events become notifications, for whom and how, the
bell's read marks, each member's choices, and the e-mails to staff.

Events arrive through the contacts app's timeline subscriber (at least once, in order, after
they commit). A notification is unique per (event, user), so a subscriber run that is repeated
after a failure adds nothing; e-mails leave from a task after the run commits, each row marked
as it goes, so none is sent twice by a second run.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.choices import Role
from apps.accounts.selectors import users_active
from apps.tenants.formats import format_day_time

from .choices import Kind
from .models import Notification, NotificationPreference
from .selectors import Described, notification_describe

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.contacts.models import TimelineEvent
    from apps.scheduling.models import DueWork

logger = logging.getLogger(__name__)

EMAIL_WORK = "notifications.email"
EMAIL_SAFETY_NET = timedelta(minutes=2)  # if the task is lost, due work sends them then
EMAIL_BATCH = 100

# What each role gets until its member chooses: (in the app, by e-mail) per kind.
_ALL = frozenset(Kind.values)
_BOOKINGS = frozenset({Kind.BOOKED_ONLINE, Kind.APPROVAL_NEEDED})
DEFAULTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    Role.OWNER: (_ALL, _BOOKINGS),
    Role.MANAGER: (_ALL, _BOOKINGS),
    Role.STAFF: (_ALL, frozenset()),
    Role.VIEWER: (frozenset(), frozenset()),
}


# --- which events are told -----------------------------------------------------------------------
def notification_kind(event: TimelineEvent) -> str | None:
    """The kind of notification an event makes, or None for the events nobody is told of."""
    props = event.properties or {}
    if event.type == "appointment.booked":
        if props.get("awaiting_approval"):
            return Kind.APPROVAL_NEEDED
        if props.get("source") in ("online", "api"):
            return Kind.BOOKED_ONLINE
        return None  # booked by the front desk: they know
    if event.type == "appointment.cancelled":
        return Kind.CANCELLED
    if event.type == "message.received":
        return Kind.REPLY
    # An SMS reply also arrives as "message.received" (with its text); only an e-mail reply,
    # reported by the provider, is told through the message's "replied" step.
    if event.type == "message.replied" and props.get("channel") == "email":
        return Kind.REPLY
    return None


# --- choices -------------------------------------------------------------------------------------
def notification_choices(users: Sequence[User]) -> dict[int, dict[str, tuple[bool, bool]]]:
    """(in the app, by e-mail) per kind for each user: their own choice, else their role's."""
    saved: dict[tuple[int, str], tuple[bool, bool]] = {
        (p.user_id, p.kind): (p.in_app, p.email)
        for p in NotificationPreference.objects.filter(user__in=[u.pk for u in users])
    }
    choices = {}
    for user in users:
        in_app, email = DEFAULTS.get(user.role, (frozenset(), frozenset()))
        choices[user.pk] = {
            kind: saved.get((user.pk, kind), (kind in in_app, kind in email))
            for kind in Kind.values
        }
    return choices


def notification_preferences_set(*, user: User, choices: dict[str, Iterable[str]]) -> None:
    """Save a member's choice for every kind: `{kind: {"in_app", "email"}}` (a missing kind
    means nothing of it)."""
    unknown = sorted(set(choices) - set(Kind.values))
    if unknown:
        raise ValidationError({"kind": _("Unknown kind: %(k)s.") % {"k": ", ".join(unknown)}})
    rows = []
    for kind in Kind.values:
        ways = set(choices.get(kind, ()))
        if ways - {"in_app", "email"}:
            raise ValidationError({kind: _("Choose “in the app”, “by e-mail” or both.")})
        rows.append(
            NotificationPreference(
                user=user, kind=kind, in_app="in_app" in ways, email="email" in ways
            )
        )
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["user", "kind"],
            update_fields=["in_app", "email"],
        )


# --- the subscriber ------------------------------------------------------------------------------
def notifications_on_events(events: Sequence[TimelineEvent]) -> None:
    """The timeline subscriber: one notification per (event, member who chose its kind); the
    member who made the change is not told of it. Re-running on the same events adds nothing."""
    told = [(event, kind) for event in events if (kind := notification_kind(event))]
    if not told:
        return
    users = list(users_active())
    choices = notification_choices(users)
    rows = []
    for event, kind in told:
        for user in users:
            if user.pk == event.actor_id:
                continue
            in_app, email = choices[user.pk][kind]
            if in_app or email:
                rows.append(
                    Notification(user=user, event=event, kind=kind, in_app=in_app, email=email)
                )
    if not rows:
        return
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(row.email for row in rows):
        notification_emails_schedule()


def notification_emails_schedule() -> None:
    """Send the waiting e-mails once this transaction commits; due work is the safety net if
    the task is lost (a broker down, a worker killed)."""
    from apps.scheduling.services import due_work_register

    due_work_register(
        kind=EMAIL_WORK,
        ref="pending",
        due_at=timezone.now() + EMAIL_SAFETY_NET,
        keep_earlier=True,
    )
    transaction.on_commit(_send_later)


def _send_later() -> None:
    from .tasks import notification_emails_send_task

    try:
        notification_emails_send_task.delay()
    except Exception:
        logger.exception("notification e-mails not sent now; due work sends them later")


def notification_emails_due(work: DueWork) -> None:
    """The due-work safety net: send the e-mails after the sweep commits."""
    transaction.on_commit(_send_later)


# --- e-mail --------------------------------------------------------------------------------------
def notification_emails_send(*, batch: int = EMAIL_BATCH) -> int:
    """Send the e-mails waiting to go (each once: the row is locked, sent and marked in one
    transaction; a second worker skips it). Returns how many were sent."""
    from apps.scheduling.services import due_work_cancel

    sent = 0
    while True:
        with transaction.atomic():
            pending = list(
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(email=True, emailed_at__isnull=True)
                .select_related("user", "event__contact")
                .order_by("pk")[:batch]
            )
            for notification in pending:
                if notification.user.is_active and notification.user.email:
                    _email_one(notification)
                    sent += 1
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(
                emailed_at=timezone.now()
            )
        if len(pending) < batch:
            break
    if not Notification.objects.filter(email=True, emailed_at__isnull=True).exists():
        due_work_cancel(kind=EMAIL_WORK, ref="pending")
    return sent


def _email_one(notification: Notification) -> None:
    """A short e-mail to the member: what happened, to whom, when, and the link."""
    from apps.tenants.services import tenant_current, tenant_url

    tenant = tenant_current()
    with translation.override(getattr(tenant, "language", None) or "en"):
        described: Described = notification_describe(notification.event, notification.kind)
        when = ""
        if described.when is not None:
            local = described.when.astimezone(zoneinfo.ZoneInfo(tenant.time_zone))
            when = format_day_time(local)
        subject = " · ".join(part for part in (described.who, when) if part)
        subject = f"{described.title}: {subject}"
        lines = [described.title, "", described.who]
        lines += [part for part in (described.detail, when) if part]
        if described.path:
            lines += ["", _("Open it: %(url)s") % {"url": tenant_url(tenant, described.path)}]
        prefs = tenant_url(tenant, reverse("accounts:settings_preferences") + "#notifications")
        lines += [
            "",
            "-- ",
            _("%(business)s. Choose what you are told of: %(url)s")
            % {"business": tenant.name, "url": prefs},
        ]
    send_mail(subject[:150], "\n".join(lines), None, [notification.user.email])


# --- the bell ------------------------------------------------------------------------------------
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or these); returns how many changed."""
    unread = Notification.objects.filter(user=user, in_app=True, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
