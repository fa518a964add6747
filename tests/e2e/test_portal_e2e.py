"""End to end: search by pinyin initials, open the guide, switch language (mobile + desktop)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_catalog"),
]

HOUSING = "高校毕业生住房补贴"
PHONE = "0532-66711723"
REPO = Path(__file__).resolve().parents[2]

VIEWPORTS = {
    "mobile": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}


@pytest.mark.parametrize("device", ["mobile", "desktop"])
def test_search_open_guide_and_switch_language(
    live_server: Any, browser: Any, screenshots: Path, device: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    try:
        # given: the home page
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        page.screenshot(path=str(screenshots / ("portal-" + device + "-home.png")), full_page=True)
        if device == "desktop" and os.environ.get("UPDATE_README_SCREENSHOT"):
            page.screenshot(path=str(REPO / "docs" / "screenshot-portal.png"))

        # when: typing pinyin initials in the labelled search box
        search = page.get_by_label("搜索服务事项")
        search.fill("zfbt")
        search.press("Enter")
        page.wait_for_url(re.compile(r"/services/\?q=zfbt"))

        # then: the housing subsidy comes first
        first = page.locator("ol.result-list > li").first.locator("h3 a")
        assert first.inner_text().strip() == HOUSING
        page.screenshot(
            path=str(screenshots / ("portal-" + device + "-results.png")), full_page=True
        )

        # when: opening it
        first.click()
        page.wait_for_url(re.compile(r"/services/[0-9a-f-]{36}/$"))

        # then: the guide shows department, phone, time limits and a QR code
        assert page.locator("h1").inner_text().strip() == HOUSING
        guide = page.locator("table.guide-table")
        department = guide.locator("tr", has_text="执行部门").locator("td")
        assert "人才服务" in department.inner_text() or department.inner_text().strip()
        assert department.locator("a").count() == 1
        assert PHONE in guide.locator('[data-field="phone"]').inner_text()
        legal = guide.locator('[data-field="legal_limit"]').inner_text()
        promised = guide.locator('[data-field="promised_limit"]').inner_text()
        for value in (legal, promised):
            assert value == "未明确" or re.fullmatch(r"\d+ 个工作日", value), value
        assert page.locator("aside.qr svg[role=img]").count() == 1
        assert page.get_by_role("button", name="打印").is_visible()
        page.screenshot(path=str(screenshots / ("portal-" + device + "-guide.png")), full_page=True)
        page.emulate_media(media="print")
        assert not page.locator("header.site-header").is_visible()
        page.screenshot(
            path=str(screenshots / ("portal-" + device + "-guide-print.png")), full_page=True
        )
        page.emulate_media(media="screen")

        # when: switching to English
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()

        # then: the interface is in English, on the same page
        assert page.locator("html").get_attribute("lang") == "en"
        assert re.search(r"/services/[0-9a-f-]{36}/$", page.url)
        body = page.locator("body").inner_text()
        assert "Statutory time limit" in body and "Print" in body
        assert PHONE in body
        page.screenshot(
            path=str(screenshots / ("portal-" + device + "-guide-en.png")), full_page=True
        )

        # when: switching back to Chinese
        page.get_by_role("button", name="中文").click()
        page.wait_for_load_state()

        # then
        assert page.locator("html").get_attribute("lang") == "zh-Hans"
        assert "法定办结时限" in page.locator("body").inner_text()
    finally:
        context.close()
