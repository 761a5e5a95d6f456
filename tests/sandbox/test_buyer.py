"""Buyer pages (button / address book / wallet stand-ins), JSON control routes, saved state."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from .test_protocol import SANDBOX, call, state_of


@pytest.fixture
def base(sim):
    return f"https://{sim.region.host}"


def test_sign_in_address_wallet_and_back(sim, session, base):
    ret = "/checkout?step=2"
    page = session.get(base + "/sandbox/buyer/sign-in", params={"return_url": ret})
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "吉田一郎" in page.text
    link = re.search(r'href="(address\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    page = session.get(base + "/sandbox/buyer/" + link)
    assert "渋谷区神宮前2-2-2" in page.text
    link = re.search(r'href="(wallet\?[^"]+)"', page.text).group(1).replace("&amp;", "&")
    page = session.get(base + "/sandbox/buyer/" + link)
    for method in sim.engine.payment_methods():
        assert method["id"] in page.text
    assert "InvalidPaymentMethod" in page.text  # declining test methods are marked
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form = {k: v.replace("&amp;", "&") for k, v in form.items()}
    assert form["return_url"] == ret
    data = {**form, "payment_method": "jcb-3333"}
    r = session.post(base + "/sandbox/buyer/wallet", data=data, allow_redirects=False)
    assert r.status_code == 302
    location = urlsplit(r.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("", "", "/checkout")
    assert parse_qs(location.query) == {"step": ["2"]}  # what the browser sends: no token
    back = parse_qs(location.fragment)  # what the page's script reads, never sent anywhere
    assert back["access_token"][0].startswith("Atza|")
    oro = back["amazon_order_reference_id"][0]
    obj = session.get(base + f"/sandbox/objects/{oro}").json()
    assert obj["state"] == "Draft"
    assert obj["payment_method"] == "jcb-3333"
    assert obj["buyer"]["Name"] == "吉田一郎"


def test_everything_is_escaped(session, base):
    evil = '/?"><script>alert(1)</script>'
    page = session.get(base + "/sandbox/buyer/wallet", params={"return_url": evil})
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_choose_another_payment_method_after_a_decline(sim, session, base):
    oro = sim.create_order_reference(payment_method="decline-invalid-payment-method")
    for action, extra in (
        ("SetOrderReferenceDetails", {"OrderReferenceAttributes.OrderTotal.Amount": "500",
                                      "OrderReferenceAttributes.OrderTotal.CurrencyCode": "JPY"}),
        ("ConfirmOrderReference", {}),
        ("Authorize", {"AuthorizationReferenceId": "d1", "AuthorizationAmount.Amount": "500",
                       "AuthorizationAmount.CurrencyCode": "JPY", "TransactionTimeout": "0"}),
    ):  # fmt: skip
        assert call(session, sim, action, AmazonOrderReferenceId=oro, **extra).status_code == 200
    get = call(session, sim, "GetOrderReferenceDetails", AmazonOrderReferenceId=oro)
    assert state_of(get) == "Suspended"
    page = session.get(base + f"/sandbox/buyer/wallet/{oro}", params={"return_url": "/back"})
    assert page.status_code == 200 and oro in page.text
    r = session.post(base + f"/sandbox/buyer/wallet/{oro}", allow_redirects=False,
                     data={"payment_method": "visa-1111", "return_url": "/back"})  # fmt: skip
    assert r.status_code == 302
    assert r.headers["Location"] == (
        f"/back#amazon_order_reference_id={oro}&amazon_pay_payment_changed=1"
    )
    assert session.get(base + f"/sandbox/objects/{oro}").json()["payment_method"] == "visa-1111"
    r = call(session, sim, "ConfirmOrderReference", AmazonOrderReferenceId=oro)
    assert r.status_code == 200, r.text
    assert session.get(base + "/sandbox/buyer/wallet/S03-0000000-0000000").status_code == 404


def test_order_reference_json_endpoint(sim, session, base):
    url = base + "/sandbox/buyer/order-references"
    address = {"Name": "山田", "AddressLine1": "中央区1-1", "StateOrRegion": "大阪府",
               "PostalCode": "5400001", "CountryCode": "JP"}  # fmt: skip
    r = session.post(url, json={"seller_id": sim.seller_id, "address": address,
                                "payment_method": "jcb-3333"})  # fmt: skip
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"amazon_order_reference_id", "access_token"}
    obj = sim.get_object(body["amazon_order_reference_id"])
    assert obj["address"]["StateOrRegion"] == "大阪府"
    assert obj["payment_method"] == "jcb-3333"
    r = session.post(url, json={"seller_id": "A2SOMEONEELSE"})
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_seller" and r.json()["error_description"]
    assert session.post(url, data="{not json").status_code == 400
    r = session.post(url, json={"seller_id": sim.seller_id, "address": {"Street": "x"}})
    assert r.status_code == 400


def test_clock_objects_and_reset_endpoints(sim, session, base):
    before = sim.clock.now()
    r = session.post(base + "/sandbox/clock/advance", json={"seconds": 90})
    assert r.status_code == 200
    assert (sim.clock.now() - before).total_seconds() == 90
    assert session.get(base + "/sandbox/clock").json()["frozen"] is True
    assert session.get(base + "/sandbox/objects/S03-0000000-0000000").status_code == 404
    oro = sim.create_order_reference()
    assert session.get(base + f"/sandbox/objects/{oro}").json()["id"] == oro
    assert session.post(base + "/sandbox/reset").json() == {"reset": True}
    assert session.get(base + f"/sandbox/objects/{oro}").status_code == 404


def test_state_save_and_load(amazon_pay_simulator_credentials, tmp_path: Path):
    from django_amazonpay.sandbox.simulator import Simulator

    path = tmp_path / "state.json"
    sim = Simulator(**amazon_pay_simulator_credentials, state_file=path)
    s = requests.Session()
    sim.mount(s)
    base = f"https://{sim.region.host}"
    oro = sim.create_order_reference()
    sim.orders.add_order("111-2222222-3333333", [{"ASIN": "A", "OrderItemId": "1",
                                                  "QuantityOrdered": "1"}])  # fmt: skip
    assert s.post(base + "/sandbox/state/save").status_code == 200
    assert json.loads(path.read_text())["seller_id"] == sim.seller_id
    again = Simulator(**amazon_pay_simulator_credentials, state_file=path)
    assert again.get_object(oro)["id"] == oro
    assert "111-2222222-3333333" in again.orders.snapshot()["orders"]
    snapshot = s.get(base + "/sandbox/state").json()
    fresh = Simulator(**amazon_pay_simulator_credentials)
    fs = requests.Session()
    fresh.mount(fs)
    assert fs.post(base + "/sandbox/state", json=snapshot).status_code == 200
    assert fresh.get_object(oro)["id"] == oro
    # without a state file, saving over HTTP is refused
    assert fs.post(base + "/sandbox/state/save").status_code == 400


@pytest.mark.server
@pytest.mark.slow
def test_standalone_command(tmp_path: Path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = tmp_path / "sim.json"
    env = {"AMAZON_PAY_SELLER_ID": "A1CLI", "AMAZON_PAY_ACCESS_KEY": "AK", "PATH": "",
           "AMAZON_PAY_SECRET_KEY": "SK", "AMAZON_PAY_SIMULATOR_TOKEN": "cli-token"}  # fmt: skip
    help_text = subprocess.run([sys.executable, "-m", "django_amazonpay.sandbox", "--help"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
    for option in ("--host", "--port", "--seller-id", "--access-key", "--secret-key", "--region",
                   "--throttle", "--state-file", "--ipn-url", "--control-token",
                   "--return-origin"):  # fmt: skip
        assert option in help_text
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "django_amazonpay.sandbox", "--port", str(port),
         "--state-file", str(state)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        banner = [proc.stdout.readline() for _ in range(4)]
        assert "Amazon Pay simulator" in banner[0]
        assert any("X-Simulator-Token: cli-token" in line for line in banner), banner
        base = f"http://127.0.0.1:{port}"
        url = base + "/sandbox/buyer/order-references"
        refused = requests.post(url, json={"seller_id": "A1CLI"}, timeout=5)
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        r = requests.post(url, json={"seller_id": "A1CLI"}, timeout=5,
                          headers={"X-Simulator-Token": "cli-token"})  # fmt: skip
        assert r.status_code == 201
        oro = r.json()["amazon_order_reference_id"]

        class Creds:
            access_key, seller_id, credentials = "AK", "A1CLI", {"AK": "SK"}

            class clock:
                @staticmethod
                def now():
                    from datetime import datetime, timezone

                    return datetime.now(timezone.utc)

        r = call(requests, Creds, "GetOrderReferenceDetails", host=f"127.0.0.1:{port}",
                 base=base, path=SANDBOX, timeout=5, AmazonOrderReferenceId=oro)  # fmt: skip
        assert r.status_code == 200, r.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert oro in state.read_text()
