from django.shortcuts import render
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.views import role_required

from .selectors import home_figures, home_tasks


@role_required(Role.VIEWER)
def home(request):
    context = {
        "figures": home_figures(),
        "tasks": home_tasks(request.user),
        "today": timezone.localdate(),
    }
    return render(request, "dashboard/home.html", context)
