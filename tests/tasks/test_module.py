"""The tasks module itself: importable without a Celery app, schedule names real tasks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from django_amazonpay import tasks

ROOT = Path(__file__).resolve().parents[2]


def test_importable_without_a_celery_app() -> None:
    code = (
        "import django; django.setup(); import celery; "
        "import django_amazonpay.tasks as t; "
        "assert celery.current_app.main in (None, 'default', '__main__'), celery.current_app.main; "
        "print(sorted(e['task'] for e in t.BEAT_SCHEDULE.values())[0])"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "PYTHONPATH": str(ROOT)}
    env.pop("CELERY_BROKER_URL", None)
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "django_amazonpay.cancel_unauthorized_orders"


def test_beat_schedule_names_registered_tasks() -> None:
    names = {
        getattr(tasks, attr).name for attr in dir(tasks) if hasattr(getattr(tasks, attr), "delay")
    }
    assert {entry["task"] for entry in tasks.BEAT_SCHEDULE.values()} <= names
    for name in names:
        task = next(
            getattr(tasks, a) for a in dir(tasks) if getattr(getattr(tasks, a), "name", "") == name
        )
        assert task.acks_late, name
        assert task.autoretry_for, name


def test_ipn_url_name(settings: object) -> None:
    settings.ROOT_URLCONF = "tests.ipn.urls"  # type: ignore[attr-defined]
    assert reverse("amazon_pay_ipn:ipn") == "/amazon-pay/ipn/"
