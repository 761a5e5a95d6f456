"""Amazon's refusals and silences are shown as error messages, and nothing is changed."""

from __future__ import annotations

import pytest

from django_amazonpay.client import get_client
from django_amazonpay.models import Capture, OrderReference, Refund, StateTransition

from .conftest import admin_url, messages_of

pytestmark = pytest.mark.django_db


def test_closing_an_order_reference_amazon_canceled_shows_amazons_error(staff, authorized) -> None:
    oro = authorized().order_reference
    # Amazon canceled it; we have not heard yet and still think it Open
    get_client().cancel_order_reference(oro.amazon_order_reference_id)
    transitions = StateTransition.objects.count()
    response = staff.post(admin_url("orderreference_close", oro.pk), {"reason": ""})
    assert response.status_code == 200  # the confirmation page again
    [message] = messages_of(response)
    assert message.startswith("Amazon refused the request (")
    assert "Amazon refused the request" in response.content.decode()
    assert OrderReference.objects.get(pk=oro.pk).state == "Open"
    assert StateTransition.objects.count() == transitions


def test_capturing_an_authorization_amazon_closed_shows_amazons_error(
    staff, authorized, sim
) -> None:
    auth = authorized()
    get_client().close_authorization(auth.amazon_authorization_id)
    response = staff.post(
        admin_url("authorization_capture", auth.pk), {"authorization": auth.pk, "amount": "6500"}
    )
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Amazon refused the request (")
    # the service's intent row is marked failed: no money moved, nothing at Amazon
    assert not Capture.objects.exclude(attempt_state="failed").exists()
    assert sim.get_object(auth.amazon_authorization_id)["id_list"] == []


def test_amazon_unavailable_on_refresh_is_shown(staff, authorized, sim) -> None:
    oro = authorized().order_reference
    sim.faults.inject("GetOrderReferenceDetails", "http_503", times=10)
    response = staff.post(admin_url("orderreference_refresh", oro.pk))
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message.startswith("Amazon Pay did not answer; nothing was changed here.")
    assert "ServiceUnavailable" in message
    assert OrderReference.objects.get(pk=oro.pk).state == "Open"


def test_capturing_an_authorization_closed_here_is_not_offered(staff, authorized) -> None:
    auth = authorized()
    staff.post(admin_url("authorization_close_authorization", auth.pk), {"reason": ""})
    response = staff.post(
        admin_url("authorization_capture", auth.pk),
        {"authorization": auth.pk, "amount": "6500"},
        follow=True,
    )
    assert any("not possible" in m for m in messages_of(response))
    assert not Capture.objects.exists()


def test_a_capture_without_answer_is_reconciled_before_reporting(staff, authorized, sim) -> None:
    auth = authorized()
    # Amazon captures; every answer, retries included, is lost
    sim.faults.inject("Capture", "lost_response", times=10)
    response = staff.post(
        admin_url("authorization_capture", auth.pk),
        {"authorization": auth.pk, "amount": "6500"},
        follow=True,
    )
    cap = Capture.objects.get(authorization=auth)
    # the service read the authorization back and adopted the capture from its IdList:
    # the message tells what is stored now, not the lost answer
    assert (cap.attempt_state, cap.state) == ("done", "Completed")
    assert messages_of(response) == [f"Captured 6,500 JPY ({cap})."]


def test_a_refund_without_answer_is_reported_in_doubt(staff, captured, sim) -> None:
    cap = captured()
    sim.faults.inject("Refund", "lost_response", times=10)
    response = staff.post(
        admin_url("capture_refund", cap.pk), {"capture": cap.pk, "amount": "1000"}, follow=True
    )
    assert any("in doubt" in m for m in messages_of(response))
    ref = Refund.objects.get(capture=cap)
    assert ref.attempt_state == "in_doubt"
    sim.faults.clear()
    staff.post(admin_url("refund_refresh", ref.pk))
    ref.refresh_from_db()
    assert (ref.attempt_state, ref.state) == ("done", "Pending")
    assert Refund.objects.filter(capture=cap).count() == 1
