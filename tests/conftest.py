"""Shared fixtures."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path_factory: Any) -> None:
    """Every test keeps its files in a temporary data directory, never the real one."""
    settings.DATA_DIR = tmp_path_factory.mktemp("data")
    settings.MEDIA_ROOT = settings.DATA_DIR / "private"


@pytest.fixture(autouse=True)
def _tasks_eager(settings: Any) -> None:
    """Queue tasks run in the test's own process (a test of the real broker says so)."""
    settings.TASKS_EAGER = True


@pytest.fixture(autouse=True)
def _serve_without_tasks(monkeypatch: Any) -> None:
    """`talentport serve` called in a test starts no worker or scheduler (the tests of
    tests/queue turn them on)."""
    monkeypatch.setenv("TALENTPORT_SERVE_TASKS", "0")


@pytest.fixture
def seeded_catalog(db):  # type: ignore[no-untyped-def]
    """The catalog of the seed documents (data/catalog), loaded into the test database."""
    from talentport.catalog.services import REPO_DATA_DIR, catalog_load

    return catalog_load(directory=REPO_DATA_DIR)


#: Test rates: high enough that no test is throttled unless it asks for real limits.
UNTHROTTLED = "100000/min"


@pytest.fixture(autouse=True)
def _throttles_out_of_the_way(settings):  # type: ignore[no-untyped-def]
    """Every test starts with an empty cache (throttle counters, claim counters) and with
    throttle rates too high to reach; a test of the limits uses ``throttle_rates``."""
    from django.core.cache import cache

    cache.clear()
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {scope: UNTHROTTLED for scope in rates},
    }
    yield
    cache.clear()


@pytest.fixture
def throttle_rates(settings):  # type: ignore[no-untyped-def]
    """Set real (low) rates for some scopes: ``throttle_rates(eligibility="3/min")``."""

    def set_rates(**rates: str) -> None:
        current = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"])
        current.update(rates)
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": current}

    return set_rates
