from django.urls import path

from ..views import public

urlpatterns = [
    path("book/", public.booking_start, name="booking_start"),
    path("book/manage/<str:token>/", public.booking_manage, name="booking_manage"),
]
