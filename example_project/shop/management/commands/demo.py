"""`manage.py demo`: migrate, load the products, create the admin user, run the shop.

Non-interactive: safe to run again (products are updated, the admin's password is reset to
the printed one). Payments go to the embedded Amazon Pay simulator mounted at
/amazonpay-sandbox/ of the same server. It keeps its objects in memory only, so each run
starts it empty; its ids come from a random seed, so it does not reissue the order reference
ids an earlier run left in the database. With CELERY_BROKER_URL set, a Celery worker is
started beside the server; without it tasks run eagerly in the web process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from django_amazonpay.conf import reset_settings

from ...demo_data import load_products

ADMIN_USERNAME = "admin"
DEFAULT_ADMIN_PASSWORD = "amazonpay-demo"


class Command(BaseCommand):
    help = "Set up the demo shop (migrate, products, admin user) and run it with the simulator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument(
            "--no-serve", action="store_true", help="set up only, do not start the server"
        )

    def handle(self, *args: Any, host: str, port: int, no_serve: bool, **options: Any) -> None:
        self.stdout.write("Migrating the database...")
        call_command("migrate", interactive=False, verbosity=0)
        count = load_products()
        self.stdout.write(f"Loaded {count} demo products.")
        password = os.environ.get("DEMO_ADMIN_PASSWORD", DEFAULT_ADMIN_PASSWORD)
        self._admin(password)
        address = f"http://{host}:{port}/"
        # the app's client calls the simulator mounted on this very server
        settings.AMAZON_PAY["ENDPOINT"] = address + settings.SIMULATOR_PREFIX.rstrip("/")
        reset_settings()
        self.stdout.write(f"Admin user: {ADMIN_USERNAME} / password: {password}")
        if no_serve:
            return
        worker = self._celery()
        self.stdout.write(self.style.SUCCESS(f"Open the shop at {address}"))
        self.stdout.write(f"Admin at {address}admin/ ; Amazon Pay simulator at "
                          f"{settings.AMAZON_PAY['ENDPOINT']}/ ; Ctrl+C stops.")  # fmt: skip
        self.stdout.flush()
        # `kill`/`timeout` must stop the worker too: turn SIGTERM into a normal exit
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)

    def _admin(self, password: str) -> None:
        users = get_user_model().objects
        user = users.filter(username=ADMIN_USERNAME).first()
        if user is None:
            user = users.create_superuser(ADMIN_USERNAME, "admin@example.com", password)
        else:
            user.set_password(password)
            user.is_staff = user.is_superuser = user.is_active = True
            user.save()

    def _celery(self) -> subprocess.Popen | None:
        if not settings.CELERY_BROKER_URL:
            self.stdout.write("Celery: no CELERY_BROKER_URL, tasks run eagerly in the web process.")
            return None
        self.stdout.write(f"Celery: starting a worker on {settings.CELERY_BROKER_URL}")
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "example_project", "worker", "-l", "info"],
            cwd=Path(settings.BASE_DIR),
            env={**os.environ, "AMAZON_PAY_ENDPOINT": settings.AMAZON_PAY["ENDPOINT"]},
        )
