"""The pytest plugin a host shop uses (django_amazonpay.testing), as a new user meets it."""

from __future__ import annotations

from typing import Any

import pytest

from django_amazonpay.client import get_client, reset_throttle_buckets
from django_amazonpay.sandbox.simulator import Simulator

pytestmark = pytest.mark.django_db


def test_a_project_mount_as_endpoint_works_in_process(amazon_pay_simulator, settings) -> None:
    """ENDPOINT set to a project's simulator mount (the README's in-project setup): the
    in-process route passes the prefix as SCRIPT_NAME, so the signed path matches."""
    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY,
        "ENDPOINT": "http://127.0.0.1:8000/amazonpay-sandbox",
    }
    oro = amazon_pay_simulator.create_order_reference()
    details = get_client().get_order_reference_details(oro)
    assert details.amazon_order_reference_id == oro


def test_changing_amazon_pay_mid_test_keeps_the_simulator(amazon_pay_simulator, settings) -> None:
    oro = amazon_pay_simulator.create_order_reference()
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "READ_TIMEOUT": 7.0}  # the clients are rebuilt
    client = get_client()
    assert client.config.read_timeout == 7.0
    assert client.get_order_reference_details(oro).status.state == "Draft"


def test_after_the_test_the_clients_are_no_longer_routed(settings) -> None:
    sim = Simulator(seller_id="A1TESTSELLER00", access_key="AKIATESTACCESSKEY",
                    secret_key="test-secret-key/with+chars=", region="jp")  # fmt: skip
    from django_amazonpay.testing import mount_simulator, unmount_simulator

    assert mount_simulator(sim)
    oro = sim.create_order_reference()
    assert get_client().get_order_reference_details(oro).amazon_order_reference_id == oro
    unmount_simulator(sim)
    adapter = get_client().session.get_adapter(get_client().url)
    assert type(adapter).__name__ == "MwsAdapter"  # the real transport again


def test_each_test_starts_with_full_throttle_buckets(
    amazon_pay_simulator: Any, settings: Any
) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "THROTTLE": True}
    client = get_client()
    seller = client.config.seller_id
    waits = [client.throttle.reserve(seller, "Authorize", None) for _ in range(4)]
    assert waits[:2] == [0.0, 0.0] and waits[3] > 0  # sandbox Authorize: 2, then 1 per 2 s
    reset_throttle_buckets()  # what the fixture does before each test
    assert client.throttle.reserve(seller, "Authorize", None) == 0.0
