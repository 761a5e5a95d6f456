"""The domain errors the services raise; each leaves the database untouched.

Anticipated problems (a wrong state, an amount over Amazon's limits) carry a message safe to
show staff or the buyer; `AmazonRequestError` wraps an error Amazon answered (STYLE 4).
"""

from __future__ import annotations

from ..mws.errors import AmazonPayError, MalformedResponse, MwsError, ServerError, TransportError

#: what a call raises when Amazon gave no usable answer (transport failure, unparsable body, 5xx
#: after the client's retries): for a mutating call the outcome is unknown, never "refused".
#: Callers that may also meet a repeat's answer add to it (`(*NO_ANSWER, Throttled)`...).
NO_ANSWER: tuple[type[AmazonPayError], ...] = (TransportError, MalformedResponse, ServerError)


class ServiceError(AmazonPayError):
    """Base of the service layer's refusals. `code` is stable for API error bodies."""

    code = "service_error"


class InvalidStateError(ServiceError):
    """The object's state does not allow the operation (spec 3 state tables)."""

    code = "invalid_state"


class InvalidAmountError(ServiceError, ValueError):
    """Zero, negative, over-precise or wrong-currency amount (STYLE 5)."""

    code = "invalid_amount"


class InvalidInputError(ServiceError, ValueError):
    """A text longer than Amazon or our columns take (spec 2.4 limits): nothing was sent."""

    code = "invalid_input"


def check_length(value: str | None, what: str, limit: int | None) -> None:
    """Refuse `value` before any row is written or request sent when it exceeds `limit`."""
    if value is not None and limit is not None and len(value) > limit:
        raise InvalidInputError(f"{what} is {len(value)} characters long; at most {limit}")


class AmountExceededError(ServiceError):
    """Above what Amazon allows (spec 3.7): nothing was sent."""

    code = "amount_exceeded"


class TotalMismatchError(ServiceError):
    """The server-side total differs from the total the shop expected."""

    code = "total_mismatch"


class LimitReachedError(ServiceError):
    """A count limit: 10 refunds per capture, 10 authorizations per order reference."""

    code = "limit_reached"


class AmazonRequestError(ServiceError):
    """Amazon refused the request; `error` is the classified MwsError."""

    code = "amazon_error"

    def __init__(self, error: MwsError) -> None:
        super().__init__(f"Amazon refused {error.operation or 'the request'}: {error.message}")
        self.error = error
        self.amazon_code = error.code


def no_answer(err: AmazonPayError) -> AmazonRequestError:
    """An AmazonRequestError for a call that got no usable answer (transport failure,
    unparsable body, 5xx after the client's retries): code "NoAnswer", safe to repeat."""
    if isinstance(err, MwsError):
        return AmazonRequestError(err)
    # a ServerError: the API answers "Amazon Pay did not answer; try again" (503)
    return AmazonRequestError(
        ServerError(str(err), code="NoAnswer", operation=getattr(err, "operation", None))
    )
