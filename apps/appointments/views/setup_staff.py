"""Set-up of staff: the list, each person's details, weekly hours, one-off hours, time off and
their calendar feed. One page per person; each of its forms posts to its own address and comes
back to the page (with the errors next to the fields when something is wrong)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.tenants.formats import format_day
from cxsuite.lib.forms import form_add_service_errors

from ..forms.setup import (
    DAY_LABELS,
    HoursOverrideForm,
    StaffForm,
    TimeOffForm,
    WeeklyHoursForm,
    intervals_text,
)
from ..models import TimeOff
from ..selectors import setup as selectors
from ..selectors.availability import practice_zone
from ..selectors.calendar import appointments_clashing
from ..services import setup as services
from .calendar import feed_url
from .setup import _render


def _today():
    return timezone.now().astimezone(practice_zone()).date()


@role_required(Role.VIEWER)
@require_GET
def staff_list(request):
    people = list(selectors.staff_list())
    for person in people:
        week: dict[int, list] = {}
        for row in person.hours.all():
            week.setdefault(row.weekday, []).append((row.start, row.end))
        person.week = [(DAY_LABELS[d], intervals_text(week.get(d, []))) for d in range(7)]
    return _render(request, "appointments/staff_list.html", {"people": people, "section": "staff"})


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def staff_create(request):
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.staff_create(**form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is added. Now set their working hours.") % {"name": person.name},
            )
            return redirect("appointments:staff_edit", pk=person.pk)
    return _render(
        request,
        "appointments/staff_form.html",
        {"form": form, "person": None, "section": "staff"},
        status=400 if form.errors else 200,
    )


def _staff_page(request, person, *, status: int = 200, new_feed_url: str = "", **forms):
    """The person's page with any bound form passed in and fresh ones for the rest (and a
    feed address that was just made: it is shown this once)."""
    zone = practice_zone()
    context = {
        "person": person,
        "section": "staff",
        "zone": zone,
        "form": forms.get("form") or StaffForm(instance=person),
        "hours_form": forms.get("hours_form")
        or WeeklyHoursForm(initial=WeeklyHoursForm.initial_for(selectors.staff_week(person))),
        "override_form": forms.get("override_form") or HoursOverrideForm(),
        "time_off_form": forms.get("time_off_form") or TimeOffForm(),
        "overrides": [
            (day, intervals_text(rows))
            for day, rows in selectors.overrides_upcoming(person, today=_today()).items()
        ],
        "time_off": selectors.time_off_upcoming(person),
        "new_feed_url": new_feed_url,
    }
    return _render(request, "appointments/staff_form.html", context, status=status)


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def staff_edit(request, pk: int):
    person = selectors.staff_get(pk)
    if request.method == "GET":
        return _staff_page(request, person)
    form = StaffForm(request.POST, instance=person)
    if form.is_valid():
        try:
            person = services.staff_update(staff=person, **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes to %(name)s are saved.") % {"name": person.name})
            return redirect("appointments:staff_edit", pk=person.pk)
    return _staff_page(request, selectors.staff_get(pk), form=form, status=400)


@role_required(Role.MANAGER)
@require_POST
def staff_hours(request, pk: int):
    person = selectors.staff_get(pk)
    target = request.POST.get("copy", "")
    if target in WeeklyHoursForm.COPY_TARGETS:  # "Copy Monday to ..." without the script
        form = WeeklyHoursForm(WeeklyHoursForm.copied(request.POST, target))
        form.is_valid()
        messages.info(
            request,
            _("Monday's hours are copied to Tuesday–Friday. Check them and save.")
            if target == "weekdays"
            else _("Monday's hours are copied to every day. Check them and save."),
        )
        return _staff_page(request, person, hours_form=form)
    form = WeeklyHoursForm(request.POST)
    if form.is_valid():
        try:
            services.staff_hours_set(staff=person, week=form.week())
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(name)s's weekly hours are saved.") % {"name": person.name}
            )
            return redirect(f"{_url(person)}#hours")
    return _staff_page(request, person, hours_form=form, status=400)


@role_required(Role.MANAGER)
@require_POST
def hours_override_set(request, pk: int):
    person = selectors.staff_get(pk)
    form = HoursOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.hours_override_set(
                staff=person,
                date=form.cleaned_data["date"],
                intervals=form.cleaned_data["intervals"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Hours for %(date)s are saved.")
                % {"date": format_day(form.cleaned_data["date"])},
            )
            return redirect(f"{_url(person)}#overrides")
    return _staff_page(request, person, override_form=form, status=400)


@role_required(Role.MANAGER)
@require_POST
def hours_override_clear(request, pk: int):
    person = selectors.staff_get(pk)
    form = HoursOverrideForm({"date": request.POST.get("date"), "intervals": ""})
    if form.is_valid():
        services.hours_override_clear(staff=person, date=form.cleaned_data["date"])
        messages.success(
            request,
            _("The usual hours apply again on %(date)s.")
            % {"date": format_day(form.cleaned_data["date"])},
        )
    else:
        messages.error(request, _("Choose the date to reset."))
    return redirect(f"{_url(person)}#overrides")


@role_required(Role.MANAGER)
@require_POST
def time_off_add(request, pk: int):
    person = selectors.staff_get(pk)
    form = TimeOffForm(request.POST)
    if form.is_valid():
        starts_at, ends_at = form.instants(practice_zone())
        try:
            services.time_off_add(
                staff=person,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                name = TimeOffForm.FIELD_FOR.get(name, name)
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, _("Time off is added."))
            clashing = appointments_clashing(staff=person, starts_at=starts_at, ends_at=ends_at)
            if clashing:
                messages.warning(
                    request,
                    _(
                        "%(n)d booked appointments fall in this time; move or cancel them from the "
                        "calendar."
                    )
                    % {"n": len(clashing)},
                )
            return redirect(f"{_url(person)}#time-off")
    return _staff_page(request, person, time_off_form=form, status=400)


@role_required(Role.MANAGER)
@require_POST
def time_off_delete(request, pk: int, time_off_pk: int):
    person = selectors.staff_get(pk)
    time_off = get_object_or_404(TimeOff, pk=time_off_pk, staff=person)
    services.time_off_delete(time_off=time_off)
    messages.success(request, _("Time off is removed."))
    return redirect(f"{_url(person)}#time-off")


@role_required(Role.MANAGER)
@require_POST
def staff_feed_reset(request, pk: int):
    """A new feed address, shown on this response only (no redirect: it is not kept)."""
    person = selectors.staff_get(pk)
    person, token = services.staff_calendar_token_reset(staff=person)
    messages.success(
        request,
        _("%(name)s has a new calendar feed address; any older one no longer works.")
        % {"name": person.name},
    )
    return _staff_page(request, person, new_feed_url=feed_url(request, token))


def _url(person) -> str:
    return reverse("appointments:staff_edit", args=[person.pk])
