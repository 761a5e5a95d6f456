"""A notification is a hint: it names an object, the app reads it from Amazon (the simulator)
and applies Amazon's answer. Nothing a notification says of the object is ever applied."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest

from django_amazonpay import services
from django_amazonpay.ipn import inbox
from django_amazonpay.models import Authorization, IpnMessage, OrderReference, StateTransition
from tests.ipn.helpers import (
    authorization_xml,
    deliveries,
    notification,
    open_order,
    pending_authorization,
    post_envelope,
    reads,
)
from tests.services.conftest import ITEMS

pytestmark = pytest.mark.django_db

FORGED_TIME = "2099-01-01T00:00:00.000Z"


def declined_authorization(sim: Any) -> tuple[Authorization, str]:
    """A hard-declined authorization and the NotificationData of its genuine IPN."""
    oro = services.start_checkout(
        sim.create_order_reference(payment_method="decline-invalid-payment-method-hard"),
        access_token="token",
    )
    oro = services.set_order_details(
        oro, items=ITEMS, shipping_fee=500, discount=1000, seller_order_id="ipn-declined"
    )
    result = services.authorize(services.confirm(oro), synchronous=True)
    assert result.outcome == "declined"
    auth = result.authorization
    return auth, authorization_xml(sim, auth.amazon_authorization_id)


def claims_open(xml: str) -> str:
    """The same NotificationData, saying Open, reason gone, updated in 2099."""
    xml = xml.replace("<State>Declined</State>", "<State>Open</State>")
    xml = re.sub(r"<ReasonCode>[^<]*</ReasonCode>", "", xml)
    return re.sub(
        r"<LastUpdateTimestamp>[^<]*</LastUpdateTimestamp>",
        f"<LastUpdateTimestamp>{FORGED_TIME}</LastUpdateTimestamp>",
        xml,
    )


def test_open_claimed_for_a_declined_authorization_leaves_it_declined(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auth, xml = declined_authorization(sim)
    assert "<State>Open</State>" in claims_open(xml)
    before = reads("GetAuthorizationDetails")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_envelope(
            csrf_client, sim, notification(sim, "PaymentAuthorize", claims_open(xml))
        )
    assert response.status_code == 200  # genuine as far as SNS goes: a hint worth a read
    assert reads("GetAuthorizationDetails") == before + 1
    auth.refresh_from_db()
    assert (auth.state, auth.reason_code) == ("Declined", "InvalidPaymentMethod")
    assert auth.amazon_updated_at is None or auth.amazon_updated_at.year < 2099
    assert not StateTransition.objects.filter(authorization=auth, to_state="Open").exists()
    message = IpnMessage.objects.get(notification_type="PaymentAuthorize")
    assert message.processing == "processed"
    assert message.result == f"{auth.amazon_authorization_id} read from Amazon: Declined"


def test_a_forged_future_timestamp_cannot_block_a_later_refresh(sim: Any) -> None:
    """A row as an older version left it after a forged IPN: Open, updated in 2099."""
    auth, _ = declined_authorization(sim)
    Authorization.objects.filter(pk=auth.pk).update(
        state="Open", reason_code="", amazon_updated_at=datetime(2099, 1, 1, tzinfo=timezone.utc)
    )
    refreshed = services.refresh(Authorization.objects.get(pk=auth.pk))
    assert (refreshed.state, refreshed.reason_code) == ("Declined", "InvalidPaymentMethod")
    refreshed.refresh_from_db()
    assert refreshed.state == "Declined"
    assert refreshed.amazon_updated_at.year < 2099  # Amazon's own timestamp replaced it


def test_a_stored_future_timestamp_is_no_ordering_fact() -> None:
    from datetime import timedelta

    from django.utils import timezone as dj_timezone

    from django_amazonpay.mws.types import Status
    from django_amazonpay.services.sync import is_stale

    now = dj_timezone.now()
    row = Authorization(state="Open", amazon_updated_at=now + timedelta(hours=2))
    assert not is_stale(row, Status("Declined", last_update=now))
    row.amazon_updated_at = now + timedelta(minutes=1)  # within clock skew: still orders
    assert is_stale(row, Status("Declined", last_update=now))


def test_notifications_about_one_object_cost_one_read(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Several notifications for one authorization, arrived before the worker ran: the first
    read began after all of them arrived, so it answers every one."""
    auth = pending_authorization(sim)
    sim.advance(31)
    [delivery] = deliveries(sim, "PaymentAuthorize")
    xml = delivery.message["NotificationData"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for _ in range(3):  # three distinct MessageIds: not SNS duplicates
            assert (
                post_envelope(
                    csrf_client, sim, notification(sim, "PaymentAuthorize", xml)
                ).status_code
                == 200
            )
    before = reads("GetAuthorizationDetails")
    for callback in callbacks:
        callback()
    assert reads("GetAuthorizationDetails") == before + 1
    messages = list(IpnMessage.objects.order_by("id"))
    assert [m.processing for m in messages] == ["processed"] * 3
    assert [m.result for m in messages[1:]] == [
        f"{auth.amazon_authorization_id}: answered by the read of #{messages[0].pk}"
    ] * 2
    auth.refresh_from_db()
    assert auth.state == "Open"
    assert StateTransition.objects.filter(authorization=auth, to_state="Open").count() == 1


def test_a_read_made_before_a_notification_arrived_does_not_answer_it(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auth = pending_authorization(sim)
    sim.advance(31)
    xml = deliveries(sim, "PaymentAuthorize")[0].message["NotificationData"]
    before = reads("GetAuthorizationDetails")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            post_envelope(csrf_client, sim, notification(sim, "PaymentAuthorize", xml))
    assert reads("GetAuthorizationDetails") == before + 2
    assert {m.read_target for m in IpnMessage.objects.all()} == {auth.amazon_authorization_id}


def test_a_read_in_progress_elsewhere_leaves_the_message_for_the_sweep(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.tasks.conftest import claimed_elsewhere

    auth = pending_authorization(sim)
    sim.advance(31)
    [delivery] = deliveries(sim, "PaymentAuthorize")
    with claimed_elsewhere(f"ipn-read:{auth.amazon_authorization_id}"):
        with django_capture_on_commit_callbacks(execute=True):
            post_envelope(csrf_client, sim, delivery.envelope)
        message = IpnMessage.objects.get()
        assert message.processing == "pending"
        assert "another read is in progress" in message.result
    IpnMessage.objects.filter(pk=message.pk).update(received_at=message.received_at.replace(2020))
    assert inbox.retry_inbox() == 1  # eager: processed now
    message.refresh_from_db()
    assert message.processing == "processed"
    auth.refresh_from_db()
    assert auth.state == "Open"


def test_reprocessing_reads_again(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    pending_authorization(sim)
    sim.advance(31)
    [delivery] = deliveries(sim, "PaymentAuthorize")
    with django_capture_on_commit_callbacks(execute=True):
        post_envelope(csrf_client, sim, delivery.envelope)
    before = reads("GetAuthorizationDetails")
    inbox.reprocess([IpnMessage.objects.get().pk])
    assert reads("GetAuthorizationDetails") == before + 1


def test_objects_not_ours_cost_no_read(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Another seller's ids in our own (trusted) notification: nothing is read or stored."""
    pending_authorization(sim)
    sim.advance(31)
    xml = deliveries(sim, "PaymentAuthorize")[0].message["NotificationData"]
    ours = re.search(r"<AmazonAuthorizationId>([^<]+)<", xml).group(1)
    stranger = "S03-0000000-0000000-A000001"
    before = (reads("GetAuthorizationDetails"), reads("GetOrderReferenceDetails"))
    with django_capture_on_commit_callbacks(execute=True):
        post_envelope(
            csrf_client, sim, notification(sim, "PaymentAuthorize", xml.replace(ours, stranger))
        )
    assert (reads("GetAuthorizationDetails"), reads("GetOrderReferenceDetails")) == before
    message = IpnMessage.objects.get()
    assert (message.processing, message.read_target) == ("ignored", "")
    assert message.result == f"{stranger} is not ours: nothing read"
    assert not Authorization.objects.filter(amazon_authorization_id=stranger).exists()


def test_an_authorization_made_elsewhere_on_our_order_is_imported_from_amazon(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Seller Central authorized our order reference: the notification leads to a
    reconciliation of that order reference, and Amazon's answer is what is stored."""
    from django_amazonpay.amounts import Amount
    from django_amazonpay.client import get_client

    oro = open_order(sim)
    elsewhere = get_client().authorize(
        oro.amazon_order_reference_id,
        authorization_reference_id="seller-central-1",
        amount=Amount(oro.amount, "JPY"),
        transaction_timeout=0,
    )
    made_elsewhere = Authorization.objects.filter(
        amazon_authorization_id=elsewhere.amazon_authorization_id
    )
    assert not made_elsewhere.exists()
    xml = authorization_xml(sim, elsewhere.amazon_authorization_id)
    with django_capture_on_commit_callbacks(execute=True):
        post_envelope(csrf_client, sim, notification(sim, "PaymentAuthorize", xml))
    imported = Authorization.objects.get(amazon_authorization_id=elsewhere.amazon_authorization_id)
    assert imported.order_reference_id == oro.pk
    assert imported.state == "Open"
    message = IpnMessage.objects.get()
    assert message.read_target == f"reconcile:{oro.amazon_order_reference_id}"
    assert message.result == f"{oro.amazon_order_reference_id} reconciled with Amazon"


def test_an_order_reference_notification_refreshes_the_order(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    oro = open_order(sim)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><OrderReferenceNotification '
        'xmlns="https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01">'
        f"<OrderReference><AmazonOrderReferenceId>{oro.amazon_order_reference_id}"
        "</AmazonOrderReferenceId><OrderTotal><Amount>1.0</Amount><CurrencyCode>JPY"
        "</CurrencyCode></OrderTotal><OrderReferenceStatus><State>Closed</State>"
        f"<LastUpdateTimestamp>{FORGED_TIME}</LastUpdateTimestamp></OrderReferenceStatus>"
        "<CreationTimestamp>2026-01-01T00:00:00.000Z</CreationTimestamp></OrderReference>"
        "</OrderReferenceNotification>"
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_envelope(csrf_client, sim, notification(sim, "OrderReferenceNotification", xml))
    stored = OrderReference.objects.get(pk=oro.pk)
    amazon = sim.get_object(oro.amazon_order_reference_id)
    assert stored.state == amazon["state"] != "Closed"  # Amazon's word, not the notification's
    assert stored.amount == oro.amount  # not the 1 JPY it claimed
