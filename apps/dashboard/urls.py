from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("home/get-started/", views.home_get_started, name="home_get_started"),
    path("developers/", views.developers, name="developers"),
]
