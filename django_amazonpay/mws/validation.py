"""Input checks made before any request is sent: a bad value costs no call and no quota.

Limits are spec 2.2 (id formats), 2.4 (lengths, TransactionTimeout) and 3.7 (amount maxima).
Each check raises RequestValidationError naming the parameter.
"""

from __future__ import annotations

import re

from ..amounts import Amount, AmountError
from ..regions import Region
from .errors import RequestValidationError

ORDER_REFERENCE_ID = re.compile(r"[SP]\d{2}-\d{7}-\d{7}")
#: spec 2.2: <ORO>-A/C/R + 6 digits
TRANSACTION_IDS = {
    "authorization": re.compile(r"[SP]\d{2}-\d{7}-\d{7}-A\d{6}"),
    "capture": re.compile(r"[SP]\d{2}-\d{7}-\d{7}-C\d{6}"),
    "refund": re.compile(r"[SP]\d{2}-\d{7}-\d{7}-R\d{6}"),
}
#: spec 7: 3-7-7
AMAZON_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
REFERENCE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")

NOTE_MAX = 1024  # SellerNote, ORO ClosureReason, CancelationReason
TRANSACTION_NOTE_MAX = 255  # Seller{Authorization,Capture,Refund}Note, CloseAuthorization reason
SOFT_DESCRIPTOR_MAX = 16


def _fail(message: str) -> RequestValidationError:
    return RequestValidationError(message)


def order_reference_id(value: object, name: str = "AmazonOrderReferenceId") -> str:
    if not isinstance(value, str) or not ORDER_REFERENCE_ID.fullmatch(value):
        raise _fail(f"{name} must look like S01-1234567-1234567, got {value!r}")
    return value


def transaction_id(value: object, kind: str, name: str) -> str:
    if not isinstance(value, str) or not TRANSACTION_IDS[kind].fullmatch(value):
        letter = kind[0].upper()
        raise _fail(f"{name} must look like S01-1234567-1234567-{letter}123456, got {value!r}")
    return value


def amazon_order_id(value: object) -> str:
    if not isinstance(value, str) or not AMAZON_ORDER_ID.fullmatch(value):
        raise _fail(f"AmazonOrderId must look like 058-1233752-8214740, got {value!r}")
    return value


def reference_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not REFERENCE_ID.fullmatch(value):
        raise _fail(f"{name} must be 1-32 characters of a-z A-Z 0-9 - _, got {value!r}")
    return value


def text(value: object, name: str, max_length: int | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(f"{name} must be a string, got {type(value).__name__}")
    if max_length is not None and len(value) > max_length:
        raise _fail(f"{name} is {len(value)} characters; the limit is {max_length}")
    return value


def flag(value: object, name: str) -> str | None:
    """Booleans go on the wire as true/false (spec 1.3)."""
    if value is None:
        return None
    if not isinstance(value, bool):
        raise _fail(f"{name} must be a bool, got {value!r}")
    return "true" if value else "false"


def amount(value: object, name: str, region: Region, *, transaction: bool) -> Amount:
    """Positive, in the region's currency, within its decimals and, for Authorize/Capture/
    Refund, at most the region's single-transaction maximum (spec 3.7)."""
    if not isinstance(value, Amount):
        raise _fail(f"{name} must be an Amount, got {type(value).__name__}")
    if value.currency != region.currency:
        raise _fail(f"{name} is in {value.currency}; region {region.code} uses {region.currency}")
    try:
        value.check_precision()
    except AmountError as exc:
        raise _fail(f"{name}: {exc}") from None
    if value.value <= 0:
        raise _fail(f"{name} must be positive, got {value}")
    if transaction and value.value > region.max_transaction_amount:
        raise _fail(
            f"{name} {value} is above the {region.code} maximum of "
            f"{region.max_transaction_amount} {region.currency}"
        )
    return value


def transaction_timeout(value: object) -> str:
    """0 (synchronous) or a multiple of 5 between 5 and 1440 minutes (spec 2.4 Authorize)."""
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not (value == 0 or (5 <= value <= 1440 and value % 5 == 0))
    ):
        raise _fail(f"TransactionTimeout must be 0 or a multiple of 5 in 5..1440, got {value!r}")
    return str(value)


def put(params: dict[str, str], name: str, value: str | None) -> None:
    """Add a parameter only when it has a value (SDKs drop empty optional parameters)."""
    if value is not None:
        params[name] = value


def put_amount(params: dict[str, str], prefix: str, value: Amount | None) -> None:
    if value is not None:
        params[f"{prefix}.Amount"] = value.to_wire()
        params[f"{prefix}.CurrencyCode"] = value.currency
