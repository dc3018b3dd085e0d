import factory

from apps.messaging.models import InboundMessage, Message, Template
from tests.contacts.factories import ContactFactory


class TemplateFactory(factory.django.DjangoModelFactory):
    """A business's own wording, written straight to the table (template_save checks it)."""

    class Meta:
        model = Template
        django_get_or_create = ("purpose", "channel", "language")

    purpose = "appointment_reminder"
    channel = "sms"
    language = "en"
    subject = ""
    body = "Hi {{ contact.first_name }}, see you {{ appointment.starts_at }}."


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    contact = factory.SubFactory(ContactFactory)
    purpose = "appointment_reminder"
    category = "transactional"
    channel = "sms"
    language = "en"
    to = factory.LazyAttribute(lambda o: o.contact.phone)
    body = "Hi, see you tomorrow at 10:30."
    status = "queued"


class InboundMessageFactory(factory.django.DjangoModelFactory):
    """A text a customer sent, stored as the inbound webhook would."""

    class Meta:
        model = InboundMessage

    contact = factory.SubFactory(ContactFactory)
    from_number = factory.LazyAttribute(lambda o: o.contact.phone if o.contact else "+13125550000")
    body = "Can I bring my daughter too?"
    handled_as = "other"


class SentMessageFactory(MessageFactory):
    """A message Twilio accepted: sent, with Twilio's id (what status webhooks refer to)."""

    status = "sent"
    provider = "twilio"
    provider_message_id = factory.Sequence(lambda n: f"SM{n:032x}")
