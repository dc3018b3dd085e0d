"""What a staff member can be told of, apart from the models so that pages and forms can name
the kinds without the tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    BOOKED_ONLINE = "booked_online", _("New online booking")
    APPROVAL_NEEDED = "approval_needed", _("Booking waiting for approval")
    CANCELLED = "cancelled", _("Cancellation")
    REPLY = "reply", _("Reply received")


class Way(models.TextChoices):
    IN_APP = "in_app", _("In the app")
    EMAIL = "email", _("By e-mail")
