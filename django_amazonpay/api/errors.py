"""Every API error as `{"error": code, "error_description": text}` (docs/api.md, Errors).

`exception_handler` is returned by the API views' `get_exception_handler`, so the host's
global EXCEPTION_HANDLER never changes our bodies (STYLE 9). This module alone decides which
HTTP status and code each failure gets; anything unexpected is logged and answered with a
generic 500 body, never a traceback.
"""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import set_rollback

from ..conf import ConfigurationError
from ..database import database_busy
from ..logs import get_logger
from ..mws.errors import (
    MalformedResponse,
    MwsError,
    RequestValidationError,
    ServerError,
    Throttled,
    TransportError,
)
from ..mws.throttle import ShareExhausted
from ..safetext import escape_controls
from ..services import errors as service_errors

logger = get_logger(__name__)


class ApiError(exceptions.APIException):
    """Base of the API's own refusals (DRF style: status_code, default_code, default_detail)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_request"
    default_detail = _("The request is invalid.")


class CheckoutNotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "no_checkout"
    default_detail = _("No such checkout.")


class OrderNotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "no_order"
    default_detail = _("The shop has no such order.")


class CsrfFailed(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "csrf_failed"
    default_detail = _("CSRF check failed: send the csrftoken cookie's value in X-CSRFToken.")


class InvalidIdempotencyKey(ApiError):
    default_code = "invalid_idempotency_key"
    default_detail = _("The Idempotency-Key header must be 1 to 255 printable ASCII characters.")


class IdempotencyKeyInUse(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_use"
    default_detail = _("A request with this Idempotency-Key is still being processed.")


class IdempotencyKeyReused(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("This Idempotency-Key was used for a different request.")


class WrongState(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "invalid_state"
    default_detail = _("The checkout is not in a state that allows this step.")


class AccessTokenRequired(ApiError):
    default_code = "access_token_required"
    default_detail = _(
        "Send the buyer's Login with Amazon access token (access_token) with the order "
        "reference id: a checkout starts only for the buyer who signed in."
    )


class InvalidAccessToken(ApiError):
    default_code = "invalid_access_token"
    default_detail = _(
        "access_token is not a Login with Amazon access token: send it as the Amazon Pay "
        "button gave it (Atza|..., URL-decoded, at most 2048 characters)."
    )


class WrongEnvironment(ApiError):
    default_code = "wrong_environment"


class RequestTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"
    default_detail = _("The request body is too large for this API.")


class LengthRequired(ApiError):
    status_code = status.HTTP_411_LENGTH_REQUIRED
    default_code = "length_required"
    default_detail = _(
        "Send the body with a Content-Length header: chunked or other transfer encodings are "
        "not accepted (a request without a body needs neither)."
    )


class FormatNotAcceptable(ApiError):
    status_code = status.HTTP_406_NOT_ACCEPTABLE
    default_code = "not_acceptable"
    default_detail = _("This endpoint does not answer in that format: leave out ?format=.")


class DatabaseBusy(ApiError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "database_busy"
    default_detail = _("The shop's database was busy with another request: try again.")


class CheckoutBusy(ApiError):
    """Another request is changing this checkout now (a double click, a second tab)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "checkout_busy"
    default_detail = _("Another request is working on this checkout: read it, or try again.")


#: service error class -> (HTTP status, description safe to show)
_SERVICE_ERRORS: list[tuple[type[Exception], int]] = [
    (service_errors.InvalidStateError, status.HTTP_409_CONFLICT),
    (service_errors.TotalMismatchError, status.HTTP_409_CONFLICT),
    (service_errors.LimitReachedError, status.HTTP_409_CONFLICT),
    (service_errors.AmountExceededError, status.HTTP_422_UNPROCESSABLE_ENTITY),
    (service_errors.InvalidAmountError, status.HTTP_422_UNPROCESSABLE_ENTITY),
]

#: DRF's own exceptions -> our code (the status is the exception's)
_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.ParseError, "invalid_json"),
    (exceptions.ValidationError, "invalid_request"),
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
]


class JsonErrors:
    """Mixin for the API's views: errors from exception_handler, always rendered as JSON
    (whatever ?format= or Accept asked for), and a ?format= naming no renderer is 406."""

    #: what the 406 for an unknown ?format= says (None: FormatNotAcceptable's default)
    formats_hint: Any = None

    def get_exception_handler(self) -> Any:
        return exception_handler

    def perform_content_negotiation(self, request: Any, force: bool = False) -> Any:
        try:
            return super().perform_content_negotiation(request, force)  # type: ignore[misc]
        except Http404:  # DRF's answer to an unknown ?format=
            raise FormatNotAcceptable(self.formats_hint) from None

    def finalize_response(self, request: Any, response: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(response, "exception", False):
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]


def error_body(code: str, description: Any) -> dict[str, str]:
    # descriptions may quote a client's input or Amazon's message: one line, no controls
    return {"error": code, "error_description": escape_controls(str(description))}


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    """DRF's nested ValidationError detail as "field: message" lines."""
    if isinstance(detail, dict):
        lines = []
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else f"{prefix}{key}"
            lines += _flatten(value, f"{name}." if name else "")
        return lines
    if isinstance(detail, list):
        return [line for item in detail for line in _flatten(item, prefix)]
    label = prefix.rstrip(".")
    return [f"{label}: {detail}" if label else str(detail)]


def _amazon_status(error: MwsError) -> int:
    if error.status == status.HTTP_404_NOT_FOUND:
        return status.HTTP_404_NOT_FOUND
    if error.code in (
        "InvalidOrderReferenceStatus",
        "InvalidAuthorizationStatus",
        "ConstraintsExist",
    ):
        return status.HTTP_409_CONFLICT
    if error.status is not None and 400 <= error.status < 500 and error.status not in (401, 403):
        return status.HTTP_400_BAD_REQUEST
    return status.HTTP_502_BAD_GATEWAY


def _unavailable(error: MwsError) -> bool:
    return isinstance(error, ServerError | Throttled)


def _unavailable_text(exc: BaseException) -> str:
    error = exc.error if isinstance(exc, service_errors.AmazonRequestError) else exc
    if isinstance(error, ShareExhausted):  # our own quota share: Amazon never saw it
        return _("Too many requests to Amazon Pay just now: nothing was sent. Try again shortly.")
    return _("Amazon Pay did not answer; try again.")


def _retry_after(exc: BaseException) -> dict[str, str]:
    """A Retry-After header when the error knows how long a retry should wait."""
    error = exc.error if isinstance(exc, service_errors.AmazonRequestError) else exc
    seconds = getattr(error, "retry_after", None)
    return {"Retry-After": str(max(1, math.ceil(seconds)))} if seconds is not None else {}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """The API's exception handler: a response for every exception, never a traceback."""
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = CheckoutNotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif database_busy(exc):
        logger.info("database busy, answered 409: %s", exc)
        exc, headers = DatabaseBusy(), {"Retry-After": "1"}
    if isinstance(exc, CheckoutBusy):
        headers = {"Retry-After": "1"}
    elif isinstance(exc, RequestValidationError):
        exc = exceptions.ValidationError(str(exc))
    if isinstance(exc, ApiError):
        body, code = error_body(exc.default_code, exc.detail), exc.status_code
    elif isinstance(exc, exceptions.APIException):
        name = next((c for cls, c in _DRF_CODES if isinstance(exc, cls)), "invalid_request")
        text = (
            "; ".join(_flatten(exc.detail)) if isinstance(exc.detail, dict | list) else exc.detail
        )
        body, code = error_body(name, text), exc.status_code
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait))
    elif isinstance(exc, service_errors.AmazonRequestError) and not _unavailable(exc.error):
        body = error_body(exc.amazon_code or "amazon_error", exc.error.message)
        code = _amazon_status(exc.error)
    elif isinstance(exc, MwsError) and not _unavailable(exc):
        body = error_body(exc.code or "amazon_error", exc.message)
        code = _amazon_status(exc)
    elif isinstance(exc, MwsError | TransportError | service_errors.AmazonRequestError):
        # before ServiceError: an AmazonRequestError wrapping a 5xx/throttle is unavailability
        logger.warning("Amazon Pay unavailable: %s", exc)
        body = error_body("amazon_unavailable", _unavailable_text(exc))
        code = status.HTTP_503_SERVICE_UNAVAILABLE
        headers.update(_retry_after(exc))
    elif isinstance(exc, MalformedResponse):
        logger.warning("Amazon Pay answered something unreadable: %s", exc)
        body = error_body("amazon_error", _("Amazon Pay's answer could not be read."))
        code = status.HTTP_502_BAD_GATEWAY
    elif isinstance(exc, service_errors.ServiceError):
        code = next(
            (s for cls, s in _SERVICE_ERRORS if isinstance(exc, cls)), status.HTTP_400_BAD_REQUEST
        )
        body = error_body(exc.code, exc)
    elif isinstance(exc, ConfigurationError):
        logger.error("Amazon Pay is not configured: %s", exc)
        body = error_body("configuration_error", _("The shop's Amazon Pay setup is incomplete."))
        code = status.HTTP_500_INTERNAL_SERVER_ERROR
    else:
        view = context.get("view")
        logger.exception("Unexpected error in %s", type(view).__name__ if view else "the API")
        body = error_body("server_error", _("Something went wrong on the shop's side."))
        code = status.HTTP_500_INTERNAL_SERVER_ERROR
    set_rollback()
    return Response(body, status=code, headers=headers)
