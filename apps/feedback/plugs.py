"""What feedback adds to the lower apps, through their registries (called from ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_all() -> None:
    """Fill the registries; registering twice changes nothing."""
    from apps.accounts.registries import (
        AnalyticsWidget,
        SidebarItem,
        analytics_widgets,
        home_cards,
        sidebar_items,
    )
    from apps.appointments.registries import appointment_notices
    from apps.contacts.catalogue import event_types_register
    from apps.contacts.registries import (
        contact_panels,
        merge_hooks,
        privacy_erasers,
        privacy_exporters,
        segment_conditions,
        timeline_subscribers,
    )
    from apps.messaging.registries import purposes
    from apps.scheduling.registries import due_work_handlers

    from .event_types import EVENT_TYPES
    from .selectors.segments import feedback_segment_conditions
    from .services import cases, invitations
    from .services.privacy import feedback_erase, feedback_export, feedback_merge
    from .services.purposes import feedback_purposes
    from .services.subscriber import feedback_on_events
    from .views.home import CASES, REMEMBER
    from .views.panels import CONTACT_PANEL, remember_notices

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
    for condition in feedback_segment_conditions():
        segment_conditions.register(condition.key, condition)
    item = SidebarItem(
        id="feedback.figures",
        label=_("Feedback"),
        url_name="feedback:figures",
        icon="messages",
        section="feedback:",
        order=45,
    )
    sidebar_items.register(item.id, item)
    home_cards.register(CASES.id, CASES)
    home_cards.register(REMEMBER.id, REMEMBER)
    contact_panels.register(CONTACT_PANEL.id, CONTACT_PANEL)
    appointment_notices.register("feedback", remember_notices)
    widget = AnalyticsWidget(
        id="feedback.scores",
        title=_("Customer feedback"),
        compute="apps.feedback.selectors.analytics_widget.compute",
        order=40,
        invalidated_by=("feedback.Response", "feedback.Case"),
        description=_("NPS, CSAT and effort against the period before, cases, NPS by week."),
    )
    analytics_widgets.register(widget.id, widget)
