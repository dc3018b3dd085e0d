"""The public side (no login): the booking page, the customer's signed link, the .ics files."""

from django.urls import path

from ..views import public, public_manage

urlpatterns = [
    path("book/", public.booking_start, name="booking_start"),
    path("book/waitlist/", public.booking_waitlist, name="booking_waitlist"),
    path("book/manage/<str:token>/", public_manage.booking_manage, name="booking_manage"),
    path("book/manage/<str:token>/booked/", public_manage.booking_done, name="booking_done"),
    path(
        "book/manage/<str:token>/reschedule/",
        public_manage.booking_reschedule,
        name="booking_reschedule",
    ),
    path("book/manage/<str:token>/cancel/", public_manage.booking_cancel, name="booking_cancel"),
    path("book/manage/<str:token>/calendar.ics", public_manage.booking_ics, name="booking_ics"),
    path("appointments/feed/<str:token>.ics", public_manage.staff_feed, name="staff_feed"),
]
