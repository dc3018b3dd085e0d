"""A batch renders each wording once and only the contact's parts per contact: the output
is the same as rendering contact by contact."""

from __future__ import annotations

import pytest

from apps.messaging.services.templates import BatchRenderer, template_render_source
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.django_db

SUBJECT = "{{ subject }} for {{ contact.first_name|default:'you' }}"
BODY = (
    'Hi {{ contact.first_name|default:"there" }} {{ contact.last_name|upper }},\n\n'
    "{{ text }} — {{ business.name }} {{ contact.custom.level|default:'-' }}\n"
    "{{ missing }}{{ unsubscribe_link }}"
)


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_the_batch_renders_as_one_by_one(tenant, channel):
    people = [
        ContactFactory(first_name="Anna", last_name="Smith", custom={"level": "gold"}),
        ContactFactory(first_name="", last_name="Lee"),
        ContactFactory(first_name="Zoé", last_name="Dupont", language="fr"),
    ]
    variants = {"en": (SUBJECT, BODY, True), "fr": ("Sujet {{ subject }}", "Bonjour " + BODY, True)}
    context = {"subject": "News", "text": "Longer hours <b>on</b> Thursdays."}
    renderer = BatchRenderer(
        purpose="campaign_message", channel=channel, variants=variants, context=context
    )
    for person in people:
        link = f"https://example.test/p/{person.pk}"
        batch = renderer.render(contact=person, personal={"unsubscribe_link": link})
        subject, body, _own = variants[batch.language]
        single = template_render_source(
            channel=channel,
            language=batch.language,
            subject=subject,
            body=body,
            contact=person,
            context={"unsubscribe_link": link, **context},
        )
        assert batch == single
    assert len(renderer.plans) == 2  # one per language, whatever the number of contacts
