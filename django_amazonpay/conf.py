"""The one AMAZON_PAY settings dict: defaults, validation, and a typed immutable view of it.

Read lazily, once, and again after `setting_changed` (so override_settings works). Problems
are found by `problems()`, which checks.py reports as system checks; `get_settings()` raises
ConfigurationError only when an invalid configuration is actually used, never at import.
"""

from __future__ import annotations

import difflib
import inspect
import ipaddress
import numbers
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from .amounts import CURRENCY_EXPONENTS
from .mws.config import ClientConfig, RetryPolicy
from .mws.errors import AmazonPayError
from .regions import REGIONS, Region

SETTING_NAME = "AMAZON_PAY"
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: the AWS account of Amazon Pay's SNS topics, as observed (unconfirmed: docs/ipn.md, Trust)
AMAZON_PAY_SNS_ACCOUNT = "291180941288"

DEFAULTS: dict[str, Any] = {
    # credentials (Seller Central > Integration > MWS Access Key)
    "SELLER_ID": None,
    "ACCESS_KEY": None,
    "SECRET_KEY": None,
    "CLIENT_ID": None,  # Login with Amazon client id, for the widgets
    "MWS_AUTH_TOKEN": None,  # only when calling on behalf of another seller
    # where and in what money
    "REGION": "jp",
    "SANDBOX": True,
    "CURRENCY": None,  # None: the region's currency
    "ENDPOINT": None,  # base URL replacing Amazon's host, e.g. the simulator's
    # wire behaviour
    "CONNECT_TIMEOUT": 5.0,
    "READ_TIMEOUT": 30.0,
    "MAX_RETRIES": 3,
    "BACKOFF_BASE": 1.0,
    "BACKOFF_MAX": 30.0,
    "THROTTLE": True,
    "THROTTLE_CACHE": "default",
    "THROTTLE_MAX_WAIT": 60.0,
    # checkout behaviour
    "STORE_NAME": None,
    "SOFT_DESCRIPTOR": None,
    "TRANSACTION_TIMEOUT": 0,  # minutes; 0 = synchronous authorization (spec 3.8)
    "CAPTURE_NOW": False,
    "ON_TRANSACTION_TIMED_OUT": "retry_async",  # or "cancel"
    "PROCESSING_FAILURE_RETRIES": 1,
    "ORDER_RESOLVER": None,  # dotted path: (request, order_id) -> the shop's order snapshot
    "CLOSE_POLICY": "on_full_capture",  # or "days_after_capture"
    "CLOSE_AFTER_DAYS": 30,
    "CANCEL_UNAUTHORIZED_AFTER_HOURS": 24,
    "PERSONAL_DATA_RETENTION_DAYS": 365,
    # REST API (django_amazonpay.api)
    "AUTHORIZE_ON_CONFIRM": True,  # the confirm endpoint also authorizes
    "API_READ_RATE": "120/minute",  # DRF throttle rate per caller for GET; None: off
    "API_WRITE_RATE": "30/minute",  # DRF throttle rate per caller for POST; None: off
    # IPN
    "IPN_TRUST_SIMULATOR": False,
    "IPN_MAX_AGE_SECONDS": 3600,
    "IPN_TOPIC_ARNS": None,  # None: IPN_TRUSTED_ACCOUNTS' topics named after SELLER_ID
    # tasks (docs/tasks.md)
    "SETTLE_BATCH_SIZE": 200,  # objects polled per settle run at most
    "SETTLE_TIME_BUDGET": 50.0,  # seconds one settle run may spend; the rest waits
    "EXPIRY_WARNING_HOURS": 24,  # authorization_expiring this long before expiry
    # IPN trust, inbox limits and retention (docs/ipn.md). Listed last: a key's check id is
    # its place in this dict, and the ids of the keys above stay what they were.
    "IPN_TRUSTED_ACCOUNTS": (AMAZON_PAY_SNS_ACCOUNT,),  # AWS accounts whose topics we trust
    "IPN_MAX_BODY_BYTES": 65536,  # larger deliveries are answered 413 unread
    "IPN_REJECTED_RATE": "60/minute",  # refused deliveries per client address; None: off
    "IPN_RETENTION_DAYS": 90,  # processed and ignored notifications are purged after this
    "IPN_REJECTED_RETENTION_DAYS": 7,  # rejected and duplicate deliveries after this
    # the simulator mounted in the project answers with DEBUG off only when this is True
    "SIMULATOR_EXPOSED": False,
    # who a client is, and what one client may spend (docs/api.md, Throttling)
    "TRUSTED_PROXIES": None,  # networks of your reverse proxies; None: REMOTE_ADDR is the client
    "API_ADDRESS_WRITE_RATE": "60/minute",  # POSTs per client address, any session; None: off
    "API_START_RATE": "10/minute",  # checkout starts per client address; None: off
    "THROTTLE_RESERVED_SHARE": 0.25,  # of every MWS bucket, kept for buyers and for background
    "API_AMAZON_READ_RATE": "30/minute",  # reads of Amazon that GETs make, per client address
}

REQUIRED = ("SELLER_ID", "ACCESS_KEY", "SECRET_KEY")
CHOICES = {
    "ON_TRANSACTION_TIMED_OUT": ("retry_async", "cancel"),
    "CLOSE_POLICY": ("on_full_capture", "days_after_capture"),
}
POSITIVE_NUMBERS = (
    "CONNECT_TIMEOUT",
    "READ_TIMEOUT",
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "THROTTLE_MAX_WAIT",
    "IPN_MAX_AGE_SECONDS",
    "SETTLE_TIME_BUDGET",
)
NON_NEGATIVE_INTEGERS = (
    "MAX_RETRIES",
    "PROCESSING_FAILURE_RETRIES",
    "CLOSE_AFTER_DAYS",
    "CANCEL_UNAUTHORIZED_AFTER_HOURS",
    "PERSONAL_DATA_RETENTION_DAYS",
    "SETTLE_BATCH_SIZE",
    "EXPIRY_WARNING_HOURS",
)
BOOLEANS = (
    "SANDBOX",
    "THROTTLE",
    "CAPTURE_NOW",
    "IPN_TRUST_SIMULATOR",
    "AUTHORIZE_ON_CONFIRM",
    "SIMULATOR_EXPOSED",
)


class ConfigurationError(AmazonPayError, ImproperlyConfigured):
    """The AMAZON_PAY setting is missing or invalid."""


@dataclass(frozen=True)
class Problem:
    """One configuration problem: the key, what is wrong, how to fix it."""

    key: str
    message: str
    hint: str
    warning: bool = False


def _user_dict() -> Any:
    from django.conf import settings

    return getattr(settings, SETTING_NAME, None)


def problems(raw: Any = None) -> list[Problem]:
    """Every problem of the AMAZON_PAY dict (the current setting when `raw` is None)."""
    raw = _user_dict() if raw is None else raw
    if raw is None:
        return [
            Problem(
                "AMAZON_PAY",
                "the AMAZON_PAY setting is missing",
                "Add AMAZON_PAY = {'SELLER_ID': ..., 'ACCESS_KEY': ..., "
                "'SECRET_KEY': ..., 'REGION': 'jp'} to your settings.",
            )
        ]
    if not isinstance(raw, dict):
        return [
            Problem(
                "AMAZON_PAY",
                "AMAZON_PAY must be a dict",
                "Set AMAZON_PAY to a dict of the keys listed in the README.",
            )
        ]
    found: list[Problem] = []
    for key in sorted(set(raw) - set(DEFAULTS), key=repr):  # repr: keys need not be strings
        found.append(_unknown_key(key))
    merged = {**DEFAULTS, **raw}
    for key in REQUIRED:
        value = merged[key]
        if not isinstance(value, str) or not value.strip():
            found.append(
                Problem(
                    key,
                    f"AMAZON_PAY[{key!r}] is not set",
                    f"Set AMAZON_PAY[{key!r}] to the value from Seller Central "
                    "(Integration > MWS Access Key).",
                )
            )
    region = merged["REGION"]
    if not isinstance(region, str) or region.lower() not in REGIONS:
        found.append(
            Problem(
                "REGION",
                f"AMAZON_PAY['REGION'] = {region!r} is not a region",
                f"Use one of {', '.join(sorted(REGIONS))}.",
            )
        )
        region_obj = None
    else:
        region_obj = REGIONS[region.lower()]
    currency = merged["CURRENCY"]
    if currency is not None:
        if not isinstance(currency, str) or currency.upper() not in CURRENCY_EXPONENTS:
            found.append(
                Problem(
                    "CURRENCY",
                    f"AMAZON_PAY['CURRENCY'] = {currency!r} is unknown",
                    "Remove CURRENCY: the region decides it.",
                )
            )
        elif region_obj and currency.upper() != region_obj.currency:
            # the client sends the region's currency only: EU multi-currency presentment
            # (spec: Price) is not built, so any other currency would fail every call
            found.append(
                Problem(
                    "CURRENCY",
                    f"AMAZON_PAY['CURRENCY'] = {currency} is not the currency of "
                    f"region {region_obj.code}",
                    f"Remove CURRENCY (region {region_obj.code} pays in {region_obj.currency}; "
                    "EU multi-currency presentment is not supported).",
                )
            )
    for key in BOOLEANS:
        if not isinstance(merged[key], bool):
            found.append(
                Problem(
                    key,
                    f"AMAZON_PAY[{key!r}] must be True or False",
                    f"Set AMAZON_PAY[{key!r}] to True or False.",
                )
            )
    for key in POSITIVE_NUMBERS:
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value <= 0:
            found.append(
                Problem(
                    key,
                    f"AMAZON_PAY[{key!r}] must be a positive number",
                    f"Set AMAZON_PAY[{key!r}] to a number of seconds above 0.",
                )
            )
    for key in NON_NEGATIVE_INTEGERS:
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            found.append(
                Problem(
                    key,
                    f"AMAZON_PAY[{key!r}] must be a whole number >= 0",
                    f"Set AMAZON_PAY[{key!r}] to 0 or more.",
                )
            )
    for key, allowed in CHOICES.items():
        if merged[key] not in allowed:
            found.append(
                Problem(
                    key,
                    f"AMAZON_PAY[{key!r}] = {merged[key]!r} is not allowed",
                    f"Use one of {', '.join(allowed)}.",
                )
            )
    timeout = merged["TRANSACTION_TIMEOUT"]
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int)
        or not (timeout == 0 or (5 <= timeout <= 1440 and timeout % 5 == 0))
    ):
        found.append(
            Problem(
                "TRANSACTION_TIMEOUT",
                f"AMAZON_PAY['TRANSACTION_TIMEOUT'] = {timeout!r} is not allowed",
                "Use 0 (synchronous) or a multiple of 5 between 5 and 1440 "
                "minutes (spec 2.4 Authorize).",
            )
        )
    endpoint = merged["ENDPOINT"]
    if endpoint is not None and (
        not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://"))
    ):
        found.append(
            Problem(
                "ENDPOINT",
                f"AMAZON_PAY['ENDPOINT'] = {endpoint!r} is not a URL",
                "Use a base URL such as 'http://127.0.0.1:8001', or None.",
            )
        )
    descriptor = merged["SOFT_DESCRIPTOR"]
    if descriptor is not None and (not isinstance(descriptor, str) or len(descriptor) > 16):
        found.append(
            Problem(
                "SOFT_DESCRIPTOR",
                "AMAZON_PAY['SOFT_DESCRIPTOR'] is too long",
                "Use at most 16 characters (spec 2.4 Capture).",
            )
        )
    found += _ipn_problems(merged)
    found += _api_problems(merged)
    resolver = merged["ORDER_RESOLVER"]
    if resolver is not None:
        problem = _resolver_problem(resolver)
        if problem is not None:
            found.append(problem)
    return found


def _ipn_problems(merged: dict[str, Any]) -> list[Problem]:
    """The IPN keys' shapes; whether they trust more than Amazon is checks.py's business."""
    found: list[Problem] = []
    arns = merged["IPN_TOPIC_ARNS"]
    if arns is not None and (
        not isinstance(arns, (list, tuple)) or not all(isinstance(a, str) for a in arns)
    ):
        found.append(
            Problem(
                "IPN_TOPIC_ARNS",
                "AMAZON_PAY['IPN_TOPIC_ARNS'] must be a list of SNS topic ARNs",
                f"Use e.g. ['arn:aws:sns:us-east-1:{AMAZON_PAY_SNS_ACCOUNT}:"
                "A3BXB0YN3XH17HAQR8184NJXADU'], or None to trust Amazon Pay's topics named "
                "after SELLER_ID (docs/ipn.md, Trust).",
            )
        )
    accounts = merged["IPN_TRUSTED_ACCOUNTS"]
    if not isinstance(accounts, (list, tuple)) or not all(
        isinstance(a, str) and len(a) == 12 and a.isascii() and a.isdigit() for a in accounts
    ):
        found.append(
            Problem(
                "IPN_TRUSTED_ACCOUNTS",
                "AMAZON_PAY['IPN_TRUSTED_ACCOUNTS'] must be a list of 12-digit AWS account ids",
                f"Remove it to trust Amazon Pay's account only (['{AMAZON_PAY_SNS_ACCOUNT}']).",
            )
        )
    size = merged["IPN_MAX_BODY_BYTES"]
    if isinstance(size, bool) or not isinstance(size, int) or not 8192 <= size <= 1048576:
        found.append(
            Problem(
                "IPN_MAX_BODY_BYTES",
                f"AMAZON_PAY['IPN_MAX_BODY_BYTES'] = {size!r} is not allowed",
                "Use a number of bytes from 8192 to 1048576 (Amazon Pay's notifications are "
                "a few kilobytes).",
            )
        )
    rate = merged["IPN_REJECTED_RATE"]
    if rate is not None and not _is_rate(rate):
        found.append(
            Problem(
                "IPN_REJECTED_RATE",
                f"AMAZON_PAY['IPN_REJECTED_RATE'] = {rate!r} is not a rate",
                "Use a rate such as '60/minute' (second, minute, hour, day), or None.",
            )
        )
    for key in ("IPN_RETENTION_DAYS", "IPN_REJECTED_RETENTION_DAYS"):
        days = merged[key]
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            found.append(
                Problem(
                    key,
                    f"AMAZON_PAY[{key!r}] must be a whole number of days >= 1",
                    f"Set AMAZON_PAY[{key!r}] to 1 or more.",
                )
            )
    return found


def _api_problems(merged: dict[str, Any]) -> list[Problem]:
    """The client identity and quota keys (docs/api.md, Throttling and Quota shares)."""
    found: list[Problem] = []
    for key in (
        "API_READ_RATE",
        "API_WRITE_RATE",
        "API_ADDRESS_WRITE_RATE",
        "API_START_RATE",
        "API_AMAZON_READ_RATE",
    ):
        rate = merged[key]
        if rate is not None and not _is_rate(rate):
            found.append(
                Problem(
                    key,
                    f"AMAZON_PAY[{key!r}] = {rate!r} is not a throttle rate",
                    "Use a DRF rate such as '30/minute' (second, minute, hour, day), or None.",
                )
            )
    if proxy_networks(merged["TRUSTED_PROXIES"]) is None:
        found.append(
            Problem(
                "TRUSTED_PROXIES",
                "AMAZON_PAY['TRUSTED_PROXIES'] must be a list of IP networks",
                "List your reverse proxies' addresses or networks, e.g. ['10.0.0.0/8', "
                "'127.0.0.1'], or set None when clients connect directly (docs/api.md).",
            )
        )
    share = merged["THROTTLE_RESERVED_SHARE"]
    if isinstance(share, bool) or not isinstance(share, numbers.Real) or not 0 <= share <= 0.5:
        found.append(
            Problem(
                "THROTTLE_RESERVED_SHARE",
                f"AMAZON_PAY['THROTTLE_RESERVED_SHARE'] = {share!r} is not allowed",
                "Use a fraction from 0 (no shares) to 0.5, e.g. 0.25 (docs/api.md, Quota shares).",
            )
        )
    return found


def proxy_networks(value: Any) -> tuple[IPNetwork, ...] | None:
    """TRUSTED_PROXIES as networks (() when unset); None when it is not a list of networks."""
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        return None
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in value)
    except (TypeError, ValueError):
        return None


def _unknown_key(key: Any) -> Problem:
    """A key DEFAULTS does not know: suggest the closest ones, else list them all."""
    name = str(key)
    close = difflib.get_close_matches(name.upper(), DEFAULTS, n=3)
    if close:
        hint = f"Remove it or fix the spelling: did you mean {' or '.join(map(repr, close))}?"
    else:
        hint = f"Remove it or fix the spelling; known keys: {', '.join(DEFAULTS)}."
    return Problem(name, f"unknown key {key!r} in AMAZON_PAY", hint)


RESOLVER_HINT = (
    "Give the dotted path of a function resolve_order(request, order_id) returning the "
    "order snapshot, e.g. 'shop.payments.resolve_order' (docs/api.md)."
)


def _resolver_problem(path: Any) -> Problem | None:
    """ORDER_RESOLVER must import, be callable, and accept (request, order_id)."""
    from django.utils.module_loading import import_string

    key = "ORDER_RESOLVER"
    if not isinstance(path, str) or not path.strip():
        return Problem(
            key, f"AMAZON_PAY['ORDER_RESOLVER'] = {path!r} is not a dotted path", RESOLVER_HINT
        )
    try:
        resolver = import_string(path)
    except Exception as err:  # ImportError, or whatever the shop's module raises on import
        return Problem(key, f"cannot import ORDER_RESOLVER {path!r}: {err}", RESOLVER_HINT)
    if not callable(resolver):
        return Problem(
            key,
            f"AMAZON_PAY['ORDER_RESOLVER'] = {path!r} is a {type(resolver).__name__}, "
            "not a function",
            RESOLVER_HINT,
        )
    try:
        signature = inspect.signature(resolver)
    except Exception:  # a builtin or C callable without one: nothing to check
        return None
    try:
        signature.bind(None, None)
    except TypeError as err:
        return Problem(
            key,
            f"AMAZON_PAY['ORDER_RESOLVER'] = {path!r} cannot be called as "
            f"(request, order_id): {err}",
            "The API calls it as resolver(request, order_id): give it the signature "
            "resolve_order(request, order_id) -> OrderSnapshot or mapping (docs/api.md).",
        )
    return None


def _is_rate(rate: Any) -> bool:
    if not isinstance(rate, str) or rate.count("/") != 1:
        return False
    count, period = rate.split("/")
    return count.isdigit() and int(count) > 0 and period[:1] in ("s", "m", "h", "d")


@dataclass(frozen=True)
class AmazonPaySettings:
    """The validated AMAZON_PAY dict. Attribute names are the keys in lowercase."""

    seller_id: str
    access_key: str
    secret_key: str
    client_id: str | None
    mws_auth_token: str | None
    region: Region
    sandbox: bool
    currency: str
    endpoint: str | None
    connect_timeout: float
    read_timeout: float
    max_retries: int
    backoff_base: float
    backoff_max: float
    throttle: bool
    throttle_cache: str
    throttle_max_wait: float
    store_name: str | None
    soft_descriptor: str | None
    transaction_timeout: int
    capture_now: bool
    on_transaction_timed_out: str
    processing_failure_retries: int
    order_resolver: str | None
    close_policy: str
    close_after_days: int
    cancel_unauthorized_after_hours: int
    personal_data_retention_days: int
    authorize_on_confirm: bool
    api_read_rate: str | None
    api_write_rate: str | None
    ipn_trust_simulator: bool
    ipn_max_age_seconds: float
    ipn_topic_arns: list[str] | tuple[str, ...] | None
    settle_batch_size: int
    settle_time_budget: float
    expiry_warning_hours: int
    ipn_trusted_accounts: list[str] | tuple[str, ...]
    ipn_max_body_bytes: int
    ipn_rejected_rate: str | None
    ipn_retention_days: int
    ipn_rejected_retention_days: int
    simulator_exposed: bool
    trusted_proxies: list[str] | tuple[str, ...] | None
    api_address_write_rate: str | None
    api_start_rate: str | None
    throttle_reserved_share: float
    api_amazon_read_rate: str | None

    def client_config(self) -> ClientConfig:
        return ClientConfig(
            seller_id=self.seller_id,
            access_key=self.access_key,
            secret_key=self.secret_key,
            region=self.region,
            sandbox=self.sandbox,
            endpoint=self.endpoint,
            mws_auth_token=self.mws_auth_token,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            retry=RetryPolicy(self.max_retries, self.backoff_base, self.backoff_max),
            throttle=self.throttle,
            throttle_max_wait=self.throttle_max_wait,
            throttle_reserved_share=float(self.throttle_reserved_share),
        )

    @cached_property
    def trusted_proxy_networks(self) -> tuple[IPNetwork, ...]:
        """TRUSTED_PROXIES parsed (empty: no proxy is trusted)."""
        return proxy_networks(self.trusted_proxies) or ()

    @property
    def release_environment(self) -> str:
        return "Sandbox" if self.sandbox else "Live"

    @property
    def zero(self) -> Decimal:
        return Decimal("0")

    def __repr__(self) -> str:  # never show the secret key
        return (
            f"AmazonPaySettings(seller_id={self.seller_id!r}, region={self.region.code!r}, "
            f"sandbox={self.sandbox})"
        )


_cached: AmazonPaySettings | None = None


def get_settings() -> AmazonPaySettings:
    """The validated settings; ConfigurationError names every problem if they are invalid."""
    global _cached
    if _cached is None:
        errors = [p for p in problems() if not p.warning]
        if errors:
            raise ConfigurationError(
                "; ".join(f"{p.message} ({p.hint})" for p in errors)
                + " Run `manage.py check` for details."
            )
        merged = {**DEFAULTS, **_user_dict()}
        region = REGIONS[merged["REGION"].lower()]
        values = {key.lower(): value for key, value in merged.items()}
        values["region"] = region
        values["currency"] = (merged["CURRENCY"] or region.currency).upper()
        _cached = AmazonPaySettings(**values)
    return _cached


def reset_settings(**kwargs: Any) -> None:
    """Forget the cached settings (connected to `setting_changed`)."""
    global _cached
    if kwargs.get("setting") in (None, SETTING_NAME, "CACHES"):
        _cached = None
        from . import client

        client.reset_clients()


setting_changed.connect(reset_settings, dispatch_uid="django_amazonpay.conf.reset_settings")
