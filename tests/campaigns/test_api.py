"""The campaigns API: create, schedule, pause, resume, cancel, report; the read-only key and
another business's key."""

from __future__ import annotations

import pytest

from apps.campaigns.services import campaign_batch_send
from tests.campaigns.factories import BLOCKS, MarketingContactFactory, static_list

pytestmark = pytest.mark.django_db
CAMPAIGNS = "/api/v1/campaigns/"


def _create(api_client, segment, **extra):
    body = {
        "name": "Spring newsletter",
        "segment_ids": [segment.pk],
        "variants": [{"subject": "Spring", "blocks": BLOCKS}],
        **extra,
    }
    return api_client.post(CAMPAIGNS, body, format="json")


def test_create_schedule_pause_resume_cancel_and_report(
    api_client, tenant, django_assert_max_num_queries
):
    segment = static_list(MarketingContactFactory.create_batch(3))
    response = _create(api_client, segment)
    assert response.status_code == 201, response.json()
    campaign = response.json()
    assert campaign["status"] == "draft" and campaign["variants"][0]["label"] == "A"
    pk = campaign["id"]
    assert (
        api_client.post(f"{CAMPAIGNS}{pk}/schedule/", {"schedule": "now"}, format="json").json()[
            "status"
        ]
        == "scheduled"
    )
    assert api_client.post(f"{CAMPAIGNS}{pk}/pause/").json()["status"] == "paused"
    assert api_client.post(f"{CAMPAIGNS}{pk}/pause/").status_code == 409
    assert api_client.post(f"{CAMPAIGNS}{pk}/resume/").json()["status"] == "scheduled"
    from apps.campaigns.services import campaign_step

    campaign_step(campaign_id=pk)
    campaign_batch_send(campaign_id=pk)
    with django_assert_max_num_queries(12):
        report = api_client.get(f"{CAMPAIGNS}{pk}/report/").json()
    assert report["progress"]["settled"] == 3 and report["figures"]["sent"] == 3
    assert api_client.post(f"{CAMPAIGNS}{pk}/cancel/").status_code == 409  # done already
    with django_assert_max_num_queries(10):
        assert len(api_client.get(CAMPAIGNS).json()["results"]) == 1


def test_bad_input_names_the_field(api_client, tenant):
    segment = static_list(MarketingContactFactory.create_batch(1))
    response = _create(api_client, segment, segment_ids=[999999])
    assert response.status_code == 400 and "segment_ids" in str(response.json())
    response = _create(
        api_client,
        segment,
        variants=[{"blocks": [{"type": "image", "src": "https://x.example/a.png"}]}],
    )
    assert response.status_code == 400 and "blocks" in str(response.json())
    response = _create(api_client, segment, topic="nope")
    assert response.status_code == 400 and "topic" in str(response.json())


def test_a_read_key_reads_and_another_business_sees_nothing(
    api_client, read_api_client, outsider_api_client, tenant
):
    segment = static_list(MarketingContactFactory.create_batch(1))
    pk = _create(api_client, segment).json()["id"]
    assert read_api_client.get(f"{CAMPAIGNS}{pk}/").status_code == 200
    assert read_api_client.post(f"{CAMPAIGNS}{pk}/cancel/").status_code == 403
    assert outsider_api_client.get(f"{CAMPAIGNS}{pk}/").status_code in (401, 403, 404)
    assert outsider_api_client.post(f"{CAMPAIGNS}{pk}/cancel/").status_code in (401, 403, 404)
