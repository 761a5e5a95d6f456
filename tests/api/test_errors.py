"""Bad input and failures: always {"error", "error_description"}, the right status, no 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import TOKEN, assert_error, configure, start, start_and_set, url

pytestmark = pytest.mark.django_db


def test_invalid_json(client: Any) -> None:
    response = client.post(url(), b"{not json", content_type="application/json")
    assert_error(response, 400, "invalid_json")


def test_form_bodies_are_refused(client: Any) -> None:
    response = client.post(url(), {"amazon_order_reference_id": "S03-1234567-1234567"})
    assert_error(response, 415, "unsupported_media_type")


def test_missing_field(client: Any) -> None:
    body = assert_error(client.post(url(), {}, format="json"), 400, "invalid_request")
    assert body["error_description"].startswith("amazon_order_reference_id:")


@pytest.mark.parametrize("value", ["", None])
def test_no_order_reference_id(client: Any, value: Any) -> None:
    body = {"amazon_order_reference_id": value, "access_token": TOKEN}
    body = assert_error(client.post(url(), body, format="json"), 400, "invalid_request")
    assert body["error_description"].startswith("amazon_order_reference_id:")


@pytest.mark.parametrize(
    "value", ["x", "S03-123-456", "<script>", "S03-1234567-1234567' OR 1=1", 42, [1]]
)
def test_malformed_order_reference_id(sim: Any, client: Any, value: Any) -> None:
    """As an id Amazon does not know (docs/api.md, The same answer); more forms in
    tests/hostile/test_api.py."""
    body = {"amazon_order_reference_id": value, "access_token": TOKEN}
    assert_error(client.post(url(), body, format="json"), 404, "no_checkout")


def test_json_that_is_not_an_object(client: Any) -> None:
    assert_error(client.post(url(), [1, 2], format="json"), 400, "invalid_request")


def test_an_order_reference_amazon_does_not_know(sim: Any, client: Any) -> None:
    """The same answer as for another session's checkout (test_security), not Amazon's."""
    body = {"amazon_order_reference_id": "S03-9999999-9999999", "access_token": TOKEN}
    assert_error(client.post(url(), body, format="json"), 404, "no_checkout")


@pytest.mark.parametrize("order_id", ["", "a b", "../x", "x" * 129, None, {"a": 1}])
def test_malformed_order_id(sim: Any, client: Any, order_id: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    body = {"order_id": order_id}
    assert_error(client.post(url(oro_id, "order"), body, format="json"), 400, "invalid_request")


@pytest.mark.parametrize("order_id", ["missing", "broken"])
def test_an_order_the_shop_does_not_know(sim: Any, client: Any, order_id: str) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    body = {"order_id": order_id}
    assert_error(client.post(url(oro_id, "order"), body, format="json"), 404, "no_order")


def test_no_resolver_configured(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, ORDER_RESOLVER=None)
    oro_id = start(client, sim)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    assert_error(response, 500, "configuration_error")


def test_a_resolver_that_crashes_answers_a_generic_500(sim: Any, client: Any, monkeypatch) -> None:
    from tests.api import resolver

    def boom(request: Any, order_id: str) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(resolver, "resolve", boom)
    oro_id = start(client, sim)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    body = assert_error(response, 500, "server_error")
    assert "secret" not in body["error_description"]


def test_amazon_refusing_the_call(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, MAX_RETRIES=0)
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    sim.faults.inject("*", "http_500", times=10)
    assert_error(client.post(url(oro_id, "confirm")), 503, "amazon_unavailable")


def test_amazon_codes_pass_through(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    sim.set_payment_method(oro_id, "not-allowed")
    client.post(url(oro_id, "order"), {"order_id": "A-1"}, format="json")
    response = client.post(url(oro_id, "confirm"))
    assert_error(response, 409, "ConstraintsExist")  # Amazon's code, passed through


def test_amazon_unreachable_on_read_answers_from_the_mirror(sim: Any, client: Any, settings):
    configure(settings, sim, MAX_RETRIES=0)
    oro_id = start_and_set(client, sim)["amazon_order_reference_id"]
    sim.faults.inject("*", "reset", times=10)
    response = client.get(url(oro_id))
    assert response.status_code == 200 and response.json()["amount"] == "6500"


def test_wrong_method(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    assert_error(client.get(url(oro_id, "confirm")), 405, "method_not_allowed")
    assert_error(client.delete(url(oro_id)), 405, "method_not_allowed")


def test_unknown_api_url(client: Any) -> None:
    assert_error(client.get("/amazon-pay/api/nothing/here/"), 404, "not_found")


def test_cancel_reason_too_long(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    body = {"reason": "x" * 256}
    assert_error(client.post(url(oro_id, "cancel"), body, format="json"), 400, "invalid_request")


def test_the_hosts_exception_handler_is_not_used(sim: Any, client: Any, settings: Any) -> None:
    settings.REST_FRAMEWORK = {"EXCEPTION_HANDLER": "tests.api.test_errors.host_handler"}
    assert_error(client.post(url(), {}, format="json"), 400, "invalid_request")


def host_handler(exc: Exception, context: dict) -> Any:
    raise AssertionError("the host's handler must not be called")


def test_amounts_the_currency_cannot_hold(sim: Any, client: Any) -> None:
    oro_id = start(client, sim)["amazon_order_reference_id"]
    response = client.post(url(oro_id, "order"), {"order_id": "fractional"}, format="json")
    assert_error(response, 422, "invalid_amount")


def test_amazon_refusing_our_credentials(sim: Any, client: Any, settings: Any) -> None:
    configure(settings, sim, SECRET_KEY="not-the-simulators-key", MAX_RETRIES=0)
    body = {"amazon_order_reference_id": sim.create_order_reference(), "access_token": TOKEN}
    body = assert_error(client.post(url(), body, format="json"), 502)
    assert body["error"] == "SignatureDoesNotMatch"


def test_a_call_our_own_quota_share_kept_back_says_nothing_was_sent() -> None:
    """Not "Amazon did not answer": Amazon never saw it (a retry is safe, docs/api.md)."""
    from django_amazonpay.api.errors import exception_handler
    from django_amazonpay.mws.errors import ServerError
    from django_amazonpay.mws.throttle import ShareExhausted

    response = exception_handler(ShareExhausted("GetOrderReferenceDetails", 1.3, "interactive"), {})
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert response.data["error"] == "amazon_unavailable"
    assert "nothing was sent" in response.data["error_description"]
    other = exception_handler(ServerError("boom", status=503), {})
    assert "did not answer" in other.data["error_description"]


def test_descriptions_are_one_line_whatever_they_quote() -> None:
    from django_amazonpay.api.errors import error_body

    body = error_body("amazon_error", "Amazon said\nIPN #1 valid\r\u2028fine")
    assert "\n" not in body["error_description"] and "\u2028" not in body["error_description"]
    assert body["error_description"].startswith("Amazon said\\n")


@pytest.mark.parametrize("path", ["x%0Ay", "%0A", "checkouts%0D%0A/", "a\u2028b"])
def test_unknown_paths_with_line_breaks_are_a_json_404(client: Any, path: str) -> None:
    assert_error(client.get(url() + "../" + path), 404, "not_found")
    assert_error(client.post(url() + "../" + path), 404, "not_found")
