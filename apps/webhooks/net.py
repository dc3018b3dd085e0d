"""POSTing to a partner's address without ever reaching a private one.

The host is resolved here, every address it resolves to is checked, and the connection goes
to the checked address (with the original name in the Host header and for TLS: SNI and the
certificate check), so a DNS answer that changed after the URL was saved, or that changes
between a check and the connection, cannot point a request inside the network. Redirects are
never followed. `WEBHOOKS_ALLOW_PRIVATE` lets development and tests post to local receivers.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

# Besides what `ipaddress` calls non-global (private, loopback, link-local with the cloud
# metadata address 169.254.169.254, reserved, unspecified, shared 100.64/10), these stay shut.
_REFUSED = [
    ipaddress.ip_network("fd00:ec2::/32"),  # AWS metadata over IPv6 (also private: kept explicit)
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64: may wrap a private IPv4 address
    ipaddress.ip_network("2002::/16"),  # 6to4: may wrap one too
]
BODY_EXCERPT = 1000
USER_AGENT = "CXSuite-Webhooks/1.0"
CA_CERTS: str | None = None  # the system's trust store; a test points it at its own CA


class AddressRefused(Exception):
    """The URL points at an address webhooks may not reach."""


@dataclass(frozen=True)
class Answer:
    status: int | None
    body: str
    duration_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def address_allowed(address: str) -> bool:
    """A public unicast address (an IPv4-mapped IPv6 address is judged as its IPv4 one)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global or ip.is_multicast or ip.is_reserved:
        return False
    return not any(ip in network for network in _REFUSED)


def resolve(host: str, port: int) -> list[str]:
    """Every address the name resolves to (tests replace this to play a changing DNS)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def private_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def address_check(host: str, port: int) -> str:
    """The address to connect to: refused unless every address of the name is public."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as exc:
        raise AddressRefused(f"{host} could not be resolved ({exc})") from exc
    if not addresses:
        raise AddressRefused(f"{host} has no address")
    if not private_allowed():
        refused = [a for a in addresses if not address_allowed(a)]
        if refused:
            raise AddressRefused(f"{host} resolves to a private or reserved address ({refused[0]})")
    return addresses[0]


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
    """POST `body` to `url` through the checked address; never raises for the receiver's
    failures (a refused address, a timeout, a reset): they are the answer's `error`."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    parts = urlsplit(url)
    host = parts.hostname or ""
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
        address = address_check(host, port)
    except (AddressRefused, ValueError) as exc:
        return Answer(status=None, body="", duration_ms=took(), error=str(exc)[:500])
    default_port = port == (443 if https else 80)
    host_header = host if ":" not in host else f"[{host}]"
    sent = {
        **headers,
        "Host": host_header if default_port else f"{host_header}:{port}",
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
    }
    pool_timeout = urllib3.Timeout(connect=min(5.0, timeout), read=timeout)
    pool: urllib3.HTTPConnectionPool
    if https:
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=pool_timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=CA_CERTS,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=pool_timeout, retries=False)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers=sent,
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(BODY_EXCERPT, decode_content=True) or b""
        finally:
            response.release_conn()
        text = excerpt.decode("utf-8", errors="replace").replace("\x00", "")
        return Answer(status=response.status, body=text, duration_ms=took())
    except Exception as exc:  # any failure of the receiver's side is a failed attempt
        return Answer(status=None, body="", duration_ms=took(), error=_describe(exc))
    finally:
        pool.close()


def _describe(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    text = f"{type(exc).__name__}: {reason or exc}"
    return text.replace("\x00", "")[:500]
