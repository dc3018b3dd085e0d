"""The Outbox, one message, and the inbox of replies."""

from django.urls import path

from ..views import home
from ..views import outbox as views

urlpatterns = [
    path("messages/", views.outbox, name="outbox"),
    path("messages/<int:pk>/", views.message_detail, name="message_detail"),
    path("messages/inbox/", views.inbox, name="inbox"),
    path("messages/inbox/<int:pk>/read/", views.inbox_mark_read, name="inbox_mark_read"),
    path("messages/home/replies/", home.home_replies, name="home_replies"),
]
