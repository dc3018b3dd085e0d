from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "analytics/widgets/<str:widget_id>.csv",
        views.analytics_widget_csv,
        name="analytics_widget_csv",
    ),
    path("analytics/widgets/<str:widget_id>/", views.analytics_widget, name="analytics_widget"),
    path(
        "settings/preferences/weekly-summary/",
        views.weekly_summary_preference,
        name="weekly_summary_preference",
    ),
    path("home/get-started/", views.home_get_started, name="home_get_started"),
    path("developers/", views.developers, name="developers"),
]
