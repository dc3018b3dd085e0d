"""Contact data in and out: CSV import (upload, mapping, progress), CSV export, the privacy
actions of the contact page (JSON download, erase) and the duplicates page with its merge.

The two small forms live here because they serve only these pages."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.forms import StyledFormMixin, form_add_service_errors

from ..models import Contact, ImportJob, ImportStatus
from ..selectors import contact_get
from ..selectors.duplicates import duplicate_groups
from ..selectors.exports import contacts_csv, contacts_for_export
from ..services.contacts import phone_display
from ..services.imports import (
    IMPORT_MAX_BYTES,
    import_preview,
    import_start,
    import_targets,
    import_upload,
)
from ..services.merge import contacts_merge
from ..services.privacy import contact_erase, contact_export_data

RECENT_IMPORTS = 10
ERRORS_SHOWN = 500


def _is_partial(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "UTF-8, comma or semicolon separated, first line naming the columns; up to 20 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


# --- import ------------------------------------------------------------------------------------
@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def import_upload_view(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_upload(file=form.cleaned_data["file"], actor=request.user)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect("contacts:import_mapping", pk=job.pk)
    jobs = ImportJob.objects.defer("errors", "mapping")[:RECENT_IMPORTS]
    return render(
        request,
        "contacts/import_upload.html",
        {"form": form, "jobs": jobs, "max_mb": IMPORT_MAX_BYTES // (1024 * 1024)},
    )


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def import_mapping(request, pk: int):
    job = get_object_or_404(ImportJob, pk=pk)
    if job.mapping or job.status != ImportStatus.PENDING or not job.file:
        return redirect("contacts:import_detail", pk=job.pk)
    preview = import_preview(job)
    targets = import_targets()
    errors: list[str] = []
    on_match = request.POST.get("on_match", job.on_match)
    if request.method == "POST":
        mapping = {
            column["name"]: request.POST.get(f"col-{index}", "")
            for index, column in enumerate(preview["columns"])
        }
        for column in preview["columns"]:
            column["target"] = mapping[column["name"]]
        file_defaults = {"email_marketing": request.POST.get("file_email_marketing", "")}
        preview["file_defaults"] = file_defaults
        try:
            import_start(
                job=job,
                mapping=mapping,
                on_match=on_match,
                actor=request.user,
                file_defaults=file_defaults,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The import has started."))
            return redirect("contacts:import_detail", pk=job.pk)
    return render(
        request,
        "contacts/import_mapping.html",
        {
            "job": job,
            "preview": preview,
            "targets": targets,
            "errors": errors,
            "on_match": on_match,
        },
    )


@role_required(Role.VIEWER)
@require_GET
def import_detail(request, pk: int):
    job = get_object_or_404(ImportJob.objects.select_related("created_by"), pk=pk)
    context = {
        "job": job,
        "running": job.status in (ImportStatus.PENDING, ImportStatus.RUNNING) and bool(job.mapping),
        "percent": int(100 * job.processed_rows / job.total_rows) if job.total_rows else 0,
        "rejected": len(job.errors),
        "errors_shown": job.errors[:ERRORS_SHOWN],
    }
    if _is_partial(request):
        return render(request, "contacts/_import_progress.html", context)
    return render(request, "contacts/import_detail.html", context)


# --- export ------------------------------------------------------------------------------------
@role_required(Role.STAFF)
@require_GET
def contact_export(request):
    contacts = contacts_for_export(
        query=request.GET.get("q", ""),
        tag=request.GET.get("tag", ""),
        stage=request.GET.get("stage", ""),
        segment=request.GET.get("segment", ""),
        ids=request.GET.get("ids", ""),
    )
    response = StreamingHttpResponse(contacts_csv(contacts), content_type="text/csv; charset=utf-8")
    name = f"contacts-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- privacy -----------------------------------------------------------------------------------
@role_required(Role.STAFF)
@require_GET
def contact_privacy_export(request, pk: int):
    contact = contact_get(pk)
    body = json.dumps(contact_export_data(contact), indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


def _contact_url(pk: int) -> str:
    try:
        return reverse("contacts:contact_detail", args=[pk])
    except NoReverseMatch:  # the contact page is another area's; keep working without it
        return reverse("contacts:duplicate_list")


@role_required(Role.MANAGER)
@require_POST
def contact_erase_view(request, pk: int):
    contact = contact_get(pk)
    contact_erase(contact=contact, actor=request.user)
    messages.success(request, _("The contact's personal data was erased."))
    url = _contact_url(contact.pk)
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# --- duplicates --------------------------------------------------------------------------------
def _groups():
    groups = duplicate_groups()
    for group in groups:
        for contact in group.contacts:
            contact.phone_pretty = phone_display(contact.phone)
    return groups


@role_required(Role.VIEWER)
@require_GET
def duplicate_list(request):
    context = {"groups": _groups(), "can_merge": request.user.has_role(Role.STAFF)}
    if _is_partial(request):
        return render(request, "contacts/_duplicate_list.html", context)
    return render(request, "contacts/duplicate_list.html", context)


@role_required(Role.STAFF)
@require_POST
def duplicate_merge(request):
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isdigit()]
    survivor_id = request.POST.get("survivor", "")
    contacts = {c.pk: c for c in Contact.objects.filter(pk__in=ids).defer("search")}
    survivor = contacts.get(int(survivor_id)) if survivor_id.isdigit() else None
    if survivor is None:
        messages.error(request, _("Choose the contact to keep."))
    else:
        others = [c for pk, c in contacts.items() if pk != survivor.pk]
        try:
            contacts_merge(survivor=survivor, others=others, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Merged %(n)s contacts into %(name)s.")
                % {"n": len(others) + 1, "name": survivor},
            )
    if _is_partial(request):
        context = {"groups": _groups(), "can_merge": True}
        return render(request, "contacts/_duplicate_list.html", context)
    return redirect("contacts:duplicate_list")
