"""The program's figures for the owner and managers: charts drawn on the server, each with
its figures as a table."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.accounts.choices import Role
from apps.accounts.permissions import role_required

from ..charts import bars_svg, columns_svg
from ..selectors.figures import program_figures
from .common import zone


@role_required(Role.MANAGER)
@require_GET
def figures(request):
    now = timezone.now()
    local_zone = zone()
    data = program_figures(at=now, zone=local_zone)
    tiers = [(name or _("No tier"), count) for name, count in data.tiers]
    months = [(dateformat.format(month, "M"), e, r) for month, e, r in data.months]
    return render(
        request,
        "loyalty/figures.html",
        {
            "figures": data,
            "tiers": tiers,
            "months": months,
            "tiers_chart": bars_svg(tiers),
            "rewards_chart": bars_svg([(name, issued) for name, issued, _used in data.rewards]),
            "months_chart": columns_svg(months),
        },
    )
