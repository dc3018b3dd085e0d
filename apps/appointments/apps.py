from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "apps.appointments"
    label = "appointments"
    verbose_name = "Appointments"

    def ready(self) -> None:
        from apps.accounts.registries import (
            AnalyticsWidget,
            SidebarItem,
            analytics_widgets,
            home_cards,
            sidebar_items,
        )
        from apps.contacts.catalogue import event_types_register
        from apps.contacts.registries import (
            contact_panels,
            customer_activity,
            merge_hooks,
            privacy_erasers,
            privacy_exporters,
            segment_conditions,
        )
        from apps.messaging.registries import attachment_builders, confirm_handlers, purposes
        from apps.scheduling.registries import due_work_handlers
        from apps.tenants.registries import provisioning_hooks

        from .event_types import EVENT_TYPES
        from .selectors.analytics import visits_completed
        from .selectors.segments import appointment_segment_conditions
        from .services.ics import appointment_invite
        from .services.privacy import (
            appointments_erase,
            appointments_export,
            appointments_merge,
        )
        from .services.purposes import appointment_purposes
        from .services.recall import RECALL, recall_daily_run, recall_provision
        from .services.reminders import (
            REMINDER,
            appointment_confirm_by_reply,
            reminder_due_send,
        )
        from .views.booking_page import BOOKING_LINK, SETUP
        from .views.calendar import CONTACT_PANEL
        from .views.home import PENDING, TODAY

        event_types_register(EVENT_TYPES)
        for purpose in appointment_purposes():
            purposes.register(purpose.key, purpose)
        provisioning_hooks.register("appointments", recall_provision)
        due_work_handlers.register(REMINDER, reminder_due_send)
        due_work_handlers.register(RECALL, recall_daily_run)
        attachment_builders.register("appointment", appointment_invite)
        confirm_handlers.register("appointments", appointment_confirm_by_reply)
        merge_hooks.register("appointments", appointments_merge)
        privacy_exporters.register("appointments", appointments_export)
        privacy_erasers.register("appointments", appointments_erase)
        for condition in appointment_segment_conditions():
            segment_conditions.register(condition.key, condition)
        calendar = SidebarItem(
            id="appointments.calendar",
            label=_("Calendar"),
            url_name="appointments:calendar",
            icon="calendar",
            section="appointments:",
            order=20,
        )
        sidebar_items.register(calendar.id, calendar)
        booking_page = SidebarItem(
            id="appointments.booking_page",
            label=_("Booking page"),
            url_name="appointments:booking_share",
            icon="link",
            section="appointments:booking_share",
            order=25,
        )
        sidebar_items.register(booking_page.id, booking_page)
        home_cards.register(SETUP.id, SETUP)
        home_cards.register(TODAY.id, TODAY)
        home_cards.register(PENDING.id, PENDING)
        home_cards.register(BOOKING_LINK.id, BOOKING_LINK)
        contact_panels.register(CONTACT_PANEL.id, CONTACT_PANEL)
        customer_activity.register("appointments", visits_completed)
        no_shows = AnalyticsWidget(
            id="appointments.no_shows",
            title=_("No-shows"),
            order=50,
            compute="apps.appointments.selectors.analytics.no_shows_widget",
            invalidated_by=("appointments.Appointment", "appointments.StaffMember"),
            description=_("Appointments the customer did not come to, by weekday, hour and staff."),
        )
        analytics_widgets.register(no_shows.id, no_shows)
