"""The staff roles, apart from the models so that a page checking a role does not depend on
the accounts tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """Ordered from most to least powerful; `Role.rank` compares them."""

    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    STAFF = "staff", pgettext_lazy("role", "Staff")
    VIEWER = "viewer", pgettext_lazy("role", "Viewer")

    @classmethod
    def rank(cls, role: str) -> int:
        order = [cls.VIEWER, cls.STAFF, cls.MANAGER, cls.OWNER]
        return order.index(role) if role in order else -1
