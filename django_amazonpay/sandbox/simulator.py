"""The `Simulator` facade: one engine, its throttle, faults, IPN publisher and Orders book.

Reach it three ways (STYLE 12): `simulator.wsgi_app` in-process through `SimulatorAdapter`
(`simulator.mount(session)`), standalone (`python -m django_amazonpay.sandbox`), or mounted in
a Django project (`django_amazonpay.sandbox.urls`).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..regions import Region, get_region
from .access import new_token
from .clock import Clock
from .faults import Faults
from .ipn import IpnPublisher, Sender
from .orders import DEFAULT_PAGE_SIZE, OrdersBook
from .return_urls import normalized_origins
from .throttle import Throttle

if TYPE_CHECKING:
    import requests

    from .transport import SimulatorAdapter

DEFAULT_BASE_URL = "http://amazonpay-simulator.invalid"


class Simulator:
    """A wire-compatible Amazon Pay MWS (OffAmazonPayments + Orders) for one seller.

    `throttle`: False (default, for tests) lets everything through; True applies spec 2.1's
    quotas by path (sandbox path = sandbox quotas); "sandbox" / "production" forces one table.
    """

    def __init__(
        self,
        *,
        seller_id: str,
        access_key: str,
        secret_key: str,
        region: str | Region = "jp",
        clock: Clock | None = None,
        throttle: bool | str = False,
        engine_settings: Any = None,
        ipn_url: str | None = None,
        ipn_sender: Sender | None = None,
        ipn_inline: bool = False,
        extra_credentials: Mapping[str, str] | None = None,
        base_url: str = DEFAULT_BASE_URL,
        orders_page_size: int = DEFAULT_PAGE_SIZE,
        state_file: str | Path | None = None,
        control_token: str | None = None,
        return_origins: Iterable[str] = (),
    ) -> None:
        from .engine import EngineSettings, PaymentsEngine
        from .wsgi import SimulatorApp

        self.seller_id = seller_id
        self.access_key = access_key
        self.region = region if isinstance(region, Region) else get_region(region)
        self.clock = clock or Clock()
        #: access key -> secret key; every key acts for `seller_id`
        self.credentials: dict[str, str] = {access_key: secret_key, **(extra_credentials or {})}
        self.base_url = base_url
        #: the address a SimulatorServer serves it on, while it does (client.py routes by it)
        self.served_at: str | None = None
        self.state_file = Path(state_file) if state_file else None
        #: what a caller of the control routes sends in X-Simulator-Token (access.py); random
        #: unless given, so nobody knows it who was not told
        self.control_token = control_token or new_token()
        #: origins besides its own the buyer pages may send the buyer back to (return_urls.py)
        self.return_origins = normalized_origins(return_origins)
        #: one lock around the engine and the Orders book: the server is threaded
        self.lock = threading.RLock()
        if isinstance(throttle, str):
            self.throttle = Throttle(self.clock, enabled=True, mode=throttle)
        else:
            self.throttle = Throttle(self.clock, enabled=bool(throttle))
        self.faults = Faults()
        self.ipn = IpnPublisher(
            seller_id=seller_id,
            region=self.region,
            clock=self.clock,
            base_url=lambda: self.base_url,
            url=ipn_url,
            sender=ipn_sender,
            inline=ipn_inline,
        )
        self.orders = OrdersBook(page_size=orders_page_size)
        self.engine = PaymentsEngine(
            seller_id=seller_id,
            region=self.region,
            clock=self.clock,
            # a simulator that outlives a process (a state file) must not reissue ids it may
            # have issued after its last save: a random seed unless the caller chose one
            settings=engine_settings or EngineSettings(id_seed=None if state_file else 0),
            notify=self.ipn.publish,
        )
        self.wsgi_app: Callable[..., Any] = SimulatorApp(self)
        if self.state_file and self.state_file.exists():
            self.load(self.state_file)

    # -- time -----------------------------------------------------------------------------
    def advance(self, delta: timedelta | float) -> datetime:
        """Move the clock forward and apply every timer now due (async auths, refunds...)."""
        with self.lock:
            now = self.clock.advance(delta)
            self.engine.advance()
        self.ipn.deliver_held()
        return now

    # -- buyer side shortcuts (what the widgets would do) ------------------------------------
    def create_order_reference(
        self,
        *,
        environment: str = "Sandbox",
        address: dict | None = None,
        payment_method: str | None = None,
        buyer: dict | None = None,
    ) -> str:
        """A Draft order reference as if a buyer had signed in and chosen address and wallet."""
        with self.lock:
            return self.engine.create_order_reference(
                environment=environment, address=address, payment_method=payment_method, buyer=buyer
            )

    def set_payment_method(self, order_reference_id: str, payment_method: str) -> None:
        with self.lock:
            self.engine.set_payment_method(order_reference_id, payment_method)

    def get_object(self, object_id: str) -> dict:
        with self.lock:
            return self.engine.get_object(object_id)

    # -- transport --------------------------------------------------------------------------
    def adapter(self, script_name: str = "") -> SimulatorAdapter:
        from .transport import SimulatorAdapter

        return SimulatorAdapter(self, script_name)

    def mount(self, session: requests.Session, base_url: str | None = None) -> SimulatorAdapter:
        """Route every request `session` sends under `base_url` to this simulator, in-process.

        The default base URL is one for each region host, e.g. https://mws.amazonservices.jp/, so
        a client configured for the real endpoint talks to the simulator unchanged. A base URL
        with a path (`http://127.0.0.1:8000/amazonpay-sandbox/`, a project's mount) makes that
        path the simulator's SCRIPT_NAME, as it is when the project serves it.
        """
        base = base_url or f"https://{self.region.host}/"
        adapter = self.adapter(urlsplit(base).path)
        session.mount(base, adapter)
        return adapter

    # -- state ----------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every object, fault, bucket and notification; the seed order comes back."""
        with self.lock:
            self.engine.reset()
            self.orders.reset()
        self.faults.clear()
        self.throttle.reset()
        self.ipn.clear()

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "version": 1,
                "seller_id": self.seller_id,
                "region": self.region.code,
                "engine": self.engine.snapshot(),
                "orders": self.orders.snapshot(),
            }

    def restore(self, data: Mapping[str, Any]) -> None:
        if data.get("seller_id") not in (None, self.seller_id):
            raise ValueError("this state belongs to another seller")
        with self.lock:
            self.engine.restore(data["engine"])
            if "orders" in data:
                self.orders.restore(data["orders"])

    def save(self, path: str | Path | None = None) -> Path:
        """Write the state as JSON (to `state_file` unless a path is given); atomic replace."""
        target = Path(path or self.state_file or "amazonpay-simulator.json")
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(json.dumps(self.snapshot(), ensure_ascii=False, default=str, indent=1))
        tmp.replace(target)
        return target

    def load(self, path: str | Path) -> None:
        self.restore(json.loads(Path(path).read_text()))
