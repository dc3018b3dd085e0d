"""The customer knowledge every module reads: contacts, consent, timeline, purchases, RFM,
segments and imports (tenant schema)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce, Concat, Lower, Now
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.filters import KeepsUpdatedMixin

from .choices import Channel, ConsentMethod, ConsentStatus

# Accents folded with core PostgreSQL's translate() (immutable, so usable in a generated
# column; the unaccent extension is not available everywhere). Queries fold the same way.
ACCENTED = "áàâäãåāéèêëēíìîïīóòôöõøōúùûüūñçýÿ"
PLAIN = "aaaaaaaeeeeeiiiiiooooooouuuuuncyy"


def accents_folded(*fields: str) -> Func:
    """lower(f1 || ' ' || f2 ...) with accents replaced: the text the search vector indexes."""
    parts: list = []
    for name in fields:
        parts += [Coalesce(F(name), Value("")), Value(" ")]
    return Func(
        Lower(Concat(*parts[:-1], output_field=models.TextField())),
        Value(ACCENTED),
        Value(PLAIN),
        function="translate",
        output_field=models.TextField(),
    )


class LifecycleStage(models.TextChoices):
    LEAD = "lead", _("Lead")
    CUSTOMER = "customer", _("Customer")
    LAPSED = "lapsed", _("Lapsed")


# --- contacts ----------------------------------------------------------------------------------
class Contact(models.Model):
    """One customer of the business. Email and phone are each unique when given; the phone is
    stored in E.164 and its national digits are kept for prefix search."""

    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    phone_national = models.CharField(max_length=20, blank=True, editable=False)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=8, choices=Channel.choices, blank=True
    )
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_contacts",
        verbose_name=_("owner"),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=10,
        choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    source = models.CharField(_("source"), max_length=40, blank=True)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    email_consent = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN
    )
    sms_consent = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN
    )
    voice_consent = models.CharField(
        max_length=10, choices=ConsentStatus.choices, default=ConsentStatus.UNKNOWN
    )
    erased_at = models.DateTimeField(null=True, blank=True)
    no_shows = models.PositiveIntegerField(_("no-shows"), default=0, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    search = models.GeneratedField(
        expression=SearchVector(
            accents_folded("first_name", "last_name", "email", "city"), config="simple"
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="contacts_contact_email_ci"
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="contacts_contact_phone"
            ),
        ]
        indexes = [
            GinIndex(fields=["search"], name="contacts_contact_search"),
            GinIndex(fields=["tags"], name="contacts_contact_tags"),
            models.Index(
                fields=["email"], opclasses=["varchar_pattern_ops"], name="contacts_email_prefix"
            ),
            models.Index(
                fields=["phone_national"],
                opclasses=["varchar_pattern_ops"],
                name="contacts_phone_prefix",
            ),
            models.Index(fields=["last_name", "first_name", "id"], name="contacts_name_order"),
            models.Index(fields=["updated"], name="contacts_updated"),
            models.Index(fields=["lifecycle_stage"], name="contacts_stage"),
            # erased contacts are few: figures leave them out without reading every contact
            models.Index(
                fields=["id"], condition=Q(erased_at__isnull=False), name="contacts_erased"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or f"#{self.pk}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def consent_for(self, channel: str) -> str:
        return getattr(self, f"{channel}_consent")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes/no")


class CustomField(KeepsUpdatedMixin, models.Model):
    """A field the business adds to its contacts (e.g. a contract renewal date); values live in
    `Contact.custom[key]` and are validated against this definition on every write."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=80)
    type = models.CharField(_("type"), max_length=10, choices=CustomFieldType.choices)
    choices = ArrayField(models.CharField(max_length=80), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    created = models.DateTimeField(auto_now_add=True)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class ConsentEvent(models.Model):
    """Every change of a contact's consent on a channel: the history is never rewritten."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="consent_events")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=ConsentStatus.choices)
    previous_status = models.CharField(max_length=10, choices=ConsentStatus.choices)
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["contact", "channel", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.contact_id} {self.channel} {self.status}"


# --- timeline ----------------------------------------------------------------------------------
class CurrentTxid(Func):
    """The id of the inserting transaction (64-bit, never wraps)."""

    template = "(pg_current_xact_id()::text::bigint)"
    output_field = models.BigIntegerField()

    def __init__(self):
        super().__init__()


class TimelineEvent(models.Model):
    """The relationship history: what happened to a contact, from any module or the API.

    `client_event_id` (unique when given) makes a re-sent batch from the API harmless.
    `txid` is the id of the transaction that stored the event: once every transaction older
    than the oldest one still running has finished, no event can appear before a given
    (txid, id) any more, which is what lets a subscriber's cursor move forward without ever
    skipping an event that committed late (apps/contacts/events.py).
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=64)
    occurred_at = models.DateTimeField()
    properties = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=32, default="system")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_event_id = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    txid = models.BigIntegerField(db_default=CurrentTxid(), editable=False)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client_event_id"],
                condition=~Q(client_event_id=""),
                name="contacts_event_client_id",
            )
        ]
        indexes = [
            models.Index(fields=["contact", "-occurred_at", "-id"], name="contacts_event_timeline"),
            models.Index(fields=["type", "occurred_at"], name="contacts_event_type_time"),
            models.Index(fields=["txid", "id"], name="contacts_event_txid"),
        ]

    def __str__(self) -> str:
        return f"{self.type} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class Task(KeepsUpdatedMixin, models.Model):
    """A follow-up for a staff member about a contact ("call back about the crown")."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due_date = models.DateField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact_tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["done_at", "due_date", "pk"]
        indexes = [models.Index(fields=["assignee", "done_at", "due_date"])]

    def __str__(self) -> str:
        return self.title


# --- purchases and RFM -------------------------------------------------------------------------
class TransactionKind(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    REFUND = "refund", _("Refund")


class SalesChannel(models.TextChoices):
    STORE = "store", _("In store")
    ONLINE = "online", _("Online")


class PaymentMethod(models.TextChoices):
    """How (part of) a purchase was paid; loyalty reads it to leave out what was paid with
    credit the business gave (a voucher, wallet credit, a gift card)."""

    CARD = "card", _("Card")
    CASH = "cash", _("Cash")
    VOUCHER = "voucher", _("Voucher")
    WALLET = "wallet", _("Wallet credit")
    GIFT_CARD = "gift_card", _("Gift card")
    OTHER = "other", _("Other")


class Transaction(KeepsUpdatedMixin, models.Model):
    """A purchase or a refund (negative effect on monetary value), unique by external ref.

    `amount` is the total paid, tax and tip included; `tax` and `tip` say how much of it they
    were. `payments` splits it by method (`[{"method": "voucher", "amount": "10.00",
    "reference": "<code>"}, ...]`; empty means one ordinary payment). An item may carry
    `"voided": true`: it stays on the receipt but was not charged.
    """

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="transactions")
    kind = models.CharField(
        max_length=10, choices=TransactionKind.choices, default=TransactionKind.PURCHASE
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    occurred_at = models.DateTimeField()
    items = models.JSONField(default=list, blank=True)
    channel = models.CharField(
        max_length=10, choices=SalesChannel.choices, default=SalesChannel.STORE
    )
    external_ref = models.CharField(max_length=100, blank=True)
    refund_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    tax = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tip = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    payments = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    updated = models.DateTimeField(auto_now=True, db_default=Now())  # `updated_since`

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="contacts_transaction_ref",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="contacts_amount_positive"),
            models.CheckConstraint(
                condition=Q(tax__gte=0, tip__gte=0), name="contacts_tax_tip_ge0"
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "-occurred_at"], name="contacts_tx_contact"),
            # the analytics read a period's purchases of every contact
            models.Index(fields=["occurred_at"], name="contacts_tx_time"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} {self.currency}"


class RfmSegment(models.TextChoices):
    CHAMPIONS = "champions", _("Champions")
    LOYAL = "loyal", _("Loyal")
    POTENTIAL = "potential", _("Potential loyalists")
    NEW = "new", _("New customers")
    AT_RISK = "at_risk", _("At risk")
    CANT_LOSE = "cant_lose", _("Can't lose them")
    HIBERNATING = "hibernating", _("Hibernating")
    LOST = "lost", _("Lost")


class RfmScore(models.Model):
    """Recency, frequency and monetary value of a contact over the business's window, scored
    1-5 by quintile within the business, with the named segment they add up to."""

    contact = models.OneToOneField(
        Contact, on_delete=models.CASCADE, primary_key=True, related_name="rfm"
    )
    recency_days = models.PositiveIntegerField()
    frequency = models.PositiveIntegerField()
    monetary = models.DecimalField(max_digits=14, decimal_places=2)
    r = models.PositiveSmallIntegerField()
    f = models.PositiveSmallIntegerField()
    m = models.PositiveSmallIntegerField()
    segment = models.CharField(max_length=12, choices=RfmSegment.choices)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["segment"], name="contacts_rfm_segment")]

    def __str__(self) -> str:
        return f"{self.r}{self.f}{self.m} {self.segment}"


class ContactSettings(models.Model):
    """The business's CRM settings (one row)."""

    rfm_window_days = models.PositiveIntegerField(default=365)

    def __str__(self) -> str:
        return f"RFM over {self.rfm_window_days} days"


# --- segments ----------------------------------------------------------------------------------
class SegmentKind(models.TextChoices):
    DYNAMIC = "dynamic", _("Rules")
    STATIC = "static", _("Static list")


class Segment(models.Model):
    """A saved audience: a rule tree compiled to one query, or a static list of contacts."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=SegmentKind.choices, default=SegmentKind.DYNAMIC)
    rules = models.JSONField(default=dict, blank=True)
    members = models.ManyToManyField(Contact, through="SegmentMember", related_name="lists")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    # kept as rows (SegmentMembership) with segment.entered / segment.left events while a
    # journey (or anything else) watches the segment
    tracked = models.BooleanField(default=False, editable=False)
    membership_refreshed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """A contact on a static list."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["segment", "contact"], name="contacts_segment_member")
        ]

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.contact_id}"


class SegmentMembership(models.Model):
    """A contact who matches a tracked segment's rules (or is on its list) as of the last
    refresh; entering and leaving are recorded as segment.entered / segment.left events."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="memberships")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="segment_memberships"
    )
    entered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "contact"], name="contacts_segment_membership"
            )
        ]
        indexes = [models.Index(fields=["contact"], name="contacts_membership_contact")]

    def __str__(self) -> str:
        return f"{self.segment_id}:{self.contact_id}"


# --- import ------------------------------------------------------------------------------------
class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A CSV upload: its column mapping, progress, and every rejected row with its reason."""

    file = models.FileField(upload_to="imports/")
    original_name = models.CharField(max_length=200)
    mapping = models.JSONField(default=dict)  # CSV column -> contact field (or custom.<key>)
    on_match = models.CharField(max_length=8, default="update")  # "update" or "skip"
    # What the file says of everyone in it: {"email_marketing": "subscribed"} for Mailchimp.
    file_defaults = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [{"line": 7, "reason": "..."}]
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.original_name


class SubscriberCursor(models.Model):
    """How far one timeline subscriber has got: the (txid, id) of the last event it took.

    The cursor moves in the transaction in which the subscriber's writes commit, so a
    subscriber that raises gets the same events again, and a restart loses nothing.
    """

    name = models.CharField(max_length=100, unique=True)
    txid = models.BigIntegerField(default=0)
    event_id = models.BigIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ ({self.txid}, {self.event_id})"
