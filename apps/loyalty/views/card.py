"""The member's own card behind the signed link, on a phone, without an account: balance,
every lot's expiry, tier progress and what keeps the tier, rewards they can afford,
vouchers with their codes, their referral link, history, and a QR code for the counter.
A broken, foreign or expired link is a friendly 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from apps.tenants.languages import customer_page, page_language_activate

from ..models import VoucherStatus
from ..selectors.member_page import (
    lots_open,
    member_history,
    member_vouchers,
    points_spendable,
    rewards_available,
    tier_progress,
)
from ..services.card import card_qr_svg, member_from_card_token
from ..services.common import program_get
from .common import zone


def _member(request, token: str):
    try:
        member = member_from_card_token(token=token)
    except ValidationError as exc:
        page = render(request, "loyalty/card_invalid.html", {"reason": exc.messages[0]}, status=404)
        return None, page
    page_language_activate(member.contact.language)
    return member, None


@customer_page
@require_GET
def card(request, token: str):
    member, page = _member(request, token)
    if member is None:
        return page
    now = timezone.now()
    spendable = points_spendable(member, at=now)
    vouchers = member_vouchers(member)
    rewards = rewards_available(at=now)
    program = program_get()
    referral_url = ""
    if program.referrals_enabled:
        referral_url = request.build_absolute_uri(
            reverse("loyalty:join", args=[member.referral_code])
        )
    return render(
        request,
        "loyalty/card.html",
        {
            "member": member,
            "program": program,
            "spendable": spendable,
            "lots": lots_open(member),
            "progress": tier_progress(member, at=now),
            "affordable": [r for r in rewards if r.cost_points <= spendable],
            "next_rewards": [r for r in rewards if r.cost_points > spendable][:3],
            "usable": [
                v for v in vouchers if v.status == VoucherStatus.ISSUED and v.expires_at > now
            ],
            "past_vouchers": [
                v for v in vouchers if not (v.status == VoucherStatus.ISSUED and v.expires_at > now)
            ][:10],
            "history": member_history(member, limit=20),
            "referral_url": referral_url,
            "qr_url": reverse("loyalty:card_qr", args=[token]),
            "now": now,
            "zone": zone(),
        },
    )


@customer_page
@require_GET
@cache_control(private=True, max_age=3600)
def card_qr(request, token: str):
    """The QR code the counter scans: it holds the member's referral code, or with
    `?voucher=<code>` that voucher's code (of this member only)."""
    member, page = _member(request, token)
    if member is None:
        return page
    text = f"M-{member.referral_code}"
    code = request.GET.get("voucher", "")
    if code:
        voucher = member.vouchers.filter(code=code[:20].upper()).first()
        if voucher is None:
            return HttpResponse(status=404)
        text = voucher.code
    return HttpResponse(card_qr_svg(text), content_type="image/svg+xml")


@customer_page
@require_http_methods(["GET", "POST"])
def join(request, code: str):
    """A member's referral link: the new customer gives their details and joins; both are
    rewarded on their first purchase or visit."""
    from cxsuite.lib.forms import form_add_service_errors

    from ..forms import JoinForm
    from ..models import Member
    from ..services.card import member_card_url
    from ..services.joining import referral_join

    program = program_get()
    referrer = (
        Member.objects.select_related("contact").filter(referral_code=code[:16].upper()).first()
    )
    if referrer is None or not program.referrals_enabled:
        return render(
            request,
            "loyalty/card_invalid.html",
            {"reason": _("This referral link is not valid (any more).")},
            status=404,
        )
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                member = referral_join(code=referrer.referral_code, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                return redirect(member_card_url(member=member))
        status = 400
    return render(
        request,
        "loyalty/join.html",
        {"form": form, "referrer_name": referrer.contact.first_name, "program": program},
        status=status,
    )
