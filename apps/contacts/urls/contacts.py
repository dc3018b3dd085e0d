"""The contact list, the contact form and the contact page with its quick actions."""

from django.urls import path

from ..views import contact_actions as actions
from ..views import contacts as views
from ..views import home

urlpatterns = [
    path("contacts/", views.contact_list, name="contact_list"),
    path("contacts/bulk/", views.contacts_bulk, name="contacts_bulk"),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/timeline/", views.contact_timeline, name="contact_timeline"),
    path("contacts/<int:pk>/notes/", actions.contact_note_add, name="contact_note_add"),
    path("contacts/<int:pk>/calls/", actions.contact_call_log, name="contact_call_log"),
    path("contacts/<int:pk>/tasks/", actions.contact_task_add, name="contact_task_add"),
    path(
        "contacts/<int:pk>/tasks/<int:task_pk>/done/",
        actions.contact_task_complete,
        name="contact_task_complete",
    ),
    path("contacts/<int:pk>/consent/", actions.contact_consent_set, name="contact_consent_set"),
    path("contacts/home/tasks/", home.home_tasks, name="home_tasks"),
]
