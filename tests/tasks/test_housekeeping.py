"""close_finished_orders, cancel_unauthorized_orders, warn_expiring_authorizations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from django_amazonpay import services, signals, tasks
from django_amazonpay.models import Authorization, OrderReference, StateTransition
from tests.tasks.conftest import open_order

pytestmark = pytest.mark.django_db


def _captured(sim: Any, amount: Any = None) -> OrderReference:
    oro = open_order(sim)
    auth = services.authorize(oro, synchronous=True, amount=amount).authorization
    services.capture(auth)
    return OrderReference.objects.get(pk=oro.pk)


def test_fully_captured_order_is_closed(sim: Any) -> None:
    oro = _captured(sim)
    partial = _captured(sim, amount=1000)
    result = tasks.close_finished_orders.delay().get()
    assert result["done"] == 1
    oro.refresh_from_db()
    partial.refresh_from_db()
    assert (oro.state, oro.reason_code) == ("Closed", "SellerClosed")
    assert partial.state == "Open"
    assert tasks.close_finished_orders.delay().get()["done"] == 0  # idempotent


def test_days_after_capture_policy(sim: Any, settings: Any) -> None:
    from django_amazonpay.models import Capture
    from tests.tasks.conftest import reset_clients

    partial = _captured(sim, amount=1000)
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "CLOSE_POLICY": "days_after_capture"}
    reset_clients()
    from django_amazonpay.testing import mount_simulator

    mount_simulator(sim)
    assert tasks.close_finished_orders.delay().get()["done"] == 0  # captured today
    Capture.objects.filter(order_reference=partial).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    assert tasks.close_finished_orders.delay().get()["done"] == 1
    partial.refresh_from_db()
    assert partial.state == "Closed"


def test_never_authorized_order_is_canceled_after_the_timeout(sim: Any) -> None:
    old = open_order(sim)
    fresh = open_order(sim)
    authorized = _captured(sim, amount=1000)
    OrderReference.objects.update(created_at=timezone.now() - timedelta(hours=25))
    OrderReference.objects.filter(pk=fresh.pk).update(created_at=timezone.now())
    result = tasks.cancel_unauthorized_orders.delay().get()
    assert result["done"] == 1
    states = {o.pk: o.state for o in OrderReference.objects.all()}
    assert states[old.pk] == "Canceled"
    assert states[fresh.pk] == "Open" and states[authorized.pk] == "Open"
    transition = StateTransition.objects.get(order_reference=old, to_state="Canceled")
    assert transition.reason_code == "SellerCanceled"


def test_expiring_authorization_warned_once(
    sim: Any, django_capture_on_commit_callbacks: Any
) -> None:
    receiver = mock.create_autospec(lambda sender, **kwargs: None)
    signals.authorization_expiring.connect(receiver, dispatch_uid="test-expiring")
    try:
        auth = services.authorize(open_order(sim), synchronous=True).authorization
        fresh = services.authorize(open_order(sim), synchronous=True).authorization
        # sandbox authorizations expire 2 days after creation (spec 3.6); warn 24 h before
        Authorization.objects.filter(pk=auth.pk).update(
            amazon_created_at=timezone.now() - timedelta(hours=30)
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.warn_expiring_authorizations.delay().get() == {"warned": 1}
            # the mark is in the database: a flushed cache does not send it again
            from django.core.cache import cache

            cache.clear()
            assert tasks.warn_expiring_authorizations.delay().get() == {"warned": 0}
    finally:
        signals.authorization_expiring.disconnect(dispatch_uid="test-expiring")
    auth.refresh_from_db()
    assert auth.expiry_warned_at is not None
    receiver.assert_called_once()
    assert receiver.call_args.kwargs["instance"].pk == auth.pk
    assert fresh.pk != auth.pk
