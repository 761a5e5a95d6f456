"""PaymentsEngine: timers and expirations, notifications, snapshot/restore, thread safety."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import xmltodict

from django_amazonpay.sandbox.engine import Notification, PaymentsEngine
from tests.sandbox.test_engine import Harness


@pytest.fixture
def h() -> Harness:
    return Harness()


# == timers =====================================================================================
def test_draft_becomes_stale_after_three_hours(h: Harness) -> None:
    oro = h.engine.create_order_reference()
    h.advance(hours=2, minutes=59)
    assert h.state(oro) == ("Draft", None)
    h.advance(minutes=1)
    assert h.state(oro) == ("Canceled", "Stale")
    assert h.notes[-1].notification_type == "OrderReferenceNotification"
    status = h.get_order(oro)["OrderReferenceStatus"]
    assert status["LastUpdateTimestamp"] == "2018-02-17T18:19:06.399Z"  # the due time


def test_confirmed_order_is_not_stale_and_expires_after_180_days(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    h.advance(hours=4)
    assert h.state(oro) == ("Open", None)
    h.advance(days=180)
    assert h.state(oro) == ("Closed", "Expired")
    # the authorization expired long before: 2 days in the sandbox (spec 3.6)
    assert h.state(auth_id) == ("Closed", "ExpiredUnused")


def test_sandbox_authorization_expires_after_two_days(h: Harness) -> None:
    oro = h.open_order()
    auth = h.authorize(oro, "1000")
    assert auth["ExpirationTimestamp"] == "2018-03-19T15:19:06.399Z"  # still + 30 days
    h.advance(days=2, seconds=-1)
    assert h.state(auth["AmazonAuthorizationId"]) == ("Open", None)
    h.advance(seconds=1)
    assert h.state(auth["AmazonAuthorizationId"]) == ("Closed", "ExpiredUnused")
    assert h.notes[-1].notification_type == "PaymentAuthorize"


def test_live_authorization_expires_after_thirty_days(h: Harness) -> None:
    oro = h.open_order(env="Live")
    auth_id = h.authorize(oro, "1000", env="Live")["AmazonAuthorizationId"]
    assert auth_id.startswith("P03-")
    h.advance(days=29)
    assert h.state(auth_id) == ("Open", None)
    h.advance(days=1)
    assert h.state(auth_id) == ("Closed", "ExpiredUnused")
    assert h.notes[-1].environment == "Live"


def test_captured_authorization_does_not_expire(h: Harness) -> None:
    _, auth_id, _ = h.captured_order()
    h.notes.clear()
    h.advance(days=3)
    assert h.state(auth_id) == ("Closed", "MaxCapturesProcessed")
    assert h.notes == []


# == notifications ==============================================================================
def test_notify_all_changes_reports_synchronous_changes_too() -> None:
    h = Harness(notify_all_changes=True)
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000")["AmazonAuthorizationId"]
    cap_id = h.capture(auth_id, "1000")["AmazonCaptureId"]
    types = [(n.notification_type, n.object_id) for n in h.notes]
    assert ("OrderReferenceNotification", oro) in types
    assert ("PaymentAuthorize", auth_id) in types
    assert ("PaymentCapture", cap_id) in types


def test_notification_documents_parse_with_ipn_shapes() -> None:
    h = Harness(notify_all_changes=True)
    _, auth_id, cap_id = h.captured_order()
    h.refund(cap_id, "100")
    h.advance(seconds=31)
    by_type = {n.notification_type: n for n in h.notes}
    auth_doc = xmltodict.parse(by_type["PaymentAuthorize"].data_xml)["AuthorizationNotification"]
    assert auth_doc["@xmlns"] == "https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01"
    assert auth_doc["AuthorizationDetails"]["AmazonAuthorizationId"] == auth_id
    cap_doc = xmltodict.parse(by_type["PaymentCapture"].data_xml)["CaptureNotification"]
    assert cap_doc["CaptureDetails"]["AmazonCaptureId"] == cap_id
    assert cap_doc["CaptureDetails"]["IdList"] is None  # rendered at capture time
    ref_doc = xmltodict.parse(by_type["PaymentRefund"].data_xml)["RefundNotification"]
    assert ref_doc["RefundDetails"]["RefundStatus"]["State"] == "Completed"
    assert ref_doc["RefundDetails"]["RefundAmount"]["Amount"] == "100.0"
    oro_doc = xmltodict.parse(by_type["OrderReferenceNotification"].data_xml)
    attrs = oro_doc["OrderReferenceNotification"]["OrderReference"]["SellerOrderAttributes"]
    assert attrs["SellerId"] == "A9FVERUG2LKDK"


def test_notification_shows_the_state_at_the_time_of_the_change(h: Harness) -> None:
    oro = h.open_order()
    auth_id = h.authorize(oro, "1000", timeout="5")["AmazonAuthorizationId"]
    h.advance(days=3)  # settles (Open) and then expires (Closed) in one advance
    states = [
        xmltodict.parse(n.data_xml)["AuthorizationNotification"]["AuthorizationDetails"][
            "AuthorizationStatus"
        ]["State"]
        for n in h.notes
        if n.object_id == auth_id
    ]
    assert states == ["Open", "Closed"]


def test_notify_may_call_back_into_the_engine_from_any_thread(h: Harness) -> None:
    seen: list[str] = []

    def notify(notification: Notification) -> None:
        seen.append(engine.get_object(notification.object_id)["state"])
        worker = threading.Thread(target=lambda: seen.append(str(len(engine.snapshot()))))
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive()

    engine = PaymentsEngine(
        seller_id="S", region=h.region, clock=h.clock, settings=h.engine.settings, notify=notify
    )
    h.engine = engine
    oro = h.open_order()
    h.authorize(oro, "1000", timeout="5")
    h.advance(seconds=30)
    assert seen[0] == "Open" and len(seen) == 2


# == snapshot / restore / reset =================================================================
def test_snapshot_restore_round_trip_keeps_objects_timers_and_ids(h: Harness) -> None:
    oro, _, cap_id = h.captured_order()
    pending = h.authorize(oro, "1000", timeout="60", ref="pending-auth")["AmazonAuthorizationId"]
    ref_id = h.refund(cap_id, "500", ref="refund-1")["AmazonRefundId"]
    data = json.loads(json.dumps(h.engine.snapshot()))

    other = Harness()
    other.clock.advance(0)
    other.engine.restore(data)
    assert other.engine.get_object(oro) == h.engine.get_object(oro)
    assert other.engine.get_object(cap_id) == h.engine.get_object(cap_id)
    assert other.get_order(oro) == h.get_order(oro)
    # timers survive: the refund completes after 31 s on the restored engine too
    other.advance(seconds=31)
    assert other.state(ref_id) == ("Completed", None)
    assert other.state(pending) == ("Open", None)
    # idempotency ledger survives
    assert other.refund(cap_id, "500", ref="refund-1")["AmazonRefundId"] == ref_id
    # the id sequence continues identically
    assert other.engine.create_order_reference() == h.engine.create_order_reference()
    assert json.loads(json.dumps(other.engine.snapshot())) != data


def test_reset_forgets_everything(h: Harness) -> None:
    oro = h.open_order()
    h.engine.reset()
    assert h.error("GetOrderReferenceDetails", AmazonOrderReferenceId=oro).status == 404
    assert h.engine.create_order_reference() == oro  # same seed, same first id


# == thread safety ==============================================================================
def test_threads_authorizing_distinct_reference_ids(h: Harness) -> None:
    oros = [h.open_order("100000") for _ in range(4)]
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            for n in range(10):
                oro = oros[(index + n) % len(oros)]
                auth = h.authorize(oro, "100", ref=f"t{index}-{n}")
                assert auth["AuthorizationStatus"]["State"] == "Open"
                h.capture(auth["AmazonAuthorizationId"], "100", ref=f"c{index}-{n}")
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    counts = [len(h.engine.get_object(o)["id_list"]) for o in oros]
    assert sum(counts) == 40 and all(c == 10 for c in counts)
    ids = [a for o in oros for a in h.engine.get_object(o)["id_list"]]
    assert len(set(ids)) == 40


def test_many_calls_stay_fast(h: Harness) -> None:
    oro = h.open_order("10000000")
    for n in range(300):
        h.call("GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
        if n % 30 == 0:
            h.clock.advance(timedelta(seconds=1))
    assert h.state(oro) == ("Open", None)
