"""What feedback adds to the lower apps, through their registries (called from ready())."""

from __future__ import annotations


def register_all() -> None:
    """Fill the registries; registering twice changes nothing."""
    from apps.contacts.catalogue import event_types_register
    from apps.contacts.registries import (
        merge_hooks,
        privacy_erasers,
        privacy_exporters,
        timeline_subscribers,
    )
    from apps.messaging.registries import purposes
    from apps.scheduling.registries import due_work_handlers

    from .event_types import EVENT_TYPES
    from .services import cases, invitations
    from .services.privacy import feedback_erase, feedback_export, feedback_merge
    from .services.purposes import feedback_purposes
    from .services.subscriber import feedback_on_events

    event_types_register(EVENT_TYPES)
    timeline_subscribers.register("feedback", feedback_on_events)
    merge_hooks.register("feedback", feedback_merge)
    privacy_exporters.register("feedback", feedback_export)
    privacy_erasers.register("feedback", feedback_erase)
    for purpose in feedback_purposes():
        purposes.register(purpose.key, purpose)
    due_work_handlers.register(invitations.SEND, invitations.invitation_send_due)
    due_work_handlers.register(invitations.REMIND, invitations.invitation_remind_due)
    due_work_handlers.register(invitations.EXPIRE, invitations.invitation_expire_due)
    due_work_handlers.register(cases.ESCALATE, cases.case_escalate_due)
