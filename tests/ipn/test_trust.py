"""Whose notifications are heard: Amazon Pay's own topics by default (docs/ipn.md, Trust).

SNS signs every customer's messages with the same certificate, so the simulator's signature
stands here for SNS's: what is tested is the topic, which only SNS can set."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from unittest import mock

import pytest
from django.core import checks

from django_amazonpay.client import get_client
from django_amazonpay.ipn import trust
from django_amazonpay.ipn.receiving import EXCERPT_BYTES
from django_amazonpay.models import Authorization, IpnMessage, StateTransition
from tests.ipn.helpers import (
    FOREIGN_ACCOUNT,
    assert_error_shape,
    deliveries,
    foreign_topic,
    notification,
    pending_authorization,
    post,
    post_envelope,
    reads,
)

pytestmark = pytest.mark.django_db

SELLER = "A1TESTSELLER00"
AMAZON_TOPIC = f"arn:aws:sns:us-east-1:291180941288:A3BXB0YN3XH17H{SELLER}"


@pytest.mark.parametrize(
    ("arn", "trusted"),
    [
        (AMAZON_TOPIC, True),
        (f"arn:aws:sns:us-west-2:291180941288:A1VC38T7YXB528{SELLER}", True),
        (f"arn:aws:sns:us-east-1:{FOREIGN_ACCOUNT}:A3BXB0YN3XH17H{SELLER}", False),
        (f"arn:aws:sns:us-east-1:291180941288:{SELLER}Other", False),  # not named after us
        ("arn:aws:sns:us-east-1:291180941288:A3BXB0YN3XH17HSOMEONEELSE", False),
        (f"arn:aws:sns:us-east-1:٢٩١١٨٠٩٤١٢٨٨:A3BXB0YN3XH17H{SELLER}", False),  # not ASCII
        (f"arn:aws-cn:sns:cn-north-1:291180941288:A3BXB0YN3XH17H{SELLER}", False),
        (f"arn:aws:sns:us-east-1:291180941288:A3BXB0YN3XH17H{SELLER}\n", False),
        ("*", False),
        ("", False),
    ],
)
def test_default_trusts_amazon_pay_topics_named_after_us_only(arn: str, trusted: bool) -> None:
    assert trust.is_trusted_topic(arn) is trusted


def test_explicit_topics_and_accounts(settings: Any) -> None:
    other = f"arn:aws:sns:us-east-1:{FOREIGN_ACCOUNT}:A3BXB0YN3XH17H{SELLER}"
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TOPIC_ARNS": [AMAZON_TOPIC]}
    assert trust.is_trusted_topic(AMAZON_TOPIC)
    assert not trust.is_trusted_topic(AMAZON_TOPIC.replace("us-east-1", "eu-west-1"))
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TOPIC_ARNS": ["*"]}
    assert not trust.is_trusted_topic(AMAZON_TOPIC)  # an ARN, never a pattern
    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY, "IPN_TOPIC_ARNS": None, "IPN_TRUSTED_ACCOUNTS": [FOREIGN_ACCOUNT]
    }  # fmt: skip
    assert trust.is_trusted_topic(other) and not trust.is_trusted_topic(AMAZON_TOPIC)


def test_a_foreign_topic_changes_nothing_fetches_nothing_and_stores_no_body(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Someone's own AWS account, a topic named after our SellerId, SNS's valid signature:
    refused at the topic, before any certificate is fetched or anything read."""
    auth = pending_authorization(sim)
    sim.advance(31)
    xml = deliveries(sim, "PaymentAuthorize")[0].message["NotificationData"]
    forged = notification(sim, "PaymentAuthorize", xml, TopicArn=foreign_topic(sim))
    body = json.dumps(forged).encode()
    headers = sim.ipn.headers_for(forged)
    session = get_client().session
    before = reads("GetAuthorizationDetails")
    with (
        mock.patch.object(session, "get", wraps=session.get) as fetch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(csrf_client, body, headers)
    data = assert_error_shape(response, 403)
    assert data["error"] == "not_trusted" and foreign_topic(sim) in data["error_description"]
    assert fetch.call_count == 0
    assert reads("GetAuthorizationDetails") == before
    auth.refresh_from_db()
    assert auth.state == "Pending"
    assert not StateTransition.objects.filter(authorization=auth, source="ipn").exists()
    message = IpnMessage.objects.get()
    assert (message.verdict, message.processing) == ("rejected", "ignored")
    assert message.topic_arn == foreign_topic(sim)
    assert len(body) > EXCERPT_BYTES and message.body == body[:EXCERPT_BYTES].decode()
    assert (message.body_size, message.body_sha256) == (len(body), hashlib.sha256(body).hexdigest())


def _confirmation(sim: Any, topic: str, subscribe_topic: str | None = None) -> dict[str, Any]:
    envelope = sim.ipn.build_notification("X", "<X/>", sign=False)
    envelope.update(
        Type="SubscriptionConfirmation",
        TopicArn=topic,
        Message="You have chosen to subscribe to the topic ...",
        Token="tok",
        SubscribeURL="https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription"
        f"&TopicArn={subscribe_topic or topic}&Token=tok",
    )
    return sim.ipn.sign(envelope)


def _sign_subscription(sim: Any, envelope: dict[str, Any]) -> dict[str, Any]:
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from django_amazonpay.ipn.sns import string_to_sign

    raw = sim.ipn.key.sign(string_to_sign(envelope).encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    envelope["Signature"] = base64.b64encode(raw).decode()
    return envelope


@pytest.mark.parametrize("which", ["foreign topic", "URL for another topic", "not a confirm"])
def test_a_subscription_is_never_confirmed_for_a_topic_we_do_not_trust(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any, which: str
) -> None:
    if which == "foreign topic":
        envelope = _confirmation(sim, foreign_topic(sim))
    elif which == "URL for another topic":
        envelope = _confirmation(sim, sim.ipn.topic_arn, subscribe_topic=foreign_topic(sim))
    else:
        envelope = _confirmation(sim, sim.ipn.topic_arn)
        envelope["SubscribeURL"] = envelope["SubscribeURL"].replace(
            "ConfirmSubscription", "Unsubscribe"
        )
    _sign_subscription(sim, envelope)
    session = get_client().session
    headers = {**sim.ipn.headers_for(envelope), "x-amz-sns-message-type": envelope["Type"]}
    with (
        mock.patch.object(session, "get", wraps=session.get) as fetch,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(csrf_client, json.dumps(envelope), headers)
    assert response.status_code in (400, 403)
    assert_error_shape(response, response.status_code)
    assert not [c for c in fetch.call_args_list if "sns.us-west-2" in str(c.args)]
    assert IpnMessage.objects.get().verdict == "rejected"


def test_confirm_subscription_checks_the_topic_again(sim: Any) -> None:
    """A stored confirmation reprocessed after the settings narrowed is not confirmed."""
    from django_amazonpay.ipn.processing import confirm_subscription
    from django_amazonpay.ipn.sns import Rejected

    envelope = _confirmation(sim, foreign_topic(sim))
    with mock.patch.object(get_client().session, "get") as fetch, pytest.raises(Rejected):
        confirm_subscription(envelope)
    assert fetch.call_count == 0


def test_the_simulator_topic_is_trusted_by_default(sim: Any) -> None:
    assert trust.is_trusted_topic(sim.ipn.topic_arn)


# -- the simulator's certificate: tests and DEBUG only ------------------------------------------


def test_the_test_environment_is_known() -> None:
    assert trust.in_test_environment()  # pytest-django ran setup_test_environment


def test_simulator_certificate_is_never_trusted_in_production(
    sim: Any, csrf_client: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IPN_TRUST_SIMULATOR on, DEBUG off, outside tests: the simulator's URL is refused."""
    monkeypatch.setattr(trust, "in_test_environment", lambda: False)
    settings.DEBUG = False
    assert not trust.simulator_trusted()
    auth = pending_authorization(sim)
    sim.advance(31)
    [delivery] = deliveries(sim, "PaymentAuthorize")
    response = post_envelope(csrf_client, sim, delivery.envelope)
    assert assert_error_shape(response, 400)["error"] == "invalid_signature"
    reason = IpnMessage.objects.get().reason
    assert "not https" in reason
    assert "IPN_TRUST_SIMULATOR" in reason  # what its developer needs to know
    assert Authorization.objects.get(pk=auth.pk).state == "Pending"
    settings.DEBUG = True
    assert trust.simulator_trusted()


def test_simulator_trust_needs_the_setting(settings: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TRUST_SIMULATOR": False}
    settings.DEBUG = True
    assert not trust.simulator_trusted()


# -- manage.py check (not only --deploy) --------------------------------------------------------


def _ids(settings: Any, **amazon_pay: Any) -> set[str]:
    from django.conf import settings as django_settings

    base = {k: v for k, v in django_settings.AMAZON_PAY.items() if not k.startswith("IPN_")}
    settings.AMAZON_PAY = {**base, **amazon_pay}
    return {m.id for m in checks.run_checks() if m.id.startswith("django_amazonpay.E3")}


def test_check_reports_an_endpoint_that_trusts_more_than_amazon(settings: Any) -> None:
    assert _ids(settings) == set()
    assert _ids(settings, IPN_TOPIC_ARNS=[AMAZON_TOPIC]) == set()
    other = f"arn:aws:sns:us-east-1:{FOREIGN_ACCOUNT}:A3BXB0YN3XH17H{SELLER}"
    assert _ids(settings, IPN_TOPIC_ARNS=[AMAZON_TOPIC, other]) == {"django_amazonpay.E301"}
    assert _ids(settings, IPN_TOPIC_ARNS=["arn:aws:sns:*:291180941288:*"]) == {
        "django_amazonpay.E301"
    }
    assert _ids(settings, IPN_TRUSTED_ACCOUNTS=["291180941288", FOREIGN_ACCOUNT]) == {
        "django_amazonpay.E302"
    }
    settings.DEBUG = False
    assert _ids(settings, IPN_TRUST_SIMULATOR=True) == {"django_amazonpay.E303"}
    settings.DEBUG = True
    assert _ids(settings, IPN_TRUST_SIMULATOR=True) == set()


def test_check_errors_are_errors(settings: Any) -> None:
    settings.AMAZON_PAY = {**settings.AMAZON_PAY, "IPN_TRUSTED_ACCOUNTS": [FOREIGN_ACCOUNT]}
    [message] = [m for m in checks.run_checks() if m.id == "django_amazonpay.E302"]
    assert message.level == checks.ERROR and FOREIGN_ACCOUNT in message.msg


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("IPN_TRUSTED_ACCOUNTS", ["29118094128"]),
        ("IPN_TRUSTED_ACCOUNTS", "291180941288"),
        ("IPN_MAX_BODY_BYTES", 10_000_000),
        ("IPN_MAX_BODY_BYTES", 100),
        ("IPN_REJECTED_RATE", "lots"),
        ("IPN_RETENTION_DAYS", 0),
        ("IPN_REJECTED_RETENTION_DAYS", True),
    ],
)
def test_ipn_keys_are_validated(key: str, value: Any) -> None:
    from django_amazonpay.conf import DEFAULTS, problems

    found = problems(
        {**DEFAULTS, "SELLER_ID": "A", "ACCESS_KEY": "B", "SECRET_KEY": "C", key: value}
    )
    assert [p.key for p in found] == [key]
