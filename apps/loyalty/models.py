"""Loyalty: one program per business, members' point accounts kept on an append-only ledger.

How the pieces fit:

- `Program` (one row) holds the business's settings: which families are on (points, tiers,
  cashback, referrals), the earn rates, the earn base, expiry, enrolment and the return
  window. Every saved change of value-bearing settings leaves a `ProgramVersion`; a lot
  records the version it was earned under and carries its own `expires_at`, so a later
  shorter expiry is never retroactive.
- `Member` is a contact's account. `balance` is every point still held (pending ones
  included) and always equals the sum of its `LedgerEntry.points` and the sum of its lots'
  `remaining`; a CHECK keeps it at zero or above. Points available to spend are the
  remaining points of lots whose `pending_until` has passed.
- `PointLot` is a batch of earned points, spent oldest first; `LotSpend` records which lots
  each debit took points from, so a refund or a cancelled voucher puts them back into the
  same lots (with their own expiry).
- `LedgerEntry` is append-only: earn, redeem, expire, adjust, reverse. Every earn and
  redeem carries an idempotency key (unique), so a retried task or request counts once.
- `Voucher` is what a redemption issues (and what cashback-as-voucher, visit-count and
  referral rewards issue): an unguessable code, single use, an expiry.
- Cashback is money, not points: as *wallet credit* it is a `WalletEntry` (append-only) on
  `Member.wallet_balance` (CHECK >= 0); as a *voucher* it is an amount-off `Voucher` with
  `source = cashback` and no points cost. What was paid with wallet credit, a voucher or a
  gift card never earns (see `Program` and the earn base in services/earning.py).
- `Referral`, `ImportBatch` (CSV opening balances, undoable), `TierChange` (tier history),
  `ActivityFlag` (unusual activity for the owner).
"""

from __future__ import annotations

from django.conf import settings as django_settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now as _Now
from django.utils.translation import gettext_lazy as _

from cxsuite.lib.filters import KeepsUpdatedMixin


# --- program ---------------------------------------------------------------------------------
class Enrolment(models.TextChoices):
    EXPLICIT = "explicit", _("When they sign up or staff enrol them")
    FIRST_PURCHASE = "first_purchase", _("Automatically on their first purchase or visit")


class TierBasis(models.TextChoices):
    POINTS = "points", _("Points earned")
    SPEND = "spend", _("Amount spent")


class CashbackForm(models.TextChoices):
    WALLET = "wallet", _("Wallet credit")
    VOUCHER = "voucher", _("A voucher")


class ReferralTrigger(models.TextChoices):
    PURCHASE_OR_VISIT = "purchase_or_visit", _("First purchase or first completed visit")
    PURCHASE = "purchase", _("First purchase")
    VISIT = "visit", _("First completed visit")


class Program(models.Model):
    """The business's loyalty program (one row, pk=1): families, earn rules and limits."""

    # families
    points_enabled = models.BooleanField(_("points"), default=True)
    tiers_enabled = models.BooleanField(_("tiers"), default=False)
    cashback_enabled = models.BooleanField(_("cashback"), default=False)
    referrals_enabled = models.BooleanField(_("referrals"), default=False)
    # earning
    points_per_unit = models.DecimalField(
        _("points per unit of currency spent"), max_digits=8, decimal_places=3, default=1
    )
    points_per_visit = models.PositiveIntegerField(_("points per completed visit"), default=0)
    earn_on_tax = models.BooleanField(_("tax earns points"), default=False)
    earn_on_tips = models.BooleanField(_("tips earn points"), default=False)
    enrolment = models.CharField(
        _("members join"), max_length=16, choices=Enrolment.choices, default=Enrolment.EXPLICIT
    )
    return_window_days = models.PositiveSmallIntegerField(
        _("points from a purchase are pending for (days)"), default=14
    )
    expiry_months = models.PositiveSmallIntegerField(
        _("points expire after (months)"), null=True, blank=True
    )
    expiry_reminder_days = models.PositiveSmallIntegerField(
        _("remind members before points expire (days)"), default=30
    )
    point_value = models.DecimalField(
        _("value of one point"), max_digits=8, decimal_places=4, default="0.01"
    )
    expired_voucher_points_back = models.BooleanField(
        _("points come back when a voucher expires unused"), default=False
    )
    # tiers
    tier_basis = models.CharField(
        _("tiers are reached by"), max_length=8, choices=TierBasis.choices, default=TierBasis.POINTS
    )
    tier_window_months = models.PositiveSmallIntegerField(
        _("counted over the last (months)"), default=12
    )
    tier_grace_days = models.PositiveSmallIntegerField(
        _("a member keeps a tier they no longer reach for (days)"), default=30
    )
    # cashback and visit-count rewards
    cashback_percent = models.DecimalField(
        _("cashback (% of spend)"), max_digits=5, decimal_places=2, default=0
    )
    cashback_form = models.CharField(
        _("cashback is given as"),
        max_length=8,
        choices=CashbackForm.choices,
        default=CashbackForm.WALLET,
    )
    visit_reward_every = models.PositiveSmallIntegerField(
        _("a reward every (completed visits)"), null=True, blank=True
    )
    visit_reward = models.ForeignKey(
        "Reward", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # referrals
    referral_trigger = models.CharField(
        _("a referral counts on"),
        max_length=20,
        choices=ReferralTrigger.choices,
        default=ReferralTrigger.PURCHASE_OR_VISIT,
    )
    referrer_points = models.PositiveIntegerField(_("points for the member who refers"), default=0)
    referred_points = models.PositiveIntegerField(_("points for the new customer"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="loyalty_program_single"),
            models.CheckConstraint(
                condition=Q(cashback_percent__gte=0, cashback_percent__lte=100),
                name="loyalty_cashback_percent",
            ),
            models.CheckConstraint(condition=Q(points_per_unit__gte=0), name="loyalty_rate_ge0"),
        ]

    def __str__(self) -> str:
        return "Loyalty program"


class ProgramVersion(models.Model):
    """A snapshot of the program's settings as saved: lots point at the version they were
    earned under, so a change that takes value away applies to later points only."""

    number = models.PositiveIntegerField(unique=True)
    settings = models.JSONField(default=dict)
    summary = models.CharField(max_length=300, blank=True)
    members_affected = models.PositiveIntegerField(default=0)
    effective_from = models.DateTimeField()
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"


class BonusTrigger(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthday")
    FIRST_PURCHASE = "first_purchase", _("First purchase")
    SURVEY = "survey", _("Answering a survey")
    EVENT = "event", _("An event from the catalogue")


class EarnRule(models.Model):
    """A bonus: fixed points when something happens (birthday, first purchase, a survey
    answered, or any catalogue event a partner may post)."""

    name = models.CharField(_("name"), max_length=120)
    trigger = models.CharField(_("when"), max_length=16, choices=BonusTrigger.choices)
    event_type = models.CharField(_("event type"), max_length=64, blank=True)
    points = models.PositiveIntegerField(_("points"))
    active = models.BooleanField(_("active"), default=True)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_until = models.DateField(_("until"), null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(trigger="event") | ~Q(event_type=""),
                name="loyalty_rule_event_type",
            ),
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_rule_points_gt0"),
        ]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """A level reached by points earned (or spend) over the program's rolling window, with
    its benefits; `threshold` is in points or in the business's currency (`tier_basis`)."""

    name = models.CharField(_("name"), max_length=60)
    threshold = models.DecimalField(_("reached at"), max_digits=12, decimal_places=2)
    earn_multiplier = models.DecimalField(
        _("earn multiplier"), max_digits=4, decimal_places=2, default=1
    )
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    free_service = models.ForeignKey(
        "appointments.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("free service"),
    )
    benefits_note = models.CharField(_("other benefits"), max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["threshold", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["threshold"], name="loyalty_tier_threshold"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="loyalty_tier_ge0"),
            models.CheckConstraint(condition=Q(earn_multiplier__gte=1), name="loyalty_tier_mult"),
        ]

    def __str__(self) -> str:
        return self.name


class RewardKind(models.TextChoices):
    AMOUNT_OFF = "amount_off", _("Amount off")
    PERCENT_OFF = "percent_off", _("Percent off")
    FREE_SERVICE = "free_service", _("Free service")
    GIFT = "gift", _("Gift")


class Reward(KeepsUpdatedMixin, models.Model):
    """What members can spend points on; a redemption issues a voucher for it."""

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=RewardKind.choices)
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, default=0)
    service = models.ForeignKey(
        "appointments.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    cost_points = models.PositiveIntegerField(_("cost (points)"))
    stock = models.PositiveIntegerField(_("stock"), null=True, blank=True)
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    voucher_valid_days = models.PositiveSmallIntegerField(
        _("the voucher is valid for (days)"), default=90
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["cost_points", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost_points__gt=0), name="loyalty_reward_cost"),
            models.CheckConstraint(
                condition=Q(stock__isnull=True) | Q(stock__gte=0), name="loyalty_reward_stock"
            ),
            models.CheckConstraint(
                condition=~Q(kind="percent_off") | Q(value__gt=0, value__lte=100),
                name="loyalty_reward_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- members and their points ---------------------------------------------------------------
class Member(models.Model):
    """A contact's loyalty account: the balance kept with the ledger, tier and wallet."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="loyalty"
    )
    balance = models.IntegerField(default=0)
    wallet_balance = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    tier_since = models.DateTimeField(null=True, blank=True)
    # set when the member no longer reaches their tier: they keep it until then
    tier_keep_until = models.DateTimeField(null=True, blank=True)
    # the end of the grace period the member was told of (told once per grace period)
    tier_warned_until = models.DateTimeField(null=True, blank=True)
    member_since = models.DateTimeField()
    referral_code = models.CharField(max_length=16, unique=True)
    visits = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-member_since", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="loyalty_balance_ge0"),
            models.CheckConstraint(condition=Q(wallet_balance__gte=0), name="loyalty_wallet_ge0"),
        ]
        indexes = [models.Index(fields=["tier"], name="loyalty_member_tier")]

    def __str__(self) -> str:
        return f"member {self.pk} ({self.balance})"


class LotSource(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    VISIT = "visit", _("Visit")
    RULE = "rule", _("Bonus")
    REFERRAL = "referral", _("Referral")
    STAFF = "staff", _("Staff")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    RETURN = "return", _("Points returned")


class PointLot(models.Model):
    """Points earned together; spent oldest first, pending until the return window closes,
    expiring at their own `expires_at` (fixed when earned)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="lots")
    amount = models.PositiveIntegerField()
    remaining = models.PositiveIntegerField()
    earned_at = models.DateTimeField()
    pending_until = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=LotSource.choices)
    entry = models.ForeignKey(
        "LedgerEntry", on_delete=models.PROTECT, related_name="lots", null=True, blank=True
    )
    program_version = models.PositiveIntegerField(default=1)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["earned_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="loyalty_lot_amount_gt0"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=F("amount")),
                name="loyalty_lot_remaining",
            ),
        ]
        indexes = [
            models.Index(
                fields=["member", "earned_at", "id"],
                condition=Q(remaining__gt=0),
                name="loyalty_lot_open",
            ),
            models.Index(
                fields=["expires_at"], condition=Q(remaining__gt=0), name="loyalty_lot_expiry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.amount}"


class EntryKind(models.TextChoices):
    EARN = "earn", _("Earned")
    REDEEM = "redeem", _("Redeemed")
    EXPIRE = "expire", _("Expired")
    ADJUST = "adjust", _("Adjusted")
    REVERSE = "reverse", _("Reversed")


class EntrySource(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    VISIT = "visit", _("Visit")
    RULE = "rule", _("Bonus rule")
    REFERRAL = "referral", _("Referral")
    STAFF = "staff", _("Staff member")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("Program")


class LedgerEntry(models.Model):
    """One signed movement of a member's points, never changed once written (a mistake is
    put right by a `reverse` entry); the member's balance moves in the same transaction."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    points = models.IntegerField()
    balance_after = models.IntegerField()
    occurred_at = models.DateTimeField()
    source = models.CharField(max_length=10, choices=EntrySource.choices)
    # where it came from: at most a few of these are set
    transaction_id = models.BigIntegerField(null=True, blank=True)  # contacts.Transaction
    appointment_id = models.BigIntegerField(null=True, blank=True)  # appointments.Appointment
    event_id = models.BigIntegerField(null=True, blank=True)  # contacts.TimelineEvent
    rule = models.ForeignKey(
        EarnRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    voucher = models.ForeignKey(
        "Voucher", on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals"
    )
    import_batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    reason = models.CharField(max_length=300, blank=True)
    # points a reversal could not take back because they were already spent
    shortfall = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=120, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name_plural = "ledger entries"
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="loyalty_entry_idempotency",
            ),
            models.CheckConstraint(
                condition=~Q(points=0) | Q(kind="reverse"), name="loyalty_entry_nonzero"
            ),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="loyalty_entry_bal"),
            models.CheckConstraint(
                condition=~Q(kind="earn") | Q(points__gt=0), name="loyalty_earn_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["redeem", "expire"]) | Q(points__lt=0),
                name="loyalty_debit_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_at", "id"], name="loyalty_entry_member"),
            models.Index(fields=["transaction_id"], name="loyalty_entry_tx"),
            models.Index(fields=["appointment_id"], name="loyalty_entry_appt"),
            models.Index(fields=["staff", "occurred_at"], name="loyalty_entry_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.points:+d}"


class LotSpend(models.Model):
    """How many points a debit entry took from which lot, so it can be put back."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="spends")
    lot = models.ForeignKey(PointLot, on_delete=models.CASCADE, related_name="spends")
    points = models.PositiveIntegerField()
    restored = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_spend_gt0"),
            models.CheckConstraint(
                condition=Q(restored__gte=0, restored__lte=F("points")),
                name="loyalty_spend_restored",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.points} from lot {self.lot_id}"


class CountedVisit(models.Model):
    """A completed appointment counted once for the member (points, visit-count rewards),
    however many times it is marked completed."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="counted_visits")
    appointment_id = models.BigIntegerField(unique=True)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"visit {self.appointment_id}"


# --- vouchers and wallet --------------------------------------------------------------------
class VoucherStatus(models.TextChoices):
    ISSUED = "issued", _("Ready to use")
    REDEEMED = "redeemed", _("Used")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class VoucherSource(models.TextChoices):
    REWARD = "reward", _("Reward")
    CASHBACK = "cashback", _("Cashback")
    VISITS = "visits", _("Visit reward")
    REFERRAL = "referral", _("Referral")
    STAFF = "staff", _("Staff")
    GIFT = "gift", _("Gift")  # granted without spending points (`voucher_grant`)


class VoucherChannel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    API = "api", _("Through the API")


class Voucher(KeepsUpdatedMixin, models.Model):
    """A single-use code for a reward or cashback; the code is random (about 60 bits)."""

    code = models.CharField(max_length=20, unique=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="vouchers")
    source = models.CharField(max_length=10, choices=VoucherSource.choices)
    reward = models.ForeignKey(
        Reward, on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers"
    )
    kind = models.CharField(max_length=16, choices=RewardKind.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    label = models.CharField(max_length=120)
    points_cost = models.PositiveIntegerField(default=0)
    # the redeem entry that paid for it is the entry of kind "redeem" pointing at it
    status = models.CharField(
        max_length=10, choices=VoucherStatus.choices, default=VoucherStatus.ISSUED
    )
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_channel = models.CharField(max_length=8, choices=VoucherChannel.choices, blank=True)
    used_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    used_api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the purchase it was used on (contacts.Transaction), learnt from the purchase's payments
    used_transaction_id = models.BigIntegerField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # for cashback: the purchase that earned it
    transaction_id = models.BigIntegerField(null=True, blank=True)
    # a granted voucher's key (`voucher_grant`): a retried or raced grant issues one voucher
    idempotency_key = models.CharField(max_length=120, null=True, blank=True)
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"], name="loyalty_voucher_idempotency_key"
            ),
            models.CheckConstraint(
                condition=~Q(status="redeemed") | Q(used_at__isnull=False),
                name="loyalty_voucher_used_at",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("issued_at")), name="loyalty_voucher_expiry"
            ),
        ]
        indexes = [
            models.Index(fields=["member", "status"], name="loyalty_voucher_member"),
            models.Index(
                fields=["expires_at"], condition=Q(status="issued"), name="loyalty_voucher_due"
            ),
            models.Index(fields=["used_transaction_id"], name="loyalty_voucher_used_tx"),
        ]

    def __str__(self) -> str:
        return self.label


class WalletKind(models.TextChoices):
    CREDIT = "credit", _("Cashback")
    DEBIT = "debit", _("Spent")
    REVERSE = "reverse", _("Reversed")
    ADJUST = "adjust", _("Adjusted")


class WalletEntry(models.Model):
    """A movement of a member's wallet credit (cashback kept as money), append-only."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="wallet_entries")
    kind = models.CharField(max_length=8, choices=WalletKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    balance_after = models.DecimalField(max_digits=12, decimal_places=2)
    occurred_at = models.DateTimeField()
    transaction_id = models.BigIntegerField(null=True, blank=True)
    staff = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name_plural = "wallet entries"
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="loyalty_wallet_idempotency",
            ),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="loyalty_wallet_bal"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


# --- referrals, imports, tiers history, flags -----------------------------------------------
class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a first purchase or visit")
    REWARDED = "rewarded", _("Rewarded")
    REVERSED = "reversed", _("Reversed")


class Referral(KeepsUpdatedMixin, models.Model):
    """A member brought a new customer; both are rewarded on the new one's first purchase or
    visit. One referral per e-mail and per phone, ever (a second one is refused)."""

    referrer = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="referrals")
    referred = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="loyalty_referral"
    )
    email = models.CharField(max_length=254, blank=True)  # lower-cased
    phone = models.CharField(max_length=20, blank=True)  # E.164
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    created = models.DateTimeField()
    rewarded_at = models.DateTimeField(null=True, blank=True)
    transaction_id = models.BigIntegerField(null=True, blank=True)
    appointment_id = models.BigIntegerField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True, db_default=_Now())  # `updated_since`

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="loyalty_referral_email"
            ),
            models.UniqueConstraint(
                fields=["phone"], condition=~Q(phone=""), name="loyalty_referral_phone"
            ),
        ]

    def __str__(self) -> str:
        return f"referral {self.pk} ({self.status})"


class ImportStatus(models.TextChoices):
    APPLIED = "applied", _("Imported")
    UNDONE = "undone", _("Undone")


class ImportBatch(models.Model):
    """Opening balances brought in from CSV; undoing it reverses every entry it made."""

    filename = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=8, choices=ImportStatus.choices, default=ImportStatus.APPLIED
    )
    rows = models.PositiveIntegerField(default=0)
    points = models.BigIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return self.filename or f"import {self.pk}"


class TierChange(models.Model):
    """A member's move between tiers (None is no tier), for the history and the message."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="tier_changes")
    from_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_tier = models.ForeignKey(
        Tier, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    reason = models.CharField(max_length=20)  # upgrade, downgrade, merge, settings

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_tier_id} -> {self.to_tier_id}"


class FlagKind(models.TextChoices):
    MANY_EARNS = "many_earns", _("Many earns in one day")
    OWN_CONTACT = "own_contact", _("A staff member adjusted their own contact")


class ActivityFlag(models.Model):
    """Unusual activity shown to the owner (never blocks the action itself)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=12, choices=FlagKind.choices)
    day = models.DateField()
    staff = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        django_settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "day"], name="loyalty_flag_once")
        ]
        indexes = [models.Index(fields=["-created", "-id"], name="loyalty_flag_created")]

    def __str__(self) -> str:
        return self.kind
