"""Writes and rules for journeys, one module per sub-domain, re-exported here."""

from .advance import journey_advance
from .engine import (
    enrollment_enter,
    enrollment_exit,
    journeys_on_events,
)
from .journeys import (
    activation_preview,
    date_trigger_fire,
    enrollment_start,
    journey_activate,
    journey_archive,
    journey_create,
    journey_from_template,
    journey_pause,
    journey_resume,
    journey_test_run,
    journey_update,
    version_draft,
    version_steps_set,
    version_wording_set,
)
from .offers import offer_choose, offer_save

__all__ = [
    "activation_preview",
    "date_trigger_fire",
    "enrollment_enter",
    "enrollment_exit",
    "enrollment_start",
    "journey_activate",
    "journey_advance",
    "journey_archive",
    "journey_create",
    "journey_from_template",
    "journey_pause",
    "journey_resume",
    "journey_test_run",
    "journey_update",
    "journeys_on_events",
    "offer_choose",
    "offer_save",
    "version_draft",
    "version_steps_set",
    "version_wording_set",
]
