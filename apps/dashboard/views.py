from django.shortcuts import render
from django.utils import timezone

from apps.accounts.choices import Role
from apps.accounts.views import role_required
from apps.appointments.selectors import appointments_today

from .selectors import home_figures, home_tasks


@role_required(Role.VIEWER)
def home(request):
    coming, day_total = appointments_today()
    context = {
        "appointments": coming,
        "appointments_total": day_total,
        "figures": home_figures(),
        "tasks": home_tasks(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "dashboard/home.html", context)
