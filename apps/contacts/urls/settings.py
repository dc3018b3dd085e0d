from django.urls import path

from ..views import settings as views

urlpatterns = [
    path("settings/contacts/", views.contact_settings, name="contact_settings"),
    path(
        "settings/contacts/fields/<int:pk>/remove/",
        views.custom_field_remove,
        name="custom_field_remove",
    ),
]
