"""The program's settings (managers change them; staff read them): families, earning,
expiry, tiers, cashback, referrals and the rewards catalogue; a live preview of what a
sample purchase earns under the settings as typed; before a change that takes value away
is saved, how many members it affects (it applies to points earned afterwards)."""

from __future__ import annotations

import copy
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required
from cxsuite.lib.errors import DomainError
from cxsuite.lib.forms import form_add_service_errors

from ..forms import PreviewForm, ProgramForm, RewardForm, TierForm
from ..models import Reward, Tier
from ..selectors.program_preview import earn_preview, program_losses, tier_losses
from ..services.common import program_get
from ..services.program import program_update, tier_save
from ..services.program_settings import reward_save, tier_delete
from .common import can_manage, is_partial


def _preview(program, data) -> dict:
    """The preview's context for `program` (saved or as typed) and the sample in `data`."""
    sample = PreviewForm(data if data and "sample_amount" in data else None)
    amount, tax, tier = Decimal(100), Decimal(0), None
    if sample.is_bound and sample.is_valid():
        amount = sample.cleaned_data["sample_amount"]
        tax = sample.cleaned_data["sample_tax"] or Decimal(0)
        tier = sample.cleaned_data["sample_tier"]
    tax = min(tax, amount)
    return {
        "sample_form": sample,
        "preview": earn_preview(program, amount=amount, tax=tax, tier=tier),
    }


@role_required(Role.VIEWER)
@require_http_methods(["GET", "POST"])
def program_settings(request):
    current = program_get()
    manager = can_manage(request)
    if request.method == "POST" and not manager:
        raise PermissionError_()
    form = ProgramForm(request.POST or None, instance=copy.copy(current))
    losses, status = [], 200
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        losses = program_losses(current, changed)
        confirmed = request.POST.get("confirm") == "1"
        if not losses or confirmed:
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in form.cleaned_data
            }
            if not changes:
                messages.info(request, _("Nothing changed."))
                return redirect("loyalty:settings")
            try:
                program = program_update(changes=changes, by=request.user)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(
                    request, _("The program is saved (version %(n)s).") % {"n": program.version}
                )
                return redirect("loyalty:settings")
        else:
            status = 409 if not is_partial(request) else 200
    elif request.method == "POST":
        status = 400
    program = form.instance if form.is_bound and form.is_valid() else current
    context = {
        "form": form,
        "losses": losses,
        "can_manage": manager,
        "tiers": list(Tier.objects.all()),
        "rewards": list(Reward.objects.order_by("-active", "cost_points", "name")),
        **_preview(program, request.POST or request.GET),
    }
    return render(request, "loyalty/settings.html", context, status=status)


def PermissionError_():  # noqa: N802 - raised like an exception class
    from django.core.exceptions import PermissionDenied

    return PermissionDenied()


@role_required(Role.VIEWER)
@require_POST
def settings_preview(request):
    """htmx: what a sample purchase earns under the settings as typed, and which of the
    typed changes take value away (with the members each affects). Writes nothing."""
    current = program_get()
    form = ProgramForm(request.POST, instance=copy.copy(current))
    losses = []
    program = current
    if form.is_valid():
        program = form.save(commit=False)
        losses = program_losses(current, program)
    return render(
        request,
        "loyalty/_settings_preview.html",
        {"losses": losses, "form_errors": not form.is_valid(), **_preview(program, request.POST)},
    )


# --- tiers -------------------------------------------------------------------------------------
@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def tier_edit(request, pk: int | None = None):
    tier = Tier.objects.filter(pk=pk).first() if pk else Tier()
    if tier is None:
        raise Http404
    before = copy.copy(tier)
    form = TierForm(request.POST or None, instance=tier)
    affected, status = 0, 200
    if request.method == "POST" and form.is_valid():
        changed = form.save(commit=False)
        affected = tier_losses(before if pk else None, changed.threshold)
        if affected and request.POST.get("confirm") != "1":
            status = 409
        else:
            fields = {name: form.cleaned_data[name] for name in TierForm.Meta.fields}
            try:
                tier_save(tier=before if pk else None, by=request.user, **fields)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": changed.name})
                return redirect("loyalty:settings")
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "loyalty/tier_form.html",
        {"form": form, "tier": before, "affected": affected},
        status=status,
    )


@role_required(Role.MANAGER)
@require_POST
def tier_remove(request, pk: int):
    tier = Tier.objects.filter(pk=pk).first()
    if tier is None:
        raise Http404
    tier_delete(tier=tier, staff=request.user)
    messages.success(request, _("%(name)s is removed.") % {"name": tier.name})
    return redirect("loyalty:settings")


# --- rewards -----------------------------------------------------------------------------------
@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def reward_edit(request, pk: int | None = None):
    reward = Reward.objects.filter(pk=pk).first() if pk else Reward()
    if reward is None:
        raise Http404
    form = RewardForm(request.POST or None, instance=reward)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            reward_save(reward=form.save(commit=False), staff=request.user)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
            status = 400
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": reward.name})
            return redirect("loyalty:settings")
    elif request.method == "POST":
        status = 400
    return render(
        request, "loyalty/reward_form.html", {"form": form, "reward": reward}, status=status
    )
