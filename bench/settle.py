"""How fast the settle task drains N pending authorizations under sandbox throttling.

N asynchronous authorizations are made against the embedded simulator (throttling off for
the setup), the simulator settles them (its clock moves 31 s), then the settle task's
service runs again and again, as beat would, until nothing is pending, with sandbox
throttling ON both in the simulator and in our client's shared bucket.

Time: our throttle bucket, the settle run's time budget and the simulator's quotas all read
the simulator's clock, and "sleeping" moves that clock. The figures are therefore the time
the tasks would take against Amazon's sandbox quotas (spec 2.1: GetAuthorizationDetails
burst 5, 1 per second), not how long this script runs; the real CPU time is printed beside.
The throttle-limited minimum is N / restore rate (the initial burst of 5 is a rounding
error at N = 1,000). Prints figures; asserts nothing about time.

    .venv/bin/python bench/settle.py [N]
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

RESTORE = 1.0  # GetAuthorizationDetails, sandbox (spec 2.1)
BURST = 5


def main(n: int) -> None:
    from django.conf import settings

    from django_amazonpay import client as client_module
    from django_amazonpay import services
    from django_amazonpay.conf import get_settings
    from django_amazonpay.models import Authorization, MwsCall
    from django_amazonpay.mws.payments import PaymentsClient
    from django_amazonpay.sandbox.clock import Clock
    from django_amazonpay.sandbox.simulator import Simulator
    from django_amazonpay.services.settling import settle_pending
    from django_amazonpay.testing import mount_simulator, simulator_credentials
    from tests.services.conftest import ITEMS

    call_command("migrate", verbosity=0, run_syncdb=True)
    conf = {**settings.AMAZON_PAY, "THROTTLE": True, "THROTTLE_MAX_WAIT": 3600.0}
    with override_settings(AMAZON_PAY=conf):
        sim = Simulator(
            **simulator_credentials(),
            clock=Clock(start=datetime.now(timezone.utc)),
            throttle="sandbox",
        )
        sim.throttle.enabled = False  # the setup is not what is measured
        # our shared bucket and the run's budget on the simulator's clock; sleeping moves it
        virtual = lambda: sim.clock.now().timestamp()  # noqa: E731
        payments = client_module._clients["payments"] = PaymentsClient(
            get_settings().client_config(),
            cache=client_module._cache(),
            on_call=client_module._record_call,
            sleep=lambda seconds: sim.clock.advance(seconds),
            throttle_clock=virtual,
        )
        mount_simulator(sim)
        bucket, payments.throttle = payments.throttle, None  # the setup is not measured

        started = time.perf_counter()
        for i in range(n):
            oro = services.start_checkout(sim.create_order_reference(), access_token="t")
            oro = services.set_order_details(
                oro, items=ITEMS, shipping_fee=500, discount=1000, seller_order_id=f"b{i}"
            )
            services.authorize(services.confirm(oro), synchronous=False)
        setup = time.perf_counter() - started
        pending = Authorization.objects.filter(state="Pending").count()
        sim.advance(31)  # Amazon settles them; no IPN reaches us

        denied = {"n": 0}
        allow = sim.throttle.allow

        def counting_allow(operation: str, mode: str) -> bool:
            ok = allow(operation, mode)
            denied["n"] += not ok
            return ok

        sim.throttle.allow = counting_allow  # type: ignore[method-assign]
        sim.throttle.enabled = True
        payments.throttle = bucket
        calls_before = MwsCall.objects.filter(operation="GetAuthorizationDetails").count()
        attempts_before = sum(
            MwsCall.objects.filter(operation="GetAuthorizationDetails").values_list(
                "attempts", flat=True
            )
        )
        t0, cpu0 = virtual(), time.process_time()
        runs = 0
        while Authorization.objects.filter(state="Pending").exists() and runs < 10 * n:
            report = settle_pending(clock=virtual)
            runs += 1
            if report.polled == 0 and report.errors:
                break
        elapsed, cpu = virtual() - t0, time.process_time() - cpu0
        gets = MwsCall.objects.filter(operation="GetAuthorizationDetails")
        calls = gets.count() - calls_before
        attempts = sum(gets.values_list("attempts", flat=True)) - attempts_before
        left = Authorization.objects.filter(state="Pending").count()

    minimum = max(n - BURST, 0) / RESTORE
    print(f"pending authorizations     {pending} (setup {setup:.1f} s real, throttling off)")
    conf_now = get_settings()
    print(
        f"settle runs                {runs} (SETTLE_BATCH_SIZE {conf_now.settle_batch_size}, "
        f"SETTLE_TIME_BUDGET {conf_now.settle_time_budget:g} s)"
    )
    print(f"GetAuthorizationDetails    {calls} calls, {attempts} HTTP requests")
    print(f"throttled responses (503)  {denied['n']}")
    print(f"still pending              {left}")
    print(f"time to settle all         {elapsed:.1f} s (throttle clock)")
    print(f"throttle-limited minimum   {minimum:.1f} s = (N - burst {BURST}) / {RESTORE:g} per s")
    if minimum:
        print(f"over the minimum           {100 * (elapsed - minimum) / minimum:+.2f} %")
    print(f"CPU time of the runs       {cpu:.1f} s real (this machine, simulator in-process)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
