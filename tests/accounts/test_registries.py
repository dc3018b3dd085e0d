"""The shell's registries (sidebar items, home cards): who sees an entry and in which order, and
a home card's view that holds its own role."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from apps.accounts.models import Role
from apps.accounts.registries import HomeCard, SidebarItem, visible_to
from apps.accounts.views import home_card_view
from tests.accounts.factories import UserFactory

REPORT = HomeCard(
    id="probe.report", title="Report", url_name="dashboard:home", order=5, min_role=Role.MANAGER
)


def _item(id: str, order: int, min_role: str = Role.VIEWER) -> SidebarItem:
    return SidebarItem(
        id=id,
        label=id,
        url_name="dashboard:home",
        icon="home",
        section=id,
        order=order,
        min_role=min_role,
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.VIEWER, ["a", "c"]),
        (Role.STAFF, ["b", "a", "c"]),
        (Role.OWNER, ["b", "a", "d", "c"]),
    ],
)
def test_visible_entries_are_those_of_the_role_and_below_lowest_order_first(role, expected):
    items = [
        _item("a", 20),
        _item("b", 10, Role.STAFF),
        _item("c", 30),
        _item("d", 20, Role.MANAGER),  # same order as "a": registered later, comes later
    ]
    user = UserFactory.build(role=role)
    assert [item.id for item in visible_to(user, items)] == expected


def test_an_inactive_user_sees_nothing():
    user = UserFactory.build(role=Role.OWNER, is_active=False)
    assert visible_to(user, [_item("a", 1)]) == []


def test_a_card_s_dom_id_is_made_of_its_id():
    assert REPORT.dom_id == "home-probe-report"
    assert HomeCard(id="x.get_started", title="", url_name="").dom_id == "home-x-get-started"


@home_card_view(REPORT)
def _report(request):
    return HttpResponse("the report")


def _request(user, *, htmx: bool = True, method: str = "get"):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    request = getattr(RequestFactory(), method)("/report/", **headers)
    request.user = user
    request.htmx = HtmxDetails(request)
    return request


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.VIEWER, False), (Role.STAFF, False), (Role.MANAGER, True), (Role.OWNER, True)],
)
def test_a_card_view_holds_the_card_s_role(role, allowed):
    request = _request(UserFactory.build(role=role))
    if allowed:
        assert _report(request).content == b"the report"
    else:
        with pytest.raises(PermissionDenied):
            _report(request)


def test_a_card_view_sends_a_plain_visit_home_and_refuses_writes():
    manager = UserFactory.build(role=Role.MANAGER)
    response = _report(_request(manager, htmx=False))
    assert response.status_code == 302 and response.url == "/"
    assert _report(_request(manager, method="post")).status_code == 405
