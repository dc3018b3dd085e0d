from django.shortcuts import render

from apps.accounts.models import Role
from apps.accounts.views import role_required

from .selectors import home_figures


@role_required(Role.VIEWER)
def home(request):
    return render(request, "dashboard/home.html", {"figures": home_figures()})
