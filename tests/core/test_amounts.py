from decimal import Decimal

import pytest

from django_amazonpay.amounts import Amount, AmountError


def test_wire_form_has_no_exponent_and_no_float():
    assert Amount(Decimal("13800.00"), "JPY").to_wire() == "13800"
    assert Amount(Decimal("1E+3"), "JPY").to_wire() == "1000"
    assert Amount(Decimal("10.50"), "USD").to_wire() == "10.5"
    assert Amount("0.01", "EUR").to_wire() == "0.01"


@pytest.mark.parametrize(
    ("value", "currency"),
    [
        ("1.5", "JPY"),
        ("0.001", "USD"),
        ("abc", "USD"),
        ("NaN", "USD"),
        ("Infinity", "JPY"),
        ("1_000", "JPY"),  # Decimal() would take these three
        ("１０００", "JPY"),
        ("1e3", "JPY"),
        ("", "JPY"),
    ],
)
def test_parse_refuses_what_the_currency_cannot_hold(value, currency):
    with pytest.raises(AmountError):
        Amount.parse(value, currency)


def test_floats_are_refused():
    with pytest.raises(AmountError):
        Amount(1.5, "USD")  # type: ignore[arg-type]


def test_arithmetic_stays_within_one_currency():
    assert Amount("10", "USD") + Amount("2.5", "USD") == Amount(Decimal("12.5"), "USD")
    with pytest.raises(AmountError):
        Amount("10", "USD") + Amount("1", "EUR")
    assert Amount("1", "JPY") < Amount("2", "JPY")


def test_plain_decimal_text_is_accepted():
    assert Amount.parse(" 1000 ", "JPY").value == Decimal("1000")
    assert Amount.parse("-0.50", "USD").value == Decimal("-0.50")
    assert Amount.parse(".5", "USD").value == Decimal("0.5")
    assert Amount.parse(1000, "JPY").value == Decimal("1000")


def test_an_amount_parses_only_in_its_own_currency():
    assert Amount.parse(Amount("100", "JPY"), "JPY") == Amount(Decimal("100"), "JPY")
    with pytest.raises(AmountError, match="100 USD is not in JPY"):
        Amount.parse(Amount("100", "USD"), "JPY")
    with pytest.raises(AmountError, match="decimal places"):
        Amount.parse(Amount("100.5", "JPY"), "JPY")
