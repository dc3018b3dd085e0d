"""Links customers follow from messages (no login; the token is the credential)."""

from django.urls import path, re_path

from ..views import links as views

urlpatterns = [
    path("m/u/<str:token>/", views.unsubscribe, name="link_unsubscribe"),
    path("m/p/<str:token>/", views.preferences, name="link_preferences"),
    re_path(r"^m/o/(?P<token>[\w:-]+)\.gif$", views.open_pixel, name="link_open"),
    path("m/c/<str:token>/", views.click, name="link_click"),
    re_path(r"^l/(?P<code>[A-Za-z0-9]{4,16})/$", views.short_link, name="link_short"),
]
