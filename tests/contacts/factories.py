import factory

from apps.contacts.models import Contact, CustomField, Segment, Task, TimelineEvent


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact written straight to the table (use the services to test their rules)."""

    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.test")
    phone = factory.Sequence(lambda n: f"+1312555{n % 10000:04d}")
    phone_national = factory.LazyAttribute(lambda o: o.phone[2:])
    time_zone = "Europe/Berlin"
    language = "en"


class CustomFieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomField

    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    type = "text"


class TimelineEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEvent

    contact = factory.SubFactory(ContactFactory)
    type = "page.viewed"
    occurred_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    contact = factory.SubFactory(ContactFactory)
    title = factory.Faker("sentence", nb_words=4)


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    name = factory.Sequence(lambda n: f"Segment {n}")
