"""Writes and rules for contacts, one module per sub-domain, re-exported here."""

from .consent import consent_set
from .contacts import (
    contact_create,
    contact_update,
    contacts_tag,
    custom_fields_validate,
    phone_display,
    phone_example,
    phone_normalize,
    tags_normalize,
)
from .custom_fields import custom_field_create, custom_field_delete, custom_field_update
from .imports import import_preview, import_run, import_start, import_upload
from .matching import contact_lock, contact_match_or_create
from .membership import segment_memberships_refresh, segment_track
from .merge import contacts_merge
from .no_shows import contact_no_shows_adjust, contacts_no_shows_add
from .privacy import contact_erase, contact_export_data
from .rfm import rfm_recompute, rfm_schedule_nightly, rfm_update_for_contact
from .segments import (
    segment_create,
    segment_delete,
    segment_members_add,
    segment_members_remove,
    segment_update,
)
from .timeline import (
    call_log_add,
    event_record,
    events_ingest,
    events_record_many,
    note_add,
    task_complete,
    task_create,
)
from .transactions import transaction_record

__all__ = [
    "call_log_add",
    "consent_set",
    "contact_create",
    "contact_update",
    "contacts_tag",
    "custom_field_create",
    "custom_field_delete",
    "custom_field_update",
    "custom_fields_validate",
    "event_record",
    "segment_memberships_refresh",
    "segment_track",
    "events_ingest",
    "events_record_many",
    "note_add",
    "phone_display",
    "phone_example",
    "phone_normalize",
    "tags_normalize",
    "task_complete",
    "task_create",
    "transaction_record",
    "rfm_recompute",
    "rfm_schedule_nightly",
    "rfm_update_for_contact",
    "segment_create",
    "segment_delete",
    "segment_members_add",
    "segment_members_remove",
    "segment_update",
    "contact_erase",
    "contact_lock",
    "contact_match_or_create",
    "contact_no_shows_adjust",
    "contacts_no_shows_add",
    "contact_export_data",
    "contacts_merge",
    "import_preview",
    "import_run",
    "import_start",
    "import_upload",
]
