"""The staff calendar and what is done from it: book, look, change status, move, cancel."""

from django.urls import path

from ..views import appointments as actions
from ..views import calendar as views
from ..views import home, waitlist

urlpatterns = [
    path("appointments/", views.calendar, name="calendar"),
    path("appointments/home/today/", home.home_today, name="home_today"),
    path("appointments/home/pending/", home.home_pending, name="home_pending"),
    path("appointments/waitlist/", waitlist.waitlist_list, name="waitlist_list"),
    path(
        "appointments/waitlist/<int:pk>/remove/", waitlist.waitlist_remove, name="waitlist_remove"
    ),
    path("appointments/book/", actions.appointment_book_view, name="appointment_book"),
    path("appointments/book/contacts/", actions.contact_search, name="contact_search"),
    path("appointments/<int:pk>/", actions.appointment_detail, name="appointment_detail"),
    path("appointments/<int:pk>/status/", actions.appointment_status, name="appointment_status"),
    path(
        "appointments/<int:pk>/approve/",
        actions.appointment_approve_view,
        name="appointment_approve",
    ),
    path(
        "appointments/<int:pk>/cancel/", actions.appointment_cancel_view, name="appointment_cancel"
    ),
    path("appointments/<int:pk>/move/", actions.appointment_move, name="appointment_move"),
    path(
        "appointments/contact/<int:contact_pk>/",
        views.contact_appointments,
        name="contact_appointments",
    ),
]
