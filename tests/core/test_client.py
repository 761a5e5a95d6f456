"""The shared client: one per process, and bounded waiting for a person who is waiting."""

import pytest

from django_amazonpay.client import get_client, interactive, reset_clients
from django_amazonpay.mws.errors import ServerError


@pytest.fixture
def client(amazon_pay_simulator, db):
    reset_clients()
    from django_amazonpay.testing import mount_simulator

    mount_simulator(amazon_pay_simulator)
    yield get_client()
    reset_clients()


def test_one_client_per_process(client):
    assert get_client().session is client.session


def test_interactive_calls_give_up_instead_of_backing_off(client, amazon_pay_simulator):
    sleeps = []
    client.sleep = sleeps.append
    oro = amazon_pay_simulator.create_order_reference()
    amazon_pay_simulator.faults.inject("GetOrderReferenceDetails", "http_503", times=3)
    with interactive(max_wait=0), pytest.raises(ServerError):
        get_client().get_order_reference_details(oro)
    assert sleeps == []
    # outside, the same faults are ridden out with backoff
    amazon_pay_simulator.faults.clear()
    amazon_pay_simulator.faults.inject("GetOrderReferenceDetails", "http_503", times=2)
    assert get_client().get_order_reference_details(oro).status.state == "Draft"
    assert len(sleeps) == 2
