"""The flagged activity page: what the ledger flags (many earns in a day, a staff member
adjusting a contact they own) listed for owners and managers, filtered, marked reviewed;
viewers, staff and other businesses' users are refused."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.loyalty.models import ActivityFlag, FlagKind
from apps.loyalty.services.ledger import points_adjust, points_earn
from tests.contacts.factories import ContactFactory
from tests.loyalty.factories import MemberFactory

pytestmark = pytest.mark.django_db
FLAGS = "/loyalty/flags/"


def flag(kind=FlagKind.MANY_EARNS, *, days_ago=0, staff=None, name="Ada", detail="6 earns"):
    created = timezone.now() - dt.timedelta(days=days_ago)
    return ActivityFlag.objects.create(
        member=MemberFactory(contact__first_name=name),
        kind=kind,
        day=created.date(),
        staff=staff,
        detail=detail,
        created=created,
    )


def test_the_ledger_flags_land_on_the_page(tenant, manager, manager_client):
    """Six earns in a day, and a manager adjusting a contact they own, are both listed."""
    busy = MemberFactory(contact__first_name="Busy")
    for n in range(6):
        points_earn(member=busy, points=5, source="staff", idempotency_key=f"busy{n}")
    own = MemberFactory(contact=ContactFactory(first_name="Cousin", owner=manager))
    points_adjust(member=own, points=50, reason="family discount", staff=manager)
    html = manager_client.get(FLAGS).content.decode()
    assert "Busy" in html and "Many earns in one day" in html
    assert "Cousin" in html and "family discount" in html


def test_filters_by_kind_status_staff_and_period(tenant, manager, owner, manager_client):
    flag(name="Recent")
    flag(name="Older", days_ago=20)
    flag(FlagKind.OWN_CONTACT, name="Owned", staff=manager, detail="gift")
    flag(FlagKind.OWN_CONTACT, name="Boss", staff=owner, detail="gift")
    done = flag(name="Seen")
    done.resolved_at = timezone.now()
    done.save()

    def shown(**params) -> set[str]:
        html = manager_client.get(FLAGS, params).content.decode()
        return {n for n in ("Recent", "Older", "Owned", "Boss", "Seen") if n in html}

    assert shown() == {"Recent", "Older", "Owned", "Boss"}  # the open ones
    assert shown(kind=FlagKind.MANY_EARNS) == {"Recent", "Older"}
    assert shown(status="reviewed") == {"Seen"}
    assert shown(status="all", days="7") == {"Recent", "Owned", "Boss", "Seen"}
    assert shown(staff=str(manager.pk)) == {"Owned"}
    response = manager_client.get(FLAGS, {"kind": "nonsense", "days": "x"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_marking_a_flag_reviewed(tenant, manager, manager_client, viewer_client):
    open_flag = flag(name="Ada")
    url = f"{FLAGS}{open_flag.pk}/review/"
    assert viewer_client.post(url).status_code == 403
    response = manager_client.post(url, {"next": f"{FLAGS}?status=open"})
    assert response.status_code == 302 and response["Location"] == f"{FLAGS}?status=open"
    open_flag.refresh_from_db()
    assert open_flag.resolved_at is not None and open_flag.resolved_by == manager
    assert manager_client.post(url, {"next": "https://evil.test/"})["Location"] == FLAGS
    assert manager_client.post(f"{FLAGS}999999/review/").status_code == 404
    html = manager_client.get(FLAGS, {"status": "reviewed"}).content.decode()
    assert "Reviewed by" in html


def test_roles_and_the_outsider(tenant, viewer_client, staff_client, owner_client, outsider_client):
    target = flag()
    assert viewer_client.get(FLAGS).status_code == 403
    assert staff_client.get(FLAGS).status_code == 403
    assert owner_client.get(FLAGS).status_code == 200
    assert outsider_client.get(FLAGS).status_code in (302, 403)
    assert outsider_client.post(f"{FLAGS}{target.pk}/review/").status_code in (302, 403)
    target.refresh_from_db()
    assert target.resolved_at is None


def test_the_page_takes_the_same_queries_for_many_flags(
    tenant, manager, manager_client, django_assert_max_num_queries
):
    for n in range(3):
        flag(FlagKind.OWN_CONTACT, name=f"F{n}", staff=manager)
    with django_assert_max_num_queries(12) as few:
        assert manager_client.get(FLAGS).status_code == 200
    for n in range(15):
        flag(FlagKind.OWN_CONTACT, name=f"G{n}", staff=manager)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = manager_client.get(FLAGS, {"status": "all"})
    assert response.content.decode().count("Mark reviewed") == 18
