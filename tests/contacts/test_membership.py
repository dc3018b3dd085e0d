"""Segment membership kept as rows: a refresh records who entered and left, once, and costs
what changed (only the contacts given)."""

from __future__ import annotations

from apps.contacts.models import SegmentMembership, TimelineEvent
from apps.contacts.services import (
    contacts_merge,
    contacts_tag,
    segment_create,
    segment_memberships_refresh,
    segment_track,
)
from tests.contacts.factories import ContactFactory
from tests.helpers.threads import run_together

VIP = {"op": "and", "rules": [{"field": "tags", "cmp": "has", "value": "vip"}]}


def vip_segment():
    return segment_create(name="VIP", rules=VIP)


def events(type_: str) -> list[int]:
    return list(TimelineEvent.objects.filter(type=type_).values_list("contact_id", flat=True))


def test_tracking_fills_quietly_and_a_refresh_records_joiners_and_leavers(tenant):
    inside = ContactFactory(tags=["vip"])
    outside = ContactFactory()
    segment = segment_track(segment=vip_segment())
    assert list(SegmentMembership.objects.values_list("contact_id", flat=True)) == [inside.pk]
    assert not events("segment.entered")
    contacts_tag(contact_ids=[outside.pk], add=["vip"])
    contacts_tag(contact_ids=[inside.pk], remove=["vip"])
    changes = segment_memberships_refresh(contact_ids=[outside.pk, inside.pk])
    assert changes == {segment.pk: ([outside.pk], [inside.pk])}
    assert events("segment.entered") == [outside.pk]
    assert events("segment.left") == [inside.pk]
    assert segment_memberships_refresh() == {}  # nothing changed since


def test_a_refresh_for_some_contacts_leaves_the_others_alone(tenant):
    segment = segment_track(segment=vip_segment())
    one, two = ContactFactory(), ContactFactory()
    contacts_tag(contact_ids=[one.pk, two.pk], add=["vip"])
    segment_memberships_refresh(contact_ids=[one.pk])
    assert list(segment.memberships.values_list("contact_id", flat=True)) == [one.pk]


def test_racing_refreshes_record_each_change_once(committed_tenant):
    segment = segment_track(segment=vip_segment())
    contacts = [ContactFactory(tags=["vip"]) for _ in range(5)]
    try:
        run_together([segment_memberships_refresh] * 3, tenant=committed_tenant)
        assert sorted(events("segment.entered")) == sorted(c.pk for c in contacts)
    finally:
        segment.delete()
        TimelineEvent.objects.filter(contact__in=contacts).delete()
        for contact in contacts:
            contact.delete()


def test_a_merge_keeps_the_survivors_memberships_up_to_date(tenant):
    segment_track(segment=vip_segment())
    survivor, other = ContactFactory(), ContactFactory(tags=["vip"])
    segment_memberships_refresh()
    contacts_merge(survivor=survivor, others=[other], actor=None)
    assert list(SegmentMembership.objects.values_list("contact_id", flat=True)) == [survivor.pk]
