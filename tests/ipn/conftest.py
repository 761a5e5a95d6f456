"""IPN tests: the simulator signs, the app trusts it (IPN_TRUST_SIMULATOR), tasks run eagerly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from django_amazonpay.client import reset_clients
from django_amazonpay.ipn import admin as ipn_admin  # noqa: F401  (registers the inbox admin)
from django_amazonpay.ipn.sns import forget_certificates
from tests.celery_app import app as celery_app

IPN_URL = "/amazon-pay/ipn/"


@pytest.fixture(autouse=True)
def _ipn_setup(settings: Any) -> Iterator[None]:
    celery_app.conf.task_always_eager = True
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TRUST_SIMULATOR": True}
    settings.ROOT_URLCONF = "tests.ipn.urls"
    reset_clients()
    forget_certificates()
    from django.core.cache import cache

    cache.clear()
    yield
    reset_clients()
    forget_certificates()


@pytest.fixture
def sim(amazon_pay_simulator: Any) -> Any:
    return amazon_pay_simulator


@pytest.fixture
def csrf_client() -> Client:
    """SNS never sends a CSRF token: the endpoint must work with checks enforced."""
    return Client(enforce_csrf_checks=True)
