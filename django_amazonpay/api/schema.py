"""The OpenAPI 3 schema of this API only (drf-spectacular), whatever else the host serves.

The views describe themselves in a `docs` dict read by CheckoutSchema, rather than with
`@extend_schema`, which would build on the host's DEFAULT_SCHEMA_CLASS (DRF's own unless the
host configured drf-spectacular).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from .. import __version__
from ..conf import get_settings
from .errors import JsonErrors
from .throttling import CheckoutReadThrottle


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    """Our session authentication in the schema (drf-spectacular knows DRF's own class only,
    not subclasses, and warned on every schema request)."""

    target_class = "django_amazonpay.api.permissions.CsrfSessionAuthentication"
    name = "sessionCookie"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class OrderReferenceIdScheme(OpenApiSerializerFieldExtension):
    """Only ids of the shop's environment are accepted (S... in the sandbox, P... live):
    the pattern says so, so that a client generated from the schema sends no other."""

    target_class = "django_amazonpay.api.serializers.OrderReferenceIdField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        prefix = "S" if get_settings().sandbox else "P"
        schema["pattern"] = f"^{prefix}[0-9]{{2}}-[0-9]{{7}}-[0-9]{{7}}$"
        return schema


class CheckoutSchema(AutoSchema):
    """AutoSchema taking operation id, summary, parameters, request and responses from
    the view's `docs` attribute."""

    def _doc(self, key: str, default: Any = None) -> Any:
        return getattr(self.view, "docs", {}).get(key, default)

    def get_operation_id(self) -> str:
        return self._doc("operation_id") or super().get_operation_id()

    def get_summary(self) -> str | None:
        return self._doc("summary") or super().get_summary()

    def get_override_parameters(self) -> list:
        return list(self._doc("parameters", []))

    def get_request_serializer(self) -> Any:
        return self._doc("request")

    def get_response_serializers(self) -> Any:
        return self._doc("responses")

    def get_tags(self) -> list[str]:
        return ["checkout"]


def only_this_api(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list:
    """drf-spectacular preprocessing hook: keep the endpoints of django_amazonpay.api."""
    return [
        endpoint
        for endpoint in endpoints
        if getattr(endpoint[3], "cls", None) is not None
        and endpoint[3].cls.__module__ == "django_amazonpay.api.views"
    ]


class SchemaView(JsonErrors, SpectacularAPIView):
    """The schema as YAML (no ?format=, or ?format=yaml), or JSON with ?format=json; any other
    ?format= is 406; errors in the API's shape, as JSON (docs/api.md, Endpoints)."""

    formats_hint = _(
        "The schema is YAML (leave out ?format=, or ?format=yaml) or JSON (?format=json)."
    )
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [CheckoutReadThrottle]
    custom_settings = {
        "TITLE": "django-amazonpay storefront API",
        "DESCRIPTION": "Amazon Pay checkout steps for the storefront. See docs/api.md.",
        "VERSION": __version__,
        "PREPROCESSING_HOOKS": ["django_amazonpay.api.schema.only_this_api"],
        "COMPONENT_SPLIT_REQUEST": True,
    }
