"""The loyalty pages (staff pages and the member card are added here)."""

from django.urls import path  # noqa: F401

app_name = "loyalty"

urlpatterns: list = []
