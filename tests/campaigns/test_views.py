"""Campaign pages: every role, the outsider, the editor and the public web version."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.campaigns.models import Campaign
from apps.campaigns.services import campaign_batch_send, campaign_schedule, campaign_start
from tests.campaigns.factories import MarketingContactFactory, campaign_for, static_list

pytestmark = pytest.mark.django_db
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
    b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _sent_campaign():
    people = MarketingContactFactory.create_batch(3)
    campaign = campaign_for(people)
    campaign_schedule(campaign=campaign)
    campaign_start(campaign=campaign)
    campaign_batch_send(campaign_id=campaign.pk)
    return campaign


def test_a_new_business_sees_the_empty_list(manager_client):
    response = manager_client.get(reverse("campaigns:campaign_list"))
    assert response.status_code == 200
    assert "Write your first campaign" in response.content.decode()


def test_pages_for_a_viewer_and_the_outsider(viewer_client, outsider_client, tenant):
    campaign = _sent_campaign()
    for name, args in [
        ("campaigns:campaign_list", []),
        ("campaigns:campaign_detail", [campaign.pk]),
        ("campaigns:campaign_progress", [campaign.pk]),
        ("campaigns:campaign_preview", [campaign.pk, "A"]),
    ]:
        assert viewer_client.get(reverse(name, args=args)).status_code == 200
        assert outsider_client.get(reverse(name, args=args)).status_code in (302, 403, 404)
    assert viewer_client.get(reverse("campaigns:campaign_create")).status_code == 403
    response = viewer_client.post(reverse("campaigns:campaign_action", args=[campaign.pk, "pause"]))
    assert response.status_code == 403


def test_the_report_shows_figures_as_a_table_and_a_chart(
    manager_client, tenant, django_assert_max_num_queries
):
    campaign = _sent_campaign()
    with django_assert_max_num_queries(40):
        response = manager_client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    body = response.content.decode()
    assert "<svg" in body and "Opened by machines only" in body
    assert "3 of 3 done" in body


def test_create_with_blocks_and_an_uploaded_image_then_send(
    manager_client, tenant, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    people = MarketingContactFactory.create_batch(2)
    segment = static_list(people)
    data = {
        "name": "Spring",
        "channel": "email",
        "segments": [segment.pk],
        "subject": "Hello spring",
        "throttle_per_minute": "0",
        "blocks-TOTAL_FORMS": "3",
        "blocks-INITIAL_FORMS": "0",
        "blocks-0-type": "heading",
        "blocks-0-text": "Spring is here",
        "blocks-1-type": "image",
        "blocks-1-alt": "Our shop",
        "blocks-1-image": SimpleUploadedFile("shop.gif", GIF, content_type="image/gif"),
        "blocks-2-type": "footer",
    }
    response = manager_client.post(reverse("campaigns:campaign_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get(name="Spring")
    blocks = campaign.variants.get().blocks
    assert blocks[1]["src"].startswith("/media/campaigns/alpha/")
    preview = manager_client.get(reverse("campaigns:campaign_preview", args=[campaign.pk, "A"]))
    assert "Spring is here" in preview.content.decode()
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    text = manager_client.get(
        reverse("campaigns:campaign_preview", args=[campaign.pk, "A"]) + "?format=text"
    )
    assert "SPRING IS HERE" in text.content.decode()
    detail = manager_client.get(reverse("campaigns:campaign_detail", args=[campaign.pk]))
    assert "<strong>2</strong> of 2 contacts" in detail.content.decode()
    response = manager_client.post(
        reverse("campaigns:campaign_action", args=[campaign.pk, "schedule"]),
        {"schedule": "now", "passed_hour": "next_day"},
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == "scheduled"


def test_an_image_from_another_host_is_refused(manager_client, tenant):
    segment = static_list(MarketingContactFactory.create_batch(1))
    response = manager_client.post(
        reverse("campaigns:campaign_create"),
        {
            "name": "X",
            "channel": "email",
            "segments": [segment.pk],
            "subject": "S",
            "throttle_per_minute": "0",
            "blocks-TOTAL_FORMS": "1",
            "blocks-INITIAL_FORMS": "0",
            "blocks-0-type": "image",
            "blocks-0-src": "https://tracker.example.com/a.png",
        },
    )
    assert response.status_code == 200
    assert "pictures from other sites are not used" in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_web_version_is_public_once_sent(tenant_client, tenant):
    campaign = _sent_campaign()
    response = tenant_client.get(
        reverse("campaigns:campaign_web_version", args=[campaign.web_token])
    )
    assert response.status_code == 200
    assert "Spring news" in response.content.decode()
    assert (
        tenant_client.get(reverse("campaigns:campaign_web_version", args=["nope"])).status_code
        == 404
    )


def test_the_preview_for_a_real_contact_says_what_they_will_get(manager_client, tenant):
    anna = MarketingContactFactory(first_name="Anna")
    campaign = campaign_for([anna])
    url = reverse("campaigns:campaign_preview", args=[campaign.pk, "A"])
    text = manager_client.get(f"{url}?format=text&contact={anna.pk}").content.decode()
    assert text.startswith("Hi Anna,") and "SPRING NEWS" in text
    page = manager_client.get(
        reverse("campaigns:campaign_detail", args=[campaign.pk]) + f"?contact={anna.pk}"
    )
    assert f"?contact={anna.pk}" in page.content.decode()


def _editor_data(segment, **extra):
    return {
        "name": "Spring",
        "channel": "email",
        "segments": [segment.pk],
        "subject": "Hello spring",
        "throttle_per_minute": "0",
        "blocks-TOTAL_FORMS": "1",
        "blocks-INITIAL_FORMS": "0",
        "blocks-0-type": "heading",
        "blocks-0-text": "Spring is here",
        **extra,
    }


def test_the_editor_edits_every_variant_a_to_d(manager_client, viewer_client, tenant):
    segment = static_list(MarketingContactFactory.create_batch(2))
    create = reverse("campaigns:campaign_create")
    data = _editor_data(segment, ab_share="40", winner_metric="clicks", winner_wait_hours="6")
    assert manager_client.post(create, data).status_code == 302
    campaign = Campaign.objects.get(name="Spring")
    assert (campaign.ab_share, campaign.winner_metric, campaign.winner_wait_hours) == (
        40,
        "clicks",
        6,
    )
    edit = reverse("campaigns:campaign_edit", args=[campaign.pk])
    page = manager_client.get(edit).content.decode()
    assert "+ Add variant B" in page
    new_b = manager_client.get(f"{edit}?variant=B").content.decode()
    assert 'value="Hello spring"' in new_b  # a new variant starts as a copy of A
    assert manager_client.get(f"{edit}?variant=C").status_code == 404  # B comes first
    for label, subject, sender in (
        ("B", "Spring offer", "Anna"),
        ("C", "Third", ""),
        ("D", "Fourth", "Team"),
    ):
        body = _editor_data(
            segment, variant=label, subject=subject, sender_name=sender, preview="1"
        )
        body["blocks-0-text"] = f"Heading {label}"
        response = manager_client.post(edit, body)
        assert response.status_code == 302 and response["Location"].endswith(f"?variant={label}")
    got = {
        v.label: (v.subject, v.sender_name, v.blocks[0]["text"]) for v in campaign.variants.all()
    }
    assert got == {
        "A": ("Hello spring", "", "Spring is here"),
        "B": ("Spring offer", "Anna", "Heading B"),
        "C": ("Third", "", "Heading C"),
        "D": ("Fourth", "Team", "Heading D"),
    }
    page_b = manager_client.get(f"{edit}?variant=B").content.decode()
    assert 'value="Spring offer"' in page_b and 'value="Anna"' in page_b
    assert "+ Add variant" not in manager_client.get(edit).content.decode()  # four at most
    # change B again: A stays as it was
    body = _editor_data(segment, variant="B", subject="Spring offer 2")
    manager_client.post(edit, body)
    assert campaign.variants.get(label="A").subject == "Hello spring"
    assert campaign.variants.get(label="B").subject == "Spring offer 2"
    remove = reverse("campaigns:campaign_variant_remove", args=[campaign.pk, "D"])
    assert viewer_client.post(remove).status_code == 403
    manager_client.post(reverse("campaigns:campaign_variant_remove", args=[campaign.pk, "B"]))
    assert campaign.variants.count() == 4  # only the last one goes
    manager_client.post(remove)
    assert sorted(campaign.variants.values_list("label", flat=True)) == ["A", "B", "C"]
