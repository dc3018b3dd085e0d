"""The timeline event types of journeys (see apps/contacts/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from apps.contacts.catalogue import EventType

JOURNEY = {
    "journey_id": _("the journey's id"),
    "journey_name": _("the journey's name"),
    "enrollment_id": _("the enrollment's id"),
    "version": _("the version the contact follows"),
    "reason": _("why it ended"),
}

WEBHOOK = {
    "journey_id": _("the journey's id"),
    "journey_name": _("the journey's name"),
    "enrollment_id": _("the enrollment's id"),
    "entry_key": _("the entry key (the invoice, order or appointment, or the contact)"),
    "step": _("the step's number in the enrollment"),
    "step_id": _("the step's id in the journey"),
    "webhook_endpoint_id": _("the webhook endpoint the event is sent to"),
    "trigger": _("the properties of the event that started the journey"),
}

EVENT_TYPES = [
    EventType("journey.entered", _("Entered a journey"), ("{journey_name}",), JOURNEY),
    EventType("journey.converted", _("Reached a journey's goal"), ("{journey_name}",), JOURNEY),
    EventType("journey.exited", _("Left a journey"), ("{journey_name}", "· {reason}"), JOURNEY),
    EventType("journey.completed", _("Finished a journey"), ("{journey_name}",), JOURNEY),
    EventType(
        "journey.webhook",
        _("Sent to a partner by a journey"),
        ("{journey_name}",),
        WEBHOOK,
        personal=frozenset({"trigger"}),
    ),
]
