"""The staff calendar: the practice's day (a column per staff member), one person's day or
week, and the practice's week (a column per day, everyone's bookings side by side); plus the contact page's appointments panel.

Every view reads a fixed number of rows sets (see selectors.calendar), whatever the number of
staff and bookings. Times are the practice's, whatever the reader's own time zone."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.contacts.selectors import contact_get
from apps.contacts.views.panels import ContactPanel
from apps.tenants.formats import format_date, format_date_short, format_day, format_day_short

from ..forms.calendar import CalendarQueryForm
from ..models import StaffMember
from ..selectors.availability import practice_zone
from ..selectors.calendar import (
    appointments_awaiting_approval,
    appointments_for_contact,
    calendar_range,
    calendar_staff,
)
from .grid import build_grid, build_week_grid, staff_colours_css, status_class

CONTACT_PANEL = ContactPanel(
    id="appointments",
    title=_("Appointments"),
    url_name="appointments:contact_appointments",
    order=10,
    min_role=Role.VIEWER,
)


def is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def can_write(request) -> bool:
    return request.user.has_role(Role.STAFF)


def calendar_url(*, day: dt.date | None = None, view: str = "day", staff: int | None = None):
    """The calendar at a day (and view and person); the defaults stay out of the address."""
    query: dict = {}
    if day is not None:
        query["date"] = day.isoformat()
    if view != "day":
        query["view"] = view
    if staff:
        query["staff"] = staff
    base = reverse("appointments:calendar")
    return f"{base}?{urlencode(query)}" if query else base


def _day_title(day: dt.date) -> str:
    return format_day(day)


def _week_title(monday: dt.date) -> str:
    sunday = monday + dt.timedelta(days=6)
    if monday.year == sunday.year:
        return f"{format_date_short(monday)} – {format_date(sunday)}"
    return f"{format_date(monday)} – {format_date(sunday)}"


@role_required(Role.VIEWER)
@require_GET
def calendar(request):
    zone = practice_zone()
    now = timezone.now()
    today = now.astimezone(zone).date()
    query = CalendarQueryForm(request.GET).values(today)
    day, view = query["date"], query["view"]
    staff = None
    if query["staff"]:
        staff = get_object_or_404(StaffMember, pk=query["staff"])
    if view == "week":
        first = day - dt.timedelta(days=day.weekday())
        last, move = first + dt.timedelta(days=6), dt.timedelta(days=7)
        title = _week_title(first)
    else:
        first = last = day
        move = dt.timedelta(days=1)
        title = _day_title(day)
    data = calendar_range(date_from=first, date_to=last, staff=staff, zone=zone)
    writable = can_write(request)
    context = {
        "view": view,
        "day": day,
        "staff": staff,
        "title": title,
        "zone": zone,
        "today": today,
        "data": data,
        "can_write": writable,
        "step": data.step,
        "prev_url": calendar_url(day=day - move, view=view, staff=staff and staff.pk),
        "next_url": calendar_url(day=day + move, view=view, staff=staff and staff.pk),
        "today_url": calendar_url(view=view, staff=staff and staff.pk),
        "day_url": calendar_url(day=day, staff=staff and staff.pk),
        "week_url": calendar_url(day=day, view="week", staff=staff and staff.pk),
        "everyone_url": calendar_url(day=day, view=view),
        "pending": appointments_awaiting_approval(),
        "staff_choices": data.staff if staff is None else calendar_staff(),
    }
    if view == "week" and staff is None:
        grid = build_week_grid(data, now=now, back=request.get_full_path())
        for column in grid.columns:
            column.url = calendar_url(day=column.day)
        context.update(grid=grid, css=grid.css + staff_colours_css(data.staff))
    else:
        if staff is None:
            columns = [(person, day, person.name, person.title) for person in data.staff]
        elif view == "week":
            columns = [(staff, d, format_day_short(d), "") for d in data.days]
        else:
            columns = [(staff, day, staff.name, staff.title)]
        grid = build_grid(data, columns, now=now, can_book=writable, back=request.get_full_path())
        for column in grid.columns:
            column.url = (
                calendar_url(day=column.day, staff=column.staff.pk)
                if staff is None or view == "week"
                else calendar_url(day=column.day, view="week", staff=column.staff.pk)
            )
        context.update(grid=grid, css=grid.css)
    return render(request, "appointments/calendar.html", context)


@role_required(CONTACT_PANEL.min_role)
@require_GET
def contact_appointments(request, contact_pk: int):
    """The contact page's panel: upcoming bookings, the last visits and the no-show count."""
    contact = contact_get(contact_pk)
    if not is_partial(request):
        return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#appointments")
    panel = appointments_for_contact(contact)
    for appointment in panel["upcoming"] + panel["past"]:
        appointment.state = status_class(appointment)
    book_url = None
    if can_write(request) and not contact.erased_at:
        book_url = (
            f"{reverse('appointments:appointment_book')}?{urlencode({'contact': contact.pk})}"
        )
    return render(
        request,
        "appointments/_contact_appointments.html",
        {"contact": contact, "zone": practice_zone(), "book_url": book_url, **panel},
    )


def feed_url(request, token: str) -> str:
    """The calendar feed address that carries `token` (only when it has just been made)."""
    return request.build_absolute_uri(reverse("appointments:staff_feed", args=[token]))
