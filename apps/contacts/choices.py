"""The contact's choices other apps use too (the channels, consent), apart from the models so
that naming a channel does not mean depending on the contacts tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    VOICE = "voice", _("Voice")


class ConsentStatus(models.TextChoices):
    OPTED_IN = "opted_in", _("Opted in")
    OPTED_OUT = "opted_out", _("Opted out")
    UNKNOWN = "unknown", _("Unknown")


class ConsentMethod(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    REPLY = "reply", _("Reply (STOP/START)")
    STAFF = "staff", _("Staff")
