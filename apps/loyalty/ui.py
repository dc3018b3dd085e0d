"""What the loyalty pages add to the shell and to lower apps (called from
`LoyaltyConfig.ready()`): the sidebar entries, the home card, the contact page's panel and
the message purposes."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def ui_register() -> None:
    from apps.accounts.registries import SidebarItem, home_cards, sidebar_items
    from apps.contacts.registries import contact_panels
    from apps.messaging.registries import purposes

    from .services.purposes import loyalty_purposes
    from .views.members import CONTACT_PANEL, HOME

    for purpose in loyalty_purposes():
        purposes.register(purpose.key, purpose)
    members = SidebarItem(
        id="loyalty.members",
        label=_("Loyalty"),
        url_name="loyalty:member_list",
        icon="star",
        section="loyalty:",
        order=50,
    )
    sidebar_items.register(members.id, members)
    home_cards.register(HOME.id, HOME)
    contact_panels.register(CONTACT_PANEL.id, CONTACT_PANEL)
