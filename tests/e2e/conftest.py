"""Browser tests: Playwright (sync API) driving Debian's chromium against live_server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.pii_scan import ScanReport, capture_log_output, scan_database

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
# the test itself (fixtures) would otherwise be refused as "async unsafe".
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium not installed at " + CHROMIUM)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# --------------------------------------------------------------------------- #
# The PII scan over the e2e database and the server log (tests/pii_scan.py): after
# each browser test, before its database is flushed, every table is scanned; the
# console output of the server (the live server thread logs through the same
# handlers) is copied for the whole session.  test_zz_pii_scan.py asserts the total.
# --------------------------------------------------------------------------- #


@dataclass
class PiiScanState:
    database: ScanReport = field(default_factory=ScanReport)
    tests: list[str] = field(default_factory=list)
    log: Any = None
    summary: str = ""


PII_SCAN_STATE = pytest.StashKey[PiiScanState]()


@pytest.fixture(scope="session")
def pii_scan_state(request: pytest.FixtureRequest) -> Iterator[PiiScanState]:
    state = PiiScanState()
    request.config.stash[PII_SCAN_STATE] = state
    with capture_log_output() as log:
        state.log = log
        yield state


@pytest.fixture(autouse=True)
def _pii_scan_after_each_test(
    request: pytest.FixtureRequest, transactional_db: Any, pii_scan_state: PiiScanState
) -> Iterator[None]:
    yield
    # torn down before transactional_db flushes the tables
    pii_scan_state.database.add(scan_database())
    pii_scan_state.tests.append(request.node.nodeid)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(PII_SCAN_STATE, None)
    if state is not None and state.summary:
        terminalreporter.write_line(state.summary)
