"""The durable inbox: failures recorded, retried, reprocessed from the admin and a command."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command

from django_amazonpay import tasks
from django_amazonpay.ipn.processing import process
from django_amazonpay.models import IpnMessage, StateTransition
from django_amazonpay.mws.errors import ServerError
from tests.ipn.helpers import deliveries, pending_authorization, post

pytestmark = pytest.mark.django_db


def _stored(sim: Any, csrf_client: Any) -> tuple[Any, IpnMessage]:
    """A valid delivery whose processing failed once (a transient error)."""
    auth = pending_authorization(sim)
    sim.advance(31)
    [delivery] = deliveries(sim, "PaymentAuthorize")
    with mock.patch("django_amazonpay.ipn.hints.refresh", side_effect=ServerError("boom")):
        assert post(csrf_client, delivery.body, delivery.headers).status_code == 200
        with pytest.raises(ServerError):  # re-raised so the task retries it with backoff
            process(IpnMessage.objects.get().pk)
    return auth, IpnMessage.objects.get()


def test_failure_is_recorded_on_the_row(sim: Any, csrf_client: Any) -> None:
    auth, message = _stored(sim, csrf_client)
    assert (message.verdict, message.processing, message.attempts) == ("valid", "failed", 1)
    assert "ServerError" in message.result and "Traceback" in message.traceback
    auth.refresh_from_db()
    assert auth.state == "Pending"


def test_task_declares_retries_with_backoff() -> None:
    task = tasks.process_ipn_message
    assert task.acks_late and task.retry_backoff and ServerError in task.autoretry_for


def test_reprocess_command(sim: Any, csrf_client: Any, capsys: Any) -> None:
    auth, message = _stored(sim, csrf_client)
    call_command("amazon_pay_reprocess_ipn", "--failed")
    message.refresh_from_db()
    assert (message.processing, message.attempts, message.traceback) == ("processed", 2, "")
    auth.refresh_from_db()
    assert auth.state == "Open"
    assert StateTransition.objects.get(authorization=auth, to_state="Open").source == "ipn"
    assert f"#{message.pk}" in capsys.readouterr().out


def test_retry_sweep_enqueues_left_behind_messages(sim: Any, csrf_client: Any) -> None:
    _, message = _stored(sim, csrf_client)
    IpnMessage.objects.filter(pk=message.pk).update(
        received_at=message.received_at.replace(year=2020)
    )
    assert tasks.retry_ipn_inbox.delay().get() == 1  # eager: processed right away
    message.refresh_from_db()
    assert message.processing == "processed"


def test_admin_lists_and_reprocesses(sim: Any, csrf_client: Any, admin_client: Any) -> None:
    auth, message = _stored(sim, csrf_client)
    post(csrf_client, b"garbage")  # a rejected one stays as evidence
    page = admin_client.get("/admin/django_amazonpay/ipnmessage/")
    assert page.status_code == 200 and b"PaymentAuthorize" in page.content
    assert (
        admin_client.get(f"/admin/django_amazonpay/ipnmessage/{message.pk}/change/").status_code
        == 200
    )
    response = admin_client.post(
        "/admin/django_amazonpay/ipnmessage/",
        {
            "action": "reprocess_messages",
            "_selected_action": [m.pk for m in IpnMessage.objects.all()],
        },
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert "1 IPN message reprocessed." in texts
    assert any("not applied" in t for t in texts)
    auth.refresh_from_db()
    assert auth.state == "Open"


def test_subscription_confirmation_is_confirmed(
    sim: Any, csrf_client: Any, django_capture_on_commit_callbacks: Any, caplog: Any
) -> None:
    import json
    import logging

    from django_amazonpay.client import get_client

    caplog.set_level(logging.INFO, logger="django_amazonpay.ipn")

    envelope = sim.ipn.build_notification("X", "<X/>", sign=False)
    envelope.update(
        Type="SubscriptionConfirmation",
        Message="You have chosen to subscribe to the topic ...",
        Token="tok",
        SubscribeURL="https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription"
        f"&TopicArn={envelope['TopicArn']}&Token=tok",
    )
    from django_amazonpay.ipn.sns import string_to_sign

    assert "SubscribeURL" in string_to_sign(envelope)
    # the simulator's key signs the AWS field set for confirmations
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    raw = sim.ipn.key.sign(string_to_sign(envelope).encode(), padding.PKCS1v15(), hashes.SHA1())  # noqa: S303
    envelope["Signature"] = base64.b64encode(raw).decode()
    session = get_client().session
    original = session.get
    confirmed = mock.Mock(status_code=200)

    def fake_get(url: str, **kwargs: Any) -> Any:
        if "ConfirmSubscription" in url:
            assert kwargs["timeout"]
            return confirmed
        return original(url, **kwargs)

    with (
        mock.patch.object(session, "get", side_effect=fake_get),
        django_capture_on_commit_callbacks(execute=True),
    ):
        headers = {
            **sim.ipn.headers_for(envelope),
            "x-amz-sns-message-type": "SubscriptionConfirmation",
        }
        assert post(csrf_client, json.dumps(envelope), headers).status_code == 200
    message = IpnMessage.objects.get()
    assert (message.processing, message.message_type) == ("processed", "SubscriptionConfirmation")
    assert "confirmed SNS subscription" in caplog.text


def test_subscribe_url_off_amazon_is_not_fetched(sim: Any) -> None:
    from django_amazonpay.ipn.processing import confirm_subscription
    from django_amazonpay.ipn.sns import Rejected

    with pytest.raises(Rejected):
        confirm_subscription({"SubscribeURL": "https://evil.example.com/confirm", "TopicArn": "t"})
