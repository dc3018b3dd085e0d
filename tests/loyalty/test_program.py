"""Program settings (versioned, never retroactive), and opening balances from CSV."""

import pytest
from django.core.exceptions import ValidationError

from apps.loyalty.models import ImportBatch, ProgramVersion
from apps.loyalty.services.ledger import points_earn
from apps.loyalty.services.program import (
    import_batch_undo,
    points_import,
    program_change_preview,
    program_update,
)
from apps.loyalty.services.vouchers import reward_redeem
from cxsuite.lib.errors import DomainError
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import MemberFactory, RewardFactory
from tests.loyalty.helpers import assert_books_balance, program_set

pytestmark = pytest.mark.django_db


def test_a_shorter_expiry_shows_how_many_members_it_affects_and_is_versioned(tenant, owner):
    program_set(expiry_months=24)
    holder = MemberFactory()
    points_earn(member=holder, points=10, source="staff", idempotency_key="h")
    MemberFactory()  # no points: not affected by expiry

    preview = program_change_preview(changes={"expiry_months": 12})
    assert preview == {"takes_value_away": ["expiry_months"], "members_affected": 1}
    assert program_change_preview(changes={"expiry_months": 36})["takes_value_away"] == []

    program = program_update(changes={"expiry_months": 12}, by=owner)
    version = ProgramVersion.objects.get(number=program.version)
    assert version.members_affected == 1 and version.settings["expiry_months"] == 12
    assert version.created_by == owner


def test_an_unknown_or_invalid_setting_is_refused_by_name(tenant, owner):
    with pytest.raises(ValidationError) as err:
        program_update(changes={"nonsense": 1}, by=owner)
    assert "nonsense" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        program_update(changes={"cashback_percent": 150}, by=owner)
    assert "cashback_percent" in err.value.message_dict or err.value.messages


CSV = """email,points,note
ann@example.test,120,punch card
nobody@example.test,50,
ann@example.test,abc,
"""


def test_an_import_brings_opening_balances_and_can_be_undone(tenant, owner):
    ann = ContactFactory(email="ann@example.test")
    batch = points_import(csv_text=CSV, filename="cards.csv", by=owner)
    assert batch.rows == 1 and batch.points == 120
    assert [e["line"] for e in batch.errors] == [3, 4]
    member = ann.loyalty
    assert assert_books_balance(member) == 120
    reward_redeem(member=member, reward=RewardFactory(cost_points=100), idempotency_key="r")

    import_batch_undo(batch=batch, by=owner)

    assert assert_books_balance(member) == 0  # 20 taken back, 100 already spent
    assert ImportBatch.objects.get().status == "undone"
    with pytest.raises(DomainError):
        import_batch_undo(batch=batch, by=owner)


def test_an_import_without_the_columns_is_refused(tenant, owner):
    with pytest.raises(ValidationError) as err:
        points_import(csv_text="name\nAnn\n", filename="x.csv", by=owner)
    assert "file" in err.value.message_dict
