"""Generated requests for every endpoint of the API's own OpenAPI schema.

Schemathesis draws each operation's bodies, path parameters and documented headers from the
schema, as the schema allows them (positive) and as it forbids them (negative); hypothesis
adds what the schema does not describe: hostile Idempotency-Key, X-Forwarded-For and
Content-Type headers, control characters and NUL in the checkout id, and the buyer's own
session so the deep paths run. Whatever arrives: never a 5xx, every refusal in the
{"error", "error_description"} shape, and a refused request leaves the payment tables as
they were; answers to schema-shaped requests conform to the schema. Examples are
derandomized: the same requests on every run, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import Client  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.api.conftest import TOKEN, serve_test_api  # noqa: E402

from .test_api import counts  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)

CSRF = "k" * 32
EXAMPLES = 20  # per operation and mode: about 300 requests in all
#: header text as a WSGI server can deliver it: any Latin-1 character but CR and LF
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0, max_codepoint=255, exclude_characters="\r\n"), max_size=60
)
ADDRESSES = st.sampled_from(["203.0.113.9", "::1", "10.0.0.1, 203.0.113.9", "unknown", ""])
CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=utf-16",
        "application/json; charset=latin-1",
        "application/json; charset=no-such-codec",
        # not "charset=rot13" or another codec that is not a text encoding: Django's
        # WSGIRequest fails on it (LookupError) before any view, a 500 no app can prevent
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json\x00",
        "",
    ]
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Idempotency-Key": HEADER_TEXT,
        "X-Forwarded-For": ADDRESSES | HEADER_TEXT,
        "Content-Type": CONTENT_TYPES | HEADER_TEXT,
    },
)
IDS = st.one_of(
    st.just("owned"),
    st.sampled_from(
        ["S03-0000000-0000000", "P03-0000000-0000000", "S03-1234567-123456\x00", "S03\x00", " "]
    ),
    st.text(st.characters(codec="utf-8", exclude_characters="/"), min_size=1, max_size=30),
)


@pytest.fixture
def api_schema(settings: Any, amazon_pay_simulator: Any) -> Any:
    serve_test_api(settings, amazon_pay_simulator, MAX_RETRIES=0)
    return schemathesis.openapi.from_wsgi("/amazon-pay/api/schema/", WSGIHandler())


@pytest.fixture
def buyer(amazon_pay_simulator: Any) -> tuple[str, str]:
    """(session cookie, order reference id) of a buyer who started a checkout."""
    client = Client()
    oro_id = amazon_pay_simulator.create_order_reference()
    body = {"amazon_order_reference_id": oro_id, "access_token": TOKEN}
    response = client.post("/amazon-pay/api/checkouts/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    return client.cookies["sessionid"].value, oro_id


def check(case: Any, response: Any, *, conform: bool, positive: bool) -> None:
    where = (case.method, case.formatted_path, response.status_code, response.text[:300])
    assert response.status_code < 500, where
    if response.status_code >= 400:
        body = json.loads(response.content)
        assert set(body) == {"error", "error_description"}, where
        assert isinstance(body["error"], str) and body["error"], where
        assert isinstance(body["error_description"], str) and body["error_description"], where
    if conform:
        # never 5xx is checked above; whether the API refuses what the schema forbids (or
        # accepts all it allows) depends on the state the examples leave, not on the schema;
        # a caller without the session gets 404 (an id it does not own), not 401
        excluded = [not_a_server_error, positive_data_acceptance, ignored_auth]
        if not positive:
            excluded.append(negative_data_rejection)
        case.validate_response(response, excluded_checks=excluded)


def run(operation: Any, mode: GenerationMode, buyer: tuple[str, str]) -> None:
    session, owned = buyer
    path_names = [p.name for p in operation.iter_parameters() if p.location == "path"]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def examples(case: Any, data: Any) -> None:
        cookies = {"csrftoken": CSRF}
        if data.draw(st.booleans(), label="as the buyer"):
            cookies["sessionid"] = session
        headers = {"X-CSRFToken": CSRF}
        hostile = data.draw(st.booleans(), label="hostile headers and ids")
        if hostile:
            headers.update(data.draw(HEADERS, label="headers"))
            for name in path_names:
                value = data.draw(IDS, label=name)
                # percent-encoded, as a browser sends it (schemathesis encodes only its own)
                case.path_parameters[name] = owned if value == "owned" else quote(value, safe="")
        elif path_names and data.draw(st.booleans(), label="the owned id"):
            case.path_parameters[path_names[0]] = owned
        before = counts()
        response = case.call(cookies={**cookies, **(case.cookies or {})}, headers=headers)
        check(case, response, conform=not hostile, positive=mode == GenerationMode.POSITIVE)
        if response.status_code >= 400:
            assert counts() == before, "a refused request wrote something"

    examples()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_with_generated_bodies_headers_and_ids(
    api_schema: Any, buyer: tuple[str, str], mode: GenerationMode
) -> None:
    # schemathesis' pytest plugin (from_fixture) does not run on this pytest; its strategies
    # are driven by hypothesis directly, one operation after the other
    operations = [result.ok() for result in api_schema.get_all_operations()]
    labels = sorted(op.label for op in operations)
    assert len(operations) == 7, labels  # the checkout steps (schema/ is tested below)
    for operation in operations:
        run(operation, mode, buyer)


def test_path_ids_are_sent_as_a_browser_would(api_schema: Any, buyer: tuple[str, str]) -> None:
    """Percent-encoded NUL and control bytes in the id reach the view: 404 like any unknown id."""
    session, _owned = buyer
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = session
    for raw in ("\x00", "S03-0000000-000000\x00", "\x1b[31m", "%00", "\x7f", "é"):
        for step in ("", "order/", "confirm/", "reconfirm/", "payment/", "cancel/"):
            path = f"/amazon-pay/api/checkouts/{quote(raw, safe='')}/{step}"
            method = client.get if step in ("", "payment/") else client.post
            response = method(path)
            assert response.status_code == 404, (raw, step, response.content)
            assert response.json()["error"] == "no_checkout"


@settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    path=st.sampled_from(["schema/", "schema", "nope/", "checkouts", "", "checkouts/x/y/z/"]),
    method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PROPFIND"]),
    query=st.dictionaries(st.sampled_from(["format", "lang", "x"]), HEADER_TEXT, max_size=2),
    headers=HEADERS,
    accept=st.sampled_from(["*/*", "text/html", "application/json", "application/xml", "x"]),
    body=st.binary(max_size=80),
)
def test_the_schema_and_unknown_paths(
    api_schema: Any, path: str, method: str, query: dict, headers: dict, accept: str, body: bytes
) -> None:
    """Whatever the query (?format=), method, Accept or body: the schema or a JSON refusal."""
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    extra["HTTP_ACCEPT"] = accept
    content_type = extra.pop("HTTP_CONTENT_TYPE", "application/json")
    response = client.generic(
        method,
        f"/amazon-pay/api/{path}",
        body,
        content_type=content_type,
        QUERY_STRING="&".join(f"{k}={quote(v)}" for k, v in query.items()),
        **extra,
    )
    where = (method, path, query, response.status_code, response.content[:200])
    assert response.status_code < 500, where
    if response.status_code >= 400 and method != "HEAD":  # a HEAD answer has no body
        assert response["Content-Type"].startswith("application/json"), where
        body = json.loads(response.content)
        assert set(body) == {"error", "error_description"}, where
