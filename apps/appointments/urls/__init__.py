"""The appointments app's pages: the staff calendar, set-up, the public booking page and the
calendar feeds, under one namespace."""

from .calendar import urlpatterns as calendar_urls
from .public import urlpatterns as public_urls
from .setup import urlpatterns as setup_urls

app_name = "appointments"
urlpatterns = [*calendar_urls, *setup_urls, *public_urls]
