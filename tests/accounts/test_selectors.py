"""The team as other apps see it."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.selectors import user_or_none, users_active
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_active_users_by_name(tenant):
    bea, gone, ada = (
        UserFactory(name="Bea"),
        UserFactory(name="Al", is_active=False),
        UserFactory(name="Ada"),
    )
    assert [u for u in users_active() if u in (ada, bea, gone)] == [ada, bea]


def test_only_a_team_member_is_a_user(tenant):
    member = UserFactory()
    assert user_or_none(member) == member
    assert user_or_none(AnonymousUser()) is None
    assert user_or_none(member.pk) is None
