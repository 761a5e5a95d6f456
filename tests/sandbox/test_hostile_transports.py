"""Hostile input through the two real transports: the Django mount (its body limit, its CSRF
check, its path decoding) and the standalone server's socket (lengths, chunking, bytes the
request line should never carry). Never a 5xx, always the route's own shape."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
from django.test import Client
from django.urls import include, path
from hypothesis import given
from hypothesis import strategies as st

from django_amazonpay.sandbox.inbound import MAX_BODY_BYTES
from django_amazonpay.sandbox.server import SimulatorServer
from django_amazonpay.sandbox.urls import simulator_urls
from tests.hostile_settings import hostile_settings

from .test_hostile_input import CONTENT_TYPES, JSON_OBJECTS, NASTY, PATHS, fresh

CURRENT: dict = {}
urlpatterns = [path("sim/", include(simulator_urls(lambda: CURRENT["sim"])))]
PREFIX = "/sim"
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@pytest.fixture
def mounted(amazon_pay_simulator_exposed: None) -> Any:
    sim, ids = fresh()
    CURRENT["sim"] = sim
    yield sim, ids
    CURRENT.clear()


def _shape(response: Any, route: str) -> None:
    assert response.status_code < 500, (route, response.status_code, response.content[:300])
    kind = response["Content-Type"]
    if route.startswith("/sandbox/buyer/") and "order-references" not in route:
        assert kind.startswith("text/html"), (route, kind)
    elif route.startswith("/sandbox") and response.status_code >= 400:
        assert kind == "application/json", (route, kind)
        assert set(json.loads(response.content)) == {"error", "error_description"}


@pytest.mark.parametrize(
    "route",
    ["/OffAmazonPayments_Sandbox/2013-01-01", "/sandbox/state", "/sandbox/buyer/wallet",
     "/sandbox/buyer/order-references", "/sandbox/faults"],
)  # fmt: skip
def test_a_body_over_djangos_limit_is_a_413_in_the_routes_shape(
    admin_client, mounted, settings, route
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = admin_client.post(PREFIX + route, b"x" * 5000, content_type="application/json")
    assert r.status_code == 413, r.content
    _shape(r, route)
    assert b"larger than 1000 bytes" in r.content  # the limit that applied, not the simulator's
    if route.startswith("/Off"):
        assert b"<Code>RequestEntityTooLarge</Code>" in r.content


def test_the_413_names_djangos_default_limit_when_that_applied(admin_client, mounted) -> None:
    """Django's default DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) is below the simulator's 8 MiB."""
    from django.conf import settings as django_settings

    limit = django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit is not None and limit < MAX_BODY_BYTES
    r = admin_client.post(
        PREFIX + "/sandbox/state", b"{" * 3_000_000, content_type="application/json"
    )
    assert r.status_code == 413, r.content[:300]
    assert r.json()["error_description"] == f"the body is larger than {limit} bytes"


def test_without_a_django_limit_the_simulators_own_applies_unread(
    admin_client, mounted, settings
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
    r = admin_client.post(PREFIX + "/sandbox/state", b"{}", content_type="application/json",
                          CONTENT_LENGTH=str(MAX_BODY_BYTES + 1))  # fmt: skip
    assert r.status_code == 413
    assert r.json()["error_description"] == f"the body is larger than {MAX_BODY_BYTES} bytes"


@pytest.mark.parametrize(
    "route",
    ["/OffAmazonPayments_Sandbox/2013-01-01", "/sandbox/state", "/sandbox/buyer/wallet",
     "/sandbox/faults"],
)  # fmt: skip
def test_a_chunked_body_through_django_is_a_411_not_an_empty_body(
    admin_client, mounted, route
) -> None:
    """Django reads nothing of a body without a Content-Length: the mount says so."""
    sim, _ = mounted
    r = admin_client.post(PREFIX + route, b'{"action": "*", "kind": "http_500"}',
                          content_type="application/json", CONTENT_LENGTH="",
                          headers={"Transfer-Encoding": "chunked"})  # fmt: skip
    assert r.status_code == 411, r.content[:300]
    _shape(r, route)
    if route.startswith("/Off"):
        assert b"<Code>MissingContentLength</Code>" in r.content
    assert sim.faults.pending() == []


def test_a_content_length_that_is_no_number_through_django_is_a_400(admin_client, mounted) -> None:
    sim, _ = mounted
    r = admin_client.post(PREFIX + "/sandbox/faults", b'{"action": "*", "kind": "http_500"}',
                          content_type="application/json", CONTENT_LENGTH="12abc")  # fmt: skip
    assert r.status_code == 400 and r.json()["error"] == "invalid_content_length", r.content
    assert sim.faults.pending() == []


@pytest.mark.parametrize(
    "raw",
    ["/sandbox/objects/%00", "/sandbox/buyer/wallet/S03%00", "/OffAmazonPayments_Sandbox/%0d%0a",
     "/sandbox/state%00", "/%00", "/sandbox/buyer/sign-in%7f"],
)  # fmt: skip
def test_control_bytes_in_the_path_are_a_400(admin_client, mounted, raw) -> None:
    r = admin_client.get(PREFIX + raw)
    assert r.status_code == 400, r.content
    _shape(r, raw.split("%")[0])


def test_nested_json_through_django_is_a_400(admin_client, mounted) -> None:
    for route in ("/sandbox/state", "/sandbox/faults", "/sandbox/buyer/order-references",
                  "/sandbox/clock/advance", "/sandbox/orders"):  # fmt: skip
        r = admin_client.post(PREFIX + route, "[" * 100_000 + "]" * 100_000,
                              content_type="application/json")  # fmt: skip
        assert r.status_code == 400 and r.json()["error"] == "invalid_json", route


HYPOTHESIS = hostile_settings(60)


@HYPOTHESIS
@given(
    route=st.sampled_from(PATHS),
    junk=st.text(max_size=12),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"]),
    body=st.one_of(st.binary(max_size=100), JSON_OBJECTS.map(lambda v: json.dumps(v).encode())),
    content_type=st.sampled_from(CONTENT_TYPES[:-1]),
    query=st.dictionaries(st.sampled_from(["return_url", "buyer", "address"]), NASTY, max_size=2),
    staff=st.booleans(),
)
def test_the_django_mount_never_answers_5xx(
    admin_user, mounted, route, junk, method, body, content_type, query, staff
) -> None:
    sim, ids = mounted
    client = Client(enforce_csrf_checks=True)
    if staff:
        client.force_login(admin_user)
    url = PREFIX + route.replace("{oro}", ids["oro"]).replace("{auth}", ids["auth"]).replace(
        "{junk}", junk
    )
    before = len(sim.faults.fired)
    r = client.generic(method, url, body, content_type=content_type, QUERY_STRING=_query(query))
    assert r.status_code < 500 or len(sim.faults.fired) > before, (url, r.content[:300])
    assert sim.faults.pending() == []  # CSRF: no change went through without a token


def _query(values: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(values)


# -- the standalone server's socket -----------------------------------------------------------


def _raw(server: SimulatorServer, request: bytes) -> bytes:
    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (b"POST /sandbox/state HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", 400),
        (b"POST /sandbox/state HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}", 400),
        (b"POST /OffAmazonPayments_Sandbox/2013-01-01 HTTP/1.1\r\nHost: x\r\n"
         b"Content-Length: " + str(MAX_BODY_BYTES + 1).encode() + b"\r\n\r\nAction=x", 413),
        (b"POST /sandbox/buyer/wallet HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
         b"5\r\nhello\r\n0\r\n\r\n", 411),
        (b"GET /sandbox/objects/%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /sandbox/buyer/sign-in?return_url=//evil.example HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"BREW /sandbox/buyer/sign-in HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"GET /sandbox/state HTTP/1.1\r\nHost: x\r\n\r\n", 403),
        (b"GET /\x01\x02 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ],
)  # fmt: skip
def test_the_socket_refuses_bad_requests_with_a_4xx(request_bytes, expected) -> None:
    sim, _ = fresh()
    with SimulatorServer(sim) as server:
        answer = _raw(server, request_bytes)
        assert _status(answer) == expected, answer[:300]
        # and it still serves the next client
        follow = _raw(server, b"GET /sandbox/buyer/sign-in HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _status(follow) == 200
