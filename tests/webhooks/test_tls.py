"""https to the checked address: the connection goes to the address the name resolved to,
with the name sent for SNI and checked against the receiver's certificate, and in the Host
header; a certificate for another name is refused."""

from __future__ import annotations

import datetime as dt
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apps.webhooks import net


def _certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for `name` (its own CA) and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@contextmanager
def tls_receiver(cert: Path, key: Path) -> Iterator[tuple[int, list]]:
    seen: list = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append((self.headers["Host"], self.connection.server_hostname))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    def sni(sock, server_name, _context) -> None:
        sock.server_hostname = server_name

    context.sni_callback = sni
    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def partner(tmp_path, monkeypatch):
    cert, key = _certificate(tmp_path, "hooks.partner.test")
    monkeypatch.setattr(net, "CA_CERTS", str(cert))
    monkeypatch.setattr(net, "resolve", lambda host, port: ["127.0.0.1"])
    return cert, key


def test_https_goes_to_the_checked_address_with_the_name_for_sni_and_host(partner):
    with tls_receiver(*partner) as (port, seen):
        answer = net.post(
            f"https://hooks.partner.test:{port}/in", body=b"{}", headers={}, timeout=5
        )
    assert answer.status == 204, answer.error
    assert seen == [(f"hooks.partner.test:{port}", "hooks.partner.test")]


def test_a_certificate_for_another_name_is_refused(partner, tmp_path, monkeypatch):
    other_cert, other_key = _certificate(tmp_path, "elsewhere.test")
    monkeypatch.setattr(net, "CA_CERTS", str(other_cert))
    with tls_receiver(other_cert, other_key) as (port, seen):
        answer = net.post(
            f"https://hooks.partner.test:{port}/in", body=b"{}", headers={}, timeout=5
        )
    assert answer.status is None and answer.error
    assert seen == []
