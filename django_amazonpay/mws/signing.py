"""Signature Version 2 (HmacSHA256), exactly as spec 1.4 describes it: pure functions, no settings.

The same canonical query is used twice: inside the string to sign and, with the Signature
appended, as the POST body (spec 1.2: RFC 3986 `%20` bodies are what the PHP/Ruby/C# SDKs send).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timezone
from urllib.parse import quote, urlsplit

SIGNATURE_METHOD = "HmacSHA256"
SIGNATURE_VERSION = "2"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED_ONLY = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch


def encode(value: str) -> str:
    """RFC 3986 percent-encoding of the UTF-8 bytes (spec 1.4 step 2).

    `quote` keeps only A-Za-z0-9 and `-_.~` with safe="" and writes uppercase hex, so space is
    %20, `*` is %2A, `~` stays `~`. Most values (names, ids, amounts, the timestamp) are
    already nothing but those characters and are returned as they are, without quote()'s work.
    """
    if _UNRESERVED_ONLY(value):
        return value
    return quote(value, safe="-_.~", encoding="utf-8")


def canonical_query(params: Mapping[str, str]) -> str:
    """Sorted by the encoded name in byte order (spec 1.4 step 3); `name=` for empty values."""
    pairs = sorted((encode(k), encode(v)) for k, v in params.items() if k != "Signature")
    return "&".join(f"{k}={v}" for k, v in pairs)


def signing_host(url: str) -> str:
    """Lowercase host plus the port only when it is not the scheme's default (spec 1.4 step 5)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return host


def signing_path(url: str) -> str:
    return urlsplit(url).path or "/"


def string_to_sign(method: str, host: str, path: str, query: str) -> str:
    return f"{method.upper()}\n{host.lower()}\n{path or '/'}\n{query}"


def hmac_sha256(secret_key: str, message: str) -> str:
    digest = hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def signature(method: str, url: str, params: Mapping[str, str], secret_key: str) -> str:
    """The Signature value for `params` sent with `method` to `url` (query string ignored)."""
    text = string_to_sign(method, signing_host(url), signing_path(url), canonical_query(params))
    return hmac_sha256(secret_key, text)


def timestamp(now: datetime | None = None) -> str:
    """ISO 8601 UTC with `Z`, whole seconds, as the official Python SDK sends it (spec 1.2)."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def common_params(
    *,
    action: str,
    version: str,
    access_key: str,
    seller_id: str,
    mws_auth_token: str | None = None,
    now: datetime | None = None,
) -> dict[str, str]:
    """The parameters every request carries (spec 1.3), Signature excluded."""
    params = {
        "AWSAccessKeyId": access_key,
        "Action": action,
        "SellerId": seller_id,
        "SignatureMethod": SIGNATURE_METHOD,
        "SignatureVersion": SIGNATURE_VERSION,
        "Timestamp": timestamp(now),
        "Version": version,
    }
    if mws_auth_token:
        params["MWSAuthToken"] = mws_auth_token
    return params


def signed_body(method: str, url: str, params: Mapping[str, str], secret_key: str) -> str:
    """`params` as one form-encoded string (query string or POST body), Signature last."""
    query = canonical_query(params)
    text = string_to_sign(method, signing_host(url), signing_path(url), query)
    return f"{query}&Signature={encode(hmac_sha256(secret_key, text))}"
