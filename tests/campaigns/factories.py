import factory

from apps.campaigns.services import campaign_create
from apps.contacts.models import Segment, SegmentMember
from tests.contacts.factories import ContactFactory

BLOCKS = [
    {"type": "heading", "text": "Spring news"},
    {"type": "text", "text": "New treatments this month."},
    {"type": "button", "text": "Book now", "url": "https://example.test/book"},
    {"type": "footer"},
]


class MarketingContactFactory(ContactFactory):
    email_consent = "opted_in"
    sms_consent = "opted_in"
    time_zone = "Europe/Berlin"


def static_list(contacts, name: str = "Newsletter list") -> Segment:
    segment = Segment.objects.create(name=name, kind="static")
    SegmentMember.objects.bulk_create([SegmentMember(segment=segment, contact=c) for c in contacts])
    return segment


def campaign_for(contacts, *, variants=None, **kwargs):
    """A draft e-mail campaign to a static list of `contacts`."""
    segment = static_list(contacts)
    return campaign_create(
        name=kwargs.pop("name", "Spring newsletter"),
        segments=[segment],
        variants=variants or [{"subject": "Spring news", "blocks": BLOCKS}],
        **kwargs,
    )


__all__ = [
    "BLOCKS",
    "MarketingContactFactory",
    "campaign_for",
    "factory",
    "sent_campaign",
    "static_list",
]


def sent_campaign(*, contacts=None, **kwargs):
    """A campaign sent to `contacts` (three new ones by default), its batch run."""
    from apps.campaigns.services import campaign_batch_send, campaign_schedule, campaign_start

    people = contacts if contacts is not None else MarketingContactFactory.create_batch(3)
    campaign = campaign_for(people, **kwargs)
    campaign_schedule(campaign=campaign)
    campaign_start(campaign=campaign)
    campaign_batch_send(campaign_id=campaign.pk)
    campaign.refresh_from_db()
    return campaign
