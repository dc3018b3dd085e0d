"""The feedback API: every endpoint for a write key, a read key (the viewer of the API), a
viewer's session and the outsider (a key of another business); query counts pinned."""

import pytest
from django.urls import reverse

from apps.feedback.models import Case, Response
from apps.feedback.services.invitations import invitation_create, invitation_send
from apps.feedback.services.responses import response_submit
from tests.contacts.factories import ContactFactory
from tests.feedback.factories import RootCauseFactory, SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tenant, owner):
    survey = SurveyFactory()
    invitation = invitation_send(
        invitation=invitation_create(survey=survey, contact=ContactFactory())
    )
    response_submit(invitation=invitation, score=2, comment="Too slow")
    return {"survey": survey, "invitation": invitation, "case": Case.objects.get()}


def _urls(world):
    return [
        reverse("api:feedback-survey-list"),
        reverse("api:feedback-survey-detail", args=[world["survey"].pk]),
        reverse("api:feedback-invitation-list"),
        reverse("api:feedback-invitation-detail", args=[world["invitation"].pk]),
        reverse("api:feedback-response-list"),
        reverse("api:feedback-case-list"),
        reverse("api:feedback-case-detail", args=[world["case"].pk]),
        reverse("api:feedback-summary"),
    ]


def test_every_read_answers_a_read_key(world, read_api_client):
    for url in _urls(world):
        assert read_api_client.get(url).status_code == 200, url


def test_the_outsider_gets_nothing(world, outsider_api_client, outsider_client):
    for url in _urls(world):
        assert outsider_api_client.get(url).status_code in (401, 403, 404), url
        assert outsider_client.get(url).status_code in (401, 403, 404), url
    case_url = reverse("api:feedback-case-resolve", args=[world["case"].pk])
    assert outsider_api_client.post(case_url, {}, format="json").status_code in (401, 403, 404)


def test_a_read_key_and_a_viewer_cannot_write(world, read_api_client, viewer_client):
    import json

    class ViewerApi:
        def post(self, url, data, format):
            body = json.dumps(data)
            return viewer_client.post(url, body, content_type="application/json")

    viewer_api = ViewerApi()
    cause = RootCauseFactory()
    resolve = reverse("api:feedback-case-resolve", args=[world["case"].pk])
    for client in (read_api_client, viewer_api):
        assert client.post(resolve, {"root_cause": cause.pk}, format="json").status_code == 403
        answer = client.post(
            reverse("api:feedback-invitation-list"),
            {"survey": world["survey"].pk, "contact": world["case"].contact_id},
            format="json",
        )
        assert answer.status_code == 403
    world["case"].refresh_from_db()
    assert world["case"].status == "open"


def test_ask_a_contact_and_be_throttled(world, api_client):
    contact = ContactFactory()
    url = reverse("api:feedback-invitation-list")
    first = api_client.post(
        url, {"survey": world["survey"].pk, "contact": contact.pk}, format="json"
    )
    assert first.status_code == 201 and first.json()["status"] == "scheduled"
    again = api_client.post(
        url, {"survey": world["survey"].pk, "contact": contact.pk}, format="json"
    )
    assert again.json()["status"] == "dropped" and again.json()["drop_reason"] == "cooldown"


def test_submit_from_a_partner_app_then_the_same_again(world, api_client):
    invitation = invitation_send(
        invitation=invitation_create(survey=SurveyFactory(kind="csat"), contact=ContactFactory())
    )
    url = reverse("api:feedback-response-list")
    for _n in range(2):
        answer = api_client.post(url, {"invitation": invitation.pk, "score": 5}, format="json")
        assert answer.status_code == 201
    assert Response.objects.filter(invitation=invitation).count() == 1
    bad = api_client.post(url, {"invitation": invitation.pk, "score": 9}, format="json")
    assert bad.status_code == 400 and "score" in str(bad.json())


def test_update_and_resolve_a_case(world, api_client):
    case = world["case"]
    detail = reverse("api:feedback-case-detail", args=[case.pk])
    answer = api_client.patch(detail, {"status": "contacted", "note": "Called"}, format="json")
    assert answer.status_code == 200 and answer.json()["status"] == "contacted"
    cause = RootCauseFactory()
    resolve = reverse("api:feedback-case-resolve", args=[case.pk])
    body = {"root_cause": cause.pk, "gesture_kind": "points", "gesture_points": 50}
    assert api_client.post(resolve, body, format="json").status_code == 200
    assert api_client.post(resolve, body, format="json").status_code == 200  # retried
    from apps.loyalty.models import LedgerEntry

    assert LedgerEntry.objects.filter(idempotency_key=f"feedback-case:{case.pk}").count() == 1


def test_lists_keep_their_query_count(world, read_api_client, django_assert_max_num_queries):
    for _n in range(5):
        invitation = invitation_send(
            invitation=invitation_create(survey=world["survey"], contact=ContactFactory())
        )
        response_submit(invitation=invitation, score=1)
    for name in ("feedback-case-list", "feedback-response-list", "feedback-invitation-list"):
        with django_assert_max_num_queries(8):
            assert read_api_client.get(reverse(f"api:{name}")).status_code == 200
