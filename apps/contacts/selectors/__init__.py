"""Reads for contacts, re-exported here."""

from .contacts import (
    SORTS,
    consent_history_for,
    consent_latest_by_channel,
    contact_events_of,
    contact_find,
    contact_get,
    contact_list,
    contact_search_filter,
    contacts_live,
    custom_field_keys,
    tasks_open_for,
    tasks_open_for_contact,
    timeline_for,
    transactions_recent_for,
)

__all__ = [
    "contact_events_of",
    "consent_history_for",
    "consent_latest_by_channel",
    "tasks_open_for_contact",
    "transactions_recent_for",
    "SORTS",
    "contact_find",
    "contact_get",
    "contact_list",
    "contact_search_filter",
    "contacts_live",
    "custom_field_keys",
    "tasks_open_for",
    "timeline_for",
]
