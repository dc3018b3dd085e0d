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

EVENT_TYPES = [
    EventType("journey.entered", _("Entered a journey"), ("{journey_name}",), JOURNEY),
    EventType("journey.converted", _("Reached a journey's goal"), ("{journey_name}",), JOURNEY),
    EventType("journey.exited", _("Left a journey"), ("{journey_name}", "· {reason}"), JOURNEY),
    EventType("journey.completed", _("Finished a journey"), ("{journey_name}",), JOURNEY),
]
