"""What the wire layer needs to know, handed to it as one frozen object (it reads no settings)."""

from __future__ import annotations

from dataclasses import dataclass

from ..regions import ORDERS_PATH, PAYMENTS_PATH_LIVE, PAYMENTS_PATH_SANDBOX, Region


@dataclass(frozen=True)
class RetryPolicy:
    #: attempts after the first one
    max_retries: int = 3
    #: first pause in seconds; doubles each time, with full jitter
    backoff_base: float = 1.0
    backoff_max: float = 30.0


@dataclass(frozen=True)
class ClientConfig:
    seller_id: str
    access_key: str
    secret_key: str
    region: Region
    sandbox: bool = True
    #: base URL replacing https://<region host>, e.g. the simulator's "http://127.0.0.1:8001"
    endpoint: str | None = None
    mws_auth_token: str | None = None
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retry: RetryPolicy = RetryPolicy()
    #: token buckets per operation (spec 2.1) shared through the cache handed to the client
    throttle: bool = True
    #: longest a call waits for a token; when it would wait longer it is not sent
    throttle_max_wait: float = 60.0
    #: share of every bucket each class of work (interactive, background) keeps for itself;
    #: 0 = no shares (mws/throttle.py)
    throttle_reserved_share: float = 0.0
    #: DEBUG-log every request and response, redacted by allow-list (mws/redaction.py)
    log_wire: bool = False

    @property
    def base_url(self) -> str:
        return (self.endpoint or f"https://{self.region.host}").rstrip("/")

    @property
    def payments_path(self) -> str:
        return PAYMENTS_PATH_SANDBOX if self.sandbox else PAYMENTS_PATH_LIVE

    @property
    def payments_url(self) -> str:
        return self.base_url + self.payments_path

    @property
    def orders_url(self) -> str:
        return self.base_url + ORDERS_PATH

    @property
    def currency(self) -> str:
        return self.region.currency

    def __repr__(self) -> str:  # never show the secret key
        return (
            f"ClientConfig(seller_id={self.seller_id!r}, region={self.region.code!r}, "
            f"sandbox={self.sandbox}, endpoint={self.endpoint!r})"
        )
