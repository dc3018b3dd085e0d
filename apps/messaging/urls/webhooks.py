from django.urls import path

from ..views import webhooks as views

urlpatterns = [
    path("webhooks/twilio/status/", views.twilio_status, name="twilio_status"),
    path("webhooks/twilio/inbound/", views.twilio_inbound, name="twilio_inbound"),
]
