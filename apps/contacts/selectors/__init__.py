"""Reads for contacts, re-exported here."""

from .contacts import (
    SORTS,
    contact_get,
    contact_list,
    contact_search_filter,
    tasks_open_for,
    timeline_for,
)

__all__ = [
    "SORTS", "contact_get", "contact_list", "contact_search_filter", "tasks_open_for",
    "timeline_for",
]  # fmt: skip
