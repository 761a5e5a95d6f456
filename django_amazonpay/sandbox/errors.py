"""The one error the simulator raises inside: rendered as Amazon's ErrorResponse by the WSGI app."""

from __future__ import annotations


class SimulatorError(Exception):
    """An ErrorResponse to send: Amazon's code, message, HTTP status and Sender/Receiver type."""

    def __init__(self, code: str, message: str, status: int = 400, type: str = "Sender") -> None:
        super().__init__(f"{status} {code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.type = type
