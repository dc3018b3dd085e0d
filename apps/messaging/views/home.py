"""The home page's "Unread replies" card, loaded by htmx from its own URL."""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from apps.accounts.choices import Role
from apps.accounts.registries import HomeCard
from apps.accounts.views import home_card_view

from ..selectors.analytics import replies_unread

HOME_REPLIES = 5
REPLIES = HomeCard(
    id="messaging.replies",
    title=_("Unread replies"),
    url_name="messaging:home_replies",
    order=13,  # beside the other things waiting for the front desk
    min_role=Role.VIEWER,
)


@home_card_view(REPLIES)
def home_replies(request):
    """The newest texts customers sent that nobody has read, and how many wait (1-2 queries)."""
    replies, unread = replies_unread(limit=HOME_REPLIES)
    return render(
        request,
        "messaging/_home_replies.html",
        {
            "card": REPLIES,
            "replies": replies,
            "unread": unread,
            "more": unread - len(replies),
            "can_write": request.user.has_role(Role.STAFF),
        },
    )
