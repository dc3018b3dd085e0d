"""The contact pages: the list (search as you type, filters, bulk tags), the contact form, and
the contact page with its consent panel, RFM, purchases, timeline and quick actions.

Every page reads a bounded number of rows; an htmx request gets the underscored partial."""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.tenants.formats import format_date

from .. import selectors, services
from ..catalogue import event_display
from ..forms import (
    BulkActionForm,
    CallLogForm,
    ContactFilterForm,
    ContactForm,
    NoteForm,
    TaskForm,
    active_users,
)
from ..models import (
    Channel,
    ConsentStatus,
    Contact,
    CustomField,
    CustomFieldType,
    RfmScore,
    Segment,
)
from .panels import panels_for

PAGE_SIZE = 50
COUNT_CAP = 1000  # a filtered list counts up to here and then says "1,000+"
TIMELINE_PAGE = 25
CONSENT_HISTORY = 20
TASKS_SHOWN = 50
PURCHASES_SHOWN = 5


def is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


def can_write_for(request) -> bool:
    return request.user.has_role(Role.STAFF)


def _url_or_none(name: str, *args) -> str | None:
    """The URL of a page another area may not have built yet (no dead links meanwhile)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- list ----------------------------------------------------------------------------------------
def _list_context(request) -> dict:
    filters = ContactFilterForm(request.GET).values()
    segment = None
    if filters["segment"]:
        segment = get_object_or_404(
            Segment.objects.only("pk", "name", "kind"), pk=filters["segment"]
        )
    contacts = selectors.contact_list(
        query=filters["q"],
        tag=filters["tag"],
        stage=filters["stage"],
        segment=segment,
        sort=filters["sort"],
    )
    page = filters["page"]
    offset = (page - 1) * PAGE_SIZE
    # One row more than a page tells whether there is a next page without counting everything.
    rows = list(contacts[offset : offset + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for contact in rows:
        contact.phone_pretty = services.phone_display(contact.phone)
        # the template offers a line break before the "@" so a long address fits its column
        contact.email_local, _at, contact.email_domain = contact.email.partition("@")
    filtered = bool(filters["q"] or filters["tag"] or filters["stage"] or segment)
    total = None
    if filtered:
        total = contacts.order_by()[: COUNT_CAP + 1].count()
    return {
        "contacts": rows,
        "filters": filters,
        "segment": segment,
        "filtered": filtered,
        "total": total,
        "total_capped": total is not None and total > COUNT_CAP,
        "count_cap": COUNT_CAP,
        "page": page,
        "has_next": has_next,
        "has_previous": page > 1,
        "first_row": offset + 1,
        "last_row": offset + len(rows),
        "can_write": can_write_for(request),
        "export_url": _url_or_none("contacts:contact_export"),
        "import_url": _url_or_none("contacts:import_upload"),
    }


@role_required(Role.VIEWER)
@require_GET
def contact_list(request):
    context = _list_context(request)
    if is_partial(request):
        return render(request, "contacts/_contact_table.html", context)
    context["segments"] = list(Segment.objects.only("pk", "name").order_by("name")[:200])
    context["stages"] = ContactFilterForm.base_fields["stage"].choices[1:]
    context["sorts"] = ContactFilterForm.base_fields["sort"].choices
    return render(request, "contacts/contact_list.html", context)


@role_required(Role.STAFF)
@require_POST
def contacts_bulk(request):
    """Add or remove a tag on the ticked rows, or hand them to the export."""
    back = safe_next(request, reverse("contacts:contact_list"))
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        if "ids" in form.errors:
            messages.error(request, _("Tick at least one contact first."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(back)
    ids, action, tag = (form.cleaned_data[k] for k in ("ids", "action", "tag"))
    if action == "export":
        export_url = _url_or_none("contacts:contact_export")
        if export_url is None:
            messages.error(request, _("Export is not available yet."))
            return redirect(back)
        return redirect(f"{export_url}?{urlencode({'ids': ','.join(map(str, ids))})}")
    try:
        if action == "add":
            changed = services.contacts_tag(contact_ids=ids, add=[tag])
        else:
            changed = services.contacts_tag(contact_ids=ids, remove=[tag])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(back)
    tag = (services.tags_normalize([tag]) or [tag])[0]
    if action == "add":
        text = _("Tag “%(tag)s” added to %(n)d contacts.")
    else:
        text = _("Tag “%(tag)s” removed from %(n)d contacts.")
    messages.success(request, text % {"tag": tag, "n": changed})
    return redirect(back)


# --- create and edit -----------------------------------------------------------------------------
def _contact_form(request, *, contact: Contact | None) -> ContactForm:
    initial = ContactForm.initial_for(contact) if contact else {}
    return ContactForm(
        request.POST or None,
        initial=initial,
        custom_fields=CustomField.objects.all(),
        country=request.tenant.country,
    )


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def contact_create(request):
    form = _contact_form(request, contact=None)
    if request.method == "POST" and form.is_valid():
        try:
            # the form's "source" is where they came from; the event says "staff" when blank
            contact = services.contact_create(actor=request.user, **form.service_values())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": contact})
            return redirect("contacts:contact_detail", pk=contact.pk)
    return render(request, "contacts/contact_form.html", {"form": form, "contact": None})


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def contact_edit(request, pk: int):
    contact = selectors.contact_get(pk)
    if contact.erased_at:
        messages.error(request, _("This contact was erased and cannot be changed."))
        return redirect("contacts:contact_detail", pk=contact.pk)
    form = _contact_form(request, contact=contact)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_update(
                contact=contact, actor=request.user, **form.service_values()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Changes to %(name)s are saved.") % {"name": contact})
            return redirect("contacts:contact_detail", pk=contact.pk)
    return render(request, "contacts/contact_form.html", {"form": form, "contact": contact})


# --- the contact page ----------------------------------------------------------------------------
def _custom_values(contact: Contact, definitions: list[CustomField]) -> list[tuple[str, str]]:
    """(label, value as people read it) for each custom field the contact has a value in."""
    shown = []
    for field in definitions:
        value = (contact.custom or {}).get(field.key)
        if value in (None, ""):
            continue
        if field.type == CustomFieldType.BOOLEAN:
            value = _("Yes") if value else _("No")
        elif field.type == CustomFieldType.DATE:
            with contextlib.suppress(ValueError):
                value = format_date(dt.date.fromisoformat(str(value)))
        shown.append((field.label, value))
    return shown


def consent_context(contact: Contact) -> dict:
    """Current status per channel with the change that set it, and the recent history."""
    latest = selectors.consent_latest_by_channel(contact)
    history = selectors.consent_history_for(contact, limit=CONSENT_HISTORY)
    channels = [
        {
            "value": value,
            "label": label,
            "status": contact.consent_for(value),
            "status_label": ConsentStatus(contact.consent_for(value)).label,
            "latest": latest.get(value),
        }
        for value, label in Channel.choices
    ]
    return {
        "consent_channels": channels,
        "consent_history": history,
        "consent_statuses": ConsentStatus.choices,
    }


def parse_before(raw: str) -> tuple[dt.datetime, int] | None:
    """The keyset "<ISO time>,<id>" of the last event seen, or None when absent or garbled."""
    at, _sep, pk = (raw or "").rpartition(",")
    when = parse_datetime(at) if at else None
    if when is None or timezone.is_naive(when) or not pk.isdigit():
        return None
    return when, int(pk)


def _timeline_decorate(events: list) -> None:
    """Each event's label, sentence and link, from the event catalogue."""
    for event in events:
        event.display = event_display(event)
        # the source is worth showing where it is not already said (e.g. "website" on a view)
        event.show_source = event.source not in ("", "staff") and event.display.kind not in (
            "message",
            "appointment",
            "waitlist",
        )


def timeline_context(contact: Contact, before: tuple[dt.datetime, int] | None) -> dict:
    events = selectors.timeline_for(contact, before=before, limit=TIMELINE_PAGE + 1)
    _timeline_decorate(events)
    older = None
    if len(events) > TIMELINE_PAGE:
        events = events[:TIMELINE_PAGE]
        last = events[-1]
        older = f"{last.occurred_at.astimezone(dt.UTC).isoformat()},{last.pk}"
    return {"events": events, "older": older, "paged": before is not None}


def tasks_context(request, contact: Contact, *, users=None, task_form=None) -> dict:
    can_write = can_write_for(request) and not contact.erased_at
    if can_write and task_form is None:
        users = list(active_users()) if users is None else users
        task_form = TaskForm(users=users, initial={"assignee": request.user.pk})
    return {
        "contact": contact,
        "tasks": selectors.tasks_open_for_contact(contact, limit=TASKS_SHOWN),
        "task_form": task_form,
        "today": timezone.localdate(),
        "can_write": can_write,
    }


def detail_context(request, contact: Contact, **forms) -> dict:
    can_write = can_write_for(request) and not contact.erased_at
    definitions = list(CustomField.objects.all())
    try:
        rfm = contact.rfm
    except RfmScore.DoesNotExist:
        rfm = None
    context = {
        "contact": contact,
        "can_write": can_write,
        "phone_pretty": services.phone_display(contact.phone),
        "email_parts": contact.email.partition("@")[::2],
        "custom_values": _custom_values(contact, definitions),
        "rfm": rfm,
        "purchases": selectors.transactions_recent_for(contact, limit=PURCHASES_SHOWN),
        **consent_context(contact),
        **timeline_context(contact, parse_before(request.GET.get("before", ""))),
        **tasks_context(request, contact, task_form=forms.get("task_form")),
    }
    # privacy export and erase belong to the data pages; shown once those exist
    context["privacy_actions"] = _url_or_none("contacts:contact_privacy_export", contact.pk)
    context["panels"] = panels_for(request.user, contact)
    if can_write:
        context["note_form"] = forms.get("note_form") or NoteForm()
        context["call_form"] = forms.get("call_form") or CallLogForm()
    return context


@role_required(Role.VIEWER)
@require_GET
def contact_detail(request, pk: int):
    contact = selectors.contact_get(pk)
    return render(request, "contacts/contact_detail.html", detail_context(request, contact))


@role_required(Role.VIEWER)
@require_GET
def contact_timeline(request, pk: int):
    """The next page of the timeline ("Show older"); without htmx, the contact page at it."""
    contact = selectors.contact_get(pk)
    before = parse_before(request.GET.get("before", ""))
    if not is_partial(request):
        url = reverse("contacts:contact_detail", args=[contact.pk])
        if before:
            url += "?" + urlencode({"before": request.GET["before"]}) + "#timeline"
        return redirect(url)
    return render(
        request,
        "contacts/_timeline_events.html",
        {"contact": contact, **timeline_context(contact, before)},
    )
