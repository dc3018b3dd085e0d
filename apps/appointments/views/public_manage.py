"""The customer's own appointment behind the signed link: the confirmation after booking,
the page to move or cancel it within the practice's policy, its .ics file; and each staff
member's calendar feed behind its secret address. A link of another business, a broken or
an expired one is a friendly 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from apps.tenants.languages import customer_page, page_language_activate
from cxsuite.lib.errors import DomainError

from ..models import AppointmentStatus
from ..selectors.availability import bookable_staff, practice_zone, slot_at
from ..selectors.setup import staff_for_calendar_token
from ..services import (
    SlotTaken,
    appointment_cancel,
    appointment_change_allowed,
    appointment_from_token,
    appointment_ics,
    appointment_move_earliest,
    appointment_reschedule,
    appointment_settings,
    booking_page_url,
    staff_feed_ics,
)
from ..services.messages import appointment_time_text
from .public import (
    ANY,
    TEMPLATES,
    business_phone,
    embeddable,
    is_partial,
    local_text,
    parse_date,
    parse_start,
    slot_picker,
    start_param,
)


def _appointment_or_404(request, token: str):
    try:
        appointment = appointment_from_token(token=token)
    except ValidationError as exc:
        page = render(
            request, f"{TEMPLATES}/link_invalid.html", {"reason": exc.messages[0]}, status=404
        )
        return None, page
    page_language_activate(appointment.contact.language)  # the customer's, where known
    return appointment, None


def _context(request, appointment, token: str) -> dict:
    rules, can_change = appointment_settings(), appointment_change_allowed(appointment)
    urls = {
        name: reverse(f"appointments:booking_{name}", args=[token])
        for name in ("manage", "ics", "reschedule", "cancel")
    }
    return {
        "appointment": appointment,
        "token": token,
        "urls": urls,
        "time_text": appointment_time_text(appointment),
        "cancelled": appointment.status == AppointmentStatus.CANCELLED,
        "upcoming": appointment.is_upcoming and appointment.ends_at > dt.datetime.now(dt.UTC),
        "can_change": can_change,
        "can_reschedule": can_change and rules.online_booking,
        "notice_hours": rules.cancellation_notice_hours,
        "phone": business_phone(request),
        "book_again_url": booking_page_url(service_id=appointment.service_id),
    }


@embeddable
@customer_page
@require_GET
def booking_done(request, token: str):
    """The "you are booked" page: what, with whom, when, the calendar file and the manage link."""
    appointment, invalid = _appointment_or_404(request, token)
    if invalid:
        return invalid
    if appointment.status == AppointmentStatus.CANCELLED:
        return redirect("appointments:booking_manage", token=token)
    context = _context(request, appointment, token)
    context["manage_url"] = request.build_absolute_uri(context["urls"]["manage"])
    if not appointment.awaiting_approval:
        context["told"] = _confirmation_told(appointment)
    return render(request, f"{TEMPLATES}/confirmation.html", context)


def _confirmation_told(appointment) -> dict:
    """What became of the confirmation, so the page says what really happened (e-mailed,
    texted, held until morning, or not sent and why) rather than a fixed promise."""
    from apps.messaging.selectors import message_by_dedupe_key, message_outcome

    from ..services.booking import confirmation_key

    outcome = message_outcome(message_by_dedupe_key(dedupe_key=confirmation_key(appointment)))
    if outcome.get("when"):
        outcome["when_text"] = local_text(outcome["when"])
    outcome["to_html"] = format_html('<span class="nowrap">{}</span>', outcome["to"])
    return outcome


@customer_page
@require_GET
def booking_manage(request, token: str):
    appointment, invalid = _appointment_or_404(request, token)
    if invalid:
        return invalid
    return render(request, f"{TEMPLATES}/manage.html", _context(request, appointment, token))


@customer_page
@require_GET
def booking_ics(request, token: str):
    appointment, invalid = _appointment_or_404(request, token)
    if invalid:
        return invalid
    response = HttpResponse(
        appointment_ics(appointment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@customer_page
@require_http_methods(["GET", "POST"])
def booking_cancel(request, token: str):
    """Ask once ("Cancel this appointment?"), then cancel within the policy."""
    appointment, invalid = _appointment_or_404(request, token)
    if invalid:
        return invalid
    context = _context(request, appointment, token)
    if not context["can_change"]:
        return redirect("appointments:booking_manage", token=token)
    if request.method == "POST":
        try:
            appointment_cancel(
                appointment=appointment,
                by_customer=True,
                reason=_("cancelled online by the customer"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("appointments:booking_manage", token=token)
    return render(request, f"{TEMPLATES}/cancel.html", context)


@customer_page
@require_http_methods(["GET", "POST"])
def booking_reschedule(request, token: str):
    """Pick a new day and time (the appointment's own time counts as free), confirm, move."""
    appointment, invalid = _appointment_or_404(request, token)
    if invalid:
        return invalid
    context = _context(request, appointment, token)
    if not context["can_reschedule"]:
        return redirect("appointments:booking_manage", token=token)
    service, base = appointment.service, context["urls"]["reschedule"]
    options = bookable_staff(service=service, online=True)
    wanted = request.GET.get("staff") or str(appointment.staff_id)
    staff = next((s for s in options if str(s.pk) == wanted), None)
    staff_key = str(staff.pk) if staff else ANY

    def link(window=None, date=None, start=None, who=staff_key) -> str:
        params = {
            "staff": who,
            "from": window,
            "date": date,
            "start": start_param(start) if start else None,
        }
        return f"{base}?{urlencode({k: v for k, v in params.items() if v})}"

    start = parse_start(request.POST.get("start") or request.GET.get("start"))
    if request.method == "POST" and start is not None:
        try:
            appointment_reschedule(
                appointment=appointment, starts_at=start, staff=staff, source="online"
            )
        except SlotTaken as exc:
            context["taken_message"] = exc.message
            context["next_slots"] = [
                {"text": local_text(s.starts_at), "value": start_param(s.starts_at)}
                for s in exc.next_slots
            ]
            start = None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("appointments:booking_manage", token=token)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("appointments:booking_manage", token=token)
        else:
            messages.success(request, _("Your appointment is moved."))
            return redirect("appointments:booking_manage", token=token)
    if (
        start is not None
        and slot_at(
            service=service,
            staff=staff,
            starts_at=start,
            online=True,
            ignore_appointment_id=appointment.pk,
        )
        is None
    ):
        messages.warning(request, _("That time is not free any more. Please choose another."))
        start = None
    day = start.astimezone(practice_zone()).date() if start else parse_date(request.GET.get("date"))
    context.update(
        start=start,
        start_value=start_param(start) if start else "",
        start_text=local_text(start) if start else "",
        back_url=link(date=day) if start else "",
        staff_links=[{"label": _("Anyone available"), "url": link(who=ANY), "selected": not staff}]
        + [{"label": s.name, "url": link(who=s.pk), "selected": s == staff} for s in options]
        if len(options) > 1
        else [],
        picker=slot_picker(
            service=service,
            staff=staff,
            window=parse_date(request.GET.get("from")),
            day=day,
            link=link,
            ignore=appointment.pk,
            not_before=appointment_move_earliest(),
        ),
    )
    if is_partial(request) and start is None:
        return render(request, f"{TEMPLATES}/_slot_picker.html", context)
    status = 409 if context.get("taken_message") else 200
    return render(request, f"{TEMPLATES}/reschedule.html", context, status=status)


@require_GET
def staff_feed(request, token: str):
    """A staff member's appointments for their own calendar app (the address is the secret)."""
    staff = staff_for_calendar_token(token)
    if staff is None:
        raise Http404
    response = HttpResponse(staff_feed_ics(staff), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
