"""The cards other modules add to the contact page (appointments, later loyalty and feedback):
declared as `ContactPanel`s in `apps.contacts.registries.contact_panels` from the module's
`ready()`, drawn as a titled placeholder that htmx fills from the module's own URL, so the
contact page neither imports the module nor waits for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

from apps.accounts.choices import Role
from apps.accounts.registries import visible_to

from ..models import Contact
from ..registries import contact_panels

if TYPE_CHECKING:
    from apps.accounts.models import User


@dataclass(frozen=True, kw_only=True)
class ContactPanel:
    """A card of the contact page. `url_name` takes the contact's id and answers htmx with the
    card (a view that checks `min_role` itself and finds the contact through `contact_get`, so
    a contact of another business is a 404)."""

    id: str
    title: str
    url_name: str
    order: int = 100
    min_role: str = Role.VIEWER

    @property
    def dom_id(self) -> str:
        return self.id.replace(".", "-").replace("_", "-") + "-panel"


@dataclass(frozen=True)
class PanelSlot:
    """A panel as the contact page draws it: where it loads from."""

    panel: ContactPanel
    url: str


def panels_for(user: User, contact: Contact) -> list[PanelSlot]:
    """The panels `user` may see on `contact`'s page, lowest order first."""
    return [
        PanelSlot(panel, reverse(panel.url_name, args=[contact.pk]))
        for panel in visible_to(user, contact_panels.values())
    ]
