"""The counter: redeem a voucher typed or scanned (the member card's QR code holds it),
and find a member to issue a reward."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.errors import ConflictError, DomainError
from cxsuite.lib.forms import form_add_service_errors

from ..forms import VoucherCodeForm
from ..services.vouchers import voucher_code_normalise, voucher_find, voucher_redeem
from .common import is_partial, zone


@role_required(Role.STAFF)
@require_http_methods(["GET", "POST"])
def counter(request):
    """GET `?code=` checks a code (what it is, whether it can be used); POST uses it."""
    form = VoucherCodeForm(request.POST or request.GET or None)
    voucher, used, status = None, None, 200
    if form.is_bound and form.is_valid():
        code = voucher_code_normalise(form.cleaned_data["code"])
        member = _member_scanned(code)
        if member is not None:  # the card's own QR code: go to the member
            url = reverse("loyalty:member_detail", args=[member.pk])
            if is_partial(request):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
        if request.method == "POST":
            try:
                used = voucher_redeem(code=code, staff=request.user)
            except ConflictError as exc:
                form.add_error("code", exc.message)
                status = 409
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error("code", exc.message)
                status = 400
            voucher = used or voucher_find(code)
        else:
            voucher = voucher_find(code)
            if voucher is None:
                form.add_error("code", ValidationError(_no_such()))
    elif form.is_bound:
        status = 400
    if voucher is not None:
        voucher = (
            type(voucher).objects.select_related("member__contact", "used_by").get(pk=voucher.pk)
        )
    context = {
        "form": form if used is None else VoucherCodeForm(),
        "voucher": voucher,
        "used": used,
        "zone": zone(),
    }
    template = "loyalty/_counter_result.html" if is_partial(request) else "loyalty/counter.html"
    return render(request, template, context, status=status if not is_partial(request) else 200)


def _member_scanned(code: str):
    """The member whose card's QR code (M-<referral code>) was scanned, if it was one."""
    from ..models import Member

    if not code.startswith("M") or len(code) < 5:
        return None
    return Member.objects.filter(referral_code=code[1:]).first()


def _no_such():
    from django.utils.translation import gettext as _

    return _("No voucher has this code.")
