import factory
from django.utils import timezone

from apps.loyalty.models import EarnRule, Member, Reward, Tier
from tests.contacts.factories import ContactFactory


class MemberFactory(factory.django.DjangoModelFactory):
    """An account with no points (earn through the services to give it some)."""

    class Meta:
        model = Member

    contact = factory.SubFactory(ContactFactory)
    member_since = factory.LazyFunction(timezone.now)
    referral_code = factory.Sequence(lambda n: f"REF{n:05d}")


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    name = factory.Sequence(lambda n: f"Reward {n}")
    kind = "amount_off"
    value = 10
    cost_points = 100


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    name = factory.Sequence(lambda n: f"Tier {n}")
    threshold = factory.Sequence(lambda n: 100 * (n + 1))
    earn_multiplier = 1


class EarnRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EarnRule

    name = factory.Sequence(lambda n: f"Bonus {n}")
    trigger = "event"
    event_type = "survey.answered"
    points = 50
