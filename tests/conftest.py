"""Shared fixtures."""

from __future__ import annotations

import pytest


@pytest.fixture
def seeded_catalog(db):  # type: ignore[no-untyped-def]
    """The catalog of the seed documents (data/catalog), loaded into the test database."""
    from talentport.catalog.services import REPO_DATA_DIR, catalog_load

    return catalog_load(directory=REPO_DATA_DIR)


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Throttle counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
