"""Configuration problems as Django system checks (`manage.py check`).

Ids: `E0NN`/`W0NN` name one AMAZON_PAY key (NN is its place in conf.DEFAULTS, 001 the dict
itself, 099 an unknown key); `W1NN` are `check --deploy` warnings; `W2NN` are about the host's
wiring (Celery) rather than one key; `E3NN` are IPN endpoints that would trust more than
Amazon Pay's own topics (every `check`, not only `--deploy`). Every check is cheap and never
raises: a URLconf that cannot be loaded is Django's own `urls` checks' business, so here it
counts as mounting nothing.
"""

from __future__ import annotations

import importlib.util
import ipaddress
import os
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import checks

from .conf import AMAZON_PAY_SNS_ACCOUNT, DEFAULTS, problems

KEYS = ["AMAZON_PAY", *DEFAULTS]
API_NAMESPACE = "amazon_pay_api"
IPN_NAMESPACE = "amazon_pay_ipn"
#: the simulator's views (include("django_amazonpay.sandbox.urls") or simulator_urls(...))
SIMULATOR_MODULE = "django_amazonpay.sandbox.urls"
CELERY_DJANGO_DOCS = "https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html"


def _id(key: str, warning: bool = False) -> str:
    number = KEYS.index(key) + 1 if key in KEYS else 99
    return f"django_amazonpay.{'W' if warning else 'E'}{number:03d}"


@checks.register(checks.Tags.compatibility)
def check_amazon_pay_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001..: one error per bad AMAZON_PAY key, with the fix as hint."""
    messages: list[checks.CheckMessage] = []
    for problem in problems():
        cls = checks.Warning if problem.warning else checks.Error
        messages.append(
            cls(problem.message, hint=problem.hint, id=_id(problem.key, problem.warning))
        )
    return messages


@dataclass(frozen=True)
class Routes:
    """What ROOT_URLCONF routes to: the app namespaces included, and the simulator."""

    namespaces: frozenset[str]
    simulator: bool


def routes() -> Routes:
    """Walk the URLconf's patterns (nothing is resolved or called); empty if it cannot load."""
    from django.urls import URLResolver, get_resolver

    namespaces: set[str] = set()
    simulator = False
    try:
        stack = [get_resolver()]
        seen: set[int] = set()
        while stack:
            resolver = stack.pop()
            if id(resolver) in seen:
                continue
            seen.add(id(resolver))
            namespaces.update(n for n in (resolver.app_name, resolver.namespace) if n)
            if getattr(resolver.urlconf_module, "__name__", None) == SIMULATOR_MODULE:
                simulator = True
            for pattern in resolver.url_patterns:
                if isinstance(pattern, URLResolver):
                    stack.append(pattern)
                elif getattr(getattr(pattern, "callback", None), "__module__", None) == (
                    SIMULATOR_MODULE
                ):
                    simulator = True
    except Exception:  # a broken URLconf: reported by Django's own checks
        return Routes(frozenset(), False)
    return Routes(frozenset(namespaces), simulator)


def celery_unconfigured() -> bool:
    """Whether `.delay()` would go to Celery's fallback app, which nothing configured.

    Mirrors celery._state.get_current_app() (this thread's current app, else the default app)
    without calling it: that would create the fallback, which then keeps a host app created
    later from becoming the default. The fallback is Celery("default", fixups=[],
    set_as_current=False) and reads only a `celeryconfig` module (CELERY_CONFIG_MODULE), never
    Django's settings; any app the host created (its Django fix-up makes it the default) counts.
    """
    try:
        from celery import _state

        app = getattr(_state._tls, "current_app", None) or _state.default_app
        if app is None:  # nothing asked for an app yet: the first .delay() makes the fallback
            module = os.environ.get("CELERY_CONFIG_MODULE", "celeryconfig")
            return importlib.util.find_spec(module) is None
        if app.main != "default" or app.fixups or app.set_as_current:
            return False  # the host's own app
        conf = app.conf  # loads celeryconfig, if any
        return not (app.loader.configured or conf.task_always_eager or conf.broker_url)
    except Exception:  # cannot tell: say nothing
        return False


@checks.register(checks.Tags.compatibility, checks.Tags.urls)
def check_host_wiring(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W025: the storefront API mounted without ORDER_RESOLVER; W201: the IPN endpoint mounted
    while Celery has no app, so notifications would never be processed."""
    mounted = routes().namespaces
    messages: list[checks.CheckMessage] = []
    raw = getattr(settings, "AMAZON_PAY", None)
    if API_NAMESPACE in mounted and isinstance(raw, dict) and raw.get("ORDER_RESOLVER") is None:
        messages.append(
            checks.Warning(
                f"the storefront API ({API_NAMESPACE}) is mounted but "
                "AMAZON_PAY['ORDER_RESOLVER'] is not set: its set-order step would answer "
                "500 configuration_error",
                hint="Set AMAZON_PAY['ORDER_RESOLVER'] to the dotted path of a function "
                "resolve_order(request, order_id) returning the order snapshot (docs/api.md).",
                id=_id("ORDER_RESOLVER", warning=True),
            )
        )
    if IPN_NAMESPACE in mounted and celery_unconfigured():
        hint = (
            f"Create a Celery app for the project ({CELERY_DJANGO_DOCS}), or in development "
            "set task_always_eager on it (CELERY_TASK_ALWAYS_EAGER = True with "
            "app.config_from_object('django.conf:settings', namespace='CELERY'))."
        )
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            hint += " CELERY_TASK_ALWAYS_EAGER alone does nothing: only such an app reads it."
        messages.append(
            checks.Warning(
                f"the IPN endpoint ({IPN_NAMESPACE}) is mounted but no Celery app is "
                "configured: its tasks would go to Celery's default broker "
                "(amqp://localhost) and notifications stay pending",
                hint=hint,
                id="django_amazonpay.W201",
            )
        )
    return messages


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_simulator_exposure(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E104: the simulator's URLs are routed with DEBUG off and SIMULATOR_EXPOSED not True.

    Such a mount answers 404 to everything (sandbox/exposure.py), so either it was meant for
    development only and the URLconf forgot the DEBUG guard, or the setting is missing.
    """
    from .sandbox.exposure import exposed_by_setting

    if settings.DEBUG or exposed_by_setting() or not routes().simulator:
        return []
    return [
        checks.Error(
            f"the Amazon Pay simulator's URLs ({SIMULATOR_MODULE}) are routed while DEBUG is "
            "False: they answer 404 to everything",
            hint="Include them only under `if settings.DEBUG:`. To serve the simulator "
            "without DEBUG (a shared test server, never the live shop), set "
            "AMAZON_PAY['SIMULATOR_EXPOSED'] = True; its control routes stay staff-only.",
            id="django_amazonpay.E104",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_production_safety(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W101-W104: the sandbox, a redirected endpoint, a trusted simulator or the simulator's
    URLs outside DEBUG."""
    if settings.DEBUG:
        return []
    raw = getattr(settings, "AMAZON_PAY", None)
    messages: list[checks.CheckMessage] = []
    if isinstance(raw, dict):
        messages += _unsafe_settings(raw)
    if routes().simulator:
        messages.append(
            checks.Warning(
                f"the Amazon Pay simulator's URLs ({SIMULATOR_MODULE}) are routed while DEBUG "
                "is False",
                hint="Include them only in development (e.g. under `if settings.DEBUG:`) and "
                "remove AMAZON_PAY['SIMULATOR_EXPOSED']: anyone can play its buyer, and its "
                "staff can rewrite its state.",
                id="django_amazonpay.W104",
            )
        )
    return messages


def _unsafe_settings(raw: dict[str, Any]) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    if raw.get("ENDPOINT"):
        messages.append(
            checks.Warning(
                "AMAZON_PAY['ENDPOINT'] sends payment calls somewhere other than Amazon",
                hint="Remove ENDPOINT in production; it is meant for the embedded simulator.",
                id="django_amazonpay.W101",
            )
        )
    if raw.get("SANDBOX", True):
        messages.append(
            checks.Warning(
                "AMAZON_PAY['SANDBOX'] is on outside DEBUG: no real payment will be taken",
                hint="Set AMAZON_PAY['SANDBOX'] = False for the live shop.",
                id="django_amazonpay.W102",
            )
        )
    if raw.get("IPN_TRUST_SIMULATOR"):
        messages.append(
            checks.Warning(
                "AMAZON_PAY['IPN_TRUST_SIMULATOR'] accepts notifications signed by the simulator",
                hint="Turn IPN_TRUST_SIMULATOR off outside development: anyone can run one.",
                id="django_amazonpay.W103",
            )
        )
    return messages


@checks.register(checks.Tags.security)
def check_ipn_trust(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E301-E303: the IPN endpoint would hear notifications from more than Amazon Pay's own
    topics (docs/ipn.md, Trust). Errors, on every `check`: a forged notification's hint costs
    a read, and a trusted foreign topic's subscription would be confirmed."""
    raw = getattr(settings, "AMAZON_PAY", None)
    if not isinstance(raw, dict):
        return []  # E001, from check_amazon_pay_settings
    from .ipn.trust import is_amazon_pay_topic

    seller_id = raw.get("SELLER_ID") if isinstance(raw.get("SELLER_ID"), str) else ""
    messages: list[checks.CheckMessage] = []
    arns = raw.get("IPN_TOPIC_ARNS")
    if isinstance(arns, (list, tuple)):
        foreign = [
            a for a in arns if not (isinstance(a, str) and is_amazon_pay_topic(a, seller_id))
        ]
        if foreign:
            messages.append(
                checks.Error(
                    "AMAZON_PAY['IPN_TOPIC_ARNS'] trusts topics that are not Amazon Pay's for "
                    f"this seller: {', '.join(map(str, foreign))}",
                    hint=f"List only arn:aws:sns:<region>:{AMAZON_PAY_SNS_ACCOUNT}:<marketplace>"
                    f"{seller_id} topics (no wildcards), or remove IPN_TOPIC_ARNS. Silence "
                    "django_amazonpay.E301 only if you relay Amazon's notifications yourself.",
                    id="django_amazonpay.E301",
                )
            )
    accounts = raw.get("IPN_TRUSTED_ACCOUNTS", DEFAULTS["IPN_TRUSTED_ACCOUNTS"])
    if isinstance(accounts, (list, tuple)):
        # entries that are not account ids at all are E0NN (IPN_TRUSTED_ACCOUNTS) already
        others = [a for a in accounts if isinstance(a, str) and a != AMAZON_PAY_SNS_ACCOUNT]
        if others:
            messages.append(
                checks.Error(
                    "AMAZON_PAY['IPN_TRUSTED_ACCOUNTS'] trusts SNS topics of AWS accounts other "
                    f"than Amazon Pay's: {', '.join(map(str, others))}",
                    hint="Anyone can create a topic named after your SellerId in their own "
                    "account. Remove IPN_TRUSTED_ACCOUNTS to trust Amazon Pay's account "
                    f"({AMAZON_PAY_SNS_ACCOUNT}) only.",
                    id="django_amazonpay.E302",
                )
            )
    for key, value in (("IPN_TOPIC_ARNS", arns), ("IPN_TRUSTED_ACCOUNTS", accounts)):
        if isinstance(value, (list, tuple)) and not value:
            messages.append(
                checks.Warning(
                    f"AMAZON_PAY[{key!r}] is empty: every notification will be refused",
                    hint=f"Remove {key} to hear Amazon Pay's own topics, or list them.",
                    id="django_amazonpay.W304",
                )
            )
    if raw.get("IPN_TRUST_SIMULATOR") and not settings.DEBUG:
        messages.append(
            checks.Error(
                "AMAZON_PAY['IPN_TRUST_SIMULATOR'] is on while DEBUG is off",
                hint="It is honoured only with DEBUG on (or in tests): turn it off outside "
                "development; anyone can run a simulator and sign with its certificate.",
                id="django_amazonpay.E303",
            )
        )
    return messages


def _covers_every_address(networks: tuple[Any, ...]) -> bool:
    """Together the networks hold every IPv4 or every IPv6 address (0.0.0.0/0, or two /1s...):
    trusting them believes anyone's X-Forwarded-For."""
    for version, size in ((4, 2**32), (6, 2**128)):
        own = [n for n in networks if n.version == version]
        if sum(n.num_addresses for n in ipaddress.collapse_addresses(own)) == size:
            return True
    return False


def _proxy_signs() -> list[str]:
    """The host settings that say the site runs behind a reverse proxy."""
    signs = []
    num_proxies = (getattr(settings, "REST_FRAMEWORK", None) or {}).get("NUM_PROXIES")
    if num_proxies is not None:
        signs.append(f"REST_FRAMEWORK['NUM_PROXIES'] = {num_proxies!r}")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        signs.append("SECURE_PROXY_SSL_HEADER")
    signs += [
        name
        for name in ("USE_X_FORWARDED_HOST", "USE_X_FORWARDED_PORT")
        if getattr(settings, name, False)
    ]
    return signs


@checks.register(checks.Tags.security)
def check_trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W0NN (TRUSTED_PROXIES): a proxy the host trusts elsewhere but not here, or a
    TRUSTED_PROXIES that trusts every address (docs/api.md, Trusted proxies)."""
    from .conf import proxy_networks

    raw = getattr(settings, "AMAZON_PAY", None)
    if not isinstance(raw, dict):
        return []
    networks = proxy_networks(raw.get("TRUSTED_PROXIES"))
    if networks is None:  # malformed: E0NN from check_amazon_pay_settings
        return []
    warning_id = _id("TRUSTED_PROXIES", warning=True)
    if _covers_every_address(networks):
        return [
            checks.Warning(
                "AMAZON_PAY['TRUSTED_PROXIES'] trusts every address: any client can name "
                "its own address in X-Forwarded-For and escape the per-address limits",
                hint="List only your reverse proxies' addresses or networks.",
                id=warning_id,
            )
        ]
    signs = _proxy_signs()
    if networks or not signs:
        return []
    return [
        checks.Warning(
            f"{', '.join(signs)} says the site runs behind a proxy, but "
            "AMAZON_PAY['TRUSTED_PROXIES'] is not set: the storefront API takes REMOTE_ADDR, "
            "the proxy's address, as every buyer's, so all buyers share one per-address limit",
            hint="Set AMAZON_PAY['TRUSTED_PROXIES'] to your proxies' networks (e.g. "
            "['10.0.0.0/8']); X-Forwarded-For is believed only from them (docs/api.md).",
            id=warning_id,
        )
    ]
