"""Messages → Templates: which wording each purpose has per channel and language, the editor
with a live preview against a real contact. Staff read; managers change the wording."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.contacts.choices import Channel
from apps.contacts.selectors import contact_find, contacts_live
from cxsuite.lib.forms import StyledFormMixin, form_add_service_errors

from ..models import Template
from ..registries import purposes
from ..services.templates import (
    purpose_variables,
    sms_length,
    template_delete,
    template_render_source,
    template_sample_context,
    template_save,
    template_validate,
    template_variants,
)

PREVIEW_CONTACTS = 50


class TemplateForm(StyledFormMixin, forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=gettext_lazy("Message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy(
            "Use variables like {{ contact.first_name }}; the list of what "
            "this message can use is below."
        ),
    )
    contact = forms.TypedChoiceField(
        label=gettext_lazy("Preview for"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, channel: str, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].choices = [(c.pk, str(c)) for c in contacts]
        if channel != Channel.EMAIL:
            del self.fields["subject"]


def _key(request) -> tuple[str, str, str]:
    """The purpose, channel and language named in the query string; anything else is a 404."""
    params = request.GET if request.method == "GET" else request.POST
    purpose = params.get("purpose", "")
    channel = params.get("channel", "")
    language = params.get("language", "")
    if purpose not in purposes or channel not in Channel.values:
        raise Http404
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Http404
    return purpose, channel, language


def _edit_url(purpose: str, channel: str, language: str) -> str:
    query = urlencode({"purpose": purpose, "channel": channel, "language": language})
    return f"{reverse('messaging:template_edit')}?{query}"


@role_required(Role.STAFF)
@require_GET
def template_list(request):
    stored = set(Template.objects.values_list("purpose", "channel", "language"))
    languages = [code for code, _name in settings.LANGUAGES]
    rows = []
    for purpose in purposes.values():
        channels = []
        for channel, channel_label in Channel.choices:
            variants = []
            for lang in languages:
                key = (purpose.key, channel, lang)
                shipped = (channel, lang) in purpose.defaults
                state = "own" if key in stored else "default" if shipped else ""
                variants.append({"language": lang, "state": state, "url": _edit_url(*key)})
            channels.append({"label": channel_label, "variants": variants})
        rows.append({"purpose": purpose, "channels": channels})
    return render(request, "messaging/template_list.html", {"rows": rows})


def _preview_contacts(selected: int | None):
    contacts = list(contacts_live()[:PREVIEW_CONTACTS])
    if selected and selected not in {c.pk for c in contacts}:
        extra = contact_find(pk=selected)
        if extra:
            contacts.insert(0, extra)
    return contacts


def _preview(*, purpose, channel, language, subject, body, contact, allowed) -> dict:
    """What the draft says to this contact, or why it cannot be sent as it is."""
    try:
        template_validate(
            purpose=purpose,
            channel=channel,
            language=language,
            subject=subject,
            body=body,
            allowed=allowed,
        )
    except ValidationError as exc:
        return {"errors": [m for ms in exc.message_dict.values() for m in ms]}
    if contact is None:
        return {"errors": [_("Add a contact to see a preview.")]}
    rendered = template_render_source(
        channel=channel,
        language=language,
        subject=subject,
        body=body,
        contact=contact,
        context=template_sample_context(purpose=purpose),
    )
    return {
        "rendered": rendered,
        "contact": contact,
        "length": sms_length(rendered.body) if channel == Channel.SMS else len(rendered.body),
    }


def _contact_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def template_edit(request):
    purpose, channel, language = _key(request)
    if request.method == "POST" and not request.user.has_role(Role.MANAGER):
        raise PermissionDenied  # staff read the wording; managers change it
    variants = template_variants(purpose=purpose, channel=channel)
    subject, body, own = variants.get(language, ("", "", False))
    contacts = _preview_contacts(_contact_id(request.POST.get("contact")))
    if request.method == "POST" and request.POST.get("action") == "reset":
        template_delete(purpose=purpose, channel=channel, language=language)
        messages.success(request, _("Back to the shipped wording."))
        return redirect(_edit_url(purpose, channel, language))
    if request.method == "POST":
        form = TemplateForm(request.POST, channel=channel, contacts=contacts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                template_save(
                    purpose=purpose,
                    channel=channel,
                    language=language,
                    subject=data.get("subject", ""),
                    body=data["body"],
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Template saved."))
                return redirect(_edit_url(purpose, channel, language))
    else:
        form = TemplateForm(
            initial={
                "subject": subject,
                "body": body,
                "contact": contacts[0].pk if contacts else None,
            },
            channel=channel,
            contacts=contacts,
        )
    allowed = purpose_variables(purpose)
    draft_subject = form["subject"].value() if "subject" in form.fields else ""
    contact = next((c for c in contacts if c.pk == _contact_id(form["contact"].value())), None)
    context = {
        "form": form,
        "purpose": purposes[purpose],
        "channel": channel,
        "channel_label": Channel(channel).label,
        "language": language,
        "own": own,
        "can_edit": request.user.has_role(Role.MANAGER),
        "variables": sorted(allowed),
        "preview_url": reverse("messaging:template_preview"),
        "preview": _preview(
            purpose=purpose,
            channel=channel,
            language=language,
            subject=draft_subject or "",
            body=form["body"].value() or "",
            contact=contact or (contacts[0] if contacts else None),
            allowed=allowed,
        ),
    }
    return render(request, "messaging/template_form.html", context)


@role_required(Role.STAFF)
@require_POST
def template_preview(request):
    """The preview partial for the draft in the editor (nothing is saved)."""
    purpose, channel, language = _key(request)
    contact_id = _contact_id(request.POST.get("contact"))
    contact = contact_find(pk=contact_id) if contact_id else contacts_live().first()
    preview = _preview(
        purpose=purpose,
        channel=channel,
        language=language,
        subject=request.POST.get("subject", ""),
        body=request.POST.get("body", ""),
        contact=contact,
        allowed=purpose_variables(purpose),
    )
    return render(
        request, "messaging/_template_preview.html", {"preview": preview, "channel": channel}
    )
