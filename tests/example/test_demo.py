"""`manage.py demo` on a fresh SQLite file: set-up output, pages, languages, and a whole
checkout over HTTP (the storefront's API calls, the simulator standing in for Amazon)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.example.demo_server import (
    ADMIN_PASSWORD,
    MANAGE,
    DemoServer,
    demo_env,
    demo_server,
    staff_session,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    with demo_server(tmp_path_factory.mktemp("demo")) as server:
        yield server


def _buyer(shop: DemoServer, sku: str = "CUP-002") -> tuple[requests.Session, str]:
    """A session with `sku` in its cart at the checkout page; returns it and the order id."""
    session = requests.Session()
    session.get(shop.url, timeout=10).raise_for_status()
    token = session.cookies["csrftoken"]
    response = session.post(
        f"{shop.url}cart/add/{sku}/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": shop.url},
        timeout=10,
    )
    response.raise_for_status()
    page = session.get(shop.url + "checkout/", timeout=10).text
    # escapejs: "-" is written as \u002D in the page's script
    raw = re.search(r'var orderId = "([^"]+)"', page).group(1)
    order_id = json.loads(f'"{raw}"')
    session.headers.update({"X-CSRFToken": token, "Referer": shop.url})
    return session, order_id


def _amazon_order_reference(shop: DemoServer, **body: object) -> dict:
    """A signed-in buyer's order reference and access token (a staff-only control route)."""
    response = staff_session(shop.url).post(
        shop.url + "amazonpay-sandbox/sandbox/buyer/order-references",
        json={"seller_id": "A1DEMOSELLER00", **body},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _api(shop: DemoServer, path: str = "") -> str:
    return f"{shop.url}amazon-pay/api/checkouts/{path}"


def test_demo_prints_the_address_and_the_admin_credentials(shop: DemoServer) -> None:
    log = shop.log()
    assert f"Open the shop at {shop.url}" in log
    assert f"Admin user: admin / password: {ADMIN_PASSWORD}" in log
    assert "Loaded 4 demo products." in log
    assert "tasks run eagerly" in log


def test_products_in_english_by_default(shop: DemoServer) -> None:
    page = requests.get(shop.url, timeout=10).text
    assert "Sencha green tea" in page and "Add to cart" in page


def test_products_in_japanese_for_a_japanese_browser(shop: DemoServer) -> None:
    page = requests.get(shop.url, headers={"Accept-Language": "ja,en;q=0.5"}, timeout=10).text
    assert "煎茶" in page and "カートに入れる" in page and 'lang="ja"' in page


def test_admin_and_schema_are_served(shop: DemoServer) -> None:
    assert requests.get(shop.url + "admin/login/", timeout=10).status_code == 200
    schema = requests.get(shop.url + "amazon-pay/api/schema/?format=json", timeout=10).json()
    assert "/amazon-pay/api/checkouts/{oro_id}/confirm/" in schema["paths"]


def test_checkout_over_http(shop: DemoServer) -> None:
    session, order_id = _buyer(shop)
    amazon = _amazon_order_reference(shop)
    oro_id = amazon["amazon_order_reference_id"]
    started = session.post(_api(shop), json=amazon, timeout=20)
    assert started.status_code == 201, started.text
    tampered = {"order_id": order_id, "amount": "1", "shipping_fee": "0"}
    ordered = session.post(_api(shop, f"{oro_id}/order/"), json=tampered, timeout=20)
    assert ordered.status_code == 200, ordered.text
    ordered = ordered.json()
    assert ordered["amount"] == "4100"  # 3500 + 600 to Tokyo: the shop's amount, not "1"
    assert ordered["next_action"] == "confirm"
    confirmed = session.post(
        _api(shop, f"{oro_id}/confirm/"), headers={"Idempotency-Key": "c-1"}, timeout=20
    ).json()
    assert confirmed["state"] == "Open" and confirmed["next_action"] == "complete"
    page = session.get(f"{shop.url}order/{order_id}/complete/", timeout=10).text
    assert "Your order is confirmed" in page
    stranger = requests.get(_api(shop, f"{oro_id}/"), timeout=10)
    assert stranger.status_code == 404 and stranger.json()["error"] == "no_checkout"


def test_osaka_pays_kansai_shipping(shop: DemoServer) -> None:
    session, order_id = _buyer(shop, "TEA-001")
    osaka = {
        "Name": "佐藤花子",
        "AddressLine1": "北区梅田1-1-1",
        "StateOrRegion": "大阪府",
        "PostalCode": "5300001",
        "CountryCode": "JP",
    }
    amazon = _amazon_order_reference(shop, address=osaka)
    session.post(_api(shop), json=amazon, timeout=20).raise_for_status()
    oro_id = amazon["amazon_order_reference_id"]
    ordered = session.post(_api(shop, f"{oro_id}/order/"), json={"order_id": order_id}, timeout=20)
    assert ordered.json()["shipping_fee"] == "800" and ordered.json()["amount"] == "2000"


def test_another_sessions_order_id_is_not_found(shop: DemoServer) -> None:
    _, someone_elses_order = _buyer(shop)
    session, _ = _buyer(shop)
    amazon = _amazon_order_reference(shop)
    session.post(_api(shop), json=amazon, timeout=20).raise_for_status()
    oro_id = amazon["amazon_order_reference_id"]
    response = session.post(
        _api(shop, f"{oro_id}/order/"), json={"order_id": someone_elses_order}, timeout=20
    )
    assert response.status_code == 404 and response.json()["error"] == "no_order"


def test_demo_set_up_again_and_check(tmp_path: Path) -> None:
    env = demo_env(tmp_path / "again.sqlite3")
    for _ in range(2):  # a second run updates instead of failing
        done = subprocess.run(  # noqa: S603
            [sys.executable, str(MANAGE), "demo", "--no-serve"],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert "Admin user: admin" in done.stdout
    check = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), "check"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    migrations = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), "makemigrations", "shop", "--check", "--dry-run"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert migrations.returncode == 0, migrations.stdout
