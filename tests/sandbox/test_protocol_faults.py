"""Fault injection through the in-process adapter, the HTTP control API and a real socket."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import requests

from .test_protocol import NS, call, error_of, parse, state_of


def open_oro(session, sim) -> str:
    oro = sim.create_order_reference(payment_method=None)
    r = call(session, sim, "SetOrderReferenceDetails", AmazonOrderReferenceId=oro,
             **{"OrderReferenceAttributes.OrderTotal.Amount": "1000",
                "OrderReferenceAttributes.OrderTotal.CurrencyCode": "JPY"})  # fmt: skip
    assert r.status_code == 200, r.text
    r = call(session, sim, "ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert r.status_code == 200, r.text
    return oro


def state(session, sim, oro) -> str:
    r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    return state_of(r)


def close(session, sim, oro, **kw):
    return call(session, sim, "CloseOrderReference", AmazonOrderReferenceId=oro, **kw)


@pytest.mark.parametrize(
    "kind, status, code, type_",
    [
        ("http_500", 500, "InternalError", "Receiver"),
        ("http_503", 503, "ServiceUnavailable", "Receiver"),
        ("throttled", 503, "RequestThrottled", ""),
    ],
)
def test_error_faults_apply_nothing(sim, session, kind, status, code, type_):
    oro = open_oro(session, sim)
    sim.faults.inject("CloseOrderReference", kind)
    r = close(session, sim, oro)
    assert r.status_code == status
    root = parse(r.content)
    assert root.findtext(f"{NS}Error/{NS}Code") == code
    assert root.findtext(f"{NS}Error/{NS}Type") == type_
    assert state(session, sim, oro) == "Open"
    assert close(session, sim, oro).status_code == 200  # consumed: the next call works
    assert sim.faults.fired == [("CloseOrderReference", kind)]


def test_fault_times_and_any_operation(sim, session):
    oro = sim.create_order_reference()
    sim.faults.inject("*", "http_500", times=2)
    codes = [call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro).status_code
             for _ in range(3)]  # fmt: skip
    assert codes == [500, 500, 200]


def test_reset_raises_connection_error_and_applies_nothing(sim, session):
    oro = open_oro(session, sim)
    sim.faults.inject("CloseOrderReference", "reset")
    with pytest.raises(requests.ConnectionError):
        close(session, sim, oro)
    assert state(session, sim, oro) == "Open"


def test_lost_response_applies_then_drops(sim, session):
    oro = open_oro(session, sim)
    sim.faults.inject("CloseOrderReference", "lost_response")
    with pytest.raises(requests.ConnectionError):
        close(session, sim, oro)
    assert state(session, sim, oro) == "Closed"


def test_malformed_body_is_not_xml(sim, session):
    oro = open_oro(session, sim)
    sim.faults.inject("GetOrderReferenceDetails", "malformed")
    r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    assert r.status_code == 200
    with pytest.raises(ET.ParseError):
        parse(r.content)


def test_slow_within_timeout_answers(sim, session):
    oro = open_oro(session, sim)
    sim.faults.inject("CloseOrderReference", "slow", delay=0.05)
    r = close(session, sim, oro, timeout=(1, 2))
    assert r.status_code == 200


def test_slow_beyond_read_timeout_raises_after_applying(sim, session):
    oro = open_oro(session, sim)
    sim.faults.inject("CloseOrderReference", "slow", delay=5)
    with pytest.raises(requests.ReadTimeout):
        close(session, sim, oro, timeout=(1, 0.05))
    assert state(session, sim, oro) == "Closed"


def test_bad_fault_declarations_are_refused(sim):
    with pytest.raises(ValueError):
        sim.faults.inject("Authorize", "explode")
    with pytest.raises(ValueError):
        sim.faults.inject("Authorize", "slow")


def test_http_fault_api(sim, session):
    base = f"https://{sim.region.host}"
    r = session.post(base + "/sandbox/faults", json={"action": "GetOrderReferenceDetails",
                                                      "kind": "http_503", "times": 1})  # fmt: skip
    assert r.status_code == 201
    assert session.get(base + "/sandbox/faults").json()["pending"][0]["kind"] == "http_503"
    oro = sim.create_order_reference()
    r = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    assert error_of(r)[1] == "ServiceUnavailable"
    r = session.post(base + "/sandbox/faults", json={"action": "X", "kind": "nope"})
    assert r.status_code == 400 and r.json()["error"] == "invalid_kind"
    session.post(base + "/sandbox/faults", json={"action": "X", "kind": "reset"})
    assert session.delete(base + "/sandbox/faults").status_code == 405  # changes are POSTs
    assert sim.faults.pending()
    assert session.post(base + "/sandbox/faults/clear").json() == {"pending": []}
    assert sim.faults.pending() == []


# -- the same on a real socket -------------------------------------------------------------
@pytest.mark.server
def test_faults_on_the_real_server(sim, amazon_pay_simulator_server):
    base = amazon_pay_simulator_server
    host = base.removeprefix("http://")
    s = requests.Session()

    def c(action, **kw):
        timeout = kw.pop("timeout", 5)
        return call(s, sim, action, host=host, base=base, timeout=timeout, **kw)

    oro = sim.create_order_reference()
    assert c("GetOrderReferenceDetails", AmazonOrderReferenceId=oro).status_code == 200
    oro = open_oro_via(c, sim)
    for kind in ("reset", "lost_response"):
        sim.faults.inject("GetOrderReferenceDetails", kind)
        with pytest.raises(requests.ConnectionError):
            c("GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    sim.faults.inject("CloseOrderReference", "lost_response")
    with pytest.raises(requests.ConnectionError):
        c("CloseOrderReference", AmazonOrderReferenceId=oro)
    assert state_of(c("GetOrderReferenceDetails", AmazonOrderReferenceId=oro)) == "Closed"
    sim.faults.inject("GetOrderReferenceDetails", "slow", delay=0.5)
    with pytest.raises(requests.ReadTimeout):
        c("GetOrderReferenceDetails", AmazonOrderReferenceId=oro, timeout=(2, 0.1))
    sim.faults.inject("GetOrderReferenceDetails", "http_500")
    assert error_of(c("GetOrderReferenceDetails", AmazonOrderReferenceId=oro))[1] == "InternalError"
    sim.faults.inject("GetOrderReferenceDetails", "malformed")
    r = c("GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    with pytest.raises(ET.ParseError):
        parse(r.content)
    # the server survives all of it
    assert c("GetOrderReferenceDetails", AmazonOrderReferenceId=oro).status_code == 200


def open_oro_via(c, sim) -> str:
    oro = sim.create_order_reference()
    assert (
        c(
            "SetOrderReferenceDetails",
            AmazonOrderReferenceId=oro,
            **{
                "OrderReferenceAttributes.OrderTotal.Amount": "1000",
                "OrderReferenceAttributes.OrderTotal.CurrencyCode": "JPY",
            },
        ).status_code
        == 200
    )
    assert c("ConfirmOrderReference", AmazonOrderReferenceId=oro).status_code == 200
    return oro  # fmt: skip
