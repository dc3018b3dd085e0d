"""Topics: the business manages them on their page; customers keep or leave each on
messaging's preference page, and a campaign of a left topic passes them by."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from apps.campaigns.choices import SkipReason
from apps.campaigns.models import Topic, TopicOptOut
from apps.campaigns.selectors import skip_reasons
from apps.campaigns.services import (
    campaign_batch_send,
    campaign_schedule,
    campaign_start,
    topic_create,
)
from apps.messaging.services import links
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.conftest import alpha
from tests.helpers.clock import clock_at, local

pytestmark = pytest.mark.django_db
BASE = "http://alpha.localhost"
START = local(dt.date(2030, 3, 4), 10, 0).astimezone(dt.UTC)


def test_a_manager_adds_and_removes_topics_a_viewer_reads(
    manager_client, viewer_client, outsider_client, tenant, django_assert_max_num_queries
):
    url = reverse("campaigns:topic_list")
    empty = manager_client.get(url)
    assert b"No topics yet" in empty.content
    response = manager_client.post(url, {"name": "Offers", "key": "offers", "description": ""})
    assert response.status_code == 302
    again = manager_client.post(url, {"name": "More offers", "key": "offers"})
    assert again.status_code == 200 and "A topic with this key exists." in again.content.decode()
    bad = manager_client.post(url, {"name": "", "key": "x y"})
    assert bad.status_code == 200 and Topic.objects.count() == 1
    topic = Topic.objects.get()
    with django_assert_max_num_queries(12):
        page = viewer_client.get(url)
    assert page.status_code == 200 and b"Offers" in page.content
    assert b"Add a topic" not in page.content
    assert viewer_client.post(url, {"name": "News", "key": "news"}).status_code == 403
    remove = reverse("campaigns:topic_delete", args=[topic.pk])
    assert viewer_client.post(remove).status_code == 403
    assert outsider_client.get(url).status_code in (302, 403, 404)
    assert outsider_client.post(remove).status_code in (302, 403, 404)
    campaign_for(MarketingContactFactory.create_batch(1), topic=topic)
    manager_client.post(remove)
    assert Topic.objects.filter(pk=topic.pk).exists()  # a campaign names it
    spare = topic_create(key="events", name="Events")
    manager_client.post(reverse("campaigns:topic_delete", args=[spare.pk]))
    assert not Topic.objects.filter(pk=spare.pk).exists()


def test_a_customer_leaves_one_topic_on_the_preference_page_and_keeps_the_rest(
    tenant, tenant_client
):
    news = topic_create(key="newsletter", name="Newsletter", description="Once a month")
    offers = topic_create(key="offers", name="Offers")
    contact = MarketingContactFactory()
    url = links.preferences_url(contact=contact, base_url=BASE)[len(BASE) :]
    page = tenant_client.get(url).content.decode()
    assert f'name="topic-campaigns" value="{news.pk}" checked' in page
    assert "Once a month" in page
    response = tenant_client.post(url, {"email": "1", "topic-campaigns": [str(news.pk)]})
    assert response.status_code == 200
    with alpha():
        assert list(TopicOptOut.objects.values_list("topic_id", flat=True)) == [offers.pk]
        contact.refresh_from_db()
        assert contact.email_consent == "opted_in"  # still in touch
        with clock_at(START):
            offer = campaign_for([contact], topic=offers)
            newsletter = campaign_for([contact], topic=news, name="News")
            for campaign in (offer, newsletter):
                campaign_schedule(campaign=campaign, now=START)
                campaign_start(campaign=campaign, now=START)
                campaign_batch_send(campaign_id=campaign.pk, now=START)
        assert skip_reasons(campaign=offer) == {SkipReason.TOPIC: 1}
        assert skip_reasons(campaign=newsletter) == {}
    tenant_client.post(url, {"email": "1", "topic-campaigns": [str(news.pk), str(offers.pk)]})
    with alpha():
        assert not TopicOptOut.objects.exists()  # back again
