"""Money: a frozen Amount of Decimal and currency, and its wire form.

Decimal from text, never float; no silent rounding: a value with more decimals than its
currency allows is an error at the boundary (STYLE 5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

#: digits after the point each currency allows (ISO 4217 minor units)
CURRENCY_EXPONENTS: dict[str, int] = {
    "JPY": 0,
    "USD": 2,
    "GBP": 2,
    "EUR": 2,
    "AUD": 2,
    "ZAR": 2,
    "CHF": 2,
    "NOK": 2,
    "DKK": 2,
    "SEK": 2,
    "NZD": 2,
    "HKD": 2,
}


class AmountError(ValueError):
    """A value that is not a valid amount of money in its currency."""


#: plain ASCII decimal text; Decimal() alone also takes "1_000", full-width digits and "1e3"
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?|[+-]?\.[0-9]+", re.ASCII)


def _to_decimal(value: Decimal | str | int) -> Decimal:
    if isinstance(value, float):
        raise AmountError("amounts must not be floats; pass a Decimal or a string")
    if isinstance(value, bool):
        raise AmountError("a boolean is not an amount")
    if isinstance(value, Decimal):
        result = value
    else:
        text = str(value).strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise AmountError(f"{value!r} is not a plain decimal number")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise AmountError(f"{value!r} is not a number") from None
    if not result.is_finite():
        raise AmountError(f"{value!r} is not a finite number")
    return result


def decimal_places(value: Decimal) -> int:
    """Significant digits after the point: 13800.00 has 0, 1.50 has 1."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


@dataclass(frozen=True, order=False)
class Amount:
    value: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _to_decimal(self.value))
        currency = str(self.currency).upper()
        object.__setattr__(self, "currency", currency)
        if currency not in CURRENCY_EXPONENTS:
            raise AmountError(f"unsupported currency {currency!r}")

    @classmethod
    def parse(cls, value: Amount | Decimal | str | int, currency: str) -> Amount:
        """Strict parse for input: finite, within the currency's decimals; an Amount must
        already be in `currency`."""
        if isinstance(value, Amount):
            if value.currency != currency:
                raise AmountError(f"{value} is not in {currency}")
            value = value.value
        amount = cls(_to_decimal(value), currency)
        amount.check_precision()
        return amount

    @property
    def exponent(self) -> int:
        return CURRENCY_EXPONENTS[self.currency]

    def check_precision(self) -> None:
        if decimal_places(self.value) > self.exponent:
            raise AmountError(
                f"{self.value} {self.currency} has more than {self.exponent} decimal places"
            )

    def to_wire(self) -> str:
        """The form sent to Amazon: plain digits, no exponent, trailing zeros trimmed."""
        self.check_precision()
        text = format(self.value.quantize(Decimal(1).scaleb(-self.exponent)), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text

    def _same_currency(self, other: Amount) -> None:
        if not isinstance(other, Amount):
            raise TypeError(f"cannot combine Amount with {type(other).__name__}")
        if other.currency != self.currency:
            raise AmountError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Amount) -> Amount:
        self._same_currency(other)
        return Amount(self.value + other.value, self.currency)

    def __sub__(self, other: Amount) -> Amount:
        self._same_currency(other)
        return Amount(self.value - other.value, self.currency)

    def __lt__(self, other: Amount) -> bool:
        self._same_currency(other)
        return self.value < other.value

    def __le__(self, other: Amount) -> bool:
        self._same_currency(other)
        return self.value <= other.value

    def __gt__(self, other: Amount) -> bool:
        self._same_currency(other)
        return self.value > other.value

    def __ge__(self, other: Amount) -> bool:
        self._same_currency(other)
        return self.value >= other.value

    def __str__(self) -> str:
        return f"{format(self.value, 'f')} {self.currency}"

    @classmethod
    def zero(cls, currency: str) -> Amount:
        return cls(Decimal("0"), currency)
