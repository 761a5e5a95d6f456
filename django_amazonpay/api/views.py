"""One view per checkout step: validate, call one service, answer with the checkout.

Every answer carries `next_action` (see steps.py). Errors come from errors.exception_handler,
whatever the host's EXCEPTION_HANDLER is. Mutating steps honour `Idempotency-Key`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import services
from ..client import interactive
from ..conf import get_settings
from ..models import OrderReference
from ..services.claims import REQUEST_TTL, claim
from ..services.errors import AmazonRequestError
from ..states import OrderReferenceState
from . import reads
from . import serializers as s
from .errors import (
    AccessTokenRequired,
    CheckoutBusy,
    CheckoutNotFound,
    InvalidAccessToken,
    JsonErrors,
    WrongEnvironment,
    WrongState,
    error_body,
)
from .idempotency import HEADER, idempotent
from .orders import resolve_order
from .parsing import JSONBodyParser, check_body_size
from .permissions import (
    CsrfSessionAuthentication,
    HasSession,
    access_token,
    owned_checkout,
    owns,
    remember_checkout,
    usable_session,
)
from .schema import CheckoutSchema
from .steps import (
    authorization_action,
    latest_authorization,
    next_action,
    payment_outcome,
    result_action,
)
from .throttling import (
    AddressWriteThrottle,
    CheckoutReadThrottle,
    CheckoutWriteThrottle,
    StartThrottle,
)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description="Optional: a retry with the same key gets the first answer, nothing runs twice.",
    # what idempotency.py accepts: 1 to 255 printable ASCII characters, no space
    pattern=r"^[!-~]{1,255}$",
)
ERROR_RESPONSES = {
    code: OpenApiResponse(s.ErrorSerializer, description=text)
    for code, text in (
        (
            400,
            "invalid_request, invalid_json, invalid_idempotency_key, access_token_required, "
            "invalid_access_token, wrong_environment, or Amazon's code",
        ),
        (403, "csrf_failed"),
        (404, "no_checkout (malformed, unknown, nonexistent or another caller's), no_order"),
        (406, "not_acceptable (?format= other than json)"),
        (411, "length_required (a body sent without Content-Length)"),
        (409, "invalid_state, idempotency_key_in_use, database_busy"),
        (413, "request_too_large"),
        (415, "unsupported_media_type"),
        (422, "invalid_amount, amount_exceeded, idempotency_key_reused"),
        (429, "throttled"),
        (502, "Amazon's error code, amazon_error"),
        (503, "amazon_unavailable"),
    )
}


@contextmanager
def one_step_at_a_time(checkout_id: str) -> Iterator[None]:
    """Hold the checkout for one step, or raise CheckoutBusy when another step holds it.
    No id (a start before its body is read): nothing to hold yet."""
    if not checkout_id:
        yield
        return
    digest = hashlib.sha256(checkout_id.encode("utf-8", "backslashreplace")).hexdigest()
    with claim(f"api-step:{digest[:32]}", ttl=REQUEST_TTL) as held:
        if not held:
            raise CheckoutBusy()
        yield


class CheckoutAPIView(JsonErrors, APIView):
    """Shared policy: session + CSRF, throttles, JSON only, our error handler and schema."""

    authentication_classes = [CsrfSessionAuthentication]
    permission_classes = [HasSession]
    throttle_classes = [CheckoutReadThrottle, CheckoutWriteThrottle, AddressWriteThrottle]
    parser_classes = [JSONBodyParser]
    renderer_classes = [JSONRenderer]
    schema = CheckoutSchema()
    #: this view's OpenAPI description (schema.CheckoutSchema reads it)
    docs: dict[str, Any] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        check_body_size(request)  # before anything reads it
        usable_session(request)  # before anything loads it
        super().initial(request, *args, **kwargs)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # a buyer is waiting: MWS calls may not sit in long backoff (STYLE 3)
        with interactive():
            return super().dispatch(request, *args, **kwargs)

    def mutate(
        self, request: Request, step: Callable[[], Response], *, checkout_id: str = ""
    ) -> Response:
        """Run a mutating step once per Idempotency-Key; its errors are answered (and kept).

        Steps on one checkout run one at a time, whoever sends them: a double click or a
        second tab is answered 409 checkout_busy at once instead of calling Amazon again
        beside the first (docs/api.md, Errors). The claim is no row lock: none is held while
        Amazon works.
        """

        def guarded() -> Response:
            try:
                with one_step_at_a_time(checkout_id):
                    return step()
            except Exception as exc:  # answered by our handler, kept for replays
                return self.handle_exception(exc)

        return idempotent(request, guarded)

    def checkout(self, request: Request, oro_id: str) -> OrderReference:
        return owned_checkout(request, oro_id)


def _valid(serializer_class: type, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


#: Amazon's answers to a start for an id this buyer cannot have: told apart from a foreign
#: id, they would let anyone probe which ids exist (docs/api.md, The same answer)
NOT_THE_BUYERS = ("InvalidOrderReferenceId", "InvalidAddressConsentToken")
_MISSING = ("required", "blank", "null")


def _codes(errors: dict[str, Any], field: str) -> set[str]:
    return {getattr(error, "code", "") for error in errors.get(field, [])}


def _start_data(request: Request) -> dict[str, Any]:
    """The start body, or the refusal that says what to fix; nothing reaches Amazon without
    a well-formed id of the shop's environment and a well-formed access token.

    A malformed id is answered as Amazon's answer to an id it does not know would be, in the
    same order (token refusals first): 404 no_checkout (docs/api.md, The same answer)."""
    serializer = s.StartCheckoutSerializer(data=request.data)
    if serializer.is_valid():
        return serializer.validated_data
    errors = serializer.errors
    id_codes = _codes(errors, "amazon_order_reference_id")
    if "non_field_errors" in errors or id_codes & set(_MISSING):
        raise ValidationError(errors)  # not an object, or no id at all: no id to answer for
    if "wrong_environment" in id_codes:
        raise WrongEnvironment(errors["amazon_order_reference_id"][0])
    token_codes = _codes(errors, "access_token")
    if token_codes & set(_MISSING):
        raise AccessTokenRequired()
    if token_codes:
        raise InvalidAccessToken()
    raise CheckoutNotFound()  # only the id is wrong: as a well-formed id nobody has


class StartCheckoutView(CheckoutAPIView):
    throttle_classes = [*CheckoutAPIView.throttle_classes, StartThrottle]
    docs = dict(
        operation_id="start_checkout",
        request=s.StartCheckoutSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={201: s.CheckoutSerializer, **ERROR_RESPONSES},
        summary="Start a checkout from the widgets' order reference id and the buyer's token",
    )

    def post(self, request: Request) -> Response:
        def step() -> Response:
            data = _start_data(request)
            oro_id, token = data["amazon_order_reference_id"], data["access_token"]
            # two sessions starting one id at once: the second waits for nothing, it is
            # refused, and then finds the id taken (no two owners)
            with one_step_at_a_time(oro_id):
                existing = OrderReference.objects.filter(amazon_order_reference_id=oro_id).first()
                if existing is not None and not owns(request, existing):
                    raise CheckoutNotFound()
                try:
                    oro = services.start_checkout(oro_id, access_token=token, user=request.user)
                except AmazonRequestError as err:
                    if err.amazon_code in NOT_THE_BUYERS:
                        raise CheckoutNotFound() from None
                    raise
                remember_checkout(request, oro_id, token)
            return Response(s.checkout_data(oro), status=status.HTTP_201_CREATED)

        return self.mutate(request, step)


class CheckoutView(CheckoutAPIView):
    docs = dict(
        operation_id="read_checkout",
        responses={200: s.CheckoutSerializer, **ERROR_RESPONSES},
        summary="Read a checkout: state, constraints, destination, amounts, next action",
    )

    def get(self, request: Request, oro_id: str) -> Response:
        oro = self.checkout(request, oro_id)
        constraints = reads.draft_constraints(request, self, oro, access_token(request, oro_id))
        return Response(s.checkout_data(oro, constraints=constraints))


class SetOrderView(CheckoutAPIView):
    docs = dict(
        operation_id="set_order",
        request=s.SetOrderSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: s.CheckoutSerializer, **ERROR_RESPONSES},
        summary="Set the shop's order: amount and items from ORDER_RESOLVER",
    )

    def post(self, request: Request, oro_id: str) -> Response:
        def step() -> Response:
            oro = self.checkout(request, oro_id)  # first: another's id is 404, whatever else
            data = _valid(s.SetOrderSerializer, request)
            if oro.state != OrderReferenceState.DRAFT:
                raise WrongState(_("The order can only be set before the checkout is confirmed."))
            # read the full address with the buyer's token, so the shop can price shipping
            oro = services.start_checkout(oro_id, access_token=access_token(request, oro_id))
            django_request: HttpRequest = request._request
            django_request.amazon_pay_checkout = oro  # type: ignore[attr-defined]
            order = resolve_order(django_request, data["order_id"])
            oro = services.set_order_details(
                oro,
                items=order.items,
                shipping_fee=order.shipping_fee,
                discount=order.discount,
                discount_note=order.discount_note,
                seller_order_id=order.seller_order_id,
                store_name=order.store_name,
                seller_note=order.seller_note,
            )
            return Response(s.checkout_data(oro))

        return self.mutate(request, step, checkout_id=oro_id)


def _confirm_and_authorize(oro: OrderReference) -> dict[str, Any]:
    oro = services.confirm(oro)
    if not get_settings().authorize_on_confirm:
        return s.checkout_data(oro)
    done = latest_authorization(oro)
    if done is not None and payment_outcome(done) in ("authorized", "captured", "pending"):
        # a repeat after the payment went through: nothing to do
        return s.checkout_data(oro, authorization=done)
    result = services.authorize(oro)
    oro.refresh_from_db()
    return s.checkout_data(oro, action=result_action(result.next_action, result.outcome))


class ConfirmView(CheckoutAPIView):
    docs = dict(
        operation_id="confirm_checkout",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: s.CheckoutSerializer, **ERROR_RESPONSES},
        summary="Confirm the order reference (and authorize, per AUTHORIZE_ON_CONFIRM)",
    )

    def post(self, request: Request, oro_id: str) -> Response:
        def step() -> Response:
            oro = self.checkout(request, oro_id)
            if oro.state == OrderReferenceState.DRAFT and not oro.seller_order_id:
                raise WrongState(_("Set the order before confirming."))
            if oro.state == OrderReferenceState.SUSPENDED:
                raise WrongState(
                    _("The payment method was declined: choose another one, then reconfirm.")
                )
            return Response(_confirm_and_authorize(oro))

        return self.mutate(request, step, checkout_id=oro_id)


class ReconfirmView(CheckoutAPIView):
    docs = dict(
        operation_id="reconfirm_checkout",
        request=None,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: s.CheckoutSerializer, **ERROR_RESPONSES},
        summary="Confirm again after the buyer chose another payment method, and authorize",
    )

    def post(self, request: Request, oro_id: str) -> Response:
        def step() -> Response:
            oro = self.checkout(request, oro_id)
            if oro.state not in (OrderReferenceState.SUSPENDED, OrderReferenceState.OPEN):
                raise WrongState(
                    _("Only a checkout declined with InvalidPaymentMethod can be reconfirmed.")
                )
            return Response(_confirm_and_authorize(oro))

        return self.mutate(request, step, checkout_id=oro_id)


class PaymentView(CheckoutAPIView):
    docs = dict(
        operation_id="read_payment",
        responses={200: s.PaymentSerializer, **ERROR_RESPONSES},
        summary="Read the payment result (a pending authorization is read from Amazon at most "
        f"once every {reads.READ_WINDOW} seconds, whoever asks)",
    )

    def get(self, request: Request, oro_id: str) -> Response:
        oro = self.checkout(request, oro_id)
        auth = latest_authorization(oro)
        if auth is not None and payment_outcome(auth) in ("pending", "in_doubt"):
            if reads.refresh_authorization(request, self, auth):
                oro.refresh_from_db()
                auth = latest_authorization(oro)
        if auth is None:
            action = next_action(oro, authorization=None)  # none, as just read
        else:
            action = authorization_action(auth)
        outcome = payment_outcome(auth)
        return Response(s.payment_data(oro, outcome=outcome, action=action, authorization=auth))


class CancelView(CheckoutAPIView):
    docs = dict(
        operation_id="cancel_checkout",
        request=s.CancelSerializer,
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: s.CheckoutSerializer, **ERROR_RESPONSES},
        summary="Cancel the order reference (nothing captured yet)",
    )

    def post(self, request: Request, oro_id: str) -> Response:
        def step() -> Response:
            oro = self.checkout(request, oro_id)
            data = _valid(s.CancelSerializer, request) if request.body else {}
            if oro.state == OrderReferenceState.DRAFT:
                raise WrongState(_("A checkout is only canceled after confirmation."))
            oro = services.cancel_order(oro, reason=data.get("reason", ""))
            return Response(s.checkout_data(oro))

        return self.mutate(request, step, checkout_id=oro_id)


@csrf_exempt  # it does nothing: a POST without a CSRF token gets the same JSON 404
def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Unknown URLs below the API answer in the API's error shape too."""
    return JsonResponse(
        error_body("not_found", _("No such API endpoint.")), status=status.HTTP_404_NOT_FOUND
    )
