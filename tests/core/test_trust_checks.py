"""System checks on the trust settings, for the shapes a new integrator writes by hand:
networks that together trust every address, account ids as numbers, empty trust lists."""

from __future__ import annotations

from typing import Any

import pytest

from django_amazonpay.checks import check_ipn_trust, check_trusted_proxies
from django_amazonpay.conf import AMAZON_PAY_SNS_ACCOUNT, problems


def configure(settings: Any, **keys: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, **keys}


@pytest.mark.parametrize(
    "proxies",
    [
        ["0.0.0.0/1", "128.0.0.0/1"],
        ["10.0.0.0/8", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"],
        ["::/1", "8000::/1"],
    ],
)
def test_networks_that_together_hold_every_address_are_warned_of(
    settings: Any, proxies: list[str]
) -> None:
    configure(settings, TRUSTED_PROXIES=proxies)
    [warning] = check_trusted_proxies()
    assert "every address" in warning.msg


@pytest.mark.parametrize("proxies", [["0.0.0.0/1"], ["10.0.0.0/8", "192.168.0.0/16", "::1/128"]])
def test_networks_that_leave_addresses_out_are_not_everything(
    settings: Any, proxies: list[str]
) -> None:
    configure(settings, TRUSTED_PROXIES=proxies)
    assert check_trusted_proxies() == []


def test_an_account_id_as_a_number_is_one_error_not_also_a_foreign_account(
    settings: Any,
) -> None:
    configure(settings, IPN_TRUSTED_ACCOUNTS=[int(AMAZON_PAY_SNS_ACCOUNT)])
    assert [p.key for p in problems()] == ["IPN_TRUSTED_ACCOUNTS"]
    assert [m.id for m in check_ipn_trust()] == []


@pytest.mark.parametrize("key", ["IPN_TOPIC_ARNS", "IPN_TRUSTED_ACCOUNTS"])
def test_an_empty_trust_list_says_every_notification_will_be_refused(
    settings: Any, key: str
) -> None:
    configure(settings, **{key: []})
    [warning] = check_ipn_trust()
    assert warning.id == "django_amazonpay.W304" and "every notification" in warning.msg
    configure(settings, **{key: None} if key == "IPN_TOPIC_ARNS" else {})
    settings.AMAZON_PAY.pop("IPN_TRUSTED_ACCOUNTS", None)
    assert check_ipn_trust() == []
