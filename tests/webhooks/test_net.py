"""The address guard: a URL that resolves to a private address is refused when the delivery
connects (whatever it resolved to when saved), redirects are never followed, and saving one
is refused where private addresses are."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.webhooks import net
from apps.webhooks.models import WebhookAttempt
from apps.webhooks.services import (
    webhook_deliveries_send,
    webhook_endpoint_create,
    webhooks_on_events,
)
from tests.contacts.factories import TimelineEventFactory
from tests.helpers.receiver import receiver_running

from .factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db

PUBLIC = "93.184.215.14"


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared address space
        "0.0.0.0",
        "224.0.0.1",  # multicast
        "240.0.0.1",  # reserved
        "::1",
        "fe80::1",
        "fc00::1",
        "fd00:ec2::254",  # AWS metadata over IPv6
        "::ffff:127.0.0.1",  # IPv4-mapped
        "ff02::1",
    ],
)
def test_private_and_reserved_addresses_are_refused(address):
    assert not net.address_allowed(address)


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert net.address_allowed(address)


@pytest.fixture
def private_refused(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False


@pytest.fixture
def dns(monkeypatch):
    """A resolver the test controls: name -> addresses."""
    answers: dict[str, list[str]] = {}

    def resolve(host: str, port: int) -> list[str]:
        if host not in answers:
            raise OSError("unknown name")
        return answers[host]

    monkeypatch.setattr(net, "resolve", resolve)
    return answers


def test_a_private_address_is_refused_at_delivery(tenant, private_refused):
    with receiver_running() as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url)  # saved before the rule applied
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        webhook_deliveries_send()
    assert receiver.received == []
    attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.response_status is None
    assert "private or reserved" in attempt.error


def test_a_dns_answer_changed_after_saving_is_caught_when_connecting(tenant, private_refused, dns):
    dns["hooks.partner.test"] = [PUBLIC]
    endpoint, _secret = webhook_endpoint_create(url="http://hooks.partner.test/in")
    dns["hooks.partner.test"] = ["127.0.0.1"]  # the name now points inside
    with receiver_running():
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        webhook_deliveries_send()
    attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
    assert "private or reserved address (127.0.0.1)" in attempt.error


def test_one_private_answer_among_public_ones_is_refused(tenant, private_refused, dns):
    dns["mixed.partner.test"] = [PUBLIC, "10.0.0.5"]
    with pytest.raises(net.AddressRefused):
        net.address_check("mixed.partner.test", 443)


def test_the_connection_goes_to_the_checked_address_with_the_name_in_the_host_header(tenant, dns):
    with receiver_running() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        dns["hooks.partner.test"] = ["127.0.0.1"]
        answer = net.post(f"http://hooks.partner.test:{port}/in", body=b"{}", headers={}, timeout=5)
    assert answer.status == 200
    assert receiver.received[0].headers["Host"] == f"hooks.partner.test:{port}"


def test_a_redirect_is_not_followed(tenant):
    with receiver_running() as target, receiver_running(location="") as first:
        first.location = target.url  # the first receiver sends everyone to the second
        endpoint = WebhookEndpointFactory(url=first.url)
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        webhook_deliveries_send()
    assert len(first.received) == 1
    assert target.received == []
    attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.response_status == 302 and not attempt.succeeded


def test_a_redirect_to_the_metadata_address_is_not_followed(
    tenant, private_refused, dns, monkeypatch
):
    metadata = "http://169.254.169.254/latest/meta-data/"
    with receiver_running(location=metadata) as partner:
        port = partner.url.split(":")[2].split("/")[0]
        dns["hooks.partner.test"] = ["127.0.0.1"]
        # the receiver on this machine stands in for the partner's public address
        monkeypatch.setattr(net, "address_allowed", lambda address: address == "127.0.0.1")
        endpoint = WebhookEndpointFactory(url=f"http://hooks.partner.test:{port}/in")
        webhooks_on_events([TimelineEventFactory(type="note.added")])
        webhook_deliveries_send()
    assert len(partner.received) == 1
    attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
    assert attempt.response_status == 302 and not attempt.succeeded
    assert attempt.delivery.status == "pending"  # a redirect is a failure, retried later


def test_a_name_resolving_to_loopback_is_refused_before_any_connection(
    tenant, private_refused, dns
):
    with receiver_running() as inside:
        port = inside.url.split(":")[2].split("/")[0]
        dns["hooks.partner.test"] = ["127.0.0.1"]
        answer = net.post(f"http://hooks.partner.test:{port}/in", body=b"{}", headers={}, timeout=5)
    assert answer.status is None and "private" in answer.error
    assert inside.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/in",
        "https://10.0.0.1/in",
        "https://[::1]/in",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/in",
        "https://printer.local/in",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://private.partner.test/in",
    ],
)
def test_saving_a_private_address_is_refused(tenant, private_refused, dns, url):
    dns["private.partner.test"] = ["192.168.0.10"]
    with pytest.raises(ValidationError) as error:
        webhook_endpoint_create(url=url)
    assert "url" in error.value.message_dict


def test_plain_http_is_refused_where_https_is_required(tenant, settings, dns):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    with pytest.raises(ValidationError) as error:
        webhook_endpoint_create(url="http://hooks.example.com/in")
    assert "https" in error.value.message_dict["url"][0]
