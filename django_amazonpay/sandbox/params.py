"""Request parameter parsing and validation for the simulator's payment engine.

Deliberately independent of django_amazonpay/mws/ (STYLE 12): one parsing bug must not hide
on both sides of the wire. Errors use Amazon's codes and the AWS "Coral" wording (spec 1.6).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from ..amounts import CURRENCY_EXPONENTS
from ..regions import Region
from .errors import SimulatorError

#: common MWS parameters (spec 1.3): never part of an idempotency fingerprint
COMMON_PARAMS = frozenset(
    {
        "AWSAccessKeyId",
        "Action",
        "SellerId",
        "MWSAuthToken",
        "SignatureMethod",
        "SignatureVersion",
        "Timestamp",
        "Version",
        "Signature",
        "Expires",
    }
)

_REFERENCE_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def coral_name(param: str) -> str:
    """`OrderReferenceAttributes.SellerNote` -> `orderReferenceAttributes.sellerNote` (spec 1.6)."""
    return ".".join(part[:1].lower() + part[1:] for part in param.split("."))


def invalid(message: str) -> SimulatorError:
    return SimulatorError("InvalidParameterValue", f"1 validation error detected: {message}")


def _shown(value: str) -> str:
    return value if len(value) <= 64 else value[:61] + "..."


class Params:
    """Typed access to one request's decoded parameters."""

    def __init__(self, raw: Mapping[str, str]) -> None:
        self.raw = raw

    def optional(self, name: str) -> str | None:
        value = self.raw.get(name)
        return value if value not in (None, "") else None

    def required(self, name: str) -> str:
        value = self.optional(name)
        if value is None:
            raise invalid(
                f"Value null at '{coral_name(name)}' failed to satisfy constraint: "
                "Member must not be null"
            )
        return value

    def has_prefix(self, prefix: str) -> bool:
        return any(key.startswith(prefix) and value != "" for key, value in self.raw.items())

    def text(self, name: str, max_length: int, *, required: bool = False) -> str | None:
        value = self.required(name) if required else self.optional(name)
        if value is not None and len(value) > max_length:
            raise invalid(
                f"Value '{_shown(value)}' at '{coral_name(name)}' failed to satisfy constraint: "
                f"Member must have length less than or equal to {max_length}"
            )
        return value

    def reference_id(self, name: str) -> str:
        """Authorization/Capture/RefundReferenceId: <= 32 of a-zA-Z0-9-_ (spec 2.4)."""
        value = self.required(name)
        if not _REFERENCE_ID.fullmatch(value):
            raise invalid(
                f"Value '{_shown(value)}' at '{coral_name(name)}' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]{1,32}"
            )
        return value

    def boolean(self, name: str, default: bool) -> bool:
        value = self.optional(name)
        if value is None:
            return default
        lowered = value.lower()
        if lowered not in ("true", "false"):
            raise invalid(
                f"Value '{_shown(value)}' at '{coral_name(name)}' failed to satisfy constraint: "
                "Member must be a boolean"
            )
        return lowered == "true"

    def transaction_timeout(self) -> int:
        """0 (synchronous) or a multiple of 5 in 5..1440; default 1440 (spec 2.4 Authorize)."""
        value = self.optional("TransactionTimeout")
        if value is None:
            return 1440
        try:
            minutes = int(value)
        except ValueError:
            minutes = -1
        if minutes != 0 and not (5 <= minutes <= 1440 and minutes % 5 == 0):
            raise invalid(
                f"Value '{_shown(value)}' at 'transactionTimeout' failed to satisfy constraint: "
                "Member must be 0 or a multiple of 5 between 5 and 1440"
            )
        return minutes

    def amount(self, prefix: str, region: Region, *, max_code: str) -> Decimal:
        """`<prefix>.Amount` / `.CurrencyCode`: positive, region currency, currency decimals.

        Above the region maximum (spec 3.7) raises `max_code` (TransactionAmountExceeded for
        transactions, InvalidParameterValue for an order total). Too many decimals, e.g. a JPY
        fraction: InvalidParameterValue (spec: unconfirmed, spec 3.7 last line).
        """
        text = self.required(f"{prefix}.Amount")
        currency = self.required(f"{prefix}.CurrencyCode")
        where = coral_name(f"{prefix}.Amount")
        try:
            value = Decimal(text.strip())
        except InvalidOperation:
            value = Decimal("NaN")
        if not value.is_finite() or value <= 0:
            raise invalid(
                f"Value '{_shown(text)}' at '{where}' failed to satisfy constraint: "
                "Member must be a positive decimal number"
            )
        if currency != region.currency:
            raise SimulatorError(
                "CurrencyMismatch",
                f"The currency code {currency} specified in the request does not match the "
                f"currency {region.currency} of the order reference.",
            )
        exponent = CURRENCY_EXPONENTS.get(currency, 2)
        places = -int(value.normalize().as_tuple().exponent)
        if places > exponent:
            raise invalid(
                f"Value '{_shown(text)}' at '{where}' failed to satisfy constraint: "
                f"Member must have at most {exponent} decimal places for {currency}"
            )
        if value > region.max_transaction_amount:
            message = (
                f"The amount {text} {currency} exceeds the maximum allowed amount "
                f"{region.max_transaction_amount} {currency}."
            )
            if max_code == "InvalidParameterValue":
                raise invalid(
                    f"Value '{_shown(text)}' at '{where}' failed to satisfy constraint: {message}"
                )
            raise SimulatorError(max_code, message)
        return value

    def fingerprint(self) -> tuple[tuple[str, str], ...]:
        """The operation parameters that make a request 'the same' for idempotency (spec 3.9)."""
        return tuple(sorted((k, v) for k, v in self.raw.items() if k not in COMMON_PARAMS))

    def indexed(self, prefix: str) -> list[str]:
        """1-based list parameters: `<prefix>.1`, `<prefix>.2`... (spec 1.3)."""
        items: list[tuple[int, str]] = []
        for key, value in self.raw.items():
            if key.startswith(prefix + "."):
                suffix = key[len(prefix) + 1 :]
                if suffix.isdigit() and value:
                    items.append((int(suffix), value))
        return [value for _, value in sorted(items)]
