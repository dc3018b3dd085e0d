from django.urls import path

from . import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/topics/", views.topic_list, name="topic_list"),
    path("campaigns/topics/<int:pk>/delete/", views.topic_delete, name="topic_delete"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:pk>/variants/<str:label>/remove/",
        views.campaign_variant_remove,
        name="campaign_variant_remove",
    ),
    path("campaigns/<int:pk>/progress/", views.campaign_progress, name="campaign_progress"),
    path(
        "campaigns/<int:pk>/preview/<str:label>/",
        views.campaign_preview,
        name="campaign_preview",
    ),
    path("campaigns/<int:pk>/<slug:action>/", views.campaign_action, name="campaign_action"),
    path("c/<str:token>/", views.campaign_web_version, name="campaign_web_version"),
]
