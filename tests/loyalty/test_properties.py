"""A property test: random sequences of earn, purchase, redeem, refund, expire, adjust and
merge, run against the services and against a small model of lots in Python. After every
step the balance equals the ledger sum and the lots' remaining sum, is never negative, and
equals what the model says."""

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.contacts.services import contacts_merge, transaction_record
from apps.loyalty.models import Member
from apps.loyalty.services.earning import purchase_earn
from apps.loyalty.services.ledger import points_adjust, points_earn, points_expire_due
from apps.loyalty.services.refunds import purchase_refund_apply
from apps.loyalty.services.vouchers import reward_redeem
from cxsuite.lib.errors import DomainError
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import MemberFactory, RewardFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db

OPS = st.one_of(
    st.tuples(st.just("earn"), st.integers(1, 120)),
    st.tuples(st.just("buy"), st.integers(1, 150)),
    st.tuples(st.just("redeem"), st.integers(1, 150)),
    st.tuples(st.just("refund"), st.integers(0, 5), st.sampled_from(["all", "half"])),
    st.tuples(st.just("expire"), st.integers(1, 40)),
    st.tuples(st.just("adjust"), st.integers(-100, 100).filter(bool)),
    st.tuples(st.just("merge"), st.integers(1, 80)),
)
SEQ = itertools.count()


class Model:
    """Lots as [remaining, expires_at, order]; what the ledger should hold."""

    def __init__(self):
        self.lots: list[list] = []

    def add(self, points, lot):
        self.lots.append([points, lot.expires_at, (lot.earned_at, lot.pk)])
        return self.lots[-1]

    def ordered(self):
        return sorted(self.lots, key=lambda lot: lot[2])

    def take(self, points, *, now=None, first=None):
        lots = self.ordered()
        if now is not None:
            lots = [lot for lot in lots if lot[1] is None or lot[1] > now]
        if first is not None:
            lots = [first, *(lot for lot in lots if lot is not first)]
        got = 0
        for lot in lots:
            n = min(lot[0], points - got)
            lot[0] -= n
            got += n
        return got

    def expire(self, now):
        for lot in self.lots:
            if lot[1] is not None and lot[1] <= now:
                lot[0] = 0

    def available(self, now):
        return sum(lot[0] for lot in self.lots if lot[1] is None or lot[1] > now)

    @property
    def balance(self):
        return sum(lot[0] for lot in self.lots)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(OPS, min_size=1, max_size=12))
def test_the_books_always_balance(tenant, manager, ops):
    program_set(points_per_unit=1, return_window_days=0, expiry_months=1, enrolment="explicit")
    member = MemberFactory()
    model = Model()
    purchases: list[dict] = []
    now = timezone.now()

    for op in ops:
        now += dt.timedelta(hours=1)
        kind, n = op[0], next(SEQ)
        if kind == "earn":
            entry = points_earn(
                member=member, points=op[1], source="staff", idempotency_key=f"e{n}", at=now
            )
            model.add(op[1], entry.lots.get())
        elif kind == "buy":
            tx = transaction_record(
                contact=member.contact, amount=op[1], currency="EUR", occurred_at=now
            )
            entry = purchase_earn(tx=tx)
            lot = model.add(op[1], entry.lots.get())
            purchases.append({"tx": tx, "lot": lot, "earned": op[1], "intended": 0})
        elif kind == "redeem":
            model.expire(now)
            reward = RewardFactory(cost_points=op[1])
            if model.available(now) >= op[1]:
                reward_redeem(member=member, reward=reward, idempotency_key=f"r{n}", at=now)
                assert model.take(op[1], now=now) == op[1]
            else:
                with pytest.raises(DomainError):
                    reward_redeem(member=member, reward=reward, idempotency_key=f"r{n}", at=now)
        elif kind == "refund" and purchases:
            p = purchases[op[1] % len(purchases)]
            tx = p["tx"]
            left = tx.amount - sum((r.amount for r in tx.refunds.all()), Decimal(0))
            amount = left if op[2] == "all" else (left / 2).quantize(Decimal("0.01"))
            if amount > 0:
                refund = transaction_record(
                    contact=member.contact,
                    amount=amount,
                    currency="EUR",
                    kind="refund",
                    refund_of=tx,
                    occurred_at=now,
                )
                purchase_refund_apply(refund=refund)
                share = (tx.amount - left + amount) / tx.amount
                target = int((p["earned"] * share).to_integral_value(ROUND_HALF_UP))
                todo = target - p["intended"]
                if todo > 0:
                    model.take(todo, first=p["lot"])
                    p["intended"] += todo
        elif kind == "expire":
            now += dt.timedelta(days=op[1])
            points_expire_due(at=now)
            model.expire(now)
        elif kind == "adjust":
            if -op[1] > model.balance:
                with pytest.raises(ValidationError):
                    points_adjust(member=member, points=op[1], reason="test", staff=manager, at=now)
            else:
                entry = points_adjust(
                    member=member, points=op[1], reason="test", staff=manager, at=now
                )
                if op[1] > 0:
                    model.add(op[1], entry.lots.get())
                else:
                    assert model.take(-op[1]) == -op[1]
        elif kind == "merge":
            other = MemberFactory(contact=ContactFactory())
            entry = points_earn(
                member=other, points=op[1], source="staff", idempotency_key=f"m{n}", at=now
            )
            model.add(op[1], entry.lots.get())
            contacts_merge(survivor=member.contact, others=[other.contact], actor=None)
            member = Member.objects.get(pk=member.pk)
        assert assert_books_balance(member) == model.balance, op
