"""Retention: old processed, ignored, refused and duplicate rows go; recent ones and
notifications still waiting for processing stay. And what the 0006 migration cleans up."""

from __future__ import annotations

import hashlib
import importlib
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from django_amazonpay import tasks
from django_amazonpay.models import Authorization, IpnMessage, OrderReference

pytestmark = pytest.mark.django_db


def _row(days_old: float, verdict: str, processing: str, message_id: str = "") -> IpnMessage:
    row = IpnMessage.objects.create(verdict=verdict, processing=processing, message_id=message_id)
    IpnMessage.objects.filter(pk=row.pk).update(
        received_at=timezone.now() - timedelta(days=days_old)
    )
    return row


@pytest.fixture
def inbox() -> dict[str, IpnMessage]:
    """Default retention: 90 days for followed notifications, 7 for refused deliveries."""
    return {
        "old processed": _row(91, "valid", "processed", "m1"),
        "old ignored": _row(91, "valid", "ignored", "m2"),
        "recent processed": _row(89, "valid", "processed", "m3"),
        "old pending": _row(200, "valid", "pending", "m4"),
        "old failed": _row(200, "valid", "failed", "m5"),
        "old rejected": _row(8, "rejected", "ignored"),
        "old duplicate": _row(8, "duplicate", "ignored", "m1"),
        "old unchecked": _row(8, "received", "pending"),
        "recent rejected": _row(6, "rejected", "ignored"),
    }


KEPT = {"recent processed", "old pending", "old failed", "recent rejected"}


def _left(inbox: dict[str, IpnMessage]) -> set[str]:
    alive = set(IpnMessage.objects.values_list("pk", flat=True))
    return {name for name, row in inbox.items() if row.pk in alive}


def test_the_command_purges_old_rows_and_keeps_the_rest(inbox: Any, capsys: Any) -> None:
    call_command("amazon_pay_purge_ipn", "--dry-run")
    assert "would delete 2 processed or ignored and 3 refused" in capsys.readouterr().out
    assert _left(inbox) == set(inbox)
    call_command("amazon_pay_purge_ipn")
    assert _left(inbox) == KEPT
    assert "deleted 2 processed or ignored and 3 refused" in capsys.readouterr().out


def test_the_task_purges_with_a_limit(inbox: Any) -> None:
    assert tasks.purge_ipn_inbox.delay(limit=1).get() == {"followed": 1, "refused": 1}
    assert tasks.purge_ipn_inbox.delay().get() == {"followed": 1, "refused": 2}
    assert _left(inbox) == KEPT


def test_retention_follows_the_settings(inbox: Any, settings: Any) -> None:
    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY, "IPN_RETENTION_DAYS": 365, "IPN_REJECTED_RETENTION_DAYS": 1
    }  # fmt: skip
    call_command("amazon_pay_purge_ipn")
    assert _left(inbox) == {
        "old processed", "old ignored", "recent processed", "old pending", "old failed"
    }  # fmt: skip


def test_the_purge_is_in_the_default_beat_schedule() -> None:
    entry = tasks.BEAT_SCHEDULE["amazon-pay-purge-ipn-inbox"]
    assert entry["task"] == tasks.purge_ipn_inbox.name == "django_amazonpay.purge_ipn_inbox"
    assert entry["schedule"] == 86400.0


def _migration() -> Any:
    return importlib.import_module("django_amazonpay.migrations.0006_ipn_summaries_and_reads")


def test_the_migration_keeps_only_summaries_of_unverified_bodies() -> None:
    forged = "x" * 2_400_000
    refused = IpnMessage.objects.create(verdict="rejected", body=forged)
    stuck = IpnMessage.objects.create(verdict="received", body="[" * 10_000)
    valid = IpnMessage.objects.create(
        verdict="valid", body='{"Type": "Notification"}', message_id="v"
    )
    _migration().summarize_unverified_bodies(apps, None)
    refused.refresh_from_db()
    assert refused.body == "x" * 512
    assert refused.body_size == len(forged)
    assert refused.body_sha256 == hashlib.sha256(forged.encode()).hexdigest()
    stuck.refresh_from_db()
    assert len(stuck.body) == 512
    valid.refresh_from_db()
    assert valid.body == '{"Type": "Notification"}' and valid.body_size == len(valid.body)


def test_the_migration_forgets_timestamps_an_ipn_may_have_forged() -> None:
    far = timezone.now() + timedelta(days=365 * 70)
    oro = OrderReference.objects.create(
        amazon_order_reference_id="S03-1111111-1111111", state="Open", amazon_updated_at=far
    )
    auth = Authorization.objects.create(
        order_reference=oro, attempt=1, amazon_authorization_id="S03-1111111-1111111-A000001",
        authorization_reference_id="r1", state="Open", amazon_updated_at=far,
    )  # fmt: skip
    _migration().forget_ordering_timestamps(apps, None)
    oro.refresh_from_db()
    auth.refresh_from_db()
    assert oro.amazon_updated_at is None and auth.amazon_updated_at is None
