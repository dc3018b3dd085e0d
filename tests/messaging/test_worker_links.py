"""Links in a message are built from one setting in every process: a real worker, started with
its own PORT as the process manager gives it, writes the same addresses into an e-mail as the
web process builds (tracked link, open pixel, List-Unsubscribe, the manage link in the .ics)."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import signing

from apps.appointments.services import appointment_book, appointment_manage_url
from apps.messaging.models import Message, MessageStatus
from apps.messaging.services.links import (
    SALTS,
    open_pixel_url,
    tracked_url,
    unsubscribe_url,
)
from apps.messaging.services.sending import _base_url
from apps.messaging.services.templates import template_save
from apps.tenants.services import tenant_url
from tests.appointments.factories import ServiceFactory, StaffMemberFactory
from tests.contacts.factories import ContactFactory
from tests.helpers.clock import next_week_at
from tests.helpers.worker import Stack, _redis_url
from tests.helpers.worker import wait_for as _wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def mail_stack(committed_tenant, tmp_path):
    """A worker that writes e-mails to files and is given a PORT of its own, as honcho does."""
    mail_dir = tmp_path / "mail"
    running = Stack(
        "redis" if _redis_url() else "folder",
        tmp_path,
        extra_env={
            "PORT": "8865",
            "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        },
    )
    try:
        running.wait_ready()
        yield running, mail_dir
    finally:
        running.stop()


def _signed(url: str) -> tuple[str, str, str, object]:
    """scheme, host, path without the token, and what the token says (tokens carry a time)."""
    parts = urlsplit(url)
    head, _slash, token = parts.path.rstrip("/").rpartition("/")
    token = token.removesuffix(".gif")
    for salt in [*SALTS.values(), "appointments.link.manage"]:
        try:
            return parts.scheme, parts.netloc, head, signing.loads(token, salt=salt)
        except signing.BadSignature:
            continue
    raise AssertionError(f"no valid token in {url}")


def test_a_link_built_by_the_worker_equals_the_one_built_by_the_web_process(
    mail_stack, committed_tenant
):
    stack, mail_dir = mail_stack
    template_save(
        purpose="appointment_confirmation",
        channel="email",
        language="en",
        subject="Booked",
        body="Booked {{ appointment.starts_at }}. See https://example.com/parking too. "
        "Change it: {{ appointment.confirm_link }}",
    )
    dentist = StaffMemberFactory(name="Dr. Weber")
    service = ServiceFactory(name="Check-up", staff=[dentist])
    contact = ContactFactory(email="pat@example.test", language="en")
    appointment = appointment_book(
        service=service,
        staff=dentist,
        starts_at=next_week_at(10),
        contact=contact,
        allow_outside_hours=True,  # the dentist has no hours: the front desk books anyway
    )
    message = Message.objects.get(purpose="appointment_confirmation", contact=contact)
    stack.send(
        "apps.messaging.tasks.message_deliver_task",
        schema="alpha",
        kwargs={"message_id": message.pk},
    )

    def sent() -> bool:
        return Message.objects.get(pk=message.pk).status == MessageStatus.SENT

    assert _wait_for(sent, timeout=30), stack.log("worker")[-3000:]
    files = sorted(Path(mail_dir).glob("*.log"))
    assert files, "the worker wrote no e-mail"
    raw = files[-1].read_bytes().split(b"\n" + b"-" * 79 + b"\n")[0]
    parsed = email.message_from_bytes(raw, policy=email.policy.default)

    # what the web process builds for the same message
    base = _base_url()
    assert base == tenant_url(committed_tenant).rstrip("/") == "http://alpha.localhost:8000"
    web = {
        "unsubscribe": unsubscribe_url(message=message, base_url=base),
        "pixel": open_pixel_url(message=message, base_url=base),
        "click": tracked_url(message=message, url="https://example.com/parking", base_url=base),
        "manage": appointment_manage_url(appointment=appointment),
    }

    unsubscribe = re.search(r"<([^>]+)>", "".join(str(parsed["List-Unsubscribe"]).split())).group(1)
    html = parsed.get_body(preferencelist=("html",)).get_content()
    pixel = re.search(r'<img src="([^"]+)"', html).group(1)
    clicks = re.findall(r'<a href="([^"]+)">https://example.com/parking', html)
    ics = next(
        part.get_content()
        for part in parsed.iter_attachments()
        if part.get_filename() == "invite.ics"
    )
    ics = ics.decode() if isinstance(ics, bytes) else ics
    manage = re.search(r"^URL:(\S+)", re.sub(r"\r?\n[ \t]", "", ics), re.M).group(1)

    assert _signed(unsubscribe) == _signed(web["unsubscribe"])
    assert _signed(pixel.replace("&amp;", "&")) == _signed(web["pixel"])
    assert len(clicks) == 1 and _signed(clicks[0].replace("&amp;", "&")) == _signed(web["click"])
    assert _signed(manage) == _signed(web["manage"])
    assert ":8865" not in raw.decode(errors="replace")
