"""Throw-away TLS identities for the fixture web.

Each identity is a self-signed certificate on a fresh EC P-256 key, generated once per process and
per name (so repeated starts are cheap). Chromium is told to trust the ``main`` identity by pinning
the SHA-256 of its SubjectPublicKeyInfo (``--ignore-certificate-errors-spki-list``); the ``untrusted``
identity has another key, so a server presenting it fails the handshake with a certificate error.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import ssl
import tempfile
from dataclasses import dataclass
from functools import cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class TlsIdentity:
    """A certificate and its private key, PEM-encoded, plus the pin Chromium needs."""

    name: str
    """Which identity this is (``main`` or ``untrusted``)."""
    cert_pem: bytes
    key_pem: bytes
    spki_hash: str
    """Base64 of the SHA-256 of the certificate's DER SubjectPublicKeyInfo."""

    def server_context(self) -> ssl.SSLContext:
        """Return a server-side :class:`ssl.SSLContext` presenting this certificate (HTTP/1.1 only)."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["http/1.1"])
        # load_cert_chain only reads files: write them briefly to a private temporary directory.
        with tempfile.TemporaryDirectory(prefix="fixtureweb-") as tmp:
            cert_path = os.path.join(tmp, "cert.pem")
            key_path = os.path.join(tmp, "key.pem")
            with open(cert_path, "wb") as cert_file:
                cert_file.write(self.cert_pem)
            with os.fdopen(os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as key_file:
                key_file.write(self.key_pem)
            context.load_cert_chain(cert_path, key_path)
        return context


def spki_sha256(cert: x509.Certificate) -> str:
    """Return base64(SHA-256(DER SubjectPublicKeyInfo)) of ``cert``, the form Chromium's SPKI list takes."""
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(spki).digest()).decode("ascii")


@cache
def identity(name: str = "main") -> TlsIdentity:
    """Return the process-wide identity called ``name``, generating it on first use."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "consent-auditor fixture web"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"fixtureweb {name}"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("fixtureweb.invalid")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return TlsIdentity(
        name=name,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        spki_hash=spki_sha256(cert),
    )
