from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="endpoint_list"),
    path("settings/webhooks/<int:pk>/", views.endpoint_detail, name="endpoint_detail"),
    path("settings/webhooks/<int:pk>/edit/", views.endpoint_update, name="endpoint_update"),
    path("settings/webhooks/<int:pk>/secret/", views.endpoint_rotate, name="endpoint_rotate"),
    path("settings/webhooks/<int:pk>/switch/", views.endpoint_switch, name="endpoint_switch"),
    path("settings/webhooks/<int:pk>/replay/", views.endpoint_replay, name="endpoint_replay"),
    path("settings/webhooks/<int:pk>/delete/", views.endpoint_delete, name="endpoint_delete"),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/",
        views.delivery_detail,
        name="delivery_detail",
    ),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
]
