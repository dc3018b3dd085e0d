"""Staff pages and the public survey page: each role, the outsider, the empty business."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.feedback.models import Case, Invitation, Response
from apps.feedback.services.invitations import (
    invitation_create,
    invitation_link_token,
    invitation_send,
)
from apps.feedback.services.responses import response_submit
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import RootCauseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


def _case():
    invitation = invitation_send(
        invitation=invitation_create(survey=SurveyFactory(), contact=ContactFactory())
    )
    response_submit(invitation=invitation, score=3, comment="Long wait at the desk")
    return Case.objects.get()


PAGES = [
    ("feedback:figures", []),
    ("feedback:case_list", []),
    ("feedback:response_list", []),
    ("feedback:survey_list", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_staff_pages_show_to_a_viewer_and_hide_from_the_outsider(
    owner, viewer_client, outsider_client, name, args
):
    _case()
    url = reverse(name, args=args)
    assert viewer_client.get(url).status_code == 200
    assert outsider_client.get(url).status_code in (302, 403, 404)


def test_the_case_page_for_each_role(owner, viewer_client, staff_client, outsider_client):
    case = _case()
    url = reverse("feedback:case_detail", args=[case.pk])
    page = viewer_client.get(url)
    assert page.status_code == 200 and b"Long wait at the desk" in page.content
    assert b"Resolve the case" not in page.content
    assert b"Resolve the case" in staff_client.get(url).content
    assert outsider_client.get(url).status_code in (302, 403, 404)


def test_a_viewer_cannot_resolve_a_case(owner, viewer_client):
    case = _case()
    cause = RootCauseFactory()
    url = reverse("feedback:case_resolve", args=[case.pk])
    assert viewer_client.post(url, {"root_cause": cause.pk}).status_code == 403
    case.refresh_from_db()
    assert case.status == "open"


def test_staff_resolve_with_a_gesture_and_a_note(owner, staff_client):
    case = _case()
    cause = RootCauseFactory()
    answer = staff_client.post(
        reverse("feedback:case_resolve", args=[case.pk]),
        {
            "root_cause": cause.pk,
            "gesture_kind": "points",
            "gesture_points": "100",
            "remember": "Offer a coffee and apologise",
        },
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved" and case.gesture_ref.startswith("entry:")


def test_resolving_without_a_cause_names_the_field(owner, staff_client):
    case = _case()
    answer = staff_client.post(reverse("feedback:case_resolve", args=[case.pk]), {})
    assert answer.status_code == 400
    assert b"root_cause-errors" in answer.content


@pytest.mark.parametrize("name", ["feedback:settings", "feedback:survey_create"])
def test_manager_pages_refuse_staff_and_viewers(manager_client, staff_client, viewer_client, name):
    url = reverse(name)
    assert manager_client.get(url).status_code == 200
    assert staff_client.get(url).status_code == 403
    assert viewer_client.get(url).status_code == 403


def test_a_review_site_that_bans_asking_is_refused(manager_client):
    answer = manager_client.post(
        reverse("feedback:settings"),
        {
            "cooldown_days": 30,
            "sla_hours": 24,
            "open_days": ["0", "1"],
            "open_from": "09:00",
            "open_until": "18:00",
            "escalate_after_hours": 24,
            "review_url": "https://www.yelp.com/biz/alpha",
            "edit_minutes": 30,
        },
    )
    assert answer.status_code == 400
    assert b"forbids asking" in answer.content


def test_the_figures_page_loads_cases_and_recovery_after_the_scores(
    owner, viewer_client, outsider_client, django_assert_max_num_queries
):
    _case()
    url = reverse("feedback:figures")
    with django_assert_max_num_queries(40):
        page = viewer_client.get(url)
    assert page.status_code == 200
    assert b'id="figures-loop"' in page.content and b"?part=loop" in page.content
    with django_assert_max_num_queries(40):
        part = viewer_client.get(url + "?part=loop&period=90", HTTP_HX_REQUEST="true")
    assert part.status_code == 200
    assert b"Time to first contact" in part.content and b"{% " not in part.content
    assert outsider_client.get(url + "?part=loop").status_code in (302, 403, 404)


def test_the_home_card_shows_overdue_cases(owner, viewer_client, outsider_client):
    case = _case()
    Case.objects.filter(pk=case.pk).update(due_at=case.opened_at.replace(year=2020))
    url = reverse("feedback:home_cases")
    page = viewer_client.get(url, HTTP_HX_REQUEST="true")
    assert page.status_code == 200 and b"overdue" in page.content
    assert outsider_client.get(url, HTTP_HX_REQUEST="true").status_code in (302, 403, 404)


def test_the_contact_panel_and_outsider(owner, viewer_client, outsider_client):
    case = _case()
    url = reverse("feedback:contact_panel", args=[case.contact_id])
    assert viewer_client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert outsider_client.get(url, HTTP_HX_REQUEST="true").status_code in (302, 403, 404)


# --- the public page --------------------------------------------------------------------------
PERSON = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)


def _link(tenant_client, *, sent_ago=dt.timedelta(minutes=3), **kw):
    invitation = invitation_send(
        invitation=invitation_create(survey=SurveyFactory(**kw), contact=ContactFactory()),
        now=timezone.now() - sent_ago,
    )
    return invitation, invitation_link_token(invitation)


def test_the_score_button_saves_at_once_and_opens_the_page_with_it(tenant_client, owner):
    invitation, token = _link(tenant_client)
    answer = tenant_client.get(
        reverse("feedback:survey_score", args=[token, 3]), HTTP_USER_AGENT=PERSON
    )
    assert answer.status_code == 302
    assert Response.objects.get().score == 3 and Case.objects.count() == 1
    page = tenant_client.get(answer["Location"])
    assert page.status_code == 200
    assert b'value="3" checked' in page.content


@pytest.mark.parametrize(
    "agent, sent_ago",
    [
        ("", dt.timedelta(minutes=3)),  # no user agent at all
        ("Mozilla/5.0", dt.timedelta(minutes=3)),  # a mail privacy proxy
        ("Mozilla/5.0 (compatible; Barracuda Sentinel)", dt.timedelta(minutes=3)),
        ("Mozilla/5.0 (Windows NT 10.0) Mimecast Link Scanner", dt.timedelta(hours=2)),
        ("python-requests/2.31", dt.timedelta(minutes=3)),
        (PERSON, dt.timedelta(seconds=2)),  # fetched on arrival: a gateway, not a person
    ],
)
def test_a_link_scanner_saves_no_score_and_opens_no_case(tenant_client, owner, agent, sent_ago):
    invitation, token = _link(tenant_client, sent_ago=sent_ago)
    answer = tenant_client.get(
        reverse("feedback:survey_score", args=[token, 2]), HTTP_USER_AGENT=agent
    )
    assert answer.status_code == 302 and answer["Location"].endswith("?score=2")
    page = tenant_client.get(answer["Location"], HTTP_USER_AGENT=agent)
    assert page.status_code == 200
    assert not Response.objects.exists() and not Case.objects.exists()
    # nor does it count as the click that stops the reminders
    assert Invitation.objects.get(pk=invitation.pk).clicked_at is None


def test_a_person_after_a_scanner_still_saves_at_once(tenant_client, owner):
    invitation, token = _link(tenant_client)
    url = reverse("feedback:survey_score", args=[token, 2])
    tenant_client.get(url, HTTP_USER_AGENT="Mozilla/5.0 (compatible; Proofpoint URL Defense)")
    assert not Response.objects.exists()
    tenant_client.get(url, HTTP_USER_AGENT=PERSON)
    assert Response.objects.get().score == 2 and Case.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).clicked_at is not None


def test_submit_reload_and_reuse_give_one_response(tenant_client, owner):
    invitation, token = _link(tenant_client)
    url = reverse("feedback:survey_page", args=[token])
    for _n in range(2):  # a retried submission
        answer = tenant_client.post(url, {"score": "2", "comment": "Cold room"})
        assert answer.status_code == 302
    thanks = tenant_client.get(answer["Location"])
    assert thanks.status_code == 200 and b"Thank you" in thanks.content
    assert tenant_client.get(answer["Location"]).status_code == 200  # reloaded
    assert tenant_client.get(url).status_code == 200  # the link used again
    assert Response.objects.count() == 1 and Case.objects.count() == 1


def test_a_broken_link_is_a_friendly_404(tenant_client):
    answer = tenant_client.get(reverse("feedback:survey_page", args=["nope"]))
    assert answer.status_code == 404


def test_the_review_link_is_offered_to_every_band(tenant_client, owner):
    from apps.feedback.models import FeedbackSettings

    FeedbackSettings.objects.update_or_create(
        pk=1, defaults={"review_url": "https://g.page/alpha/review"}
    )
    for score in (1, 7, 10):
        invitation, token = _link(tenant_client)
        url = reverse("feedback:survey_page", args=[token])
        answer = tenant_client.post(url, {"score": str(score)})
        page = tenant_client.get(answer["Location"])
        assert b"https://g.page/alpha/review" in page.content, score


def test_a_french_survey_page_stays_in_french(tenant_client, owner):
    invitation = invitation_send(
        invitation=invitation_create(survey=SurveyFactory(), contact=ContactFactory(language="fr"))
    )
    token = invitation_link_token(invitation)
    url = reverse("feedback:survey_page", args=[token])
    page = tenant_client.get(url)
    assert 'lang="fr"' in page.content.decode()
    answer = tenant_client.post(url, {"score": "9"})
    thanks = tenant_client.get(answer["Location"])
    assert 'lang="fr"' in thanks.content.decode()
