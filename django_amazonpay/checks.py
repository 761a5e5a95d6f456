"""Configuration problems as Django system checks (`manage.py check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from .conf import DEFAULTS, problems


@checks.register(checks.Tags.compatibility)
def check_amazon_pay_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """E001..: one error per bad AMAZON_PAY key, with the fix as hint."""
    messages: list[checks.CheckMessage] = []
    keys = ["AMAZON_PAY", *DEFAULTS]
    for problem in problems():
        number = keys.index(problem.key) + 1 if problem.key in keys else 99
        cls = checks.Warning if problem.warning else checks.Error
        prefix = "W" if problem.warning else "E"
        messages.append(
            cls(problem.message, hint=problem.hint, id=f"django_amazonpay.{prefix}{number:03d}")
        )
    return messages


@checks.register(checks.Tags.security, deploy=True)
def check_production_safety(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """W101-W103: the sandbox, a redirected endpoint or a trusted simulator outside DEBUG."""
    raw = getattr(settings, "AMAZON_PAY", None)
    if not isinstance(raw, dict) or settings.DEBUG:
        return []
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
