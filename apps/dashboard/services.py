"""The weekly summary e-mail: an owner or manager chooses it; every Monday at 08:00 in the
business's zone one due-work row sends each of them the week's figures (Monday to Sunday)
against the week before, from every widget they may see, and the recovery cases still open.

The row exists only while someone has chosen the e-mail, so a business nobody asked for it
costs nothing. Each member gets a week's e-mail once: the `WeeklySummarySent` row is written
in the sweep's transaction (unique per member and week) and the e-mail leaves after commit,
so a retried or repeated run finds the row and sends nothing again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import Role, User
from apps.accounts.registries import AnalyticsWidget
from apps.scheduling.services import due_work_cancel, due_work_register
from cxsuite.lib.analytics import Period, WidgetData, period_ending

from .analytics import business_zone, widget_compute, widgets_for
from .models import WeeklySummaryRecipient, WeeklySummarySent
from .presenting import figure_change, format_number

if TYPE_CHECKING:
    from apps.scheduling.models import DueWork

logger = logging.getLogger(__name__)

WEEKLY_SUMMARY = "dashboard.weekly_summary"
SEND_AT = dt.time(8, 0)
SUMMARY_ROLES = (Role.OWNER, Role.MANAGER)


def _next_monday_morning(now: dt.datetime) -> dt.datetime:
    zone = business_zone()
    local = now.astimezone(zone)
    monday = local.date() + dt.timedelta(days=(7 - local.weekday()) % 7)
    due = dt.datetime.combine(monday, SEND_AT, zone)
    if due <= local:
        due = dt.datetime.combine(monday + dt.timedelta(days=7), SEND_AT, zone)
    return due


def weekly_summary_schedule(*, now: dt.datetime | None = None) -> DueWork:
    """Register the next Monday 08:00 (business time); calling it again changes nothing.
    Keyed by that Monday's date, so the run being marked done never moves its own row."""
    due_at = _next_monday_morning(now or timezone.now())
    return due_work_register(kind=WEEKLY_SUMMARY, ref=due_at.date().isoformat(), due_at=due_at)


def weekly_summary_choose(*, user: User, chosen: bool) -> None:
    """Start or stop the member's Monday e-mail (owners and managers only)."""
    if chosen and user.role not in SUMMARY_ROLES:
        raise ValidationError(
            {"weekly_summary": _("Only owners and managers can receive the weekly summary.")}
        )
    with transaction.atomic():
        if chosen:
            WeeklySummaryRecipient.objects.get_or_create(user=user)
            weekly_summary_schedule()
            return
        WeeklySummaryRecipient.objects.filter(user=user).delete()
        if not WeeklySummaryRecipient.objects.exists():
            due_at = _next_monday_morning(timezone.now())
            due_work_cancel(kind=WEEKLY_SUMMARY, ref=due_at.date().isoformat())


def weekly_summary_chosen(user: User) -> bool:
    return WeeklySummaryRecipient.objects.filter(user=user).exists()


def summary_week(*, sent_at: dt.datetime) -> Period:
    """The last whole week (Monday to Sunday, local days) before `sent_at`."""
    zone = business_zone()
    local = sent_at.astimezone(zone)
    sunday = local.date() - dt.timedelta(days=local.weekday() + 1)
    noon = dt.datetime.combine(sunday, dt.time(12), zone)
    return period_ending("7d", now=noon, zone=zone)


def _open_cases() -> int | None:
    """Recovery cases still open, when the feedback module is there."""
    try:
        from apps.feedback.selectors import case_list
    except ImportError:  # pragma: no cover - feedback is part of every install today
        return None
    return case_list(status="open", now=timezone.now()).count()


def _summary_lines(
    widgets: list[AnalyticsWidget], computed: dict[str, WidgetData]
) -> list[dict[str, object]]:
    sections: list[dict[str, object]] = []
    for widget in widgets:
        data = computed[widget.id]
        figures = []
        for figure in data.figures:
            before = format_number(figure.previous, figure.unit)
            figures.append(
                {
                    "label": str(figure.label),
                    "value": format_number(figure.value, figure.unit),
                    "before": before,
                    "change": figure_change(figure).text,
                }
            )
        if figures:
            sections.append({"title": str(widget.title), "figures": figures})
    return sections


def weekly_summaries_send(*, sent_at: dt.datetime) -> int:
    """Write each recipient's summary of the last week, once per member and week; the
    e-mails leave after commit. Returns how many were written this time."""
    from apps.tenants.services import tenant_current, tenant_url

    week = summary_week(sent_at=sent_at)
    first_day, last_day = week.local_days()[0], week.local_days()[-1]
    recipients = list(
        User.objects.filter(
            pk__in=WeeklySummaryRecipient.objects.values("user"),
            is_active=True,
            role__in=SUMMARY_ROLES,
        ).order_by("pk")
    )
    tenant = tenant_current()
    computed: dict[str, WidgetData] = {}
    open_cases = _open_cases()
    written = 0
    with translation.override(getattr(tenant, "language", None) or "en"):
        for user in recipients:
            try:
                with transaction.atomic():
                    WeeklySummarySent.objects.create(user=user, week_start=first_day)
            except IntegrityError:
                continue  # this week's e-mail already went to this member
            widgets = widgets_for(user)
            for widget in widgets:
                if widget.id not in computed:
                    computed[widget.id] = widget_compute(widget, week)
            context = {
                "business": tenant.name,
                "first_day": first_day,
                "last_day": last_day,
                "sections": _summary_lines(widgets, computed),
                "open_cases": open_cases,
                "home_url": tenant_url(tenant, reverse("dashboard:home") + "?period=7d"),
                "preferences_url": tenant_url(tenant, reverse("accounts:settings_preferences")),
            }
            subject = render_to_string("dashboard/email/weekly_summary_subject.txt", context)
            body = render_to_string("dashboard/email/weekly_summary.txt", context)
            transaction.on_commit(_sender(" ".join(subject.split())[:150], body, user.email))
            written += 1
    return written


def _sender(subject: str, body: str, address: str):
    def send() -> None:
        try:
            send_mail(subject, body, None, [address])
        except Exception:
            logger.exception("weekly summary to a member not sent")

    return send


def weekly_summary_due(work: DueWork) -> None:
    """The due-work handler: send last week's summaries, then book next Monday while someone
    still wants them."""
    sent_at = max(timezone.now(), work.due_at)
    weekly_summaries_send(sent_at=sent_at)
    if WeeklySummaryRecipient.objects.exists():
        weekly_summary_schedule(now=sent_at)
