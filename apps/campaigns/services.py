"""Campaign writes: create, schedule, start (the audience fixed), send in batches through
messaging's `message_send_batch`, pause, resume, cancel, the A/B winner, what providers and
readers tell us (bounces, complaints, opens, clicks) and the suppression list.

Sending runs through due work (`campaigns.batch`, one row per campaign) so it survives
restarts; a batch and the rows it marks commit together, and each message's dedupe key
(`campaign:<id>:<contact>`) makes a retried or re-run batch send nobody twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.contacts.selectors import contacts_live
from apps.contacts.selectors.segments import segment_members
from apps.contacts.services import event_record, events_record_many
from apps.scheduling.services import due_work_cancel, due_work_register
from apps.tenants.services import tenant_current
from cxsuite.lib.analytics import rows_written_send
from cxsuite.lib.errors import ConflictError

from .blocks import blocks_clean, blocks_text
from .choices import (
    RETRYABLE_SKIPS,
    CampaignChannel,
    CampaignStatus,
    PassedHourRule,
    RecipientStatus,
    ScheduleKind,
    SkipReason,
    SuppressionReason,
    WinnerMetric,
)
from .models import Campaign, Click, Open, Recipient, Suppression, Topic, TopicOptOut, Variant

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.contacts.models import Contact, Segment, TimelineEvent
    from apps.messaging.models import Message
    from apps.scheduling.models import DueWork

logger = logging.getLogger(__name__)

PURPOSE = "campaign_message"
RELATED_TYPE = "campaign"
BATCH_WORK = "campaigns.batch"
START_WORK = "campaigns.start"
WINNER_WORK = "campaigns.winner"
DELIVERY_WORK = "campaigns.delivery"
DEADLINE_WORK = "campaigns.deadline"
DELIVERY_CHECK_SECONDS = 30  # a message still waiting this long lost its delivery task
BATCH_MAX = 2000  # contacts per message_send_batch call
THROTTLE_STEP_SECONDS = 5  # a throttled campaign sends a slice every few seconds
SOFT_BOUNCES_TO_SUPPRESS = 3
MIN_RATE_SAMPLE = 50  # sent messages before the bounce or complaint rate can pause
LABELS = ("A", "B", "C", "D")
WAITING = (RecipientStatus.PENDING, RecipientStatus.TEST)
NOT_DONE = (RecipientStatus.PENDING, RecipientStatus.TEST, RecipientStatus.HELD)


# --- helpers -----------------------------------------------------------------------------------
def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _business_zone() -> zoneinfo.ZoneInfo:
    return _zone(tenant_current().time_zone or "UTC")


def address_key(address: str) -> str:
    return (address or "").strip().lower()


def address_digest(address: str) -> str:
    """How the suppression list knows an address: a keyed hash of it, never the address."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address_key(address).encode(), hashlib.sha256).hexdigest()


def _variant_data(raw: dict[str, Any], label: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationError({"variants": _("Variant %(l)s: give its fields.") % {"l": label}})
    subject = str(raw.get("subject") or "").strip()
    if len(subject) > 200:
        raise ValidationError({"subject": _("Keep the subject under 200 characters.")})
    sender = str(raw.get("sender_name") or "").strip()[:80]
    return {
        "subject": subject,
        "sender_name": sender,
        "blocks": blocks_clean(raw.get("blocks") or []),
        "sms_text": str(raw.get("sms_text") or "").strip()[:1600],
    }


# --- topics ------------------------------------------------------------------------------------
def topic_create(*, key: str, name: str, description: str = "") -> Topic:
    key = (key or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", key):
        raise ValidationError({"key": _("Use letters, digits, - and _ (up to 40).")})
    if not (name or "").strip():
        raise ValidationError({"name": _("Give the topic a name.")})
    with transaction.atomic():
        if Topic.objects.filter(key=key).exists():
            raise ValidationError({"key": _("A topic with this key exists.")})
        return Topic.objects.create(key=key, name=name.strip()[:80], description=description[:200])


def topic_delete(*, topic: Topic) -> None:
    """Remove a topic no campaign names (its opt-outs go with it)."""
    with transaction.atomic():
        if Campaign.objects.filter(topic=topic).exists():
            raise ConflictError(_("Campaigns name this topic; it stays."))
        topic.delete()


def topic_subscriptions_set(*, contact: Contact, topic_ids: Iterable[int]) -> None:
    """Keep the topics the customer ticked on the preference page; the others are left."""
    wanted = set(topic_ids)
    with transaction.atomic():
        for topic in Topic.objects.all():
            if topic.pk in wanted:
                TopicOptOut.objects.filter(topic=topic, contact=contact).delete()
            else:
                TopicOptOut.objects.get_or_create(topic=topic, contact=contact)


# --- campaigns ---------------------------------------------------------------------------------
def campaign_create(
    *,
    name: str,
    channel: str = CampaignChannel.EMAIL,
    segments: Sequence[Segment] = (),
    excluded_segments: Sequence[Segment] = (),
    variants: Sequence[dict[str, Any]] = (),
    topic: Topic | None = None,
    throttle_per_minute: int = 0,
    send_by: dt.datetime | None = None,
    ab_share: int = 0,
    winner_metric: str = WinnerMetric.OPENS,
    winner_wait_hours: int = 4,
    conversion_days: int = 7,
    actor: User | None = None,
) -> Campaign:
    """A draft campaign with one to four variants (A-D)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the campaign a name.")})
    if channel not in CampaignChannel.values:
        raise ValidationError({"channel": _("Choose e-mail, SMS or the best channel.")})
    variants = list(variants) or [{}]
    if len(variants) > len(LABELS):
        raise ValidationError({"variants": _("A campaign has at most four variants.")})
    if not 0 <= int(ab_share) <= 100:
        raise ValidationError({"ab_share": _("The test share is a percentage (0–100).")})
    if winner_metric not in WinnerMetric.values:
        raise ValidationError({"winner_metric": _("Choose how the winner is picked.")})
    if throttle_per_minute < 0:
        raise ValidationError({"throttle_per_minute": _("Use 0 (no limit) or more.")})
    if not 1 <= int(conversion_days) <= 90:
        raise ValidationError({"conversion_days": _("The conversion window is 1 to 90 days.")})
    cleaned = [_variant_data(raw, label) for raw, label in zip(variants, LABELS, strict=False)]
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name[:120],
            channel=channel,
            topic=topic,
            throttle_per_minute=throttle_per_minute,
            send_by=send_by,
            ab_share=ab_share,
            winner_metric=winner_metric,
            winner_wait_hours=winner_wait_hours,
            conversion_days=int(conversion_days),
            web_token=secrets.token_urlsafe(18)[:32],
            created_by=actor,
        )
        campaign.segments.set(segments)
        campaign.excluded_segments.set(excluded_segments)
        Variant.objects.bulk_create(
            [
                Variant(campaign=campaign, label=label, **data)
                for data, label in zip(cleaned, LABELS, strict=False)
            ]
        )
    return campaign


def campaign_update(
    *,
    campaign: Campaign,
    name: str,
    channel: str,
    segments: Sequence[Segment],
    excluded_segments: Sequence[Segment] = (),
    topic: Topic | None = None,
    throttle_per_minute: int = 0,
    variant: dict[str, Any] | None = None,
    label: str = "A",
    ab: dict[str, Any] | None = None,
) -> Campaign:
    """Change a draft: its settings and one variant (`label`, A-D: subject, sender name,
    text, blocks). A new variant is the next letter after the last; `ab` holds the A/B
    settings (ab_share, winner_metric, winner_wait_hours, conversion_days) to change."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the campaign a name.")})
    if channel not in CampaignChannel.values:
        raise ValidationError({"channel": _("Choose e-mail, SMS or the best channel.")})
    if throttle_per_minute < 0:
        raise ValidationError({"throttle_per_minute": _("Use 0 (no limit) or more.")})
    if label not in LABELS:
        raise ValidationError({"variant": _("A variant is A, B, C or D.")})
    ab = _ab_settings(ab or {})
    data = _variant_data(variant or {}, label)
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != CampaignStatus.DRAFT:
            raise ConflictError(_("Only a draft can be changed."))
        labels = set(campaign.variants.values_list("label", flat=True))
        if label not in labels and LABELS.index(label) > len(labels):
            raise ValidationError({"variant": _("Add the variants in order (A, B, C, D).")})
        campaign.name, campaign.channel, campaign.topic = name[:120], channel, topic
        campaign.throttle_per_minute = throttle_per_minute
        for key, value in ab.items():
            setattr(campaign, key, value)
        campaign.save()
        campaign.segments.set(segments)
        campaign.excluded_segments.set(excluded_segments)
        Variant.objects.update_or_create(campaign=campaign, label=label, defaults=data)
    return campaign


def _ab_settings(ab: dict[str, Any]) -> dict[str, Any]:
    limits = {"ab_share": (0, 100), "winner_wait_hours": (1, 168), "conversion_days": (1, 90)}
    cleaned: dict[str, Any] = {}
    for key, value in ab.items():
        if key == "winner_metric":
            if value not in WinnerMetric.values:
                raise ValidationError({"winner_metric": _("Choose how the winner is picked.")})
            cleaned[key] = value
        elif key in limits:
            low, high = limits[key]
            if value is None or not low <= int(value) <= high:
                raise ValidationError(
                    {key: _("Use a number from %(low)d to %(high)d.") % {"low": low, "high": high}}
                )
            cleaned[key] = int(value)
        else:
            raise ValidationError({key: _("Unknown setting.")})
    return cleaned


def campaign_variant_remove(*, campaign: Campaign, label: str) -> Campaign:
    """Remove the last variant of a draft (never A)."""
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != CampaignStatus.DRAFT:
            raise ConflictError(_("Only a draft can be changed."))
        last = campaign.variants.order_by("-label").first()
        if last is None or label == "A" or last.label != label:
            raise ValidationError({"variant": _("Only the last variant (not A) can be removed.")})
        last.delete()
    return campaign


IMAGE_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}


def campaign_image_store(*, upload) -> str:
    """Keep an uploaded picture in the business's own media folder; its URL on our host."""
    from django.core.files.storage import default_storage

    from apps.tenants.db import connection

    extension = IMAGE_EXTENSIONS.get(getattr(upload, "content_type", ""), "")
    if not extension:
        raise ValidationError({"image": _("Use a PNG, JPEG, GIF or WebP image.")})
    name = f"campaigns/{connection.schema_name}/{secrets.token_hex(12)}.{extension}"
    saved = default_storage.save(name, upload)
    return default_storage.url(saved)


def campaign_follow_up(*, campaign: Campaign, kind: str, actor: User | None = None) -> Campaign:
    """A draft copy for those who did not open (human opens only) or for those who joined
    the audience since."""
    if kind not in ("non_openers", "newcomers"):
        raise ValidationError({"kind": _("Choose non-openers or newcomers.")})
    if campaign.status not in (CampaignStatus.DONE, CampaignStatus.SENDING):
        raise ConflictError(_("Follow up a campaign once it has been sent."))
    variant = campaign.variants.order_by("label").first()
    with transaction.atomic():
        copy = campaign_create(
            name=_("%(name)s — follow-up") % {"name": campaign.name},
            channel=campaign.channel,
            segments=list(campaign.segments.all()),
            excluded_segments=list(campaign.excluded_segments.all()),
            variants=[
                {
                    "subject": variant.subject if variant else campaign.name,
                    "blocks": variant.blocks if variant else [],
                    "sms_text": variant.sms_text if variant else "",
                }
            ],
            topic=campaign.topic,
            actor=actor,
        )
        copy.follow_up_of, copy.follow_up_kind = campaign, kind
        copy.save(update_fields=["follow_up_of", "follow_up_kind"])
    return copy


def campaign_test_send(*, campaign: Campaign, to: str) -> None:
    """The e-mail of each variant to a staff member's own address, marked as a test."""
    from django.core.mail import EmailMultiAlternatives

    from .html import business_details

    if not to:
        raise ValidationError({"to": _("Your account has no e-mail address.")})
    from .blocks import blocks_html

    for variant in campaign.variants.order_by("label"):
        subject = f"[{_('Test')} {variant.label}] {variant.subject or campaign.name}"
        email = EmailMultiAlternatives(subject=subject, body=blocks_text(variant.blocks), to=[to])
        email.attach_alternative(
            blocks_html(variant.blocks, subject=subject, business=business_details()), "text/html"
        )
        transaction.on_commit(partial(email.send, fail_silently=True))


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def campaign_schedule(
    *,
    campaign: Campaign,
    schedule: str = ScheduleKind.NOW,
    send_at: dt.datetime | None = None,
    local_time: dt.time | None = None,
    passed_hour: str = PassedHourRule.NEXT_DAY,
    send_by: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Campaign:
    """Schedule a draft: now, at an instant, or at `local_time` in each contact's own zone on
    the business's day of `send_at` (the audience is fixed at `send_at`; where that hour has
    already passed then, `passed_hour` says: at once, or the next day at that hour)."""
    now = now or timezone.now()
    if schedule not in ScheduleKind.values:
        raise ValidationError({"schedule": _("Choose now, at a time, or local time.")})
    if passed_hour not in PassedHourRule.values:
        raise ValidationError({"passed_hour": _("Choose what happens where the hour has passed.")})
    if schedule == ScheduleKind.NOW:
        send_at = now
    elif send_at is None:
        raise ValidationError({"send_at": _("Give the date and time to send.")})
    if schedule == ScheduleKind.LOCAL and local_time is None:
        raise ValidationError({"local_time": _("Give the local time.")})
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != CampaignStatus.DRAFT:
            raise ConflictError(_("Only a draft can be scheduled."))
        if not campaign.segments.exists() and campaign.follow_up_of_id is None:
            raise ValidationError({"segments": _("Choose at least one segment or list.")})
        if send_by is not None:
            campaign.send_by = send_by
        if campaign.send_by and campaign.send_by <= send_at:
            raise ValidationError({"send_by": _("The send-by deadline is before the start.")})
        campaign.schedule, campaign.send_at = schedule, send_at
        campaign.local_time = local_time if schedule == ScheduleKind.LOCAL else None
        campaign.passed_hour = passed_hour
        campaign.status = CampaignStatus.SCHEDULED
        campaign.save()
        if campaign.send_by:
            due_work_register(kind=DEADLINE_WORK, ref=campaign.pk, due_at=campaign.send_by)
        due_work_register(kind=START_WORK, ref=campaign.pk, due_at=send_at)
        if send_at <= now:
            _kick(campaign.pk)
    return campaign


def _kick(campaign_id: int) -> None:
    """Run the next step at once (after commit); due work stays as the safety net."""
    from .tasks import campaign_step_task

    transaction.on_commit(lambda: campaign_step_task.delay(campaign_id=campaign_id))


def _audience(campaign: Campaign):
    """The campaign's audience as one lazy queryset of live contacts (segments and lists,
    minus exclusions; a follow-up's non-openers or newcomers)."""
    live = contacts_live()
    parent = campaign.follow_up_of
    if parent is not None and campaign.follow_up_kind == "non_openers":
        return live.filter(
            pk__in=Recipient.objects.filter(
                campaign=parent, sent_at__isnull=False, opened_at__isnull=True
            ).values("contact_id")
        )
    included = Q(pk__in=[])
    for segment in campaign.segments.all():
        members = segment_members(segment=segment)
        if not members.query.is_empty():
            included |= Q(pk__in=members.values("pk"))
    audience = live.filter(included)
    for segment in campaign.excluded_segments.all():
        members = segment_members(segment=segment)
        if not members.query.is_empty():
            audience = audience.exclude(pk__in=members.values("pk"))
    if parent is not None:  # newcomers: those not in the first audience
        audience = audience.exclude(
            pk__in=Recipient.objects.filter(campaign=parent).values("contact_id")
        )
    return audience


def _audience_ids(campaign: Campaign) -> list[int]:
    return sorted(_audience(campaign).values_list("pk", flat=True))


def audience_preview(*, campaign: Campaign, now: dt.datetime | None = None) -> dict[str, Any]:
    """Before sending: how many would get it, and who is left out and why (consent, the
    weekly cap, the suppression list, the topic, no address, one copy per inbox)."""
    from apps.messaging.selectors import marketing_counts_since
    from apps.messaging.services.settings import messaging_settings

    now = now or timezone.now()
    ids = _audience_ids(campaign)
    left: dict[str, int] = defaultdict(int)
    left_topic: set[int] = set()
    if campaign.topic_id:
        left_topic = set(
            TopicOptOut.objects.filter(topic_id=campaign.topic_id).values_list(
                "contact_id", flat=True
            )
        )
    cap = messaging_settings().marketing_cap_per_week
    counts = marketing_counts_since(ids, since=now - dt.timedelta(days=7))
    seen: set[str] = set()
    people: list[Any] = list(
        contacts_live()
        .filter(pk__in=ids)
        .values("pk", "email", "phone", "email_consent", "sms_consent")
    )
    suppressed = suppressed_for(
        [address_key(p["email"]) for p in people] + [address_key(p["phone"]) for p in people]
    )
    reaching = 0
    for person in people:
        address = _channel_address(person, campaign.channel)
        if not address:
            left[SkipReason.NO_ADDRESS] += 1
            continue
        if address in seen:
            left["duplicate"] += 1
            continue
        seen.add(address)
        channel = (
            campaign.channel
            if campaign.channel != CampaignChannel.BEST
            else ("email" if person["email"] else "sms")
        )
        consent = person["email_consent"] if channel == "email" else person["sms_consent"]
        raw = address_key(person["email"] if channel == "email" else person["phone"])
        if person["pk"] in left_topic:
            left[SkipReason.TOPIC] += 1
        elif consent != "opted_in":
            left[SkipReason.NO_CONSENT] += 1
        elif raw in suppressed:
            left[SkipReason.SUPPRESSED] += 1
        elif counts.get(person["pk"], 0) >= cap:
            left[SkipReason.CAPPED] += 1
        else:
            reaching += 1
    return {"audience": len(ids), "reaching": reaching, "left_out": dict(left)}


def local_due(
    *, start: dt.datetime, day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo, passed_hour: str
) -> dt.datetime:
    """When a contact in `zone` gets a local-time campaign: `at` on `day` in their zone; where
    that is already past at the start, at once (`now`) or the same hour the next day."""
    due = dt.datetime.combine(day, at, tzinfo=zone)
    if due >= start:
        return due
    if passed_hour == PassedHourRule.SEND_NOW:
        return start
    return dt.datetime.combine(day + dt.timedelta(days=1), at, tzinfo=zone)


GMAIL = {"gmail.com", "googlemail.com"}


def inbox_key(email: str) -> str:
    """The inbox an e-mail address reaches, for one copy per inbox: lower-cased, a "+tag"
    dropped (anna+shop@ and anna@ are one inbox), and at Gmail the dots of the name too."""
    email = address_key(email)
    name, at, domain = email.partition("@")
    if not at:
        return email
    name = name.split("+", 1)[0]
    if domain in GMAIL:
        name, domain = name.replace(".", ""), "gmail.com"
    return f"{name}@{domain}"


def _channel_address(contact: Any, channel: str) -> str:
    if channel == CampaignChannel.EMAIL:
        return inbox_key(contact["email"])
    if channel == CampaignChannel.SMS:
        return address_key(contact["phone"])
    return inbox_key(contact["email"]) if contact["email"] else address_key(contact["phone"])


# inbox_key() in SQL (keep the two in step: tests/campaigns/test_start.py compares them)
_EMAIL = "lower(btrim({col}, E' \\t\\n\\r\\f\\v'))"
_INBOX = (
    "CASE WHEN strpos({e}, '@') = 0 THEN {e} "
    "WHEN substr({e}, strpos({e}, '@') + 1) IN ('gmail.com', 'googlemail.com') "
    "THEN replace(split_part(split_part({e}, '@', 1), '+', 1), '.', '') || '@gmail.com' "
    "ELSE split_part(split_part({e}, '@', 1), '+', 1) || '@' || substr({e}, strpos({e}, '@') + 1) "
    "END"
)


def _address_sql(channel: str) -> str:
    """The SQL of `_channel_address` over the audience's columns a.email and a.phone."""
    inbox = _INBOX.format(e=_EMAIL.format(col="a.email"))
    phone = _EMAIL.format(col="a.phone")
    if channel == CampaignChannel.EMAIL:
        return inbox
    if channel == CampaignChannel.SMS:
        return phone
    return f"CASE WHEN a.email <> '' THEN {inbox} ELSE {phone} END"


_START_SQL = """
INSERT INTO campaigns_recipient (
    campaign_id, contact_id, address, channel, status, reason, detail, due_at, attempt, created
)
SELECT DISTINCT ON (x.address)
    %s, x.id, x.address, %s,
    CASE WHEN x.raw = '' OR x.left_topic THEN 'skipped' ELSE 'pending' END,
    CASE WHEN x.raw = '' THEN %s WHEN x.left_topic THEN %s ELSE '' END,
    '',
    CASE WHEN x.raw = '' OR x.left_topic OR NOT %s THEN %s
         ELSE coalesce(z.due, %s) END,
    0, %s
FROM (
    SELECT y.id, y.time_zone, y.raw, y.left_topic,
           CASE WHEN y.raw = '' THEN 'none:' || y.id ELSE y.raw END AS address
    FROM (
        SELECT a.pk AS id, a.time_zone, {address} AS raw,
               EXISTS (SELECT 1 FROM campaigns_topicoptout AS o
                       WHERE o.topic_id = %s AND o.contact_id = a.pk) AS left_topic
        FROM ({audience}) AS a
    ) AS y
) AS x
LEFT JOIN unnest(%s::text[], %s::timestamptz[]) AS z(zone, due) ON z.zone = x.time_zone
ORDER BY x.address, x.id
ON CONFLICT DO NOTHING
"""

# the A/B split: a stable shuffle of the waiting rows, the test share first, variants in turn
_SPLIT_SQL = """
UPDATE campaigns_recipient AS r
SET variant_id = CASE WHEN s.n <= %(sample)s
                      THEN (%(variants)s::bigint[])[1 + mod(s.n - 1, %(count)s)] END,
    status = CASE WHEN NOT %(testing)s THEN 'pending'
                  WHEN s.n <= %(sample)s THEN 'test' ELSE 'held' END
FROM (
    SELECT id, row_number() OVER (ORDER BY md5(%(seed)s || ':' || contact_id), id) AS n
    FROM campaigns_recipient WHERE campaign_id = %(campaign)s AND status = 'pending'
) AS s
WHERE r.id = s.id
"""


def _audience_fix(campaign: Campaign, variants: list[Variant], *, now: dt.datetime) -> bool:
    """Write the audience in set-based statements: one INSERT … SELECT (one row per contact
    and per address, those left out at once with their reason, each row's local time), then
    one UPDATE for the variants and the A/B split. Returns whether an A/B test runs."""
    audience = _audience(campaign)
    audience = audience.order_by()
    sql, params = audience.values("pk", "email", "phone", "time_zone").query.sql_with_params()
    business_zone = _business_zone()
    local_time = campaign.local_time if campaign.schedule == ScheduleKind.LOCAL else None
    zones: list[str] = []
    dues: list[dt.datetime] = []
    business_due = now
    if local_time is not None:
        day = (campaign.send_at or now).astimezone(business_zone).date()

        def due(zone: zoneinfo.ZoneInfo) -> dt.datetime:
            return local_due(
                start=now, day=day, at=local_time, zone=zone, passed_hour=campaign.passed_hour
            )

        business_due = due(business_zone)
        for name in sorted(set(audience.values_list("time_zone", flat=True).distinct()) - {""}):
            zones.append(name)
            dues.append(due(_zone(name)))
    channel = "" if campaign.channel == CampaignChannel.BEST else campaign.channel
    statement = _START_SQL.format(address=_address_sql(campaign.channel), audience=sql)
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [
                campaign.pk,
                channel,
                SkipReason.NO_ADDRESS.value,
                SkipReason.TOPIC.value,
                local_time is not None,
                now,
                business_due,
                now,
                campaign.topic_id or 0,
                *params,
                zones,
                dues,
            ],
        )
        waiting = Recipient.objects.filter(
            campaign=campaign, status=RecipientStatus.PENDING
        ).count()
        testing = len(variants) > 1 and campaign.ab_share > 0
        cursor.execute(
            _SPLIT_SQL,
            {
                "sample": round(waiting * campaign.ab_share / 100) if testing else waiting,
                "variants": [v.pk for v in variants],
                "count": len(variants),
                "testing": testing,
                "seed": str(campaign.pk),
                "campaign": campaign.pk,
            },
        )
    return testing


def campaign_start(*, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    """Fix the audience: one recipient row per contact and per address, each with its time
    and variant; those left out at once (no address, left the topic) with their reason."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != CampaignStatus.SCHEDULED:
            return campaign
        testing = _audience_fix(campaign, list(campaign.variants.order_by("label")), now=now)
        campaign.status = CampaignStatus.SENDING
        campaign.started_at = now
        campaign.save(update_fields=["status", "started_at", "updated"])
        if testing:
            due_work_register(
                kind=WINNER_WORK,
                ref=campaign.pk,
                due_at=now + dt.timedelta(hours=campaign.winner_wait_hours),
            )
        _next_step(campaign, now=now, immediate=True)
    return campaign


def _next_step(campaign: Campaign, *, now: dt.datetime, immediate: bool = False) -> None:
    """Book the next batch: at once, after the throttle's interval, or at the next due time."""
    nxt = Recipient.objects.filter(campaign=campaign, status__in=WAITING).aggregate(
        t=Min("due_at")
    )["t"]
    if nxt is None:
        if not Recipient.objects.filter(campaign=campaign, status=RecipientStatus.HELD).exists():
            _finish(campaign, now=now)
        return
    when = max(nxt, now)
    if when <= now and immediate:
        # the task runs it at once; the due work, due now too, is the safety net (whichever
        # comes second finds the rows settled: the campaign row's lock makes them take turns)
        due_work_register(kind=BATCH_WORK, ref=campaign.pk, due_at=now)
        _kick(campaign.pk)
    else:
        due_work_register(kind=BATCH_WORK, ref=campaign.pk, due_at=when)


def _finish(campaign: Campaign, *, now: dt.datetime) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.DONE, finished_at=now, updated=now
    )
    rows_written_send(Campaign)
    due_work_cancel(kind=BATCH_WORK, ref=campaign.pk)


def _batch_size(campaign: Campaign) -> tuple[int, float]:
    """How many this batch may send, and how long to wait after it (the throttle)."""
    throttle = campaign.throttle_per_minute
    if not throttle:
        return BATCH_MAX, 0.0
    size = min(BATCH_MAX, max(1, throttle * THROTTLE_STEP_SECONDS // 60))
    return size, 60.0 * size / throttle


def _reason_code(text: str) -> str:
    lowered = (text or "").lower()
    if "capped" in lowered:
        return SkipReason.CAPPED
    if "suppressed" in lowered or "bounce" in lowered or "complaint" in lowered:
        return SkipReason.SUPPRESSED
    if "no " in lowered and "address" in lowered:
        return SkipReason.NO_ADDRESS
    return SkipReason.NO_CONSENT


def campaign_batch_send(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    """Send the next batch of a campaign that is sending; returns how many rows it settled.

    The campaign row is locked, so two runs (the task and its due-work safety net) take turns;
    the rows and their messages commit together."""
    from apps.messaging.services import message_send_batch

    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or campaign.status != CampaignStatus.SENDING:
            return 0
        if campaign.send_by and now >= campaign.send_by:
            dropped = Recipient.objects.filter(campaign=campaign, status__in=NOT_DONE).update(
                status=RecipientStatus.SKIPPED,
                reason=SkipReason.DEADLINE,
                detail=_("still unsent when the offer ended"),
            )
            _finish(campaign, now=now)
            return dropped
        size, pause = _batch_size(campaign)
        rows = list(
            Recipient.objects.select_for_update(skip_locked=True)
            .filter(campaign=campaign, status__in=WAITING, due_at__lte=now)
            .order_by("due_at", "pk")
            .only("pk", "contact_id", "variant_id", "attempt")[:size]
        )
        if rows:
            _send_rows(campaign, rows, now=now, send_batch=message_send_batch)
            due_work_register(
                kind=DELIVERY_WORK,
                ref=campaign.pk,
                due_at=now + dt.timedelta(seconds=DELIVERY_CHECK_SECONDS),
            )
        if pause and rows:
            due_work_register(
                kind=BATCH_WORK, ref=campaign.pk, due_at=now + dt.timedelta(seconds=pause)
            )
        else:
            _next_step(campaign, now=now, immediate=bool(rows))
    return len(rows)


_MARK_SQL = """
UPDATE campaigns_recipient AS r
SET status = u.status, reason = u.reason, detail = u.detail, message_id = u.message_id,
    channel = coalesce(u.channel, r.channel), variant_id = u.variant_id, sent_at = u.sent_at,
    due_at = coalesce(u.due_at, r.due_at),
    attempt = r.attempt + CASE WHEN u.due_at IS NULL THEN 0 ELSE 1 END
FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::bigint[], %s::text[],
            %s::bigint[], %s::timestamptz[], %s::timestamptz[])
     AS u(id, status, reason, detail, message_id, channel, variant_id, sent_at, due_at)
WHERE r.id = u.id
"""


def _send_rows(campaign: Campaign, rows: list[Recipient], *, now: dt.datetime, send_batch) -> None:
    """Hand a batch to messaging (one `message_send_batch` per variant and try) and mark the
    rows in one UPDATE; the "sent" events go on the timelines in one INSERT."""
    contacts = {c.pk: c for c in contacts_live().filter(pk__in=[r.contact_id for r in rows])}
    variants = {v.pk: v for v in campaign.variants.all()}
    by_variant: dict[tuple[int | None, int], list[Recipient]] = defaultdict(list)
    for row in rows:
        by_variant[(row.variant_id, row.attempt)].append(row)
    channel = None if campaign.channel == CampaignChannel.BEST else campaign.channel
    sent_events: list[tuple[int, dict[str, Any], str]] = []
    marks: list[list[Any]] = []
    capped: list[list[Any]] = []
    contact_of = {row.pk: row.contact_id for row in rows}
    for (variant_id, attempt), group in by_variant.items():
        prefix = dedupe_prefix(campaign, attempt)
        variant = variants.get(variant_id) if variant_id else campaign.winner
        if variant is None:
            variant = min(variants.values(), key=lambda v: v.label)
        people = [contacts[r.contact_id] for r in group if r.contact_id in contacts]
        messages = (
            send_batch(
                contacts=people,
                purpose=PURPOSE,
                channel=channel,
                context={
                    "subject": variant.subject or campaign.name,
                    "text": variant.sms_text
                    if channel == "sms" and variant.sms_text
                    else blocks_text(variant.blocks),
                },
                dedupe_prefix=prefix,
                now=now,
                related_type=RELATED_TYPE,
                related_id=str(variant.pk),
            )
            if people
            else []
        )
        by_contact = {m.contact_id: m for m in messages}
        if len(by_contact) < len(people):  # a re-run: messages of an earlier, committed try
            from apps.messaging.selectors import messages_by_dedupe_keys

            keys = [f"{prefix}:{c.pk}" for c in people if c.pk not in by_contact]
            for message in messages_by_dedupe_keys(keys):
                by_contact[message.contact_id] = message
        for row in group:
            found = by_contact.get(row.contact_id)
            if found is None:
                marks.append(
                    [
                        row.pk,
                        str(RecipientStatus.SKIPPED),
                        str(SkipReason.NO_CONSENT),
                        _("contact erased"),
                        None,
                        None,
                        variant.pk,
                        None,
                        None,
                    ]
                )
                continue
            message = found
            status, reason, detail, sent_at = RecipientStatus.SENT, "", "", None
            if message.status == "suppressed":
                status, reason = RecipientStatus.SKIPPED, _reason_code(message.reason)
                detail = message.reason[:300]
            elif message.status == "deferred":
                status, detail = RecipientStatus.DEFERRED, message.reason[:300]
            elif message.status == "failed":
                status, reason = RecipientStatus.FAILED, SkipReason.REFUSED
            else:
                sent_at = now
                sent_events.append(
                    (
                        row.contact_id,
                        {
                            "campaign_id": campaign.pk,
                            "campaign": campaign.name,
                            "variant": variant.label,
                            "channel": message.channel,
                        },
                        "",
                    )
                )
            marks.append(
                [
                    row.pk,
                    str(status),
                    str(reason),
                    detail,
                    message.pk,
                    message.channel,
                    variant.pk,
                    sent_at,
                    None,
                ]
            )
            if reason == SkipReason.CAPPED:
                capped.append(marks[-1])
    if capped:
        _cap_defer(campaign, capped, contact_of=contact_of, now=now)
    if marks:
        with connection.cursor() as cursor:
            cursor.execute(_MARK_SQL, [list(column) for column in zip(*marks, strict=True)])
        rows_written_send(Recipient)
    if sent_events:
        events_record_many(
            type="campaign.sent", events=sent_events, source="campaigns", occurred_at=now
        )


def _cap_defer(
    campaign: Campaign, marks: list[list[Any]], *, contact_of: dict[int, int], now: dt.datetime
) -> None:
    """The rule for contacts the weekly cap holds back: each waits until the cap lets them
    have it, if that comes before the send-by deadline (the row waits again with the reason
    "capped" and the time, and its next try gets a message of its own); otherwise, or when
    the cap never will (a cap of 0), it is not sent, with the reason "capped"."""
    from apps.messaging.selectors import marketing_cap_frees_at
    from apps.tenants.formats import format_datetime

    # a mark: [id, status, reason, detail, message_id, channel, variant_id, sent_at, due_at]
    frees = marketing_cap_frees_at([contact_of[mark[0]] for mark in marks], now=now)
    zone = _business_zone()
    for mark in marks:
        when = frees.get(contact_of[mark[0]])
        if when is None or (campaign.send_by is not None and when >= campaign.send_by):
            continue  # not sent: "capped", with messaging's reason
        mark[1], mark[8] = str(RecipientStatus.PENDING), max(when, now)
        mark[3] = _("held by the weekly cap until %(when)s") % {
            "when": format_datetime(when.astimezone(zone))
        }


def dedupe_prefix(campaign: Campaign, attempt: int = 0) -> str:
    """The messages' dedupe prefix: `campaign:<id>` for the first try, then one per try."""
    return f"campaign:{campaign.pk}" if not attempt else f"campaign:{campaign.pk}:try{attempt}"


def campaign_retry_failed(*, campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Send again to those whose message failed (refused or bounced: it reached nobody); the
    suppression list still applies, so a suppressed address is skipped with its reason. Returns how many rows go back in line; a second call
    finds none (a row is retried only once its earlier try has failed), so nobody gets two."""
    return _requeue(
        campaign,
        Recipient.objects.filter(campaign=campaign, status=RecipientStatus.FAILED),
        now=now or timezone.now(),
    )


def campaign_send_rest(*, campaign: Campaign, now: dt.datetime | None = None) -> int:
    """Send to those not reached: capped, without consent at the time, dropped at the
    deadline, or left when the campaign was cancelled. Consent, caps and suppression are
    checked again at sending; the send-by deadline must still be ahead."""
    now = now or timezone.now()
    if campaign.send_by and now >= campaign.send_by:
        raise ConflictError(_("The send-by deadline has passed; nothing more can go out."))
    rest = Recipient.objects.filter(campaign=campaign).filter(
        Q(status=RecipientStatus.SKIPPED, reason__in=RETRYABLE_SKIPS)
        | Q(status=RecipientStatus.CANCELLED)
    )
    return _requeue(campaign, rest, now=now)


def _requeue(campaign: Campaign, rows, *, now: dt.datetime) -> int:
    allowed = (
        CampaignStatus.SENDING,
        CampaignStatus.PAUSED,
        CampaignStatus.DONE,
        CampaignStatus.CANCELLED,
    )
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in allowed:
            raise ConflictError(_("Only a campaign that has been sent can send again."))
        count = rows.update(
            status=RecipientStatus.PENDING,
            reason="",
            detail="",
            sent_at=None,
            due_at=now,
            attempt=F("attempt") + 1,
        )
        if not count:
            return 0
        if campaign.status in (CampaignStatus.DONE, CampaignStatus.CANCELLED):
            Campaign.objects.filter(pk=campaign.pk).update(
                status=CampaignStatus.SENDING, finished_at=None, updated=now
            )
            campaign.status = CampaignStatus.SENDING
        if campaign.status == CampaignStatus.SENDING:
            _next_step(campaign, now=now, immediate=True)
    return count


def campaign_step(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    """The task's and the due work's entry: start a scheduled campaign that is due, or send
    the next batch of one that is sending."""
    now = now or timezone.now()
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        return 0
    if campaign.status == CampaignStatus.SCHEDULED and campaign.send_at and campaign.send_at <= now:
        campaign_start(campaign=campaign, now=now)
        return 0
    return campaign_batch_send(campaign_id=campaign_id, now=now)


def campaign_deadline_apply(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    """At the send-by deadline: what is still waiting here is dropped (by the next batch, as
    before), and each text message still held by quiet hours in messaging is dropped there
    with the reason "deadline passed". Returns how many held messages were dropped."""
    from apps.messaging.services import messages_deferred_drop

    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None or not campaign.send_by or now < campaign.send_by:
            return 0
        held = Recipient.objects.filter(
            campaign=campaign, status=RecipientStatus.DEFERRED, message_id__isnull=False
        )
        by_message: dict[int, int] = {
            row.message_id: row.pk
            for row in held.only("pk", "message_id")
            if row.message_id is not None
        }
        dropped = messages_deferred_drop(
            message_ids=list(by_message), reason=str(_("deadline passed"))
        )
        Recipient.objects.filter(pk__in=[by_message[i] for i in dropped]).update(
            status=RecipientStatus.SKIPPED,
            reason=SkipReason.DEADLINE,
            detail=_("deadline passed"),
            sent_at=None,
        )
    if campaign.status == CampaignStatus.SENDING:
        campaign_batch_send(campaign_id=campaign_id, now=now)  # drops what waits here
    return len(dropped)


def campaign_due_deadline(work: DueWork) -> None:
    campaign_deadline_apply(campaign_id=int(work.ref))


def campaign_due_start(work: DueWork) -> None:
    campaign_step(campaign_id=int(work.ref))


def campaign_due_batch(work: DueWork) -> None:
    campaign_batch_send(campaign_id=int(work.ref))


def campaign_deliveries_check(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    """The safety net behind messaging's delivery tasks: hand over the campaign's messages
    still waiting (a worker died with their task), and reconcile those a dead worker left
    half handed over (`messages_reconcile`); a message is handed over once whoever runs
    it. Returns how many it found waiting."""
    from apps.messaging.selectors import messages_still_queued
    from apps.messaging.services.sending import messages_deliver, messages_reconcile

    now = now or timezone.now()
    ids = [
        pk
        for pk in Recipient.objects.filter(
            campaign_id=campaign_id, status=RecipientStatus.SENT
        ).values_list("message_id", flat=True)
        if pk is not None
    ]
    waiting = messages_still_queued(ids, before=now - dt.timedelta(seconds=DELIVERY_CHECK_SECONDS))
    retry = False
    if waiting:
        messages_reconcile(message_ids=waiting, now=now)
        retry = bool(messages_deliver(message_ids=waiting))
    if retry or len(waiting) < len(messages_still_queued(ids, before=now + dt.timedelta(days=1))):
        due_work_register(
            kind=DELIVERY_WORK,
            ref=campaign_id,
            due_at=now + dt.timedelta(seconds=DELIVERY_CHECK_SECONDS),
        )
    return len(waiting)


def campaign_due_delivery(work: DueWork) -> None:
    campaign_deliveries_check(campaign_id=int(work.ref))


def campaign_pause(*, campaign: Campaign, reason: str = "") -> Campaign:
    """Stop taking new batches; what was handed to messaging still goes."""
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status not in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED):
            raise ConflictError(_("Only a scheduled or sending campaign can be paused."))
        campaign.status, campaign.pause_reason = CampaignStatus.PAUSED, reason[:300]
        campaign.save(update_fields=["status", "pause_reason", "updated"])
        due_work_cancel(kind=BATCH_WORK, ref=campaign.pk)
    return campaign


def campaign_resume(*, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status != CampaignStatus.PAUSED:
            raise ConflictError(_("Only a paused campaign can be resumed."))
        started = campaign.started_at is not None
        campaign.status = CampaignStatus.SENDING if started else CampaignStatus.SCHEDULED
        campaign.pause_reason = ""
        campaign.save(update_fields=["status", "pause_reason", "updated"])
        if started:
            _next_step(campaign, now=now, immediate=True)
        else:
            due_work_register(
                kind=START_WORK, ref=campaign.pk, due_at=max(now, campaign.send_at or now)
            )
    return campaign


def campaign_cancel(*, campaign: Campaign, now: dt.datetime | None = None) -> Campaign:
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign)
        if campaign.status in (CampaignStatus.DONE, CampaignStatus.CANCELLED):
            raise ConflictError(_("This campaign has already ended."))
        Recipient.objects.filter(campaign=campaign, status__in=NOT_DONE).update(
            status=RecipientStatus.CANCELLED
        )
        campaign.status, campaign.finished_at = CampaignStatus.CANCELLED, now
        campaign.save(update_fields=["status", "finished_at", "updated"])
        for kind in (BATCH_WORK, START_WORK, WINNER_WORK):
            due_work_cancel(kind=kind, ref=campaign.pk)
    return campaign


def campaign_throttle_set(*, campaign: Campaign, per_minute: int) -> Campaign:
    if per_minute < 0:
        raise ValidationError({"throttle_per_minute": _("Use 0 (no limit) or more.")})
    with transaction.atomic():
        campaign = _locked(campaign)
        campaign.throttle_per_minute = per_minute
        campaign.save(update_fields=["throttle_per_minute", "updated"])
    return campaign


# --- A/B ---------------------------------------------------------------------------------------
def campaign_winner_set(
    *, campaign: Campaign, variant: Variant | None, now: dt.datetime | None = None
) -> Campaign:
    """Send the rest with `variant` (chosen by hand or by `campaign_winner_pick`)."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = _locked(campaign)
        if variant is None or variant.campaign_id != campaign.pk:
            raise ValidationError({"variant": _("Choose one of this campaign's variants.")})
        campaign.winner = variant
        campaign.save(update_fields=["winner", "updated"])
        Recipient.objects.filter(campaign=campaign, status=RecipientStatus.HELD).update(
            status=RecipientStatus.PENDING, variant=variant
        )
        due_work_cancel(kind=WINNER_WORK, ref=campaign.pk)
        if campaign.status == CampaignStatus.SENDING:
            _next_step(campaign, now=now, immediate=True)
    return campaign


def campaign_winner_pick(*, campaign: Campaign, now: dt.datetime | None = None) -> Variant | None:
    """Pick by the campaign's metric (human opens, clicks or conversions per message sent);
    on a tie the earlier variant (A before B) wins. Chosen by hand: nothing is picked."""
    from .selectors import ab_results

    if campaign.winner_metric == WinnerMetric.MANUAL:
        return None
    results = ab_results(campaign=campaign)
    if not results.rows:
        return None
    best = results.rows[0].variant
    campaign_winner_set(campaign=campaign, variant=best, now=now)
    return best


def campaign_due_winner(work: DueWork) -> None:
    campaign = Campaign.objects.filter(pk=int(work.ref)).first()
    if campaign is not None and campaign.winner_id is None:
        campaign_winner_pick(campaign=campaign)


# --- what happens to sent messages -------------------------------------------------------------
def suppressed_for(addresses: list[str]) -> dict[str, str]:
    """The marketing guard: suppressed addresses and why, for messaging's sends."""
    labels = dict(SuppressionReason.choices)
    digests = {address_digest(address): address for address in addresses}
    return {
        digests[row.address]: _("suppressed: %(why)s") % {"why": labels.get(row.reason, row.reason)}
        for row in Suppression.objects.filter(address__in=digests).exclude(reason="")
    }


def suppression_record(
    *,
    address: str,
    hard: bool = False,
    complaint: bool = False,
    contact: Contact | None = None,
    now: dt.datetime | None = None,
) -> Suppression:
    """A hard bounce or a complaint suppresses at once; soft bounces after three in a row."""
    now = now or timezone.now()
    digest = address_digest(address)
    with transaction.atomic():
        row, _created = Suppression.objects.select_for_update().get_or_create(
            address=digest, defaults={"contact": contact}
        )
        if row.reason:
            return row
        if complaint:
            row.reason = SuppressionReason.COMPLAINT
        elif hard:
            row.reason = SuppressionReason.HARD_BOUNCE
        else:
            row.soft_bounces += 1
            if row.soft_bounces >= SOFT_BOUNCES_TO_SUPPRESS:
                row.reason = SuppressionReason.SOFT_BOUNCES
        if row.reason:
            row.suppressed_at = now
        row.save()
        if row.reason and contact is not None:
            event_record(
                contact=contact,
                type="campaign.suppressed",
                source="campaigns",
                properties={
                    "address": address_key(address),
                    "reason": str(dict(SuppressionReason.choices)[row.reason]),
                },
            )
    return row


def _delivered(address: str) -> None:
    Suppression.objects.filter(
        address=address_digest(address), reason="", soft_bounces__gt=0
    ).update(soft_bounces=0)


MACHINE_AGENTS = re.compile(
    r"googleimageproxy|yahoomailproxy|ymailproxy|outlook-ios-proxy|bot\b|crawler|spider|"
    r"python-requests|curl/|wget|go-http-client|java/|libwww|barracuda|proofpoint|mimecast|"
    r"symantec|trendmicro|safelinks|headless",
    re.IGNORECASE,
)
MACHINE_SECONDS = 10


def machine_reason(*, user_agent: str, sent_at: dt.datetime | None, at: dt.datetime) -> str:
    """Why an open or a click looks like a machine ('' for a person). The rule: no user
    agent at all, or Apple Mail's privacy proxy (the bare "Mozilla/5.0"), or a known proxy or
    link scanner by its user agent, or less than ten seconds after sending (a security
    scanner fetching on arrival; no person opens that fast)."""
    agent = (user_agent or "").strip()
    if not agent:
        return "no user agent"
    if agent == "Mozilla/5.0":
        return "mail privacy proxy"
    found = MACHINE_AGENTS.search(agent)
    if found:
        return f"known proxy or scanner ({found.group(0).lower()})"
    if sent_at is not None and (at - sent_at).total_seconds() < MACHINE_SECONDS:
        return f"within {MACHINE_SECONDS} s of sending"
    return ""


def recipient_message_event(*, message: Message, event: str, url: str = "", user_agent: str = ""):
    """messaging's listener: keep the recipient row and the suppression list in step."""
    if message.related_type != RELATED_TYPE:
        if event in ("bounced", "complained"):
            suppression_record(
                address=message.to,
                hard=True,
                complaint=event == "complained",
                contact=message.contact,
            )
        return
    now = timezone.now()
    row = (
        Recipient.objects.select_for_update()
        .select_related("campaign")
        .filter(message_id=message.pk)
        .first()
    )
    if row is None:
        return
    if event == "delivered":
        _delivered(message.to)
        if row.delivered_at is None:
            row.delivered_at = now
            row.save(update_fields=["delivered_at"])
        return
    if event in ("bounced", "soft_bounced", "refused"):
        suppression_record(
            address=message.to, hard=event != "soft_bounced", contact=message.contact, now=now
        )
        if row.bounced_at is None:
            row.bounced_at = now
            if event != "soft_bounced":
                row.status, row.reason = RecipientStatus.FAILED, SkipReason.BOUNCED
            row.save(update_fields=["bounced_at", "status", "reason"])
        _rate_check(row.campaign, now=now)
        return
    if event == "complained":
        suppression_record(address=message.to, complaint=True, contact=message.contact, now=now)
        if row.complained_at is None:
            row.complained_at = now
            row.save(update_fields=["complained_at"])
        _rate_check(row.campaign, now=now)
        return
    if event == "unsubscribed":
        if row.unsubscribed_at is None:
            row.unsubscribed_at = now
            row.save(update_fields=["unsubscribed_at"])
        return
    if event in ("opened", "clicked"):
        why = machine_reason(user_agent=user_agent, sent_at=row.sent_at, at=now)
        properties = {
            "campaign_id": row.campaign_id,
            "campaign": row.campaign.name,
            "variant": row.variant.label if row.variant is not None else "",
        }
        if event == "opened":
            Open.objects.create(
                recipient=row,
                at=now,
                user_agent=user_agent[:300],
                machine=bool(why),
                machine_reason=why,
            )
            if why:
                if row.machine_opened_at is None:
                    row.machine_opened_at = now
                    row.save(update_fields=["machine_opened_at"])
            elif row.opened_at is None:
                row.opened_at = now
                row.save(update_fields=["opened_at"])
                event_record(
                    contact=message.contact,
                    type="campaign.opened",
                    source="campaigns",
                    properties=properties,
                )
        else:
            Click.objects.create(
                recipient=row,
                url=url[:2000],
                at=now,
                user_agent=user_agent[:300],
                machine=bool(why),
                machine_reason=why,
            )
            if not why and row.clicked_at is None:
                row.clicked_at = now
                if row.opened_at is None:
                    row.opened_at = now  # a click proves the open
                row.save(update_fields=["clicked_at", "opened_at"])
                event_record(
                    contact=message.contact,
                    type="campaign.clicked",
                    source="campaigns",
                    properties={**properties, "url": url[:500]},
                )


def _rate_check(campaign: Campaign, *, now: dt.datetime) -> None:
    """Pause a sending campaign whose bounce or complaint rate crossed its threshold, and
    tell its owner."""
    from .selectors import campaign_rates

    if campaign.status != CampaignStatus.SENDING:
        return
    sent, bounce_rate, complaint_rate = campaign_rates(campaign=campaign)
    if sent < MIN_RATE_SAMPLE:
        return
    reason = ""
    if bounce_rate >= campaign.bounce_pause_rate:
        reason = _("Paused: %(p).1f%% of messages bounced.") % {"p": bounce_rate * 100}
    elif complaint_rate >= campaign.complaint_pause_rate:
        reason = _("Paused: %(p).2f%% of readers complained.") % {"p": complaint_rate * 100}
    if not reason:
        return
    campaign_pause(campaign=campaign, reason=reason)
    transaction.on_commit(lambda: _tell_owner(campaign.pk, reason))


def _tell_owner(campaign_id: int, reason: str) -> None:
    from django.core.mail import send_mail

    campaign = Campaign.objects.select_related("created_by").filter(pk=campaign_id).first()
    if campaign is None or campaign.created_by is None or not campaign.created_by.email:
        return
    try:
        send_mail(
            subject=_("Campaign “%(name)s” paused") % {"name": campaign.name},
            message=reason,
            from_email=None,
            recipient_list=[campaign.created_by.email],
        )
    except OSError:
        logger.exception("could not tell the owner of campaign %s", campaign_id)


# --- conversions and replies (the timeline subscriber) -----------------------------------------
CONVERSION_EVENTS = frozenset({"purchase.made", "appointment.booked"})
REPLY_EVENTS = frozenset({"message.received"})


def campaigns_on_events(events: Sequence[TimelineEvent]) -> None:
    """The timeline subscriber. A purchase or a booking within the campaign's conversion
    window (days) after a human click converts that recipient; an inbound message within
    the same window after sending marks a reply. Each recipient converts or replies once:
    the conditional update is the guard, so events handed over again change nothing."""
    for event in events:
        if event.type in CONVERSION_EVENTS:
            _conversion_note(event)
        elif event.type in REPLY_EVENTS:
            _reply_note(event)


def _in_window(at: dt.datetime | None, event: TimelineEvent, days: int) -> bool:
    return at is not None and at <= event.occurred_at <= at + dt.timedelta(days=days)


def _conversion_note(event: TimelineEvent) -> None:
    rows = Recipient.objects.select_related("campaign", "variant").filter(
        contact_id=event.contact_id,
        clicked_at__isnull=False,
        clicked_at__lte=event.occurred_at,
        converted_at__isnull=True,
    )
    for row in rows:
        if not _in_window(row.clicked_at, event, row.campaign.conversion_days):
            continue
        taken = Recipient.objects.filter(pk=row.pk, converted_at__isnull=True).update(
            converted_at=event.occurred_at
        )
        if not taken:
            continue
        assert row.clicked_at is not None
        event_record(
            contact=event.contact,
            type="campaign.converted",
            source="campaigns",
            occurred_at=event.occurred_at,
            properties={
                "campaign_id": row.campaign_id,
                "campaign": row.campaign.name,
                "variant": row.variant.label if row.variant else "",
                "channel": row.channel,
                "days": (event.occurred_at - row.clicked_at).days,
            },
        )


def _reply_note(event: TimelineEvent) -> None:
    rows = Recipient.objects.select_related("campaign").filter(
        contact_id=event.contact_id,
        sent_at__isnull=False,
        sent_at__lte=event.occurred_at,
        replied_at__isnull=True,
    )
    for row in rows:
        if _in_window(row.sent_at, event, row.campaign.conversion_days):
            Recipient.objects.filter(pk=row.pk, replied_at__isnull=True).update(
                replied_at=event.occurred_at
            )
