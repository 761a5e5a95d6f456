"""The wire's error tree, and the one table that classifies Amazon's error codes.

Caught by meaning: `except Throttled`, `except InvalidState`... Every decision of the kind
"retry? in doubt? not found?" is made from CODE_CLASSES below, closed by default: a code not
listed is a plain MwsError, never retried.
"""

from __future__ import annotations


class AmazonPayError(Exception):
    """Base of every error this app raises."""


class MwsError(AmazonPayError):
    """Amazon answered with an ErrorResponse (or a status that stands for one)."""

    #: may the same request be sent again after a pause?
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        type: str | None = None,
        request_id: str | None = None,
        status: int | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.request_id = request_id
        self.status = status
        self.operation = operation

    def __str__(self) -> str:
        where = f"{self.operation}: " if self.operation else ""
        return f"{where}{self.status} {self.code}: {self.message} (request id {self.request_id})"


class Throttled(MwsError):
    retryable = True


class ServerError(MwsError):
    """500/503 from Amazon (InternalError, ServiceUnavailable...)."""

    retryable = True


class InvalidState(MwsError):
    """The object is not in a state that allows the operation (405s, ConstraintsExist...)."""


class NotFound(MwsError):
    """Unknown order reference or transaction id."""


class AmountExceeded(MwsError):
    """Amount or count above what Amazon allows."""


class InvalidParameter(MwsError):
    """A parameter Amazon refused (including currency mismatch)."""


class AuthenticationError(MwsError):
    """Signature, access key or seller account problem: a configuration error, never retried."""


class DuplicateReference(MwsError):
    """A reference id that Amazon already knows: the object exists, fetch it."""


class MalformedResponse(AmazonPayError):
    """A body that is not the XML Amazon sends."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: str = "",
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body[:500]
        self.operation = operation


class TransportError(AmazonPayError):
    """No answer: connection failure or timeout. For a mutating call the outcome is unknown."""

    def __init__(self, message: str, *, operation: str | None = None, sent: bool = True) -> None:
        super().__init__(message)
        self.operation = operation
        #: False when the request certainly never left (connect failure): nothing happened
        self.sent = sent


class RequestValidationError(AmazonPayError, ValueError):
    """Input refused before any request was made."""


#: worth trying again later (a task's retry, the next settle run): Amazon throttled, failed on
#: its side, or did not answer. Everything else is a real answer and is not retried.
TRANSIENT_ERRORS: tuple[type[AmazonPayError], ...] = (Throttled, ServerError, TransportError)

CODE_CLASSES: dict[str, type[MwsError]] = {
    # throttling and service faults: retry with backoff (spec 1.8, 2.1)
    "RequestThrottled": Throttled,
    "QuotaExceeded": Throttled,
    "InternalError": ServerError,
    "InternalServerError": ServerError,
    "ServiceUnavailable": ServerError,
    # state
    "ConstraintsExist": InvalidState,
    "OrderReferenceNotModifiable": InvalidState,
    "InvalidOrderReferenceStatus": InvalidState,
    "InvalidAuthorizationStatus": InvalidState,
    "CaptureNotRefundable": InvalidState,
    "InvalidCancelAttempt": InvalidState,
    "InvalidCloseAttempt": InvalidState,
    "PaymentMethodNotUpdated": InvalidState,
    "PaymentMethodNotAllowed": InvalidState,
    "InvalidPaymentMethod": InvalidState,
    # not found
    "InvalidOrderReferenceId": NotFound,
    "InvalidTransactionId": NotFound,
    "InvalidAddress": NotFound,
    # amounts and counts
    "TransactionAmountExceeded": AmountExceeded,
    "TransactionCountExceeded": AmountExceeded,
    "PeriodicAmountExceeded": AmountExceeded,
    # parameters
    "InvalidParameterValue": InvalidParameter,
    "MissingParameter": InvalidParameter,
    "CurrencyMismatch": InvalidParameter,
    "CurrencyUnsupported": InvalidParameter,
    "InvalidAddressConsentToken": InvalidParameter,
    "InvalidSandboxSimulationSpecified": InvalidParameter,
    # credentials and account
    "SignatureDoesNotMatch": AuthenticationError,
    "InvalidAccessKeyId": AuthenticationError,
    "AccessDenied": AuthenticationError,
    "MissingAuthenticationToken": AuthenticationError,
    "UnauthorizedAccess": AuthenticationError,
    "InvalidAccountStatus": AuthenticationError,
    "UnauthorizedSolutionProvider": AuthenticationError,
    # idempotency (spec 3.9)
    "DuplicateReferenceId": DuplicateReference,
    "DuplicateRequest": DuplicateReference,
}


def error_class_for(code: str | None, status: int | None) -> type[MwsError]:
    """The class for an Amazon code; unknown codes fall back on the HTTP status class."""
    if code and code in CODE_CLASSES:
        return CODE_CLASSES[code]
    if status in (500, 502, 503, 504):  # = parsing.SERVER_FAILURES
        return ServerError
    return MwsError
