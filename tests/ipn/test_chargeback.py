"""A chargeback notification reaches the shop as a signal, with our capture (spec 6.5)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from django_amazonpay import services, signals
from tests.ipn.helpers import open_order, post_envelope

pytestmark = pytest.mark.django_db

NS = "https://mws.amazonservices.com/ipn/OffAmazonPayments/2013-01-01"


def _chargeback_xml(capture_id: str, oro_id: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><ChargebackNotification xmlns="{NS}">'
        "<ChargebackDetails><AmazonChargebackId>C9KORZRXQ655G</AmazonChargebackId>"
        f"<AmazonOrderReferenceId>{oro_id}</AmazonOrderReferenceId>"
        f"<AmazonCaptureReferenceId>{capture_id}</AmazonCaptureReferenceId>"
        "<CreationTimestamp>2026-11-23T10:00:00.000Z</CreationTimestamp>"
        "<ChargebackAmount><Amount>6500.0</Amount><CurrencyCode>JPY</CurrencyCode>"
        "</ChargebackAmount><ChargebackState>RECEIVED</ChargebackState>"
        "<ChargebackReason>Unauthorized Transaction Chargeback</ChargebackReason>"
        "</ChargebackDetails></ChargebackNotification>"
    )


def test_chargeback_signal_carries_the_capture_and_the_details(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    auth = services.authorize(open_order(sim)).authorization
    cap = services.capture(auth).capture
    receiver = mock.Mock()
    signals.chargeback_received.connect(receiver, weak=False)
    try:
        xml = _chargeback_xml(cap.amazon_capture_id, cap.order_reference.amazon_order_reference_id)
        # real messages spell the type with spaces (spec 6.4)
        envelope = sim.ipn.build_notification("Chargeback Detailed Notification", xml)
        with django_capture_on_commit_callbacks(execute=True):
            assert post_envelope(csrf_client, sim, envelope).status_code == 200
    finally:
        signals.chargeback_received.disconnect(receiver)
    receiver.assert_called_once()
    kwargs = receiver.call_args.kwargs
    assert kwargs["instance"].pk == cap.pk
    assert kwargs["chargeback"].amazon_chargeback_id == "C9KORZRXQ655G"
    assert kwargs["chargeback"].state == "RECEIVED"


def test_a_chargeback_on_a_capture_not_ours_is_signalled_without_a_read(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from tests.ipn.helpers import reads

    receiver = mock.Mock()
    signals.chargeback_received.connect(receiver, weak=False)
    before = reads("GetCaptureDetails"), reads("GetOrderReferenceDetails")
    try:
        xml = _chargeback_xml("S03-0000000-0000000-C000001", "S03-0000000-0000000")
        envelope = sim.ipn.build_notification("ChargebackDetailedNotification", xml)
        with django_capture_on_commit_callbacks(execute=True):
            assert post_envelope(csrf_client, sim, envelope).status_code == 200
    finally:
        signals.chargeback_received.disconnect(receiver)
    assert (reads("GetCaptureDetails"), reads("GetOrderReferenceDetails")) == before
    receiver.assert_called_once()
    assert receiver.call_args.kwargs["instance"] is None
    assert receiver.call_args.kwargs["chargeback"].amazon_chargeback_id == "C9KORZRXQ655G"
