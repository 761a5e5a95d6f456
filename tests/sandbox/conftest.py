"""Fixtures shared by the simulator's protocol tests."""

import pytest
import requests


@pytest.fixture
def sim(amazon_pay_simulator):
    return amazon_pay_simulator


@pytest.fixture
def session(sim):
    """A plain requests session routed to the simulator in-process."""
    s = requests.Session()
    sim.mount(s)
    return s
