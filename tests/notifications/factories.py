import factory

from apps.notifications.choices import Kind
from apps.notifications.models import Notification, NotificationPreference
from tests.accounts.factories import UserFactory
from tests.contacts.factories import TimelineEventFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """An in-app notification of an online booking (the event's properties as appointments
    records them)."""

    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    event = factory.SubFactory(
        TimelineEventFactory,
        type="appointment.booked",
        properties=factory.LazyFunction(
            lambda: {
                "appointment_id": 1,
                "service": "Check-up",
                "staff": "Dr. Weber",
                "starts_at": "2030-01-07T10:00:00+01:00",
                "source": "online",
            }
        ),
    )
    kind = Kind.BOOKED_ONLINE
    in_app = True
    email = False


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    kind = Kind.BOOKED_ONLINE
    in_app = False
    email = False
