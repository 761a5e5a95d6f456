"""The official amazon-pay 2.7.1 SDK runs seed 000's JP checkout against the simulator.

Every response's `to_dict()` is compared with the seed's JSON key by key: the same keys at
every level, the same values, except ids, timestamps and request ids, whose shapes are
checked instead. The seed's formats matter ("13800.00" requested amounts, "0" running totals).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

SEED = next(Path("/work/shared/seeds").glob("000_*.txt"), None)
pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(SEED is None, reason="seed 000 not available"),
]

ORO_ID = re.compile(r"^S03-\d{7}-\d{7}$")
SUB_ID = re.compile(r"^S03-\d{7}-\d{7}-[ACR]\d{6}$")
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def seed_steps() -> list[tuple[dict, dict]]:
    """(request, response) pairs in the order of the log."""
    blocks = re.findall(r"~~~json\s*\n(.*?)~~~", SEED.read_text(encoding="utf-8"), re.S)
    docs = [json.loads(b) for b in blocks]
    return list(zip(docs[0::2], docs[1::2], strict=True))


def compare(expected, actual, path: str = "") -> None:
    """Same structure and values; ids/timestamps/request ids only by shape."""
    key = path.rsplit(".", 1)[-1]
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an element with children"
        assert set(actual) == set(expected), f"{path}: keys {sorted(actual)} != {sorted(expected)}"
        for k in expected:
            compare(expected[k], actual[k], f"{path}.{k}")
    elif key == "AmazonOrderReferenceId":
        assert ORO_ID.match(actual), f"{path}: {actual!r}"
    elif key in ("AmazonAuthorizationId", "AmazonCaptureId", "member"):
        assert SUB_ID.match(actual), f"{path}: {actual!r}"
    elif key.endswith("Timestamp"):
        assert STAMP.match(actual), f"{path}: {actual!r}"
    elif key in ("RequestId", "RequestID"):
        assert UUID.match(actual), f"{path}: {actual!r}"
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


@pytest.fixture
def sdk_client(amazon_pay_simulator, amazon_pay_simulator_server):
    from amazon_pay.client import AmazonPayClient

    sim = amazon_pay_simulator
    client = AmazonPayClient(
        mws_access_key=sim.access_key,
        mws_secret_key=sim.credentials[sim.access_key],
        merchant_id=sim.seller_id,
        region="jp",
        currency_code="JPY",
        sandbox=True,
        handle_throttle=False,
    )
    # The SDK builds https://<region host>/...; it posts with module-level requests.post, so
    # point its endpoint at the local server (it signs whatever netloc the endpoint has).
    client._mws_endpoint = amazon_pay_simulator_server + "/OffAmazonPayments_Sandbox/2013-01-01"
    return client


def test_seed_000_checkout_with_the_official_sdk(
    amazon_pay_simulator, amazon_pay_simulator_server, sdk_client
):
    sim = amazon_pay_simulator
    steps = seed_steps()
    assert len(steps) == 12
    # The buyer signs in with the widgets: the JSON stand-in for them.
    r = requests.post(
        amazon_pay_simulator_server + "/sandbox/buyer/order-references",
        json={"seller_id": sim.seller_id},
        headers={"X-Simulator-Token": sim.control_token},
        timeout=5,
    )
    assert r.status_code == 201, r.text
    oro = r.json()["amazon_order_reference_id"]
    token = "amzn.mws.xxxxxxxx-4b78-a0ce-bddb-f079df560fa4"
    ids: dict[str, str] = {}

    def run(index: int, response) -> None:
        expected = steps[index][1]
        assert response.success, response.to_json()
        compare(expected, response.to_dict())

    c = sdk_client
    run(0, c.get_order_reference_details(oro, mws_auth_token=token))
    req = steps[1][0]
    run(1, c.set_order_reference_details(oro, order_total=req["order_total"],
                                         seller_order_id=req["seller_order_id"],
                                         store_name=req["store_name"]))  # fmt: skip
    run(2, c.get_order_reference_details(oro, mws_auth_token=token))
    run(3, c.confirm_order_reference(oro))
    run(4, c.get_order_reference_details(oro, mws_auth_token=token))
    req = steps[5][0]
    auth = c.authorize(oro, authorization_reference_id=req["authorization_reference_id"],
                       authorization_amount=req["authorization_amount"],
                       transaction_timeout=req["transaction_timeout"],
                       capture_now=req["capture_now"])  # fmt: skip
    run(5, auth)
    ids["auth"] = auth.to_dict()["AuthorizeResponse"]["AuthorizeResult"]["AuthorizationDetails"][
        "AmazonAuthorizationId"
    ]
    assert ids["auth"].startswith(oro + "-A")
    run(6, c.get_authorization_details(ids["auth"]))
    req = steps[7][0]
    sim.clock.advance(11 * 60)  # the seed captured eleven minutes later
    # SoftDescriptor "AMZ*旅食" comes from the seed seller's account; send it explicitly.
    capture = c.capture(ids["auth"], capture_reference_id=req["capture_reference_id"],
                        capture_amount=req["capture_amount"], soft_descriptor="旅食")  # fmt: skip
    run(7, capture)
    details = capture.to_dict()["CaptureResponse"]["CaptureResult"]["CaptureDetails"]
    assert details["AmazonCaptureId"] == ids["auth"].replace("-A", "-C")  # spec 2.2
    get_auth = c.get_authorization_details(ids["auth"])
    run(8, get_auth)
    member = get_auth.to_dict()["GetAuthorizationDetailsResponse"][
        "GetAuthorizationDetailsResult"]["AuthorizationDetails"]["IdList"]["member"]  # fmt: skip
    assert member == details["AmazonCaptureId"]
    run(9, c.get_order_reference_details(oro, mws_auth_token=token))
    req = steps[10][0]
    run(10, c.close_order_reference(oro, closure_reason=req["closure_reason"],
                                    mws_auth_token=token))  # fmt: skip
    run(11, c.get_order_reference_details(oro, mws_auth_token=token))


def test_sdk_sees_amazons_error_documents(amazon_pay_simulator, sdk_client):
    response = sdk_client.get_order_reference_details("S03-0000000-0000000")
    assert not response.success
    error = response.to_dict()["ErrorResponse"]
    assert error["Error"]["Code"] == "InvalidOrderReferenceId"
    assert UUID.match(error["RequestId"])
    sdk_client.mws_secret_key = "wrong"
    response = sdk_client.get_order_reference_details("S03-0000000-0000000")
    assert response.to_dict()["ErrorResponse"]["Error"]["Code"] == "SignatureDoesNotMatch"


def test_the_comparison_is_not_vacuous():
    expected = {"A": {"Amount": "0", "CreationTimestamp": "2018-02-17T15:19:06.399Z"}}
    compare(expected, {"A": {"Amount": "0", "CreationTimestamp": "2020-01-01T00:00:00.000Z"}})
    for wrong in ({"A": {"Amount": "0.00", "CreationTimestamp": "2020-01-01T00:00:00.000Z"}},
                  {"A": {"Amount": "0", "CreationTimestamp": "2020-01-01T00:00:00Z"}},
                  {"A": {"Amount": "0"}}):  # fmt: skip
        with pytest.raises(AssertionError):
            compare(expected, wrong)
