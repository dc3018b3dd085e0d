"""One appointment from the calendar: book it from a free time, look at it, change its status,
approve an online request, move it, cancel it. In the calendar each answers inside a modal
(htmx) and sends the browser back to the calendar once something changed; without JavaScript
each is a page."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.tenants.formats import format_datetime

from ..forms.calendar import (
    CORRECTION_LABELS,
    STATUS_ACTIONS,
    BookForm,
    CancelForm,
    MoveForm,
    StatusForm,
    add_booking_errors,
)
from ..models import Appointment, AppointmentStatus, Source, StaffMember
from ..selectors.availability import practice_zone
from ..selectors.calendar import (
    appointment_get,
    contacts_for_booking,
    service_preselected,
    services_for_staff,
)
from ..services import (
    SlotTaken,
    appointment_approve,
    appointment_book_for_customer,
    appointment_cancel,
    appointment_reschedule,
    appointment_status_set,
    customer_errors_renamed,
)
from ..services.booking import (
    OUTCOMES,
    TRANSITIONS,
    appointment_correctable,
    appointment_has_started,
    appointment_is_correction,
)
from .calendar import calendar_url, can_write, is_partial
from .grid import status_class

if TYPE_CHECKING:
    from apps.contacts.models import Contact


def _next_url(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _back(request, appointment: Appointment | None = None, day=None) -> str:
    """Where to go afterwards: the page that opened this one, else the calendar's day."""
    target = _next_url(request)
    if target:
        return target
    if appointment is not None:
        day = appointment.starts_at.astimezone(practice_zone()).date()
    return calendar_url(day=day)


def _done(request, appointment: Appointment, text: str):
    """After a change: the htmx modal reloads the calendar; a form post goes back to it."""
    messages.success(request, text)
    if is_partial(request):
        return HttpResponseClientRedirect(_back(request, appointment))
    return redirect(_back(request, appointment))


def _slot_links(exc: SlotTaken, zone, url: str, keep: dict) -> list[dict]:
    """The next free times as links that fill the form in again."""
    links = []
    for slot in exc.next_slots:
        local = slot.starts_at.astimezone(zone)
        query = {**keep, "date": local.date().isoformat(), "time": local.strftime("%H:%M")}
        if slot.staff_ids and "staff" in keep:
            query["staff"] = slot.staff_ids[0]
        links.append({"url": f"{url}?{urlencode(query)}", "label": format_datetime(local)})
    return links


# --- "book anyway" -------------------------------------------------------------------------------
DESK_CODES = ("past", "outside_hours")


def _confirmed(request) -> set[str]:
    """What the desk said yes to with the "Book anyway" button (past, outside_hours)."""
    return set(request.POST.get("confirm", "").split()) & set(DESK_CODES)


def _time_warnings(exc: ValidationError, staff: StaffMember) -> list[tuple[str, str]]:
    """The service's questions (a past time, outside the hours), in the desk's words, when
    they are all it refused; else nothing, and the errors go on the form."""
    if not hasattr(exc, "error_dict") or set(exc.error_dict) != {"starts_at"}:
        return []
    codes = [error.code for error in exc.error_dict["starts_at"]]
    if not codes or any(code not in DESK_CODES for code in codes):
        return []
    words = {
        "past": _("This time has already passed."),
        "outside_hours": _("%(staff)s does not work then (outside their hours, away or a holiday).")
        % {"staff": staff.name},
    }
    return [(str(code), words[str(code)]) for code in codes]


def _warning_context(warnings: list[tuple[str, str]], label: str) -> dict:
    return {
        "time_warnings": [text for _code, text in warnings],
        "confirm_codes": " ".join(code for code, _text in warnings),
        "anyway_label": label,
    }


# --- book ----------------------------------------------------------------------------------------
def _initial_from(request) -> dict:
    initial = {}
    for name in ("staff", "service", "date", "time", "notes", "contact"):
        value = request.GET.get(name)
        if value:
            initial[name] = value
    return initial


def _date_or_none(value):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _chosen_staff(raw) -> StaffMember | None:
    try:
        return StaffMember.objects.filter(active=True, pk=int(raw)).first() if raw else None
    except (TypeError, ValueError):
        return None


def _chosen_contact(raw) -> Contact | None:
    try:
        pk = int(raw) if raw else None
    except (TypeError, ValueError):
        return None
    return BookForm.base_fields["contact"].queryset.filter(pk=pk).first() if pk else None


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def appointment_book_view(request):
    """Book a contact for a service with a staff member at a time (prefilled from the free
    time clicked). Searching contacts works with htmx and, without it, as a GET of the form."""
    zone = practice_zone()
    source = request.POST if request.method == "POST" else request.GET
    staff = _chosen_staff(source.get("staff"))
    if staff is None and request.method == "GET" and not source.get("staff"):
        staff = StaffMember.objects.filter(active=True).order_by("position", "name").first()
    services = services_for_staff(staff)
    next_slots: list[dict] = []
    warning: dict = {}
    if request.method == "POST":
        form = BookForm(request.POST, zone=zone, services=services)
        if form.is_valid():
            data = form.cleaned_data
            confirmed = _confirmed(request)
            try:
                appointment = appointment_book_for_customer(
                    contact=data["contact"],
                    customer=form.new_customer(),
                    service=data["service"],
                    starts_at=form.starts_at(),
                    staff=data["staff"],
                    source=Source.STAFF,
                    actor=request.user,
                    notes=data["notes"],
                    allow_past="past" in confirmed,
                    allow_outside_hours="outside_hours" in confirmed,
                )
            except SlotTaken as exc:
                # A new customer is a contact now: the form offers them as the chosen one.
                data["contact"] = exc.contact
                form.add_error(
                    "time",
                    _("%(staff)s is not free then (another booking, its buffer or no free room).")
                    % {"staff": data["staff"]},
                )
                keep = {
                    "staff": data["staff"].pk,
                    "service": data["service"].pk,
                    "contact": exc.contact.pk if exc.contact else "",
                    "notes": data["notes"],
                    "next": _next_url(request) or "",
                }
                next_slots = _slot_links(exc, zone, request.path, keep)
            except ValidationError as exc:
                warnings = _time_warnings(exc, data["staff"])
                if warnings:
                    warning = _warning_context(warnings, _("Book anyway"))
                else:
                    add_booking_errors(form, customer_errors_renamed(exc, prefix="new_"))
            else:
                return _done(
                    request,
                    appointment,
                    _("%(contact)s is booked for %(service)s.")
                    % {"contact": appointment.contact, "service": appointment.service},
                )
    else:
        initial = _initial_from(request)
        if staff is not None:
            initial["staff"] = staff.pk
        if "service" not in initial:
            fitting = service_preselected(staff=staff, services=services)
            if fitting is not None:
                initial["service"] = fitting.pk
        form = BookForm(initial=initial, zone=zone, services=services)
    query = (source.get("q") or "").strip()
    contact = _chosen_contact(source.get("contact"))
    if form.is_bound and getattr(form, "cleaned_data", {}).get("contact") and contact is None:
        contact = form.cleaned_data["contact"]  # a new customer saved before the time failed
        form.data = form.data.copy()
        for name in BookForm.NEW:
            form.data[name] = ""
    day = form.initial.get("date") if not form.is_bound else None
    context = {
        "form": form,
        "staff": staff,
        "query": query,
        "chosen": contact,
        "results": [c for c in contacts_for_booking(query) if not contact or c.pk != contact.pk],
        "next_slots": next_slots,
        "zone": zone,
        "no_services": staff is not None and not services,
        "back_url": _back(request, day=_date_or_none(day)),
        **warning,
    }
    status = 400 if request.method == "POST" and not is_partial(request) else 200
    if is_partial(request):
        return render(request, "appointments/_book_form.html", context, status=status)
    return render(request, "appointments/appointment_book.html", context, status=status)


@role_required(Role.STAFF)
@require_GET
def contact_search(request):
    """The booking form's contact results for what was typed (htmx)."""
    query = (request.GET.get("q") or "").strip()
    if not is_partial(request):
        return redirect(f"{reverse('appointments:appointment_book')}?{request.GET.urlencode()}")
    return render(
        request,
        "appointments/_contact_results.html",
        {"results": contacts_for_booking(query), "query": query},
    )


# --- look at it and change it --------------------------------------------------------------------
S = AppointmentStatus


def _detail_context(request, appointment: Appointment, **extra) -> dict:
    """What the appointment window offers: before the start, confirm / check in / move /
    cancel; once started, how the visit went (check in, complete, no-show); an outcome already
    recorded can be corrected until the end of the day, then it is final."""
    now = timezone.now()
    started = appointment_has_started(appointment, now=now)
    allowed = TRANSITIONS.get(appointment.status, set())
    correcting = appointment.status in OUTCOMES
    same_day = appointment_correctable(appointment, now=now)
    correctable = correcting and same_day
    actions, corrections = [], []
    for value, label in STATUS_ACTIONS:
        if value not in allowed:
            continue
        if value == S.CONFIRMED and started:
            continue
        if value in (S.COMPLETED, S.NO_SHOW) and not started:
            continue
        if appointment_is_correction(appointment.status, value):
            if correctable:
                corrections.append((value, CORRECTION_LABELS[value]))
        else:
            actions.append((value, label))
    upcoming = appointment.is_upcoming and not started
    from ..registries import appointment_notices_for

    return {
        "appointment": appointment,
        "notices": appointment_notices_for([appointment]).get(appointment.pk, []),
        "zone": practice_zone(),
        "state": status_class(appointment),
        "can_write": can_write(request),
        "started": started,
        "same_day": same_day,
        "actions": actions,
        "corrections": corrections,
        "status_final": correcting and not correctable,
        "can_cancel": upcoming,
        "can_move": upcoming,
        "can_approve": upcoming and appointment.awaiting_approval,
        "cancel_form": extra.pop("cancel_form", None) or CancelForm(),
        "back_url": _back(request, appointment),
        **extra,
    }


def _detail(request, appointment: Appointment, *, status: int = 200, **extra):
    context = _detail_context(request, appointment, **extra)
    template = (
        "appointments/_appointment_detail.html"
        if is_partial(request)
        else ("appointments/appointment_detail.html")
    )
    return render(request, template, context, status=200 if is_partial(request) else status)


@role_required(Role.VIEWER)
@require_GET
def appointment_detail(request, pk: int):
    return _detail(request, appointment_get(pk))


def _write(request, pk: int, action):
    """Shared shape of the status buttons: call the service; a refusal is shown in place."""
    appointment = appointment_get(pk)
    try:
        text = action(appointment)
    except ValidationError as exc:
        return _detail(request, appointment, status=400, errors=exc.messages)
    return _done(request, appointment, text)


@role_required(Role.STAFF)
@require_POST
def appointment_status(request, pk: int):
    """A status button. A no-show counts against the customer, so it is asked once more in
    the window itself (a second button, reachable by keyboard and on a phone) before it is
    recorded; the form posts `confirm` with that answer."""
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(
            request,
            appointment_get(pk),
            status=400,
            errors=[_("Choose confirm, check in, complete or no-show.")],
        )
    status = form.cleaned_data["status"]
    if status == S.NO_SHOW and not form.cleaned_data["confirm"]:
        appointment = appointment_get(pk)
        if appointment.status != S.NO_SHOW:
            return _detail(request, appointment, confirm_no_show=True)

    def change(appointment):
        previous = appointment.status
        appointment = appointment_status_set(
            appointment=appointment, status=status, actor=request.user
        )
        if appointment_is_correction(previous, appointment.status):
            return _("%(contact)s: corrected from %(old)s to %(new)s.") % {
                "contact": appointment.contact,
                "old": S(previous).label.lower(),
                "new": appointment.get_status_display().lower(),
            }
        return _("%(contact)s: %(status)s.") % {
            "contact": appointment.contact,
            "status": appointment.get_status_display(),
        }

    return _write(request, pk, change)


@role_required(Role.STAFF)
@require_POST
def appointment_approve_view(request, pk: int):
    def approve(appointment):
        appointment = appointment_approve(appointment=appointment, actor=request.user)
        return _("%(contact)s's request is approved; they are told.") % {
            "contact": appointment.contact
        }

    return _write(request, pk, approve)


@role_required(Role.STAFF)
@require_POST
def appointment_cancel_view(request, pk: int):
    appointment = appointment_get(pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _detail(request, appointment, status=400, cancel_form=form, cancel_open=True)
    try:
        appointment = appointment_cancel(
            appointment=appointment, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        return _detail(request, appointment, status=400, errors=exc.messages)
    return _done(
        request,
        appointment,
        _("%(contact)s's appointment is cancelled.") % {"contact": appointment.contact},
    )


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def appointment_move(request, pk: int):
    """A new time and (if wanted) another staff member; the customer is told."""
    zone = practice_zone()
    appointment = appointment_get(pk)
    next_slots: list[dict] = []
    warning: dict = {}
    if request.method == "POST":
        form = MoveForm(request.POST, zone=zone)
        if form.is_valid() and appointment.is_upcoming:
            confirmed = _confirmed(request)
            try:
                appointment_reschedule(
                    appointment=appointment,
                    starts_at=form.starts_at(),
                    staff=form.cleaned_data["staff"],
                    source="staff",
                    actor=request.user,
                    allow_past="past" in confirmed,
                    allow_outside_hours="outside_hours" in confirmed,
                )
            except SlotTaken as exc:
                form.add_error(
                    "time",
                    _("%(staff)s is not free then (another booking, its buffer or no free room).")
                    % {"staff": form.cleaned_data["staff"]},
                )
                keep = {"staff": form.cleaned_data["staff"].pk, "next": _next_url(request) or ""}
                next_slots = _slot_links(exc, zone, request.path, keep)
            except ValidationError as exc:
                warnings = _time_warnings(exc, form.cleaned_data["staff"])
                if warnings:
                    warning = _warning_context(warnings, _("Move anyway"))
                else:
                    add_booking_errors(form, exc)
            else:
                appointment.refresh_from_db()
                return _done(
                    request,
                    appointment,
                    _("%(contact)s's appointment is moved.") % {"contact": appointment.contact},
                )
        elif not appointment.is_upcoming:
            form.add_error(None, _("Only a booked or confirmed appointment can be moved."))
    else:
        local = appointment.starts_at.astimezone(zone)
        initial = {
            "staff": appointment.staff_id,
            "date": local.date(),
            "time": local.time().replace(second=0),
        }
        initial.update({k: request.GET[k] for k in ("staff", "date", "time") if request.GET.get(k)})
        form = MoveForm(zone=zone, initial=initial)
        if appointment_has_started(appointment):
            form.add_error(None, _("This appointment has already started; it stays where it is."))
    context = {
        "appointment": appointment,
        "form": form,
        "next_slots": next_slots,
        "zone": zone,
        "back_url": _back(request, appointment),
        **warning,
    }
    if is_partial(request):
        return render(request, "appointments/_move_form.html", context)
    status = 400 if form.errors else 200
    return render(request, "appointments/appointment_move.html", context, status=status)
