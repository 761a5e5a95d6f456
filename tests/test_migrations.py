"""Models and migrations must not drift (STYLE 6; CB test_models_match_migrations)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

import django_amazonpay


@pytest.mark.django_db
def test_models_match_migrations() -> None:
    out = StringIO()
    call_command("makemigrations", "django_amazonpay", "--check", "--dry-run", stdout=out)


def test_migration_numbers_are_unique() -> None:
    folder = Path(django_amazonpay.__file__).parent / "migrations"
    numbers = [p.name[:4] for p in folder.glob("[0-9][0-9][0-9][0-9]_*.py")]
    assert numbers
    assert len(numbers) == len(set(numbers))
