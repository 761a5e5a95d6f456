"""`python -m django_amazonpay.sandbox`: the simulator as a standalone HTTP server."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from ..regions import REGIONS


def build_parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m django_amazonpay.sandbox",
        description="Run the Amazon Pay MWS simulator (OffAmazonPayments + Orders) over HTTP.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8765, help="TCP port (0 = any free port)")
    parser.add_argument(
        "--seller-id",
        default=env("AMAZON_PAY_SELLER_ID"),
        help="the seller (merchant) id requests must carry; env AMAZON_PAY_SELLER_ID",
    )
    parser.add_argument(
        "--access-key",
        default=env("AMAZON_PAY_ACCESS_KEY"),
        help="MWS access key the simulator accepts; env AMAZON_PAY_ACCESS_KEY",
    )
    parser.add_argument(
        "--secret-key",
        default=env("AMAZON_PAY_SECRET_KEY"),
        help="MWS secret key used to verify signatures; env AMAZON_PAY_SECRET_KEY",
    )
    parser.add_argument(
        "--region", default="jp", choices=sorted(REGIONS), help="Amazon Pay region (default jp)"
    )
    parser.add_argument(
        "--throttle",
        action="store_true",
        help="apply Amazon's per-operation request quotas (503 RequestThrottled when exceeded)",
    )
    parser.add_argument(
        "--state-file",
        help="JSON state file: loaded at start if present, saved on shutdown "
        "and on POST /sandbox/state/save",
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="fixed seed for object ids (the same ids at every start; for scripted tests). "
        "Default: a random seed, so a restart never reissues an id; a loaded state file keeps "
        "its own seed",
    )
    parser.add_argument(
        "--ipn-url", help="URL the simulator POSTs Instant Payment Notifications to"
    )
    parser.add_argument(
        "--public-url",
        help="base URL clients use to reach this server (for IPN SigningCertURL and buyer pages)",
    )
    parser.add_argument(
        "--control-token",
        default=env("AMAZON_PAY_SIMULATOR_TOKEN"),
        help="the token the control routes (/sandbox/state, faults, clock...) need in the "
        "X-Simulator-Token header; env AMAZON_PAY_SIMULATOR_TOKEN. Default: a random one, "
        "printed at start",
    )
    parser.add_argument(
        "--return-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="a shop origin (e.g. http://127.0.0.1:8000) the buyer pages may send the buyer "
        "back to, besides paths of this server; repeat for several",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    missing = [
        name for name in ("seller_id", "access_key", "secret_key") if not getattr(args, name)
    ]
    if missing:
        opts = ", ".join("--" + m.replace("_", "-") for m in missing)
        print(f"missing {opts} (or the AMAZON_PAY_* environment variables)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO)
    from .lifecycle import EngineSettings
    from .return_urls import normalized_origins

    try:
        normalized_origins(args.return_origin)
    except ValueError as exc:
        print(f"--return-origin: {exc}", file=sys.stderr)
        return 2
    from .server import SimulatorServer
    from .simulator import Simulator

    sim = Simulator(
        seller_id=args.seller_id,
        access_key=args.access_key,
        secret_key=args.secret_key,
        region=args.region,
        throttle=args.throttle,
        ipn_url=args.ipn_url,
        state_file=args.state_file,
        # random unless --seed: a restart without a state file must not repeat old ids
        engine_settings=EngineSettings(id_seed=args.seed),
        control_token=args.control_token,
        return_origins=args.return_origin,
    )
    server = SimulatorServer(sim, args.host, args.port)
    if args.public_url:
        sim.base_url = args.public_url
    print(f"Amazon Pay simulator for {args.seller_id} ({args.region}) on {server.base_url}")
    print(f"  sandbox endpoint: {server.base_url}/OffAmazonPayments_Sandbox/2013-01-01")
    print(f"  buyer sign-in:    {server.base_url}/sandbox/buyer/sign-in?return_url=/path")
    print(f"  control routes:   send the header X-Simulator-Token: {sim.control_token}")
    sys.stdout.flush()

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
        if sim.state_file:
            print(f"state saved to {sim.save()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
