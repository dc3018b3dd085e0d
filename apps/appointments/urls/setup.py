"""Set-up of the appointments module: services, staff and their hours, rooms, holidays and
the booking rules."""

from django.urls import path

from ..views import booking_page as booking_page
from ..views import setup as views
from ..views import setup_staff as staff

urlpatterns = [
    path("appointments/setup/", views.setup_index, name="setup"),
    path("appointments/setup/services/", views.service_list, name="service_list"),
    path("appointments/setup/services/new/", views.service_create, name="service_create"),
    path("appointments/setup/services/<int:pk>/", views.service_edit, name="service_edit"),
    path("appointments/setup/staff/", staff.staff_list, name="staff_list"),
    path("appointments/setup/staff/new/", staff.staff_create, name="staff_create"),
    path("appointments/setup/staff/<int:pk>/", staff.staff_edit, name="staff_edit"),
    path("appointments/setup/staff/<int:pk>/hours/", staff.staff_hours, name="staff_hours"),
    path(
        "appointments/setup/staff/<int:pk>/one-off-hours/",
        staff.hours_override_set,
        name="hours_override_set",
    ),
    path(
        "appointments/setup/staff/<int:pk>/one-off-hours/reset/",
        staff.hours_override_clear,
        name="hours_override_clear",
    ),
    path("appointments/setup/staff/<int:pk>/time-off/", staff.time_off_add, name="time_off_add"),
    path(
        "appointments/setup/staff/<int:pk>/time-off/<int:time_off_pk>/delete/",
        staff.time_off_delete,
        name="time_off_delete",
    ),
    path(
        "appointments/setup/staff/<int:pk>/feed/reset/",
        staff.staff_feed_reset,
        name="staff_feed_reset",
    ),
    path("appointments/setup/rooms/", views.room_list, name="room_list"),
    path("appointments/setup/rooms/new/", views.room_create, name="room_create"),
    path("appointments/setup/rooms/<int:pk>/", views.room_edit, name="room_edit"),
    path("appointments/setup/holidays/", views.holiday_list, name="holiday_list"),
    path("appointments/setup/holidays/add/", views.holiday_add, name="holiday_add"),
    path(
        "appointments/setup/holidays/<int:pk>/delete/",
        views.holiday_delete,
        name="holiday_delete",
    ),
    path("appointments/setup/booking/", views.settings_edit, name="settings_edit"),
    path("appointments/booking-page/", booking_page.booking_share, name="booking_share"),
    path(
        "appointments/booking-page/open/", booking_page.booking_link_open, name="booking_link_open"
    ),
    path(
        "appointments/booking-page/copied/",
        booking_page.booking_link_copied,
        name="booking_link_copied",
    ),
    path("appointments/booking-page/qr.svg", booking_page.booking_qr, name="booking_qr"),
    path("appointments/home/setup/", booking_page.home_setup, name="home_setup"),
    path(
        "appointments/home/setup/dismiss/",
        booking_page.setup_checklist_dismiss,
        name="setup_checklist_dismiss",
    ),
    path(
        "appointments/home/booking-link/",
        booking_page.home_booking_link,
        name="home_booking_link",
    ),
]
