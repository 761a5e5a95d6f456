"""The OpenAPI 3 schema of this API only (drf-spectacular), whatever else the host serves."""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from .. import __version__


def only_this_api(endpoints: list[tuple[str, str, str, Any]], **kwargs: Any) -> list:
    """drf-spectacular preprocessing hook: keep the endpoints of django_amazonpay.api."""
    return [
        endpoint
        for endpoint in endpoints
        if getattr(endpoint[3], "cls", None) is not None
        and endpoint[3].cls.__module__ == "django_amazonpay.api.views"
    ]


class SchemaView(SpectacularAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    custom_settings = {
        "TITLE": "django-amazonpay storefront API",
        "DESCRIPTION": "Amazon Pay checkout steps for the storefront. See docs/api.md.",
        "VERSION": __version__,
        "PREPROCESSING_HOOKS": ["django_amazonpay.api.schema.only_this_api"],
        "COMPONENT_SPLIT_REQUEST": True,
    }
