from decimal import Decimal

import pytest
from django.core import checks
from django.core.management import call_command

from django_amazonpay.conf import ConfigurationError, get_settings, problems
from django_amazonpay.regions import get_region

GOOD = {"SELLER_ID": "A1", "ACCESS_KEY": "AK", "SECRET_KEY": "SK", "REGION": "us"}


def test_valid_settings_give_a_typed_immutable_object(settings):
    settings.AMAZON_PAY = GOOD
    conf = get_settings()
    assert conf.region.code == "us"
    assert conf.currency == "USD"
    assert conf.client_config().payments_url.endswith("/OffAmazonPayments_Sandbox/2013-01-01")
    with pytest.raises(AttributeError):
        conf.seller_id = "other"  # type: ignore[misc]
    assert "SK" not in repr(conf) and "SK" not in repr(conf.client_config())


def test_currency_follows_the_region(settings):
    settings.AMAZON_PAY = {**GOOD, "REGION": "jp"}
    assert get_settings().currency == "JPY"
    settings.AMAZON_PAY = {**GOOD, "REGION": "de"}
    assert get_settings().currency == "EUR"


def test_settings_are_reread_after_override(settings):
    settings.AMAZON_PAY = GOOD
    assert get_settings().seller_id == "A1"
    settings.AMAZON_PAY = {**GOOD, "SELLER_ID": "A2"}
    assert get_settings().seller_id == "A2"


@pytest.mark.parametrize(
    ("change", "key"),
    [
        ({"SELLER_ID": None}, "SELLER_ID"),
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"REGION": "fr"}, "REGION"),
        ({"CURRENCY": "EUR"}, "CURRENCY"),
        ({"CURRENCY": "XXX"}, "CURRENCY"),
        # EU regions too: the client sends the region's currency only
        ({"REGION": "uk", "CURRENCY": "USD"}, "CURRENCY"),
        ({"REGION": "de", "CURRENCY": "GBP"}, "CURRENCY"),
        ({"READ_TIMEOUT": 0}, "READ_TIMEOUT"),
        ({"MAX_RETRIES": -1}, "MAX_RETRIES"),
        ({"SANDBOX": "yes"}, "SANDBOX"),
        ({"TRANSACTION_TIMEOUT": 7}, "TRANSACTION_TIMEOUT"),
        ({"ON_TRANSACTION_TIMED_OUT": "panic"}, "ON_TRANSACTION_TIMED_OUT"),
        ({"ENDPOINT": "localhost:8000"}, "ENDPOINT"),
        ({"SOFT_DESCRIPTOR": "x" * 17}, "SOFT_DESCRIPTOR"),
        ({"ORDER_RESOLVER": "no.such.module.func"}, "ORDER_RESOLVER"),
        ({"ORDER_RESOLVER": "tests.core.resolvers.NOT_CALLABLE"}, "ORDER_RESOLVER"),
        ({"ORDER_RESOLVER": "tests.core.resolvers.takes_one"}, "ORDER_RESOLVER"),
        ({"ORDER_RESOLVER": "tests.core.resolvers.takes_three"}, "ORDER_RESOLVER"),
        ({"ORDER_RESOLVER": "tests.core.resolvers.keyword_only"}, "ORDER_RESOLVER"),
        ({"ORDER_RESOLVER": 42}, "ORDER_RESOLVER"),
        ({"SELER_ID": "typo"}, "SELER_ID"),
    ],
)
def test_each_misconfiguration_is_a_check_naming_the_key(settings, change, key):
    settings.AMAZON_PAY = {**GOOD, **change}
    found = problems()
    assert [p.key for p in found] == [key]
    assert found[0].hint
    messages = [
        m
        for m in checks.run_checks(tags=[checks.Tags.compatibility])
        if m.id.startswith("django_amazonpay.E")
    ]
    assert len(messages) == 1 and key in messages[0].msg
    with pytest.raises(ConfigurationError):
        get_settings()


def test_missing_setting_is_reported_not_raised_at_import(settings):
    del settings.AMAZON_PAY
    messages = [
        m
        for m in checks.run_checks(tags=[checks.Tags.compatibility])
        if m.id.startswith("django_amazonpay")
    ]
    assert [m.id for m in messages] == ["django_amazonpay.E001"]


@pytest.mark.django_db  # Django 6.1's JSONField check asks the database what it supports
def test_manage_py_check_passes_with_the_test_settings():
    call_command("check")


def test_deploy_checks_warn_about_sandbox_endpoint_and_trusted_simulator(settings):
    settings.AMAZON_PAY = {**GOOD, "ENDPOINT": "http://127.0.0.1:9", "IPN_TRUST_SIMULATOR": True}
    ids = {
        m.id for m in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    }
    assert {"django_amazonpay.W101", "django_amazonpay.W102", "django_amazonpay.W103"} <= ids
    settings.AMAZON_PAY = {**GOOD, "SANDBOX": False}
    ids = {
        m.id for m in checks.run_checks(include_deployment_checks=True, tags=[checks.Tags.security])
    }
    assert not {i for i in ids if i.startswith("django_amazonpay.W1")}


def test_region_allowance_is_min_of_15_percent_and_cap():
    assert get_region("jp").allowance(Decimal("10000")) == Decimal("1500.00")
    assert get_region("jp").allowance(Decimal("100000")) == Decimal("8400")
    assert get_region("us").allowance(Decimal("100")) == Decimal("15.00")
    assert get_region("us").allowance(Decimal("1000")) == Decimal("75")
