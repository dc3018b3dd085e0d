"""A request's time zone never reaches the next request served by the same thread, nor a task
run by the same worker: the API answers in UTC, a page in its reader's zone, and nothing keeps
a zone afterwards. Alpha is in Europe/Berlin, beta in America/Los_Angeles."""

import zoneinfo

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone

from apps.accounts.middleware import ApiTimezoneMiddleware, TimezoneMiddleware
from apps.accounts.services import invitation_create
from tests.probe.tasks import probe_time_zone_task

pytestmark = pytest.mark.django_db

INVITATIONS = "/api/v1/invitations/"


def _serve_pages_of_businesses_in_other_zones() -> None:
    """The login page of beta, then of alpha: each is drawn in its business's zone."""
    for slug in ("beta", "alpha"):
        response = Client(HTTP_HOST=f"{slug}.localhost").get("/login/")
        assert response.status_code == 200
        assert timezone.get_current_timezone_name() == "UTC", f"{slug}'s zone stayed active"


def _invitation_created_on_the_api(api_client) -> str:
    invitation_create(
        email="zone@example.test", role="staff", invited_by=None, accept_url_base="http://x/"
    )
    response = api_client.get(INVITATIONS)
    assert response.status_code == 200, response.content
    (row,) = response.json()["results"]
    return row["created"]


def test_the_api_stack_answers_in_utc_after_pages_of_businesses_in_other_zones(
    tenant, api_client, settings
):
    _serve_pages_of_businesses_in_other_zones()
    settings.MIDDLEWARE = settings.API_MIDDLEWARE  # the stack gunicorn serves /api/v1/ with
    assert _invitation_created_on_the_api(api_client).endswith("Z")


def test_the_full_stack_answers_api_paths_in_utc_after_pages_of_other_zones(tenant, api_client):
    _serve_pages_of_businesses_in_other_zones()
    assert _invitation_created_on_the_api(api_client).endswith("Z")


def test_the_api_stack_answers_in_utc_even_when_the_thread_holds_another_zone(
    tenant, api_client, settings
):
    settings.MIDDLEWARE = settings.API_MIDDLEWARE
    timezone.activate(zoneinfo.ZoneInfo("America/Los_Angeles"))
    try:
        assert _invitation_created_on_the_api(api_client).endswith("Z")
    finally:
        timezone.deactivate()


@pytest.mark.parametrize("middleware", [TimezoneMiddleware, ApiTimezoneMiddleware])
def test_a_request_whose_view_fails_leaves_no_zone_behind(tenant, middleware):
    def failing_view(request):
        assert timezone.get_current_timezone_name() in {"Europe/Berlin", "UTC"}
        raise RuntimeError("the view failed")

    request = RequestFactory().get("/")
    request.tenant = tenant
    with pytest.raises(RuntimeError):
        middleware(failing_view)(request)
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_page_is_drawn_in_the_business_zone_and_the_api_in_utc(tenant):
    def view(request):
        return HttpResponse(timezone.get_current_timezone_name())

    timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))  # left over by something else
    page, api = RequestFactory().get("/"), RequestFactory().get(INVITATIONS)
    page.tenant = api.tenant = tenant
    assert TimezoneMiddleware(view)(page).content == b"Europe/Berlin"
    assert TimezoneMiddleware(view)(api).content == b"UTC"
    timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert ApiTimezoneMiddleware(view)(page).content == b"UTC"


def test_a_task_starts_in_utc_whatever_zone_its_thread_was_left_in():
    timezone.activate(zoneinfo.ZoneInfo("America/Los_Angeles"))
    try:
        assert probe_time_zone_task.apply().get() == "UTC"
        assert timezone.get_current_timezone_name() == "UTC"  # and ends with none
    finally:
        timezone.deactivate()
