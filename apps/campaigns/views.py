"""Campaign pages: the list, the editor, the campaign (audience, previews, progress, actions,
report), the previews' frames, and the public web version."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.contacts.selectors import contact_find
from apps.contacts.selectors.segments import segment_list, segment_members
from cxsuite.lib.errors import DomainError
from cxsuite.lib.forms import form_add_service_errors

from . import selectors, services
from .blocks import blocks_html, blocks_text
from .charts import bar_chart
from .choices import CampaignStatus, SkipReason
from .forms import BlockFormSet, CampaignForm, ScheduleForm, TopicForm
from .html import business_details
from .models import Campaign, Topic

FRAME_CSP = {
    "frame-ancestors": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
}


def _campaign(pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("topic", "winner"), pk=pk)


@role_required(Role.VIEWER)
@require_GET
def campaign_list(request):
    campaigns = list(selectors.campaign_list().select_related("topic")[:200])
    progress = {c.pk: selectors.campaign_progress(campaign=c) for c in campaigns[:50]}
    rows = [(c, progress.get(c.pk)) for c in campaigns]
    return render(
        request,
        "campaigns/campaign_list.html",
        {"rows": rows, "can_edit": request.user.has_role(Role.MANAGER)},
    )


def _block_initial(blocks: list[dict]) -> list[dict]:
    return [dict(block) for block in blocks]


def _blocks_from(formset) -> list[dict]:
    blocks = []
    for form in formset.forms:
        data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        kind = data.get("type")
        if not kind:
            continue
        block = {"type": kind}
        for key in ("text", "url", "alt", "src"):
            if data.get(key):
                block[key] = data[key]
        if data.get("image") is not None:
            block["src"] = services.campaign_image_store(upload=data["image"])
        blocks.append(block)
    return blocks


STARTER_BLOCKS = [
    {"type": "heading", "text": ""},
    {"type": "text", "text": ""},
    {"type": "button", "text": "", "url": ""},
    {"type": "footer"},
]


AB_FIELDS = ("ab_share", "winner_metric", "winner_wait_hours", "conversion_days")


def _edited_label(request, campaign: Campaign | None, labels: list[str]) -> str:
    """The variant this page edits: an existing one, or the next letter to add one."""
    wanted = (request.POST.get("variant") or request.GET.get("variant") or "A").upper()
    if campaign is None:
        return "A"
    allowed = labels + (
        [services.LABELS[len(labels)]] if len(labels) < len(services.LABELS) else []
    )
    if wanted not in allowed:
        raise Http404
    return wanted


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def campaign_edit(request, pk: int | None = None):
    """The editor: audience and settings, then one variant's e-mail as blocks (A-D, one at a
    time, chosen by the tabs; a new block row appears after each save); saving shows the
    previews."""
    campaign = _campaign(pk) if pk else None
    if campaign is not None and campaign.status != CampaignStatus.DRAFT:
        messages.info(request, _("Only a draft can be changed."))
        return redirect("campaigns:campaign_detail", pk=campaign.pk)
    segments, topics = list(segment_list()), list(Topic.objects.all())
    variants = list(campaign.variants.order_by("label")) if campaign else []
    labels = [v.label for v in variants]
    label = _edited_label(request, campaign, labels)
    variant = next((v for v in variants if v.label == label), None)
    model = variant or (variants[0] if variants else None)  # a new variant starts as a copy of A
    blocks = model.blocks if model else STARTER_BLOCKS
    if request.method == "POST":
        form = CampaignForm(request.POST, segments=segments, topics=topics)
        formset = BlockFormSet(request.POST, request.FILES, prefix="blocks")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            by_pk = {s.pk: s for s in segments}
            chosen = [by_pk[i] for i in data["segments"] if i in by_pk]
            left = [by_pk[i] for i in data["excluded_segments"] if i in by_pk]
            topic = next((t for t in topics if t.pk == data["topic"]), None)
            ab = {key: data[key] for key in AB_FIELDS if data.get(key) not in (None, "")}
            try:
                variant_data = {
                    "subject": data["subject"],
                    "sender_name": data["sender_name"],
                    "sms_text": data["sms_text"],
                    "blocks": _blocks_from(formset),
                }
                if campaign is None:
                    campaign = services.campaign_create(
                        name=data["name"],
                        channel=data["channel"],
                        segments=chosen,
                        excluded_segments=left,
                        topic=topic,
                        throttle_per_minute=data["throttle_per_minute"] or 0,
                        variants=[variant_data],
                        actor=request.user,
                        **ab,
                    )
                else:
                    services.campaign_update(
                        campaign=campaign,
                        name=data["name"],
                        channel=data["channel"],
                        segments=chosen,
                        excluded_segments=left,
                        topic=topic,
                        throttle_per_minute=data["throttle_per_minute"] or 0,
                        variant=variant_data,
                        label=label,
                        ab=ab,
                    )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Campaign saved (variant %(label)s).") % {"label": label}
                )
                if "preview" in request.POST:
                    url = reverse("campaigns:campaign_edit", args=[campaign.pk])
                    return redirect(f"{url}?variant={label}")
                return redirect("campaigns:campaign_detail", pk=campaign.pk)
    else:
        initial: dict = {
            "channel": "email",
            "throttle_per_minute": 0,
            "ab_share": 0,
            "winner_metric": "opens",
            "winner_wait_hours": 4,
            "conversion_days": 7,
        }
        if campaign is not None:
            initial = {
                "name": campaign.name,
                "channel": campaign.channel,
                "segments": list(campaign.segments.values_list("pk", flat=True)),
                "excluded_segments": list(campaign.excluded_segments.values_list("pk", flat=True)),
                "topic": campaign.topic_id,
                "subject": model.subject if model else "",
                "sender_name": model.sender_name if model else "",
                "sms_text": model.sms_text if model else "",
                "throttle_per_minute": campaign.throttle_per_minute,
                **{key: getattr(campaign, key) for key in AB_FIELDS},
            }
        form = CampaignForm(initial=initial, segments=segments, topics=topics)
        rows = _block_initial(blocks) + [{}]
        formset = BlockFormSet(initial=rows, prefix="blocks")
    next_label = (
        services.LABELS[len(labels)] if campaign and len(labels) < len(services.LABELS) else ""
    )
    return render(
        request,
        "campaigns/campaign_form.html",
        {
            "form": form,
            "formset": formset,
            "campaign": campaign,
            "has_segments": bool(segments),
            "label": label,
            "labels": labels,
            "is_new_variant": campaign is not None and variant is None,
            "next_label": next_label if label != next_label else "",
            "last_label": labels[-1] if len(labels) > 1 else "",
        },
    )


@role_required(Role.MANAGER)
@require_POST
def campaign_variant_remove(request, pk: int, label: str):
    campaign = _campaign(pk)
    try:
        services.campaign_variant_remove(campaign=campaign, label=label)
        messages.success(request, _("Variant %(label)s removed.") % {"label": label})
    except (ValidationError, DomainError) as exc:
        text = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        messages.error(request, " ".join(str(t) for t in text))
    return redirect("campaigns:campaign_edit", pk=campaign.pk)


def _left_out_rows(left_out: dict[str, int]) -> list[tuple[str, int]]:
    labels = {**dict(SkipReason.choices), "duplicate": _("Shares an inbox with another contact")}
    return [(str(labels.get(k, k)), n) for k, n in sorted(left_out.items())]


@role_required(Role.VIEWER)
@require_GET
def campaign_detail(request, pk: int):
    campaign = _campaign(pk)
    context: dict = {
        "campaign": campaign,
        "variants": list(campaign.variants.all()),
        "progress": selectors.campaign_progress(campaign=campaign),
        "can_edit": request.user.has_role(Role.MANAGER),
        "schedule_form": ScheduleForm(initial={"schedule": "now", "passed_hour": "next_day"}),
    }
    contact_id = request.GET.get("contact", "")
    context["contact_id"] = int(contact_id) if contact_id.isdigit() else None
    first = campaign.segments.first()
    context["sample"] = (
        list(segment_members(segment=first).order_by("last_name", "first_name")[:25])
        if first is not None
        else []
    )
    if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        preview = services.audience_preview(campaign=campaign)
        context["audience"] = preview
        context["left_out"] = _left_out_rows(preview["left_out"])
    else:
        context.update(_report_context(campaign))
    return render(request, "campaigns/campaign_detail.html", context)


# lazy: the labels are read in the reader's language at each request
REPORT_FIGURES = [
    ("sent", gettext_lazy("Sent")),
    ("delivered", gettext_lazy("Delivered")),
    ("bounced", gettext_lazy("Bounced")),
    ("opened", gettext_lazy("Opened (people)")),
    ("machine_opened", gettext_lazy("Opened by machines only")),
    ("clicked", gettext_lazy("Clicked")),
    ("replied", gettext_lazy("Replied")),
    ("unsubscribed", gettext_lazy("Unsubscribed")),
    ("complained", gettext_lazy("Complained")),
    ("converted", gettext_lazy("Converted")),
    ("cap_held", gettext_lazy("Held by the weekly cap")),
]


def _report_context(campaign: Campaign) -> dict:
    report = selectors.campaign_report(campaign=campaign)
    total = report.pop("total")
    figures = [(key, str(label), total.get(key, 0)) for key, label in REPORT_FIGURES]
    return {
        "figures": figures,
        "chart": bar_chart([(label, value) for _key, label, value in figures]),
        "breakdown": [
            (key, [row.get(k, 0) for k, _l in REPORT_FIGURES]) for key, row in report.items()
        ],
        "figure_labels": [str(label) for _k, label in REPORT_FIGURES],
        "links": selectors.link_clicks(campaign=campaign),
        "ab": selectors.ab_results(campaign=campaign) if campaign.ab_share else None,
        "reasons": _left_out_rows(selectors.skip_reasons(campaign=campaign)),
        **selectors.sendable_again(campaign=campaign),
    }


@role_required(Role.VIEWER)
@require_GET
def campaign_progress(request, pk: int):
    """The progress bar (polled by htmx while sending): counted from the per-recipient rows."""
    campaign = _campaign(pk)
    progress = selectors.campaign_progress(campaign=campaign)
    return render(request, "campaigns/_progress.html", {"campaign": campaign, "progress": progress})


@role_required(Role.MANAGER)
@require_POST
def campaign_action(request, pk: int, action: str):
    campaign = _campaign(pk)
    try:
        if action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            data = form.cleaned_data
            services.campaign_schedule(
                campaign=campaign,
                schedule=data["schedule"],
                send_at=data["send_at"],
                local_time=data["local_time"],
                passed_hour=data["passed_hour"],
                send_by=data["send_by"],
            )
            messages.success(request, _("Campaign scheduled."))
        elif action == "pause":
            services.campaign_pause(campaign=campaign)
            messages.success(request, _("Campaign paused."))
        elif action == "resume":
            services.campaign_resume(campaign=campaign)
            messages.success(request, _("Campaign resumed."))
        elif action == "cancel":
            services.campaign_cancel(campaign=campaign)
            messages.success(request, _("Campaign cancelled."))
        elif action == "test":
            services.campaign_test_send(campaign=campaign, to=request.user.email)
            messages.success(request, _("Test sent to %(email)s.") % {"email": request.user.email})
        elif action == "retry_failed":
            n = services.campaign_retry_failed(campaign=campaign)
            messages.success(
                request,
                ngettext(
                    "%(n)d failed message is sent again.",
                    "%(n)d failed messages are sent again.",
                    n,
                )
                % {"n": n},
            )
        elif action == "send_rest":
            n = services.campaign_send_rest(campaign=campaign)
            messages.success(
                request,
                ngettext(
                    "%(n)d contact not reached is sent to.",
                    "%(n)d contacts not reached are sent to.",
                    n,
                )
                % {"n": n},
            )
        elif action in ("non_openers", "newcomers"):
            copy = services.campaign_follow_up(campaign=campaign, kind=action, actor=request.user)
            messages.success(request, _("Follow-up created as a draft."))
            return redirect("campaigns:campaign_edit", pk=copy.pk)
        else:
            raise Http404
    except (ValidationError, DomainError) as exc:
        text = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        messages.error(request, " ".join(str(t) for t in text))
    return redirect("campaigns:campaign_detail", pk=campaign.pk)


def _frame(html: str) -> HttpResponse:
    return HttpResponse(html)


@role_required(Role.VIEWER)
@require_GET
@xframe_options_sameorigin
@csp_replace(FRAME_CSP)
def campaign_preview(request, pk: int, label: str):
    """One variant's e-mail as a frame of the campaign page; `?contact=` renders it for a
    real contact (their first name in the plain-text part)."""
    campaign = _campaign(pk)
    variant = get_object_or_404(campaign.variants, label=label)
    contact = None
    if request.GET.get("contact", "").isdigit():
        contact = contact_find(pk=request.GET["contact"])
    html = blocks_html(
        variant.blocks,
        subject=variant.subject or campaign.name,
        business=business_details(),
        unsubscribe_url="#",
        language=(contact.language if contact else "") or "en",
    )
    if request.GET.get("format") == "text":
        text = blocks_text(variant.blocks)
        if contact is not None:  # exactly what this contact's plain-text part will say
            from apps.messaging.services.templates import template_render

            text = template_render(
                purpose=services.PURPOSE,
                channel="email",
                contact=contact,
                context={
                    "subject": variant.subject or campaign.name,
                    "text": text,
                    "unsubscribe_link": "#",
                },
            ).body
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    return _frame(html)


@require_GET
@csp_replace(FRAME_CSP)
def campaign_web_version(request, token: str):
    """A sent campaign at its public link (variant A, or the winner), no personal data."""
    campaign = Campaign.objects.filter(web_token=token).select_related("winner").first()
    if campaign is None or campaign.status in (CampaignStatus.DRAFT, CampaignStatus.CANCELLED):
        raise Http404
    variant = campaign.winner or campaign.variants.order_by("label").first()
    if variant is None:
        raise Http404
    return _frame(
        blocks_html(
            variant.blocks, subject=variant.subject or campaign.name, business=business_details()
        )
    )


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def topic_list(request):
    """The business's topics (newsletter, offers, events): customers keep or leave each on
    their preference page; a campaign names one."""
    can_edit = request.user.has_role(Role.MANAGER)
    form = TopicForm()
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        form = TopicForm(request.POST)
        if form.is_valid():
            try:
                services.topic_create(**form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Topic added."))
                return redirect("campaigns:topic_list")
    return render(
        request,
        "campaigns/topic_list.html",
        {"topics": selectors.topic_list(), "form": form, "can_edit": can_edit},
    )


@role_required(Role.MANAGER)
@require_POST
def topic_delete(request, pk: int):
    topic = get_object_or_404(Topic, pk=pk)
    try:
        services.topic_delete(topic=topic)
        messages.success(request, _("Topic removed."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("campaigns:topic_list")
