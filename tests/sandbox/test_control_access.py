"""The control routes: staff only when mounted in Django (changes with a valid CSRF token),
the control token on the standalone server, POST for every change; nobody else reads the
state (buyers' data, the id seed) or changes anything."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import include, path

from django_amazonpay.sandbox import control
from django_amazonpay.sandbox.urls import simulator_urls

CURRENT: dict = {}
urlpatterns = [path("sim/", include(simulator_urls(lambda: CURRENT["sim"])))]
PREFIX = "/sim"
BUYER = {"Name": "管理花子", "Email": "kanri.hanako@example.jp"}
#: every control route with a request that would change or read something if it were allowed
CONTROL_REQUESTS = [
    ("GET", "/sandbox/state", None),
    ("POST", "/sandbox/state", {"engine": {}}),
    ("POST", "/sandbox/state/save", None),
    ("POST", "/sandbox/reset", None),
    ("GET", "/sandbox/faults", None),
    ("POST", "/sandbox/faults", {"action": "*", "kind": "http_500"}),
    ("POST", "/sandbox/faults/clear", None),
    ("GET", "/sandbox/clock", None),
    ("POST", "/sandbox/clock/advance", {"seconds": 86400}),
    ("GET", "/sandbox/orders", None),
    ("POST", "/sandbox/orders", {"amazon_order_id": "1", "items": []}),
    ("GET", "/sandbox/ipn", None),
    ("GET", "/sandbox/sns/unsubscribe", None),
    ("GET", "/sandbox/objects/{oro}", None),
    ("POST", "/sandbox/buyer/order-references", {"seller_id": "{seller}"}),
]


def test_every_control_route_is_in_the_table() -> None:
    listed = {p for _, p, _ in CONTROL_REQUESTS}
    assert set(control.ROUTES) <= listed


@pytest.fixture
def mounted(amazon_pay_simulator: Any, amazon_pay_simulator_exposed: None, settings: Any) -> Any:
    settings.ROOT_URLCONF = __name__
    CURRENT["sim"] = amazon_pay_simulator
    yield amazon_pay_simulator
    CURRENT.clear()


def _fill(text: str, sim: Any, oro: str) -> str:
    return text.replace("{oro}", oro).replace("{seller}", sim.seller_id)


def _send(client: Any, method: str, url: str, body: Any, **extra: Any) -> Any:
    if method == "GET":
        return client.get(url, **extra)
    data = json.dumps(body) if body is not None else ""
    return client.post(url, data, content_type="application/json", **extra)


def _unchanged(sim: Any, before: dict) -> None:
    assert _state(sim) == before
    assert sim.faults.pending() == []


def _state(sim: Any) -> dict:
    return {**sim.snapshot(), "_now": sim.clock.now().isoformat()}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "customer", "inactive staff"])
def test_only_staff_reach_the_control_routes(client, mounted, who) -> None:
    sim = mounted
    oro = sim.create_order_reference(buyer=BUYER)
    if who != "anonymous":
        user = get_user_model().objects.create_user(
            "u", password="pw", is_staff=who == "inactive staff", is_active=who != "inactive staff"
        )
        client.force_login(user)
    before = _state(sim)
    for method, route, body in CONTROL_REQUESTS:
        body = json.loads(_fill(json.dumps(body), sim, oro)) if body else body
        r = _send(client, method, PREFIX + _fill(route, sim, oro), body)
        assert r.status_code == 403, (method, route, r.status_code)
        assert r.json()["error"] == "forbidden" and "staff" in r.json()["error_description"]
        text = r.content.decode()
        assert BUYER["Name"] not in text and BUYER["Email"] not in text
        assert str(sim.engine.store.seed) not in text
    _unchanged(sim, before)


@pytest.mark.django_db
def test_staff_read_and_change_with_a_csrf_token(admin_user, mounted) -> None:
    sim = mounted
    oro = sim.create_order_reference(buyer=BUYER)
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(admin_user)
    state = staff.get(PREFIX + "/sandbox/state")
    assert state.status_code == 200 and state.json()["engine"]["store"]["orders"][0]["id"] == oro
    before = _state(sim)
    forged = staff.post(PREFIX + "/sandbox/reset")  # a cross-site form would look like this
    assert forged.status_code == 403 and forged.json()["error"] == "forbidden"
    assert "CSRF" in forged.json()["error_description"]
    _unchanged(sim, before)
    token = _csrf_token(staff)
    ok = staff.post(PREFIX + "/sandbox/reset", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200 and ok.json() == {"reset": True}
    assert sim.engine.summary(0)["counts"]["OrderReference"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cookie", "header", "says"),
    [(None, None, "CSRF cookie not set"), ("a" * 32, None, "CSRF token missing"),
     ("a" * 32, "b" * 32, "CSRF token from the 'X-Csrftoken' HTTP header incorrect")],
)  # fmt: skip
def test_a_staff_post_that_fails_the_csrf_check_is_told_so(
    admin_user, mounted, cookie, header, says
) -> None:
    """Signed in as staff, the refusal names the CSRF check, not a missing staff session."""
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(admin_user)
    if cookie:
        staff.cookies["csrftoken"] = cookie
    extra = {"HTTP_X_CSRFTOKEN": header} if header else {}
    for route in ("/sandbox/reset", "/sandbox/faults/clear", "/sandbox/state/save"):
        r = staff.post(PREFIX + route, **extra)
        assert r.status_code == 403, (route, r.content)
        description = r.json()["error_description"]
        assert says in description and "X-CSRFToken" in description, description
        assert "need a staff user's session" not in description


def _csrf_token(client: Client) -> str:
    """The token a page of the site would have given the browser (cookie and header agree)."""
    token = "a" * 32
    client.cookies["csrftoken"] = token
    return token


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "route"),
    [("GET", "/sandbox/reset"), ("GET", "/sandbox/state/save"), ("GET", "/sandbox/clock/advance"),
     ("DELETE", "/sandbox/faults"), ("PUT", "/sandbox/state"), ("GET", "/sandbox/faults/clear"),
     ("GET", "/sandbox/buyer/order-references"), ("PATCH", "/sandbox/orders")],
)  # fmt: skip
def test_changes_take_post_only(admin_client, mounted, method, route) -> None:
    sim = mounted
    sim.create_order_reference()
    sim.faults.inject("Authorize", "http_503")
    before = _state(sim)
    r = admin_client.generic(method, PREFIX + route)
    assert r.status_code == 405 and r.json()["error"] == "method_not_allowed"
    assert "POST" in r["Allow"] or "GET" in r["Allow"]
    assert _state(sim) == before
    assert len(sim.faults.pending()) == 1


def test_the_standalone_server_wants_the_control_token(amazon_pay_simulator) -> None:
    from django_amazonpay.sandbox.server import SimulatorServer

    sim = amazon_pay_simulator
    oro = sim.create_order_reference(buyer=BUYER)
    with SimulatorServer(sim) as server:
        state = server.base_url + "/sandbox/state"
        for headers in ({}, {"X-Simulator-Token": "wrong"}, {"X-Simulator-Token": ""},
                        {"Authorization": f"Bearer {sim.control_token}"}):  # fmt: skip
            r = requests.get(state, headers=headers, timeout=5)
            assert r.status_code == 403, headers
            assert BUYER["Name"] not in r.text
        # a token in the URL would end in access logs: it is not looked at there
        r = requests.get(state, params={"token": sim.control_token}, timeout=5)
        assert r.status_code == 403
        r = requests.post(server.base_url + "/sandbox/reset", timeout=5)
        assert r.status_code == 403 and sim.get_object(oro)
        good = {"X-Simulator-Token": sim.control_token}
        r = requests.get(state, headers=good, timeout=5)
        assert r.status_code == 200 and BUYER["Name"] in r.text
        r = requests.post(server.base_url + "/sandbox/reset", headers=good, timeout=5)
        assert r.status_code == 200
    with pytest.raises(KeyError):
        sim.get_object(oro)


def test_the_buyer_pages_and_the_certificate_stay_public(amazon_pay_simulator) -> None:
    from django_amazonpay.sandbox.server import SimulatorServer

    with SimulatorServer(amazon_pay_simulator) as server:
        page = requests.get(server.base_url + "/sandbox/buyer/sign-in", timeout=5)
        assert page.status_code == 200
        cert = requests.get(server.base_url + "/sandbox/sns/cert.pem", timeout=5)
        assert cert.status_code == 200 and cert.content.startswith(b"-----BEGIN CERTIFICATE")


def test_each_simulator_has_its_own_random_token(amazon_pay_simulator_credentials) -> None:
    from django_amazonpay.sandbox.simulator import Simulator

    one, two = (Simulator(**amazon_pay_simulator_credentials) for _ in range(2))
    assert one.control_token != two.control_token and len(one.control_token) >= 24
    assert Simulator(**amazon_pay_simulator_credentials, control_token="t").control_token == "t"
