from django.urls import path

from ..views import settings as views

urlpatterns = [
    path("settings/messaging/", views.messaging_settings_edit, name="messaging_settings"),
]
