"""Quick actions on the contact page: note, call, task, consent. Each answers an htmx request
with the pieces of the page it changed, and a plain form post with a redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.forms import form_add_service_errors

from .. import selectors, services
from ..forms import (
    CallLogForm,
    ConsentForm,
    NoteForm,
    TaskForm,
    active_users,
)
from ..models import (
    ConsentMethod,
    Contact,
    Task,
)
from .contacts import (
    consent_context,
    detail_context,
    is_partial,
    safe_next,
    tasks_context,
    timeline_context,
)


# --- quick actions -------------------------------------------------------------------------------
def _writable_contact(pk: int) -> Contact:
    contact = selectors.contact_get(pk)
    if contact.erased_at:
        raise PermissionDenied(_("This contact was erased and cannot be changed."))
    return contact


def _timeline_response(request, contact: Contact, *, oob: list[tuple[str, dict]] = ()):
    """The refreshed first page of the timeline, plus any out-of-band fragments."""
    context = {"contact": contact, **timeline_context(contact, None)}
    content = render(request, "contacts/_timeline.html", context).content
    for template, extra in oob:
        content += render(request, template, {"contact": contact, "oob": True, **extra}).content
    return HttpResponse(content)


def _form_error_response(request, template: str, target: str, context: dict) -> HttpResponse:
    response = render(request, template, context)
    retarget(response, target)
    reswap(response, "outerHTML")
    return response


def _timeline_write(request, pk: int, *, form_class, template, target, key, write):
    """Shared shape of "add a note" and "log a call": validate, call the service, redraw."""
    contact = _writable_contact(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            write(contact, form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
    if form.errors:
        if is_partial(request):
            return _form_error_response(request, template, target, {"contact": contact, key: form})
        context = detail_context(request, contact, **{key: form})
        return render(request, "contacts/contact_detail.html", context, status=400)
    if is_partial(request):
        return _timeline_response(request, contact, oob=[(template, {key: form_class()})])
    return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#timeline")


@role_required(Role.STAFF)
@require_POST
def contact_note_add(request, pk: int):
    return _timeline_write(
        request,
        pk,
        form_class=NoteForm,
        template="contacts/_note_form.html",
        target="#note-form",
        key="note_form",
        write=lambda contact, data: services.note_add(
            contact=contact, text=data["text"], actor=request.user
        ),
    )


@role_required(Role.STAFF)
@require_POST
def contact_call_log(request, pk: int):
    return _timeline_write(
        request,
        pk,
        form_class=CallLogForm,
        template="contacts/_call_form.html",
        target="#call-form",
        key="call_form",
        write=lambda contact, data: services.call_log_add(
            contact=contact,
            summary=data["summary"],
            direction=data["direction"],
            actor=request.user,
        ),
    )


def _tasks_response(request, contact: Contact, **kwargs) -> HttpResponse:
    """The task card, with the timeline swapped out-of-band (tasks leave events there)."""
    content = render(
        request, "contacts/_task_list.html", tasks_context(request, contact, **kwargs)
    ).content
    timeline = {"oob": True, "contact": contact, **timeline_context(contact, None)}
    content += render(request, "contacts/_timeline.html", timeline).content
    return HttpResponse(content)


@role_required(Role.STAFF)
@require_POST
def contact_task_add(request, pk: int):
    contact = _writable_contact(pk)
    users = list(active_users())
    form = TaskForm(request.POST, users=users)
    if form.is_valid():
        try:
            services.task_create(
                contact=contact,
                title=form.cleaned_data["title"],
                due_date=form.cleaned_data["due_date"],
                assignee=form.cleaned_data["assignee"],
                created_by=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
    if form.errors:
        if is_partial(request):
            return render(
                request,
                "contacts/_task_list.html",
                tasks_context(request, contact, task_form=form),
            )
        context = detail_context(request, contact, task_form=form)
        return render(request, "contacts/contact_detail.html", context, status=400)
    if is_partial(request):
        return _tasks_response(request, contact, users=users)
    messages.success(request, _("Task added."))
    return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#task-list")


@role_required(Role.STAFF)
@require_POST
def contact_task_complete(request, pk: int, task_pk: int):
    contact = _writable_contact(pk)
    task = get_object_or_404(Task, pk=task_pk, contact=contact)
    services.task_complete(task=task, actor=request.user)
    if is_partial(request):
        return _tasks_response(request, contact)
    messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return redirect(safe_next(request, reverse("contacts:contact_detail", args=[contact.pk])))


@role_required(Role.STAFF)
@require_POST
def contact_consent_set(request, pk: int):
    contact = _writable_contact(pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a channel and a status."))
    else:
        try:
            services.consent_set(
                contact=contact,
                channel=form.cleaned_data["channel"],
                status=form.cleaned_data["status"],
                method=ConsentMethod.STAFF,
                actor=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    if not is_partial(request):
        return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#consent-panel")
    contact = selectors.contact_get(contact.pk)  # the consent columns just changed
    content = render(
        request,
        "contacts/_consent_panel.html",
        {"contact": contact, **consent_context(contact), "can_write": True},
    ).content
    timeline = {"oob": True, "contact": contact, **timeline_context(contact, None)}
    content += render(request, "contacts/_timeline.html", timeline).content
    return HttpResponse(content)
