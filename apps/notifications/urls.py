from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path(
        "notifications/read/", views.notification_mark_all_read, name="notification_mark_all_read"
    ),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path(
        "notifications/preferences/",
        views.notification_preferences,
        name="notification_preferences",
    ),
]
