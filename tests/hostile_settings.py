"""Hypothesis settings of the generated hostile-input tests: repeatable (derandomized, no
example database), no deadline (a request may meet a lock), examples counted per test file."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import HealthCheck, settings

#: the tests use pytest fixtures per function and build requests slowly, on purpose
DEFAULT_SUPPRESSED = (HealthCheck.function_scoped_fixture, HealthCheck.too_slow)


def hostile_settings(
    max_examples: int, *, suppress: Iterable[HealthCheck] = DEFAULT_SUPPRESSED
) -> settings:
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(suppress),
    )
