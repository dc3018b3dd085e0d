"""The public booking page (being built)."""

from django.http import Http404


def booking_start(request):
    raise Http404


def booking_manage(request, token: str):
    raise Http404
