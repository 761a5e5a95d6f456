"""settle_pending: oldest first, one Get...Details each, budgets, claims, with the IPNs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from django_amazonpay import tasks
from django_amazonpay.models import Authorization, StateTransition
from django_amazonpay.services import settling
from tests.tasks.conftest import (
    calls,
    claimed_elsewhere,
    pending_authorization,
    trust_simulator_ipn,
)

pytestmark = pytest.mark.django_db


def test_pending_authorizations_are_settled_by_polling(sim: Any) -> None:
    auths = [pending_authorization(sim) for _ in range(3)]
    before = calls("GetAuthorizationDetails")
    sim.advance(31)
    result = tasks.settle_pending.delay().get()
    assert result["polled"] == 3 and result["changed"] == 3
    assert calls("GetAuthorizationDetails") - before == 3  # one each
    for auth in auths:
        auth.refresh_from_db()
        assert auth.state == "Open"
        transition = StateTransition.objects.get(authorization=auth, to_state="Open")
        assert transition.source == "poll"


def test_nothing_pending_makes_no_call(sim: Any) -> None:
    auth = pending_authorization(sim)
    sim.advance(31)
    tasks.settle_pending.delay().get()
    before = calls("GetAuthorizationDetails")
    result = tasks.settle_pending.delay().get()  # idempotent: the second run finds nothing
    assert result["polled"] == 0
    assert calls("GetAuthorizationDetails") == before
    assert StateTransition.objects.filter(authorization=auth, to_state="Open").count() == 1


def test_oldest_first_and_the_rest_left_for_the_next_run(sim: Any) -> None:
    auths = [pending_authorization(sim) for _ in range(3)]
    sim.advance(31)
    assert tasks.settle_pending.delay(limit=2).get()["polled"] == 2
    states = [Authorization.objects.get(pk=a.pk).state for a in auths]
    assert states == ["Open", "Open", "Pending"]
    tasks.settle_pending.delay(limit=2).get()
    assert Authorization.objects.get(pk=auths[2].pk).state == "Open"


def test_time_budget_stops_the_run(sim: Any) -> None:
    auths = [pending_authorization(sim) for _ in range(3)]
    sim.advance(31)
    ticks = iter([0.0, 0.0, 1.0, 5.0, 9.0])  # start, then one reading per object
    report = settling.settle_pending(budget=2.0, clock=lambda: next(ticks))
    assert (report.polled, report.left, report.stopped) == (2, 1, "time budget spent")
    assert Authorization.objects.get(pk=auths[2].pk).state == "Pending"


def test_a_claimed_object_is_skipped(sim: Any) -> None:
    auth = pending_authorization(sim)
    sim.advance(31)
    with claimed_elsewhere(f"settle:authorization:{auth.pk}"):  # another worker holds it
        report = settling.settle_pending()
    assert (report.polled, report.skipped) == (0, 1)


def test_object_settled_by_ipn_is_not_polled(
    sim: Any, client: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_amazonpay.ipn.processing import receive

    auth = pending_authorization(sim)
    trust_simulator_ipn(sim, settings)
    sim.advance(31)
    [delivery] = [d for d in sim.ipn.delivered if d.notification_type == "PaymentAuthorize"]
    with django_capture_on_commit_callbacks(execute=True):
        status, _, _ = receive(delivery.body, delivery.headers)
    assert status == 200
    before = calls("GetAuthorizationDetails")
    assert tasks.settle_pending.delay().get()["polled"] == 0
    assert calls("GetAuthorizationDetails") == before
    auth.refresh_from_db()
    assert auth.state == "Open"


def test_missed_ipn_is_caught_by_the_next_poll_and_recorded_once(
    sim: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_amazonpay.ipn.processing import receive

    auth = pending_authorization(sim)
    trust_simulator_ipn(sim, settings)
    sim.advance(31)
    tasks.settle_pending.delay().get()  # the IPN was "lost": the poll settles it
    [delivery] = [d for d in sim.ipn.delivered if d.notification_type == "PaymentAuthorize"]
    with django_capture_on_commit_callbacks(execute=True):
        receive(delivery.body, delivery.headers)  # ...and then it arrives after all
    transitions = StateTransition.objects.filter(authorization=auth, to_state="Open")
    assert [t.source for t in transitions] == ["poll"]  # the same transition once
    assert json.loads(delivery.envelope["Message"])["NotificationType"] == "PaymentAuthorize"


def test_transient_error_is_retried_by_the_task(sim: Any, settings: Any) -> None:
    from django_amazonpay.mws.errors import ServerError

    pending_authorization(sim)
    sim.advance(31)
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "MAX_RETRIES": 0}
    from django_amazonpay.client import reset_clients
    from django_amazonpay.testing import mount_simulator

    reset_clients()
    mount_simulator(sim)
    sim.faults.inject("GetAuthorizationDetails", "http_503", times=100)
    assert ServerError in tasks.settle_pending.autoretry_for
    with pytest.raises(ServerError):
        settling.settle_pending()


def test_pending_capture_and_refund_are_settled(sim: Any) -> None:
    from django_amazonpay import services
    from tests.tasks.conftest import open_order

    auth = services.authorize(open_order(sim), synchronous=True).authorization
    capture = services.capture(auth).capture
    refund = services.refund(capture, amount=100).refund
    assert refund.state == "Pending"
    sim.advance(40)
    result = tasks.settle_pending.delay().get()
    assert result["changed"] >= 1
    refund.refresh_from_db()
    assert refund.state == "Completed"
    assert StateTransition.objects.get(refund=refund, to_state="Completed").source == "poll"


def test_a_change_another_worker_made_meanwhile_is_not_counted_twice(
    sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Claims that are not shared (a per-process cache): worker B reads the pending row,
    worker A settles it, then B refreshes. One transition, and only A reports it."""
    import contextlib

    auth = pending_authorization(sim)
    sim.advance(31)
    real_refresh = settling.refresh
    reports: dict[str, settling.SettleReport] = {}

    @contextlib.contextmanager
    def unshared_claim(key: str):  # every worker believes it holds the object
        yield True

    def refresh_after_worker_a(obj: Any, **kwargs: Any) -> Any:
        if "A" not in reports:
            monkeypatch.setattr(settling, "refresh", real_refresh)
            reports["A"] = settling.settle_pending()  # runs to the end inside B's step
        return real_refresh(obj, **kwargs)

    monkeypatch.setattr(settling, "claim", unshared_claim)
    monkeypatch.setattr(settling, "refresh", refresh_after_worker_a)
    reports["B"] = settling.settle_pending()

    assert (reports["A"].polled, reports["A"].changed) == (1, 1)
    assert (reports["B"].polled, reports["B"].changed) == (1, 0)
    assert reports["B"].changed_ids == []
    assert StateTransition.objects.filter(authorization=auth, to_state="Open").count() == 1
