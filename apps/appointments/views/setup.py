"""Set-up pages: services, rooms, holidays and the booking rules (staff have their own module).
Everyone can read them; managers and owners change them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.tenants.formats import format_date
from cxsuite.lib.forms import form_add_service_errors

from ..forms.setup import AppointmentSettingsForm, HolidayForm, RoomForm, ServiceForm
from ..models import Holiday
from ..selectors import setup as selectors
from ..selectors.availability import practice_zone
from ..selectors.calendar import calendar_staff
from ..services import appointment_settings
from ..services import setup as services


def can_manage(request) -> bool:
    return request.user.has_role(Role.MANAGER)


def _render(request, template: str, context: dict, *, status: int = 200):
    return render(request, template, {"can_manage": can_manage(request), **context}, status=status)


@role_required(Role.VIEWER)
@require_GET
def setup_index(request):
    return redirect("appointments:service_list")


# --- services ------------------------------------------------------------------------------------
@role_required(Role.VIEWER)
@require_GET
def service_list(request):
    services_ = list(selectors.service_list())
    for service in services_:
        service.fix = _service_fix(service)
    return _render(
        request,
        "appointments/service_list.html",
        {"services": services_, "section": "services"},
    )


def _service_fix(service) -> tuple[str, str] | None:
    """Where to make a service nobody can perform bookable, and what to say: assign someone,
    or give an assigned person hours."""
    if service.performable:
        return None
    people = [person for person in service.staff.all() if person.active]
    if not people:
        return reverse("appointments:service_edit", args=[service.pk]), _("Choose who performs it")
    return (
        reverse("appointments:staff_edit", args=[people[0].pk]) + "#hours",
        _("Set %(name)s's hours") % {"name": people[0].name},
    )


def _service_form(request, *, service=None):
    initial = {}
    if service is None and request.method == "GET":  # the only staff member, ticked
        initial["staff"] = services.service_default_staff()
    form = ServiceForm(request.POST or None, instance=service, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        staff, rooms = values.pop("staff"), values.pop("rooms")
        try:
            if service is None:
                service = services.service_create(staff=staff, rooms=rooms, **values)
                text = _("%(name)s is added.")
            else:
                service = services.service_update(
                    service=service, staff=staff, rooms=rooms, **values
                )
                text = _("Changes to %(name)s are saved.")
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, text % {"name": service.name})
            return redirect("appointments:service_list")
    status = 400 if form.errors else 200
    return _render(
        request,
        "appointments/service_form.html",
        {"form": form, "service": service, "section": "services"},
        status=status,
    )


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def service_create(request):
    return _service_form(request)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def service_edit(request, pk: int):
    return _service_form(request, service=selectors.service_get(pk))


# --- rooms ---------------------------------------------------------------------------------------
@role_required(Role.VIEWER)
@require_GET
def room_list(request):
    return _render(
        request,
        "appointments/room_list.html",
        {"rooms": list(selectors.room_list()), "section": "rooms"},
    )


def _room_form(request, *, room=None):
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            if room is None:
                room = services.room_create(**form.cleaned_data)
            else:
                room = services.room_update(room=room, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": room.name})
            return redirect("appointments:room_list")
    return _render(
        request,
        "appointments/room_form.html",
        {"form": form, "room": room, "section": "rooms"},
        status=400 if form.errors else 200,
    )


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def room_create(request):
    return _room_form(request)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def room_edit(request, pk: int):
    return _room_form(request, room=selectors.room_get(pk))


# --- holidays ------------------------------------------------------------------------------------
def _holiday_page(request, form, *, status: int = 200):
    today = timezone.now().astimezone(practice_zone()).date()
    return _render(
        request,
        "appointments/holiday_list.html",
        {
            "holidays": selectors.holiday_list(today=today),
            "form": form,
            "today": today,
            "section": "holidays",
        },
        status=status,
    )


@role_required(Role.VIEWER)
@require_GET
def holiday_list(request):
    return _holiday_page(request, HolidayForm() if can_manage(request) else None)


@role_required(Role.MANAGER)
@require_POST
def holiday_add(request):
    form = HolidayForm(request.POST)
    if form.is_valid():
        try:
            holiday = services.holiday_add(**form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(date)s is a holiday: no times are offered.")
                % {"date": format_date(holiday.date)},
            )
            return redirect("appointments:holiday_list")
    return _holiday_page(request, form, status=400)


@role_required(Role.MANAGER)
@require_POST
def holiday_delete(request, pk: int):
    holiday = get_object_or_404(Holiday, pk=pk)
    services.holiday_delete(holiday=holiday)
    messages.success(request, _("The holiday is removed; that day is open again."))
    return redirect("appointments:holiday_list")


# --- booking rules -------------------------------------------------------------------------------
@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    """The booking rules, reminders, the public page's address and the staff feeds."""
    row = appointment_settings()
    if request.method == "POST":
        if not can_manage(request):
            raise PermissionDenied
        form = AppointmentSettingsForm(request.POST, instance=row)
        if form.is_valid():
            try:
                services.appointment_settings_update(
                    reminders=form.reminder_list(), **form.values()
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Booking settings saved."))
                return redirect("appointments:settings_edit")
    else:
        form = AppointmentSettingsForm(instance=row)
        if not can_manage(request):
            for field in form.fields.values():
                field.disabled = True
    try:
        public_url = request.build_absolute_uri(reverse("appointments:booking_start"))
    except NoReverseMatch:
        public_url = None
    feeds = calendar_staff()
    return _render(
        request,
        "appointments/settings.html",
        {
            "form": form,
            "public_url": public_url,
            "feeds": feeds,
            "section": "settings",
        },
        status=400 if form.errors else 200,
    )
