"""Scheduled work draws on the background share of the MWS quota (docs/api.md, Quota shares).

Every MWS call a task makes passes its class to the throttle; a buyer-facing flood can then
never take the tokens settle, close, cancel, reconcile and IPN work need, and the other way
round. The client's token step is wrapped to record the class each call would take from.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from django_amazonpay import services, tasks
from django_amazonpay.models import OrderReference
from django_amazonpay.mws.throttle import BACKGROUND, INTERACTIVE, current_share
from django_amazonpay.mws.transport import BaseClient
from tests.tasks.conftest import open_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def shares(monkeypatch: pytest.MonkeyPatch, settings: Any) -> Iterator[list[tuple[str, str]]]:
    """(operation, share) of every call about to take its token, throttling on."""
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "THROTTLE": True}
    seen: list[tuple[str, str]] = []
    real = BaseClient._wait_for_token

    def recording(self: BaseClient, operation: str, state: Any) -> None:
        seen.append((operation, current_share()))
        real(self, operation, state)

    monkeypatch.setattr(BaseClient, "_wait_for_token", recording)
    yield seen


def _only_background(seen: list[tuple[str, str]]) -> None:
    assert seen, "the job made no MWS call: the test proves nothing"
    assert {share for _, share in seen} == {BACKGROUND}, seen


def test_a_buyer_step_outside_any_job_is_interactive(sim: Any, shares: Any) -> None:
    open_order(sim)
    assert {share for _, share in shares} == {INTERACTIVE}


def test_settle_runs_in_the_background_share(sim: Any, shares: Any) -> None:
    oro = open_order(sim)
    services.authorize(oro, synchronous=False)
    shares.clear()
    tasks.settle_pending.delay().get()
    _only_background(shares)


def test_close_and_cancel_runs_in_the_background_share(sim: Any, shares: Any) -> None:
    oro = open_order(sim)
    services.capture(services.authorize(oro, synchronous=True).authorization)
    stale = open_order(sim)
    OrderReference.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    shares.clear()
    assert tasks.close_finished_orders.delay().get()["done"] == 1
    assert tasks.cancel_unauthorized_orders.delay().get()["done"] == 1
    _only_background(shares)


def test_reconcile_runs_in_the_background_share(sim: Any, shares: Any) -> None:
    open_order(sim)
    shares.clear()
    tasks.reconcile_open_orders.delay().get()
    _only_background(shares)
