"""The public booking page (no login): service → staff or anyone → day and time → details →
confirmation; the customer's own page behind the signed link to move or cancel; the .ics
downloads and the staff calendar feeds.

Every step is a plain GET page whose choices live in the query string, so the back button
and a shared link work; htmx only swaps the day-and-time picker in place (`_slot_picker`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.tenants.formats import format_day_time, format_time
from apps.tenants.languages import customer_page
from cxsuite.lib.errors import DomainError
from cxsuite.lib.forms import form_add_service_errors

from ..forms.public import BookingDetailsForm, WaitlistForm
from ..models import Service, Source, StaffMember
from ..selectors.availability import (
    Slot,
    availability_for_service,
    bookable_staff,
    local_day_bounds,
    practice_zone,
    slot_at,
    slots_by_day,
    slots_next,
)
from ..selectors.setup import services_bookable_online
from ..services import (
    SlotTaken,
    appointment_book_for_customer,
    appointment_manage_token,
    appointment_settings,
    waitlist_join,
)

WINDOW_DAYS = 14
ANY = "any"
TEMPLATES = "appointments/public"


def is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


# --- the choices in the query string ---------------------------------------------------------
def start_param(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def parse_start(value: str | None) -> dt.datetime | None:
    try:
        parsed = dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def embeddable(view):
    """A page of the booking flow a business may show inside its own website (the embed
    snippet's iframe): any site may frame it (CSP frame-ancestors and no X-Frame-Options),
    while every staff page stays DENY / 'none'. Its form posts without a CSRF token: inside
    another site's frame the browser keeps no cookie of ours, and the form acts only as the
    anonymous customer typing it (no session, no login is read), so a forged post can do
    nothing a direct one cannot."""
    return csrf_exempt(xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view)))


def online_services():
    """What customers can book here: active, online, with someone who takes online bookings
    and has hours (the services list flags the others)."""
    return services_bookable_online().order_by("position", "name")


@dataclass
class Choice:
    """What the customer has chosen so far (each part read leniently: bad values are unset)."""

    service: Service | None = None
    staff_options: list[StaffMember] = field(default_factory=list)
    staff_key: str = ""  # "" = not chosen yet, "any", or a staff id
    staff: StaffMember | None = None  # None = anyone
    window: dt.date | None = None
    day: dt.date | None = None
    start: dt.datetime | None = None

    @property
    def step(self) -> str:
        if self.service is None:
            return "service"
        if not self.staff_key:
            return "staff"
        return "details" if self.start else "time"

    def query(self, **changes) -> str:
        params = {
            "service": self.service.pk if self.service else None,
            "staff": self.staff_key,
            "from": self.window,
            "date": self.day,
            "start": self.start,
        }
        params.update(changes)
        pairs = {}
        for key, value in params.items():
            if value in (None, ""):
                continue
            pairs[key] = start_param(value) if isinstance(value, dt.datetime) else str(value)
        return f"?{urlencode(pairs)}" if pairs else "?"


def choice_from(params) -> Choice:
    choice = Choice(window=parse_date(params.get("from")), day=parse_date(params.get("date")))
    service_id = params.get("service") or ""
    if service_id.isdigit():
        choice.service = online_services().filter(pk=int(service_id)).first()
    if choice.service is None:
        return choice
    choice.staff_options = bookable_staff(service=choice.service, online=True)
    wanted = params.get("staff") or ""
    picked = next((s for s in choice.staff_options if str(s.pk) == wanted), None)
    if picked is not None and len(choice.staff_options) > 1:
        choice.staff_key, choice.staff = str(picked.pk), picked
    elif wanted == ANY or picked is not None or len(choice.staff_options) == 1:
        choice.staff_key = ANY
    choice.start = parse_start(params.get("start"))
    return choice


# --- the day-and-time picker (booking and rescheduling) --------------------------------------
PERIODS = [
    (12, pgettext("time of day", "Morning")),
    (17, pgettext("time of day", "Afternoon")),
    (24, pgettext("time of day", "Evening")),
]


def _periods(slots: list[Slot], zone, time_url: Callable[[Slot], str]) -> list[dict]:
    groups: list[dict] = []
    for slot in slots:
        local = slot.local(zone)
        label = next(name for limit, name in PERIODS if local.hour < limit)
        if not groups or groups[-1]["label"] != label:
            groups.append({"label": label, "slots": []})
        groups[-1]["slots"].append(
            {
                "text": format_time(local),
                "url": time_url(slot),
                "value": start_param(slot.starts_at),
            }
        )
    return groups


def slot_picker(
    *,
    service: Service,
    staff: StaffMember | None,
    window: dt.date | None,
    day: dt.date | None,
    link: Callable[..., str],
    ignore: int | None = None,
    not_before: dt.datetime | None = None,
) -> dict:
    """Days with free times in a two-week window (prev/next move it) and the chosen day's
    times; `link(window=, date=, start=)` builds each button's address. Times before
    `not_before` (a move inside the practice's notice window) are not offered at all."""
    zone = practice_zone()
    today = max(timezone.now(), not_before or timezone.now()).astimezone(zone).date()
    last = today + dt.timedelta(days=service.horizon_days)
    first = min(max(window or day or today, today), last)
    end = min(first + dt.timedelta(days=WINDOW_DAYS - 1), last)
    slots = availability_for_service(
        service=service,
        date_from=first,
        date_to=end,
        staff=staff,
        online=True,
        ignore_appointment_id=ignore,
    )
    if not_before is not None:
        slots = [slot for slot in slots if slot.starts_at >= not_before]
    by_day = slots_by_day(slots, zone)
    days = sorted(by_day)
    if day not in by_day:
        day = days[0] if days else None
    picker = {
        "window_from": first,
        "window_to": end,
        "day": day,
        "zone": zone.key,
        "days": [
            {
                "date": d,
                "count": len(by_day[d]),
                "selected": d == day,
                "url": link(window=first, date=d),
            }
            for d in days
        ],
        "periods": _periods(
            by_day.get(day, []), zone, lambda s: link(window=first, date=day, start=s.starts_at)
        ),
        "prev_url": link(window=max(first - dt.timedelta(days=WINDOW_DAYS), today), date=None)
        if first > today
        else "",
        "next_url": link(window=end + dt.timedelta(days=1), date=None) if end < last else "",
        "next_free": None,
        "next_free_url": "",
    }
    if not days and end < last:
        after = local_day_bounds(end, zone)[1]
        found = slots_next(
            service=service,
            after=max(after, not_before) if not_before else after,
            staff=staff,
            online=True,
            limit=1,
            days=(last - end).days,
        )
        if found:
            when = found[0].local(zone).date()
            picker["next_free"] = when
            picker["next_free_url"] = link(window=when, date=when)
    return picker


def initials(name: str) -> str:
    """The avatar's letters: "Dr. Anna Weber" gives "AW" (titles with a full stop are skipped)."""
    words = [w for w in name.split() if not w.endswith(".")] or name.split() or ["?"]
    return (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()


def closed_page(request):
    return render(request, f"{TEMPLATES}/closed.html", {"phone": business_phone(request)})


def business_phone(request) -> str:
    return str(getattr(getattr(request, "tenant", None), "phone", "") or "")


# --- the booking steps -----------------------------------------------------------------------
@embeddable
@customer_page
@require_http_methods(["GET", "POST"])
def booking_start(request):
    """One address for every step; the query string says how far the customer got."""
    settings_row = appointment_settings()
    if not settings_row.online_booking:
        return closed_page(request)
    choice = choice_from(request.GET)
    context = {
        "choice": choice,
        "settings": settings_row,
        "step": choice.step,
        "change_staff_url": choice.query(staff=None, start=None),
    }
    if choice.step == "service":
        if request.GET.get("service"):
            messages.info(request, _("That service cannot be booked online. Please choose one."))
        services = list(online_services())
        context["services"] = [
            {"service": s, "url": choice.query(service=s.pk, staff=None, start=None)}
            for s in services
        ]
    elif choice.step == "staff":
        context["staff_links"] = [
            {"label": _("Anyone available"), "url": choice.query(staff=ANY), "any": True}
        ] + [
            {
                "label": s.name,
                "title": s.title,
                "url": choice.query(staff=s.pk),
                "initials": initials(s.name),
            }
            for s in choice.staff_options
        ]
    elif choice.step == "time":
        context.update(_time_context(choice))
        if is_partial(request):
            return render(request, f"{TEMPLATES}/_slot_picker.html", context)
    else:
        return _details(request, choice, context)
    return render(request, f"{TEMPLATES}/booking.html", context)


def _time_context(choice: Choice) -> dict:
    def link(window=None, date=None, start=None) -> str:
        page = reverse("appointments:booking_start")
        return page + choice.query(**{"from": window, "date": date, "start": start})

    picker = slot_picker(
        service=choice.service, staff=choice.staff, window=choice.window, day=choice.day, link=link
    )
    context = {"picker": picker, "waitlist_url": ""}
    if not picker["days"]:
        context["waitlist_url"] = reverse("appointments:booking_waitlist") + choice.query(
            **{"from": picker["window_from"], "date": None}
        )
    return context


def _details(request, choice: Choice, context: dict):
    """The details form; on submit the contact is matched and the time booked, or the
    customer is told which field to fix or that someone was quicker."""
    service, start = choice.service, choice.start
    back = choice.query(start=None, date=start.astimezone(practice_zone()).date())
    context.update(back_url=back, start_text=local_text(start))
    if request.method == "GET":
        if slot_at(service=service, staff=choice.staff, starts_at=start, online=True) is None:
            messages.warning(request, _("That time is not free any more. Please choose another."))
            return redirect(request.path + back)
        context["form"] = BookingDetailsForm()
        return render(request, f"{TEMPLATES}/booking.html", context)
    form = BookingDetailsForm(request.POST)
    context["form"] = form
    if form.is_valid():
        try:
            appointment = appointment_book_for_customer(
                customer=form.customer(),
                service=service,
                starts_at=start,
                staff=choice.staff,
                source=Source.ONLINE,
                notes=form.cleaned_data["notes"],
            )
        except SlotTaken as exc:
            return _slot_taken(request, choice, context, exc)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect(
                "appointments:booking_done", token=appointment_manage_token(appointment)
            )
    return render(request, f"{TEMPLATES}/booking.html", context, status=400)


def _slot_taken(request, choice: Choice, context: dict, exc: SlotTaken):
    """Back to the times of that day, with the next free ones as buttons that book them with
    the details already typed."""
    choice.day = choice.start.astimezone(practice_zone()).date()
    choice.window = None
    context.update(
        _time_context(choice),
        step="time",
        taken=True,
        taken_message=exc.message,
        next_slots=[
            {"text": local_text(s.starts_at), "action": choice.query(start=s.starts_at)}
            for s in exc.next_slots
        ],
    )
    choice.start = None
    return render(request, f"{TEMPLATES}/booking.html", context, status=409)


def local_text(when: dt.datetime) -> str:
    zone = practice_zone()
    local = when.astimezone(zone)
    return format_day_time(local, zone=True)


@embeddable
@customer_page
@require_http_methods(["GET", "POST"])
def booking_waitlist(request):
    """Nothing free in the days the customer looked at: ask to be told when something is."""
    if not appointment_settings().online_booking:
        return closed_page(request)
    choice = choice_from(request.GET)
    if choice.service is None:
        raise Http404
    today = timezone.now().astimezone(practice_zone()).date()
    if request.GET.get("joined"):
        return render(request, f"{TEMPLATES}/waitlist.html", {"choice": choice, "joined": True})
    start = max(choice.window or today, today)
    initial = {"date_from": start, "date_to": start + dt.timedelta(days=WINDOW_DAYS - 1)}
    form = WaitlistForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            waitlist_join(
                customer=form.customer(),
                service=choice.service,
                staff=choice.staff,
                date_from=data["date_from"],
                date_to=data["date_to"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect(request.path + choice.query(joined=1, start=None, date=None))
    status = 400 if request.method == "POST" else 200
    context = {
        "choice": choice,
        "form": form,
        "back_url": reverse("appointments:booking_start") + choice.query(start=None),
    }
    return render(request, f"{TEMPLATES}/waitlist.html", context, status=status)
