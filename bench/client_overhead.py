"""Per-call cost of our PaymentsClient vs the official amazon_pay 2.7.1 SDK, same server.

One simulator on a real 127.0.0.1 socket, in its own process (the standalone command), so
neither client shares a GIL with it (--in-process: a thread of this process); the same
ten-call sequence
(get details, set details, confirm, authorize, get auth, capture, get capture, refund,
get refund, close) N times through each client, in one run. Prints figures; asserts nothing
about time.

    .venv/bin/python bench/client_overhead.py [N] [--in-process]
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import requests

ACCESS, SECRET, SELLER = "AKIABENCH", "bench-secret/Key+1=", "A1BENCHSELLER"
CONTROL_TOKEN = "bench-control-token"  # a throwaway simulator's control token
SEQUENCE = 10
_serial = itertools.count()


def ours(base_url: str) -> Callable[[str, dict[str, list[float]]], None]:
    from django_amazonpay.amounts import Amount
    from django_amazonpay.mws import ClientConfig, PaymentsClient
    from django_amazonpay.regions import get_region

    config = ClientConfig(seller_id=SELLER, access_key=ACCESS, secret_key=SECRET,
                          region=get_region("jp"), endpoint=base_url, throttle=False)  # fmt: skip
    client = PaymentsClient(config)
    total = Amount(Decimal("13800"), "JPY")
    part = Amount(Decimal("800"), "JPY")

    def run(oid: str, times: dict[str, list[float]]) -> None:
        def timed(name: str, fn: Callable[[], Any]) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            result = fn()
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
            times.setdefault(name, []).append(wall)
            times.setdefault("cpu:" + name, []).append(cpu)
            return result

        n = f"o{next(_serial)}"  # reference ids are unique per seller (spec 3.9)
        timed("get_details", lambda: client.get_order_reference_details(oid))
        timed("set_details", lambda: client.set_order_reference_details(oid, order_total=total))
        timed("confirm", lambda: client.confirm_order_reference(oid))
        auth = timed(
            "authorize",
            lambda: client.authorize(
                oid, authorization_reference_id=f"a{n}", amount=total, transaction_timeout=0
            ),
        )
        aid = auth.amazon_authorization_id
        timed("get_auth", lambda: client.get_authorization_details(aid))
        cap = timed(
            "capture", lambda: client.capture(aid, capture_reference_id=f"c{n}", amount=total)
        )
        cid = cap.amazon_capture_id
        timed("get_capture", lambda: client.get_capture_details(cid))
        ref = timed("refund", lambda: client.refund(cid, refund_reference_id=f"r{n}", amount=part))
        timed("get_refund", lambda: client.get_refund_details(ref.amazon_refund_id))
        timed("close", lambda: client.close_order_reference(oid))

    return run


def sdk(base_url: str) -> Callable[[str, dict[str, list[float]]], None]:
    from amazon_pay.client import AmazonPayClient

    client = AmazonPayClient(mws_access_key=ACCESS, mws_secret_key=SECRET, merchant_id=SELLER,
                             region="jp", currency_code="JPY", sandbox=True,
                             handle_throttle=False)  # fmt: skip
    # The SDK builds https://<region host>/... and posts with module-level requests.post;
    # its endpoint attribute is the only way to point it elsewhere (it signs that netloc).
    client._mws_endpoint = base_url + "/OffAmazonPayments_Sandbox/2013-01-01"

    def details(response: Any, operation: str, kind: str) -> dict:
        if not response.success:
            raise RuntimeError(response.to_json())
        return response.to_dict()[f"{operation}Response"][f"{operation}Result"][kind]

    def run(oid: str, times: dict[str, list[float]]) -> None:
        def timed(name: str, fn: Callable[[], Any]) -> Any:
            start, cpu = time.perf_counter(), time.thread_time()
            result = fn()
            wall, cpu = time.perf_counter() - start, time.thread_time() - cpu
            times.setdefault(name, []).append(wall)
            times.setdefault("cpu:" + name, []).append(cpu)
            if not result.success:
                raise RuntimeError(result.to_json())
            return result

        n = f"s{next(_serial)}"
        timed("get_details", lambda: client.get_order_reference_details(oid))
        timed("set_details", lambda: client.set_order_reference_details(oid, order_total="13800"))
        timed("confirm", lambda: client.confirm_order_reference(oid))
        auth = timed(
            "authorize",
            lambda: client.authorize(
                oid,
                authorization_reference_id=f"a{n}",
                authorization_amount="13800",
                transaction_timeout=0,
            ),
        )
        aid = details(auth, "Authorize", "AuthorizationDetails")["AmazonAuthorizationId"]
        timed("get_auth", lambda: client.get_authorization_details(aid))
        cap = timed(
            "capture",
            lambda: client.capture(aid, capture_reference_id=f"c{n}", capture_amount="13800"),
        )
        cid = details(cap, "Capture", "CaptureDetails")["AmazonCaptureId"]
        timed("get_capture", lambda: client.get_capture_details(cid))
        ref = timed(
            "refund", lambda: client.refund(cid, refund_reference_id=f"r{n}", refund_amount="800")
        )
        rid = details(ref, "Refund", "RefundDetails")["AmazonRefundId"]
        timed("get_refund", lambda: client.get_refund_details(rid))
        timed("close", lambda: client.close_order_reference(oid))

    return run


def summary(times: dict[str, list[float]], prefix: str = "") -> float:
    """Mean per call: wall time (prefix "") or the calling thread's CPU time ("cpu:")."""
    per_call = [
        t
        for name, values in times.items()
        if name.startswith("cpu:") == (prefix == "cpu:")
        for t in values
    ]
    return statistics.fmean(per_call)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def simulator_process() -> Iterator[tuple[str, Callable[[], str]]]:
    """The standalone simulator in its own process: neither client shares its GIL."""
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "django_amazonpay.sandbox", "--port", str(port),
         "--seller-id", SELLER, "--access-key", ACCESS, "--secret-key", SECRET,
         "--control-token", CONTROL_TOKEN],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    buyer = requests.Session()
    buyer.headers["X-Simulator-Token"] = CONTROL_TOKEN  # order-references is a control route
    try:
        for _ in range(100):
            try:
                buyer.get(base + "/sandbox/objects/none", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)

        def new_order_reference() -> str:
            reply = buyer.post(base + "/sandbox/buyer/order-references",
                               json={"seller_id": SELLER}, timeout=5)  # fmt: skip
            return reply.json()["amazon_order_reference_id"]

        yield base, new_order_reference
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextlib.contextmanager
def simulator_thread() -> Iterator[tuple[str, Callable[[], str]]]:
    """The simulator on a socket served by a thread of this process (shares the GIL)."""
    from django_amazonpay.sandbox.server import SimulatorServer
    from django_amazonpay.sandbox.simulator import Simulator

    sim = Simulator(seller_id=SELLER, access_key=ACCESS, secret_key=SECRET, region="jp")
    with SimulatorServer(sim) as server:
        yield server.base_url, sim.create_order_reference


def main(n: int = 100, in_process: bool = False) -> None:
    start = simulator_thread if in_process else simulator_process
    with start() as (base_url, new_order_reference):
        runners = {
            "django-amazonpay": ours(base_url),
            "amazon_pay 2.7.1": sdk(base_url),
        }
        timings: dict[str, dict[str, list[float]]] = {name: {} for name in runners}
        for run in runners.values():  # warm-up: imports, first connection
            run(new_order_reference(), {})
        # interleaved, so both clients see the same machine load
        for _ in range(n):
            for name, run in runners.items():
                run(new_order_reference(), timings[name])
    where = "a thread of this process" if in_process else "its own process"
    print(
        f"{n} sequences x {SEQUENCE} calls per client, interleaved, simulator at {base_url} "
        f"in {where}"
    )
    print(
        f"{'client':<18} {'calls/s':>9} {'mean ms/call':>13} {'median ms':>10} "
        f"{'client CPU ms/call':>19}"
    )
    for name, times in timings.items():
        mean = summary(times)
        wall = [t for key, values in times.items() if not key.startswith("cpu:") for t in values]
        print(
            f"{name:<18} {1 / mean:>9.1f} {mean * 1000:>13.3f} "
            f"{statistics.median(wall) * 1000:>10.3f} {summary(times, 'cpu:') * 1000:>19.3f}"
        )
    a, b = timings["django-amazonpay"], timings["amazon_pay 2.7.1"]
    print(f"ratio ours/sdk, wall time per call: {summary(a) / summary(b):.2f} (goal <= 0.50)")
    print(f"ratio ours/sdk, client CPU per call: {summary(a, 'cpu:') / summary(b, 'cpu:'):.2f}")
    print("per operation, mean wall ms (ours / sdk):")
    for op in (k for k in a if not k.startswith("cpu:")):
        print(
            f"  {op:<12} {statistics.fmean(a[op]) * 1000:8.3f} / "
            f"{statistics.fmean(b[op]) * 1000:8.3f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=100, help="sequences per client")
    parser.add_argument(
        "--in-process", action="store_true", help="serve the simulator from a thread instead"
    )
    args = parser.parse_args()
    main(args.n, args.in_process)
