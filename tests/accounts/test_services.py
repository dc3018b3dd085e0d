import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.models import ApiKey, Invitation, Role, User
from apps.accounts.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    invitation_token,
    user_create,
    user_update,
)
from tests.accounts.factories import InvitationFactory, UserFactory
from tests.conftest import PASSWORD

ACCEPT_URL = "http://alpha.localhost/invite/"


def _invite(inviter: User, email: str = "new.member@example.test", role: str = Role.STAFF):
    return invitation_create(email=email, role=role, invited_by=inviter, accept_url_base=ACCEPT_URL)


# --- user_create -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_user_create_stores_lowercased_email_and_hashed_password(tenant):
    user = user_create(email="  Nina@Example.TEST ", name=" Nina ", password=PASSWORD)
    user.refresh_from_db()
    assert (user.email, user.name, user.role) == ("nina@example.test", "Nina", Role.STAFF)
    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD


@pytest.mark.django_db
def test_user_create_refuses_duplicate_email_whatever_the_case(tenant):
    UserFactory(email="taken@example.test")
    with pytest.raises(ValidationError) as caught:
        user_create(email="TAKEN@example.test", name="Copy", password=PASSWORD)
    assert "email" in caught.value.message_dict
    assert User.objects.filter(email__iexact="taken@example.test").count() == 1


@pytest.mark.django_db
def test_user_create_refuses_weak_password_and_writes_nothing(tenant):
    with pytest.raises(ValidationError) as caught:
        user_create(email="weak@example.test", name="Weak", password="123")
    assert "password" in caught.value.message_dict
    assert not User.objects.filter(email="weak@example.test").exists()


# --- user_update -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_manager_changes_a_staff_members_role(manager, staff_member):
    user_update(user=staff_member, actor=manager, role=Role.VIEWER)
    staff_member.refresh_from_db()
    assert staff_member.role == Role.VIEWER


@pytest.mark.parametrize("actor_role", [Role.STAFF, Role.VIEWER])
@pytest.mark.django_db
def test_staff_and_viewers_cannot_change_roles(tenant, actor_role):
    actor = UserFactory(role=actor_role)
    target = UserFactory(role=Role.VIEWER)
    with pytest.raises(ValidationError) as caught:
        user_update(user=target, actor=actor, role=Role.MANAGER)
    assert "role" in caught.value.message_dict
    target.refresh_from_db()
    assert target.role == Role.VIEWER


@pytest.mark.django_db
def test_staff_cannot_deactivate_anyone(staff_member, viewer):
    with pytest.raises(ValidationError):
        user_update(user=viewer, actor=staff_member, is_active=False)
    viewer.refresh_from_db()
    assert viewer.is_active


@pytest.mark.django_db
def test_manager_cannot_make_an_owner(manager, staff_member):
    with pytest.raises(ValidationError) as caught:
        user_update(user=staff_member, actor=manager, role=Role.OWNER)
    assert "role" in caught.value.message_dict
    staff_member.refresh_from_db()
    assert staff_member.role == Role.STAFF


@pytest.mark.django_db
def test_manager_cannot_demote_an_owner(manager, owner):
    UserFactory(role=Role.OWNER)  # a second owner, so the last-owner rule is not what refuses
    with pytest.raises(ValidationError) as caught:
        user_update(user=owner, actor=manager, role=Role.STAFF)
    assert "role" in caught.value.message_dict
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


@pytest.mark.django_db
def test_owner_can_make_another_owner(owner, manager):
    user_update(user=manager, actor=owner, role=Role.OWNER)
    manager.refresh_from_db()
    assert manager.role == Role.OWNER


@pytest.mark.django_db
def test_last_active_owner_cannot_be_demoted(owner):
    with pytest.raises(ValidationError) as caught:
        user_update(user=owner, actor=owner, role=Role.MANAGER)
    assert "role" in caught.value.message_dict
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


@pytest.mark.django_db
def test_last_active_owner_cannot_be_deactivated(owner):
    with pytest.raises(ValidationError) as caught:
        user_update(user=owner, actor=owner, is_active=False)
    assert "role" in caught.value.message_dict
    owner.refresh_from_db()
    assert owner.is_active


@pytest.mark.django_db
def test_an_inactive_second_owner_does_not_count_as_the_remaining_owner(owner):
    UserFactory(role=Role.OWNER, is_active=False)
    with pytest.raises(ValidationError):
        user_update(user=owner, actor=owner, role=Role.MANAGER)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


@pytest.mark.django_db
def test_an_owner_can_step_down_when_another_active_owner_remains(owner):
    UserFactory(role=Role.OWNER)
    user_update(user=owner, actor=owner, role=Role.MANAGER)
    owner.refresh_from_db()
    assert owner.role == Role.MANAGER


@pytest.mark.django_db
def test_any_member_may_change_their_own_name_and_time_zone(viewer):
    user_update(user=viewer, actor=viewer, name=" Vera ", time_zone="Asia/Tokyo")
    viewer.refresh_from_db()
    assert (viewer.name, viewer.time_zone, viewer.role) == ("Vera", "Asia/Tokyo", Role.VIEWER)


# --- invitation_create -------------------------------------------------------------------------
@pytest.mark.django_db
def test_invitation_create_sends_one_email_after_commit(
    manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(manager, email="Nina@Example.test", role=Role.VIEWER)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "nina@example.test",
        Role.VIEWER,
        manager,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.test"]
    assert "Alpha Dental" in message.subject
    assert f"{ACCEPT_URL}{invitation_token(invitation)}/" in message.body


@pytest.mark.django_db
def test_invitation_email_is_one_after_commit_callback_and_nothing_is_sent_before(
    manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _invite(manager)
    assert len(callbacks) == 1
    assert mail.outbox == []


@pytest.mark.django_db
def test_second_open_invitation_to_the_same_email_is_refused(manager):
    _invite(manager, email="twice@example.test")
    with pytest.raises(ValidationError) as caught:
        _invite(manager, email="TWICE@example.test")
    assert "email" in caught.value.message_dict
    assert Invitation.objects.filter(email="twice@example.test").count() == 1


@pytest.mark.django_db
def test_a_revoked_invitation_does_not_block_a_new_one(manager):
    first = _invite(manager, email="again@example.test")
    invitation_revoke(invitation=first, actor=manager)
    second = _invite(manager, email="again@example.test")
    assert second.pk != first.pk and second.is_open


@pytest.mark.django_db
def test_inviting_an_existing_member_is_refused(manager, staff_member):
    with pytest.raises(ValidationError) as caught:
        _invite(manager, email=staff_member.email.upper())
    assert "email" in caught.value.message_dict
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_invite(staff_member):
    with pytest.raises(ValidationError) as caught:
        _invite(staff_member)
    assert "role" in caught.value.message_dict
    assert not Invitation.objects.exists()


@pytest.mark.django_db
def test_only_an_owner_can_invite_an_owner(owner, manager):
    with pytest.raises(ValidationError) as caught:
        _invite(manager, email="boss@example.test", role=Role.OWNER)
    assert "role" in caught.value.message_dict
    assert _invite(owner, email="boss@example.test", role=Role.OWNER).role == Role.OWNER


@pytest.mark.django_db
def test_an_api_key_cannot_invite_an_owner(tenant):
    with pytest.raises(ValidationError) as caught:
        invitation_create(
            email="boss@example.test", role=Role.OWNER, invited_by=None, accept_url_base=ACCEPT_URL
        )
    assert "role" in caught.value.message_dict


# --- invitation_accept -------------------------------------------------------------------------
@pytest.mark.django_db
def test_invitation_accept_creates_the_member_with_the_invited_role(manager):
    invitation = _invite(manager, email="joiner@example.test", role=Role.VIEWER)
    user = invitation_accept(token=invitation_token(invitation), name="Joiner", password=PASSWORD)
    assert (user.email, user.name, user.role) == ("joiner@example.test", "Joiner", Role.VIEWER)
    assert user.check_password(PASSWORD)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert not invitation.is_open


@pytest.mark.django_db
def test_invitation_token_cannot_be_used_twice(manager):
    invitation = _invite(manager, email="joiner@example.test")
    token = invitation_token(invitation)
    invitation_accept(token=token, name="Joiner", password=PASSWORD)
    with pytest.raises(ValidationError) as caught:
        invitation_accept(token=token, name="Impostor", password=PASSWORD)
    assert "already been used" in caught.value.messages[0]
    assert User.objects.filter(email="joiner@example.test").count() == 1


@pytest.mark.django_db
def test_invitation_accept_with_weak_password_leaves_the_invitation_open(manager):
    invitation = _invite(manager, email="joiner@example.test")
    with pytest.raises(ValidationError) as caught:
        invitation_accept(token=invitation_token(invitation), name="Joiner", password="123")
    assert "password" in caught.value.message_dict
    invitation.refresh_from_db()
    assert invitation.is_open
    assert not User.objects.filter(email="joiner@example.test").exists()


@pytest.mark.django_db
def test_expired_invitation_token_is_refused(manager, settings):
    invitation = _invite(manager, email="late@example.test")
    settings.INVITATION_MAX_AGE_SECONDS = -1
    with pytest.raises(ValidationError) as caught:
        invitation_accept(token=invitation_token(invitation), name="Late", password=PASSWORD)
    assert "expired" in caught.value.messages[0]
    assert not User.objects.filter(email="late@example.test").exists()


@pytest.mark.django_db
def test_tampered_invitation_token_is_refused(manager):
    token = invitation_token(_invite(manager, email="joiner@example.test"))
    with pytest.raises(ValidationError) as caught:
        invitation_accept(token=token[:-2] + "xx", name="Joiner", password=PASSWORD)
    assert "not valid" in caught.value.messages[0]


@pytest.mark.django_db
def test_token_made_in_another_tenant_is_refused_even_if_the_id_exists_here(tenant, other_tenant):
    with schema_context(other_tenant.schema_name):
        foreign = InvitationFactory(email="foreign@example.test")
        foreign_token = invitation_token(foreign)
    connection.set_tenant(tenant)
    InvitationFactory(pk=foreign.pk, email="local@example.test")
    with pytest.raises(ValidationError) as caught:
        invitation_accept(token=foreign_token, name="Sneaky", password=PASSWORD)
    assert "not valid" in caught.value.messages[0]
    assert not User.objects.filter(email__in=["foreign@example.test", "local@example.test"])
    assert Invitation.objects.get(pk=foreign.pk).is_open


@pytest.mark.django_db
def test_revoked_invitation_cannot_be_accepted(manager):
    invitation = _invite(manager, email="withdrawn@example.test")
    invitation_revoke(invitation=invitation, actor=manager)
    with pytest.raises(ValidationError):
        invitation_accept(token=invitation_token(invitation), name="Too Late", password=PASSWORD)
    assert not User.objects.filter(email="withdrawn@example.test").exists()


# --- invitation_revoke -------------------------------------------------------------------------
@pytest.mark.django_db
def test_invitation_revoke_closes_the_invitation(manager):
    invitation = invitation_revoke(invitation=_invite(manager), actor=manager)
    assert invitation.revoked_at is not None
    assert Invitation.objects.get(pk=invitation.pk).revoked_at == invitation.revoked_at


@pytest.mark.django_db
def test_staff_cannot_revoke_an_invitation(manager, staff_member):
    invitation = _invite(manager)
    with pytest.raises(ValidationError):
        invitation_revoke(invitation=invitation, actor=staff_member)
    invitation.refresh_from_db()
    assert invitation.is_open


@pytest.mark.django_db
def test_revoking_an_accepted_invitation_changes_nothing(manager):
    invitation = _invite(manager, email="joiner@example.test")
    invitation_accept(token=invitation_token(invitation), name="Joiner", password=PASSWORD)
    invitation_revoke(invitation=invitation, actor=manager)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert invitation.revoked_at is None


# --- api_key_create ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_key_create_returns_the_raw_key_once_and_stores_only_its_hash(manager):
    key, raw = api_key_create(name=" Booking widget ", scopes=["write", "read"], created_by=manager)
    stored = ApiKey.objects.get(pk=key.pk)
    assert raw.startswith(f"cxs_{stored.prefix}_")
    assert stored.hashed_key == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {stored.hashed_key, stored.prefix, stored.name}
    assert (stored.name, stored.scopes, stored.created_by) == (
        "Booking widget",
        ["read", "write"],
        manager,
    )
    assert stored.prefix in str(stored)


@pytest.mark.django_db
def test_two_keys_never_share_a_secret_or_prefix(manager):
    (first, raw_first), (second, raw_second) = (
        api_key_create(name=name, scopes=["read"], created_by=manager) for name in ("a", "b")
    )
    assert raw_first != raw_second
    assert first.prefix != second.prefix


@pytest.mark.parametrize("scopes", [["admin"], ["read", "delete"], []])
@pytest.mark.django_db
def test_api_key_create_refuses_unknown_or_missing_scopes(manager, scopes):
    with pytest.raises(ValidationError) as caught:
        api_key_create(name="Partner", scopes=scopes, created_by=manager)
    assert "scopes" in caught.value.message_dict
    assert not ApiKey.objects.exists()


@pytest.mark.parametrize("name", ["", "   "])
@pytest.mark.django_db
def test_api_key_create_refuses_an_empty_name(manager, name):
    with pytest.raises(ValidationError) as caught:
        api_key_create(name=name, scopes=["read"], created_by=manager)
    assert "name" in caught.value.message_dict
    assert not ApiKey.objects.exists()


@pytest.mark.django_db
def test_staff_cannot_create_api_keys(staff_member):
    with pytest.raises(ValidationError):
        api_key_create(name="Partner", scopes=["read"], created_by=staff_member)
    assert not ApiKey.objects.exists()


# --- api_key_authenticate ----------------------------------------------------------------------
@pytest.mark.django_db
def test_api_key_authenticate_finds_the_active_key_and_records_its_use(tenant):
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    assert key.last_used_at is None
    found = api_key_authenticate(raw_key=raw)
    assert found == key
    assert ApiKey.objects.get(pk=key.pk).last_used_at is not None


@pytest.mark.django_db
def test_api_key_authenticate_refuses_a_revoked_key(tenant):
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    api_key_revoke(api_key=key)
    assert api_key_authenticate(raw_key=raw) is None


@pytest.mark.parametrize(
    "raw", ["", "garbage", "cxs_", "cxs_deadbeef_not-a-real-secret", "Bearer cxs_x_y"]
)
@pytest.mark.django_db
def test_api_key_authenticate_refuses_garbage(tenant, raw):
    api_key_create(name="Partner", scopes=["read"], created_by=None)
    assert api_key_authenticate(raw_key=raw) is None


@pytest.mark.django_db
def test_api_key_of_another_tenant_does_not_authenticate_here(tenant, other_tenant):
    with schema_context(other_tenant.schema_name):
        _key, raw = api_key_create(name="Beta partner", scopes=["read"], created_by=None)
        assert api_key_authenticate(raw_key=raw) is not None
    connection.set_tenant(tenant)
    assert api_key_authenticate(raw_key=raw) is None


@pytest.mark.django_db
def test_last_used_at_is_not_rewritten_within_a_minute(tenant):
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    recent = timezone.now() - timedelta(seconds=30)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=recent)
    assert api_key_authenticate(raw_key=raw).last_used_at == recent
    assert ApiKey.objects.get(pk=key.pk).last_used_at == recent


@pytest.mark.django_db
def test_last_used_at_is_rewritten_after_a_minute(tenant):
    key, raw = api_key_create(name="Partner", scopes=["read"], created_by=None)
    stale = timezone.now() - timedelta(seconds=61)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=stale)
    api_key_authenticate(raw_key=raw)
    assert ApiKey.objects.get(pk=key.pk).last_used_at > stale + timedelta(seconds=60)
