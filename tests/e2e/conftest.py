"""Browser tests: Playwright (sync API) driving Debian's chromium against live_server.

Every browser context a test opens watches for Content-Security-Policy violations
(``securitypolicyviolation`` events and chromium's console errors about the policy):
a test fails when any page it opened broke the policy, unless the test said that a
block was expected (``browser.expect_blocked(url)``).
"""

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

# Runs in every page before the page's own scripts (Playwright injects it; the page's
# policy does not apply to it) and reports each violation to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const report = {
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    page: location.href,
  };
  if (typeof window.__reportCspViolation === "function") {
    window.__reportCspViolation(report);
  }
}, true);
"""


@dataclass
class CspWatch:
    """The policy violations seen in the browser contexts of one test."""

    violations: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def record(self, text: str) -> None:
        if not any(url in text for url in self.expected):
            self.violations.append(text)

    def watch(self, context: Any) -> None:
        context.expose_binding(
            "__reportCspViolation",
            lambda _source, report: self.record(
                "{directive} blocked {blocked} at {source} on {page}".format(**report)
            ),
        )
        context.add_init_script(script=CSP_LISTENER)
        context.on("console", self._console)

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.record("console: " + message.text)


class CspWatchingBrowser:
    """The session's chromium, whose new contexts and pages report policy violations."""

    def __init__(self, browser: Any, watch: CspWatch) -> None:
        self._browser = browser
        self.csp = watch

    def new_context(self, **options: Any) -> Any:
        context = self._browser.new_context(**options)
        self.csp.watch(context)
        return context

    def new_page(self, **options: Any) -> Any:
        return self.new_context(**options).new_page()

    def expect_blocked(self, url: str) -> None:
        """A block of ``url`` is what the test wants (an external asset refused)."""
        self.csp.expected.append(url)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
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
def csp_violations() -> CspWatch:
    return CspWatch()


@pytest.fixture
def browser(chromium: Any, csp_violations: CspWatch) -> Iterator[CspWatchingBrowser]:
    yield CspWatchingBrowser(chromium, csp_violations)
    if csp_violations.violations:
        pytest.fail(
            "Content-Security-Policy violations:\n" + "\n".join(csp_violations.violations),
            pytrace=False,
        )


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
