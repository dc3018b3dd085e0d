"""The business's topics on messaging's customer preference page (`preference_topics`)."""

from __future__ import annotations

from apps.messaging.registries import PreferenceTopics

from .models import Topic, TopicOptOut


class CampaignTopics(PreferenceTopics):
    def topics(self, contact) -> list[tuple[int, str, str, bool]]:
        left = set(TopicOptOut.objects.filter(contact=contact).values_list("topic_id", flat=True))
        return [(t.pk, t.name, t.description, t.pk not in left) for t in Topic.objects.all()]

    def save(self, *, contact, topic_ids: list[int]) -> None:
        from .services import topic_subscriptions_set

        topic_subscriptions_set(contact=contact, topic_ids=topic_ids)
