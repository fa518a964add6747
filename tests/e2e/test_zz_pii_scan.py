"""Last of the browser tests (files run in name order): the PII scan over every
table of the e2e database, after each test, and over the server log of the run."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pii_scan import ScanReport, scan_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_no_clear_id_number_or_phone_in_the_e2e_database_or_server_log(
    pii_scan_state: Any,
) -> None:
    browser_tests = [t for t in pii_scan_state.tests if "test_zz_pii_scan" not in t]
    if not browser_tests:
        pytest.skip("没有先运行浏览器测试：请运行整个 tests/e2e")
    # given the scans of every browser test's database and the server log so far
    total = ScanReport()
    total.add(pii_scan_state.database)
    total.add(scan_text(pii_scan_state.log.getvalue(), source="server log"))
    pii_scan_state.summary = f"{total.summary()} (after {len(browser_tests)} browser tests)"
    print(pii_scan_state.summary)
    # then nothing in clear
    assert total.rows > 0
    assert not total.hits, [str(hit) for hit in total.hits]
