"""Which SNS topics the endpoint trusts, and when the simulator's certificate counts.

SNS signs every customer's messages with the same certificate, so a valid signature proves
only that SNS delivered the message, not whose topic published it: the TopicArn (signed, set
by SNS) is what says the sender is Amazon Pay. See docs/ipn.md, Trust.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

from ..conf import AMAZON_PAY_SNS_ACCOUNT, AmazonPaySettings, get_settings

#: an SNS topic ARN of the commercial partition, where Amazon Pay's topics are (not China,
#: GovCloud or the isolated regions); the region part is certificates.SNS_HOST's
TOPIC_ARN = re.compile(
    r"arn:aws:sns:(?P<region>[a-z]{2}-[a-z]+-\d{1,2}):"
    r"(?P<account>\d{12}):(?P<name>[A-Za-z0-9_-]{1,256})",
    re.ASCII,
)


@dataclass(frozen=True)
class Topic:
    region: str
    account: str
    name: str


def parse_topic(arn: str) -> Topic | None:
    match = TOPIC_ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        return None
    return Topic(match["region"], match["account"], match["name"])


def is_amazon_pay_topic(arn: str, seller_id: str) -> bool:
    """A topic of Amazon Pay's own account named after this seller (docs/ipn.md, Trust)."""
    topic = parse_topic(arn)
    return (
        topic is not None
        and topic.account == AMAZON_PAY_SNS_ACCOUNT
        and bool(seller_id)
        and topic.name.endswith(seller_id)
    )


def is_trusted_topic(arn: str, settings: AmazonPaySettings | None = None) -> bool:
    """IPN_TOPIC_ARNS when set (exact ARNs), else a topic of IPN_TRUSTED_ACCOUNTS whose name
    ends with SELLER_ID. Subscriptions are confirmed and notifications heard only for these."""
    settings = settings or get_settings()
    if not isinstance(arn, str):
        return False
    if settings.ipn_topic_arns is not None:
        return arn in settings.ipn_topic_arns
    topic = parse_topic(arn)
    return (
        topic is not None
        and topic.account in settings.ipn_trusted_accounts
        and topic.name.endswith(settings.seller_id)
    )


def in_test_environment() -> bool:
    """Django's test environment is set up in this process (its test runner or pytest-django
    called setup_test_environment). Read without importing django.test: a production process
    that never set it up answers False. If Django renamed the marker this fails closed."""
    utils = sys.modules.get("django.test.utils")
    state = getattr(utils, "_TestState", None)
    return state is not None and hasattr(state, "saved_data")


def simulator_trusted() -> bool:
    """IPN_TRUST_SIMULATOR is honoured only with DEBUG on or in tests, never in production."""
    if not get_settings().ipn_trust_simulator:
        return False
    from django.conf import settings

    return bool(settings.DEBUG) or in_test_environment()
