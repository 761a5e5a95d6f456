"""The example project runs in its own process (its own settings and SQLite file)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "example_project"
if str(EXAMPLE) not in sys.path:
    sys.path.append(str(EXAMPLE))  # for the shop's pure modules (shipping)

#: the settings the storefront tests need (the shop installed); test_storefront.py runs them
SHOP_SETTINGS = "tests.example.shop_settings"
if os.environ.get("DJANGO_SETTINGS_MODULE") != SHOP_SETTINGS:
    collect_ignore = ["storefront"]
