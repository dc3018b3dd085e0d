"""Members: the list (search, tier, balance; one page of LIST_LIMIT), the member page
(balance, tier progress, vouchers, history and the statement), a manager's adjustment,
sending the card's link, enrolling from the contact page; the contact page's panel and the
home card."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from apps.accounts.registries import HomeCard
from apps.accounts.views import home_card_view
from apps.contacts.selectors import contact_get
from apps.contacts.views.panels import ContactPanel
from cxsuite.lib.errors import DomainError
from cxsuite.lib.forms import form_add_service_errors

from ..forms import AdjustForm, MemberSearchForm, RewardIssueForm
from ..models import Tier
from ..selectors.member_page import (
    LIST_LIMIT,
    lots_open,
    member_get,
    member_statement,
    member_vouchers,
    members_list,
    points_spendable,
    rewards_available,
    tier_progress,
)
from ..services.card import member_card_send, member_card_url
from ..services.common import program_get
from .common import can_manage, can_write, is_partial, zone

CONTACT_PANEL = ContactPanel(
    id="loyalty",
    title=gettext_lazy("Loyalty"),
    url_name="loyalty:contact_panel",
    order=30,
    min_role=Role.VIEWER,
)
HOME = HomeCard(
    id="loyalty.summary",
    title=gettext_lazy("Loyalty"),
    url_name="loyalty:home_card",
    order=40,
    min_role=Role.VIEWER,
)


@role_required(Role.VIEWER)
@require_GET
def member_list(request):
    """Members, newest first, searched by name, e-mail, phone or referral code and filtered
    by tier; a page of LIST_LIMIT (htmx swaps the results only)."""
    tiers = list(Tier.objects.all())
    form = MemberSearchForm(request.GET or None, tiers=tiers)
    query, tier = "", None
    if form.is_bound and form.is_valid():
        query, tier = form.cleaned_data["q"], form.cleaned_data["tier"] or None
    paginator = Paginator(members_list(query=query, tier=tier), LIST_LIMIT)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "members": list(page.object_list),
        "tiers": tiers,
        "query": query,
        "program": program_get(),
        "can_manage": can_manage(request),
    }
    if is_partial(request) and request.htmx.target == "member-results":
        return render(request, "loyalty/_member_results.html", context)
    return render(request, "loyalty/member_list.html", context)


def _member_or_404(pk: int):
    member = member_get(pk)
    if member is None:
        raise Http404
    return member


def member_context(request, member, **extra) -> dict:
    now = timezone.now()
    tiers = list(Tier.objects.all())
    program = program_get()
    spendable = points_spendable(member, at=now)
    rewards = rewards_available(at=now)
    lots = lots_open(member)
    affordable = [r for r in rewards if r.cost_points <= spendable]
    return {
        "member": member,
        "contact": member.contact,
        "program": program,
        "progress": tier_progress(member, at=now, tiers=tiers, program=program),
        "statement": member_statement(member, at=now, lots=lots),
        "lots": lots,
        "affordable": affordable,
        "vouchers": member_vouchers(member),
        "spendable": spendable,
        "rewards": rewards,
        "adjust_form": extra.pop("adjust_form", None) or AdjustForm(),
        "issue_form": extra.pop("issue_form", None)
        or RewardIssueForm(rewards=_affordable(rewards, spendable)),
        "can_write": can_write(request),
        "can_manage": can_manage(request),
        "now": now,
        "zone": zone(),
        **extra,
    }


def _affordable(rewards, spendable: int):
    from ..models import Reward

    return Reward.objects.filter(pk__in=[r.pk for r in rewards if r.cost_points <= spendable])


@role_required(Role.VIEWER)
@require_GET
def member_detail(request, pk: int):
    member = _member_or_404(pk)
    return render(request, "loyalty/member_detail.html", member_context(request, member))


@role_required(Role.MANAGER)
@require_POST
def member_adjust(request, pk: int):
    """A manager adds or takes points, with a reason (recorded on the ledger)."""
    from ..services.ledger import points_adjust

    member = _member_or_404(pk)
    form = AdjustForm(request.POST)
    if form.is_valid():
        try:
            points_adjust(
                member=member,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                staff=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The points are adjusted."))
            return redirect("loyalty:member_detail", pk=member.pk)
    member = _member_or_404(pk)
    return render(
        request,
        "loyalty/member_detail.html",
        member_context(request, member, adjust_form=form, open_adjust=True),
        status=400,
    )


@role_required(Role.STAFF)
@require_POST
def member_issue(request, pk: int):
    """At the counter: spend the member's points on a reward; the voucher is shown."""
    from ..services.vouchers import reward_redeem

    member = _member_or_404(pk)
    now = timezone.now()
    rewards = rewards_available(at=now)
    form = RewardIssueForm(
        request.POST, rewards=_affordable(rewards, points_spendable(member, at=now))
    )
    if form.is_valid():
        key = f"staff:{request.user.pk}:{request.POST.get('nonce', '')[:40]}"
        try:
            voucher = reward_redeem(
                member=member,
                reward=form.cleaned_data["reward"],
                idempotency_key=key if request.POST.get("nonce") else f"{key}{now.timestamp()}",
                staff=request.user,
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Voucher %(code)s issued for %(label)s.")
                % {"code": voucher.code, "label": voucher.label},
            )
            return redirect("loyalty:member_detail", pk=member.pk)
    member = _member_or_404(pk)
    return render(
        request,
        "loyalty/member_detail.html",
        member_context(request, member, issue_form=form),
        status=400,
    )


@role_required(Role.STAFF)
@require_POST
def member_send_card(request, pk: int):
    member = _member_or_404(pk)
    try:
        message = member_card_send(member=member, staff=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if message.status in ("failed", "suppressed"):
            why = message.error or message.get_status_display()
            messages.error(request, _("The card's link was not sent: %(why)s") % {"why": why})
        else:
            messages.success(request, _("The card's link is on its way."))
    return redirect("loyalty:member_detail", pk=member.pk)


@role_required(Role.STAFF)
@require_POST
def contact_enrol(request, contact_pk: int):
    from ..services.ledger import member_enrol

    contact = contact_get(contact_pk)
    try:
        member = member_enrol(contact=contact)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("contacts:contact_detail", contact.pk)
    messages.success(request, _("%(name)s is now a member.") % {"name": contact})
    return redirect("loyalty:member_detail", pk=member.pk)


@role_required(CONTACT_PANEL.min_role)
@require_GET
def contact_panel(request, contact_pk: int):
    """The contact page's card: balance, tier, usable vouchers, a link to the member page
    (or enrol)."""
    from ..selectors.member_page import member_for_contact_id

    contact = contact_get(contact_pk)
    if not is_partial(request):
        return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#loyalty")
    member = member_for_contact_id(contact.pk)
    vouchers = member_vouchers(member, usable_only=True) if member else []
    return render(
        request,
        "loyalty/_contact_panel.html",
        {
            "contact": contact,
            "member": member,
            "vouchers": vouchers,
            "can_write": can_write(request) and not contact.erased_at,
            "zone": zone(),
        },
    )


@home_card_view(HOME)
def home_card(request):
    """Members, points outstanding and the vouchers used today."""
    from ..selectors.figures import home_figures

    return render(
        request, "loyalty/_home_summary.html", {"card": HOME, **home_figures(at=timezone.now())}
    )


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def member_card_link(request, pk: int):
    """The card as the member sees it (staff open it to show or copy the link)."""
    member = _member_or_404(pk)
    return redirect(member_card_url(member=member))
