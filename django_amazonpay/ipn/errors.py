"""Why a delivery is refused, or cannot be checked yet."""

from __future__ import annotations

#: reasons are stored, logged and answered: long attacker-chosen values are cut to this
REASON_LIMIT = 500


class Rejected(Exception):
    """The delivery is refused. `status` is what the endpoint answers (400 or 403)."""

    def __init__(self, reason: str, status: int = 400, *, forged: bool = False) -> None:
        reason = reason if len(reason) <= REASON_LIMIT else reason[: REASON_LIMIT - 1] + "…"
        super().__init__(reason)
        self.reason = reason
        self.status = status
        #: a signature/certificate problem: someone may be forging notifications
        self.forged = forged


class CertificateUnavailable(Exception):
    """The certificate could not be fetched: answer 503 so SNS tries again later."""
