"""Every URL below the IPN endpoint answers in its error shape; nothing beside it is claimed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import include, path

from tests.ipn.helpers import assert_error_shape

pytestmark = pytest.mark.django_db

#: the IPN URLs included first under the prefix the API shares (as a project may order them)
urlpatterns = [
    path("amazon-pay/", include("django_amazonpay.ipn.urls")),
    path("amazon-pay/api/", include("django_amazonpay.api.urls")),
]


@pytest.fixture(autouse=True)
def _urls(settings: Any) -> None:
    settings.ROOT_URLCONF = __name__


@pytest.mark.parametrize(
    "url",
    ["/amazon-pay/ipn/%00", "/amazon-pay/ipn/anything", "/amazon-pay/ipn/a/b/c/",
     "/amazon-pay/ipn/x%0A2026-12-02%20fake", "/amazon-pay/ipn/%E2%80%A8", "/amazon-pay/ipn",
     "/amazon-pay/ipn/ipn/"],
)  # fmt: skip
@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_unknown_urls_under_the_endpoint_are_a_json_404(
    csrf_client: Any, url: str, method: str
) -> None:
    """A POST without a CSRF token too: SNS never has one, and Django's HTML 403 is no answer."""
    response = csrf_client.generic(method, url, b"{}", content_type="text/plain")
    data = assert_error_shape(response, 404)
    assert data["error"] == "not_found"
    assert "/amazon-pay/ipn/" in data["error_description"]


def test_the_endpoint_itself_and_the_api_beside_it_are_unchanged(csrf_client: Any) -> None:
    assert csrf_client.post("/amazon-pay/ipn/", b"{}", content_type="text/plain").status_code == 400
    schema = csrf_client.get("/amazon-pay/api/schema/")
    assert schema.status_code == 200  # not swallowed by the IPN's catch-all
    api_404 = csrf_client.get("/amazon-pay/api/nothing/")
    assert api_404.status_code == 404 and api_404.json()["error"] == "not_found"
