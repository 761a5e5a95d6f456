"""A test certificate hierarchy shaped like Amazon's: root -> intermediate -> SNS leaf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

SNS = "sns.amazonaws.com"


@lru_cache(maxsize=8)
def key(name: str) -> rsa.RSAPrivateKey:
    """One key per role per test run: generating RSA keys is slow."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test Trust Services"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ski(k: rsa.RSAPrivateKey) -> x509.SubjectKeyIdentifier:
    return x509.SubjectKeyIdentifier.from_public_key(k.public_key())


def ca_certificate(
    common_name: str,
    k: rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey] | None = None,
) -> x509.Certificate:
    now = datetime.now(timezone.utc)
    issuer_name, issuer_key = (issuer[0].subject, issuer[1]) if issuer else (_name(common_name), k)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer_name)
        .public_key(k.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None if not issuer else 0), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
        .add_extension(_ski(k), False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
    return builder.sign(issuer_key, hashes.SHA256())


def leaf_certificate(
    issuer: tuple[x509.Certificate, rsa.RSAPrivateKey],
    k: rsa.RSAPrivateKey,
    *,
    dns_name: str = SNS,
    common_name: str = SNS,
    expired: bool = False,
    issuer_url: str | None = None,
) -> x509.Certificate:
    now = datetime.now(timezone.utc)
    start, end = (
        (now - timedelta(days=60), now - timedelta(days=1))
        if expired
        else (now - timedelta(days=1), now + timedelta(days=300))
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(issuer[0].subject)
        .public_key(k.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
        .add_extension(_ski(k), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer[1].public_key()), False
        )
    )
    if issuer_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier(issuer_url),
                    )
                ]
            ),
            False,
        )
    return builder.sign(issuer[1], hashes.SHA256())


def self_signed_leaf(k: rsa.RSAPrivateKey) -> x509.Certificate:
    """What an attacker (or the simulator) can make: CN and SAN right, issued by itself."""
    now = datetime.now(timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SNS)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(k.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=300))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(SNS)]), False)
        .sign(k, hashes.SHA256())
    )


def pem(*certificates: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


def der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class Hierarchy:
    root: x509.Certificate
    intermediate: x509.Certificate
    intermediate_key: rsa.RSAPrivateKey
    leaf_key: rsa.RSAPrivateKey

    def leaf(self, **kwargs: object) -> x509.Certificate:
        return leaf_certificate((self.intermediate, self.intermediate_key), self.leaf_key, **kwargs)


def hierarchy(label: str = "trusted") -> Hierarchy:
    root_key, int_key = key(f"{label}-root"), key(f"{label}-intermediate")
    root = ca_certificate(f"{label} Root CA", root_key)
    intermediate = ca_certificate(f"{label} RSA 2048 M02", int_key, (root, root_key))
    return Hierarchy(root, intermediate, int_key, key(f"{label}-leaf"))
