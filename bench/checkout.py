"""Full checkouts through the REST API on PostgreSQL, and the admin list at 100,000 rows.

Part 1: N concurrent storefront clients (threads, each with its own DRF test client and
session) each run whole checkouts through the API (start, set order, confirm + authorize,
read the payment) against the embedded simulator (in-process, throttling off). Prints
checkouts/s, p50/p99 latency of a whole checkout, and our share of the time versus the
simulator's: the time spent inside the simulator's WSGI app is measured separately (it runs
in the calling thread, so it is exactly the simulator's part of each request).

Part 2: 100,000 order references are bulk-created, then the admin's order reference list is
fetched as a superuser: queries and time per page (first, middle, last, a search, a filter).

Needs PostgreSQL (a throwaway database `test_bench_checkout`, or $BENCH_DATABASE_NAME, is
created and dropped):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/checkout.py \
        [--clients 1,4,16] [--checkouts 200] [--rows 100000]

`--rows 0` skips part 2. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django
from django.conf import settings

if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
    sys.exit("set DATABASE_URL=postgres://... (the bench runs on PostgreSQL)")

django.setup()
from django.db import connections  # noqa: E402

# BENCH_DATABASE_NAME: another name, when something else may be using the default one
connections["default"].settings_dict["TEST"]["NAME"] = os.environ.get(
    "BENCH_DATABASE_NAME", "test_bench_checkout"
)
settings.ROOT_URLCONF = __name__
settings.DEBUG = False

from django.contrib import admin  # noqa: E402
from django.urls import include, path  # noqa: E402

urlpatterns = [
    path("admin/", admin.site.urls),
    path("amazon-pay/api/", include("django_amazonpay.api.urls")),
]
API = "/amazon-pay/api/checkouts/"


def resolve(request: Any, order_id: str) -> Any:
    """The shop's ORDER_RESOLVER: one T-shirt and shipping."""
    from django_amazonpay.api.orders import OrderSnapshot
    from django_amazonpay.services import ItemSnapshot

    return OrderSnapshot(
        items=[ItemSnapshot(title="Tシャツ", unit_price=Decimal("2000"), quantity=2)],
        shipping_fee=500,
    )


class TimedApp:
    """Wraps the simulator's WSGI app: seconds spent inside it, per thread and in total."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.local = threading.local()
        self.lock = threading.Lock()
        self.total = 0.0
        self.calls = 0

    def __call__(self, environ: dict, start_response: Any) -> Any:
        started = time.perf_counter()
        try:
            return list(self.app(environ, start_response))
        finally:
            spent = time.perf_counter() - started
            self.local.spent = getattr(self.local, "spent", 0.0) + spent
            with self.lock:
                self.total += spent
                self.calls += 1

    def thread_spent(self) -> float:
        return getattr(self.local, "spent", 0.0)


def make_simulator() -> tuple[Any, TimedApp]:
    from django_amazonpay.client import reset_clients
    from django_amazonpay.sandbox.simulator import Simulator
    from django_amazonpay.testing import mount_simulator, simulator_credentials

    reset_clients()
    sim = Simulator(**simulator_credentials(), throttle=False)
    timed = TimedApp(sim.wsgi_app)
    sim.wsgi_app = timed
    mount_simulator(sim)
    return sim, timed


def checkout_steps(sim: Any, client: Any) -> list[tuple[str, Any]]:
    """The four requests of one checkout, each checking its answer."""
    oro_id = sim.create_order_reference()

    def start() -> None:
        body = {"amazon_order_reference_id": oro_id, "access_token": "Atza|b"}
        r = client.post(API, body, "json")
        assert r.status_code == 201, r.content

    def order() -> None:
        r = client.post(f"{API}{oro_id}/order/", {"order_id": "B-1"}, format="json")
        assert r.status_code == 200, r.content

    def confirm() -> None:
        r = client.post(f"{API}{oro_id}/confirm/")
        assert r.status_code == 200 and r.json()["state"] == "Open", r.content

    def payment() -> None:
        r = client.get(f"{API}{oro_id}/payment/")
        assert r.status_code == 200, r.content

    return [("start", start), ("order", order), ("confirm", confirm), ("payment", payment)]


def one_checkout(sim: Any, client: Any) -> None:
    for _, step in checkout_steps(sim, client):
        step()


def queries_per_step(sim: Any) -> str:
    """SQL statements of each step of one checkout (BEGIN and COMMIT included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    counts, transactions = [], 0
    for name, step in checkout_steps(sim, APIClient()):
        with CaptureQueriesContext(connection) as ctx:
            step()
        counts.append((name, len(ctx.captured_queries)))
        transactions += sum(q["sql"] == "BEGIN" for q in ctx.captured_queries)
    steps = ", ".join(f"{name} {n}" for name, n in counts)
    return f"{sum(n for _, n in counts)} ({steps}); transactions: {transactions}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def checkout_run(sim: Any, timed: TimedApp, clients: int, checkouts: int) -> dict[str, float]:
    from django.db import connections
    from rest_framework.test import APIClient

    timed.total, timed.calls = 0.0, 0
    latencies: list[float] = []
    sim_shares: list[float] = []
    lock = threading.Lock()
    per_client = [checkouts // clients + (1 if i < checkouts % clients else 0)
                  for i in range(clients)]  # fmt: skip
    barrier = threading.Barrier(clients + 1)
    failures: list[BaseException] = []

    def work(n: int) -> None:
        client = APIClient()
        try:
            barrier.wait()
            for _ in range(n):
                before = timed.thread_spent()
                started = time.perf_counter()
                one_checkout(sim, client)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    sim_shares.append(timed.thread_spent() - before)
        except BaseException as err:  # reported below
            failures.append(err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in per_client]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise failures[0]
    busy = sum(latencies)
    return {
        "clients": clients,
        "checkouts": len(latencies),
        "per_second": len(latencies) / wall,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "sim_share": sum(sim_shares) / busy,
        "sim_calls_per_checkout": timed.calls / len(latencies),
    }


def admin_list(rows: int) -> list[dict[str, Any]]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from django_amazonpay.models import OrderReference

    existing = OrderReference.objects.count()
    started = time.perf_counter()
    batch = 5000
    for start in range(0, rows, batch):
        OrderReference.objects.bulk_create(
            OrderReference(
                amazon_order_reference_id=f"S03-{n // 10**7:07d}-{n % 10**7:07d}",
                seller_order_id=f"BENCH-{n:06d}",
                state=("Open", "Closed", "Canceled", "Draft")[n % 4],
                amount=Decimal(1000 + n % 5000),
                currency="JPY",
            )
            for n in range(existing + start, existing + min(start + batch, rows))
        )
    created = time.perf_counter() - started
    print(f"bulk_create: {rows:,} order references in {created:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client = Client()
    client.force_login(User.objects.create_superuser("bench", email="bench@example.com"))
    base = "/admin/django_amazonpay/orderreference/"
    last = (existing + rows + 99) // 100
    pages = [
        ("page 1", base),
        ("page 2", base + "?p=2"),
        (f"page {last // 2}", base + f"?p={last // 2}"),
        (f"page {last} (last)", base + f"?p={last}"),
        ("search seller order id", base + "?q=BENCH-054321"),
        ("filter state=Open", base + "?state__exact=Open"),
        ("sort by amount", base + "?o=-5"),
    ]
    results = []
    for label, url in pages:
        client.get(url)  # warm
        times, queries = [], 0
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(ctx.captured_queries)
        results.append({"page": label, "queries": queries, "ms": statistics.median(times) * 1000})
    return results


def machine() -> str:
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.0f} GiB RAM"
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"{os.cpu_count()} CPUs, {mem}, Python {platform.python_version()}, "
        f"Django {django.get_version()}, PostgreSQL {pg}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="1,4,16")
    parser.add_argument("--checkouts", type=int, default=200)
    parser.add_argument("--rows", type=int, default=100_000, help="0: no admin list")
    args = parser.parse_args()

    from django.test.utils import setup_databases, setup_test_environment, teardown_databases
    from rest_framework.test import APIClient

    settings.AMAZON_PAY = {
        **settings.AMAZON_PAY,
        "ORDER_RESOLVER": f"{__name__}.resolve",
        "API_READ_RATE": None,
        "API_WRITE_RATE": None,
        "THROTTLE": False,
    }
    setup_test_environment()
    config = setup_databases(verbosity=0, interactive=False)
    try:
        print(f"machine: {machine()}")
        print("\nfull checkouts through the REST API (start, order, confirm+authorize, payment)")
        # one simulator for every run: a new one would hand out the same ids again
        sim, timed = make_simulator()
        one_checkout(sim, APIClient())  # imports, first connection
        print(f"SQL queries per checkout: {queries_per_step(sim)}")
        print("| clients | checkouts | checkouts/s | p50 ms | p99 ms | simulator share | ours |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for clients in (int(c) for c in args.clients.split(",")):
            r = checkout_run(sim, timed, clients, args.checkouts)
            print(f"| {r['clients']} | {r['checkouts']} | {r['per_second']:.1f} | "
                  f"{r['p50_ms']:.0f} | {r['p99_ms']:.0f} | {r['sim_share']:.0%} | "
                  f"{1 - r['sim_share']:.0%} |", flush=True)  # fmt: skip
        print(f"(simulator calls per checkout: {r['sim_calls_per_checkout']:.1f})")
        if not args.rows:
            return
        print(f"\nadmin order reference list, {args.rows:,} order references (median of 3)")
        print("| page | queries | ms |")
        print("|---|---:|---:|")
        for row in admin_list(args.rows):
            print(f"| {row['page']} | {row['queries']} | {row['ms']:.0f} |")
    finally:
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
