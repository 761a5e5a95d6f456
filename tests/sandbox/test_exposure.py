"""With DEBUG off a mounted simulator answers nothing unless AMAZON_PAY["SIMULATOR_EXPOSED"]
is True, and plain `manage.py check` (not only --deploy) reports such a mount as an error."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.urls import include, path

from django_amazonpay.sandbox.exposure import exposed_in_tests, simulator_exposed
from django_amazonpay.sandbox.urls import simulator_urls

from .test_protocol import common, signed

CURRENT: dict = {}
urlpatterns = [path("sim/", include(simulator_urls(lambda: CURRENT["sim"])))]
PREFIX = "/sim"
GOOD = {"SELLER_ID": "A1", "ACCESS_KEY": "AK", "SECRET_KEY": "SK", "REGION": "jp"}


@pytest.fixture
def mounted(amazon_pay_simulator: Any, settings: Any) -> Any:
    settings.ROOT_URLCONF = __name__
    CURRENT["sim"] = amazon_pay_simulator
    yield amazon_pay_simulator
    CURRENT.clear()


def _every_kind_of_request(client: Any, sim: Any) -> list[int]:
    oro = sim.create_order_reference()
    mws = PREFIX + "/OffAmazonPayments_Sandbox/2013-01-01"
    params = signed(common(sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro),
                    sim.credentials[sim.access_key], "POST", "testserver", mws)  # fmt: skip
    return [
        client.get(PREFIX + "/").status_code,
        client.get(PREFIX + "/sandbox/buyer/sign-in", {"return_url": "/"}).status_code,
        client.get(PREFIX + "/sandbox/state").status_code,
        client.get(PREFIX + "/sandbox/sns/cert.pem").status_code,
        client.post(PREFIX + "/sandbox/reset").status_code,
        client.post(
            mws, urlencode(params), content_type="application/x-www-form-urlencoded"
        ).status_code,
    ]


def test_debug_off_a_mount_answers_404_to_everything(client, admin_client, mounted) -> None:
    assert not simulator_exposed()
    assert set(_every_kind_of_request(client, mounted)) == {404}
    assert set(_every_kind_of_request(admin_client, mounted)) == {404}  # staff too
    assert mounted.engine.summary(0)["counts"]["OrderReference"] == 2  # the reset did not run


def test_debug_on_serves_it(client, mounted, settings) -> None:
    settings.DEBUG = True
    statuses = _every_kind_of_request(client, mounted)
    assert statuses[:2] == [200, 200]
    assert statuses[2] == 403 and statuses[4] == 403  # the controls: staff only
    assert statuses[3] == 200 and statuses[5] == 200


@pytest.mark.parametrize("value", [True, "yes", 1, "True"])
def test_only_an_explicit_true_exposes_it(client, mounted, settings, value) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "SIMULATOR_EXPOSED": value}
    expected = 200 if value is True else 404
    assert client.get(PREFIX + "/").status_code == expected


def test_the_test_fixture_exposes_it_for_the_test_only(client, mounted) -> None:
    with exposed_in_tests():
        assert client.get(PREFIX + "/").status_code == 200
    assert client.get(PREFIX + "/").status_code == 404


# -- manage.py check ---------------------------------------------------------------------------


def _check_ids() -> set[str]:
    found = checks.run_checks(tags=[checks.Tags.security])
    return {m.id for m in found if m.id.startswith("django_amazonpay")}


@pytest.mark.parametrize("urlconf", ["tests.core.urls_mounted", "tests.core.urls_nested"])
def test_plain_check_errors_on_a_simulator_routed_with_debug_off(settings, urlconf) -> None:
    settings.AMAZON_PAY = GOOD
    with override_settings(ROOT_URLCONF=urlconf):
        assert "django_amazonpay.E104" in _check_ids()
        found = checks.run_checks(tags=[checks.Tags.security])
        error = next(m for m in found if m.id == "django_amazonpay.E104")
        assert error.level == checks.ERROR and "SIMULATOR_EXPOSED" in error.hint
        with pytest.raises(SystemCheckError, match="E104"):
            call_command("check")
        settings.DEBUG = True
        assert "django_amazonpay.E104" not in _check_ids()
        settings.DEBUG = False
        settings.AMAZON_PAY = {**GOOD, "SIMULATOR_EXPOSED": True}
        assert "django_amazonpay.E104" not in _check_ids()
        settings.AMAZON_PAY = {**GOOD, "SIMULATOR_EXPOSED": "yes"}  # not consent; and a bad value
        ids = _check_ids()
        assert "django_amazonpay.E104" in ids
    with override_settings(ROOT_URLCONF="tests.urls"):
        assert "django_amazonpay.E104" not in _check_ids()  # it routes no simulator
