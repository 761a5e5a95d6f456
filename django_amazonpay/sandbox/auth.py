"""Signature Version 2 verification and the common-parameter checks, written apart from mws/.

The simulator deliberately re-implements the signing rules (spec 1.4) instead of importing the
client's signer (STYLE 12): a bug in one cannot then be hidden by the same bug in the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone

from .errors import SimulatorError

#: RFC 3986 unreserved characters: the only bytes left as they are (spec 1.4 step 2).
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")
_DIGESTS = {"HmacSHA256": hashlib.sha256, "HmacSHA1": hashlib.sha1}
#: "rejected if more than 15 minutes before or after the server clock" (spec 1.3).
MAX_SKEW = timedelta(minutes=15)

SIGNATURE_MISMATCH = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation "
    "for details."
)  # spec 1.6, observed wording
UNKNOWN_KEY = "The AWS Access Key Id you provided does not exist in our records."  # spec 1.6

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$"
)


# Our own encoder, not urllib's quote (which the client uses): one bug must not hide on both
# sides. A byte table and a fast path for plain values keep it off the request's hot path.
_ENCODED = tuple(chr(byte) if byte in _UNRESERVED else f"%{byte:02X}" for byte in range(256))
_PLAIN = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


def rfc3986(value: str) -> str:
    """Percent-encode a decoded name or value exactly as spec 1.4 step 2 prescribes."""
    if _PLAIN(value):
        return value
    return "".join([_ENCODED[byte] for byte in value.encode("utf-8")])


def canonical_query(params: Mapping[str, str]) -> str:
    """Every parameter but Signature, encoded, sorted by name in byte order (spec 1.4 steps 1-4)."""
    pairs = sorted((rfc3986(k), rfc3986(v)) for k, v in params.items() if k != "Signature")
    return "&".join(f"{k}={v}" for k, v in pairs)


def string_to_sign(method: str, host: str, path: str, params: Mapping[str, str]) -> str:
    """METHOD, lowercase host[:port], the path as received, canonical query (spec 1.4 step 5)."""
    return "\n".join((method.upper(), host.lower(), path or "/", canonical_query(params)))


def sign(secret_key: str, message: str, method: str = "HmacSHA256") -> str:
    digest = hmac.new(secret_key.encode("utf-8"), message.encode("utf-8"), _DIGESTS[method])
    return base64.b64encode(digest.digest()).decode("ascii")


def signature_matches(
    *, secret_key: str, method: str, host: str, path: str, params: Mapping[str, str]
) -> bool:
    """True if `Signature` is right for this request; constant-time comparison.

    Also accepts the signature computed over host "http://" + Host: the `mws` package signs
    `domain.replace("https://", "")`, so an http:// domain keeps its scheme (spec 1.2 quirk).
    """
    given = params.get("Signature", "").encode("utf-8")
    algorithm = params.get("SignatureMethod", "HmacSHA256")
    ok = False
    for signed_host in (host, "http://" + host):
        expected = sign(secret_key, string_to_sign(method, signed_host, path, params), algorithm)
        # Both candidates are always computed so timing does not reveal which one matched.
        ok |= hmac.compare_digest(expected.encode("ascii"), given)
    return ok


def parse_timestamp(value: str) -> datetime:
    """ISO 8601 with or without fraction and zone; zone-less means UTC (spec 1.2 point 3)."""
    match = _TIMESTAMP.match(value.strip())
    if not match:
        raise ValueError(value)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = timezone.utc
    if zone and zone != "Z":
        sign_ = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign_ * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    parsed = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second), micro, tzinfo=tz
    )
    return parsed.astimezone(timezone.utc)


def check_request(
    *,
    params: Mapping[str, str],
    method: str,
    host: str,
    path: str,
    version: str,
    credentials: Mapping[str, str],
    seller_id: str,
    now: datetime,
    seller_error: tuple[str, int],
) -> None:
    """Raise the ErrorResponse Amazon would send for a request that fails authentication.

    Order of checks: presence, key, signature method, signature, timestamp, version, seller.
    Codes for missing parameters (MissingParameter) and for a wrong seller are **unconfirmed**
    (spec 4 lists only the MWS-wide codes); statuses of the confirmed ones are from spec 4.
    """
    for name in ("AWSAccessKeyId", "Signature", "SignatureMethod", "SignatureVersion"):
        if not params.get(name):
            raise SimulatorError("MissingParameter", f"The parameter {name} is required.", 400)
    secret = credentials.get(params["AWSAccessKeyId"])
    if secret is None:
        raise SimulatorError("InvalidAccessKeyId", UNKNOWN_KEY, 403)
    if params["SignatureMethod"] not in _DIGESTS or params["SignatureVersion"] != "2":
        raise SimulatorError(
            "InvalidParameterValue",
            "Value for parameter SignatureMethod/SignatureVersion is invalid.",
            400,
        )
    if not signature_matches(secret_key=secret, method=method, host=host, path=path, params=params):
        raise SimulatorError("SignatureDoesNotMatch", SIGNATURE_MISMATCH, 403)
    for name in ("Action", "SellerId", "Timestamp", "Version"):
        if not params.get(name):
            raise SimulatorError("MissingParameter", f"The parameter {name} is required.", 400)
    try:
        stamp = parse_timestamp(params["Timestamp"])
    except ValueError:
        raise SimulatorError(
            "InvalidParameterValue",
            f"Value {params['Timestamp']} for parameter Timestamp is invalid.",
            400,
        ) from None
    if abs(stamp - now) > MAX_SKEW:
        # MWS reports an expired/early request as InvalidParameterValue (spec 4, MWS-wide table).
        raise SimulatorError(
            "InvalidParameterValue",
            f"Timestamp {params['Timestamp']} must be within 15 minutes of the server time.",
            400,
        )
    if params["Version"] != version:
        raise SimulatorError(
            "InvalidParameterValue",
            f"Value {params['Version']} for parameter Version is invalid.",
            400,
        )
    if params["SellerId"] != seller_id:
        code, status = seller_error
        raise SimulatorError(
            code, "Access denied: the seller is not authorized for this request.", status
        )
