"""The SNS signing certificate: where it may come from, fetching it, its chain of trust.

A certificate is accepted when it chains to a root of the system's trust store through
intermediates from its own PEM bundle or, when they are missing there, from its issuer's
address (the AIA caIssuers URL) on an Amazon Trust Services host, and names
sns.amazonaws.com. The simulator's self-signed certificate counts only when
trust.simulator_trusted() says so. See docs/ipn.md, Certificates.
"""

from __future__ import annotations

import functools
import hashlib
import re
import ssl
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID, NameOID
from cryptography.x509.verification import DNSName, PolicyBuilder, Store, VerificationError
from django.core.cache import caches

from ..conf import get_settings
from ..logs import get_logger
from ..safetext import quoted
from .errors import CertificateUnavailable, Rejected
from .trust import simulator_trusted

logger = get_logger("django_amazonpay.ipn")

#: a regional SNS host and nothing else: no port, no user, no S3-style `sns.s3-<region>`
#: name, no suffix after amazonaws.com(.cn) (docs/ipn.md, Certificates)
SNS_HOST = re.compile(r"sns\.[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}\.amazonaws\.com(?:\.cn)?", re.ASCII)
#: SNS serves its certificates at the root: /SimpleNotificationService-<hex>.pem
CERT_PATH = re.compile(r"/[A-Za-z0-9._-]+\.pem", re.ASCII)
#: intermediates are fetched from Amazon Trust Services only (e.g. crt.r2m02.amazontrust.com)
AIA_HOST = re.compile(r"(?:[a-z0-9-]+\.)+amazontrust\.com", re.ASCII)
#: where the simulator serves its certificate (django_amazonpay.sandbox.ipn.CERT_PATH)
SIMULATOR_CERT_PATH = "/sandbox/sns/cert.pem"
SNS_NAME = "sns.amazonaws.com"
FETCH_TIMEOUT = (3.05, 5.0)
CACHE_SECONDS = 24 * 3600
#: a certificate or a small bundle; anything larger is not what SNS or Amazon Trust serve
MAX_DOWNLOAD_BYTES = 65536
MAX_CHAIN_DEPTH = 4
#: issuers fetched by AIA for one certificate at most (Amazon's chains need one)
MAX_AIA_FETCHES = 2
#: system trust stores, in the order tried; certifi's bundle last
SYSTEM_BUNDLES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/cert.pem",
)
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


# -- URLs ---------------------------------------------------------------------------------------


def _simulator_base() -> str | None:
    if not simulator_trusted():
        return None
    endpoint = get_settings().endpoint
    return endpoint.rstrip("/") if endpoint else None


def is_simulator_url(url: str) -> bool:
    base = _simulator_base()
    return bool(base) and url.startswith(base + "/")  # type: ignore[operator]


def _simulator_hint(url: str) -> str:
    """Why the configured simulator's own certificate URL was refused, for its developer."""
    endpoint = get_settings().endpoint
    if not endpoint or not url.startswith(endpoint.rstrip("/") + "/"):
        return ""
    return (
        " (the simulator's certificate counts only with AMAZON_PAY['IPN_TRUST_SIMULATOR'] "
        "and DEBUG on, see docs/ipn.md)"
    )


def check_sns_url(url: str, *, path: re.Pattern[str] | None = CERT_PATH) -> None:
    """An https URL on a regional SNS host (with a .pem path unless `path` is None), or the
    simulator's certificate while it is trusted. Checked before anything is fetched."""
    if not isinstance(url, str):
        raise Rejected("URL is not text", 403, forged=True)
    if not (url.isascii() and url.isprintable()):
        # urlsplit() drops tabs and line breaks silently: the URL checked would not be the
        # URL fetched
        raise Rejected(f"URL has characters a URL cannot: {quoted(url)}", 403, forged=True)
    parts = urlsplit(url)
    if is_simulator_url(url):
        if path is CERT_PATH and (
            parts.path != urlsplit(_simulator_base()).path + SIMULATOR_CERT_PATH
            or parts.query
            or parts.fragment
        ):
            raise Rejected(f"not the simulator's certificate URL: {quoted(url)}", 403, forged=True)
        return
    if parts.scheme != "https":
        raise Rejected(f"URL is not https: {quoted(url)}{_simulator_hint(url)}", 403, forged=True)
    if not SNS_HOST.fullmatch(parts.netloc or ""):
        raise Rejected(f"URL host is not Amazon SNS: {quoted(url)}", 403, forged=True)
    if path is not None and (not path.fullmatch(parts.path or "") or parts.query or parts.fragment):
        raise Rejected(f"certificate URL is not a .pem: {quoted(url)}", 403, forged=True)


def _aia_url_allowed(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(AIA_HOST.fullmatch(parts.netloc or ""))


# -- fetching -----------------------------------------------------------------------------------


def _session() -> Any:
    # the app's pooled session: in tests the simulator is mounted on it (in-process)
    from ..client import get_client

    return get_client().session


def _download(url: str, *, cached: bool = True) -> bytes:
    """GET `url` (no redirects, a timeout, at most MAX_DOWNLOAD_BYTES), through the cache
    unless `cached` is False."""
    cache = caches[get_settings().throttle_cache]
    key = "amazonpay:ipn:cert:" + hashlib.sha256(url.encode()).hexdigest()
    data = cache.get(key) if cached else None
    if data is not None:
        return data
    chunks: list[bytes] = []
    try:
        with _session().get(
            url, timeout=FETCH_TIMEOUT, allow_redirects=False, stream=True
        ) as response:
            if response.status_code != 200:
                raise CertificateUnavailable(
                    f"cannot fetch {quoted(url)}: HTTP {response.status_code}"
                )
            size = 0
            for chunk in response.iter_content(chunk_size=8192):
                size += len(chunk)
                if size > MAX_DOWNLOAD_BYTES:
                    raise Rejected(f"certificate at {quoted(url)} is too large", 403, forged=True)
                chunks.append(chunk)
    except (CertificateUnavailable, Rejected):
        raise
    except Exception as exc:  # network trouble: SNS will deliver again
        raise CertificateUnavailable(f"cannot fetch {quoted(url)}: {type(exc).__name__}") from exc
    data = b"".join(chunks)
    if cached:
        cache.set(key, data, CACHE_SECONDS)
    return data


def _load_certificates(data: bytes, url: str) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle, or the one DER certificate (AIA serves DER)."""
    try:
        if b"-----BEGIN" in data:
            certs = [x509.load_pem_x509_certificate(block) for block in _PEM_BLOCK.findall(data)]
        else:
            certs = [x509.load_der_x509_certificate(data)]
    except ValueError:
        certs = []
    if not certs:
        raise Rejected(f"no certificate at {quoted(url)}", 403, forged=True)
    return certs


# -- trust --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedRoots:
    store: Store
    subjects: frozenset[x509.Name]


def trusted_roots(certificates: Iterable[x509.Certificate]) -> TrustedRoots:
    roots = list(certificates)
    return TrustedRoots(Store(roots), frozenset(c.subject for c in roots))


def _bundle_paths() -> list[str]:
    paths = ssl.get_default_verify_paths()
    found = [p for p in (paths.cafile, paths.openssl_cafile, *SYSTEM_BUNDLES) if p]
    try:
        import certifi

        found.append(certifi.where())
    except ImportError:  # pragma: no cover - requests depends on it
        pass
    return found


@functools.lru_cache(maxsize=1)
def trust_store() -> TrustedRoots:
    """The system's roots (the first bundle found), loaded once per process. A root that
    cryptography cannot parse is skipped, not fatal."""
    for path in _bundle_paths():
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        roots = []
        for block in _PEM_BLOCK.findall(data):
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
        if roots:
            return trusted_roots(roots)
    raise CertificateUnavailable("no trusted root certificates found (system store, certifi)")


def _issuer_urls(cert: x509.Certificate) -> list[str]:
    try:
        aia = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    except x509.ExtensionNotFound:
        return []
    return [
        d.access_location.value
        for d in aia.value
        if d.access_method == AuthorityInformationAccessOID.CA_ISSUERS
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
    ]


def _fetch_issuer(cert: x509.Certificate) -> x509.Certificate | None:
    for url in _issuer_urls(cert):
        if not _aia_url_allowed(url):
            logger.warning("IPN certificate issuer URL not on an Amazon Trust host: %r", url)
            continue
        for candidate in _load_certificates(_download(url), url):
            if candidate.subject == cert.issuer:
                return candidate
    return None


def _with_issuers(
    leaf: x509.Certificate, intermediates: list[x509.Certificate], roots: TrustedRoots
) -> list[x509.Certificate]:
    """The bundle's intermediates plus the issuers it lacks, fetched by AIA."""
    chain = list(intermediates)
    current, fetched = leaf, 0
    for _ in range(MAX_CHAIN_DEPTH):
        if current.issuer in roots.subjects or current.issuer == current.subject:
            break
        issuer = next((c for c in chain if c.subject == current.issuer), None)
        if issuer is None:
            if fetched == MAX_AIA_FETCHES:
                break
            issuer, fetched = _fetch_issuer(current), fetched + 1
            if issuer is None:
                break
            chain.append(issuer)
        current = issuer
    return chain


def verify_chain(leaf: x509.Certificate, intermediates: list[x509.Certificate]) -> None:
    """The leaf chains to a trusted root, is valid now and names sns.amazonaws.com (SAN)."""
    roots = trust_store()
    chain = _with_issuers(leaf, intermediates, roots)
    verifier = (
        PolicyBuilder()
        .store(roots.store)
        .time(datetime.now(timezone.utc))
        .max_chain_depth(MAX_CHAIN_DEPTH)
        .build_server_verifier(DNSName(SNS_NAME))
    )
    try:
        verifier.verify(leaf, chain)
    except VerificationError as exc:
        raise Rejected(f"certificate not trusted: {exc}", 403, forged=True) from None


def check_certificate(cert: x509.Certificate) -> None:
    """CN sns.amazonaws.com (what the official SDKs check), valid now, an RSA key."""
    try:
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    except ValueError:
        names = []
    if not names or names[0].value != SNS_NAME:
        raise Rejected("certificate is not issued to sns.amazonaws.com", 403, forged=True)
    now = datetime.now(timezone.utc)
    if not (cert.not_valid_before_utc <= now <= cert.not_valid_after_utc):
        raise Rejected("certificate is not valid now", 403, forged=True)
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        raise Rejected("certificate key is not RSA", 403, forged=True)


_memory: dict[str, x509.Certificate] = {}
_memory_lock = threading.Lock()


def signing_certificate(url: str) -> x509.Certificate:
    """The trusted certificate at `url` (check_sns_url first): process memory, then the cache,
    then HTTP. Only certificates that passed their chain check are kept in memory."""
    if is_simulator_url(url):
        # never kept: a simulator makes a new key each time it starts, so its URL serves
        # another certificate after every restart; it is trusted in development only, where
        # a fetch per delivery costs nothing. Self-signed: it is its own anchor.
        cert = _load_certificates(_download(url, cached=False), url)[0]
        check_certificate(cert)
        return cert
    with _memory_lock:
        cert = _memory.get(url)
    if cert is None:
        certs = _load_certificates(_download(url), url)
        cert = certs[0]
        verify_chain(cert, certs[1:])
        with _memory_lock:
            _memory[url] = cert
    check_certificate(cert)
    return cert


def forget_certificates() -> None:
    """Drop the in-process certificate cache (tests, key rotation)."""
    with _memory_lock:
        _memory.clear()
