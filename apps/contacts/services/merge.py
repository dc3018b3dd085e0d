"""Merging duplicate contacts into one survivor that keeps every event, purchase and record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    Channel,
    ConsentEvent,
    ConsentMethod,
    ConsentStatus,
    Contact,
    LifecycleStage,
    RfmScore,
    SegmentMember,
    SegmentMembership,
    Task,
    TimelineEvent,
    Transaction,
)
from ..registries import merge_hooks
from .membership import segment_memberships_refresh
from .timeline import event_record

if TYPE_CHECKING:
    from django.db.models import Model

    from apps.accounts.models import User

FILLED_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address_line",
    "city",
    "postal_code",
    "country",
    "birthday",
    "language",
    "time_zone",
    "preferred_channel",
    "owner_id",
    "source",
)
MOVED_HERE = (
    TimelineEvent,
    ConsentEvent,
    Task,
    Transaction,
    SegmentMember,
    SegmentMembership,
    RfmScore,
)
STAGE_RANK: dict[str, int] = {
    LifecycleStage.LEAD: 0,
    LifecycleStage.LAPSED: 1,
    LifecycleStage.CUSTOMER: 2,
}


def contacts_merge(*, survivor: Contact, others: Sequence[Contact], actor: User | None) -> Contact:
    """Fold duplicates into one contact, so one person has one history.

    In one transaction, with every contact row locked (in id order):
    - moved to the survivor: TimelineEvent, ConsentEvent, Task, Transaction, SegmentMember
      (a list both were on keeps one membership); the others' RfmScore goes with them and
      the survivor's is recomputed;
    - every other module locks and moves its own rows through its hook in `merge_hooks`
      (registered in its `AppConfig.ready()`), settling its own unique keys;
    - a row that still points at one of the others after the hooks stops the merge, rather
      than being deleted with them or losing its person: a module with rows belonging to a
      contact must register a hook;
    - the survivor's empty fields are filled from the others (in the order given), custom
      values likewise, tags are joined, no-shows added up, the furthest lifecycle stage kept;
    - consent: the most restrictive status wins (opted out on any contact means opted out),
      else opted in beats unknown; each change is a history entry;
    - the others' tracked segment memberships go (they are computed) and the survivor's are
      refreshed;
    - "contact.merged" is recorded on the survivor with the merged ids; the others are
      deleted.
    """
    other_ids = sorted({c.pk for c in others} - {survivor.pk})
    if not other_ids:
        raise ValidationError({"others": _("Choose at least one other contact to merge.")})
    with transaction.atomic():
        rows = list(
            Contact.objects.select_for_update()
            .filter(pk__in=[survivor.pk, *other_ids])
            .order_by("pk")
        )
        by_pk = {c.pk: c for c in rows}
        if survivor.pk not in by_pk or len(by_pk) != len(other_ids) + 1:
            raise ValidationError({"others": _("One of these contacts no longer exists.")})
        if any(c.erased_at for c in rows):
            raise ValidationError({"others": _("An erased contact cannot be merged.")})
        survivor = by_pk[survivor.pk]
        merged = [by_pk[pk] for pk in other_ids]
        for model in (TimelineEvent, ConsentEvent):  # records, never changed
            model.objects.filter(contact_id__in=other_ids).update(contact=survivor)
        for changing in (Task, Transaction):
            changing.objects.filter(contact_id__in=other_ids).update(
                contact=survivor, updated=Now()
            )
        for other_id in other_ids:  # a list both are on keeps one membership
            SegmentMember.objects.filter(
                contact_id=other_id,
                segment_id__in=SegmentMember.objects.filter(contact=survivor).values("segment_id"),
            ).delete()
            SegmentMember.objects.filter(contact_id=other_id).update(contact=survivor)
        # computed rows: the others' go, the survivor's are brought up to date below
        SegmentMembership.objects.filter(contact_id__in=other_ids).delete()
        for hook in merge_hooks.values():
            hook(survivor=survivor, others=merged)
        _refuse_unmoved_rows(other_ids)
        consent_changes = _fold(survivor, merged)
        Contact.objects.filter(pk__in=other_ids).delete()
        survivor.save()
        now = timezone.now()
        for channel, previous in consent_changes.items():
            ConsentEvent.objects.create(
                contact=survivor,
                channel=channel,
                status=survivor.consent_for(channel),
                previous_status=previous,
                method=ConsentMethod.STAFF,
                actor=actor,
                note="merge",
                occurred_at=now,
            )
        event_record(
            contact=survivor,
            type="contact.merged",
            source="staff",
            actor=actor,
            properties={"merged_ids": other_ids},
        )
        _rfm_refresh(survivor)
        segment_memberships_refresh(contact_ids=[survivor.pk])
    return survivor


def _fold(survivor: Contact, others: list[Contact]) -> dict[str, str]:
    """Fill the survivor from the others; returns {channel: previous status} of changes."""
    for name in FILLED_FIELDS:
        if getattr(survivor, name) in ("", None):
            for other in others:
                value = getattr(other, name)
                if value not in ("", None):
                    setattr(survivor, name, value)
                    if name == "phone":
                        survivor.phone_national = other.phone_national
                    break
    custom = dict(survivor.custom)
    for other in others:
        for key, value in other.custom.items():
            custom.setdefault(key, value)
    survivor.custom = custom
    tags = list(survivor.tags)
    for other in others:
        tags += [tag for tag in other.tags if tag not in tags]
    survivor.tags = tags
    survivor.no_shows += sum(other.no_shows for other in others)
    stages = [survivor.lifecycle_stage, *(o.lifecycle_stage for o in others)]
    survivor.lifecycle_stage = max(stages, key=lambda stage: STAGE_RANK.get(stage, 0))
    changes = {}
    for channel in Channel.values:
        statuses = [survivor.consent_for(channel), *(o.consent_for(channel) for o in others)]
        if ConsentStatus.OPTED_OUT in statuses:
            status = ConsentStatus.OPTED_OUT
        elif ConsentStatus.OPTED_IN in statuses:
            status = ConsentStatus.OPTED_IN
        else:
            status = ConsentStatus.UNKNOWN
        if status != survivor.consent_for(channel):
            changes[channel] = survivor.consent_for(channel)
            setattr(survivor, f"{channel}_consent", status)
    return changes


def _refuse_unmoved_rows(other_ids: list[int]) -> None:
    """Stop rather than let a module's rows go with the deleted contacts (CASCADE) or lose
    their person (SET_NULL): every row pointing at a contact must have been moved."""
    for relation in Contact._meta.related_objects:
        # cast: a reverse relation's model is the class holding the foreign key, never the
        # "self" the stubs allow
        model = cast("type[Model]", relation.related_model)
        if model in MOVED_HERE or relation.many_to_many:
            continue
        if model._default_manager.filter(**{f"{relation.field.name}__in": other_ids}).exists():
            raise ValidationError(
                _("These contacts have %(what)s that cannot be moved yet; nothing was merged.")
                % {"what": model._meta.verbose_name_plural}
            )


def _rfm_refresh(contact: Contact) -> None:
    try:
        from .rfm import rfm_update_for_contact
    except ImportError:  # the RFM module is not there (yet)
        return
    rfm_update_for_contact(contact)
