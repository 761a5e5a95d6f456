"""System checks about the host's wiring: ORDER_RESOLVER, the mounted URLs, Celery, typos."""

from __future__ import annotations

import os
from typing import Any

import pytest
from celery import Celery
from django.core import checks
from django.test import override_settings

from django_amazonpay.checks import check_host_wiring, check_production_safety, routes
from django_amazonpay.conf import DEFAULTS, problems

GOOD = {"SELLER_ID": "A1", "ACCESS_KEY": "AK", "SECRET_KEY": "SK", "REGION": "us"}
RESOLVER = "tests.core.resolvers.good"
MOUNTED = "tests.core.urls_mounted"  # API, IPN and simulator, plain includes
NESTED = "tests.core.urls_nested"  # the same below the host's own includes and namespaces


def messages(deploy: bool = False) -> dict[str, checks.CheckMessage]:
    tags = [checks.Tags.security] if deploy else [checks.Tags.compatibility]
    found = checks.run_checks(include_deployment_checks=deploy, tags=tags)
    return {m.id: m for m in found if m.id.startswith("django_amazonpay")}


@pytest.fixture
def configured_celery() -> None:
    """The test project's Celery app (eager), as a host that created its own has."""
    import tests.celery_app  # noqa: F401  (sets itself as the default app)


@pytest.fixture
def no_celery_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Celery as in a host that never created an app, and no celeryconfig module."""
    from celery import _state

    monkeypatch.setattr(_state._tls, "current_app", None)
    monkeypatch.setattr(_state, "default_app", None)
    monkeypatch.setenv("CELERY_CONFIG_MODULE", "tests.core.no_such_celeryconfig")
    # the fallback app reads CELERY_* from the environment (CI's PostgreSQL pass sets the
    # broker): a host without an app has none of them
    for name in [n for n in os.environ if n.startswith("CELERY_")]:
        if name != "CELERY_CONFIG_MODULE":
            monkeypatch.delenv(name)
    return _state


# -- ORDER_RESOLVER ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["good", "flexible", "instance", "uninspectable"], ids=lambda n: n)
def test_resolvers_callable_as_request_order_id_pass(settings: Any, name: str) -> None:
    settings.AMAZON_PAY = {**GOOD, "ORDER_RESOLVER": f"tests.core.resolvers.{name}"}
    assert problems() == []


def test_a_resolver_that_is_not_callable_is_an_error_naming_the_key(settings: Any) -> None:
    settings.AMAZON_PAY = {**GOOD, "ORDER_RESOLVER": "tests.core.resolvers.NOT_CALLABLE"}
    error = messages()["django_amazonpay.E025"]
    assert "AMAZON_PAY['ORDER_RESOLVER']" in error.msg and "dict, not a function" in error.msg
    assert "(request, order_id)" in error.hint


@pytest.mark.parametrize("name", ["takes_one", "takes_three", "keyword_only"])
def test_a_resolver_with_the_wrong_signature_is_an_error_showing_the_expected_one(
    settings: Any, name: str
) -> None:
    settings.AMAZON_PAY = {**GOOD, "ORDER_RESOLVER": f"tests.core.resolvers.{name}"}
    error = messages()["django_amazonpay.E025"]
    assert "AMAZON_PAY['ORDER_RESOLVER']" in error.msg
    assert "cannot be called as (request, order_id)" in error.msg
    assert "resolve_order(request, order_id)" in error.hint


def test_api_mounted_without_order_resolver_warns(settings: Any) -> None:
    settings.AMAZON_PAY = GOOD
    for urlconf in (MOUNTED, NESTED):
        with override_settings(ROOT_URLCONF=urlconf):
            warning = messages()["django_amazonpay.W025"]
            assert warning.level == checks.WARNING
            assert "AMAZON_PAY['ORDER_RESOLVER'] is not set" in warning.msg
            assert "configuration_error" in warning.msg
            assert "resolve_order(request, order_id)" in warning.hint
    # not mounted (tests.urls: the admin only): nothing to say
    assert "django_amazonpay.W025" not in messages()
    settings.AMAZON_PAY = {**GOOD, "ORDER_RESOLVER": RESOLVER}
    with override_settings(ROOT_URLCONF=MOUNTED):
        assert "django_amazonpay.W025" not in messages()


# -- Celery --------------------------------------------------------------------------------------


def test_ipn_mounted_without_a_celery_app_warns(settings: Any, no_celery_app: Any) -> None:
    settings.AMAZON_PAY = {**GOOD, "ORDER_RESOLVER": RESOLVER}
    for urlconf in (MOUNTED, NESTED):
        with override_settings(ROOT_URLCONF=urlconf):
            warning = messages()["django_amazonpay.W201"]
            assert "no Celery app" in warning.msg and "pending" in warning.msg
            assert "first-steps-with-django" in warning.hint
            assert "task_always_eager" in warning.hint
    assert no_celery_app.default_app is None, "the check must not create Celery's fallback app"
    assert "django_amazonpay.W201" not in messages()  # IPN not mounted


def test_celery_task_always_eager_alone_is_still_warned_and_explained(
    settings: Any, no_celery_app: Any
) -> None:
    # Celery's fallback app never reads Django's settings: .delay() would still go to amqp
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with override_settings(ROOT_URLCONF=MOUNTED):
        warning = messages()["django_amazonpay.W201"]
    assert "CELERY_TASK_ALWAYS_EAGER alone does nothing" in warning.hint


def test_celerys_unconfigured_fallback_app_warns_a_configured_one_does_not(
    settings: Any, no_celery_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def warned_with(app: Any) -> bool:
        monkeypatch.setattr(no_celery_app, "default_app", app)
        with override_settings(ROOT_URLCONF=MOUNTED):
            return "django_amazonpay.W201" in messages()

    def fallback() -> Celery:  # what celery._state makes when nothing else exists
        return Celery("default", fixups=[], set_as_current=False, loader="default")

    assert warned_with(fallback())
    eager = fallback()
    eager.conf.task_always_eager = True
    assert not warned_with(eager)
    with_broker = fallback()
    with_broker.conf.broker_url = "redis://127.0.0.1:6379/0"
    assert not warned_with(with_broker)
    assert not warned_with(Celery("shop", fixups=[], set_as_current=False))
    # an app current in this thread counts as well (set_current, as Celery() does by default)
    monkeypatch.setattr(no_celery_app._tls, "current_app", Celery("shop", fixups=[]))
    assert not warned_with(None)


def test_a_celeryconfig_module_configures_the_fallback_app(
    settings: Any, no_celery_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CELERY_CONFIG_MODULE", "tests.core.resolvers")  # any importable module
    with override_settings(ROOT_URLCONF=MOUNTED):
        assert "django_amazonpay.W201" not in messages()


def test_a_correctly_configured_host_gets_no_wiring_warnings(
    settings: Any, configured_celery: None
) -> None:
    settings.AMAZON_PAY = {**GOOD, "ORDER_RESOLVER": RESOLVER}
    for urlconf in (MOUNTED, NESTED):
        with override_settings(ROOT_URLCONF=urlconf):
            assert messages() == {}


# -- check --deploy: the simulator's URLs ------------------------------------------------------


def test_simulator_urls_routed_outside_debug_warn_on_deploy(settings: Any) -> None:
    # exposed on purpose (else plain `check` errors: tests/sandbox/test_exposure.py)
    settings.AMAZON_PAY = {**GOOD, "SANDBOX": False, "SIMULATOR_EXPOSED": True}
    for urlconf in (MOUNTED, NESTED):
        with override_settings(ROOT_URLCONF=urlconf):
            assert set(messages(deploy=True)) == {"django_amazonpay.W104"}
            assert "django_amazonpay.W104" not in messages()  # deploy only
            settings.DEBUG = True
            assert messages(deploy=True) == {}
            settings.DEBUG = False
    assert messages(deploy=True) == {}  # tests.urls: no simulator


def test_simulator_is_found_whichever_way_it_is_mounted() -> None:
    with override_settings(ROOT_URLCONF=MOUNTED):
        assert routes().simulator
    with override_settings(ROOT_URLCONF=NESTED):  # simulator_urls(...) two includes down
        found = routes()
        assert found.simulator
        assert {"amazon_pay_api", "amazon_pay_ipn"} <= found.namespaces
    assert not routes().simulator


def test_a_broken_urlconf_does_not_break_these_checks(settings: Any) -> None:
    # through the fixture, not @override_settings: the fixture's undo would restore the
    # decorator's URLconf after the decorator ended, and every later test would get it
    settings.ROOT_URLCONF = "tests.core.no_such_urls"
    settings.AMAZON_PAY = GOOD
    assert routes().namespaces == frozenset()
    assert check_host_wiring() == []
    assert {m.id for m in check_production_safety()} == {"django_amazonpay.W102"}


# -- E099: a misspelt key ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "suggested"),
    [
        ("ORDER_RESOLVR", "'ORDER_RESOLVER'"),
        ("order_resolver", "'ORDER_RESOLVER'"),
        ("SELER_ID", "'SELLER_ID'"),
        ("IPN_TOPIC_ARN", "'IPN_TOPIC_ARNS'"),
    ],
)
def test_a_misspelt_key_suggests_the_closest(settings: Any, typo: str, suggested: str) -> None:
    settings.AMAZON_PAY = {**GOOD, typo: "x"}
    error = messages()["django_amazonpay.E099"]
    assert typo in error.msg
    assert f"did you mean {suggested}" in error.hint
    assert "known keys" not in error.hint


def test_a_key_like_no_other_lists_them_all(settings: Any) -> None:
    settings.AMAZON_PAY = {**GOOD, "COLOUR": "blue", 7: "seven"}  # a non-string key too
    found = [
        m for m in checks.run_checks(tags=[checks.Tags.compatibility]) if m.id.endswith("E099")
    ]
    assert len(found) == 2
    for error in found:
        assert "did you mean" not in error.hint
        assert all(key in error.hint for key in DEFAULTS)
