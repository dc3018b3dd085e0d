"""The preferences page's weekly summary section: owners and managers choose it; staff,
viewers, the outsider and anonymous visitors cannot."""

import pytest

from apps.dashboard.models import WeeklySummaryRecipient

HTMX = {"HTTP_HX_REQUEST": "true"}
URL = "/settings/preferences/weekly-summary/"


@pytest.mark.parametrize("client_name", ["owner_client", "manager_client"])
@pytest.mark.django_db
def test_owners_and_managers_choose_and_stop_the_weekly_summary(request, client_name):
    client = request.getfixturevalue(client_name)
    page = client.get("/settings/preferences/").content.decode()
    assert f'hx-get="{URL}"' in page
    content = client.get(URL, **HTMX).content.decode()
    assert 'name="weekly_summary"' in content and " checked" not in content
    content = client.post(URL, {"weekly_summary": "on"}, **HTMX).content.decode()
    assert " checked" in content and "weekly summary on Mondays" in content
    assert WeeklySummaryRecipient.objects.count() == 1
    response = client.post(URL, {})
    assert response.status_code == 302 and response.url == "/settings/preferences/"
    assert WeeklySummaryRecipient.objects.count() == 0


@pytest.mark.parametrize("client_name", ["staff_client", "viewer_client"])
@pytest.mark.django_db
def test_staff_and_viewers_cannot_choose_it(request, client_name):
    client = request.getfixturevalue(client_name)
    assert URL not in client.get("/settings/preferences/").content.decode()
    assert client.get(URL, **HTMX).status_code == 403
    assert client.post(URL, {"weekly_summary": "on"}, **HTMX).status_code == 403
    assert not WeeklySummaryRecipient.objects.exists()


@pytest.mark.django_db
def test_the_outsider_and_anonymous_cannot_choose_it(outsider_client, tenant_client):
    for client in (outsider_client, tenant_client):
        response = client.post(URL, {"weekly_summary": "on"}, **HTMX)
        assert response.status_code == 302 and response.url.startswith("/login/")
    assert not WeeklySummaryRecipient.objects.exists()


@pytest.mark.django_db
def test_the_section_opened_itself_leads_to_the_preferences_page(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 302 and response.url == "/settings/preferences/"
