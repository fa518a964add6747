"""Shared fixtures."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path_factory: Any) -> None:
    """Every test keeps its files in a temporary data directory, never the real one."""
    settings.DATA_DIR = tmp_path_factory.mktemp("data")
    settings.MEDIA_ROOT = settings.DATA_DIR / "private"


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
