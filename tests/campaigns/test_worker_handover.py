"""A worker killed while it hands a chunk of e-mails to the provider: a new worker finishes the
campaign and the provider is called exactly once per contact, counted by the provider itself
(tests/helpers/mail_journal.py: one line per call, written before the call returns)."""

from __future__ import annotations

import re
import time

import pytest
from django.db.models import Count

from apps.campaigns.choices import CampaignStatus
from apps.campaigns.services import campaign_schedule
from apps.messaging.models import Message, MessageStatus
from tests.campaigns.factories import MarketingContactFactory, campaign_for
from tests.helpers.mail_journal import journal_lines
from tests.helpers.worker import Stack, wait_for

pytestmark = pytest.mark.worker
N = 200


@pytest.fixture(params=["folder", "redis"])
def journal_stack(request, committed_tenant, tmp_path):
    journal = tmp_path / "mail.journal"
    running = Stack(
        request.param,
        tmp_path,
        extra_env={
            "TEST_EMAIL_BACKEND": "tests.helpers.mail_journal.JournalEmailBackend",
            "CXSUITE_MAIL_JOURNAL": str(journal),
            "CXSUITE_MAIL_JOURNAL_DELAY": "0.01",  # a chunk of 100 takes a second
            "MESSAGING_SENDING_LEASE_SECONDS": "6",
        },
    )
    try:
        running.wait_ready()
        yield running, journal
    finally:
        running.stop()


def _calls(journal) -> list[int]:
    """The message id of each call the provider received, in order (with repeats)."""
    return [
        int(m.group(1)) for m in map(re.compile(r"<m(\d+)\.").match, journal_lines(journal)) if m
    ]


def test_a_worker_killed_mid_chunk_never_makes_a_second_provider_call(journal_stack):
    stack, journal = journal_stack
    people = MarketingContactFactory.create_batch(N)
    campaign = campaign_for(people)
    campaign_schedule(campaign=campaign)
    ours = Message.objects.filter(dedupe_key__startswith=f"campaign:{campaign.pk}:")

    def mid_chunk() -> bool:
        return ours.filter(status=MessageStatus.SENDING).exists() and len(_calls(journal)) >= 5

    assert wait_for(mid_chunk, 90), stack.log("worker")[-3000:]
    stack.worker_kill()
    handed, claimed = len(_calls(journal)), ours.filter(status=MessageStatus.SENDING).count()
    assert 0 < handed < N and claimed > 0  # killed between the claim and the record
    stack.worker_start()

    def finished() -> bool:
        campaign.refresh_from_db()
        return (
            campaign.status == CampaignStatus.DONE
            and ours.filter(status=MessageStatus.SENT).count() == N
        )

    assert wait_for(finished, 150), (
        dict(ours.values_list("status").annotate(n=Count("pk"))),
        stack.log("worker-2")[-3000:],
    )
    time.sleep(3)  # whatever was still queued has run by now
    calls = _calls(journal)
    assert len(calls) == N  # exactly one provider call per contact
    assert sorted(calls) == sorted(ours.values_list("pk", flat=True))
    assert set(ours.values_list("attempts", flat=True)) == {1}
    assert ours.values("contact").distinct().count() == N
