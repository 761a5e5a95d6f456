"""The OpenAPI 3 schema is served, valid, and lists exactly this API."""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db
SCHEMA = "/amazon-pay/api/schema/"


@pytest.fixture
def schema(client: Any) -> dict[str, Any]:
    response = client.get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_every_endpoint_is_described(schema: dict[str, Any]) -> None:
    base = "/amazon-pay/api/checkouts/"
    assert {path: sorted(ops) for path, ops in schema["paths"].items()} == {
        base: ["post"],
        base + "{oro_id}/": ["get"],
        base + "{oro_id}/order/": ["post"],
        base + "{oro_id}/confirm/": ["post"],
        base + "{oro_id}/reconfirm/": ["post"],
        base + "{oro_id}/payment/": ["get"],
        base + "{oro_id}/cancel/": ["post"],
    }


def test_operations_document_errors_and_idempotency(schema: dict[str, Any]) -> None:
    confirm = schema["paths"]["/amazon-pay/api/checkouts/{oro_id}/confirm/"]["post"]
    assert {"200", "404", "409", "429"} <= set(confirm["responses"])
    assert "Idempotency-Key" in [p["name"] for p in confirm["parameters"]]
    error = schema["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "error_description"}
    checkout = schema["components"]["schemas"]["Checkout"]["properties"]
    assert "next_action" in checkout and checkout["amount"]["type"] == "string"


def test_set_order_body_has_no_amount(schema: dict[str, Any]) -> None:
    assert set(schema["components"]["schemas"]["SetOrderRequest"]["properties"]) == {"order_id"}


@pytest.mark.parametrize("query", ["", "?format=yaml"])
def test_schema_as_yaml(client: Any, query: str) -> None:
    """docs/api.md, Endpoints: YAML without ?format= or with ?format=yaml."""
    response = client.get(SCHEMA + query)
    assert response.status_code == 200 and response.content.startswith(b"openapi: 3")
    assert "yaml" in response["Content-Type"] or "openapi;" in response["Content-Type"]


@pytest.mark.parametrize(("query", "accept"), [("?format=json", "*/*"), ("", "application/json")])
def test_schema_as_json(client: Any, query: str, accept: str) -> None:
    response = client.get(SCHEMA + query, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


@pytest.mark.parametrize("fmt", ["yml", "YAML", "JSON", "openapi", "openapi-json", "api", "xml"])
def test_any_other_schema_format_is_406_naming_the_two(client: Any, fmt: str) -> None:
    response = client.get(SCHEMA, {"format": fmt})
    assert response.status_code == 406 and response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == "not_acceptable"
    assert "?format=yaml" in body["error_description"]
    assert "?format=json" in body["error_description"]


@pytest.mark.parametrize("fmt", ["yaml", "xml", "openapi"])
def test_the_checkout_endpoints_answer_json_only(client: Any, fmt: str) -> None:
    """docs/api.md, Input: there, ?format= other than json is 406, yaml included."""
    response = client.get("/amazon-pay/api/checkouts/S03-0000000-0000000/", {"format": fmt})
    assert response.status_code == 406 and response.json()["error"] == "not_acceptable"


def test_the_session_authentication_is_described_without_warnings(
    client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = client.get(SCHEMA, {"format": "json"}).json()
    assert "could not resolve authenticator" not in capsys.readouterr().err
    scheme = schema["components"]["securitySchemes"]["sessionCookie"]
    assert scheme == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
