"""Retries, backoff bounds, transport failures and the repeat-resolution rules of spec 3.9."""

from __future__ import annotations

import random
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from urllib3.exceptions import NewConnectionError, ProtocolError

from django_amazonpay.mws import PaymentsClient, RetryPolicy, errors
from django_amazonpay.mws.retry import NO_WAIT, CallOptions, backoff

from .conftest import FakeAdapter, FakeSleep, fixture, jpy, make_config

NS = 'xmlns="http://mws.amazonservices.com/schema/OffAmazonPayments/2013-01-01"'
ORO_ID = "S03-1571525-4435073"
AUTH_ID = "S03-1571525-4435073-A061901"
CAPTURE_ID = "S03-1571525-4435073-C061901"


def error(code: str, type_: str = "Sender") -> str:
    return (
        f"<ErrorResponse {NS}><Error><Type>{type_}</Type><Code>{code}</Code>"
        f"<Message>m</Message></Error><RequestId>rid-{code}</RequestId></ErrorResponse>"
    )


def ack(operation: str) -> str:
    return (
        f"<{operation}Response {NS}><{operation}Result/><ResponseMetadata>"
        f"<RequestId>rid-ok</RequestId></ResponseMetadata></{operation}Response>"
    )


def as_operation(body: bytes, source: str, target: str) -> bytes:
    """A recorded answer of `source` re-labelled as the answer of `target`."""
    for old, new in (
        (f"<{source}Response ", f"<{target}Response "),
        (f"</{source}Response>", f"</{target}Response>"),
        (f"{source}Result", f"{target}Result"),
    ):
        body = body.replace(old.encode(), new.encode())
    return body


def oro_in_state(state: str) -> bytes:
    return fixture("GetOrderReferenceDetails", "closed_seed000").replace(
        b"<State>Closed</State>", f"<State>{state}</State>".encode()
    )


def refund_details(operation: str, refund_id: str, reference: str) -> str:
    return (
        f"<{operation}Response {NS}><{operation}Result><RefundDetails>"
        f"<AmazonRefundId>{refund_id}</AmazonRefundId><RefundReferenceId>{reference}"
        "</RefundReferenceId><RefundStatus><State>Pending</State></RefundStatus>"
        "<RefundAmount><Amount>800.00</Amount><CurrencyCode>JPY</CurrencyCode></RefundAmount>"
        f"</RefundDetails></{operation}Result><ResponseMetadata><RequestId>r</RequestId>"
        f"</ResponseMetadata></{operation}Response>"
    )


GET_ORO = fixture("GetOrderReferenceDetails", "closed_seed000")
THROTTLED = fixture("ErrorResponse", "throttled_request_id_caps")


# -- backoff --------------------------------------------------------------------------------


@given(attempt=st.integers(1, 12), r=st.floats(0, 1, exclude_max=True))
def test_full_jitter_bounds(attempt: int, r: float) -> None:
    policy = RetryPolicy(max_retries=5, backoff_base=0.5, backoff_max=8.0)
    pause = backoff(attempt, policy, lambda: r)
    assert 0 <= pause <= min(8.0, 0.5 * 2 ** (attempt - 1))


def test_jitter_actually_spreads() -> None:
    rng = random.Random(4)
    pauses = {round(backoff(3, RetryPolicy(), rng.random), 3) for _ in range(50)}
    assert len(pauses) > 40 and max(pauses) <= 4.0


# -- reads ----------------------------------------------------------------------------------


def test_throttled_read_is_retried_with_backoff(
    fake_client: PaymentsClient, fake: FakeAdapter, sleeps: FakeSleep, records: list[Any]
) -> None:
    fake.add(503, THROTTLED).add(503, THROTTLED).add(200, GET_ORO)
    assert fake_client.get_order_reference_details(ORO_ID).status.state == "Closed"
    assert sleeps.calls == [0.5, 1.0]  # rand=0.5 of 1 s, 2 s
    assert len(fake.requests) == 3
    assert records[-1].attempts == 3 and records[-1].outcome == "ok"
    assert records[-1].request_id == "0a15ade8-415e-48e2-8a2d-573e8b4b921c"


def test_server_errors_stop_after_max_retries(
    fake_client: PaymentsClient, fake: FakeAdapter, sleeps: FakeSleep, records: list[Any]
) -> None:
    for _ in range(4):
        fake.add(500, error("InternalServerError", "Receiver"))
    with pytest.raises(errors.ServerError):
        fake_client.get_service_status()
    assert len(fake.requests) == 4 and len(sleeps.calls) == 3
    assert records[-1].attempts == 4 and records[-1].error_code == "InternalServerError"
    assert records[-1].http_status == 500


def test_a_load_balancers_html_503_is_retried_like_amazons(
    fake_client: PaymentsClient, fake: FakeAdapter, sleeps: FakeSleep, records: list[Any]
) -> None:
    fake.add(503, b"<html><body>503 Service Temporarily Unavailable</body></html>")
    fake.add(502, b"")
    fake.add(200, GET_ORO)
    details = fake_client.get_order_reference_details(ORO_ID)
    assert details.amazon_order_reference_id == ORO_ID
    assert len(fake.requests) == 3 and len(sleeps.calls) == 2
    assert records[-1].attempts == 3 and records[-1].outcome == "ok"


def test_a_view_of_a_view_keeps_what_it_does_not_override(fake_client: PaymentsClient) -> None:
    budgeted = fake_client.with_options(max_wait=1.0)  # what interactive() hands out
    assert budgeted.with_options(retries=0).options == CallOptions(retries=0, max_wait=1.0)
    assert budgeted.with_options(max_wait=0.0).options == CallOptions(max_wait=0.0)
    assert fake_client.with_options(NO_WAIT, max_wait=2.0).options == CallOptions(0, 2.0)
    assert fake_client.options == CallOptions()  # the original is untouched


def test_a_failing_on_call_hook_is_logged_and_never_the_outcome(
    fake: FakeAdapter, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_hook(record: Any) -> None:
        raise RuntimeError("call log down")

    client = PaymentsClient(make_config(), on_call=broken_hook)
    client.session.mount(client.config.base_url, fake)
    fake.add(200, GET_ORO)
    with caplog.at_level("ERROR", logger="django_amazonpay.mws"):
        assert client.get_order_reference_details(ORO_ID).amazon_order_reference_id == ORO_ID
    assert "on_call hook failed" in caplog.text and "call log down" in caplog.text

    fake.add(404, error("InvalidOrderReferenceId"))
    with pytest.raises(errors.NotFound):  # the call's own error, not the hook's
        client.get_order_reference_details(ORO_ID)


def test_an_unexpected_exception_is_not_recorded_as_ok(
    fake_client: PaymentsClient, fake: FakeAdapter, records: list[Any]
) -> None:
    def broken_builder(result: Any) -> Any:
        raise ZeroDivisionError

    fake.add(200, GET_ORO)
    with pytest.raises(ZeroDivisionError):
        fake_client.call("GetOrderReferenceDetails", {"AmazonOrderReferenceId": ORO_ID},
                         broken_builder)  # fmt: skip
    assert records[-1].outcome == "exception" and records[-1].http_status == 200


def test_non_retryable_errors_are_sent_once(fake_client: PaymentsClient, fake: FakeAdapter) -> None:
    fake.add(404, error("InvalidOrderReferenceId"))
    with pytest.raises(errors.NotFound):
        fake_client.get_order_reference_details(ORO_ID)
    assert len(fake.requests) == 1


def test_malformed_is_not_retried(
    fake_client: PaymentsClient, fake: FakeAdapter, records: list[Any]
) -> None:
    fake.add(200, b"<html>oops</html>")
    with pytest.raises(errors.MalformedResponse):
        fake_client.get_order_reference_details(ORO_ID)
    assert records[-1].outcome == "malformed" and records[-1].http_status == 200


@pytest.mark.parametrize(
    "options", [{"retries": 0}, {"max_wait": 0.0}, {"options": NO_WAIT}], ids=repr
)
def test_web_request_options_never_sleep(
    fake_client: PaymentsClient, fake: FakeAdapter, sleeps: FakeSleep, options: dict
) -> None:
    fake.add(503, THROTTLED).add(200, GET_ORO)
    with pytest.raises(errors.Throttled):
        fake_client.with_options(**options).get_order_reference_details(ORO_ID)
    assert sleeps.calls == [] and len(fake.requests) == 1
    # the view shares session and hooks; the original keeps its policy
    assert fake_client.get_order_reference_details(ORO_ID).status.state == "Closed"


def test_max_wait_caps_the_total_pause(
    fake_client: PaymentsClient, fake: FakeAdapter, sleeps: FakeSleep
) -> None:
    for _ in range(4):
        fake.add(503, THROTTLED)
    with pytest.raises(errors.Throttled):
        fake_client.with_options(max_wait=1.6).get_order_reference_details(ORO_ID)
    assert sleeps.calls == [0.5, 1.0]  # the next 2.0 would pass 1.6
    assert NO_WAIT.retries == 0 and NO_WAIT.max_wait == 0


# -- transport ------------------------------------------------------------------------------

NEVER_SENT = [
    requests.ConnectTimeout("connect timed out"),
    requests.ConnectionError(NewConnectionError(None, "Connection refused")),  # type: ignore[arg-type]
]
MAYBE_SENT = [
    requests.ReadTimeout("read timed out"),
    requests.ConnectionError(ProtocolError("Connection aborted.", ConnectionResetError(104))),
]


@pytest.mark.parametrize(
    ("exc", "sent"), [(e, False) for e in NEVER_SENT] + [(e, True) for e in MAYBE_SENT]
)
def test_transport_errors_say_whether_the_request_left(
    fake_client: PaymentsClient, fake: FakeAdapter, records: list[Any], exc: Exception, sent: bool
) -> None:
    fake.fail(exc)
    with pytest.raises(errors.TransportError) as info:
        fake_client.with_options(retries=0).get_service_status()
    assert info.value.sent is sent
    assert info.value.operation == "GetServiceStatus"
    assert isinstance(info.value.__cause__, requests.RequestException)
    assert records[-1].outcome == "transport" and records[-1].http_status is None


def test_transport_errors_are_retried(fake_client: PaymentsClient, fake: FakeAdapter) -> None:
    fake.fail(requests.ReadTimeout("slow")).add(200, GET_ORO)
    assert fake_client.get_order_reference_details(ORO_ID).amazon_order_reference_id == ORO_ID


# -- duplicate resolution (spec 3.9) --------------------------------------------------------

AUTH_BODY = fixture("GetAuthorizationDetails", "closed_captured_seed000")


def other_auth(auth_id: str, reference: str) -> bytes:
    return AUTH_BODY.replace(AUTH_ID.encode(), auth_id.encode()).replace(
        b"A-1-180206-140000-0000-a333d", reference.encode()
    )


def two_auths_oro() -> bytes:
    return fixture("GetOrderReferenceDetails", "open_two_authorizations")


def test_repeat_of_authorize_answered_duplicate_returns_the_existing_authorization(
    fake_client: PaymentsClient, fake: FakeAdapter, records: list[Any]
) -> None:
    fake.fail(requests.ReadTimeout("lost answer"))
    fake.add(400, error("DuplicateRequest"))
    fake.add(200, two_auths_oro())
    fake.add(200, other_auth("S03-1571525-4435073-A061901", "someone-else"))
    fake.add(200, other_auth("S03-1571525-4435073-A061902", "A-mine"))
    auth = fake_client.authorize(ORO_ID, authorization_reference_id="A-mine", amount=jpy(100))
    assert auth.amazon_authorization_id == "S03-1571525-4435073-A061902"
    assert fake.actions() == [
        "Authorize",
        "Authorize",
        "GetOrderReferenceDetails",
        "GetAuthorizationDetails",
        "GetAuthorizationDetails",
    ]
    # the lookups have records of their own; the Authorize's says how it was answered
    (authorize,) = [r for r in records if r.operation == "Authorize"]
    assert (authorize.outcome, authorize.error_code, authorize.attempts) == (
        "resolved",
        "DuplicateRequest",
        2,
    )
    assert authorize.http_status is None and authorize.request_id is None


def test_duplicate_without_a_match_is_raised(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    fake.add(503, THROTTLED).add(400, error("DuplicateReferenceId"))
    fake.add(200, two_auths_oro())
    fake.add(200, other_auth("S03-1571525-4435073-A061901", "x"))
    fake.add(200, other_auth("S03-1571525-4435073-A061902", "y"))
    with pytest.raises(errors.DuplicateReference):
        fake_client.authorize(ORO_ID, authorization_reference_id="A-mine", amount=jpy(100))


def test_duplicate_on_the_first_attempt_is_a_real_conflict(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    fake.add(400, error("DuplicateReferenceId"))
    with pytest.raises(errors.DuplicateReference):
        fake_client.authorize(ORO_ID, authorization_reference_id="A-mine", amount=jpy(100))
    assert fake.actions() == ["Authorize"]


def test_repeat_of_capture_resolved_through_the_authorization(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    capture = fixture("Capture", "completed_seed000")
    fake.fail(requests.ConnectionError(ProtocolError("reset")))
    fake.add(400, error("DuplicateRequest"))
    fake.add(200, AUTH_BODY)
    fake.add(200, as_operation(capture, "Capture", "GetCaptureDetails"))
    found = fake_client.capture(
        AUTH_ID, capture_reference_id="C-26-180206-140000-0000-1b264", amount=jpy(13800)
    )
    assert found.amazon_capture_id == CAPTURE_ID
    assert fake.actions()[-2:] == ["GetAuthorizationDetails", "GetCaptureDetails"]


def test_repeat_of_refund_resolved_through_the_capture(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    capture = as_operation(fixture("Capture", "completed_seed000"), "Capture", "GetCaptureDetails")
    refund_id = CAPTURE_ID.replace("-C061901", "-R000001")
    capture = capture.replace(
        b"<IdList/>", f"<IdList><member>{refund_id}</member></IdList>".encode()
    )
    fake.fail(requests.ReadTimeout("slow"))
    fake.add(400, error("DuplicateRequest"))
    fake.add(200, capture)
    fake.add(200, refund_details("GetRefundDetails", refund_id, "R-1"))
    refund = fake_client.refund(CAPTURE_ID, refund_reference_id="R-1", amount=jpy(800))
    assert refund.amazon_refund_id == refund_id
    assert fake.actions()[-2:] == ["GetCaptureDetails", "GetRefundDetails"]


# -- state changes answered InvalidState on a repeat ----------------------------------------


def test_repeated_confirm_already_open_is_success(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    fake.fail(requests.ReadTimeout("slow")).add(400, error("InvalidOrderReferenceStatus"))
    fake.add(200, oro_in_state("Open"))
    ack_ = fake_client.confirm_order_reference(ORO_ID)
    assert ack_.request_id == "0a15ade8-415e-48e2-8a2d-573e8b4b921c"


def test_repeated_confirm_in_another_state_raises(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    fake.add(503, THROTTLED).add(400, error("ConstraintsExist"))
    fake.add(200, oro_in_state("Draft"))
    with pytest.raises(errors.InvalidState):
        fake_client.confirm_order_reference(ORO_ID)


@pytest.mark.parametrize(
    ("method", "operation", "state"),
    [
        ("close_order_reference", "CloseOrderReference", "Closed"),
        ("cancel_order_reference", "CancelOrderReference", "Canceled"),
    ],
)
def test_repeated_close_and_cancel(
    fake_client: PaymentsClient, fake: FakeAdapter, method: str, operation: str, state: str
) -> None:
    fake.fail(requests.ReadTimeout("slow")).add(405, error("InvalidOrderReferenceStatus"))
    fake.add(200, oro_in_state(state))
    assert getattr(fake_client, method)(ORO_ID).request_id
    assert fake.actions() == [operation, operation, "GetOrderReferenceDetails"]


def test_repeated_close_authorization(fake_client: PaymentsClient, fake: FakeAdapter) -> None:
    fake.fail(requests.ReadTimeout("slow")).add(405, error("InvalidAuthorizationStatus"))
    fake.add(200, AUTH_BODY)  # Closed
    assert fake_client.close_authorization(AUTH_ID).request_id


def test_first_invalid_state_is_raised_without_lookup(
    fake_client: PaymentsClient, fake: FakeAdapter
) -> None:
    fake.add(405, error("InvalidAuthorizationStatus"))
    with pytest.raises(errors.InvalidState):
        fake_client.close_authorization(AUTH_ID)
    assert fake.actions() == ["CloseAuthorization"]


# -- against the simulator: lost answers, repeats, public finders ---------------------------


def test_lost_authorize_answer_is_repeated_without_a_second_charge(
    client: PaymentsClient, sim: Any
) -> None:
    from .test_payments import confirmed

    oid = confirmed(client, sim)
    sim.faults.inject("Authorize", "lost_response")
    auth = client.authorize(
        oid, authorization_reference_id="lost1", amount=jpy(13800), transaction_timeout=0
    )
    assert client.get_order_reference_details(oid).id_list == (auth.amazon_authorization_id,)
    sim.faults.inject("Capture", "reset")
    capture = client.capture(
        auth.amazon_authorization_id, capture_reference_id="c1", amount=jpy(13800)
    )
    assert capture.status.state == "Completed"
    found = client.find_authorization(oid, "lost1")
    assert found is not None and found.amazon_authorization_id == auth.amazon_authorization_id
    assert client.find_authorization(oid, "never") is None
    assert client.find_capture(auth.amazon_authorization_id, "c1").amazon_capture_id == (
        capture.amazon_capture_id
    )
    refund = client.refund(capture.amazon_capture_id, refund_reference_id="r1", amount=jpy(10))
    assert client.find_refund(capture.amazon_capture_id, "r1").amazon_refund_id == (
        refund.amazon_refund_id
    )


def test_server_faults_from_the_simulator_are_retried(
    client: PaymentsClient, sim: Any, sleeps: FakeSleep
) -> None:
    sim.faults.inject("GetServiceStatus", "http_500")
    sim.faults.inject("GetServiceStatus", "http_503")
    assert client.get_service_status().status == "GREEN"
    assert len(sleeps.calls) == 2


def test_malformed_from_the_simulator(client: PaymentsClient, sim: Any) -> None:
    sim.faults.inject("GetServiceStatus", "malformed")
    with pytest.raises(errors.MalformedResponse):
        client.get_service_status()
