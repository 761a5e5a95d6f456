"""A scripted checkout against the embedded simulator: `python -m django_amazonpay.sandbox.demo`.

Seed 000's checkout, step by step, through the app's own MWS client talking to an in-process
simulator over the real wire format (signed requests, XML answers). Needs no Django project,
no database and no network: it shows the wire layer and the simulator working together.
"""

from __future__ import annotations

import argparse
import sys
import time
from decimal import Decimal

from ..amounts import Amount
from ..mws.config import ClientConfig, RetryPolicy
from ..mws.payments import PaymentsClient
from ..regions import get_region
from .simulator import Simulator

SELLER_ID, ACCESS_KEY, SECRET_KEY = "A1DEMOSELLER", "AKIADEMO", "demo-secret"


def run(region_code: str = "jp", out=sys.stdout) -> int:
    """Run the checkout; returns 0 when every step ended in the state Amazon's flow expects."""
    region = get_region(region_code)
    simulator = Simulator(seller_id=SELLER_ID, access_key=ACCESS_KEY, secret_key=SECRET_KEY,
                          region=region.code)  # fmt: skip
    config = ClientConfig(SELLER_ID, ACCESS_KEY, SECRET_KEY, region, sandbox=True,
                          retry=RetryPolicy(max_retries=0), throttle=False)  # fmt: skip
    client = PaymentsClient(config)
    simulator.mount(client.session, config.base_url)
    total = Amount(Decimal("13800") if region.currency == "JPY" else Decimal("138.00"),
                   region.currency)  # fmt: skip

    def step(label: str, state: str, expected: str) -> bool:
        mark = "ok " if state == expected else "!! "
        print(f"{mark} {label:<42} {state}", file=out)
        return state == expected

    started = time.perf_counter()
    oro_id = simulator.create_order_reference()  # what the buyer's widgets do
    print(f"buyer signed in with Amazon: order reference {oro_id}", file=out)
    results = []
    details = client.get_order_reference_details(oro_id)
    constraints = ", ".join(c.constraint_id for c in details.constraints)
    results.append(step(f"GetOrderReferenceDetails ({constraints})", details.status.state,
                        "Draft"))  # fmt: skip
    details = client.set_order_reference_details(
        oro_id, order_total=total, seller_order_id="DEMO-0001", store_name="Demo shop"
    )
    results.append(step(f"SetOrderReferenceDetails {total}", details.status.state, "Draft"))
    client.confirm_order_reference(oro_id)
    details = client.get_order_reference_details(oro_id)
    results.append(step("ConfirmOrderReference", details.status.state, "Open"))
    auth = client.authorize(oro_id, authorization_reference_id="DEMO-0001-A1", amount=total,
                            transaction_timeout=0)  # fmt: skip
    results.append(step(f"Authorize (synchronous) {auth.amazon_authorization_id}",
                        auth.status.state, "Open"))  # fmt: skip
    capture = client.capture(auth.amazon_authorization_id, capture_reference_id="DEMO-0001-C1",
                             amount=total)  # fmt: skip
    results.append(step(f"Capture {capture.amazon_capture_id}", capture.status.state,
                        "Completed"))  # fmt: skip
    refund_amount = Amount(total.value / 2, total.currency)
    refund = client.refund(capture.amazon_capture_id, refund_reference_id="DEMO-0001-R1",
                           amount=refund_amount)  # fmt: skip
    results.append(step(f"Refund {refund_amount} (always Pending first)", refund.status.state,
                        "Pending"))  # fmt: skip
    simulator.advance(60)  # the sandbox completes refunds after about 31 s (spec 3.6)
    refund = client.get_refund_details(refund.amazon_refund_id)
    results.append(step("GetRefundDetails after a minute", refund.status.state, "Completed"))
    client.close_order_reference(oro_id, reason="demo finished")
    details = client.get_order_reference_details(oro_id)
    results.append(step(f"CloseOrderReference ({details.status.reason_code})",
                        details.status.state, "Closed"))  # fmt: skip
    elapsed = time.perf_counter() - started
    print(f"{sum(results)}/{len(results)} steps as expected in {elapsed * 1000:.0f} ms",
          file=out)  # fmt: skip
    return 0 if all(results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="jp", choices=["jp", "us", "uk", "de"],
                        help="Amazon Pay region to simulate (default: jp)")  # fmt: skip
    return run(parser.parse_args(argv).region)


if __name__ == "__main__":
    sys.exit(main())
